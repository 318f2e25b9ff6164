// check_error_on_http_log and check_error_on_zope_longrequest_log on real logs in the formats
// Apache and Zope's long-request logger write: counting and classification, age limits, the
// bytes window, unparsable dates, absent, empty, rotated and unreadable logs, a 3 GiB sparse log
// of which only the tail may be read (counted by the kernel: /proc/<pid>/io), both install modes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kHttpLog = binary("check_error_on_http_log");
const std::string kZopeLog = binary("check_error_on_zope_longrequest_log");

// Local time, as the servers write it, seconds_ago before now.
enum class TimeFormat { apache, apache_microseconds, zope };
std::string local_time(long seconds_ago, TimeFormat format) {
  const std::time_t when = std::time(nullptr) - seconds_ago;
  std::tm tm{};
  ::localtime_r(&when, &tm);
  char buffer[64];
  if (format == TimeFormat::apache) {
    std::strftime(buffer, sizeof buffer, "%a %b %d %H:%M:%S %Y", &tm);
  } else if (format == TimeFormat::apache_microseconds) {
    std::strftime(buffer, sizeof buffer, "%a %b %d %H:%M:%S.123456 %Y", &tm);
  } else {
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  }
  return buffer;
}
// "[Wed Oct 11 14:32:52 2000] [level] message" (Apache 2.2), or with microseconds (2.4).
std::string apache(long seconds_ago, const std::string& level, const std::string& message,
                   bool microseconds = false) {
  // Built by appending: GCC 12 at -O3 sees a false -Wrestrict in "[" + text + ...
  std::string line(1, '[');
  line.append(
      local_time(seconds_ago, microseconds ? TimeFormat::apache_microseconds : TimeFormat::apache));
  line.append("] [").append(level).append("] ").append(message).push_back('\n');
  return line;
}
// "2018-11-15 10:13:48,928 - Thread 140...: Started on ...; Running for 4.0 secs; request: ..."
std::string dump(long seconds_ago, int thread = 1) {
  return local_time(seconds_ago, TimeFormat::zope) + ",928 - Thread " +
         std::to_string(140000 + thread) +
         ": Started on 1700000000.0; Running for 4.0 secs; request: GET /erp5/view\n"
         "Traceback:\n  File \"ZPublisher/Publish.py\", line 138, in publish\n";
}

// Runs a promise and counts the bytes it read: rchar of /proc/<pid>/io, read once it has
// exited but before it is reaped (waitid WNOWAIT), so the count is complete.
struct CountedRun {
  int exit_code = -1;
  std::string output;
  long long bytes_read = -1;
};
CountedRun run_counting_reads(const std::vector<std::string>& argv) {
  CountedRun counted;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return counted;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) {
    counted.output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  siginfo_t info{};
  ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
  const std::string io = read_file("/proc/" + std::to_string(pid) + "/io");
  const auto at = io.find("rchar: ");
  if (at != std::string::npos) counted.bytes_read = std::stoll(io.substr(at + 7));
  int status = 0;
  ::waitpid(pid, &status, 0);
  counted.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return counted;
}

// A log of 3 GiB of holes (no disk space) with lines after them.
void make_sparse_log(const std::string& path, const std::string& tail) {
  overwrite_file(path, "");
  ASSERT_EQ(::truncate(path.c_str(), 3LL << 30), 0);
  append_to_file(path, "\n" + tail);  // the holes read as NUL bytes: a line of its own
}

// A log in a directory of its own, and the promise run on it (--log-file given).
class LogTest : public ::testing::Test {
 protected:
  LogTest(const std::string& binary, const std::string& name) : binary_(binary), log(dir / name) {}
  ProcessResult check(std::vector<std::string> args) {
    args.insert(args.begin(), {"--log-file", log});
    return run_program(binary_, args);
  }

 private:
  std::string binary_;

 protected:
  TempDir dir;
  std::string log;
};

class HttpLog : public LogTest {
 protected:
  HttpLog() : LogTest(kHttpLog, "error.log") {}
};

