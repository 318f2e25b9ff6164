#pragma once
// Dates in RFC 2822 form ("Wed, 02 Dec 2026 00:17:41 -0000"), as surykatka writes them and as
// Python's email.utils.parsedate_tz reads them: the same tolerance (day name optional, day and
// month in either order, full month names, "hh:mm" or "hh.mm.ss", two-digit years: 69-99 are
// 19xx, 0-68 20xx, zone as +hhmm or one of UT UTC GMT Z EST EDT CST CDT MST MDT PST PDT AST ADT,
// unknown or absent zone: none). Stricter in one way: a date that does not exist (31 Feb,
// 25:00) or a year outside 1-9999 is not a date (Python's mktime would roll it over).
// No locale, no time zone database, no allocation but the split.

#include <cstdint>
#include <optional>
#include <string_view>

namespace promise {

struct EmailDate {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::optional<int> offset_seconds;  // east of UTC; nullopt: no zone (or "-0000")
};

std::optional<EmailDate> parse_email_date(std::string_view text);

// Seconds since 1970-01-01 00:00 UTC of the date, its zone applied (no zone: UTC).
std::int64_t email_date_to_unix(const EmailDate& date);

}  // namespace promise
