#include "promise/json_history.hpp"

#include "promise/context.hpp"
#include "promise/fields.hpp"
#include "promise/file_tail.hpp"
#include "promise/local_time.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace promise {
namespace {

void skip_spaces(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
}

bool take(std::string_view& text, std::string_view expected) {
  skip_spaces(text);
  if (text.substr(0, expected.size()) != expected) return false;
  text.remove_prefix(expected.size());
  return true;
}

bool digits(std::string_view text, int& value) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return parse_whole(text, value);
}

// "YYYY-mm-dd HH:MM:SS,mmm" (the milliseconds optional), local time -> unix milliseconds.
std::optional<std::int64_t> parse_asctime(std::string_view text) {
  if (text.size() != 19 && text.size() != 23) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!digits(text.substr(0, 4), year) || !digits(text.substr(5, 2), month) ||
      !digits(text.substr(8, 2), day) || !digits(text.substr(11, 2), hour) ||
      !digits(text.substr(14, 2), minute) || !digits(text.substr(17, 2), second)) {
    return std::nullopt;
  }
  if (text.size() == 23 && (text[19] != ',' || !digits(text.substr(20, 3), millis))) {
    return std::nullopt;
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 59) {  // Python refuses a leap second too
    return std::nullopt;
  }
  const std::time_t seconds = local_time(year, month, day, hour, minute, second);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

}  // namespace

std::string format_history_line(std::int64_t unix_ms, std::string_view message,
                                std::string_view key, std::uint64_t value) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::localtime_r(&seconds, &tm);
  char time[40];
  std::strftime(time, sizeof time, "%Y-%m-%d %H:%M:%S", &tm);
  char line[96];
  std::snprintf(line, sizeof line, "%s,%03d", time, static_cast<int>(unix_ms % 1000));
  std::string text = "{\"time\": \"";
  text += line;
  text += "\", \"log_level\": \"INFO\", \"message\": \"";
  text += message;
  text += "\", \"data\": {\"";
  text += key;
  text += "\": ";
  text += std::to_string(value);
  text += "}}\n";
  return text;
}

std::optional<HistoryEntry> parse_history_line(std::string_view line, std::string_view key) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) {
    line.remove_suffix(1);
  }
  HistoryEntry entry;
  if (!take(line, "{") || !take(line, "\"time\"") || !take(line, ":") || !take(line, "\"")) {
    return std::nullopt;
  }
  const auto quote = line.find('"');
  if (quote == std::string_view::npos) return std::nullopt;
  const auto time = parse_asctime(line.substr(0, quote));
  if (!time) return std::nullopt;
  entry.time_ms = *time;
  line.remove_prefix(quote + 1);
  const auto data = line.rfind("\"data\"");
  if (data == std::string_view::npos) return std::nullopt;
  line.remove_prefix(data + 6);
  if (!take(line, ":") || !take(line, "{") || !take(line, "\"") ||
      line.substr(0, key.size()) != key) {
    return std::nullopt;
  }
  line.remove_prefix(key.size());
  if (!take(line, "\"") || !take(line, ":")) return std::nullopt;
  skip_spaces(line);
  const auto end = line.find_first_of(" }");
  if (end == std::string_view::npos) return std::nullopt;
  if (!parse_whole(line.substr(0, end), entry.value) || !std::isfinite(entry.value)) {
    return std::nullopt;
  }
  line.remove_prefix(end);
  if (!take(line, "}") || !take(line, "}")) return std::nullopt;
  skip_spaces(line);
  if (!line.empty()) return std::nullopt;
  return entry;
}

HistoryWindow read_history_window(const std::string& path, std::string_view key,
                                  std::int64_t now_ms, std::int64_t interval_seconds,
                                  std::size_t max_bytes) {
  HistoryWindow window;
  const FileTail tail = read_tail(path, max_bytes / 16 + 1, max_bytes);
  if (tail.error != 0) {
    window.error = tail.error;
    return window;
  }
  for (auto line = tail.lines.rbegin(); line != tail.lines.rend(); ++line) {
    if (line->empty()) continue;
    const auto entry = parse_history_line(*line, key);
    if (!entry) {
      ++window.unreadable;
      continue;
    }
    if (now_ms - entry->time_ms > interval_seconds * 1000) break;
    window.values.push_back(entry->value);
  }
  return window;
}

std::string append_history_line(const std::string& path, std::string_view line) {
  const auto open = [&] {
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
                  0640);
  };
  int fd = open();
  if (fd < 0 && errno == ENOENT) {
    std::error_code error;
    const auto directory = std::filesystem::path(path).parent_path();
    if (!directory.empty()) {
      std::filesystem::create_directories(directory, error);
      if (!error) {
        std::filesystem::permissions(directory, std::filesystem::perms(0750),
                                     std::filesystem::perm_options::replace, error);
      }
    }
    fd = open();
  }
  if (fd < 0) return std::strerror(errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return "not a regular file";
  }
  const ssize_t n = ::write(fd, line.data(), line.size());
  const int error = errno;
  ::close(fd);
  if (n < 0) return std::strerror(error);
  if (static_cast<std::size_t>(n) != line.size()) return "short write";
  return {};
}

std::string bytes2human(double bytes) {
  static const char symbols[] = "BKMGTPEZY";
  for (int power = 8; power >= 1; --power) {
    const double unit = std::ldexp(1.0, 10 * power);
    if (std::fabs(bytes) >= unit) {
      char text[48];
      std::snprintf(text, sizeof text, "%.1f%c", bytes / unit, symbols[power]);
      return text;
    }
  }
  char text[48];
  std::snprintf(text, sizeof text, "%.1fB", bytes);
  return text;
}

std::string bytes2human7(double bytes) {
  std::string text = bytes2human(bytes);
  if (text.size() < 7) text.insert(0, 7 - text.size(), ' ');
  return text;
}

bool marker_due(const std::string& path, double min_age_seconds, std::string& error) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const double age = static_cast<double>(now.tv_sec - info.st_mtim.tv_sec) +
                       static_cast<double>(now.tv_nsec - info.st_mtim.tv_nsec) / 1e9;
    if (age < min_age_seconds) return false;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0640);
  if (fd < 0) {
    error = "cannot touch " + path + ": " + std::strerror(errno);
    return true;
  }
  ::futimens(fd, nullptr);
  ::close(fd);
  return true;
}

PeriodHistory record_period_history(const Context& context, std::string_view promise_name,
                                    const std::string& history_file, const std::string& marker,
                                    int period_seconds, const HistorySample& sample) {
  PeriodHistory result;
  context.phase("writing the history");
  const std::string history = context.in_partition(
      !history_file.empty()
          ? history_file
          : ".slapgrid/promise/log/" + context.promise_title(promise_name) + ".json.log");
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (const auto problem = append_history_line(
          history, format_history_line(now_ms, sample.message, sample.key, sample.value));
      !problem.empty()) {
    result.error = "cannot append to the history " + history + ": " + problem;
    return result;
  }
  std::string error;
  if (!marker_due(context.in_partition(marker), period_seconds / 4.0, error)) return result;
  if (!error.empty()) context.log.step(error);
  context.phase("reading the history");
  result.due = true;
  result.window = read_history_window(history, sample.key, now_ms, period_seconds);
  if (result.window.unreadable > 0) {
    result.note = " (" + std::to_string(result.window.unreadable) + " unreadable line" +
                  (result.window.unreadable > 1 ? "s" : "") + " of " + history + " skipped)";
  }
  return result;
}

}  // namespace promise
