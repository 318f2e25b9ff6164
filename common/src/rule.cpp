// --frequency and N failures of M runs: see rule.hpp for what and why.
#include "rule.hpp"

#include "internal.hpp"

#include "promise/context.hpp"
#include "promise/default_rule.hpp"
#include "promise/fields.hpp"
#include "promise/options.hpp"
#include "promise/text.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

namespace promise::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRuleGroup = "Rule (SlapOS plugins)";
constexpr std::string_view kHeader = "slapos-native-promises state 1";
constexpr double kMaxFrequencyMinutes = 527040;  // 366 days; plugins go up to 86400 (60 days)
// The observation's message is cut to leave room for the rule note, the cache note and
// one_line's own cut note within the status line's 1,000 bytes.
constexpr std::size_t kMessageBudget = 780;
constexpr auto kLockWaitLimit = std::chrono::seconds(2);

const char* const kRuleNote =
    "default: none (slapgrid's legacy rule: fail on the last run); the plugin's default is in "
    "the promise's footer";

// ---- the pure core ------------------------------------------------------------------------

// "45 s", "12 min", "11 h 58 min", "3 d": how long, the way an operator reads it.
std::string span(std::int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + " s";
  const std::int64_t minutes = seconds / 60;
  if (minutes < 120) return std::to_string(minutes) + " min";
  if (minutes < 48 * 60) {
    const std::int64_t rest = minutes % 60;
    return std::to_string(minutes / 60) + " h" + (rest ? " " + std::to_string(rest) + " min" : "");
  }
  return std::to_string(minutes / (24 * 60)) + " d";
}

std::string runs_note(const RuleConfig& config, const std::vector<RunRecord>& runs,
                      bool tolerated) {
  const auto failures = std::count_if(runs.begin(), runs.end(),
                                      [](const RunRecord& run) { return run.exit_code != 0; });
  const std::string counted = runs.size() == 1 ? std::string("the only recorded run failed")
                                               : std::to_string(failures) + " of the last " +
                                                     std::to_string(runs.size()) + " runs failed";
  return std::string(" (") + (tolerated ? "tolerated: " : "") + counted +
         ", rule: " + std::to_string(config.threshold()) + " failures in " +
         std::to_string(config.window()) + " runs)";
}

}  // namespace

std::optional<Verdict> replay(const RuleConfig& config, const RuleState& state, std::int64_t now) {
  if (!config.replays() || !state.last) return std::nullopt;
  const LastCheck& last = *state.last;
  const double period = config.frequency_minutes * 60;
  if (now < last.time) return std::nullopt;  // the clock went back: check rather than freeze
  const std::int64_t age = now - last.time;
  if (static_cast<double>(age) >= period) return std::nullopt;
  const auto next = static_cast<std::int64_t>(std::ceil(period - static_cast<double>(age)));
  Outcome shown{
      last.observed,
      last.message + " (cached: checked " + span(age) + " ago, next check in " + span(next) + ")",
      {}};
  return Verdict{std::move(shown), last.exit_code};
}

Verdict judge(const RuleConfig& config, RuleState& state, const Outcome& observed,
              std::int64_t now) {
  const int observed_exit = exit_code(observed);
  int verdict = observed_exit;
  std::string note;
  if (config.counts_runs()) {
    state.runs.push_back({now, observed_exit});
    const auto window = static_cast<std::size_t>(config.window());
    if (state.runs.size() > window) {
      state.runs.erase(state.runs.begin(), state.runs.end() - static_cast<std::ptrdiff_t>(window));
    }
    if (observed_exit != 0) {
      const auto failures = std::count_if(state.runs.begin(), state.runs.end(),
                                          [](const RunRecord& run) { return run.exit_code != 0; });
      const bool met = failures >= config.threshold();
      if (!met) verdict = 0;
      note = runs_note(config, state.runs, !met);
    }
  } else {
    state.runs.clear();
  }
  const std::string message =
      one_line(mask_secrets(observed.message), kMessageBudget - note.size()) + note;
  if (config.replays()) {
    state.last = LastCheck{now, verdict, observed.state, message};
  } else {
    state.last.reset();
  }
  Outcome shown = observed;
  shown.message = message;
  return Verdict{std::move(shown), verdict};
}

