#include "test_pki.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace promise::test {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// ScratchDir

ScratchDir::ScratchDir(std::string_view prefix) {
  const char* env_tmp = std::getenv("TMPDIR");
  const fs::path base = (env_tmp != nullptr && *env_tmp != '\0') ? fs::path(env_tmp) : "/tmp";
  std::string pattern = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp(" + pattern + ")");
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  if (!path_.empty()) {
    std::error_code ignored;  // a destructor must not throw; a leftover temp dir is harmless
    fs::remove_all(path_, ignored);
  }
}

ScratchDir::ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

ScratchDir& ScratchDir::operator=(ScratchDir&& other) noexcept {
  if (this != &other) {
    ScratchDir old(std::move(*this));  // removes our previous directory
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

// ---------------------------------------------------------------------------------------------
// Certificate generation with libcrypto

namespace {

struct OpenSslDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* cert) const { X509_free(cert); }
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
  void operator()(BIO* bio) const { BIO_free_all(bio); }
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter>;
using CertPtr = std::unique_ptr<X509, OpenSslDeleter>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, OpenSslDeleter>;

// Throws with OpenSSL's queued errors, which usually name the real cause.
[[noreturn]] void throw_openssl_error(std::string_view what) {
  std::string message = "TestPki: " + std::string(what) + " failed";
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    message += "; ";
    message += buffer;
  }
  throw std::runtime_error(message);
}

void check(bool ok, std::string_view what) {
  if (!ok) throw_openssl_error(what);
}

KeyPtr generate_key(KeyType type) {
  if (type == KeyType::rsa_2048) {
    // EVP_RSA_gen() without the macro, which passes a size_t through varargs.
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
    check(key != nullptr, "EVP_RSA_gen(2048)");
    return key;
  }
  // EVP_EC_gen() without the macro, which casts away const.
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "EVP_EC_gen(P-256)");
  return key;
}

BioPtr open_file(const fs::path& path, const char* mode) {
  BioPtr bio(BIO_new_file(path.c_str(), mode));
  check(bio != nullptr, "opening " + path.string());
  return bio;
}

void write_key(const fs::path& path, EVP_PKEY* key) {
  BioPtr bio = open_file(path, "w");
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "writing " + path.string());
  std::error_code ignored;  // best effort: keep private keys private
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, ignored);
}

void write_cert(const fs::path& path, X509* cert) {
  BioPtr bio = open_file(path, "w");
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "writing " + path.string());
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  check(ext != nullptr, "X509V3_EXT_conf_nid(" + std::string(OBJ_nid2sn(nid)) + "=" + value + ")");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

std::string join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += ',';
    joined += item;
  }
  return joined;
}

enum class Kind { kCa, kLeaf };

// Builds and signs one certificate. issuer == nullptr means self-signed with subject_key.
CertPtr make_cert(const CertRequest& request, Kind kind, EVP_PKEY* subject_key, X509* issuer,
                  EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");

  // Random positive 63-bit serial: clients reject duplicate issuer+serial pairs.
  BnPtr serial(BN_new());
  check(serial != nullptr && BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
        "BN_rand");
  check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr,
        "BN_to_ASN1_INTEGER");

  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), request.not_before.count()) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), request.not_after.count()) != nullptr,
        "X509_gmtime_adj");
  check(X509_set_pubkey(cert.get(), subject_key) == 1, "X509_set_pubkey");

  X509_NAME* subject = X509_get_subject_name(cert.get());
  const auto* organization = reinterpret_cast<const unsigned char*>("promise-test");
  const auto* common_name = reinterpret_cast<const unsigned char*>(request.common_name.c_str());
  check(X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, organization, -1, -1, 0) == 1 &&
            X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, common_name, -1, -1, 0) == 1,
        "X509_NAME_add_entry_by_txt");
  X509* signer = issuer != nullptr ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1,
        "X509_set_issuer_name");

  X509V3_CTX ctx{};  // zeroed, which is all X509V3_set_ctx_nodb() does
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid");
  if (kind == Kind::kCa) {
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), &ctx, NID_ext_key_usage,
                  request.client_auth ? "clientAuth" : "serverAuth");
  }
  if (!request.subject_alt_names.empty()) {
    add_extension(cert.get(), &ctx, NID_subject_alt_name, join(request.subject_alt_names));
  }

  check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : subject_key, EVP_sha256()) > 0,
        "X509_sign");
  return cert;
}

