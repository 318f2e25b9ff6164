#pragma once
// The convert and compare subcommands of slapos-promise, declared apart from its main so that
// the dispatch there stays two lines.

#include "convert.hpp"

#include <CLI/CLI.hpp>

namespace promise::runner {

struct ConvertCli {
  CLI::App* convert = nullptr;
  CLI::App* compare = nullptr;
  ConvertOptions options;
  double timeout = 20;  // slapgrid's promise_timeout
  std::size_t jobs = 1;

  bool selected() const {
    return (convert != nullptr && *convert) || (compare != nullptr && *compare);
  }
};

void declare_convert_commands(CLI::App& app, ConvertCli& cli);

// Runs the selected one: its exit code.
int run_convert_command(const ConvertCli& cli);

}  // namespace promise::runner
