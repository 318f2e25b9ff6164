// check_file_state on real files: absent, empty, not empty, binary, a directory, a FIFO, an
// unreadable file, a read error, dangling and looping symbolic links.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bad_input.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"
#include "unprivileged.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kFileState = binary("check_file_state");

ProcessResult check(std::vector<std::string> args) {
  return run_program(kFileState, std::move(args));
}

class FileState : public ::testing::Test {
 protected:
  TempDir dir;
  std::string empty = dir / "error.txt";
  std::string full = dir / "full.txt";
  void SetUp() override {
    overwrite_file(empty, "");
    overwrite_file(full, "line 1\nline 2\n");
  }
};

TEST_F(FileState, EmptyFileHoldsEmptyAndFailsNotEmpty) {
  expect_output(check({"--filename", empty, "--state", "empty"}), 0,
                "OK: '" + empty + "' state 'empty'");
  expect_output(check({"--filename", empty, "--state", "not-empty"}), 2,
                "CRITICAL: '" + empty + "' empty");
}

TEST_F(FileState, FileWithContentFailsEmptyAndHoldsNotEmpty) {
  expect_output(check({"--filename", full, "--state", "empty"}), 2,
                "CRITICAL: '" + full + "' not empty");
  expect_output(check({"--filename", full, "--state", "not-empty"}), 0,
                "OK: '" + full + "' state 'not-empty'");
}

TEST_F(FileState, UrlIsAppendedToNotEmptyOnlyAndStripped) {
  expect_output(
      check({"--filename", full, "--state", "empty", "--url", "  https://[::1]:8443/error.txt \n"}),
      2, "CRITICAL: '" + full + "' not empty, content available at https://[::1]:8443/error.txt");
  expect_output(check({"--filename", empty, "--state", "not-empty", "--url", "https://x/"}), 2,
                "CRITICAL: '" + empty + "' empty");
  expect_output(check({"--filename", full, "--state", "empty", "--url", "   "}), 2,
                "CRITICAL: '" + full + "' not empty");
}

TEST_F(FileState, BinaryContentIsNotEmptyNotADecodingError) {
  const std::string binary_file = dir / "core";
  overwrite_file(binary_file, std::string("\xff\xfe\x00\x80", 4));
  expect_output(check({"--filename", binary_file, "--state", "empty"}), 2,
                "CRITICAL: '" + binary_file + "' not empty");
  auto json = check({"--filename", binary_file, "--state", "not-empty", "--format", "json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_NE(json.output.find("\"size\":{\"value\":4,\"unit\":\"B\"}"), std::string::npos)
      << json.output;
}

TEST_F(FileState, AbsentFile) {
  const std::string missing = dir / "nothing-here";
  expect_output(check({"--filename", missing, "--state", "absent"}), 0,
                "OK: '" + missing + "' state 'absent'");
  expect_output(check({"--filename", missing, "--state", "empty"}), 2,
                "CRITICAL: '" + missing + "' not present");
  expect_output(check({"--filename", missing, "--state", "not-empty"}), 2,
                "CRITICAL: '" + missing + "' not present");
  expect_output(check({"--filename", full, "--state", "absent"}), 2,
                "CRITICAL: '" + full + "' not absent");
  const std::string under_a_file = full + "/x";  // ENOTDIR: absent, as os.path.exists says
  expect_output(check({"--filename", under_a_file, "--state", "absent"}), 0,
                "OK: '" + under_a_file + "' state 'absent'");
}

TEST_F(FileState, SymbolicLinksAreFollowed) {
  const std::string dangling = dir / "dangling";
  fs::create_symlink(dir / "gone", dangling);
  expect_output(check({"--filename", dangling, "--state", "absent"}), 0,
                "OK: '" + dangling + "' state 'absent'");
  expect_output(check({"--filename", dangling, "--state", "empty"}), 2,
                "CRITICAL: '" + dangling + "' not present");
  const std::string loop = dir / "loop";
  fs::create_symlink(loop, loop);
  expect_output(check({"--filename", loop, "--state", "absent"}), 0,
                "OK: '" + loop + "' state 'absent'");
  const std::string link = dir / "link";
  fs::create_symlink(full, link);
  expect_output(check({"--filename", link, "--state", "empty"}), 2,
                "CRITICAL: '" + link + "' not empty");
}

TEST_F(FileState, DirectoryIsUnknownAndNotAbsent) {
  const std::string sub = dir / "sub";
  fs::create_directory(sub);
  expect_output(
      check({"--filename", sub, "--state", "empty"}), 3,
      "UNKNOWN: '" + sub + "' could not be opened and read: it is a directory, not a regular file");
  expect_output(check({"--filename", sub, "--state", "absent"}), 2,
                "CRITICAL: '" + sub + "' not absent");
}

TEST_F(FileState, FifoDoesNotBlock) {
  const std::string fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = run({kFileState, "--filename", fifo, "--state", "empty", "--timeout", "5"}, 10);
  expect_output(result, 3,
                "UNKNOWN: '" + fifo +
                    "' could not be opened and read: it is a FIFO, not a "
                    "regular file");
  EXPECT_LT(result.seconds, 2);
}

