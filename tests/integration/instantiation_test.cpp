// --install: promise files with baked-in options, run the way slapgrid runs them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "limits.hpp"
#include "listeners.hpp"
#include "partition.hpp"
#include "process.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kSocket = binary("check_socket_listening");
const std::string kPort = binary("check_port_listening");

ProcessResult install(std::vector<std::string> args) {
  return run(args);
}

class InstallModes : public ::testing::TestWithParam<std::string> {};

TEST_P(InstallModes, InstalledPromiseRunsLikeSlapgridRunsIt) {
  const std::string mode = GetParam();
  Partition partition;
  auto listener = Listener::tcp("::1");
  const auto up = std::to_string(listener.port());
  const auto down = std::to_string(unused_port());
  auto result = install({kSocket, "--install", partition.promise("web"), "--mode", mode, "--host",
                         "[::1]", "--port", up, "--timeout", "3"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.rfind("installed " + partition.promise("web"), 0), 0u) << result.output;
  result = install({kPort, "--install", partition.promise("db"), "--mode", mode, "--hostname",
                    "127.0.0.1", "--port", down});
  ASSERT_EQ(result.exit_code, 0) << result.output;

  struct stat info {};
  ASSERT_EQ(::stat(partition.promise("web").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);

  auto holds = partition.run_like_slapgrid("web");
  EXPECT_EQ(holds.exit_code, 0) << holds.output;
  EXPECT_EQ(holds.output.rfind("OK: [::1]:" + up + " is listening", 0), 0u) << holds.output;
  auto fails = partition.run_like_slapgrid("db");
  EXPECT_EQ(fails.exit_code, 2) << fails.output;
  EXPECT_EQ(fails.output,
            "CRITICAL: 127.0.0.1:" + down + " is not listening: connection refused\n");
  for (const auto& output : {holds.output, fails.output}) {
    EXPECT_TRUE(is_utf8(output));
    EXPECT_LT(output.size(), 5000u);  // slapgrid keeps only the last 5000 characters
  }
}

TEST_P(InstallModes, CommandLineOverridesBakedOptions) {
  Partition partition;
  auto listener = Listener::tcp("127.0.0.1");
  const auto down = std::to_string(unused_port());
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", GetParam(), "--host",
                     "127.0.0.1", "--port", down})
                .exit_code,
            0);
  auto result = run({partition.promise("p"), "--port", std::to_string(listener.port()), "-v"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("connecting to 127.0.0.1:" + std::to_string(listener.port())),
            std::string::npos)
      << result.output;
}

TEST_P(InstallModes, ShowConfigPrintsTheBakedOptions) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", GetParam(), "--host",
                     "[::1]", "--port", "8080", "--timeout", "2.5"})
                .exit_code,
            0);
  auto result = run({partition.promise("p"), "--show-config"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("host = \"::1\"\nport = \"8080\"\ntimeout = \"2.5\"\n"),
            std::string::npos)
      << result.output;
}

TEST_P(InstallModes, ReinstallingTheSameOptionsLeavesTheFileAlone) {
  Partition partition;
  const std::vector<std::string> args = {kSocket,  "--install", partition.promise("p"),
                                         "--mode", GetParam(),  "--host",
                                         "::1",    "--port",    "8080"};
  ASSERT_EQ(install(args).exit_code, 0);
  struct stat before {};
  ::stat(partition.promise("p").c_str(), &before);
  auto again = install(args);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find("is up to date"), std::string::npos) << again.output;
  struct stat after {};
  ::stat(partition.promise("p").c_str(), &after);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);

  auto changed = args;
  changed.back() = "8081";
  EXPECT_EQ(install(changed).exit_code, 0);
  EXPECT_NE(run({partition.promise("p"), "--show-config"}).output.find("port = \"8081\""),
            std::string::npos);
}

