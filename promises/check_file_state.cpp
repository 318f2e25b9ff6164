// check_file_state: is a file absent, empty, or not empty?
// Options and messages as the SlapOS toolbox plugin of the same name (filename, state, url).
// Emptiness is a byte count: the content is never decoded, so a binary file is "not empty".
#include "promise/file_probe.hpp"
#include "promise/main.hpp"

namespace {

struct Options {
  std::string filename;
  std::string state;
  std::string url;
  bool periodic_only = false;
  bool report_anomaly = true;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--filename", options.filename,
                 "The file to check (relative to the working directory, the partition under "
                 "slapgrid); symbolic links are followed")
      ->check(CLI::Validator(
          [](std::string& value) { return value.empty() ? "empty file name" : std::string(); },
          "FILE"))
      ->required();
  app.add_option("--state", options.state,
                 "absent: the file must not exist; empty: it must exist and hold 0 bytes; "
                 "not-empty: it must exist and hold at least 1 byte")
      ->check(CLI::IsMember({"absent", "empty", "not-empty"}))
      ->required();
  app.add_option("--url", options.url,
                 "Where the file's content can be read; appended to the 'not empty' message");
  app.add_flag("--perdiodic-only,--periodic-only", options.periodic_only,
               "Accepted for SlapOS profiles (the plugin's spelling) and ignored: the plugin "
               "then skips the deployment-time check; a native promise checks every time");
  app.add_flag("--report-anomaly", options.report_anomaly,
               "Accepted for SlapOS profiles and ignored: the plugin checks only at deployment "
               "when it is false; a native promise checks every time (keep the deployment gate, "
               "drop the '-anomaly' twin)");
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes (--frequency 2), test and anomaly 1 of 1 "
      "failure by default (result-count/failure-amount) with bang. As an etc/promise/ "
      "executable slapgrid fails deployment on one failure and reports an anomaly after 3 "
      "of 3.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  using Kind = promise::FileProbe::Kind;
  const std::string name = promise::python_repr(options.filename);
  const std::string state = promise::python_repr(options.state);
  const bool want_absent = options.state == "absent";
  context.phase("looking at the file");
  const promise::FileProbe probe = promise::probe_file(options.filename, !want_absent);
  if (options.periodic_only || !options.report_anomaly) {
    context.log.step("--perdiodic-only and --report-anomaly are ignored: checking as always");
  }

  if (probe.kind == Kind::error) {
    return promise::Outcome::unknown(name + " could not be " +
                                     (want_absent ? "looked up: " : "opened and read: ") +
                                     probe.error);
  }
  if (want_absent) {
    if (probe.kind == Kind::absent) return promise::Outcome::ok(name + " state " + state);
    return promise::Outcome::critical(name + " not absent");
  }
  if (probe.kind == Kind::absent) return promise::Outcome::critical(name + " not present");
  if (probe.kind != Kind::regular) {
    return promise::Outcome::unknown(name + " could not be opened and read: it is " +
                                     promise::file_type_name(probe.mode) + ", not a regular file");
  }
  promise::Outcome outcome;
  if (options.state == "empty" && !probe.empty) {
    std::string url = options.url;
    const auto first = url.find_first_not_of(" \t\r\n");
    const auto last = url.find_last_not_of(" \t\r\n");
    url = first == std::string::npos ? "" : url.substr(first, last - first + 1);
    outcome = promise::Outcome::critical(name + " not empty" +
                                         (url.empty() ? "" : ", content available at " + url));
  } else if (options.state == "not-empty" && probe.empty) {
    outcome = promise::Outcome::critical(name + " empty");
  } else {
    outcome = promise::Outcome::ok(name + " state " + state);
  }
  return outcome.metric("size", static_cast<double>(probe.size), "B");
}

}  // namespace

PROMISE_MAIN("check_file_state", "Check that a file is absent, empty, or not empty", declare, check)
