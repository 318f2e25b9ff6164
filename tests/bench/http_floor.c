/* The floors for an HTTP(S) check: one GET over a raw socket, exit 0 when the status is 200.
 * No option parsing, no deadline, no message. Built by tests/bench/run-bench with
 * `gcc -O2 -static` (http_floor), with -DTLS and static OpenSSL (tls_floor: no certificate
 * check, OpenSSL initialised without its configuration file, error strings or cleanup, as the
 * cheapest OpenSSL client can be), and with -DTLS_WOLFSSL and Debian's static wolfSSL
 * (tls_floor_wolfssl: no certificate check, X25519 key share, as the release's libcurl offers).
 * Usage: http_floor IPV4 PORT -> 0 if 200, 2 if not. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(TLS_WOLFSSL)
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#elif defined(TLS)
#include <openssl/ssl.h>
#endif

int main(int argc, char** argv) {
  if (argc != 3) return 3;
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) return 3;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 3;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr*)&address, sizeof address) != 0) return 2;
  char request[128];
  int length =
      snprintf(request, sizeof request,
               "GET / HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n", argv[1], argv[2]);
  char response[4096];
  size_t got = 0;
#if defined(TLS_WOLFSSL)
  wolfSSL_Init();
  WOLFSSL_CTX* context = wolfSSL_CTX_new(wolfTLS_client_method());
  if (!context) return 2;
  wolfSSL_CTX_set_verify(context, WOLFSSL_VERIFY_NONE, NULL);
  /* X25519 first, for TLS 1.3's key share and TLS 1.2's ECDHE alike (nginx 1.22 speaks 1.2 by
   * default): Debian's wolfSSL computes P-256 on generic code, ~40 M instructions a key. */
  if (wolfSSL_CTX_set1_curves_list(context, "X25519:P-256") != WOLFSSL_SUCCESS) return 2;
  WOLFSSL* ssl = wolfSSL_new(context);
  if (!ssl) return 2;
  if (wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS || wolfSSL_connect(ssl) != WOLFSSL_SUCCESS)
    return 2;
  if (wolfSSL_write(ssl, request, length) != length) return 2;
  for (;;) {
    int n = wolfSSL_read(ssl, response + got, (int)(sizeof response - 1 - got));
    if (n <= 0) break;
    got += (size_t)n;
    if (got == sizeof response - 1) break;
  }
#elif defined(TLS)
  OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT |
                       OPENSSL_INIT_NO_LOAD_SSL_STRINGS | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
                   NULL);
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL* ssl = context ? SSL_new(context) : NULL;
  if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1) return 2;
  if (SSL_write(ssl, request, length) != length) return 2;
  for (;;) {
    int n = SSL_read(ssl, response + got, (int)(sizeof response - 1 - got));
    if (n <= 0) break;
    got += (size_t)n;
    if (got == sizeof response - 1) break;
  }
#else
  if (write(fd, request, (size_t)length) != length) return 2;
  for (;;) {
    ssize_t n = read(fd, response + got, sizeof response - 1 - got);
    if (n <= 0) break;
    got += (size_t)n;
    if (got == sizeof response - 1) break;
  }
#endif
  response[got] = '\0';
  close(fd);
  return strncmp(response, "HTTP/1.1 200", 12) == 0 ? 0 : 2;
}
