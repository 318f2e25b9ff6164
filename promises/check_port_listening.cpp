// check_port_listening: is a server accepting TCP connections on this host and port?
// Options as the slapos.cookbook recipe of the same name (hostname, port); the engine and the
// messages are check_socket_listening's.
#include "promise/main.hpp"
#include "promise/socket_probe.hpp"

namespace {

struct Options {
  std::string hostname;
  int port = 0;
};

void declare(CLI::App& app, Options& options) {
  app.footer(
      "SlapOS rule: the cookbook recipe check_port_listening writes a legacy promise, held to "
      "slapgrid's rule (fail on the last run at deployment, after 3 failed runs in a row in steady "
      "state, every 2 min): no --frequency, --result-count or --failure-amount needed.");
  app.add_option("--hostname", options.hostname,
                 "Host name or IP address; IPv6 with or without brackets")
      ->transform(promise::host_name())
      ->required();
  app.add_option("--port", options.port, "TCP port")->check(promise::port_number())->required();
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  return promise::check_listening(promise::SocketAddress::tcp(options.hostname, options.port),
                                  context);
}

}  // namespace

PROMISE_MAIN("check_port_listening", "Check that a server accepts TCP connections on a port",
             declare, check)
