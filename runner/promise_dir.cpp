// slapgrid's view of a promise directory, and slapgrid's verdict on what each promise did.
#include "promise_dir.hpp"

#include "promise/process.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace promise::runner {
namespace {

namespace fs = std::filesystem;

// slapgrid's BaseResult keeps '...' and the last 5000 characters (code points) of a longer message.
constexpr std::size_t kMaxMessageChars = 5000;

// What Python's str.strip() removes: the characters str.isspace() accepts, as UTF-8.
constexpr std::string_view kPythonSpaces[] = {" ",
                                              "\t",
                                              "\n",
                                              "\r",
                                              "\v",
                                              "\f",
                                              "\x1c",
                                              "\x1d",
                                              "\x1e",
                                              "\x1f",
                                              "\xc2\x85",
                                              "\xc2\xa0",
                                              "\xe1\x9a\x80",
                                              "\xe2\x80\x80",
                                              "\xe2\x80\x81",
                                              "\xe2\x80\x82",
                                              "\xe2\x80\x83",
                                              "\xe2\x80\x84",
                                              "\xe2\x80\x85",
                                              "\xe2\x80\x86",
                                              "\xe2\x80\x87",
                                              "\xe2\x80\x88",
                                              "\xe2\x80\x89",
                                              "\xe2\x80\x8a",
                                              "\xe2\x80\xa8",
                                              "\xe2\x80\xa9",
                                              "\xe2\x80\xaf",
                                              "\xe2\x81\x9f",
                                              "\xe3\x80\x80"};

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string_view strip_like_python(std::string_view text) {
  for (bool changed = true; changed && !text.empty();) {
    changed = false;
    for (std::string_view space : kPythonSpaces) {
      if (text.starts_with(space)) {
        text.remove_prefix(space.size());
        changed = true;
      }
      if (text.ends_with(space)) {
        text.remove_suffix(space.size());
        changed = true;
      }
    }
  }
  return text;
}

// Popen(universal_newlines=True): "\r\n" and "\r" read as "\n".
std::string universal_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
      continue;
    }
    out += '\n';
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
  }
  return out;
}

// The message slapgrid stores for output that decoded: stripped, then cut to the last 5000
// characters. The output may have lost its head already (ChildSpec::output_limit).
std::string message_from_output(const ChildResult& child) {
  std::string_view kept = child.output;
  const bool head_lost = child.output_bytes > kept.size();
  while (head_lost && !kept.empty() && is_continuation(kept.front())) kept.remove_prefix(1);
  const std::string text = universal_newlines(kept);
  const std::string_view message = strip_like_python(text);
  std::size_t start = message.size();
  for (std::size_t chars = 0; start > 0 && chars < kMaxMessageChars; ++chars) {
    do {
      --start;
    } while (start > 0 && is_continuation(message[start]));
  }
  if (start > 0 || head_lost) return "..." + std::string(message.substr(start));
  return std::string(message);
}

// Python's str(OSError) from Popen: "[Errno 8] Exec format error: '/srv/.../etc/promise/x'".
std::string start_failure_message(const ChildResult& child, const PromiseFile& file) {
  std::string text =
      "[Errno " + std::to_string(child.start_errno) + "] " + std::strerror(child.start_errno);
  if (std::strcmp(child.start_step, "exec") == 0) return text + ": '" + file.path + "'";
  if (std::strcmp(child.start_step, "chdir") == 0) return text + ": '" + file.partition + "'";
  return text;
}

PromiseResult judge(const PromiseFile& file, const ChildResult& child,
                    const RunSettings& settings) {
  PromiseResult result;
  result.file = file;
  result.seconds = child.seconds;
  result.date = std::chrono::system_clock::to_time_t(child.ended_at);
  result.exit_code = child.exit_code;
  result.signal = child.signal;
  result.verdict = Verdict::failed;
  if (child.timed_out) {
    result.verdict = Verdict::timed_out;
    result.message =
        "Error: Promise timed out after " + seconds_text(settings.timeout) + " seconds";
  } else if (child.start_errno != 0) {
    result.message = start_failure_message(child, file);
  } else if (child.utf8_error) {
    // slapgrid decodes the output as UTF-8 (strict): the promise fails even when it exited 0.
    result.message = python_message(*child.utf8_error);
  } else {
    result.message = message_from_output(child);
    if (child.exit_code == 0) result.verdict = Verdict::ok;
  }
  return result;
}

}  // namespace

std::string title_of(std::string_view name) {
  const auto dot = name.rfind('.');
  // A leading run of dots belongs to the name, not to an extension (".profile", "..x").
  if (dot == std::string_view::npos || name.find_first_not_of('.') >= dot) return std::string(name);
  return std::string(name.substr(0, dot));
}

std::string seconds_text(double seconds) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, seconds).ptr;
  return std::string(buffer, end);
}

std::vector<PromiseFile> scan_promise_dir(const std::string& dir) {
  fs::path directory = fs::absolute(dir).lexically_normal();
  if (!directory.has_filename()) directory = directory.parent_path();  // "etc/promise/"
  std::error_code error;
  fs::directory_iterator entries(directory, error);
  if (error) {
    throw std::runtime_error("cannot read the promise directory " + dir + ": " + error.message());
  }
  const std::string partition = directory.parent_path().parent_path().string();
  std::vector<PromiseFile> files;
  for (const auto& entry : entries) {
    PromiseFile file;
    file.name = entry.path().filename().string();
    file.title = title_of(file.name);
    file.path = entry.path().string();
    file.partition = partition;
    // As slapgrid: os.path.isfile (symlinks followed) and os.access(X_OK).
    struct stat info {};
    if (::stat(file.path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
      file.skip_reason = "not a regular file";
    } else if (::access(file.path.c_str(), X_OK) != 0) {
      file.skip_reason = "not executable";
    }
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(),
            [](const PromiseFile& a, const PromiseFile& b) { return a.name < b.name; });
  return files;
}

std::vector<PromiseResult> run_promises(const std::vector<PromiseFile>& files,
                                        const RunSettings& settings) {
  std::vector<ChildSpec> specs;
  for (const PromiseFile& file : files) {
    if (!file.skip_reason.empty()) continue;
    ChildSpec spec;  // argv = the path alone, output merged, environment inherited: slapgrid's
    spec.argv = {file.path};
    spec.cwd = file.partition;
    spec.time_limit = settings.timeout;
    spec.kill_grace = settings.kill_grace;
    specs.push_back(std::move(spec));
  }
  const std::vector<ChildResult> children = run_children(specs, settings.parallel);
  std::vector<PromiseResult> results;
  std::size_t next_child = 0;
  for (const PromiseFile& file : files) {
    if (!file.skip_reason.empty()) {
      PromiseResult skipped;
      skipped.file = file;
      skipped.message = "Bad promise file (" + file.skip_reason + "): slapgrid skips it";
      results.push_back(std::move(skipped));
      continue;
    }
    results.push_back(judge(file, children[next_child++], settings));
  }
  return results;
}

}  // namespace promise::runner
