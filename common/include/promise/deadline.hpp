#pragma once
// One hard deadline for a whole run: resolution, connect, TLS, request, reading.

#include <chrono>

namespace promise {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Deadline(Clock::duration budget) : at_(Clock::now() + budget), budget_(budget) {}

  Clock::time_point at() const { return at_; }
  Clock::duration budget() const { return budget_; }
  Clock::duration remaining() const {
    auto left = at_ - Clock::now();
    return left > Clock::duration::zero() ? left : Clock::duration::zero();
  }
  bool expired() const { return Clock::now() >= at_; }

 private:
  Clock::time_point at_;
  Clock::duration budget_;
};

// Seconds as a double, for messages and metrics.
inline double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// What the run is doing now ("resolving example.org", "connecting"). The backstop and the
// SIGTERM handler print it, so it must point at storage that outlives the run: a literal.
void set_phase(const char* phase_literal);
const char* current_phase();

// The process group of a program the check runs (0: none). When a signal ends the run (SIGTERM
// from slapgrid, the backstop, ^C), the handler SIGKILLs that group before it exits, so that
// the promise leaves nothing running behind it. Async-signal-safe.
void set_child_process_group(int group) noexcept;
int child_process_group() noexcept;

}  // namespace promise
