// check_server_cpu_load: is the 15-minute load average at or below THRESHOLD x the online CPUs?
// Options, messages and rule (10 failed runs of 10) of the SlapOS toolbox plugin of the same
// name. On failure, where the plugin appended the first lines of `top -n 1 -b`, the same
// summary is read from /proc: tasks, how busy the CPUs were and the processes that used them
// most over a short sample (no top binary is run).
#include "promise/fields.hpp"
#include "promise/load_average.hpp"
#include "promise/main.hpp"
#include "promise/process_cpu.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

namespace {

constexpr double kDefaultFactor = 2.2;
constexpr std::size_t kTopProcesses = 5;
constexpr auto kSample = std::chrono::milliseconds(200);

struct Options {
  double factor = 0;  // 0: the plugin's default, 2.2
};

const CLI::Validator& load_factor() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        double number = 0;
        if (value.empty()) return {};  // unset, as the plugin: the default
        if (!promise::parse_whole(std::string_view(value), number) || !std::isfinite(number) ||
            number < 0 || number > 1e6) {
          return "CPU load threshold " + value + " is not valid: not a number from 0 to 1e6";
        }
        return {};
      },
      "FACTOR", "load_factor");
  return validator;
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--cpu-load-threshold,--cpu_load_threshold", options.factor,
                 "Fail when the 15-minute load average exceeds FACTOR x the online CPUs "
                 "(fractions allowed; 0 or empty: 2.2, the plugin's default)")
      ->check(load_factor())
      ->default_str("2.2");
  promise::default_rule(app, {.result_count = 10, .failure_amount = 10});
  app.footer(
      "SlapOS plugin rule: checked every 3 minutes, test and anomaly 10 of 10 failures, no "
      "bang. This promise keeps the 10 of 10 by default (a state file in "
      "<partition>/var/promise/); slapgrid runs it every 2 minutes, so 10 failed runs span about "
      "20 minutes (the plugin's, 30).");
}

// Python's repr of a float, as the plugin prints the loads: 3.1, 2.0, 0.52, 0.0002, 1e-05.
std::string python_float(double value) {
  char buffer[64];
  const bool fixed = value == 0 || (std::fabs(value) >= 1e-4 && std::fabs(value) < 1e16);
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value,
                    fixed ? std::chars_format::fixed : std::chars_format::scientific);
  std::string text(buffer, ec == std::errc() ? end : buffer);
  if (fixed && text.find('.') == std::string::npos) text += ".0";
  if (!fixed) {  // "1e-05" as Python, not "1e-5"
    const auto e = text.find('e');
    if (e != std::string::npos && text.size() - e == 3) text.insert(e + 2, "0");
  }
  return text;
}

std::string one_decimal(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

// top's first screen, in one line: tasks, CPU use over a short sample, the busiest processes.
std::string cpu_summary(const promise::LoadAverage& load, const promise::Context& context) {
  context.phase("sampling the processes");
  const auto remaining = context.deadline.remaining();
  const auto sample = std::min<std::chrono::steady_clock::duration>(kSample, remaining / 4);
  const auto cpu_before = promise::read_cpu_times();
  const auto before = promise::read_processes_cpu();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(sample);
  const auto cpu_after = promise::read_cpu_times();
  const auto after = promise::read_processes_cpu();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));

  std::string text = "tasks: " + std::to_string(load.total) + " total, " +
                     std::to_string(load.running) + " running";
  if (cpu_before && cpu_after && cpu_after->total > cpu_before->total) {
    const double busy =
        static_cast<double>(cpu_after->busy - std::min(cpu_after->busy, cpu_before->busy)) /
        static_cast<double>(cpu_after->total - cpu_before->total) * 100;
    text += "; CPUs " + one_decimal(busy) + "% busy over " + one_decimal(seconds) + " s";
  }
  const auto top = promise::top_processes(before, after, seconds * ticks_per_second, kTopProcesses);
  if (!top.empty()) {
    text += "; top:";
    for (const auto& process : top) {
      text += " " + promise::python_repr(process.comm) + " (pid " + std::to_string(process.pid) +
              ") " + one_decimal(process.percent) + "%,";
    }
    text.pop_back();
  }
  return text;
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  context.phase("reading /proc/loadavg");
  std::string error;
  const auto load = promise::read_loadavg(error);
  if (!load) return promise::Outcome::unknown(error);
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (online < 1) return promise::Outcome::unknown("cannot count the online CPUs");
  const double factor = options.factor > 0 ? options.factor : kDefaultFactor;
  const double threshold = static_cast<double>(online) * factor;
  const std::string loads =
      python_float(load->one) + " " + python_float(load->five) + " " + python_float(load->fifteen);
  const std::string limit = "threshold " + python_float(threshold) + " = " + python_float(factor) +
                            " x " + std::to_string(online) + " CPUs";
  promise::Outcome outcome;
  if (load->fifteen > threshold) {
    outcome = promise::Outcome::critical("CPU load is high: " + loads + " (" + limit + "); " +
                                         cpu_summary(*load, context));
  } else {
    outcome = promise::Outcome::ok("CPU load is OK (" + loads + ", " + limit + ")");
  }
  outcome.metric("load1", load->one)
      .metric("load5", load->five)
      .metric("load15", load->fifteen)
      .metric("threshold", threshold);
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_server_cpu_load",
             "Check that the 15-minute load average is at most a factor of the online CPUs",
             declare, check)
