// run_promise: everything a promise does besides its own check, once for all promises.
#include "dump_options.hpp"
#include "internal.hpp"
#include "promise/main.hpp"
#include "promise/text.hpp"
#include "promise/version.hpp"
#include "rule.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace promise {
namespace {

constexpr const char* kCommon = "Common options";
constexpr const char* kInstantiation = "Instantiation";
// slapgrid's promise_timeout: past it, the promise is killed and reported as timed out.
constexpr double kSlapgridLimitSeconds = 20;
constexpr double kDefaultTimeoutSeconds = 10;
// The check reports its own timeout at the deadline; the backstop fires only if it cannot.
constexpr double kBackstopGraceSeconds = 0.05;

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// The final output of a run, written once: a signal arriving now writes nothing more.
void write_final(std::string_view text) {
  detail::claim_status_line_or_wait();
  write_all(STDOUT_FILENO, text);
}

// ---- options ---------------------------------------------------------------------------

struct CommonOptions {
  double timeout = kDefaultTimeoutSeconds;
  std::string timeout_file;
  std::string format = "text";
  int verbosity = 0;
  std::string install_path;
  std::string mode = "script";
  bool show_config = false;
};

detail::Format parse_format(const std::string& name) {
  if (name == "json") return detail::Format::json;
  if (name == "nagios") return detail::Format::nagios;
  return detail::Format::text;
}

// The value of --name on the command line (the last one), before the options are parsed.
std::optional<std::string_view> argument_value(int argc, char** argv, std::string_view name) {
  std::optional<std::string_view> value;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--") break;
    if (argument == name && i + 1 < argc) {
      value = argv[++i];
    } else if (argument.size() > name.size() && argument.substr(0, name.size()) == name &&
               argument[name.size()] == '=') {
      value = argument.substr(name.size() + 1);
    }
  }
  return value;
}

// Whether the fixed options named by a CLI11 names string ("-v,--verbose") are declared in
// this run; see FixedOptions.
using Wanted = std::function<bool(std::string_view names)>;

void declare_common(CLI::App& app, CommonOptions& options, const Wanted& wanted) {
  if (wanted("--timeout")) {
    app.add_option("--timeout", options.timeout,
                   "Deadline for the whole check in seconds, name resolution included "
                   "(fractions allowed; slapgrid kills a promise at 20 s)")
        ->check(positive_seconds())
        ->capture_default_str()
        ->group(kCommon);
  }
  if (wanted("--timeout-file")) {
    app.add_option("--timeout-file", options.timeout_file,
                   "Read the timeout from this file when --timeout is not given, as the cookbook "
                   "promises read etc/promise_timeout (missing, not a regular file or not a "
                   "number of seconds: the default; above 19 s: 19 s, so the promise reports "
                   "before slapgrid kills it at 20 s)")
        ->type_name("PATH")
        ->group(kCommon);
  }
  if (wanted("--format")) {
    app.add_option("--format", options.format,
                   "Status line format: text (one line), json (one object), nagios (with perfdata)")
        ->check(CLI::IsMember({"text", "json", "nagios"}))
        ->capture_default_str()
        ->group(kCommon);
  }
  if (wanted("-v,--verbose")) {
    app.add_flag("-v,--verbose", options.verbosity,
                 "Log each step on stderr (-vv: wire detail); secrets stay masked")
        ->configurable(false)
        ->group(kCommon);
  }
  if (!wanted("--install")) return;  // --mode and --show-config come with it (FixedOptions)
  auto* install =
      app.add_option("--install", options.install_path,
                     "Validate the options, then write them into the promise file PATH "
                     "(atomically, mode 0700) and exit; running PATH performs the check")
          ->type_name("PATH")
          ->configurable(false)
          ->group(kInstantiation);
  app.add_option("--mode", options.mode,
                 "With --install: script (a #! file naming this binary, default) or copy "
                 "(a self-contained copy of this binary with the options embedded)")
      ->check(CLI::IsMember({"script", "copy"}))
      ->needs(install)
      ->configurable(false)
      ->group(kInstantiation);
  app.add_flag("--show-config", options.show_config,
               "Print the effective options (secrets masked) and exit")
      ->configurable(false)
      ->group(kInstantiation);
}

