#pragma once
// The two log checks of the SlapOS toolbox, as their plugins read a log's tail
// (check_error_on_http_log, check_error_on_zope_longrequest_log). The caller reads the window
// (the last 4096 or 40960 bytes: read_log_window); these functions read the lines in it,
// newest first, with the plugins' rules. Times are local time, as time.mktime reads them.
//
// - Lines end at "\n", "\r", "\r\n", and at \v \f \x1c \x1d \x1e, as Python's str.splitlines.
// - Dates are read as Python's time.strptime reads them in the C locale: English day and
//   month abbreviations in any case, one or more spaces where the format has one, 1 or 2
//   digits for day, hour, minute and second, 4 for the year, 1 to 6 for the fraction, the day
//   valid for its month, nothing left over.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

// The last max_bytes of a log (all of it when smaller), as the plugins read it: a window that
// may start inside a line. Whatever the file's size, only the window is read (one pread).
// error is an errno (ENOENT: no log; EISDIR: a directory; ESPIPE: not a regular file).
struct LogWindow {
  int error = 0;
  std::string text;
  std::uint64_t file_size = 0;
};
LogWindow read_log_window(const std::string& path, std::size_t max_bytes);

// The lines of text, as Python's str.splitlines.
std::vector<std::string_view> split_lines(std::string_view text);

// A local time of the form "Wed Oct 11 14:32:52 2000" or "Wed Oct 11 14:32:52.123456 2000"
// (%a %b %d %H:%M:%S %Y, then %a %b %d %H:%M:%S.%f %Y), as a broken-down time for mktime.
std::optional<std::tm> parse_http_log_date(std::string_view text);
// "2018-11-15 10:13:48" (%Y-%m-%d %H:%M:%S).
std::optional<std::tm> parse_zope_log_date(std::string_view text);

// check_error_on_http_log: lines "[date] [level] message" (others are skipped), newest first.
// A line older than maximum_delay seconds (0: no limit) stops the scan. Only level "[error]"
// counts, and with module_levels "[<module>:error]" too (Apache 2.4: "[proxy:error]").
struct HttpLogErrors {
  long long errors = 0;
  long long no_route = 0;     // "(113)No route to host"
  long long unreachable = 0;  // "(101)Network is unreachable"
  long long timeout = 0;      // "(110)Connection timed out"
  // The 4th date that does not parse (3 are forgiven: the oldest line may be cut): the
  // plugin's ValueError text, and the scan stops.
  std::string date_error;
};
HttpLogErrors count_http_log_errors(std::string_view window, std::time_t now,
                                    long long maximum_delay, bool module_levels);

// check_error_on_zope_longrequest_log: every line "YYYY-MM-DD HH:MM:SS,mmm - Word rest" counts
// as one long request (lines whose date does not parse are skipped), newest first, until one
// older than maximum_delay seconds (0: no limit).
long long count_zope_long_requests(std::string_view window, std::time_t now, double maximum_delay);

}  // namespace promise
