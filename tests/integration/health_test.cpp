// The server-health promises on real things: this machine's /proc for the CPU load and the
// memory; network namespaces the tests create (unshare: veth pairs and a tun device set up and
// down, ping on 127.0.0.1 or into a tun nobody reads) for the interfaces and their counters;
// the plugins' JSON-lines histories pre-seeded in their exact format.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "partition.hpp"
#include "process.hpp"
#include "promise/json_history.hpp"
#include "promise/meminfo.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kCpu = binary("check_server_cpu_load");
const std::string kRam = binary("check_ram_usage");
const std::string kInterface = binary("check_interface_up");
const std::string kErrors = binary("check_network_errors_packets");
const std::string kTransit = binary("check_network_transit");

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ProcessResult run_in(const std::string& cwd, std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.cwd = cwd;
  spec.env = clean_environment();
  spec.merge_stderr = true;
  return run_process(spec);
}

// ---- check_server_cpu_load ----------------------------------------------------------------

TEST(CpuLoad, AThresholdDecidesOnThisMachinesLoad) {
  TempDir cwd;
  expect_line(run_in(cwd.path(), {kCpu, "--cpu-load-threshold", "1000000"}), 0,
              "OK: CPU load is OK (");
  // By hand, with no partition for its state, the default 10 of 10 is not applied.
  auto high = run_in(cwd.path(), {kCpu, "--cpu_load_threshold", "0.0001"});
  expect_line(high, 2, "CRITICAL: CPU load is high: ");
  EXPECT_TRUE(std::regex_search(
      high.output, std::regex(R"(^CRITICAL: CPU load is high: [0-9.]+ [0-9.]+ [0-9.]+ \(threshold )"
                              R"([0-9.e-]+ = 0\.0001 x [0-9]+ CPUs\); tasks: [0-9]+ total, )")))
      << high.output;
  EXPECT_NE(high.output.find("% busy over 0.2 s"), std::string::npos) << high.output;
  auto verbose = run_in(cwd.path(), {kCpu, "--cpu-load-threshold", "0.0001", "-v"});
  EXPECT_NE(verbose.output.find("default rule is not applied: no state file"), std::string::npos)
      << verbose.output;
  // 0 means the plugin's default factor, 2.2.
  auto zero = run_in(cwd.path(), {kCpu, "--cpu-load-threshold", "0"});
  EXPECT_NE(zero.output.find(" = 2.2 x "), std::string::npos) << zero.output;
  EXPECT_FALSE(fs::exists(cwd / "var"));
}

TEST(CpuLoad, FailsOnlyAfterTenFailedRunsOfTenByDefault) {
  Partition partition;
  ASSERT_EQ(
      partition.install(kCpu, "cpu-load", "script", {"--cpu-load-threshold", "0.0001"}).exit_code,
      0);
  const std::string state = partition.dir / "var/promise/cpu-load.state";
  EXPECT_NE(read_file(partition.promise("cpu-load")).find("state-file = \"" + state + "\"\n"),
            std::string::npos)
      << read_file(partition.promise("cpu-load"));
  for (int run = 1; run <= 9; ++run) {
    auto result = partition.run_like_slapgrid("cpu-load");
    expect_line(result, 0, "CRITICAL: CPU load is high: ");
    const std::string note =
        run == 1 ? "the only recorded run failed"
                 : std::to_string(run) + " of the last " + std::to_string(run) + " runs failed";
    EXPECT_NE(result.output.find("(tolerated: " + note + ", rule: 10 failures in 10 runs)"),
              std::string::npos)
        << result.output;
  }
  auto tenth = partition.run_like_slapgrid("cpu-load");
  expect_line(tenth, 2, "CRITICAL: CPU load is high: ");
  EXPECT_NE(tenth.output.find("(10 of the last 10 runs failed, rule: 10 failures in 10 runs)"),
            std::string::npos)
      << tenth.output;
  // An explicit rule overrides the default: 1 of 1 fails at once.
  TempDir cwd;
  expect_line(run_in(cwd.path(), {partition.promise("cpu-load"), "--result-count", "1"}), 2,
              "CRITICAL: CPU load is high: ");
}

