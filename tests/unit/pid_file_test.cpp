#include "promise/pid_file.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>

#include "process.hpp"

namespace promise {
namespace {

TEST(PythonInt, AcceptsWhatIntAccepts) {
  EXPECT_EQ(parse_python_int("1234"), 1234);
  EXPECT_EQ(parse_python_int(" \t1234\n\n"), 1234);
  EXPECT_EQ(parse_python_int("+12"), 12);
  EXPECT_EQ(parse_python_int("-12"), -12);
  EXPECT_EQ(parse_python_int("0012"), 12);
  EXPECT_EQ(parse_python_int("1_234"), 1234);
  EXPECT_EQ(parse_python_int("\x1c"
                             "5\x1f"),
            5);
  EXPECT_EQ(parse_python_int("99999999999999999999999999"), 9223372036854775807LL);
}

TEST(PythonInt, RefusesWhatIntRefuses) {
  for (const char* text : {"", " ", "\n", "x", "12x", "1 2", "_1", "1_", "1__2", "+", "-", "+-1",
                           "0x10", "1.0", "1e3"}) {
    EXPECT_FALSE(parse_python_int(text)) << text;
  }
  EXPECT_FALSE(parse_python_int(std::string("12\0", 3)));
}

TEST(PythonInt, ErrorTextIsPythons) {
  // python3 -c "int('x y\n')"
  EXPECT_EQ(python_int_error("x y\n"), "invalid literal for int() with base 10: 'x y\\n'");
  EXPECT_EQ(python_int_error(""), "invalid literal for int() with base 10: ''");
  const std::string long_text(500, 'a');
  EXPECT_LT(python_int_error(long_text).size(), 300u);
}

TEST(PidFile, ReadsAndParses) {
  test::TempDir dir;
  std::ofstream(dir / "ok") << "4242\n";
  std::ofstream(dir / "junk") << "not a pid";
  std::ofstream(dir / "huge") << std::string(10000, '1');
  const auto ok = read_pid_file(dir / "ok");
  EXPECT_EQ(ok.error, 0);
  EXPECT_EQ(ok.pid, 4242);
  EXPECT_EQ(ok.content, "4242\n");
  const auto junk = read_pid_file(dir / "junk");
  EXPECT_EQ(junk.error, 0);
  EXPECT_FALSE(junk.pid);
  EXPECT_EQ(junk.content, "not a pid");
  const auto huge = read_pid_file(dir / "huge");
  EXPECT_TRUE(huge.too_long);
  EXPECT_FALSE(huge.pid);
  EXPECT_EQ(huge.content.size(), 4096u);
  EXPECT_EQ(read_pid_file(dir / "missing").error, ENOENT);
  EXPECT_EQ(read_pid_file(dir.path()).error, EISDIR);
}

}  // namespace
}  // namespace promise
