#include "promise/proc_pid.hpp"

#include "promise/fields.hpp"
#include "small_file.hpp"

namespace promise {

std::optional<ProcStat> parse_proc_stat(std::string_view line) {
  ProcStat stat;
  const auto open = line.find(" (");
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2) {
    return std::nullopt;
  }
  if (!parse_whole(line.substr(0, open), stat.pid) || stat.pid <= 0) return std::nullopt;
  stat.comm = std::string(line.substr(open + 2, close - open - 2));
  std::string_view rest = line.substr(close + 1);
  const std::string_view state = next_field(rest);
  if (state.size() != 1) return std::nullopt;
  stat.state = state.front();
  if (!parse_whole(next_field(rest), stat.parent) || stat.parent < 0) return std::nullopt;
  if (!parse_whole(next_field(rest), stat.group) || stat.group < 0) return std::nullopt;
  // Fields 6 to 21 (session ... itrealvalue): present and numeric; utime and stime kept.
  for (int field = 6; field <= 21; ++field) {
    const std::string_view text = next_field(rest);
    long long ignored = 0;
    const bool parsed = field == 14   ? parse_whole(text, stat.user_time)
                        : field == 15 ? parse_whole(text, stat.system_time)
                                      : parse_whole(text, ignored);
    if (!parsed) return std::nullopt;
  }
  if (!parse_whole(next_field(rest), stat.start_time)) return std::nullopt;
  return stat;
}

std::vector<std::string> parse_cmdline(std::string_view text) {
  std::vector<std::string> argv;
  if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  if (text.empty()) return argv;
  for (;;) {
    const auto nul = text.find('\0');
    argv.emplace_back(text.substr(0, nul));
    if (nul == std::string_view::npos) break;
    text.remove_prefix(nul + 1);
  }
  return argv;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const auto text = detail::read_small_file("/proc/" + std::to_string(pid) + "/stat", 1024);
  if (!text) return std::nullopt;
  std::string_view line(*text);
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  auto stat = parse_proc_stat(line);
  if (stat && stat->pid != pid) return std::nullopt;
  return stat;
}

std::optional<std::vector<std::string>> read_proc_cmdline(pid_t pid, std::size_t max_bytes) {
  if (pid <= 0) return std::nullopt;
  const auto text = detail::read_small_file("/proc/" + std::to_string(pid) + "/cmdline", max_bytes);
  if (!text) return std::nullopt;
  return parse_cmdline(*text);
}

}  // namespace promise
