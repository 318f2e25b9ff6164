// run_promise: everything a promise does besides its own check, once for all promises.
#include "internal.hpp"
#include "promise/main.hpp"
#include "promise/text.hpp"
#include "promise/version.hpp"

#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

namespace promise {
namespace {

constexpr const char* kCommon = "Common options";
constexpr const char* kInstantiation = "Instantiation";
// slapgrid's promise_timeout: past it, the promise is killed and reported as timed out.
constexpr double kSlapgridLimitSeconds = 20;
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

// ---- backstop and signals ----------------------------------------------------------------
// Whatever a syscall or a peer does, the run ends: SIGALRM at the deadline (plus a grace),
// SIGTERM from slapgrid, or ^C. The handler writes a prepared line and _exits: only
// async-signal-safe calls, no allocation.

struct SignalTexts {
  char deadline[256];
  char terminated[256];
  char interrupted[256];
  char suffix[8];
};
SignalTexts g_texts;

void prepare_signal_texts(detail::Format format, double timeout) {
  const char* prefix = "CRITICAL: ";
  const char* suffix = "\n";
  if (format == detail::Format::nagios) prefix = "CRITICAL - ";
  if (format == detail::Format::json) {
    prefix = "{\"state\":\"CRITICAL\",\"exit_code\":2,\"message\":\"";
    suffix = "\"}\n";
  }
  std::snprintf(g_texts.deadline, sizeof g_texts.deadline, "%sdeadline of %g s exceeded while ",
                prefix, timeout);
  std::snprintf(g_texts.terminated, sizeof g_texts.terminated, "%sterminated by SIGTERM while ",
                prefix);
  std::snprintf(g_texts.interrupted, sizeof g_texts.interrupted, "%sinterrupted while ", prefix);
  std::snprintf(g_texts.suffix, sizeof g_texts.suffix, "%s", suffix);
}

void write_signal_safe(const char* text) {
  std::size_t length = std::strlen(text);
  while (length > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, text, length);
    if (n <= 0) return;
    text += n;
    length -= static_cast<std::size_t>(n);
  }
}

extern "C" void on_fatal_signal(int signal_number) {
  write_signal_safe(signal_number == SIGALRM   ? g_texts.deadline
                    : signal_number == SIGTERM ? g_texts.terminated
                                               : g_texts.interrupted);
  write_signal_safe(current_phase());
  write_signal_safe(g_texts.suffix);
  ::_exit(exit_code(State::critical));
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigfillset(&action.sa_mask);  // one handler at a time
  for (int signal_number : {SIGALRM, SIGTERM, SIGINT, SIGHUP}) {
    ::sigaction(signal_number, &action, nullptr);
  }
  ::signal(SIGPIPE, SIG_IGN);  // a closed peer is an error to report, not a reason to die
}

void arm_backstop(double seconds) {
  itimerval timer{};
  const double whole = std::floor(seconds);
  timer.it_value.tv_sec = static_cast<time_t>(whole);
  timer.it_value.tv_usec = static_cast<suseconds_t>((seconds - whole) * 1e6);
  if (timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0) timer.it_value.tv_usec = 1;
  ::setitimer(ITIMER_REAL, &timer, nullptr);
}

// From here on the run ends by our own hand: no signal may interleave its line with ours.
void block_fatal_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : {SIGALRM, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, signal_number);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// ---- options ---------------------------------------------------------------------------

struct CommonOptions {
  double timeout = 10;
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

void declare_common(CLI::App& app, CommonOptions& options) {
  app.add_option("--timeout", options.timeout,
                 "Deadline for the whole check in seconds, name resolution included "
                 "(fractions allowed; slapgrid kills a promise at 20 s)")
      ->check(positive_seconds())
      ->capture_default_str()
      ->group(kCommon);
  app.add_option("--timeout-file", options.timeout_file,
                 "Read the timeout from this file when --timeout is not given, as the cookbook "
                 "promises read etc/promise_timeout (missing or invalid: the default; above "
                 "19 s: 19 s, so the promise reports before slapgrid kills it at 20 s)")
      ->type_name("PATH")
      ->group(kCommon);
  app.add_option("--format", options.format,
                 "Status line format: text (one line), json (one object), nagios (with perfdata)")
      ->check(CLI::IsMember({"text", "json", "nagios"}))
      ->capture_default_str()
      ->group(kCommon);
  app.add_flag("-v,--verbose", options.verbosity,
               "Log each step on stderr (-vv: wire detail); secrets stay masked")
      ->configurable(false)
      ->group(kCommon);
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

// The timeout from --timeout-file: the seconds it holds, or nothing if it holds none.
std::optional<double> read_timeout_file(const std::string& path, const Log& log) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  std::string checked = text;
  if (!in.fail() && positive_seconds()(checked).empty()) {
    // Read as the validator reads it: std::stod throws on a denormal such as 1e-310.
    double seconds = 0;
    std::from_chars(text.data(), text.data() + text.size(), seconds);
    return std::min(seconds, kSlapgridLimitSeconds - 1);
  }
  log.step("--timeout-file " + path + " holds no usable number of seconds: default timeout kept");
  return std::nullopt;
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

void exit_now(int exit_code) {
  std::fflush(nullptr);
  std::_Exit(exit_code);
}

int run_promise(int argc, char** argv, const PromiseInfo& info,
                const std::function<void(CLI::App&)>& declare,
                const std::function<Outcome(const Context&)>& check) {
  const auto start = Deadline::Clock::now();
  prepare_signal_texts(detail::Format::text, 0);
  install_signal_handlers();

  CLI::App app{std::string(info.description), std::string(info.name)};
  app.config_formatter(std::make_shared<detail::PromiseConfigFormat>());
  app.allow_config_extras(false);
  app.option_defaults()->always_capture_default();
  // The promise's own options first in --help; the flags every promise has come after.
  app.set_help_flag();
  declare(app);
  CommonOptions common;
  declare_common(app, common);
  app.set_help_flag("-h,--help", "Print this help and exit")->group(kCommon);
  app.set_version_flag("--version",
                       std::string(info.name) + " (slapos-native-promises) " + kVersion)
      ->group(kCommon);
  // A --mode copy promise carries its options after its code; read them as a config file.
  const bool embedded = detail::read_embedded_config("/proc/self/exe").has_value();
  app.set_config("--config", embedded ? "/proc/self/exe" : "",
                 "Read options from a promise file written by --install "
                 "(an installed promise's #! line passes it); the command line wins")
      ->type_name("PATH")
      ->group(kInstantiation);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);  // --help, --version
  } catch (const CLI::Error& error) {
    Outcome outcome = Outcome::unknown(error_line(error) + " (see --help)");
    write_all(STDOUT_FILENO, detail::render(outcome, parse_format(common.format), 0));
    return exit_code(State::unknown);
  }

