// --install: a promise writes itself into a promise directory with its arguments baked in.
#include "internal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace promise::detail {
namespace {

// The kernel reads at most this many bytes of a script to find its interpreter line
// (BINPRM_BUF_SIZE, Linux >= 5.1); a longer line is cut or refused.
constexpr std::size_t kShebangMax = 256;

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

std::string read_file(const std::string& path, bool& exists) {
  exists = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    fail("cannot read " + path, errno);
  }
  exists = true;
  std::string content;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      fail("cannot read " + path, error);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Temp file in the target's directory, fsync, rename, fsync the directory: a reader sees
// the old promise or the new one, never half of one.
void write_atomically(const std::string& path, const std::string& content, mode_t mode) {
  const std::string directory = directory_of(path);
  std::string temp = directory + "/." + base_name(path) + ".tmp-XXXXXX";
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) fail("cannot create a file in " + directory, errno);
  auto abandon = [&](const std::string& what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    fail(what, error);
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) abandon("cannot write " + temp);
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) abandon("cannot chmod " + temp);
  if (::fsync(fd) != 0) abandon("cannot fsync " + temp);
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail("cannot write " + temp, error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail("cannot install " + path, error);
  }
  const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string script_promise(const InstallRequest& request, const std::string& binary) {
  if (binary.find_first_of(" \t\n") != std::string::npos) {
    throw std::runtime_error("the binary path '" + binary +
                             "' contains white space, which a #! line cannot hold; "
                             "use --mode copy");
  }
  const std::string shebang = "#!" + binary + " --config";
  if (shebang.size() + 1 > kShebangMax) {
    throw std::runtime_error("the #! line would be " + std::to_string(shebang.size() + 1) +
                             " bytes, the kernel reads at most " + std::to_string(kShebangMax) +
                             "; install the binary under a shorter path or use --mode copy");
  }
  const std::string name = request.promise_name;
  return shebang + "\n# " + name + " promise, written by `" + name +
         " --install`. Run it to check;\n# run it with --show-config to see what it checks, "
         "with -v to see how.\n" +
         request.config_text;
}

}  // namespace

std::string self_executable() {
  char buffer[PATH_MAX + 1];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, PATH_MAX);
  if (n <= 0) fail("cannot find the running executable (/proc/self/exe)", errno);
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string install(const InstallRequest& request) {
  const std::string binary = self_executable();
  std::string content;
  if (request.mode == InstallMode::script) {
    content = script_promise(request, binary);
  } else {
    bool exists = false;
    const std::string self = read_file("/proc/self/exe", exists);
    content =
        embed_config(std::string_view(self).substr(0, executable_size(self)), request.config_text);
  }
  constexpr mode_t kMode = 0700;  // the configuration may hold secrets
  bool exists = false;
  const std::string current = read_file(request.target_path, exists);
  struct stat info {};
  if (exists && current == content && ::stat(request.target_path.c_str(), &info) == 0 &&
      (info.st_mode & 07777) == kMode) {
    return request.target_path + " is up to date";
  }
  write_atomically(request.target_path, content, kMode);
  return "installed " + request.target_path +
         (request.mode == InstallMode::script ? " (script running " + binary + ")"
                                              : " (self-contained copy of " + binary + ")");
}

}  // namespace promise::detail
