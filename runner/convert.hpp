#pragma once
// `slapos-promise convert PARTITION`: read the promises slapgrid runs in a partition (the
// etc/plugin/*.py files of slapos.cookbook's promise.plugin recipe, and the legacy scripts of
// its check_url_available and check_port_listening recipes in etc/promise), never executing
// them, and map each to one of our binaries with its options (convert_table.cpp).

#include <string>
#include <vector>

namespace promise::runner {

struct Conversion {
  std::string source;  // the file read: "etc/plugin/apache.py", relative to the partition
  std::string title;   // slapgrid's title: the file name without its extension
  std::string origin;  // "plugin check_url_available", "cookbook check_port_listening", ...
  std::string plugin;  // the table's key: "check_url_available", "cookbook:check_url_available"
  std::string binary;  // our binary's name; empty when not converted
  std::string install_name;        // the promise's file name in etc/promise
  std::vector<std::string> args;   // the options, after --install PATH
  std::vector<std::string> notes;  // an option dropped or changed, with the reason
  std::string problem;             // not empty: not converted, and why
  bool native = false;             // already one of ours: nothing to do
};

// Every *.py of <partition>/etc/plugin (but __init__*), then every file of etc/promise, by
// name. Throws std::runtime_error when the partition cannot be read.
std::vector<Conversion> convert_partition(const std::string& partition);

// One plugin file's text, as the recipe writes it (tests, fuzzing): never throws.
Conversion convert_plugin_text(const std::string& title, const std::string& text);

// One legacy promise's text: the cookbook's dash + curl or Python scripts; problem otherwise.
Conversion convert_legacy_text(const std::string& name, const std::string& text);

// A command line for a POSIX shell: words quoted where needed ('it'\''s').
std::string shell_command(const std::vector<std::string>& argv);

struct ConvertOptions {
  std::string partition;
  std::string write_dir;  // empty: print the commands
  std::string bin_dir;    // where our binaries are: slapos-promise's own directory by default
};

// Prints the conversion (or installs it into write_dir); 0 when every promise converts, 2 when
// some cannot, 3 for bad input.
int convert_command(const ConvertOptions& options);

// `slapos-promise compare PARTITION`: installs the conversions into a scratch directory, runs
// them with the partition as working directory as slapgrid would, and prints each plugin's last
// verdict (.slapgrid/promise/result/<title>.status.json) beside ours. 0 when all agree, 2 when
// any disagrees, 3 for bad input.
int compare_command(const ConvertOptions& options, double timeout, std::size_t jobs);

}  // namespace promise::runner
