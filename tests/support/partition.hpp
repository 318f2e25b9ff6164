#pragma once
// A SlapOS partition for the tests: a directory with etc/promise/ inside, into which promises
// are installed, and which runs them the way slapgrid does.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "process.hpp"

namespace promise::test {

struct Partition {
  TempDir dir;
  std::string path = dir.path();
  std::string promise_dir = dir / "etc/promise";

  Partition() { std::filesystem::create_directories(promise_dir); }
  std::string operator/(const std::string& name) const { return dir / name; }
  std::string promise(const std::string& name) const { return promise_dir + "/" + name; }

  // binary --install etc/promise/NAME --mode MODE args...
  ProcessResult install(const std::string& binary, const std::string& name, const std::string& mode,
                        std::vector<std::string> args) const {
    args.insert(args.begin(), {binary, "--install", promise(name), "--mode", mode});
    return run(args);
  }

  // As slapgrid: argv is the path alone, cwd the partition (or cwd when given), a clean
  // environment, stdout and stderr merged into one pipe.
  ProcessResult run_like_slapgrid(const std::string& name, const std::string& cwd = {},
                                  std::function<void()> before_exec = {}) const {
    ProcessSpec spec;
    spec.argv = {promise(name)};
    spec.cwd = cwd.empty() ? dir.path() : cwd;
    spec.env = clean_environment();
    spec.time_limit = 20;
    spec.before_exec = std::move(before_exec);
    return run_process(spec);
  }

  // binary args... with the partition as working directory.
  ProcessResult run_in(std::vector<std::string> argv, double time_limit = 30) const {
    ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.cwd = path;
    spec.time_limit = time_limit;
    return run_process(spec);
  }
};

}  // namespace promise::test
