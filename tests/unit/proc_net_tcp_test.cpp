// The /proc/net/tcp parser against lines copied from real kernels and hostile variants.
#include "promise/proc_net_tcp.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace promise {
namespace {

// The kernel prints each address word as a native u32: these lines are as an x86 (little-
// endian) kernel writes them, so the expected addresses hold there.
constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

const char* const kListen4 =
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 "
    "4711 1 0000000000000000 100 0 0 10 0";
const char* const kEstablished6 =
    "   3: 0000000000000000FFFF00000100007F:0CEA 0000000000000000FFFF00000100007F:D2F0 01 "
    "00000000:00000000 00:00000000 00000000   116        0 21612 1 0000000000000000 20 4 30 10 -1";
const char* const kTimeWait =
    "   7: 0100007F:1F90 0100007F:A1B2 06 00000000:00000000 03:00001770 00000000     0        0 "
    "0 3 0000000000000000";

TEST(ProcNetTcp, ParsesAnIpv4Listener) {
  if (!kLittleEndian) GTEST_SKIP() << "lines written by a little-endian kernel";
  const auto entry = parse_proc_net_tcp_line(kListen4);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->local.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(entry->remote.to_string(), "0.0.0.0:0");
  EXPECT_EQ(entry->state, kTcpListen);
  EXPECT_EQ(tcp_state_name(entry->state), "LISTEN");
  EXPECT_EQ(entry->uid, 1000u);
  EXPECT_EQ(entry->inode, 4711u);
}

TEST(ProcNetTcp, ParsesAnIpv6ConnectionAndATimeWaitSocket) {
  if (!kLittleEndian) GTEST_SKIP() << "lines written by a little-endian kernel";
  const auto entry = parse_proc_net_tcp_line(kEstablished6);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->local.to_string(), "[::ffff:127.0.0.1]:3306");
  EXPECT_EQ(entry->remote.port, 0xD2F0);
  EXPECT_EQ(tcp_state_name(entry->state), "ESTABLISHED");
  const auto time_wait = parse_proc_net_tcp_line(kTimeWait);
  ASSERT_TRUE(time_wait.has_value());
  EXPECT_EQ(tcp_state_name(time_wait->state), "TIME_WAIT");
  EXPECT_EQ(time_wait->inode, 0u);
}

TEST(ProcNetTcp, RefusesHeadersTruncatedLinesAndGarbage) {
  const std::vector<std::string> bad = {
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode",
      "",
      "   0:",
      "   0: 0100007F:1F90",
      "   0: 0100007F:1F90 00000000:0000",
      "   0: 0100007F:1F90 00000000:0000 0A",                    // cut before uid
      "   0: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 1000 0",  // no inode
      "   0: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 x 0 1",   // uid not a number
      "   0: 100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0 1",    // 7 hex digits
      "   0: 0100007G:1F90 00000000:0000 0A 0:0 00:0 0 0 0 1",   // not hex
      "   0: 0100007F:11F90 00000000:0000 0A 0:0 00:0 0 0 0 1",  // port above FFFF
      "   0: 0100007F:-1 00000000:0000 0A 0:0 00:0 0 0 0 1",     // sign
      "   0: 0100007F: 00000000:0000 0A 0:0 00:0 0 0 0 1",       // no port
      "   0: 0100007F:1F90 00000000:0000 100 0:0 00:0 0 0 0 1",  // state above FF
      "   0: 0100007F:1F90 00000000000000000000000000000000:0000 0A 0:0 00:0 0 0 0 1",  // mixed
      "   0: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0 99999999999999999999999",    // huge
      "   x: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0 1",
      "0100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0 1",  // no slot
      std::string("   0: 0100007F:1F90\0 00000000:0000 0A 0:0 00:0 0 0 0 1", 52),
  };
  for (const auto& line : bad) EXPECT_FALSE(parse_proc_net_tcp_line(line).has_value()) << line;
}

