// The strict Python literal parser (see python_literal.hpp): the lexical rules of the Python
// reference, "Literals", and the displays ast.literal_eval accepts.
#include "promise/python_literal.hpp"

#include "promise/utf8.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <system_error>

namespace promise {
namespace {

constexpr int kMaxDepth = 100;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// Length of the UTF-8 character at text[i] and its code point; 0 when the bytes are not one.
std::size_t utf8_char(std::string_view text, std::size_t i, std::uint32_t& cp) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  std::size_t length = 0;
  std::uint32_t smallest = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, smallest = 0x80, cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, smallest = 0x800, cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, smallest = 0x10000, cp = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

class Parser {
 public:
  Parser(std::string_view text, std::size_t pos) : t_(text), p_(pos) {}

  PyValue value(int depth, bool in_brackets) {
    if (depth > kMaxDepth) fail(p_, "nesting deeper than 100 levels");
    space(in_brackets);
    if (p_ >= t_.size()) fail(p_, "a value was expected, the text ends");
    const char c = t_[p_];
    if (c == '(') return parenthesised(depth);
    if (c == '[') return list(depth);
    if (c == '{') return dict(depth);
    if (c == '\'' || c == '"') return strings(in_brackets);
    if (is_digit(c) || (c == '.' && p_ + 1 < t_.size() && is_digit(t_[p_ + 1])))
      return number(false);
    if (c == '-' || c == '+') {
      const std::size_t sign_at = p_++;
      space(in_brackets);
      if (p_ < t_.size() && (is_digit(t_[p_]) || t_[p_] == '.')) return number(c == '-');
      fail(sign_at, std::string("'") + c + "' is an operator: only a number may follow a sign");
    }
    if (is_name_char(c) && !is_digit(c)) {
      const std::size_t start = p_;
      while (p_ < t_.size() && is_name_char(t_[p_])) ++p_;
      const std::string_view name = t_.substr(start, p_ - start);
      if (p_ < t_.size() && (t_[p_] == '\'' || t_[p_] == '"') && name.size() <= 2) {
        p_ = start;
        return strings(in_brackets);
      }
      PyValue out;
      if (name == "True" || name == "False") {
        out.kind = PyValue::Kind::boolean;
        out.boolean = name == "True";
        return out;
      }
      if (name == "None") return out;
      std::string reason(1, '\'');
      reason.append(name.substr(0, 40));
      reason.append("' is a name, not a literal (code is never run)");
      fail(start, reason);
    }
    fail(p_, std::string("unexpected ") + shown(c) + ": not a Python literal");
  }

  void space(bool in_brackets) {
    while (p_ < t_.size()) {
      const char c = t_[p_];
      if (c == ' ' || c == '\t' || c == '\f') {
        ++p_;
      } else if (c == '\\' && p_ + 1 < t_.size() && (t_[p_ + 1] == '\n' || t_[p_ + 1] == '\r')) {
        p_ += 2;  // an explicit line continuation
        if (t_[p_ - 1] == '\r' && p_ < t_.size() && t_[p_] == '\n') ++p_;
      } else if (in_brackets && (c == '\n' || c == '\r')) {
        ++p_;
      } else if (in_brackets && c == '#') {
        while (p_ < t_.size() && t_[p_] != '\n' && t_[p_] != '\r') ++p_;
      } else {
        return;
      }
    }
  }

  std::size_t pos() const { return p_; }

  // One string or bytes literal at the current place, without the ones written next to it.
  std::string one_string(bool& is_bytes) {
    const std::size_t start = p_;
    bool raw = false;
    bool unicode = false;
    bool formatted = false;
    while (p_ < t_.size() && t_[p_] != '\'' && t_[p_] != '"') {
      const char c = static_cast<char>(t_[p_] | 0x20);
      bool& flag = c == 'r' ? raw : c == 'b' ? is_bytes : c == 'u' ? unicode : formatted;
      if ((c != 'r' && c != 'b' && c != 'u' && c != 'f') || flag) fail(start, "bad string prefix");
      flag = true;
      ++p_;
    }
    if (formatted) fail(start, "an f-string is code, not a literal");
    if (unicode && (raw || is_bytes)) fail(start, "bad string prefix");
    const char quote = t_[p_];
    const bool triple = t_.substr(p_, 3) == std::string(3, quote);
    p_ += triple ? 3 : 1;
    std::string out;
    for (;;) {
      if (p_ >= t_.size()) fail(start, "unterminated string");
      const char c = t_[p_];
      if (c == quote && (!triple || t_.substr(p_, 3) == std::string(3, quote))) {
        p_ += triple ? 3 : 1;
        return out;
      }
      if (!triple && (c == '\n' || c == '\r'))
        fail(start, "unterminated string (a line break inside a one-line string)");
      if (c == '\\') {
        if (p_ + 1 >= t_.size()) fail(start, "unterminated string");
        if (raw) {
          out += c;
          out += t_[p_ + 1];
          p_ += 2;
        } else {
          escape(out, is_bytes);
        }
        continue;
      }
      const auto b = static_cast<unsigned char>(c);
      if (is_bytes && b >= 0x80)
        fail(p_, "bytes hold ASCII only (other bytes are written as \\xNN escapes)");
      if (c == '\r') {  // Python reads \r\n and \r in source as \n
        out += '\n';
        p_ += (p_ + 1 < t_.size() && t_[p_ + 1] == '\n') ? 2u : 1u;
        continue;
      }
      out += c;
      ++p_;
    }
  }

