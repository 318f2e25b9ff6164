#pragma once
// Real listeners on loopback for the tests: TCP (IPv4, IPv6), UNIX path and abstract sockets,
// and a TCP listener whose accept queue is full so that new connections never complete.

#include <string>
#include <vector>

namespace promise::test {

class Listener {
 public:
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  Listener(Listener&& other) noexcept;
  ~Listener();

  // TCP on address ("127.0.0.1", "::1"); port 0 picks a free one.
  static Listener tcp(const std::string& address, int port = 0, int backlog = 64);
  // UNIX stream socket at a file system path, or in the abstract namespace (name without NUL).
  static Listener unix_path(const std::string& path);
  static Listener unix_abstract(const std::string& name);
  // A TCP listener whose accept queue is full: SYNs to it go unanswered, connect() hangs.
  static Listener tcp_blackhole(const std::string& address, int port = 0);

  // Takes ownership of a listening socket.
  static Listener from_fd(int fd, int port);

  int port() const { return port_; }
  int fd() const { return fd_; }

 private:
  Listener() = default;
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;  // connections that fill the accept queue
};

// A port that is free on both 127.0.0.1 and ::1 right now (nobody listens there).
int unused_port();

}  // namespace promise::test
