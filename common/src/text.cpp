#include "promise/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

namespace promise {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], its code point in cp; 0 if it is not
// valid (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t b0 = byte(i);
  std::size_t length = 0;
  std::uint32_t min = 0;
  cp = b0;
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
  return length;
}

// The same, refusing C1 control characters too: the status line escapes them.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  std::uint32_t cp = 0;
  const std::size_t length = decode_utf8(text, i, cp);
  if (cp >= 0x80 && cp <= 0x9F) return 0;
  return length;
}

void append_escaped_byte(std::string& out, unsigned char c) {
  char buffer[5];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
  out += buffer;
}

// The escaped form of the character (or undecodable byte) at text[i]; returns the bytes it covers.
std::size_t escape_piece(std::string_view text, std::size_t i, bool peer_text, std::string& piece) {
  piece.clear();
  const auto c = static_cast<unsigned char>(text[i]);
  if (c >= 0x20 && c < 0x7F) {
    if (peer_text && c == '\\') {
      piece = "\\\\";
    } else if (peer_text && c == '|') {
      piece = "\\x7c";
    } else {
      piece.assign(1, static_cast<char>(c));
    }
    return 1;
  }
  if (c >= 0x80) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length != 0) {
      piece.assign(text.substr(i, length));
      return length;
    }
  }
  append_escaped_byte(piece, c);
  return 1;
}

// Escapes (and cuts) text as it is; untrusted() and one_line() mask secrets before this.
std::string escape(std::string_view text, std::size_t max_bytes, bool peer_text) {
  std::string out;
  std::string piece;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t consumed = escape_piece(text, i, peer_text, piece);
    if (out.size() + piece.size() > max_bytes) {
      out += " ... (" + std::to_string(text.size() - i) + " bytes cut)";
      return out;
    }
    out += piece;
    i += consumed;
  }
  return out;
}

// ---- secrets ----

// Every registered form of every secret, longest first: a secret that contains another is
// masked whole, not around the shorter one.
std::vector<std::string>& secret_forms() {
  static std::vector<std::string> forms;
  return forms;
}

void add_form(std::string form) {
  auto& forms = secret_forms();
  if (form.empty() || std::find(forms.begin(), forms.end(), form) != forms.end()) return;
  const auto shorter = std::find_if(forms.begin(), forms.end(), [&](const std::string& other) {
    return other.size() < form.size();
  });
  forms.insert(shorter, std::move(form));
}

// A secret as given and as the status line and the log would escape it.
void register_forms(std::string_view value) {
  if (value.empty()) return;
  add_form(std::string(value));
  add_form(escape(value, std::string::npos, true));
  add_form(escape(value, std::string::npos, false));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int high = text[i] == '%' && i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
    if (low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The password of each URL in text ("scheme://user:password@host..."): its offset and length.
// The authority ends at the first '/', '?', '#', white space, quote or angle bracket; the
// user-info at its last '@', as curl reads "http://u:p@ss@host/".
template <class Visit>
void for_each_url_password(std::string_view text, Visit visit) {
  for (auto scheme_end = text.find("://"); scheme_end != std::string_view::npos;
       scheme_end = text.find("://", scheme_end + 3)) {
    const std::size_t start = scheme_end + 3;
    const std::size_t end = std::min(text.find_first_of("/?#\"' <>\t\r\n", start), text.size());
    const std::string_view authority = text.substr(start, end - start);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    const auto colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos || colon + 1 == at) continue;  // no password
    visit(start + colon + 1, at - colon - 1);
  }
}

// "Authorization: Bearer x" -> the offset of "Bearer x"; npos for any other text.
std::size_t credential_header_value(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return std::string_view::npos;
  for (std::string_view name :
       {"authorization:", "proxy-authorization:", "cookie:", "set-cookie:"}) {
    const std::string_view head = text.substr(first, name.size());
    const bool same =
        std::equal(head.begin(), head.end(), name.begin(), name.end(), [](char a, char b) {
          return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
        });
    if (!same) continue;
    const auto value = text.find_first_not_of(" \t", first + name.size());
    return value == std::string_view::npos ? text.size() : value;
  }
  return std::string_view::npos;
}

// Python's str.isprintable() for a code point above U+00FF: false for the format (Cf),
// separator (Zs, Zl, Zp), surrogate, private-use and non-character code points in common use.
bool python_printable(std::uint32_t cp) {
  struct Range {
    std::uint32_t first, last;
  };
  static constexpr Range kNotPrintable[] = {
      {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},   {0x070F, 0x070F},
      {0x08E2, 0x08E2},   {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},
      {0x2028, 0x202F},   {0x205F, 0x206F},   {0x3000, 0x3000},   {0xD800, 0xF8FF},
      {0xFDD0, 0xFDEF},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0xFFFE, 0xFFFF},
      {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
      {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xF0000, 0x10FFFF},
  };
  for (const auto& range : kNotPrintable) {
    if (cp >= range.first && cp <= range.last) return false;
  }
  return true;
}

void append_python_escape(std::string& out, std::uint32_t cp) {
  char buffer[12];
  if (cp <= 0xFF) {
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(cp));
  } else if (cp <= 0xFFFF) {
    std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(cp));
  } else {
    std::snprintf(buffer, sizeof buffer, "\\U%08x", static_cast<unsigned>(cp));
  }
  out += buffer;
}

}  // namespace

std::string untrusted(std::string_view text, std::size_t max_bytes) {
  return escape(mask_secrets(std::string(text)), max_bytes, true);
}

std::string one_line(std::string_view text, std::size_t max_bytes) {
  return escape(mask_secrets(std::string(text)), max_bytes, false);
}

