// HTTP(S) on libcurl, bound to the promise deadline.
//
// Faults the peers get wrong, handled here: a stalled DNS server (CURLOPT_QUICK_EXIT: the
// resolver thread is abandoned, not joined, at the deadline), proxy variables in the
// environment (ignored unless --proxy), endless or huge bodies (read at most max_body bytes,
// then stop), credentials in output (masked everywhere), and failures that say only "error"
// (we name the phase that failed and how long the earlier ones took).
#include "promise/http_probe.hpp"

#include "curl_tls.hpp"

#include "promise/log.hpp"
#include "promise/options.hpp"
#include "promise/text.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

namespace promise {
namespace {

using detail::peer_certificate_days_left;
using detail::prepare_tls_library;
using detail::set_tls_options;
using detail::tls_error_text;

constexpr const char* kHttpGroup = "HTTP options";

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

void append(CurlList& list, const std::string& item) {
  curl_slist* grown = curl_slist_append(list.get(), item.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  list.release();
  list.reset(grown);
}

// State shared with libcurl's callbacks during one transfer.
struct Transfer {
  const Context* context = nullptr;
  bool want_body = false;
  std::size_t max_body = 0;
  std::string body;
  std::size_t body_bytes = 0;
  bool body_cut = false;
  bool tcp_connected = false;  // some connection got past the TCP handshake
  std::string location;        // the Location header of the latest response, if any
  CURL* handle = nullptr;
  bool want_certificate = false;                // --certificate-expiration-days
  std::optional<double> certificate_days_left;  // of the latest response's server certificate
};

// The step under way, for the line of the deadline backstop or of a signal: libcurl's own
// timeout names its step, but on a loaded machine it can lose the race with the backstop, whose
// line must then name the same step. Set from libcurl's callbacks: a socket opens (connecting),
// TLS begins once TCP is up (curl_tls.cpp), the request is about to go
// (CURLOPT_PREREQFUNCTION), the headers are in (on_header).
curl_socket_t on_open_socket(void*, curlsocktype, curl_sockaddr* address) {
  set_phase("connecting");
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

int on_request_ready(void*, char*, char*, int, int) {
  set_phase("waiting for the response");
  return CURL_PREREQFUNC_OK;
}

// libcurl 7.88 records its connect time only once TLS is up too; to tell a stalled TLS
// handshake from a stalled TCP connect, look at each socket as it is closed.
int on_close_socket(void* user, curl_socket_t fd) {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
    static_cast<Transfer*>(user)->tcp_connected = true;
  }
  return ::close(fd);
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer.body_bytes == 0) transfer.context->phase("reading the body");
  const std::size_t room = transfer.max_body - transfer.body_bytes;
  const std::size_t taken = std::min(bytes, room);
  if (transfer.want_body) transfer.body.append(data, taken);
  transfer.body_bytes += taken;
  if (taken < bytes) {
    transfer.body_cut = true;
    return CURL_WRITEFUNC_ERROR;  // enough read: stop here instead of reading forever
  }
  return bytes;
}

// Remembers where the latest response redirects to: curl names a refused redirect target
// only as "could not be parsed".
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {  // a new response begins
    transfer.location.clear();
    if (transfer.want_certificate) {
      transfer.certificate_days_left = peer_certificate_days_left(transfer.handle);
    }
  }
  // The headers are in: what comes next is the body (a signal or the backstop names that step,
  // not "waiting for the response", even before the first body byte arrives).
  if (line == "\r\n" || line == "\n") transfer.context->phase("reading the body");
  constexpr std::string_view kLocation = "location:";
  if (line.size() > kLocation.size() && strncasecmp(data, "location:", kLocation.size()) == 0) {
    line.remove_prefix(kLocation.size());
    const auto first = line.find_first_not_of(" \t");
    const auto last = line.find_last_not_of(" \t\r\n");
    transfer.location = first == std::string_view::npos
                            ? std::string()
                            : std::string(line.substr(first, last - first + 1));
  }
  return bytes;
}

// The scheme of an absolute URL ("gopher" in "gopher://h/"), empty for a relative reference.
std::string scheme_of(std::string_view url) {
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = url[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
      return {};
    }
  }
  std::string scheme(url.substr(0, colon));
  for (auto& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return scheme;
}

// -vv: libcurl's own trace, with credentials masked.
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  const auto& context = *static_cast<const Context*>(user);
  if (type != CURLINFO_TEXT && type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT) return 0;
  std::istringstream lines(std::string(data, size));
  const char* prefix = type == CURLINFO_HEADER_IN    ? "< "
                       : type == CURLINFO_HEADER_OUT ? "> "
                                                     : "* ";
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    for (const char* sensitive :
         {"authorization:", "proxy-authorization:", "cookie:", "set-cookie:"}) {
      if (strncasecmp(line.c_str(), sensitive, std::strlen(sensitive)) == 0) {
        line = line.substr(0, std::strlen(sensitive)) + " ***";
      }
    }
    context.log.wire(prefix + line);
  }
  return 0;
}

