#include "promise/certificate.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>
#include <memory>

namespace promise {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// No configuration file (the host's openssl.cnf may name providers a static build lacks, and
// reading it costs start-up time), no atexit handler, no error strings: the messages are ours.
void init_crypto() {
  static const bool done =
      OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT |
                              OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
                          nullptr) == 1;
  (void)done;
}

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

const PemBlock* first_block(const PemBlocks& pem, std::string_view label) {
  for (const auto& block : pem.blocks) {
    if (block.label == label) return &block;
  }
  return nullptr;
}

std::string plural(std::size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// A label as a message shows it: printable ASCII, at most 40 bytes (the file is untrusted).
std::string shown_label(std::string_view label) {
  std::string shown;
  for (const char c : label.substr(0, 40)) shown += c >= 0x20 && c < 0x7f ? c : '?';
  return shown + (label.size() > 40 ? "..." : "");
}

// What the blocks of a PEM text are: "a PRIVATE KEY block", "3 blocks: X509 CRL, ...".
std::string labels(const PemBlocks& pem) {
  if (pem.blocks.size() == 1) return "a " + shown_label(pem.blocks.front().label) + " block";
  std::string text = plural(pem.blocks.size(), "block") + ":";
  for (std::size_t i = 0; i < pem.blocks.size() && i < 3; ++i) {
    text += (i == 0 ? " " : ", ") + shown_label(pem.blocks[i].label);
  }
  return text + (pem.blocks.size() > 3 ? ", ..." : "");
}

// The first certificate of the text, or why there is none.
X509Ptr first_certificate(std::string_view text, std::string& error, std::size_t* count) {
  const PemBlocks pem = find_pem_blocks(text);
  if (count != nullptr) *count = pem.count("CERTIFICATE");
  const PemBlock* block = first_block(pem, "CERTIFICATE");
  if (block == nullptr) {
    error = pem.unterminated ? "a -----BEGIN block without its -----END line"
                             : "no -----BEGIN CERTIFICATE----- block in it";
    if (!pem.blocks.empty()) error += " (it holds " + labels(pem) + ")";
    return nullptr;
  }
  std::string der;
  if (!decode_base64(block->body, der)) {
    error = "its certificate block is not valid base64 (incorrect padding)";
    return nullptr;
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr certificate(d2i_X509(nullptr, &bytes, static_cast<long>(der.size())));
  if (!certificate) error = "its certificate block is not a DER X.509 certificate";
  return certificate;
}

int no_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

std::size_t PemBlocks::count(std::string_view label) const {
  std::size_t n = 0;
  for (const auto& block : blocks)
    if (block.label == label) ++n;
  return n;
}

PemBlocks find_pem_blocks(std::string_view text) {
  PemBlocks pem;
  std::size_t at = 0;
  while ((at = text.find(kBegin, at)) != std::string_view::npos) {
    const std::size_t label_start = at + kBegin.size();
    const std::size_t label_end = text.find(kDashes, label_start);
    const std::size_t line_end = text.find('\n', label_start);
    if (label_end == std::string_view::npos || label_end > line_end) {  // not a BEGIN line
      at = label_start;
      continue;
    }
    const std::string_view label = text.substr(label_start, label_end - label_start);
    const std::size_t body_start = label_end + kDashes.size();
    std::string end_line(kEnd);
    end_line.append(label).append(kDashes);
    const std::size_t end = text.find(end_line, body_start);
    if (end == std::string_view::npos) {
      pem.unterminated = true;
      break;
    }
    pem.blocks.push_back({label, text.substr(body_start, end - body_start)});
    at = end + end_line.size();
  }
  return pem;
}

bool decode_base64(std::string_view body, std::string& bytes) {
  bytes.clear();
  bytes.reserve(body.size() / 4 * 3);
  std::uint32_t quantum = 0;
  int quad_position = 0;
  int pads = 0;
  for (const char c : body) {
    int value = -1;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    if (c == '=') {
      // As CPython's binascii: enough padding after 2 or 3 data characters ends the data.
      if (quad_position >= 2 && quad_position + ++pads >= 4) {
        if (quad_position == 2) bytes.push_back(static_cast<char>(quantum >> 4));
        if (quad_position == 3) {
          bytes.push_back(static_cast<char>(quantum >> 10));
          bytes.push_back(static_cast<char>((quantum >> 2) & 0xff));
        }
        return true;
      }
      continue;
    }
    if (value < 0) continue;
    pads = 0;
    quantum = (quantum << 6) | static_cast<std::uint32_t>(value);
    if (++quad_position == 4) {
      bytes.push_back(static_cast<char>((quantum >> 16) & 0xff));
      bytes.push_back(static_cast<char>((quantum >> 8) & 0xff));
      bytes.push_back(static_cast<char>(quantum & 0xff));
      quantum = 0;
      quad_position = 0;
    }
  }
  return quad_position == 0;
}

CertificateInfo read_certificate_pem(std::string_view text) {
  init_crypto();
  CertificateInfo info;
  const X509Ptr certificate = first_certificate(text, info.error, &info.certificates);
  if (!certificate) return info;
  std::tm tm{};
  const ASN1_TIME* not_after = X509_get0_notAfter(certificate.get());
  if (not_after == nullptr || ASN1_TIME_to_tm(not_after, &tm) != 1) {
    info.error = "its notAfter date cannot be read";
    return info;
  }
  info.not_after = static_cast<std::int64_t>(::timegm(&tm));
  return info;
}

KeyCheck check_key_pem(std::string_view cert_text, std::string_view key_text) {
  init_crypto();
  KeyCheck check;
  const X509Ptr certificate = first_certificate(cert_text, check.error, nullptr);
  if (!certificate) {
    check.error = "the certificate: " + check.error;
    return check;
  }
  const PemBlocks pem = find_pem_blocks(key_text);
  const PemBlock* block = nullptr;
  for (const auto& candidate : pem.blocks) {
    const std::string_view suffix = "PRIVATE KEY";
    if (candidate.label.size() >= suffix.size() &&
        candidate.label.substr(candidate.label.size() - suffix.size()) == suffix) {
      block = &candidate;
      break;
    }
  }
  if (block == nullptr) {
    check.error = "no private key in it";
    const std::size_t certificates = pem.count("CERTIFICATE");
    if (certificates > 0) check.error += " (it holds " + plural(certificates, "certificate") + ")";
    if (pem.unterminated) check.error += " (a -----BEGIN block without its -----END line)";
    return check;
  }
  if (block->label == "ENCRYPTED PRIVATE KEY" ||
      block->body.find("ENCRYPTED") != std::string_view::npos) {
    check.error = "the private key is encrypted (a passphrase is never asked for)";
    return check;
  }
  // The block alone, so that OpenSSL sees exactly the key chosen above.
  const char* start = block->label.data() - kBegin.size();
  const char* end =
      block->body.data() + block->body.size() + kEnd.size() + block->label.size() + kDashes.size();
  const std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(start, static_cast<int>(std::min<std::ptrdiff_t>(end - start, INT32_MAX))));
  const std::unique_ptr<EVP_PKEY, PkeyFree> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!key) {
    check.error = "its " + shown_label(block->label) + " block is not a valid private key";
    return check;
  }
  check.result = X509_check_private_key(certificate.get(), key.get()) == 1
                     ? KeyCheck::Result::matches
                     : KeyCheck::Result::mismatch;
  check.error.clear();
  return check;
}

PemFile read_pem_file(const std::string& path, std::size_t max_bytes) {
  PemFile file;
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    file.error = errno;
    return file;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    file.error = errno;
  } else if (S_ISDIR(info.st_mode)) {
    file.error = EISDIR;
  } else if (!S_ISREG(info.st_mode)) {
    file.error = EINVAL;
  } else if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
    file.error = EFBIG;
  } else {
    // Read to the end (the file may have grown since fstat), but never past max_bytes.
    char buffer[16384];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        file.error = errno;
        break;
      }
      if (n == 0) break;
      if (file.text.size() + static_cast<std::size_t>(n) > max_bytes) {
        file.error = EFBIG;
        break;
      }
      file.text.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  if (file.error != 0) file.text.clear();
  return file;
}

std::string utc_time_text(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  char buffer[64] = "?";
  if (::gmtime_r(&time, &tm) != nullptr) {
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  }
  return buffer;
}

}  // namespace promise