// ---- the file format ----------------------------------------------------------------------
//
//   slapos-native-promises state 1
//   fingerprint 0123456789abcdef
//   run <unix seconds> <exit code>          oldest first, at most 1000
//   last <unix seconds> <verdict exit code> <observed exit code> <message as shown>
//
// Every line ends with '\n' (a truncated file is corrupt); nothing else is accepted.

std::string serialize(const RuleState& state) {
  char line[96];
  std::snprintf(line, sizeof line, "%.*s\nfingerprint %016" PRIx64 "\n",
                static_cast<int>(kHeader.size()), kHeader.data(), state.fingerprint);
  std::string text = line;
  for (const RunRecord& run : state.runs) {
    std::snprintf(line, sizeof line, "run %" PRId64 " %d\n", run.time, run.exit_code);
    text += line;
  }
  if (state.last) {
    std::snprintf(line, sizeof line, "last %" PRId64 " %d %d ", state.last->time,
                  state.last->exit_code, exit_code(state.last->observed));
    text += line + state.last->message + "\n";
  }
  return text;
}

namespace {

// Splits off the next space-separated field (exactly one space between fields).
std::string_view split_field(std::string_view& text) {
  const auto space = text.find(' ');
  const std::string_view field = text.substr(0, space);
  text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
  return field;
}

bool parse_exit_code(std::string_view text, int& value) {
  return parse_whole(text, value) && value >= 0 && value <= 3;
}

}  // namespace

std::optional<RuleState> parse_state(std::string_view text, std::string& why) {
  if (text.size() > kMaxStateFileBytes) {
    why = "larger than " + std::to_string(kMaxStateFileBytes / 1024) + " KiB";
    return std::nullopt;
  }
  if (text.empty() || text.back() != '\n') {
    why = text.empty() ? "empty" : "truncated (no final newline)";
    return std::nullopt;
  }
  RuleState state;
  std::size_t number = 0;
  auto fail = [&](const std::string& what) {
    why = "line " + std::to_string(number) + ": " + what;
    return std::nullopt;
  };
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    ++number;
    if (number == 1) {
      if (line != kHeader) return fail("not a state file of this version");
      continue;
    }
    std::string_view rest = line;
    const std::string_view kind = split_field(rest);
    if (number == 2) {
      if (kind != "fingerprint" || rest.size() != 16 ||
          rest.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return fail("bad fingerprint");
      }
      std::from_chars(rest.data(), rest.data() + rest.size(), state.fingerprint, 16);
      continue;
    }
    if (kind == "run" && !state.last) {
      RunRecord run;
      if (!parse_whole(split_field(rest), run.time) || run.time < 0 ||
          !parse_exit_code(rest, run.exit_code)) {
        return fail("bad run record");
      }
      if (state.runs.size() >= static_cast<std::size_t>(kMaxResultCount)) {
        return fail("more than " + std::to_string(kMaxResultCount) + " runs");
      }
      state.runs.push_back(run);
    } else if (kind == "last" && !state.last) {
      LastCheck last;
      int observed = 0;
      if (!parse_whole(split_field(rest), last.time) || last.time < 0 ||
          !parse_exit_code(split_field(rest), last.exit_code) ||
          rest.find(' ') == std::string_view::npos ||  // the message, even empty, follows
          !parse_exit_code(split_field(rest), observed)) {
        return fail("bad last check");
      }
      // The message was written one line, valid UTF-8, no control bytes: anything else is
      // damage (and must not reach the status line).
      if (rest.size() > 1000 || one_line(rest, 1000) != rest) return fail("bad message");
      last.observed = static_cast<State>(observed);
      last.message = std::string(rest);
      state.last = std::move(last);
    } else {
      return fail("unexpected '" + one_line(kind, 20) + "'");
    }
  }
  if (number < 2) {
    why = "no fingerprint";
    return std::nullopt;
  }
  return state;
}

// ---- where the state lives ----------------------------------------------------------------

std::string promise_title(std::string_view name) {
  // Python's os.path.splitext: the extension starts at the last dot that is not in the
  // leading run of dots (".profile" has none; "foo.sh" has ".sh").
  const auto first_other = name.find_first_not_of('.');
  const auto dot = name.rfind('.');
  if (first_other == std::string_view::npos || dot == std::string_view::npos || dot < first_other) {
    return std::string(name);
  }
  return std::string(name.substr(0, dot));
}

