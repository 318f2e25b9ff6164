#include "promise/text.hpp"
#include "shared.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cstdio>
#include <memory>

namespace promise {
namespace {

struct LogState {
  std::shared_ptr<spdlog::logger> logger;  // null while quiet: no sink, no formatting cost
  std::chrono::steady_clock::time_point start;
};

LogState& state() {
  static LogState instance;
  return instance;
}

void emit(spdlog::level::level_enum level, std::string_view line) {
  auto& s = state();
  if (!s.logger) return;
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s.start).count();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%9.3f ms] ", ms);
  s.logger->log(level, "{}{}", stamp, one_line(line, 4000));  // secrets masked, then cut
}

}  // namespace

void Log::step(std::string_view line) const {
  if (steps_enabled()) emit(spdlog::level::info, line);
}

void Log::wire(std::string_view line) const {
  if (wire_enabled()) emit(spdlog::level::debug, line);
}

namespace detail {

void configure_log(Verbosity verbosity, std::chrono::steady_clock::time_point start) {
  auto& s = state();
  s.start = start;
  if (verbosity == Verbosity::quiet) return;
  s.logger = std::make_shared<spdlog::logger>("promise",
                                              std::make_shared<spdlog::sinks::stderr_sink_st>());
  s.logger->set_pattern("%^%-5l%$ %v");
  s.logger->set_level(verbosity == Verbosity::wire ? spdlog::level::debug : spdlog::level::info);
  s.logger->flush_on(spdlog::level::debug);  // lines must reach the operator before a hang
}

}  // namespace detail
}  // namespace promise
