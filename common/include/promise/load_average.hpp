#pragma once
// /proc/loadavg: "0.52 0.58 0.59 2/467 12345\n", the run-queue averages over 1, 5 and 15
// minutes, then running/total scheduling entities and the last pid. The averages are what
// check_server_cpu_load compares (psutil.getloadavg reads the same file).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace promise {

struct LoadAverage {
  double one = 0;
  double five = 0;
  double fifteen = 0;
  std::uint32_t running = 0;  // runnable tasks (threads) now
  std::uint32_t total = 0;    // tasks (threads) in the system
};

// nullopt unless the text is exactly that line (the final '\n' optional): three finite
// non-negative numbers, "running/total", a pid.
std::optional<LoadAverage> parse_loadavg(std::string_view text);

// /proc/loadavg read and parsed; nullopt with error set (one line) when it cannot be.
std::optional<LoadAverage> read_loadavg(std::string& error);

}  // namespace promise