std::optional<std::string> state_path_for(const std::string& promise_file) {
  if (promise_file.empty()) return std::nullopt;
  std::error_code error;
  const fs::path file = fs::absolute(promise_file, error).lexically_normal();
  if (error || !file.has_filename()) return std::nullopt;
  const fs::path promise_dir = file.parent_path();
  const fs::path etc = promise_dir.parent_path();
  if (promise_dir.filename() != "promise" || etc.filename() != "etc") return std::nullopt;
  return (etc.parent_path() / "var" / "promise" /
          (promise_title(file.filename().string()) + ".state"))
      .string();
}

// ---- the state file on disk ---------------------------------------------------------------

namespace {

std::string error_text(int error) {
  return std::strerror(error);
}

bool is_root() {
  return ::geteuid() == 0;
}

// mkdir -p with mode 0700. Run as root (an operator by hand), a new directory goes to the
// owner of its parent, so that the partition user can use it afterwards.
void make_directories(const fs::path& directory, const Log& log) {
  fs::path built;
  for (const auto& part : directory) {
    built /= part;
    if (::mkdir(built.c_str(), 0700) != 0 || !is_root()) continue;
    struct stat parent {};
    if (::stat(built.parent_path().c_str(), &parent) != 0 ||
        ::chown(built.c_str(), parent.st_uid, parent.st_gid) != 0) {
      log.step("rule: cannot give " + built.string() +
               " to its parent's owner: " + error_text(errno));
    }
  }
}

bool read_all(int fd, std::string& out, std::size_t limit) {
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > limit) return true;
  }
}

bool write_all_to(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Puts the file at temp in place of name, atomically for a reader. A regular file is swapped
// (RENAME_EXCHANGE) and the old one removed: ext4 flushes the new file's data at once when a
// rename replaces a file (auto_da_alloc), 1-5 ms per run here, and not on an exchange.
bool replace_atomically(int directory_fd, const std::string& temp, const std::string& name) {
  struct stat current {};
  if (::fstatat(directory_fd, name.c_str(), &current, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISREG(current.st_mode) &&
      ::renameat2(directory_fd, temp.c_str(), directory_fd, name.c_str(), RENAME_EXCHANGE) == 0) {
    ::unlinkat(directory_fd, temp.c_str(), 0);
    return true;
  }
  // No file yet, something else in its place (a symlink is replaced, never followed), or a
  // file system without exchange.
  return ::renameat(directory_fd, temp.c_str(), directory_fd, name.c_str()) == 0;
}

}  // namespace

StateFile::StateFile(std::string path, Warn warn, const Log& log)
    : path_(std::move(path)), warn_(std::move(warn)), log_(log) {
  const fs::path p(path_);
  directory_ = p.parent_path().string();
  if (directory_.empty()) directory_ = ".";
  name_ = p.filename().string();
}

int StateFile::open_directory(bool create) const {
  int fd = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    make_directories(directory_, log_);
    fd = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (fd < 0) {
    if (errno != ENOENT || create) {
      warn_("state file " + path_ + ": cannot open its directory: " + error_text(errno) +
            "; the rule is not applied");
    }
    return -1;
  }
  struct stat info {};
  std::string problem;
  if (::fstat(fd, &info) != 0) {
    problem = "cannot stat its directory: " + error_text(errno);
  } else if ((info.st_mode & S_IWOTH) && !(info.st_mode & S_ISVTX)) {
    problem = "its directory " + directory_ + " is writable by others (no sticky bit)";
  } else if (!is_root() && info.st_uid != ::geteuid() && info.st_uid != 0) {
    problem = "its directory " + directory_ + " belongs to uid " + std::to_string(info.st_uid);
  }
  if (!problem.empty()) {
    warn_("state file " + path_ + ": " + problem + "; the rule is not applied");
    ::close(fd);
    return -1;
  }
  return fd;
}

RuleState StateFile::read_at(int directory_fd, std::uint64_t fingerprint) const {
  const RuleState fresh{fingerprint, {}, std::nullopt};
  const int fd =
      ::openat(directory_fd, name_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      log_.step("rule: no state recorded yet in " + path_);
      return fresh;
    }
    warn_("state file " + path_ + " " +
          (errno == ELOOP ? std::string("is a symbolic link, not followed")
                          : "cannot be read: " + error_text(errno)) +
          "; ignored, the rule starts afresh");
    return fresh;
  }
  struct stat info {};
  std::string text;
  std::string problem;
  if (::fstat(fd, &info) != 0) {
    problem = "cannot be read: " + error_text(errno);
  } else if (!S_ISREG(info.st_mode)) {
    problem = "is not a regular file";
  } else if (!is_root() && info.st_uid != ::geteuid()) {
    problem = "belongs to uid " + std::to_string(info.st_uid);
  } else if (static_cast<std::uint64_t>(info.st_size) > kMaxStateFileBytes) {
    problem = "is larger than " + std::to_string(kMaxStateFileBytes / 1024) + " KiB";
  } else if (!read_all(fd, text, kMaxStateFileBytes)) {
    problem = "cannot be read: " + error_text(errno);
  }
  ::close(fd);
  std::optional<RuleState> state;
  if (problem.empty()) {
    std::string why;
    state = parse_state(text, why);
    if (!state) problem = "is corrupt (" + why + ")";
  }
  if (!problem.empty()) {
    warn_("state file " + path_ + " " + problem + "; ignored, the rule starts afresh");
    return fresh;
  }
  if (state->fingerprint != fingerprint) {
    log_.step("rule: " + path_ + " was recorded with other options; the rule starts afresh");
    return fresh;
  }
  return *state;
}

