#include "promise/process_cpu.hpp"

#include "promise/fields.hpp"
#include "promise/proc_pid.hpp"
#include "small_file.hpp"

#include <dirent.h>

#include <algorithm>
#include <limits>

namespace promise {

std::optional<CpuTimes> parse_cpu_line(std::string_view line) {
  if (next_field(line) != "cpu") return std::nullopt;
  std::uint64_t values[8] = {};
  int count = 0;
  for (std::string_view field = next_field(line); !field.empty(); field = next_field(line)) {
    std::uint64_t value = 0;
    if (!parse_whole(field, value)) return std::nullopt;
    if (count < 8) values[count] = value;  // guest and guest_nice are already in user and nice
    ++count;
  }
  if (count < 4) return std::nullopt;
  CpuTimes times;
  for (int i = 0; i < 8; ++i) {
    if (values[i] > std::numeric_limits<std::uint64_t>::max() - times.total) return std::nullopt;
    times.total += values[i];
    if (i != 3 && i != 4) times.busy += values[i];  // idle, iowait
  }
  return times;
}

std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view text) {
  const auto end = text.find('\n');
  return parse_cpu_line(text.substr(0, end));
}

std::optional<CpuTimes> read_cpu_times() {
  const auto text = detail::read_small_file("/proc/stat", 4096);
  if (!text) return std::nullopt;
  return parse_proc_stat_cpu(*text);
}

std::vector<ProcessCpu> read_processes_cpu(std::size_t max_processes) {
  std::vector<ProcessCpu> processes;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return processes;
  while (const dirent* entry = ::readdir(proc)) {
    pid_t pid = 0;
    if (!parse_whole(std::string_view(entry->d_name), pid) || pid <= 0) continue;
    if (processes.size() >= max_processes) break;
    const auto stat = read_proc_stat(pid);
    if (!stat) continue;  // exited meanwhile
    processes.push_back(
        {pid, stat->comm, stat->start_time,
         stat->user_time + std::min(stat->system_time,
                                    std::numeric_limits<std::uint64_t>::max() - stat->user_time)});
  }
  ::closedir(proc);
  return processes;
}

std::vector<ProcessShare> top_processes(const std::vector<ProcessCpu>& before,
                                        const std::vector<ProcessCpu>& after, double interval_ticks,
                                        std::size_t count) {
  std::vector<ProcessCpu> earlier = before;
  const auto by_pid = [](const ProcessCpu& a, const ProcessCpu& b) { return a.pid < b.pid; };
  std::sort(earlier.begin(), earlier.end(), by_pid);
  std::vector<ProcessShare> shares;
  if (!(interval_ticks > 0)) return shares;
  for (const ProcessCpu& now : after) {
    const auto match = std::lower_bound(earlier.begin(), earlier.end(), now, by_pid);
    if (match == earlier.end() || match->pid != now.pid || match->start_time != now.start_time ||
        now.ticks < match->ticks || now.ticks == match->ticks) {
      continue;
    }
    shares.push_back(
        {now.pid, now.comm, static_cast<double>(now.ticks - match->ticks) / interval_ticks * 100});
  }
  std::sort(shares.begin(), shares.end(), [](const ProcessShare& a, const ProcessShare& b) {
    return a.percent != b.percent ? a.percent > b.percent : a.pid < b.pid;
  });
  if (shares.size() > count) shares.resize(count);
  return shares;
}

}  // namespace promise
