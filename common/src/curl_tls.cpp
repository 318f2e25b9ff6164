// What depends on libcurl's TLS library: OpenSSL (Debian's libcurl in the dynamic builds, the
// static release optionally) or wolfSSL (the static release, cmake/StaticCurl.cmake). The rest
// of the HTTP probe is the same for both.
#include "curl_tls.hpp"

#include "promise/deadline.hpp"

#include <strings.h>

#include <ctime>

#if PROMISE_CURL_WOLFSSL
#include <wolfssl/options.h>  // first: the build's settings, which ssl.h depends on
#include <wolfssl/ssl.h>
#else
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#endif

namespace promise::detail {

// Days from now to the notAfter of the server certificate of the connection in use; only
// valid while the transfer runs (CURLINFO_TLS_SSL_PTR), so it is read as each response begins.
// Not CURLINFO_CERTINFO: curl 7.88 has none for wolfSSL, and it formats the whole chain.
std::optional<double> peer_certificate_days_left(CURL* handle) {
  curl_tlssessioninfo* session = nullptr;
  if (curl_easy_getinfo(handle, CURLINFO_TLS_SSL_PTR, &session) != CURLE_OK || session == nullptr ||
      session->internals == nullptr) {
    return std::nullopt;
  }
  std::tm not_after{};
#if PROMISE_CURL_WOLFSSL
  if (session->backend != CURLSSLBACKEND_WOLFSSL) return std::nullopt;
  // With OPENSSL_EXTRA (Debian's build) this is a copy the caller frees.
  WOLFSSL_X509* cert = wolfSSL_get_peer_certificate(static_cast<WOLFSSL*>(session->internals));
  if (cert == nullptr) return std::nullopt;
  const bool read = wolfSSL_ASN1_TIME_to_tm(wolfSSL_X509_get_notAfter(cert), &not_after) == 1;
  wolfSSL_X509_free(cert);
#else
  if (session->backend != CURLSSLBACKEND_OPENSSL) return std::nullopt;
  const X509* cert = SSL_get0_peer_certificate(static_cast<SSL*>(session->internals));
  const bool read = cert != nullptr && ASN1_TIME_to_tm(X509_get0_notAfter(cert), &not_after) == 1;
#endif
  if (!read) return std::nullopt;
  return std::difftime(timegm(&not_after), std::time(nullptr)) / 86400.0;
}

// Called once before curl_global_init.
void prepare_tls_library([[maybe_unused]] const HttpOptions& o) {
#if !PROMISE_CURL_WOLFSSL
  // curl_global_init sets OpenSSL up in full whatever the URL (engines, every error string,
  // the legacy name table of every cipher and digest): half of a plain-HTTP run. A check
  // that cannot need certificate checks (no verification, no client certificate) claims the
  // name tables as done, and OpenSSL skips them: the handshake fetches its algorithms from
  // the provider (http:// redirected to https:// and unverified https:// are tested).
  // Verification and client certificates need the digest names ("CA signature digest
  // algorithm too weak" without them), so any such option keeps the full set-up. Plain
  // http:// also skips the error strings and openssl.cnf (no TLS error can occur); https://
  // keeps both, so that a handshake failure still reads as OpenSSL's words.
  const bool needs_certificates = o.verify || !o.ca_cert_file.empty() || !o.cert_file.empty() ||
                                  o.certificate_expiration_days > 0;
  if (!needs_certificates && strncasecmp(o.url.c_str(), "http://", 7) == 0) {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
                            OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_LOAD_CONFIG,
                        nullptr);
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_SSL_STRINGS | OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
  } else if (!needs_certificates) {
    // Not OPENSSL_init_ssl: it would load openssl.cnf, which curl decides about.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS, nullptr);
  }
#endif
}

namespace {

#if PROMISE_CURL_WOLFSSL
// The first certificate wolfSSL refused during the handshake under way on this thread (libcurl
// runs it inside curl_easy_perform): curl 7.88 names only wolfSSL's error code, and "CA signer
// not available" alike for a self-signed certificate and an unknown CA.
struct RefusedCertificate {
  bool seen = false;
  int error = 0;  // a wolfSSL error code (< 0) or an X509_V_ERR_* (> 0)
  int depth = 0;
  bool self_issued = false;
};
thread_local RefusedCertificate refused_certificate;

int on_verify(int preverified, WOLFSSL_X509_STORE_CTX* store) {
  if (preverified == 0 && !refused_certificate.seen) {
    refused_certificate.seen = true;
    refused_certificate.error = wolfSSL_X509_STORE_CTX_get_error(store);
    refused_certificate.depth = wolfSSL_X509_STORE_CTX_get_error_depth(store);
    WOLFSSL_X509* cert = wolfSSL_X509_STORE_CTX_get_current_cert(store);
    refused_certificate.self_issued =
        cert != nullptr && wolfSSL_X509_NAME_cmp(wolfSSL_X509_get_subject_name(cert),
                                                 wolfSSL_X509_get_issuer_name(cert)) == 0;
  }
  return preverified;  // curl decides, as it would without this callback
}

// What on_tls_start does for the handshake under way on this thread, and what it found.
struct TlsSetup {
  const char* ca_file = nullptr;  // load and verify against it; nullptr: verify nothing
  const char* refused_ca_file = nullptr;
};
thread_local TlsSetup tls_setup;

// libcurl's default CA bundle (Debian's ca-certificates), or nullptr.
const char* system_ca_bundle() {
  static const char* const bundle = curl_version_info(CURLVERSION_NOW)->cainfo;
  return bundle;
}

// Loads the trusted CAs (curl was told none, see set_tls_options) and installs on_verify.
// wolfSSL checks each CA's own signature and dates while loading, unless the context verifies
// nothing at that moment: 0.4 s for Debian's bundle (its ECDSA roots on generic math). That
// bundle is loaded as it is (OpenSSL does not check a trust anchor's signature either); a
// --ca-cert-file, small, keeps every check.
CURLcode load_trusted_cas(WOLFSSL_CTX* ctx) {
  const char* file = tls_setup.ca_file;
  const int mode = wolfSSL_CTX_get_verify_mode(ctx);
  if (file == system_ca_bundle()) wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, nullptr);
  const bool loaded = wolfSSL_CTX_load_verify_locations(ctx, file, nullptr) == 1;
  wolfSSL_CTX_set_verify(ctx, mode, on_verify);
  if (!loaded) tls_setup.refused_ca_file = file;
  return loaded ? CURLE_OK : CURLE_SSL_CACERT_BADFILE;
}
#endif

