// Utf8Validator (common/src/utf8_validator.cpp) against the reference decoder of fuzz.hpp: the
// same verdict as Python's strict decoder, the same position, byte and reason, whatever the
// chunks the stream arrives in; and python_message() is one line naming them.
//
// Input: 1 byte of chunk size (0: the whole input at once), then the stream.
#include "fuzz.hpp"
#include "promise/process.hpp"

#include <cstring>

namespace {

using promise::fuzz::Input;

// Python's verdict on the whole text, from the reference decoder.
std::optional<promise::Utf8Error> expected_error(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = promise::fuzz::decode_utf8_at(text, i);
    if (c.length > 0) {
      i += c.length;
      continue;
    }
    promise::Utf8Error error;
    error.start = i;
    error.end = i + c.valid_prefix;
    error.byte = static_cast<unsigned char>(text[i]);
    const auto lead = static_cast<unsigned char>(text[i]);
    const bool starts = (lead >= 0xC2 && lead <= 0xF4);
    if (!starts) {
      error.reason = "invalid start byte";
    } else if (i + c.valid_prefix >= text.size()) {
      error.reason = "unexpected end of data";
    } else {
      error.reason = "invalid continuation byte";
    }
    return error;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  const std::size_t chunk = input.byte();
  const std::string_view text = input.rest();

  promise::Utf8Validator validator;
  if (chunk == 0) {
    validator.feed(text);
  } else {
    for (std::size_t i = 0; i < text.size(); i += chunk) validator.feed(text.substr(i, chunk));
    validator.feed({});  // an empty read changes nothing
  }
  const auto got = validator.finish();
  const auto want = expected_error(text);
  FUZZ_CHECK(got.has_value() == want.has_value());
  FUZZ_CHECK(got.has_value() == !promise::fuzz::valid_utf8(text));
  if (!got) return 0;
  FUZZ_CHECK(got->start == want->start);
  FUZZ_CHECK(got->end == want->end);
  FUZZ_CHECK(got->byte == want->byte);
  FUZZ_CHECK(std::strcmp(got->reason, want->reason) == 0, got->reason);
  const std::string message = promise::python_message(*got);
  FUZZ_CHECK(message.rfind("'utf-8' codec can't decode byte", 0) == 0, message);
  FUZZ_CHECK(message.find('\n') == std::string::npos, message);
  FUZZ_CHECK(message.size() < 159, message);  // its buffer never truncates it
  return 0;
}