// Declaring an option with CLI11 2.1 costs ~10 k instructions on every run (its names split,
// trimmed and compared with every option already declared), and a promise has a dozen fixed
// options (common, instantiation, rule) besides its own. A run declares all of them only when
// it may show or write them: --help, --version, --install, --show-config, a short option
// (-h, -vv), or a command line or promise file that cannot be read here. Otherwise it declares
// those its command line and promise file name: CLI11 then parses exactly what it would with
// all of them declared, since an option that appears nowhere changes nothing.
class FixedOptions;
const FixedOptions* g_fixed_options = nullptr;  // this run's, once run_promise has read them

class FixedOptions {
  static constexpr std::size_t kMaxConfigBytes = 1 << 20;  // as requested_format reads

 public:
  FixedOptions(int argc, char** argv, const std::optional<std::string>& embedded_config) {
    int config_files = 0;
    for (int i = 1; i < argc; ++i) {
      const std::string_view token = argv[i];
      if (token == "--") break;
      if (token.size() < 2 || token[0] != '-') continue;
      if (token[1] != '-') {
        all_ = true;  // -h, -v, -vv, or a negative number that CLI11 judges with all declared
        return;
      }
      const std::string_view name = token.substr(2, token.find('=') - 2);
      if (name == "config") ++config_files;
      if (!note(name)) return;
    }
    std::optional<std::string> config = embedded_config;
    if (config_files > 1) {
      all_ = true;
      return;
    }
    if (const auto path = argument_value(argc, argv, "--config")) {
      std::string why;
      config = detail::read_regular_file(std::string(*path), kMaxConfigBytes + 1, why);
      if (config && config->rfind("\x7f"
                                  "ELF",
                                  0) == 0) {
        config = detail::read_embedded_config(std::string(*path));
      }
      if (!config) {
        all_ = true;  // CLI11 says why, with every option declared
        return;
      }
    }
    if (!config) return;
    if (config->size() > kMaxConfigBytes) {
      all_ = true;  // larger than any promise file: CLI11 judges it with every option
      return;
    }
    auto config_names = detail::config_names(*config);
    if (!config_names) {
      all_ = true;
      return;
    }
    for (const auto& name : *config_names) {
      if (!note(name)) return;
    }
  }

  bool all() const { return all_; }

  bool wanted(std::string_view names) const {
    if (all_) return true;
    while (!names.empty()) {
      const auto comma = names.find(',');
      std::string_view name = names.substr(0, comma);
      names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
      while (!name.empty() && name.front() == '-') name.remove_prefix(1);
      if (std::find(names_.begin(), names_.end(), name) != names_.end()) return true;
    }
    return false;
  }

 private:
  // Records a long option name given; false (and all) for one that needs every option.
  bool note(std::string_view name) {
    if (name == "help" || name == "version" || name == "install" || name == "show-config" ||
        name == "mode" || name == "dump-options" || name.size() < 2) {
      all_ = true;
      return false;
    }
    names_.emplace_back(name);
    return true;
  }

  bool all_ = false;
  std::vector<std::string> names_;  // long option names given (command line, promise file)
};

// A promise's App lives until the process ends: exit_now skips destructors, so a run never pays
// for its teardown (~15-30 k instructions). In a test that runs many, they go at exit.
CLI::App& lasting_app(std::unique_ptr<CLI::App> app) {
  static std::vector<std::unique_ptr<CLI::App>> apps;
  apps.push_back(std::move(app));
  return *apps.back();
}

// CLI11's public constructor declares -h,--help at once; the runner declares it last, if at all.
class PromiseApp : public CLI::App {
 public:
  PromiseApp(std::string description, std::string name)
      : CLI::App(std::move(description), std::move(name), nullptr) {}
};

// The timeout from --timeout-file: the seconds on its first line, or nothing if there are none.
// Only a regular file is read, and only its start: a FIFO, a device or a huge file cannot hold
// the run before its deadline.
std::optional<double> read_timeout_file(const std::string& path, const Log& log) {
  std::string why;
  const auto text = detail::read_regular_file(path, 64, why);
  if (!text) {
    log.step("--timeout-file " + path + ": " + why + ": default timeout kept");
    return std::nullopt;
  }
  std::string_view line = std::string_view(*text).substr(0, text->find('\n'));
  const auto first = line.find_first_not_of(" \t\r");
  line = first == std::string_view::npos ? std::string_view{} : line.substr(first);
  line = line.substr(0, line.find_last_not_of(" \t\r") + 1);
  if (const auto seconds = parse_seconds(line))
    return std::min(*seconds, kSlapgridLimitSeconds - 1);
  log.step("--timeout-file " + path + " holds no usable number of seconds: default timeout kept");
  return std::nullopt;
}