TEST_F(HttpLog, CountsErrorLinesAndClassifiesThem) {
  overwrite_file(
      log, apache(60, "error",
                  "[client 10.0.0.1] (113)No route to host: proxy: HTTP: attempt to connect") +
               apache(50, "error", "(101)Network is unreachable: AH00957") +
               apache(40, "error", "(110)Connection timed out: AH00957") +
               apache(30, "proxy:error", "(110)Connection timed out: AH00957", true) +
               apache(20, "error", "File does not exist: /srv/www/favicon.ico") +
               apache(15, "warn", "(113)No route to host") + "not a log line\n" +
               apache(10, "core:notice", "SIGUSR1 received", true));
  auto result = check({"--format", "json"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("\"message\":\"ERROR=5 (NOROUTE=1, UNREACHABLENET=1, TIMEOUT=2)\""),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("\"timeout\":{\"value\":2"), std::string::npos) << result.output;
}

TEST_F(HttpLog, NoErrorIsOk) {
  overwrite_file(log, apache(10, "notice", "Apache configured -- resuming normal operations") +
                          apache(5, "warn", "mod_ssl: certificate expires soon"));
  expect_output(check({}), 0, "OK: no error in the last 4096 bytes of '" + log + "'");
}

TEST_F(HttpLog, MaximumDelayStopsAtTheFirstOlderLine) {
  // Newest first: an error, a notice two hours old, then a recent error again (a clock jump):
  // the old line ends the scan, as in the plugin.
  overwrite_file(log, apache(60, "error", "before") + apache(7200, "notice", "old") +
                          apache(30, "error", "recent"));
  expect_output(check({"--maximum-delay", "3600"}), 2,
                "CRITICAL: ERROR=1 (NOROUTE=0, UNREACHABLENET=0, TIMEOUT=0)");
  expect_output(check({"--maximum_delay", "0"}), 2,
                "CRITICAL: ERROR=2 (NOROUTE=0, UNREACHABLENET=0, TIMEOUT=0)");
  overwrite_file(log, apache(7200, "error", "old"));
  expect_output(check({"--maximum-delay", "3600"}), 0,
                "OK: no error in the last 4096 bytes of '" + log + "'");
}

TEST_F(HttpLog, OnlyTheLast4096BytesCount) {
  std::string notices;
  while (notices.size() < 4096) notices += apache(10, "notice", "child pid exit signal");
  overwrite_file(log, apache(20, "error", "outside the window") + notices);
  expect_output(check({}), 0, "OK: no error in the last 4096 bytes of '" + log + "'");
  append_to_file(log, apache(5, "error", "inside"));
  expect_output(check({}), 2, "CRITICAL: ERROR=1 (NOROUTE=0, UNREACHABLENET=0, TIMEOUT=0)");
}

TEST_F(HttpLog, ThreeBadDatesAreForgivenTheFourthIsAnError) {
  const std::string bad = "[Someday 25:00] [error] cut\n";
  overwrite_file(log, apache(20, "error", "counted") + bad + bad + bad);
  expect_output(check({}), 2, "CRITICAL: ERROR=1 (NOROUTE=0, UNREACHABLENET=0, TIMEOUT=0)");
  overwrite_file(log, apache(20, "error", "counted") + "[Mon Feb 30 10:00:00 2026] [error] x\n" +
                          bad + bad + bad);
  expect_output(check({}), 3,
                "UNKNOWN: time data 'Mon Feb 30 10:00:00 2026' does not match format "
                "'%a %b %d %H:%M:%S.%f %Y'");
}

TEST_F(HttpLog, AbsentEmptyAndRotatedLogsAreOk) {
  expect_output(check({}), 0, "OK: '" + log + "' does not exist: nothing to check");
  overwrite_file(log, "");
  expect_output(check({}), 0, "OK: no error in the last 4096 bytes of '" + log + "'");
  overwrite_file(log, apache(10, "error", "(110)Connection timed out"));
  expect_line(check({}), 2, "CRITICAL: ERROR=1");
  fs::rename(log, log + ".1");  // logrotate: the errors went with the old file
  overwrite_file(log, "");
  expect_output(check({}), 0, "OK: no error in the last 4096 bytes of '" + log + "'");
}

TEST_F(HttpLog, DirectoryIsUnknown) {
  expect_output(run_program(kHttpLog, {"--log-file", dir.path()}), 3,
                "UNKNOWN: cannot read '" + dir.path() + "': it is a directory");
}

TEST_F(HttpLog, ThreeGibibyteSparseLogCostsItsTail) {
  make_sparse_log(log, apache(20, "error", "(113)No route to host") +
                           apache(10, "notice", "resuming normal operations"));
  const auto result = run_counting_reads({kHttpLog, "--log-file", log});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output, "CRITICAL: ERROR=1 (NOROUTE=1, UNREACHABLENET=0, TIMEOUT=0)\n");
  ASSERT_GE(result.bytes_read, 0) << "no /proc/<pid>/io";
  // The window plus what the program itself reads to start (its ELF headers, /etc/localtime).
  EXPECT_LT(result.bytes_read, 256 * 1024) << result.bytes_read;
}

