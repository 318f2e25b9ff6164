#include "dump_options.hpp"

#include "internal.hpp"
#include "promise/options.hpp"

#include <string_view>

namespace promise::detail {

bool dump_options_requested(int argc, char** argv) {
  return argc == 2 && std::string_view(argv[1]) == "--dump-options";
}

std::string options_json(const CLI::App& app) {
  auto boolean = [](bool value) { return value ? std::string("true") : std::string("false"); };
  std::string out = "{\"name\":" + json_string(app.get_name()) +
                    ",\"description\":" + json_string(app.get_description()) + ",\"options\":[";
  bool first = true;
  for (const CLI::Option* option : app.get_options()) {
    std::string names;
    for (const auto& name : option->get_lnames()) {
      names += (names.empty() ? "" : ",") + json_string("--" + name);
    }
    for (const auto& name : option->get_snames()) {
      names += (names.empty() ? "" : ",") + json_string("-" + name);
    }
    const bool flag = option->get_type_size_max() == 0;
    const bool multiple = option->get_expected_max() > 1;
    out += std::string(first ? "" : ",") + "\n{\"names\":[" + names +
           "],\"positional\":" + json_string(option->get_positional() ? option->get_name() : "") +
           ",\"help\":" + json_string(option->get_description()) +
           ",\"type\":" + json_string(flag ? "" : option->get_type_name()) +
           ",\"flag\":" + boolean(flag) + ",\"required\":" + boolean(option->get_required()) +
           ",\"multiple\":" + boolean(multiple) +
           ",\"default\":" + json_string(is_secret(option) ? "" : option->get_default_str()) +
           ",\"group\":" + json_string(option->get_group()) +
           ",\"secret\":" + boolean(is_secret(option)) +
           ",\"configurable\":" + boolean(option->get_configurable()) + "}";
    first = false;
  }
  return out + "\n]}\n";
}

}  // namespace promise::detail
