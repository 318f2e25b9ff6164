// --install: a promise writes itself into a promise directory with its arguments baked in.
//
// What an install guarantees, whatever stops it (README, instantiation):
// - A reader (slapgrid) sees the old promise or the new one, complete, never a part: the file is
//   written, chmodded and fsynced before it gets a name. Where the file system has O_TMPFILE it
//   is written unnamed, then linked in: a first install links it as the promise itself; a
//   replacement links it under a temporary name and renames that over the promise (linkat cannot
//   replace a name, rename can). Elsewhere (NFS, overlayfs before Linux 6.6) it is written under
//   a temporary name, not executable (slapgrid skips it) until complete.
// - No temporary is left behind: it is removed on every error and on SIGTERM, SIGINT and SIGHUP
//   (runner.cpp's handler calls discard_install_temporary). One left by a SIGKILLed install is
//   removed by the next install of the same promise. Every install holds an flock on its
//   temporary, so that only those of dead installs are removed, never one a concurrent install
//   is writing.
// - A temporary name stays within NAME_MAX, whatever the length of the promise's name.
// - The promise is never written through a symlink: a symlink in its place is replaced.
// - A directory that others could write to is refused (check_directory).
#include "shared.hpp"
#include "signals.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace promise::detail {
namespace {

// The kernel reads at most this many bytes of a script to find its interpreter line
// (BINPRM_BUF_SIZE, Linux >= 5.1); a longer line is cut or refused.
constexpr std::size_t kShebangMax = 256;
// A temporary is named ".<promise name>.tmp-XXXXXX".
constexpr std::string_view kTemporaryMark = ".tmp-";
constexpr std::size_t kRandomLength = 6;

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string read_all(int fd, const std::string& path) {
  std::string content;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read " + path, errno);
    if (n == 0) return content;
    content.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string read_file(const std::string& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot read " + path, errno);
  return read_all(fd.get(), path);
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

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// ---- the named temporary, for the fatal-signal handler ---------------------------------------
// Fixed storage and a flag set once it is filled: discard_install_temporary reads it from a
// signal handler.

struct NamedTemporary {
  int directory = -1;
  char name[NAME_MAX + 1] = {};
};
NamedTemporary g_temporary;
volatile std::sig_atomic_t g_temporary_named = 0;

void remember_temporary(int directory, const std::string& name) {
  g_temporary_named = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  g_temporary.directory = directory;
  const std::size_t length = std::min(name.size(), sizeof g_temporary.name - 1);
  std::memcpy(g_temporary.name, name.data(), length);
  g_temporary.name[length] = '\0';
  std::atomic_signal_fence(std::memory_order_seq_cst);
  g_temporary_named = 1;
}

void forget_temporary() {
  g_temporary_named = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

// While a temporary gets its name and is remembered, the fatal signals wait: delivered in
// between (a SIGSTOP/SIGCONT lands exactly there, at the return from the system call), the
// handler would not know the name yet. The signal thread (signals.cpp) waits on the mutex; a
// handler run in place (no signal thread) is held off by the mask.
std::mutex g_naming;

class FatalSignalsHeld {
 public:
  FatalSignalsHeld() : naming_(g_naming) {
    sigset_t fatal;
    sigemptyset(&fatal);
    for (int signal_number : {SIGALRM, SIGTERM, SIGINT, SIGHUP}) sigaddset(&fatal, signal_number);
    ::pthread_sigmask(SIG_BLOCK, &fatal, &previous_);
  }
  ~FatalSignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  FatalSignalsHeld(const FatalSignalsHeld&) = delete;
  FatalSignalsHeld& operator=(const FatalSignalsHeld&) = delete;

 private:
  std::lock_guard<std::mutex> naming_;
  sigset_t previous_;
};

// ---- where the promise goes ------------------------------------------------------------------

struct Target {
  std::string path;       // as given, for messages
  std::string directory;  // as given
  std::string name;
  FileDescriptor directory_fd;
  std::string temporary_prefix;  // ".<name, cut to fit>.tmp-"
};

// Refuses a directory that someone other than its owner could write to without the sticky bit:
// they could replace the promise that slapgrid runs as the partition user. Checked for the
// directory and every directory above it (who can rename etc/ can replace etc/promise).
// Group-writable is accepted for the installer's own group only: SlapOS gives each partition user
// a group of its own; another group's members are other users.
void check_directory(const std::string& real_directory) {
  std::string path = real_directory;
  for (;;) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) fail("cannot inspect " + path, errno);
    if ((info.st_mode & S_ISVTX) == 0) {
      if ((info.st_mode & S_IWOTH) != 0) {
        throw std::runtime_error(path +
                                 " is writable by others (no sticky bit): anyone could replace "
                                 "the promise; remove that write permission (chmod o-w)");
      }
      if ((info.st_mode & S_IWGRP) != 0 && info.st_gid != ::getegid()) {
        throw std::runtime_error(path + " is writable by group " + std::to_string(info.st_gid) +
                                 ", not ours: its members could replace the promise; remove "
                                 "that write permission (chmod g-w)");
      }
    }
    if (path == "/") return;
    path = directory_of(path);
  }
}

// ".<name>.tmp-", the name cut (at a character boundary) so that the temporary's whole name,
// with its random part, stays within the file system's limit.
std::string temporary_prefix(const std::string& name, int directory_fd) {
  long name_max = ::fpathconf(directory_fd, _PC_NAME_MAX);
  if (name_max <= 0 || name_max > NAME_MAX) name_max = NAME_MAX;
  const std::size_t overhead = 1 + kTemporaryMark.size() + kRandomLength;
  std::size_t keep = name.size();
  if (keep + overhead > static_cast<std::size_t>(name_max)) {
    keep = static_cast<std::size_t>(name_max) > overhead
               ? static_cast<std::size_t>(name_max) - overhead
               : 0;
    while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;
  }
  // Appended, not "." + ...: GCC 12 warns (-Wrestrict) on that form, falsely.
  std::string prefix = ".";
  prefix.append(name, 0, keep);
  prefix += kTemporaryMark;
  return prefix;
}

Target open_target(const std::string& path) {
  Target target;
  target.path = path;
  target.directory = directory_of(path);
  target.name = base_name(path);
  if (target.name.empty() || target.name == "." || target.name == "..") {
    throw std::runtime_error(path + " does not name a file");
  }
  target.directory_fd =
      FileDescriptor(::open(target.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (target.directory_fd.get() < 0) fail("cannot open the directory " + target.directory, errno);
  // The directory opened, not what its path names by now.
  char real[PATH_MAX + 1];
  const std::string link = "/proc/self/fd/" + std::to_string(target.directory_fd.get());
  const ssize_t n = ::readlink(link.c_str(), real, PATH_MAX);
  if (n > 0 && real[0] == '/') {
    check_directory(std::string(real, static_cast<std::size_t>(n)));
  } else if (::realpath(target.directory.c_str(), real) != nullptr) {
    check_directory(real);
  } else {
    fail("cannot resolve " + target.directory, errno);
  }
  target.temporary_prefix = temporary_prefix(target.name, target.directory_fd.get());
  return target;
}

// True when the promise file is already exactly this: a regular file (not a symlink) with this
// content and mode.
bool holds(const Target& target, std::string_view content, mode_t mode) {
  const FileDescriptor fd(::openat(target.directory_fd.get(), target.name.c_str(),
                                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ELOOP) return false;  // absent, or a symlink to replace
    fail("cannot read " + target.path, errno);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode) || (info.st_mode & 07777) != mode ||
      static_cast<std::size_t>(info.st_size) != content.size()) {
    return false;
  }
  return read_all(fd.get(), target.path) == content;
}

bool is_temporary_of(std::string_view entry, std::string_view prefix) {
  if (entry.size() != prefix.size() + kRandomLength || !entry.starts_with(prefix)) return false;
  for (char c : entry.substr(prefix.size())) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Removes the temporaries of this promise that no live install holds: left by a SIGKILLed one.
void remove_stale_temporaries(const Target& target) {
  const int directory = target.directory_fd.get();
  const int list_fd = ::openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (list_fd < 0) return;
  DIR* listing = ::fdopendir(list_fd);
  if (listing == nullptr) {
    ::close(list_fd);
    return;
  }
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(listing)) {
    if (is_temporary_of(entry->d_name, target.temporary_prefix)) stale.emplace_back(entry->d_name);
  }
  ::closedir(listing);
  for (const auto& name : stale) {
    const FileDescriptor fd(
        ::openat(directory, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat opened {
    }, named{};
    // Locked: a live install is writing or renaming it.
    if (fd.get() < 0 || ::fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode) ||
        ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      continue;
    }
    // Still the file locked under that name (its install may have just renamed it away).
    if (::fstatat(directory, name.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 &&
        same_file(opened, named)) {
      ::unlinkat(directory, name.c_str(), 0);
    }
  }
}

std::string random_name_part() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[kRandomLength];
  if (::getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof bytes)) {
    auto seed = static_cast<unsigned long long>(
                    std::chrono::steady_clock::now().time_since_epoch().count()) ^
                (static_cast<unsigned long long>(::getpid()) << 32);
    for (auto& byte : bytes) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      byte = static_cast<unsigned char>(seed >> 56);
    }
  }
  std::string part;
  for (unsigned char byte : bytes) part += kAlphabet[byte % kAlphabet.size()];
  return part;
}

// Removes the temporary (if named) unless it was renamed into place; closes the signal hook.
class TemporaryGuard {
 public:
  explicit TemporaryGuard(const Target& target) : target_(target) {}
  TemporaryGuard(const TemporaryGuard&) = delete;
  TemporaryGuard& operator=(const TemporaryGuard&) = delete;
  ~TemporaryGuard() {
    if (!name_.empty()) ::unlinkat(target_.directory_fd.get(), name_.c_str(), 0);
    forget_temporary();
  }
  void named(std::string name) {
    name_ = std::move(name);
    remember_temporary(target_.directory_fd.get(), name_);
  }
  const std::string& name() const { return name_; }
  void renamed() {
    forget_temporary();
    name_.clear();
  }

 private:
  const Target& target_;
  std::string name_;
};

// A new file under a free temporary name, locked and still ours (a concurrent install's sweep
// may remove an unlocked one between its creation and our lock: then another name).
FileDescriptor create_named_temporary(const Target& target, TemporaryGuard& guard) {
  const int directory = target.directory_fd.get();
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string name = target.temporary_prefix + random_name_part();
    const FatalSignalsHeld held;
    FileDescriptor file(::openat(directory, name.c_str(),
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (file.get() < 0) {
      if (errno == EEXIST) continue;
      fail("cannot create a file in " + target.directory, errno);
    }
    guard.named(name);
    ::flock(file.get(), LOCK_EX);
    struct stat opened {
    }, named{};
    if (::fstat(file.get(), &opened) == 0 &&
        ::fstatat(directory, name.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 &&
        same_file(opened, named)) {
      return file;
    }
    guard.renamed();  // not ours any more: nothing to remove
  }
  fail("cannot create a file in " + target.directory, EEXIST);
}

// Gives the complete unnamed file a name: the promise's own when there is none yet, else a free
// temporary one (returned) to rename over it.
std::string link_into_place(const Target& target, int file, TemporaryGuard& guard) {
  const std::string self = "/proc/self/fd/" + std::to_string(file);
  const int directory = target.directory_fd.get();
  if (::linkat(AT_FDCWD, self.c_str(), directory, target.name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
    return {};
  }
  if (errno != EEXIST) fail("cannot install " + target.path, errno);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string name = target.temporary_prefix + random_name_part();
    const FatalSignalsHeld held;
    if (::linkat(AT_FDCWD, self.c_str(), directory, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      guard.named(name);
      return name;
    }
    if (errno != EEXIST) fail("cannot install " + target.path, errno);
  }
  fail("cannot install " + target.path, EEXIST);
}

void write_into(const Target& target, std::string_view content, mode_t mode,
                const WriteOptions& options) {
  const int directory = target.directory_fd.get();
  TemporaryGuard guard(target);
  FileDescriptor file;
  // Linking an unnamed file needs /proc/self/fd (linkat with AT_EMPTY_PATH needs a capability).
  if (options.unnamed_first && ::access("/proc/self/fd", X_OK) == 0) {
    file = FileDescriptor(::openat(directory, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (file.get() >= 0) ::flock(file.get(), LOCK_EX);
  }
  const bool unnamed = file.get() >= 0;
  if (!unnamed) file = create_named_temporary(target, guard);
  for (std::size_t written = 0; written < content.size();) {
    const ssize_t n = ::write(file.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write " + target.path, errno);
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(file.get(), mode) != 0) fail("cannot chmod " + target.path, errno);
  if (::fsync(file.get()) != 0) fail("cannot write " + target.path, errno);
  if (unnamed && link_into_place(target, file.get(), guard).empty()) {
    ::fsync(directory);  // linked as the promise itself: no temporary name ever existed
    return;
  }
  if (options.before_rename) options.before_rename();
  if (::renameat(directory, guard.name().c_str(), directory, target.name.c_str()) != 0) {
    fail("cannot install " + target.path, errno);
  }
  guard.renamed();
  ::fsync(directory);
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

void discard_install_temporary_once_named() noexcept {
  const std::lock_guard lock(g_naming);
  discard_install_temporary();
}

void discard_install_temporary() noexcept {
  if (g_temporary_named != 0) ::unlinkat(g_temporary.directory, g_temporary.name, 0);
}

bool write_promise_file(const std::string& path, std::string_view content, mode_t mode,
                        const WriteOptions& options) {
  const Target target = open_target(path);
  remove_stale_temporaries(target);
  if (holds(target, content, mode)) return false;
  write_into(target, content, mode, options);
  return true;
}

std::string install(const InstallRequest& request) {
  const std::string binary = self_executable();
  std::string content;
  if (request.mode == InstallMode::script) {
    content = script_promise(request, binary);
  } else {
    const std::string self = read_file("/proc/self/exe");
    content =
        embed_config(std::string_view(self).substr(0, executable_size(self)), request.config_text);
  }
  constexpr mode_t kMode = 0700;  // the configuration may hold secrets
  if (!write_promise_file(request.target_path, content, kMode)) {
    return request.target_path + " is up to date";
  }
  return "installed " + request.target_path +
         (request.mode == InstallMode::script ? " (script running " + binary + ")"
                                              : " (self-contained copy of " + binary + ")");
}

}  // namespace promise::detail
