// A private nginx for integration tests: plain HTTP, UNIX socket and six (ten) HTTPS flavours.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "test_pki.hpp"

namespace promise::test {

struct NginxOptions {
  std::filesystem::path nginx_binary{"/usr/sbin/nginx"};  // Debian's nginx-light
  std::chrono::milliseconds start_timeout{5000};
  bool ipv6 = true;  // false: 127.0.0.1 only, so a test may put its own listener on [::1]:port
  // Also the TLS servers that differ in what they accept rather than in their certificate
  // (https_rsa_port() and below); off by default since the RSA key takes ~0.1 s to make.
  bool tls_variants = false;
};

// Starts /usr/sbin/nginx as the current user (root not needed) with everything (config, logs,
// pid, temp paths, UNIX socket, document root) in its own temporary directory, and stops it on
// destruction. Listening sockets are bound by the fixture itself and handed to nginx through
// nginx's socket-inheritance mechanism (NGINX environment variable), so several test processes
// can start their own server concurrently with no port race.
//
// Every TCP server listens on 127.0.0.1 and, if the host has it, on [::1] (same port). Each
// server, plain or TLS, serves the same locations:
//   /           200, body kRootBody            /204   204        /404  404      /503  503
//   /301        301 -> /redirect2 -> 301 -> /  (Location headers are relative)
//   /loop       302 -> /loop2 -> 302 -> /loop  (endless)
//   /auth       basic auth: kAuthUser / kAuthPassword, then 200 with body kAuthBody
//   /content    200 text/html whose body contains kContentMarker
//   /big        200, kBigSize bytes of zeros (a sparse file)
//   /minified   200 text/html, kMinifiedSize bytes on one line: <title>minified</title> at the
//               start, </body></html> at the end (a minified page)
//   other paths 404
// Start-up failures throw std::runtime_error carrying nginx's error.log.
// nginx runs as a master with one worker, in its own process group. The master gets SIGTERM if
// the thread that created the fixture dies (PR_SET_PDEATHSIG), so a killed test run leaves no
// stray server behind: create the fixture on a thread that outlives it.
class NginxServer {
 public:
  static constexpr std::string_view kRootBody = "promise-test: ok\n";
  static constexpr std::string_view kContentMarker = "promise-test-content-marker-5f0c2a";
  static constexpr std::string_view kAuthUser = "alice";
  static constexpr std::string_view kAuthPassword = "S3cret pass#1";
  static constexpr std::string_view kAuthBody = "promise-test: authenticated\n";
  static constexpr std::uintmax_t kBigSize = 200ULL * 1024 * 1024;
  static constexpr std::size_t kMinifiedSize = 3 * 1024 * 1024;

  // Uses its own TestPki (default expiring-soon lifetime).
  explicit NginxServer(NginxOptions options = {});
  // Uses the certificates of pki, which only needs to exist while the constructor runs.
  explicit NginxServer(const TestPki& pki, NginxOptions options = {});
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  // Plain HTTP; the same server also listens on unix_socket().
  [[nodiscard]] std::uint16_t http_port() const { return ports_.http; }
  // HTTPS with TestPki::server(): verifies with pki().ca_cert() as localhost/127.0.0.1/::1.
  [[nodiscard]] std::uint16_t https_port() const { return ports_.https; }
  // HTTPS with TestPki::expired().
  [[nodiscard]] std::uint16_t https_expired_port() const { return ports_.https_expired; }
  // HTTPS with TestPki::wrong_host() (only DNS:wrong.example).
  [[nodiscard]] std::uint16_t https_wrong_host_port() const { return ports_.https_wrong_host; }
  // HTTPS with TestPki::self_signed().
  [[nodiscard]] std::uint16_t https_self_signed_port() const { return ports_.https_self_signed; }
  // HTTPS with TestPki::expiring_soon().
  [[nodiscard]] std::uint16_t https_expiring_port() const { return ports_.https_expiring; }
  // HTTPS with TestPki::server() that requires a client certificate issued by the CA
  // (TestPki::client()); without one nginx answers 400.
  [[nodiscard]] std::uint16_t https_client_cert_port() const { return ports_.https_client_cert; }
  // With NginxOptions::tls_variants only (0 otherwise), each valid for the names of server():
  // an RSA-2048 certificate issued by the CA;
  [[nodiscard]] std::uint16_t https_rsa_port() const { return ports_.https_rsa; }
  // server(), TLS 1.2 only; server(), TLS 1.3 only;
  [[nodiscard]] std::uint16_t https_tls12_port() const { return ports_.https_tls12; }
  [[nodiscard]] std::uint16_t https_tls13_port() const { return ports_.https_tls13; }
  // server(), key exchange on secp384r1 only (ssl_ecdh_curve secp384r1).
  [[nodiscard]] std::uint16_t https_secp384r1_port() const { return ports_.https_secp384r1; }

  [[nodiscard]] const std::filesystem::path& unix_socket() const { return unix_socket_; }
  // False when the host has no usable ::1 (e.g. a container without IPv6): no [::1] listeners.
  [[nodiscard]] bool has_ipv6() const { return has_ipv6_; }

  // The PKI whose certificates nginx serves; only for the constructor without a TestPki argument
  // is it guaranteed to outlive the server (otherwise it is the caller's).
  [[nodiscard]] const TestPki& pki() const { return *pki_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::filesystem::path error_log_path() const;
  [[nodiscard]] std::string error_log() const;      // content, for failure messages
  [[nodiscard]] std::string access_log() const;     // content ("combined" format)
  [[nodiscard]] pid_t pid() const { return pid_; }  // the nginx master

  // "scheme://host:port/path"; an IPv6 literal host is bracketed, a missing leading '/' added.
  [[nodiscard]] static std::string url(std::string_view scheme, std::string_view host,
                                       std::uint16_t port, std::string_view path = "/");
  [[nodiscard]] std::string http_url(std::string_view path = "/",
                                     std::string_view host = "127.0.0.1") const;
  // On https_port(), the server with a valid certificate.
  [[nodiscard]] std::string https_url(std::string_view path = "/",
                                      std::string_view host = "localhost") const;

 private:
  struct Ports {
    std::uint16_t http = 0;
    std::uint16_t https = 0;
    std::uint16_t https_expired = 0;
    std::uint16_t https_wrong_host = 0;
    std::uint16_t https_self_signed = 0;
    std::uint16_t https_expiring = 0;
    std::uint16_t https_client_cert = 0;
    std::uint16_t https_rsa = 0;
    std::uint16_t https_tls12 = 0;
    std::uint16_t https_tls13 = 0;
    std::uint16_t https_secp384r1 = 0;
  };

  void start(const NginxOptions& options);
  void stop() noexcept;

  std::unique_ptr<TestPki> owned_pki_;  // set only by the constructor without a TestPki
  const TestPki* pki_;
  ScratchDir dir_;
  std::filesystem::path unix_socket_;
  CertAndKey rsa_server_;  // with tls_variants
  Ports ports_;
  bool has_ipv6_ = false;
  pid_t pid_ = -1;
};

}  // namespace promise::test
