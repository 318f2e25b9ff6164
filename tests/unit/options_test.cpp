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

TEST(HostName, TakesZonesOnIpv6Literals) {
  std::string host;
  for (const char* scoped : {"fe80::1%eth0", "[fe80::1%eth0]", "fe80::1%2", "::1%lo"}) {
    EXPECT_TRUE(parse_one("--host", scoped, host, host_name(), true).ok) << scoped;
  }
  EXPECT_EQ(host, "::1%lo");
  for (const char* bad : {"fe80::1%", "fe80::1%a/b", "fe80::1%a b", "fe80::1%0123456789abcdef",
                          "127.0.0.1%lo", "db.example%eth0", "fe80::1%%eth0"}) {
    EXPECT_FALSE(parse_one("--host", bad, host, host_name(), true).ok) << bad;
  }
}

// RFC 1035: at most 253 bytes as text (one more for the root's dot), labels 1-63 bytes.
TEST(HostName, RefusesNamesThatCannotExist) {
  const std::string label63(63, 'a');
  const std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  ASSERT_EQ(name253.size(), 253u);
  std::string host;
  for (const std::string& good : {name253, name253 + ".", label63 + ".example", std::string("a")}) {
    EXPECT_TRUE(parse_one("--host", good, host, host_name(), true).ok) << good;
  }
  for (const std::string& bad : {name253 + "b", label63 + "a.example", std::string("a..b"),
                                 std::string(".a"), std::string(".")}) {
    const auto parsed = parse_one("--host", bad, host, host_name(), true);
    EXPECT_FALSE(parsed.ok) << bad;
  }
  EXPECT_EQ(host_name_problem(name253 + "b"), "is longer than a host name can be (253 bytes)");
  EXPECT_EQ(host_name_problem(label63 + "a.org"), "has a label longer than 63 bytes");
}

// sun_path holds 108 bytes: a path and its NUL, or a NUL and an abstract name.
TEST(UnixSocketNames, FitASockaddrUn) {
  std::string value;
  EXPECT_TRUE(parse_one("--pathname", std::string(107, 'p'), value, unix_socket_path()).ok);
  EXPECT_FALSE(parse_one("--pathname", std::string(108, 'p'), value, unix_socket_path()).ok);
  EXPECT_FALSE(parse_one("--pathname", "", value, unix_socket_path()).ok);
  EXPECT_FALSE(parse_one("--pathname", std::string("a\0b", 3), value, unix_socket_path()).ok);
  EXPECT_TRUE(parse_one("--abstract", std::string(107, 'a'), value, abstract_socket_name()).ok);
  EXPECT_FALSE(parse_one("--abstract", std::string(108, 'a'), value, abstract_socket_name()).ok);
  EXPECT_FALSE(parse_one("--abstract", "", value, abstract_socket_name()).ok);
}

// Values are shown escaped in the reasons: a NUL or a newline cannot cut or fake them.
TEST(QuotedValue, EscapesWhatWouldCutTheMessage) {
  EXPECT_EQ(quoted_value(std::string("127.0.0.1\0evil", 14)), "'127.0.0.1\\x00evil'");
  std::string host;
  const auto parsed = parse_one("--host", std::string("a\0b", 3), host, host_name(), true);
  EXPECT_EQ(parsed.error, "--host: 'a\\x00b' is not a host name or IP address");
}

TEST(PositiveSeconds, RefusesZeroNegativeAndNonNumbers) {
  double seconds = 0;
  EXPECT_TRUE(parse_one("--timeout", "0.25", seconds, positive_seconds()).ok);
  EXPECT_DOUBLE_EQ(seconds, 0.25);
  for (const char* bad :
       {"0", "-1", "nan", "inf", "1e999", "abc", "", "100000", "2s", "1e-310", "0.0009"}) {
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
