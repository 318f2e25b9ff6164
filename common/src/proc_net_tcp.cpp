#include "promise/proc_net_tcp.hpp"

#include "promise/fields.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace promise {
namespace {

// The kernel's lines are about 150 bytes; anything much longer is not one of them.
constexpr std::size_t kMaxLineBytes = 1024;
constexpr std::size_t kChunkBytes = 64 * 1024;

bool all_hex_digits(std::string_view text) {
  return text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

// "0100007F:1F90" -> 127.0.0.1:8080 (on a little-endian machine, as the kernel wrote it).
std::optional<TcpEndpoint> parse_endpoint(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view address = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if ((address.size() != 8 && address.size() != 32) || !all_hex_digits(address) ||
      port.size() > 4 || !all_hex_digits(port)) {
    return std::nullopt;
  }
  TcpEndpoint endpoint;
  endpoint.address.family = address.size() == 8 ? AF_INET : AF_INET6;
  for (std::size_t word = 0; word < address.size() / 8; ++word) {
    std::uint32_t value = 0;
    if (!parse_whole(address.substr(word * 8, 8), value, 16)) return std::nullopt;
    std::memcpy(endpoint.address.bytes.data() + word * 4, &value, 4);  // native order
  }
  if (!parse_whole(port, endpoint.port, 16)) return std::nullopt;
  return endpoint;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view literal) {
  const bool bracketed = literal.size() >= 2 && literal.front() == '[' && literal.back() == ']';
  if (bracketed) literal = literal.substr(1, literal.size() - 2);
  if (literal.empty() || literal.size() > 64) return std::nullopt;
  const std::string text(literal);
  IpAddress address;
  if (text.find(':') == std::string::npos) {
    if (bracketed) return std::nullopt;  // brackets are for IPv6 only
    address.family = AF_INET;
    if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) != 1) return std::nullopt;
  } else {
    address.family = AF_INET6;
    if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) != 1) return std::nullopt;
  }
  return address;
}

bool IpAddress::is_unspecified() const {
  const std::size_t length = family == AF_INET ? 4 : 16;
  for (std::size_t i = 0; i < length; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family == AF_INET ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer) ==
      nullptr) {
    return "?";
  }
  return buffer;
}

std::string TcpEndpoint::to_string() const {
  const std::string host = address.to_string();
  return (address.family == AF_INET6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string tcp_state_name(std::uint8_t state) {
  static constexpr const char* kNames[] = {
      nullptr, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT",
      "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV"};
  if (state > 0 && state < std::size(kNames)) return kNames[state];
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02X", state);
  return buffer;
}

std::optional<ProcNetTcpEntry> parse_proc_net_tcp_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const std::string_view slot = next_field(line);
  if (slot.size() < 2 || slot.back() != ':') return std::nullopt;
  std::uint64_t slot_number = 0;
  if (!parse_whole(slot.substr(0, slot.size() - 1), slot_number)) return std::nullopt;
  ProcNetTcpEntry entry;
  auto local = parse_endpoint(next_field(line));
  auto remote = parse_endpoint(next_field(line));
  if (!local || !remote || local->address.family != remote->address.family) return std::nullopt;
  entry.local = *local;
  entry.remote = *remote;
  const std::string_view state = next_field(line);
  if (state.size() > 2 || !parse_whole(state, entry.state, 16)) return std::nullopt;
  // tx_queue:rx_queue, tr:tm->when, retrnsmt, then uid, timeout, inode.
  for (int skip = 0; skip < 3; ++skip) {
    if (next_field(line).empty()) return std::nullopt;
  }
  if (!parse_whole(next_field(line), entry.uid)) return std::nullopt;
  if (next_field(line).empty()) return std::nullopt;
  if (!parse_whole(next_field(line), entry.inode)) return std::nullopt;
  return entry;
}

std::string scan_proc_net_tcp(const std::string& path,
                              const std::function<bool(const ProcNetTcpEntry&)>& visit,
                              ProcNetTcpScan* scan) {
  ProcNetTcpScan counts;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
  std::string pending;  // the start of a line whose end is in the next chunk
  std::string chunk(kChunkBytes, '\0');
  bool header = true;
  bool overlong = false;  // inside a line longer than kMaxLineBytes: skip to its end
  bool stopped = false;
  std::string error;
  auto handle_line = [&](std::string_view line) {
    if (header) {
      header = false;
      return;
    }
    if (auto entry = parse_proc_net_tcp_line(line)) {
      ++counts.sockets;
      if (!visit(*entry)) stopped = true;
    } else {
      ++counts.malformed;
    }
  };
  while (!stopped) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read " + path + ": " + std::strerror(errno);
      break;
    }
    if (n == 0) {
      if (!pending.empty() && !overlong) handle_line(pending);
      break;
    }
    std::string_view data(chunk.data(), static_cast<std::size_t>(n));
    while (!data.empty() && !stopped) {
      const auto newline = data.find('\n');
      const std::string_view piece = data.substr(0, newline);
      if (!overlong) {
        if (pending.size() + piece.size() > kMaxLineBytes) {
          overlong = true;
          pending.clear();
          ++counts.malformed;
          header = false;
        } else {
          pending.append(piece);
        }
      }
      if (newline == std::string_view::npos) break;
      if (!overlong) handle_line(pending);
      pending.clear();
      overlong = false;
      data.remove_prefix(newline + 1);
    }
  }
  ::close(fd);
  if (scan != nullptr) *scan = counts;
  return error;
}

}  // namespace promise