RuleState StateFile::load(std::uint64_t fingerprint) const {
  const int directory_fd = open_directory(false);
  if (directory_fd < 0) return RuleState{fingerprint, {}, std::nullopt};
  RuleState state = read_at(directory_fd, fingerprint);
  ::close(directory_fd);
  return state;
}

bool StateFile::update(std::uint64_t fingerprint, const std::function<void(RuleState&)>& change,
                       const Deadline& deadline) const {
  const int directory_fd = open_directory(true);
  if (directory_fd < 0) return false;
  // One writer at a time: each re-reads under the lock, so overlapping runs (slapgrid and an
  // operator) all get recorded. The lock is the directory's: no extra file, held for the
  // microseconds of a read and a write, never across a check.
  const auto give_up_at = std::min(Deadline::Clock::now() + kLockWaitLimit, deadline.at());
  for (;;) {
    if (::flock(directory_fd, LOCK_EX | LOCK_NB) == 0) break;
    const int error = errno;
    if (error == EINTR) continue;
    if (error != EWOULDBLOCK || Deadline::Clock::now() >= give_up_at) {
      warn_("state file " + path_ + ": " +
            (error == EWOULDBLOCK ? std::string("still locked by another run")
                                  : "cannot lock its directory: " + error_text(error)) +
            "; this run is not recorded");
      ::close(directory_fd);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  RuleState state = read_at(directory_fd, fingerprint);
  change(state);
  const std::string text = serialize(state);
  // A fixed temporary name is enough under the lock; one left by a killed run is replaced.
  const std::string temp = "." + name_ + ".tmp";
  ::unlinkat(directory_fd, temp.c_str(), 0);
  std::string problem;
  const int fd = ::openat(directory_fd, temp.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    problem = "cannot create " + temp + ": " + error_text(errno);
  } else {
    struct stat directory_info {};
    // Run as root (an operator by hand), the file goes to the directory's owner; if it cannot,
    // the partition user will not read it and will replace it: nothing worse.
    if (is_root() && (::fstat(directory_fd, &directory_info) != 0 ||
                      ::fchown(fd, directory_info.st_uid, directory_info.st_gid) != 0)) {
      log_.step("rule: cannot give " + temp + " to its directory's owner: " + error_text(errno));
    }
    const bool written = write_all_to(fd, text);
    const int error = errno;
    if (::close(fd) != 0 || !written) {
      problem = "cannot write " + temp + ": " + error_text(written ? errno : error);
    } else if (!replace_atomically(directory_fd, temp, name_)) {
      problem = "cannot be replaced: " + error_text(errno);
    }
    if (!problem.empty()) ::unlinkat(directory_fd, temp.c_str(), 0);
  }
  ::close(directory_fd);  // releases the lock
  if (!problem.empty()) {
    warn_("state file " + path_ + ": " + problem + "; this run is not recorded");
    return false;
  }
  return true;
}

// ---- the options and the run --------------------------------------------------------------

namespace {

const CLI::Validator& minutes() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        double number = 0;
        if (!parse_whole(std::string_view(value), number) || !std::isfinite(number) || number < 0 ||
            number > kMaxFrequencyMinutes) {
          return "'" + value + "' is not a number of minutes from 0 to 527040 (366 days)";
        }
        return {};
      },
      "", "minutes");
  return validator;
}