TEST(CpuLoad, HelpShowsThePluginsRuleAndTheDefault) {
  auto help = run({kCpu, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("default for this promise: 10 failures in 10 runs"), std::string::npos)
      << help.output;
  EXPECT_NE(help.output.find("SlapOS plugin rule: checked every 3 minutes, test and anomaly 10"),
            std::string::npos);
}

TEST(CpuLoad, BadThresholdsAreUnknown) {
  for (const char* value : {"abc", "-1", "nan", "1e999", "2.2r"}) {
    auto result = run({kCpu, "--cpu-load-threshold", value});
    expect_line(result, 3, "UNKNOWN: --cpu-load-threshold: CPU load threshold");
  }
}

// ---- check_ram_usage ----------------------------------------------------------------------

double available_bytes() {
  std::string error;
  const auto info = read_meminfo(error);
  return info && info->available ? static_cast<double>(*info->available) : 0;
}

TEST(RamUsage, ReadsAndExtendsThePluginsHistory) {
  Partition partition;
  const std::string log_dir = partition.dir / ".slapgrid/promise/log";
  fs::create_directories(log_dir);
  const std::string history = log_dir + "/check-ram-usage.json.log";
  const std::int64_t now = now_ms();
  // As the plugin wrote them: one outside the period (it would lift the average), two inside.
  const std::string seeded =
      format_history_line(now - 900'000, "RAM data", "available_ram", 1'000'000'000'000'000) +
      format_history_line(now - 500'000, "RAM data", "available_ram", 0) +
      format_history_line(now - 300'000, "RAM data", "available_ram", 0);
  std::ofstream(history) << seeded;
  // Current memory alone passes half of it; with the two zeros the average is a third.
  const double half_mib = available_bytes() / 2 / 1048576;
  ASSERT_GT(half_mib, 1);
  ASSERT_EQ(partition
                .install(kRam, "check-ram-usage", "script",
                         {"--min-threshold-ram", "1", "--min-avg-ram", std::to_string(half_mib),
                          "--avg-ram-period", "600", "--last-avg-ram-file",
                          "var/promise_ram_space_last_avg_file"})
                .exit_code,
            0);
  fs::create_directories(partition.dir / "var");
  expect_line(partition.run_like_slapgrid("check-ram-usage"), 2,
              "CRITICAL: Average RAM usage over the last 600 seconds reached threshold: ");
  EXPECT_TRUE(fs::exists(partition.dir / "var/promise_ram_space_last_avg_file"));
  // The marker is fresh: no average until period/4 has passed; the spot value passes. From
  // another working directory, the history and the marker are still the partition's.
  expect_line(partition.run_like_slapgrid("check-ram-usage", "/"), 0,
              "OK: RAM usage OK (available ");
  const std::string text = read_file(history);
  ASSERT_EQ(text.rfind(seeded, 0), 0u) << text;
  const std::regex line(
      R"(\{"time": "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}", )"
      R"("log_level": "INFO", "message": "RAM data", "data": \{"available_ram": [0-9]+\}\}\n)");
  const std::string appended = text.substr(seeded.size());
  EXPECT_TRUE(std::regex_match(appended, std::regex(R"((\{"time": [^\n]*\n){2})"))) << appended;
  EXPECT_TRUE(std::regex_match(appended.substr(0, appended.find('\n') + 1), line)) << appended;
}

TEST(RamUsage, TheSpotThresholdAndUnreadableHistory) {
  TempDir cwd;
  fs::create_directories(cwd / ".slapgrid/promise/log");
  std::ofstream(cwd / ".slapgrid/promise/log/check_ram_usage.json.log") << "garbage\n{\"time\n";
  auto low = run_in(cwd.path(), {kRam, "--min-threshold-ram", "1e9"});
  expect_line(low, 2, "CRITICAL: RAM usage reached critical threshold: ");
  EXPECT_NE(low.output.find("  (threshold is  953.7T)"), std::string::npos) << low.output;
  EXPECT_NE(low.output.find("(2 unreadable lines of .slapgrid/promise/log/check_ram_usage"),
            std::string::npos)
      << low.output;
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--avg-ram-period", "600.0"},
                                              {"--min-avg-ram", "x"},
                                              {"--min-threshold-ram", "-5"},
                                              {"--last-avg-ram-file", ""}}) {
    std::vector<std::string> argv = {kRam};
    argv.insert(argv.end(), bad.begin(), bad.end());
    expect_line(run_in(cwd.path(), argv), 3, "UNKNOWN: ");
  }
  // A history that cannot be written is UNKNOWN, not a silent pass.
  expect_line(run_in(cwd.path(), {kRam, "--history-file", "/proc/version"}), 3,
              "UNKNOWN: cannot append to the history /proc/version: ");
}

