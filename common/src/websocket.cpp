// A WebSocket client for one exchange (see websocket.hpp). Each step starts one asio operation
// and runs the loop until it completes or the deadline passes; at the deadline the pending
// operation is simply abandoned with the io_context.
#include "promise/websocket.hpp"

#include "promise/text.hpp"
#include "resolve.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <strings.h>
#include <sys/random.h>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <memory>

namespace promise {
namespace {

using Clock = Deadline::Clock;

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

// Random bytes for the handshake key and the frame masks, from the kernel: OpenSSL's
// RAND_bytes would first set up its DRBG (about 8 million instructions). Neither needs secrecy
// (they only keep proxies from caching or misreading frames), so if the kernel refuses, the
// clock fills in.
void random_bytes(unsigned char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t got = ::getrandom(data, size, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      auto ticks = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
      for (std::size_t i = 0; i < size; ++i, ticks = ticks * 6364136223846793005u + 1) {
        data[i] = static_cast<unsigned char>(ticks >> 56);
      }
      return;
    }
    data += got;
    size -= static_cast<std::size_t>(got);
  }
}

// SHA-1 (RFC 3174), for Sec-WebSocket-Accept only: OpenSSL 3's SHA1() first loads its
// provider (about 5 million instructions), for 60 bytes.
std::array<unsigned char, 20> sha1(std::string_view text) {
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string data(text);
  const std::uint64_t bits = static_cast<std::uint64_t>(text.size()) * 8;
  data += static_cast<char>(0x80);
  while (data.size() % 64 != 56) data += '\0';
  for (int shift = 56; shift >= 0; shift -= 8) data += static_cast<char>((bits >> shift) & 0xFF);
  auto rotl = [](std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
  for (std::size_t block = 0; block < data.size(); block += 64) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = 0;
      for (int k = 0; k < 4; ++k) {
        w[i] = (w[i] << 8) |
               static_cast<unsigned char>(
                   data[block + 4 * static_cast<std::size_t>(i) + static_cast<std::size_t>(k)]);
      }
    }
    for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      const std::uint32_t f = i < 20   ? (b & c) | (~b & d)
                              : i < 40 ? b ^ c ^ d
                              : i < 60 ? (b & c) | (b & d) | (c & d)
                                       : b ^ c ^ d;
      const std::uint32_t k = i < 20   ? 0x5A827999
                              : i < 40 ? 0x6ED9EBA1
                              : i < 60 ? 0x8F1BBCDC
                                       : 0xCA62C1D6;
      const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<unsigned char, 20> digest{};
  for (std::size_t i = 0; i < 20; ++i) {
    digest[i] = static_cast<unsigned char>(h[i / 4] >> (24 - 8 * (i % 4)));
  }
  return digest;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return text;
}

// The value of a header in an HTTP head (lines after the status line), empty if absent.
std::string header_value(std::string_view head, std::string_view name) {
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t start = at + 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, (end == std::string_view::npos ? head.size() : end) - start);
    const auto colon = line.find(':');
    if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view value = line.substr(colon + 1);
      const auto first = value.find_first_not_of(" \t");
      const auto last = value.find_last_not_of(" \t");
      return first == std::string_view::npos ? std::string()
                                             : std::string(value.substr(first, last - first + 1));
    }
    at = end;
  }
  return {};
}

class Exchange {
 public:
  Exchange(const WebSocketRequest& request, const Context& context)
      : request_(request), context_(context) {}

  WebSocketResult run() {
    try {
      if (connect() && tls_handshake() && upgrade() && request_.send) exchange();
    } catch (const std::exception& error) {  // asio and OpenSSL set-up failures
      fail("starting", error.what());
    }
    if (result_.upgraded) close();
    result_.total_time = since_start();
    return std::move(result_);
  }

 private:
  double since_start() const { return seconds(Clock::now() - start_); }

  bool fail(const char* phase, std::string error) {
    result_.failed_phase = phase;
    result_.error = std::move(error);
    return false;
  }

  // Runs the loop until *done or the deadline; false (a timeout in phase) if the deadline came.
  template <class Done>
  bool wait(const Done& done, const char* phase) {
    io_.restart();
    io_.run_until(context_.deadline.at());
    if (done()) return true;
    result_.timed_out = true;
    return fail(phase, "timed out");
  }

