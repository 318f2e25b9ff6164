#pragma once
// The last lines of a file, read backwards from its end in blocks and never more than a given
// number of bytes, so that a multi-gigabyte log costs what its tail costs. For log promises
// (monitor_bootstrap_status's supervisord log, the HTTP and Zope log checks).
//
// - A line ends at '\n'; a final line without '\n' is a line; the '\n' that ends the file does
//   not start an empty line. Lines are returned as bytes, without their '\n' (a "\r" before it
//   is kept): decoding and escaping are the caller's (promise::untrusted_tail).
// - At most max_bytes are read from the end. If the window starts inside a line, that line is
//   returned as far as it was read and first_line_cut says so; bytes_before_window counts what
//   lies before the window (or before the first line returned).
// - The size is taken once, at open: what is appended meanwhile is not read.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace promise {

struct FileTail {
  int error = 0;  // errno when the file could not be opened or read (EISDIR: a directory);
                  // then nothing else is set
  std::vector<std::string> lines;  // at most max_lines, oldest first
  bool first_line_cut = false;     // the oldest line began before the bytes read
  std::uint64_t file_size = 0;
  std::uint64_t bytes_before = 0;  // bytes of the file before the first line returned
};

FileTail read_tail(const std::string& path, std::size_t max_lines, std::size_t max_bytes);

}  // namespace promise
