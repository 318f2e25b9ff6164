// check_service_state against a real supervisord (Debian's supervisor package) with real
// programs under it: running, stopped, exited, an unknown name, the legacy socket name, a
// socket path longer than sun_path, no socket, and a supervisord that never answers (stopped
// with SIGSTOP). One supervisord serves the suite; the hung one is the test's own.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "background.hpp"
#include "limits.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kServiceState = binary("check_service_state");

ProcessResult check(std::vector<std::string> args) {
  return run_program(kServiceState, std::move(args));
}

// supervisord in its own directory, the socket <dir>/sv.sock, with these programs:
//   sleeper  started at once and running; idle  never started; once  /bin/true, exited.
class Supervisord {
 public:
  Supervisord() {
    std::ofstream(dir / "supervisord.conf")
        << "[unix_http_server]\nfile=" << socket() << "\n"
        << "[supervisord]\nnodaemon=true\nlogfile=" << dir / "supervisord.log"
        << "\npidfile=" << dir / "supervisord.pid"
        << "\nchildlogdir=" << dir.path()
        << "\n[rpcinterface:supervisor]\n"
           "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
           "[program:sleeper]\ncommand=/bin/sleep 300\nstartsecs=0\n"
           "[program:idle]\ncommand=/bin/sleep 300\nautostart=false\n"
           "[program:once]\ncommand=/bin/true\nstartsecs=0\nautorestart=false\n";
    process = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"/usr/bin/supervisord", "-c", dir / "supervisord.conf"},
        dir / "stdout.log");
    // Ready when sleeper runs and once has exited, as supervisord itself says.
    const bool ready = wait_until(20, [&] {
      return check({"--service", "sleeper", "--expect", "running", "--run-directory", dir.path()})
                     .exit_code == 0 &&
             check({"--service", "once", "--expect", "stopped", "--run-directory", dir.path()})
                     .output.find("'exited'") != std::string::npos;
    });
    if (!ready) ADD_FAILURE() << "supervisord did not start: " << process->log();
  }
  std::string socket() const { return dir / "sv.sock"; }
  TempDir dir;
  std::unique_ptr<BackgroundProcess> process;
};

class ServiceState : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { supervisord = new Supervisord; }
  static void TearDownTestSuite() {
    delete supervisord;
    supervisord = nullptr;
  }
  static std::string run_directory() { return supervisord->dir.path(); }
  static Supervisord* supervisord;
};
Supervisord* ServiceState::supervisord = nullptr;

TEST_F(ServiceState, RunningProgramHoldsRunningAndFailsStopped) {
  expect_output(
      check({"--service", "sleeper", "--expect", "running", "--run-directory", run_directory()}), 0,
      "OK: service 'sleeper' is in expected state 'running'");
  expect_output(
      check({"--service", "sleeper", "--expect", "stopped", "--run_directory", run_directory()}), 2,
      "CRITICAL: service 'sleeper' is in state 'running' (expected 'stopped')");
}

TEST_F(ServiceState, StoppedAndExitedPrograms) {
  expect_output(
      check({"--service", "idle", "--expect", "stopped", "--run-directory", run_directory()}), 0,
      "OK: service 'idle' is in expected state 'stopped'");
  expect_output(
      check({"--service", "idle", "--expect", "running", "--run-directory", run_directory()}), 2,
      "CRITICAL: service 'idle' is in state 'stopped' (expected 'running')");
  // As the plugin: only STOPPED is "stopped"; an exited program is in state 'exited'.
  expect_output(
      check({"--service", "once", "--expect", "stopped", "--run-directory", run_directory()}), 2,
      "CRITICAL: service 'once' is in state 'exited' (expected 'stopped')");
  expect_output(check({"--service", "sleeper:sleeper", "--expect", "running", "--run-directory",
                       run_directory()}),
                0, "OK: service 'sleeper:sleeper' is in expected state 'running'");
}

TEST_F(ServiceState, UnknownServiceIsSupervisordsFault) {
  expect_output(
      check({"--service", "nope", "--expect", "running", "--run-directory", run_directory()}), 2,
      "CRITICAL: service 'nope': supervisord fault 10 BAD_NAME: nope");
  // A name that needs escaping in XML; a control character XML cannot carry at all
  // (supervisord refuses the request).
  expect_output(
      check({"--service", "a<b>&|", "--expect", "running", "--run-directory", run_directory()}), 2,
      "CRITICAL: service 'a<b>&|': supervisord fault 10 BAD_NAME: a<b>&\\x7c");
  expect_output(
      check({"--service", "a\x1b", "--expect", "running", "--run-directory", run_directory()}), 2,
      "CRITICAL: service 'a\\x1b': supervisord at '" + supervisord->socket() +
          "' answered HTTP 400, not 200");
}

TEST_F(ServiceState, AnyOtherExpectationIsOkWithoutAsking) {
  expect_output(check({"--service", "sleeper", "--expect", "user", "--run-directory", "/nowhere"}),
                0, "OK: service 'sleeper' is allowed to be in any state (expect = 'user')");
  expect_output(check({"--service", "sleeper"}), 0,
                "OK: service 'sleeper' is allowed to be in any state (expect = '')");
  expect_output(check({"--expect", "anything"}), 0,
                "OK: service '' is allowed to be in any state (expect = 'anything')");
}

