// The status line: the one line slapgrid (and Nagios, and an operator) reads.
#include "promise/text.hpp"
#include "shared.hpp"

#include <cmath>
#include <cstdio>

namespace promise::detail {
namespace {

constexpr std::size_t kMaxLineBytes = 1000;
constexpr std::size_t kCutNoteBytes = 32;  // room for " ... (N bytes cut)"

// JSON numbers.
std::string number(double value) {
  if (!std::isfinite(value)) return "0";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

// Perfdata labels and units must not break the Nagios syntax: keep [A-Za-z0-9_.-] (and '%',
// a unit of the plugin guidelines).
std::string perfdata_token(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-' || c == '%';
    out += safe ? c : '_';
  }
  return out;
}

// A threshold range or bound: digits, '.', '-', ':', '@', '~', 'e', '+' only; else nothing.
std::string perfdata_range(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '@' || c == '~' ||
          c == 'e' || c == '+')) {
      return {};
    }
  }
  return std::string(text);
}

// label=value[UOM];[warn];[crit];[min];[max], the empty fields at the end left out.
std::string perfdata_item(const Metric& m) {
  // Appends, not operator+ chains: GCC 12 -O3 warns falsely (-Wrestrict) on those.
  std::string out = perfdata_token(m.name);
  out += '=';
  out += perfdata_number(m.value);
  out += perfdata_token(m.unit);
  std::string limits;
  for (const std::string* field : {&m.warn, &m.crit, &m.min, &m.max}) {
    limits += ';';
    limits += perfdata_range(*field);
  }
  while (!limits.empty() && limits.back() == ';') limits.pop_back();
  return out + limits;
}

std::string safe_message(const Outcome& outcome, std::size_t budget) {
  // one_line masks the secrets before it escapes and cuts.
  return one_line(outcome.message, budget > kCutNoteBytes ? budget - kCutNoteBytes : 0);
}

}  // namespace

std::string render(const Outcome& outcome, Format format, double elapsed_seconds) {
  return render(outcome, format, elapsed_seconds, exit_code(outcome.state));
}

std::string render(const Outcome& outcome, Format format, double elapsed_seconds, int exit) {
  const std::string state(state_name(outcome.state));
  switch (format) {
    case Format::json: {
      std::string out =
          "{\"state\":" + json_string(state) + ",\"exit_code\":" + std::to_string(exit) +
          ",\"message\":" + json_string(safe_message(outcome, kMaxLineBytes)) + ",\"metrics\":{";
      for (std::size_t i = 0; i < outcome.metrics.size(); ++i) {
        const auto& m = outcome.metrics[i];
        // The Nagios labels: whatever a name holds, the line stays valid JSON (UTF-8).
        // Appended piece by piece: GCC 12 warns (-Wrestrict) on `"," + string`, falsely.
        if (i) out += ',';
        out += json_string(perfdata_token(m.name));
        out += ":{\"value\":";
        out += number(m.value);
        out += ",\"unit\":";
        out += json_string(perfdata_token(m.unit));
        out += '}';
      }
      return out + "},\"elapsed\":" + number(elapsed_seconds) + "}\n";
    }
    case Format::nagios: {
      std::string perfdata;
      for (const auto& m : outcome.metrics) {
        perfdata += ' ';
        perfdata += perfdata_item(m);
      }
      std::string message = safe_message(outcome, kMaxLineBytes - state.size() - 3);
      for (auto& c : message) {
        if (c == '|') c = '/';  // a '|' in the message would start fake perfdata
      }
      return state + " - " + message + (perfdata.empty() ? "" : " |" + perfdata) + "\n";
    }
    case Format::text:
      break;
  }
  return state + ": " + safe_message(outcome, kMaxLineBytes - state.size() - 2) + "\n";
}

}  // namespace promise::detail
