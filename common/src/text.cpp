#include "promise/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

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

// Escapes (and cuts) text as it is; untrusted() and one_line() mask secrets before this.
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

}  // namespace

std::string untrusted(std::string_view text, std::size_t max_bytes) {
  return escape(mask_secrets(std::string(text)), max_bytes, true);
}

std::string one_line(std::string_view text, std::size_t max_bytes) {
  return escape(mask_secrets(std::string(text)), max_bytes, false);
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
