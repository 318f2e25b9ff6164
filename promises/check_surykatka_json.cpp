// check_surykatka_json: what surykatka (the monitor's HTTP/DNS/TCP/TLS/whois prober) last saw
// of a URL, or of itself, read from its JSON report. Options, sub-checks and messages as the
// SlapOS toolbox plugin of the same name: one line of words, "<url> : <check>: OK|ERROR <text>
// ...", CRITICAL when any sub-check has an ERROR.
#include <time.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "promise/email_date.hpp"
#include "promise/fields.hpp"
#include "promise/main.hpp"
#include "promise/surykatka_report.hpp"
#include "promise/text.hpp"

namespace {

namespace sk = promise::surykatka;

constexpr const char* kAllSenses =
    "dns_query whois tcp_server http_query ssl_certificate elapsed_time";

struct Options {
  std::string json_file;
  std::string report;
  std::string url;
  bool has_url = false;
  std::string status_code;
  bool has_status_code = false;
  std::string http_header_dict = "{}";
  std::string ip_list;
  std::string certificate_expiration_days = "15";
  std::string domain_expiration_days = "30";
  std::string maximum_elapsed_time;
  std::string enabled_sense_list = kAllSenses;
};

bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

std::string_view strip(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// Python's int() of an option: white space around, a sign, digits with single '_' between.
std::optional<long long> python_int(std::string_view text) {
  text = strip(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.front() == '_' || text.back() == '_') return std::nullopt;
  long long value = 0;
  char previous = 0;
  for (char c : text) {
    if (c == '_' && previous == '_') return std::nullopt;
    if (c != '_' && (c < '0' || c > '9')) return std::nullopt;
    if (c != '_') value = value * 10 + (c - '0');
    if (value > 1'000'000'000) return std::nullopt;  // timedelta(days=) stops at 999999999
    previous = c;
  }
  return negative ? -value : value;
}

// Python's float() of an option: white space around, a decimal or "inf"/"nan" word.
std::optional<double> python_float(std::string_view text) {
  text = strip(text);
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '_') {
      plain += text[i];
    } else if (i == 0 || i + 1 == text.size() ||
               !std::isdigit(static_cast<unsigned char>(text[i - 1])) ||
               !std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      return std::nullopt;
    }
  }
  std::string_view body = plain;
  bool negative = false;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  const std::string word = lower(std::string(body));
  if (word == "inf" || word == "infinity") return negative ? -INFINITY : INFINITY;
  if (word == "nan") return NAN;
  double value = 0;
  if (body.empty() || body.front() == '+' || body.front() == '-' ||
      !promise::parse_whole(body, value) || word.find_first_of("in") != std::string::npos) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// urllib.parse.urlparse's view of the URL: scheme, netloc, hostname, port.
struct UrlParts {
  std::string scheme;
  std::string netloc;
  std::optional<std::string> hostname;
  std::optional<int> port;
  std::string port_error;  // Python's ValueError when .port is read
};

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  std::string cleaned;
  while (!url.empty() && static_cast<unsigned char>(url.front()) <= ' ') url.remove_prefix(1);
  for (char c : url) {
    if (c != '\t' && c != '\r' && c != '\n') cleaned += c;
  }
  std::string_view rest = cleaned;
  const auto colon = rest.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      std::isalpha(static_cast<unsigned char>(rest.front())) &&
      rest.substr(0, colon).find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") ==
          std::string_view::npos) {
    parts.scheme = lower(std::string(rest.substr(0, colon)));
    rest.remove_prefix(colon + 1);
  }
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    parts.netloc = std::string(rest.substr(0, rest.find_first_of("/?#")));
  }
  std::string_view hostinfo = parts.netloc;
  if (const auto at = hostinfo.rfind('@'); at != std::string_view::npos) {
    hostinfo.remove_prefix(at + 1);
  }
  std::string_view host, port;
  if (const auto open = hostinfo.find('['); open != std::string_view::npos) {
    const std::string_view bracketed = hostinfo.substr(open + 1);
    const auto close = bracketed.find(']');
    host = bracketed.substr(0, close);
    if (close != std::string_view::npos) {
      const std::string_view after = bracketed.substr(close + 1);
      if (const auto c = after.find(':'); c != std::string_view::npos) port = after.substr(c + 1);
    }
  } else {
    const auto c = hostinfo.find(':');
    host = hostinfo.substr(0, c);
    if (c != std::string_view::npos) port = hostinfo.substr(c + 1);
  }
  if (!host.empty()) parts.hostname = lower(std::string(host));
  if (!port.empty()) {
    int number = 0;
    if (port.find_first_not_of("0123456789") != std::string_view::npos) {
      parts.port_error = "Port could not be cast to integer value as " + promise::python_repr(port);
    } else if (!promise::parse_whole(port, number) || number > 65535) {
      parts.port_error = "Port out of range 0-65535";
    } else {
      parts.port = number;
    }
  }
  return parts;
}

