#pragma once
// Name resolution bounded by the deadline. getaddrinfo cannot be cancelled, so a name is
// resolved on a detached thread that is abandoned when the deadline comes (the process ends
// with exit_now, without joining it). Numeric addresses never start a thread.

#include "promise/context.hpp"

#include <asio/ip/tcp.hpp>

#include <string>
#include <vector>

namespace promise::detail {

struct Resolved {
  std::vector<asio::ip::tcp::endpoint> endpoints;  // in Happy Eyeballs order (RFC 8305 §4)
  std::string error;                               // empty on success
  bool timed_out = false;
  bool numeric = false;  // the host was an IP literal: nothing was looked up
  double seconds = 0;
};

Resolved resolve_tcp(const std::string& host, int port, const Context& context);

// "[::1]:8080", "127.0.0.1:8080"
std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint);

}  // namespace promise::detail
