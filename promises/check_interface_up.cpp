// check_interface_up: is a network interface up? Options and messages of the SlapOS toolbox
// plugin of the same name: /sys/class/net/<ifname>/operstate must say "up" ("unknown", which
// loopback and tun devices often report, is down, as for the plugin, unless --accept-unknown).
#include "promise/interface_state.hpp"
#include "promise/main.hpp"

#include <cstring>

namespace {

struct Options {
  std::string ifname;
  std::string testing;
  bool accept_unknown = false;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--ifname", options.ifname,
                 "The interface (a kernel interface name: 1-15 bytes, no '/', ':' or space)")
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.empty() || promise::valid_interface_name(value)
                       ? std::string()
                       : "'" + value + "' is not an interface name";
          },
          "NAME"));
  app.add_option("--testing", options.testing,
                 "Exactly True (as SlapOS renders a true flag) skips the check, as the plugin; "
                 "anything else, true included, checks");
  app.add_flag("--accept-unknown", options.accept_unknown,
               "Also count operstate 'unknown' as up when the interface is IFF_UP and has "
               "carrier (tun devices with a reader, loopback); the plugin counts it as down");
  // The only profile passes an empty ifname when testing: refused otherwise, at --install too.
  app.final_callback([&options] {
    if (options.ifname.empty() && options.testing != "True") {
      throw CLI::ValidationError("--ifname is empty (or missing) and --testing is not True");
    }
  });
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes, test 1 of 1 failure, anomaly 2 of 3 with "
      "bang. As an etc/promise/ executable: slapgrid's 1 of 1 and 3 of 3.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  if (options.testing == "True") return promise::Outcome::ok("skipping promise");
  context.phase("reading /sys/class/net");
  const auto state = promise::read_interface_state(options.ifname);
  if (state.error != 0) {
    const std::string path = "/sys/class/net/" + options.ifname + "/operstate";
    if (state.error == ENOENT) {
      return promise::Outcome::critical(options.ifname + " is down: no such interface (" + path +
                                        " does not exist)");
    }
    return promise::Outcome::unknown("cannot read " + path + ": " + std::strerror(state.error));
  }
  context.log.step("operstate " + state.operstate +
                   (state.flags ? ", flags " + std::to_string(*state.flags) : std::string()));
  if (state.operstate == "up") return promise::Outcome::ok(options.ifname + " is up");
  const bool up_with_carrier =
      state.flags && (*state.flags & promise::kIffUp) != 0 && state.carrier.value_or(false);
  if (options.accept_unknown && state.operstate == "unknown" && up_with_carrier) {
    return promise::Outcome::ok(options.ifname + " is up (operstate unknown, flag UP, carrier)");
  }
  return promise::Outcome::critical(options.ifname + " is down (operstate " +
                                    promise::python_repr(state.operstate) + ")");
}

}  // namespace

PROMISE_MAIN("check_interface_up", "Check that a network interface is up", declare, check)
