#pragma once
// The bad-input case every promise shares: a bad command line gives UNKNOWN (3) in one line
// that mentions the reason, and --install with it is refused the same way, writing nothing.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {

// Returns the --install result, for the tests that check more of it.
inline ProcessResult expect_bad_input_refused(const std::string& binary, const BadInput& input,
                                              const std::string& install_mode = "script") {
  const ProcessResult result = run_program(binary, input.args);
  expect_line(result, 3, "UNKNOWN: ");
  EXPECT_NE(result.output.find(input.mentions), std::string::npos) << result.output;
  Partition partition;
  ProcessResult install = partition.install(binary, "p", install_mode, input.args);
  expect_line(install, 3, "UNKNOWN: ");
  EXPECT_FALSE(std::filesystem::exists(partition.promise("p")));
  return install;
}

}  // namespace promise::test