CLI::Validator check_value(std::function<std::string(const std::string&)> why, const char* name) {
  return CLI::Validator([why = std::move(why)](std::string& value) { return why(value); }, name);
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--json-file,--json_file", options.json_file,
                 "surykatka's JSON report (written by `surykatka --run status --output json`)")
      ->required();
  app.add_option("--report", options.report,
                 "bot_status: surykatka's own loop is alive; http_query: what it saw of --url")
      ->check(check_value(
          [](const std::string& value) {
            return value == "bot_status" || value == "http_query"
                       ? std::string()
                       : "Report " + promise::python_repr(value) +
                             " is not supported (bot_status or http_query)";
          },
          "REPORT"))
      ->required();
  app.add_option_function<std::string>(
         "--url",
         [&options](const std::string& value) {
           options.url = value;
           options.has_url = true;
         },
         "The URL surykatka probes (http_query): the key of its entries, the host for "
         "whois, DNS, TCP and the certificate")
      ->check(check_value(
          [](const std::string& value) {
            const UrlParts parts = split_url(value);
            return parts.port_error.empty() ? std::string() : "bad URL port: " + parts.port_error;
          },
          "URL"));
  app.add_option_function<std::string>(
      "--status-code,--status_code",
      [&options](const std::string& value) {
        options.status_code = value;
        options.has_status_code = true;
      },
      "Expected HTTP status, compared as text with each entry's (unset: every entry fails, as "
      "in the plugin)");
  app.add_option("--http-header-dict,--http_header_dict", options.http_header_dict,
                 "JSON object the entries' headers must equal (default {}: not checked)")
      ->check(check_value(
          [](const std::string& value) {
            std::string error;
            const auto dumped = sk::python_json_dumps(value, &error);
            if (!dumped) return "not JSON: " + error;
            return dumped->front() == '{' ? std::string() : std::string("not a JSON object");
          },
          "JSON"));
  app.add_option("--ip-list,--ip_list", options.ip_list,
                 "Expected IP addresses, separated by white space (DNS replies, open TCP ports); "
                 "empty: those two checks are not configured");
  const auto days = [](const char* name) {
    return check_value(
        [name](const std::string& value) {
          return python_int(value)
                     ? std::string()
                     : std::string(name) + " " + promise::python_repr(value) + " is incorrect";
        },
        "DAYS");
  };
  app.add_option("--certificate-expiration-days,--certificate_expiration_days",
                 options.certificate_expiration_days,
                 "The certificate must outlive this many days (default 15)")
      ->check(days("certificate-expiration-days"));
  app.add_option("--domain-expiration-days,--domain_expiration_days",
                 options.domain_expiration_days,
                 "The domain (whois) must outlive this many days (default 30)")
      ->check(days("domain-expiration-days"));
  app.add_option("--maximum-elapsed-time,--maximum_elapsed_time", options.maximum_elapsed_time,
                 "Seconds each reply may take (empty: not checked)")
      ->check(check_value(
          [](const std::string& value) {
            return value.empty() || python_float(value)
                       ? std::string()
                       : "could not convert string to float: " + promise::python_repr(value);
          },
          "SECONDS"));
  app.add_option("--enabled-sense-list,--enabled_sense_list", options.enabled_sense_list,
                 std::string("Sub-checks of http_query, separated by white space (default: ") +
                     kAllSenses + "); unknown names are ignored");
  app.footer(
      "SlapOS plugin rule: testless (never checked at deployment), anomaly failure-amount of "
      "failure-amount (default 1; the edgetest profile sets 2), no bang, every 2 minutes. As an "
      "etc/promise/ executable slapgrid also runs it at deployment and reports an anomaly after "
      "3 of 3; --failure-amount N alone stands for N of N.");
}