// A run whose options fail still speaks the baked format (read before the options are parsed).
TEST_P(InstallModes, BadOptionsOfARunAreReportedInTheBakedFormat) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", GetParam(), "--host",
                     "::1", "--port", "80", "--format", "json"})
                .exit_code,
            0);
  auto result = run({partition.promise("p"), "--port", "99999"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output.rfind("{\"state\":\"UNKNOWN\",\"exit_code\":3,\"message\":\"--port: ", 0),
            0u)
      << result.output;
}

INSTANTIATE_TEST_SUITE_P(Instantiation, InstallModes, ::testing::Values("script", "copy"));

TEST(Instantiation, ScriptModeIsATextFileNamingTheBinary) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--host", "::1", "--port", "80"})
                .exit_code,
            0);
  const std::string content = read_file(partition.promise("p"));
  EXPECT_EQ(content.rfind("#!" + fs::canonical(kSocket).string() + " --config\n", 0), 0u)
      << content;
  EXPECT_NE(content.find("\nhost = \"::1\"\nport = \"80\"\n"), std::string::npos) << content;
}

TEST(Instantiation, CopyModeNeedsNothingElse) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--mode", "copy", "--host",
                     "127.0.0.1", "--port", std::to_string(unused_port())})
                .exit_code,
            0);
  // Moved elsewhere, it still carries its options.
  TempDir elsewhere;
  fs::rename(partition.promise("p"), elsewhere / "moved");
  ProcessSpec spec;
  spec.argv = {elsewhere / "moved"};
  spec.env = std::vector<std::string>{};
  spec.cwd = "/";
  auto result = run_process(spec);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("connection refused"), std::string::npos) << result.output;
}

TEST(Instantiation, ValuesSurviveTheRoundTripByteForByte) {
  Partition partition;
  const std::string socket_path = partition.dir / "we \"ird\" #1, ok.sock";
  auto listener = Listener::unix_path(socket_path);
  ASSERT_EQ(
      install({kSocket, "--install", partition.promise("p"), "--pathname", socket_path}).exit_code,
      0);
  auto result = partition.run_like_slapgrid("p");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("#1, ok.sock is listening"), std::string::npos) << result.output;
}

TEST(Instantiation, BadOptionsWriteNothing) {
  Partition partition;
  for (const auto& args :
       {std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--host", "::1",
                                 "--port", "99999"},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--host", "::1",
                                 "--port", "80", "--timeout", "20"},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--mode", "zip",
                                 "--host", "::1", "--port", "80"},
        std::vector<std::string>{kSocket, "--install", partition.dir / "missing/dir/p", "--host",
                                 "::1", "--port", "80"},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--pathname", ""},
        std::vector<std::string>{kSocket, "--install", partition.promise("p"), "--abstract",
                                 std::string(108, 'a')},
        std::vector<std::string>{kPort, "--install", partition.promise("p"), "--hostname",
                                 std::string(64, 'h') + ".example", "--port", "80"}}) {
    auto result = install(args);
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_EQ(result.output.rfind("UNKNOWN: ", 0), 0u) << result.output;
    EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << result.output;
  }
  EXPECT_TRUE(fs::is_empty(partition.promise_dir));  // no promise, no temporary file
}

TEST(Instantiation, TimeoutOfTwentySecondsIsRefusedAtInstall) {
  Partition partition;
  auto result = install({kSocket, "--install", partition.promise("p"), "--host", "::1", "--port",
                         "80", "--timeout", "20"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.output.find("--timeout 20 is not below slapgrid's 20 s"), std::string::npos)
      << result.output;
}

TEST(Instantiation, ShebangTheKernelWouldCutIsRefused) {
  // The same binary under a path too long for a #! line (hard link, or copy across devices).
  TempDir dir;
  std::string deep = dir.path();
  while (deep.size() < 260) deep += "/deeper-directory-level";
  fs::create_directories(deep);
  const std::string long_binary = deep + "/check_socket_listening";
  std::error_code error;
  fs::create_hard_link(kSocket, long_binary, error);
  if (error) {
    fs::copy_file(kSocket, long_binary);
    fs::permissions(long_binary, fs::perms::owner_all);
  }
  Partition partition;
  auto result =
      install({long_binary, "--install", partition.promise("p"), "--host", "::1", "--port", "80"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("the kernel reads at most 256"), std::string::npos) << result.output;
  EXPECT_TRUE(fs::is_empty(partition.promise_dir));
  // Copy mode has no #! line and works from there.
  EXPECT_EQ(install({long_binary, "--install", partition.promise("p"), "--mode", "copy", "--host",
                     "::1", "--port", "80"})
                .exit_code,
            0);
}

// ---- install safety: names, directories, symlinks, signals, kills, concurrency -------------

// Every file of a directory but the ones named.
std::vector<std::string> other_files(const std::string& dir, const std::set<std::string>& known) {
  std::vector<std::string> others;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!known.count(name)) others.push_back(name);
  }
  return others;
}

