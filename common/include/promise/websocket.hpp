#pragma once
// One WebSocket exchange (RFC 6455) under the deadline, on asio and OpenSSL: connect (ws:// or
// wss://, TLS unverified unless asked), the HTTP/1.1 Upgrade handshake (optionally with basic
// auth), then, when asked, send one message and read one back. Every phase is bounded by the
// one deadline; the Authorization header is never shown.
//
// Why not libcurl: its WebSocket API is experimental in 7.88, off in Debian 12's libcurl4
// (curl-config --features has no "WebSockets"), and the sanitizer and distribution builds link
// that library; asio gives both builds the same client.
#include "promise/context.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace promise {

struct WebSocketUrl {
  bool tls = false;
  std::string host;  // IPv6 without brackets
  int port = 0;
  std::string target;  // path and query, "/" at least
};

// ws://HOST[:PORT][/PATH][?QUERY] or wss://...; no user-info (credentials have their own
// options), the fragment dropped. nullopt with *error set when it is none of these.
std::optional<WebSocketUrl> parse_websocket_url(std::string_view url, std::string* error);

struct WebSocketRequest {
  WebSocketUrl url;
  std::string username;  // basic auth when not empty
  std::string password;
  bool verify = false;              // verify the server certificate and name (system CAs)
  std::optional<std::string> send;  // one message to send, then one to read
  bool binary = true;               // the sent message's frame type
  std::size_t max_message = 1 << 20;
};

struct WebSocketResult {
  bool upgraded = false;     // the server answered 101 with the right Sec-WebSocket-Accept
  int status = 0;            // the handshake answer's HTTP status (0: none came)
  std::string error;         // empty when everything asked went well
  std::string failed_phase;  // "connecting", "TLS handshake", "WebSocket handshake", ...
  bool timed_out = false;
  bool received = false;
  std::string message;  // the message read back (at most max_message bytes)
  bool message_binary = false;
  double connect_time = 0, handshake_time = 0, total_time = 0;  // seconds from the start
};

// The Sec-WebSocket-Accept a server must answer to a Sec-WebSocket-Key (RFC 6455 4.2.2):
// base64(SHA-1(key + the protocol's GUID)).
std::string websocket_accept(std::string_view key);

WebSocketResult websocket_exchange(const WebSocketRequest& request, const Context& context);

}  // namespace promise
