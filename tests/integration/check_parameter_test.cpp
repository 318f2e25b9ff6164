// check_parameter: the cookbook recipe's comparisons and address checks, with the values a
// buildout can render (empty, spaces, quotes, bytes that are not UTF-8).
#include <gtest/gtest.h>

#include "bad_input.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

const std::string kParameter = binary("check_parameter");

ProcessResult check(std::vector<std::string> args) {
  return run_program(kParameter, std::move(args));
}

TEST(CheckParameter, EqualValuesHold) {
  expect_output(
      check({"--value", "https://a/software.cfg", "--expected-value", "https://a/software.cfg"}), 0,
      "OK: 'https://a/software.cfg' == 'https://a/software.cfg'");
}

TEST(CheckParameter, DifferentValuesFailWithTheRecipesWording) {
  expect_output(check({"--value", "https://a", "--expected-value", "https://b"}), 2,
                "CRITICAL: FAIL: https://a != https://b");
  expect_output(check({"--value", "", "--expected-value", "https://b"}), 2,
                "CRITICAL: FAIL:  != https://b");
}

TEST(CheckParameter, ForbiddenValueFails) {
  expect_output(check({"--value", "not-ready", "--expected-not-value", "not-ready"}), 2,
                "CRITICAL: FAIL: not-ready == not-ready");
  expect_output(check({"--value", "http://runner/", "--expected-not-value", "not-ready"}), 0,
                "OK: 'http://runner/' != 'not-ready'");
}

TEST(CheckParameter, BothRulesInTheRecipesOrder) {
  expect_output(check({"--value", "a", "--expected-value", "a", "--expected-not-value", "b"}), 0,
                "OK: 'a' == 'a', 'a' != 'b'");
  expect_output(check({"--value", "a", "--expected-value", "b", "--expected-not-value", "a"}), 2,
                "CRITICAL: FAIL: a != b");
}

TEST(CheckParameter, EmptyExpectationsCheckNothingAsInTheRecipe) {
  expect_output(check({"--value", "", "--expected-value", "", "--expected-not-value", ""}), 0,
                "OK: '': nothing to check (no --expected-value, --expected-not-value or "
                "--expected-type, as the recipe allows)");
}

TEST(CheckParameter, ValuesWithOddBytesStayOneLineOfUtf8) {
  const std::string odd = "a b\"c'\\d\te\xff|f";
  auto equal = check({"--value", odd, "--expected-value", odd});
  expect_line(equal, 0, "OK: ");
  EXPECT_EQ(equal.output, "OK: 'a b\"c\\'\\\\d\\te\\udcff|f' == 'a b\"c\\'\\\\d\\te\\udcff|f'\n");
  auto differ = check({"--value", odd + "\n", "--expected-value", odd});
  expect_line(differ, 2, "CRITICAL: FAIL: a b\"c'\\d\\x09e\\xff|f\\x0a != ");
}

TEST(CheckParameter, Ipv4Addresses) {
  expect_output(check({"--value", "192.0.2.1", "--expected-type", "ipv4"}), 0,
                "OK: '192.0.2.1' is a valid IPv4 address");
  for (const std::string bad : {"", "192.0.2", "192.0.2.256", "::1", " 192.0.2.1", "host"}) {
    expect_output(check({"--value", bad, "--expected-type", "ipv4"}), 2,
                  "CRITICAL: FAIL: '" + bad + "' is not a valid IPv4 address");
  }
}

TEST(CheckParameter, Ipv6Addresses) {
  expect_output(check({"--value", "2001:db8::1", "--expected-type", "ipv6"}), 0,
                "OK: '2001:db8::1' is a valid IPv6 address");
  expect_output(check({"--value", "::ffff:192.0.2.1", "--expected_type", "ipv6"}), 0,
                "OK: '::ffff:192.0.2.1' is a valid IPv6 address");
  for (const std::string bad : {"", "[::1]", "192.0.2.1", "fe80::1%eth0", "2001:db8:::1"}) {
    expect_output(check({"--value", bad, "--expected-type", "ipv6"}), 2,
                  "CRITICAL: FAIL: '" + bad + "' is not a valid IPv6 address");
  }
  expect_output(check({"--value", "\xff", "--expected-type", "ipv6"}), 2,
                "CRITICAL: FAIL: '\\udcff' is not a valid IPv6 address");
}

class CheckParameterInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckParameterInstall, InstalledPromiseRunsLikeSlapgridRunsIt) {
  Partition partition;
  ASSERT_EQ(partition
                .install(kParameter, "software-url", GetParam(),
                         {"--value", "https://a", "--expected-value", "https://b"})
                .exit_code,
            0);
  ASSERT_EQ(partition
                .install(kParameter, "empty-value", GetParam(),
                         {"--value", "", "--expected-not-value", "not-ready"})
                .exit_code,
            0);
  ASSERT_EQ(
      partition.install(kParameter, "ip", GetParam(), {"--value", "::1", "--expected-type", "ipv6"})
          .exit_code,
      0);
  expect_output(partition.run_like_slapgrid("software-url"), 2,
                "CRITICAL: FAIL: https://a != https://b");
  expect_output(partition.run_like_slapgrid("empty-value"), 0, "OK: '' != 'not-ready'");
  expect_output(partition.run_like_slapgrid("ip"), 0, "OK: '::1' is a valid IPv6 address");
}

INSTANTIATE_TEST_SUITE_P(Modes, CheckParameterInstall, ::testing::Values("script", "copy"));

class BadParameterInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadParameterInput, IsUnknownWithAOneLineReasonAndInstallsNothing) {
  expect_bad_input_refused(kParameter, GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    CheckParameter, BadParameterInput,
    ::testing::Values(
        BadInput{"NoValue", {"--expected-value", "x"}, "--value is required"},
        BadInput{"UnknownType", {"--value", "x", "--expected-type", "ipv5"}, "--expected-type"},
        BadInput{"TypeAndValue",
                 {"--value", "x", "--expected-type", "ipv4", "--expected-value", "x"},
                 "excludes"},
        BadInput{"TypeAndNotValue",
                 {"--value", "x", "--expected-type", "ipv6", "--expected-not-value", "y"},
                 "excludes"},
        BadInput{"ValueTwice", {"--value", "x", "--value", "y"}, "--value"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
