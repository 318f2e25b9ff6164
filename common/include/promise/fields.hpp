#pragma once
// Numbers and fields from text that the kernel or a file of ours holds (/proc, pid files, the
// rule's state file): strict, no exceptions, no locale.

#include <algorithm>
#include <charconv>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace promise {

// The whole of text as a number: no sign for an unsigned type, no white space, nothing after
// it, no overflow. base applies to integers only.
template <class Number>
bool parse_whole(std::string_view text, Number& value, int base = 10) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  std::from_chars_result result{};
  if constexpr (std::is_floating_point_v<Number>) {
    result = std::from_chars(text.data(), end, value);
  } else {
    result = std::from_chars(text.data(), end, value, base);
  }
  return result.ec == std::errc() && result.ptr == end;
}

// The next field of text, separated by one or more spaces, advancing text; empty at the end.
inline std::string_view next_field(std::string_view& text) {
  const auto start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    text = {};
    return {};
  }
  text.remove_prefix(start);
  const auto end = std::min(text.find(' '), text.size());
  const std::string_view field = text.substr(0, end);
  text.remove_prefix(end);
  return field;
}

}  // namespace promise