// The TLS handshake begins (libcurl calls this once TCP is up, with OpenSSL and wolfSSL alike):
// the step the backstop's or a signal's line names, and the CAs to trust with wolfSSL.
CURLcode on_tls_start(CURL*, [[maybe_unused]] void* context, void*) {
  set_phase("in the TLS handshake");
#if PROMISE_CURL_WOLFSSL
  if (tls_setup.ca_file != nullptr) return load_trusted_cas(static_cast<WOLFSSL_CTX*>(context));
#endif
  return CURLE_OK;
}

}  // namespace

// Sets what the TLS library needs for this transfer: the CA file to trust (empty: libcurl's
// default bundle) when verifying.
void set_tls_options(CURL* h, bool verify, const std::string& ca_file) {
#if PROMISE_CURL_WOLFSSL
  // X25519 first in the key share: Debian's wolfSSL computes P-256 on generic big-number code
  // (~10 M instructions per handshake against ~1 M). The NIST curves stay on offer for servers
  // that accept nothing else (a HelloRetryRequest picks one).
  curl_easy_setopt(h, CURLOPT_SSL_EC_CURVES, "X25519:P-256:P-384:P-521");
  // curl 7.88 loads its CA bundle even when it verifies nothing; on_tls_start loads it only
  // when needed, and faster.
  curl_easy_setopt(h, CURLOPT_CAINFO, nullptr);
  curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
  refused_certificate = {};
  tls_setup = {};
  if (verify) tls_setup.ca_file = !ca_file.empty() ? ca_file.c_str() : system_ca_bundle();
#else
  if (verify && !ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file.c_str());
#endif
  curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_tls_start);
}

// libcurl's words for a handshake that failed: with wolfSSL, rewritten as libcurl with OpenSSL
// words them (Debian's libcurl, what the promises' messages have always said), so that both
// builds name expired / self-signed / unknown-CA / wrong-name certificates alike.
std::string tls_error_text([[maybe_unused]] CURLcode code, std::string text) {
#if PROMISE_CURL_WOLFSSL
  constexpr std::string_view kWrongName = " subject alt name(s) or common name do not match \"";
  if (code == CURLE_PEER_FAILED_VERIFICATION && text.starts_with(kWrongName)) {
    std::string host = text.substr(kWrongName.size());
    if (host.ends_with('"')) host.pop_back();
    return "SSL: no alternative certificate subject name matches target host name '" + host + "'";
  }
  const bool handshake_failed = code == CURLE_SSL_CONNECT_ERROR ||
                                code == CURLE_PEER_FAILED_VERIFICATION ||
                                code == CURLE_SSL_CACERT_BADFILE;
  if (code == CURLE_SSL_CACERT_BADFILE && tls_setup.refused_ca_file != nullptr) {
    return std::string("error setting certificate file: ") + tls_setup.refused_ca_file;
  }
  if (!handshake_failed || !refused_certificate.seen) return text;
  const RefusedCertificate& refused = refused_certificate;
  const char* problem = nullptr;
  switch (refused.error) {
    case ASN_AFTER_DATE_E:
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:  // wolfSSL 5.5's word for ASN_AFTER_DATE_E
      problem = "certificate has expired";
      break;
    case ASN_BEFORE_DATE_E:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
      problem = "certificate is not yet valid";
      break;
    case ASN_NO_SIGNER_E:
    case ASN_SELF_SIGNED_E:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      problem = !refused.self_issued ? "unable to get local issuer certificate"
                : refused.depth == 0 ? "self-signed certificate"
                                     : "self-signed certificate in certificate chain";
      break;
    case ASN_SIG_CONFIRM_E:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      problem = "certificate signature failure";
      break;
    default:
      return text;
  }
  return std::string("SSL certificate problem: ") + problem;
#else
  return text;
#endif
}

}  // namespace promise::detail
