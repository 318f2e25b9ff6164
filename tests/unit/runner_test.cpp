// run_promise in a child process: the real backstop, signals and exit paths.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "internal.hpp"
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
  bool verify = false;
  bool follow = true;
};

// The options of the test promise, as the check in the child sees them.
Options g_options;

void declare(CLI::App& app, Options& options) {
  app.add_option("--name", options.name, "A name")->required();
  app.add_flag("--verify", options.verify, "A flag, off by default");
  app.add_flag("--follow,!--no-follow", options.follow, "A flag, on by default");
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
    const int code = run_promise(
        static_cast<int>(args.size()), argv.data(), {"test_promise", "A test promise."},
        [&](CLI::App& app) { declare(app, g_options); }, check_fn);
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

// As run_child, with the child's stdout a pipe that is already full: nothing is read until
// drain_after seconds (SIGTERM to the child at sigterm_after if >= 0). The filler is dropped.
ChildResult run_child_into_full_pipe(std::vector<std::string> args,
                                     std::function<Outcome(const Context&)> check_fn,
                                     double drain_after, double sigterm_after = -1) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const std::size_t filler = test::fill_pipe(fds[1]);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    args.insert(args.begin(), "test_promise");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int code = run_promise(
        static_cast<int>(args.size()), argv.data(), {"test_promise", "A test promise."},
        [&](CLI::App& app) { declare(app, g_options); }, check_fn);
    exit_now(code);
  }
  ::close(fds[1]);
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (sigterm_after >= 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(sigterm_after));
    ::kill(pid, SIGTERM);
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(drain_after - elapsed()));
  ChildResult result;
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, 10) == 0) {
      if (elapsed() > 10) ::kill(pid, SIGKILL);
      continue;
    }
    char buffer[65536];
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.seconds = elapsed();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.output.erase(0, std::min(filler, result.output.size()));
  ::close(fds[0]);
  return result;
}

// A thread such as a resolver's: started by the check, blocked in a syscall, never joined;
// after prepare_for_threads() (as our resolver and the HTTP engine do), or not (as a library
// that starts threads of its own could).
void start_a_blocked_helper_thread(bool prepared) {
  if (prepared) prepare_for_threads();
  std::thread([] {
    for (;;) ::pause();
  }).detach();
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

// The main path and the signal thread race for the status line: one claim succeeds, once.
TEST(LineClaim, ExactlyOneOfManyRacingWritersGetsTheLine) {
  for (int round = 0; round < 50; ++round) {
    detail::LineClaim line;
    std::atomic<int> winners{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> writers;
    for (int i = 0; i < 4; ++i) {
      writers.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        if (line.claim()) ++winners;
      });
    }
    go = true;
    for (auto& writer : writers) writer.join();
    EXPECT_EQ(winners.load(), 1);
    EXPECT_FALSE(line.claim());  // and nobody after
  }
}

// The check reports at its deadline into a full stdout pipe: its write blocks, and the backstop
// fires 50 ms later while a helper thread of the check is alive. Exactly one line comes out,
// whatever thread the signal lands on.
TEST(Runner, BackstopFiringWhileTheLineIsBeingWrittenAddsNoSecondLine) {
  for (int round = 0; round < 4; ++round) {
    auto result = run_child_into_full_pipe(
        {"--name", "x", "--timeout", "0.3"},
        [round](const Context& context) {
          start_a_blocked_helper_thread(round % 2 == 0);
          std::this_thread::sleep_until(context.deadline.at());
          return Outcome::critical("resolving stalled.example did not finish");
        },
        0.3 + 0.5);
    // The check's line; on a machine so busy that the check could not claim the line within
    // the backstop's 50 ms grace, the backstop's. One line either way.
    EXPECT_EQ(result.output.rfind("CRITICAL: ", 0), 0u) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    EXPECT_EQ(result.output.back(), '\n') << result.output;
    EXPECT_EQ(result.exit_code, 2);
  }
}

