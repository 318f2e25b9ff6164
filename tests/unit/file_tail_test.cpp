#include "promise/file_tail.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "process.hpp"

namespace promise {
namespace {

using Lines = std::vector<std::string>;

class FileTailTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const std::string path = dir_ / "file";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
  }
  test::TempDir dir_;
};

TEST_F(FileTailTest, LastLinesOldestFirst) {
  const auto tail = read_tail(write("one\ntwo\nthree\nfour\nfive\n"), 3, 4096);
  EXPECT_EQ(tail.error, 0);
  EXPECT_EQ(tail.lines, (Lines{"three", "four", "five"}));
  EXPECT_FALSE(tail.first_line_cut);
  EXPECT_EQ(tail.bytes_before, 8u);
  EXPECT_EQ(tail.file_size, 24u);
}

TEST_F(FileTailTest, FinalLineWithoutNewlineAndEmptyLines) {
  EXPECT_EQ(read_tail(write("a\nb"), 4, 4096).lines, (Lines{"a", "b"}));
  EXPECT_EQ(read_tail(write("a\n\n\nb\n"), 4, 4096).lines, (Lines{"a", "", "", "b"}));
  EXPECT_EQ(read_tail(write("\n"), 4, 4096).lines, (Lines{""}));
  EXPECT_EQ(read_tail(write("x\r\n"), 4, 4096).lines, (Lines{"x\r"}));
  EXPECT_TRUE(read_tail(write(""), 4, 4096).lines.empty());
  EXPECT_TRUE(read_tail(write("a\nb\n"), 0, 4096).lines.empty());
}

TEST_F(FileTailTest, FewerLinesThanAskedIsTheWholeFile) {
  const auto tail = read_tail(write("only\nthese\n"), 10, 4096);
  EXPECT_EQ(tail.lines, (Lines{"only", "these"}));
  EXPECT_FALSE(tail.first_line_cut);
  EXPECT_EQ(tail.bytes_before, 0u);
}

TEST_F(FileTailTest, ReadsAcrossBlocksBackwards) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + "\n";
  const auto tail = read_tail(write(text), 4, 1 << 20);
  EXPECT_EQ(tail.lines, (Lines{"line 4996", "line 4997", "line 4998", "line 4999"}));
  // A line that straddles the 4 KiB block boundary comes back whole.
  const std::string long_line(6000, 'z');
  EXPECT_EQ(read_tail(write("a\n" + long_line + "\nb\n"), 2, 1 << 20).lines,
            (Lines{long_line, "b"}));
}

TEST_F(FileTailTest, NeverReadsMoreThanMaxBytes) {
  const std::string huge_line(100000, 'x');
  const auto tail = read_tail(write("head\n" + huge_line + "\nlast\n"), 4, 1000);
  ASSERT_EQ(tail.lines.size(), 2u);
  EXPECT_TRUE(tail.first_line_cut);
  EXPECT_EQ(tail.lines[0], std::string(1000 - 6, 'x'));  // the window less "\nlast\n"
  EXPECT_EQ(tail.lines[1], "last");
  EXPECT_EQ(tail.bytes_before, 5u + 100000 + 1 + 5 - 1000);
}

TEST_F(FileTailTest, AWindowStartingExactlyAtALineIsNotCut) {
  // "abc\n" then "defg\n": a 5-byte window starts at "defg", right after a newline.
  const auto tail = read_tail(write("abc\ndefg\n"), 4, 5);
  EXPECT_EQ(tail.lines, (Lines{"defg"}));
  EXPECT_FALSE(tail.first_line_cut);
}

TEST_F(FileTailTest, BytesComeBackAsTheyAre) {
  const auto tail = read_tail(write(std::string("bad \xff\xfe\0 bytes\n", 14)), 1, 100);
  EXPECT_EQ(tail.lines, (Lines{std::string("bad \xff\xfe\0 bytes", 13)}));
}

TEST_F(FileTailTest, ErrorsAreErrno) {
  EXPECT_EQ(read_tail(dir_ / "missing", 4, 100).error, ENOENT);
  EXPECT_EQ(read_tail(dir_.path(), 4, 100).error, EISDIR);
  const std::string fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(read_tail(fifo, 4, 100).error, ESPIPE);  // and it does not block on open
  if (::geteuid() != 0) {
    const std::string secret = write("x\n");
    ::chmod(secret.c_str(), 0);
    EXPECT_EQ(read_tail(secret, 4, 100).error, EACCES);
  }
}

}  // namespace
}  // namespace promise
