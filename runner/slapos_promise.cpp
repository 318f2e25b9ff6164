// slapos-promise: the operator's tool for the promises of a SlapOS partition.
//   list             the promise binaries installed with this one, with what each checks
//   show PATH        what an installed promise checks: binary, mode, options (secrets masked)
//   run [DIR...]     run promise directories the way slapgrid does, in parallel, and report
//   exec NAME [ARG...]  run one promise binary of the suite by name, with these arguments
//   convert, compare a partition's plugin promises to ours, and their verdicts side by side
#include "convert_cli.hpp"
#include "inspect.hpp"
#include "internal.hpp"
#include "promise/options.hpp"
#include "promise/process.hpp"
#include "promise/text.hpp"
#include "promise/version.hpp"
#include "promise_dir.hpp"
#include "promise_layout.hpp"
#include "report.hpp"
#include "status_json.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <map>

namespace {

using namespace promise::runner;

constexpr int kExitFailed = 2;   // as slapgrid when a promise fails (and CRITICAL)
constexpr int kExitUnknown = 3;  // bad input, as the promises say it

std::size_t cores() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0)
    return static_cast<std::size_t>(CPU_COUNT(&set));
  return 1;
}

struct Options {
  std::string show_path;
  std::vector<std::string> dirs{"etc/promise"};
  std::size_t jobs = cores();
  double timeout = 20;  // slapgrid's promise_timeout
  std::string format = "text";
  std::string results_partition;
};

void declare_run(CLI::App& run, Options& options) {
  run.add_option("DIR", options.dirs, "Promise directories, each <partition>/etc/promise")
      ->capture_default_str();
  // No captured default: the number of cores of the build machine would end up in the man page.
  run.add_option("-j,--jobs", options.jobs, "Promises run at once (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  run.add_option("--timeout", options.timeout,
                 "Time limit of each promise in seconds, slapgrid's promise_timeout; then "
                 "SIGTERM, and SIGKILL of its whole process tree 1 s later")
      ->check(promise::positive_seconds())
      ->capture_default_str();
  run.add_option("--format", options.format,
                 "text (a table and a summary) or json (one slapgrid status.json object a line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  run.add_option("--write-results", options.results_partition,
                 "Also write each result to PARTITION/.slapgrid/promise/result/<title>.status.json "
                 "(atomically), where slapgrid writes it and the monitor reads it")
      ->type_name("PARTITION")
      ->check(CLI::ExistingDirectory);
}

void print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int unknown(const std::string& why) {
  print("UNKNOWN: " + promise::one_line(why, 1000) + "\n");
  return kExitUnknown;
}

std::string error_line(const CLI::Error& error) {
  std::string text = error.what();
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// Where the promise binaries are: installed, kPromiseDirFromTool from our own directory
// (libexec/slapos-native-promises); in the build tree, beside us.
std::filesystem::path promise_dir() {
  const auto own_dir = std::filesystem::path(promise::detail::self_executable()).parent_path();
  std::error_code error;
  const auto installed = (own_dir / kPromiseDirFromTool).lexically_normal();
  return std::filesystem::is_directory(installed, error) ? installed : own_dir;
}

std::vector<std::string> promise_names() {
  return {std::begin(kPromiseNames), std::end(kPromiseNames)};
}

int list_command() {
  const auto dir = promise_dir();
  const auto binaries = installed_binaries(dir.string(), promise_names());
  if (binaries.empty()) print("no slapos-native-promises promise binary in " + dir.string() + "\n");
  std::size_t width = 0;
  for (const auto& binary : binaries) width = std::max(width, binary.name.size());
  for (const auto& binary : binaries) {
    print(binary.name + std::string(width - binary.name.size() + 2, ' ') + binary.description +
          "\n");
  }
  return 0;
}

// exec NAME [ARG...]: the promise replaces us, so its output and exit code are the run's.
int exec_command(int argc, char** argv) {
  if (argc < 3) return unknown("exec: which promise? slapos-promise exec NAME [ARG...] (see list)");
  if (std::string_view(argv[2]) == "-h" || std::string_view(argv[2]) == "--help") {
    print(
        "Run one promise of the suite by name, e.g.\n"
        "  slapos-promise exec check_url_available --url http://[::1]:8080/ --format nagios\n"
        "\nUsage: slapos-promise exec NAME [ARG...]\n\n"
        "NAME is a name `slapos-promise list` shows; the promise's output and exit code are "
        "the command's.\n");
    return 0;
  }
  const std::string name = argv[2];
  const auto names = promise_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return unknown("exec: '" + name + "' is not a promise of slapos-native-promises (see list)");
  }
  const std::string path = (promise_dir() / name).string();
  std::vector<char*> arguments{const_cast<char*>(path.c_str())};
  for (int i = 3; i < argc; ++i) arguments.push_back(argv[i]);
  arguments.push_back(nullptr);
  ::execv(path.c_str(), arguments.data());
  return unknown("exec: cannot run " + path + ": " + std::strerror(errno));
}

int show_command(const Options& options) {
  const ShowReport report = show_promise(options.show_path);
  print(report.text);
  return report.exit_code;
}

