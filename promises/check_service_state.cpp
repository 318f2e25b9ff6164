// check_service_state: is a supervisord program in the expected state (running or stopped)?
// Options and messages as the SlapOS toolbox plugin of the same name (service, expect,
// run-directory). Asks supervisord supervisor.getProcessInfo over XML-RPC, HTTP over its UNIX
// socket, as supervisorctl does. Unlike the plugin, never stops or shuts down a second
// supervisord found beside the first (the plugin's clean-up for slapos.core 1.6.1).
#include "promise/http_probe.hpp"
#include "promise/main.hpp"
#include "promise/partition.hpp"
#include "promise/xmlrpc.hpp"

#include <sys/stat.h>

namespace {

struct Options {
  std::string service;
  std::string expect;
  std::string run_directory;
  promise::PartitionOptions partition;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--service", options.service,
                 "The supervisord program, 'name' or 'group:name' (slapos-node-auto in theia)");
  app.add_option("--expect", options.expect,
                 "running or stopped; anything else (the default, empty) means any state is fine");
  app.add_option("--run-directory,--run_directory", options.run_directory,
                 "The directory of supervisord's socket, supervisord.socket (the legacy name, "
                 "used when present) or sv.sock (default: <partition>/srv/runner/var/run)");
  promise::declare_partition_options(app, options.partition);
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes (--frequency 2), test 1 of 1 failures, "
      "anomaly 3 of 3 (--result-count 3 --failure-amount 3) with bang: slapgrid's legacy rule "
      "already.");
}

bool exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return text;
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  using promise::python_repr;
  const std::string service = python_repr(options.service);
  const std::string expect = python_repr(options.expect);
  if (options.expect != "running" && options.expect != "stopped") {
    return promise::Outcome::ok("service " + service +
                                " is allowed to be in any state (expect = " + expect + ")");
  }
  if (options.service.empty()) return promise::Outcome::unknown("no service is specified");
  std::string directory = options.run_directory;
  if (directory.empty()) {
    const auto partition = promise::resolve_partition(options.partition);
    if (!partition.error.empty()) return promise::Outcome::unknown(partition.error);
    directory = partition.folder + "/srv/runner/var/run";
  }
  std::string socket = directory + "/supervisord.socket";
  std::string legacy_note;
  if (exists(socket)) {
    legacy_note = " (legacy supervisor socket path " + python_repr(socket) + ")";
  } else {
    socket = directory + "/sv.sock";
  }

  promise::HttpOptions http;
  http.url = "http://localhost/RPC2";
  http.unix_socket = socket;
  http.method = "POST";
  http.post_body = promise::xmlrpc::method_call("supervisor.getProcessInfo", {options.service});
  http.headers = {"Content-Type: text/xml"};
  context.phase("asking supervisord");
  const auto result = promise::http_request(http, true, context);
  const std::string prefix = "service " + service + ": supervisord at " + python_repr(socket);
  promise::Outcome outcome;
  if (!result.responded) {
    outcome = promise::Outcome::critical(prefix + ": " + promise::failure_text(result, context));
  } else if (result.status != 200) {
    outcome = promise::Outcome::critical(prefix + " answered HTTP " +
                                         std::to_string(result.status) + ", not 200");
  } else if (result.body_cut) {
    outcome = promise::Outcome::critical(prefix + " answered more than " +
                                         std::to_string(http.max_body) + " bytes");
  } else {
    const auto answer = promise::xmlrpc::parse_struct_answer(result.body);
    using Kind = promise::xmlrpc::Answer::Kind;
    const auto statename = answer.members.find("statename");
    if (answer.kind == Kind::fault) {
      outcome = promise::Outcome::critical("service " + service + ": supervisord fault " +
                                           std::to_string(answer.fault_code) + " " +
                                           promise::untrusted(answer.fault_string));
    } else if (answer.kind == Kind::invalid) {
      outcome = promise::Outcome::critical(
          prefix + " gave an answer that is not XML-RPC: " + promise::untrusted(answer.error));
    } else if (statename == answer.members.end() || statename->second.type != "string") {
      outcome = promise::Outcome::critical(prefix + " gave an answer without a string statename");
    } else {
      const std::string state = python_repr(lower(statename->second.text));
      outcome = lower(statename->second.text) == options.expect
                    ? promise::Outcome::ok("service " + service + " is in expected state " + state)
                    : promise::Outcome::critical("service " + service + " is in state " + state +
                                                 " (expected " + expect + ")");
    }
  }
  outcome.message += legacy_note;
  outcome.metric("time", result.total_time, "s");
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_service_state",
             "Check that a supervisord program is running or stopped, as expected", declare, check)
