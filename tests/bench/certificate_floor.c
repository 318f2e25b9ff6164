/* check_certificate's floor: what such a promise must at least pay with OpenSSL (exec, the static
 * C runtime and libcrypto start-up, the files read, the PEM and X.509 parsed, the pair checked).
 * No option parsing, no deadline, no log. Built by tests/bench/run-bench with
 * `gcc -O2 -static ... -lcrypto`. Run with the partition as working directory.
 *
 *   certificate_floor CERT KEY   read both PEM files, parse the certificate, its notAfter, the
 *                                key, X509_check_private_key, print
 *
 * Exit status: 0 OK, 2 failed check, 3 bad use. */
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The whole file, as the promise reads it (open, fstat, read to EOF). */
static int read_file(const char* path, char* buffer, size_t capacity, size_t* size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return -1;
  *size = 0;
  ssize_t got;
  while ((got = read(fd, buffer + *size, capacity - *size)) > 0) *size += (size_t)got;
  close(fd);
  return got < 0 ? -1 : 0;
}

int main(int argc, char** argv) {
  if (argc != 3) return 3;
  OPENSSL_init_crypto(
      OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
      NULL);
  static char cert_text[65536], key_text[65536];
  size_t cert_size, key_size;
  if (read_file(argv[1], cert_text, sizeof cert_text, &cert_size) != 0 ||
      read_file(argv[2], key_text, sizeof key_text, &key_size) != 0)
    return 3;
  BIO* cert_bio = BIO_new_mem_buf(cert_text, (int)cert_size);
  X509* cert = PEM_read_bio_X509(cert_bio, NULL, NULL, NULL);
  struct tm not_after;
  if (!cert || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &not_after) != 1) return 2;
  if (timegm(&not_after) - 15 * 86400 < time(NULL)) {
    printf("Certificate '%s' will expire in less than 15 days\n", argv[1]);
    return 2;
  }
  BIO* key_bio = BIO_new_mem_buf(key_text, (int)key_size);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, NULL, NULL, NULL);
  if (!key || X509_check_private_key(cert, key) != 1) {
    printf("Certificate '%s' does not match key '%s'\n", argv[1], argv[2]);
    return 2;
  }
  printf("Certificate '%s' and key '%s' are ok\n", argv[1], argv[2]);
  EVP_PKEY_free(key);
  BIO_free(key_bio);
  X509_free(cert);
  BIO_free(cert_bio);
  return 0;
}
