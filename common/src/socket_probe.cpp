// Is something accepting connections? One connect, bounded by the deadline; for a name with
// several addresses, Happy Eyeballs (RFC 8305): attempts staggered by 250 ms, a failure of the
// latest starts the next at once, the first success wins (happy_eyeballs.hpp). A blackholed
// address cannot fail a healthy service.
#include "promise/socket_probe.hpp"

#include "happy_eyeballs.hpp"
#include "promise/text.hpp"
#include "resolve.hpp"

#include <sys/stat.h>
#include <sys/un.h>
#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>

namespace promise {
namespace {

using detail::endpoint_text;

using Clock = Deadline::Clock;

struct Attempt {
  Attempt(asio::io_context& io, asio::ip::tcp::endpoint to) : socket(io), endpoint(to) {}
  asio::ip::tcp::socket socket;
  asio::ip::tcp::endpoint endpoint;
  Clock::time_point started{};
  bool finished = false;
  std::string error;
};

// Runs the race; HappyEyeballsSchedule alone decides when an attempt starts.
class HappyEyeballs {
 public:
  HappyEyeballs(std::vector<asio::ip::tcp::endpoint> endpoints, const Context& context)
      : endpoints_(std::move(endpoints)), schedule_(endpoints_.size()), context_(context) {}

  // Index of the attempt that connected, or nullopt (see attempts() for each error).
  std::optional<std::size_t> run() {
    start_due_attempts();
    io_.run_until(context_.deadline.at());
    return schedule_.winner();
  }
  const std::vector<std::unique_ptr<Attempt>>& attempts() const { return attempts_; }
  Clock::duration connect_time() const { return connect_time_; }
  bool all_tried() const { return schedule_.all_started(); }

 private:
  // Called on every event (the start, an attempt's end, a timer expiry, even a late one): starts
  // what the schedule says is due, then waits for the next start.
  void start_due_attempts() {
    const auto now = Clock::now();
    while (schedule_.due(now)) start_attempt(schedule_.start(now), now);
    const auto next = schedule_.next_start();
    if (!next) {
      stagger_.cancel();
      return;
    }
    stagger_.expires_at(*next);
    stagger_.async_wait([this](std::error_code error) {
      if (error != asio::error::operation_aborted) start_due_attempts();
    });
  }

  void start_attempt(std::size_t index, Clock::time_point now) {
    attempts_.push_back(std::make_unique<Attempt>(io_, endpoints_[index]));
    Attempt& attempt = *attempts_.back();
    attempt.started = now;
    context_.log.step("connecting to " + endpoint_text(attempt.endpoint) + " (address " +
                      std::to_string(index + 1) + " of " + std::to_string(endpoints_.size()) + ")");
    attempt.socket.async_connect(attempt.endpoint,
                                 [this, index](std::error_code error) { finished(index, error); });
  }

  void finished(std::size_t index, std::error_code error) {
    Attempt& attempt = *attempts_[index];
    attempt.finished = true;
    if (schedule_.winner() || error == asio::error::operation_aborted) return;
    const auto now = Clock::now();
    const auto took = now - attempt.started;
    if (!error) {
      schedule_.connected(index);
      connect_time_ = took;
      context_.log.step("connected to " + endpoint_text(attempt.endpoint) + " in " +
                        human_duration(took));
      stagger_.cancel();
      for (auto& other : attempts_) {
        std::error_code ignored;
        other->socket.close(ignored);
      }
      return;
    }
    schedule_.failed(index, now);
    attempt.error = lower_first(error.message());
    context_.log.step(endpoint_text(attempt.endpoint) + ": " + attempt.error + " after " +
                      human_duration(took));
    start_due_attempts();
  }

