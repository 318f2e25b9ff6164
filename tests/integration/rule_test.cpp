// --frequency and --result-count/--failure-amount on a real promise (check_port_listening)
// against a real listener started and stopped between runs, run the way slapgrid runs it:
// no arguments, cwd = the partition, a clean environment, stdout and stderr merged.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <thread>

#include "listeners.hpp"
#include "process.hpp"
#include "rule.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kPort = binary("check_port_listening");

struct Partition {
  TempDir dir;
  std::string promise_dir = dir / "etc/promise";
  Partition() { fs::create_directories(promise_dir); }
  std::string promise(const std::string& name) const { return promise_dir + "/" + name; }
  std::string state(const std::string& title) const {
    return dir / ("var/promise/" + title + ".state");
  }

  void install(const std::string& name, std::vector<std::string> options,
               const std::string& mode = "script") const {
    std::vector<std::string> args = {kPort, "--install", promise(name), "--mode", mode};
    args.insert(args.end(), options.begin(), options.end());
    auto result = run(args);
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }

  ProcessResult run_like_slapgrid(const std::string& name, std::vector<std::string> extra = {},
                                  const std::string& cwd = "") const {
    ProcessSpec spec;
    spec.argv = {promise(name)};
    spec.argv.insert(spec.argv.end(), extra.begin(), extra.end());
    spec.cwd = cwd.empty() ? dir.path() : cwd;
    spec.env = clean_environment();
    spec.time_limit = 20;
    return run_process(spec);
  }
};

detail::RuleState read_state(const std::string& path) {
  std::string why;
  auto state = detail::parse_state(read_file(path), why);
  EXPECT_TRUE(state) << path << ": " << why;
  return state.value_or(detail::RuleState{});
}

// A port whose listener the test starts and stops between runs.
struct Service {
  int port = unused_port();
  std::optional<Listener> listener;
  void start() { listener.emplace(Listener::tcp("127.0.0.1", port)); }
  void stop() { listener.reset(); }
  std::string where() const { return "127.0.0.1:" + std::to_string(port); }
};

TEST(Rule, TwoFailuresOfThreeRunsAsTheSlapgridRunsIt) {
  Partition partition;
  Service db;
  partition.install("db.sh", {"--hostname", "127.0.0.1", "--port", std::to_string(db.port),
                              "--result-count", "3", "--failure-amount", "2"});
  // The state file is baked in, next to nothing that slapgrid would run.
  EXPECT_NE(read_file(partition.promise("db.sh"))
                .find("state-file = \"" + partition.state("db") + "\"\n"),
            std::string::npos);

  const std::string up = "OK: " + db.where() + " is listening";
  const std::string down = "CRITICAL: " + db.where() + " is not listening: connection refused";
  db.start();
  expect_line(partition.run_like_slapgrid("db.sh"), 0, up);
  db.stop();
  // The observation is shown; the exit code follows the rule.
  auto tolerated = partition.run_like_slapgrid("db.sh");
  EXPECT_EQ(tolerated.exit_code, 0);
  EXPECT_EQ(tolerated.output,
            down + " (tolerated: 1 of the last 2 runs failed, rule: 2 failures in 3 runs)\n");
  auto failing = partition.run_like_slapgrid("db.sh");
  EXPECT_EQ(failing.exit_code, 2);
  EXPECT_EQ(failing.output, down + " (2 of the last 3 runs failed, rule: 2 failures in 3 runs)\n");
  db.start();
  expect_line(partition.run_like_slapgrid("db.sh"), 0, up);
  db.stop();
  // F O F: not consecutive, still 2 of the last 3.
  auto again = partition.run_like_slapgrid("db.sh");
  EXPECT_EQ(again.exit_code, 2) << again.output;

  const auto state = read_state(partition.state("db"));
  ASSERT_EQ(state.runs.size(), 3u);
  EXPECT_EQ(state.runs[0].exit_code, 2);
  EXPECT_EQ(state.runs[1].exit_code, 0);
  EXPECT_EQ(state.runs[2].exit_code, 2);
  EXPECT_FALSE(state.last);  // no --frequency: nothing to replay
  // Nothing new in etc/promise: slapgrid runs every executable there.
  EXPECT_EQ(std::distance(fs::directory_iterator(partition.promise_dir), fs::directory_iterator{}),
            1);
}

TEST(Rule, JsonTellsTheStateSeenAndTheExitCodeGiven) {
  Partition partition;
  partition.install("db", {"--hostname", "127.0.0.1", "--port", std::to_string(unused_port()),
                           "--failure_amount", "2", "--format", "json"});
  auto result = partition.run_like_slapgrid("db");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output.rfind("{\"state\":\"CRITICAL\",\"exit_code\":0,", 0), 0u)
      << result.output;
  EXPECT_NE(result.output.find("rule: 2 failures in 2 runs"), std::string::npos) << result.output;
}

