#pragma once
// --dump-options (hidden): a promise's option declarations as JSON, read at build time by the
// generators that must not drift from --help (cmake/Icinga.cmake: Icinga 2 CheckCommands).

#include <CLI/CLI.hpp>

#include <string>

namespace promise::detail {

// True when argv asks for the dump: exactly `<binary> --dump-options`.
bool dump_options_requested(int argc, char** argv);

// {"name": ..., "description": ..., "options": [{"names": ["--url"], "positional": "",
//  "help": ..., "type": "TEXT", "flag": false, "required": true, "multiple": false,
//  "default": "", "group": ..., "secret": false, "configurable": true}, ...]}
std::string options_json(const CLI::App& app);

}  // namespace promise::detail
