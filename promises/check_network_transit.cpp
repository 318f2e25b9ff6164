// check_network_transit: did the interfaces move between a minimum and a maximum amount of data
// over a period? The SlapOS toolbox plugin of the same name: every run appends rx+tx bytes of
// all interfaces (/proc/net/dev) to the plugin's JSON-lines history
// (.slapgrid/promise/log/<title>.json.log, the same lines), and at most every period/4 (a
// marker file's age) compares the newest and oldest amounts of the last period.
#include "promise/json_history.hpp"
#include "promise/main.hpp"
#include "promise/net_dev.hpp"
#include "promise/options.hpp"
#include "promise/path_option.hpp"

#include <cmath>

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct Options {
  double max_mib = 10000;
  double min_mib = 0.1;
  int period = 600;
  std::string marker = "last_transit";
  std::string history_file;  // "": .slapgrid/promise/log/<title>.json.log
};

CLI::Validator mebibytes() {
  return promise::number_in(0, 1e15, "an amount in MiB (a number from 0 to 1e15)", "MIB");
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--max-data-amount,--max_data_amount", options.max_mib,
                 "Fail when at least this many MiB moved over the period")
      ->check(mebibytes());
  app.add_option("--min-data-amount,--min_data_amount", options.min_mib,
                 "Fail when at most this many MiB moved over the period")
      ->check(mebibytes());
  app.add_option("--transit-period,--transit_period", options.period,
                 "Seconds of history compared (a whole number, as the plugin's int())")
      ->check(CLI::Range(1, 366 * 86400));
  app.add_option("--last-transit-file,--last_transit_file", options.marker,
                 "Marker file whose age paces the comparison (every period/4); relative to the "
                 "working directory, the partition under slapgrid")
      ->check(promise::non_empty_path("PATH"));
  app.add_option("--history-file", options.history_file,
                 "The JSON-lines history (default: .slapgrid/promise/log/<title>.json.log in the "
                 "working directory, the plugin's file: title is the promise file's name without "
                 "extension, check_network_transit when run by hand)");
  app.footer(
      "SlapOS plugin rule: checked every minute (5 in the monitor profile), test 1 of 1 "
      "failure, anomaly 2 of 3 with bang. As an etc/promise/ executable: slapgrid's 1 of 1 and "
      "3 of 3.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  context.phase("reading /proc/net/dev");
  std::string error;
  const auto interfaces = promise::read_net_dev(error);
  if (!interfaces) return promise::Outcome::unknown(error);
  const auto sum = promise::sum_net_dev(*interfaces);
  const std::uint64_t amount =
      sum.rx_bytes > UINT64_MAX - sum.tx_bytes ? UINT64_MAX : sum.rx_bytes + sum.tx_bytes;

  const auto history = promise::record_period_history(
      context, "check_network_transit", options.history_file, options.marker, options.period,
      {"Network data amount", "network_data_amount", amount});
  if (!history.error.empty()) return promise::Outcome::unknown(history.error);
  std::string message = "Network transit OK";
  bool failed = false;
  if (history.due) {
    const auto& window = history.window;
    if (window.values.empty()) {
      message = "Couldn't read network data from log";
      failed = true;
    } else if (window.values.size() > 1) {
      const double diff = window.values.front() - window.values.back();  // newest - oldest
      const std::string head = "Network congested, data amount over the last " +
                               std::to_string(options.period) + " seconds reached ";
      const double min = options.min_mib * kMiB;
      const double max = options.max_mib * kMiB;
      context.log.step("moved " + promise::bytes2human(diff) + " over " +
                       std::to_string(window.values.size()) + " samples");
      if (diff <= min) {
        message = head + "minimum threshold: " + promise::bytes2human7(diff) + " (threshold is " +
                  promise::bytes2human7(min) + ")";
        failed = true;
      } else if (diff >= max) {
        message = head + "maximum threshold: " + promise::bytes2human7(diff) + " (threshold is " +
                  promise::bytes2human7(max) + ")";
        failed = true;
      }
    }
  }
  promise::Outcome outcome = failed ? promise::Outcome::critical(message + history.note)
                                    : promise::Outcome::ok(message + history.note);
  outcome.metric("data_amount", static_cast<double>(amount), "B");
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_network_transit",
             "Check that the network moved between a minimum and a maximum over a period", declare,
             check)
