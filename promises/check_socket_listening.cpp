// check_socket_listening: is a server accepting connections at this address?
// Options as the SlapOS toolbox plugin of the same name: --host and --port (TCP, IPv4 or IPv6,
// name or literal), or --pathname (UNIX socket), or --abstract (abstract UNIX socket).
#include "promise/main.hpp"
#include "promise/socket_probe.hpp"

namespace {

struct Options {
  std::string host;
  int port = 0;
  std::string pathname;
  std::string abstract;
};

void declare(CLI::App& app, Options& options) {
  app.footer(
      "SlapOS plugin rule (toolbox check_socket_listening): frequency 2, fail on the last run at "
      "deployment, after 3 failed runs of 3 in steady state (result-count 3, failure-amount 3): "
      "slapgrid's legacy rule already, so no --frequency, --result-count or --failure-amount needed"
      " (the plugin's bang has no legacy equivalent).");
  // A run declares the forms it names (promise::option_named: ~13 k instructions each).
  CLI::Option* host = nullptr;
  CLI::Option* port = nullptr;
  CLI::Option* pathname = nullptr;
  CLI::Option* abstract = nullptr;
  if (promise::option_named("--host")) {
    host = app.add_option("--host", options.host,
                          "Host name or IP address; IPv6 with or without brackets")
               ->transform(promise::host_name());
  }
  if (promise::option_named("--port")) {
    port = app.add_option("--port", options.port, "TCP port")->check(promise::port_number());
  }
  if (promise::option_named("--pathname")) {
    pathname = app.add_option("--pathname", options.pathname, "Path of a UNIX socket")
                   ->check(promise::unix_socket_path());
  }
  if (promise::option_named("--abstract")) {
    abstract = app.add_option("--abstract", options.abstract,
                              "Name of an abstract UNIX socket, without the leading @")
                   ->check(promise::abstract_socket_name());
  }
  app.final_callback([=] {
    auto given = [](const CLI::Option* option) { return option != nullptr && option->count() > 0; };
    const bool tcp = given(host) && given(port);
    const int forms = (given(host) || given(port)) + given(pathname) + given(abstract);
    if (forms != 1 || ((given(host) || given(port)) && !tcp)) {
      throw CLI::ValidationError(
          "the address must be given in 1 of the following 3 forms: --host and --port, "
          "--pathname, or --abstract");
    }
  });
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  using promise::SocketAddress;
  if (!options.pathname.empty()) {
    return promise::check_listening(SocketAddress::unix_path(options.pathname), context);
  }
  if (!options.abstract.empty()) {
    return promise::check_listening(SocketAddress::unix_abstract(options.abstract), context);
  }
  return promise::check_listening(SocketAddress::tcp(options.host, options.port), context);
}

}  // namespace

PROMISE_MAIN("check_socket_listening",
             "Check that a server accepts connections on a TCP port or a UNIX socket", declare,
             check)
