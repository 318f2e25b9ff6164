// check_error_on_zope_longrequest_log: how many long requests did Zope's long-request logger
// dump lately? Options, counting rule and messages as the SlapOS toolbox plugin of the same
// name (log-file, error-threshold, maximum-delay): the last 40960 bytes only, newest line
// first; every "YYYY-MM-DD HH:MM:SS,mmm - Word ..." line is one long request.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>

#include "promise/error_logs.hpp"
#include "promise/main.hpp"
#include "promise/path_option.hpp"

namespace {

constexpr std::size_t kWindowBytes = 40960;

struct Options {
  std::string log_file;
  double error_threshold = 0;
  double maximum_delay = 0;
};

// A number as Python's float() reads it (white space around it allowed), or as a profile
// renders one with dumps() (20, 20.0). empty_is_zero: the plugin treats '' as no limit.
CLI::Validator number(const char* name, bool empty_is_zero) {
  return CLI::Validator(
      [name, empty_is_zero](std::string& value) -> std::string {
        std::string_view text(value);
        while (!text.empty() && std::strchr(" \t\n\r\f\v", text.front()) != nullptr) {
          text.remove_prefix(1);
        }
        while (!text.empty() && std::strchr(" \t\n\r\f\v", text.back()) != nullptr) {
          text.remove_suffix(1);
        }
        if (text.empty() && empty_is_zero) {
          value = "0";
          return {};
        }
        if (!text.empty() && text.front() == '+') text.remove_prefix(1);
        double number = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
            !std::isfinite(number)) {
          return std::string(name) + " is not a number: " + promise::python_repr(value);
        }
        value = std::string(text);
        return {};
      },
      "NUMBER");
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--log-file,--log_file", options.log_file,
                 "Zope's long-request log; only its last 40960 bytes are read")
      ->check(promise::non_empty_path("FILE"))
      ->required();
  app.add_option("--error-threshold,--error_threshold", options.error_threshold,
                 "Fail when more long requests than this are in the window (a number: 20, 20.0)")
      ->transform(number("error-threshold", false))
      ->required();
  app.add_option("--maximum-delay,--maximum_delay", options.maximum_delay,
                 "Count only requests logged in the last this many seconds (fractions allowed; "
                 "0 or empty: no limit)")
      ->transform(number("maximum-delay", true))
      ->capture_default_str();
  app.footer(
      "SlapOS plugin rule: checked every 10 minutes (--frequency 10), test 1 of 1 failure, "
      "anomaly 3 of 3 (--result-count 3 --failure-amount 3) with bang.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  context.phase("reading the end of the log");
  const promise::LogWindow window = promise::read_log_window(options.log_file, kWindowBytes);
  if (window.error == ENOENT) {
    return promise::Outcome::ok("log file does not exist: log check skipped");
  }
  if (window.error != 0) {
    return promise::Outcome::unknown(
        "cannot read " + promise::python_repr(options.log_file) + ": " +
        (window.error == EISDIR   ? std::string("it is a directory")
         : window.error == ESPIPE ? std::string("it is not a regular file")
                                  : std::strerror(window.error)));
  }
  const long long requests =
      promise::count_zope_long_requests(window.text, std::time(nullptr), options.maximum_delay);
  const std::string message = "Site has " + std::to_string(requests) + " long request";
  promise::Outcome outcome =
      static_cast<double>(requests) > options.error_threshold
          ? promise::Outcome::critical(message + " (threshold " +
                                       promise::shortest_number(options.error_threshold) + ")")
          : promise::Outcome::ok(message);
  return outcome.metric("long_requests", static_cast<double>(requests));
}

}  // namespace

PROMISE_MAIN("check_error_on_zope_longrequest_log",
             "Check how many long requests Zope's long-request log holds lately", declare, check)
