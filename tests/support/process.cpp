#include "process.hpp"

#include "promise/process.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

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

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
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

void enter_private_tmpfs(const std::string& mount_point, const std::string& options) {
  enter_private_namespaces("", "", false);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    ::_exit(125);
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