TEST(Rule, FrequencyReplaysTheLastCheckUntilThePeriodHasPassed) {
  for (const std::string mode : {"script", "copy"}) {
    SCOPED_TRACE(mode);
    Partition partition;
    Service web;
    partition.install(
        "web", {"--hostname", "127.0.0.1", "--port", std::to_string(web.port), "--frequency", "60"},
        mode);
    web.start();
    expect_line(partition.run_like_slapgrid("web"), 0, "OK: " + web.where() + " is listening");
    web.stop();
    auto cached = partition.run_like_slapgrid("web");
    expect_line(cached, 0, "OK: " + web.where() + " is listening");
    // "checked 0 s ago, next check in 60 min", a second later on a busy machine.
    EXPECT_TRUE(std::regex_search(
        cached.output,
        std::regex(R"( \(cached: checked [0-9] s ago, next check in (60|59) min\)\n$)")))
        << cached.output;

    // An operator forces a real check; it is recorded and replayed from then on.
    expect_line(partition.run_like_slapgrid("web", {"--force"}), 2,
                "CRITICAL: " + web.where() + " is not listening");
    auto replayed = partition.run_like_slapgrid("web");
    expect_line(replayed, 2, "CRITICAL: " + web.where() + " is not listening");
    EXPECT_NE(replayed.output.find("(cached: checked"), std::string::npos) << replayed.output;

    // The period over (the recorded check made an hour older): a real check again.
    web.start();
    auto state = read_state(partition.state("web"));
    ASSERT_TRUE(state.last);
    state.last->time -= 3600;
    std::ofstream(partition.state("web")) << detail::serialize(state);
    auto checked = partition.run_like_slapgrid("web");
    expect_line(checked, 0, "OK: " + web.where() + " is listening");
    EXPECT_EQ(checked.output.find("cached"), std::string::npos) << checked.output;
  }
}

TEST(Rule, AnyWorkingDirectoryFindsTheSameState) {
  Partition partition;
  partition.install("db", {"--hostname", "127.0.0.1", "--port", std::to_string(unused_port()),
                           "--frequency", "60"});
  expect_line(partition.run_like_slapgrid("db"), 2, "CRITICAL: ");
  // An operator debugging from elsewhere gets the replay too, and is told how to check now.
  auto debug = partition.run_like_slapgrid("db", {"-v"}, "/");
  EXPECT_EQ(debug.exit_code, 2);
  EXPECT_NE(debug.output.find("state in " + partition.state("db")), std::string::npos)
      << debug.output;
  EXPECT_NE(debug.output.find("replaying the last check (--force checks now)"), std::string::npos)
      << debug.output;
  EXPECT_NE(debug.output.find("(cached: checked"), std::string::npos) << debug.output;
}

TEST(Rule, AStateFileNotBakedInIsFoundFromThePromisesPlace) {
  // Installed without a rule; the rule given on the command line (or by an older install).
  Partition partition;
  partition.install("db.py", {"--hostname", "127.0.0.1", "--port", std::to_string(unused_port())});
  auto result =
      partition.run_like_slapgrid("db.py", {"--result-count", "3", "--failure-amount", "2"}, "/");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(read_state(partition.state("db")).runs.size(), 1u);
}

TEST(Rule, WithoutARuleNothingIsWritten) {
  Partition partition;
  partition.install("db", {"--hostname", "127.0.0.1", "--port", std::to_string(unused_port())});
  for (int i = 0; i < 2; ++i) {
    expect_line(partition.run_like_slapgrid("db"), 2, "CRITICAL: ");
  }
  EXPECT_FALSE(fs::exists(partition.dir / "var"));
}

TEST(Rule, ARunByHandWithoutAStateFileSaysSoAndChecks) {
  TempDir cwd;
  ProcessSpec spec;
  spec.argv = {
      kPort, "--hostname", "127.0.0.1", "--port", std::to_string(unused_port()), "--failure-amount",
      "3"};
  spec.cwd = cwd.path();
  auto result = run_process(spec);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("check_port_listening: warning: --frequency, --result-count and "
                               "--failure-amount are not applied: no state file"),
            std::string::npos)
      << result.output;
  EXPECT_TRUE(fs::is_empty(cwd.path()));
}

TEST(Rule, ACorruptStateFileIsWarnedAboutAndReplaced) {
  Partition partition;
  partition.install("db", {"--hostname", "127.0.0.1", "--port", std::to_string(unused_port()),
                           "--result-count", "3", "--failure-amount", "2"});
  fs::create_directories(partition.dir / "var/promise");
  std::ofstream(partition.state("db")) << "\x7f"
                                          "ELF garbage\n";
  auto result = partition.run_like_slapgrid("db");
  EXPECT_EQ(result.exit_code, 0);  // never UNKNOWN for our own state: a first failure, tolerated
  EXPECT_EQ(
      result.output.rfind("check_port_listening: warning: state file " + partition.state("db") +
                              " is corrupt (line 1: not a state file of this version); "
                              "ignored, the rule starts afresh\nCRITICAL: ",
                          0),
      0u)
      << result.output;
  EXPECT_EQ(read_state(partition.state("db")).runs.size(), 1u);
}

