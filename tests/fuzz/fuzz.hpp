#pragma once
// What the fuzz targets share: a check that aborts with a message (libFuzzer keeps the input
// that broke it), splitting one input into several values, and references written apart from
// the code under test (a UTF-8 decoder, a strict JSON parser) to compare it with.

#include "promise/utf8.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promise::fuzz {

[[noreturn]] inline void broken(const char* what, const char* file, int line,
                                std::string_view detail) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  if (!detail.empty()) {
    std::fprintf(stderr, "  detail: ");
    for (const char c : detail) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= 0x20 && b < 0x7F) {
        std::fputc(b, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", b);
      }
    }
    std::fputc('\n', stderr);
  }
  std::abort();
}

// FUZZ_CHECK(condition[, text shown when it fails])
#define FUZZ_CHECK(condition, ...)                                                            \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      ::promise::fuzz::broken(#condition, __FILE__, __LINE__, std::string_view{__VA_ARGS__}); \
    }                                                                                         \
  } while (0)

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Takes bytes off the front of an input: small numbers first, then values.
class Input {
 public:
  explicit Input(std::string_view bytes) : rest_(bytes) {}
  bool empty() const { return rest_.empty(); }
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  std::uint64_t number(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | byte();
    return value;
  }
  // Up to the next separator (consumed) or the end.
  std::string_view until(char separator) {
    const auto at = rest_.find(separator);
    const std::string_view piece = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return piece;
  }
  std::string_view rest() {
    const std::string_view all = rest_;
    rest_ = {};
    return all;
  }

 private:
  std::string_view rest_;
};

// ---- reference UTF-8 decoder --------------------------------------------------------------
// Not the table of Utf8Validator nor the decoder of text.cpp: it computes the code point first,
// then judges it, and finds Python's "maximal valid prefix" by asking whether any completion
// of the bytes seen could still be a valid character.

struct Utf8Char {
  std::size_t length = 0;  // 0: no valid character starts here
  std::uint32_t code_point = 0;
  std::size_t valid_prefix = 1;  // when invalid: bytes Python names (1 or more)
};

inline Utf8Char decode_utf8_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  if (lead < 0x80) return {1, lead, 1};
  std::size_t length = 0;
  if (lead >> 5 == 0x6) length = 2;
  if (lead >> 4 == 0xE) length = 3;
  if (lead >> 3 == 0x1E) length = 4;
  if (length == 0) return {0, 0, 1};
  static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  // The code point range still reachable after k bytes: fill the bits not seen with 0s, 1s.
  std::uint32_t bits = lead & (0x7Fu >> length);
  std::size_t seen = 1;
  const auto reachable = [&] {
    const std::size_t missing = length - seen;
    const std::uint32_t low = bits << (6 * missing);
    const std::uint32_t high = low | ((1u << (6 * missing)) - 1);
    if (high < kSmallest[length] || low > 0x10FFFF) return false;
    if (low >= 0xD800 && high <= 0xDFFF) return false;  // only surrogates left
    return true;
  };
  if (!reachable()) return {0, 0, 1};
  while (seen < length) {
    if (i + seen >= text.size()) return {0, 0, seen};  // cut short: Python names what is there
    const std::uint8_t next = byte(i + seen);
    if (next >> 6 != 0x2) return {0, 0, seen};
    bits = (bits << 6) | (next & 0x3Fu);
    ++seen;
    if (!reachable()) return {0, 0, seen - 1};
  }
  return {length, bits, length};
}

inline bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char c = decode_utf8_at(text, i);
    if (c.length == 0) return false;
    i += c.length;
  }
  return true;
}

// Valid UTF-8 with no C0, DEL or C1 control character: safe on one line of a terminal or a log.
inline bool printable_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char c = decode_utf8_at(text, i);
    if (c.length == 0) return false;
    if (c.code_point < 0x20 || (c.code_point >= 0x7F && c.code_point <= 0x9F)) return false;
    i += c.length;
  }
  return true;
}