// ---- in a network namespace of our own -----------------------------------------------------

// Runs script under `unshare -rnm` with sysfs remounted for the new network namespace; each
// promise run prints its status line and "rc=N".
std::string in_namespace(const std::string& cwd, const std::string& script) {
  if (!fs::exists("/usr/bin/unshare") || !fs::exists("/usr/sbin/ip")) return "skip";
  ProcessSpec spec;
  spec.argv = {"/usr/bin/unshare", "-rnm", "/bin/sh", "-c",
               "mount -t sysfs sysfs /sys || exit 125\n"
               "up() { for i in $(seq 200); do [ \"$(cat /sys/class/net/$1/operstate)\" = \"$2\" ] "
               "&& return; sleep 0.01; done; }\n"
               "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
               "p() { \"$@\"; echo rc=$?; }\n" +
                   script};
  spec.cwd = cwd;
  spec.time_limit = 60;
  const auto result = run_process(spec);
  if (result.exit_code == 125 || result.exit_code == 127) return "skip";
  return result.output;
}

TEST(InterfaceUp, VethAndTunSetUpAndDown) {
  TempDir cwd;
  const std::string output = in_namespace(
      cwd.path(),
      "ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up && up v0 "
      "up\n"
      "p " +
          kInterface +
          " --ifname v0\n"
          "ip link set v1 down && up v0 lowerlayerdown\n"
          "p " +
          kInterface +
          " --ifname v0\n"
          "p " +
          kInterface +
          " --ifname gone0\n"
          "ip link set lo up\n"
          "p " +
          kInterface +
          " --ifname lo\n"
          "p " +
          kInterface +
          " --ifname lo --accept-unknown\n"
          "ip tuntap add tun0 mode tun && ip link set tun0 up\n"
          "p " +
          kInterface +
          " --ifname tun0 --accept-unknown\n"
          "p " +
          kInterface +
          " --ifname gone0 --testing True\n"
          "p " +
          kInterface + " --ifname gone0 --testing true\n");
  if (output == "skip") GTEST_SKIP() << "no user and network namespaces here";
  EXPECT_EQ(output,
            "OK: v0 is up\nrc=0\n"
            "CRITICAL: v0 is down (operstate 'lowerlayerdown')\nrc=2\n"
            "CRITICAL: gone0 is down: no such interface (/sys/class/net/gone0/operstate does not "
            "exist)\nrc=2\n"
            "CRITICAL: lo is down (operstate 'unknown')\nrc=2\n"
            "OK: lo is up (operstate unknown, flag UP, carrier)\nrc=0\n"
            "CRITICAL: tun0 is down (operstate 'down')\nrc=2\n"
            "OK: skipping promise\nrc=0\n"
            "CRITICAL: gone0 is down: no such interface (/sys/class/net/gone0/operstate does not "
            "exist)\nrc=2\n");
  expect_line(run({kInterface, "--ifname", "../../etc"}), 3, "UNKNOWN: --ifname: ");
  expect_line(run({kInterface}), 3,
              "UNKNOWN: --ifname is empty (or missing) and --testing is not True");
  Partition partition;
  EXPECT_EQ(partition.install(kInterface, "tun", "script", {"--ifname", ""}).exit_code, 3);
  EXPECT_FALSE(fs::exists(partition.promise("tun")));
  EXPECT_EQ(partition.install(kInterface, "tun", "script", {"--ifname", "", "--testing", "True"})
                .exit_code,
            0);
  expect_line(partition.run_like_slapgrid("tun"), 0, "OK: skipping promise");
}

