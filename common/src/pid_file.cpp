#include "promise/pid_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

#include "promise/text.hpp"

namespace promise {
namespace {

// str.strip()'s ASCII white space (the Unicode spaces it also strips do not occur in pid files).
bool is_python_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

}  // namespace

std::optional<long long> parse_python_int(std::string_view text) {
  while (!text.empty() && is_python_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_python_space(text.back())) text.remove_suffix(1);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  constexpr long long kMax = std::numeric_limits<long long>::max();
  long long value = 0;
  bool previous_digit = false;
  for (const char c : text) {
    if (c == '_') {
      if (!previous_digit) return std::nullopt;  // "_1", "1__2"
      previous_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
    previous_digit = true;
  }
  if (!previous_digit) return std::nullopt;  // "1_"
  return negative ? -value : value;
}

PidFile read_pid_file(const std::string& path, std::size_t max_bytes) {
  PidFile file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0) {
    file.error = errno;
    if (fd >= 0) ::close(fd);
    return file;
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    file.error = EISDIR;
    return file;
  }
  std::string text;
  char buffer[512];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;  // a FIFO with no writer: nothing to read
    if (n < 0) {
      file.error = errno;
      ::close(fd);
      return file;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) {
      file.too_long = true;
      text.resize(max_bytes);
      break;
    }
  }
  ::close(fd);
  file.content = std::move(text);
  if (!file.too_long) file.pid = parse_python_int(file.content);
  return file;
}

std::string python_int_error(std::string_view content) {
  std::string repr = python_repr(content);
  if (repr.size() > 200) repr = one_line(repr, 200);  // CPython: %.200R
  return "invalid literal for int() with base 10: " + repr;
}

}  // namespace promise