const CLI::Validator& run_count() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        int number = 0;
        if (!parse_whole(std::string_view(value), number) || number < 1 ||
            number > kMaxResultCount) {
          return "'" + value + "' is not a whole number from 1 to " +
                 std::to_string(kMaxResultCount);
        }
        return {};
      },
      "", "run_count");
  return validator;
}

// A state file path, made absolute against the working directory of the command that gives it.
const CLI::Validator& state_path() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        std::error_code error;
        const fs::path path = fs::absolute(value, error).lexically_normal();
        if (value.empty() || error || !path.has_filename()) {
          return "'" + value + "' is not a file path";
        }
        value = path.string();
        return {};
      },
      "", "state_path");
  return validator;
}

bool declared(const CLI::App& app, const std::string& names) {
  for (const auto& name : CLI::detail::split(names, ',')) {
    if (app.get_option_no_throw(name) != nullptr) return true;
  }
  return false;
}

std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

void write_stderr(const std::string& line) {
  std::string_view text = line;
  while (!text.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string minutes_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g min", value);
  return buffer;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The default rule promise::default_rule gave, until declare_rule_options takes it for its app
// (the promise's declare() runs first). One app is declared at a time.
struct PendingDefault {
  const CLI::App* app = nullptr;
  RuleConfig rule;
};
PendingDefault& pending_default() {
  static PendingDefault pending;
  return pending;
}

}  // namespace

void declare_rule_options(CLI::App& app, RuleOptions& options,
                          const std::function<bool(std::string_view)>& wanted) {
  auto is_wanted = [&](const std::string& names) { return !wanted || wanted(names); };
  if (pending_default().app == &app) options.defaults = pending_default().rule;
  pending_default() = {};
  const RuleConfig& defaults = options.defaults;
  const bool default_counts = defaults.counts_runs();
  auto note = [&](bool has_default, const std::string& value, const std::string& off) {
    if (!has_default) return std::string(kRuleNote);
    return "default for this promise: " + value + " (its SlapOS plugin's rule, applied when no " +
           "option of the rule is given; " + off + " turns it off)";
  };
  const std::string counts_default = std::to_string(defaults.threshold()) + " failures in " +
                                     std::to_string(defaults.window()) + " runs";
  // A promise that declares one of these names itself keeps it (and its meaning).
  auto add = [&](const std::string& names, auto& variable, const std::string& type,
                 const std::string& help, const std::string& default_text) {
    CLI::Option* option = nullptr;
    if (is_wanted(names) && !declared(app, names)) {
      option = app.add_option(names, variable, help)
                   ->group(kRuleGroup)
                   ->default_str(default_text)
                   ->type_name(type);
    }
    return option;
  };
  if (auto* o = add(
          "--frequency", options.config.frequency_minutes, "MINUTES",
          std::string("Check at most once per MINUTES (fractions allowed); in between, "
                      "replay the last result, marked as cached, with its exit code; ") +
              note(defaults.replays(), minutes_text(defaults.frequency_minutes), "--frequency 0"),
          defaults.replays() ? number_text(defaults.frequency_minutes) : "")) {
    o->check(minutes());
  }
  if (auto* o = add("--result-count,--result_count", options.config.result_count, "M",
                    std::string("With --failure-amount N: fail only when this run failed and at "
                                "least N of the last M runs (this one included) failed; given "
                                "alone, N = M; ") +
                        note(default_counts, counts_default, "--result-count 1"),
                    default_counts ? std::to_string(defaults.window()) : "")) {
    o->check(run_count());
  }
  if (auto* o = add("--failure-amount,--failure_amount", options.config.failure_amount, "N",
                    std::string("Failed runs among the last --result-count M that make the "
                                "promise fail; given alone, M = N (N failures in a row); ") +
                        note(default_counts, counts_default, "--result-count 1"),
                    default_counts ? std::to_string(defaults.threshold()) : "")) {
    o->check(run_count());
  }
  if (auto* o = add("--state-file", options.state_file, "PATH",
                    "Where --frequency and --result-count keep their state (default: "
                    "<partition>/var/promise/<title>.state, baked in by --install)",
                    "")) {
    o->transform(state_path());
  }
  if (is_wanted("--force") && !declared(app, "--force")) {
    app.add_flag("--force", options.force,
                 "Check now even if the --frequency period has not passed (the run is recorded)")
        ->configurable(false)
        ->group(kRuleGroup);
  }
}

namespace {

// Given on the command line or in the promise file: an option of the rule's own.
bool given(const CLI::App& app, const std::string& name) {
  const CLI::Option* option = app.get_option_no_throw(name);
  return option != nullptr && option->get_group() == kRuleGroup && option->count() > 0;
}

}  // namespace

void apply_default_rule(const CLI::App& app, RuleOptions& options) {
  options.given = options.config;
  if (!given(app, "--result-count") && !given(app, "--failure-amount")) {
    options.config.result_count = options.defaults.result_count;
    options.config.failure_amount = options.defaults.failure_amount;
  }
  if (!given(app, "--frequency"))
    options.config.frequency_minutes = options.defaults.frequency_minutes;
}

std::string check_rule_options(CLI::App& app, RuleOptions& options,
                               const std::string& install_target) {
  apply_default_rule(app, options);
  const RuleConfig& config = options.config;
  if (config.result_count > 0 && config.failure_amount > 0 &&
      config.result_count < config.failure_amount) {
    return "Bad configuration: result-count " + std::to_string(config.result_count) +
           " < failure_amount " + std::to_string(config.failure_amount);
  }
  if (!options.state_file.empty()) {
    const fs::path directory = fs::path(options.state_file).parent_path();
    if (directory.filename() == "promise" && directory.parent_path().filename() == "etc") {
      return "--state-file " + options.state_file +
             " is in etc/promise/, where slapgrid runs every executable file; use var/promise/";
    }
  }
  if (install_target.empty() || !config.active() || !options.state_file.empty()) return {};
  const auto path = state_path_for(install_target);
  if (!path && !options.given.active()) return {};  // a default rule: none outside a partition
  if (!path) {
    return "--install: --frequency, --result-count and --failure-amount keep a state file in "
           "the partition, and " +
           install_target +
           " is not in a partition's etc/promise/ to say where: give --state-file PATH";
  }
  CLI::Option* option = app.get_option_no_throw("--state-file");
  if (option != nullptr) option->add_result(*path);
  return {};
}

std::uint64_t options_fingerprint(const CLI::App& app) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const CLI::Option* option : app.get_options()) {
    const std::string& group = option->get_group();
    if (!option->get_configurable() || option->count() == 0 || group == "Common options" ||
        group == "Instantiation" || group == kRuleGroup) {
      continue;
    }
    hash = fnv1a(hash, option->get_single_name());
    for (const std::string& value : option->results()) {
      hash = fnv1a(hash, std::string_view("\0", 1));
      hash = fnv1a(hash, is_secret(option) ? std::string_view("***") : std::string_view(value));
    }
    hash = fnv1a(hash, "\n");
  }
  return hash;
}

