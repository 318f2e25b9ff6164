// The rule core (--frequency, N failures of M runs) with a fake clock, the state file format,
// and the state file on disk: atomic, bounded, never through a symlink, never blocked by a FIFO,
// corrupt files warned about and ignored, overlapping writers all recorded.
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "limits.hpp"
#include "process.hpp"
#include "promise/default_rule.hpp"
#include "promise/options.hpp"
#include "rule.hpp"

namespace promise::detail {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

RuleConfig n_of_m(int m, int n) {
  return RuleConfig{0, m, n};
}
RuleConfig every(double minutes) {
  return RuleConfig{minutes, 0, 0};
}

const Outcome kUp = Outcome::ok("db is listening");
const Outcome kDown = Outcome::critical("db is not listening");

// Runs a sequence of observations ('O' ok, 'F' critical, 'W' warning) one minute apart and
// returns the exit codes the rule gave.
std::vector<int> exits(const RuleConfig& config, RuleState& state, std::string_view runs,
                       std::int64_t start = 1'000'000) {
  std::vector<int> codes;
  for (const char run : runs) {
    const Outcome observed = run == 'O' ? kUp : run == 'W' ? Outcome::warning("slow") : kDown;
    codes.push_back(judge(config, state, observed, start).exit_code);
    start += 60;
  }
  return codes;
}

// ---- options in effect ---------------------------------------------------------------------

TEST(RuleConfig, NoOptionIsSlapgridsOwnRule) {
  const RuleConfig none;
  EXPECT_FALSE(none.active());
  EXPECT_EQ(none.window(), 1);
  EXPECT_EQ(none.threshold(), 1);
  // One failure of M fails whenever this run fails: nothing to record.
  EXPECT_FALSE(n_of_m(5, 1).active());
  EXPECT_TRUE(n_of_m(3, 2).active());
  EXPECT_TRUE(every(60).active());
  EXPECT_FALSE(every(0).active());
}

TEST(RuleConfig, ACountGivenAloneStandsForBoth) {
  const RuleConfig only_failures{0, 0, 4};
  EXPECT_EQ(only_failures.window(), 4);
  EXPECT_EQ(only_failures.threshold(), 4);
  const RuleConfig only_runs{0, 10, 0};
  EXPECT_EQ(only_runs.window(), 10);
  EXPECT_EQ(only_runs.threshold(), 10);
}

// ---- N failures of M runs ------------------------------------------------------------------

TEST(NOfM, FailsOnlyWhenThisRunFailedAndNOfTheLastMDid) {
  RuleState state;
  EXPECT_EQ(exits(n_of_m(3, 2), state, "OFFOF"), (std::vector<int>{0, 0, 2, 0, 2}));
}

TEST(NOfM, FailuresNeedNotBeConsecutive) {
  RuleState state;
  // F O F: the newest failed and one of the two before it: 2 of 3.
  EXPECT_EQ(exits(n_of_m(3, 2), state, "FOF"), (std::vector<int>{0, 0, 2}));
  // F O O F: the first failure has left the window.
  RuleState other;
  EXPECT_EQ(exits(n_of_m(3, 2), other, "FOOF"), (std::vector<int>{0, 0, 0, 0}));
}

TEST(NOfM, FewerRunsThanNIsOk) {
  RuleState state;
  EXPECT_EQ(exits(n_of_m(10, 10), state, "FFFFFFFFF"), std::vector<int>(9, 0));
  EXPECT_EQ(exits(n_of_m(10, 10), state, "F"), (std::vector<int>{2}));
  EXPECT_EQ(state.runs.size(), 10u);
}

TEST(NOfM, TheExitCodeIsTheObservedStates) {
  RuleState state;
  EXPECT_EQ(exits(n_of_m(2, 2), state, "WW"), (std::vector<int>{0, 1}));
  EXPECT_EQ(exits(n_of_m(2, 2), state, "F"), (std::vector<int>{2}));
}

TEST(NOfM, TheStatusLineShowsTheObservationWithANote) {
  RuleState state;
  Verdict first = judge(n_of_m(3, 2), state, kDown, 100);
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_EQ(first.shown.state, State::critical);  // what was seen, not what the rule decided
  EXPECT_EQ(first.shown.message,
            "db is not listening (tolerated: the only recorded run failed, rule: 2 failures in 3 "
            "runs)");
  Verdict up = judge(n_of_m(3, 2), state, kUp, 160);
  EXPECT_EQ(up.shown.message, "db is listening");
  Verdict second = judge(n_of_m(5, 3), state, kDown, 220);
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.shown.message,
            "db is not listening (tolerated: 2 of the last 3 runs failed, rule: 3 failures in 5 "
            "runs)");
  Verdict third = judge(n_of_m(5, 3), state, kDown, 280);
  EXPECT_EQ(third.exit_code, 2);
  EXPECT_EQ(third.shown.message,
            "db is not listening (3 of the last 4 runs failed, rule: 3 failures in 5 runs)");
}

