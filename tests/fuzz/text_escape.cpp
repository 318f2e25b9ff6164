// untrusted(), one_line() and mask_in_place() (common/src/text.cpp): whatever a peer sends, the
// result is one line of printable UTF-8 within its size, and untrusted() loses nothing: its
// escapes decode back to the exact bytes it was given.
//
// Input: 2 bytes of max_bytes, 1 byte of needle length, the needle, then the text.
#include "fuzz.hpp"
#include "promise/text.hpp"

namespace {

using promise::fuzz::Input;

// " ... (N bytes cut)" at the end, if any: N, and the text before it.
std::optional<std::pair<std::size_t, std::string_view>> cut_note(std::string_view out) {
  constexpr std::string_view kHead = " ... (", kTail = " bytes cut)";
  if (out.size() < kTail.size() || out.substr(out.size() - kTail.size()) != kTail) return {};
  const auto head = out.rfind(kHead);
  if (head == std::string_view::npos) return {};
  const auto digits =
      out.substr(head + kHead.size(), out.size() - kTail.size() - head - kHead.size());
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return {};  // not a note untrusted() writes (the text itself may end like one)
  }
  return std::make_pair(std::stoul(std::string(digits)), out.substr(0, head));
}

// Undoes untrusted()'s escapes: "\\" and "\xNN". Nothing else may follow a backslash.
std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      ++i;
      continue;
    }
    if (i + 3 >= text.size() || text[i + 1] != 'x') return {};
    const std::string hex(text.substr(i + 2, 2));
    if (hex.find_first_not_of("0123456789abcdef") != std::string::npos) return {};
    out += static_cast<char>(std::stoi(hex, nullptr, 16));
    i += 3;
  }
  return out;
}

void check_escaped(std::string_view text, std::size_t max_bytes, bool peer_text) {
  const std::string out =
      peer_text ? promise::untrusted(text, max_bytes) : promise::one_line(text, max_bytes);
  FUZZ_CHECK(promise::fuzz::printable_utf8(out), out);
  const auto note = cut_note(out);
  // Both mask secrets first: registered ones, and the password of any URL in the text
  // ("scheme://user:password@host"), which becomes ***. The rest is escaped and cut.
  const std::string masked = promise::mask_secrets(std::string(text));
  // When nothing was cut the text happens to end like a note only if the input did.
  const bool cut = note && out.size() > max_bytes;
  const std::string_view kept = cut ? note->second : std::string_view(out);
  FUZZ_CHECK(kept.size() <= max_bytes, out);
  if (cut) FUZZ_CHECK(note->first > 0 && note->first <= masked.size(), out);
  if (!peer_text) return;
  FUZZ_CHECK(out.find('|') == std::string::npos, out);
  const auto original = unescape(kept);
  FUZZ_CHECK(original.has_value(), out);
  // What was kept is the exact start of the masked text, and the note counts the rest.
  const std::size_t rest = cut ? note->first : 0;
  FUZZ_CHECK(*original == masked.substr(0, masked.size() - rest), out);
  if (!cut) FUZZ_CHECK(*original == masked, out);
}

void check_mask(std::string text, std::string_view needle) {
  const std::string before = text;
  promise::mask_in_place(text, needle);
  if (needle.empty()) {
    FUZZ_CHECK(text == before);
    return;
  }
  // "***" cannot form the needle again unless the needle has a '*'.
  if (needle.find('*') == std::string_view::npos) {
    FUZZ_CHECK(text.find(needle) == std::string::npos, text);
  }
  if (before.find(needle) == std::string::npos) FUZZ_CHECK(text == before, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  const auto max_bytes = static_cast<std::size_t>(input.number(2) % 2048);
  const std::size_t needle_size = input.byte() % 16;
  std::string needle;
  for (std::size_t i = 0; i < needle_size && !input.empty(); ++i)
    needle += static_cast<char>(input.byte());
  const std::string_view text = input.rest();
  check_escaped(text, max_bytes, true);
  check_escaped(text, max_bytes, false);
  check_escaped(text, 200, true);  // the default of untrusted()
  check_mask(std::string(text), needle);
  return 0;
}
