// promise_tls's PEM reading (check_certificate): whatever a certificate or key file holds, the
// answer is a value with a printable one-line reason, and base64 decodes as it encodes.
//
// Input: 1 byte chooses the check, 2 bytes where the certificate text ends and the key text
// begins, then the text.
#include "fuzz.hpp"
#include "promise/certificate.hpp"

namespace {

using promise::fuzz::Input;

std::string encode_base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const auto byte = [&](std::size_t k) -> std::uint32_t {
      return k < bytes.size() ? static_cast<std::uint8_t>(bytes[k]) : 0u;
    };
    const std::uint32_t quantum = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    text += kAlphabet[(quantum >> 18) & 63];
    text += kAlphabet[(quantum >> 12) & 63];
    text += i + 1 < bytes.size() ? kAlphabet[(quantum >> 6) & 63] : '=';
    text += i + 2 < bytes.size() ? kAlphabet[quantum & 63] : '=';
    if (text.size() % 65 == 64) text += '\n';  // line ends are skipped when decoding
  }
  return text;
}

void reason_is_one_line(const std::string& reason) {
  FUZZ_CHECK(promise::fuzz::printable_utf8(reason), reason);
  FUZZ_CHECK(reason.size() < 300, reason);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  const unsigned which = input.byte() % 3;
  const auto split = static_cast<std::size_t>(input.number(2));
  const std::string_view text = input.rest();
  switch (which) {
    case 0: {
      const auto info = promise::read_certificate_pem(text);
      if (!info.error.empty()) reason_is_one_line(info.error);
      FUZZ_CHECK(info.certificates <= promise::find_pem_blocks(text).blocks.size());
      break;
    }
    case 1: {
      const std::string_view certificate = text.substr(0, std::min(split, text.size()));
      const std::string_view key = text.substr(certificate.size());
      const auto check = promise::check_key_pem(certificate, key);
      if (check.result == promise::KeyCheck::Result::error) {
        FUZZ_CHECK(!check.error.empty());
        reason_is_one_line(check.error);
      } else {
        FUZZ_CHECK(check.error.empty(), check.error);
      }
      break;
    }
    default: {
      std::string bytes;
      FUZZ_CHECK(promise::decode_base64(encode_base64(text), bytes) && bytes == text);
      if (promise::decode_base64(text, bytes)) FUZZ_CHECK(bytes.size() <= text.size() * 3 / 4 + 3);
      for (const auto& block : promise::find_pem_blocks(text).blocks) {
        FUZZ_CHECK(block.body.data() >= text.data() &&
                   block.body.data() + block.body.size() <= text.data() + text.size());
      }
      break;
    }
  }
  return 0;
}