TEST_F(ServiceState, LegacySocketNameIsPreferredAndSaidSo) {
  TempDir run;
  // The same socket under both names: the legacy one is used, and named.
  ASSERT_EQ(::link(supervisord->socket().c_str(), (run / "supervisord.socket").c_str()), 0);
  ASSERT_EQ(::symlink("/nonexistent", (run / "sv.sock").c_str()), 0);
  expect_output(
      check({"--service", "sleeper", "--expect", "running", "--run-directory", run.path()}), 0,
      "OK: service 'sleeper' is in expected state 'running' (legacy supervisor socket path '" +
          run / "supervisord.socket" + "')");
}

TEST_F(ServiceState, SocketPathLongerThanSunPathIsReachedThroughItsDirectory) {
  TempDir run;
  const std::string deep = run / (std::string(100, 'd') + "/" + std::string(100, 'e'));
  fs::create_directories(deep);
  ASSERT_EQ(::link(supervisord->socket().c_str(), (deep + "/sv.sock").c_str()), 0);
  ASSERT_GT(deep.size() + 8, 108u);
  expect_output(check({"--service", "sleeper", "--expect", "running", "--run-directory", deep}), 0,
                "OK: service 'sleeper' is in expected state 'running'");
}

TEST_F(ServiceState, NoSocketIsCriticalNamingIt) {
  TempDir run;
  const auto result =
      check({"--service", "sleeper", "--expect", "running", "--run-directory", run.path()});
  expect_line(result, 2,
              "CRITICAL: service 'sleeper': supervisord at '" + run / "sv.sock" +
                  "': connection failed: no such file or directory");
  // A socket nobody listens on any more.
  ASSERT_EQ(::symlink("/nonexistent", (run / "supervisord.socket").c_str()), 0);
  expect_line(check({"--service", "sleeper", "--expect", "running", "--run-directory", run.path()}),
              2,
              "CRITICAL: service 'sleeper': supervisord at '" + run / "supervisord.socket" +
                  "': connection failed: no such file or directory");
}

TEST_F(ServiceState, NotSupervisordIsCriticalNotACrash) {
  TempDir run;
  // An HTTP server that is not supervisord: Python's, answering 501 to a POST.
  BackgroundProcess http({"/usr/bin/python3", "-c",
                          "import http.server,socketserver,sys\n"
                          "class S(socketserver.UnixStreamServer):\n"
                          "  def get_request(self):\n"
                          "    r,a=super().get_request(); return r,('unix',0)\n"
                          "S(sys.argv[1],http.server.SimpleHTTPRequestHandler).serve_forever()",
                          run / "sv.sock"},
                         run / "log");
  ASSERT_TRUE(wait_until(20, [&] { return fs::exists(run / "sv.sock"); })) << http.log();
  expect_line(check({"--service", "sleeper", "--expect", "running", "--run-directory", run.path()}),
              2,
              "CRITICAL: service 'sleeper': supervisord at '" + run / "sv.sock" +
                  "' answered HTTP 501, not 200");
}

TEST(ServiceStateHung, StoppedSupervisordEndsAtTheDeadlineSayingWhy) {
  Supervisord hung;
  ASSERT_EQ(::kill(hung.process->pid(), SIGSTOP), 0);
  const auto result = check({"--service", "sleeper", "--expect", "running", "--run-directory",
                             hung.dir.path(), "--timeout", "1"});
  expect_line(result, 2,
              "CRITICAL: service 'sleeper': supervisord at '" + hung.socket() +
                  "': timed out after 1.00 s while waiting for the response");
  EXPECT_LT(result.seconds, 1 + kTimeMargin);
  ::kill(hung.process->pid(), SIGCONT);
}

TEST_F(ServiceState, InstalledWithTheDefaultRunDirectoryInThePartition) {
  for (const std::string mode : {"script", "copy"}) {
    Partition partition;
    fs::create_directories(partition.dir / "srv/runner/var/run");
    ASSERT_EQ(::link(supervisord->socket().c_str(),
                     (partition.dir / "srv/runner/var/run/sv.sock").c_str()),
              0);
    ASSERT_EQ(partition
                  .install(kServiceState, "autorun-state-promise", mode,
                           {"--service", "sleeper", "--expect", "running"})
                  .exit_code,
              0);
    expect_output(partition.run_like_slapgrid("autorun-state-promise"), 0,
                  "OK: service 'sleeper' is in expected state 'running'");
  }
}

class BadServiceStateInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadServiceStateInput, IsUnknownWithAOneLineReason) {
  const auto result = check(GetParam().args);
  expect_line(result, 3, "UNKNOWN: ");
  EXPECT_NE(result.output.find(GetParam().mentions), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    ServiceState, BadServiceStateInput,
    ::testing::Values(
        BadInput{"NoService",
                 {"--expect", "running", "--run-directory", "/tmp"},
                 "no service is specified"},
        BadInput{"UnknownOption", {"--service", "x", "--expected", "running"}, "--expected"},
        BadInput{"PartitionFolderMissing",
                 {"--service", "x", "--expect", "running", "--partition-folder", "/nonexistent"},
                 "nonexistent"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
