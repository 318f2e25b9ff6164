#include "promise/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

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

void mask_in_place(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 3)) {
    text.replace(pos, needle.size(), "***");
  }
}

}  // namespace promise
