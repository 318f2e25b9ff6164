#pragma once
// /proc/net/dev: two header lines, then one line per interface of the reader's network
// namespace:
//   "  eth0: rx_bytes rx_packets rx_errs rx_drop fifo frame compressed multicast
//            tx_bytes tx_packets tx_errs tx_drop fifo colls carrier compressed"
// The counters are cumulative since the interface appeared (64-bit; they reset with it).
// The name is padded on the left and may touch its ':' and the first number ("eth0:123").
// Interface names hold no ':' nor white space (dev_valid_name).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

struct NetDevCounters {
  std::string name;
  std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
};

// nullopt, with why, unless the text has the two header lines and every other line is a name,
// ':' and 16 whole numbers.
std::optional<std::vector<NetDevCounters>> parse_net_dev(std::string_view text, std::string& why);

std::optional<std::vector<NetDevCounters>> read_net_dev(std::string& error);

// The counters of all interfaces added up (saturating at 2^64-1 rather than wrapping).
NetDevCounters sum_net_dev(const std::vector<NetDevCounters>& interfaces);

}  // namespace promise
