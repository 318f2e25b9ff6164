#pragma once
// The fatal signals and the one status line (signals.cpp). Apart from internal.hpp so that
// signals.cpp pulls in no CLI11 (and no <iostream> initialisation) at start.

#include <atomic>

namespace promise::detail {

enum class Format { text, json, nagios };

// Exactly one writer gets the status line: the first to claim it.
class LineClaim {
 public:
  bool claim() { return !claimed_.exchange(true, std::memory_order_acq_rel); }

 private:
  std::atomic<bool> claimed_{false};
};

// Handlers for SIGALRM, SIGTERM, SIGINT and SIGHUP, SIGPIPE ignored: the runner calls it first
// thing, while the process has one thread. prepare_for_threads() moves the signals to a thread
// of their own before a helper thread starts.
void install_signal_handling();

// What a fatal signal writes: CRITICAL in this format, naming the deadline and the phase.
void prepare_signal_texts(Format format, double timeout_seconds);

// SIGALRM in `seconds`: the backstop that ends the run whatever a syscall does.
void arm_backstop(double seconds);
void disarm_backstop();

// Every path that writes the final output claims the line first (and disarms the backstop).
// If a signal claimed it first, its line is being written and the process is ending: then
// this never returns.
void claim_status_line_or_wait();

// Async-signal-safe (install.cpp): removes the named temporary of an --install under way, if
// there is one. The fatal-signal handler calls it before _exit.
void discard_install_temporary() noexcept;
// The same from the signal thread: waits while the main thread is naming one.
void discard_install_temporary_once_named() noexcept;

}  // namespace promise::detail
