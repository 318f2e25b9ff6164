#pragma once
// A network interface as /sys/class/net/<name>/ shows it (the reader's network namespace when
// sysfs was mounted in it): operstate (RFC 2863: "up", "down", "unknown", "dormant",
// "lowerlayerdown", "notpresent", "testing") and flags ("0x1003": IFF_UP 0x1, IFF_RUNNING 0x40,
// IFF_LOWER_UP is not in it). Loopback and many virtual drivers (tun among them) report
// "unknown" even when they carry traffic.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace promise {

// A name the kernel could give an interface: 1 to 15 bytes, no '/', ':' or white space, not
// "." or "..". Anything else is not looked up (it would name another file under /sys).
bool valid_interface_name(std::string_view name);

// The first line of operstate, without its '\n'; nullopt for empty or oversized text.
std::optional<std::string> parse_operstate(std::string_view text);

// "0x1003\n" -> 0x1003; nullopt unless "0x" and 1 to 8 hex digits.
std::optional<std::uint32_t> parse_interface_flags(std::string_view text);

inline constexpr std::uint32_t kIffUp = 0x1;

struct InterfaceState {
  int error = 0;          // errno of reading operstate (ENOENT: no such interface)
  std::string operstate;  // as read, when error is 0
  std::optional<std::uint32_t> flags;
  std::optional<bool> carrier;  // nullopt: unreadable (the interface is down) or garbage
};

// Reads /sys/class/net/<name>/operstate, flags and carrier (root: "/sys/class/net", for tests).
InterfaceState read_interface_state(const std::string& name,
                                    const std::string& root = "/sys/class/net");

}  // namespace promise
