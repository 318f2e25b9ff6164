// Writing a promise file: the path a file system without O_TMPFILE takes (a named temporary),
// the signal hook, and the removal of temporaries left by killed installs.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "internal.hpp"
#include "process.hpp"

namespace promise::detail {
namespace {

namespace fs = std::filesystem;
using test::read_file;
using test::TempDir;

std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

mode_t mode_of(const std::string& path) {
  struct stat info {};
  ::lstat(path.c_str(), &info);
  return info.st_mode & 07777;
}

class WritePromiseFile : public ::testing::TestWithParam<bool> {
 protected:
  WriteOptions options() const {
    WriteOptions options;
    options.unnamed_first = GetParam();
    return options;
  }
};

TEST_P(WritePromiseFile, WritesReplacesAndLeavesNothingElse) {
  TempDir dir;
  const std::string target = dir / "p";
  EXPECT_TRUE(write_promise_file(target, "first\n", 0700, options()));
  EXPECT_EQ(read_file(target), "first\n");
  EXPECT_EQ(mode_of(target), 0700u);
  EXPECT_FALSE(write_promise_file(target, "first\n", 0700, options()));  // up to date
  EXPECT_TRUE(write_promise_file(target, "second\n", 0700, options()));
  EXPECT_EQ(read_file(target), "second\n");
  EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"p"});
}

TEST_P(WritePromiseFile, TheLongestNameFitsItsTemporaryWithinNameMax) {
  TempDir dir;
  for (std::size_t length : {243u, 244u, 250u, 255u}) {
    const std::string name(length, 'n');
    EXPECT_NO_THROW(write_promise_file(dir / name, "one\n", 0700, options())) << length;
    EXPECT_NO_THROW(write_promise_file(dir / name, "two\n", 0700, options())) << length;
    EXPECT_EQ(read_file(dir / name), "two\n");
  }
  EXPECT_EQ(names_in(dir.path()).size(), 4u);
}

TEST_P(WritePromiseFile, ASymlinkIsReplacedNotFollowed) {
  TempDir dir, elsewhere;
  std::ofstream(elsewhere / "file") << "theirs\n";
  ::chmod((elsewhere / "file").c_str(), 0700);
  fs::create_symlink(elsewhere / "file", dir / "p");
  EXPECT_TRUE(write_promise_file(dir / "p", "theirs\n", 0700, options()));  // same content
  EXPECT_FALSE(fs::is_symlink(dir / "p"));
  EXPECT_EQ(read_file(dir / "p"), "theirs\n");
  EXPECT_EQ(read_file(elsewhere / "file"), "theirs\n");
}

// The fatal-signal handlers call discard_install_temporary: a SIGTERM while the temporary has
// a name (here: just before the rename) leaves the old file and nothing else.
TEST_P(WritePromiseFile, FatalSignalHookRemovesTheNamedTemporary) {
  TempDir dir;
  const std::string target = dir / "p";
  ASSERT_TRUE(write_promise_file(target, "old\n", 0700));
  const pid_t pid = ::fork();
  if (pid == 0) {
    struct sigaction action {};
    action.sa_handler = [](int) {
      discard_install_temporary();
      ::_exit(7);
    };
    ::sigaction(SIGTERM, &action, nullptr);
    WriteOptions options;
    options.unnamed_first = GetParam();
    options.before_rename = [] { ::raise(SIGTERM); };
    write_promise_file(target, "new\n", 0700, options);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << status;
  EXPECT_EQ(read_file(target), "old\n");
  EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"p"});
}

INSTANTIATE_TEST_SUITE_P(Install, WritePromiseFile, ::testing::Values(true, false),
                         [](const auto& param_info) {
                           return param_info.param ? "Unnamed" : "Named";
                         });

// A temporary of this promise that no install holds (its install was SIGKILLed) is removed by
// the next install; one a live install holds (flock) is left alone, and so is anything else.
TEST(Install, TemporariesOfKilledInstallsAreRemovedLiveOnesKept) {
  TempDir dir;
  const std::string long_name(250, 'l');
  const std::string cut_prefix = "." + long_name.substr(0, 243) + ".tmp-";
  for (const std::string& name :
       std::vector<std::string>{".p.tmp-Dead01", ".p.tmp-Live01", ".p.tmp-short", ".q.tmp-Other1",
                                "p.tmp-NoDot1", cut_prefix + "Dead02"}) {
    std::ofstream(dir / name) << "partial";
  }
  const int live = ::open((dir / ".p.tmp-Live01").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_EQ(::flock(live, LOCK_EX), 0);
  ASSERT_TRUE(write_promise_file(dir / "p", "promise\n", 0700));
  ASSERT_TRUE(write_promise_file(dir / long_name, "promise\n", 0700));
  ::close(live);
  EXPECT_EQ(names_in(dir.path()),
            (std::set<std::string>{"p", long_name, ".p.tmp-Live01", ".p.tmp-short", ".q.tmp-Other1",
                                   "p.tmp-NoDot1"}));
}

}  // namespace
}  // namespace promise::detail
