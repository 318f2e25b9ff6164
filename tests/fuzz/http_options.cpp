// The HTTP options of check_url_available and check_page_content (declare_http_options() in
// common/src/http_probe.cpp: --url, --header, --resolve, --max-body, --max-redirects, ...) on
// any command line: parsing ends in the options or in a CLI::Error, which the runner reports
// as one UNKNOWN line -- never in another exception, which would abort the promise. What is
// accepted is what the help promises, and displayable_url() never shows the password.
//
// Input: the arguments, separated by NUL bytes (no network is touched: only parsing).
#include "fuzz.hpp"
#include "internal.hpp"
#include "promise/http_probe.hpp"

#include <curl/curl.h>

#include <memory>

namespace {

struct UrlParts {
  std::string scheme, user, password;
};

std::optional<UrlParts> parse_url(const std::string& url) {
  CURLU* handle = curl_url();
  if (handle == nullptr) return std::nullopt;
  std::unique_ptr<CURLU, void (*)(CURLU*)> owner(handle, curl_url_cleanup);
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return std::nullopt;
  }
  UrlParts parts;
  const auto get = [&](CURLUPart part, std::string& out) {
    char* text = nullptr;
    if (curl_url_get(handle, part, &text, 0) == CURLUE_OK && text != nullptr) out = text;
    curl_free(text);
  };
  get(CURLUPART_SCHEME, parts.scheme);
  get(CURLUPART_USER, parts.user);
  get(CURLUPART_PASSWORD, parts.password);
  return parts;
}

void check_displayable(const std::string& url) {
  const std::string shown = promise::displayable_url(url);
  FUZZ_CHECK(promise::fuzz::printable_utf8(shown), shown);
  FUZZ_CHECK(shown.find('|') == std::string::npos, shown);
  const auto parts = parse_url(url);
  if (parts && parts->password.size() >= 4) {
    // What is shown has no user-info left to read the password from.
    const auto again = parse_url(shown);
    FUZZ_CHECK(!again || again->password.empty(), shown);
  }
}

void check_accepted(const promise::HttpOptions& o) {
  const auto parts = parse_url(o.url);
  FUZZ_CHECK(parts.has_value(), o.url);
  FUZZ_CHECK(parts->scheme == "http" || parts->scheme == "https", o.url);
  FUZZ_CHECK(o.method == "GET" || o.method == "HEAD", o.method);
  for (const auto& header : o.headers) {
    const auto colon = header.find(':');
    FUZZ_CHECK(colon != std::string::npos && colon > 0, header);
    FUZZ_CHECK(header.find_first_of("\r\n") == std::string::npos, header);
  }
  FUZZ_CHECK(o.max_redirects >= 0 && o.max_redirects <= 50);
  FUZZ_CHECK(o.max_body <= (std::size_t{64} << 20));
  FUZZ_CHECK(o.certificate_expiration_days >= 0 && o.certificate_expiration_days <= 3650);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  promise::fuzz::Input input(promise::fuzz::as_text(data, size));
  std::vector<std::string> args;
  while (!input.empty() && args.size() < 32) args.emplace_back(input.until('\0'));
  if (!args.empty()) check_displayable(args.front());

  // Declared once: declaring costs more than a parse (CLI11 2.1), and the long run needs 10 M
  // executions. Each input starts from the defaults: the results cleared, the options reset
  // (the App holds references to their members, which stay where they are).
  static promise::HttpOptions options;
  static CLI::App& app = []() -> CLI::App& {
    static CLI::App declared;
    promise::declare_http_options(declared, options);
    promise::detail::settle_value_syntax(declared);  // as the runner does
    return declared;
  }();
  app.clear();
  options = promise::HttpOptions{};
  std::vector<const char*> argv{"fuzz"};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  try {
    // The runner's own step before CLI11: flag values (--flag V, --no-flag=V) made safe.
    app.parse(
        promise::detail::arguments_for_parse(app, static_cast<int>(argv.size()), argv.data()));
  } catch (const CLI::Error&) {
    return 0;  // refused: one UNKNOWN line
  }
  check_accepted(options);
  check_displayable(options.url);
  return 0;
}
