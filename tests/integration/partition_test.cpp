// check_partition_deployment_state and monitor_bootstrap_status on real partition trees in a
// temporary directory, with real processes standing in for the monitor bootstrap.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "limits.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "promise/proc_pid.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kDeployment = binary("check_partition_deployment_state");
const std::string kBootstrap = binary("monitor_bootstrap_status");

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A partition folder named as slapgrid names them, inside a temporary directory.
struct Slappart {
  TempDir root;
  std::string id = "slappart7";
  std::string folder = fs::canonical(root.path()).string() + "/" + id;
  std::string error_log = folder + "/.slapgrid-slappart7-error.log";
  std::string link = folder + "/var/log/slapgrid-slappart7-error.log";

  Slappart() {
    fs::create_directories(folder + "/var/log");
    fs::create_directories(folder + "/etc/promise");
    fs::create_directories(folder + "/var/run/monitor");
    fs::create_directories(folder + "/srv/monitor");
  }
  std::string operator/(const std::string& name) const { return folder + "/" + name; }

  // The promise with the partition as working directory.
  ProcessResult run(std::vector<std::string> argv, std::vector<std::string> env = {}) const {
    ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.cwd = folder;
    spec.env = env.empty() ? clean_environment() : env;
    return run_process(spec);
  }
};

std::string link_target(const std::string& link) {
  std::error_code error;
  const auto target = fs::read_symlink(link, error);
  return error ? "" : target.string();
}

bool is_link(const std::string& path) {
  return fs::is_symlink(fs::symlink_status(path));
}

// ---- check_partition_deployment_state --------------------------------------------------

TEST(DeploymentState, NoErrorLogIsOkAndRemovesTheLinkButNotADanglingOne) {
  Slappart partition;
  expect_line(partition.run({kDeployment}), 0, "OK: buildout is OK");
  // A link to an empty error log (slapgrid truncated it): removed.
  overwrite_file(partition.error_log, "");
  fs::create_symlink(partition.error_log, partition.link);
  EXPECT_EQ(partition.run({kDeployment}).output, "OK: buildout is OK\n");
  EXPECT_FALSE(is_link(partition.link));
  // A dangling link (slapgrid deleted the log) is left, as the plugin leaves it.
  fs::remove(partition.error_log);
  fs::create_symlink(partition.error_log, partition.link);
  EXPECT_EQ(partition.run({kDeployment}).output, "OK: buildout is OK\n");
  EXPECT_TRUE(is_link(partition.link));
}

TEST(DeploymentState, AnErrorLogFailsAndIsLinkedIntoVarLog) {
  Slappart partition;
  overwrite_file(partition.error_log, "Error: Couldn't install part 'apache'\n");
  auto result = partition.run({kDeployment});
  expect_line(result, 2, "CRITICAL: ");
  EXPECT_EQ(result.output, "CRITICAL: Buildout failed to process slappart7.\n");
  EXPECT_EQ(link_target(partition.link), partition.error_log);
  // Again: the link stays as it is.
  EXPECT_EQ(partition.run({kDeployment}).exit_code, 2);
  EXPECT_EQ(link_target(partition.link), partition.error_log);
  // Buildout succeeded (slapgrid deleted the log at start and did not write it again).
  fs::remove(partition.error_log);
  overwrite_file(partition.error_log, "");
  expect_line(partition.run({kDeployment}), 0, "OK: buildout is OK");
  EXPECT_FALSE(is_link(partition.link));
}

TEST(DeploymentState, TheMonitorUrlSaysWhereToReadTheLog) {
  Slappart partition;
  overwrite_file(partition.error_log, "boom\n");
  EXPECT_EQ(
      partition.run({kDeployment, "--monitor-url", "https://[2001:db8::7]:8196/share"}).output,
      "CRITICAL: Buildout failed to process slappart7. See "
      "https://[2001:db8::7]:8196/share/log/slapgrid-slappart7-error.log for more "
      "information.\n");
}

TEST(DeploymentState, ADanglingLinkIsReplacedWhenThereIsAnError) {
  Slappart partition;
  fs::create_symlink("/nonexistent/old-partition/.slapgrid-slappart7-error.log", partition.link);
  overwrite_file(partition.error_log, "boom\n");
  EXPECT_EQ(partition.run({kDeployment}).exit_code, 2);
  EXPECT_EQ(link_target(partition.link), partition.error_log);
}

TEST(DeploymentState, NoVarLogKeepsTheFailureAndSaysTheLinkFailed) {
  Slappart partition;
  fs::remove_all(partition / "var/log");
  overwrite_file(partition.error_log, "boom\n");
  EXPECT_EQ(partition.run({kDeployment}).output,
            "CRITICAL: Buildout failed to process slappart7. (cannot link it as " + partition.link +
                ": No such file or directory)\n");
}

