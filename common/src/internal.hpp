#pragma once
// Pieces of libpromise shared between its own sources; not part of the promise contract.
// Those that need no CLI11 are in shared.hpp.

#include "shared.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace promise::detail {

// ---- option layer (options.cpp) -----------------------------------------------------------

// "'maybe' is not a boolean: use 1 or 0, ...": the one message for a bad boolean value.
std::string not_a_boolean(std::string_view value);
// Whether a flag's value would overflow CLI11's std::stoll (which then throws out_of_range).
bool beyond_a_flag_count(std::string_view value);

// add_flag on a bool (no value, the last one wins), --help and --version aside.
bool is_boolean_flag(const CLI::App& app, const CLI::Option& option);

// Once every option of app is declared: each boolean flag takes the boolean_value() check
// (1/0, true/false, yes/no), each repeatable option one value, as given, per occurrence.
void settle_value_syntax(CLI::App& app);

// The command line as CLI11 parses it (reversed), with a boolean flag's "--flag V" joined into
// "--flag=V" when V is not an option: SlapOS's config-verify = 1 translates to --verify 1.
// Throws CLI::ValidationError for an empty value, which CLI11 would read as true.
std::vector<std::string> arguments_for_parse(const CLI::App& app, int argc,
                                             const char* const* argv);

// ---- baked-in configuration ------------------------------------------------------------

// Reads our configuration format: `name = "value"` lines (one line per value of a repeated
// option), `#` comments (so a script's shebang line is skipped). A file that starts with an
// ELF header is a --mode copy promise: its configuration is read from the embedded trailer.
class PromiseConfigFormat : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
  // A flag's value: CLI11 reads an empty one as true; it is refused instead.
  std::string to_flag(const CLI::ConfigItem& item) const override;
};

// The options given (on the command line or baked in) as configuration text, one
// `name = "value"` line per value; secret values shown as *** when mask_secrets is set.
// Throws CLI::ValidationError for a value the format cannot hold (a newline).
std::string render_config(const CLI::App& app, bool mask_secret_values);

}  // namespace promise::detail