  asio::io_context io_{1};
  asio::steady_timer stagger_{io_};
  std::vector<asio::ip::tcp::endpoint> endpoints_;
  detail::HappyEyeballsSchedule schedule_;
  const Context& context_;
  std::vector<std::unique_ptr<Attempt>> attempts_;
  Clock::duration connect_time_{};
};

std::string timeout_text(const Context& context) {
  return "no answer within " + human_duration(context.deadline.budget());
}

Outcome check_tcp(const SocketAddress& address, const Context& context) {
  const std::string target = describe(address);
  const auto resolved = detail::resolve_tcp(address.host, address.port, context);
  if (!resolved.error.empty()) {
    return Outcome::critical(target + " is not listening: " + resolved.error);
  }
  context.phase("connecting");
  HappyEyeballs race(resolved.endpoints, context);
  const auto winner = race.run();
  const auto& attempts = race.attempts();
  if (winner) {
    const auto& endpoint = attempts[*winner]->endpoint;
    // Name the address only when it adds something: a name, or several addresses.
    const std::string via = resolved.numeric ? "" : "to " + endpoint_text(endpoint) + " ";
    Outcome outcome = Outcome::ok(target + " is listening (connected " + via + "in " +
                                  human_duration(race.connect_time()) + ")");
    outcome.metric("connect_time", seconds(race.connect_time()), "s");
    if (!resolved.numeric) outcome.metric("resolve_time", resolved.seconds, "s");
    return outcome;
  }
  // Every address failed or the deadline came first: say what happened to each.
  std::string causes;
  for (const auto& attempt : attempts) {
    const std::string cause = attempt->finished ? attempt->error : timeout_text(context);
    causes +=
        (causes.empty() ? "" : ", ") +
        (attempts.size() > 1 || !resolved.numeric ? endpoint_text(attempt->endpoint) + " " : "") +
        cause;
  }
  if (!race.all_tried()) causes += " (deadline reached before the other addresses were tried)";
  return Outcome::critical(target + " is not listening: " + causes);
}

// Why a UNIX connect failed, in the socket's terms. Linux refuses a path that is not a socket as
// it refuses a socket nobody listens on (ECONNREFUSED), and says EAGAIN (asio: "no buffer space
// available") when the listener's accept queue is full.
std::string unix_connect_error(const SocketAddress& address, std::error_code error) {
  if (error == asio::error::no_buffer_space) {
    return "its accept queue is full (the server accepts no connections)";
  }
  struct stat info {};
  if (error == asio::error::connection_refused && address.kind == SocketAddress::Kind::unix_path &&
      ::stat(address.path.c_str(), &info) == 0 && !S_ISSOCK(info.st_mode)) {
    const char* kind = S_ISREG(info.st_mode)    ? "a regular file"
                       : S_ISDIR(info.st_mode)  ? "a directory"
                       : S_ISFIFO(info.st_mode) ? "a FIFO"
                                                : "a device";
    return std::string("it is not a socket (") + kind + ")";
  }
  return lower_first(error.message());
}

Outcome check_unix(const SocketAddress& address, const Context& context) {
  const std::string target = describe(address);
  // sun_path holds 108 bytes: a path and its NUL, or a NUL and an abstract name of up to 107
  // bytes (which asio's local endpoint cannot hold: it keeps a NUL after either).
  const bool abstract = address.kind == SocketAddress::Kind::unix_abstract;
  sockaddr_un name{};
  name.sun_family = AF_UNIX;
  const std::size_t offset = abstract ? 1 : 0;
  if (address.path.empty() || address.path.size() + 1 > sizeof name.sun_path) {
    return Outcome::unknown(target + ": the name does not fit a UNIX socket address (1 to " +
                            std::to_string(sizeof name.sun_path - 1) + " bytes)");
  }
  std::memcpy(name.sun_path + offset, address.path.data(), address.path.size());
  const std::size_t length =
      offsetof(sockaddr_un, sun_path) + offset + address.path.size() + (abstract ? 0 : 1);
  context.phase("connecting");
  context.log.step("connecting to " + target);
  asio::io_context io{1};
  asio::generic::stream_protocol::socket socket(io);
  std::optional<std::error_code> result;
  const auto start = Clock::now();
  socket.async_connect(asio::generic::stream_protocol::endpoint(&name, length),
                       [&](std::error_code error) { result = error; });
  io.run_until(context.deadline.at());
  const auto took = Clock::now() - start;
  if (!result) return Outcome::critical(target + " is not listening: " + timeout_text(context));
  if (*result) {
    context.log.step(target + ": " + result->message());
    return Outcome::critical(target + " is not listening: " + unix_connect_error(address, *result));
  }
  context.log.step("connected in " + human_duration(took));
  Outcome outcome =
      Outcome::ok(target + " is listening (connected in " + human_duration(took) + ")");
  outcome.metric("connect_time", seconds(took), "s");
  return outcome;
}

}  // namespace

std::string describe(const SocketAddress& address) {
  switch (address.kind) {
    case SocketAddress::Kind::unix_path:
      return "unix socket " + untrusted(address.path);
    case SocketAddress::Kind::unix_abstract:
      return "abstract unix socket @" + untrusted(address.path);
    case SocketAddress::Kind::tcp:
      break;
  }
  return host_port(address.host, address.port);
}

Outcome check_listening(const SocketAddress& address, const Context& context) {
  if (address.kind == SocketAddress::Kind::tcp) return check_tcp(address, context);
  return check_unix(address, context);
}

}  // namespace promise
