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

// register_secret and mask_secrets live with the text helpers that apply them.
#include "promise/text.hpp"
