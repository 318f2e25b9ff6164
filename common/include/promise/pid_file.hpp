#pragma once
// A pid file as SlapOS's Python reads it: int(open(path).read()).
//
// Python's int() of a str: white space around the number is allowed, then an optional sign,
// then decimal digits, with single '_' between digits ("1_234"); anything else, and the empty
// text, is "invalid literal for int() with base 10: <repr of the whole text>". Leading zeros
// are allowed. Values beyond 64 bits are still numbers (int() has no limit): they saturate.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace promise {

std::optional<long long> parse_python_int(std::string_view text);

struct PidFile {
  int error = 0;  // errno when it could not be read (ENOENT: there is none); then nothing else
  std::string content;           // what it holds, up to max_bytes
  bool too_long = false;         // it holds more than max_bytes: not a pid
  std::optional<long long> pid;  // the number it holds, if it holds one
};

PidFile read_pid_file(const std::string& path, std::size_t max_bytes = 4096);

// Python's ValueError text for content that is not a number:
// "invalid literal for int() with base 10: '...'" (CPython cuts the repr at 200 characters).
std::string python_int_error(std::string_view content);

}  // namespace promise
