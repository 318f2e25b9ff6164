// The parsers of the server-health promises (promise_system): /proc/loadavg, /proc/meminfo,
// /proc/net/dev, /proc/stat's cpu line, /sys/class/net flags and names, the plugins' JSON-lines
// history. Whatever the kernel or a history file holds, they answer without crashing, and what
// they answer is consistent.
//
// Input: 1 byte chooses the parser, then the text.
#include <cmath>

#include "fuzz.hpp"
#include "promise/interface_state.hpp"
#include "promise/json_history.hpp"
#include "promise/load_average.hpp"
#include "promise/meminfo.hpp"
#include "promise/net_dev.hpp"
#include "promise/process_cpu.hpp"

namespace {

using promise::fuzz::Input;

void loadavg(std::string_view text) {
  const auto load = promise::parse_loadavg(text);
  if (!load) return;
  FUZZ_CHECK(std::isfinite(load->one) && std::isfinite(load->five) && std::isfinite(load->fifteen));
  FUZZ_CHECK(load->one >= 0 && load->five >= 0 && load->fifteen >= 0);
}

void meminfo(std::string_view text) {
  std::string why;
  const auto info = promise::parse_meminfo(text, why);
  if (!info) {
    FUZZ_CHECK(!why.empty() && why.size() < 200, why);
    return;
  }
  FUZZ_CHECK(info->total.has_value());
  FUZZ_CHECK(text.find("MemTotal:") != std::string_view::npos);
}

void net_dev(std::string_view text) {
  std::string why;
  const auto interfaces = promise::parse_net_dev(text, why);
  if (!interfaces) {
    FUZZ_CHECK(!why.empty());
    return;
  }
  const auto sum = promise::sum_net_dev(*interfaces);
  for (const auto& counters : *interfaces) {
    FUZZ_CHECK(!counters.name.empty() && counters.name.size() <= 15);
    FUZZ_CHECK(counters.name.find_first_of(" :/") == std::string::npos, counters.name);
    // The sum saturates: never below any of its terms.
    FUZZ_CHECK(sum.rx_bytes >= counters.rx_bytes && sum.tx_drops >= counters.tx_drops);
  }
}

void cpu_line(std::string_view text) {
  const auto times = promise::parse_proc_stat_cpu(text);
  if (times) FUZZ_CHECK(times->busy <= times->total);
}

void interface(std::string_view text) {
  if (promise::valid_interface_name(text)) {
    FUZZ_CHECK(text.size() <= 15 && text.find('/') == std::string_view::npos && text != "." &&
               text != "..");
  }
  if (const auto flags = promise::parse_interface_flags(text)) {
    FUZZ_CHECK(text.substr(0, 2) == "0x");
  }
  if (const auto state = promise::parse_operstate(text)) {
    FUZZ_CHECK(!state->empty() && state->find('\n') == std::string::npos);
  }
}

void history_line(std::string_view text) {
  const auto entry = promise::parse_history_line(text, "available_ram");
  if (!entry) return;
  FUZZ_CHECK(std::isfinite(entry->value));
  // A value read back writes as a line that reads back the same (whole, non-negative values).
  if (entry->time_ms >= 0 && entry->value >= 0 && entry->value < 1e18 &&
      entry->value == std::floor(entry->value)) {
    const std::string line = promise::format_history_line(
        entry->time_ms, "RAM data", "available_ram", static_cast<std::uint64_t>(entry->value));
    const auto again = promise::parse_history_line(line, "available_ram");
    FUZZ_CHECK(again && again->value == entry->value, line);
  }
  FUZZ_CHECK(!promise::bytes2human(entry->value).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  const unsigned which = input.byte() % 6;
  const std::string_view text = input.rest();
  switch (which) {
    case 0:
      loadavg(text);
      break;
    case 1:
      meminfo(text);
      break;
    case 2:
      net_dev(text);
      break;
    case 3:
      cpu_line(text);
      break;
    case 4:
      interface(text);
      break;
    default:
      history_line(text);
      break;
  }
  return 0;
}
