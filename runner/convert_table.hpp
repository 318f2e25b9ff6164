#pragma once
// What `slapos-promise convert` maps: each SlapOS promise (toolbox plugin, or cookbook recipe
// writing a legacy promise) to our binary, and each of its options to ours. Data only, in
// convert_table.cpp; convert.cpp applies it.

#include <string_view>
#include <vector>

namespace promise::runner {

struct OptionMapping {
  std::string_view key;     // the plugin's option, as in extra_config_dict ("http-code")
  std::string_view option;  // ours ("--http-code"); empty: not mapped, for the reason in note
  std::string_view note;    // why it is dropped, or what changes when it is mapped
};

struct PromiseMapping {
  std::string_view plugin;  // toolbox module (slapos.promise.plugin.<plugin>) or recipe name
  std::string_view binary;  // ours; empty: no native replacement, for the reason in note
  // Options that keep the plugin's own period and rule (CATALOGUE 2.5), added unless the
  // profile sets the same option: "--frequency 60".
  std::vector<std::string_view> rule;
  std::vector<OptionMapping> options;
  std::string_view note;
};

// Options every plugin may get (GenericPromise's own keys, the rule keys): looked up when the
// plugin's own list does not name the key.
const std::vector<OptionMapping>& generic_option_mappings();

// The plugin or recipe by name; nullptr when we do not know it.
const PromiseMapping* find_promise_mapping(std::string_view plugin);

// Every entry, for the documentation and the tests.
const std::vector<PromiseMapping>& promise_mappings();

}  // namespace promise::runner