  [[noreturn]] void fail(std::size_t at, const std::string& reason) {
    throw PythonLiteralError(at, reason);
  }

 private:
  static std::string shown(char c) {
    const auto b = static_cast<unsigned char>(c);
    char buffer[16];
    if (b >= 0x21 && b < 0x7F) {
      std::snprintf(buffer, sizeof buffer, "'%c'", c);
    } else {
      std::snprintf(buffer, sizeof buffer, "byte 0x%02x", b);
    }
    return buffer;
  }

  // After an item: ',' (true) or the closer (false); anything else is code.
  bool separator(char closer, const char* what) {
    space(true);
    if (p_ < t_.size() && t_[p_] == ',') {
      ++p_;
      return true;
    }
    if (p_ < t_.size() && t_[p_] == closer) return false;
    if (p_ >= t_.size()) fail(p_, std::string("unterminated ") + what + ": the text ends");
    fail(p_, std::string("expected ',' or '") + closer + "' in a " + what + ", found " +
                 shown(t_[p_]) + " (an operator, a call or an attribute is code, never run)");
  }

  bool closes(char closer) {
    space(true);
    if (p_ < t_.size() && t_[p_] == closer) {
      ++p_;
      return true;
    }
    return false;
  }

  PyValue parenthesised(int depth) {
    ++p_;
    PyValue tuple;
    tuple.kind = PyValue::Kind::tuple;
    if (closes(')')) return tuple;
    PyValue first = value(depth + 1, true);
    if (!separator(')', "tuple")) {
      ++p_;
      return first;  // (x): grouping, as pprint wraps a long string
    }
    tuple.items.push_back(std::move(first));
    while (!closes(')')) {
      tuple.items.push_back(value(depth + 1, true));
      if (!separator(')', "tuple")) {
        ++p_;
        break;
      }
    }
    return tuple;
  }

  PyValue list(int depth) {
    ++p_;
    PyValue out;
    out.kind = PyValue::Kind::list;
    while (!closes(']')) {
      out.items.push_back(value(depth + 1, true));
      if (!separator(']', "list")) {
        ++p_;
        break;
      }
    }
    return out;
  }

  PyValue dict(int depth) {
    const std::size_t open = p_++;
    PyValue out;
    out.kind = PyValue::Kind::dict;
    while (!closes('}')) {
      PyValue key = value(depth + 1, true);
      space(true);
      if (p_ >= t_.size() || t_[p_] != ':') {
        if (out.keys.empty() && p_ < t_.size() && (t_[p_] == ',' || t_[p_] == '}'))
          fail(open, "a set, not a dict: sets are not accepted");
        if (p_ >= t_.size()) fail(p_, "unterminated dict: the text ends");
        fail(p_, "expected ':' after a dict key, found " + shown(t_[p_]) +
                     " (an operator, a call or an attribute is code, never run)");
      }
      ++p_;
      if (key.kind == PyValue::Kind::list || key.kind == PyValue::Kind::dict)
        fail(p_, "a list or dict cannot be a dict key (unhashable)");
      PyValue item = value(depth + 1, true);
      out.keys.push_back(std::move(key));
      out.items.push_back(std::move(item));
      if (!separator('}', "dict")) {
        ++p_;
        break;
      }
    }
    return out;
  }

