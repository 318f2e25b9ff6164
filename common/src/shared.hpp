#pragma once
// Pieces of libpromise shared between its own sources that need no CLI11 (internal.hpp adds
// those that do): a source that includes only this one pays neither CLI11's compile time nor
// its per-translation-unit static initialisers (~4.6 k instructions at every start).

#include "promise/log.hpp"
#include "promise/outcome.hpp"
#include "promise/text.hpp"
#include "signals.hpp"

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise::detail {

void configure_log(Verbosity verbosity, std::chrono::steady_clock::time_point start);

// The status line (text, json or nagios), newline included, secrets masked. The exit code
// (json's exit_code) is the state's, unless a rule (rule.hpp) gives another one.
std::string render(const Outcome& outcome, Format format, double elapsed_seconds);
std::string render(const Outcome& outcome, Format format, double elapsed_seconds, int exit_code);

// JSON string literal with quotes (promise/text.hpp).
using promise::json_string;

// The (last) value of the option `name` in configuration text; nothing if absent or unreadable.
std::optional<std::string> config_value(std::string_view config_text, std::string_view name);

// The option names of configuration text, in order; nothing if it is not well formed.
std::optional<std::vector<std::string>> config_names(std::string_view config_text);

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
