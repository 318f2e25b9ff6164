#include "resolve.hpp"

#include "promise/text.hpp"

#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>

#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace promise::detail {
namespace {

struct Lookup {
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  int status = 0;
  std::vector<asio::ip::tcp::endpoint> endpoints;
};

int run_getaddrinfo(const std::string& host, int port, int flags,
                    std::vector<asio::ip::tcp::endpoint>& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (status != 0) return status;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    asio::ip::tcp::endpoint endpoint;
    if (ai->ai_addrlen > endpoint.capacity()) continue;
    std::memcpy(endpoint.data(), ai->ai_addr, ai->ai_addrlen);
    endpoint.resize(ai->ai_addrlen);
    if (std::find(out.begin(), out.end(), endpoint) == out.end()) out.push_back(endpoint);
  }
  ::freeaddrinfo(list);
  return 0;
}

// RFC 8305 §4: alternate address families, starting with the resolver's first choice, so a
// dead family costs one stagger step and not the whole list.
std::vector<asio::ip::tcp::endpoint> interleave_families(
    const std::vector<asio::ip::tcp::endpoint>& endpoints) {
  if (endpoints.empty()) return endpoints;
  const bool first_v6 = endpoints.front().address().is_v6();
  std::vector<asio::ip::tcp::endpoint> preferred, other, out;
  for (const auto& e : endpoints)
    (e.address().is_v6() == first_v6 ? preferred : other).push_back(e);
  for (std::size_t i = 0; i < std::max(preferred.size(), other.size()); ++i) {
    if (i < preferred.size()) out.push_back(preferred[i]);
    if (i < other.size()) out.push_back(other[i]);
  }
  return out;
}

}  // namespace

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  return host_port(endpoint.address().to_string(), endpoint.port());
}

Resolved resolve_tcp(const std::string& host, int port, const Context& context) {
  Resolved result;
  const auto start = Deadline::Clock::now();
  // IP literals (and scoped IPv6 like fe80::1%eth0) need no lookup and no thread.
  if (run_getaddrinfo(host, port, AI_NUMERICHOST, result.endpoints) == 0) {
    result.numeric = true;
    return result;
  }
  // A scoped IPv6 literal that did not parse: its zone names no interface here. Nothing to
  // look up (a resolver would only send the text to DNS).
  if (const auto percent = host.find('%'); percent != std::string::npos) {
    const std::string zone = host.substr(percent + 1);
    result.error = ::if_nametoindex(zone.c_str()) == 0
                       ? "no network interface " + untrusted(zone)
                       : "cannot use " + untrusted(host) +
                             ": only a link-local address takes an interface name as its zone "
                             "(give the interface's index)";
    return result;
  }
  context.phase("resolving the host name");
  context.log.step("resolving " + host);
  auto lookup = std::make_shared<Lookup>();
  prepare_for_threads();  // the thread starts with the fatal signals blocked
  try {
    std::thread([lookup, host, port] {
      std::vector<asio::ip::tcp::endpoint> endpoints;
      const int status = run_getaddrinfo(host, port, 0, endpoints);
      std::lock_guard lock(lookup->mutex);
      lookup->status = status;
      lookup->endpoints = std::move(endpoints);
      lookup->done = true;
      lookup->done_signal.notify_all();
    }).detach();
  } catch (const std::system_error& error) {
    result.error = std::string("cannot start the resolver: ") + error.what();
    return result;
  }
  std::unique_lock lock(lookup->mutex);
  const bool finished =
      lookup->done_signal.wait_until(lock, context.deadline.at(), [&] { return lookup->done; });
  result.seconds = seconds(Deadline::Clock::now() - start);
  if (!finished) {
    result.timed_out = true;
    result.error = "resolving " + host + " did not finish within " + human_seconds(result.seconds);
  } else if (lookup->status != 0) {
    result.error = "cannot resolve " + host + ": " + lower_first(::gai_strerror(lookup->status));
  } else if (lookup->endpoints.empty()) {
    result.error = "cannot resolve " + host + ": no usable address";
  } else {
    result.endpoints = interleave_families(lookup->endpoints);
  }
  if (context.log.steps_enabled()) {
    std::string list;
    for (const auto& e : result.endpoints) list += (list.empty() ? "" : ", ") + endpoint_text(e);
    context.log.step(result.error.empty() ? "resolved " + host + " to " + list + " in " +
                                                human_seconds(result.seconds)
                                          : result.error);
  }
  return result;
}

}  // namespace promise::detail
