#include "process.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace promise::test {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ProcessResult run_process(const ProcessSpec& spec) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv = spec.argv;
  std::vector<std::string> env = spec.env.value_or(std::vector<std::string>{});
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    if (spec.merge_stderr) ::dup2(pipe_fds[1], STDERR_FILENO);
    if (spec.before_exec) spec.before_exec();
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) ::_exit(126);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (spec.env) {
      ::execve(c_argv[0], c_argv.data(), c_env.data());
    } else {
      ::execv(c_argv[0], c_argv.data());
    }
    const std::string message = std::string("exec ") + c_argv[0] + ": " + std::strerror(errno);
    [[maybe_unused]] auto ignored = ::write(STDOUT_FILENO, message.data(), message.size());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  ::close(pipe_fds[1]);
  ProcessResult result;
  bool terminated = false, killed = false, sigterm_sent = false;
  Clock::time_point terminated_at;
  bool open = true;
  int status = 0;
  bool reaped = false;
  while (open || !reaped) {
    const double elapsed = since(start);
    if (!sigterm_sent && spec.sigterm_after >= 0 && elapsed >= spec.sigterm_after) {
      ::kill(-pid, SIGTERM);
      sigterm_sent = true;
    }
    if (!terminated && elapsed >= spec.time_limit) {
      result.timed_out = true;
      ::kill(-pid, SIGTERM);
      terminated = true;
      terminated_at = Clock::now();
    }
    if (terminated && !killed && since(terminated_at) >= spec.kill_grace) {
      ::kill(-pid, SIGKILL);
      killed = true;
    }
    if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      result.seconds = since(start);
    }
    if (!open) {
      ::usleep(1000);
      continue;
    }
    pollfd fd{pipe_fds[0], POLLIN, 0};
    if (::poll(&fd, 1, 5) > 0) {
      char buffer[8192];
      const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
      if (n > 0) {
        result.output.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        open = false;
      }
    } else if (reaped) {
      // The child is gone; a grandchild may still hold the pipe. Don't wait for it.
      open = false;
    }
  }
  ::close(pipe_fds[0]);
  ::kill(-pid, SIGKILL);  // nothing of the group may survive the test
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

ProcessResult run(const std::vector<std::string>& argv, double time_limit) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.time_limit = time_limit;
  return run_process(spec);
}

std::vector<std::string> clean_environment() {
  return {"PATH=/usr/bin:/bin", "HOME=/nonexistent", "PYTHONNOUSERSITE=true"};
}

bool is_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80             ? 1
                    : (c & 0xE0) == 0xC0 ? 2
                    : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

namespace {
bool write_file(const char* path, const std::string& text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}
}  // namespace

void enter_private_namespaces(const std::string& hosts_file, const std::string& resolv_file,
                              bool dns_blackhole) {
  const auto uid = ::getuid();
  const auto gid = ::getgid();
  const int flags = CLONE_NEWUSER | CLONE_NEWNS | (dns_blackhole ? CLONE_NEWNET : 0);
  if (::unshare(flags) != 0) ::_exit(125);
  write_file("/proc/self/setgroups", "deny");
  if (!write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
      !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
    ::_exit(125);
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(125);
  if (!hosts_file.empty() &&
      ::mount(hosts_file.c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) {
    ::_exit(125);
  }
  if (!resolv_file.empty() &&
      ::mount(resolv_file.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0) {
    ::_exit(125);
  }
  if (dns_blackhole) {
    const int control = ::socket(AF_INET, SOCK_DGRAM, 0);
    ifreq request{};
    std::strcpy(request.ifr_name, "lo");
    ::ioctl(control, SIOCGIFFLAGS, &request);
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    if (::ioctl(control, SIOCSIFFLAGS, &request) != 0) ::_exit(125);
    // Bound and never read, and inherited across exec: queries to it vanish.
    const int dns = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(53);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(dns, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) ::_exit(125);
  }
}

bool namespaces_available() {
  ProcessSpec spec;
  spec.argv = {"/bin/true"};
  spec.before_exec = [] { enter_private_namespaces("", "", true); };
  return run_process(spec).exit_code == 0;
}

std::string binary(const std::string& name) {
  return std::string(PROMISE_BIN_DIR) + "/" + name;
}

TempDir::TempDir() {
  std::string pattern = std::filesystem::temp_directory_path().string() + "/promise-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace promise::test
