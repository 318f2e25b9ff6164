#include "process.hpp"

#include "promise/process.hpp"

#include <arpa/inet.h>
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

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace promise::test {

ProcessResult run_process(const ProcessSpec& spec) {
  ChildSpec child;
  child.argv = spec.argv;
  child.env = spec.env;
  child.cwd = spec.cwd;
  child.time_limit = spec.time_limit;
  child.kill_grace = spec.kill_grace;
  child.sigterm_after = spec.sigterm_after;
  child.merge_stderr = spec.merge_stderr;
  child.before_exec = spec.before_exec;
  child.wait_for_output_eof = false;  // a daemon started by the test may keep the pipe
  child.kill_leftovers = true;        // nothing of the group may survive the test
  child.output_limit = std::numeric_limits<std::size_t>::max();
  ChildResult child_result = run_child(child);
  ProcessResult result;
  result.exit_code = child_result.exit_code;
  result.signal = child_result.signal;
  result.output = std::move(child_result.output);
  result.seconds = child_result.seconds;
  result.timed_out = child_result.timed_out;
  result.max_rss_kib = child_result.max_rss_kib;
  if (child_result.start_errno != 0) {
    result.output += std::string(child_result.start_step) + " " +
                     (spec.argv.empty() ? "" : spec.argv[0]) + ": " +
                     std::strerror(child_result.start_errno);
  }
  return result;
}

ProcessResult run(const std::vector<std::string>& argv, double time_limit) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.time_limit = time_limit;
  return run_process(spec);
}

std::size_t fill_pipe(int write_fd) {
  const int flags = ::fcntl(write_fd, F_GETFL);
  ::fcntl(write_fd, F_SETFL, flags | O_NONBLOCK);
  const std::string chunk(4096, '.');
  std::size_t held = 0;
  for (;;) {
    const ssize_t n = ::write(write_fd, chunk.data(), chunk.size());
    if (n > 0) {
      held += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN: less room than a chunk (pipe writes up to PIPE_BUF are all or nothing)
  }
  while (::write(write_fd, ".", 1) == 1) ++held;
  ::fcntl(write_fd, F_SETFL, flags);
  return held;
}

ProcessResult run_with_full_output_pipe(const ProcessSpec& spec, double drain_after) {
  using Clock = std::chrono::steady_clock;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const std::size_t filler = fill_pipe(fds[1]);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    if (spec.before_exec) spec.before_exec();
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  bool sent = false;
  while (elapsed() < drain_after) {
    if (!sent && spec.sigterm_after >= 0 && elapsed() >= spec.sigterm_after) {
      ::kill(pid, SIGTERM);
      sent = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string output;
  for (;;) {
    pollfd ready{fds[0], POLLIN, 0};
    if (::poll(&ready, 1, 100) == 0) {
      if (elapsed() > spec.time_limit) ::kill(-pid, SIGKILL);
      continue;
    }
    char buffer[65536];
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // every writer is gone
    output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult result;
  result.seconds = elapsed();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.output = output.substr(std::min(filler, output.size()));
  return result;
}

std::vector<std::string> clean_environment() {
  return {"PATH=/usr/bin:/bin", "HOME=/nonexistent", "PYTHONNOUSERSITE=true"};
}

ProcessResult run_with_stalled_dns(const std::vector<std::string>& argv) {
  TempDir dir;
  std::ofstream(dir / "resolv.conf") << "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n";
  std::ofstream(dir / "hosts") << "127.0.0.1 localhost\n";
  ProcessSpec spec;
  spec.argv = argv;
  spec.before_exec = [&] { enter_private_namespaces(dir / "hosts", dir / "resolv.conf", true); };
  return run_process(spec);
}

ProcessResult run_with_stalled_dns_into_full_pipe(const std::vector<std::string>& argv,
                                                  double drain_after) {
  TempDir dir;
  std::ofstream(dir / "resolv.conf") << "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n";
  std::ofstream(dir / "hosts") << "127.0.0.1 localhost\n";
  ProcessSpec spec;
  spec.argv = argv;
  spec.before_exec = [&] { enter_private_namespaces(dir / "hosts", dir / "resolv.conf", true); };
  return run_with_full_output_pipe(spec, drain_after);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void overwrite_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

void append_to_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::app) << content;
}

ProcessResult run_program(const std::string& program, std::vector<std::string> args) {
  args.insert(args.begin(), program);
  return run(args);
}

bool is_utf8(const std::string& text) {
  Utf8Validator validator;
  validator.feed(text);
  return !validator.finish().has_value();
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
    bring_loopback_up();
    // Bound and never read, and inherited across exec: queries to it vanish.
    const int dns = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(53);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(dns, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) ::_exit(125);
  }
}

void enter_private_tmpfs(const std::string& mount_point, const std::string& options) {
  enter_private_namespaces("", "", false);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    ::_exit(125);
  }
}

void bring_loopback_up() {
  const int control = ::socket(AF_INET, SOCK_DGRAM, 0);
  ifreq request{};
  std::strcpy(request.ifr_name, "lo");
  ::ioctl(control, SIOCGIFFLAGS, &request);
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (::ioctl(control, SIOCSIFFLAGS, &request) != 0) ::_exit(125);
  ::close(control);
}

void listen_on_link_local_loopback(int port) {
  // SIOCSIFADDR on an AF_INET6 socket takes struct in6_ifreq (linux/ipv6.h).
  struct {
    in6_addr address;
    std::uint32_t prefix_length;
    int interface_index;
  } request{};
  ::inet_pton(AF_INET6, "fe80::1", &request.address);
  request.prefix_length = 64;
  request.interface_index = static_cast<int>(::if_nametoindex("lo"));
  const int control = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (request.interface_index == 0 || ::ioctl(control, SIOCSIFADDR, &request) != 0) ::_exit(125);
  const int listener = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(static_cast<std::uint16_t>(port));
  address.sin6_addr = request.address;
  address.sin6_scope_id = static_cast<std::uint32_t>(request.interface_index);
  // The new address is tentative until the kernel's address work runs (a few ms): bind fails
  // with EADDRNOTAVAIL until then.
  int tries = 0;
  while (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EADDRNOTAVAIL || ++tries > 400) ::_exit(125);
    ::usleep(5000);
  }
  if (::listen(listener, 16) != 0) ::_exit(125);
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
