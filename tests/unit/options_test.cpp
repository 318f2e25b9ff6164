#include "promise/options.hpp"

#include <gtest/gtest.h>

namespace promise {
namespace {

struct Parsed {
  bool ok;
  std::string error;
};

template <class T>
Parsed parse_one(const std::string& flag, const std::string& value, T& target,
                 const CLI::Validator& validator, bool transform = false) {
  CLI::App app;
  auto* option = app.add_option(flag, target);
  if (transform) {
    option->transform(validator);
  } else {
    option->check(validator);
  }
  std::vector<std::string> args = {value, flag};  // CLI11 parses a reversed vector
  try {
    app.parse(args);
    return {true, {}};
  } catch (const CLI::ParseError& error) {
    return {false, error.what()};
  }
}

TEST(PortNumber, AcceptsOneTo65535Only) {
  int port = 0;
  EXPECT_TRUE(parse_one("--port", "1", port, port_number()).ok);
  EXPECT_TRUE(parse_one("--port", "65535", port, port_number()).ok);
  EXPECT_EQ(port, 65535);
  for (const char* bad : {"0", "65536", "99999", "-1", "abc", "80x", "", " 80", "8.0"}) {
    const auto parsed = parse_one("--port", bad, port, port_number());
    EXPECT_FALSE(parsed.ok) << bad;
    EXPECT_EQ(parsed.error.rfind("--port: ", 0), 0u) << parsed.error;
  }
}

TEST(HostName, NormalisesIpv6BracketsOnce) {
  std::string host;
  EXPECT_TRUE(parse_one("--host", "[::1]", host, host_name(), true).ok);
  EXPECT_EQ(host, "::1");
  EXPECT_TRUE(parse_one("--host", "2001:db8::1", host, host_name(), true).ok);
  EXPECT_EQ(host, "2001:db8::1");
  EXPECT_TRUE(parse_one("--host", "db.example.org", host, host_name(), true).ok);
  EXPECT_EQ(host, "db.example.org");
  for (const char* bad : {"", "[]", "[db.example]", "[127.0.0.1]", "a b", "1:2:3", "x/y", "[::1"}) {
    EXPECT_FALSE(parse_one("--host", bad, host, host_name(), true).ok) << bad;
  }
}

TEST(PositiveSeconds, RefusesZeroNegativeAndNonNumbers) {
  double seconds = 0;
  EXPECT_TRUE(parse_one("--timeout", "0.25", seconds, positive_seconds()).ok);
  EXPECT_DOUBLE_EQ(seconds, 0.25);
  for (const char* bad : {"0", "-1", "nan", "inf", "1e999", "abc", "", "100000", "2s"}) {
    EXPECT_FALSE(parse_one("--timeout", bad, seconds, positive_seconds()).ok) << bad;
  }
}

TEST(Secret, TagsAnOptionWithoutChangingItsValue) {
  CLI::App app;
  std::string password, user;
  auto* secret_option = secret(app.add_option("--password", password));
  auto* plain_option = app.add_option("--user", user);
  app.parse(std::vector<std::string>{"s3cret", "--password"});
  EXPECT_EQ(password, "s3cret");
  EXPECT_TRUE(is_secret(secret_option));
  EXPECT_FALSE(is_secret(plain_option));
}

}  // namespace
}  // namespace promise
