// The status line (common/src/output.cpp render(), with one_line() and the secret masking of
// log.cpp): for any message, metric names, units and values, in each format, exactly one line
// of printable UTF-8 within 1000 bytes plus the state, with no registered secret in it; JSON
// that a strict parser reads back; in Nagios format at most one '|', before the perfdata.
//
// Input: 1 byte of state, 1 byte of metric count, then NUL-separated fields: the message, then
// for each metric its name, its unit and 8 bytes of value.
#include "fuzz.hpp"
#include "internal.hpp"
#include "promise/log.hpp"
#include "promise/outcome.hpp"

#include <cstring>

namespace {

using promise::detail::Format;
using promise::fuzz::Input;
using promise::fuzz::Json;

// Registered once: the list of secrets is per process, as in a promise. Each holds a space or
// a '#' and starts with no hex digit, so no escape ("\xNN") next to text can make it up.
constexpr const char* kSecrets[] = {"S3cret pass#1", "tab\there #x", "Caf\xc3\xa9 #pw",
                                    "\xff\xfe raw #bytes"};

double value_from(std::string_view bytes) {
  double value = 0;
  char raw[sizeof value] = {};
  std::memcpy(raw, bytes.data(), std::min(bytes.size(), sizeof raw));
  std::memcpy(&value, raw, sizeof value);
  return value;  // any bit pattern: NaN, infinities, denormals
}

void check_line(const promise::Outcome& outcome, Format format) {
  const std::string line = promise::detail::render(outcome, format, 0.25);
  FUZZ_CHECK(!line.empty() && line.back() == '\n', line);
  const std::string_view body(line.data(), line.size() - 1);
  FUZZ_CHECK(promise::fuzz::printable_utf8(body), line);
  for (const char* secret : kSecrets) FUZZ_CHECK(body.find(secret) == std::string::npos, line);
  const std::string state(promise::state_name(outcome.state));
  switch (format) {
    case Format::text:
      FUZZ_CHECK(body.rfind(state + ": ", 0) == 0, line);
      FUZZ_CHECK(body.size() <= 1000, line);
      break;
    case Format::nagios: {
      FUZZ_CHECK(body.rfind(state + " - ", 0) == 0, line);
      const auto bar = body.find('|');
      FUZZ_CHECK(bar == std::string::npos || body.find('|', bar + 1) == std::string::npos, line);
      FUZZ_CHECK((bar == std::string::npos ? body.size() : bar) <= 1000, line);
      if (bar != std::string::npos) FUZZ_CHECK(!outcome.metrics.empty(), line);
      break;
    }
    case Format::json: {
      const auto parsed = promise::fuzz::JsonParser::parse(body);
      FUZZ_CHECK(parsed && parsed->type == Json::Type::object, line);
      const Json* state_value = parsed->get("state");
      FUZZ_CHECK(state_value && state_value->text == state, line);
      const Json* code = parsed->get("exit_code");
      FUZZ_CHECK(code && code->type == Json::Type::number &&
                     code->text == std::to_string(promise::exit_code(outcome.state)),
                 line);
      const Json* message = parsed->get("message");
      FUZZ_CHECK(message && message->type == Json::Type::string && message->text.size() <= 1000,
                 line);
      const Json* metrics = parsed->get("metrics");
      FUZZ_CHECK(metrics && metrics->type == Json::Type::object, line);
      for (const Json& metric : metrics->items) {
        const Json* value = metric.get("value");
        FUZZ_CHECK(value && value->type == Json::Type::number, line);
      }
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (const char* secret : kSecrets) promise::register_secret(secret);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  promise::Outcome outcome;
  outcome.state = static_cast<promise::State>(input.byte() % 4);
  const int metric_count = input.byte() % 4;
  outcome.message = std::string(input.until('\0'));
  for (int i = 0; i < metric_count && !input.empty(); ++i) {
    std::string name(input.until('\0'));
    std::string unit(input.until('\0'));
    const double value = value_from(input.until('\0'));
    outcome.metric(std::move(name), value, std::move(unit));
  }
  for (const Format format : {Format::text, Format::json, Format::nagios}) {
    check_line(outcome, format);
  }
  return 0;
}
