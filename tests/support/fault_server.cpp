#include "fault_server.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>

namespace promise::test {
namespace {

using asio::ip::tcp;

constexpr std::string_view kHealthyResponse =
    "HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhealthy\n";
constexpr std::string_view kTrickleHeaders =
    "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n";
constexpr std::string_view kEndlessHeaders =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";

// One accepted connection, kept alive by its own callbacks. Stream: a tcp::socket, or an
// asio::ssl::stream over one (the handshake done).
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream socket, FaultServer::Behaviour behaviour, const std::string& location)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), behaviour_(behaviour) {
    redirect_ = "HTTP/1.1 301 Moved Permanently\r\nLocation: " + location +
                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    chunk_ = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";  // 64 KiB chunks
    if (behaviour_ == FaultServer::Behaviour::noise) {
      std::uint32_t seed = 12345;  // a fixed sequence: every run serves the same text
      for (std::size_t i = 7; i < 7 + 0x10000; ++i) {
        seed = seed * 1103515245u + 12345u;
        chunk_[i] = "abcdefghijklmnopqrstuvwxyz <>/="[(seed >> 16) % 31];
      }
    }
  }

  void start() {
    auto self = this->shared_from_this();
    // Read (and ignore) the request; silent peers keep reading and never answer.
    socket_.async_read_some(asio::buffer(request_), [self](std::error_code error, std::size_t) {
      if (error) return;
      self->answer();
    });
  }

 private:
  void answer() {
    auto self = this->shared_from_this();
    switch (behaviour_) {
      case FaultServer::Behaviour::silent:
        start();
        return;
      case FaultServer::Behaviour::redirect:
        asio::async_write(socket_, asio::buffer(redirect_),
                          [self](std::error_code, std::size_t) {});
        return;
      case FaultServer::Behaviour::healthy:
        asio::async_write(socket_, asio::buffer(kHealthyResponse),
                          [self](std::error_code, std::size_t) {});
        return;
      case FaultServer::Behaviour::trickle:
        asio::async_write(socket_, asio::buffer(kTrickleHeaders),
                          [self](std::error_code error, std::size_t) {
                            if (!error) self->trickle();
                          });
        return;
      case FaultServer::Behaviour::endless:
      case FaultServer::Behaviour::noise:
        asio::async_write(socket_, asio::buffer(kEndlessHeaders),
                          [self](std::error_code error, std::size_t) {
                            if (!error) self->endless();
                          });
        return;
    }
  }

  void trickle() {
    auto self = this->shared_from_this();
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self](std::error_code error) {
      if (error) return;
      asio::async_write(self->socket_, asio::buffer("x", 1),
                        [self](std::error_code e, std::size_t) {
                          if (!e) self->trickle();
                        });
    });
  }

  void endless() {
    auto self = this->shared_from_this();
    asio::async_write(socket_, asio::buffer(chunk_), [self](std::error_code error, std::size_t) {
      if (!error) self->endless();
    });
  }

  Stream socket_;
  asio::steady_timer timer_;
  FaultServer::Behaviour behaviour_;
  std::array<char, 4096> request_{};
  std::string chunk_;
  std::string redirect_;
};

}  // namespace

struct FaultServer::Impl {
  Impl(Behaviour b, const std::string& address, int port, const std::string& to,
       const std::string& cert, const std::string& key)
      : behaviour(b),
        location(to),
        acceptor(io,
                 tcp::endpoint(asio::ip::make_address(address), static_cast<unsigned short>(port))),
        host(address),
        tls(!cert.empty()) {
    if (tls) {
      tls_context.use_certificate_chain_file(cert);
      tls_context.use_private_key_file(key, asio::ssl::context::pem);
    }
    accept();
    thread = std::thread([this] { io.run(); });
  }
  ~Impl() {
    io.stop();
    thread.join();
  }
  void accept() {
    acceptor.async_accept([this](std::error_code error, tcp::socket socket) {
      if (error) return;
      ++connections;
      if (!tls) {
        std::make_shared<Session<tcp::socket>>(std::move(socket), behaviour, location)->start();
      } else {
        using TlsStream = asio::ssl::stream<tcp::socket>;
        auto stream = std::make_shared<TlsStream>(std::move(socket), tls_context);
        stream->async_handshake(asio::ssl::stream_base::server, [this, stream](std::error_code e) {
          if (e) return;
          std::make_shared<Session<TlsStream>>(std::move(*stream), behaviour, location)->start();
        });
      }
      accept();
    });
  }

  Behaviour behaviour;
  std::string location;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::string host;
  bool tls;
  asio::ssl::context tls_context{asio::ssl::context::tls_server};
  std::atomic<int> connections{0};
  std::thread thread;
};

FaultServer::FaultServer(Behaviour behaviour, const std::string& address, int port,
                         const std::string& location, const std::string& tls_cert,
                         const std::string& tls_key)
    : impl_(std::make_unique<Impl>(behaviour, address, port, location, tls_cert, tls_key)) {}

FaultServer::~FaultServer() = default;

int FaultServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

int FaultServer::connections() const {
  return impl_->connections.load();
}

std::string FaultServer::url(const std::string& path) const {
  const bool v6 = impl_->host.find(':') != std::string::npos;
  return std::string(impl_->tls ? "https://" : "http://") +
         (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" + std::to_string(port()) + path;
}

}  // namespace promise::test
