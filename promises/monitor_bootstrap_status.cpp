// monitor_bootstrap_status: did the monitor's bootstrap (monitor.bootstrap, run once by
// supervisord as etc/run/bootstrap-monitor) end well?
// As the SlapOS toolbox plugin of the same name (process-pid-file, process-name, status-file;
// partition folder and id from the partition). The bootstrap writes its pid first, and at its
// end an empty status file on success, or deletes it on error. While it runs, the promise waits
// for it (15 s as the plugin, but never past the deadline).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>

#include "promise/file_tail.hpp"
#include "promise/main.hpp"
#include "promise/partition.hpp"
#include "promise/pid_file.hpp"
#include "promise/proc_pid.hpp"

namespace {

constexpr double kPluginWaitSeconds = 15;
constexpr double kPollSeconds = 0.1;
constexpr std::size_t kLogLines = 4;

struct Options {
  std::string pid_file;
  std::string process_name = "bootstrap-monitor";
  std::string status_file;
  promise::PartitionOptions partition;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--process-pid-file", options.pid_file,
                 "The bootstrap's pid file (var/run/monitor/monitor-bootstrap.pid)")
      ->required();
  app.add_option("--process-name", options.process_name,
                 "Its supervisord program name, which names its log "
                 "<partition>/.<partition-id>_<process-name>.log");
  app.add_option("--status-file", options.status_file,
                 "The file it leaves empty on success (srv/monitor/monitor-bootstrap-status)")
      ->required();
  promise::declare_partition_options(app, options.partition);
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes (--frequency 2), test 1 of 1 failures, "
      "anomaly 3 of 3 (--result-count 3 --failure-amount 3).");
}

// The bootstrap of this partition: its command line names monitor.bootstrap and the partition
// folder, as a whole path or the start of one (slappart7 is not slappart70).
bool is_our_bootstrap(pid_t pid, const std::string& partition_folder) {
  const auto argv = promise::read_proc_cmdline(pid);
  if (!argv) return false;
  std::string joined;
  for (const auto& argument : *argv) joined += (joined.empty() ? "" : " ") + argument;
  if (joined.find("monitor.bootstrap") == std::string::npos) return false;
  for (auto at = joined.find(partition_folder); at != std::string::npos;
       at = joined.find(partition_folder, at + 1)) {
    const auto after = at + partition_folder.size();
    if (after == joined.size() || joined[after] == '/' || joined[after] == ' ') return true;
  }
  return false;
}

// Still the same process (a reused pid starts later); a zombie counts as running.
bool still_running(pid_t pid, std::uint64_t start_time) {
  const auto stat = promise::read_proc_stat(pid);
  return stat && stat->start_time == start_time;
}

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", std::floor(seconds * 10) / 10);
  return buffer;
}

// The end of the bootstrap's supervisord log, for the failure message.
std::string log_tail(const promise::Partition& partition, const std::string& process_name) {
  const std::string path = partition.folder + "/." + partition.id + "_" + process_name + ".log";
  const promise::FileTail tail = promise::read_tail(path, kLogLines, 8 * 1024);
  if (tail.error == ENOENT) return {};
  if (tail.error != 0) return " (cannot read " + path + ": " + std::strerror(tail.error) + ")";
  std::string text;
  for (const auto& line : tail.lines) text += line + "\n";
  return " ---- Latest monitor-bootstrap.log ---- " +
         promise::untrusted_tail(text, 600, tail.first_line_cut ? tail.bytes_before : 0);
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const promise::Partition partition = promise::resolve_partition(options.partition);
  if (!partition.error.empty()) return promise::Outcome::unknown(partition.error);

  const promise::PidFile pid_file = promise::read_pid_file(options.pid_file);
  if (pid_file.error == ENOENT) return promise::Outcome::critical("Bootstrap didn't run!");
  if (pid_file.error != 0) {
    return promise::Outcome::unknown("cannot read the pid file " + options.pid_file + ": " +
                                     std::strerror(pid_file.error));
  }
  const std::string not_a_pid =
      promise::python_repr(options.pid_file) + " is empty or doesn't contain a valid pid number: ";
  if (!pid_file.pid) {
    return promise::Outcome::critical(
        not_a_pid +
        (pid_file.too_long ? "more than 4096 bytes" : promise::python_int_error(pid_file.content)));
  }
  if (*pid_file.pid < 0) {
    return promise::Outcome::critical(not_a_pid + "pid must be a positive integer (got " +
                                      std::to_string(*pid_file.pid) + ")");
  }

  // A pid out of range, gone or reused by another program: the bootstrap is not running.
  const auto pid = static_cast<pid_t>(std::min<long long>(*pid_file.pid, INT_MAX));
  const auto first = promise::read_proc_stat(pid);
  if (first && is_our_bootstrap(pid, partition.folder)) {
    context.phase("waiting for the monitor bootstrap to end");
    // Up to 15 s after the start, as the plugin, but a margin (a quarter, at most 1 s) before
    // the deadline, to report.
    const double budget = promise::seconds(context.deadline.budget());
    const double wait = std::clamp(budget - std::min(1.0, budget / 4), 0.0, kPluginWaitSeconds);
    context.log.step("monitor bootstrap running as pid " + std::to_string(pid) +
                     ": waiting until " + seconds_text(wait) + " s");
    const auto until = context.deadline.at() - context.deadline.budget() +
                       std::chrono::duration_cast<promise::Deadline::Clock::duration>(
                           std::chrono::duration<double>(wait));
    while (still_running(pid, first->start_time)) {
      const double left = promise::seconds(until - promise::Deadline::Clock::now());
      if (left <= 0) {
        return promise::Outcome::critical("Monitor bootstrap is running for more than " +
                                          seconds_text(wait) + " seconds! (pid " +
                                          std::to_string(pid) + ")");
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(kPollSeconds, left)));
    }
  } else {
    context.log.step("pid " + std::to_string(*pid_file.pid) + " is not the monitor bootstrap of " +
                     partition.folder);
  }

  struct stat status {};
  if (::stat(options.status_file.c_str(), &status) == 0 && status.st_size == 0) {
    return promise::Outcome::ok("Bootstrap OK");
  }
  return promise::Outcome::critical("Monitor bootstrap exited with error." +
                                    log_tail(partition, options.process_name));
}

}  // namespace

PROMISE_MAIN("monitor_bootstrap_status",
             "Check that the monitor's bootstrap of the partition ended well", declare, check)
