// promise_system's error_logs (check_error_on_http_log, check_error_on_zope_longrequest_log):
// whatever the end of a log holds, the lines, dates and counts are consistent and the one
// error text is printable.
//
// Input: 1 byte chooses the check, 4 bytes "now", 2 bytes the age limit, then the log text.
#include <cstring>

#include "fuzz.hpp"
#include "promise/error_logs.hpp"

namespace {

using promise::fuzz::Input;

void lines(std::string_view text) {
  std::size_t bytes = 0;
  const auto found = promise::split_lines(text);
  for (const auto line : found) {
    FUZZ_CHECK(line.find_first_of("\n\r\v\f\x1c\x1d\x1e") == std::string_view::npos);
    bytes += line.size() + 1;
  }
  FUZZ_CHECK(bytes <= text.size() + 1);
  FUZZ_CHECK(found.empty() == text.empty());
}

// A date that parsed prints back, in the other format, to the same fields.
void dates(std::string_view text) {
  if (const auto tm = promise::parse_http_log_date(text)) {
    FUZZ_CHECK(tm->tm_mon >= 0 && tm->tm_mon < 12 && tm->tm_mday >= 1 && tm->tm_mday <= 31);
    FUZZ_CHECK(tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec <= 61);
    char again[64];
    std::snprintf(again, sizeof again, "%04d-%02d-%02d %02d:%02d:%02d", tm->tm_year + 1900,
                  tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec);
    const auto zope = promise::parse_zope_log_date(again);
    FUZZ_CHECK(zope && zope->tm_year == tm->tm_year && zope->tm_mon == tm->tm_mon &&
                   zope->tm_mday == tm->tm_mday && zope->tm_sec == tm->tm_sec,
               again);
  }
  (void)promise::parse_zope_log_date(text);
}

void scans(std::string_view text, std::time_t now, unsigned delay) {
  const std::size_t line_count = promise::split_lines(text).size();
  for (const bool module_levels : {false, true}) {
    const auto found = promise::count_http_log_errors(text, now, delay, module_levels);
    FUZZ_CHECK(found.errors >= 0 && static_cast<std::size_t>(found.errors) <= line_count);
    FUZZ_CHECK(found.no_route + found.unreachable + found.timeout <= found.errors);
    if (!found.date_error.empty()) {
      FUZZ_CHECK(promise::fuzz::printable_utf8(found.date_error), found.date_error);
    }
  }
  const long long requests = promise::count_zope_long_requests(text, now, delay);
  FUZZ_CHECK(requests >= 0 && static_cast<std::size_t>(requests) <= line_count);
  // A limit can only stop the scan earlier.
  FUZZ_CHECK(requests <= promise::count_zope_long_requests(text, now, 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  const unsigned which = input.byte() % 3;
  const auto now = static_cast<std::time_t>(input.number(4)) + 1000000000;
  const auto delay = static_cast<unsigned>(input.number(2));
  const std::string_view text = input.rest();
  if (which == 0) lines(text);
  if (which == 1) dates(text);
  if (which == 2) scans(text, now, delay);
  return 0;
}
