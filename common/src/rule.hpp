#pragma once
// Rules the legacy runner cannot express, once for every promise (CATALOGUE 2.5).
//
// slapgrid holds every executable in etc/promise/ to one rule: fail on the last run, anomaly
// after 3 failures, every 2 minutes. A SlapOS plugin may need another one, so every promise
// takes these options (group "Rule (SlapOS plugins)"):
//
//   --frequency MINUTES   check at most once per period; in between, replay the last result
//                         (its state word, message and exit code, marked "cached").
//   --result-count M      with --failure-amount N: exit non-zero only when this run failed and
//   --failure-amount N    at least N of the last M runs (this one included) failed, as the
//                         plugins' _test(M, N)/_anomaly(M, N). Given alone, one stands for both.
//   --state-file PATH     where the state lives; --install bakes <partition>/var/promise/
//                         <title>.state when a rule option is given, title being the promise
//                         file's name without extension (slapgrid's title).
//   --force               check now even within the period (recorded like any run).
//
// The status line always shows this run's observation (or, replayed, the last one, marked);
// only the exit code follows the rule. Without a rule option nothing changes and no state file
// is read or written, unless the promise has a default rule (promise/default_rule.hpp): then
// the default stands for the options not given.
//
// The state file: versioned text, at most 1000 runs and 64 KiB, written under an exclusive
// flock of its directory by a fixed temporary name + rename, so that two overlapping runs
// neither corrupt it nor lose a record. It is never followed through a symlink (O_NOFOLLOW),
// never read if it is not a regular file (O_NONBLOCK: a FIFO cannot hang the run), and a
// directory that others may write to without the sticky bit is refused. A state file that is
// missing, unsafe or corrupt is ignored with one warning on stderr: the check runs, and the
// rule starts afresh. It never makes the promise UNKNOWN.

#include "promise/deadline.hpp"
#include "promise/log.hpp"
#include "promise/outcome.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise::detail {

inline constexpr int kMaxResultCount = 1000;
inline constexpr std::size_t kMaxStateFileBytes = 64 * 1024;

// ---- the pure core: options, prior state, this run's outcome, now -> verdict, next state ----

struct RuleConfig {
  double frequency_minutes = 0;  // 0: check on every run
  int result_count = 0;          // 0: not given
  int failure_amount = 0;        // 0: not given

  // M and N in effect: a count given alone stands for both (N failures in a row, as
  // check_surykatka_json's failure-amount); neither: 1 of 1, slapgrid's own rule.
  int window() const { return result_count > 0 ? result_count : std::max(failure_amount, 1); }
  int threshold() const { return failure_amount > 0 ? failure_amount : std::max(result_count, 1); }
  bool counts_runs() const { return threshold() > 1; }  // N = 1: fails whenever this run fails
  bool replays() const { return frequency_minutes > 0; }
  bool active() const { return counts_runs() || replays(); }
};

struct RunRecord {
  std::int64_t time = 0;  // unix seconds
  int exit_code = 0;      // of the observation: non-zero is a failed run
  bool operator==(const RunRecord&) const = default;
};

struct LastCheck {
  std::int64_t time = 0;       // unix seconds of the last real check
  int exit_code = 0;           // the verdict it gave (after the rule)
  State observed = State::ok;  // the state it observed
  std::string message;         // as shown (rule note included): one line, secrets masked
  bool operator==(const LastCheck&) const = default;
};

struct RuleState {
  std::uint64_t fingerprint = 0;  // of the check's options: a state of other options is not used
  std::vector<RunRecord> runs;    // oldest first, at most the window
  std::optional<LastCheck> last;
  bool operator==(const RuleState&) const = default;
};

struct Verdict {
  Outcome shown;  // the observation, with a note when the rule tolerates it or replays it
  int exit_code = 0;
};

// The replay due now, or nothing when a real check is due (no period, nothing recorded, the
// period has passed, or the clock went back).
std::optional<Verdict> replay(const RuleConfig& config, const RuleState& state, std::int64_t now);

// Records this run's observation in state (capped to the window) and gives the verdict.
Verdict judge(const RuleConfig& config, RuleState& state, const Outcome& observed,
              std::int64_t now);