// The format asked for, as far as it can be known when the options cannot be parsed: the
// command line's, else the promise file's (--config PATH, or the configuration embedded in a
// --mode copy binary).
detail::Format requested_format(int argc, char** argv,
                                const std::optional<std::string>& embedded_config) {
  if (const auto value = argument_value(argc, argv, "--format")) {
    return parse_format(std::string(*value));
  }
  std::optional<std::string> config = embedded_config;
  if (const auto path = argument_value(argc, argv, "--config")) {
    std::string why;
    config = detail::read_regular_file(std::string(*path), 1 << 20, why);
    if (config && config->rfind("\x7f"
                                "ELF",
                                0) == 0) {
      config = detail::read_embedded_config(std::string(*path));
    }
  }
  const auto value = config ? detail::config_value(*config, "format") : std::nullopt;
  return parse_format(value.value_or("text"));
}

std::string error_line(const CLI::Error& error) {
  std::string text = error.what();
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string show_config(const CLI::App& app, const PromiseInfo& info, bool embedded) {
  const CLI::Option* config = app.get_config_ptr();
  std::string source = "command line";
  if (embedded && config->as<std::string>() == "/proc/self/exe") {
    source = "copy of the binary (--mode copy) and command line";
  } else if (config->count() > 0) {
    source = "options file " + config->as<std::string>() + " (--mode script) and command line";
  }
  std::string binary;
  try {
    binary = detail::self_executable();
  } catch (const std::exception&) {
    binary = "?";
  }
  return "# " + std::string(info.name) + " " + kVersion + ", binary " + binary +
         "\n# options from the " + source + "\n" + detail::render_config(app, true);
}

}  // namespace

bool option_named(std::string_view names) {
  return g_fixed_options == nullptr || g_fixed_options->wanted(names);
}

void exit_now(int exit_code) {
  std::fflush(nullptr);
  std::_Exit(exit_code);
}