// A field the plugin reads is missing (its KeyError), null, or not what surykatka writes.
struct BadEntry {
  std::string message;
};

class Surykatka {
 public:
  Surykatka(const Options& options, const sk::Report& report, std::string file, double now)
      : options_(options),
        report_(report),
        file_(std::move(file)),
        now_(now),
        url_(split_url(options.url)),
        senses_(split_words(options.enabled_sense_list)),
        ip_set_([&] {
          const auto words = split_words(options.ip_list);
          return std::set<std::string>(words.begin(), words.end());
        }()) {}

  void run() {
    if (options_.report == "bot_status") {
      bot_status();
      return;
    }
    for (const char* name :
         {"whois", "dns_query", "tcp_server", "http_query", "elapsed_time", "ssl_certificate"}) {
      if (enabled(name)) sense(name);
    }
  }

  bool failed() const { return error_; }
  std::string message() const {
    std::string text = options_.has_url && !options_.url.empty() ? options_.url + " :" : "";
    for (const auto& word : words_) text += (text.empty() ? "" : " ") + word;
    return text;
  }

 private:
  bool enabled(std::string_view name) const {
    return std::find(senses_.begin(), senses_.end(), name) != senses_.end();
  }
  void sense(std::string_view name) {
    if (name == "whois") whois();
    if (name == "dns_query") dns_query();
    if (name == "tcp_server") tcp_server();
    if (name == "http_query") http_query();
    if (name == "elapsed_time") elapsed_time();
    if (name == "ssl_certificate") ssl_certificate();
  }
  // After "No data": the earlier sub-checks that are disabled, to show why.
  void diagnose(std::initializer_list<std::string_view> names) {
    for (auto name : names) {
      if (!enabled(name)) sense(name);
    }
  }
  void add(std::string word) { words_.push_back(std::move(word)); }
  void ok(std::string text) {
    add("OK");
    add(std::move(text));
  }
  void error(std::string text) {
    error_ = true;
    add("ERROR");
    add(std::move(text));
  }
  bool section_missing(bool present, const char* key) {
    if (!present) error(promise::python_repr(key) + " not in " + file_);
    return !present;
  }

  template <class Entry, class T>
  const T& need(const std::vector<Entry>& section, const Entry& entry, const sk::Field<T>& field,
                const char* section_name, const char* key) const {
    if (field.has_value()) return field.value;
    const std::string where =
        std::string(section_name) + "[" + std::to_string(&entry - section.data()) + "] in " + file_;
    using Kind = typename sk::Field<T>::Kind;
    if (field.kind == Kind::absent) throw BadEntry{where + " has no " + promise::python_repr(key)};
    throw BadEntry{where + ": " + promise::python_repr(key) + " is " +
                   (field.kind == Kind::null ? std::string("null") : field.found) + ", not " +
                   (std::is_same_v<T, double> ? "a number" : "a string")};
  }

  // Entries sorted by 'ip', stably, as sorted(key=itemgetter('ip')).
  template <class Entry>
  std::vector<const Entry*> by_ip(const std::vector<Entry>& section,
                                  const std::vector<const Entry*>& entries,
                                  const char* name) const {
    std::vector<std::pair<std::string, const Entry*>> keyed;
    for (const Entry* entry : entries)
      keyed.emplace_back(need(section, *entry, entry->ip, name, "ip"), entry);
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const Entry*> sorted;
    for (const auto& [ip, entry] : keyed) sorted.push_back(entry);
    return sorted;
  }

  long long days(const std::string& value) const { return python_int(value).value_or(0); }

