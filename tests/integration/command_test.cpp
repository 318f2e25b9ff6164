// check_command_execute and validate_frontend_configuration against real shell commands and
// scripts: exit statuses, output, hangs, processes that ignore SIGTERM or leave the group, a
// 200 MB output, and the promises installed and run as slapgrid runs them.
#include <gtest/gtest.h>
#include <sys/stat.h>
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
const std::string kCommand = binary("check_command_execute");
const std::string kValidate = binary("validate_frontend_configuration");

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The pid a command wrote into a file of the partition.
pid_t pid_in(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

// Nothing of it runs any more: gone, or a zombie (dead, waiting for init to reap it). A live
// process stays alive, so the wait cannot hide one.
bool ended(pid_t pid) {
  if (pid <= 0) return false;  // it never wrote its pid
  for (int i = 0; i < 100; ++i) {
    const auto stat = read_proc_stat(pid);
    if (!stat || stat->state == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void write_script(const std::string& path, const std::string& body, bool executable = true) {
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), executable ? 0700 : 0600);
}

// ---- check_command_execute -------------------------------------------------------------

TEST(CommandExecute, SuccessSaysSoWithThePythonReprOfTheCommand) {
  auto result = run({kCommand, "--command", "echo hello"});
  expect_line(result, 0, "OK: 'echo hello' run with success");
  EXPECT_EQ(result.output, "OK: 'echo hello' run with success\n");
  // repr picks double quotes for a command holding ' and no ", as Python does.
  EXPECT_EQ(run({kCommand, "--command", "test 'a' = 'a'"}).output,
            "OK: \"test 'a' = 'a'\" run with success\n");
}

TEST(CommandExecute, AnEmptyCommandSucceedsAsThePluginsDoes) {
  expect_line(run({kCommand, "--command", ""}), 0, "OK: '' run with success");
}

TEST(CommandExecute, FailureGivesTheExitStatusAndTheOutputOfBothStreams) {
  auto result = run({kCommand, "--command", "echo to stdout; echo to stderr >&2; exit 3"});
  expect_line(result, 2, "CRITICAL: ");
  EXPECT_EQ(result.output,
            "CRITICAL: 'echo to stdout; echo to stderr >&2; exit 3' run with failure "
            "(exit status 3), output: to stdout / to stderr\n");
  EXPECT_EQ(run({kCommand, "--command", "test -S /nonexistent/a.sock"}).output,
            "CRITICAL: 'test -S /nonexistent/a.sock' run with failure (exit status 1), "
            "no output\n");
  EXPECT_EQ(run({kCommand, "--command", "no-such-program-here"}).output,
            "CRITICAL: 'no-such-program-here' run with failure (exit status 127), output: "
            "/bin/sh: 1: no-such-program-here: not found\n");
}

TEST(CommandExecute, DeathBySignalIsAFailure) {
  expect_line(run({kCommand, "--command", "echo dying; kill -9 $$"}), 2,
              "CRITICAL: 'echo dying; kill -9 $$' run with failure (killed by SIGKILL), "
              "output: dying");
}

TEST(CommandExecute, OutputThatIsNotUtf8IsEscaped) {
  auto result =
      run({kCommand, "--command", "printf '\\377\\376 caf\\303\\251 \\033[31m|x\\\\'; exit 1"});
  expect_line(result, 2, "CRITICAL: ");
  EXPECT_TRUE(contains(result.output, "output: \\xff\\xfe caf\xc3\xa9 \\x1b[31m\\x7cx\\\\\n"))
      << result.output;
}

TEST(CommandExecute, RunsInThePartitionWithStdinFromDevNull) {
  Partition partition;
  auto result = partition.run_in(
      {kCommand, "--command", "pwd; readlink /proc/self/fd/0; cat; echo end; exit 1"});
  expect_line(result, 2, "CRITICAL: ");
  EXPECT_TRUE(contains(result.output,
                       "output: " + fs::canonical(partition.path).string() + " / /dev/null / end"))
      << result.output;
}

TEST(CommandExecute, AHangingCommandEndsAtTheDeadlineWithNothingLeft) {
  Partition partition;
  auto result = partition.run_in(
      {kCommand, "--timeout", "2", "--command", "echo $$ > sh.pid; echo waiting; sleep 100"});
  expect_line(result, 2, "CRITICAL: 'echo $$ > sh.pid; echo waiting; sleep 100' timed out after ");
  EXPECT_TRUE(contains(result.output, " s (process group killed), output: waiting\n"))
      << result.output;
  EXPECT_LT(result.seconds, 2 + kTimeMargin);
  const pid_t shell = pid_in(partition / "sh.pid");
  ASSERT_GT(shell, 0);
  EXPECT_TRUE(ended(shell));
  // Its sleep was in its process group: no member is left.
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto stat = read_proc_stat(std::atoi(entry.path().filename().c_str()));
    if (stat && stat->group == shell) {
      EXPECT_TRUE(ended(stat->pid)) << stat->pid;
    }
  }
}

TEST(CommandExecute, ChildrenThatIgnoreSigtermOrLeaveTheGroupAreKilledToo) {
  Partition partition;
  auto result =
      partition.run_in({kCommand, "--timeout", "2", "--command",
                        "sh -c 'trap \"\" TERM; echo $$ > stubborn.pid; exec sleep 100' & "
                        "setsid sh -c 'echo $$ > detached.pid; exec sleep 100' & "
                        "sleep 0.3; echo started; wait"});
  expect_line(result, 2, "CRITICAL: ");
  EXPECT_TRUE(contains(result.output, "(process group killed), output: started\n"))
      << result.output;
  EXPECT_LT(result.seconds, 2 + kTimeMargin);
  const pid_t stubborn = pid_in(partition / "stubborn.pid");
  const pid_t detached = pid_in(partition / "detached.pid");
  ASSERT_GT(stubborn, 0);
  ASSERT_GT(detached, 0);
  EXPECT_TRUE(ended(stubborn));
  EXPECT_TRUE(ended(detached));  // left the group but kept the output: killed as an orphan
}

TEST(CommandExecute, SigtermFromSlapgridKillsTheCommandBeforeThePromiseExits) {
  Partition partition;
  ProcessSpec spec;
  spec.argv = {kCommand, "--command", "echo $$ > sh.pid; exec sleep 100"};
  spec.cwd = partition.path;
  spec.sigterm_after = 0.5;
  auto result = run_process(spec);
  expect_line(result, 2, "CRITICAL: terminated by SIGTERM while running the command");
  const pid_t shell = pid_in(partition / "sh.pid");
  ASSERT_GT(shell, 0);
  EXPECT_TRUE(ended(shell));
}

TEST(CommandExecute, GigabytesOfOutputCostNoMemory) {
  // 200 MiB, then the lines that say why it failed: they are what the message keeps.
  auto result = run({kCommand, "--timeout", "19", "--command",
                     "head -c 209715200 /dev/zero | tr '\\000' x; echo; echo last line; exit 1"});
  expect_line(result, 2, "CRITICAL: ");
  EXPECT_TRUE(contains(result.output, "bytes cut) xxx")) << result.output;
  EXPECT_TRUE(contains(result.output, "xxx / last line\n")) << result.output;
  if (!kSanitized) {
    EXPECT_LT(result.max_rss_kib, 8 * 1024);
  }
}

TEST(CommandExecute, HelpTellsThePluginsRule) {
  auto result = run({kCommand, "--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(contains(result.output, "SlapOS plugin rule: checked every 2 minutes"));
}

TEST(CommandExecute, ProfileOptionsThePluginIgnoresAreAccepted) {
  expect_line(run({kCommand, "--command", "true", "--bang-on-failure"}), 0, "OK: ");
  expect_line(run({kCommand, "--command", "true", "--http-code", "200"}), 0, "OK: ");
}

// ---- validate_frontend_configuration ---------------------------------------------------

TEST(ValidateFrontend, ScriptThatSucceeds) {
  Partition partition;
  write_script(partition / "verify", "echo fine");
  expect_line(run({kValidate, "--verification-script", partition / "verify"}), 0,
              "OK: verification script '" + (partition / "verify") + "' succeeded");
}

TEST(ValidateFrontend, AFailingScriptsOutputIsTheMessage) {
  Partition partition;
  write_script(partition / "verify",
               "echo '[ALERT] parsing [haproxy.cfg:12]: unknown keyword'; echo 'Fatal errors "
               "found in configuration.' >&2; exit 1");
  auto result = run({kValidate, "--verification-script", partition / "verify"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.output,
            "CRITICAL: [ALERT] parsing [haproxy.cfg:12]: unknown keyword / Fatal errors found in "
            "configuration.\n");
}

TEST(ValidateFrontend, ASilentFailureSaysItsExitStatus) {
  Partition partition;
  write_script(partition / "verify", "exit 4");
  EXPECT_EQ(run({kValidate, "--verification-script", partition / "verify"}).output,
            "CRITICAL: verification script exited with status 4\n");
}

TEST(ValidateFrontend, AHangingScriptEndsAtTheDeadline) {
  Partition partition;
  write_script(partition / "verify", "echo $$ > script.pid; echo checking; exec sleep 100");
  auto result = partition.run_in(
      {kValidate, "--timeout", "1.5", "--verification-script", partition / "verify"});
  expect_line(result, 2, "CRITICAL: verification script timed out after ");
  EXPECT_TRUE(contains(result.output, "(process group killed), output: checking\n"))
      << result.output;
  EXPECT_LT(result.seconds, 1.5 + kTimeMargin);
  EXPECT_TRUE(ended(pid_in(partition / "script.pid")));
}

TEST(ValidateFrontend, IsRunAsOnePathWithoutShell) {
  Partition partition;
  write_script(partition / "verify me", "echo \"args: $#\"; exit 1");
  EXPECT_EQ(run({kValidate, "--verification-script", partition / "verify me"}).output,
            "CRITICAL: args: 0\n");
}

TEST(ValidateFrontend, AScriptThatCannotRunIsUnknown) {
  Partition partition;
  write_script(partition / "not-executable", "exit 0", false);
  std::ofstream(partition / "no-shebang") << "echo hi\n";
  ::chmod((partition / "no-shebang").c_str(), 0700);
  auto missing = run({kValidate, "--verification-script", partition / "missing"});
  expect_line(missing, 3,
              "UNKNOWN: verification script '" + (partition / "missing") +
                  "' cannot be run: No such file or directory");
  auto denied = run({kValidate, "--verification-script", partition / "not-executable"});
  if (::geteuid() != 0) {
    expect_line(denied, 3,
                "UNKNOWN: verification script '" + (partition / "not-executable") +
                    "' could not be started: Permission denied");
  } else {  // root may execute nothing that has no x bit either
    expect_line(denied, 3, "UNKNOWN: verification script '");
  }
  expect_line(run({kValidate, "--verification-script", partition / "no-shebang"}), 3,
              "UNKNOWN: verification script '" + (partition / "no-shebang") +
                  "' could not be started: Exec format error");
  expect_line(
      run({kValidate, "--verification-script", partition.path}), 3,
      "UNKNOWN: --verification-script: '" + partition.path + "' is a directory, not a script");
}

// ---- both, installed -------------------------------------------------------------------

class CommandInstallModes : public ::testing::TestWithParam<std::string> {};

TEST_P(CommandInstallModes, InstalledPromisesRunInThePartition) {
  Partition partition;
  ASSERT_EQ(partition.install(kCommand, "pwd", GetParam(), {"--command", "pwd; exit 1"}).exit_code,
            0);
  ASSERT_EQ(partition
                .install(kCommand, "multi-line", GetParam(),
                         {"--command", "echo one\necho \"two|2\"", "--timeout", "5"})
                .exit_code,
            0);
  write_script(partition / "verify",
               "test -d etc/promise || { echo not in the partition; exit 1; }");
  ASSERT_EQ(partition
                .install(kValidate, "frontend", GetParam(),
                         {"--verification-script", partition / "verify"})
                .exit_code,
            0);
  // A script that buildout writes later: accepted now, judged when it runs.
  ASSERT_EQ(partition
                .install(kValidate, "later", GetParam(),
                         {"--verification-script", partition / "written-later"})
                .exit_code,
            0);

  expect_line(partition.run_like_slapgrid("pwd"), 2,
              "CRITICAL: 'pwd; exit 1' run with failure (exit status 1), output: " +
                  fs::canonical(partition.path).string());
  expect_line(partition.run_like_slapgrid("multi-line"), 0,
              "OK: 'echo one\\necho \"two|2\"' run with success");
  expect_line(partition.run_like_slapgrid("frontend"), 0, "OK: verification script");
  expect_line(partition.run_like_slapgrid("later"), 3, "UNKNOWN: verification script");
  write_script(partition / "written-later", "exit 0");
  expect_line(partition.run_like_slapgrid("later"), 0, "OK: verification script");
}

INSTANTIATE_TEST_SUITE_P(Command, CommandInstallModes, ::testing::Values("script", "copy"));

TEST(CommandInstall, BadOptionsWriteNothing) {
  Partition partition;
  for (const auto& args :
       {std::vector<std::string>{kCommand},
        std::vector<std::string>{kCommand, "--command", "true", "--timeout", "25"},
        std::vector<std::string>{kValidate},
        std::vector<std::string>{kValidate, "--verification-script", ""},
        std::vector<std::string>{kValidate, "--verification-script", partition.path}}) {
    auto argv = args;
    argv.insert(argv.begin() + 1, {"--install", partition.promise("p")});
    expect_line(run(argv), 3, "UNKNOWN: ");
  }
  EXPECT_TRUE(fs::is_empty(partition.promise_dir));
}

class CommandBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CommandBadInput, IsUnknownWithAOneLineReason) {
  auto result = run(GetParam().args);
  expect_line(result, 3, "UNKNOWN: ");
  EXPECT_NE(result.output.find(GetParam().mentions), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Command, CommandBadInput,
    ::testing::Values(
        BadInput{"NoCommand", {kCommand}, "--command is required"},
        BadInput{
            "CommandTimeoutZero", {kCommand, "--command", "true", "--timeout", "0"}, "--timeout"},
        BadInput{
            "CommandUnknownOption", {kCommand, "--command", "true", "--shell", "bash"}, "--shell"},
        BadInput{"NoScript", {kValidate}, "--verification-script is required"},
        BadInput{"EmptyScript", {kValidate, "--verification-script", ""}, "empty path"},
        BadInput{
            "ScriptIsADirectory", {kValidate, "--verification-script", "/"}, "is a directory"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
