// status_json() (runner/status_json.cpp), the writer of slapgrid's result files: whatever the
// file names and the promise printed, the output is one line of ASCII that a strict JSON parser
// reads, with slapgrid's keys and types, and every string reads back as the exact bytes given
// (file names that are not UTF-8 as Python's surrogateescape writes them). There is no reader
// in the runner: the parser of fuzz.hpp is the reader.
//
// Input: 1 byte of verdict, 4 of milliseconds, 5 of date, then title, name, path and message
// separated by NUL bytes.
#include "status_json.hpp"
#include "fuzz.hpp"

#include <cmath>
#include <ctime>

namespace {

using promise::fuzz::Input;
using promise::fuzz::Json;

void check_string(const Json& object, std::string_view key, std::string_view expected) {
  const Json* value = object.get(key);
  FUZZ_CHECK(value != nullptr && value->type == Json::Type::string, key);
  FUZZ_CHECK(value->text == expected, value->text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(promise::fuzz::as_text(data, size));
  promise::runner::PromiseResult result;
  result.verdict = static_cast<promise::runner::Verdict>(input.byte() % 4);
  // A measured duration: 0 to about 50 days, to the millisecond and beyond.
  result.seconds = static_cast<double>(input.number(4)) / 997.0;
  // Any date a clock can give, up to the year 2514.
  result.date = static_cast<std::time_t>(input.number(5) % (std::uint64_t{1} << 34));
  result.file.title = std::string(input.until('\0'));
  result.file.name = std::string(input.until('\0'));
  result.file.path = std::string(input.until('\0'));
  result.message = std::string(input.rest());

  const std::string line = promise::runner::status_json(result);
  for (const char c : line) {
    FUZZ_CHECK(c >= 0x20 && c < 0x7F, line);  // json.dump's ensure_ascii: one ASCII line
  }
  const auto parsed = promise::fuzz::JsonParser::parse(line);
  FUZZ_CHECK(parsed.has_value(), line);
  FUZZ_CHECK(parsed->type == Json::Type::object, line);
  check_string(*parsed, "title", result.file.title);
  check_string(*parsed, "name", result.file.name);
  check_string(*parsed, "path", result.file.path);
  const Json* took = parsed->get("execution-time");
  FUZZ_CHECK(took != nullptr && took->type == Json::Type::number, line);
  FUZZ_CHECK(took->text.find('.') != std::string::npos, took->text);  // a Python float
  FUZZ_CHECK(std::fabs(std::stod(took->text) - result.seconds) <= 0.0005 + result.seconds * 1e-12,
             took->text);
  const Json* outcome = parsed->get("result");
  FUZZ_CHECK(outcome != nullptr && outcome->type == Json::Type::object, line);
  check_string(*outcome, "type", "Test Result");
  check_string(*outcome, "message", result.message);
  const Json* failed = outcome->get("failed");
  FUZZ_CHECK(failed != nullptr && failed->type == Json::Type::boolean, line);
  FUZZ_CHECK(failed->boolean == (result.verdict != promise::runner::Verdict::ok), line);
  const Json* date = outcome->get("date");
  FUZZ_CHECK(date != nullptr && date->type == Json::Type::string, line);
  std::tm parts{};
  ::gmtime_r(&result.date, &parts);
  char expected_date[40];
  std::strftime(expected_date, sizeof expected_date, "%Y-%m-%dT%H:%M:%S+0000", &parts);
  FUZZ_CHECK(date->text == expected_date, date->text);
  return 0;
}
