#pragma once
// Text helpers for output that must stay one line of valid UTF-8, whatever peers send.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace promise {

// Text that came from a peer or a file: control bytes, invalid UTF-8, backslash and '|'
// (which would fake Nagios perfdata) are escaped as \xNN; longer than max_bytes is cut with a
// note of how much was cut. The result is safe to embed in a status line.
std::string untrusted(std::string_view text, std::size_t max_bytes = 200);

// Our own message made safe for the status line: control bytes and invalid UTF-8 escaped,
// then cut to max_bytes (on a UTF-8 boundary) with a note of how much was cut.
std::string one_line(std::string_view text, std::size_t max_bytes);

// "0.2 ms", "12 ms", "1.5 s": durations the way an operator reads them.
std::string human_duration(std::chrono::steady_clock::duration duration);
std::string human_seconds(double seconds);

// "[::1]" -> "::1"; any other text unchanged.
std::string strip_ipv6_brackets(std::string host);

// "::1", 8080 -> "[::1]:8080"; "example.org", 80 -> "example.org:80".
std::string host_port(const std::string& host, int port);

// "Connection refused" -> "connection refused": error texts read as part of a sentence
// (acronyms such as "SSL" keep their case).
std::string lower_first(std::string text);

// Python's repr() of a str, for messages that keep a SlapOS plugin's %r wording: single quotes,
// or double quotes when the text holds ' and no "; backslash, the quote, \t \n \r escaped;
// other non-printable characters as \xNN, \uNNNN, \UNNNNNNNN. Bytes that are not UTF-8 show
// as Python shows a file name holding them (surrogateescape): \udcNN. Unassigned code points
// are kept as they are (Python escapes them; this needs no Unicode tables).
std::string python_repr(std::string_view text);

// Replaces every occurrence of needle in text with "***".
void mask_in_place(std::string& text, std::string_view needle);

}  // namespace promise
