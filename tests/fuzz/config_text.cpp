// The configuration of a script-mode promise (common/src/config_file.cpp), hand-editable text:
// any text is either read or refused with CLI::ConfigError (which the runner reports as one
// UNKNOWN line), never anything else; and what was read survives render_config() and a second
// reading byte for byte, in order, repeated names included.
#include "fuzz.hpp"
#include "internal.hpp"

#include <sstream>

namespace {

std::vector<CLI::ConfigItem> read_config(const std::string& text, bool& refused) {
  std::istringstream stream(text);
  refused = false;
  try {
    return promise::detail::PromiseConfigFormat().from_config(stream);
  } catch (const CLI::ConfigError&) {
    refused = true;
    return {};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(promise::fuzz::as_text(data, size));
  if (text.rfind("\x7f"
                 "ELF",
                 0) == 0) {
    return 0;  // a copy-mode file: the config_trailer target
  }
  bool refused = false;
  const auto items = read_config(text, refused);
  if (refused) return 0;

  // Render what was read through the writer of --install: one option per name (named o<i>, so
  // that any name the reader accepts works), its values as results, in order.
  CLI::App app;
  for (std::size_t i = 0; i < items.size(); ++i) {
    FUZZ_CHECK(!items[i].name.empty());
    FUZZ_CHECK(!items[i].inputs.empty(), items[i].name);
    CLI::Option* option = app.add_option("--o" + std::to_string(i));
    for (const auto& value : items[i].inputs) option->add_result(value);
  }
  std::string rendered;
  try {
    rendered = promise::detail::render_config(app, false);
  } catch (const CLI::ValidationError&) {
    return 0;  // a value the format cannot hold is refused at --install
  }
  const auto again = read_config(rendered, refused);
  FUZZ_CHECK(!refused, rendered);
  FUZZ_CHECK(again.size() == items.size(), rendered);
  for (std::size_t i = 0; i < items.size(); ++i) {
    FUZZ_CHECK(again[i].name == "o" + std::to_string(i), rendered);
    FUZZ_CHECK(again[i].inputs == items[i].inputs, rendered);
  }
  // The rendered text is plain: one `name = "value"` line per value, nothing unprintable.
  for (const char c : rendered) {
    FUZZ_CHECK(c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F), rendered);
  }
  return 0;
}
