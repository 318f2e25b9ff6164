// check_url_available and check_page_content against a real nginx (HTTP, HTTPS with a CA the
// test generates, a UNIX socket) and against fault servers for what nginx won't do.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "fault_server.hpp"
#include "limits.hpp"
#include "listeners.hpp"
#include "nginx_server.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kUrl = binary("check_url_available");
const std::string kContent = binary("check_page_content");
const std::string kRunner = binary("slapos-promise");

class Http : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { nginx_ = new NginxServer(); }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
  }
  static NginxServer& nginx() { return *nginx_; }
  static std::string http(const std::string& path, const std::string& host = "127.0.0.1") {
    return NginxServer::url("http", host, nginx_->http_port(), path);
  }
  static std::string https(std::uint16_t port, const std::string& path = "/") {
    return NginxServer::url("https", "localhost", port, path);
  }
  static std::string ca() { return nginx_->pki().ca_cert().string(); }

 private:
  static inline NginxServer* nginx_ = nullptr;
};

// With -v the log lines come first (stderr is merged); the status line is the last one.
std::string last_line(const std::string& output) {
  const auto end = output.size() > 0 && output.back() == '\n' ? output.size() - 1 : output.size();
  const auto start = output.rfind('\n', end == 0 ? 0 : end - 1);
  return output.substr(start == std::string::npos ? 0 : start + 1);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(Http, AnswersWithTheExpectedCode) {
  expect_line(run({kUrl, "--url", http("/")}), 0, "OK: " + http("/") + " returned 200 in ");
  if (nginx().has_ipv6()) {
    expect_line(run({kUrl, "--url", http("/", "::1")}), 0,
                "OK: " + http("/", "::1") + " returned 200");
  }
  expect_line(run({kUrl, "--url", http("/204"), "--http-code", "204"}), 0, "OK:");
  expect_line(run({kUrl, "--url", http("/204"), "--http_code", "200", "--http_code", "204"}), 0,
              "OK:");
}

TEST_F(Http, WrongCodeIsCriticalAndSaysWhatCameBack) {
  expect_line(run({kUrl, "--url", http("/404")}), 2,
              "CRITICAL: " + http("/404") + " returned 404, expected 200");
  expect_line(run({kUrl, "--url", http("/503"), "--http-code", "200", "--http-code", "204"}), 2,
              "CRITICAL: " + http("/503") + " returned 503, expected 200 or 204");
  expect_line(run({kUrl, "--url", http("/503"), "--ignore-code"}), 0,
              "OK: " + http("/503") + " returned 503");
}

TEST_F(Http, RedirectsAreFollowedUnlessAskedNotTo) {
  expect_line(run({kUrl, "--url", http("/301")}), 0,
              "OK: " + http("/301") + " returned 200 after 2 redirect(s)");
  expect_line(run({kUrl, "--url", http("/301"), "--allow-redirects=0"}), 2,
              "CRITICAL: " + http("/301") + " returned 301, expected 200");
  expect_line(run({kUrl, "--url", http("/301"), "--no-allow-redirects", "--http-code", "301"}), 0,
              "OK:");
  auto loop = run({kUrl, "--url", http("/loop"), "--max-redirects", "5"});
  expect_line(loop, 2, "CRITICAL: " + http("/loop"));
  EXPECT_TRUE(contains(loop.output, "more than 5 redirects")) << loop.output;
}

// SlapOS profiles write config-allow-redirects = 0, config-check-secure = 1, config-verify = 1,
// config-ignore-code = 1; translated literally these were "not expected" arguments.
TEST_F(Http, FlagsTakeTheValuesSlaposProfilesWrite) {
  expect_line(run({kUrl, "--url", http("/301"), "--allow-redirects", "0"}), 2,
              "CRITICAL: " + http("/301") + " returned 301, expected 200");
  expect_line(run({kUrl, "--url", http("/301"), "--allow-redirects", "1"}), 0, "OK:");
  expect_line(run({kUrl, "--url", http("/auth"), "--check-secure", "1"}), 0,
              "OK: " + http("/auth") + " is protected (returned 401)");
  expect_line(run({kUrl, "--url", http("/auth"), "--check-secure", "0"}), 2, "CRITICAL:");
  expect_line(run({kUrl, "--url", http("/503"), "--ignore-code", "1"}), 0, "OK:");
  expect_line(run({kUrl, "--url", http("/503"), "--ignore-code", "0"}), 2, "CRITICAL:");
  const std::string self_signed = https(nginx().https_self_signed_port());
  expect_line(run({kUrl, "--url", self_signed, "--verify", "0"}), 0, "OK:");
  expect_line(run({kUrl, "--url", self_signed, "--verify", "1"}), 2,
              "CRITICAL: " + self_signed + " TLS handshake failed");
  expect_line(run({kUrl, "--verify", "--url", self_signed}), 2, "CRITICAL:");
  // The 301 itself is read (nginx's page says "301 Moved Permanently"), not where it leads.
  expect_line(
      run({kContent, "--url", http("/301"), "--allow-redirects", "false", "--match", "301 Moved"}),
      0, "OK: " + http("/301") + " contains '301 Moved'");
  expect_line(
      run({kContent, "--url", http("/301"), "--allow-redirects", "true", "--match", "301 Moved"}),
      2, "CRITICAL: content at ");
  auto bad = run({kUrl, "--url", http("/"), "--verify", "maybe"});
  expect_line(bad, 3, "UNKNOWN: --verify: 'maybe' is not a boolean");

  TempDir partition;
  const std::string promise = partition / "frontend";
  ASSERT_EQ(run({kUrl, "--install", promise, "--url", http("/301"), "--allow-redirects", "0",
                 "--check-secure", "1"})
                .exit_code,
            0);
  auto shown = run({promise, "--show-config"});
  EXPECT_TRUE(contains(shown.output, "allow-redirects = \"false\"\ncheck-secure = \"true\"\n"))
      << shown.output;
  expect_line(run({promise}), 2, "CRITICAL: " + http("/301") + " returned 301");
  auto refused = run({kUrl, "--install", partition / "other", "--url", http("/"), "--verify", "2"});
  expect_line(refused, 3, "UNKNOWN: --verify: '2' is not a boolean");
  EXPECT_FALSE(fs::exists(partition / "other"));
}

TEST_F(Http, BasicAuthAndCheckSecure) {
  const std::string url = http("/auth");
  expect_line(run({kUrl, "--url", url}), 2, "CRITICAL: " + url + " returned 401");
  expect_line(run({kUrl, "--url", url, "--check-secure"}), 0,
              "OK: " + url + " is protected (returned 401)");
  auto logged_in =
      run({kUrl, "--url", url, "--username", "alice", "--password", "S3cret pass#1", "-vv"});
  EXPECT_EQ(logged_in.exit_code, 0) << logged_in.output;
  EXPECT_FALSE(contains(logged_in.output, "S3cret")) << logged_in.output;
  EXPECT_FALSE(contains(logged_in.output, "YWxpY2U6")) << logged_in.output;  // base64 of "alice:"
  EXPECT_TRUE(contains(logged_in.output, "Authorization: ***")) << logged_in.output;

  TempDir dir;
  std::ofstream(dir / "password") << "S3cret pass#1\n";
  expect_line(run({kUrl, "--url", url, "--username", "alice", "--password-file", dir / "password"}),
              0, "OK: " + url + " returned 200");
}

TEST_F(Http, UserInfoInTheUrlWorksAndIsNeverShown) {
  const std::string url =
      "http://alice:S3cret%20pass%231@127.0.0.1:" + std::to_string(nginx().http_port()) + "/auth";
  auto result = run({kUrl, "--url", url, "-vv"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_FALSE(contains(result.output, "S3cret")) << result.output;
  EXPECT_TRUE(contains(result.output, "OK: " + http("/auth") + " returned 200")) << result.output;
}

TEST_F(Http, TlsIsNotVerifiedByDefaultAsInSlapos) {
  for (auto port : {nginx().https_port(), nginx().https_expired_port(),
                    nginx().https_wrong_host_port(), nginx().https_self_signed_port()}) {
    expect_line(run({kUrl, "--url", https(port)}), 0, "OK: " + https(port) + " returned 200");
  }
}

// A plain-http check skips OpenSSL's name tables and error strings; a redirect to https://
// must still work (unverified, the SlapOS default).
TEST_F(Http, PlainHttpRedirectedToHttpsStillWorks) {
  FaultServer redirect(FaultServer::Behaviour::redirect, "127.0.0.1", 0,
                       https(nginx().https_expired_port(), "/204"));
  expect_line(run({kUrl, "--url", redirect.url(), "--http-code", "204"}), 0,
              "OK: " + redirect.url() + " returned 204 after 1 redirect(s)");
}

TEST_F(Http, VerifiedTlsNamesWhatIsWrong) {
  expect_line(run({kUrl, "--url", https(nginx().https_port()), "--ca-cert-file", ca()}), 0, "OK:");
  auto expired = run({kUrl, "--url", https(nginx().https_expired_port()), "--ca-cert-file", ca()});
  expect_line(expired, 2,
              "CRITICAL: " + https(nginx().https_expired_port()) + " TLS handshake failed: ");
  EXPECT_TRUE(contains(expired.output, "expired")) << expired.output;
  auto wrong_host =
      run({kUrl, "--url", https(nginx().https_wrong_host_port()), "--ca-cert-file", ca()});
  expect_line(wrong_host, 2, "CRITICAL: ");
  EXPECT_TRUE(contains(wrong_host.output, "localhost")) << wrong_host.output;
  auto self_signed = run({kUrl, "--url", https(nginx().https_self_signed_port()), "--verify"});
  expect_line(self_signed, 2,
              "CRITICAL: " + https(nginx().https_self_signed_port()) + " TLS handshake failed: ");
}

TEST_F(Http, ClientCertificate) {
  const std::string url = https(nginx().https_client_cert_port());
  expect_line(run({kUrl, "--url", url}), 2, "CRITICAL: " + url + " returned 400");
  const auto& client = nginx().pki().client();
  expect_line(run({kUrl, "--url", url, "--ca-cert-file", ca(), "--cert-file", client.cert.string(),
                   "--key-file", client.key.string()}),
              0, "OK: " + url + " returned 200");
}

// ---- the TLS servers a promise meets, whichever TLS library libcurl uses (the static release:
// wolfSSL; Debian's libcurl in the other builds: OpenSSL) ------------------------------------

class HttpTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { nginx_ = new NginxServer(NginxOptions{.tls_variants = true}); }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
  }
  static NginxServer& nginx() { return *nginx_; }
  static std::string https(std::uint16_t port) {
    return NginxServer::url("https", "localhost", port, "/");
  }
  static std::string ca() { return nginx_->pki().ca_cert().string(); }

 private:
  static inline NginxServer* nginx_ = nullptr;
};

// ECDSA and RSA certificates, TLS 1.2 only, TLS 1.3 only, and a server whose only key exchange
// group is secp384r1 (the client must offer it beside X25519): unverified, verified against
// the CA, and the certificate's expiry read.
TEST_F(HttpTls, EveryServerAnswersVerifiedOrNot) {
  for (auto port : {nginx().https_port(), nginx().https_rsa_port(), nginx().https_tls12_port(),
                    nginx().https_tls13_port(), nginx().https_secp384r1_port()}) {
    const std::string url = https(port);
    expect_line(run({kUrl, "--url", url}), 0, "OK: " + url + " returned 200");
    expect_line(run({kUrl, "--url", url, "--ca-cert-file", ca()}), 0,
                "OK: " + url + " returned 200");
    auto expiry =
        run({kUrl, "--url", url, "--ca-cert-file", ca(), "--certificate-expiration-days", "30"});
    expect_line(expiry, 0, "OK: " + url + " returned 200");
    EXPECT_TRUE(contains(expiry.output, "certificate valid 364 more days") ||
                contains(expiry.output, "certificate valid 365 more days"))
        << expiry.output;
  }
}

// The version-limited servers are what they say (libcurl logs the version with -vv).
TEST_F(HttpTls, VersionLimitedServersSpeakTheirVersion) {
  auto tls12 = run({kUrl, "--url", https(nginx().https_tls12_port()), "-vv"});
  EXPECT_TRUE(contains(tls12.output, "SSL connection using TLSv1.2")) << tls12.output;
  auto tls13 = run({kUrl, "--url", https(nginx().https_tls13_port()), "-vv"});
  EXPECT_TRUE(contains(tls13.output, "SSL connection using TLSv1.3")) << tls13.output;
}

TEST_F(HttpTls, UnknownCaAndUnusableCaFileAreNamed) {
  const std::string url = https(nginx().https_rsa_port());
  // Verified against the system's CAs, which do not know the test CA.
  expect_line(run({kUrl, "--url", url, "--verify"}), 2,
              "CRITICAL: " + url +
                  " TLS handshake failed: SSL certificate problem: unable to get local issuer "
                  "certificate");
  TempDir dir;
  const std::string not_pem = dir.path() + "/not-a-ca.pem";
  std::ofstream(not_pem) << "not a certificate\n";
  expect_line(
      run({kUrl, "--url", url, "--ca-cert-file", not_pem}), 2,
      "CRITICAL: " + url + " TLS handshake failed: error setting certificate file: " + not_pem);
}

// A client key that is not the certificate's fails the check. Where differs: libcurl with
// OpenSSL refuses the pair before the handshake ("private key does not match the certificate
// public key"); with wolfSSL (no such check for EC keys in 5.5) the server's alert ends it.
TEST_F(HttpTls, ClientKeyOfAnotherCertificateFails) {
  const std::string url = https(nginx().https_client_cert_port());
  auto result = run({kUrl, "--url", url, "--cert-file", nginx().pki().client().cert.string(),
                     "--key-file", nginx().pki().server().key.string()});
  expect_line(result, 2, "CRITICAL: " + url + " ");
  EXPECT_FALSE(contains(result.output, "returned")) << result.output;
}

// --verify trusts the system's CA bundle: here one that holds the test CA, bind-mounted over
// Debian's in a mount namespace of the promise's own.
TEST_F(HttpTls, VerifyTrustsTheSystemCaBundle) {
  const fs::path bundle = "/etc/ssl/certs/ca-certificates.crt";
  if (!namespaces_available() || !fs::exists(bundle)) GTEST_SKIP() << "no namespaces or bundle";
  const std::string url = https(nginx().https_rsa_port());
  ProcessSpec spec;
  spec.argv = {kUrl, "--url", url, "--verify"};
  const std::string test_ca = ca();
  spec.before_exec = [&test_ca, &bundle] {
    enter_private_namespaces("", "", false);
    if (::mount(test_ca.c_str(), bundle.c_str(), nullptr, MS_BIND, nullptr) != 0) ::_exit(125);
  };
  const ProcessResult result = run_process(spec);
  if (result.exit_code == 125) GTEST_SKIP() << "cannot bind-mount over " << bundle;
  expect_line(result, 0, "OK: " + url + " returned 200");
}

TEST_F(Http, CertificateExpiryWarnsWithinTheLimit) {
  auto soon = run({kUrl, "--url", https(nginx().https_expiring_port()),
                   "--certificate-expiration-days", "30", "--format", "nagios"});
  expect_line(soon, 1, "WARNING - " + https(nginx().https_expiring_port()) + " returned 200");
  // The certificate was made to expire 5 days after the suite started: 4 or 5 whole days left.
  EXPECT_TRUE(
      contains(soon.output, "the certificate expires in 4 day(s), within the 30-day limit") ||
      contains(soon.output, "the certificate expires in 5 day(s), within the 30-day limit"))
      << soon.output;
  // Perfdata with the thresholds of the plugin guidelines: fewer than 30 days warns, < 0 is
  // critical.
  EXPECT_TRUE(contains(soon.output, "certificate_days_left=4;30:;0:") ||
              contains(soon.output, "certificate_days_left=5;30:;0:"))
      << soon.output;
  auto fine =
      run({kUrl, "--url", https(nginx().https_port()), "--certificate-expiration-days", "30"});
  expect_line(fine, 0, "OK:");
  EXPECT_TRUE(contains(fine.output, "certificate valid 364 more days") ||
              contains(fine.output, "certificate valid 365 more days"))
      << fine.output;
  auto expired = run(
      {kUrl, "--url", https(nginx().https_expired_port()), "--certificate-expiration-days", "30"});
  expect_line(expired, 2, "CRITICAL:");
  EXPECT_TRUE(contains(expired.output, "the certificate expired")) << expired.output;
}

// Options that are fine must stay fine: forms of --resolve and --proxy curl takes.
TEST_F(Http, UsableResolveAndProxyFormsAreAccepted) {
  TempDir dir;
  for (const auto& option :
       std::vector<std::vector<std::string>>{{"--resolve", "h:80:127.0.0.1"},
                                             {"--resolve", "h:80:[::1],127.0.0.1"},
                                             {"--resolve", "+h:8080:::1"},
                                             {"--resolve", "*:443:127.0.0.1"},
                                             {"--proxy", "127.0.0.1:3128"},
                                             {"--proxy", "http://[::1]:3128"},
                                             {"--proxy", "https://proxy.example:3129"},
                                             {"--proxy", "socks5h://127.0.0.1:1080"},
                                             {"--proxy", "socks4a://127.0.0.1"},
                                             {"--proxy", ""}}) {
    std::vector<std::string> args = {kUrl, "--install", dir / "p", "--url", "http://h/"};
    args.insert(args.end(), option.begin(), option.end());
    auto result = run(args);
    EXPECT_EQ(result.exit_code, 0) << testing::PrintToString(option) << ": " << result.output;
  }
}

// A scoped IPv6 literal in a URL (RFC 6874: [fe80::1%25eth0], or curl's [fe80::1%eth0]).
// On ::1 the kernel ignores the scope: this tests the plumbing on loopback.
TEST_F(Http, ScopedIpv6LiteralInTheUrl) {
  if (!nginx().has_ipv6()) GTEST_SKIP() << "no IPv6 on loopback";
  const std::string port = std::to_string(nginx().http_port());
  for (const std::string host : {"[::1%25lo]", "[::1%lo]"}) {
    const std::string url = "http://" + host + ":" + port + "/";
    expect_line(run({kUrl, "--url", url}), 0, "OK: http://[::1%25lo]:" + port + "/ returned 200");
  }
}

// A real link-local address in a private network namespace (fe80::1 on lo, a socket listening
// there that never answers): the request is sent to it, so the wait is for the response.
TEST(HttpFaults, LinkLocalAddressWithAZoneIsReached) {
  if (!namespaces_available()) GTEST_SKIP() << "user/network namespaces are not available";
  ProcessSpec spec;
  spec.argv = {kUrl, "--url", "http://[fe80::1%25lo]:8080/", "--timeout", "1"};
  spec.before_exec = [] {
    enter_private_namespaces("", "", true);
    listen_on_link_local_loopback(8080);
  };
  expect_line(run_process(spec), 2,
              "CRITICAL: http://[fe80::1%25lo]:8080/ timed out after 1.00 s while waiting for the "
              "response");
}

TEST_F(Http, UnixSocket) {
  expect_line(run({kUrl, "--url", "http://localhost/204", "--unix-socket",
                   nginx().unix_socket().string(), "--http-code", "204"}),
              0, "OK: http://localhost/204 returned 204");
}

TEST_F(Http, ProxyVariablesOfTheEnvironmentAreIgnored) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(unused_port());
  ProcessSpec spec;
  spec.argv = {kUrl, "--url", http("/")};
  spec.env = std::vector<std::string>{"http_proxy=" + dead, "HTTP_PROXY=" + dead,
                                      "https_proxy=" + dead, "ALL_PROXY=" + dead};
  expect_line(run_process(spec), 0, "OK: " + http("/") + " returned 200");
  spec.argv.insert(spec.argv.end(), {"--proxy", dead});  // asked for: then it is used
  expect_line(run_process(spec), 2, "CRITICAL: " + http("/") + " connection failed");
}