  bool connect() {
    const auto resolved = detail::resolve_tcp(request_.url.host, request_.url.port, context_);
    if (!resolved.error.empty()) return fail("resolving", resolved.error);
    context_.phase("connecting");
    std::optional<std::error_code> done;
    asio::async_connect(socket_, resolved.endpoints,
                        [&](std::error_code error, const asio::ip::tcp::endpoint& endpoint) {
                          done = error;
                          if (!error) {
                            context_.log.step("connected to " + detail::endpoint_text(endpoint));
                          }
                        });
    if (!wait([&] { return done.has_value(); }, "connecting")) return false;
    if (*done) return fail("connecting", lower_first(done->message()));
    result_.connect_time = since_start();
    return true;
  }

  bool tls_handshake() {
    if (!request_.url.tls) return true;
    context_.phase("in the TLS handshake");
    // Only now: an OpenSSL context costs millions of instructions (cipher and digest fetches),
    // which a ws:// check never needs.
    tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket_),
                                                                      *tls_context_);
    SSL* ssl = tls_->native_handle();
    std::error_code not_literal;
    asio::ip::make_address(request_.url.host, not_literal);
    if (not_literal) {  // SNI (SSL_set_tlsext_host_name, without its C cast)
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(request_.url.host.c_str()));
    }
    if (request_.verify) {
      tls_context_->set_default_verify_paths();
      tls_->set_verify_mode(asio::ssl::verify_peer);
      if (not_literal) {
        SSL_set1_host(ssl, request_.url.host.c_str());
      } else {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), request_.url.host.c_str());
      }
    } else {
      tls_->set_verify_mode(asio::ssl::verify_none);
    }
    std::optional<std::error_code> done;
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [&](std::error_code error) { done = error; });
    if (!wait([&] { return done.has_value(); }, "TLS handshake")) return false;
    if (*done) return fail("TLS handshake", lower_first(done->message()));
    return true;
  }

  bool write_all(const std::string& bytes, const char* phase) {
    std::optional<std::error_code> done;
    auto handler = [&](std::error_code error, std::size_t) { done = error; };
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(bytes), handler);
    } else {
      asio::async_write(socket_, asio::buffer(bytes), handler);
    }
    if (!wait([&] { return done.has_value(); }, phase)) return false;
    if (*done) return fail(phase, lower_first(done->message()));
    return true;
  }

  // Reads more into inbox_; false on end of stream, error or deadline.
  bool read_more(const char* phase) {
    std::array<char, 16384> chunk{};
    std::optional<std::error_code> done;
    std::size_t got = 0;
    auto handler = [&](std::error_code error, std::size_t bytes) {
      done = error;
      got = bytes;
    };
    if (tls_) {
      tls_->async_read_some(asio::buffer(chunk), handler);
    } else {
      socket_.async_read_some(asio::buffer(chunk), handler);
    }
    if (!wait([&] { return done.has_value(); }, phase)) return false;
    inbox_.append(chunk.data(), got);
    if (*done == asio::error::eof || *done == asio::ssl::error::stream_truncated) {
      return fail(phase, "the server closed the connection");
    }
    if (*done) return fail(phase, lower_first(done->message()));
    return true;
  }

  bool upgrade() {
    context_.phase("waiting for the WebSocket handshake answer");
    std::array<unsigned char, 16> nonce{};
    random_bytes(nonce.data(), nonce.size());
    const std::string key = base64(nonce.data(), nonce.size());
    const auto& url = request_.url;
    const bool default_port = url.port == (url.tls ? 443 : 80);
    const std::string host =
        url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    const std::string authority = default_port ? host : host + ":" + std::to_string(url.port);
    std::string head =
        "GET " + url.target + " HTTP/1.1\r\nHost: " + authority +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
        "\r\nSec-WebSocket-Version: 13\r\nOrigin: " + (url.tls ? "https://" : "http://") +
        authority + "\r\n";
    if (!request_.username.empty()) {
      const std::string credentials = request_.username + ":" + request_.password;
      const std::string token =
          base64(reinterpret_cast<const unsigned char*>(credentials.data()), credentials.size());
      register_secret(token);
      head += "Authorization: Basic " + token + "\r\n";
    }
    head += "\r\n";
    context_.log.step("GET " + untrusted(url.target) + " (Upgrade: websocket)" +
                      (request_.username.empty() ? "" : " with basic auth"));
    if (!write_all(head, "WebSocket handshake")) return false;
    constexpr std::size_t kMaxHead = 16384;
    std::size_t end = 0;
    while ((end = inbox_.find("\r\n\r\n")) == std::string::npos) {
      if (inbox_.size() > kMaxHead) {
        return fail("WebSocket handshake", "answer headers longer than 16 KiB");
      }
      if (!read_more("WebSocket handshake")) return false;
    }
    const std::string answer = inbox_.substr(0, end);
    inbox_.erase(0, end + 4);
    result_.handshake_time = since_start();
    // "HTTP/1.1 101 Switching Protocols"
    const auto space = answer.find(' ');
    int status = 0;
    if (answer.rfind("HTTP/", 0) == 0 && space != std::string::npos) {
      const char* digits = answer.data() + space + 1;
      const char* last = answer.data() + std::min(answer.size(), space + 4);
      const auto [ptr, ec] = std::from_chars(digits, last, status);
      if (ec != std::errc() || ptr != last) status = 0;
    }
    if (status == 0) {
      return fail("WebSocket handshake",
                  "the answer is not HTTP: " + untrusted(answer.substr(0, answer.find('\r')), 80));
    }
    result_.status = status;
    context_.log.step("handshake answer: " + untrusted(answer.substr(0, answer.find('\r')), 80));
    if (status != 101) return fail("WebSocket handshake", "HTTP " + std::to_string(status));
    if (header_value(answer, "Sec-WebSocket-Accept") != websocket_accept(key) ||
        lower(header_value(answer, "Upgrade")) != "websocket") {
      return fail("WebSocket handshake",
                  "101 without Upgrade: websocket and the right Sec-WebSocket-Accept");
    }
    result_.upgraded = true;
    return true;
  }

  // A client frame: FIN set, masked (RFC 6455 5.3).
  static std::string frame(unsigned opcode, std::string_view payload) {
    std::string out;
    out += static_cast<char>(0x80 | opcode);
    const std::size_t size = payload.size();
    if (size < 126) {
      out += static_cast<char>(0x80 | size);
    } else if (size <= 0xFFFF) {
      out += static_cast<char>(0x80 | 126);
      for (int shift = 8; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
    } else {
      out += static_cast<char>(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out += static_cast<char>((static_cast<std::uint64_t>(size) >> shift) & 0xFF);
      }
    }
    std::array<unsigned char, 4> mask{};
    random_bytes(mask.data(), mask.size());
    out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
    for (std::size_t i = 0; i < size; ++i) {
      out += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]);
    }
    return out;
  }

  bool need(std::size_t bytes, const char* phase) {
    while (inbox_.size() < bytes) {
      if (!read_more(phase)) return false;
    }
    return true;
  }

  void exchange() {
    context_.phase("sending the message");
    if (!write_all(frame(request_.binary ? 2 : 1, *request_.send), "sending")) return;
    context_.phase("waiting for a message");
    constexpr const char* kPhase = "receiving";
    std::string message;
    bool started = false;
    for (;;) {
      if (!need(2, kPhase)) return;
      const auto b0 = static_cast<unsigned char>(inbox_[0]);
      const auto b1 = static_cast<unsigned char>(inbox_[1]);
      const unsigned opcode = b0 & 0x0F;
      const bool fin = (b0 & 0x80) != 0;
      std::uint64_t length = b1 & 0x7F;
      std::size_t header = 2;
      if (length >= 126) {
        const std::size_t extra = length == 126 ? 2 : 8;
        if (!need(2 + extra, kPhase)) return;
        length = 0;
        for (std::size_t i = 0; i < extra; ++i) {
          length = (length << 8) | static_cast<unsigned char>(inbox_[2 + i]);
        }
        header += extra;
      }
      const bool masked = (b1 & 0x80) != 0;
      if (masked) header += 4;
      if ((b0 & 0x70) != 0 || masked) {
        fail(kPhase, masked ? "the server sent a masked frame" : "a frame with reserved bits set");
        return;
      }
      const bool control = (opcode & 0x08) != 0;
      if (control ? (length > 125 || !fin) : length > request_.max_message - message.size()) {
        fail(kPhase,
             control ? "an invalid control frame"
                     : "a message longer than " + std::to_string(request_.max_message) + " bytes");
        return;
      }
      if (!need(header + length, kPhase)) return;
      const std::string payload = inbox_.substr(header, length);
      inbox_.erase(0, header + length);
      if (opcode == 0x8) {  // close: "code reason"
        std::string why = "the server closed the WebSocket";
        if (payload.size() >= 2) {
          why += " (code " +
                 std::to_string(static_cast<unsigned char>(payload[0]) * 256 +
                                static_cast<unsigned char>(payload[1])) +
                 (payload.size() > 2 ? " " + untrusted(payload.substr(2), 100) : "") + ")";
        }
        fail(kPhase, why);
        return;
      }
      if (opcode == 0x9) {  // ping: answer, as browsers and websocket-client do
        if (!write_all(frame(0xA, payload), kPhase)) return;
        continue;
      }
      if (opcode == 0xA) continue;  // an unsolicited pong
      if (opcode == 0x1 || opcode == 0x2) {
        if (started) {
          fail(kPhase, "a new message inside a fragmented one");
          return;
        }
        started = true;
        result_.message_binary = opcode == 0x2;
      } else if (opcode != 0x0 || !started) {
        fail(kPhase, "a frame with opcode " + std::to_string(opcode));
        return;
      }
      message += payload;
      if (fin) break;
    }
    result_.received = true;
    result_.message = std::move(message);
    context_.log.step("received a " + std::string(result_.message_binary ? "binary" : "text") +
                      " message of " + std::to_string(result_.message.size()) + " bytes");
  }

  // A close frame, not waiting for the answer (the check is done).
  void close() {
    const std::string bytes = frame(0x8, std::string("\x03\xe8", 2));
    std::error_code ignored;
    if (tls_) {
      asio::write(*tls_, asio::buffer(bytes), ignored);  // on an open socket: no blocking
    } else {
      asio::write(socket_, asio::buffer(bytes), ignored);
    }
  }

  const WebSocketRequest& request_;
  const Context& context_;
  Clock::time_point start_ = Clock::now();
  asio::io_context io_{1};
  asio::ip::tcp::socket socket_{io_};  // moved into tls_ for wss://
  std::unique_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  std::string inbox_;
  WebSocketResult result_;
};

}  // namespace

