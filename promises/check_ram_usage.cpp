// check_ram_usage: is there enough available memory, now and on average over a period?
// Options, messages and history file of the SlapOS toolbox plugin of the same name: every run
// appends MemAvailable to the plugin's JSON-lines history (.slapgrid/promise/log/<title>.json.log,
// the same lines), and at most every period/4 (a marker file's age) averages the history of the
// last period.
#include "promise/json_history.hpp"
#include "promise/main.hpp"
#include "promise/meminfo.hpp"
#include "promise/options.hpp"
#include "promise/path_option.hpp"

#include <cmath>
#include <numeric>

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct Options {
  double min_threshold_mib = 500;
  double min_average_mib = 1000;
  int average_period = 600;
  std::string marker = "last_avg";
  std::string history_file;  // "": .slapgrid/promise/log/<title>.json.log
};

CLI::Validator mebibytes() {
  return promise::number_in(0, 1e12, "a size in MiB (a number from 0 to 1e12)", "MIB");
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--min-threshold-ram,--min_threshold_ram", options.min_threshold_mib,
                 "Fail when the available memory (MemAvailable) is at or below this many MiB")
      ->check(mebibytes());
  app.add_option("--min-avg-ram,--min_avg_ram", options.min_average_mib,
                 "Fail when the average available memory over --avg-ram-period is below this "
                 "many MiB")
      ->check(mebibytes());
  app.add_option("--avg-ram-period,--avg_ram_period", options.average_period,
                 "Seconds of history averaged (a whole number, as the plugin's int())")
      ->check(CLI::Range(1, 366 * 86400));
  app.add_option("--last-avg-ram-file,--last_avg_ram_file", options.marker,
                 "Marker file whose age paces the average (every period/4); relative to the "
                 "working directory, the partition under slapgrid")
      ->check(promise::non_empty_path("PATH"));
  app.add_option("--history-file", options.history_file,
                 "The JSON-lines history (default: .slapgrid/promise/log/<title>.json.log in the "
                 "working directory, the plugin's file: title is the promise file's name without "
                 "extension, check_ram_usage when run by hand)");
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes, test 1 of 1 failure, anomaly 2 of 3 with "
      "bang. As an etc/promise/ executable slapgrid fails deployment on one failure and reports "
      "an anomaly after 3 of 3: keep it (an internal 2 of 3 would only add to slapgrid's 3 of 3).");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  context.phase("reading /proc/meminfo");
  std::string error;
  const auto memory = promise::read_meminfo(error);
  if (!memory) return promise::Outcome::unknown(error);
  if (!memory->available) {
    return promise::Outcome::unknown(
        "/proc/meminfo has no MemAvailable (a kernel older than 3.14)");
  }
  const double available = static_cast<double>(*memory->available);
  const double min_threshold = options.min_threshold_mib * kMiB;
  const double min_average = options.min_average_mib * kMiB;
  std::vector<std::string> errors;
  if (available <= min_threshold) {
    errors.push_back("RAM usage reached critical threshold: " + promise::bytes2human7(available) +
                     "  (threshold is " + promise::bytes2human7(min_threshold) + ")");
  }

  const auto history = promise::record_period_history(
      context, "check_ram_usage", options.history_file, options.marker, options.average_period,
      {"RAM data", "available_ram", *memory->available});
  if (!history.error.empty()) return promise::Outcome::unknown(history.error);
  if (history.due) {
    const auto& window = history.window;
    if (window.values.empty()) {
      errors.push_back("Couldn't read available RAM from log");
    } else {
      const double average = std::accumulate(window.values.begin(), window.values.end(), 0.0) /
                             static_cast<double>(window.values.size());
      context.log.step("average of " + std::to_string(window.values.size()) +
                       " samples: " + promise::bytes2human(average));
      if (average < min_average) {
        errors.push_back("Average RAM usage over the last " +
                         std::to_string(options.average_period) +
                         " seconds reached threshold: " + promise::bytes2human7(average) +
                         " (threshold is " + promise::bytes2human7(min_average) + ")");
      }
    }
  }
  promise::Outcome outcome;
  if (errors.empty()) {
    outcome = promise::Outcome::ok("RAM usage OK (available " + promise::bytes2human(available) +
                                   ")" + history.note);
  } else {
    std::string message;
    for (const auto& line : errors) message += (message.empty() ? "" : "; ") + line;
    outcome = promise::Outcome::critical(message + history.note);
  }
  outcome.metric("available", available, "B").metric("threshold", min_threshold, "B");
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_ram_usage",
             "Check that enough memory is available, now and on average over a period", declare,
             check)