// ---- strict JSON (RFC 8259) ---------------------------------------------------------------
// Parses one JSON text and nothing else (whitespace around it allowed). Strings decode to
// UTF-8; a lone low surrogate U+DC80..U+DCFF becomes the byte it escapes (Python's
// surrogateescape, as status.json writes file names that are not UTF-8); any other lone
// surrogate is an error.

struct Json {
  enum class Type { null, boolean, number, string, array, object } type = Type::null;
  bool boolean = false;
  std::string text;                       // string value, or the number as written
  std::vector<Json> items;                // array items, or object member values
  std::vector<std::string> member_names;  // object member names, in order

  const Json* get(std::string_view key) const {
    for (std::size_t i = 0; i < member_names.size(); ++i) {
      if (member_names[i] == key) return &items[i];
    }
    return nullptr;
  }
};

class JsonParser {
 public:
  static std::optional<Json> parse(std::string_view text) {
    if (!valid_utf8(text)) return std::nullopt;  // a JSON text is UTF-8
    JsonParser parser(text);
    Json value;
    parser.space();
    if (!parser.value(value, 0)) return std::nullopt;
    parser.space();
    if (parser.pos_ != text.size()) return std::nullopt;
    return value;
  }

 private:
  explicit JsonParser(std::string_view text) : text_(text) {}

  bool more() const { return pos_ < text_.size(); }
  char peek() const { return more() ? text_[pos_] : '\0'; }
  void space() {
    while (more() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(Json& out, int depth) {
    if (depth > 64) return false;
    switch (peek()) {
      case '{':
        return object(out, depth);
      case '[':
        return array(out, depth);
      case '"':
        out.type = Json::Type::string;
        return string(out.text);
      case 't':
        out.type = Json::Type::boolean;
        out.boolean = true;
        return literal("true");
      case 'f':
        out.type = Json::Type::boolean;
        return literal("false");
      case 'n':
        return literal("null");
      default:
        out.type = Json::Type::number;
        return number(out.text);
    }
  }

  bool object(Json& out, int depth) {
    out.type = Json::Type::object;
    ++pos_;
    space();
    if (peek() == '}') return ++pos_, true;
    for (;;) {
      std::string key;
      space();
      if (peek() != '"' || !string(key)) return false;
      space();
      if (peek() != ':') return false;
      ++pos_;
      space();
      Json member;
      if (!value(member, depth + 1)) return false;
      out.member_names.push_back(std::move(key));
      out.items.push_back(std::move(member));
      space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') return false;
      ++pos_;
      return true;
    }
  }

  bool array(Json& out, int depth) {
    out.type = Json::Type::array;
    ++pos_;
    space();
    if (peek() == ']') return ++pos_, true;
    for (;;) {
      space();
      Json item;
      if (!value(item, depth + 1)) return false;
      out.items.push_back(std::move(item));
      space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ']') return false;
      ++pos_;
      return true;
    }
  }

  bool digits() {
    const std::size_t start = pos_;
    while (more() && peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool number(std::string& out) {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      return false;
    }
    if (peek() == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!digits()) return false;
    }
    out.assign(text_.substr(start, pos_ - start));
    return true;
  }

  bool hex4(std::uint32_t& unit) {
    if (pos_ + 4 > text_.size()) return false;
    unit = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text_[pos_++];
      unit <<= 4;
      if (c >= '0' && c <= '9') {
        unit |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        unit |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        unit |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (!more()) return false;
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;  // control characters must be escaped
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (!more()) return false;
      const char escape = text_[pos_++];
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out += escape;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t unit = 0;
          if (!hex4(unit)) return false;
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!literal("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
          } else if (unit >= 0xDC80 && unit <= 0xDCFF) {
            out += static_cast<char>(unit - 0xDC00);  // surrogateescape
          } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            return false;
          } else {
            append_utf8(out, unit);
          }
          break;
        }
        default:
          return false;
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace promise::fuzz
