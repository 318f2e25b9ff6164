// check_websocket_available against a real WebSocket server (Python's websockets, from Debian)
// over ws:// and wss://, with basic auth, and against peers that fail: a server that accepts
// the connection and never upgrades, one that answers plain HTTP, closes, pings, fragments,
// sends too much or nothing, and a closed port.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "background.hpp"
#include "fault_server.hpp"
#include "limits.hpp"
#include "listeners.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"
#include "test_pki.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kWebSocket = binary("check_websocket_available");
const std::string kServerScript = PROMISE_SOURCE_DIR "/tests/support/ws_server.py";
const std::string kGreeting = "b'RFB 003.008\\n'";

ProcessResult check(std::vector<std::string> args) {
  return run_program(kWebSocket, std::move(args));
}

class WebSocketServer {
 public:
  WebSocketServer(const std::string& mode, std::vector<std::string> options = {},
                  const std::string& host = "127.0.0.1")
      : host_(host) {
    std::vector<std::string> argv = {"/usr/bin/python3", kServerScript, host, dir / "port", mode};
    argv.insert(argv.end(), options.begin(), options.end());
    process_ = std::make_unique<BackgroundProcess>(argv, dir / "log");
    if (!wait_until(20, [&] { return fs::exists(dir / "port"); })) {
      ADD_FAILURE() << "the WebSocket server did not start: " << process_->log();
    }
    port_ = read_file(dir / "port");
  }
  const std::string& port() const { return port_; }
  std::string url(const std::string& scheme = "ws", const std::string& path = "/websockify") const {
    const std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
    return scheme + "://" + host + ":" + port_ + path;
  }

 private:
  TempDir dir;
  std::string host_, port_;
  std::unique_ptr<BackgroundProcess> process_;
};

TEST(WebSocket, KvmGreetingAsTheProfileWritesIt) {
  WebSocketServer server("greet");
  const std::string url = server.url();
  expect_output(
      check({"--url", url, "--content-to-send", "RFB 003.008", "--content-to-receive", kGreeting}),
      0, "OK: Correctly received " + kGreeting + " from '" + url + "'");
  expect_output(check({"--url", url, "--content_to_send", "RFB 003.008", "--content_to_receive",
                       "b'RFB 003.003\\n'"}),
                2, "CRITICAL: received " + kGreeting + " instead of b'RFB 003.003\\n'");
  // Connecting only, as the plugin does when either content is missing.
  expect_output(check({"--url", url}), 0, "OK: Correctly connected to '" + url + "'");
  expect_output(check({"--url", url, "--content-to-receive", "x"}), 0,
                "OK: Correctly connected to '" + url + "'");
}

TEST(WebSocket, EchoComparesBytesWhateverTheFrameType) {
  WebSocketServer server("echo");
  const std::string url = server.url("ws", "/?a=1");
  // Text frame out, text frame back: shown as str.
  expect_output(check({"--url", url, "--binary", "false", "--content-to-send", "h\xc3\xa9",
                       "--content-to-receive", "'h\\xe9'"}),
                0, "OK: Correctly received 'h\xc3\xa9' from '" + url + "'");
  // A text reply matches a bytes expectation of the same bytes (the plugin: never).
  expect_output(check({"--url", url, "--no-binary", "--content-to-send", "abc",
                       "--content-to-receive", "b'abc'"}),
                0, "OK: Correctly received b'abc' from '" + url + "'");
  expect_output(check({"--url", url, "--content-to-send", "b'\\x00\\xff'", "--content-to-receive",
                       "b'\\x00\\xfe'"}),
                2, "CRITICAL: received b'\\x00\\xff' instead of b'\\x00\\xfe'");
  // A message of 70,000 bytes: the 64-bit length form both ways.
  const std::string big(70000, 'z');
  expect_line(check({"--url", url, "--content-to-send", big, "--content-to-receive", big}), 0,
              "OK: Correctly received 'zzz");
}

