// slapos-promise compare: the plugin's last verdict beside ours, for every promise of a partition
// that converts. Ours are installed into a scratch directory and run as slapgrid runs a legacy
// promise; nothing is written in the partition.
#include "convert.hpp"
#include "internal.hpp"
#include "promise/process.hpp"
#include "promise/text.hpp"
#include "promise/utf8.hpp"
#include "promise_dir.hpp"
#include "report.hpp"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace promise::runner {
namespace {

namespace fs = std::filesystem;

constexpr double kInstallSeconds = 10;
constexpr std::size_t kMessageBytes = 400;

void print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// ---- the few fields of a status.json that we read ------------------------------------------

struct PluginResult {
  bool found = false;
  bool failed = false;
  std::string message;
  std::string date;
  std::string problem;  // the file exists but is not a status.json
};

// A reader for json.dump's output: objects, strings, numbers, true/false/null, arrays skipped.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : t_(text) {}

  // Top-level object: string, boolean and null members at any depth, by "outer.inner" path.
  void read(std::vector<std::pair<std::string, std::string>>& fields) {
    space();
    object("", fields, 0);
    space();
    if (p_ != t_.size()) throw std::runtime_error("text after the JSON object");
  }

 private:
  void space() {
    while (p_ < t_.size() && std::strchr(" \t\r\n", t_[p_]) != nullptr) ++p_;
  }
  void expect(char c) {
    space();
    if (p_ >= t_.size() || t_[p_] != c)
      throw std::runtime_error(std::string("expected '") + c + "'");
    ++p_;
  }
  void object(const std::string& path, std::vector<std::pair<std::string, std::string>>& fields,
              int depth) {
    if (depth > 20) throw std::runtime_error("nested too deep");
    expect('{');
    space();
    if (p_ < t_.size() && t_[p_] == '}') {
      ++p_;
      return;
    }
    for (;;) {
      space();
      const std::string key = string();
      expect(':');
      value(path.empty() ? key : path + "." + key, fields, depth);
      space();
      if (p_ < t_.size() && t_[p_] == ',') {
        ++p_;
        continue;
      }
      expect('}');
      return;
    }
  }
  void value(const std::string& path, std::vector<std::pair<std::string, std::string>>& fields,
             int depth) {
    space();
    if (p_ >= t_.size()) throw std::runtime_error("the text ends");
    const char c = t_[p_];
    if (c == '{') return object(path, fields, depth + 1);
    if (c == '"') {
      fields.emplace_back(path, "s" + string());
      return;
    }
    if (c == '[') {
      ++p_;
      space();
      if (p_ < t_.size() && t_[p_] == ']') {
        ++p_;
        return;
      }
      for (;;) {
        std::vector<std::pair<std::string, std::string>> ignored;
        value("", ignored, depth + 1);
        space();
        if (p_ < t_.size() && t_[p_] == ',') {
          ++p_;
          continue;
        }
        expect(']');
        return;
      }
    }
    for (const char* word : {"true", "false", "null"}) {
      if (t_.substr(p_, std::strlen(word)) == word) {
        p_ += std::strlen(word);
        fields.emplace_back(path, word);
        return;
      }
    }
    const std::size_t start = p_;
    while (p_ < t_.size() && std::strchr("+-.0123456789eE", t_[p_]) != nullptr) ++p_;
    if (p_ == start) throw std::runtime_error("unexpected character");
    fields.emplace_back(path, "n" + std::string(t_.substr(start, p_ - start)));
  }
  unsigned hex4() {
    if (p_ + 4 > t_.size()) throw std::runtime_error("truncated \\u escape");
    unsigned unit = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = t_[p_++];
      unit <<= 4;
      if (c >= '0' && c <= '9') {
        unit |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        unit |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        unit |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        throw std::runtime_error("bad \\u escape");
      }
    }
    return unit;
  }
  std::string string() {
    if (p_ >= t_.size() || t_[p_] != '"') throw std::runtime_error("expected a string");
    ++p_;
    std::string out;
    for (;;) {
      if (p_ >= t_.size()) throw std::runtime_error("unterminated string");
      const char c = t_[p_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= t_.size()) throw std::runtime_error("unterminated string");
      const char e = t_[p_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          unsigned unit = hex4();
          if (unit >= 0xD800 && unit <= 0xDBFF && t_.substr(p_, 2) == "\\u") {
            p_ += 2;
            const unsigned low = hex4();
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, unit);
          break;
        }
        default:
          out += e;  // \" \\ \/
      }
    }
  }

  std::string_view t_;
  std::size_t p_ = 0;
};

PluginResult read_plugin_result(const std::string& partition, const std::string& title) {
  PluginResult result;
  const fs::path path = fs::path(partition) / ".slapgrid/promise/result" / (title + ".status.json");
  std::ifstream in(path, std::ios::binary);
  if (!in) return result;
  result.found = true;
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<std::pair<std::string, std::string>> fields;
  try {
    JsonReader(text.str()).read(fields);
  } catch (const std::exception& error) {
    result.problem = std::string("unreadable status.json: ") + error.what();
    return result;
  }
  bool has_failed = false;
  for (const auto& [key, value] : fields) {
    if (key == "result.failed") {
      has_failed = value == "true" || value == "false";
      result.failed = value == "true";
    } else if (key == "result.message" && !value.empty() && value[0] == 's') {
      result.message = value.substr(1);
    } else if (key == "result.date" && !value.empty() && value[0] == 's') {
      result.date = value.substr(1);
    }
  }
  if (!has_failed) result.problem = "status.json without result.failed";
  return result;
}

// ^C stops the promises (they run in process groups of their own) before we go.
extern "C" void on_compare_stop_signal(int) {
  request_stop();
}

void stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = on_compare_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "slapos-promise-compare.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error(std::string("cannot create a scratch directory: ") +
                               std::strerror(errno));
    root_ = pattern;
    fs::create_directories(fs::path(root_) / "etc/promise");
    ::chmod((fs::path(root_) / "etc").c_str(), 0700);
    ::chmod((fs::path(root_) / "etc/promise").c_str(), 0700);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string promise_dir() const { return root_ + "/etc/promise"; }

 private:
  std::string root_;
};

struct Row {
  const Conversion* conversion = nullptr;
  std::string ours_state;    // "OK", "FAILED", "TIMEOUT"; empty: not run
  std::string ours_message;  // or why it did not run
  double seconds = 0;
  PluginResult plugin;
};

std::string plugin_state(const PluginResult& result) {
  if (!result.found) return "-";
  if (!result.problem.empty()) return "?";
  return result.failed ? "FAILED" : "OK";
}

}  // namespace

int compare_command(const ConvertOptions& options, double timeout, std::size_t jobs) {
  const std::string partition = fs::absolute(options.partition).lexically_normal().string();
  const auto conversions = convert_partition(partition);
  const std::string bin_dir = options.bin_dir.empty()
                                  ? fs::path(detail::self_executable()).parent_path().string()
                                  : options.bin_dir;
  adopt_orphans();
  stop_on_signals();
  ScratchDir scratch;

  std::vector<Row> rows;
  std::vector<ChildSpec> installs;
  std::vector<std::size_t> install_rows;
  for (const auto& c : conversions) {
    Row row;
    row.conversion = &c;
    row.plugin = read_plugin_result(partition, c.title);
    if (c.native) {
      row.ours_message = "already a native promise: not compared";
    } else if (!c.problem.empty()) {
      row.ours_message = "not converted: " + c.problem;
    } else if (const auto binary = fs::path(bin_dir) / c.binary;
               ::access(binary.c_str(), X_OK) != 0) {
      row.ours_message = "binary missing: " + c.binary + " is not installed in " + bin_dir;
    } else {
      ChildSpec spec;
      spec.argv = {binary.string(), "--install", scratch.promise_dir() + "/" + c.install_name};
      spec.argv.insert(spec.argv.end(), c.args.begin(), c.args.end());
      spec.time_limit = kInstallSeconds;
      installs.push_back(std::move(spec));
      install_rows.push_back(rows.size());
    }
    rows.push_back(std::move(row));
  }
  const auto installed = run_children(installs, jobs);
  std::vector<PromiseFile> files;
  std::vector<std::size_t> file_rows;
  for (std::size_t i = 0; i < installed.size(); ++i) {
    Row& row = rows[install_rows[i]];
    if (installed[i].exit_code != 0) {
      row.ours_message = "not installed: " + untrusted_tail(installed[i].output, 1000);
      continue;
    }
    PromiseFile file;
    file.name = row.conversion->install_name;
    file.title = row.conversion->title;
    file.path = scratch.promise_dir() + "/" + file.name;
    file.partition = partition;  // slapgrid's working directory: the partition itself
    files.push_back(std::move(file));
    file_rows.push_back(install_rows[i]);
  }
  const auto results = run_promises(files, {timeout, 1, jobs});
  if (stop_requested()) throw std::runtime_error("interrupted: the running promises were stopped");
  for (std::size_t i = 0; i < results.size(); ++i) {
    Row& row = rows[file_rows[i]];
    row.ours_state = verdict_word(results[i].verdict);
    row.ours_message = results[i].message;
    row.seconds = results[i].seconds;
  }

  std::size_t agree = 0, disagree = 0, not_compared = 0;
  for (const Row& row : rows) {
    const Conversion& c = *row.conversion;
    const std::string plugin = plugin_state(row.plugin);
    const bool compared = !row.ours_state.empty() && (plugin == "OK" || plugin == "FAILED");
    const bool differs = compared && (plugin == "OK") != (row.ours_state == "OK");
    std::string header = untrusted(c.title, 200) + "  (" + c.origin +
                         (c.binary.empty() ? "" : " -> " + c.binary) + ")";
    if (differs) {
      header += "  DISAGREE";
      ++disagree;
    } else if (compared) {
      ++agree;
    } else {
      ++not_compared;
    }
    std::string plugin_line = "  plugin  ";
    plugin_line += plugin + std::string(8 - std::min<std::size_t>(plugin.size(), 7), ' ');
    if (!row.plugin.found) {
      plugin_line +=
          "no result in .slapgrid/promise/result/" + untrusted(c.title, 200) + ".status.json";
    } else if (!row.plugin.problem.empty()) {
      plugin_line += row.plugin.problem;
    } else {
      plugin_line += (row.plugin.date.empty() ? "" : untrusted(row.plugin.date, 40) + "  ") +
                     one_line(row.plugin.message, kMessageBytes);
    }
    std::string ours_line = "  ours    ";
    const std::string ours = row.ours_state.empty() ? "-" : row.ours_state;
    ours_line += ours + std::string(8 - std::min<std::size_t>(ours.size(), 7), ' ');
    if (!row.ours_state.empty()) ours_line += human_seconds(row.seconds) + "  ";
    ours_line += one_line(row.ours_message, kMessageBytes);
    print(header + "\n" + plugin_line + "\n" + ours_line + "\n");
  }
  print(std::to_string(rows.size()) + " promises: " + std::to_string(agree) + " agree, " +
        std::to_string(disagree) + " disagree, " + std::to_string(not_compared) +
        " not compared\n");
  std::fflush(stdout);
  return disagree == 0 ? 0 : 2;
}

}  // namespace promise::runner
