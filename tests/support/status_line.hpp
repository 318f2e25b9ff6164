#pragma once
// Assertions every test of a promise's output shares: one line, starting as expected, at most
// 1,000 bytes plus the newline, valid UTF-8. And the shape of the bad-input cases.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "process.hpp"

namespace promise::test {

inline void expect_status_line(const ProcessResult& result, const std::string& starts_with) {
  EXPECT_EQ(result.output.rfind(starts_with, 0), 0u) << result.output;
  EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << result.output;
  EXPECT_LE(result.output.size(), 1001u);
  EXPECT_TRUE(is_utf8(result.output));
}

inline void expect_line(const ProcessResult& result, int exit_code,
                        const std::string& starts_with) {
  EXPECT_EQ(result.exit_code, exit_code) << result.output;
  expect_status_line(result, starts_with);
}

// The whole output is exactly this one line.
inline void expect_output(const ProcessResult& result, int exit_code, const std::string& line) {
  EXPECT_EQ(result.exit_code, exit_code) << result.output;
  EXPECT_EQ(result.output, line + "\n");
}

// A bad command line: it must give UNKNOWN (3) in one line that mentions something.
struct BadInput {
  std::string name;  // the test's name
  std::vector<std::string> args;
  std::string mentions;
  friend void PrintTo(const BadInput& input, std::ostream* out) { *out << input.name; }
};

inline std::string bad_input_name(const ::testing::TestParamInfo<BadInput>& param_info) {
  return param_info.param.name;
}

}  // namespace promise::test
