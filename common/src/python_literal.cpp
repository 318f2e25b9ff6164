// Python str and bytes literals (see python_literal.hpp): the lexical rules of the Python
// reference, "String and Bytes literals", for single-quoted literals.
#include "promise/python_literal.hpp"

#include <cstdint>

namespace promise {
namespace {

bool is_prefix_letter(char c) {
  return c == 'b' || c == 'B' || c == 'r' || c == 'R';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Length of the valid UTF-8 sequence at text[i], 0 if there is none.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  const std::size_t n = b < 0x80                 ? 1
                        : b >= 0xC2 && b <= 0xDF ? 2
                        : b >= 0xE0 && b <= 0xEF ? 3
                        : b >= 0xF0 && b <= 0xF4 ? 4
                                                 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  std::uint32_t code = n == 1 ? b : b & (0x7Fu >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    code = (code << 6) | (c & 0x3Fu);
  }
  constexpr std::uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kLeast[n] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

bool looks_like_python_literal(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && i < 2 && is_prefix_letter(text[i])) ++i;
  if (i >= text.size() || (text[i] != '\'' && text[i] != '"')) return false;
  return text.size() >= i + 2 && text.back() == text[i];
}

std::optional<PythonLiteral> parse_python_literal(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<PythonLiteral> {
    if (error) *error = why;
    return std::nullopt;
  };
  PythonLiteral literal;
  bool raw = false;
  std::size_t i = 0;
  for (; i < text.size() && is_prefix_letter(text[i]); ++i) {
    const bool b = text[i] == 'b' || text[i] == 'B';
    if (i >= 2 || (b && literal.is_bytes) || (!b && raw)) return fail("not a Python literal");
    (b ? literal.is_bytes : raw) = true;
  }
  if (i >= text.size() || (text[i] != '\'' && text[i] != '"')) return fail("not a Python literal");
  const char quote = text[i++];
  if (text.size() < i + 1 || text.back() != quote) return fail("no closing quote");
  const std::string_view body = text.substr(i, text.size() - i - 1);
  std::string& out = literal.value;
  for (std::size_t k = 0; k < body.size();) {
    const char c = body[k];
    const auto at = " at byte " + std::to_string(i + k);
    if (c == quote) return fail("unescaped quote" + at);
    if (c != '\\') {
      const std::size_t n = utf8_length(body, k);
      if (n == 0) return fail("invalid UTF-8" + at);
      if (literal.is_bytes && n > 1) return fail("a bytes literal holds ASCII only" + at);
      out.append(body.substr(k, n));
      k += n;
      continue;
    }
    if (k + 1 >= body.size()) return fail("backslash at the end" + at);
    const char e = body[k + 1];
    if (raw) {  // the backslash stays; it only keeps the next character from ending the text
      out += '\\';
      ++k;
      if (body[k] == quote || body[k] == '\\') out += body[k++];
      continue;
    }
    k += 2;
    switch (e) {
      case '\n':
        continue;  // a line continuation
      case '\\':
        out += '\\';
        continue;
      case '\'':
        out += '\'';
        continue;
      case '"':
        out += '"';
        continue;
      case 'a':
        out += '\a';
        continue;
      case 'b':
        out += '\b';
        continue;
      case 'f':
        out += '\f';
        continue;
      case 'n':
        out += '\n';
        continue;
      case 'r':
        out += '\r';
        continue;
      case 't':
        out += '\t';
        continue;
      case 'v':
        out += '\v';
        continue;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      auto code = static_cast<std::uint32_t>(e - '0');
      for (int digits = 1; digits < 3 && k < body.size() && body[k] >= '0' && body[k] <= '7';
           ++digits) {
        code = code * 8 + static_cast<std::uint32_t>(body[k++] - '0');
      }
      if (literal.is_bytes) {
        if (code > 0xFF) return fail("octal escape above \\377 in a bytes literal" + at);
        out += static_cast<char>(code);
      } else {
        append_utf8(out, code);
      }
      continue;
    }
    const std::size_t width = e == 'x'                        ? 2
                              : e == 'u' && !literal.is_bytes ? 4
                              : e == 'U' && !literal.is_bytes ? 8
                                                              : 0;
    if (width == 0) {
      if (e == 'N' && !literal.is_bytes) return fail("\\N{...} escapes are not supported" + at);
      out += '\\';  // an unknown escape: Python keeps the backslash and the character
      k -= 1;
      continue;
    }
    std::uint32_t code = 0;
    for (std::size_t d = 0; d < width; ++d) {
      const int v = k + d < body.size() ? hex_value(body[k + d]) : -1;
      if (v < 0) return fail("invalid \\" + std::string(1, e) + " escape" + at);
      code = code * 16 + static_cast<std::uint32_t>(v);
    }
    k += width;
    if (literal.is_bytes) {
      out += static_cast<char>(code);
    } else if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return fail("\\" + std::string(1, e) + " escape of a surrogate or beyond U+10FFFF" + at);
    } else {
      append_utf8(out, code);
    }
  }
  return literal;
}

std::string python_bytes_repr(std::string_view bytes) {
  const bool double_quotes =
      bytes.find('\'') != std::string_view::npos && bytes.find('"') == std::string_view::npos;
  const char quote = double_quotes ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (b < 0x20 || b >= 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

}  // namespace promise
