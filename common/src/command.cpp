// run_command: promise::process's child, bound to the promise's deadline.
#include "promise/command.hpp"

#include <string.h>  // sigabbrev_np

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "promise/process.hpp"
#include "promise/text.hpp"

namespace promise {
namespace {

constexpr std::size_t kKeptOutputBytes = 16 * 1024;

std::string format_seconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, seconds < 10 ? "%.2g s" : "%.0f s", seconds);
  return buffer;
}

}  // namespace

std::string signal_name(int signal) {
  const char* name = ::sigabbrev_np(signal);
  return name ? "SIG" + std::string(name) : "signal " + std::to_string(signal);
}

std::string CommandResult::ending() const {
  switch (end) {
    case End::exited:
      return "exited with status " + std::to_string(exit_status);
    case End::signalled:
      return "was killed by " + signal_name(signal);
    case End::timed_out:
      return "timed out after " + format_seconds(time_limit) + " (process group killed)";
    case End::not_started:
      break;
  }
  return "could not be started: " + std::string(std::strerror(start_errno));
}

CommandResult run_command(const std::vector<std::string>& argv, const Context& context,
                          std::size_t output_budget) {
  const double remaining = seconds(context.deadline.remaining());
  ChildSpec spec;
  spec.argv = argv;
  spec.kill_grace = std::clamp(remaining * 0.05, 0.05, 0.5);
  spec.time_limit =
      std::max(0.01, remaining - 2 * spec.kill_grace - std::min(0.2, remaining * 0.05));
  spec.output_limit = kKeptOutputBytes;
  spec.on_start = [](int pid) { set_child_process_group(pid); };
  // Orphans that keep the output pipe (a double-forked daemon) come back to us, so that the
  // tree kill finds them.
  adopt_orphans();
  context.log.step("running " + python_repr(argv.empty() ? "" : argv.front()) + " for at most " +
                   format_seconds(spec.time_limit));
  const ChildResult child = run_child(spec);
  set_child_process_group(0);

  CommandResult result;
  result.time_limit = spec.time_limit;
  result.seconds = child.seconds;
  result.output_bytes = child.output_bytes;
  result.output =
      untrusted_tail(child.output, output_budget, child.output_bytes - child.output.size());
  if (child.start_errno != 0) {
    result.end = CommandResult::End::not_started;
    result.start_errno = child.start_errno;
  } else if (child.timed_out) {
    result.end = CommandResult::End::timed_out;
  } else if (child.signal != 0) {
    result.end = CommandResult::End::signalled;
    result.signal = child.signal;
  } else {
    result.end = CommandResult::End::exited;
    result.exit_status = child.exit_code;
  }
  context.log.step(result.ending() + " after " + human_seconds(child.seconds) + ", " +
                   std::to_string(child.output_bytes) + " bytes of output");
  return result;
}

}  // namespace promise