TEST(Rule, TwentyOverlappingRunsLeaveAValidStateWithEveryRun) {
  Partition partition;
  Service db;
  db.start();
  partition.install("db", {"--hostname", "127.0.0.1", "--port", std::to_string(db.port),
                           "--result-count", "50", "--failure-amount", "50", "--frequency", "0.5"});
  constexpr std::size_t kRuns = 20;
  std::vector<ProcessResult> results(kRuns);
  std::vector<std::thread> runs;
  for (std::size_t i = 0; i < kRuns; ++i) {
    runs.emplace_back([&, i] { results[i] = partition.run_like_slapgrid("db", {"--force"}); });
  }
  for (auto& run : runs) run.join();
  for (const auto& result : results) expect_line(result, 0, "OK: " + db.where() + " is listening");
  const auto state = read_state(partition.state("db"));
  EXPECT_EQ(state.runs.size(), kRuns);
  EXPECT_TRUE(state.last);
  EXPECT_EQ(std::distance(fs::directory_iterator(partition.dir / "var/promise"),
                          fs::directory_iterator{}),
            1);  // no temporary file left
}

TEST(Rule, ChangedOptionsStartAfresh) {
  Partition partition;
  Service db;
  partition.install(
      "db", {"--hostname", "127.0.0.1", "--port", std::to_string(db.port), "--frequency", "60"});
  expect_line(partition.run_like_slapgrid("db"), 2, "CRITICAL: ");
  // Reinstalled with the same check and another --timeout: the same check, still replayed.
  db.start();
  partition.install("db", {"--hostname", "127.0.0.1", "--port", std::to_string(db.port),
                           "--frequency", "60", "--timeout", "5"});
  expect_line(partition.run_like_slapgrid("db"), 2, "CRITICAL: ");
  // Reinstalled for another port: the old port's result is not replayed.
  Service other;
  other.start();
  partition.install(
      "db", {"--hostname", "127.0.0.1", "--port", std::to_string(other.port), "--frequency", "60"});
  auto fresh = partition.run_like_slapgrid("db");
  expect_line(fresh, 0, "OK: " + other.where() + " is listening");
  EXPECT_EQ(fresh.output.find("cached"), std::string::npos) << fresh.output;
}

TEST(Rule, ShowConfigShowsTheRule) {
  Partition partition;
  partition.install("db", {"--hostname", "::1", "--port", "80", "--result_count", "5",
                           "--failure-amount", "3", "--frequency", "2.5"});
  auto result = run({partition.promise("db"), "--show-config"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("result-count = \"5\"\nfailure-amount = \"3\"\n"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("frequency = \"2.5\"\n"), std::string::npos) << result.output;
}

class BadRule : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadRule, IsRefusedAtInstallAndAtRun) {
  Partition partition;
  std::vector<std::string> args = {"--hostname", "::1", "--port", "80"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  std::vector<std::string> install = {kPort, "--install", partition.promise("p")};
  install.insert(install.end(), args.begin(), args.end());
  auto refused = run(install);
  expect_line(refused, 3, "UNKNOWN: ");
  EXPECT_NE(refused.output.find(GetParam().mentions), std::string::npos) << refused.output;
  EXPECT_TRUE(fs::is_empty(partition.promise_dir));

  std::vector<std::string> by_hand = {kPort};
  by_hand.insert(by_hand.end(), args.begin(), args.end());
  auto at_run = run(by_hand);
  expect_line(at_run, 3, "UNKNOWN: ");
  EXPECT_NE(at_run.output.find(GetParam().mentions), std::string::npos) << at_run.output;
}

INSTANTIATE_TEST_SUITE_P(
    Rule, BadRule,
    ::testing::Values(
        BadInput{"FewerRunsThanFailures",
                 {"--result-count", "2", "--failure-amount", "3"},
                 "Bad configuration: result-count 2 < failure_amount 3"},
        BadInput{"ZeroRuns", {"--result-count", "0"}, "'0' is not a whole number from 1 to 1000"},
        BadInput{"TooManyRuns", {"--result_count", "1001"}, "from 1 to 1000"},
        BadInput{"FractionalCount", {"--failure-amount", "2.0"}, "'2.0' is not a whole number"},
        BadInput{"NegativeFrequency", {"--frequency", "-1"}, "not a number of minutes"},
        BadInput{"HugeFrequency", {"--frequency", "1e9"}, "from 0 to 527040"},
        BadInput{"StateInEtcPromise",
                 {"--frequency", "5", "--state-file", "/srv/part/etc/promise/x.state"},
                 "is in etc/promise/, where slapgrid runs every executable file"}),
    bad_input_name);

TEST(Rule, InstallOutsideAPartitionNeedsAStateFile) {
  TempDir dir;
  auto refused = run(
      {kPort, "--install", dir / "p", "--hostname", "::1", "--port", "80", "--frequency", "60"});
  expect_line(refused, 3, "UNKNOWN: --install: --frequency, --result-count and --failure-amount");
  EXPECT_NE(refused.output.find("give --state-file PATH"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(dir / "p"));
  auto given = run({kPort, "--install", dir / "p", "--hostname", "::1", "--port", "80",
                    "--frequency", "60", "--state-file", dir / "state/p.state"});
  EXPECT_EQ(given.exit_code, 0) << given.output;
}

}  // namespace
}  // namespace promise::test
