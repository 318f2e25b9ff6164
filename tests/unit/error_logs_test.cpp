// promise_system error_logs: lines as str.splitlines cuts them, dates as time.strptime reads
// them in the C locale, and the two plugins' scans on hand-made windows.
#include "promise/error_logs.hpp"
#include "promise/local_time.hpp"

#include <gtest/gtest.h>

namespace promise {
namespace {

TEST(SplitLines, CutsAsPythonSplitlines) {
  using Lines = std::vector<std::string_view>;
  EXPECT_EQ(split_lines(""), Lines{});
  EXPECT_EQ(split_lines("a"), Lines{"a"});
  EXPECT_EQ(split_lines("a\n"), Lines{"a"});
  EXPECT_EQ(split_lines("a\n\nb"), (Lines{"a", "", "b"}));
  EXPECT_EQ(split_lines("a\r\nb\rc\vd\fe\x1c"
                        "f\x1dg\x1eh"),
            (Lines{"a", "b", "c", "d", "e", "f", "g", "h"}));
  EXPECT_EQ(split_lines("a\r\r\nb"), (Lines{"a", "", "b"}));
  EXPECT_EQ(split_lines(std::string_view("a\0b\tc", 5)), Lines{std::string_view("a\0b\tc", 5)});
}

TEST(HttpLogDate, ReadsBothApacheFormats) {
  for (const char* text :
       {"Wed Oct 11 14:32:52 2000", "wed OCT 11 14:32:52 2000", "Wed Oct  1 4:2:5 2000",
        "Wed Oct 11 14:32:52.123456 2000", "Wed Oct 11 14:32:52.1 2000", "Sun Feb 29 00:00:00 2000",
        "Wed Oct 11 23:59:61 2000", "Wed\tOct 11 14:32:52 2000", "Mon Oct 11 14:32:52 2000"}) {
    EXPECT_TRUE(parse_http_log_date(text)) << text;
  }
  const auto tm = parse_http_log_date("Wed Oct 11 14:32:52.5 2000");
  ASSERT_TRUE(tm);
  EXPECT_EQ(tm->tm_year, 100);
  EXPECT_EQ(tm->tm_mon, 9);
  EXPECT_EQ(tm->tm_mday, 11);
  EXPECT_EQ(tm->tm_hour, 14);
  EXPECT_EQ(tm->tm_sec, 52);
  EXPECT_EQ(tm->tm_isdst, -1);
}

TEST(HttpLogDate, RefusesWhatStrptimeRefuses) {
  for (const char* text : {"",
                           "Wed Oct 11 14:32:52",
                           "Wednesday Oct 11 14:32:52 2000",
                           "Wed Oct 32 14:32:52 2000",
                           "Wed Oct 0 14:32:52 2000",
                           "Wed Oct 11 24:00:00 2000",
                           "Wed Oct 11 14:60:00 2000",
                           "Wed Oct 11 14:32:62 2000",
                           "Wed Oct 11 14:32:52.1234567 2000",
                           "Wed Oct 11 14:32:52. 2000",
                           "Wed Oct 11 14:32:52 20000",
                           "Wed Oct 11 14:32:52 200",
                           "Wed Oct 11 14:32:52 2000 ",
                           " Wed Oct 11 14:32:52 2000",
                           "Wed Oct 111 14:32:52 2000",
                           "Wed Feb 30 14:32:52 2000",
                           "Wed Feb 29 14:32:52 1900",
                           "Wed Oct 11 14:32:52 0000",
                           "Wed Oct11 14:32:52 2000",
                           "Wed Oct 11 14-32-52 2000",
                           "Xyz Oct 11 14:32:52 2000"}) {
    EXPECT_FALSE(parse_http_log_date(text)) << text;
  }
}

TEST(ZopeLogDate, ReadsTheLoggersFormatOnly) {
  EXPECT_TRUE(parse_zope_log_date("2018-11-15 10:13:48"));
  EXPECT_TRUE(parse_zope_log_date("2018-1-5 1:3:8"));
  EXPECT_TRUE(parse_zope_log_date("2024-02-29 00:00:00"));
  for (const char* text : {"18-11-15 10:13:48", "2018-13-15 10:13:48", "2018-11-31 10:13:48",
                           "2023-02-29 00:00:00", "2018-11-15 24:13:48", "2018-11-15 10:13:48,1",
                           "2018-011-15 10:13:48", "2018-11-15T10:13:48"}) {
    EXPECT_FALSE(parse_zope_log_date(text)) << text;
  }
}

TEST(HttpLogErrors, NewestFirstUntilTheAgeLimit) {
  const std::time_t now = local_time(2026, 3, 1, 12, 0, 0);
  const std::string window =
      "cut line without a date] [error] x\n"
      "[Sun Mar 01 10:00:00 2026] [error] (113)No route to host\n"
      "[Sun Mar 01 11:59:00 2026] [error] (101)Network is unreachable\n"
      "[Sun Mar 01 11:59:30 2026] [ssl:error] (110)Connection timed out\n"
      "[Sun Mar 01 11:59:40 2026] [error]\n"     // no message: no match (needs ' ')
      "[Sun Mar 01 11:59:45 2026] [error] \n"    // empty message: counts
      "[Sun Mar 01 11:59:50 2026] [:error] x\n"  // no module: not an error level
      "[Sun Mar 01 11:59:55 2026] [ERROR] x\n";  // case matters
  auto found = count_http_log_errors(window, now, 0, true);
  EXPECT_EQ(found.errors, 4);
  EXPECT_EQ(found.no_route, 1);
  EXPECT_EQ(found.unreachable, 1);
  EXPECT_EQ(found.timeout, 1);
  EXPECT_EQ(found.date_error, "");
  found = count_http_log_errors(window, now, 0, false);  // Apache 2.2 only, as the plugin
  EXPECT_EQ(found.errors, 3);
  EXPECT_EQ(found.timeout, 0);
  found = count_http_log_errors(window, now, 3600, true);
  EXPECT_EQ(found.errors, 3);
  EXPECT_EQ(found.no_route, 0);
}

TEST(HttpLogErrors, TheFourthBadDateEndsTheScanWithThePluginsError) {
  const std::string bad = "[x] [error] a\n[y] [error] b\n[z] [error] c\n";
  auto found = count_http_log_errors("[Sun Mar 01 10:00:00 2026] [error] x\n" + bad, 0, 0, true);
  EXPECT_EQ(found.errors, 1);
  found = count_http_log_errors("[it's] [error] w\n" + bad, 0, 0, true);
  EXPECT_EQ(found.date_error, "time data \"it's\" does not match format '%a %b %d %H:%M:%S.%f %Y'");
}

TEST(ZopeLongRequests, EveryDumpLineCountsUntilTheAgeLimit) {
  const std::time_t now = local_time(2026, 3, 1, 12, 0, 0);
  const std::string window =
      "2026-03-01 10:00:00,001 - Thread 1: Started\n"
      "2026-03-01 11:59:00,001 - Thread 2: Started\n"
      "2026-03-01 11:59:10,001 - Dump_[x] Started\n"   // [A-z] takes _ [ ] too
      "2026-03-01 11:59:20,001 - Thread3: Started\n"   // the word must end with a space
      "2026-03-01 11:59:30 - Thread 4: Started\n"      // no milliseconds
      "2026-02-30 11:59:40,001 - Thread 5: Started\n"  // no such day: skipped
      "  File \"x.py\", line 1\n";
  EXPECT_EQ(count_zope_long_requests(window, now, 0), 3);
  EXPECT_EQ(count_zope_long_requests(window, now, 3600), 2);
  EXPECT_EQ(count_zope_long_requests(window, now, 0.5), 0);
}

}  // namespace
}  // namespace promise
