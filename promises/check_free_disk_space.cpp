// check_free_disk_space: is there enough free space and are there enough free inodes on the
// file system of the partition? The SlapOS toolbox plugin of the same name reads the free space
// from the collector's sqlite database; here statvfs(2) is the source of truth (the collector
// stores the same statvfs figures, a minute late). The plugin's threshold (GiB, default 5 % of
// the disk size), inode rule (98 %, also on /tmp when it is a mount point) and messages.
#include "promise/disk_space.hpp"
#include "promise/main.hpp"
#include "promise/path_option.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kDefaultThresholdRatio = 0.05;
constexpr double kInodeLimitPercent = 98;

struct Options {
  std::string path = ".";
  double threshold_gib = -1;  // < 0: 5 % of the disk size
  std::string threshold_file;
  bool use_threshold_file = false;
  std::string collectordb;
  bool display_partition = false;
  bool display_prediction = false;
  int nb_days_predicted = 10;
};

CLI::Validator gibibytes() {
  return promise::number_in(0, HUGE_VAL, "a size in GiB (a number >= 0, fractions allowed)", "GIB");
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--path", options.path,
                 "A directory on the file system to check (default: the working directory, "
                 "the partition under slapgrid)")
      ->check(promise::non_empty_path("DIR"));
  app.add_option("--threshold", options.threshold_gib,
                 "Fail when the free space is at or below this many GiB (fractions allowed); "
                 "default: 5 % of the disk size")
      ->check(gibibytes())
      ->default_str("5 % of the disk size");
  auto* threshold_file = app.add_option(
      "--threshold-file,--threshold_file", options.threshold_file,
      "Accepted for SlapOS profiles (the monitor stack passes etc/min-free-disk-size) and "
      "ignored, as the plugin ignores it since 2019; see --use-threshold-file");
  app.add_flag("--use-threshold-file", options.use_threshold_file,
               "Read the threshold from --threshold-file instead: one integer, in MiB (the "
               "monitor parameter min-free-disk-MB); 0 turns the free-space check off")
      ->needs(threshold_file);
  app.add_option("--collectordb", options.collectordb,
                 "Accepted for SlapOS profiles and ignored: the free space comes from statvfs, "
                 "not from the collector's database");
  app.add_flag("--display-partition,--display_partition", options.display_partition,
               "Accepted and ignored (the plugin lists the 3 biggest partitions from the "
               "collector's database)");
  app.add_flag("--display-prediction,--display_prediction", options.display_prediction,
               "Accepted and ignored (the plugin forecasts the free space with ARIMA)");
  app.add_option("--nb-days-predicted,--nb_days_predicted", options.nb_days_predicted,
                 "Accepted and ignored (days of the ARIMA forecast)")
      ->check(CLI::NonNegativeNumber);
  app.footer(
      "SlapOS plugin rule: checked every 60 minutes (--frequency 60), test 1 of 1 failure, "
      "anomaly 3 of 3 failures, no bang.");
}

// Sizes the way the plugin prints them (GiB, no decimals), but with 2 decimals below 10 G,
// where the plugin's "threshold: 0 G" said nothing.
std::string gib(double bytes) {
  char buffer[32];
  const double value = bytes / kGiB;
  std::snprintf(buffer, sizeof buffer, value < 10 ? "%.2f" : "%.0f", value);
  return buffer;
}

std::string two_decimals(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

std::string percent4(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f%%", value);
  return buffer;
}

// The threshold in MiB from --threshold-file: the whole file is one integer.
std::optional<double> read_threshold_file(const std::string& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  char buffer[64];
  const ssize_t n = fd < 0 ? -1 : ::read(fd, buffer, sizeof buffer);
  const int read_error = errno;
  if (fd >= 0) ::close(fd);
  if (n < 0) {
    error = "cannot read --threshold-file '" + path + "': " + std::strerror(read_error);
    return std::nullopt;
  }
  std::string_view text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::uint64_t mebibytes = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), mebibytes);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      mebibytes > (std::uint64_t{1} << 40)) {
    error = "--threshold-file '" + path + "' does not hold one integer (MiB): '" +
            promise::untrusted(text, 40) + "'";
    return std::nullopt;
  }
  return static_cast<double>(mebibytes);
}

