// Throw-away PKI for TLS tests: a CA plus server and client certificates in a temporary directory.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace promise::test {

// A fresh directory (mkdtemp under $TMPDIR or /tmp) removed with its content on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&& other) noexcept;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// PEM files of one certificate and its unencrypted private key.
struct CertAndKey {
  std::filesystem::path cert;
  std::filesystem::path key;
};

enum class KeyType { ec_p256, rsa_2048 };

// What issue() puts into a certificate.
struct CertRequest {
  std::string file_stem;  // files <dir>/<file_stem>.pem and .key
  std::string common_name;
  std::vector<std::string> subject_alt_names;  // OpenSSL syntax: "DNS:localhost", "IP:::1"
  std::chrono::seconds not_before{-std::chrono::hours{1}};  // relative to now
  std::chrono::seconds not_after{std::chrono::days{365}};   // relative to now; negative = expired
  bool client_auth = false;             // extendedKeyUsage clientAuth instead of serverAuth
  KeyType key_type = KeyType::ec_p256;  // RSA-2048 takes ~0.1 s to generate
};

// Creates, in its own temporary directory, a CA and a set of certificates covering the TLS
// failure modes a promise must tell apart. All keys are EC P-256, so the whole set takes a few
// milliseconds. Everything is generated in-process with libcrypto: no openssl CLI needed.
class TestPki {
 public:
  static constexpr std::chrono::days kDefaultExpiringIn{5};

  // expiring_in: lifetime left on expiring_soon() (its notAfter is now + expiring_in).
  explicit TestPki(std::chrono::days expiring_in = kDefaultExpiringIn);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

  // Self-signed CA (CN "promise-test CA"); pass ca_cert() as CA file to trust the issued certs.
  [[nodiscard]] const std::filesystem::path& ca_cert() const { return ca_.cert; }
  [[nodiscard]] const std::filesystem::path& ca_key() const { return ca_.key; }

  // CA-issued, valid for DNS:localhost, IP:127.0.0.1 and IP:::1.
  [[nodiscard]] const CertAndKey& server() const { return server_; }
  // Same names, but notAfter is one day in the past.
  [[nodiscard]] const CertAndKey& expired() const { return expired_; }
  // CA-issued and valid, but only for DNS:wrong.example.
  [[nodiscard]] const CertAndKey& wrong_host() const { return wrong_host_; }
  // Same names as server(), notAfter = creation time + expiring_in().
  [[nodiscard]] const CertAndKey& expiring_soon() const { return expiring_soon_; }
  [[nodiscard]] std::chrono::days expiring_in() const { return expiring_in_; }
  // Valid for the same names as server(), but self-signed (unknown to the CA).
  [[nodiscard]] const CertAndKey& self_signed() const { return self_signed_; }
  // CA-issued client certificate (CN "promise-test-client") for mutual TLS.
  [[nodiscard]] const CertAndKey& client() const { return client_; }

  // Issues one more CA-signed certificate into dir(). Throws std::runtime_error on failure.
  CertAndKey issue(const CertRequest& request) const;

 private:
  ScratchDir dir_;
  std::chrono::days expiring_in_;
  CertAndKey ca_;
  CertAndKey server_;
  CertAndKey expired_;
  CertAndKey wrong_host_;
  CertAndKey expiring_soon_;
  CertAndKey self_signed_;
  CertAndKey client_;
};

}  // namespace promise::test
