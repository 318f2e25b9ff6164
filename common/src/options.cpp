#include "promise/options.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

namespace promise {

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

const CLI::Validator& positive_seconds() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        double seconds = 0;
        const auto* end = value.data() + value.size();
        auto [ptr, ec] = std::from_chars(value.data(), end, seconds);
        if (value.empty() || ec != std::errc() || ptr != end || !std::isfinite(seconds) ||
            seconds <= 0) {
          return "'" + value + "' is not a positive number of seconds";
        }
        if (seconds > 86400) return "'" + value + "' seconds is more than a day";
        return {};
      },
      "SECONDS", "seconds");
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

}  // namespace promise
