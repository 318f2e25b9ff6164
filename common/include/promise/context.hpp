#pragma once
// What a check receives besides its options: the deadline and the log.

#include "promise/deadline.hpp"
#include "promise/log.hpp"

namespace promise {

struct Context {
  const Deadline& deadline;
  const Log& log;

  // Names the step under way, for the deadline backstop and SIGTERM messages.
  void phase(const char* phase_literal) const { set_phase(phase_literal); }
};

}  // namespace promise
