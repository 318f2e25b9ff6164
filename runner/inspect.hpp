#pragma once
// `list` and `show`: the promise binaries installed with slapos-promise, and what one installed
// promise file is and checks. Only our own binaries are ever run; an unknown script never is.

#include <string>
#include <vector>

namespace promise::runner {

struct InstalledBinary {
  std::string name;  // "check_socket_listening"
  std::string path;
  std::string description;  // the first line of its --help: PROMISE_MAIN's description
};

// The executables of dir among names whose --version names slapos-native-promises, by name.
std::vector<InstalledBinary> installed_binaries(const std::string& dir,
                                                const std::vector<std::string>& names);

enum class PromiseKind { script, copy, foreign };

struct PromiseIdentity {
  PromiseKind kind = PromiseKind::foreign;
  std::string binary;      // script: the binary its #! line names; copy: the file itself
  std::string first_line;  // foreign: its first line, escaped ("#!/bin/sh"), or what it is
};

// Reads the file, runs nothing. Script mode: "#!<binary> --config" then the comment that
// --install writes; copy mode: an ELF file with our configuration trailer. Throws
// std::runtime_error when the file cannot be read.
PromiseIdentity identify_promise(const std::string& path);

struct ShowReport {
  std::string text;
  int exit_code = 0;  // 0 shown, 1 not one of ours, else the exit code of --show-config
};

// Binary, mode, description and effective options (secrets masked, by the promise itself).
ShowReport show_promise(const std::string& path);

}  // namespace promise::runner
