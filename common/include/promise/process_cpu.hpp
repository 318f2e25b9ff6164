#pragma once
// Who uses the CPU, as top's first screen says it, from /proc rather than by running top:
// the "cpu" line of /proc/stat (clock ticks of all CPUs by kind) and each process's utime +
// stime (/proc/<pid>/stat, see proc_pid.hpp), read twice a short interval apart. A process's
// share is its ticks over the interval's, per CPU (100 % = one CPU busy), as top shows it.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

// "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (at least the first
// four; guest time is already in user). busy: all but idle and iowait.
struct CpuTimes {
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};
std::optional<CpuTimes> parse_cpu_line(std::string_view line);
// The "cpu" line of /proc/stat's text.
std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view text);
std::optional<CpuTimes> read_cpu_times();

struct ProcessCpu {
  pid_t pid = 0;
  std::string comm;
  std::uint64_t start_time = 0;  // with pid, names the process across readings
  std::uint64_t ticks = 0;       // utime + stime
};

// Every process of /proc that can be read (those that exit meanwhile are skipped), at most
// max_processes.
std::vector<ProcessCpu> read_processes_cpu(std::size_t max_processes = 100000);

struct ProcessShare {
  pid_t pid = 0;
  std::string comm;
  double percent = 0;  // of one CPU over the interval
};

// The count processes that used most CPU between the two readings (present in both, same
// start time), highest first, ties by pid; interval_ticks: the interval in clock ticks (> 0).
std::vector<ProcessShare> top_processes(const std::vector<ProcessCpu>& before,
                                        const std::vector<ProcessCpu>& after, double interval_ticks,
                                        std::size_t count);

}  // namespace promise
