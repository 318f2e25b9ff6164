#pragma once
// What an operator reads after `slapos-promise run`: one aligned line per promise, then a
// summary line.

#include "promise_dir.hpp"

#include <string>
#include <vector>

namespace promise::runner {

// "OK", "FAILED", "TIMEOUT", "SKIPPED".
const char* verdict_word(Verdict verdict);

// PROMISE, STATE, TIME (with ms) and MESSAGE columns, in the order given. A message is made one
// line (line breaks shown as " | ", control bytes escaped) and cut to fit terminal_columns
// (0: not a terminal, messages cut at 1000 bytes; the full text is in --format json).
std::string render_table(const std::vector<PromiseResult>& results, bool full_paths,
                         std::size_t terminal_columns);

// "3 promises: 2 OK, 1 failed in 0.21 s", plus the timeouts and skipped files if any.
std::string render_summary(const std::vector<PromiseResult>& results, double wall_seconds);

}  // namespace promise::runner
