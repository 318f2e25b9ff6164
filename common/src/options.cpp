#include "promise/options.hpp"

#include "internal.hpp"
#include "promise/fields.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
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

namespace {

constexpr std::size_t kMaxHostNameBytes = 253;  // RFC 1035: 255 on the wire, 253 as text
constexpr std::size_t kMaxLabelBytes = 63;
constexpr std::size_t kMaxZoneBytes = IFNAMSIZ - 1;  // an interface name, or its index
// sun_path: a path and its NUL, or a NUL and an abstract name.
constexpr std::size_t kMaxUnixPathBytes = sizeof(sockaddr_un::sun_path) - 1;
constexpr std::size_t kMaxAbstractNameBytes = sizeof(sockaddr_un::sun_path) - 1;

// An interface name as Linux takes it (dev_valid_name): no '/', ':' or white space.
bool valid_zone(std::string_view zone) {
  if (zone.empty() || zone.size() > kMaxZoneBytes || zone == "." || zone == "..") return false;
  return std::none_of(zone.begin(), zone.end(), [](char c) {
    return c == '/' || c == ':' || c == '%' || std::isspace(static_cast<unsigned char>(c));
  });
}

}  // namespace

std::string ipv6_literal_problem(std::string_view text) {
  const auto percent = text.find('%');
  const std::string address(text.substr(0, percent));
  in6_addr parsed{};
  if (::inet_pton(AF_INET6, address.c_str(), &parsed) != 1) {
    return percent == std::string_view::npos
               ? "is not a valid IPv6 address"
               : "is not an IPv6 address with a zone (as fe80::1%eth0)";
  }
  if (percent != std::string_view::npos && !valid_zone(text.substr(percent + 1))) {
    return "has no valid zone after its '%' (an interface name or index, at most " +
           std::to_string(kMaxZoneBytes) + " bytes, as in fe80::1%eth0)";
  }
  return {};
}

std::string host_name_problem(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // fully qualified: "db.org."
  if (name.size() > kMaxHostNameBytes) {
    return "is longer than a host name can be (" + std::to_string(kMaxHostNameBytes) + " bytes)";
  }
  for (std::size_t start = 0;;) {
    const auto dot = name.find('.', start);
    const std::size_t length = (dot == std::string_view::npos ? name.size() : dot) - start;
    if (length == 0) return "has an empty label (two dots, or a dot first)";
    if (length > kMaxLabelBytes) {
      return "has a label longer than " + std::to_string(kMaxLabelBytes) + " bytes";
    }
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
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
            return quoted_value(value) + " is not a host name or IP address";
          }
        }
        const bool literal = bracketed || host.find_first_of(":%") != std::string::npos;
        const std::string problem = literal ? ipv6_literal_problem(host) : host_name_problem(host);
        if (!problem.empty()) return quoted_value(value) + " " + problem;
        value = host;  // normalised once: IPv6 without brackets
        return {};
      },
      "HOST", "host");
  return validator;
}

namespace {
std::string socket_name_problem(const std::string& value, std::size_t max_bytes, const char* what) {
  if (value.empty()) return std::string("empty ") + what;
  if (value.size() > max_bytes) {
    return quoted_value(value) + " is " + std::to_string(value.size()) +
           " bytes, longer than a UNIX socket " + what + " can be (" + std::to_string(max_bytes) +
           " bytes)";
  }
  return {};
}
}  // namespace

const CLI::Validator& unix_socket_path() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        if (value.find('\0') != std::string::npos) {
          return quoted_value(value) + " holds a NUL byte, which ends a path";
        }
        return socket_name_problem(value, kMaxUnixPathBytes, "path");
      },
      "PATH", "unix_socket_path");
  return validator;
}

const CLI::Validator& abstract_socket_name() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        return socket_name_problem(value, kMaxAbstractNameBytes, "name");
      },
      "NAME", "abstract_socket_name");
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

CLI::Validator number_in(double min, double max, std::string what, std::string type) {
  return CLI::Validator(
      [min, max, what = std::move(what)](std::string& value) -> std::string {
        double number = 0;
        if (!parse_whole(std::string_view(value), number) || !std::isfinite(number) ||
            number < min || number > max) {
          return "'" + value + "' is not " + what;
        }
        return {};
      },
      std::move(type));
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

bool beyond_a_flag_count(std::string_view value) {
  // CLI11 2.1 reads a flag's value with std::stoll (a count, or the negation of --no-NAME=V)
  // and lets its out_of_range escape: the promise would abort without a line. stoll is strtoll.
  const std::string text(value);
  errno = 0;
  (void)std::strtoll(text.c_str(), nullptr, 10);
  return errno == ERANGE;
}

bool is_boolean_flag(const CLI::App& app, const CLI::Option& option) {
  // add_flag on a bool: no value, the last one wins (a counting flag such as -v sums them).
  return option.get_expected_max() == 0 &&
         option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeLast &&
         &option != app.get_help_ptr() && &option != app.get_help_all_ptr() &&
         !option.check_lname("version");
}

void settle_value_syntax(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (is_boolean_flag(app, *option)) option->transform(boolean_value());
    // One value per occurrence, as curl's, a repeatable option (a vector) too: CLI11 would
    // take the words after it as more values, and split a value written "[a,b]" at its commas.
    if (option->nonpositional()) option->allow_extra_args(false);
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
  // A flag's value CLI11 would read with std::stoll and overflow, wherever it stands, after
  // "--" too: CLI11 took a "--" into a bracketed vector value and parsed what followed as
  // options (settle_value_syntax ends bracketed values; this stays as the last line of defence).
  auto refuse_beyond_a_count = [&](std::string_view token, const CLI::Option* option) {
    const auto equals = token.find('=');
    if (option == nullptr || option->get_expected_max() != 0 || equals == std::string_view::npos ||
        !beyond_a_flag_count(token.substr(equals + 1))) {
      return;
    }
    const std::string_view value = token.substr(equals + 1);
    throw CLI::ValidationError(option->get_name(), is_boolean_flag(app, *option)
                                                       ? not_a_boolean(value)
                                                       : quoted_value(value) + " is out of range");
  };
  std::vector<std::string> arguments;
  arguments.reserve(static_cast<std::size_t>(argc));
  for (int i = 1; i < argc; ++i) {
    const std::string_view token = argv[i];
    if (token == "--") {
      for (int k = i + 1; k < argc; ++k) {
        const std::string_view rest = argv[k];
        refuse_beyond_a_count(rest, option_named(rest.substr(0, rest.find('='))));
      }
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
      if (value.empty() || beyond_a_flag_count(value)) {
        throw CLI::ValidationError(option->get_name(), not_a_boolean(value));
      }
      arguments.push_back(std::string(token.substr(0, equals)) + "=" + std::string(value));
      continue;
    }
    refuse_beyond_a_count(token, option);
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