  // One string or bytes literal, then the ones written next to it (implicit concatenation).
  PyValue strings(bool in_brackets) {
    PyValue out;
    bool first = true;
    for (;;) {
      const std::size_t start = p_;
      bool is_bytes = false;
      std::string piece = one_string(is_bytes);
      const auto kind = is_bytes ? PyValue::Kind::bytes : PyValue::Kind::string;
      if (!first && kind != out.kind) fail(start, "cannot concatenate bytes and str literals");
      out.kind = kind;
      out.text += piece;
      first = false;
      const std::size_t after = p_;
      space(in_brackets);
      std::size_t q = p_;
      while (q < t_.size() && q - p_ < 3 &&
             (t_[q] == 'r' || t_[q] == 'R' || t_[q] == 'b' || t_[q] == 'B' || t_[q] == 'u' ||
              t_[q] == 'U' || t_[q] == 'f' || t_[q] == 'F'))
        ++q;
      if (q < t_.size() && (t_[q] == '\'' || t_[q] == '"')) continue;
      p_ = after;
      return out;
    }
  }

  void escape(std::string& out, bool is_bytes) {
    const std::size_t at = p_;
    const char e = t_[p_ + 1];
    p_ += 2;
    const auto code_point = [&](std::uint32_t cp) {
      if (is_bytes) {
        if (cp > 0xFF) fail(at, "octal escape above \\377 in bytes");
        out += static_cast<char>(cp);
      } else {
        if (cp >= 0xD800 && cp <= 0xDFFF)
          fail(at, "a lone surrogate (\\ud800-\\udfff) is not UTF-8");
        append_utf8(out, cp);
      }
    };
    const auto hex = [&](int count, const char* name) {
      std::uint32_t cp = 0;
      for (int k = 0; k < count; ++k) {
        if (p_ >= t_.size() || digit_value(t_[p_]) > 15)
          fail(at, std::string("invalid \\") + e + " escape (truncated " + name + ")");
        cp = cp * 16 + static_cast<std::uint32_t>(digit_value(t_[p_++]));
      }
      return cp;
    };
    switch (e) {
      case '\n':
        return;
      case '\r':
        if (p_ < t_.size() && t_[p_] == '\n') ++p_;
        return;
      case '\\':
      case '\'':
      case '"':
        out += e;
        return;
      case 'a':
        out += '\a';
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'n':
        out += '\n';
        return;
      case 'r':
        out += '\r';
        return;
      case 't':
        out += '\t';
        return;
      case 'v':
        out += '\v';
        return;
      case 'x':
        code_point(hex(2, "\\xXX"));
        return;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
      for (int k = 0; k < 2 && p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '7'; ++k)
        cp = cp * 8 + static_cast<std::uint32_t>(t_[p_++] - '0');
      code_point(cp);
      return;
    }
    if (!is_bytes && e == 'u') {
      code_point(hex(4, "\\uXXXX"));
      return;
    }
    if (!is_bytes && e == 'U') {
      const std::uint32_t cp = hex(8, "\\UXXXXXXXX");
      if (cp > 0x10FFFF) fail(at, "illegal Unicode character in a \\U escape (beyond U+10FFFF)");
      code_point(cp);
      return;
    }
    if (!is_bytes && e == 'N')
      fail(at,
           "\\N{...} escapes (Unicode character names) are not supported: write the "
           "character itself or a \\u escape");
    out += '\\';  // an unknown escape stays as written, as Python keeps it
    p_ -= 1;
  }

  // Digits of one base with single underscores between them; returns them without underscores.
  std::string digits(int base, bool underscore_first) {
    std::string out;
    bool last_underscore = underscore_first;
    while (p_ < t_.size()) {
      const char c = t_[p_];
      if (c == '_') {
        if (last_underscore) fail(p_, "invalid number literal (underscores between digits only)");
        last_underscore = true;
      } else if (digit_value(c) < base) {
        out += c;
        last_underscore = false;
      } else {
        break;
      }
      ++p_;
    }
    if (last_underscore && !(out.empty() && underscore_first))
      fail(p_, "invalid number literal (underscores between digits only)");
    return out;
  }

  void no_name_after(std::size_t start, const char* what) {
    if (p_ < t_.size() && (t_[p_] == 'j' || t_[p_] == 'J'))
      fail(start, "complex numbers are not accepted");
    if (p_ < t_.size() && is_name_char(t_[p_])) fail(p_, std::string("invalid ") + what);
  }

  PyValue integer(std::size_t start, std::string_view magnitude, int base, bool negative) {
    std::uint64_t value = 0;
    const auto [end, error] =
        std::from_chars(magnitude.data(), magnitude.data() + magnitude.size(), value, base);
    const std::uint64_t limit = negative ? (std::uint64_t{1} << 63) : (std::uint64_t{1} << 63) - 1;
    if (error != std::errc() || value > limit)
      fail(start, "an integer beyond 64 bits is not accepted");
    PyValue out;
    out.kind = PyValue::Kind::integer;
    out.integer =
        negative ? static_cast<std::int64_t>(0 - value) : static_cast<std::int64_t>(value);
    return out;
  }