std::string untrusted_tail(std::string_view text, std::size_t max_bytes,
                           std::uint64_t bytes_before) {
  constexpr std::string_view kBlank = " \t\r\n\v\f";
  std::size_t begin = 0;
  if (bytes_before > 0) {
    // The reader may have cut a character in two: its continuation bytes are not text.
    while (begin < text.size() && begin < 3 &&
           (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) {
      ++begin;
    }
  }
  begin = std::min(text.find_first_not_of(kBlank, begin), text.size());
  const std::size_t end = text.find_last_not_of(kBlank) + 1;  // npos + 1 == 0
  std::string out;
  std::string piece;
  std::vector<std::pair<std::size_t, std::size_t>> starts;  // (byte in text, byte in out)
  // Escape only the end: a window that grows until it gives more than max_bytes (blank runs
  // shrink to " / ", so no fixed window is enough), or holds the whole text.
  for (std::size_t window = 4 * max_bytes + 16;; window *= 4) {
    std::size_t from = begin;
    if (end > begin && end - begin > window) {
      from = end - window;
      while (from < end && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) ++from;
      from = std::min(text.find_first_not_of(kBlank, from), end);
    }
    out.clear();
    starts.clear();
    for (std::size_t i = from; i < end;) {
      starts.emplace_back(i, out.size());
      const std::size_t blank_end = std::min(text.find_first_not_of(kBlank, i), end);
      if (text.substr(i, blank_end - i).find_first_of("\r\n") != std::string_view::npos) {
        out += " / ";  // a line break, with the white space around it
        i = blank_end;
        continue;
      }
      i += escape_piece(text, i, true, piece);
      out += piece;
    }
    if (from == begin || out.size() > max_bytes) break;
  }
  if (out.size() <= max_bytes && bytes_before == 0 &&
      (starts.empty() || starts[0].first == begin)) {
    return out;
  }
  std::size_t k = 0;
  while (k < starts.size() && out.size() - starts[k].second > max_bytes) ++k;
  // A cut right after a line break would start with the separator: skip it.
  if (k < starts.size() && out.compare(starts[k].second, 3, " / ") == 0) ++k;
  const std::size_t text_cut = k < starts.size() ? starts[k].first : end;
  const std::size_t out_cut = k < starts.size() ? starts[k].second : out.size();
  const std::string note = "... (" + std::to_string(bytes_before + text_cut) + " bytes cut)";
  return out_cut == out.size() ? note : note + " " + out.substr(out_cut);
}

std::string python_repr(std::string_view text) {
  const bool double_quotes =
      text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos;
  const char quote = double_quotes ? '"' : '\'';
  std::string out(1, quote);
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    const std::size_t length = decode_utf8(text, i, cp);
    if (length == 0) {  // os.fsdecode's surrogateescape: byte 0xNN becomes U+DCNN
      append_python_escape(out, 0xDC00 + static_cast<unsigned char>(text[i]));
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
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD ||
               (cp > 0xFF && !python_printable(cp))) {
      append_python_escape(out, cp);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  out += quote;
  return out;
}

void append_json_string(std::string& out, std::string_view text, bool ascii_only) {
  static const char kHex[] = "0123456789abcdef";
  const auto u_escape = [&](unsigned unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 0xf];
  };
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80 && ascii_only) {
      std::uint32_t cp = 0;
      const std::size_t length = decode_utf8(text, i, cp);
      if (length == 0) {  // not UTF-8 (a file name): the lone surrogate of surrogateescape
        u_escape(0xdc00 + byte);
        ++i;
        continue;
      }
      if (cp >= 0x10000) {
        u_escape(0xd800 + ((cp - 0x10000) >> 10));
        u_escape(0xdc00 + ((cp - 0x10000) & 0x3ff));
      } else {
        u_escape(cp);
      }
      i += length;
      continue;
    }
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          u_escape(byte);
        } else {
          out += static_cast<char>(byte);
        }
    }
    ++i;
  }
  out += '"';
}

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
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

std::string shortest_number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  return buffer;
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

void register_secret(std::string_view value) {
  register_forms(value);
}

void register_credentials_in(std::string_view value) {
  for_each_url_password(value, [&](std::size_t offset, std::size_t length) {
    const std::string_view password = value.substr(offset, length);
    register_forms(password);
    register_forms(percent_decode(password));
  });
  const auto header_value = credential_header_value(value);
  if (header_value != std::string_view::npos) register_forms(value.substr(header_value));
}

std::string mask_secrets(std::string text) {
  for (const auto& form : secret_forms()) mask_in_place(text, form);
  // Credentials nobody registered (a URL a peer sent back, a header read from a file).
  std::vector<std::pair<std::size_t, std::size_t>> passwords;
  for_each_url_password(text, [&](std::size_t offset, std::size_t length) {
    passwords.emplace_back(offset, length);
  });
  for (auto password = passwords.rbegin(); password != passwords.rend(); ++password) {
    if (text.compare(password->first, password->second, "***") != 0) {
      text.replace(password->first, password->second, "***");
    }
  }
  const auto header_value = credential_header_value(text);
  if (header_value != std::string::npos &&
      text.compare(header_value, std::string::npos, "***") != 0) {
    const auto colon = text.find(':');
    text.replace(colon + 1, std::string::npos, " ***");
  }
  return text;
}

void blank_secrets(char* text) {
  const std::size_t length = std::strlen(text);
  for (const auto& form : secret_forms()) {
    const std::string_view view(text, length);
    for (auto at = view.find(form); at != std::string_view::npos;
         at = view.find(form, at + form.size())) {
      std::memset(text + at, '*', form.size());
    }
  }
}

}  // namespace promise
