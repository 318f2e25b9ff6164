#pragma once
// Pieces of libpromise shared between its own sources; not part of the promise contract.

#include "promise/log.hpp"
#include "promise/outcome.hpp"
#include "signals.hpp"

#include <CLI/CLI.hpp>

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace promise::detail {

void configure_log(Verbosity verbosity, std::chrono::steady_clock::time_point start);

// The status line (text, json or nagios), newline included, secrets masked. The exit code
// (json's exit_code) is the state's, unless a rule (rule.hpp) gives another one.
std::string render(const Outcome& outcome, Format format, double elapsed_seconds);
std::string render(const Outcome& outcome, Format format, double elapsed_seconds, int exit_code);

// JSON string literal with quotes, escaping everything a JSON parser requires.
std::string json_string(std::string_view text);

// ---- option layer (options.cpp) -----------------------------------------------------------

// "'maybe' is not a boolean: use 1 or 0, ...": the one message for a bad boolean value.
std::string not_a_boolean(std::string_view value);

// add_flag on a bool (no value, the last one wins), --help and --version aside.
bool is_boolean_flag(const CLI::App& app, const CLI::Option& option);

// Gives every boolean flag of app the boolean_value() check (1/0, true/false, yes/no).
void accept_boolean_values(CLI::App& app);

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

// The (last) value of the option `name` in configuration text; nothing if absent or unreadable.
std::optional<std::string> config_value(std::string_view config_text, std::string_view name);

// At most max_bytes of a regular file, read without ever blocking on a FIFO or a device (which
// are refused); nothing, with the reason in why, if it cannot be read.
std::optional<std::string> read_regular_file(const std::string& path, std::size_t max_bytes,
                                             std::string& why);

// The configuration embedded in a --mode copy executable, if the file at path has one.
std::optional<std::string> read_embedded_config(const std::string& path);

// Size of the executable part of a --mode copy file (without its embedded configuration).
std::size_t executable_size(std::string_view file_bytes);

// Appends the trailer that marks embedded configuration.
std::string embed_config(std::string_view executable, std::string_view config);

// ---- instantiation -----------------------------------------------------------------------

enum class InstallMode { script, copy };

struct InstallRequest {
  std::string target_path;
  InstallMode mode = InstallMode::script;
  std::string promise_name;
  std::string config_text;  // from render_config, secrets in clear
};

// Writes the promise file atomically (mode 0700; see install.cpp for what that guarantees).
// Returns the one-line report for the operator. Throws std::runtime_error with a one-line reason.
std::string install(const InstallRequest& request);

struct WriteOptions {
  // O_TMPFILE where the file system has it; false: a named temporary from the start, as on a
  // file system without O_TMPFILE (tests).
  bool unnamed_first = true;
  // Runs once the temporary has its name, just before it is renamed over the file (tests).
  std::function<void()> before_rename;
};

// Writes content as the file at path with this mode, unless it already is exactly that (false).
// The directory's safety is checked, and temporaries of killed installs removed, first.
bool write_promise_file(const std::string& path, std::string_view content, mode_t mode,
                        const WriteOptions& options = {});

// The absolute path of the running executable.
std::string self_executable();

}  // namespace promise::detail
