#include "promise/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace promise {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t b0 = byte(i);
  std::size_t length = 0;
  std::uint32_t min = 0;
  std::uint32_t cp = 0;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, min = 0x80, cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, min = 0x800, cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp >= 0x80 && cp <= 0x9F) return 0;  // C1 control characters: escape them too
  return length;
}

void append_escaped_byte(std::string& out, unsigned char c) {
  char buffer[5];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
  out += buffer;
}

std::string escape(std::string_view text, std::size_t max_bytes, bool peer_text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::string piece;
    std::size_t consumed = 1;
    if (c >= 0x20 && c < 0x7F) {
      if (peer_text && c == '\\') {
        piece = "\\\\";
      } else if (peer_text && c == '|') {
        piece = "\\x7c";
      } else {
        piece.assign(1, static_cast<char>(c));
      }
    } else if (c >= 0x80) {
      consumed = utf8_sequence_length(text, i);
      if (consumed == 0) {
        consumed = 1;
        append_escaped_byte(piece, c);
      } else {
        piece.assign(text.substr(i, consumed));
      }
    } else {
      append_escaped_byte(piece, c);
    }
    if (out.size() + piece.size() > max_bytes) {
      out += " ... (" + std::to_string(text.size() - i) + " bytes cut)";
      return out;
    }
    out += piece;
    i += consumed;
  }
  return out;
}

}  // namespace

std::string untrusted(std::string_view text, std::size_t max_bytes) {
  return escape(text, max_bytes, true);
}

std::string one_line(std::string_view text, std::size_t max_bytes) {
  return escape(text, max_bytes, false);
}

std::string human_seconds(double seconds) {
  char buffer[32];
  const double ms = seconds * 1000.0;
  if (ms < 10.0) {
    std::snprintf(buffer, sizeof buffer, "%.1f ms", ms);
  } else if (ms < 1000.0) {
    std::snprintf(buffer, sizeof buffer, "%.0f ms", ms);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
  }
  return buffer;
}

std::string human_duration(std::chrono::steady_clock::duration duration) {
  return human_seconds(std::chrono::duration<double>(duration).count());
}

std::string strip_ipv6_brackets(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

std::string host_port(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string lower_first(std::string text) {
  // Only a capitalised ordinary word: "Connection" -> "connection"; "OpenSSL", "SSL" stay.
  const auto word_end = std::min(text.find_first_of(" :/"), text.size());
  if (word_end < 2 || text[0] < 'A' || text[0] > 'Z') return text;
  for (std::size_t i = 1; i < word_end; ++i) {
    if (text[i] >= 'A' && text[i] <= 'Z') return text;
  }
  text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

namespace {

// The code point of the UTF-8 sequence at text[i] and its length, or length 0 when the bytes
// there are not strict UTF-8 (as Python's decoder: no overlong forms, no surrogates).
std::pair<std::uint32_t, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<std::uint8_t>(text[i]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t length = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, min = 0x80, cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, min = 0x800, cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, cp = b0 & 0x07u;
  } else {
    return {0, 0};
  }
  if (i + length > text.size()) return {0, 0};
  for (std::size_t k = 1; k < length; ++k) {
    const auto b = static_cast<std::uint8_t>(text[i + k]);
    if ((b & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, length};
}

// Python's str.isprintable() for assigned code points: false for the categories Cc, Cf, Co,
// Zl, Zp and Zs other than the space (the ranges below), true otherwise.
bool python_printable(std::uint32_t cp) {
  struct Range {
    std::uint32_t first, last;
  };
  static constexpr Range kNotPrintable[] = {
      {0x0000, 0x001F},   {0x007F, 0x00A0},   {0x00AD, 0x00AD},    {0x0600, 0x0605},
      {0x061C, 0x061C},   {0x06DD, 0x06DD},   {0x070F, 0x070F},    {0x0890, 0x0891},
      {0x08E2, 0x08E2},   {0x1680, 0x1680},   {0x180E, 0x180E},    {0x2000, 0x200F},
      {0x2028, 0x202F},   {0x205F, 0x2064},   {0x2066, 0x206F},    {0x3000, 0x3000},
      {0xE000, 0xF8FF},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},    {0x110BD, 0x110BD},
      {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},  {0x1D173, 0x1D17A},
      {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xF0000, 0x10FFFF},
  };
  for (const auto& range : kNotPrintable) {
    if (cp >= range.first && cp <= range.last) return false;
  }
  return true;
}

void append_python_escape(std::string& out, std::uint32_t cp) {
  char buffer[12];
  if (cp < 0x100) {
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(cp));
  } else if (cp < 0x10000) {
    std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(cp));
  } else {
    std::snprintf(buffer, sizeof buffer, "\\U%08x", static_cast<unsigned>(cp));
  }
  out += buffer;
}

}  // namespace

std::string python_repr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto [cp, length] = decode_utf8(text, i);
    if (length == 0) {  // surrogateescape: the byte as a lone surrogate U+DC80..U+DCFF
      append_python_escape(out, 0xDC00u + static_cast<std::uint8_t>(text[i]));
      ++i;
      continue;
    }
    if (cp == static_cast<std::uint32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (!python_printable(cp)) {
      append_python_escape(out, cp);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out + quote;
}

void mask_in_place(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 3)) {
    text.replace(pos, needle.size(), "***");
  }
}

}  // namespace promise
