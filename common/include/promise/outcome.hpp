#pragma once
// The result of one check: a state (the Nagios plugin states), one message, measured figures.

#include <string>
#include <string_view>
#include <vector>

namespace promise {

// The exit code of a promise is the numeric value of its state (Nagios plugin API).
// slapgrid treats every non-zero exit as a failure.
enum class State { ok = 0, warning = 1, critical = 2, unknown = 3 };

std::string_view state_name(State state);  // "OK", "WARNING", "CRITICAL", "UNKNOWN"
int exit_code(State state);

// A measured figure, shown as perfdata (--format nagios) and metrics (--format json).
struct Metric {
  std::string name;  // perfdata label: letters, digits, '_'
  double value = 0;
  std::string unit;  // Nagios unit of measure: "s", "B", "%", "" ...
  // Nagios plugin guidelines' thresholds and bounds, shown in --format nagios perfdata
  // (label=value[UOM];[warn];[crit];[min];[max]). warn and crit are ranges ("10", "10:",
  // "@0:5"): the values that give that state. Empty: none.
  std::string warn, crit, min, max;
};

// A number as perfdata and thresholds show it: no exponent, up to 9 decimals, trailing zeros
// dropped ("5000000000", "0.0012", "1.5"); "0" for NaN and infinities.
std::string perfdata_number(double value);

struct Outcome {
  State state = State::unknown;
  std::string message;  // what was checked and what was found, without the state word
  std::vector<Metric> metrics;
  // A replaced tool's own exit convention, where a promise keeps it (is-local-tcp-port-opened
  // IP PORT exits 1 when nothing is found): when >= 0, the process exits with this instead of
  // the state's code. The state word stays.
  int exit_status = -1;

  static Outcome ok(std::string message) { return {State::ok, std::move(message), {}}; }
  static Outcome warning(std::string message) { return {State::warning, std::move(message), {}}; }
  static Outcome critical(std::string message) { return {State::critical, std::move(message), {}}; }
  static Outcome unknown(std::string message) { return {State::unknown, std::move(message), {}}; }

  Outcome& metric(std::string name, double value, std::string unit = "") {
    metrics.push_back({std::move(name), value, std::move(unit), {}, {}, {}, {}});
    return *this;
  }
  // The thresholds and bounds of the metric added last (see Metric).
  Outcome& limits(std::string warn, std::string crit, std::string min = {}, std::string max = {}) {
    if (!metrics.empty()) {
      Metric& last = metrics.back();
      last.warn = std::move(warn);
      last.crit = std::move(crit);
      last.min = std::move(min);
      last.max = std::move(max);
    }
    return *this;
  }
};

// The process exit code of an outcome: its exit_status when set, else its state's code.
int exit_code(const Outcome& outcome);

}  // namespace promise
