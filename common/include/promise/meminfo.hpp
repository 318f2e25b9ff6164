#pragma once
// /proc/meminfo: one "Name:   value kB" line per figure ("HugePages_Total:  0" has no unit).
// The figures check_ram_usage needs, in bytes. MemAvailable (kernel 3.14 and later) is the
// kernel's estimate of what can be allocated without swapping, psutil's "available".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace promise {

struct MemInfo {
  std::optional<std::uint64_t> total;      // MemTotal
  std::optional<std::uint64_t> free;       // MemFree
  std::optional<std::uint64_t> available;  // MemAvailable
  std::optional<std::uint64_t> swap_total;
  std::optional<std::uint64_t> swap_free;
};

// nullopt, with why, for text that is not /proc/meminfo: a line without "Name:", a value that
// is not a whole number (with " kB" or no unit), a size that overflows 64 bits in bytes, no
// MemTotal. Unknown names are skipped; a repeated name keeps its first value.
std::optional<MemInfo> parse_meminfo(std::string_view text, std::string& why);

std::optional<MemInfo> read_meminfo(std::string& error);

}  // namespace promise
