// is-local-tcp-port-opened: does a local TCP socket listen on this exact address and port?
// The SlapOS toolbox command of the same name: `is-local-tcp-port-opened IP PORT`, which reads
// /proc/net/tcp (IPv4) or /proc/net/tcp6 (IPv6) and connects to nothing. Also --ip/--port.
#include "promise/main.hpp"
#include "promise/proc_net_tcp.hpp"

#include <sys/socket.h>

#include <set>

namespace {

struct Options {
  std::string ip;
  int port = 0;
  bool positional = false;  // the toolbox's form: exit 1 when nothing is found
  bool listen_only = true;
};

const CLI::Validator& ip_literal() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        if (!promise::IpAddress::parse(value)) {
          return "'" + value +
                 "' is not an IP address (no name is resolved: /proc/net/tcp holds addresses)";
        }
        return {};
      },
      "IP", "ip_literal");
  return validator;
}

void declare(CLI::App& app, Options& options) {
  auto* ip_arg = app.add_option("IP", options.ip, "IP address (the toolbox's form: IP PORT)")
                     ->check(ip_literal());
  auto* port_arg = app.add_option("PORT", options.port, "TCP port")->check(promise::port_number());
  auto* ip = app.add_option("--ip", options.ip, "IP address, IPv4 or IPv6 (brackets allowed)")
                 ->check(ip_literal());
  auto* port = app.add_option("--port", options.port, "TCP port")->check(promise::port_number());
  app.add_flag("--listen-only,!--any-state", options.listen_only,
               "Only a socket in state LISTEN counts (default). --any-state: any socket on that "
               "local address counts, as the toolbox does (an accepted connection outlives its "
               "listener)");
  app.final_callback([=, &options] {
    const auto positional = ip_arg->count() + port_arg->count();
    const auto named = ip->count() + port->count();
    if (positional > 0 && named > 0) {
      throw CLI::ValidationError("give IP PORT, or --ip and --port, not both");
    }
    if ((positional > 0 && positional != 2) || (named > 0 && named != 2) ||
        positional + named == 0) {
      throw CLI::ValidationError("an address and a port are needed: IP PORT, or --ip and --port");
    }
    options.positional = positional > 0;
  });
  app.footer(
      "Replaces the toolbox command run by a check_command_execute promise (SlapOS plugin "
      "rule: checked every 2 minutes, 1 of 1 failure, with bang); install this directly in "
      "etc/promise/. In the toolbox's form (IP PORT) it exits 0 when found and 1 when not, as "
      "the toolbox does; with --ip and --port it exits 2 (CRITICAL). A bad argument exits 3 "
      "(UNKNOWN) in both forms.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const auto address = promise::IpAddress::parse(options.ip);
  if (!address) return promise::Outcome::unknown("'" + options.ip + "' is not an IP address");
  const promise::TcpEndpoint wanted{*address, static_cast<std::uint16_t>(options.port)};
  promise::TcpEndpoint wildcard = wanted;
  wildcard.address.bytes.fill(0);
  const std::string path = address->family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp";
  const std::string where = wanted.to_string();

  context.phase("reading /proc/net/tcp");
  bool listening = false;
  bool wildcard_listening = false;
  std::set<std::string> other_states;
  promise::ProcNetTcpScan scan;
  const std::string error = promise::scan_proc_net_tcp(
      path,
      [&](const promise::ProcNetTcpEntry& entry) {
        if (entry.local == wanted) {
          if (entry.state == promise::kTcpListen) {
            listening = true;
            return false;
          }
          other_states.insert(promise::tcp_state_name(entry.state));
        } else if (entry.local == wildcard && entry.state == promise::kTcpListen) {
          wildcard_listening = true;
        }
        return true;
      },
      &scan);
  if (!error.empty()) return promise::Outcome::unknown(error);
  context.log.step(path + ": " + std::to_string(scan.sockets) + " socket(s) read, " +
                   std::to_string(scan.malformed) + " line(s) not understood");

  std::string states;
  for (const auto& state : other_states) states += (states.empty() ? "" : ", ") + state;
  promise::Outcome outcome;
  if (listening) {
    outcome = promise::Outcome::ok(where + " is listening (LISTEN in " + path + ")");
  } else if (!options.listen_only && !other_states.empty()) {
    outcome = promise::Outcome::ok(where + " is in " + path + " (" + states +
                                   "; --any-state: any state counts)");
  } else {
    std::string message = "nothing listens on " + where + " (" + path;
    message += other_states.empty() ? " has no socket there)"
                                    : " has it only as " + states + ", not LISTEN)";
    if (wildcard_listening) {
      message += "; a listener on " + wildcard.to_string() +
                 " serves this address, but only an exact match counts";
    }
    outcome = promise::Outcome::critical(message);
    if (options.positional) outcome.exit_status = 1;  // the toolbox's "not found"
  }
  return outcome;
}

}  // namespace

PROMISE_MAIN("is-local-tcp-port-opened",
             "Check in /proc/net/tcp that a local TCP socket listens on an address and port "
             "(no connection is made)",
             declare, check)
