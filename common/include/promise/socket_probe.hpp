#pragma once
// Is something accepting connections at an address? TCP (IPv4/IPv6, names resolved under the
// deadline, Happy Eyeballs across addresses), UNIX path and abstract UNIX sockets.

#include "promise/context.hpp"
#include "promise/outcome.hpp"

#include <string>

namespace promise {

struct SocketAddress {
  enum class Kind { tcp, unix_path, unix_abstract };
  Kind kind = Kind::tcp;
  std::string host;  // tcp: name or literal, IPv6 without brackets
  int port = 0;      // tcp
  std::string path;  // unix_path: file system path; unix_abstract: name without the leading NUL

  static SocketAddress tcp(std::string host, int port) {
    return {Kind::tcp, std::move(host), port, {}};
  }
  static SocketAddress unix_path(std::string path) {
    return {Kind::unix_path, {}, 0, std::move(path)};
  }
  static SocketAddress unix_abstract(std::string name) {
    return {Kind::unix_abstract, {}, 0, std::move(name)};
  }
};

// "127.0.0.1:8080", "[::1]:8080", "unix socket /run/x.sock", "abstract socket @name".
std::string describe(const SocketAddress& address);

// OK when a connection is accepted before the deadline; CRITICAL naming the cause otherwise
// (refused, unreachable, resolution failure, timeout). Metrics: time to connect.
Outcome check_listening(const SocketAddress& address, const Context& context);

}  // namespace promise
