// Baked-in configuration: the text format of --install and the trailer of --mode copy.
//
// CLI11 2.1's own TOML reader splits values on ',' and ' ' and cuts them at '#', so a
// password or a URL would not survive a round trip. Our format is one `name = "value"` line
// per value with C-style escapes, and reads back byte for byte.
#include "internal.hpp"
#include "promise/options.hpp"
#include "promise/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <istream>
#include <iterator>

namespace promise::detail {
namespace {

constexpr std::string_view kTrailerMagic{"\0SNPCFG1", 8};
constexpr std::size_t kTrailerSize = 8 + kTrailerMagic.size();  // length (LE u64) + magic
constexpr std::size_t kMaxConfigBytes = 1 << 20;

std::string quote(std::string_view value) {
  std::string out = "\"";
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7F) {
      char buffer[5];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

CLI::ConfigError bad_line(std::size_t number, const std::string& why) {
  return CLI::ConfigError("configuration line " + std::to_string(number) + ": " + why,
                          CLI::ExitCodes::ConfigError);
}

// Parses the value part of a line: a quoted string with escapes, or a bare word.
std::string parse_value(std::string_view text, std::size_t line_number) {
  if (text.empty()) throw bad_line(line_number, "missing value");
  if (text.front() != '"') {
    const auto end = text.find_first_of(" \t#");
    std::string_view word = text.substr(0, end);
    if (end != std::string_view::npos &&
        text.substr(end).find_first_not_of(" \t") != std::string_view::npos &&
        text[text.find_first_not_of(" \t", end)] != '#') {
      throw bad_line(line_number, "a value with spaces must be quoted");
    }
    return std::string(word);
  }
  std::string value;
  std::size_t i = 1;
  for (; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] != '\\') {
      value += text[i];
      continue;
    }
    if (++i >= text.size()) break;
    switch (text[i]) {
      case 'n':
        value += '\n';
        break;
      case 't':
        value += '\t';
        break;
      case 'x': {
        const int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) throw bad_line(line_number, "bad \\x escape");
        value += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        value += text[i];  // \" and \\ (and any other escaped character as itself)
    }
  }
  if (i >= text.size()) throw bad_line(line_number, "unterminated quoted value");
  const auto rest = text.substr(i + 1);
  const auto tail = rest.find_first_not_of(" \t");
  if (tail != std::string_view::npos && rest[tail] != '#') {
    throw bad_line(line_number, "unexpected text after the value");
  }
  return value;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::vector<CLI::ConfigItem> parse_config_text(std::string_view text) {
  std::vector<CLI::ConfigItem> items;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) throw bad_line(line_number, "expected name = \"value\"");
    const std::string name(trim(line.substr(0, equals)));
    if (name.empty() ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_-") != std::string::npos) {
      throw bad_line(line_number, "bad option name '" + name + "'");
    }
    std::string value = parse_value(trim(line.substr(equals + 1)), line_number);
    // Thrown, an error message is a C string: a NUL would cut it there. And no option can take
    // one (it ends a name, a path, a URL where a program reads it).
    if (value.find('\0') != std::string::npos) {
      throw bad_line(line_number, "the value of " + name +
                                      " holds a NUL byte, which no option "
                                      "takes: " +
                                      quote(value));
    }
    // Repeated names are the values of one repeated option, in order.
    auto same = std::find_if(items.begin(), items.end(),
                             [&](const CLI::ConfigItem& item) { return item.name == name; });
    if (same != items.end()) {
      same->inputs.push_back(std::move(value));
    } else {
      CLI::ConfigItem item;
      item.name = name;
      item.inputs.push_back(std::move(value));
      items.push_back(std::move(item));
    }
  }
  return items;
}

std::uint64_t read_le64(const char* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// Offset and length of the embedded configuration in a file of the given size and tail.
std::optional<std::pair<std::size_t, std::size_t>> locate_embedded(std::size_t file_size,
                                                                   std::string_view trailer) {
  if (file_size < kTrailerSize || trailer.size() != kTrailerSize) return std::nullopt;
  if (trailer.substr(8) != kTrailerMagic) return std::nullopt;
  const std::uint64_t length = read_le64(trailer.data());
  if (length > kMaxConfigBytes || length > file_size - kTrailerSize) return std::nullopt;
  return std::make_pair(file_size - kTrailerSize - static_cast<std::size_t>(length),
                        static_cast<std::size_t>(length));
}

}  // namespace

std::string PromiseConfigFormat::to_config(const CLI::App* app, bool, bool, std::string) const {
  return render_config(*app, false);
}

