#include "inspect.hpp"

#include "internal.hpp"
#include "promise/process.hpp"
#include "promise/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace promise::runner {
namespace {

namespace fs = std::filesystem;

constexpr double kHelperSeconds = 5;  // --help, --version, --show-config answer at once
constexpr std::size_t kHeadBytes = 1024;

std::string read_head(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::string head(kHeadBytes, '\0');
  const ssize_t n = ::read(fd, head.data(), head.size());
  const int error = errno;
  ::close(fd);
  if (n < 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(error));
  head.resize(static_cast<std::size_t>(n));
  return head;
}

std::string_view line(std::string_view text, std::size_t number) {
  for (; number > 0; --number) {
    const auto newline = text.find('\n');
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  }
  return text.substr(0, text.find('\n'));
}

std::vector<ChildResult> run_helpers(const std::vector<std::vector<std::string>>& commands) {
  std::vector<ChildSpec> specs;
  for (const auto& argv : commands) {
    ChildSpec spec;
    spec.argv = argv;
    spec.time_limit = kHelperSeconds;
    specs.push_back(std::move(spec));
  }
  return run_children(specs, 4);
}

}  // namespace

std::vector<InstalledBinary> installed_binaries(const std::string& dir,
                                                const std::vector<std::string>& names) {
  std::vector<InstalledBinary> found;
  for (const auto& name : names) {
    const fs::path path = fs::path(dir) / name;
    std::error_code error;
    if (!fs::is_regular_file(path, error) || ::access(path.c_str(), X_OK) != 0) continue;
    found.push_back({name, path.string(), {}});
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<std::vector<std::string>> commands;
  for (const auto& binary : found) {
    commands.push_back({binary.path, "--version"});
    commands.push_back({binary.path, "--help"});
  }
  const auto answers = run_helpers(commands);
  std::vector<InstalledBinary> ours;
  for (std::size_t i = 0; i < found.size(); ++i) {
    // A check_* of another suite (monitoring-plugins) may sit in the same directory.
    if (answers[2 * i].output.find("(slapos-native-promises)") == std::string::npos) continue;
    found[i].description = one_line(line(answers[2 * i + 1].output, 0), 200);
    ours.push_back(std::move(found[i]));
  }
  return ours;
}

PromiseIdentity identify_promise(const std::string& path) {
  const std::string head = read_head(path);
  PromiseIdentity identity;
  if (head.rfind("\x7f"
                 "ELF",
                 0) == 0) {
    if (detail::read_embedded_config(path)) {
      identity.kind = PromiseKind::copy;
      identity.binary = path;
    } else {
      identity.first_line = "(an ELF executable without slapos-native-promises options)";
    }
    return identity;
  }
  const std::string_view first = line(head, 0);
  constexpr std::string_view kSuffix = " --config";
  if (first.starts_with("#!") && first.ends_with(kSuffix)) {
    const std::string binary(first.substr(2, first.size() - 2 - kSuffix.size()));
    const std::string signature =
        "# " + fs::path(binary).filename().string() + " promise, written by `";
    if (!binary.empty() && binary.find(' ') == std::string::npos &&
        line(head, 1).starts_with(signature)) {
      identity.kind = PromiseKind::script;
      identity.binary = binary;
      return identity;
    }
  }
  identity.first_line = head.empty() ? "(an empty file)" : untrusted(first, 200);
  return identity;
}

ShowReport show_promise(const std::string& path) {
  const PromiseIdentity identity = identify_promise(path);
  ShowReport report;
  report.text = "promise: " + untrusted(path, 1000) + "\n";
  if (identity.kind == PromiseKind::foreign) {
    report.text += "mode:    not a slapos-native-promises promise (not run)\nfirst line: " +
                   identity.first_line + "\n";
    report.exit_code = 1;
    return report;
  }
  const bool script = identity.kind == PromiseKind::script;
  // Script mode runs the binary its #! line names, exactly as the kernel would.
  const std::vector<std::string> prefix =
      script ? std::vector<std::string>{identity.binary, "--config", path}
             : std::vector<std::string>{path};
  auto show_config = prefix;
  show_config.push_back("--show-config");
  const auto answers = run_helpers({{identity.binary, "--help"}, show_config});
  report.text += std::string("mode:    ") +
                 (script ? "script (a #! file naming the binary, options in the file)"
                         : "copy (a self-contained copy of the binary, options embedded)") +
                 "\nbinary:  " + untrusted(identity.binary, 1000) + "\n";
  const ChildResult& config = answers[1];
  if (config.start_errno != 0) {
    report.text += "cannot run it: " + std::string(std::strerror(config.start_errno)) + "\n";
    report.exit_code = 3;
    return report;
  }
  // The promise masks its secrets; masking again covers a binary older than that.
  report.text +=
      "checks:  " + one_line(line(answers[0].output, 0), 200) + "\n" + mask_secrets(config.output);
  report.exit_code = config.exit_code < 0 ? 3 : config.exit_code;
  return report;
}

}  // namespace promise::runner