// Which phase was under way when the transfer stopped, from libcurl's cumulative timings.
std::string phase_at_failure(CURLcode code, const HttpResult& r, bool https, bool tcp_connected) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "resolving";
    case CURLE_COULDNT_CONNECT:
      return "connecting";
    case CURLE_TOO_MANY_REDIRECTS:
      return "following redirects";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return "TLS handshake";
    default:
      break;
  }
  if (r.resolve_time == 0) return "resolving";
  if (r.connect_time == 0 && !tcp_connected) return "connecting";
  if (https && r.tls_time == 0) return "TLS handshake";
  if (r.first_byte_time == 0) return "waiting for the response";
  return "reading the body";
}

double info_seconds(CURL* handle, CURLINFO what) {
  curl_off_t microseconds = 0;
  curl_easy_getinfo(handle, what, &microseconds);
  return static_cast<double>(microseconds) / 1e6;
}

std::string read_password_file(const std::string& path) {
  std::ifstream in(path);
  std::string password;
  std::getline(in, password);  // the first line; a trailing newline is not part of it
  if (!in && !in.eof()) throw std::runtime_error("cannot read --password-file " + path);
  return password;
}

// ---- option checks: what libcurl would refuse, or what could never be reached -------------

std::string url_part(CURLU* url, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, CURLU_URLDECODE) != CURLUE_OK) return {};
  std::string value = text ? text : "";
  curl_free(text);
  return value;
}

