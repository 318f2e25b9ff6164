// check_parameter: does a value (rendered by buildout into the promise) hold what is expected?
// Options as the slapos.cookbook recipe check_parameter, whose generated Python script this
// replaces: --value, then --expected-value and/or --expected-not-value, or --expected-type.
#include "promise/main.hpp"

#include <arpa/inet.h>

namespace {

struct Options {
  std::string value;
  std::string expected_value;
  std::string expected_not_value;
  std::string expected_type;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--value", options.value, "The value to check (may be empty: --value '')")
      ->required();
  auto* expected = app.add_option("--expected-value,--expected_value", options.expected_value,
                                  "The value must be exactly this (empty: no such check)");
  auto* not_expected =
      app.add_option("--expected-not-value,--expected_not_value", options.expected_not_value,
                     "The value must not be this (empty: no such check)");
  app.add_option("--expected-type,--expected_type", options.expected_type,
                 "The value must be an IP address of this family: ipv4 or ipv6")
      ->check(CLI::IsMember({"ipv4", "ipv6"}))
      ->excludes(expected)
      ->excludes(not_expected);
  app.footer(
      "Replaces the script the cookbook recipe writes to bin/ and a check_command_execute "
      "promise runs (SlapOS plugin rule: checked every 2 minutes, 1 of 1 failure, with bang): "
      "install this directly in etc/promise/. The recipe's script exits 127 on failure; this "
      "exits 2 (CRITICAL).");
}

promise::Outcome check_address(const Options& options) {
  const bool v6 = options.expected_type == "ipv6";
  unsigned char address[16];
  const std::string family = v6 ? "IPv6" : "IPv4";
  const std::string shown = promise::python_repr(options.value);
  if (inet_pton(v6 ? AF_INET6 : AF_INET, options.value.c_str(), address) != 1) {
    return promise::Outcome::critical("FAIL: " + shown + " is not a valid " + family + " address");
  }
  return promise::Outcome::ok(shown + " is a valid " + family + " address");
}

promise::Outcome check(const Options& options, const promise::Context&) {
  if (!options.expected_type.empty()) return check_address(options);
  // The recipe's rules, in its order; its messages print the values as they are (%s).
  if (!options.expected_value.empty() && options.value != options.expected_value) {
    return promise::Outcome::critical("FAIL: " + options.value + " != " + options.expected_value);
  }
  if (!options.expected_not_value.empty() && options.value == options.expected_not_value) {
    return promise::Outcome::critical("FAIL: " + options.value +
                                      " == " + options.expected_not_value);
  }
  const std::string shown = promise::python_repr(options.value);
  std::string held;  // what held, for the OK line
  if (!options.expected_value.empty())
    held = shown + " == " + promise::python_repr(options.expected_value);
  if (!options.expected_not_value.empty()) {
    held += (held.empty() ? "" : ", ") + shown +
            " != " + promise::python_repr(options.expected_not_value);
  }
  if (held.empty()) {
    return promise::Outcome::ok(shown +
                                ": nothing to check (no --expected-value, --expected-not-value or "
                                "--expected-type, as the recipe allows)");
  }
  return promise::Outcome::ok(held);
}

}  // namespace

PROMISE_MAIN("check_parameter",
             "Check that a value equals, differs from, or is an IP address as expected", declare,
             check)
