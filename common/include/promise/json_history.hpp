#pragma once
// The history the SlapOS JSONPromise plugins keep (check_ram_usage, check_network_transit):
// one JSON line per run in <partition>/.slapgrid/promise/log/<title>.json.log, written by
// Python's logging with the format
//   {"time": "%(asctime)s", "log_level": "%(levelname)s", "message": "%(message)s", "data":
//   %(data)s}
// e.g. {"time": "2026-12-02 00:18:37,123", "log_level": "INFO", "message": "RAM data",
//       "data": {"available_ram": 1234567}}
// asctime is local time with milliseconds. A native promise writes and reads the same lines,
// so that an instance switching from the plugin keeps its history.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

struct Context;

// One history line (with its '\n') at unix_ms, local time.
std::string format_history_line(std::int64_t unix_ms, std::string_view message,
                                std::string_view key, std::uint64_t value);

struct HistoryEntry {
  std::int64_t time_ms = 0;  // unix milliseconds (local time read back with mktime)
  double value = 0;
};

// A line as written above, or by the plugin: "time" first, then "data": {"<key>": number}.
// Other keys and spaces between tokens as json.dumps writes them are tolerated; nullopt for
// anything else (a truncated line, another key, a value that is not a finite number).
std::optional<HistoryEntry> parse_history_line(std::string_view line, std::string_view key);

// get_json_log_data_interval: the values of the lines at most interval_seconds before now_ms,
// newest first, reading the file backwards from its end (at most max_bytes of it), stopping at
// the first older line. Unreadable lines are skipped and counted.
struct HistoryWindow {
  int error = 0;  // errno when the file cannot be read (ENOENT: no history yet)
  std::vector<double> values;
  int unreadable = 0;
};
HistoryWindow read_history_window(const std::string& path, std::string_view key,
                                  std::int64_t now_ms, std::int64_t interval_seconds,
                                  std::size_t max_bytes = 4 * 1024 * 1024);

// Appends line (O_APPEND: one write, whole), creating the file 0640 and its directory 0750
// when missing. "" or the reason it could not.
std::string append_history_line(const std::string& path, std::string_view line);

// psutil's bytes2human: "%.1f" of value / 1024^k and B K M G T P E Z Y ("500.0M", "512.0B").
std::string bytes2human(double bytes);
// The same right-aligned in 7 columns, as the plugins' messages write it ("%7s").
std::string bytes2human7(double bytes);

// The plugins' marker file (last-avg-ram-file, last-transit-file): when it is missing or older
// than min_age_seconds, touches (creates or truncates) it and says true: time to look at the
// history. Relative paths are relative to the working directory (the partition). error: why the
// marker could not be touched (then true as well: the check is not skipped for it).
bool marker_due(const std::string& path, double min_age_seconds, std::string& error);

// The plugins' step on their history, for one run: appends "message", {key: value} to the
// history (history_file, or .slapgrid/promise/log/<title>.json.log where title is
// context.promise_title(promise_name); in the partition), then, when the marker is due (every
// period_seconds/4), reads back the values of the last period_seconds.
struct PeriodHistory {
  std::string error;  // the line could not be appended: the UNKNOWN message, nothing else is set
  bool due = false;   // the marker was due: window holds the last period
  HistoryWindow window;
  std::string note;  // " (N unreadable line(s) of <history> skipped)" or ""
};
struct HistorySample {
  std::string_view message;  // "RAM data"
  std::string_view key;      // "available_ram"
  std::uint64_t value = 0;
};
PeriodHistory record_period_history(const Context& context, std::string_view promise_name,
                                    const std::string& history_file, const std::string& marker,
                                    int period_seconds, const HistorySample& sample);

}  // namespace promise