std::optional<WebSocketUrl> parse_websocket_url(std::string_view url, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<WebSocketUrl> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  WebSocketUrl parsed;
  const auto scheme_end = url.find("://");
  const std::string scheme = lower(std::string(url.substr(0, scheme_end)));
  if (scheme_end == std::string_view::npos || (scheme != "ws" && scheme != "wss")) {
    return fail("not a ws:// or wss:// URL");
  }
  parsed.tls = scheme == "wss";
  std::string_view rest = url.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  parsed.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (parsed.target.front() == '?') parsed.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return fail("credentials in the URL: give them with --username and --password");
  }
  if (parsed.target.find_first_of(" \t\r\n") != std::string::npos ||
      std::any_of(parsed.target.begin(), parsed.target.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return fail("white space or a control character in the path");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("an IPv6 literal without its ']'");
    parsed.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return fail("text after the IPv6 literal");
    if (!after.empty()) port_text = after.substr(1);
    std::error_code bad;
    asio::ip::make_address_v6(parsed.host, bad);
    if (bad) {
      return fail("'" + untrusted(parsed.host) + "' is not an IPv6 address");
    }
  } else {
    const auto colon = authority.find(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return fail("no host");
  if (parsed.host.find_first_of(" \t\r\n/\\") != std::string::npos) return fail("a bad host");
  parsed.port = parsed.tls ? 443 : 80;
  if (!port_text.empty() || authority.back() == ':') {
    int port = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
        port < 1 || port > 65535) {
      return fail("the port is not 1-65535");
    }
    parsed.port = port;
  }
  return parsed;
}

std::string websocket_accept(std::string_view key) {
  const auto digest = sha1(std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  return base64(digest.data(), digest.size());
}

WebSocketResult websocket_exchange(const WebSocketRequest& request, const Context& context) {
  return Exchange(request, context).run();
}

}  // namespace promise