std::vector<std::string> socket_install(const std::string& path, const std::string& mode,
                                        int port) {
  return {kSocket,  "--install",         path, "--mode", mode, "--host", "::1",
          "--port", std::to_string(port)};
}

class InstallSafety : public ::testing::TestWithParam<std::string> {};

// The temporary name used to be 12 bytes longer than the target: a valid 250-byte name failed
// with "File name too long".
TEST_P(InstallSafety, TheLongestValidNameInstalls) {
  Partition partition;
  const std::string name(250, 'p');
  auto result = install(socket_install(partition.promise(name), GetParam(), 8080));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto shown = run({partition.promise(name), "--show-config"});
  EXPECT_NE(shown.output.find("port = \"8080\""), std::string::npos) << shown.output;
  EXPECT_EQ(other_files(partition.promise_dir, {name}), std::vector<std::string>{});
}

// A symlink in the promise's place is replaced by the promise; what it points to is never
// written, even when it already holds the same promise.
TEST_P(InstallSafety, ASymlinkIsReplacedNeverWrittenThrough) {
  Partition partition;
  TempDir elsewhere;
  const auto args = socket_install(partition.promise("p"), GetParam(), 8080);
  ASSERT_EQ(install(socket_install(elsewhere / "same", GetParam(), 8080)).exit_code, 0);
  std::ofstream(elsewhere / "other") << "not a promise\n";
  for (const std::string pointed : {"other", "same", "absent"}) {
    fs::remove(partition.promise("p"));
    const std::string before = read_file(elsewhere / pointed);
    fs::create_symlink(elsewhere / pointed, partition.promise("p"));
    auto result = install(args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_FALSE(fs::is_symlink(partition.promise("p"))) << pointed;
    EXPECT_EQ(read_file(elsewhere / pointed), before) << pointed;
    EXPECT_EQ(fs::exists(elsewhere / pointed), pointed != "absent");
    EXPECT_EQ(read_file(partition.promise("p")), read_file(elsewhere / "same")) << pointed;
  }
}

// Starts an install without waiting for it; its output is thrown away.
pid_t spawn_install(const std::vector<std::string>& args) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(error));
  return pid;
}

// The promise files a mode writes for ports 8080 and 8081, and how long an install takes.
struct Variants {
  std::string mode;
  TempDir dir;
  std::map<std::string, int> port_of;  // content -> port
  double install_seconds = 0;          // the median of a few complete installs

  explicit Variants(std::string install_mode) : mode(std::move(install_mode)) {
    std::vector<double> times;
    for (int port : {8080, 8081}) {
      const std::string path = dir / std::to_string(port);
      for (int i = 0; i < 3; ++i) {
        fs::remove(path);
        const auto start = std::chrono::steady_clock::now();
        int status = 0;
        ::waitpid(spawn_install(socket_install(path, mode, port)), &status, 0);
        times.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        EXPECT_EQ(status, 0);
      }
      port_of[read_file(path)] = port;
    }
    std::sort(times.begin(), times.end());
    install_seconds = times[times.size() / 2];
  }
  bool complete(const std::string& content) const { return port_of.count(content) != 0; }
};

