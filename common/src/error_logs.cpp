#include "promise/error_logs.hpp"

#include "promise/local_time.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "promise/text.hpp"

namespace promise {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// Python's str.isspace() for ASCII.
bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Reads text from the front as the regular expression time.strptime builds from its format.
class DateReader {
 public:
  explicit DateReader(std::string_view text) : rest_(text) {}
  bool done() const { return rest_.empty(); }

  bool literal(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }
  // A space in the format: one or more white-space characters.
  bool spaces() {
    std::size_t n = 0;
    while (n < rest_.size() && is_space(rest_[n])) ++n;
    rest_.remove_prefix(n);
    return n > 0;
  }
  // One of names (3 letters, lower case), in any case; its index.
  template <std::size_t N>
  bool name(const std::array<std::string_view, N>& names, int& index) {
    if (rest_.size() < 3) return false;
    for (std::size_t i = 0; i < N; ++i) {
      if (lower(rest_[0]) == names[i][0] && lower(rest_[1]) == names[i][1] &&
          lower(rest_[2]) == names[i][2]) {
        index = static_cast<int>(i);
        rest_.remove_prefix(3);
        return true;
      }
    }
    return false;
  }
  // min_digits to max_digits digits (no more follow: strptime's next token is never a digit)
  // holding a value in [low, high].
  bool number(std::size_t min_digits, std::size_t max_digits, int low, int high, int& value) {
    std::size_t n = 0;
    value = 0;
    while (n < rest_.size() && is_digit(rest_[n])) {
      if (++n > max_digits) return false;
      value = value * 10 + (rest_[n - 1] - '0');
    }
    if (n < min_digits) return false;
    rest_.remove_prefix(n);
    return value >= low && value <= high;
  }

 private:
  std::string_view rest_;
};

bool valid_day(int year, int month, int day) {
  static constexpr std::array<int, 12> kDaysInMonth = {31, 28, 31, 30, 31, 30,
                                                       31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return year >= 1 && day <= kDaysInMonth[static_cast<std::size_t>(month)] + (leap && month == 1);
}

std::optional<std::tm> read_http_date(std::string_view text, bool with_fraction) {
  DateReader reader(text);
  int weekday = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, fraction = 0, year = 0;
  if (!reader.name(kDays, weekday) || !reader.spaces() || !reader.name(kMonths, month) ||
      !reader.spaces() || !reader.number(1, 2, 1, 31, day) || !reader.spaces() ||
      !reader.number(1, 2, 0, 23, hour) || !reader.literal(':') ||
      !reader.number(1, 2, 0, 59, minute) || !reader.literal(':') ||
      !reader.number(1, 2, 0, 61, second)) {
    return std::nullopt;
  }
  if (with_fraction && (!reader.literal('.') || !reader.number(1, 6, 0, 999999, fraction))) {
    return std::nullopt;
  }
  if (!reader.spaces() || !reader.number(4, 4, 0, 9999, year) || !reader.done() ||
      !valid_day(year, month, day)) {
    return std::nullopt;
  }
  return local_tm(year, month + 1, day, hour, minute, second);
}

// Seconds from a local time to now, as time.time() - time.mktime(t).
double age(std::tm tm, std::time_t now) {
  return static_cast<double>(now) - static_cast<double>(std::mktime(&tm));
}

std::size_t digits(std::string_view text, std::size_t at) {
  std::size_t n = 0;
  while (at + n < text.size() && is_digit(text[at + n])) ++n;
  return n;
}

// "^(\d+-\d+-\d+ \d+:\d+:\d+)(,\d+) - ([A-z]+) (.*)$": the date part, or empty.
std::string_view zope_line_date(std::string_view line) {
  std::size_t at = 0;
  for (const char separator : std::string_view("-- ::,")) {
    const std::size_t n = digits(line, at);
    if (n == 0 || at + n >= line.size() || line[at + n] != separator) return {};
    at += n + 1;
  }
  const std::size_t date_end = at - 1;
  const std::size_t milliseconds = digits(line, at);
  if (milliseconds == 0 || line.substr(at + milliseconds, 3) != " - ") return {};
  at += milliseconds + 3;
  std::size_t word = 0;
  while (at + word < line.size() && line[at + word] >= 'A' && line[at + word] <= 'z') ++word;
  if (word == 0 || at + word >= line.size() || line[at + word] != ' ') return {};
  return line.substr(0, date_end);
}

}  // namespace

LogWindow read_log_window(const std::string& path, std::size_t max_bytes) {
  LogWindow window;
  // One pread of the window (at most 40 KiB): whatever the file's size, nothing else is read.
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0) {
    window.error = errno;
    if (fd >= 0) ::close(fd);
    return window;
  }
  if (!S_ISREG(info.st_mode)) {
    window.error = S_ISDIR(info.st_mode) ? EISDIR : ESPIPE;
    ::close(fd);
    return window;
  }
  window.file_size = static_cast<std::uint64_t>(info.st_size);
  const std::uint64_t start = window.file_size > max_bytes ? window.file_size - max_bytes : 0;
  window.text.resize(static_cast<std::size_t>(window.file_size - start));
  std::size_t done = 0;
  while (done < window.text.size()) {
    const ssize_t n = ::pread(fd, window.text.data() + done, window.text.size() - done,
                              static_cast<off_t>(start + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      window.error = errno;
      window.text.clear();
      break;
    }
    if (n == 0) break;  // the file shrank: what was read is the window
    done += static_cast<std::size_t>(n);
  }
  if (window.error == 0) window.text.resize(done);
  ::close(fd);
  return window;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) > 0x1e) continue;  // every line break is below 0x1f
    if (c != '\n' && c != '\r' && c != '\v' && c != '\f' && c != 0x1c && c != 0x1d && c != 0x1e) {
      continue;
    }
    lines.push_back(text.substr(start, i - start));
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

