// check_websocket_available: does a ws:// or wss:// URL upgrade to a WebSocket, and when asked,
// answer a message with the expected one? Options and messages as the SlapOS toolbox plugin of
// the same name (url, binary, content-to-send, content-to-receive, username, password). Values
// may be Python literals, as profiles write them with dumps(): kvm expects b'RFB 003.008\n'.
// The reply is compared byte for byte whatever its frame type (the plugin: a str never equals
// bytes, so a text reply could never match a bytes expectation).
#include "promise/main.hpp"
#include "promise/python_literal.hpp"
#include "promise/websocket.hpp"

namespace {

struct Options {
  std::string url;
  bool binary = true;
  std::string content_to_send;
  std::string content_to_receive;
  std::string username;
  std::string password;
  bool verify = false;
};

// A literal that does not parse is a bad option; plain text stays as it is.
std::string literal_problem(const std::string& value) {
  if (!promise::looks_like_python_literal(value)) return {};
  std::string error;
  if (promise::parse_python_literal(value, &error)) return {};
  return promise::quoted_value(value) + " is not a valid Python str or bytes literal: " + error;
}

promise::PythonLiteral content(const std::string& value) {
  if (!promise::looks_like_python_literal(value)) return {value, false};
  return *promise::parse_python_literal(value, nullptr);
}

// As the plugin's %r, cut to 300 bytes: a reply can be long.
std::string repr(const promise::PythonLiteral& value) {
  return promise::one_line(
      value.is_bytes ? promise::python_bytes_repr(value.value) : promise::python_repr(value.value),
      300);
}

// "timed out after 2.00 s while waiting for the WebSocket handshake answer"
std::string during(const std::string& phase) {
  if (phase == "TLS handshake") return "in the TLS handshake";
  if (phase == "WebSocket handshake") return "while waiting for the WebSocket handshake answer";
  if (phase == "receiving") return "while waiting for a message";
  return "while " + phase;
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--url", options.url, "ws:// or wss:// URL (IPv6 literals in brackets)")
      ->required()
      ->check([](const std::string& url) {
        std::string error;
        return promise::parse_websocket_url(url, &error)
                   ? std::string()
                   : promise::quoted_value(url) + ": " + error;
      });
  app.add_flag("--binary,!--no-binary", options.binary,
               "Send --content-to-send in a binary frame (default), else in a text frame");
  app.add_option("--content-to-send,--content_to_send", options.content_to_send,
                 "Message to send once connected (text, or a Python literal such as "
                 "b'RFB 003.008\\n'); used only with --content-to-receive")
      ->check(literal_problem);
  app.add_option("--content-to-receive,--content_to_receive", options.content_to_receive,
                 "The message expected back, compared byte for byte (text, or a Python literal "
                 "as profiles write with dumps()); used only with --content-to-send")
      ->check(literal_problem);
  auto* user = app.add_option("--username", options.username, "User for HTTP basic auth");
  promise::secret(app.add_option("--password", options.password,
                                 "Password for HTTP basic auth (masked everywhere)"))
      ->needs(user);
  app.add_flag("--verify", options.verify,
               "Verify the server certificate and name against the system CAs (off by default, "
               "as in SlapOS)");
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes (--frequency 2), test 1 of 1 failures, "
      "anomaly 3 of 3 with bang: slapgrid's legacy rule already. The plugin's timeout "
      "(default 5 s) is --timeout here.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  promise::WebSocketRequest request;
  request.url = *promise::parse_websocket_url(options.url, nullptr);
  request.username = options.username;
  request.password = options.password;
  request.verify = options.verify;
  request.binary = options.binary;
  const auto to_send = content(options.content_to_send);
  const auto expected = content(options.content_to_receive);
  const bool exchange = !options.content_to_send.empty() && !options.content_to_receive.empty();
  if (exchange) request.send = to_send.value;
  const auto result = promise::websocket_exchange(request, context);
  const std::string url = promise::python_repr(options.url);
  promise::Outcome outcome;
  if (!result.upgraded && result.status > 0) {
    outcome = promise::Outcome::critical("connection not possible while accessing " + url +
                                         " (HTTP " + std::to_string(result.status) + ")");
  } else if (result.timed_out) {
    outcome = promise::Outcome::critical(url + ": timed out after " +
                                         promise::human_duration(context.deadline.budget()) + " " +
                                         during(result.failed_phase));
  } else if (!result.error.empty()) {
    outcome = promise::Outcome::critical(url + ": " + result.failed_phase +
                                         " failed: " + promise::untrusted(result.error));
  } else if (!exchange) {
    outcome = promise::Outcome::ok("Correctly connected to " + url);
  } else if (result.message != expected.value) {
    const promise::PythonLiteral got{result.message, result.message_binary};
    outcome = promise::Outcome::critical("received " + repr(got) + " instead of " + repr(expected));
  } else {
    outcome = promise::Outcome::ok("Correctly received " + repr(expected) + " from " + url);
  }
  outcome.metric("time", result.total_time, "s");
  if (result.connect_time > 0) outcome.metric("connect_time", result.connect_time, "s");
  if (result.handshake_time > 0) outcome.metric("handshake_time", result.handshake_time, "s");
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_websocket_available",
             "Check that a ws:// or wss:// URL opens a WebSocket and answers as expected", declare,
             check)