std::string installed_promise_file(const CLI::App& app, bool embedded) {
  const CLI::Option* config = app.get_config_ptr();
  // A copy-mode promise reads its options from "/proc/self/exe": its file is what that names.
  if (config != nullptr && config->count() > 0 &&
      !(embedded && config->results().back() == "/proc/self/exe")) {
    return config->results().back();
  }
  if (embedded) {
    try {
      return self_executable();
    } catch (const std::exception&) {  // no /proc: no place to derive anything from
    }
  }
  return {};
}

RuleRun::RuleRun(const RuleOptions& options, const CLI::App& app, bool embedded,
                 std::string_view promise_name, const Log& log)
    : config_(options.config), force_(options.force), log_(log) {
  if (!config_.active()) return;
  // Once per problem: the state is read before the check and again before it is written.
  Warn warn = [name = std::string(promise_name),
               said = std::make_shared<std::vector<std::string>>()](const std::string& text) {
    if (std::find(said->begin(), said->end(), text) != said->end()) return;
    said->push_back(text);
    write_stderr(name + ": warning: " + text + "\n");
  };
  std::string path = options.state_file;
  if (path.empty()) path = state_path_for(installed_promise_file(app, embedded)).value_or("");
  if (path.empty() && !options.given.active()) {
    log.step(
        "rule: this promise's default rule is not applied: no state file (not an installed "
        "promise in a partition's etc/promise/); slapgrid's rule: this run's exit code");
    config_ = {};
    return;
  }
  if (path.empty()) {
    warn(
        "--frequency, --result-count and --failure-amount are not applied: no state file "
        "(not an installed promise in a partition's etc/promise/; give --state-file PATH)");
    return;
  }
  fingerprint_ = options_fingerprint(app);
  file_.emplace(path, std::move(warn), log);
  log.step("rule: " +
           (config_.counts_runs() ? std::to_string(config_.threshold()) + " failures in " +
                                        std::to_string(config_.window()) + " runs"
                                  : std::string("fail on this run")) +
           (config_.replays() ? ", checked at most every " + minutes_text(config_.frequency_minutes)
                              : std::string()) +
           (options.given.active() ? "" : " (this promise's default)") + "; state in " + path);
}

