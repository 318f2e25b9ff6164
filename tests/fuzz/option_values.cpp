// The option validators of common/src/options.cpp on any value: each accepts exactly what its
// help promises, refuses the rest with a one-line reason, and throws nothing.
//   port_number()      an integer 1-65535, digits only
//   host_name()        a host name or IP literal, normalised to IPv6 without brackets
//   positive_seconds() a finite number of seconds in (0, 86400], plain decimal or exponent
//
// Input: 1 byte choosing the validator, then the value.
#include "fuzz.hpp"
#include "promise/options.hpp"

#include <arpa/inet.h>

#include <cstdlib>

namespace {

bool is_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

void check_port(const std::string& value) {
  std::string given = value;
  const std::string error = promise::port_number()(given);
  FUZZ_CHECK(given == value);
  // Digits only (no sign, no space), 1-65535 whatever the leading zeros.
  std::string digits = value;
  while (digits.size() > 1 && digits.front() == '0') digits.erase(0, 1);
  const bool valid = is_digits(value) && digits.size() <= 5 && std::stoi(digits) >= 1 &&
                     std::stoi(digits) <= 65535;
  FUZZ_CHECK(error.empty() == valid, value);
}

void check_host(const std::string& value) {
  std::string host = value;
  const std::string error = promise::host_name()(host);
  if (!error.empty()) {
    FUZZ_CHECK(host == value, host);
    return;
  }
  FUZZ_CHECK(!host.empty(), value);
  for (const char ch : host) {
    const auto c = static_cast<unsigned char>(ch);
    FUZZ_CHECK(c > 0x20 && c != 0x7F && c != '/' && c != '[' && c != ']', value);
  }
  // A ':' makes it an IPv6 literal, which the resolver takes as it is; a zone may follow '%'
  // (fe80::1%eth0), the address before it must be one.
  in6_addr address{};
  if (host.find(':') != std::string::npos) {
    const std::string literal = host.substr(0, host.find('%'));
    FUZZ_CHECK(inet_pton(AF_INET6, literal.c_str(), &address) == 1, value);
  }
  // Normalised once: the transform of a normalised value changes nothing.
  std::string again = host;
  FUZZ_CHECK(promise::host_name()(again).empty() && again == host, value);
}

// A plain decimal number with an optional exponent: 2, 0.25, .5, 5., 1e-3 (no sign, no space,
// no hex, no inf or nan).
bool decimal_syntax(std::string_view text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i - start;
  };
  std::size_t mantissa = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

void check_seconds(const std::string& value) {
  std::string given = value;
  const std::string error = promise::positive_seconds()(given);
  FUZZ_CHECK(given == value);
  // strtod, not std::stod: a denormal such as 1e-310 is a number (std::stod throws on it, and
  // once aborted a promise whose --timeout-file held one).
  const double seconds = decimal_syntax(value) ? std::strtod(value.c_str(), nullptr) : 0;
  // Below a millisecond is refused too: no deadline that short can be kept.
  const bool valid = decimal_syntax(value) && seconds >= 0.001 && seconds <= 86400;
  FUZZ_CHECK(error.empty() == valid, value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  promise::fuzz::Input input(promise::fuzz::as_text(data, size));
  const std::uint8_t which = input.byte();
  const std::string value(input.rest());
  switch (which % 3) {
    case 0:
      check_port(value);
      break;
    case 1:
      check_host(value);
      break;
    default:
      check_seconds(value);
      break;
  }
  return 0;
}
