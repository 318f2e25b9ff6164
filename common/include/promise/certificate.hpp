#pragma once
// PEM certificates and private keys, for check_certificate (promise_tls, OpenSSL libcrypto only).
//
// - The certificate is the first "-----BEGIN CERTIFICATE-----" block of the text, as the SlapOS
//   plugin takes it: other blocks (a key, the rest of a chain) may come before or after it. Its
//   body is base64 as Python's b64decode reads it (characters outside the alphabet skipped, bad
//   padding an error), then DER X.509. notAfter may be a UTCTime or a GeneralizedTime
//   (validity past 2049).
// - The key is the first block whose label ends in "PRIVATE KEY" (PKCS#8, RSA, EC; Ed25519
//   keys are PKCS#8). An encrypted key cannot be read: no passphrase is ever asked for.
// - Every answer is a value; nothing throws. Messages are one line of our own, never OpenSSL's
//   error queue (its strings are not loaded).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace promise {

// A "-----BEGIN <label>-----" ... "-----END <label>-----" block of PEM text.
struct PemBlock {
  std::string_view label;
  std::string_view body;  // between the two lines, base64 and line ends
};

// The blocks of text, in order. A BEGIN line without its END ends the scan; unterminated says so.
struct PemBlocks {
  std::vector<PemBlock> blocks;
  bool unterminated = false;
  std::size_t count(std::string_view label) const;
};
PemBlocks find_pem_blocks(std::string_view text);

// Base64 as Python's base64.b64decode(validate=False): characters outside A-Z a-z 0-9 + / are
// skipped; the data must end on a whole quantum with correct '=' padding. false on bad padding.
bool decode_base64(std::string_view body, std::string& bytes);

// What a PEM text says about its first certificate.
struct CertificateInfo {
  std::string error;             // why it cannot be read; empty when it was
  std::int64_t not_after = 0;    // seconds since the epoch (UTC)
  std::size_t certificates = 0;  // CERTIFICATE blocks in the text (a chain file holds several)
};
CertificateInfo read_certificate_pem(std::string_view text);

// Does the first private key of key_text belong to the first certificate of cert_text?
struct KeyCheck {
  enum class Result { matches, mismatch, error };
  Result result = Result::error;
  std::string error;  // for error: why the key (or the certificate) cannot be used
};
KeyCheck check_key_pem(std::string_view cert_text, std::string_view key_text);

// A whole PEM file, at most max_bytes: error is an errno (EISDIR for a directory, EFBIG when
// larger than max_bytes, EINVAL when not a regular file), 0 when text holds the file.
struct PemFile {
  int error = 0;
  std::string text;
};
PemFile read_pem_file(const std::string& path, std::size_t max_bytes);

// notAfter as text: "2026-12-31 23:59:59 UTC".
std::string utc_time_text(std::int64_t seconds);

}  // namespace promise