TEST(WebSocket, TextPingAndFragmentedAnswers) {
  WebSocketServer text("text");
  expect_output(
      check({"--url", text.url(), "--content-to-send", "x", "--content-to-receive", kGreeting}), 0,
      "OK: Correctly received " + kGreeting + " from '" + text.url() + "'");
  WebSocketServer ping("ping");
  expect_output(
      check({"--url", ping.url(), "--content-to-send", "b'x'", "--content-to-receive", "b'x'"}), 0,
      "OK: Correctly received b'x' from '" + ping.url() + "'");
  WebSocketServer fragmented("fragmented");
  expect_output(check({"--url", fragmented.url(), "--content-to-send", "x", "--content-to-receive",
                       kGreeting}),
                0, "OK: Correctly received " + kGreeting + " from '" + fragmented.url() + "'");
}

TEST(WebSocket, ServerClosingOrSendingTooMuchIsCritical) {
  WebSocketServer closing("close");
  expect_output(
      check({"--url", closing.url(), "--content-to-send", "x", "--content-to-receive", "y"}), 2,
      "CRITICAL: '" + closing.url() +
          "': receiving failed: the server closed the WebSocket (code 1008 policy)");
  WebSocketServer big("big");
  expect_output(
      check({"--url", big.url(), "--content-to-send", "x", "--content-to-receive", "y"}), 2,
      "CRITICAL: '" + big.url() + "': receiving failed: a message longer than 1048576 bytes");
}

TEST(WebSocket, SilentServerEndsAtTheDeadline) {
  WebSocketServer silent("silent");
  const auto result = check({"--url", silent.url(), "--content-to-send", "x",
                             "--content-to-receive", "y", "--timeout", "1"});
  expect_output(
      result, 2,
      "CRITICAL: '" + silent.url() + "': timed out after 1.00 s while waiting for a message");
  EXPECT_LT(result.seconds, 1 + kTimeMargin);
}

TEST(WebSocket, ServerThatNeverUpgradesEndsAtTheDeadline) {
  FaultServer silent(FaultServer::Behaviour::silent);
  const std::string url = "ws://127.0.0.1:" + std::to_string(silent.port()) + "/";
  const auto result = check({"--url", url, "--timeout", "1"});
  expect_output(result, 2,
                "CRITICAL: '" + url +
                    "': timed out after 1.00 s while waiting for the WebSocket handshake answer");
  EXPECT_LT(result.seconds, 1 + kTimeMargin);
  EXPECT_EQ(silent.connections(), 1);
  // TLS that never starts.
  const std::string tls_url = "wss://127.0.0.1:" + std::to_string(silent.port()) + "/";
  expect_output(check({"--url", tls_url, "--timeout", "1"}), 2,
                "CRITICAL: '" + tls_url + "': timed out after 1.00 s in the TLS handshake");
}

TEST(WebSocket, PlainHttpAnswerIsConnectionNotPossible) {
  FaultServer http(FaultServer::Behaviour::healthy);
  const std::string url = "ws://127.0.0.1:" + std::to_string(http.port()) + "/";
  expect_output(check({"--url", url}), 2,
                "CRITICAL: connection not possible while accessing '" + url + "' (HTTP 200)");
}

TEST(WebSocket, ClosedPortIsCritical) {
  const int port = unused_port();
  const std::string url = "ws://[::1]:" + std::to_string(port) + "/";
  expect_output(check({"--url", url}), 2,
                "CRITICAL: '" + url + "': connecting failed: connection refused");
}