// A URL's host that cannot exist (too long, an empty or too long label) is a bad option, not
// an outage to report after a resolver round trip. IPv6 literals ("[fe80::1]", with a zone
// kept apart by libcurl) were checked by libcurl; an international name is measured by
// libcurl once converted (IDN builds), not here.
std::string host_problem(CURLU* url) {
  const std::string host = url_part(url, CURLUPART_HOST);
  if (host.empty() || host.front() == '[') return {};
  if (std::any_of(host.begin(), host.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
    return {};
  const std::string problem = host_name_problem(host);
  return problem.empty() ? problem : "host " + quoted_value(host) + " " + problem;
}

std::string proxy_url_check(const std::string& proxy) {
  if (proxy.empty()) return {};  // no proxy
  // As given, unless it holds credentials (user:password@), which are never shown.
  const std::string shown = proxy.find('@') == std::string::npos
                                ? quoted_value(proxy)
                                : "'" + displayable_url(proxy) + "'";
  const bool has_scheme = proxy.find("://") != std::string::npos;
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (!parsed ||
      curl_url_set(parsed.get(), CURLUPART_URL, (has_scheme ? proxy : "http://" + proxy).c_str(),
                   CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return shown + " is not a proxy URL ([SCHEME://]HOST[:PORT])";
  }
  const std::string scheme = url_part(parsed.get(), CURLUPART_SCHEME);
  for (const char* known : {"http", "https", "socks4", "socks4a", "socks5", "socks5h"}) {
    if (scheme == known) return host_problem(parsed.get());
  }
  return shown +
         " is not a proxy libcurl can use: http://, https://, socks4://, socks4a://, socks5:// "
         "or socks5h://";
}

// curl --resolve as libcurl 7.88 reads it: [+]HOST:PORT:ADDRESS[,ADDRESS...], HOST a name or
// '*' (no IPv6 literal: it ends at the first ':'), each ADDRESS an IP literal, IPv6 in
// brackets or not, no zone.
std::string resolve_entry_check(const std::string& entry) {
  const std::string shape =
      quoted_value(entry) + " is not HOST:PORT:ADDRESS[,ADDRESS...] (as curl --resolve)";
  std::string_view rest = entry;
  if (!rest.empty() && rest.front() == '+') rest.remove_prefix(1);
  const auto host_end = rest.find(':');
  if (host_end == 0 || host_end == std::string_view::npos) return shape;
  const std::string host(rest.substr(0, host_end));
  if (host != "*") {
    if (const auto problem = host_name_problem(host); !problem.empty()) {
      return quoted_value(entry) + ": host " + quoted_value(host) + " " + problem;
    }
  }
  rest.remove_prefix(host_end + 1);
  const auto port_end = rest.find(':');
  if (port_end == std::string_view::npos) return shape;
  int port = 0;
  const auto* port_last = rest.data() + port_end;
  const auto [ptr, ec] = std::from_chars(rest.data(), port_last, port);
  if (port_end == 0 || ec != std::errc() || ptr != port_last || port < 1 || port > 65535) {
    return quoted_value(entry) + ": the port is not 1-65535";
  }
  rest.remove_prefix(port_end + 1);
  for (;;) {
    const auto comma = rest.find(',');
    std::string address(rest.substr(0, comma));
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);
    }
    in6_addr v6{};
    in_addr v4{};
    if (::inet_pton(AF_INET, address.c_str(), &v4) != 1 &&
        ::inet_pton(AF_INET6, address.c_str(), &v6) != 1) {
      return quoted_value(entry) + ": " + quoted_value(address) +
             " is not an IP address (IPv4, or IPv6 without a zone)";
    }
    if (comma == std::string_view::npos) return {};
    rest.remove_prefix(comma + 1);
  }
}

// A UNIX socket path longer than sun_path holds (deep partition paths): the same socket
// through its directory, opened here and named /proc/self/fd/N/NAME. The descriptor stays
// open until the process ends (one per request, a promise makes one).
std::string reachable_socket_path(const std::string& path) {
  constexpr std::size_t kRoom = sizeof(sockaddr_un::sun_path) - 1;
  if (path.size() <= kRoom) return path;
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return path;
  const int directory = ::open(path.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) return path;  // connecting says why
  return "/proc/self/fd/" + std::to_string(directory) + path.substr(slash);
}

}  // namespace