TEST(NOfM, TheWindowFollowsTheOptionsWhenTheyChange) {
  RuleState state;
  exits(n_of_m(5, 5), state, "FFFOO");
  EXPECT_EQ(state.runs.size(), 5u);
  // Shrunk to 3: the last 3 count (O O and this F): tolerated, and 3 runs are kept.
  EXPECT_EQ(exits(n_of_m(3, 2), state, "F", 2'000'000), (std::vector<int>{0}));
  EXPECT_EQ(state.runs.size(), 3u);
  // Grown to 6: the 3 kept (O O F) and the new one count.
  EXPECT_EQ(exits(n_of_m(6, 2), state, "F", 3'000'000), (std::vector<int>{2}));
  EXPECT_EQ(state.runs.size(), 4u);
}

TEST(NOfM, KeepsAtMostMRunsAndStopsKeepingWithoutTheRule) {
  RuleState state;
  exits(n_of_m(1000, 1000), state, std::string(1500, 'F'));
  EXPECT_EQ(state.runs.size(), 1000u);
  EXPECT_LE(serialize(state).size(), kMaxStateFileBytes);
  exits(every(60), state, "F");
  EXPECT_TRUE(state.runs.empty());
}

TEST(NOfM, LongMessagesAreCutButTheNoteStays) {
  RuleState state;
  const Verdict verdict =
      judge(n_of_m(3, 2), state, Outcome::critical(std::string(5000, 'x') + "\n"), 1);
  EXPECT_LE(verdict.shown.message.size(), 900u);
  EXPECT_NE(verdict.shown.message.find("bytes cut)"), std::string::npos);
  EXPECT_TRUE(verdict.shown.message.ends_with("rule: 2 failures in 3 runs)"));
}

TEST(NOfM, SecretsNeverReachTheStateFile) {
  register_secret("s3cret-rule");
  RuleState state;
  judge(RuleConfig{60, 3, 2}, state, Outcome::critical("login s3cret-rule refused"), 1);
  EXPECT_EQ(serialize(state).find("s3cret-rule"), std::string::npos);
  EXPECT_NE(serialize(state).find("login *** refused"), std::string::npos);
}

// ---- --frequency ---------------------------------------------------------------------------

