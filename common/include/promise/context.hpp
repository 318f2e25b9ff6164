#pragma once
// What a check receives besides its options: the deadline and the log.

#include "promise/deadline.hpp"
#include "promise/log.hpp"

#include <string>
#include <string_view>

namespace promise {

struct Context {
  const Deadline& deadline;
  const Log& log;
  // The installed promise file that runs (etc/promise/<title>), "" when run by hand: where a
  // promise derives slapgrid's title for files named after it (promise_title below).
  std::string promise_file = {};

  // Names the step under way, for the deadline backstop and SIGTERM messages.
  void phase(const char* phase_literal) const { set_phase(phase_literal); }

  // slapgrid's title: the promise file's name without extension; fallback when run by hand.
  std::string promise_title(std::string_view fallback) const;

  // A relative path taken from the partition of the installed promise file (the grandparent of
  // its etc/promise/), as the plugins' paths are taken from slapgrid's working directory, so
  // that a run from elsewhere finds the same files; unchanged (relative to the working
  // directory) when the promise is not installed in a partition, or path is absolute.
  std::string in_partition(const std::string& path) const;
};

}  // namespace promise
