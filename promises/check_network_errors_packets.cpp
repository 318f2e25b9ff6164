// check_network_errors_packets: are the errors and dropped packets of all interfaces, per MB
// moved, below their thresholds? The SlapOS toolbox plugin of the same name: counters of
// /proc/net/dev (all interfaces, lo included) cumulative since boot, MB = 10^6 bytes and at
// least 1, a threshold reached (>=) fails.
#include "promise/main.hpp"
#include "promise/net_dev.hpp"
#include "promise/options.hpp"

#include <cmath>

namespace {

struct Options {
  double max_lost_per_mb = 100;
  double max_errors_per_mb = 100;
};

CLI::Validator per_mb() {
  return promise::number_in(0, 1e15, "a number per MB (0 to 1e15, fractions allowed)", "PER_MB");
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--max-lost-packets-per-MB,--max_lost_packets_per_MB,--max-lost-packets-per-mb",
                 options.max_lost_per_mb,
                 "Fail when dropped packets (received and sent) per MB moved reach this")
      ->check(per_mb());
  app.add_option(
         "--max-error-messages-per-MB,--max_error_messages_per_MB,--max-error-messages-per-mb",
         options.max_errors_per_mb, "Fail when errors (received and sent) per MB moved reach this")
      ->check(per_mb());
  app.footer(
      "SlapOS plugin rule: checked every 5 minutes, test 1 of 1 failure, anomaly 2 of 3 with "
      "bang. As an etc/promise/ executable: slapgrid's 1 of 1 and 3 of 3.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  context.phase("reading /proc/net/dev");
  std::string error;
  const auto interfaces = promise::read_net_dev(error);
  if (!interfaces) return promise::Outcome::unknown(error);
  const auto sum = promise::sum_net_dev(*interfaces);
  const double megabytes =
      std::max((static_cast<double>(sum.rx_bytes) + static_cast<double>(sum.tx_bytes)) / 1e6, 1.0);
  const double drops = static_cast<double>(sum.rx_drops) + static_cast<double>(sum.tx_drops);
  const double errors = static_cast<double>(sum.rx_errors) + static_cast<double>(sum.tx_errors);
  const double lost_ratio = drops / megabytes;
  const double error_ratio = errors / megabytes;
  std::string failures;
  if (lost_ratio >= options.max_lost_per_mb) {
    failures += "Network packets lost reached critical threshold: " +
                promise::shortest_number(std::ceil(lost_ratio)) + "  (threshold is " +
                promise::shortest_number(options.max_lost_per_mb) + " per MB)";
  }
  if (error_ratio >= options.max_errors_per_mb) {
    failures += std::string(failures.empty() ? "" : "; ") +
                "Network errors reached critical threshold: " +
                promise::shortest_number(std::ceil(error_ratio)) + "  (threshold is " +
                promise::shortest_number(options.max_errors_per_mb) + " per MB)";
  }
  const std::string figures =
      std::to_string(interfaces->size()) + " interfaces, " + promise::shortest_number(drops) +
      " dropped, " + promise::shortest_number(errors) + " errors in " +
      promise::shortest_number(std::round(megabytes * 10) / 10) + " MB since boot";
  promise::Outcome outcome = failures.empty()
                                 ? promise::Outcome::ok("Network statistics OK (" + figures + ")")
                                 : promise::Outcome::critical(failures + " (" + figures + ")");
  outcome.metric("dropped", drops).metric("errors", errors).metric("megabytes", megabytes);
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_network_errors_packets",
             "Check that network errors and dropped packets per MB are below thresholds", declare,
             check)