// SIGTERM while the line is blocked in the pipe: the line the check wrote is the only one.
TEST(Runner, SigtermWhileTheLineIsBeingWrittenAddsNoSecondLine) {
  for (int round = 0; round < 4; ++round) {
    auto result = run_child_into_full_pipe(
        {"--name", "x", "--timeout", "5"},
        [round](const Context&) {
          start_a_blocked_helper_thread(round % 2 == 0);
          return Outcome::ok("listening");
        },
        test::kSanitized ? 2.5 : 0.8, test::kSanitized ? 2 : 0.5);
    EXPECT_EQ(result.output, "OK: listening\n");
    EXPECT_EQ(result.exit_code, 0);
  }
}

// After prepare_for_threads(), a thread the check starts has the fatal signals blocked, and
// the signals still end the run, from the runner's own thread.
TEST(Runner, ThreadsStartedAfterPrepareForThreadsHaveTheFatalSignalsBlocked) {
  auto result = run_child({"--name", "x"}, [](const Context&) {
    prepare_for_threads();
    bool blocked = false;
    std::thread([&] {
      sigset_t mask;
      ::pthread_sigmask(SIG_BLOCK, nullptr, &mask);
      blocked = sigismember(&mask, SIGTERM) && sigismember(&mask, SIGALRM) &&
                sigismember(&mask, SIGINT) && sigismember(&mask, SIGHUP);
    }).join();
    return blocked ? Outcome::ok("blocked") : Outcome::critical("not blocked");
  });
  EXPECT_EQ(result.output, "OK: blocked\n");
}

Outcome hang_with_threads(const Context& context) {
  start_a_blocked_helper_thread(true);
  return hang_in_a_syscall(context);
}

TEST(Runner, SignalsEndTheRunOnceThreadsArePrepared) {
  auto deadline = run_child({"--name", "x", "--timeout", "0.3"}, hang_with_threads);
  EXPECT_EQ(deadline.exit_code, 2);
  EXPECT_EQ(deadline.output,
            "CRITICAL: deadline of 0.3 s exceeded while waiting for a stuck syscall\n");
  EXPECT_LT(deadline.seconds, 0.3 + test::kTimeMargin);
  auto terminated = run_child({"--name", "x", "--timeout", "30"}, hang_with_threads, 0.2);
  EXPECT_EQ(terminated.exit_code, 2);
  EXPECT_EQ(terminated.output,
            "CRITICAL: terminated by SIGTERM while waiting for a stuck syscall\n");
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
}

// A number that parses but is no usable timeout (std::stod threw out_of_range on 1e-310: abort,
// exit 134, no line): the default, as for junk.
TEST(Runner, TimeoutFileWithAnUnusableNumberKeepsTheDefault) {
  test::TempDir dir;
  const std::string file = dir / "promise_timeout";
  for (const char* content : {"1e-310\n", "1e-5\n", "0\n", "-3\n", "1e999\n", "nan\n", "\n", ""}) {
    std::ofstream(file) << content;
    auto result = run_child({"--name", "x", "--timeout-file", file}, report_budget);
    EXPECT_EQ(result.exit_code, 0) << content;
    EXPECT_EQ(result.output, "OK: budget 10000 ms\n") << content;
  }
  std::ofstream(file) << "  3\t\r\nignored second line\n";  // spaces around the number are fine
  EXPECT_EQ(run_child({"--name", "x", "--timeout-file", file}, report_budget).output,
            "OK: budget 3000 ms\n");
}

// A FIFO (or a device, or a directory) is never read: a FIFO with no writer blocked the read,
// before the backstop was armed, until slapgrid killed the promise.
TEST(Runner, TimeoutFileThatIsNotARegularFileKeepsTheDefault) {
  test::TempDir dir;
  const std::string fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo, std::string("/dev/zero"), dir.path()}) {
    auto result = run_child({"--name", "x", "--timeout-file", path}, report_budget);
    EXPECT_EQ(result.output, "OK: budget 10000 ms\n") << path;
    EXPECT_LT(result.seconds, test::kTimeMargin) << path;
  }
}

