#pragma once
// /proc/net/tcp and /proc/net/tcp6: the TCP sockets of the reader's network namespace.
//
// Format (Linux net/ipv4/tcp_ipv4.c and net/ipv6/tcp_ipv6.c, unchanged since 2.6): one header
// line, then one line per socket, fields separated by runs of spaces:
//
//      sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout
//      inode 0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 4711
//      ...
//
//   sl             slot number followed by ':'
//   local_address  ADDRESS:PORT. ADDRESS is the address in network byte order read as native
//                  u32 words, each printed "%08X": 1 word (8 hex digits) in tcp, 4 words
//                  (32 digits) in tcp6. On x86, 127.0.0.1 is "0100007F". PORT is "%04X".
//   rem_address    the same for the peer (zero for a listener)
//   st             the state, 2 hex digits (include/net/tcp_states.h): 0A is LISTEN
//   uid, inode     decimal, fields 8 and 10 (TIME_WAIT and request sockets print 0)
//
// The file is generated on read, as long as there are sockets (hundreds of thousands on a busy
// server); it is read in chunks, never held whole.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace promise {

// An IPv4 or IPv6 address as bytes in network order.
struct IpAddress {
  int family = 0;                        // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // the first 4 for AF_INET

  // An IP literal ("127.0.0.1", "::1", "[::1]"); nothing for a host name or garbage.
  static std::optional<IpAddress> parse(std::string_view literal);
  bool is_unspecified() const;  // 0.0.0.0 or ::
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct TcpEndpoint {
  IpAddress address;
  std::uint16_t port = 0;
  std::string to_string() const;  // "127.0.0.1:80", "[::1]:80"
  friend bool operator==(const TcpEndpoint&, const TcpEndpoint&) = default;
};

// The st column (include/net/tcp_states.h).
inline constexpr std::uint8_t kTcpListen = 0x0A;
// "ESTABLISHED", "LISTEN", "TIME_WAIT" ... or "0x.." for a value the kernel does not define.
std::string tcp_state_name(std::uint8_t state);

struct ProcNetTcpEntry {
  TcpEndpoint local;
  TcpEndpoint remote;
  std::uint8_t state = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};

// One socket line; nothing for the header line, a truncated line or garbage (an address
// of another length than 8 or 32 hex digits, a port above FFFF, a state above FF).
std::optional<ProcNetTcpEntry> parse_proc_net_tcp_line(std::string_view line);

struct ProcNetTcpScan {
  std::size_t sockets = 0;    // lines parsed and visited
  std::size_t malformed = 0;  // lines after the header that did not parse (skipped)
};

// Reads path (/proc/net/tcp or /proc/net/tcp6) line by line and calls visit for each socket;
// visit returns false to stop early. Returns an empty string, or why the file could not be
// read ("cannot open /proc/net/tcp6: No such file or directory").
std::string scan_proc_net_tcp(const std::string& path,
                              const std::function<bool(const ProcNetTcpEntry&)>& visit,
                              ProcNetTcpScan* scan = nullptr);

}  // namespace promise