void declare_http_options(CLI::App& app, HttpOptions& o) {
  app.add_option("--url", o.url, "URL to request: http:// or https://, IPv6 literals in brackets")
      ->required()
      ->check([](const std::string& url) -> std::string {
        std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
        if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(),
                                    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
          return "'" + displayable_url(url) + "' is not a valid URL";
        }
        const std::string name = url_part(parsed.get(), CURLUPART_SCHEME);
        if (name != "http" && name != "https") return "only http:// and https:// URLs are checked";
        return host_problem(parsed.get());
      });
  const std::string group = kHttpGroup;
  // A run declares the options it names (option_named): most run with --url alone.
  if (option_named("--method")) {
    app.add_option("--method", o.method, "GET or HEAD (HEAD reads no body)")
        ->check(CLI::IsMember({"GET", "HEAD"}))
        ->capture_default_str()
        ->group(group);
  }
  if (option_named("--header")) {
    app.add_option("--header", o.headers, "Extra request header 'Name: value' (repeatable)")
        ->check([](const std::string& header) -> std::string {
          const auto colon = header.find(':');
          if (colon == 0 || colon == std::string::npos ||
              header.find_first_of("\r\n") != std::string::npos) {
            return "'" + header + "' is not a 'Name: value' header";
          }
          return {};
        })
        ->group(group);
  }
  if (option_named("--allow-redirects,--no-allow-redirects")) {
    app.add_flag("--allow-redirects,!--no-allow-redirects", o.allow_redirects,
                 "Follow redirects and compare the final response (default); "
                 "--allow-redirects 0 compares the 3xx itself")
        ->group(group);
  }
  if (option_named("--max-redirects")) {
    app.add_option("--max-redirects", o.max_redirects, "Redirects to follow at most")
        ->check(CLI::Range(0, 50))
        ->capture_default_str()
        ->group(group);
  }
  if (option_named("--verify")) {
    app.add_flag(
           "--verify", o.verify,
           "Verify the server certificate against the system CAs (off by default, as in SlapOS)")
        ->group(group);
  }
  if (option_named("--ca-cert-file")) {
    app.add_option("--ca-cert-file", o.ca_cert_file, "Verify the server against this CA bundle")
        ->check(readable_file())
        ->group(group);
  }
  if (option_named("--cert-file,--key-file")) {
    auto* cert = app.add_option("--cert-file", o.cert_file, "Client certificate (PEM)")
                     ->check(readable_file())
                     ->group(group);
    auto* key = app.add_option("--key-file", o.key_file, "Client certificate key (PEM)")
                    ->check(readable_file())
                    ->group(group);
    cert->needs(key);
    key->needs(cert);
  }
  if (option_named("--username,--password,--password-file")) {
    auto* user = app.add_option("--username", o.username, "User for HTTP basic auth")->group(group);
    auto* password =
        secret(app.add_option("--password", o.password,
                              "Password for HTTP basic auth (masked everywhere; "
                              "visible in ps when typed here, prefer --password-file)"))
            ->group(group);
    auto* password_file =
        app.add_option("--password-file", o.password_file,
                       "Read the basic-auth password from the first line of this file")
            ->check(readable_file())
            ->group(group);
    password->excludes(password_file);
    password->needs(user);
    password_file->needs(user);
  }
  if (option_named("--proxy")) {
    app.add_option("--proxy", o.proxy,
                   "Use this proxy ([SCHEME://]HOST[:PORT], SCHEME http, https, socks4, socks4a, "
                   "socks5 or socks5h); proxy variables of the environment are always ignored")
        ->check(proxy_url_check)
        ->group(group);
  }
  if (option_named("--resolve")) {
    app.add_option("--resolve", o.resolve,
                   "[+]HOST:PORT:ADDRESS[,ADDRESS...], as curl --resolve: connect there for this "
                   "host and port")
        ->check(resolve_entry_check)
        ->group(group);
  }
  if (option_named("--unix-socket")) {
    app.add_option("--unix-socket", o.unix_socket, "Speak HTTP over this UNIX socket")
        ->check(unix_socket_path())
        ->group(group);
  }
  if (option_named("--certificate-expiration-days")) {
    app.add_option("--certificate-expiration-days", o.certificate_expiration_days,
                   "WARNING when the server certificate expires within this many days "
                   "(CRITICAL once expired)")
        ->check(CLI::Range(1, 3650))
        ->default_str("off")
        ->group(group);
  }
  if (option_named("--max-body")) {
    app.add_option("--max-body", o.max_body,
                   "Bytes of the body read at most; reading stops there (default 1 MiB)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{64} << 20))
        ->group(group);
  }
}

std::string displayable_url(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
                     CURLUE_OK) {
    // Not a URL we can parse: still never show what looks like user-info.
    const auto at = url.find('@');
    const auto scheme = url.find("://");
    if (at != std::string::npos && scheme != std::string::npos && at > scheme) {
      return untrusted(url.substr(0, scheme + 3) + "***@" + url.substr(at + 1));
    }
    return untrusted(url);
  }
  curl_url_set(parsed.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(parsed.get(), CURLUPART_PASSWORD, nullptr, 0);
  char* text = nullptr;
  curl_url_get(parsed.get(), CURLUPART_URL, &text, 0);
  std::string shown = text ? text : url;
  curl_free(text);
  return untrusted(shown, 300);
}