// Whatever read blocks before the check starts (a promise file that is a FIFO), the backstop
// is already armed: with the --timeout of the command line, else the default.
TEST(Runner, ABlockingReadOfTheOptionsEndsAtTheDeadline) {
  test::TempDir dir;
  const std::string fifo = dir / "promise";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto never = [](const Context&) { return Outcome::critical("ran"); };
  auto result = run_child({"--timeout", "0.3", "--config", fifo}, never);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.output, "CRITICAL: deadline of 0.3 s exceeded while reading the options\n");
  EXPECT_LT(result.seconds, 0.3 + test::kTimeMargin);
}

Outcome report_flags(const Context&) {
  return Outcome::ok(std::string("verify=") + (g_options.verify ? "1" : "0") +
                     " follow=" + (g_options.follow ? "1" : "0"));
}

// SlapOS profiles write config-verify = 1, config-allow-redirects = 0: every boolean flag of
// every promise takes --flag, --flag=V and --flag V, V in 1/0, true/false, yes/no, any case.
TEST(BooleanFlags, TakeAValueInEveryForm) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "verify=0 follow=1"},
      {{"--verify"}, "verify=1 follow=1"},
      {{"--verify", "1"}, "verify=1 follow=1"},
      {{"--verify", "0"}, "verify=0 follow=1"},
      {{"--verify=1"}, "verify=1 follow=1"},
      {{"--verify=0"}, "verify=0 follow=1"},
      {{"--verify", "YES"}, "verify=1 follow=1"},
      {{"--verify", "no"}, "verify=0 follow=1"},
      {{"--verify", "True"}, "verify=1 follow=1"},
      {{"--verify=FALSE"}, "verify=0 follow=1"},
      {{"--follow", "0"}, "verify=0 follow=0"},
      {{"--follow=no"}, "verify=0 follow=0"},
      {{"--no-follow"}, "verify=0 follow=0"},
      {{"--no-follow", "1"}, "verify=0 follow=0"},
      {{"--no-follow", "0"}, "verify=0 follow=1"},
      {{"--no-follow=false"}, "verify=0 follow=1"},
      // A flag followed by another option is still a flag.
      {{"--verify", "--follow", "0"}, "verify=1 follow=0"},
  };
  for (const auto& [flags, expected] : cases) {
    std::vector<std::string> args = {"--name", "x"};
    args.insert(args.end(), flags.begin(), flags.end());
    auto result = run_child(args, report_flags);
    EXPECT_EQ(result.output, "OK: " + expected + "\n") << testing::PrintToString(flags);
    EXPECT_EQ(result.exit_code, 0) << testing::PrintToString(flags);
  }
  EXPECT_EQ(run_child({"--verify", "--name", "x"}, report_flags).output, "OK: verify=1 follow=1\n");
  // The value of another option is never taken for a flag's, nor a flag for a value.
  auto named = run_child({"--name", "--verify", "--follow", "0"}, [](const Context&) {
    return Outcome::ok(g_options.name + (g_options.verify ? " verify" : "") +
                       (g_options.follow ? " follow" : ""));
  });
  EXPECT_EQ(named.output, "OK: --verify\n");
}

TEST(BooleanFlags, AnyOtherValueIsABadOption) {
  for (const std::vector<std::string>& flags : {std::vector<std::string>{"--verify", "maybe"},
                                                {"--verify=on"},
                                                {"--verify", "2"},
                                                {"--verify="},
                                                {"--verify", ""},
                                                {"--no-follow", "maybe"},
                                                {"--follow=-1"}}) {
    std::vector<std::string> args = {"--name", "x"};
    args.insert(args.end(), flags.begin(), flags.end());
    auto result = run_child(args, report_flags);
    EXPECT_EQ(result.exit_code, 3) << testing::PrintToString(flags);
    EXPECT_EQ(result.output.rfind("UNKNOWN: --", 0), 0u) << result.output;
    EXPECT_NE(result.output.find("is not a boolean: use 1 or 0, true or false, yes or no"),
              std::string::npos)
        << result.output;
  }
}