// Generates a key, builds the certificate and writes both PEM files into dir.
CertAndKey create(const fs::path& dir, const CertRequest& request, Kind kind, X509* issuer,
                  EVP_PKEY* issuer_key, CertPtr* cert_out = nullptr, KeyPtr* key_out = nullptr) {
  KeyPtr key = generate_key(request.key_type);
  CertPtr cert = make_cert(request, kind, key.get(), issuer, issuer_key);
  CertAndKey files{dir / (request.file_stem + ".pem"), dir / (request.file_stem + ".key")};
  write_key(files.key, key.get());
  write_cert(files.cert, cert.get());
  if (cert_out != nullptr) *cert_out = std::move(cert);
  if (key_out != nullptr) *key_out = std::move(key);
  return files;
}

const std::vector<std::string> kLocalNames{"DNS:localhost", "IP:127.0.0.1", "IP:::1"};

}  // namespace

// ---------------------------------------------------------------------------------------------
// TestPki

TestPki::TestPki(std::chrono::days expiring_in) : dir_("promise-pki"), expiring_in_(expiring_in) {
  using std::chrono::days;
  using std::chrono::hours;
  const fs::path& out = dir_.path();

  CertPtr ca_cert;
  KeyPtr ca_key;
  ca_ = create(out,
               {.file_stem = "ca",
                .common_name = "promise-test CA",
                .subject_alt_names = {},
                .not_before = days{-60},  // older than every certificate it signs
                .not_after = days{3650}},
               Kind::kCa, nullptr, nullptr, &ca_cert, &ca_key);

  auto issue_leaf = [&](CertRequest request) {
    return create(out, request, Kind::kLeaf, ca_cert.get(), ca_key.get());
  };
  server_ = issue_leaf(
      {.file_stem = "server", .common_name = "localhost", .subject_alt_names = kLocalNames});
  expired_ = issue_leaf({.file_stem = "expired",
                         .common_name = "localhost",
                         .subject_alt_names = kLocalNames,
                         .not_before = days{-30},
                         .not_after = days{-1}});
  wrong_host_ = issue_leaf({.file_stem = "wrong-host",
                            .common_name = "wrong.example",
                            .subject_alt_names = {"DNS:wrong.example"}});
  expiring_soon_ = issue_leaf({.file_stem = "expiring-soon",
                               .common_name = "localhost",
                               .subject_alt_names = kLocalNames,
                               .not_before = hours{-1},
                               .not_after = expiring_in});
  client_ = issue_leaf({.file_stem = "client",
                        .common_name = "promise-test-client",
                        .subject_alt_names = {},
                        .client_auth = true});
  self_signed_ = create(
      out,
      {.file_stem = "self-signed", .common_name = "localhost", .subject_alt_names = kLocalNames},
      Kind::kLeaf, nullptr, nullptr);
}

TestPki::~TestPki() = default;

CertAndKey TestPki::issue(const CertRequest& request) const {
  BioPtr cert_bio = open_file(ca_.cert, "r");
  CertPtr ca_cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  check(ca_cert != nullptr, "reading " + ca_.cert.string());
  BioPtr key_bio = open_file(ca_.key, "r");
  KeyPtr ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  check(ca_key != nullptr, "reading " + ca_.key.string());
  return create(dir(), request, Kind::kLeaf, ca_cert.get(), ca_key.get());
}

}  // namespace promise::test
