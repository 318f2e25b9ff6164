#pragma once
// Text helpers for output that must stay one line of valid UTF-8, whatever peers send.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace promise {

// Text that came from a peer or a file: control bytes, invalid UTF-8, backslash and '|'
// (which would fake Nagios perfdata) are escaped as \xNN; longer than max_bytes is cut with a
// note of how much was cut. The result is safe to embed in a status line.
std::string untrusted(std::string_view text, std::size_t max_bytes = 200);

// The same for the output of a command or the end of a log, keeping the end of the text rather
// than its start (the last lines say why it failed). Line breaks, with the white space around
// them, are shown as " / "; white space at either end is dropped. bytes_before counts bytes
// that came before text and are already gone (a bounded reader kept only the tail); the note
// counts them as cut too: "... (N bytes cut) <tail>".
std::string untrusted_tail(std::string_view text, std::size_t max_bytes,
                           std::uint64_t bytes_before = 0);

// Python's repr() of a str, as SlapOS plugins print paths and commands with %r:
// 'text', or "text" when it holds ' and no ". Backslash, quote, \t \n \r and other
// non-printable characters escaped (\xNN, \uNNNN); bytes that are not UTF-8 shown as Python
// shows them after os.fsdecode (\udcNN). Non-printable is Python's rule for ASCII, Latin-1 and
// the usual format, separator and private-use characters; other code points are kept.
std::string python_repr(std::string_view text);

// Our own message made safe for the status line: control bytes and invalid UTF-8 escaped,
// then cut to max_bytes (on a UTF-8 boundary) with a note of how much was cut.
std::string one_line(std::string_view text, std::size_t max_bytes);

// A JSON string literal of text, quotes included, appended to out: '"' and '\\' escaped,
// \n \r \t \b \f by those letters, other control bytes and DEL as \u00XX. ascii_only (Python's
// json.dumps ensure_ascii): each character above U+007F as \uXXXX too (a surrogate pair above
// U+FFFF), and a byte that is not UTF-8 as the lone surrogate U+DCXX, as Python's
// surrogateescape hands a file name to json.dumps; else bytes above 0x7F are copied as they are.
void append_json_string(std::string& out, std::string_view text, bool ascii_only = false);
std::string json_string(std::string_view text);

// "0.2 ms", "12 ms", "1.5 s": durations the way an operator reads them.
std::string human_duration(std::chrono::steady_clock::duration duration);
std::string human_seconds(double seconds);

// A number as %.15g writes it: "20", "0.5", "1e+20" (thresholds and counts in messages).
std::string shortest_number(double value);

// "[::1]" -> "::1"; any other text unchanged.
std::string strip_ipv6_brackets(std::string host);

// "::1", 8080 -> "[::1]:8080"; "example.org", 80 -> "example.org:80".
std::string host_port(const std::string& host, int port);

// "Connection refused" -> "connection refused": error texts read as part of a sentence
// (acronyms such as "SSL" keep their case).
std::string lower_first(std::string text);

// Replaces every occurrence of needle in text with "***".
void mask_in_place(std::string& text, std::string_view needle);

// ---- secrets -------------------------------------------------------------------------------
// Values that must never be shown (passwords, tokens). Every line written after this call
// shows them as "***": untrusted() and one_line() mask before they escape or cut, so
// neither an escaped form nor a cut-off piece of a secret can get through.
void register_secret(std::string_view value);

// Registers the credentials an ordinary value carries: the password of each URL's user-info
// (as written and percent-decoded) and the value of a credential header
// ("Authorization: ...", "Proxy-Authorization: ...", "Cookie: ...").
void register_credentials_in(std::string_view value);

// Masks the registered secrets (as given, percent-decoded, escaped), the password of any
// URL's user-info ("http://u:***@host/") and the value of a credential header.
std::string mask_secrets(std::string text);

// Overwrites every registered secret in the NUL-terminated text with '*', in place and
// keeping its length: for argv, which ps and /proc/PID/cmdline show.
void blank_secrets(char* text);

}  // namespace promise
