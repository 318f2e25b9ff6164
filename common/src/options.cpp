#include "promise/options.hpp"

#include "internal.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

namespace promise {
namespace {
constexpr double kMinSeconds = 0.001;  // less cannot even start a check
constexpr double kMaxSeconds = 86400;
}  // namespace

std::string quoted_value(std::string_view value) {
  return "'" + untrusted(value) + "'";
}

const CLI::Validator& port_number() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        int port = 0;
        const auto* end = value.data() + value.size();
        auto [ptr, ec] = std::from_chars(value.data(), end, port);
        if (value.empty() || ec != std::errc() || ptr != end || port < 1 || port > 65535) {
          return "'" + value + "' is not a port number (1-65535)";
        }
        return {};
      },
      "PORT", "port");
  return validator;
}

const CLI::Validator& host_name() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        const bool bracketed = value.size() >= 2 && value.front() == '[' && value.back() == ']';
        std::string host = strip_ipv6_brackets(value);
        if (host.empty()) return "empty host";
        for (const char ch : host) {
          const auto c = static_cast<unsigned char>(ch);
          if (c <= 0x20 || c == 0x7F || c == '/' || c == '[' || c == ']') {
            return "'" + value + "' is not a host name or IP address";
          }
        }
        in6_addr address{};
        const bool ipv6 = inet_pton(AF_INET6, host.c_str(), &address) == 1;
        if ((bracketed || host.find(':') != std::string::npos) && !ipv6) {
          return "'" + value + "' is not a valid IPv6 address";
        }
        value = host;  // normalised once: IPv6 without brackets
        return {};
      },
      "HOST", "host");
  return validator;
}

std::optional<double> parse_seconds(std::string_view text) {
  double seconds = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(seconds) ||
      seconds < kMinSeconds || seconds > kMaxSeconds) {
    return std::nullopt;
  }
  return seconds;
}

const CLI::Validator& positive_seconds() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        if (parse_seconds(value)) return {};
        double seconds = 0;
        const auto* end = value.data() + value.size();
        auto [ptr, ec] = std::from_chars(value.data(), end, seconds);
        if (!value.empty() && ec == std::errc() && ptr == end && std::isfinite(seconds)) {
          if (seconds > kMaxSeconds) return quoted_value(value) + " seconds is more than a day";
          if (seconds > 0) return quoted_value(value) + " seconds is less than a millisecond";
        }
        return quoted_value(value) + " is not a positive number of seconds";
      },
      "SECONDS", "seconds");
  return validator;
}

const CLI::Validator& boolean_value() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        std::string word = value;
        for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (word == "1" || word == "true" || word == "yes") {
          value = "true";
        } else if (word == "0" || word == "false" || word == "no") {
          value = "false";
        } else {
          return detail::not_a_boolean(value);
        }
        return {};
      },
      "", "boolean");
  return validator;
}

const CLI::Validator& readable_file() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        if (value.empty()) return "empty file name";
        if (::access(value.c_str(), R_OK) != 0) {
          return "cannot read '" + value + "': " + std::strerror(errno);
        }
        return {};
      },
      "FILE", "readable_file");
  return validator;
}

namespace {
// The options declared secret in this process. CLI11 2.1 offers no tag on an option, and
// looking one up through a named validator throws for every other option: on every run.
// The name is kept with the address: an option of an app created after another one's end may
// get a secret option's old address.
std::vector<std::pair<const CLI::Option*, std::string>>& secret_options() {
  static std::vector<std::pair<const CLI::Option*, std::string>> options;
  return options;
}
}  // namespace

CLI::Option* secret(CLI::Option* option) {
  secret_options().emplace_back(option, option->get_name());
  return option;
}

bool is_secret(const CLI::Option* option) {
  const auto& options = secret_options();
  return std::any_of(options.begin(), options.end(), [&](const auto& entry) {
    return entry.first == option && entry.second == option->get_name();
  });
}

namespace detail {

std::string not_a_boolean(std::string_view value) {
  return quoted_value(value) + " is not a boolean: use 1 or 0, true or false, yes or no";
}

bool is_boolean_flag(const CLI::App& app, const CLI::Option& option) {
  // add_flag on a bool: no value, the last one wins (a counting flag such as -v sums them).
  return option.get_expected_max() == 0 &&
         option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeLast &&
         &option != app.get_help_ptr() && &option != app.get_help_all_ptr() &&
         !option.check_lname("version");
}

void accept_boolean_values(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (is_boolean_flag(app, *option)) option->transform(boolean_value());
  }
}

std::vector<std::string> arguments_for_parse(const CLI::App& app, int argc,
                                             const char* const* argv) {
  auto option_named = [&](std::string_view token) -> const CLI::Option* {
    const bool long_name = token.size() > 2 && token.substr(0, 2) == "--";
    const bool short_name = token.size() == 2 && token[0] == '-' && token[1] != '-';
    if (!long_name && !short_name) return nullptr;
    const std::string name(token.substr(long_name ? 2 : 1));
    for (const CLI::Option* option : app.get_options()) {
      if (long_name ? option->check_lname(name) : option->check_sname(name)) return option;
    }
    return nullptr;
  };
  std::vector<std::string> arguments;
  arguments.reserve(static_cast<std::size_t>(argc));
  for (int i = 1; i < argc; ++i) {
    const std::string_view token = argv[i];
    if (token == "--") {
      arguments.insert(arguments.end(), argv + i, argv + argc);
      break;
    }
    const auto equals = token.find('=');
    const CLI::Option* option = option_named(token.substr(0, equals));
    if (option != nullptr && is_boolean_flag(app, *option)) {
      std::string_view value;
      if (equals != std::string_view::npos) {
        value = token.substr(equals + 1);
      } else if (i + 1 < argc && argv[i + 1][0] != '-') {
        value = argv[++i];  // --flag V, as SlapOS's "config-flag = V" translates
      } else {
        arguments.emplace_back(token);  // --flag alone
        continue;
      }
      // CLI11 reads an empty value as the flag alone (true): refuse it here.
      if (value.empty()) throw CLI::ValidationError(option->get_name(), not_a_boolean(value));
      arguments.push_back(std::string(token.substr(0, equals)) + "=" + std::string(value));
      continue;
    }
    arguments.emplace_back(token);
    // The values of an option that takes some are never a flag's: copy them as they are.
    if (option != nullptr && equals == std::string_view::npos) {
      for (int k = 0; k < option->get_items_expected_min() && i + 1 < argc; ++k) {
        arguments.emplace_back(argv[++i]);
      }
    }
  }
  std::reverse(arguments.begin(), arguments.end());  // CLI11 parses from the back
  return arguments;
}

}  // namespace detail

}  // namespace promise