std::optional<std::tm> parse_http_log_date(std::string_view text) {
  if (auto tm = read_http_date(text, false)) return tm;
  return read_http_date(text, true);
}

std::optional<std::tm> parse_zope_log_date(std::string_view text) {
  DateReader reader(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!reader.number(4, 4, 0, 9999, year) || !reader.literal('-') ||
      !reader.number(1, 2, 1, 12, month) || !reader.literal('-') ||
      !reader.number(1, 2, 1, 31, day) || !reader.spaces() || !reader.number(1, 2, 0, 23, hour) ||
      !reader.literal(':') || !reader.number(1, 2, 0, 59, minute) || !reader.literal(':') ||
      !reader.number(1, 2, 0, 61, second) || !reader.done() || !valid_day(year, month - 1, day)) {
    return std::nullopt;
  }
  return local_tm(year, month, day, hour, minute, second);
}

HttpLogErrors count_http_log_errors(std::string_view window, std::time_t now,
                                    long long maximum_delay, bool module_levels) {
  HttpLogErrors found;
  int date_failures = 0;
  const auto lines = split_lines(window);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    const std::string_view line = *it;
    // "^(\[[^\]]+\]) (\[[^\]]+\]) (.*)$"
    if (line.size() < 2 || line[0] != '[') continue;
    const std::size_t date_end = line.find(']', 1);
    if (date_end == std::string_view::npos || date_end == 1 ||
        line.substr(date_end + 1, 2) != " [") {
      continue;
    }
    const std::size_t level_start = date_end + 2;
    const std::size_t level_end = line.find(']', level_start + 1);
    if (level_end == std::string_view::npos || level_end == level_start + 1 ||
        line.substr(level_end + 1, 1) != " ") {
      continue;
    }
    const std::string_view date = line.substr(1, date_end - 1);
    const std::string_view level = line.substr(level_start, level_end + 1 - level_start);
    const std::string_view message = line.substr(level_end + 2);

    const auto tm = parse_http_log_date(date);
    if (!tm) {
      if (date_failures < 3) {
        ++date_failures;
        continue;
      }
      found.date_error =
          "time data " + python_repr(date) + " does not match format '%a %b %d %H:%M:%S.%f %Y'";
      return found;
    }
    if (maximum_delay != 0 && age(*tm, now) > static_cast<double>(maximum_delay)) break;
    const bool error =
        level == "[error]" || (module_levels && level.size() > 8 && level.ends_with(":error]"));
    if (!error) continue;
    if (message.find("(113)No route to host") != std::string_view::npos) {
      ++found.no_route;
    } else if (message.find("(101)Network is unreachable") != std::string_view::npos) {
      ++found.unreachable;
    } else if (message.find("(110)Connection timed out") != std::string_view::npos) {
      ++found.timeout;
    }
    ++found.errors;
  }
  return found;
}

long long count_zope_long_requests(std::string_view window, std::time_t now, double maximum_delay) {
  long long requests = 0;
  const auto lines = split_lines(window);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    const std::string_view date = zope_line_date(*it);
    if (date.empty()) continue;
    const auto tm = parse_zope_log_date(date);
    if (!tm) continue;
    if (maximum_delay != 0 && age(*tm, now) > maximum_delay) break;
    ++requests;
  }
  return requests;
}

}  // namespace promise