// The partition's promise directory on tmpfs where there is one: these tests are about what a
// kill or a race leaves, not about the disk, and fsync on a busy disk would make them slow.
struct FastPartition {
  std::optional<TempDir> shm_dir;
  std::string promise_dir;
  FastPartition() {
    if (::access("/dev/shm", W_OK) == 0) {
      std::string pattern = "/dev/shm/promise-test-XXXXXX";
      if (::mkdtemp(pattern.data()) != nullptr) {
        promise_dir = pattern;
        return;
      }
    }
    shm_dir.emplace();
    promise_dir = shm_dir->path();
  }
  ~FastPartition() {
    if (!shm_dir) fs::remove_all(promise_dir);
  }
  std::string promise(const std::string& name) const { return promise_dir + "/" + name; }
};

// SIGTERM (buildout stopped, the node shutting down) at any moment of an install leaves the
// old promise or the new one, and no temporary file (it used to leave an executable one).
TEST_P(InstallSafety, SigtermMidInstallLeavesNoTemporary) {
  const Variants variants(GetParam());
  FastPartition partition;
  const std::string target = partition.promise("p");
  ASSERT_EQ(install(socket_install(target, GetParam(), 8080)).exit_code, 0);
  std::mt19937 random(15);
  const auto longest = static_cast<unsigned>(variants.install_seconds * 1e6);
  const int rounds = kSanitized ? 30 : 100;  // a sanitized copy install takes ~0.5 s
  for (int round = 0; round < rounds; ++round) {
    const pid_t pid = spawn_install(socket_install(target, GetParam(), 8080 + round % 2));
    std::this_thread::sleep_for(std::chrono::microseconds(random() % longest));
    ::kill(pid, SIGSTOP);
    ::kill(pid, SIGTERM);
    ::kill(pid, SIGCONT);
    ::waitpid(pid, nullptr, 0);
    ASSERT_EQ(other_files(partition.promise_dir, {"p"}), std::vector<std::string>{})
        << "round " << round;
    ASSERT_TRUE(variants.complete(read_file(target))) << "round " << round;
  }
}

// kill -9 at random moments of many installs: the promise is always the old complete file or
// the new one. A SIGKILLed install cannot tidy up: its temporary, if it had named one yet, is
// complete (it gets a name only once written) or not executable, and the next install removes it.
TEST_P(InstallSafety, KillNineAtRandomMomentsLeavesACompletePromise) {
  const Variants variants(GetParam());
  FastPartition partition;
  const std::string target = partition.promise("p");
  ASSERT_EQ(install(socket_install(target, GetParam(), 8080)).exit_code, 0);
  std::mt19937 random(9);
  const auto longest = static_cast<unsigned>(variants.install_seconds * 1e6);
  const int installs = kSanitized ? 30 : 500;  // per mode: 1,000 in all (release)
  int strays = 0;
  for (int round = 0; round < installs; ++round) {
    const pid_t pid = spawn_install(socket_install(target, GetParam(), 8080 + round % 2));
    std::this_thread::sleep_for(std::chrono::microseconds(random() % longest));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ASSERT_TRUE(variants.complete(read_file(target))) << "round " << round;
    for (const auto& name : other_files(partition.promise_dir, {"p"})) {
      ++strays;
      const std::string path = partition.promise(name);
      const bool executable = ::access(path.c_str(), X_OK) == 0;
      ASSERT_TRUE(variants.complete(read_file(path)) || !executable) << name;
    }
  }
  ASSERT_EQ(install(socket_install(target, GetParam(), 8080)).exit_code, 0);
  EXPECT_EQ(other_files(partition.promise_dir, {"p"}), std::vector<std::string>{})
      << strays << " stray temporaries seen during the run";
}