  for (const CLI::Option* option : app.get_options()) {
    if (!is_secret(option)) continue;
    for (const auto& value : option->results()) register_secret(value);
  }
  const detail::Format format = parse_format(common.format);
  auto finish = [&](const Outcome& outcome) {
    block_fatal_signals();
    const double elapsed = seconds(Deadline::Clock::now() - start);
    write_all(STDOUT_FILENO, detail::render(outcome, format, elapsed));
    return exit_code(outcome.state);
  };

  if (common.show_config) {
    write_all(STDOUT_FILENO, show_config(app, info, embedded));
    return 0;
  }
  if (!common.install_path.empty()) {
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
      write_all(STDOUT_FILENO, detail::install(request) + "\n");
      return 0;
    } catch (const std::exception& error) {
      return finish(Outcome::unknown(std::string("--install: ") + error.what()));
    }
  }

  const auto verbosity = static_cast<Verbosity>(std::min(common.verbosity, 2));
  detail::configure_log(verbosity, start);
  const Log log(verbosity);
  if (!common.timeout_file.empty() && app.get_option("--timeout")->count() == 0) {
    common.timeout = read_timeout_file(common.timeout_file, log).value_or(common.timeout);
  }
  const Deadline deadline(std::chrono::duration_cast<Deadline::Clock::duration>(
      std::chrono::duration<double>(common.timeout)));
  prepare_signal_texts(format, common.timeout);
  arm_backstop(common.timeout + kBackstopGraceSeconds);
  const Context context{deadline, log};
  set_phase("checking");
  Outcome outcome;
  try {
    outcome = check(context);
  } catch (const std::exception& error) {
    outcome = Outcome::unknown(std::string("internal error: ") + error.what());
  }
  return finish(outcome);
}

}  // namespace promise
