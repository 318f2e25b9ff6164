#pragma once
// A promise's default rule: its SlapOS plugin's N-of-M and period, for rules slapgrid's legacy
// rule cannot express (CATALOGUE 2.5, e.g. check_server_cpu_load's test 10/10). Call it in the
// promise's declare():
//
//   promise::default_rule(app, {.result_count = 10, .failure_amount = 10});
//   promise::default_rule(app, {.frequency_minutes = 60});
//
// It is what --result-count/--failure-amount and --frequency are when the operator (command
// line or installed promise file) gives none of them; the two are separate: an explicit
// --result-count or --failure-amount replaces the default count pair (a default 10/10 and
// --result-count 3 is 3 of 3), an explicit --frequency replaces the default period.
// --result-count 1 and --frequency 0 turn the defaults off. --help shows them; --install
// bakes the state file's path (<partition>/var/promise/<title>.state) as for explicit options,
// but an install outside a partition is not refused for a default: at run time a promise with
// no place for its state applies no default rule (slapgrid's rule: this run's exit code) and
// says so at -v only. See README "Rules".

#include <CLI/CLI.hpp>

namespace promise {

struct DefaultRule {
  double frequency_minutes = 0;  // > 0: check at most once per period, replay in between
  int result_count = 0;          // M (0: not set)
  int failure_amount = 0;        // N (0: not set); set alone, one stands for both
};

// Throws std::logic_error for a rule that --frequency/--result-count would refuse (negative,
// above their limits, M < N): a programming error, caught by the promise's --help test.
void default_rule(CLI::App& app, const DefaultRule& rule);

}  // namespace promise
