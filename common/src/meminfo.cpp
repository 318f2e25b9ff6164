#include "promise/meminfo.hpp"

#include "promise/fields.hpp"
#include "small_file.hpp"

#include <cerrno>
#include <cstring>
#include <limits>

namespace promise {

std::optional<MemInfo> parse_meminfo(std::string_view text, std::string& why) {
  MemInfo info;
  int line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;
    if (line.empty() && text.empty()) break;
    const auto colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || name.empty() ||
        name.find(' ') != std::string_view::npos) {
      why = "line " + std::to_string(line_number) + " is not \"Name: value\"";
      return std::nullopt;
    }
    std::string_view rest = line.substr(colon + 1);
    std::uint64_t value = 0;
    const std::string_view number = next_field(rest);
    const std::string_view unit = next_field(rest);
    if (!parse_whole(number, value) || !(unit.empty() || unit == "kB") ||
        !next_field(rest).empty()) {
      why = "line " + std::to_string(line_number) + " (" + std::string(name.substr(0, 32)) +
            ") is not a whole number of kB";
      return std::nullopt;
    }
    if (unit == "kB") {
      if (value > std::numeric_limits<std::uint64_t>::max() / 1024) {
        why = std::string(name.substr(0, 32)) + " is too large";
        return std::nullopt;
      }
      value *= 1024;
    }
    std::optional<std::uint64_t>* slot = nullptr;
    if (name == "MemTotal") slot = &info.total;
    if (name == "MemFree") slot = &info.free;
    if (name == "MemAvailable") slot = &info.available;
    if (name == "SwapTotal") slot = &info.swap_total;
    if (name == "SwapFree") slot = &info.swap_free;
    if (slot != nullptr && !*slot) *slot = value;
  }
  if (!info.total) {
    why = "no MemTotal";
    return std::nullopt;
  }
  return info;
}

std::optional<MemInfo> read_meminfo(std::string& error) {
  const auto text = detail::read_small_file("/proc/meminfo", 64 * 1024);
  if (!text) {
    error = std::string("cannot read /proc/meminfo: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::string why;
  auto info = parse_meminfo(*text, why);
  if (!info) error = "/proc/meminfo is not as expected: " + why;
  return info;
}

}  // namespace promise
