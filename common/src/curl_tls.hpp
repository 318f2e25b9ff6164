#pragma once
// libcurl's TLS library behind one interface (curl_tls.cpp): OpenSSL or wolfSSL, chosen at build
// time (PROMISE_CURL_WOLFSSL). Used by http_probe.cpp only.
#include "promise/http_probe.hpp"

#include <curl/curl.h>

#include <optional>
#include <string>

namespace promise::detail {

// Once, before curl_global_init: the cheapest set-up the options allow.
void prepare_tls_library(const HttpOptions& o);

// Per transfer: the CAs to trust when verifying (ca_file empty: libcurl's default bundle), the
// key share, and the callback that names the TLS step.
void set_tls_options(CURL* h, bool verify, const std::string& ca_file);

// Days from now to the notAfter of the server certificate of the connection in use; call while
// the transfer runs (as a response begins).
std::optional<double> peer_certificate_days_left(CURL* handle);

// libcurl's words for a failed handshake, worded as libcurl with OpenSSL words them whatever
// the library, so that both builds name expired / self-signed / unknown-CA / wrong-name alike.
std::string tls_error_text(CURLcode code, std::string text);

}  // namespace promise::detail
