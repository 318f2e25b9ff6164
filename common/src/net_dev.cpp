#include "promise/net_dev.hpp"

#include "promise/fields.hpp"
#include "small_file.hpp"

#include <cerrno>
#include <cstring>
#include <limits>

namespace promise {
namespace {

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

}  // namespace

std::optional<std::vector<NetDevCounters>> parse_net_dev(std::string_view text, std::string& why) {
  std::vector<NetDevCounters> interfaces;
  int line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;
    if (line_number <= 2) {
      if (line.find('|') == std::string_view::npos) {
        why = "header line " + std::to_string(line_number) + " is missing";
        return std::nullopt;
      }
      continue;
    }
    if (line.empty() && text.empty()) break;
    const auto colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
    if (colon == std::string_view::npos || name.empty() || name.size() > 15 ||
        name.find_first_of(" \t/") != std::string_view::npos) {
      why = "line " + std::to_string(line_number) + " is not \"name: counters\"";
      return std::nullopt;
    }
    std::string_view rest = line.substr(colon + 1);
    std::uint64_t values[16];
    for (auto& value : values) {
      if (!parse_whole(next_field(rest), value)) {
        why = "line " + std::to_string(line_number) + " does not hold 16 counters";
        return std::nullopt;
      }
    }
    if (!next_field(rest).empty()) {
      why = "line " + std::to_string(line_number) + " holds more than 16 counters";
      return std::nullopt;
    }
    NetDevCounters counters;
    counters.name = std::string(name);
    counters.rx_bytes = values[0];
    counters.rx_packets = values[1];
    counters.rx_errors = values[2];
    counters.rx_drops = values[3];
    counters.tx_bytes = values[8];
    counters.tx_packets = values[9];
    counters.tx_errors = values[10];
    counters.tx_drops = values[11];
    interfaces.push_back(std::move(counters));
  }
  if (line_number < 2) {
    why = "the header lines are missing";
    return std::nullopt;
  }
  return interfaces;
}

std::optional<std::vector<NetDevCounters>> read_net_dev(std::string& error) {
  const auto text = detail::read_small_file("/proc/net/dev", 1024 * 1024);
  if (!text) {
    error = std::string("cannot read /proc/net/dev: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::string why;
  auto interfaces = parse_net_dev(*text, why);
  if (!interfaces) error = "/proc/net/dev is not as expected: " + why;
  return interfaces;
}

NetDevCounters sum_net_dev(const std::vector<NetDevCounters>& interfaces) {
  NetDevCounters sum;
  sum.name = "all";
  for (const auto& i : interfaces) {
    sum.rx_bytes = saturating_add(sum.rx_bytes, i.rx_bytes);
    sum.rx_packets = saturating_add(sum.rx_packets, i.rx_packets);
    sum.rx_errors = saturating_add(sum.rx_errors, i.rx_errors);
    sum.rx_drops = saturating_add(sum.rx_drops, i.rx_drops);
    sum.tx_bytes = saturating_add(sum.tx_bytes, i.tx_bytes);
    sum.tx_packets = saturating_add(sum.tx_packets, i.tx_packets);
    sum.tx_errors = saturating_add(sum.tx_errors, i.tx_errors);
    sum.tx_drops = saturating_add(sum.tx_drops, i.tx_drops);
  }
  return sum;
}

}  // namespace promise
