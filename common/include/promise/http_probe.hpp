#pragma once
// One HTTP(S) request under the deadline, on libcurl: the engine of check_url_available and
// check_page_content. Reports what came back, how long each phase took, and on failure which
// phase failed. Never reads more of the body than asked, never uses a proxy by accident,
// never shows a password.

#include "promise/context.hpp"
#include "promise/outcome.hpp"

#include <CLI/CLI.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace promise {

// The HTTP options both HTTP promises accept (names as the SlapOS plugin and recipe).
struct HttpOptions {
  std::string url;
  std::string method = "GET";  // GET, HEAD, or POST (of post_body; not an option)
  std::string post_body;
  std::vector<std::string> headers;  // "Name: value"
  bool allow_redirects = true;
  int max_redirects = 10;
  bool verify = false;  // SlapOS default: TLS not verified
  std::string ca_cert_file;
  std::string cert_file;
  std::string key_file;
  std::string username;
  std::string password;
  std::string password_file;
  std::string proxy;
  std::vector<std::string> resolve;  // "host:port:address", as curl --resolve
  std::string unix_socket;           // longer than sun_path holds: reached through its directory
  int certificate_expiration_days = 0;
  std::size_t max_body = 1 << 20;
};

// Declares --url, TLS, auth, redirect, proxy and transport options on a promise.
void declare_http_options(CLI::App& app, HttpOptions& options);

struct HttpResult {
  bool responded = false;  // a complete response arrived (or the body was cut at max_body)
  long status = 0;
  std::string error;         // empty when the transfer went as asked
  std::string failed_phase;  // "resolving", "connecting", "TLS handshake", ...
  bool timed_out = false;
  bool redirect_refused = false;  // to a non-HTTP URL; error says where
  std::string body;               // only with want_body; at most max_body bytes
  bool body_cut = false;          // the body was longer than max_body; reading stopped there
  std::size_t body_bytes = 0;
  long redirects = 0;
  std::string final_url;  // after redirects, user-info removed
  std::string peer;       // address that answered, "[::1]:8443"
  // Phase durations in seconds, each from the start of the transfer (libcurl's timings).
  double resolve_time = 0, connect_time = 0, tls_time = 0, first_byte_time = 0, total_time = 0;
  std::optional<double> certificate_days_left;  // with certificate_expiration_days
};

// The URL as it may be shown: user-info removed ("https://user:pw@h/" -> "https://h/").
std::string displayable_url(const std::string& url);

HttpResult http_request(const HttpOptions& options, bool want_body, const Context& context);

// "returned 200 in 4.2 ms" style timings for messages: "connect 0.3 ms, TLS 2.1 ms, ...".
std::string phase_summary(const HttpResult& result);

// The failure sentence after the URL: "TLS handshake failed: certificate has expired
// (connect 0.3 ms)" or "timed out after 2.00 s while waiting for the response (...)".
std::string failure_text(const HttpResult& result, const Context& context);

// With --certificate-expiration-days: WARNING when the server certificate expires within
// that many days, CRITICAL once expired (never lowers the outcome's state). After
// add_http_metrics: it gives certificate_days_left those thresholds (N: and 0:).
void judge_certificate(Outcome& outcome, const HttpOptions& options, const HttpResult& result);

// Metrics every HTTP promise reports: time, connect/TLS/first-byte times, status, cert days.
void add_http_metrics(Outcome& outcome, const HttpResult& result);

}  // namespace promise
