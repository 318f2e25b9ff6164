// The parsers the catalogue promises add (common/src: proc_net_tcp, proc_pid, pid_file, rule,
// text): whatever a file under /proc, a pid file, a state file or a command's output holds,
// they answer without crashing, and what they answer is consistent.
//
// Input: 1 byte chooses the parser, 2 bytes a size limit, then the text.
#include "fuzz.hpp"
#include "promise/pid_file.hpp"
#include "promise/proc_net_tcp.hpp"
#include "promise/proc_pid.hpp"
#include "promise/text.hpp"
#include "rule.hpp"

namespace {

using promise::fuzz::Input;

void proc_net_tcp_line(std::string_view text) {
  const auto entry = promise::parse_proc_net_tcp_line(text);
  if (!entry) return;
  // An address that parsed prints as a literal that parses back to itself.
  const std::string local = entry->local.address.to_string();
  const auto again = promise::IpAddress::parse(local);
  FUZZ_CHECK(again && *again == entry->local.address, local);
  FUZZ_CHECK(promise::fuzz::printable_utf8(promise::tcp_state_name(entry->state)));
}

void proc_stat_line(std::string_view text) {
  const auto stat = promise::parse_proc_stat(text);
  if (!stat) return;
  FUZZ_CHECK(stat->pid > 0);
  FUZZ_CHECK(stat->parent >= 0 && stat->group >= 0);
  FUZZ_CHECK(stat->comm.size() <= text.size());
}

void cmdline(std::string_view text) {
  std::size_t bytes = 0;
  for (const auto& argument : promise::parse_cmdline(text)) {
    FUZZ_CHECK(argument.find('\0') == std::string::npos);
    bytes += argument.size() + 1;
  }
  FUZZ_CHECK(bytes <= text.size() + 1);
}

void pid_file(std::string_view text) {
  const auto value = promise::parse_python_int(text);
  if (!value) FUZZ_CHECK(promise::fuzz::printable_utf8(promise::python_int_error(text)));
}

void state_file(std::string_view text) {
  std::string why;
  const auto state = promise::detail::parse_state(text, why);
  if (!state) {
    FUZZ_CHECK(!why.empty());
    return;
  }
  // What was read writes back to a file that reads as the same state.
  const std::string written = promise::detail::serialize(*state);
  const auto again = promise::detail::parse_state(written, why);
  FUZZ_CHECK(again && *again == *state, written);
}

void repr_and_tail(std::string_view text, std::size_t limit) {
  const std::string repr = promise::python_repr(text);
  FUZZ_CHECK(repr.size() >= 2 && (repr.front() == '\'' || repr.front() == '"') &&
                 repr.back() == repr.front(),
             repr);
  FUZZ_CHECK(promise::fuzz::printable_utf8(repr), repr);
  const std::string tail = promise::untrusted_tail(text, limit, limit % 3 == 0 ? 0 : 17);
  FUZZ_CHECK(promise::fuzz::printable_utf8(tail), tail);
  FUZZ_CHECK(tail.find('|') == std::string::npos, tail);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  const unsigned which = input.byte() % 6;
  const auto limit = static_cast<std::size_t>(input.number(2) % 2048) + 1;
  const std::string_view text = input.rest();
  switch (which) {
    case 0:
      proc_net_tcp_line(text);
      break;
    case 1:
      proc_stat_line(text);
      break;
    case 2:
      cmdline(text);
      break;
    case 3:
      pid_file(text);
      break;
    case 4:
      state_file(text);
      break;
    default:
      repr_and_tail(text, limit);
      break;
  }
  return 0;
}
