#include "listeners.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace promise::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_storage tcp_address(const std::string& address, int port, socklen_t& length) {
  sockaddr_storage storage{};
  if (address.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) != 1) fail("bad address " + address);
    length = sizeof(sockaddr_in6);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) != 1) fail("bad address " + address);
    length = sizeof(sockaddr_in);
  }
  return storage;
}

int bound_port(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

// Connects without blocking; true when the handshake completed within wait_ms.
bool connect_completes(const std::string& address, int port, int wait_ms, int& fd_out) {
  socklen_t length = 0;
  auto storage = tcp_address(address, port, length);
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  fd_out = fd;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, wait_ms) <= 0) return false;
  int error = 0;
  socklen_t error_length = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length);
  return error == 0;
}

Listener unix_listener(const std::string& name, bool abstract) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::size_t offset = abstract ? 1 : 0;
  // One byte of sun_path is a NUL either way: after a path, before an abstract name.
  if (name.size() + 1 > sizeof address.sun_path) throw std::runtime_error("name too long");
  std::memcpy(address.sun_path + offset, name.data(), name.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset +
                                             name.size() + (abstract ? 0 : 1));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) fail("bind " + name);
  if (::listen(fd, 64) != 0) fail("listen " + name);
  return Listener::from_fd(fd, 0);
}

}  // namespace

Listener Listener::from_fd(int fd, int port) {
  Listener listener;
  listener.fd_ = fd;
  listener.port_ = port;
  return listener;
}

Listener::Listener(Listener&& other) noexcept
    : fd_(other.fd_), port_(other.port_), fillers_(std::move(other.fillers_)) {
  other.fd_ = -1;
  other.fillers_.clear();
}

Listener::~Listener() {
  for (int fd : fillers_) ::close(fd);
  if (fd_ >= 0) ::close(fd_);
}

Listener Listener::tcp(const std::string& address, int port, int backlog) {
  socklen_t length = 0;
  auto storage = tcp_address(address, port, length);
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (storage.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    fail("bind " + address + ":" + std::to_string(port));
  }
  if (::listen(fd, backlog) != 0) fail("listen");
  return from_fd(fd, bound_port(fd));
}

Listener Listener::tcp_blackhole(const std::string& address, int port) {
  Listener listener = tcp(address, port, 0);
  // Fill the accept queue (never accepting) until a handshake no longer completes.
  for (int i = 0; i < 64; ++i) {
    int fd = -1;
    const bool completed = connect_completes(address, listener.port_, 200, fd);
    listener.fillers_.push_back(fd);
    if (!completed) return listener;
  }
  throw std::runtime_error("could not fill the accept queue of " + address);
}

Listener Listener::unix_path(const std::string& path) {
  return unix_listener(path, false);
}
Listener Listener::unix_abstract(const std::string& name) {
  return unix_listener(name, true);
}

int unused_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    Listener v6 = Listener::tcp("::1");
    try {
      Listener v4 = Listener::tcp("127.0.0.1", v6.port());
      return v6.port();
    } catch (const std::runtime_error&) {
    }
  }
  throw std::runtime_error("no port free on both 127.0.0.1 and ::1");
}

}  // namespace promise::test
