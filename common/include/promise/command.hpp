#pragma once
// Running another program as a promise's check (check_command_execute,
// validate_frontend_configuration), the way slapgrid runs a promise, under our deadline:
//
// - its own process group, stdin from /dev/null, stdout and stderr merged into one pipe, our
//   working directory (the partition) and our environment; argv[0] is executed as given, with
//   no PATH search;
// - its time limit leaves room, before the deadline, for SIGTERM to the whole group, a grace,
//   SIGKILL to the whole tree (promise::process) and our report: the command gets the deadline
//   minus 2 graces (5% of it, 0.05-0.5 s each) minus 5% (at most 0.2 s), so 8.8 s of 10 s;
// - its output is read to the end but only its last 16 KiB are kept;
// - if a signal ends the promise meanwhile (SIGTERM from slapgrid), the group is SIGKILLed.

#include "promise/context.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace promise {

struct CommandResult {
  enum class End { exited, signalled, timed_out, not_started };
  End end = End::not_started;
  int exit_status = -1;   // End::exited
  int signal = 0;         // End::signalled
  int start_errno = 0;    // End::not_started
  double seconds = 0;     // from start until it ended and its output closed
  double time_limit = 0;  // what it was given
  std::uint64_t output_bytes = 0;
  // The end of the output as one escaped line (promise::untrusted_tail, line breaks as " / "),
  // at most the budget given to run_command plus a cut note; "" when it printed nothing but
  // white space.
  std::string output;

  bool succeeded() const { return end == End::exited && exit_status == 0; }
  // How it ended, to follow a subject: "exited with status 2", "was killed by SIGKILL",
  // "timed out after 8.8 s (process group killed)", "could not be started: Permission denied".
  std::string ending() const;
};

// "SIGKILL"; "signal 99" for a number without a name.
std::string signal_name(int signal);

CommandResult run_command(const std::vector<std::string>& argv, const Context& context,
                          std::size_t output_budget = 500);

}  // namespace promise
