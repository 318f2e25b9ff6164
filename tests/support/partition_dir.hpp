#pragma once
// A partition folder as slapgrid sees it, in a temporary directory: etc/promise inside, and a
// way to install a promise there and run it as slapgrid runs it.

#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"

namespace promise::test {

struct PartitionDir {
  TempDir dir;
  std::string path = dir.path();
  std::string promise_dir = dir / "etc/promise";

  PartitionDir() { std::filesystem::create_directories(promise_dir); }
  std::string operator/(const std::string& name) const { return dir / name; }
  std::string promise(const std::string& name) const { return promise_dir + "/" + name; }

  // binary --install etc/promise/<name> --mode <mode> args...
  ProcessResult install(const std::string& binary, const std::string& name, const std::string& mode,
                        std::vector<std::string> args) const {
    std::vector<std::string> argv = {binary, "--install", promise(name), "--mode", mode};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

  // As slapgrid: argv is the path alone, cwd the partition, a clean environment, stdout and
  // stderr merged into one pipe.
  ProcessResult run_like_slapgrid(const std::string& name) const {
    ProcessSpec spec;
    spec.argv = {promise(name)};
    spec.cwd = path;
    spec.env = clean_environment();
    spec.time_limit = 20;
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
