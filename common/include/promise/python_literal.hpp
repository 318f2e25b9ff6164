#pragma once
// A strict parser of Python literals, as ast.literal_eval reads them (library promise::python:
// slapos-promise convert reads the extra_config_dict of the plugin files that slapos.cookbook's
// promise.plugin recipe generates; check_websocket_available reads str and bytes options as
// profiles write them with dumps()). Nothing is ever executed: a name, a call or an operator is
// refused with its place and a reason.
//
// Accepted: strings (every prefix but f, single, double and triple quotes, every escape but
// \N{...}, implicit concatenation, parentheses around them), bytes, ints (decimal, 0x, 0o, 0b,
// underscores, a unary sign), floats, True, False, None, lists, tuples, dicts, trailing commas,
// comments and line breaks inside brackets. Refused with a reason: \N{name}, lone surrogates
// (not UTF-8), complex numbers, sets, ints beyond 64 bits, nesting deeper than 100.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

struct PyValue {
  enum class Kind { none, boolean, integer, floating, string, bytes, list, tuple, dict };
  Kind kind = Kind::none;
  bool boolean = false;
  std::int64_t integer = 0;
  double floating = 0;
  std::string text;            // string: its UTF-8; bytes: its bytes
  std::vector<PyValue> items;  // list and tuple items; dict values
  std::vector<PyValue> keys;   // dict keys, in the order written (duplicates: the last wins)

  const PyValue* get(std::string_view key) const;  // dict member by string key
};

bool operator==(const PyValue& a, const PyValue& b);

class PythonLiteralError : public std::runtime_error {
 public:
  PythonLiteralError(std::size_t at, const std::string& reason)
      : std::runtime_error(reason), offset(at) {}
  std::size_t offset;  // byte offset in the text given to the parser
};

// One literal starting at text[pos] (white space and comments before it skipped); pos is left
// just after it. Throws PythonLiteralError.
PyValue parse_python_literal(std::string_view text, std::size_t& pos);

// The whole text is one literal (white space and comments around it allowed).
PyValue parse_python_literal(std::string_view text);

// "line L, column C" of a byte offset, 1-based, as Python counts them (columns in bytes).
std::string text_position(std::string_view text, std::size_t offset);

// Python's repr(): 'a\n', b'\xff', 12, 1.5, True, None, [1, 2], (1,), {'a': 1}.
std::string literal_repr(const PyValue& value);

// ---- one str or bytes literal, as an option value (check_websocket_available) ----------------
// Only what repr() and dumps() write and what a person types by hand: one literal, nothing
// around it, an optional b/r prefix (any case, any order, no u or f), single, double or triple
// quotes, the escapes above (an unknown escape keeps its backslash, as Python does). No
// implicit concatenation, no line break inside a one-line literal (Python refuses it too).

struct PythonLiteral {
  std::string value;  // the bytes; a str as UTF-8
  bool is_bytes = false;
};

// Whether text is meant as a literal: at most two b/r prefix letters, then a quote, and the
// same quote at the end. Plain text ("RFB 003.008") is not.
bool looks_like_python_literal(std::string_view text);

// The value of the literal; nullopt with *error set ("invalid \x escape (truncated \xXX) at
// byte 2") when it is not one. A bytes literal holds ASCII only; a str may hold UTF-8 (invalid
// UTF-8 refused).
std::optional<PythonLiteral> parse_python_literal(std::string_view text, std::string* error);

// repr() of bytes: b'...' (b"..." when it holds ' and no "), \\ \t \n \r escaped, other
// bytes outside printable ASCII as \xNN.
std::string python_bytes_repr(std::string_view bytes);

}  // namespace promise