TEST(DeploymentState, FolderAndIdCanBeGiven) {
  Slappart partition;
  overwrite_file(partition.error_log, "boom\n");
  overwrite_file(partition / ".slapgrid-other-error.log", "");
  ProcessSpec spec;
  spec.argv = {kDeployment, "--partition-folder", partition.folder};
  spec.cwd = "/";
  expect_line(run_process(spec), 2, "CRITICAL: Buildout failed to process slappart7.");
  spec.argv = {kDeployment, "--partition-folder", partition.folder + "/", "--partition-id",
               "other"};
  expect_line(run_process(spec), 0, "OK: buildout is OK");
}

// ---- monitor_bootstrap_status ----------------------------------------------------------

// A process that looks like the monitor bootstrap: its argv holds monitor.bootstrap and the
// partition folder, as `monitor.bootstrap --config <partition>/etc/monitor.conf` does.
class FakeBootstrap {
 public:
  // code: Python run as the process; sys.argv[2] is the partition folder.
  FakeBootstrap(const std::string& code, const std::string& partition_folder,
                const std::string& marker = "monitor.bootstrap") {
    std::vector<std::string> args = {"/usr/bin/python3", "-c", code, marker, partition_folder};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    EXPECT_EQ(::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    // Until Python has replaced our image, its command line is ours.
    for (int i = 0; i < 500; ++i) {
      const auto cmdline = read_proc_cmdline(pid_);
      if (cmdline && cmdline->size() == 5) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~FakeBootstrap() {
    ::kill(pid_, SIGKILL);
    if (reaper_.joinable()) {
      reaper_.join();
    } else {
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // Reaps it as soon as it exits, as supervisord does (otherwise it stays a zombie).
  void reap_when_it_exits() {
    reaper_ = std::thread([pid = pid_] { ::waitpid(pid, nullptr, 0); });
  }
  FakeBootstrap(const FakeBootstrap&) = delete;
  FakeBootstrap& operator=(const FakeBootstrap&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::thread reaper_;
};

struct Bootstrap : Slappart {
  std::string pid_file = folder + "/var/run/monitor/monitor-bootstrap.pid";
  std::string status_file = folder + "/srv/monitor/monitor-bootstrap-status";
  std::string log = folder + "/.slappart7_bootstrap-monitor.log";

  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {kBootstrap,       "--process-pid-file", pid_file,
                                     "--process-name", "bootstrap-monitor",  "--status-file",
                                     status_file};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
};

TEST(BootstrapStatus, EndedWithAnEmptyStatusFileIsOk) {
  Bootstrap partition;
  overwrite_file(partition.pid_file, "999999999\n");  // no such process
  overwrite_file(partition.status_file, "");
  EXPECT_EQ(partition.run(partition.args()).output, "OK: Bootstrap OK\n");
}

TEST(BootstrapStatus, NoStatusFileFailsWithTheEndOfTheLog) {
  Bootstrap partition;
  overwrite_file(partition.pid_file, "999999999\n");
  overwrite_file(partition.log,
                 "2026-01-01 starting\nline two\nline three\nTraceback (most recent call last):\n"
                 "  File \"monitor.py\", line 5\nValueError: bad \xff\xfe config|x\n");
  EXPECT_EQ(partition.run(partition.args()).output,
            "CRITICAL: Monitor bootstrap exited with error. ---- Latest monitor-bootstrap.log ---- "
            "line three / Traceback (most recent call last): / File \"monitor.py\", line 5 / "
            "ValueError: bad \\xff\\xfe config\\x7cx\n");
  // Without a log, the sentence alone; a status file that is not empty is an error too.
  fs::remove(partition.log);
  overwrite_file(partition.status_file, "error\n");
  EXPECT_EQ(partition.run(partition.args()).output,
            "CRITICAL: Monitor bootstrap exited with error.\n");
}

TEST(BootstrapStatus, NoPidFileMeansItDidNotRun) {
  Bootstrap partition;
  overwrite_file(partition.status_file, "");
  EXPECT_EQ(partition.run(partition.args()).output, "CRITICAL: Bootstrap didn't run!\n");
}

TEST(BootstrapStatus, APidFileWithoutANumberSaysWhatPythonSays) {
  Bootstrap partition;
  overwrite_file(partition.status_file, "");
  const std::string head =
      "CRITICAL: '" + partition.pid_file + "' is empty or doesn't contain a valid pid number: ";
  overwrite_file(partition.pid_file, "");
  EXPECT_EQ(partition.run(partition.args()).output,
            head + "invalid literal for int() with base 10: ''\n");
  overwrite_file(partition.pid_file, "12ab\n");
  EXPECT_EQ(partition.run(partition.args()).output,
            head + "invalid literal for int() with base 10: '12ab\\n'\n");
  overwrite_file(partition.pid_file, "-4\n");
  EXPECT_EQ(partition.run(partition.args()).output,
            head + "pid must be a positive integer (got -4)\n");
  overwrite_file(partition.pid_file, std::string(100000, '7'));
  expect_line(partition.run(partition.args()), 2, head + "more than 4096 bytes");
  // Python's int() takes white space and digit separators.
  overwrite_file(partition.pid_file, "  999_999_999 \n");
  EXPECT_EQ(partition.run(partition.args()).output, "OK: Bootstrap OK\n");
}

TEST(BootstrapStatus, WaitsForARunningBootstrapUntilItEnds) {
  Bootstrap partition;
  FakeBootstrap bootstrap(
      "import sys, time; time.sleep(1); "
      "open(sys.argv[2] + '/srv/monitor/monitor-bootstrap-status', 'w').close()",
      partition.folder);
  bootstrap.reap_when_it_exits();
  overwrite_file(partition.pid_file, std::to_string(bootstrap.pid()));
  auto result = partition.run(partition.args({"--timeout", "8"}));
  EXPECT_EQ(result.output, "OK: Bootstrap OK\n");
  EXPECT_LT(result.seconds, 5);  // it ended after ~1 s: the promise did not wait for nothing
}

TEST(BootstrapStatus, ABootstrapStillRunningAtTheDeadlineFails) {
  Bootstrap partition;
  FakeBootstrap bootstrap("import time; time.sleep(60)", partition.folder);
  overwrite_file(partition.pid_file, std::to_string(bootstrap.pid()) + "\n");
  overwrite_file(partition.status_file, "");
  auto result = partition.run(partition.args({"--timeout", "3"}));
  // 3 s minus a margin of a quarter (at most 1 s) for the report.
  EXPECT_EQ(result.output,
            "CRITICAL: Monitor bootstrap is running for more than 2.2 seconds! "
            "(pid " +
                std::to_string(bootstrap.pid()) + ")\n");
  EXPECT_GE(result.seconds, 2.2);
  EXPECT_LT(result.seconds, 3 + kTimeMargin);
}

TEST(BootstrapStatus, AZombieBootstrapStillCountsAsRunning) {
  Bootstrap partition;
  // It exits at once, but we (its parent) do not reap it: a zombie, as psutil sees it running.
  FakeBootstrap bootstrap("import time; time.sleep(0.8)", partition.folder);
  overwrite_file(partition.pid_file, std::to_string(bootstrap.pid()));
  overwrite_file(partition.status_file, "");
  auto result = partition.run(partition.args({"--timeout", "2"}));
  EXPECT_TRUE(contains(result.output, "CRITICAL: Monitor bootstrap is running for more than"))
      << result.output;
  const auto stat = read_proc_stat(bootstrap.pid());
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->state, 'Z');
}

TEST(BootstrapStatus, APidNowUsedByAnotherProgramIsNotWaitedFor) {
  Bootstrap partition;
  overwrite_file(partition.status_file, "");
  // The pid of a live process that is not the bootstrap (reused pid): no wait, status file.
  FakeBootstrap unrelated("import time; time.sleep(60)", partition.folder, "something.else");
  overwrite_file(partition.pid_file, std::to_string(unrelated.pid()));
  auto result = partition.run(partition.args({"--timeout", "8"}));
  EXPECT_EQ(result.output, "OK: Bootstrap OK\n");
  EXPECT_LT(result.seconds, 2);
  // The bootstrap of another partition is not ours either, even when our folder's name is the
  // start of its folder's name (slappart7 and slappart70).
  FakeBootstrap other("import time; time.sleep(60)", partition.folder + "0/etc/monitor.conf");
  overwrite_file(partition.pid_file, std::to_string(other.pid()));
  fs::remove(partition.status_file);
  result = partition.run(partition.args({"--timeout", "8"}));
  EXPECT_EQ(result.output, "CRITICAL: Monitor bootstrap exited with error.\n");
  EXPECT_LT(result.seconds, 2);
}

TEST(BootstrapStatus, PartitionFolderAndIdCanBeGiven) {
  Bootstrap partition;
  overwrite_file(partition.pid_file, "999999999");
  overwrite_file(partition / ".custom_bootstrap-monitor.log", "the custom log\n");
  ProcessSpec spec;
  spec.argv = partition.args({"--partition-folder", partition.folder, "--partition-id", "custom"});
  spec.cwd = "/";
  EXPECT_EQ(run_process(spec).output,
            "CRITICAL: Monitor bootstrap exited with error. ---- Latest monitor-bootstrap.log "
            "---- the custom log\n");
}

// ---- both, installed -------------------------------------------------------------------

class PartitionInstallModes : public ::testing::TestWithParam<std::string> {};

TEST_P(PartitionInstallModes, InstalledPromisesKnowTheirPartitionFromTheirWorkingDirectory) {
  Bootstrap partition;
  const auto install = [&](const std::string& binary, const std::string& name,
                           std::vector<std::string> args) {
    std::vector<std::string> argv = {binary, "--install", partition / ("etc/promise/" + name),
                                     "--mode", GetParam()};
    argv.insert(argv.end(), args.begin(), args.end());
    // Installed from elsewhere, as buildout does: nothing of the partition is baked in.
    ProcessSpec spec;
    spec.argv = argv;
    spec.cwd = "/";
    return run_process(spec);
  };
  ASSERT_EQ(install(kDeployment, "buildout-slappart7-status",
                    {"--monitor-url", "https://[::1]:8196/share"})
                .exit_code,
            0);
  ASSERT_EQ(
      install(kBootstrap, "monitor-bootstrap-status",
              {"--process-pid-file", "var/run/monitor/monitor-bootstrap.pid", "--process-name",
               "bootstrap-monitor", "--status-file", "srv/monitor/monitor-bootstrap-status"})
          .exit_code,
      0);
  const auto run_like_slapgrid = [&](const std::string& name) {
    return partition.run({partition / ("etc/promise/" + name)});
  };
  expect_line(run_like_slapgrid("buildout-slappart7-status"), 0, "OK: buildout is OK");
  overwrite_file(partition.error_log, "boom\n");
  expect_line(run_like_slapgrid("buildout-slappart7-status"), 2,
              "CRITICAL: Buildout failed to process slappart7. See "
              "https://[::1]:8196/share/log/slapgrid-slappart7-error.log for more information.");
  EXPECT_EQ(link_target(partition.link), partition.error_log);

  expect_line(run_like_slapgrid("monitor-bootstrap-status"), 2, "CRITICAL: Bootstrap didn't run!");
  overwrite_file(partition.pid_file, "999999999");
  overwrite_file(partition.log, "the end\n");
  expect_line(run_like_slapgrid("monitor-bootstrap-status"), 2,
              "CRITICAL: Monitor bootstrap exited with error. ---- Latest monitor-bootstrap.log "
              "---- the end");
  overwrite_file(partition.status_file, "");
  expect_line(run_like_slapgrid("monitor-bootstrap-status"), 0, "OK: Bootstrap OK");
}

INSTANTIATE_TEST_SUITE_P(Partition, PartitionInstallModes, ::testing::Values("script", "copy"));

class PartitionBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(PartitionBadInput, IsUnknownWithAOneLineReason) {
  Slappart partition;
  auto result = partition.run(GetParam().args);
  expect_line(result, 3, "UNKNOWN: ");
  EXPECT_NE(result.output.find(GetParam().mentions), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Partition, PartitionBadInput,
    ::testing::Values(
        BadInput{"FolderMissing",
                 {kDeployment, "--partition-folder", "/nonexistent/slappart1"},
                 "--partition-folder: '/nonexistent/slappart1': No such file or directory"},
        BadInput{"FolderIsAFile",
                 {kDeployment, "--partition-folder", "/etc/hostname"},
                 "is not a directory"},
        BadInput{"IdWithSlash", {kDeployment, "--partition-id", "a/b"}, "not a partition id"},
        BadInput{"IdDotDot", {kDeployment, "--partition-id", ".."}, "not a partition id"},
        BadInput{"IdFromRoot",
                 {kDeployment, "--partition-folder", "/"},
                 "cannot tell the partition id from the folder /"},
        BadInput{"NoPidFileOption",
                 {kBootstrap, "--status-file", "s"},
                 "--process-pid-file is required"},
        BadInput{"NoStatusFileOption",
                 {kBootstrap, "--process-pid-file", "p"},
                 "--status-file is required"},
        BadInput{"PidFileIsADirectory",
                 {kBootstrap, "--process-pid-file", "/", "--status-file", "s"},
                 "cannot read the pid file /: Is a directory"}),
    bad_input_name);

TEST(PartitionInstall, BadOptionsWriteNothing) {
  Slappart partition;
  for (const auto& args :
       {std::vector<std::string>{kDeployment, "--partition-folder", "/nonexistent"},
        std::vector<std::string>{kDeployment, "--partition-id", ""},
        std::vector<std::string>{kBootstrap, "--status-file", "s"},
        std::vector<std::string>{kBootstrap, "--process-pid-file", "p", "--status-file", "s",
                                 "--timeout", "20"}}) {
    auto argv = args;
    argv.insert(argv.begin() + 1, {"--install", partition / "etc/promise/p"});
    expect_line(partition.run(argv), 3, "UNKNOWN: ");
  }
  EXPECT_TRUE(fs::is_empty(partition / "etc/promise"));
}

}  // namespace
}  // namespace promise::test
