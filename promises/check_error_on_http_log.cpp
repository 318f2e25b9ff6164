// check_error_on_http_log: does the end of an Apache error log hold "[error]" lines?
// Options, counting rules and messages as the SlapOS toolbox plugin of the same name
// (log-file, maximum-delay): the last 4096 bytes only, newest line first, classified as
// NOROUTE, UNREACHABLENET and TIMEOUT. Apache 2.4's "[<module>:error]" counts too.
#include <cerrno>
#include <cstring>
#include <ctime>

#include "promise/error_logs.hpp"
#include "promise/main.hpp"
#include "promise/pid_file.hpp"

namespace {

constexpr std::size_t kWindowBytes = 4096;

struct Options {
  std::string log_file;
  long long maximum_delay = 0;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--log-file,--log_file", options.log_file,
                 "The Apache error log; only its last 4096 bytes are read")
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.empty() ? "log file was not set in promise parameters." : std::string();
          },
          "FILE"))
      ->required();
  app.add_option("--maximum-delay,--maximum_delay", options.maximum_delay,
                 "Ignore lines older than this many seconds (0: no limit; an integer as "
                 "Python's int() reads it)")
      ->transform(CLI::Validator(
          [](std::string& value) -> std::string {
            const auto seconds = promise::parse_python_int(value);
            if (!seconds || *seconds < 0) {
              return "maximum-delay is not a number of seconds: " + promise::python_repr(value);
            }
            value = std::to_string(*seconds);
            return {};
          },
          "SECONDS"))
      ->capture_default_str();
  // The plugin's rule is this promise's default: installed, an error in the log fails after 2 of
  // 2 checks 12 hours apart, never at the first deployment that sees it (the plugin is testless).
  promise::default_rule(app, {.frequency_minutes = 720, .result_count = 2, .failure_amount = 2});
  app.footer(
      "SlapOS plugin rule (this promise's default): checked every 720 minutes (--frequency 720, "
      "the plugin's "
      "frequency option), never at deployment (testless), anomaly 2 of 2 failures with bang "
      "(--result-count 2 --failure-amount 2) within 3 periods.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const std::string log = promise::python_repr(options.log_file);
  context.phase("reading the end of the log");
  const promise::LogWindow window = promise::read_log_window(options.log_file, kWindowBytes);
  if (window.error == ENOENT)
    return promise::Outcome::ok(log + " does not exist: nothing to check");
  if (window.error != 0) {
    return promise::Outcome::unknown("cannot read " + log + ": " +
                                     (window.error == EISDIR ? std::string("it is a directory")
                                      : window.error == ESPIPE
                                          ? std::string("it is not a regular file")
                                          : std::strerror(window.error)));
  }
  const promise::HttpLogErrors found = promise::count_http_log_errors(
      window.text, std::time(nullptr), options.maximum_delay, /*module_levels=*/true);
  if (!found.date_error.empty()) return promise::Outcome::unknown(found.date_error);
  promise::Outcome outcome =
      found.errors == 0
          ? promise::Outcome::ok("no error in the last " + std::to_string(kWindowBytes) +
                                 " bytes of " + log)
          : promise::Outcome::critical("ERROR=" + std::to_string(found.errors) +
                                       " (NOROUTE=" + std::to_string(found.no_route) +
                                       ", UNREACHABLENET=" + std::to_string(found.unreachable) +
                                       ", TIMEOUT=" + std::to_string(found.timeout) + ")");
  return outcome.metric("errors", static_cast<double>(found.errors))
      .metric("no_route", static_cast<double>(found.no_route))
      .metric("unreachable", static_cast<double>(found.unreachable))
      .metric("timeout", static_cast<double>(found.timeout));
}

}  // namespace

PROMISE_MAIN("check_error_on_http_log", "Check the end of an Apache error log for [error] lines",
             declare, check)