TEST_F(Http, HeadReadsNoBody) {
  auto result = run({kUrl, "--url", http("/big"), "--method", "HEAD", "-v"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(last_line(result.output).rfind("OK: ", 0), 0u) << result.output;
  EXPECT_TRUE(contains(result.output, "0 body bytes read")) << result.output;
}

TEST_F(Http, HugeBodyIsNotReadWhole) {
  auto result = run({kUrl, "--url", http("/big"), "-v"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(last_line(result.output).rfind("OK: " + http("/big") + " returned 200", 0), 0u)
      << result.output;
  EXPECT_TRUE(contains(result.output, "1048576 body bytes read (stopped at --max-body)"))
      << result.output;
  if (!kSanitized) {
    EXPECT_LT(result.max_rss_kib, 16 * 1024);  // check_curl: 217 MB here
  }
}

TEST_F(Http, PageContent) {
  const std::string marker(NginxServer::kContentMarker);
  expect_line(run({kContent, "--url", http("/content"), "--match", marker}), 0,
              "OK: " + http("/content") + " contains '" + marker + "'");
  expect_line(run({kContent, "--url", http("/content"), "--regex", "marker-[0-9a-f]+"}), 0,
              "OK: " + http("/content") + " matches /marker-[0-9a-f]+/");
  expect_line(
      run({kContent, "--url", http("/content"), "--match", "absent text"}), 2,
      "CRITICAL: content at " + http("/content") + " seems to be corrupted: no 'absent text'");
  // The recipe's default: the page must contain its own URL.
  expect_line(run({kContent, "--url", http("/content")}), 2, "CRITICAL: content at ");
  expect_line(run({kContent, "--url", http("/404"), "--match", "x"}), 2,
              "CRITICAL: " + http("/404") + " returned 404");
  auto auth = run({kContent, "--url", http("/auth"), "--username", "alice", "--password",
                   "S3cret pass#1", "--match", "authenticated"});
  expect_line(auth, 0, "OK: ");
}

// A minified page is one line of megabytes. libstdc++'s std::regex recursed once per character
// a repeat consumed and overflowed the stack there (SIGSEGV).
TEST_F(Http, RegexOverAMultiMegabyteSingleLine) {
  const std::string url = http("/minified");
  const std::string read = " in " + std::to_string(NginxServer::kMinifiedSize) + " bytes";
  expect_line(
      run({kContent, "--url", url, "--max-body", "4194304", "--regex", "<title>.*</title>"}), 0,
      "OK: " + url + " matches /<title>.*</title>/ (" + read.substr(4));
  expect_line(run({kContent, "--url", url, "--max-body", "4194304", "--regex",
                   "^<!DOCTYPE html>.*</body></html>$"}),
              0, "OK: " + url + " matches /");
  expect_line(run({kContent, "--url", url, "--max-body", "4194304", "--regex", "<title>.*</nav>"}),
              2,
              "CRITICAL: content at " + url +
                  " seems to be corrupted: no match for /<title>.*</nav>/" + read + "\n");
}

// ---- faults ----------------------------------------------------------------------------

TEST(HttpFaults, SilentServerTimesOutWaitingForTheResponse) {
  FaultServer silent(FaultServer::Behaviour::silent);
  auto result = run({kUrl, "--url", silent.url(), "--timeout", "1"});
  expect_line(
      result, 2,
      "CRITICAL: " + silent.url() + " timed out after 1.00 s while waiting for the response");
  EXPECT_LT(result.seconds, 1 + kTimeMargin);
}

TEST(HttpFaults, StalledTlsHandshakeTimesOutInTheHandshake) {
  FaultServer silent(FaultServer::Behaviour::silent);
  const std::string url = "https://127.0.0.1:" + std::to_string(silent.port()) + "/";
  auto result = run({kUrl, "--url", url, "--timeout", "1"});
  expect_line(result, 2, "CRITICAL: " + url + " timed out after 1.00 s in the TLS handshake");
  EXPECT_LT(result.seconds, 1 + kTimeMargin);
}

TEST(HttpFaults, TricklingBodyTimesOutReadingTheBody) {
  FaultServer trickle(FaultServer::Behaviour::trickle);
  auto result = run({kUrl, "--url", trickle.url(), "--timeout", "1.5"});
  expect_line(result, 2,
              "CRITICAL: " + trickle.url() + " timed out after 1.50 s while reading the body");
  EXPECT_LT(result.seconds, 1.5 + kTimeMargin);
}

// Found by the fault matrix: the headers came, the body had not started (HTTPS, one byte a
// second), and the backstop said "while waiting for the response". Once the headers are in,
// the step is reading the body.
TEST(HttpFaults, SigtermAfterTheHeadersNamesTheBody) {
  if (kSanitized) GTEST_SKIP() << "a sanitizer build starts too slowly to aim the signal";
  FaultServer trickle(FaultServer::Behaviour::trickle);  // headers, then a byte a second
  ProcessSpec spec;
  spec.argv = {kUrl, "--url", trickle.url(), "--timeout", "10"};
  spec.sigterm_after = 0.5;  // the headers are in, the first body byte (at 1 s) is not
  expect_line(run_process(spec), 2, "CRITICAL: terminated by SIGTERM while reading the body\n");
}

// A signal (or the deadline backstop, which writes the same line) names the step libcurl is in:
// the TCP connect, then the TLS handshake, then the wait for the response.
TEST(HttpFaults, SigtermNamesTheStepUnderWay) {
  if (kSanitized) GTEST_SKIP() << "a sanitizer build starts too slowly to aim the signal";
  auto syn_dropped = Listener::tcp_blackhole("127.0.0.1");
  FaultServer silent(FaultServer::Behaviour::silent);  // accepts, never answers
  const std::string silent_at = "127.0.0.1:" + std::to_string(silent.port()) + "/";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://127.0.0.1:" + std::to_string(syn_dropped.port()) + "/", "connecting"},
      {"https://" + silent_at, "in the TLS handshake"},
      {"http://" + silent_at, "waiting for the response"}};
  for (const auto& [url, step] : cases) {
    SCOPED_TRACE(url);
    ProcessSpec spec;
    spec.argv = {kUrl, "--url", url, "--timeout", "10"};
    spec.sigterm_after = 0.5;
    expect_line(run_process(spec), 2, "CRITICAL: terminated by SIGTERM while " + step + "\n");
  }
}

TEST(HttpFaults, EndlessBodyStopsAtMaxBodyWithFlatMemory) {
  FaultServer endless(FaultServer::Behaviour::endless);
  auto ok = run({kUrl, "--url", endless.url(), "--timeout", "5"});
  expect_line(ok, 0, "OK: " + endless.url() + " returned 200");
  if (!kSanitized) {
    EXPECT_LT(ok.max_rss_kib, 16 * 1024);  // check_curl: 556 MB in 5 s
  }
  auto content =
      run({kContent, "--url", endless.url(), "--match", "never there", "--max-body", "4194304"});
  expect_line(content, 2, "CRITICAL: content at " + endless.url() + " seems to be corrupted");
  EXPECT_TRUE(contains(content.output, "in 4194304 bytes (the first --max-body bytes)"))
      << content.output;
  if (!kSanitized) {
    EXPECT_LT(content.max_rss_kib, 24 * 1024);
  }
}

// Patterns that make a backtracking engine take exponential time, over 4 MiB on one line: the
// right answer, well within the deadline.
TEST(HttpFaults, PathologicalRegexOverALongLineGetsTheRightAnswerInTime) {
  FaultServer endless(FaultServer::Behaviour::endless);  // 'x' forever, no newline
  const std::string no_match =
      "CRITICAL: content at " + endless.url() + " seems to be corrupted: no match for /";
  for (const auto& [pattern, matches] :
       std::vector<std::pair<std::string, bool>>{{"(x+x+)+y", false},
                                                 {"(x+)+$", true},
                                                 {"(.*)*[^x]", false},
                                                 {"x.*[yz]", false},
                                                 {"(a|x)*(a|x)*[yz]", false}}) {
    SCOPED_TRACE(pattern);
    auto result = run({kContent, "--url", endless.url(), "--max-body", "4194304", "--regex",
                       pattern, "--timeout", "5"});
    expect_line(result, matches ? 0 : 2,
                matches ? "OK: " + endless.url() + " matches /" : no_match);
    EXPECT_TRUE(contains(result.output, "4194304 bytes (the first --max-body bytes)"))
        << result.output;
    EXPECT_LT(result.seconds, 5);
  }
}

// A pattern the engine cannot run fast on this body: on pseudo-random text RE2's DFA runs out of
// its memory budget and RE2 falls back to its NFA, which costs per byte in proportion to the
// pattern's ~8000 instructions (about 10 s for these 16 MiB here). The deadline ends it, and the
// message names the step, not "reading the body".
TEST(HttpFaults, SlowRegexIsNamedWhenTheDeadlineEndsIt) {
  FaultServer noise(FaultServer::Behaviour::noise);
  auto result = run({kContent, "--url", noise.url(), "--max-body", "16777216", "--regex",
                     "(a|b).{1000}[xyz]{3}\\x01", "--timeout", "3"});
  expect_line(result, 2,
              "CRITICAL: deadline of 3 s exceeded while matching the regular expression\n");
  EXPECT_LT(result.seconds, 3 + kTimeMargin);
}

// curl refuses to follow a redirect to another protocol; the message says that, not "reading
// the body failed: the redirect target URL could not be parsed".
TEST(HttpFaults, RedirectToANonHttpUrlIsRefusedInItsOwnWords) {
  for (const std::string target : {"gopher://127.0.0.1:70/1x", "file:///etc/passwd"}) {
    FaultServer redirect(FaultServer::Behaviour::redirect, "127.0.0.1", 0, target);
    expect_line(run({kUrl, "--url", redirect.url()}), 2,
                "CRITICAL: " + redirect.url() + " redirected to a non-HTTP URL (" + target +
                    "), refused (");
  }
}

// ps shows argv for as long as a check runs: the secrets in it are overwritten before the check
// connects anywhere. The fault server never answers, so the check is still running when its
// command line is read.
TEST(HttpFaults, SecretsAreBlankedInTheCommandLineWhileTheCheckRuns) {
  FaultServer silent(FaultServer::Behaviour::silent);
  const std::string secret = "s3cret-in-ps";
  const std::string userinfo_url =
      "http://u:" + secret + "@127.0.0.1:" + std::to_string(silent.port()) + "/";
  const std::vector<std::vector<std::string>> cases = {
      {"--url", silent.url(), "--username", "u", "--password", secret},
      {"--url", silent.url(), "--username", "u", "--password=" + secret},
      {"--url", userinfo_url},
      {"--url=" + userinfo_url},
      {"--url", silent.url(), "--header", "Authorization: Bearer " + secret}};
  for (const auto& args : cases) {
    SCOPED_TRACE(args.back());
    const int connections = silent.connections();
    int pid_pipe[2];
    ASSERT_EQ(::pipe2(pid_pipe, O_CLOEXEC), 0);
    ProcessSpec spec;
    spec.argv = {kUrl, "--timeout", "8"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.before_exec = [&] {
      const pid_t self = ::getpid();
      (void)!::write(pid_pipe[1], &self, sizeof self);
    };
    auto running = std::async(std::launch::async, [&] { return run_process(spec); });
    pid_t pid = 0;
    ASSERT_EQ(::read(pid_pipe[0], &pid, sizeof pid), static_cast<ssize_t>(sizeof pid));
    ::close(pid_pipe[0]);
    ::close(pid_pipe[1]);
    for (int i = 0; i < 500 && silent.connections() == connections; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    ::kill(pid, SIGTERM);
    auto result = running.get();
    EXPECT_GT(silent.connections(), connections) << "the check never connected";
    // The server counted the connection: libcurl may not have seen it complete yet (the step
    // is then still "connecting"), the run was under way either way.
    EXPECT_TRUE(contains(result.output, "terminated by SIGTERM while ")) << result.output;
    EXPECT_TRUE(contains(cmdline, "--url")) << cmdline;  // read while it ran
    EXPECT_FALSE(contains(cmdline, secret)) << cmdline;
  }
}

TEST(HttpFaults, BlackholedIpv6AddressDoesNotFailAHealthyIpv4One) {
  const int port = unused_port();
  auto dead_v6 = Listener::tcp_blackhole("::1", port);
  FaultServer healthy(FaultServer::Behaviour::healthy, "127.0.0.1", port);
  const std::string url = "http://dual.test:" + std::to_string(port) + "/";
  auto result =
      run({kUrl, "--url", url, "--resolve",
           "dual.test:" + std::to_string(port) + ":[::1],127.0.0.1", "--timeout", "4", "-v"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(last_line(result.output).rfind("OK: " + url + " returned 200", 0), 0u) << result.output;
  EXPECT_TRUE(contains(result.output, "peer 127.0.0.1:" + std::to_string(port))) << result.output;
  EXPECT_LT(result.seconds, 1.5 + kTimeMargin);  // Happy Eyeballs: 250 ms, not the 4 s
}

TEST(HttpFaults, StalledDnsServerCannotStretchTheDeadline) {
  if (!namespaces_available()) GTEST_SKIP() << "user/network namespaces are not available";
  auto result = run_with_stalled_dns({kUrl, "--url", "http://stalled.example/", "--timeout", "1"});
  expect_line(
      result, 2,
      "CRITICAL: http://stalled.example/ timed out after 1.00 s while resolving the host name");
  EXPECT_LT(result.seconds, 1 + kTimeMargin);  // check_curl: 10 s for a 2 s timeout
}

// The same with libcurl's resolver thread: one line when the status line waits in a full pipe.
TEST(HttpFaults, StalledDnsAndAFullOutputPipeGiveOneLine) {
  if (!namespaces_available()) GTEST_SKIP() << "user/network namespaces are not available";
  for (int round = 0; round < 3; ++round) {
    auto result = run_with_stalled_dns_into_full_pipe(
        {kUrl, "--url", "http://stalled.example/", "--timeout", "0.5"}, 0.5 + kTimeMargin + 0.5);
    // The check's line (or, if the check could not claim it within the backstop's 50 ms
    // grace on a busy machine, the backstop's): one line either way.
    expect_line(result, 2, "CRITICAL: ");
  }
}

// ---- instantiation with secrets ------------------------------------------------------------

class HttpInstall : public Http, public ::testing::WithParamInterface<std::string> {};

TEST_P(HttpInstall, BakedTlsAndAuthOptionsRunAndNeverShowThePassword) {
  TempDir partition;
  fs::create_directories(partition / "etc/promise");
  const std::string promise = partition / "etc/promise/frontend";
  const auto& client = nginx().pki().client();
  auto installed = run({kUrl, "--install", promise, "--mode", GetParam(), "--url",
                        https(nginx().https_client_cert_port(), "/auth"), "--ca-cert-file", ca(),
                        "--cert-file", client.cert.string(), "--key-file", client.key.string(),
                        "--username", "alice", "--password", "S3cret pass#1", "--timeout", "5"});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  struct stat info {};
  ASSERT_EQ(::stat(promise.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);  // it holds a password

  ProcessSpec slapgrid;
  slapgrid.argv = {promise};
  slapgrid.cwd = partition.path();
  slapgrid.env = clean_environment();
  auto result = run_process(slapgrid);
  expect_line(result, 0,
              "OK: " + https(nginx().https_client_cert_port(), "/auth") + " returned 200");
  for (const auto& args : {std::vector<std::string>{promise, "-vv"},
                           std::vector<std::string>{promise, "--show-config"}}) {
    auto shown = run(args);
    EXPECT_FALSE(contains(shown.output, "S3cret")) << shown.output;
    EXPECT_FALSE(contains(shown.output, "YWxpY2U6")) << shown.output;
  }
  EXPECT_TRUE(contains(run({promise, "--show-config"}).output, "password = \"***\"\n"));
}

// A run declares only the options its promise file names (promise::option_named): each one
// baked still counts. A 204 is OK only if --http-code is honoured, HEAD only if --method is.
// A run declares only the options it names, but --help, --dump-options (the Icinga commands,
// the man pages) and --show-config must still know every one.
TEST(HttpOptions, HelpDumpAndShowConfigKnowEveryOption) {
  const std::vector<std::string> names = {
      "--method",        "--header",        "--allow-redirects",
      "--max-redirects", "--verify",        "--ca-cert-file",
      "--cert-file",     "--key-file",      "--username",
      "--password",      "--password-file", "--proxy",
      "--resolve",       "--unix-socket",   "--certificate-expiration-days",
      "--max-body",      "--http-code",     "--ignore-code",
      "--check-secure"};
  const std::string help = run({kUrl, "--help"}).output;
  const std::string dump = run({kUrl, "--dump-options"}).output;
  for (const auto& name : names) {
    EXPECT_TRUE(contains(help, name)) << name << " missing from --help:\n" << help;
    EXPECT_TRUE(contains(dump, "\"" + name + "\"")) << name << " missing from --dump-options";
  }
  auto shown = run({kUrl, "--url", "http://h/", "--max-body", "7", "--show-config"});
  EXPECT_TRUE(contains(shown.output, "max-body = \"7\"")) << shown.output;
}

// A repeatable option takes one value per occurrence, kept as given: CLI11 alone would take the
// words after it as more values and split a value written "[a,b]" at its commas.
TEST(HttpOptions, ARepeatableOptionTakesOneValueAsGiven) {
  const std::vector<std::string> options = {
      "--url",    "http://h/",       "--header",  "X-A: [1,2]",
      "--header", "[X-B: 1,X-C: 2]", "--resolve", "h:80:127.0.0.1,[::1]"};
  std::vector<std::string> args = {kUrl};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back("--show-config");
  const auto shown = run(args);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_TRUE(contains(shown.output, "header = \"X-A: [1,2]\"\nheader = \"[X-B: 1,X-C: 2]\"\n"))
      << shown.output;
  EXPECT_TRUE(contains(shown.output, "resolve = \"h:80:127.0.0.1,[::1]\"")) << shown.output;

  const auto extra = run({kUrl, "--url", "http://h/", "--header", "X-A: 1", "X-B: 2"});
  EXPECT_EQ(extra.exit_code, 3) << extra.output;
  EXPECT_TRUE(contains(extra.output, "X-B: 2")) << extra.output;

  for (const std::string mode : {"script", "copy"}) {
    SCOPED_TRACE(mode);
    TempDir partition;
    const std::string promise = partition / "p";
    std::vector<std::string> install = {kUrl, "--install", promise, "--mode", mode};
    install.insert(install.end(), options.begin(), options.end());
    const auto installed = run(install);
    ASSERT_EQ(installed.exit_code, 0) << installed.output;
    const auto baked = run({promise, "--show-config"});
    EXPECT_TRUE(contains(baked.output, "header = \"X-A: [1,2]\"\nheader = \"[X-B: 1,X-C: 2]\"\n"))
        << baked.output;
    EXPECT_TRUE(contains(baked.output, "resolve = \"h:80:127.0.0.1,[::1]\"")) << baked.output;
  }
}

TEST_P(HttpInstall, EveryBakedOptionCountsWhenRun) {
  TempDir partition;
  const std::string promise = partition / "p";
  auto installed = run({kUrl, "--install", promise, "--mode", GetParam(), "--url", http("/204"),
                        "--http-code", "204", "--method", "HEAD", "--header", "X-Check: 1",
                        "--max-redirects", "0", "--max-body", "0"});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  expect_line(run({promise}), 0, "OK: " + http("/204") + " returned 204");
  auto verbose = run({promise, "-vv"});
  EXPECT_TRUE(contains(verbose.output, "HEAD /204")) << verbose.output;
  EXPECT_TRUE(contains(verbose.output, "X-Check: 1")) << verbose.output;
  // And an option given beside the promise file, on the command line, is declared too.
  expect_line(run({promise, "--http-code", "200"}), 2,
              "CRITICAL: " + http("/204") + " returned 204, expected 200");
}

INSTANTIATE_TEST_SUITE_P(Modes, HttpInstall, ::testing::Values("script", "copy"));

// Every channel a secret could leak through, for every way a secret is given: the status line
// in each format, -v, -vv, --show-config, an installed promise in both modes (run, -vv,
// --show-config), and slapos-promise (show, the run table, --format json, status.json files).
// The password is long (a cut would leave a piece), holds '@' (written %40 in a URL) and '|'
// (escaped \x7c in the status line): no form of it, nor any piece, may appear.
TEST_F(Http, NoChannelShowsASecretInAnyForm) {
  std::string password = "p@ss";
  while (password.size() < 120) password += "Zq9|";
  std::string encoded = "p%40ss";
  while (encoded.size() < 6 + 29 * 6) encoded += "Zq9%7C";
  const std::vector<std::string> forbidden = {
      password, encoded,  "p\\x40ss", "Zq9",
      "p@ss",   "p%40ss", "YWxpY2U6"};  // base64 of "alice:", the start of a basic-auth header
  const std::string host = "127.0.0.1:" + std::to_string(nginx().http_port());
  const std::string url_with_password = "http://alice:" + encoded + "@" + host + "/301";
  struct Case {
    std::string name, binary;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {"url-userinfo", kUrl, {"--url", url_with_password}},
      {"url-userinfo-default-match", kContent, {"--url", url_with_password}},
      {"password", kUrl, {"--url", http("/auth"), "--username", "alice", "--password", password}},
      {"authorization-header",
       kContent,
       {"--url", http("/auth"), "--header", "Authorization: Bearer " + password, "--match", "x"}},
      {"cookie-header", kUrl, {"--url", http("/auth"), "--header", "Cookie: session=" + password}}};

  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::pair<std::string, std::string>> outputs;  // channel, what it showed
    auto command = [&](std::vector<std::string> extra) {
      std::vector<std::string> argv = {c.binary};
      argv.insert(argv.end(), c.args.begin(), c.args.end());
      argv.insert(argv.end(), extra.begin(), extra.end());
      return argv;
    };
    for (const std::string format : {"text", "json", "nagios"}) {
      outputs.emplace_back("--format " + format, run(command({"--format", format})).output);
    }
    outputs.emplace_back("-v", run(command({"-v"})).output);
    outputs.emplace_back("-vv", run(command({"-vv"})).output);
    const auto shown = run(command({"--show-config"}));
    EXPECT_EQ(shown.exit_code, 0) << shown.output;
    outputs.emplace_back("--show-config", shown.output);

    for (const std::string mode : {"script", "copy"}) {
      TempDir partition;
      fs::create_directories(partition / "etc/promise");
      const std::string promise = partition / "etc/promise/secret";
      auto installed = run(command({"--install", promise, "--mode", mode}));
      ASSERT_EQ(installed.exit_code, 0) << installed.output;
      outputs.emplace_back(mode + " install", installed.output);
      ProcessSpec slapgrid;
      slapgrid.argv = {promise};
      slapgrid.cwd = partition.path();
      slapgrid.env = clean_environment();
      outputs.emplace_back(mode + " run", run_process(slapgrid).output);
      outputs.emplace_back(mode + " -vv", run({promise, "-vv"}).output);
      outputs.emplace_back(mode + " --show-config", run({promise, "--show-config"}).output);
      outputs.emplace_back(mode + " slapos-promise show", run({kRunner, "show", promise}).output);
      outputs.emplace_back(mode + " slapos-promise run",
                           run({kRunner, "run", partition / "etc/promise"}).output);
      outputs.emplace_back(mode + " slapos-promise run --format json",
                           run({kRunner, "run", "--format", "json", "--write-results",
                                partition.path(), partition / "etc/promise"})
                               .output);
      outputs.emplace_back(mode + " status.json",
                           read_file(partition / ".slapgrid/promise/result/secret.status.json"));
      EXPECT_FALSE(outputs.back().second.empty()) << "no status.json written";
    }
    for (const auto& [channel, output] : outputs) {
      for (const auto& form : forbidden) {
        EXPECT_FALSE(contains(output, form)) << channel << " shows " << form << ":\n" << output;
      }
    }
  }
}

// The same value in a promise file: a bad option too, never an abort.
TEST(HttpFaults, FlagValueBeyondACountInAPromiseFileIsABadOption) {
  TempDir dir;
  const std::string promise = dir.path() + "/p";
  std::ofstream(promise) << "url = \"http://h/\"\nno-allow-redirects = \"99999999999999999999\"\n";
  expect_line(run({kUrl, "--config", promise}), 3,
              "UNKNOWN: --no-allow-redirects: '99999999999999999999' is not a boolean");
}

class BadHttpInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadHttpInputTest, IsUnknownWithAOneLineReason) {
  auto result = run(GetParam().args);
  expect_line(result, 3, "UNKNOWN: ");
  EXPECT_TRUE(contains(result.output, GetParam().mentions)) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Http, BadHttpInputTest,
    ::testing::Values(
        BadInput{"NoUrl", {kUrl}, "--url is required"},
        BadInput{"FtpUrl", {kUrl, "--url", "ftp://h/"}, "only http:// and https://"},
        BadInput{"BrokenUrl", {kUrl, "--url", "http://[::1/"}, "is not a valid URL"},
        BadInput{
            "CodeOutOfRange", {kUrl, "--url", "http://h/", "--http-code", "99"}, "--http-code"},
        BadInput{
            "CodeNotANumber", {kUrl, "--url", "http://h/", "--http-code", "ok"}, "--http-code"},
        BadInput{"CertWithoutKey",
                 {kUrl, "--url", "http://h/", "--cert-file", "/etc/hostname"},
                 "--key-file"},
        BadInput{
            "PasswordWithoutUser", {kUrl, "--url", "http://h/", "--password", "x"}, "--username"},
        BadInput{"MissingCaFile",
                 {kUrl, "--url", "http://h/", "--ca-cert-file", "/nonexistent.pem"},
                 "/nonexistent.pem"},
        BadInput{"BadHeader", {kUrl, "--url", "http://h/", "--header", "no colon"}, "--header"},
        // CLI11 2.1 reads these with std::stoll and let its out_of_range abort the promise
        // (found by the http_options fuzz target).
        BadInput{"NegatedFlagBeyondACount",
                 {kUrl, "--url", "http://h/", "--no-allow-redirects=99999999999999999999"},
                 "'99999999999999999999' is not a boolean"},
        // ... also after a "--" that CLI11 took into a bracketed vector value, so that it
        // still parsed what followed as options.
        BadInput{"NegatedFlagBeyondACountAfterABracketedDoubleDash",
                 {kUrl, "-v", "--url", "http://h/", "--resolve", "[a:1:127.0.0.1", "--", "]",
                  "--no-allow-redirects=99999999999999999999"},
                 "'99999999999999999999' is not a boolean"},
        BadInput{"VerboseBeyondACount",
                 {kUrl, "--url", "http://h/", "--verbose=99999999999999999999"},
                 "--verbose: '99999999999999999999' is out of range"},
        BadInput{"BadMethod", {kUrl, "--url", "http://h/", "--method", "POST"}, "--method"},
        BadInput{"BadRegex",
                 {kContent, "--url", "http://h/", "--regex", "(unclosed"},
                 "not a valid regular expression"},
        BadInput{"RegexBeyondTheEngineLimit",
                 {kContent, "--url", "http://h/", "--regex", "(\\pL{100}){5}"},
                 "exceeds the regular expression engine's memory limit"},
        BadInput{"MatchAndRegex",
                 {kContent, "--url", "http://h/", "--match", "a", "--regex", "b"},
                 "excludes"},
        BadInput{
            "SecretUrlInError", {kUrl, "--url", "http://bob:hunter2@[::1/"}, "http://***@[::1/"},
        // Options that could never work were accepted by --install, then failed every run.
        BadInput{"ResolveGarbage",
                 {kUrl, "--url", "http://h/", "--resolve", "garbage"},
                 "--resolve: 'garbage' is not HOST:PORT:ADDRESS"},
        BadInput{"ResolvePortZero",
                 {kUrl, "--url", "http://h/", "--resolve", "h:0:127.0.0.1"},
                 "--resolve: "},
        BadInput{"ResolveNotAnAddress",
                 {kUrl, "--url", "http://h/", "--resolve", "h:80:db.example"},
                 "'db.example' is not an IP address"},
        BadInput{"ResolveEmptyAddress",
                 {kUrl, "--url", "http://h/", "--resolve", "h:80:127.0.0.1,"},
                 "--resolve: "},
        BadInput{"ResolveZoneId",
                 {kUrl, "--url", "http://h/", "--resolve", "h:80:[fe80::1%eth0]"},
                 "--resolve: "},
        BadInput{"ProxyGopher",
                 {kUrl, "--url", "http://h/", "--proxy", "gopher://x"},
                 "--proxy: 'gopher://x' is not a proxy"},
        BadInput{"ProxyNotAUrl", {kUrl, "--url", "http://h/", "--proxy", "http://[x"}, "--proxy: "},
        BadInput{"UnixSocketTooLong",
                 {kUrl, "--url", "http://h/", "--unix-socket", "/" + std::string(107, 's')},
                 "--unix-socket: "},
        BadInput{"UnixSocketEmpty",
                 {kUrl, "--url", "http://h/", "--unix-socket", ""},
                 "--unix-socket: empty"},
        BadInput{"UrlHostLongerThan253Bytes",
                 {kUrl, "--url", "http://" + std::string(250, 'a') + ".org/"},
                 "longer than a host name"},
        BadInput{"UrlHostLabelLongerThan63Bytes",
                 {kContent, "--url", "https://" + std::string(64, 'a') + ".example/"},
                 "label"},
        BadInput{"UrlHostEmptyLabel", {kUrl, "--url", "http://db..example/"}, "label"},
        BadInput{"ProxyHostLabelLongerThan63Bytes",
                 {kUrl, "--url", "http://h/", "--proxy", std::string(64, 'p') + ":3128"},
                 "label"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
