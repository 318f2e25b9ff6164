#include "report.hpp"

#include "promise/text.hpp"

#include <string.h>

#include <algorithm>
#include <cstdio>

namespace promise::runner {
namespace {

constexpr std::size_t kMaxNameBytes = 60;
constexpr std::size_t kMaxMessageBytes = 1000;
constexpr std::size_t kMinMessageBytes = 40;
constexpr std::size_t kCutNoteBytes = 24;  // " ... (123456 bytes cut)"

// Columns a UTF-8 string takes on a terminal, near enough: one per code point.
std::size_t columns(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string pad_right(std::string text, std::size_t width) {
  const std::size_t used = columns(text);
  if (used < width) text.append(width - used, ' ');
  return text;
}

std::string pad_left(const std::string& text, std::size_t width) {
  const std::size_t used = columns(text);
  return used < width ? std::string(width - used, ' ') + text : text;
}

std::string time_text(const PromiseResult& result) {
  if (result.verdict == Verdict::skipped) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", result.seconds);
  return buffer;
}

std::string message_text(const PromiseResult& result, std::size_t message_bytes) {
  std::string text = result.message;
  if (text.empty() && result.verdict == Verdict::failed) {
    const char* signal_name = result.signal != 0 ? ::sigabbrev_np(result.signal) : nullptr;
    text = signal_name != nullptr
               ? std::string("(no output; killed by SIG") + signal_name + ")"
               : "(no output; exit code " + std::to_string(result.exit_code) + ")";
  }
  std::string flat;
  for (char c : text) {
    if (c == '\n') {
      flat += " | ";
    } else {
      flat += c;
    }
  }
  return one_line(flat, message_bytes);
}

}  // namespace

const char* verdict_word(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok:
      return "OK";
    case Verdict::failed:
      return "FAILED";
    case Verdict::timed_out:
      return "TIMEOUT";
    case Verdict::skipped:
      break;
  }
  return "SKIPPED";
}

std::string render_table(const std::vector<PromiseResult>& results, bool full_paths,
                         std::size_t terminal_columns) {
  std::vector<std::string> names;
  std::size_t name_width = columns("PROMISE");
  std::size_t time_width = columns("TIME");
  for (const auto& result : results) {
    names.push_back(untrusted(full_paths ? result.file.path : result.file.name, kMaxNameBytes));
    name_width = std::max(name_width, columns(names.back()));
    time_width = std::max(time_width, columns(time_text(result)));
  }
  const std::size_t state_width = columns("TIMEOUT");
  const std::size_t prefix = name_width + state_width + time_width + 6 + kCutNoteBytes;
  const std::size_t message_bytes =
      terminal_columns == 0
          ? kMaxMessageBytes
          : std::max(kMinMessageBytes, terminal_columns > prefix ? terminal_columns - prefix : 0);
  std::string out = pad_right("PROMISE", name_width) + "  " + pad_right("STATE", state_width) +
                    "  " + pad_left("TIME", time_width) + "  MESSAGE\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    out += pad_right(names[i], name_width) + "  " +
           pad_right(verdict_word(results[i].verdict), state_width) + "  " +
           pad_left(time_text(results[i]), time_width) + "  " +
           message_text(results[i], message_bytes) + "\n";
  }
  return out;
}

std::string render_summary(const std::vector<PromiseResult>& results, double wall_seconds) {
  std::size_t ok = 0, failed = 0, timed_out = 0, skipped = 0;
  for (const auto& result : results) {
    ok += result.verdict == Verdict::ok;
    failed += result.verdict == Verdict::failed || result.verdict == Verdict::timed_out;
    timed_out += result.verdict == Verdict::timed_out;
    skipped += result.verdict == Verdict::skipped;
  }
  const std::size_t promises = results.size() - skipped;
  char buffer[200];
  std::snprintf(buffer, sizeof buffer, "%zu promise%s: %zu OK, %zu failed", promises,
                promises == 1 ? "" : "s", ok, failed);
  std::string out = buffer;
  if (timed_out > 0) out += " (" + std::to_string(timed_out) + " timed out)";
  std::snprintf(buffer, sizeof buffer, " in %.2f s", wall_seconds);
  out += buffer;
  if (skipped > 0) {
    out += "; " + std::to_string(skipped) + " bad promise file" + (skipped == 1 ? "" : "s") +
           " skipped";
  }
  return out + "\n";
}

}  // namespace promise::runner