HttpResult http_request(const HttpOptions& o, bool want_body, const Context& context) {
  HttpResult result;
  static const bool initialised = [&] {
    prepare_tls_library(o);
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  std::unique_ptr<CURL, CurlEasyDeleter> handle(initialised ? curl_easy_init() : nullptr);
  if (!handle) {
    result.error = "cannot initialise libcurl";
    result.failed_phase = "starting";
    return result;
  }
  CURL* h = handle.get();

  // The runner registered the secrets of the options (the URL's user-info among them); the
  // password file's is known only now.
  std::string password = o.password;
  if (!o.password_file.empty()) password = read_password_file(o.password_file);
  register_secret(password);

  Transfer transfer;
  transfer.context = &context;
  transfer.want_body = want_body;
  transfer.max_body = o.method == "HEAD" ? 0 : o.max_body;
  transfer.handle = h;
  transfer.want_certificate = o.certificate_expiration_days > 0;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const auto remaining_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(context.deadline.remaining()).count();
  const long timeout_ms = std::max<long>(1, static_cast<long>(remaining_ms));

  curl_easy_setopt(h, CURLOPT_URL, o.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);  // a stalled resolver thread is not joined
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_PROXY, o.proxy.c_str());  // "" = no proxy, whatever the env says
  curl_easy_setopt(h, CURLOPT_USERAGENT, "slapos-native-promises");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_request_ready);
  curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
  curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, o.allow_redirects ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(o.max_redirects));
  if (o.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (o.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(o.post_body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, o.post_body.data());
  }

  const bool verify = o.verify || !o.ca_cert_file.empty();
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  if (!o.cert_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, o.cert_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, o.key_file.c_str());
  }
  set_tls_options(h, verify, o.ca_cert_file);
  if (!o.username.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, o.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, password.c_str());
  }
  CurlList headers, resolve;
  for (const auto& header : o.headers) append(headers, header);
  if (headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  for (const auto& entry : o.resolve) append(resolve, entry);
  if (resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, resolve.get());
  const std::string unix_socket = reachable_socket_path(o.unix_socket);
  if (!unix_socket.empty()) curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, unix_socket.c_str());
  if (context.log.wire_enabled()) {
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &context);
  }

  context.log.step(o.method + " " + displayable_url(o.url) +
                   (o.unix_socket.empty() ? "" : " over unix socket " + o.unix_socket));
  context.phase("resolving the host name");  // the callbacks above name the steps after it
  prepare_for_threads();  // libcurl's resolver thread starts with the fatal signals blocked
  const CURLcode code = curl_easy_perform(h);

  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &result.redirects);
  result.resolve_time = info_seconds(h, CURLINFO_NAMELOOKUP_TIME_T);
  result.connect_time = info_seconds(h, CURLINFO_CONNECT_TIME_T);
  result.tls_time = info_seconds(h, CURLINFO_APPCONNECT_TIME_T);
  result.first_byte_time = info_seconds(h, CURLINFO_STARTTRANSFER_TIME_T);
  result.total_time = info_seconds(h, CURLINFO_TOTAL_TIME_T);
  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  result.final_url = displayable_url(effective ? effective : o.url);
  char* ip = nullptr;
  long port = 0;
  curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
  curl_easy_getinfo(h, CURLINFO_PRIMARY_PORT, &port);
  if (ip && *ip) result.peer = host_port(ip, static_cast<int>(port));
  result.certificate_days_left = transfer.certificate_days_left;
  result.body = std::move(transfer.body);
  result.body_bytes = transfer.body_bytes;
  result.body_cut = transfer.body_cut;
  result.responded = result.status > 0;

  const bool cut_on_purpose = code == CURLE_WRITE_ERROR && transfer.body_cut;
  if (code != CURLE_OK && !cut_on_purpose) {
    char* scheme = nullptr;
    curl_easy_getinfo(h, CURLINFO_SCHEME, &scheme);
    const bool https = scheme && strcasecmp(scheme, "https") == 0;
    result.failed_phase = phase_at_failure(code, result, https, transfer.tcp_connected);
    result.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    result.error = lower_first(
        tls_error_text(code, error_buffer[0] ? error_buffer : curl_easy_strerror(code)));
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    if (code == CURLE_COULDNT_CONNECT && os_errno != 0) {
      // curl 7.88 says only "Couldn't connect to server"; the errno says why.
      result.error = lower_first(std::strerror(static_cast<int>(os_errno)));
    }
    if (code == CURLE_TOO_MANY_REDIRECTS) {
      result.error = "more than " + std::to_string(o.max_redirects) + " redirects";
    }
    const std::string target_scheme = scheme_of(transfer.location);
    if ((code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) &&
        result.status >= 300 && result.status < 400 && !target_scheme.empty() &&
        target_scheme != "http" && target_scheme != "https") {
      // Only http:// and https:// are followed (CURLOPT_REDIR_PROTOCOLS_STR).
      result.failed_phase = "following redirects";
      result.redirect_refused = true;
      result.error =
          "redirected to a non-HTTP URL (" + untrusted(transfer.location, 100) + "), refused";
    }
    result.responded = false;  // a status line followed by a failure is not an answer
  }
  if (context.log.steps_enabled()) {
    context.log.step((result.peer.empty() ? "" : "peer " + result.peer + ", ") +
                     phase_summary(result));
    if (!result.error.empty()) context.log.step(result.failed_phase + " failed: " + result.error);
    if (result.responded) {
      context.log.step("status " + std::to_string(result.status) + " after " +
                       std::to_string(result.redirects) + " redirect(s), " +
                       std::to_string(result.body_bytes) + " body bytes read" +
                       (result.body_cut ? " (stopped at --max-body)" : ""));
    }
  }
  return result;
}