TEST(NetworkErrorsPackets, DropsIntoATunNobodyReads) {
  TempDir cwd;
  // Three pings into a tun device with no reader: three dropped packets, 0 bytes moved (1 MB).
  const std::string output =
      in_namespace(cwd.path(),
                   "ip link set lo up && ip tuntap add tun0 mode tun && ip link set tun0 up && "
                   "ip addr add 192.0.2.1/24 dev tun0 || exit 125\n"
                   "p " +
                       kErrors +
                       "\n"
                       "ping -c 3 -i 0.01 -W 0.1 -q 192.0.2.2 >/dev/null 2>&1\n"
                       "p " +
                       kErrors +
                       " --max-lost-packets-per-MB 4\n"
                       "p " +
                       kErrors + " --max_lost_packets_per_MB 3 --max-error-messages-per-MB 0\n");
  if (output == "skip") GTEST_SKIP() << "no user and network namespaces here";
  EXPECT_EQ(output,
            "OK: Network statistics OK (2 interfaces, 0 dropped, 0 errors in 1 MB since boot)\n"
            "rc=0\n"
            "OK: Network statistics OK (2 interfaces, 3 dropped, 0 errors in 1 MB since boot)\n"
            "rc=0\n"
            "CRITICAL: Network packets lost reached critical threshold: 3  (threshold is 3 per "
            "MB); Network errors reached critical threshold: 0  (threshold is 0 per MB) (2 "
            "interfaces, 3 dropped, 0 errors in 1 MB since boot)\nrc=2\n");
  for (const char* value : {"x", "-1", "1e999"}) {
    expect_line(run({kErrors, "--max-lost-packets-per-MB", value}), 3, "UNKNOWN: ");
  }
}

TEST(NetworkTransit, LoopbackTrafficBetweenRunsAndThePluginsHistory) {
  TempDir cwd;
  const std::string history = cwd / ".slapgrid/promise/log/check_network_transit.json.log";
  const std::string output =
      in_namespace(cwd.path(),
                   "ip link set lo up || exit 125\n"
                   "p " +
                       kTransit +
                       "\n"  // one entry: nothing to compare
                       "ping -c 20 -i 0.01 -q 127.0.0.1 >/dev/null\n"
                       "rm last_transit\n"
                       "p " +
                       kTransit +
                       " --min-data-amount 0.1\n"
                       "ping -c 20 -i 0.01 -q 127.0.0.1 >/dev/null\n"
                       "rm last_transit\n"
                       "p " +
                       kTransit +
                       " --min-data-amount 0.001 --max-data-amount 0.002\n"
                       "p " +
                       kTransit +
                       " --min-data-amount 0.001 --max-data-amount 0.002\n"  // marker fresh
                       "rm last_transit\n"
                       "p " +
                       kTransit + " --min-data-amount 0.001 --max-data-amount 1\n");
  if (output == "skip") GTEST_SKIP() << "no user and network namespaces here";
  // 20 echo requests and replies of 84 bytes each way on lo: 6720 bytes, counted rx and tx.
  EXPECT_TRUE(std::regex_match(
      output,
      std::regex("OK: Network transit OK\nrc=0\n"
                 "CRITICAL: Network congested, data amount over the last 600 seconds reached "
                 "minimum threshold:    6\\.[0-9]K \\(threshold is  102\\.4K\\)\nrc=2\n"
                 "CRITICAL: Network congested, data amount over the last 600 seconds reached "
                 "maximum threshold:   13\\.[0-9]K \\(threshold is    2\\.0K\\)\nrc=2\n"
                 "OK: Network transit OK\nrc=0\n"
                 "OK: Network transit OK\nrc=0\n")))
      << output;
  const std::string text = read_file(history);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5) << text;
  EXPECT_TRUE(std::regex_search(
      text,
      std::regex(R"(^\{"time": "[0-9-]{10} [0-9:]{8},[0-9]{3}", "log_level": "INFO", )"
                 R"("message": "Network data amount", "data": \{"network_data_amount": 0\}\}\n)")))
      << text;
}

