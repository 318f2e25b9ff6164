#pragma once
// Pieces of libpromise shared between its own sources; not part of the promise contract.

#include "promise/log.hpp"
#include "promise/outcome.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace promise::detail {

enum class Format { text, json, nagios };

void configure_log(Verbosity verbosity, std::chrono::steady_clock::time_point start);

// The status line (text, json or nagios), newline included, secrets masked. The exit code
// (json's exit_code) is the state's, unless a rule (rule.hpp) gives another one.
std::string render(const Outcome& outcome, Format format, double elapsed_seconds);
std::string render(const Outcome& outcome, Format format, double elapsed_seconds, int exit_code);

// JSON string literal with quotes, escaping everything a JSON parser requires.
std::string json_string(std::string_view text);

// ---- baked-in configuration ------------------------------------------------------------

// Reads our configuration format: `name = "value"` lines (one line per value of a repeated
// option), `#` comments (so a script's shebang line is skipped). A file that starts with an
// ELF header is a --mode copy promise: its configuration is read from the embedded trailer.
class PromiseConfigFormat : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

// The options given (on the command line or baked in) as configuration text, one
// `name = "value"` line per value; secret values shown as *** when mask_secrets is set.
// Throws CLI::ValidationError for a value the format cannot hold (a newline).
std::string render_config(const CLI::App& app, bool mask_secret_values);

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

// Writes the promise file atomically (temp file, fsync, rename, mode 0700). Returns the
// one-line report for the operator. Throws std::runtime_error with a one-line reason.
std::string install(const InstallRequest& request);

// The absolute path of the running executable.
std::string self_executable();

}  // namespace promise::detail
