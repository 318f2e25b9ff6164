#include "promise/load_average.hpp"

#include "promise/fields.hpp"
#include "small_file.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace promise {

std::optional<LoadAverage> parse_loadavg(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.find_first_of("\n\t") != std::string_view::npos) return std::nullopt;
  LoadAverage load;
  for (double* average : {&load.one, &load.five, &load.fifteen}) {
    if (!parse_whole(next_field(text), *average) || !std::isfinite(*average) || *average < 0) {
      return std::nullopt;
    }
  }
  const std::string_view tasks = next_field(text);
  const auto slash = tasks.find('/');
  if (slash == std::string_view::npos || !parse_whole(tasks.substr(0, slash), load.running) ||
      !parse_whole(tasks.substr(slash + 1), load.total)) {
    return std::nullopt;
  }
  std::uint32_t last_pid = 0;
  if (!parse_whole(next_field(text), last_pid) || !next_field(text).empty()) return std::nullopt;
  return load;
}

std::optional<LoadAverage> read_loadavg(std::string& error) {
  const auto text = detail::read_small_file("/proc/loadavg", 256);
  if (!text) {
    error = std::string("cannot read /proc/loadavg: ") + std::strerror(errno);
    return std::nullopt;
  }
  auto load = parse_loadavg(*text);
  if (!load) error = "/proc/loadavg is not \"l1 l5 l15 running/total pid\"";
  return load;
}

}  // namespace promise