// The state file's text, and back. parse_state gives nothing and sets why for anything but a
// well-formed file of this version.
std::string serialize(const RuleState& state);
std::optional<RuleState> parse_state(std::string_view text, std::string& why);

// ---- where the state lives ----------------------------------------------------------------

// slapgrid's title of a promise file: its name without extension (Python's splitext).
std::string promise_title(std::string_view file_name);

// <partition>/var/promise/<title>.state for a promise file at <partition>/etc/promise/<name>;
// nothing for a file elsewhere.
std::optional<std::string> state_path_for(const std::string& promise_file);

// ---- the state file on disk ---------------------------------------------------------------

using Warn = std::function<void(const std::string&)>;

class StateFile {
 public:
  StateFile(std::string path, Warn warn, const Log& log);

  // The recorded state, or an empty one (missing, unsafe, corrupt, or recorded under other
  // options: a different fingerprint). Reads without a lock: writers replace the file whole.
  RuleState load(std::uint64_t fingerprint) const;

  // Under an exclusive lock (waited for until the deadline, at most 2 s): reads the state
  // again, applies change, writes it back atomically. False, with a warning, when it could not.
  bool update(std::uint64_t fingerprint, const std::function<void(RuleState&)>& change,
              const Deadline& deadline) const;

  const std::string& path() const { return path_; }

 private:
  RuleState read_at(int directory_fd, std::uint64_t fingerprint) const;
  int open_directory(bool create) const;  // -1 (warned when it matters) if unusable

  std::string path_;
  std::string directory_;
  std::string name_;
  Warn warn_;
  const Log& log_;
};

// ---- the options and the run --------------------------------------------------------------

struct RuleOptions {
  RuleConfig config;  // as given; after apply_default_rule, the rule in effect
  std::string state_file;
  bool force = false;
  RuleConfig defaults;  // the promise's default rule (promise::default_rule); none: zeros
  RuleConfig given;     // after apply_default_rule: what the options alone asked for
};

// --frequency, --result-count/--result_count, --failure-amount/--failure_amount,
// --state-file, --force, in the group "Rule (SlapOS plugins)". A name the promise already
// declares is left to the promise. With wanted, only the options it accepts (given a CLI11 names
// string such as "--result-count,--result_count") are declared (the runner's FixedOptions).
void declare_rule_options(CLI::App& app, RuleOptions& options,
                          const std::function<bool(std::string_view)>& wanted = {});

// After parsing: the promise's default rule for the options not given (the count pair and the
// period apart). Called by check_rule_options; idempotent.
void apply_default_rule(const CLI::App& app, RuleOptions& options);

// After parsing: applies the default rule, then gives the one-line reason the rule options are
// refused, or "". With an install target, also bakes --state-file into app (see above) when a
// rule needs one (a default rule only when the target is in a partition).
std::string check_rule_options(CLI::App& app, RuleOptions& options,
                               const std::string& install_target);

// FNV-1a of the check's own options (names and values; secrets by name only).
std::uint64_t options_fingerprint(const CLI::App& app);

// The promise file that runs: the --config file (script mode), or this executable when it
// carries its options (embedded, --mode copy); "" when run by hand.
std::string installed_promise_file(const CLI::App& app, bool embedded);

// One run of a promise under its rule. Inactive (no rule option): replay() gives nothing and
// judge() gives the observation and its own exit code, without touching any file.
class RuleRun {
 public:
  // The promise file that runs, where the state is when none is baked in: the --config file
  // (script mode), or this executable when it carries its options (embedded, --mode copy).
  RuleRun(const RuleOptions& options, const CLI::App& app, bool embedded,
          std::string_view promise_name, const Log& log);

  std::optional<Verdict> replay(const Deadline& deadline) const;
  Verdict judge(const Outcome& observed, const Deadline& deadline) const;

 private:
  RuleConfig config_;
  bool force_ = false;
  std::uint64_t fingerprint_ = 0;
  std::optional<StateFile> file_;
  const Log& log_;
};

}  // namespace promise::detail