TEST(ProcNetTcp, AcceptsHugeButValidNumbers) {
  const auto entry = parse_proc_net_tcp_line(
      "99999: FFFFFFFF:FFFF FFFFFFFF:FFFF FF 0:0 00:0 0 4294967295 0 18446744073709551615");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->local.port, 0xFFFF);
  EXPECT_EQ(entry->uid, 4294967295u);
  EXPECT_EQ(entry->inode, 18446744073709551615u);
  EXPECT_EQ(tcp_state_name(entry->state), "0xFF");
}

class ScanFile : public ::testing::Test {
 protected:
  void write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }
  std::string path_ = "/tmp/proc-net-tcp-test-" + std::to_string(::getpid());
  void TearDown() override { std::remove(path_.c_str()); }
};

TEST_F(ScanFile, VisitsEverySocketAndCountsWhatItSkips) {
  std::string text = "  sl  local_address rem_address   st ...\n";
  text += std::string(kListen4) + "\n";
  text += "garbage\n";
  text += std::string(5000, 'x') + "\n";  // a line far longer than the kernel writes
  text += std::string(kTimeWait);         // the last line without its newline
  write(text);
  std::vector<std::uint8_t> states;
  ProcNetTcpScan scan;
  const auto error = scan_proc_net_tcp(
      path_,
      [&](const ProcNetTcpEntry& entry) {
        states.push_back(entry.state);
        return true;
      },
      &scan);
  EXPECT_EQ(error, "");
  EXPECT_EQ(states, (std::vector<std::uint8_t>{0x0A, 0x06}));
  EXPECT_EQ(scan.sockets, 2u);
  EXPECT_EQ(scan.malformed, 2u);
}

TEST_F(ScanFile, ReadsLinesAcrossChunksAndStopsWhenAsked) {
  std::string text = "header\n";
  for (int i = 0; i < 3000; ++i) text += std::string(kTimeWait) + "\n";  // > 64 KiB
  write(text);
  std::size_t seen = 0;
  ProcNetTcpScan scan;
  EXPECT_EQ(scan_proc_net_tcp(
                path_, [&](const ProcNetTcpEntry&) { return ++seen < 3000; }, &scan),
            "");
  EXPECT_EQ(seen, 3000u);
  EXPECT_EQ(scan.malformed, 0u);
  seen = 0;
  scan_proc_net_tcp(path_, [&](const ProcNetTcpEntry&) { return ++seen < 10; });
  EXPECT_EQ(seen, 10u);
}

TEST_F(ScanFile, SaysWhyAFileCannotBeRead) {
  EXPECT_EQ(scan_proc_net_tcp("/nonexistent/tcp", [](const ProcNetTcpEntry&) { return true; }),
            "cannot open /nonexistent/tcp: No such file or directory");
  EXPECT_EQ(scan_proc_net_tcp("/", [](const ProcNetTcpEntry&) { return true; }),
            "cannot read /: Is a directory");
}

TEST(ProcNetTcp, ReadsTheRealFiles) {
  for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    ProcNetTcpScan scan;
    const auto error = scan_proc_net_tcp(
        path, [](const ProcNetTcpEntry&) { return true; }, &scan);
    if (error.find("No such file") != std::string::npos) continue;  // no IPv6 in this kernel
    EXPECT_EQ(error, "") << path;
    EXPECT_EQ(scan.malformed, 0u) << path;
  }
}

TEST(IpAddress, ParsesLiteralsOnly) {
  EXPECT_EQ(IpAddress::parse("127.0.0.1")->family, AF_INET);
  EXPECT_EQ(IpAddress::parse("[::1]")->to_string(), "::1");
  EXPECT_TRUE(IpAddress::parse("::")->is_unspecified());
  EXPECT_TRUE(IpAddress::parse("0.0.0.0")->is_unspecified());
  EXPECT_FALSE(IpAddress::parse("::1")->is_unspecified());
  for (const char* bad : {"", "localhost", "1.2.3", "1.2.3.4.5", "[127.0.0.1]", "::1%lo", "[::1",
                          "01.2.3.4", " 1.2.3.4", "fe80::1%eth0"}) {
    EXPECT_FALSE(IpAddress::parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace promise