  void whois() {
    add("whois:");
    const std::string& hostname = url_.netloc;
    if (hostname.empty()) return error("url is incorrect");
    const long long limit = days(options_.domain_expiration_days);
    if (section_missing(report_.whois.has_value(), "whois")) return;
    const auto& section = *report_.whois;
    std::vector<const sk::Whois*> entries;
    for (const auto& entry : section) {
      const std::string& domain = need(section, entry, entry.domain, "whois", "domain");
      if (hostname == domain || (hostname.size() > domain.size() && hostname.ends_with(domain) &&
                                 hostname[hostname.size() - domain.size() - 1] == '.')) {
        entries.push_back(&entry);
      }
    }
    if (entries.empty()) return error("No data");
    if (entries.size() > 1) return error("Bad data");
    const sk::Whois& entry = *entries.front();
    const std::string& domain = entry.domain.value;
    if (entry.expiration_date.kind == sk::Field<std::string>::Kind::null) {
      return error(domain + " expiration date not avaliable");
    }
    const std::string& date =
        need(section, entry, entry.expiration_date, "whois", "expiration_date");
    const auto parsed = promise::parse_email_date(date);
    if (!parsed) return error("Can't parse date " + date);
    const double expires = static_cast<double>(promise::email_date_to_unix(*parsed));
    if (expires - static_cast<double>(limit) * 86400 < now_) {
      error(domain + " expires in < " + std::to_string(limit) + " days");
    } else {
      ok(domain + " expires in > " + std::to_string(limit) + " days");
    }
  }

  void dns_query() {
    add("dns_query:");
    if (section_missing(report_.dns_query.has_value(), "dns_query")) return;
    const auto& section = *report_.dns_query;
    std::map<std::string, std::set<std::string>> replies;  // per resolver, sorted
    for (const auto& entry : section) {
      const std::string& domain = need(section, entry, entry.domain, "dns_query", "domain");
      if (!url_.hostname || domain != *url_.hostname) continue;
      const std::string& rdtype = need(section, entry, entry.rdtype, "dns_query", "rdtype");
      if (rdtype != "A" && rdtype != "AAAA") continue;
      auto& ips = replies[need(section, entry, entry.resolver_ip, "dns_query", "resolver_ip")];
      std::string_view response = need(section, entry, entry.response, "dns_query", "response");
      for (;;) {
        const auto comma = response.find(',');
        const std::string_view ip = strip(response.substr(0, comma));
        if (!ip.empty()) ips.emplace(ip);
        if (comma == std::string_view::npos) break;
        response.remove_prefix(comma + 1);
      }
    }
    if (ip_set_.empty()) return ok("No check configured");
    if (replies.empty()) {
      error("No data");
      return diagnose({"whois"});
    }
    const std::string expected = join(ip_set_);
    for (const auto& [resolver, ips] : replies) {
      if (ips != ip_set_) {
        error("resolver's " + resolver + ": " + expected +
              " != " + (ips.empty() ? std::string("empty-reply") : join(ips)));
      } else {
        ok("resolver's " + resolver + ": " + expected);
      }
    }
  }

  void tcp_server() {
    add("tcp_server:");
    if (section_missing(report_.tcp_server.has_value(), "tcp_server")) return;
    const auto& section = *report_.tcp_server;
    const int port = url_.port ? *url_.port : url_.scheme == "https" ? 443 : 80;
    if (ip_set_.empty()) return ok("No check configured");
    std::vector<const sk::TcpServer*> entries;
    for (const auto& entry : section) {
      std::string_view domains = need(section, entry, entry.domain, "tcp_server", "domain");
      bool named = false;
      for (;;) {
        const auto comma = domains.find(',');
        named = named || (url_.hostname && strip(domains.substr(0, comma)) == *url_.hostname);
        if (comma == std::string_view::npos) break;
        domains.remove_prefix(comma + 1);
      }
      if (named && need(section, entry, entry.port, "tcp_server", "port") == port) {
        entries.push_back(&entry);
      }
    }
    if (entries.empty()) {
      error("No data");
      return diagnose({"whois", "dns_query"});
    }
    const auto sorted = by_ip(section, entries, "tcp_server");
    for (const auto& ip : ip_set_) {
      bool open = false;
      for (const sk::TcpServer* entry : sorted) {
        if (entry->ip.value != ip) continue;
        const std::string& state = need(section, *entry, entry->state, "tcp_server", "state");
        if (state == "closed") {
          open = false;
          break;
        }
        if (state == "open") open = true;
      }
      const std::string shown = "IP " + (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) +
                                ":" + std::to_string(port);
      open ? ok(shown) : error(shown);
    }
  }

