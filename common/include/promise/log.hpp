#pragma once
// The operator's step-by-step log on stderr: silent by default, -v steps, -vv wire detail.
// Secrets registered with the runner are masked in every line.

#include <string_view>

namespace promise {

enum class Verbosity { quiet = 0, steps = 1, wire = 2 };

class Log {
 public:
  explicit Log(Verbosity verbosity = Verbosity::quiet) : verbosity_(verbosity) {}

  bool steps_enabled() const { return verbosity_ >= Verbosity::steps; }
  bool wire_enabled() const { return verbosity_ >= Verbosity::wire; }

  void step(std::string_view line) const;  // -v
  void wire(std::string_view line) const;  // -vv

 private:
  Verbosity verbosity_;
};

}  // namespace promise

#include <string>

namespace promise {

// Values that must never be shown (passwords, tokens): every status line and log line
// written after this call shows them as "***".
void register_secret(std::string value);
std::string mask_secrets(std::string text);

}  // namespace promise
