// promise_system's parsers for the server-health promises: /proc/loadavg, /proc/meminfo,
// /proc/net/dev, /proc/stat's cpu line and per-process CPU, /sys/class/net, and the plugins'
// JSON-lines history. Each on real text, on this machine's files, and on hostile input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "process.hpp"
#include "promise/interface_state.hpp"
#include "promise/json_history.hpp"
#include "promise/load_average.hpp"
#include "promise/meminfo.hpp"
#include "promise/net_dev.hpp"
#include "promise/process_cpu.hpp"

namespace promise {
namespace {

TEST(LoadAverage, ParsesTheKernelsLine) {
  const auto load = parse_loadavg("0.52 0.58 2.10 3/467 12345\n");
  ASSERT_TRUE(load);
  EXPECT_EQ(load->one, 0.52);
  EXPECT_EQ(load->fifteen, 2.10);
  EXPECT_EQ(load->running, 3u);
  EXPECT_EQ(load->total, 467u);
  std::string error;
  EXPECT_TRUE(read_loadavg(error)) << error;
}

TEST(LoadAverage, RefusesAnythingElse) {
  for (const char* text :
       {"", "\n", "0.52 0.58", "0.52 0.58 0.59", "0.52 0.58 0.59 3/467", "0.52 0.58 0.59 3 1",
        "-1 0.58 0.59 3/4 1", "nan 0.5 0.5 1/2 3", "inf 0.5 0.5 1/2 3", "0.5 0.5 0.5 1/2 3 4",
        "0.5 0.5 0.5 1/99999999999 3", "0.5\t0.5 0.5 1/2 3", "0.5 0.5 0.5 1/2 3\n\n",
        "1e999 0 0 1/1 1", "0x1 0 0 1/1 1"}) {
    EXPECT_FALSE(parse_loadavg(text)) << text;
  }
}

TEST(MemInfo, ParsesSizesInBytes) {
  std::string why;
  const auto info = parse_meminfo(
      "MemTotal:       16318828 kB\nMemFree:          512 kB\nMemAvailable:    8000000 kB\n"
      "HugePages_Total:       0\nSwapTotal: 0 kB\nMemAvailable: 1 kB\n",
      why);
  ASSERT_TRUE(info) << why;
  EXPECT_EQ(*info->total, 16318828ull * 1024);
  EXPECT_EQ(*info->available, 8000000ull * 1024);  // the first of a repeated name
  EXPECT_EQ(*info->swap_total, 0u);
  EXPECT_FALSE(info->swap_free);
  EXPECT_TRUE(read_meminfo(why)) << why;
}

TEST(MemInfo, RefusesGarbageHugeNumbersAndTruncation) {
  for (const char* text :
       {"", "garbage\n", "MemTotal: x kB\n", "MemTotal: 1 MB\n", "MemTotal: -1 kB\n",
        "MemTotal: 18014398509481984 kB\n",  // 2^54 kB: more than 2^64 bytes
        "MemTotal: 99999999999999999999999 kB\n", "MemTotal: 1 kB extra\n", "Mem Total: 1 kB\n",
        "MemFree: 1 kB\n", ": 1 kB\n"}) {
    std::string why;
    EXPECT_FALSE(parse_meminfo(text, why)) << text;
    EXPECT_FALSE(why.empty());
  }
}

constexpr const char* kNetDevHeader =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n";

TEST(NetDev, ParsesEveryInterfaceAndSums) {
  std::string why;
  const auto interfaces = parse_net_dev(
      std::string(kNetDevHeader) +
          "    lo:     504       6    0    0    0     0          0         0      504       6    "
          "0    0    0     0       0          0\n"
          "eth0:18446744073709551615 1 2 3 0 0 0 0 10 11 12 13 0 0 0 0\n",
      why);
  ASSERT_TRUE(interfaces) << why;
  ASSERT_EQ(interfaces->size(), 2u);
  EXPECT_EQ((*interfaces)[0].name, "lo");
  EXPECT_EQ((*interfaces)[1].name, "eth0");
  EXPECT_EQ((*interfaces)[1].rx_errors, 2u);
  EXPECT_EQ((*interfaces)[1].rx_drops, 3u);
  EXPECT_EQ((*interfaces)[1].tx_bytes, 10u);
  EXPECT_EQ((*interfaces)[1].tx_errors, 12u);
  EXPECT_EQ((*interfaces)[1].tx_drops, 13u);
  const auto sum = sum_net_dev(*interfaces);
  EXPECT_EQ(sum.rx_bytes, UINT64_MAX);  // saturates rather than wraps
  EXPECT_EQ(sum.tx_bytes, 514u);
  EXPECT_TRUE(read_net_dev(why)) << why;
}

TEST(NetDev, RefusesGarbageAndTruncation) {
  const std::string header = kNetDevHeader;
  for (const std::string& text :
       {std::string(), std::string("garbage\n"), header.substr(0, 40), header + "eth0: 1 2 3\n",
        header + "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
        header + "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
        header + "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -16\n",
        header + "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 18446744073709551616\n",
        header + ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
        header + "a/b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
        header + "averyveryverylongname: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"}) {
    std::string why;
    EXPECT_FALSE(parse_net_dev(text, why)) << text;
    EXPECT_FALSE(why.empty());
  }
}

TEST(InterfaceState, NamesAndFlags) {
  EXPECT_TRUE(valid_interface_name("eth0"));
  EXPECT_TRUE(valid_interface_name("slaptun3"));
  for (const char* name : {"", ".", "..", "a/b", "../lo", "eth0:1", "a b", "0123456789abcdef"}) {
    EXPECT_FALSE(valid_interface_name(name)) << name;
  }
  EXPECT_EQ(parse_interface_flags("0x1003\n"), 0x1003u);
  for (const char* text : {"", "0x", "1003", "0x123456789", "0xzz", "0x-1", "0x1003 "}) {
    EXPECT_FALSE(parse_interface_flags(text)) << text;
  }
  EXPECT_EQ(parse_operstate("up\n"), "up");
  EXPECT_FALSE(parse_operstate("\n"));
  // This machine's loopback: "unknown", up, with carrier.
  const auto lo = read_interface_state("lo");
  ASSERT_EQ(lo.error, 0);
  EXPECT_EQ(lo.operstate, "unknown");
  ASSERT_TRUE(lo.flags);
  EXPECT_TRUE(*lo.flags & kIffUp);
  EXPECT_EQ(read_interface_state("nosuchif0").error, ENOENT);
  EXPECT_EQ(read_interface_state("../../etc").error, EINVAL);
}

TEST(ProcessCpu, TheCpuLine) {
  const auto times = parse_proc_stat_cpu("cpu  10 1 5 100 4 1 1 0 7 0\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(times);
  EXPECT_EQ(times->total, 122u);  // guest (7) is already in user
  EXPECT_EQ(times->busy, 18u);
  for (const char* text : {"", "cpu0 1 2 3 4", "cpu 1 2 3", "cpu 1 2 x 4", "cpu -1 2 3 4",
                           "cpu 18446744073709551615 1 0 0"}) {
    EXPECT_FALSE(parse_proc_stat_cpu(text)) << text;
  }
  EXPECT_TRUE(read_cpu_times());
}

TEST(ProcessCpu, TheBusiestProcessesBetweenTwoReadings) {
  const std::vector<ProcessCpu> before = {
      {1, "init", 5, 100}, {2, "busy", 7, 10}, {3, "reused", 9, 0}, {4, "idle", 1, 50}};
  const std::vector<ProcessCpu> after = {{1, "init", 5, 110},
                                         {2, "busy", 7, 60},
                                         {3, "reused", 10, 500},
                                         {4, "idle", 1, 50},
                                         {5, "new", 3, 40}};
  const auto top = top_processes(before, after, 50, 5);
  ASSERT_EQ(top.size(), 2u);  // the reused pid, the new and the idle process are not counted
  EXPECT_EQ(top[0].comm, "busy");
  EXPECT_DOUBLE_EQ(top[0].percent, 100);
  EXPECT_DOUBLE_EQ(top[1].percent, 20);
  EXPECT_TRUE(top_processes(before, after, 0, 5).empty());
  EXPECT_EQ(top_processes(before, after, 50, 1).size(), 1u);
  // This machine: at least this process, with a name.
  const auto processes = read_processes_cpu();
  EXPECT_FALSE(processes.empty());
}

TEST(JsonHistory, WritesThePluginsLineAndReadsItBack) {
  ::setenv("TZ", "Europe/Paris", 1);
  ::tzset();
  // 2026-07-01 12:34:56.789 UTC, summer time in Paris.
  const std::int64_t ms = 1782909296789;
  const std::string line = format_history_line(ms, "RAM data", "available_ram", 1234567);
  EXPECT_EQ(line,
            "{\"time\": \"2026-07-01 14:34:56,789\", \"log_level\": \"INFO\", \"message\": \"RAM "
            "data\", \"data\": {\"available_ram\": 1234567}}\n");
  const auto entry = parse_history_line(line, "available_ram");  // the final newline too
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->time_ms, ms);
  EXPECT_EQ(entry->value, 1234567);
  // json.dumps' float, and no milliseconds, are read too.
  EXPECT_TRUE(
      parse_history_line("{\"time\": \"2026-07-01 14:34:56\", \"data\": {\"k\": 1.5e3}}", "k"));
  ::unsetenv("TZ");
  ::tzset();
}

TEST(JsonHistory, RefusesHostileLines) {
  for (const char* text :
       {"", "{", "garbage", "{\"time\": \"2026-07-01 14:34:56,789\"",
        "{\"time\": \"2026-13-01 14:34:56,789\", \"data\": {\"k\": 1}}",
        "{\"time\": \"2026-07-01 14:34:56,78\", \"data\": {\"k\": 1}}",
        "{\"time\": \"9999-12-31 23:59:60,999\", \"data\": {\"k\": 1}}",  // found by fuzzing
        "{\"time\": \"2026-07-01 14:34:56,789\", \"data\": {\"other\": 1}}",
        "{\"time\": \"2026-07-01 14:34:56,789\", \"data\": {\"k\": nan}}",
        "{\"time\": \"2026-07-01 14:34:56,789\", \"data\": {\"k\": 1e999}}",
        "{\"time\": \"2026-07-01 14:34:56,789\", \"data\": {\"k\": \"1\"}}",
        "{\"time\": \"2026-07-01 14:34:56,789\", \"data\": {\"k\": 1}",
        "{\"time\": \"2026-07-01 14:34:56,789\", \"data\": {\"k\": 1}} x"}) {
    EXPECT_FALSE(parse_history_line(text, "k")) << text;
  }
}

TEST(JsonHistory, TheWindowIsTheNewestLinesOfThePeriod) {
  test::TempDir dir;
  const std::string path = dir / "log/x.json.log";
  const std::int64_t now = 1782909296789;
  for (const std::int64_t age : {900, 500, 300, 0}) {
    ASSERT_EQ(append_history_line(path, format_history_line(now - age * 1000, "m", "k",
                                                            static_cast<std::uint64_t>(age))),
              "");
  }
  std::ofstream(path, std::ios::app) << "corrupt\n";
  const auto window = read_history_window(path, "k", now, 600);
  EXPECT_EQ(window.error, 0);
  EXPECT_EQ(window.values, (std::vector<double>{0, 300, 500}));
  EXPECT_EQ(window.unreadable, 1);
  EXPECT_EQ(read_history_window(dir / "missing", "k", now, 600).error, ENOENT);
}

TEST(JsonHistory, Bytes2HumanAsPsutil) {
  EXPECT_EQ(bytes2human(512), "512.0B");
  EXPECT_EQ(bytes2human(500.0 * 1024 * 1024), "500.0M");
  EXPECT_EQ(bytes2human(1.5 * 1024 * 1024 * 1024), "1.5G");
  EXPECT_EQ(bytes2human(-2048), "-2.0K");
  EXPECT_EQ(bytes2human(0), "0.0B");
}

TEST(JsonHistory, TheMarkerPacesTheAverage) {
  test::TempDir dir;
  std::string error;
  EXPECT_TRUE(marker_due(dir / "m", 150, error));  // missing: created
  EXPECT_TRUE(std::filesystem::exists(dir / "m"));
  EXPECT_FALSE(marker_due(dir / "m", 150, error));  // fresh
  EXPECT_TRUE(marker_due(dir / "m", 0, error));
  EXPECT_TRUE(marker_due(dir / "no/such/dir/m", 150, error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace promise
