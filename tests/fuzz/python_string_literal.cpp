// Python literals (common/src/python_literal.cpp): any text is a literal or a clear error; a
// bytes literal's value is what its repr() reads back to, and the repr of any bytes parses
// back to the same bytes.
//
// Input: the text of a literal (also used as raw bytes for the round trip).
#include "promise/python_literal.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = promise::fuzz::as_text(data, size);
  std::string error;
  const auto literal = promise::parse_python_literal(text, &error);
  FUZZ_CHECK(literal || !error.empty(), text);
  if (literal) {
    FUZZ_CHECK(promise::looks_like_python_literal(text), text);
    FUZZ_CHECK(literal->value.size() <= text.size() * 4, text);
    if (literal->is_bytes) {
      const auto again =
          promise::parse_python_literal(promise::python_bytes_repr(literal->value), &error);
      FUZZ_CHECK(again && again->is_bytes && again->value == literal->value, text);
    }
  }
  const std::string repr = promise::python_bytes_repr(text);
  const auto back = promise::parse_python_literal(repr, &error);
  FUZZ_CHECK(back && back->is_bytes && back->value == text, repr);
  return 0;
}
