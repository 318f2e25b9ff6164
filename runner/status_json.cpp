#include "status_json.hpp"

#include "promise/process.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace promise::runner {
namespace {

namespace fs = std::filesystem;

// Length of the valid UTF-8 sequence at text[i], its code point in code_point; 0 if invalid.
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (i + length > text.size()) return 0;
  Utf8Validator validator;
  validator.feed(text.substr(i, length));
  if (validator.finish()) return 0;
  code_point = length == 1 ? lead : lead & (0xFFu >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) {
    code_point = (code_point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
  }
  return length;
}

void append_u_escape(std::string& out, std::uint32_t unit) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "\\u%04x", unit);
  out += buffer;
}

// json.dump's default (ensure_ascii): printable ASCII as is, everything else \uXXXX (UTF-16).
// A byte that is not UTF-8 (a file name) becomes the lone surrogate U+DCxx, as os.listdir's
// surrogateescape hands it to json.dump.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const char* short_escape = c == '"'    ? "\\\""
                               : c == '\\' ? "\\\\"
                               : c == '\n' ? "\\n"
                               : c == '\r' ? "\\r"
                               : c == '\t' ? "\\t"
                               : c == '\b' ? "\\b"
                               : c == '\f' ? "\\f"
                                           : nullptr;
    if (short_escape != nullptr) {
      out += short_escape;
      ++i;
      continue;
    }
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::uint32_t code_point = 0;
    const std::size_t length = decode_utf8(text, i, code_point);
    if (length == 0) {
      append_u_escape(out, 0xDC00u + c);
      ++i;
      continue;
    }
    if (code_point >= 0x10000) {
      code_point -= 0x10000;
      append_u_escape(out, 0xD800u + (code_point >> 10));
      append_u_escape(out, 0xDC00u + (code_point & 0x3FFu));
    } else {
      append_u_escape(out, code_point);
    }
    i += length;
  }
  out += '"';
}

// Python's float repr for a duration in seconds, to the millisecond: 0.003, 1.25, 20.0.
std::string python_float(double seconds) {
  const double rounded = std::round(seconds * 1000) / 1000;
  char buffer[32];
  const auto end =
      std::to_chars(buffer, buffer + sizeof buffer, rounded, std::chars_format::fixed).ptr;
  std::string text(buffer, end);
  if (text.find('.') == std::string::npos) text += ".0";
  return text;
}

std::string utc_date(std::time_t time) {
  std::tm parts{};
  ::gmtime_r(&time, &parts);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S+0000", &parts);
  return buffer;
}

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

}  // namespace

std::string status_json(const PromiseResult& result) {
  std::string out = "{\"title\": ";
  append_json_string(out, result.file.title);
  out += ", \"name\": ";
  append_json_string(out, result.file.name);
  out += ", \"path\": ";
  append_json_string(out, result.file.path);
  out += ", \"execution-time\": " + python_float(result.seconds);
  out += ", \"result\": {\"type\": \"Test Result\", \"failed\": ";
  out += result.verdict == Verdict::ok ? "false" : "true";
  out += ", \"date\": \"" + utc_date(result.date) + "\", \"message\": ";
  append_json_string(out, result.message);
  return out + "}}";
}

std::string write_status_file(const std::string& partition, const PromiseResult& result) {
  const fs::path directory = fs::path(partition) / ".slapgrid" / "promise" / "result";
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) {
    throw std::runtime_error("cannot create " + directory.string() + ": " + error.message());
  }
  const std::string target = (directory / (result.file.title + ".status.json")).string();
  // Not *.status.json until renamed: the monitor never reads half a file. Shorter than the
  // target, so that any title whose result file can exist has a temporary name too.
  constexpr std::size_t kMaxTitle = NAME_MAX - std::string_view(".XXXXXX.").size();
  std::string temp_name = ".";  // appended, not "." + ...: GCC 12 -O3 warns (-Wrestrict)
  temp_name.append(result.file.title, 0, kMaxTitle).append(".XXXXXX");
  std::string temp = (directory / temp_name).string();
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) fail("cannot create a file in " + directory.string(), errno);
  const std::string content = status_json(result);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int write_error = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      fail("cannot write " + temp, write_error);
    }
    written += static_cast<std::size_t>(n);
  }
  const mode_t umask_bits = ::umask(0);  // the mode Python's open(path, "w") gives
  ::umask(umask_bits);
  ::fchmod(fd, 0666 & ~umask_bits);
  if (::close(fd) != 0 || ::rename(temp.c_str(), target.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(temp.c_str());
    fail("cannot write " + target, rename_error);
  }
  return target;
}

}  // namespace promise::runner
