// The -v/-vv log (common/src/log.cpp): whatever a step or a peer's header line holds, each log
// line is one line of printable UTF-8, and a registered secret shows neither as it is nor in
// its escaped form (a password with a tab or a Latin-1 byte, escaped as \x09 or \xe4, is still
// the password).
//
// Input: the text of one log line.
#include "fuzz.hpp"
#include "internal.hpp"
#include "promise/log.hpp"
#include "promise/outcome.hpp"
#include "promise/text.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>

namespace {

// None starts with a hex digit: the end of an escape ("\xac") next to text cannot make one up.
constexpr const char* kSecrets[] = {"S3cret pass#1", "tab\there #x", "p\xe4sswort #latin1",
                                    "Caf\xc3\xa9 #pw"};

// What Log::step() wrote on stderr.
std::string logged(std::string_view line) {
  static const int capture = ::memfd_create("log_line", MFD_CLOEXEC);
  FUZZ_CHECK(capture >= 0);
  FUZZ_CHECK(::ftruncate(capture, 0) == 0);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(capture, STDERR_FILENO);
  promise::Log(promise::Verbosity::wire).step(line);
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  const off_t size = ::lseek(capture, 0, SEEK_END);
  std::string out(static_cast<std::size_t>(size), '\0');
  FUZZ_CHECK(::pread(capture, out.data(), out.size(), 0) == size);
  ::lseek(capture, 0, SEEK_SET);
  return out;
}

std::string log_escaped(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto decoded = promise::fuzz::decode_utf8_at(text, i);
    if (c >= 0x80 && decoded.length > 0) {
      out.append(text.substr(i, decoded.length));
      i += decoded.length;
      continue;
    }
    if (c < 0x20 || c == 0x7F || c >= 0x80) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  promise::detail::configure_log(promise::Verbosity::wire, std::chrono::steady_clock::now());
  for (const char* secret : kSecrets) promise::register_secret(secret);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string out = logged(promise::fuzz::as_text(data, size));
  FUZZ_CHECK(!out.empty() && out.back() == '\n', out);
  const std::string_view line(out.data(), out.size() - 1);
  FUZZ_CHECK(line.find('\n') == std::string_view::npos, out);
  // spdlog colours the level name: ESC sequences are its own, and the only control bytes.
  std::string plain(line);
  for (const std::string_view colour : {"\x1b[32m", "\x1b[36m", "\x1b[m", "\x1b[0m"}) {
    for (auto at = plain.find(colour); at != std::string::npos; at = plain.find(colour)) {
      plain.erase(at, colour.size());
    }
  }
  FUZZ_CHECK(promise::fuzz::printable_utf8(plain), out);
  FUZZ_CHECK(plain.size() <= 4000 + 64, out);
  const std::string_view input = promise::fuzz::as_text(data, size);
  for (const char* secret : kSecrets) {
    FUZZ_CHECK(plain.find(secret) == std::string::npos, out);
    // The log's escaped form of the secret (one_line() would mask it, being registered):
    // control bytes and bytes that are not UTF-8 as \xNN. A backslash stays as it is, so only
    // text that held no escape can show one.
    const std::string escaped = log_escaped(secret);
    if (input.find(escaped) == std::string_view::npos) {
      FUZZ_CHECK(plain.find(escaped) == std::string::npos, out);
    }
  }
  return 0;
}
