#pragma once
// The check every path option of a file-reading promise shares: an empty value is a bad option
// ("empty path"), refused at --install and at run. Header-only, so that only the promises that
// use it compile it.

#include <CLI/CLI.hpp>

#include <string>

namespace promise {

// type_name is what --help shows for the value: FILE, DIR, PATH.
inline CLI::Validator non_empty_path(const std::string& type_name) {
  return CLI::Validator(
      [](std::string& value) { return value.empty() ? "empty path" : std::string(); }, type_name);
}

}  // namespace promise
