#include "promise/outcome.hpp"

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

int exit_code(State state) {
  return static_cast<int>(state);
}

int exit_code(const Outcome& outcome) {
  return outcome.exit_status >= 0 ? outcome.exit_status : exit_code(outcome.state);
}

}  // namespace promise
