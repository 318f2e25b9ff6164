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
  char buffer[64];
  // The plugin guidelines' values are [-0-9.]: no exponent (a 269 GB disk is 288947961856,
  // not 2.88947962e+11), up to 9 decimals, trailing zeros dropped. Beyond 1e18, %.9g.
  if (std::fabs(value) >= 1e18) {
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof buffer, "%.9f", value);
  std::string text = buffer;
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

int exit_code(State state) {
  return static_cast<int>(state);
}

int exit_code(const Outcome& outcome) {
  return outcome.exit_status >= 0 ? outcome.exit_status : exit_code(outcome.state);
}

}  // namespace promise