  PyValue number(bool negative) {
    const std::size_t start = p_;
    if (t_[p_] == '0' && p_ + 1 < t_.size()) {
      const char b = static_cast<char>(t_[p_ + 1] | 0x20);
      const int base = b == 'x' ? 16 : b == 'o' ? 8 : b == 'b' ? 2 : 0;
      if (base != 0) {
        p_ += 2;
        const bool underscore = p_ < t_.size() && t_[p_] == '_';
        if (underscore) ++p_;
        const std::string magnitude = digits(base, underscore);
        const char* what = base == 16  ? "hexadecimal literal"
                           : base == 8 ? "octal literal"
                                       : "binary literal";
        if (magnitude.empty()) fail(start, std::string("invalid ") + what);
        if (p_ < t_.size() && is_digit(t_[p_])) fail(p_, std::string("invalid digit in ") + what);
        no_name_after(start, what);
        return integer(start, magnitude, base, negative);
      }
    }
    std::string whole = t_[p_] == '.' ? "" : digits(10, false);
    std::string text = whole;
    bool is_float = false;
    if (p_ < t_.size() && t_[p_] == '.') {
      ++p_;
      is_float = true;
      text += '.';
      if (p_ < t_.size() && is_digit(t_[p_])) text += digits(10, false);
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      const std::size_t e_at = p_++;
      std::string exponent = "e";
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) exponent += t_[p_++];
      if (p_ >= t_.size() || !is_digit(t_[p_])) {
        p_ = e_at;  // "1e" or "1else": Python says invalid decimal literal
        fail(p_, "invalid decimal literal");
      }
      exponent += digits(10, false);
      text += exponent;
      is_float = true;
    }
    no_name_after(start, "decimal literal");
    if (!is_float) {
      if (whole.size() > 1 && whole.find_first_not_of('0') != std::string::npos && whole[0] == '0')
        fail(start, "leading zeros in decimal integer literals are not permitted");
      return integer(start, whole, 10, negative);
    }
    PyValue out;
    out.kind = PyValue::Kind::floating;
    if (text.front() == '.') text = std::string(1, '0').append(text);
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out.floating);
    if (error == std::errc::result_out_of_range) {
      // Python rounds: 1e999 is inf, 1e-999 is 0.0.
      const auto e = text.find('e');
      const bool tiny = e != std::string::npos && text[e + 1] == '-';
      out.floating = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    } else if (error != std::errc() || end != text.data() + text.size()) {
      fail(start, "invalid decimal literal");
    }
    if (negative) out.floating = -out.floating;
    return out;
  }

  std::string_view t_;
  std::size_t p_;
};

std::size_t first_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    const std::size_t length = utf8_char(text, i, cp);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

void check_utf8(std::string_view text) {
  const std::size_t bad = first_invalid_utf8(text);
  if (bad != std::string_view::npos) {
    char buffer[96];
    std::snprintf(buffer, sizeof buffer,
                  "invalid UTF-8: byte 0x%02x is not UTF-8 (Python source is UTF-8)",
                  static_cast<unsigned char>(text[bad]));
    throw PythonLiteralError(bad, buffer);
  }
}

void append_str_repr(std::string& out, std::string_view text, bool is_bytes) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  if (is_bytes) out += 'b';
  out += quote;
  char buffer[16];
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto b = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (b >= 0x20 && b < 0x7F) {
      out += c;
    } else if (is_bytes || b < 0x80) {
      std::snprintf(buffer, sizeof buffer, "\\x%02x", b);
      out += buffer;
    } else {
      std::uint32_t cp = 0;
      const std::size_t length = utf8_char(text, i, cp);
      if (length == 0) {  // cannot come from the parser; shown as a byte rather than lost
        std::snprintf(buffer, sizeof buffer, "\\x%02x", b);
        out += buffer;
        ++i;
        continue;
      }
      if (cp <= 0xA0 || cp == 0xAD) {
        std::snprintf(buffer, sizeof buffer, "\\x%02x", cp);
        out += buffer;
      } else if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) {
        std::snprintf(buffer, sizeof buffer, "\\u%04x", cp);
        out += buffer;
      } else {
        out.append(text.substr(i, length));
      }
      i += length;
      continue;
    }
    ++i;
  }
  out += quote;
}