TEST(Frequency, ReplaysTheLastCheckUntilThePeriodHasPassed) {
  RuleState state;
  EXPECT_FALSE(replay(every(60), state, 0));  // nothing recorded: check
  Verdict checked = judge(every(60), state, kDown, 10'000);
  EXPECT_EQ(checked.exit_code, 2);
  EXPECT_EQ(checked.shown.message, "db is not listening");

  auto cached = replay(every(60), state, 10'000 + 12 * 60);
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->exit_code, 2);
  EXPECT_EQ(cached->shown.state, State::critical);
  EXPECT_EQ(cached->shown.message,
            "db is not listening (cached: checked 12 min ago, next check in 48 min)");
  cached = replay(every(60), state, 10'000 + 3599);
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->shown.message,
            "db is not listening (cached: checked 59 min ago, next check in 1 s)");
  EXPECT_FALSE(replay(every(60), state, 10'000 + 3600));
}

TEST(Frequency, LongPeriodsReadAsHoursAndDays) {
  RuleState state;
  judge(every(720), state, kUp, 0);
  EXPECT_EQ(replay(every(720), state, 30)->shown.message,
            "db is listening (cached: checked 30 s ago, next check in 11 h 59 min)");
  judge(every(86400), state, kUp, 0);
  EXPECT_EQ(replay(every(86400), state, 3 * 3600)->shown.message,
            "db is listening (cached: checked 3 h ago, next check in 59 d)");
}

TEST(Frequency, FractionsOfAMinute) {
  RuleState state;
  judge(every(0.5), state, kUp, 0);
  EXPECT_TRUE(replay(every(0.5), state, 29));
  EXPECT_FALSE(replay(every(0.5), state, 30));
}

TEST(Frequency, AClockThatWentBackChecks) {
  RuleState state;
  judge(every(60), state, kUp, 10'000);
  EXPECT_FALSE(replay(every(60), state, 9'000));
}

TEST(Frequency, APeriodShortenedOnTheCommandLineApplies) {
  RuleState state;
  judge(every(60), state, kUp, 0);
  EXPECT_TRUE(replay(every(60), state, 600));
  EXPECT_FALSE(replay(every(5), state, 600));
  EXPECT_FALSE(replay(every(0), state, 600));
}

TEST(Frequency, ReplaysTheRulesVerdictAndNote) {
  const RuleConfig config{60, 3, 2};
  RuleState state;
  Verdict tolerated = judge(config, state, kDown, 0);
  EXPECT_EQ(tolerated.exit_code, 0);
  auto cached = replay(config, state, 120);
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->exit_code, 0);
  EXPECT_EQ(cached->shown.state, State::critical);
  EXPECT_EQ(cached->shown.message,
            "db is not listening (tolerated: the only recorded run failed, rule: 2 failures in 3 "
            "runs) (cached: checked 2 min ago, next check in 58 min)");
  EXPECT_TRUE(cached->shown.metrics.empty());  // an old figure is not a measurement of now
  EXPECT_EQ(state.runs.size(), 1u);            // a replay is not a run
}

// ---- the file format -----------------------------------------------------------------------

RuleState sample() {
  RuleState state;
  state.fingerprint = 0x0123456789abcdefULL;
  state.runs = {{1'700'000'000, 0}, {1'700'000'120, 2}, {1'700'000'240, 3}};
  state.last = LastCheck{1'700'000'240, 0, State::unknown, "it said \"no\" (tolerated ...)"};
  return state;
}

TEST(StateFormat, RoundTrips) {
  const std::string text = serialize(sample());
  EXPECT_EQ(text,
            "slapos-native-promises state 1\nfingerprint 0123456789abcdef\n"
            "run 1700000000 0\nrun 1700000120 2\nrun 1700000240 3\n"
            "last 1700000240 0 3 it said \"no\" (tolerated ...)\n");
  std::string why;
  auto parsed = parse_state(text, why);
  ASSERT_TRUE(parsed) << why;
  EXPECT_EQ(*parsed, sample());
  RuleState empty;
  ASSERT_TRUE(parse_state(serialize(empty), why)) << why;
  RuleState empty_message = sample();
  empty_message.last->message.clear();
  EXPECT_EQ(parse_state(serialize(empty_message), why), empty_message) << why;
}

TEST(StateFormat, AnythingElseIsCorrupt) {
  const std::string good = serialize(sample());
  std::string runs_1001 = "slapos-native-promises state 1\nfingerprint 0000000000000000\n";
  for (int i = 0; i < 1001; ++i) runs_1001 += "run 1 0\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"garbage\n", "line 1"},
      {good.substr(0, good.size() - 1), "truncated"},
      {good.substr(0, good.size() / 2), "truncated"},
      {"slapos-native-promises state 2\nfingerprint 0000000000000000\n", "line 1"},
      {"slapos-native-promises state 1\n", "no fingerprint"},
      {"slapos-native-promises state 1\nfingerprint 0123\n", "line 2"},
      {"slapos-native-promises state 1\nfingerprint 0123456789ABCDEF\n", "line 2"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nrun -5 0\n", "line 3"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nrun 5 7\n", "line 3"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nrun 5 0 1\n", "line 3"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nrun  5 0\n", "line 3"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nrun 99999999999999999999 0\n",
       "line 3"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nlast 1 0 2 a\x1b[31m\n",
       "bad message"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nlast 1 0 2 \xff\n",
       "bad message"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nlast 1 0 2 a\nrun 1 0\n",
       "line 4"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nlast 1 0 2 a\nlast 1 0 2 b\n",
       "line 4"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\nlast 1 0 2\n", "line 3"},
      {"slapos-native-promises state 1\nfingerprint 0000000000000000\n\n", "line 3"},
      {runs_1001, "more than 1000 runs"},
      {std::string(kMaxStateFileBytes + 1, '\n'), "larger than 64 KiB"},
  };
  for (const auto& [text, reason] : cases) {
    std::string why;
    EXPECT_FALSE(parse_state(text, why)) << reason;
    EXPECT_NE(why.find(reason), std::string::npos) << "'" << why << "' for " << reason;
  }
}

// ---- where the state lives -----------------------------------------------------------------

TEST(StatePath, TitleIsTheNameWithoutExtensionAsSlapgridSaysIt) {
  EXPECT_EQ(promise_title("apache-listening"), "apache-listening");
  EXPECT_EQ(promise_title("check.sh"), "check");
  EXPECT_EQ(promise_title("a.b.c"), "a.b");
  EXPECT_EQ(promise_title(".hidden"), ".hidden");
  EXPECT_EQ(promise_title("..x"), "..x");
  EXPECT_EQ(promise_title(".x.py"), ".x");
  EXPECT_EQ(promise_title("x."), "x");
}

TEST(StatePath, VarPromiseOfThePartitionOfAnInstalledPromise) {
  EXPECT_EQ(state_path_for("/srv/slapgrid/slappart3/etc/promise/apache.sh"),
            "/srv/slapgrid/slappart3/var/promise/apache.state");
  EXPECT_EQ(state_path_for("/srv/slappart3/etc/./promise//db"),
            "/srv/slappart3/var/promise/db.state");
  EXPECT_EQ(state_path_for("etc/promise/db"),
            (fs::current_path() / "var/promise/db.state").string());
  EXPECT_FALSE(state_path_for("/srv/slappart3/etc/plugin/db.py"));
  EXPECT_FALSE(state_path_for("/usr/bin/check_port_listening"));
  EXPECT_FALSE(state_path_for(""));
}

// ---- the options ---------------------------------------------------------------------------

struct Parsed {
  CLI::App app;
  RuleOptions rule;
  std::string port;
  double timeout = 10;
  std::string password;
  explicit Parsed(std::vector<std::string> args, std::optional<DefaultRule> default_rule = {}) {
    if (default_rule) promise::default_rule(app, *default_rule);
    app.add_option("--port", port);
    secret(app.add_option("--password", password));
    app.add_option("--timeout", timeout)->group("Common options");
    declare_rule_options(app, rule);
    std::reverse(args.begin(), args.end());
    app.parse(args);
  }
};

TEST(RuleOptions, TheFingerprintIsTheChecksOwnOptions) {
  const auto base = options_fingerprint(Parsed({"--port", "80"}).app);
  EXPECT_NE(options_fingerprint(Parsed({"--port", "81"}).app), base);
  EXPECT_EQ(options_fingerprint(Parsed({"--port", "80", "--timeout", "3", "--result-count", "5",
                                        "--frequency", "60", "--force"})
                                    .app),
            base);
  // A secret's value is not hashed into a file: changing it keeps the state.
  EXPECT_EQ(options_fingerprint(Parsed({"--port", "80", "--password", "a"}).app),
            options_fingerprint(Parsed({"--port", "80", "--password", "b"}).app));
}

TEST(RuleOptions, BothSpellingsOfThePluginsAreAccepted) {
  Parsed parsed({"--result_count", "5", "--failure_amount", "2", "--frequency", "1.5"});
  EXPECT_EQ(parsed.rule.config.result_count, 5);
  EXPECT_EQ(parsed.rule.config.failure_amount, 2);
  EXPECT_EQ(parsed.rule.config.frequency_minutes, 1.5);
}

TEST(RuleOptions, InstallBakesTheStateFileOnlyWhenARuleNeedsOne) {
  Parsed with_rule({"--failure-amount", "3"});
  EXPECT_EQ(check_rule_options(with_rule.app, with_rule.rule, "/srv/part/etc/promise/db.sh"), "");
  EXPECT_EQ(with_rule.app.get_option("--state-file")->results(),
            std::vector<std::string>{"/srv/part/var/promise/db.state"});
  Parsed trivial({"--result-count", "4", "--failure-amount", "1"});  // fails on every failure
  EXPECT_EQ(check_rule_options(trivial.app, trivial.rule, "/srv/part/etc/promise/db.sh"), "");
  EXPECT_EQ(trivial.app.get_option("--state-file")->count(), 0u);
}

// ---- a promise's default rule (promise::default_rule) ---------------------------------------

const DefaultRule kTenOfTenEveryHour{
    .frequency_minutes = 60, .result_count = 10, .failure_amount = 10};

TEST(DefaultRule, AppliesWhenNoRuleOptionIsGiven) {
  Parsed parsed({"--port", "80"}, kTenOfTenEveryHour);
  EXPECT_EQ(check_rule_options(parsed.app, parsed.rule, ""), "");
  EXPECT_EQ(parsed.rule.config.window(), 10);
  EXPECT_EQ(parsed.rule.config.threshold(), 10);
  EXPECT_EQ(parsed.rule.config.frequency_minutes, 60);
  EXPECT_FALSE(parsed.rule.given.active());
  // Without a default, nothing.
  Parsed plain({"--port", "80"});
  EXPECT_EQ(check_rule_options(plain.app, plain.rule, ""), "");
  EXPECT_FALSE(plain.rule.config.active());
}

TEST(DefaultRule, AnExplicitOptionReplacesItsPartOfTheDefault) {
  // A count given alone replaces the default pair: 3 of 3, not a refused 3 < 10.
  Parsed counts({"--result-count", "3"}, kTenOfTenEveryHour);
  EXPECT_EQ(check_rule_options(counts.app, counts.rule, ""), "");
  EXPECT_EQ(counts.rule.config.window(), 3);
  EXPECT_EQ(counts.rule.config.threshold(), 3);
  EXPECT_EQ(counts.rule.config.frequency_minutes, 60);  // the period is apart
  Parsed off({"--result-count", "1", "--frequency", "0"}, kTenOfTenEveryHour);
  EXPECT_EQ(check_rule_options(off.app, off.rule, ""), "");
  EXPECT_FALSE(off.rule.config.active());
  Parsed amount({"--failure_amount", "2"}, DefaultRule{.result_count = 10, .failure_amount = 10});
  EXPECT_EQ(check_rule_options(amount.app, amount.rule, ""), "");
  EXPECT_EQ(amount.rule.config.window(), 2);
  EXPECT_FALSE(amount.rule.config.replays());
}

TEST(DefaultRule, InstallBakesTheStateFileInAPartitionAndDoesNotRefuseElsewhere) {
  Parsed in_partition({"--port", "80"}, kTenOfTenEveryHour);
  EXPECT_EQ(check_rule_options(in_partition.app, in_partition.rule, "/srv/part/etc/promise/cpu"),
            "");
  EXPECT_EQ(in_partition.app.get_option("--state-file")->results(),
            std::vector<std::string>{"/srv/part/var/promise/cpu.state"});
  Parsed elsewhere({"--port", "80"}, kTenOfTenEveryHour);
  EXPECT_EQ(check_rule_options(elsewhere.app, elsewhere.rule, "/usr/local/bin/cpu"), "");
  EXPECT_EQ(elsewhere.app.get_option("--state-file")->count(), 0u);
  // An explicit rule there still needs --state-file.
  Parsed asked({"--frequency", "5"}, kTenOfTenEveryHour);
  EXPECT_NE(check_rule_options(asked.app, asked.rule, "/usr/local/bin/cpu"), "");
}

TEST(DefaultRule, HelpShowsTheDefaults) {
  Parsed parsed({}, kTenOfTenEveryHour);
  const std::string help = parsed.app.help();
  EXPECT_NE(help.find("default for this promise: 10 failures in 10 runs"), std::string::npos)
      << help;
  EXPECT_NE(help.find("default for this promise: 60 min"), std::string::npos) << help;
  EXPECT_NE(help.find("--result-count 1 turns it off"), std::string::npos) << help;
  const std::string plain = Parsed({}).app.help();
  EXPECT_EQ(plain.find("default for this promise"), std::string::npos);
}

TEST(DefaultRule, ARuleTheOptionsWouldRefuseIsAProgrammingError) {
  CLI::App app;
  EXPECT_THROW(promise::default_rule(app, {.result_count = 2, .failure_amount = 3}),
               std::logic_error);
  EXPECT_THROW(promise::default_rule(app, {.frequency_minutes = -1}), std::logic_error);
  EXPECT_THROW(promise::default_rule(app, {.result_count = 1001}), std::logic_error);
  // Taken by the app declared next only: another app gets no default.
  promise::default_rule(app, {.result_count = 5});
  Parsed other({});
  EXPECT_EQ(check_rule_options(other.app, other.rule, ""), "");
  EXPECT_FALSE(other.rule.config.active());
}

TEST(RuleOptions, APromisesOwnOptionOfTheSameNameIsLeftToIt) {
  CLI::App app;
  std::string own;
  app.add_option("--frequency", own, "MHz, as check_frequency_outofbounds");
  RuleOptions rule;
  EXPECT_NO_THROW(declare_rule_options(app, rule));
  app.parse(std::vector<std::string>{"2600", "--frequency"});
  EXPECT_EQ(own, "2600");
  EXPECT_FALSE(rule.config.active());
  EXPECT_NE(app.get_option_no_throw("--result-count"), nullptr);
}

// ---- the state file on disk ----------------------------------------------------------------

struct Warnings {
  std::vector<std::string> lines;
  Warn sink() {
    return [this](const std::string& line) { lines.push_back(line); };
  }
  std::string all() const {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
  }
};

const Log kQuiet;
const Deadline kAmple(std::chrono::seconds(100));

void add_run(RuleState& state) {
  state.runs.push_back({static_cast<std::int64_t>(state.runs.size()), 0});
}

TEST(StateFile, MissingIsEmptyWithoutAWarning) {
  TempDir dir;
  Warnings warnings;
  StateFile file(dir / "var/promise/x.state", warnings.sink(), kQuiet);
  EXPECT_EQ(file.load(42), (RuleState{42, {}, std::nullopt}));
  EXPECT_TRUE(warnings.lines.empty()) << warnings.all();
  EXPECT_FALSE(fs::exists(dir / "var")) << "reading creates nothing";
}

TEST(StateFile, WritesAtomicallyIntoAPrivateDirectory) {
  TempDir dir;
  Warnings warnings;
  StateFile file(dir / "var/promise/x.state", warnings.sink(), kQuiet);
  ASSERT_TRUE(file.update(7, add_run, kAmple)) << warnings.all();
  ASSERT_TRUE(file.update(7, add_run, kAmple)) << warnings.all();
  EXPECT_TRUE(warnings.lines.empty()) << warnings.all();
  EXPECT_EQ(file.load(7).runs.size(), 2u);
  struct stat info {};
  ASSERT_EQ(::stat((dir / "var/promise").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((dir / "var/promise/x.state").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  // Nothing but the state file: the temporary file was renamed over it.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir / "var/promise")) {
    names.push_back(entry.path().filename());
  }
  EXPECT_EQ(names, std::vector<std::string>{"x.state"});
}

TEST(StateFile, OtherOptionsStartAfresh) {
  TempDir dir;
  Warnings warnings;
  StateFile file(dir / "x.state", warnings.sink(), kQuiet);
  ASSERT_TRUE(file.update(1, add_run, kAmple));
  EXPECT_TRUE(file.load(2).runs.empty());
  EXPECT_TRUE(warnings.lines.empty()) << "a reinstall is not a problem: " << warnings.all();
}

TEST(StateFile, ASymlinkIsNeverFollowed) {
  TempDir dir;
  fs::create_directories(dir / "p");
  std::ofstream(dir / "victim") << "precious\n";
  fs::create_symlink(dir / "victim", dir / "p/x.state");
  // The fixed temporary name too.
  std::ofstream(dir / "victim2") << "precious too\n";
  fs::create_symlink(dir / "victim2", dir / "p/.x.state.tmp");
  Warnings warnings;
  StateFile file(dir / "p/x.state", warnings.sink(), kQuiet);
  EXPECT_TRUE(file.load(1).runs.empty());
  EXPECT_NE(warnings.all().find("is a symbolic link, not followed"), std::string::npos)
      << warnings.all();
  ASSERT_TRUE(file.update(1, add_run, kAmple)) << warnings.all();
  EXPECT_EQ(test::read_file(dir / "victim"), "precious\n");
  EXPECT_EQ(test::read_file(dir / "victim2"), "precious too\n");
  EXPECT_FALSE(fs::is_symlink(dir / "p/x.state"));
  EXPECT_EQ(file.load(1).runs.size(), 1u);
}

TEST(StateFile, AFifoDoesNotBlock) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "x.state").c_str(), 0600), 0);
  Warnings warnings;
  StateFile file(dir / "x.state", warnings.sink(), kQuiet);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(file.load(1).runs.empty());  // a blocking open would hang here
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_NE(warnings.all().find("is not a regular file"), std::string::npos) << warnings.all();
  ASSERT_TRUE(file.update(1, add_run, kAmple)) << warnings.all();  // replaced by a file
  EXPECT_EQ(file.load(1).runs.size(), 1u);
}

TEST(StateFile, CorruptIsWarnedIgnoredAndReplaced) {
  TempDir dir;
  Warnings warnings;
  StateFile file(dir / "x.state", warnings.sink(), kQuiet);
  std::ofstream(dir / "x.state") << "slapos-native-promises state 1\nfingerprint 00000000000000";
  EXPECT_TRUE(file.load(0).runs.empty());
  ASSERT_EQ(warnings.lines.size(), 1u);
  EXPECT_EQ(warnings.lines[0], "state file " + (dir / "x.state") +
                                   " is corrupt (truncated (no final newline)); ignored, the rule "
                                   "starts afresh");
  ASSERT_TRUE(file.update(0, add_run, kAmple));
  std::string why;
  EXPECT_TRUE(parse_state(test::read_file(dir / "x.state"), why)) << why;
}

TEST(StateFile, AHugeFileIsNotRead) {
  TempDir dir;
  {
    std::ofstream out(dir / "x.state");
    out << serialize(RuleState{}) << std::string(1 << 20, '#');
  }
  Warnings warnings;
  StateFile file(dir / "x.state", warnings.sink(), kQuiet);
  EXPECT_TRUE(file.load(0).runs.empty());
  EXPECT_NE(warnings.all().find("is larger than 64 KiB"), std::string::npos) << warnings.all();
}

TEST(StateFile, ADirectoryOthersMayWriteIsRefusedUnlessSticky) {
  TempDir dir;
  fs::create_directories(dir / "open");
  ::chmod((dir / "open").c_str(), 0777);
  Warnings warnings;
  StateFile file(dir / "open/x.state", warnings.sink(), kQuiet);
  EXPECT_FALSE(file.update(0, add_run, kAmple));
  EXPECT_FALSE(fs::exists(dir / "open/x.state"));
  EXPECT_NE(warnings.all().find("is writable by others (no sticky bit)"), std::string::npos)
      << warnings.all();
  ::chmod((dir / "open").c_str(), 01777);
  EXPECT_TRUE(file.update(0, add_run, kAmple)) << warnings.all();
}

TEST(StateFile, ALockHeldTooLongIsGivenUpAtTheDeadline) {
  TempDir dir;
  const int held = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  Warnings warnings;
  StateFile file(dir / "x.state", warnings.sink(), kQuiet);
  const Deadline deadline(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(file.update(0, add_run, deadline));
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(waited, 0.25);
  EXPECT_LT(waited, 0.3 + test::kTimeMargin);
  EXPECT_NE(warnings.all().find("still locked by another run; this run is not recorded"),
            std::string::npos)
      << warnings.all();
  EXPECT_FALSE(fs::exists(dir / "x.state"));
  ::close(held);
}

TEST(StateFile, OverlappingWritersAreAllRecorded) {
  TempDir dir;
  constexpr int kWriters = 20;
  std::vector<pid_t> children;
  for (int i = 0; i < kWriters; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      StateFile file(
          dir / "x.state", [](const std::string&) { ::_exit(1); }, kQuiet);
      const Deadline deadline(std::chrono::seconds(10));
      ::_exit(file.update(9, add_run, deadline) ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  Warnings warnings;
  StateFile file(dir / "x.state", warnings.sink(), kQuiet);
  EXPECT_EQ(file.load(9).runs.size(), static_cast<std::size_t>(kWriters)) << warnings.all();
}

}  // namespace
}  // namespace promise::detail