class ZopeLog : public LogTest {
 protected:
  ZopeLog() : LogTest(kZopeLog, "longrequest.log") {}
};

TEST_F(ZopeLog, EveryDumpLineIsOneLongRequest) {
  // Thread 1 dumped twice (one slow request, counted twice); a line whose date is no date
  // matches the pattern but is skipped; the tracebacks are not dumps.
  overwrite_file(log, dump(50, 1) + dump(40, 1) + dump(30, 2) +
                          "2026-13-45 10:00:00,100 - Thread 3: Started on 1.0\n");
  expect_output(check({"--error-threshold", "20"}), 0, "OK: Site has 3 long request");
  expect_output(check({"--error-threshold", "2"}), 2,
                "CRITICAL: Site has 3 long request (threshold 2)");
  expect_output(check({"--error-threshold", "3"}), 0, "OK: Site has 3 long request");
}

TEST_F(ZopeLog, ThresholdAndDelayAreNumbersAsStringsOrAsDumpsRendersThem) {
  // erp5-zope2 passes the values as strings, wendelin through dumps(): both are numbers here.
  overwrite_file(log, dump(7200, 1) + dump(30, 2) + dump(20, 3));
  for (const std::string threshold : {"1", "1.0", " 1 ", "+1", "1e0"}) {
    expect_line(check({"--error-threshold", threshold}), 2, "CRITICAL: Site has 3 long request");
  }
  expect_line(check({"--error_threshold", "3.5"}), 0, "OK: Site has 3 long request");
  expect_output(check({"--error-threshold", "1", "--maximum-delay", "3600"}), 2,
                "CRITICAL: Site has 2 long request (threshold 1)");
  expect_output(check({"--error-threshold", "1", "--maximum_delay", "25.5"}), 0,
                "OK: Site has 1 long request");
  // 0 and empty are no limit, as in the plugin.
  expect_line(check({"--error-threshold", "1", "--maximum-delay", "0"}), 2,
              "CRITICAL: Site has 3 long request");
  expect_line(check({"--error-threshold", "1", "--maximum-delay", ""}), 2,
              "CRITICAL: Site has 3 long request");
}

TEST_F(ZopeLog, OnlyTheLast40960BytesCount) {
  std::string other;
  while (other.size() <= 40960) other += "Traceback (most recent call last): nothing to count\n";
  overwrite_file(log, dump(30) + other);
  expect_output(check({"--error-threshold", "0"}), 0, "OK: Site has 0 long request");
}

TEST_F(ZopeLog, AbsentEmptyAndRotatedLogs) {
  expect_output(check({"--error-threshold", "0"}), 0,
                "OK: log file does not exist: log check skipped");
  overwrite_file(log, "");
  expect_output(check({"--error-threshold", "0"}), 0, "OK: Site has 0 long request");
  overwrite_file(log, dump(10));
  expect_line(check({"--error-threshold", "0"}), 2, "CRITICAL: Site has 1 long request");
  fs::rename(log, log + ".1");
  overwrite_file(log, "");
  expect_output(check({"--error-threshold", "0"}), 0, "OK: Site has 0 long request");
}