// The promises run in process groups of their own, out of reach of the terminal's ^C: stop
// them ourselves. No SA_RESTART, so that the poll loop wakes up at once.
extern "C" void on_stop_signal(int) {
  promise::request_stop();
}

void stop_promises_on_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout must not kill us while promises run
}

// slapgrid keeps one result for foo, foo.sh and foo.py: say so before it surprises anyone.
void warn_about_shared_titles(const std::vector<PromiseFile>& files) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> names_by_title;
  for (const auto& file : files) names_by_title[{file.partition, file.title}].push_back(file.name);
  for (const auto& [key, names] : names_by_title) {
    if (names.size() < 2) continue;
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "'" : ", '") + name + "'";
    std::fprintf(stderr, "warning: %s share the title '%s': slapgrid keeps one result for them\n",
                 promise::untrusted(list, 500).c_str(), promise::untrusted(key.second).c_str());
  }
}

std::size_t terminal_columns() {
  winsize size{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) return size.ws_col;
  return 0;
}

// The files of every directory: by name, or by path when there are several directories.
std::vector<PromiseFile> promise_files(const std::vector<std::string>& dirs) {
  std::vector<PromiseFile> files;
  for (const auto& dir : dirs) {
    auto found = scan_promise_dir(dir);
    files.insert(files.end(), found.begin(), found.end());
  }
  if (dirs.size() > 1) {
    std::stable_sort(files.begin(), files.end(),
                     [](const auto& a, const auto& b) { return a.path < b.path; });
  }
  return files;
}

// One slapgrid status.json object a line; a bad promise file has no result, only a warning.
void print_json(const std::vector<PromiseResult>& results) {
  for (const auto& result : results) {
    if (result.verdict != Verdict::skipped) {
      print(status_json(result) + "\n");
    } else {
      std::fprintf(stderr, "Bad promise file at '%s' (%s): skipped\n",
                   promise::untrusted(result.file.path, 1000).c_str(),
                   result.file.skip_reason.c_str());
    }
  }
}

int run_command(const Options& options) {
  const auto files = promise_files(options.dirs);
  warn_about_shared_titles(files);
  promise::adopt_orphans();
  stop_promises_on_signals();
  const auto start = std::chrono::steady_clock::now();
  const auto results = run_promises(files, {options.timeout, 1, options.jobs});
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (promise::stop_requested()) {
    return unknown("interrupted: the running promises were stopped, no result was written");
  }
  if (options.format == "json") {
    print_json(results);
  } else {
    print(render_table(results, options.dirs.size() > 1, terminal_columns()));
    print(render_summary(results, wall));
  }
  for (const auto& result : results) {
    if (!options.results_partition.empty() && result.verdict != Verdict::skipped) {
      write_status_file(options.results_partition, result);
    }
  }
  const bool all_hold = std::all_of(results.begin(), results.end(), [](const auto& result) {
    return result.verdict == Verdict::ok || result.verdict == Verdict::skipped;
  });
  return all_hold ? 0 : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "The operator's tool for SlapOS promises: list the promise binaries, show what an installed "
      "promise checks, run promise directories the way slapgrid does.",
      "slapos-promise"};
  app.set_version_flag("--version",
                       std::string("slapos-promise (slapos-native-promises) ") + promise::kVersion);
  app.require_subcommand(1, 1);
  Options options;
  auto* list = app.add_subcommand(
      "list", "List the promise binaries installed with slapos-promise and what each checks");
  auto* show = app.add_subcommand(
      "show",
      "Show what an installed promise checks: binary, mode, options (secrets masked); a file "
      "that is not one of ours is described, never run");
  show->add_option("PATH", options.show_path, "The promise file, e.g. etc/promise/apache")
      ->required();
  auto* run = app.add_subcommand(
      "run",
      "Run every executable file of promise directories as slapgrid does (no arguments, cwd = "
      "the partition, output merged, time limit, tree kill), in parallel; print a line per "
      "promise and a summary; exit 0 only if all hold");
  declare_run(*run, options);
  ConvertCli convert_cli;
  declare_convert_commands(app, convert_cli);
  // Parsed by exec_command: everything after NAME belongs to the promise.
  auto* exec = app.add_subcommand(
      "exec",
      "Run one promise binary of the suite by name with the arguments that follow: "
      "slapos-promise exec NAME [ARG...] (its output and exit code)");
  exec->add_option("NAME", options.show_path, "A promise name, as `list` shows it");
  exec->allow_extras();
  if (argc > 1 && std::string_view(argv[1]) == "exec") return exec_command(argc, argv);

  if (argc > 1 && argv[1][0] != '-') {
    const auto known =
        app.get_subcommands([&](const CLI::App* sub) { return sub->check_name(argv[1]); });
    if (known.empty()) {
      return unknown("unknown subcommand '" + std::string(argv[1]) +
                     "': expected list, show, run, exec, convert or compare (see --help)");
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);  // --help, --version
  } catch (const CLI::Error& error) {
    return unknown(error_line(error) + " (see --help)");
  }
  try {
    if (*list) return list_command();
    if (*show) return show_command(options);
    if (convert_cli.selected()) return run_convert_command(convert_cli);
    return run_command(options);
  } catch (const std::exception& error) {
    return unknown(error.what());
  }
}
