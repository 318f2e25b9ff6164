#pragma once
// A local date and time as Python's time.mktime reads the struct_time of time.strptime: the
// daylight saving flag left for mktime to decide (tm_isdst -1).
#include <ctime>

namespace promise {

// month 1-12. No range check: the callers have checked the fields.
inline std::tm local_tm(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  return tm;
}

// The same as seconds since the epoch; -1 when mktime cannot represent it.
inline std::time_t local_time(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm = local_tm(year, month, day, hour, minute, second);
  return std::mktime(&tm);
}

}  // namespace promise