TEST_F(ZopeLog, ThreeGibibyteSparseLogCostsItsTail) {
  make_sparse_log(log, dump(20, 1) + dump(10, 2));
  const auto result = run_counting_reads({kZopeLog, "--log-file", log, "--error-threshold", "1"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output, "CRITICAL: Site has 2 long request (threshold 1)\n");
  ASSERT_GE(result.bytes_read, 0) << "no /proc/<pid>/io";
  EXPECT_LT(result.bytes_read, 256 * 1024) << result.bytes_read;
}

class LogInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(LogInstall, InstalledPromisesRunLikeSlapgridRunsThem) {
  Partition partition;
  fs::create_directories(partition.dir / "var/log");
  // As the wendelin profile writes it (dumps() values), paths relative to the partition.
  ASSERT_EQ(partition
                .install(kZopeLog, "zope-longrequest", GetParam(),
                         {"--log_file", "var/log/longrequest.log", "--error_threshold", "20",
                          "--maximum_delay", "0"})
                .exit_code,
            0);
  ASSERT_EQ(partition
                .install(kHttpLog, "apache-error", GetParam(),
                         {"--log-file", "var/log/apache-error.log", "--maximum-delay", "3600"})
                .exit_code,
            0);
  expect_output(partition.run_like_slapgrid("zope-longrequest"), 0,
                "OK: log file does not exist: log check skipped");
  expect_output(partition.run_like_slapgrid("apache-error"), 0,
                "OK: 'var/log/apache-error.log' does not exist: nothing to check");
  std::string dumps;
  for (int i = 0; i < 21; ++i) dumps += dump(30, i);
  overwrite_file(partition.dir / "var/log/longrequest.log", dumps);
  overwrite_file(partition.dir / "var/log/apache-error.log",
                 apache(10, "error", "(101)Network is unreachable"));
  expect_output(partition.run_like_slapgrid("zope-longrequest"), 2,
                "CRITICAL: Site has 21 long request (threshold 20)");
  // The plugin's default rule (every 720 minutes, 2 of 2): the last check is replayed.
  const ProcessResult replayed = partition.run_like_slapgrid("apache-error");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.output;
  EXPECT_NE(replayed.output.find("nothing to check (cached: checked"), std::string::npos)
      << replayed.output;
  // Checked now (--force): the first failure of 2 is tolerated, the second fails.
  const auto forced = [&] {
    ProcessSpec spec;
    spec.argv = {partition.promise("apache-error"), "--force"};
    spec.cwd = partition.dir.path();
    spec.env = clean_environment();
    return run_process(spec);
  };
  const ProcessResult first = forced();
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("CRITICAL: ERROR=1 (NOROUTE=0, UNREACHABLENET=1, TIMEOUT=0)"),
            std::string::npos)
      << first.output;
  const ProcessResult second = forced();
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(second.output.find("CRITICAL: ERROR=1 (NOROUTE=0, UNREACHABLENET=1, TIMEOUT=0) (2 of "
                               "the last 2 runs failed, rule: 2 failures in 2 runs)"),
            std::string::npos)
      << second.output;
}

INSTANTIATE_TEST_SUITE_P(Modes, LogInstall, ::testing::Values("script", "copy"));

struct BadLogInput {
  std::string name;
  std::string binary;
  std::vector<std::string> args;
  std::string mentions;
  friend void PrintTo(const BadLogInput& input, std::ostream* out) { *out << input.name; }
};

class BadLogOptions : public ::testing::TestWithParam<BadLogInput> {};

TEST_P(BadLogOptions, AreUnknownWithAOneLineReason) {
  auto result = run_program(GetParam().binary, GetParam().args);
  expect_line(result, 3, "UNKNOWN: ");
  EXPECT_NE(result.output.find(GetParam().mentions), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Logs, BadLogOptions,
    ::testing::Values(
        BadLogInput{"HttpNoLogFile", kHttpLog, {}, "--log-file is required"},
        BadLogInput{"HttpEmptyLogFile",
                    kHttpLog,
                    {"--log-file", ""},
                    "log file was not set in promise parameters."},
        BadLogInput{"HttpFractionalDelay",
                    kHttpLog,
                    {"--log-file", "/l", "--maximum-delay", "1.5"},
                    "maximum-delay is not a number of seconds: '1.5'"},
        BadLogInput{"HttpNegativeDelay",
                    kHttpLog,
                    {"--log-file", "/l", "--maximum-delay", "-1"},
                    "maximum-delay"},
        BadLogInput{
            "ZopeNoThreshold", kZopeLog, {"--log-file", "/l"}, "--error-threshold is required"},
        BadLogInput{"ZopeWordThreshold",
                    kZopeLog,
                    {"--log-file", "/l", "--error-threshold", "many"},
                    "error-threshold is not a number: 'many'"},
        BadLogInput{"ZopeNanThreshold",
                    kZopeLog,
                    {"--log-file", "/l", "--error-threshold", "nan"},
                    "error-threshold is not a number"},
        BadLogInput{"ZopeWordDelay",
                    kZopeLog,
                    {"--log-file", "/l", "--error-threshold", "1", "--maximum-delay", "1h"},
                    "maximum-delay is not a number: '1h'"},
        BadLogInput{
            "ZopeNoLogFile", kZopeLog, {"--error-threshold", "1"}, "--log-file is required"}),
    [](const ::testing::TestParamInfo<BadLogInput>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace promise::test
