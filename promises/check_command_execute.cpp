// check_command_execute: does a shell command succeed?
// Options as the SlapOS toolbox plugin of the same name (command). The command runs as the
// plugin runs it, /bin/sh -c in the partition, but under the promise's deadline, and its
// whole process group is killed when it runs out (promise::run_command).
#include "promise/command.hpp"
#include "promise/main.hpp"

namespace {

struct Options {
  std::string command;
  bool bang_on_failure = true;
  std::vector<std::string> http_code;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--command", options.command,
                 "Shell command line, run as /bin/sh -c COMMAND with the partition as working "
                 "directory; exit status 0 is success (an empty command succeeds)")
      ->required();
  app.add_flag("--bang-on-failure", options.bang_on_failure,
               "Accepted for the plugin's config-bang-on-failure, and ignored: a promise in "
               "etc/promise never bangs");
  // gitlab passes config-http-code to this plugin, which ignores it: so do we (hidden).
  app.add_option("--http-code,--http_code", options.http_code)->group("");
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes (--frequency 2), a failure counts at once "
      "(test and anomaly 1 of 1 failures, --result-count 1 --failure-amount 1).");
}

// How the command failed, after its repr: as the plugin says it, plus the exit status.
std::string failure(const promise::CommandResult& run) {
  using End = promise::CommandResult::End;
  switch (run.end) {
    case End::exited:
      return " run with failure (exit status " + std::to_string(run.exit_status) + ")";
    case End::signalled:
      return " run with failure (killed by " + promise::signal_name(run.signal) + ")";
    default:
      return " " + run.ending();
  }
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const std::string shown = promise::one_line(promise::python_repr(options.command), 200);
  context.phase("running the command");
  const auto run = promise::run_command({"/bin/sh", "-c", options.command}, context, 600);
  if (run.succeeded()) {
    return promise::Outcome::ok(shown + " run with success").metric("time", run.seconds, "s");
  }
  std::string message = shown + failure(run);
  if (run.end != promise::CommandResult::End::not_started) {
    message += run.output.empty() ? ", no output" : ", output: " + run.output;
  }
  return promise::Outcome::critical(message).metric("time", run.seconds, "s");
}

}  // namespace

PROMISE_MAIN("check_command_execute",
             "Check that a shell command succeeds (exit status 0) within the deadline", declare,
             check)