TEST(BooleanFlags, TakeTheSameValuesFromAPromiseFile) {
  test::TempDir dir;
  const std::string file = dir / "promise";
  for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
           {"verify = \"1\"", "OK: verify=1 follow=1\n"},
           {"verify = \"yes\"", "OK: verify=1 follow=1\n"},
           {"verify = \"0\"", "OK: verify=0 follow=1\n"},
           {"follow = \"0\"", "OK: verify=0 follow=0\n"},
           {"follow = \"False\"", "OK: verify=0 follow=0\n"},
           {"verify = \"maybe\"", "UNKNOWN: --verify: 'maybe' is not a boolean"},
           {"verify = \"\"", "UNKNOWN: --verify: '' is not a boolean"}}) {
    std::ofstream(file) << "name = \"x\"\n" << line << "\n";
    auto result = run_child({"--config", file}, report_flags);
    EXPECT_EQ(result.output.rfind(expected, 0), 0u) << line << ": " << result.output;
  }
}

// Whatever fails, the line is in the format asked for: --format is looked for on the command
// line and in the promise file before the options are parsed (the common options are
// processed after the promise's own, so a bad --port used to fail before --format was read).
TEST(Runner, BadOptionsAreReportedInTheChosenFormat) {
  auto never = [](const Context&) { return Outcome::critical("ran"); };
  auto json = run_child({"--format", "json", "--timeout", "abc", "--name", "x"}, never);
  EXPECT_EQ(json.exit_code, 3);
  EXPECT_EQ(json.output.rfind("{\"state\":\"UNKNOWN\",\"exit_code\":3,\"message\":\"--timeout: "
                              "'abc' is not a positive number of seconds (see --help)\"",
                              0),
            0u)
      << json.output;
  auto nagios = run_child({"--name", "x", "--bogus", "--format=nagios"}, never);
  EXPECT_EQ(nagios.output.rfind("UNKNOWN - The following argument was not expected: --bogus", 0),
            0u)
      << nagios.output;
  auto unknown_format = run_child({"--format", "xml", "--timeout", "abc", "--name", "x"}, never);
  EXPECT_EQ(unknown_format.output.rfind("UNKNOWN: --timeout: ", 0), 0u) << unknown_format.output;

  test::TempDir dir;
  std::ofstream(dir / "promise") << "name = \"x\"\ntimeout = \"abc\"\nformat = \"json\"\n";
  auto baked = run_child({"--config", dir / "promise"}, never);
  EXPECT_EQ(baked.output.rfind("{\"state\":\"UNKNOWN\"", 0), 0u) << baked.output;
  // The command line wins over the promise file, as for every option.
  auto overridden = run_child({"--config", dir / "promise", "--format", "nagios"}, never);
  EXPECT_EQ(overridden.output.rfind("UNKNOWN - --timeout: ", 0), 0u) << overridden.output;
  // A promise file that cannot be read: the command line's format still holds.
  auto missing = run_child({"--config", dir / "absent", "--format", "json"}, never);
  EXPECT_EQ(missing.output.rfind("{\"state\":\"UNKNOWN\"", 0), 0u) << missing.output;
}

// An error message is a C string once thrown: a NUL byte in a value cut the reason short. The
// promise file is the only way in for one (argv cannot hold it): the whole reason, escaped.
TEST(Runner, NulByteInAPromiseFileValueIsShownEscapedInAWholeReason) {
  auto never = [](const Context&) { return Outcome::critical("ran"); };
  test::TempDir dir;
  for (const std::string line :
       {"name = \"x\\x00y\"", "timeout = \"1\\x00\"", "format = \"js\\x00on\""}) {
    std::ofstream(dir / "promise") << line << "\n";
    auto result = run_child({"--config", dir / "promise"}, never);
    EXPECT_EQ(result.exit_code, 3) << line;
    EXPECT_EQ(result.output.rfind("UNKNOWN: ", 0), 0u) << result.output;
    EXPECT_NE(result.output.find(line.substr(line.find('"'))), std::string::npos) << result.output;
    EXPECT_NE(result.output.find(" (see --help)\n"), std::string::npos) << result.output;
  }
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