std::vector<CLI::ConfigItem> PromiseConfigFormat::from_config(std::istream& input) const {
  char magic[4] = {};
  input.read(magic, sizeof magic);
  const bool elf = input.gcount() == 4 && std::string_view(magic, 4) ==
                                              "\x7f"
                                              "ELF";
  input.clear();
  if (!elf) {
    input.seekg(0);
    return parse_config_text(
        std::string{std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>()});
  }
  // A --mode copy executable: seek to the trailer rather than read megabytes of code.
  input.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(input.tellg());
  if (size < kTrailerSize) return {};
  std::string trailer(kTrailerSize, '\0');
  input.seekg(static_cast<std::streamoff>(size - kTrailerSize));
  input.read(trailer.data(), static_cast<std::streamsize>(kTrailerSize));
  const auto where = locate_embedded(size, trailer);
  if (!where) return {};
  std::string text(where->second, '\0');
  input.seekg(static_cast<std::streamoff>(where->first));
  input.read(text.data(), static_cast<std::streamsize>(text.size()));
  return parse_config_text(text);
}

std::string PromiseConfigFormat::to_flag(const CLI::ConfigItem& item) const {
  if (item.inputs.size() == 1 &&
      (item.inputs.front().empty() || beyond_a_flag_count(item.inputs.front()))) {
    throw CLI::ValidationError("--" + item.name, not_a_boolean(item.inputs.front()));
  }
  return CLI::Config::to_flag(item);
}

std::string render_config(const CLI::App& app, bool mask_secret_values) {
  std::string text;
  // The promise's own options first, then the common ones (--timeout, --format).
  for (bool common : {false, true}) {
    for (const CLI::Option* option : app.get_options()) {
      if (!option->get_configurable() || option->count() == 0) continue;
      if ((option->get_group() == "Common options") != common) continue;
      const std::string name = option->get_single_name();
      const bool secret = mask_secret_values && is_secret(option);
      for (const std::string& value : option->results()) {
        // Other values may carry credentials too: URL user-info, an Authorization header.
        const std::string shown = !mask_secret_values ? value
                                  : secret            ? "***"
                                                      : mask_secrets(value);
        text += name + " = " + quote(shown) + "\n";
      }
    }
  }
  return text;
}

std::optional<std::string> config_value(std::string_view config_text, std::string_view name) {
  try {
    for (const auto& item : parse_config_text(config_text)) {
      if (item.name == name && !item.inputs.empty()) return item.inputs.back();
    }
  } catch (const CLI::ConfigError&) {
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> config_names(std::string_view config_text) {
  try {
    std::vector<std::string> names;
    for (auto& item : parse_config_text(config_text)) names.push_back(std::move(item.name));
    return names;
  } catch (const CLI::ConfigError&) {
    return std::nullopt;
  }
}

std::optional<std::string> read_regular_file(const std::string& path, std::size_t max_bytes,
                                             std::string& why) {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  std::optional<std::string> text;
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    why = std::strerror(errno);
  } else if (!S_ISREG(info.st_mode)) {
    why = "not a regular file";
  } else {
    // Sized by the file (a byte more, to see it end), grown if it grows or says 0 (/proc):
    // filling max_bytes up front would cost a page fault per 4 KiB of a small file.
    const auto size = static_cast<std::size_t>(std::max<off_t>(info.st_size, 0));
    std::string buffer(std::min(max_bytes, std::max<std::size_t>(size + 1, 4096)), '\0');
    std::size_t got = 0;
    while (got < max_bytes) {
      if (got == buffer.size()) buffer.resize(std::min(max_bytes, buffer.size() * 2));
      const ssize_t n = ::read(fd, buffer.data() + got, buffer.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) why = std::strerror(errno);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    if (why.empty()) {
      buffer.resize(got);
      text = std::move(buffer);
    }
  }
  ::close(fd);
  return text;
}

std::optional<std::string> read_embedded_config(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> config;
  struct stat info {};
  char trailer[kTrailerSize];
  if (::fstat(fd, &info) == 0 && info.st_size >= static_cast<off_t>(kTrailerSize) &&
      ::pread(fd, trailer, kTrailerSize, info.st_size - static_cast<off_t>(kTrailerSize)) ==
          static_cast<ssize_t>(kTrailerSize)) {
    const auto size = static_cast<std::size_t>(info.st_size);
    if (auto where = locate_embedded(size, std::string_view(trailer, kTrailerSize))) {
      std::string text(where->second, '\0');
      if (::pread(fd, text.data(), text.size(), static_cast<off_t>(where->first)) ==
          static_cast<ssize_t>(text.size())) {
        config = std::move(text);
      }
    }
  }
  ::close(fd);
  return config;
}

std::size_t executable_size(std::string_view file_bytes) {
  if (file_bytes.size() < kTrailerSize) return file_bytes.size();
  const auto where =
      locate_embedded(file_bytes.size(), file_bytes.substr(file_bytes.size() - kTrailerSize));
  return where ? where->first : file_bytes.size();
}

std::string embed_config(std::string_view executable, std::string_view config) {
  std::string out(executable);
  out += config;
  std::uint64_t length = config.size();
  for (int i = 0; i < 8; ++i) {
    out += static_cast<char>(length & 0xFF);
    length >>= 8;
  }
  out += kTrailerMagic;
  return out;
}

}  // namespace promise::detail
