#include "promise/outcome.hpp"

#include <cmath>
#include <cstdio>

namespace promise {

std::string_view state_name(State state) {
  switch (state) {
    case State::ok:
      return "OK";
    case State::warning:
      return "WARNING";
    case State::critical:
      return "CRITICAL";
    case State::unknown:
      break;
  }
  return "UNKNOWN";
}

std::string perfdata_number(double value) {
  if (!std::isfinite(value)) return "0";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

int exit_code(State state) {
  return static_cast<int>(state);
}

int exit_code(const Outcome& outcome) {
  return outcome.exit_status >= 0 ? outcome.exit_status : exit_code(outcome.state);
}

}  // namespace promise
