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

// Call before starting a thread, or a library call that may start one (libcurl's transfer, for
// its threaded resolver). From then on the fatal signals (the backstop's SIGALRM, SIGTERM,
// SIGINT, SIGHUP) are blocked in the calling thread, hence in every thread started after, and
// one thread of the runner takes them: none lands on a thread that does not expect it. Runs
// without threads (a TCP check of an IP literal) skip its cost. Idempotent; a child process
// must reset its signal mask (promise::process does).
void prepare_for_threads();

}  // namespace promise