int run_promise(int argc, char** argv, const PromiseInfo& info,
                const std::function<void(CLI::App&)>& declare,
                const std::function<Outcome(const Context&)>& check) {
  const auto start = Deadline::Clock::now();
  // Before anything that can block (a promise file or a --timeout-file that is a FIFO, a slow
  // disk): the signal thread, and the backstop at the --timeout of the command line or the
  // default.
  detail::install_signal_handling();
  set_phase("reading the options");
  const double early_timeout = parse_seconds(argument_value(argc, argv, "--timeout").value_or(""))
                                   .value_or(kDefaultTimeoutSeconds);
  detail::prepare_signal_texts(
      parse_format(std::string(argument_value(argc, argv, "--format").value_or(""))),
      early_timeout);
  detail::arm_backstop(early_timeout + kBackstopGraceSeconds);

  // A --mode copy promise carries its options after its code; read them as a config file.
  const auto embedded_config = detail::read_embedded_config("/proc/self/exe");
  const bool embedded = embedded_config.has_value();
  const FixedOptions fixed(argc, argv, embedded_config);
  g_fixed_options = &fixed;  // for option_named() in the promise's declare()
  const Wanted wanted = [&](std::string_view names) { return fixed.wanted(names); };

  CLI::App& app = lasting_app(
      std::make_unique<PromiseApp>(std::string(info.description), std::string(info.name)));
  app.config_formatter(std::make_shared<detail::PromiseConfigFormat>());
  app.allow_config_extras(false);
  // Defaults are for --help (all() runs); capturing them costs a conversion per option.
  if (fixed.all()) app.option_defaults()->always_capture_default();
  // The promise's own options first in --help; the flags every promise has come after.
  declare(app);
  g_fixed_options = nullptr;
  CommonOptions common;
  declare_common(app, common, wanted);
  detail::RuleOptions rule;
  detail::declare_rule_options(app, rule, wanted);
  if (fixed.all()) {
    app.set_help_flag("-h,--help", "Print this help and exit")->group(kCommon);
    app.set_version_flag("--version",
                         std::string(info.name) + " (slapos-native-promises) " + kVersion)
        ->group(kCommon);
  }
  app.set_config("--config", embedded ? "/proc/self/exe" : "",
                 "Read options from a promise file written by --install "
                 "(an installed promise's #! line passes it); the command line wins")
      ->type_name("PATH")
      ->group(kInstantiation);
  detail::settle_value_syntax(app);
  if (fixed.all()) {
    // After the promise's own footer (its SlapOS plugin rule), not instead of it.
    const std::string promise_footer = app.get_footer();
    app.footer((promise_footer.empty() ? "" : promise_footer + "\n\n") +
               "A flag takes a value too, as SlapOS profiles write them: --flag, --flag 1, "
               "--flag=no (1/0, true/false, yes/no, any case).");
  }
  if (detail::dump_options_requested(argc, argv)) {  // for build-time generators, not --help
    write_final(detail::options_json(app));
    return 0;
  }

  // A bad option: UNKNOWN in the format asked for, though --format itself is not parsed yet.
  auto bad_options = [&](const std::string& reason) {
    const Outcome outcome = Outcome::unknown(reason + " (see --help)");
    write_final(detail::render(outcome, requested_format(argc, argv, embedded_config), 0));
    return exit_code(State::unknown);
  };
  try {
    app.parse(detail::arguments_for_parse(app, argc, argv));
  } catch (const CLI::Success& success) {
    detail::claim_status_line_or_wait();
    return app.exit(success);  // --help, --version
  } catch (const CLI::Error& error) {
    return bad_options(error_line(error));
  } catch (const std::exception& error) {
    // CLI11 2.1 lets a standard exception escape in places (std::stoll's out_of_range for a
    // flag's value): a bad option all the same, never an abort.
    return bad_options(std::string("the options cannot be read (") + error.what() + ")");
  }

  for (const CLI::Option* option : app.get_options()) {
    for (const auto& value : option->results()) {
      if (is_secret(option)) {
        register_secret(value);
      } else {
        register_credentials_in(value);  // URL user-info, an Authorization header
      }
    }
  }
  // ps shows argv for as long as the run lasts: overwrite the secrets in it, as curl does.
  for (int i = 1; i < argc; ++i) blank_secrets(argv[i]);
  const detail::Format format = parse_format(common.format);
  // The exit code is the state's, unless a rule (--result-count, --frequency) says otherwise.
  auto finish = [&](const Outcome& outcome, std::optional<int> rule_exit_code = std::nullopt) {
    const double elapsed = seconds(Deadline::Clock::now() - start);
    const int code = rule_exit_code.value_or(exit_code(outcome));
    write_final(detail::render(outcome, format, elapsed, code));
    return code;
  };

  if (common.show_config) {
    write_final(show_config(app, info, embedded));
    return 0;
  }
  if (auto refused = detail::check_rule_options(app, rule, common.install_path); !refused.empty()) {
    return finish(Outcome::unknown(refused));
  }
  if (!common.install_path.empty()) {
    detail::disarm_backstop();  // buildout runs --install, with no 20 s limit to beat
    if (common.timeout >= kSlapgridLimitSeconds) {
      return finish(Outcome::unknown(
          "--timeout " + app.get_option("--timeout")->as<std::string>() +
          " is not below slapgrid's 20 s promise limit: the promise would be killed before "
          "it could report; install with a smaller --timeout"));
    }
    try {
      detail::InstallRequest request{
          common.install_path,
          common.mode == "copy" ? detail::InstallMode::copy : detail::InstallMode::script,
          std::string(info.name), detail::render_config(app, false)};
      write_final(detail::install(request) + "\n");
      return 0;
    } catch (const std::exception& error) {
      return finish(Outcome::unknown(std::string("--install: ") + error.what()));
    }
  }

  const auto verbosity = static_cast<Verbosity>(std::min(common.verbosity, 2));
  detail::configure_log(verbosity, start);
  const Log log(verbosity);
  const CLI::Option* timeout_option = app.get_option_no_throw("--timeout");
  if (!common.timeout_file.empty() && (timeout_option == nullptr || timeout_option->count() == 0)) {
    common.timeout = read_timeout_file(common.timeout_file, log).value_or(common.timeout);
  }
  const Deadline deadline(std::chrono::duration_cast<Deadline::Clock::duration>(
      std::chrono::duration<double>(common.timeout)));
  detail::prepare_signal_texts(format, common.timeout);
  detail::arm_backstop(common.timeout + kBackstopGraceSeconds);
  const Context context{deadline, log, detail::installed_promise_file(app, embedded)};
  const detail::RuleRun rule_run(rule, app, embedded, info.name, log);
  if (auto replayed = rule_run.replay(deadline)) {
    return finish(replayed->shown, replayed->exit_code);
  }
  set_phase("checking");
  Outcome outcome;
  try {
    outcome = check(context);
  } catch (const std::exception& error) {
    outcome = Outcome::unknown(std::string("internal error: ") + error.what());
  }
  const detail::Verdict verdict = rule_run.judge(outcome, deadline);
  return finish(verdict.shown, verdict.exit_code);
}

}  // namespace promise