std::optional<Verdict> RuleRun::replay(const Deadline&) const {
  if (!file_ || !config_.replays()) return std::nullopt;
  if (force_) {
    log_.step("rule: --force: checking now, whatever the period");
    return std::nullopt;
  }
  set_phase("reading the state file");
  const RuleState state = file_->load(fingerprint_);
  auto verdict = detail::replay(config_, state, now_seconds());
  if (verdict) {
    log_.step(
        "rule: the --frequency period has not passed: replaying the last check "
        "(--force checks now)");
  }
  return verdict;
}

Verdict RuleRun::judge(const Outcome& observed, const Deadline& deadline) const {
  if (!file_) return Verdict{observed, exit_code(observed)};
  set_phase("writing the state file");
  const std::int64_t now = now_seconds();
  std::optional<Verdict> verdict;
  const bool recorded = file_->update(
      fingerprint_,
      [&](RuleState& state) { verdict = detail::judge(config_, state, observed, now); }, deadline);
  if (!verdict) {  // not locked: judge on what is recorded, without recording this run
    RuleState state = file_->load(fingerprint_);
    verdict = detail::judge(config_, state, observed, now);
  }
  if (recorded) log_.step("rule: run recorded in " + file_->path());
  return *verdict;
}

}  // namespace promise::detail

namespace promise {

void default_rule(CLI::App& app, const DefaultRule& rule) {
  const bool valid = std::isfinite(rule.frequency_minutes) && rule.frequency_minutes >= 0 &&
                     rule.frequency_minutes <= detail::kMaxFrequencyMinutes &&
                     rule.result_count >= 0 && rule.result_count <= detail::kMaxResultCount &&
                     rule.failure_amount >= 0 && rule.failure_amount <= detail::kMaxResultCount &&
                     !(rule.result_count > 0 && rule.failure_amount > rule.result_count);
  if (!valid) throw std::logic_error("promise::default_rule: not a rule the options would accept");
  detail::pending_default() = {&app,
                               {rule.frequency_minutes, rule.result_count, rule.failure_amount}};
}

std::string Context::promise_title(std::string_view fallback) const {
  if (promise_file.empty()) return std::string(fallback);
  return detail::promise_title(std::filesystem::path(promise_file).filename().string());
}

std::string Context::in_partition(const std::string& path) const {
  namespace fs = std::filesystem;
  if (path.empty() || path.front() == '/') return path;
  // The state file's place is <partition>/var/promise/<title>.state: its partition.
  const auto state = detail::state_path_for(promise_file);
  if (!state) return path;
  return (fs::path(*state).parent_path().parent_path().parent_path() / path).string();
}

}  // namespace promise
