// RFC 2822 dates as Python's email.utils reads them: see promise/email_date.hpp.
#include "promise/email_date.hpp"

#include <array>
#include <string>
#include <vector>

#include "promise/python_str.hpp"

namespace promise {
namespace {

constexpr std::array<std::string_view, 24> kMonthNames = {
    "jan", "feb",  "mar",  "apr",    "may",       "jun",      "jul",      "aug",
    "sep", "oct",  "nov",  "dec",    "january",   "february", "march",    "april",
    "may", "june", "july", "august", "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

struct Zone {
  std::string_view name;
  int hhmm;
};
constexpr std::array<Zone, 14> kZones = {{{"UT", 0},
                                          {"UTC", 0},
                                          {"GMT", 0},
                                          {"Z", 0},
                                          {"AST", -400},
                                          {"ADT", -300},
                                          {"EST", -500},
                                          {"EDT", -400},
                                          {"CST", -600},
                                          {"CDT", -500},
                                          {"MST", -700},
                                          {"MDT", -600},
                                          {"PST", -800},
                                          {"PDT", -700}}};

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::vector<std::string_view> split_on(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool leap(long long year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(long long year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to year-month-day (proleptic Gregorian; H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

}  // namespace

std::optional<EmailDate> parse_email_date(std::string_view text) {
  std::vector<std::string_view> data = python_split(text);
  if (data.empty()) return std::nullopt;
  // A day name (with or without its comma) is skipped; "Wed,02" keeps what follows the comma.
  const std::string first = ascii_lower(data[0]);
  bool day_name = false;
  for (auto name : kDayNames) day_name = day_name || first == name;
  if (data[0].back() == ',' || day_name) {
    data.erase(data.begin());
  } else if (const auto comma = data[0].rfind(','); comma != std::string_view::npos) {
    data[0] = data[0].substr(comma + 1);
  }
  std::vector<std::string_view> rfc850;
  if (data.size() == 3) {  // RFC 850: 02-Dec-26 00:17:41 GMT
    rfc850 = split_on(data[0], '-');
    if (rfc850.size() == 3) {
      rfc850.insert(rfc850.end(), data.begin() + 1, data.end());
      data = rfc850;
    }
  }
  if (data.size() == 4) {
    const std::string_view last = data[3];
    auto sign = last.find('+');
    if (sign == std::string_view::npos) sign = last.find('-');
    if (sign != std::string_view::npos && sign > 0) {
      data[3] = last.substr(0, sign);
      data.push_back(last.substr(sign));
    } else {
      data.push_back({});
    }
  }
  if (data.size() < 5) return std::nullopt;
  std::string_view dd = data[0], mm = data[1], yy = data[2], tm = data[3], tz = data[4];
  if (dd.empty() || mm.empty() || yy.empty()) return std::nullopt;
  const auto month_index = [](std::string_view name) {
    const std::string lowered = ascii_lower(name);
    for (std::size_t i = 0; i < kMonthNames.size(); ++i) {
      if (kMonthNames[i] == lowered) return static_cast<int>(i % 12) + 1;
    }
    return 0;
  };
  int month = month_index(mm);
  if (month == 0) {
    std::swap(dd, mm);
    month = month_index(mm);
    if (month == 0) return std::nullopt;
  }
  if (dd.back() == ',') dd.remove_suffix(1);
  if (const auto colon = yy.find(':'); colon != std::string_view::npos && colon > 0) {
    std::swap(yy, tm);
  }
  if (yy.back() == ',') {
    yy.remove_suffix(1);
    if (yy.empty()) return std::nullopt;
  }
  if (!(yy.front() >= '0' && yy.front() <= '9')) std::swap(yy, tz);
  if (!tm.empty() && tm.back() == ',') tm.remove_suffix(1);
  std::vector<std::string_view> time = split_on(tm, ':');
  std::string_view hh, mi, ss = "0";
  if (time.size() == 2) {
    hh = time[0];
    mi = time[1];
  } else if (time.size() == 3) {
    hh = time[0];
    mi = time[1];
    ss = time[2];
  } else if (time.size() == 1 && tm.find('.') != std::string_view::npos) {
    time = split_on(tm, '.');
    if (time.size() < 2 || time.size() > 3) return std::nullopt;
    hh = time[0];
    mi = time[1];
    if (time.size() == 3) ss = time[2];
  } else {
    return std::nullopt;
  }
  const auto year = python_int(yy), day = python_int(dd), hour = python_int(hh),
             minute = python_int(mi), second = python_int(ss);
  if (!year || !day || !hour || !minute || !second) return std::nullopt;
  long long full_year = *year;
  if (full_year < 100) full_year += full_year > 68 ? 1900 : 2000;
  if (full_year < 1 || full_year > 9999) return std::nullopt;
  if (*day < 1 || *day > days_in_month(full_year, month)) return std::nullopt;
  if (*hour < 0 || *hour > 23 || *minute < 0 || *minute > 59 || *second < 0 || *second > 61) {
    return std::nullopt;
  }
  EmailDate date{static_cast<int>(full_year),
                 month,
                 static_cast<int>(*day),
                 static_cast<int>(*hour),
                 static_cast<int>(*minute),
                 static_cast<int>(*second),
                 std::nullopt};
  const std::string zone = upper(tz);
  std::optional<long long> hhmm;
  for (const auto& known : kZones) {
    if (known.name == zone) hhmm = known.hhmm;
  }
  if (!hhmm) {
    hhmm = python_int(zone);
    if (hhmm && *hhmm == 0 && !zone.empty() && zone.front() == '-') hhmm.reset();  // -0000
  }
  if (hhmm && *hhmm != 0) {
    const long long magnitude = *hhmm < 0 ? -*hhmm : *hhmm;
    const long long seconds = (magnitude / 100) * 3600 + (magnitude % 100) * 60;
    if (seconds > 7 * 24 * 3600) return std::nullopt;  // no zone is a week away
    date.offset_seconds = static_cast<int>(*hhmm < 0 ? -seconds : seconds);
  } else if (hhmm) {
    date.offset_seconds = 0;
  }
  return date;
}

std::int64_t email_date_to_unix(const EmailDate& date) {
  const std::int64_t days = days_from_civil(date.year, static_cast<unsigned>(date.month),
                                            static_cast<unsigned>(date.day));
  const std::int64_t seconds = days * 86400 + date.hour * 3600 + date.minute * 60 + date.second;
  return seconds - date.offset_seconds.value_or(0);
}

}  // namespace promise
