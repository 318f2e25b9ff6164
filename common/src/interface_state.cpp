#include "promise/interface_state.hpp"

#include "promise/fields.hpp"
#include "small_file.hpp"

#include <cerrno>

namespace promise {

bool valid_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '/' || c == ':' || byte <= ' ' || byte == 0x7f) return false;
  }
  return true;
}

std::optional<std::string> parse_operstate(std::string_view text) {
  const auto end = text.find('\n');
  const std::string_view first = text.substr(0, end);
  if (first.empty() || first.size() > 32) return std::nullopt;
  return std::string(first);
}

std::optional<std::uint32_t> parse_interface_flags(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.size() < 3 || text.size() > 10 || text.substr(0, 2) != "0x") return std::nullopt;
  std::uint32_t flags = 0;
  if (!parse_whole(text.substr(2), flags, 16)) return std::nullopt;
  return flags;
}

InterfaceState read_interface_state(const std::string& name, const std::string& root) {
  InterfaceState state;
  if (!valid_interface_name(name)) {
    state.error = EINVAL;
    return state;
  }
  const auto operstate = detail::read_small_file(root + "/" + name + "/operstate", 64);
  if (!operstate) {
    state.error = errno;
    return state;
  }
  state.operstate = std::string(operstate->substr(0, operstate->find('\n')));
  if (const auto flags = detail::read_small_file(root + "/" + name + "/flags", 64)) {
    state.flags = parse_interface_flags(*flags);
  }
  if (const auto carrier = detail::read_small_file(root + "/" + name + "/carrier", 64)) {
    if (*carrier == "1\n" || *carrier == "0\n") state.carrier = *carrier == "1\n";
  }
  return state;
}

}  // namespace promise