  std::vector<const sk::HttpQuery*> http_entries(const std::vector<sk::HttpQuery>& section) const {
    std::vector<const sk::HttpQuery*> entries;
    for (const auto& entry : section) {
      const std::string& url = need(section, entry, entry.url, "http_query", "url");
      if (options_.has_url && url == options_.url) entries.push_back(&entry);
    }
    return entries;
  }

  void http_query() {
    add("http_query:");
    if (section_missing(report_.http_query.has_value(), "http_query")) return;
    const auto& section = *report_.http_query;
    const std::string want_headers = *sk::python_json_dumps(options_.http_header_dict);
    const std::string want = options_.has_status_code ? options_.status_code : "None";
    const auto entries = http_entries(section);
    if (entries.empty()) {
      error("No data");
      return diagnose({"whois", "dns_query", "tcp_server"});
    }
    for (const sk::HttpQuery* entry : by_ip(section, entries, "http_query")) {
      const std::string& ip = entry->ip.value;
      const std::string& got =
          need(section, *entry, entry->status_code, "http_query", "status_code");
      if (!options_.has_status_code || got != options_.status_code) {
        error("IP " + ip + " status_code " + explain_status(got) + " != " + want);
      } else {
        ok("IP " + ip + " status_code " + want);
      }
      if (want_headers != "{}") {
        const std::string& headers =
            need(section, *entry, entry->http_header_dict, "http_query", "http_header_dict");
        if (headers != want_headers) {
          error("IP " + ip + " HTTP Header " + want_headers + " != " + headers);
        } else {
          ok("IP " + ip + " HTTP Header " + want_headers);
        }
      }
    }
  }

  void elapsed_time() {
    add("elapsed_time:");
    if (section_missing(report_.http_query.has_value(), "http_query")) return;
    const auto& section = *report_.http_query;
    const auto entries = http_entries(section);
    if (entries.empty()) {
      error("No data");
      return diagnose({"whois", "dns_query", "tcp_server", "http_query"});
    }
    if (options_.maximum_elapsed_time.empty()) return ok("No check configured");
    const double maximum = python_float(options_.maximum_elapsed_time).value_or(NAN);
    char limit[64];
    std::snprintf(limit, sizeof limit, "%.2fs", maximum);
    bool found = false;
    for (const sk::HttpQuery* entry : by_ip(section, entries, "http_query")) {
      if (entry->total_seconds.kind == sk::Field<double>::Kind::absent) continue;
      found = true;
      const double seconds =
          need(section, *entry, entry->total_seconds, "http_query", "total_seconds");
      const std::string& ip = entry->ip.value;
      if (seconds == 0.0) {
        error("IP " + ip + " failed to reply");
      } else if (seconds > maximum) {
        error("IP " + ip + " replied > " + limit);
      } else {
        ok("IP " + ip + " replied < " + limit);
      }
    }
    if (!found) {
      error("No entry with total_seconds found. If the error persist, please update surykatka");
    }
  }

  void ssl_certificate() {
    add("ssl_certificate:");
    if (url_.scheme != "https") return ok("No check needed");
    const std::string& hostname = url_.netloc;
    const long long limit = days(options_.certificate_expiration_days);
    if (hostname.empty()) return error("url is incorrect");
    if (section_missing(report_.ssl_certificate.has_value(), "ssl_certificate")) return;
    const auto& section = *report_.ssl_certificate;
    std::vector<const sk::SslCertificate*> entries;
    for (const auto& entry : section) {
      if (need(section, entry, entry.hostname, "ssl_certificate", "hostname") == hostname) {
        entries.push_back(&entry);
      }
    }
    if (entries.empty()) {
      error("No data");
      return diagnose({"whois", "dns_query", "tcp_server", "http_query"});
    }
    for (const sk::SslCertificate* entry : by_ip(section, entries, "ssl_certificate")) {
      const std::string& ip = entry->ip.value;
      std::optional<promise::EmailDate> parsed;
      if (entry->not_after.kind != sk::Field<std::string>::Kind::null) {
        parsed = promise::parse_email_date(
            need(section, *entry, entry->not_after, "ssl_certificate", "not_after"));
      }
      if (!parsed) {
        error("IP " + ip + " no information");
        continue;
      }
      const double expires = static_cast<double>(promise::email_date_to_unix(*parsed));
      if (expires - static_cast<double>(limit) * 86400 < now_) {
        error("IP " + ip + " expires in < " + std::to_string(limit) + " days");
      } else {
        ok("IP " + ip + " expires in > " + std::to_string(limit) + " days");
      }
    }
  }

