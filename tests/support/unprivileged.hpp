#pragma once
// Runs a promise as nobody when the tests run as root (root reads everything), for the cases
// of a file the promise may not read.

#include <grp.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "process.hpp"

namespace promise::test {

inline ProcessResult run_unprivileged(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  if (::getuid() == 0) {
    spec.before_exec = [] {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
        ::_exit(125);
      }
    };
  }
  return run_process(spec);
}

// True when the kernel refused the switch to nobody (or the exec after it): skip, then.
inline bool unprivileged_run_refused(const ProcessResult& result) {
  return result.exit_code == 125 || result.output.rfind("exec ", 0) == 0;
}

}  // namespace promise::test
