// The WebSocket client's pure parts: the URL forms it accepts, and the handshake's accept key
// (its own SHA-1: the RFC's example and FIPS 180 vectors through it).
#include "promise/websocket.hpp"

#include <gtest/gtest.h>

namespace promise {
namespace {

WebSocketUrl parsed(std::string_view text) {
  std::string error;
  const auto url = parse_websocket_url(text, &error);
  EXPECT_TRUE(url) << text << ": " << error;
  return url.value_or(WebSocketUrl{});
}

std::string refused(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_websocket_url(text, &error)) << text;
  return error;
}

TEST(WebSocketAccept, TheRfcExample) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketAccept, KeysOfEveryPaddingLength) {
  // base64(sha1(key + GUID)) as Python's hashlib computes them.
  EXPECT_EQ(websocket_accept(""), "Kfh9QIsMVZcl6xEPYxPHzW8SZ8w=");
  EXPECT_EQ(websocket_accept(std::string(100, 'k')), "rWzVOVhJgr+k5nChyKqRW0+OIwk=");
  // 55, 56, 63 and 64 bytes hashed: the padding's edge cases.
  EXPECT_EQ(websocket_accept(std::string(19, 'k')), "tWclcP21hrR+xgjYVswtQRW71GQ=");
  EXPECT_EQ(websocket_accept(std::string(20, 'k')), "tSsjsIAvEVIQ+IC5K8+T/OkG8nU=");
  EXPECT_EQ(websocket_accept(std::string(27, 'k')), "qUNe7W8rvas6tQS5F4QBTf/JpvE=");
  EXPECT_EQ(websocket_accept(std::string(28, 'k')), "x9bmfLYIxLMaaT5h0sFuRlAhhb8=");
}

TEST(WebSocketUrl, Forms) {
  auto url = parsed("wss://frontend.example.com/websockify");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "frontend.example.com");
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.target, "/websockify");
  url = parsed("WS://[2001:db8::5]:6080");
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.host, "2001:db8::5");
  EXPECT_EQ(url.port, 6080);
  EXPECT_EQ(url.target, "/");
  EXPECT_EQ(parsed("ws://h?token=a#frag").target, "/?token=a");
  EXPECT_EQ(parsed("ws://h:80/a/b?c").port, 80);
}

TEST(WebSocketUrl, Refused) {
  EXPECT_NE(refused("http://h/").find("ws://"), std::string::npos);
  EXPECT_NE(refused("ws://u:p@h/").find("--username"), std::string::npos);
  EXPECT_NE(refused("ws://h:0/").find("1-65535"), std::string::npos);
  EXPECT_NE(refused("ws://h:/").find("1-65535"), std::string::npos);
  EXPECT_NE(refused("ws://h:8x/").find("1-65535"), std::string::npos);
  EXPECT_NE(refused("ws://[::1/").find("]"), std::string::npos);
  EXPECT_NE(refused("ws://[::1]x/").find("after"), std::string::npos);
  EXPECT_NE(refused("ws://[zz]/").find("IPv6"), std::string::npos);
  EXPECT_NE(refused("ws:///").find("no host"), std::string::npos);
  EXPECT_NE(refused("ws://h/a b").find("white space"), std::string::npos);
  EXPECT_NE(refused("ws://h/a\x01").find("control"), std::string::npos);
  refused("ws:/h/");
  refused("");
}

}  // namespace
}  // namespace promise