void append_float_repr(std::string& out, double value) {
  if (std::isinf(value)) {
    out += value < 0 ? "-1e999" : "1e999";  // Python prints inf, which is no literal
    return;
  }
  char buffer[64];
  const double magnitude = std::fabs(value);
  const bool scientific = magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e16);
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof buffer, value,
                    scientific ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buffer, error == std::errc() ? end : buffer);
  if (!scientific && text.find('.') == std::string::npos) text += ".0";
  out += text;
}

void append_repr(std::string& out, const PyValue& value) {
  switch (value.kind) {
    case PyValue::Kind::none:
      out += "None";
      return;
    case PyValue::Kind::boolean:
      out += value.boolean ? "True" : "False";
      return;
    case PyValue::Kind::integer:
      out += std::to_string(value.integer);
      return;
    case PyValue::Kind::floating:
      append_float_repr(out, value.floating);
      return;
    case PyValue::Kind::string:
    case PyValue::Kind::bytes:
      append_str_repr(out, value.text, value.kind == PyValue::Kind::bytes);
      return;
    case PyValue::Kind::list:
    case PyValue::Kind::tuple: {
      const bool is_list = value.kind == PyValue::Kind::list;
      out += is_list ? '[' : '(';
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ", ";
        append_repr(out, value.items[i]);
      }
      if (!is_list && value.items.size() == 1) out += ',';
      out += is_list ? ']' : ')';
      return;
    }
    case PyValue::Kind::dict:
      out += '{';
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ", ";
        append_repr(out, value.keys[i]);
        out += ": ";
        append_repr(out, value.items[i]);
      }
      out += '}';
      return;
  }
}

}  // namespace

const PyValue* PyValue::get(std::string_view key) const {
  const PyValue* found = nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].kind == Kind::string && keys[i].text == key) found = &items[i];
  }
  return found;  // the last one, as a dict display keeps it
}

bool operator==(const PyValue& a, const PyValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case PyValue::Kind::none:
      return true;
    case PyValue::Kind::boolean:
      return a.boolean == b.boolean;
    case PyValue::Kind::integer:
      return a.integer == b.integer;
    case PyValue::Kind::floating:
      return a.floating == b.floating || (std::isnan(a.floating) && std::isnan(b.floating));
    case PyValue::Kind::string:
    case PyValue::Kind::bytes:
      return a.text == b.text;
    default:
      return a.items == b.items && a.keys == b.keys;
  }
}

PyValue parse_python_literal(std::string_view text, std::size_t& pos) {
  check_utf8(text);
  Parser parser(text, pos);
  PyValue value = parser.value(0, false);
  pos = parser.pos();
  return value;
}

PyValue parse_python_literal(std::string_view text) {
  check_utf8(text);
  Parser parser(text, 0);
  PyValue value = parser.value(0, true);
  parser.space(true);
  if (parser.pos() != text.size())
    parser.fail(parser.pos(), "unexpected text after the literal (code is never run)");
  return value;
}

std::string text_position(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string literal_repr(const PyValue& value) {
  std::string out;
  append_repr(out, value);
  return out;
}

namespace {

bool is_prefix_letter(char c) {
  return c == 'b' || c == 'B' || c == 'r' || c == 'R';
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
  bool bytes_prefix = false;
  bool raw_prefix = false;
  std::size_t i = 0;
  for (; i < text.size() && is_prefix_letter(text[i]); ++i) {
    bool& seen = (text[i] | 0x20) == 'b' ? bytes_prefix : raw_prefix;
    if (i >= 2 || seen) return fail("not a Python literal");
    seen = true;
  }
  if (i >= text.size() || (text[i] != '\'' && text[i] != '"')) return fail("not a Python literal");
  if (text.size() < i + 2 || text.back() != text[i]) return fail("no closing quote");
  try {
    check_utf8(text);
    Parser parser(text, 0);
    PythonLiteral literal;
    literal.value = parser.one_string(literal.is_bytes);
    // The literal ended before the text: a quote inside it was not escaped.
    if (parser.pos() != text.size())
      return fail("unescaped quote at byte " + std::to_string(parser.pos() - 1));
    return literal;
  } catch (const PythonLiteralError& problem) {
    return fail(problem.what() + std::string(" at byte ") + std::to_string(problem.offset));
  }
}

std::string python_bytes_repr(std::string_view bytes) {
  std::string out;
  append_str_repr(out, bytes, true);
  return out;
}

}  // namespace promise
