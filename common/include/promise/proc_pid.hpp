#pragma once
// A process as /proc shows it, for promises that look at a process by its pid
// (monitor_bootstrap_status; issue 8's service checks).
//
// /proc/<pid>/stat is one line: "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt
// cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue
// starttime ...". comm is at most 16 bytes but may hold spaces and ')' itself, so the fields
// after it are found from the LAST ')'. starttime (field 22) is in clock ticks since boot: with
// the pid it names one process for the life of the system (a reused pid has a later start).
//
// /proc/<pid>/cmdline is argv, each argument followed by a NUL (empty for a zombie or a kernel
// thread; a process may also have rewritten it, with spaces instead of NULs).

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

struct ProcStat {
  pid_t pid = 0;
  std::string comm;
  char state = '?';  // R S D Z T t X I ...; 'Z' is a zombie: exited, not yet reaped
  pid_t parent = 0;
  pid_t group = 0;
  std::uint64_t start_time = 0;   // clock ticks after boot
  std::uint64_t user_time = 0;    // utime (field 14), clock ticks
  std::uint64_t system_time = 0;  // stime (field 15), clock ticks
};

// nullopt for anything that is not such a line: truncated, no "(...)", non-numeric fields,
// numbers out of range.
std::optional<ProcStat> parse_proc_stat(std::string_view line);

// argv from the NUL-separated text (a missing final NUL is tolerated).
std::vector<std::string> parse_cmdline(std::string_view text);

// The same from /proc/<pid>; nullopt when the process does not exist (or is hidden from us).
// The command line is read up to max_bytes.
std::optional<ProcStat> read_proc_stat(pid_t pid);
std::optional<std::vector<std::string>> read_proc_cmdline(pid_t pid,
                                                          std::size_t max_bytes = 64 * 1024);

}  // namespace promise