// Twenty installs of one path at once (two different promises): each succeeds, and one
// complete promise is left, nothing else.
TEST_P(InstallSafety, ConcurrentInstallsLeaveOneCompletePromise) {
  const Variants variants(GetParam());
  FastPartition partition;
  const std::string target = partition.promise("p");
  for (int round = 0; round < 3; ++round) {
    std::vector<pid_t> pids;
    for (int i = 0; i < 20; ++i) {
      pids.push_back(spawn_install(socket_install(target, GetParam(), 8080 + i % 2)));
    }
    for (pid_t pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
    }
    EXPECT_TRUE(variants.complete(read_file(target)));
    EXPECT_EQ(other_files(partition.promise_dir, {"p"}), std::vector<std::string>{});
  }
}

INSTANTIATE_TEST_SUITE_P(Instantiation, InstallSafety, ::testing::Values("script", "copy"));

// A promise directory anyone can write to (without the sticky bit) lets anyone replace the
// promise slapgrid runs as the partition user: refused, and so is one group-writable for a
// group other than the installer's own, and one under such a directory.
TEST(Instantiation, DirectoryOthersCouldWriteIsRefused) {
  Partition partition;
  const std::string parent = partition.dir / "etc";
  auto install_into = [&](const std::string& dir) {
    return install(socket_install(dir + "/p", "script", 8080));
  };
  auto expect_refused = [&](const std::string& dir, const std::string& why) {
    auto result = install_into(dir);
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_EQ(result.output.rfind("UNKNOWN: --install: ", 0), 0u) << result.output;
    EXPECT_NE(result.output.find(why), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << result.output;
    EXPECT_FALSE(fs::exists(dir + "/p"));
  };
  ::chmod(partition.promise_dir.c_str(), 0777);
  expect_refused(partition.promise_dir, "is writable by others");
  EXPECT_TRUE(fs::is_empty(partition.promise_dir));
  ::chmod(partition.promise_dir.c_str(), 01777);  // sticky: only the owner may replace a file
  EXPECT_EQ(install_into(partition.promise_dir).exit_code, 0);
  fs::remove(partition.promise("p"));

  ::chmod(partition.promise_dir.c_str(), 0755);
  ::chmod(parent.c_str(), 0777);  // whoever can rename etc/promise can replace it
  expect_refused(partition.promise_dir, "is writable by others");
  ::chmod(parent.c_str(), 0755);

  ::chmod(partition.promise_dir.c_str(), 0775);  // our own group: accepted
  EXPECT_EQ(install_into(partition.promise_dir).exit_code, 0);
  fs::remove(partition.promise("p"));
  const gid_t other_group = ::getegid() + 1000;
  if (::chown(partition.promise_dir.c_str(), static_cast<uid_t>(-1), other_group) == 0) {
    ::chmod(partition.promise_dir.c_str(), 0775);  // chown may have cleared bits
    expect_refused(partition.promise_dir, "is writable by group " + std::to_string(other_group));
  }
}

// A NUL byte cut the reason short ("UNKNOWN: --host: '127.0.0.1 (see --help)"): the whole
// reason, the NUL shown escaped.
TEST(Instantiation, HandEditedNulByteIsShownEscapedInAWholeReason) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--port", "80", "--host", "::1"})
                .exit_code,
            0);
  std::string text = read_file(partition.promise("p"));
  const auto host = text.find("host = \"::1\"");
  ASSERT_NE(host, std::string::npos) << text;
  text.replace(host, 12, "host = \"127.0.0.1\\x00evil\"");
  std::ofstream(partition.promise("p"), std::ios::trunc) << text;
  auto result = partition.run_like_slapgrid("p");
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("127.0.0.1\\x00evil"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(" (see --help)\n"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find('\0'), std::string::npos);
}

TEST(Instantiation, HandEditedUnknownKeyIsRefused) {
  Partition partition;
  ASSERT_EQ(install({kSocket, "--install", partition.promise("p"), "--host", "::1", "--port", "80"})
                .exit_code,
            0);
  std::ofstream(partition.promise("p"), std::ios::app) << "colour = \"blue\"\n";
  auto result = partition.run_like_slapgrid("p");
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("colour"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace promise::test
