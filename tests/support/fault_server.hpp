#pragma once
// HTTP peers that misbehave the way real servers under trouble do, which nginx won't imitate:
// accept and never answer (also a TLS handshake that never starts), send headers then trickle
// the body one byte a second, send a chunked body that never ends. Plus a plain healthy
// responder, for tests that need one on an address of their choosing.
// Any of them also behind TLS (a certificate and key given): the handshake completes, then the
// behaviour. Runs on its own asio thread; stops and joins in the destructor.

#include <memory>
#include <string>

namespace promise::test {

class FaultServer {
 public:
  // redirect: 301 to the location given to the constructor. noise: an endless chunked body of
  // pseudo-random lower-case letters, spaces and markup characters, on one line.
  enum class Behaviour { silent, trickle, endless, healthy, redirect, noise };

  // Listens on address ("127.0.0.1", "::1"); port 0 picks a free one. With tls_cert and tls_key
  // (PEM files), every connection is TLS.
  explicit FaultServer(Behaviour behaviour, const std::string& address = "127.0.0.1", int port = 0,
                       const std::string& location = "", const std::string& tls_cert = "",
                       const std::string& tls_key = "");
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  int port() const;
  int connections() const;  // accepted so far: a client has got as far as connecting
  std::string url(const std::string& path = "/") const;  // http(s)://address:port/path

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace promise::test
