// validate_frontend_configuration: does the frontend's verification script pass?
// Options as the SlapOS toolbox plugin of the same name (verification-script). The script is
// executed as one path, no arguments, no shell, as the plugin does, under the promise's deadline
// (promise::run_command); its output is the message when it fails.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "promise/command.hpp"
#include "promise/main.hpp"

namespace {

struct Options {
  std::string verification_script;
};

// Refused at --install too: what can never be run. A script that does not exist yet may be
// written later by buildout, so that is a finding of the run.
const CLI::Validator& script_path() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        struct stat info {};
        if (value.empty()) return "empty path";
        if (::stat(value.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
          return "'" + value + "' is a directory, not a script";
        }
        return {};
      },
      "PATH", "script_path");
  return validator;
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--verification-script", options.verification_script,
                 "Executable run with no arguments and no shell (a path: no PATH search); exit "
                 "status 0 is success, otherwise its output is the message")
      ->check(script_path())
      ->required();
  app.footer(
      "SlapOS plugin rule: checked every 5 minutes (--frequency 5), a failure counts at once "
      "(test and anomaly 1 of 1 failures).");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const std::string& script = options.verification_script;
  const std::string shown = promise::one_line(promise::python_repr(script), 200);
  struct stat info {};
  if (::stat(script.c_str(), &info) != 0) {
    return promise::Outcome::unknown("verification script " + shown +
                                     " cannot be run: " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) {
    return promise::Outcome::unknown("verification script " + shown +
                                     " is a directory, not a script");
  }
  context.phase("running the verification script");
  const auto run = promise::run_command({script}, context, 900);
  using End = promise::CommandResult::End;
  if (run.succeeded()) {
    return promise::Outcome::ok("verification script " + shown + " succeeded")
        .metric("time", run.seconds, "s");
  }
  if (run.end == End::not_started) {
    return promise::Outcome::unknown("verification script " + shown + " " + run.ending());
  }
  // As the plugin: a failing script's output is the message. Said plainly when it is silent,
  // and always when it did not exit by itself.
  std::string message;
  if (run.end == End::exited && !run.output.empty()) {
    message = run.output;
  } else {
    message = "verification script " + run.ending();
    if (!run.output.empty()) message += ", output: " + run.output;
  }
  return promise::Outcome::critical(message).metric("time", run.seconds, "s");
}

}  // namespace

PROMISE_MAIN("validate_frontend_configuration",
             "Check that a frontend's configuration verification script succeeds", declare, check)