// The plugin's inode rule on one file system: the message when at least 98 % are used.
std::optional<std::string> inode_alarm(const promise::DiskSpace& space, const char* where) {
  const auto used = space.inode_use_percent();
  if (!used || *used < kInodeLimitPercent) return std::nullopt;
  return "Disk Inodes usage is really high: " + percent4(*used) + where;
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  context.phase("reading the disk usage");
  std::string error;
  const auto space = promise::disk_space(options.path, error);
  if (!space) {
    return promise::Outcome::unknown("cannot read the disk usage of '" + options.path +
                                     "': " + error);
  }
  if (space->size_bytes() == 0) {
    return promise::Outcome::unknown("'" + options.path +
                                     "' is on a file system without blocks (such as /proc): "
                                     "no disk space to check");
  }
  const double size = static_cast<double>(space->size_bytes());
  const double free = static_cast<double>(space->free_bytes);
  context.log.step("statvfs " + options.path + ": free " + std::to_string(space->free_bytes) +
                   " B, used " + std::to_string(space->used_bytes) + " B, inodes " +
                   std::to_string(space->inodes) + " (" + std::to_string(space->free_inodes) +
                   " free)");
  if (!options.collectordb.empty() || options.display_partition || options.display_prediction) {
    context.log.step("--collectordb, --display-partition, --display-prediction: ignored");
  }

  double threshold =
      options.threshold_gib >= 0 ? options.threshold_gib * kGiB : size * kDefaultThresholdRatio;
  bool space_check = true;
  if (options.use_threshold_file) {
    const auto mebibytes = read_threshold_file(options.threshold_file, error);
    if (!mebibytes) return promise::Outcome::unknown(error);
    threshold = *mebibytes * kMiB;
    space_check = *mebibytes > 0;
  }

  std::vector<std::string> lines;
  const auto partition_alarm = inode_alarm(*space, "");
  auto alarm = partition_alarm;
  if (!alarm && promise::is_mount_point("/tmp")) {
    if (const auto tmp = promise::disk_space("/tmp", error)) alarm = inode_alarm(*tmp, " on /tmp");
  }
  if (alarm) lines.push_back(*alarm);

  const std::string figures = "remaining " + two_decimals(free / kGiB) +
                              " G (disk size: " + gib(size) + " G, threshold: " + gib(threshold) +
                              " G)";
  const bool low = space_check && !(free > threshold);
  if (!space_check) {
    lines.push_back("free disk space check turned off by --threshold-file '" +
                    options.threshold_file + "' (0)");
  } else if (low) {
    lines.push_back("Free disk space low: " + figures + ".");
  } else {
    std::string ok = "Current disk usage: OK, " + figures;
    if (const auto used = space->inode_use_percent(); used && !partition_alarm) {
      ok += ", inodes " + two_decimals(*used) + "% used";
    }
    lines.push_back(ok);
  }

  std::string message;
  for (const auto& line : lines) message += (message.empty() ? "" : "; ") + line;
  promise::Outcome outcome =
      low || alarm ? promise::Outcome::critical(message) : promise::Outcome::ok(message);
  // Thresholds as the check applies them: free space at or below the threshold, inodes at
  // least 98 % used are CRITICAL.
  const std::string size_text = promise::perfdata_number(size);
  outcome.metric("free", free, "B")
      .limits("", space_check ? "@0:" + promise::perfdata_number(threshold) : "", "0", size_text)
      .metric("size", size, "B")
      .limits("", "", "0")
      .metric("threshold", threshold, "B");
  if (const auto used = space->inode_use_percent()) {
    outcome.metric("inodes_used_percent", *used, "%")
        .limits("", "@" + promise::perfdata_number(kInodeLimitPercent) + ":100", "0", "100");
  }
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_free_disk_space",
             "Check the free space and free inodes of the partition's file system", declare, check)