TEST(NetworkTransit, ACounterResetAgainstTheSeededHistoryIsTheMinimum) {
  TempDir cwd;
  fs::create_directories(cwd / ".slapgrid/promise/log");
  // The plugin's line from before a reboot: counters were at 1 GB, the namespace's are at 0.
  std::ofstream(cwd / ".slapgrid/promise/log/transit.json.log") << format_history_line(
      now_ms() - 300'000, "Network data amount", "network_data_amount", 1'000'000'000);
  const std::string output = in_namespace(
      cwd.path(), "p " + kTransit + " --history-file .slapgrid/promise/log/transit.json.log\n");
  if (output == "skip") GTEST_SKIP() << "no user and network namespaces here";
  EXPECT_EQ(output,
            "CRITICAL: Network congested, data amount over the last 600 seconds reached minimum "
            "threshold: -953.7M (threshold is  102.4K)\nrc=2\n");
}

// ---- every server-health promise, installed in both modes, run as slapgrid runs it -----------

struct Installed {
  std::string binary;
  std::vector<std::string> options;  // thresholds that hold on any machine
  std::string ok_prefix;
};

class HealthInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(HealthInstall, EachPromiseInstalledHoldsUnderSlapgrid) {
  const std::vector<std::pair<std::string, Installed>> promises = {
      {"cpu-load", {kCpu, {"--cpu-load-threshold", "1000000"}, "OK: CPU load is OK"}},
      {"check-ram-usage",
       {kRam, {"--min-threshold-ram", "1", "--min-avg-ram", "1"}, "OK: RAM usage OK"}},
      {"interface-lo", {kInterface, {"--ifname", "lo", "--accept-unknown", "1"}, "OK: lo is up"}},
      {"network-errors",
       {kErrors,
        {"--max-lost-packets-per-MB", "1e15", "--max_error_messages_per_MB", "1e15"},
        "OK: Network statistics OK"}},
      {"network-transit",
       {kTransit, {"--min-data-amount", "0", "--max-data-amount", "1e15"}, "OK: "}},
  };
  Partition partition;
  fs::create_directories(partition.dir / ".slapgrid/promise/log");
  for (const auto& [name, promise] : promises) {
    const ProcessResult installed =
        partition.install(promise.binary, name, GetParam(), promise.options);
    ASSERT_EQ(installed.exit_code, 0) << name << ": " << installed.output;
    const ProcessResult result = partition.run_like_slapgrid(name);
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.output;
    EXPECT_EQ(result.output.rfind(promise.ok_prefix, 0), 0u) << name << ": " << result.output;
  }
  // The history promises wrote their plugin's file under the installed title.
  EXPECT_TRUE(fs::exists(partition.dir / ".slapgrid/promise/log/check-ram-usage.json.log"));
  EXPECT_TRUE(fs::exists(partition.dir / ".slapgrid/promise/log/network-transit.json.log"));
}

INSTANTIATE_TEST_SUITE_P(Modes, HealthInstall, ::testing::Values("script", "copy"));

}  // namespace
}  // namespace promise::test