std::string phase_summary(const HttpResult& r) {
  std::string text;
  auto add = [&](const char* name, double value) {
    if (value <= 0) return;
    text += (text.empty() ? "" : ", ") + std::string(name) + " " + human_seconds(value);
  };
  add("resolve", r.resolve_time);
  add("connect", r.connect_time);
  add("TLS", r.tls_time);
  add("first byte", r.first_byte_time);
  add("total", r.total_time);
  return text;
}

std::string failure_text(const HttpResult& r, const Context& context) {
  // How each phase reads in "timed out after 2 s while ..." and in "... failed: why".
  struct Words {
    std::string_view phase, during, noun;
  };
  static constexpr Words kWords[] = {
      {"resolving", "resolving the host name", "name resolution"},
      {"connecting", "connecting", "connection"},
      {"TLS handshake", "in the TLS handshake", "TLS handshake"},
      {"waiting for the response", "waiting for the response", "request"},
      {"reading the body", "reading the body", "reading the body"},
      {"following redirects", "following redirects", "following redirects"},
  };
  Words words{r.failed_phase, r.failed_phase, r.failed_phase};
  for (const auto& candidate : kWords) {
    if (candidate.phase == r.failed_phase) words = candidate;
  }
  const std::string timings = phase_summary(r);
  const std::string after = timings.empty() ? "" : " (" + timings + ")";
  if (r.redirect_refused) return r.error + after;  // says it all: "redirected to ..., refused"
  if (r.timed_out) {
    return "timed out after " + human_duration(context.deadline.budget()) + " " +
           std::string(words.during.substr(0, 3) == "in " ? "" : "while ") +
           std::string(words.during) + after;
  }
  return std::string(words.noun) + " failed: " + untrusted(r.error) + after;
}

void add_http_metrics(Outcome& outcome, const HttpResult& r) {
  outcome.metric("time", r.total_time, "s");
  if (r.connect_time > 0) outcome.metric("connect_time", r.connect_time, "s");
  if (r.tls_time > 0) outcome.metric("tls_time", r.tls_time, "s");
  if (r.first_byte_time > 0) outcome.metric("first_byte_time", r.first_byte_time, "s");
  if (r.responded) outcome.metric("status", static_cast<double>(r.status));
  if (r.certificate_days_left) {
    outcome.metric("certificate_days_left", std::floor(*r.certificate_days_left));
  }
}

void judge_certificate(Outcome& outcome, const HttpOptions& options, const HttpResult& result) {
  if (options.certificate_expiration_days <= 0 || !result.certificate_days_left) return;
  const double days = *result.certificate_days_left;
  const std::string whole = std::to_string(static_cast<long>(std::floor(std::fabs(days))));
  auto escalate = [&](State state, const std::string& why) {
    if (static_cast<int>(state) > static_cast<int>(outcome.state)) outcome.state = state;
    outcome.message += "; " + why;
  };
  // Perfdata thresholds: fewer days than the limit is WARNING, below 0 (expired) CRITICAL.
  for (auto& metric : outcome.metrics) {
    if (metric.name == "certificate_days_left") {
      metric.warn = std::to_string(options.certificate_expiration_days) + ":";
      metric.crit = "0:";
    }
  }
  if (days < 0) {
    escalate(State::critical, "the certificate expired " + whole + " day(s) ago");
  } else if (days < options.certificate_expiration_days) {
    escalate(State::warning, "the certificate expires in " + whole + " day(s), within the " +
                                 std::to_string(options.certificate_expiration_days) +
                                 "-day limit");
  } else {
    outcome.message += "; certificate valid " + whole + " more days";
  }
}

}  // namespace promise