  void bot_status() {
    add("bot_status:");
    if (section_missing(report_.bot_status.has_value(), "bot_status")) return;
    const auto& section = *report_.bot_status;
    if (section.empty()) return error("'bot_status' empty in " + file_);
    const sk::BotStatus& first = section.front();
    using Kind = sk::Field<std::string>::Kind;
    if (first.text.kind == Kind::wrong_type) need(section, first, first.text, "bot_status", "text");
    const std::string text = first.text.has_value() ? first.text.value : "None";
    if (text != "loop") {
      return error("bot_status is " + promise::python_repr(text) + " instead of 'loop' in " +
                   file_);
    }
    const std::string& date = need(section, first, first.date, "bot_status", "date");
    const auto parsed = promise::parse_email_date(date);
    if (!parsed) {
      throw BadEntry{"bot_status[0] in " + file_ + ": 'date' " + promise::python_repr(date) +
                     " is not an RFC 2822 date"};
    }
    const double age = now_ - static_cast<double>(promise::email_date_to_unix(*parsed));
    if (age < 0) return error("Last bot datetime is in future");
    if (age > 15 * 60) return error("Last bot datetime is more than 15 minutes old");
    ok("Last bot status");
  }

  static std::string join(const std::set<std::string>& words) {
    std::string text;
    for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
    return text;
  }

  static std::string explain_status(const std::string& code) {
    static const std::map<std::string, const char*> kSurykatkaCodes = {
        {"520", "Too many redirects"},
        {"523", "Connection error"},
        {"524", "Connection timeout"},
        {"526", "SSL Error"}};
    const auto known = kSurykatkaCodes.find(code);
    return known == kSurykatkaCodes.end() ? code : code + " (" + known->second + ")";
  }

  const Options& options_;
  const sk::Report& report_;
  std::string file_;  // the report's path as %r shows it
  double now_;
  UrlParts url_;
  std::vector<std::string> senses_;
  std::set<std::string> ip_set_;
  std::vector<std::string> words_;
  bool error_ = false;
};

promise::Outcome check(const Options& options, const promise::Context& context) {
  const std::string file = promise::python_repr(options.json_file);
  const std::string prefix = options.has_url && !options.url.empty() ? options.url + " : " : "";
  context.phase("reading the surykatka report");
  const sk::ReadResult read = sk::read_report(options.json_file);
  using Status = sk::ReadResult::Status;
  switch (read.status) {
    case Status::absent:
      return promise::Outcome::unknown(prefix + "ERROR File " + file + " does not exists");
    case Status::unreadable:
      return promise::Outcome::unknown(prefix + "ERROR cannot read " + file + ": " + read.error);
    case Status::invalid:
      return promise::Outcome::unknown(prefix + "ERROR loading JSON from " + file + ": " +
                                       read.error);
    case Status::ok:
      break;
  }
  context.phase("checking the surykatka report");
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  Surykatka surykatka(options, read.report, file,
                      static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9);
  try {
    surykatka.run();
  } catch (const BadEntry& bad) {
    return promise::Outcome::unknown(prefix + "ERROR " + bad.message);
  }
  return surykatka.failed() ? promise::Outcome::critical(surykatka.message())
                            : promise::Outcome::ok(surykatka.message());
}

}  // namespace

PROMISE_MAIN("check_surykatka_json", "Check what surykatka last saw of a URL, or of itself",
             declare, check)
