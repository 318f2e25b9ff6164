// The configuration trailer of a copy-mode promise (common/src/config_file.cpp): for any file
// contents, read_embedded_config() (on a real file descriptor), executable_size() and the ELF
// branch of from_config() agree with the trailer format -- [code][config][length LE u64]
// ["\0SNPCFG1"], config at most 1 MiB -- and never read outside the file; embed_config() writes
// what they read back.
//
// Input: the file contents. The fuzzer finds the magic from the seeds.
#include "fuzz.hpp"
#include "internal.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <sstream>

namespace {

constexpr std::string_view kMagic{"\0SNPCFG1", 8};
constexpr std::size_t kTrailer = 16;

// The trailer format, spelled out again: the embedded configuration, if any.
std::optional<std::string_view> reference_config(std::string_view file) {
  if (file.size() < kTrailer || file.substr(file.size() - 8) != kMagic) return std::nullopt;
  std::uint64_t length = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    length |= std::uint64_t{static_cast<unsigned char>(file[file.size() - kTrailer + i])}
              << (8 * i);
  }
  if (length > (1u << 20) || length > file.size() - kTrailer) return std::nullopt;
  return file.substr(file.size() - kTrailer - length, length);
}

// One file for the whole run, rewritten for each input: read_embedded_config() opens a path.
const std::string& file_with(std::string_view contents) {
  static const int fd = ::memfd_create("config_trailer", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(::ftruncate(fd, 0) == 0);
  FUZZ_CHECK(::pwrite(fd, contents.data(), contents.size(), 0) ==
             static_cast<ssize_t>(contents.size()));
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view contents = promise::fuzz::as_text(data, size);
  const auto expected = reference_config(contents);

  const auto embedded = promise::detail::read_embedded_config(file_with(contents));
  FUZZ_CHECK(embedded.has_value() == expected.has_value());
  if (embedded) FUZZ_CHECK(*embedded == *expected, *embedded);

  const std::size_t code = promise::detail::executable_size(contents);
  FUZZ_CHECK(code == (expected ? contents.size() - kTrailer - expected->size() : contents.size()));

  // The runner reads a copy-mode promise through from_config(): an ELF file is read by its
  // trailer, whose text is then parsed (or refused) as script-mode text.
  std::istringstream elf(
      "\x7f"
      "ELF" +
      std::string(contents));
  try {
    const auto items = promise::detail::PromiseConfigFormat().from_config(elf);
    if (!reference_config(elf.str())) FUZZ_CHECK(items.empty());
  } catch (const CLI::ConfigError&) {
    FUZZ_CHECK(reference_config(elf.str()).has_value());
  }

  // Writing: embed the input's first half as code and the second as config, read both back.
  const std::string_view head = contents.substr(0, contents.size() / 2);
  const std::string_view tail = contents.substr(contents.size() / 2);
  const std::string written = promise::detail::embed_config(head, tail);
  const auto read_back = reference_config(written);
  FUZZ_CHECK(read_back && *read_back == tail);
  FUZZ_CHECK(promise::detail::executable_size(written) == head.size());
  return 0;
}