TEST(WebSocket, TlsUnverifiedByDefaultVerifiedWhenAsked) {
  TestPki pki;
  WebSocketServer server("greet", {"--tls", pki.self_signed().cert, pki.self_signed().key}, "::1");
  const std::string url = server.url("wss");
  expect_output(check({"--url", url, "--content-to-send", "x", "--content-to-receive", kGreeting}),
                0, "OK: Correctly received " + kGreeting + " from '" + url + "'");
  const auto verified = check({"--url", url, "--verify"});
  expect_line(verified, 2, "CRITICAL: '" + url + "': TLS handshake failed: ");
  EXPECT_NE(verified.output.find("certificate verify failed"), std::string::npos)
      << verified.output;
  // Trusted through the CA OpenSSL reads from SSL_CERT_FILE, the name checked.
  WebSocketServer trusted("greet", {"--tls", pki.server().cert, pki.server().key});
  ProcessSpec spec;
  spec.argv = {kWebSocket, "--url", "wss://localhost:" + trusted.port() + "/", "--verify"};
  spec.env = clean_environment();
  spec.env->push_back("SSL_CERT_FILE=" + pki.ca_cert().string());
  const auto ok = run_process(spec);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST(WebSocket, BasicAuthIsSentAndNeverShown) {
  WebSocketServer server("greet", {"--auth", "admin:s3cret-pw"});
  const std::string url = server.url();
  expect_output(check({"--url", url, "--username", "admin", "--password", "s3cret-pw",
                       "--content-to-send", "x", "--content-to-receive", kGreeting}),
                0, "OK: Correctly received " + kGreeting + " from '" + url + "'");
  expect_output(check({"--url", url, "--username", "admin", "--password", "wrong"}), 2,
                "CRITICAL: connection not possible while accessing '" + url + "' (HTTP 401)");
  expect_output(check({"--url", url}), 2,
                "CRITICAL: connection not possible while accessing '" + url + "' (HTTP 401)");
  const auto verbose =
      check({"--url", url, "--username", "admin", "--password", "s3cret-pw", "-vv"});
  EXPECT_EQ(verbose.output.find("s3cret"), std::string::npos) << verbose.output;
  EXPECT_EQ(verbose.output.find("YWRtaW46czNjcmV0LXB3"), std::string::npos) << verbose.output;
}

TEST(WebSocket, InstalledAsKvmDoes) {
  WebSocketServer server("greet");
  for (const std::string mode : {"script", "copy"}) {
    Partition partition;
    ASSERT_EQ(partition
                  .install(kWebSocket, "frontend_websocket_promise", mode,
                           {"--url", server.url(), "--content-to-send", "RFB 003.008",
                            "--content-to-receive", kGreeting})
                  .exit_code,
              0);
    expect_output(partition.run_like_slapgrid("frontend_websocket_promise"), 0,
                  "OK: Correctly received " + kGreeting + " from '" + server.url() + "'");
  }
}

class BadWebSocketInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadWebSocketInput, IsUnknownWithAOneLineReason) {
  const auto result = check(GetParam().args);
  expect_line(result, 3, "UNKNOWN: ");
  EXPECT_NE(result.output.find(GetParam().mentions), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    WebSocket, BadWebSocketInput,
    ::testing::Values(
        BadInput{"NoUrl", {}, "--url"},
        BadInput{"HttpUrl", {"--url", "http://127.0.0.1/"}, "not a ws:// or wss:// URL"},
        BadInput{"CredentialsInUrl", {"--url", "ws://a:b@127.0.0.1/"}, "--username"},
        BadInput{"BadPort", {"--url", "ws://127.0.0.1:99999/"}, "1-65535"},
        BadInput{"BadIpv6", {"--url", "ws://[::g]/"}, "not an IPv6 address"},
        BadInput{"NoHost", {"--url", "wss:///x"}, "no host"},
        BadInput{"BadLiteral",
                 {"--url", "ws://127.0.0.1/", "--content-to-receive", "b'\\x4'"},
                 "not a valid Python str or bytes literal: invalid \\x escape"},
        BadInput{"NonAsciiBytes",
                 {"--url", "ws://127.0.0.1/", "--content-to-send", "b'\xc3\xa9'"},
                 "ASCII only"},
        BadInput{
            "PasswordWithoutUser", {"--url", "ws://127.0.0.1/", "--password", "x"}, "--username"},
        BadInput{"BinaryGarbage", {"--url", "ws://127.0.0.1/", "--binary", "maybe"}, "--binary"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
