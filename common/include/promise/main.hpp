#pragma once
// The entry point of every promise. A promise file holds its options and its check:
//
//   struct Options { std::string host; int port = 0; };
//   void declare(CLI::App& app, Options& options);            // options, help, validators
//   promise::Outcome check(const Options& options, const promise::Context& context);
//   PROMISE_MAIN("check_x", "Check that ...", declare, check)
//
// The runner owns everything else: parsing (command line and baked-in configuration, the
// values of every boolean flag: see options.hpp), --help/--version, --timeout and the deadline
// backstop, the fatal signals (see prepare_for_threads in deadline.hpp), --format, -v,
// --install, --show-config, exit codes and the one status line.

#include "promise/context.hpp"
#include "promise/default_rule.hpp"
#include "promise/options.hpp"
#include "promise/outcome.hpp"

#include <functional>
#include <string_view>

namespace promise {

struct PromiseInfo {
  std::string_view name;         // the binary's name, e.g. "check_socket_listening"
  std::string_view description;  // one sentence for --help and `slapos-promise list`
};

// Flushes standard output and ends the process without running destructors: a resolver
// thread abandoned at the deadline may still be blocked, and must not be joined.
[[noreturn]] void exit_now(int exit_code);

int run_promise(int argc, char** argv, const PromiseInfo& info,
                const std::function<void(CLI::App&)>& declare,
                const std::function<Outcome(const Context&)>& check);

template <class Options>
int promise_main(int argc, char** argv, const PromiseInfo& info,
                 void (*declare)(CLI::App&, Options&),
                 Outcome (*check)(const Options&, const Context&)) {
  Options options;
  return run_promise(
      argc, argv, info, [&](CLI::App& app) { declare(app, options); },
      [&](const Context& context) { return check(options, context); });
}

}  // namespace promise

#define PROMISE_MAIN(name, description, declare, check)                                            \
  int main(int argc, char** argv) {                                                                \
    ::promise::exit_now(::promise::promise_main(argc, argv, {name, description}, declare, check)); \
  }