TEST_F(FileState, ReadErrorIsUnknown) {
  // /proc/self/mem: a regular file of size 0 whose first byte cannot be read (EIO).
  expect_output(check({"--filename", "/proc/self/mem", "--state", "empty"}), 3,
                "UNKNOWN: '/proc/self/mem' could not be opened and read: Input/output error");
  // And a /proc file of size 0 that has content is not empty.
  expect_output(check({"--filename", "/proc/self/status", "--state", "not-empty"}), 0,
                "OK: '/proc/self/status' state 'not-empty'");
}

TEST_F(FileState, UnreadableFileIsUnknown) {
  const std::string secret = dir / "secret";
  overwrite_file(secret, "");
  ASSERT_EQ(::chmod(secret.c_str(), 0), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  auto result = run_unprivileged({kFileState, "--filename", secret, "--state", "empty"});
  if (unprivileged_run_refused(result)) {
    GTEST_SKIP() << "cannot run the promise as an unprivileged user here: " << result.output;
  }
  expect_output(result, 3,
                "UNKNOWN: '" + secret + "' could not be opened and read: Permission denied");
  // Absent is a stat(2) question: the file is there, readable or not.
  expect_output(run_unprivileged({kFileState, "--filename", secret, "--state", "absent"}), 2,
                "CRITICAL: '" + secret + "' not absent");
}

TEST_F(FileState, PathsAreShownAsPythonReprShowsThem) {
  const std::string odd = dir / "it's a\tfile\xff";
  overwrite_file(odd, "x");
  expect_output(check({"--filename", odd, "--state", "empty"}), 2,
                "CRITICAL: \"" + dir.path() + "/it's a\\tfile\\udcff\" not empty");
}

TEST_F(FileState, RelativePathsAreFromTheWorkingDirectory) {
  ProcessSpec spec;
  spec.argv = {kFileState, "--filename", "full.txt", "--state", "not-empty"};
  spec.cwd = dir.path();
  expect_output(run_process(spec), 0, "OK: 'full.txt' state 'not-empty'");
}

TEST_F(FileState, PluginOnlyOptionsAreAcceptedAndChangeNothing) {
  expect_output(check({"--filename", full, "--state", "empty", "--report-anomaly=false",
                       "--perdiodic-only=true"}),
                2, "CRITICAL: '" + full + "' not empty");
  expect_output(check({"--filename", empty, "--state", "empty", "--periodic-only"}), 0,
                "OK: '" + empty + "' state 'empty'");
}

class FileStateInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(FileStateInstall, InstalledPromiseRunsLikeSlapgridRunsIt) {
  Partition partition;
  fs::create_directories(partition.dir / "srv/monitor");
  overwrite_file(partition.dir / "srv/monitor/error.txt", "");
  // Relative to the partition, as slapgrid runs the promise there; the file may not exist yet.
  ASSERT_EQ(partition
                .install(kFileState, "error-empty", GetParam(),
                         {"--filename", "srv/monitor/error.txt", "--state", "empty", "--url",
                          "https://[::1]/error.txt", "--report-anomaly=false"})
                .exit_code,
            0);
  ASSERT_EQ(partition
                .install(kFileState, "lock-absent", GetParam(),
                         {"--filename", "var/run/lock", "--state", "absent"})
                .exit_code,
            0);
  expect_output(partition.run_like_slapgrid("error-empty"), 0,
                "OK: 'srv/monitor/error.txt' state 'empty'");
  expect_output(partition.run_like_slapgrid("lock-absent"), 0, "OK: 'var/run/lock' state 'absent'");
  overwrite_file(partition.dir / "srv/monitor/error.txt", "boom\n");
  expect_output(partition.run_like_slapgrid("error-empty"), 2,
                "CRITICAL: 'srv/monitor/error.txt' not empty, content available at "
                "https://[::1]/error.txt");
}

INSTANTIATE_TEST_SUITE_P(Modes, FileStateInstall, ::testing::Values("script", "copy"));

class BadFileStateInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadFileStateInput, IsUnknownWithAOneLineReasonAndInstallsNothing) {
  const ProcessResult install = expect_bad_input_refused(kFileState, GetParam());
  EXPECT_NE(install.output.find(GetParam().mentions), std::string::npos) << install.output;
}

INSTANTIATE_TEST_SUITE_P(
    FileState, BadFileStateInput,
    ::testing::Values(
        BadInput{"UnknownState", {"--filename", "/x", "--state", "present"}, "--state: present"},
        BadInput{"EmptyState", {"--filename", "/x", "--state", ""}, "--state"},
        BadInput{"NoState", {"--filename", "/x"}, "--state is required"},
        BadInput{"NoFilename", {"--state", "empty"}, "--filename is required"},
        BadInput{"EmptyFilename", {"--filename", "", "--state", "empty"}, "empty file name"},
        BadInput{"BadBoolean",
                 {"--filename", "/x", "--state", "empty", "--report-anomaly=maybe"},
                 "--report-anomaly"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
