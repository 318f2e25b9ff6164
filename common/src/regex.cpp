#include "promise/regex.hpp"

#include "promise/text.hpp"

#include <re2/re2.h>

#include <memory>
#include <stdexcept>

namespace promise {
namespace {

// One pattern per run: validated while parsing, searched once by the check. Compiled once.
struct Compiled {
  std::string pattern;
  std::unique_ptr<RE2> regex;
};

const RE2& compiled(const std::string& pattern) {
  static Compiled last;
  if (!last.regex || last.pattern != pattern) {
    RE2::Options options;
    options.set_log_errors(false);    // errors become our one-line message, not stderr noise
    options.set_never_capture(true);  // only "is there a match": the DFA alone answers that
    last.regex = std::make_unique<RE2>(pattern, options);
    last.pattern = pattern;
  }
  return *last.regex;
}

}  // namespace

const CLI::Validator& regular_expression() {
  static const CLI::Validator validator(
      [](std::string& pattern) -> std::string {
        const RE2& regex = compiled(pattern);
        if (regex.ok()) return {};
        const std::string shown = "'" + untrusted(pattern, 100) + "'";
        switch (regex.error_code()) {
          case RE2::ErrorPatternTooLarge:
            return shown +
                   " exceeds the regular expression engine's memory limit (RE2: " + regex.error() +
                   ")";
          case RE2::ErrorRepeatSize:
            return shown + " is not a valid regular expression: " + regex.error() +
                   " (RE2 repeats at most 1000 times)";
          default:
            return shown + " is not a valid regular expression: " + regex.error();
        }
      },
      "REGEX", "regular_expression");
  return validator;
}

bool regex_search(const std::string& pattern, std::string_view text) {
  const RE2& regex = compiled(pattern);
  if (!regex.ok()) throw std::invalid_argument("invalid regular expression");
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), regex);
}

}  // namespace promise
