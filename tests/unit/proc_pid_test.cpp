#include "promise/proc_pid.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace promise {
namespace {

constexpr const char* kSleep =
    "4242 (sleep) S 4200 4242 4200 34816 4242 4194304 93 0 0 0 0 0 0 0 20 0 1 0 123456789 "
    "5648384 128 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

TEST(ProcStat, ParsesTheFieldsWeUse) {
  const auto stat = parse_proc_stat(kSleep);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->comm, "sleep");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->parent, 4200);
  EXPECT_EQ(stat->group, 4242);
  EXPECT_EQ(stat->start_time, 123456789u);
}

TEST(ProcStat, ANameWithSpacesAndParenthesesDoesNotShiftTheFields) {
  const auto stat = parse_proc_stat(
      "7 (a) Z 9 (x) y) Z 1 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0 "
      "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->comm, "a) Z 9 (x) y");
  EXPECT_EQ(stat->state, 'Z');
  EXPECT_EQ(stat->parent, 1);
  EXPECT_EQ(stat->start_time, 555u);
}

TEST(ProcStat, RefusesWhatIsNotAStatLine) {
  const std::string line = kSleep;
  for (std::size_t cut : {0u, 3u, 10u, 20u, 60u, 74u}) {
    EXPECT_FALSE(parse_proc_stat(line.substr(0, cut))) << cut;
  }
  EXPECT_FALSE(parse_proc_stat("garbage"));
  EXPECT_FALSE(parse_proc_stat("12 sleep S 1 1"));
  EXPECT_FALSE(parse_proc_stat("x (sleep) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
  EXPECT_FALSE(parse_proc_stat("-3 (sleep) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
  EXPECT_FALSE(parse_proc_stat("12 (sleep) SS 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
  EXPECT_FALSE(parse_proc_stat("12 (sleep) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 x"));
  // A start time beyond 64 bits, a pid beyond pid_t.
  EXPECT_FALSE(
      parse_proc_stat("12 (sleep) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 99999999999999999999999"));
  EXPECT_FALSE(parse_proc_stat("99999999999 (sleep) S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
  EXPECT_FALSE(parse_proc_stat(")( S 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
}

TEST(Cmdline, SplitsOnNul) {
  using Args = std::vector<std::string>;
  EXPECT_EQ(parse_cmdline(std::string("python3\0-c\0\0x y\0", 16)),
            (Args{"python3", "-c", "", "x y"}));
  EXPECT_EQ(parse_cmdline("rewritten title no nul"), (Args{"rewritten title no nul"}));
  EXPECT_TRUE(parse_cmdline("").empty());
  EXPECT_EQ(parse_cmdline(std::string("\0", 1)), (Args{}));
}

TEST(ProcPid, ReadsOurselves) {
  const auto stat = read_proc_stat(::getpid());
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, ::getpid());
  EXPECT_EQ(stat->parent, ::getppid());
  EXPECT_GT(stat->start_time, 0u);
  const auto argv = read_proc_cmdline(::getpid());
  ASSERT_TRUE(argv);
  ASSERT_FALSE(argv->empty());
  EXPECT_NE(argv->front().find("system_parser_tests"), std::string::npos);
  EXPECT_EQ(read_proc_cmdline(::getpid(), 4)->front().size(), 4u);  // bounded
}

TEST(ProcPid, NoSuchProcess) {
  EXPECT_FALSE(read_proc_stat(0));
  EXPECT_FALSE(read_proc_stat(-1));
  EXPECT_FALSE(read_proc_stat(2147483647));
  EXPECT_FALSE(read_proc_cmdline(2147483647));
}

}  // namespace
}  // namespace promise
