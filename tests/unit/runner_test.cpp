// run_promise in a child process: the real backstop, signals and exit paths.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "limits.hpp"
#include "process.hpp"
#include "promise/main.hpp"

namespace promise {
namespace {

struct ChildResult {
  int exit_code = -1;
  std::string output;
  double seconds = 0;
};

struct Options {
  std::string name;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--name", options.name, "A name")->required();
}

// Runs run_promise(args, check) in a forked child and collects its stdout and exit code.
ChildResult run_child(std::vector<std::string> args,
                      std::function<Outcome(const Context&)> check_fn, double sigterm_after = -1) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    args.insert(args.begin(), "test_promise");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    Options options;
    const int code = run_promise(
        static_cast<int>(args.size()), argv.data(), {"test_promise", "A test promise."},
        [&](CLI::App& app) { declare(app, options); }, check_fn);
    exit_now(code);
  }
  ::close(fds[1]);
  ChildResult result;
  bool sent = false;
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, 10);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!sent && sigterm_after >= 0 && elapsed >= sigterm_after) {
      ::kill(pid, SIGTERM);
      sent = true;
    }
    if (elapsed > 10) ::kill(pid, SIGKILL);
    if (ready > 0) {
      char buffer[4096];
      const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
      if (n <= 0) break;
      result.output.append(buffer, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ::close(fds[0]);
  return result;
}

Outcome hang_in_a_syscall(const Context& context) {
  context.phase("waiting for a stuck syscall");
  ::pause();  // nothing the check does can end this: only the backstop
  return Outcome::ok("unreachable");
}

TEST(Runner, BackstopEndsAStuckCheckAtTheDeadline) {
  auto result = run_child({"--name", "x", "--timeout", "0.3"}, hang_in_a_syscall);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.output,
            "CRITICAL: deadline of 0.3 s exceeded while waiting for a stuck syscall\n");
  EXPECT_GE(result.seconds, 0.3);
  EXPECT_LT(result.seconds, 0.3 + test::kTimeMargin);
}

TEST(Runner, BackstopSpeaksTheChosenFormat) {
  auto result =
      run_child({"--name", "x", "--timeout", "0.2", "--format", "json"}, hang_in_a_syscall);
  EXPECT_EQ(result.output,
            "{\"state\":\"CRITICAL\",\"exit_code\":2,\"message\":\"deadline of 0.2 s exceeded "
            "while waiting for a stuck syscall\"}\n");
}

TEST(Runner, SigtermEndsTheRunWithAReason) {
  auto result = run_child({"--name", "x", "--timeout", "30"}, hang_in_a_syscall, 0.2);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.output, "CRITICAL: terminated by SIGTERM while waiting for a stuck syscall\n");
  EXPECT_LT(result.seconds, 0.2 + test::kTimeMargin);
}

TEST(Runner, ExceptionInACheckIsUnknown) {
  auto result = run_child({"--name", "x"},
                          [](const Context&) -> Outcome { throw std::runtime_error("boom"); });
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output, "UNKNOWN: internal error: boom\n");
}

TEST(Runner, CheckSeesTheDeadline) {
  auto result = run_child({"--name", "x", "--timeout", "2.5"}, [](const Context& context) {
    const double budget = seconds(context.deadline.budget());
    return budget == 2.5 && !context.deadline.expired() ? Outcome::ok("budget 2.5")
                                                        : Outcome::critical("wrong budget");
  });
  EXPECT_EQ(result.output, "OK: budget 2.5\n");
}

// Reports the budget the check was given, in ms.
Outcome report_budget(const Context& context) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(context.deadline.budget());
  return Outcome::ok("budget " + std::to_string(ms.count()) + " ms");
}

TEST(Runner, TimeoutFileGivesTheTimeoutUnlessTimeoutIsGiven) {
  test::TempDir dir;
  const std::string file = dir / "promise_timeout";
  std::ofstream(file) << "2.5\n";
  EXPECT_EQ(run_child({"--name", "x", "--timeout-file", file}, report_budget).output,
            "OK: budget 2500 ms\n");
  EXPECT_EQ(
      run_child({"--name", "x", "--timeout-file", file, "--timeout", "4"}, report_budget).output,
      "OK: budget 4000 ms\n");
  // slapgrid kills at 20 s: a file saying 25 (or 20) gives 19 s, so the promise can report.
  std::ofstream(file) << "25\n";
  EXPECT_EQ(run_child({"--name", "x", "--timeout-file", file}, report_budget).output,
            "OK: budget 19000 ms\n");
  // Junk, or no file at all, as the cookbook's script: the default.
  std::ofstream(file) << "twenty\n";
  EXPECT_EQ(run_child({"--name", "x", "--timeout-file", file}, report_budget).output,
            "OK: budget 10000 ms\n");
  EXPECT_EQ(run_child({"--name", "x", "--timeout-file", dir / "absent"}, report_budget).output,
            "OK: budget 10000 ms\n");
  // A number the validator accepts is read the same way: a denormal once aborted the promise
  // (std::stod throws out_of_range on it; found by tests/fuzz/option_values).
  std::ofstream(file) << "1e-310\n";
  EXPECT_EQ(run_child({"--name", "x", "--timeout-file", file}, report_budget).output,
            "OK: budget 0 ms\n");
}

TEST(Runner, HelpAndVersionExitZero) {
  auto never = [](const Context&) { return Outcome::critical("ran"); };
  auto help = run_child({"--help"}, never);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("A test promise."), std::string::npos);
  EXPECT_NE(help.output.find("--install"), std::string::npos);
  EXPECT_NE(help.output.find("--timeout"), std::string::npos);
  auto version = run_child({"--version"}, never);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output.rfind("test_promise (slapos-native-promises) ", 0), 0u);
}

TEST(Runner, MissingRequiredOptionIsUnknownInTheChosenFormat) {
  auto never = [](const Context&) { return Outcome::critical("ran"); };
  auto text = run_child({}, never);
  EXPECT_EQ(text.exit_code, 3);
  EXPECT_EQ(text.output, "UNKNOWN: --name is required (see --help)\n");
  auto json = run_child({"--format", "json"}, never);
  EXPECT_EQ(json.output.rfind("{\"state\":\"UNKNOWN\",\"exit_code\":3,", 0), 0u) << json.output;
}

}  // namespace
}  // namespace promise
