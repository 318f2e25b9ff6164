// check_surykatka_json's checks: see promise/surykatka_checks.hpp.
#include "promise/surykatka_checks.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "promise/email_date.hpp"
#include "promise/fields.hpp"
#include "promise/python_str.hpp"
#include "promise/text.hpp"

namespace promise::surykatka {
namespace {

// A field the plugin reads is missing (its KeyError), null, or not what surykatka writes.
struct BadEntry {
  std::string message;
};

class Surykatka {
 public:
  Surykatka(const Settings& settings, const Report& report, std::string file, double now)
      : settings_(settings),
        report_(report),
        file_(std::move(file)),
        now_(now),
        url_(split_url(settings.url)),
        senses_(python_split(settings.enabled_sense_list)),
        ip_set_([&] {
          const auto words = python_split(settings.ip_list);
          return std::set<std::string>(words.begin(), words.end());
        }()) {}

  void run() {
    if (settings_.report == "bot_status") {
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
    std::string text = settings_.has_url && !settings_.url.empty() ? settings_.url + " :" : "";
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
  // "OK <wanted>", or "ERROR <wanted> != <got>".
  void expect(bool as_wanted, const std::string& wanted, const std::string& got) {
    as_wanted ? ok(wanted) : error(wanted + " != " + got);
  }
  bool section_missing(bool present, const char* key) {
    if (!present) error(python_repr(key) + " not in " + file_);
    return !present;
  }

  template <class Entry, class T>
  const T& need(const std::vector<Entry>& section, const Entry& entry, const Field<T>& field,
                const char* section_name, const char* key) const {
    if (field.has_value()) return field.value;
    const std::string where =
        std::string(section_name) + "[" + std::to_string(&entry - section.data()) + "] in " + file_;
    using Kind = typename Field<T>::Kind;
    if (field.kind == Kind::absent) throw BadEntry{where + " has no " + python_repr(key)};
    throw BadEntry{where + ": " + python_repr(key) + " is " +
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
    const long long limit = days(settings_.domain_expiration_days);
    if (section_missing(report_.whois.has_value(), "whois")) return;
    const auto& section = *report_.whois;
    std::vector<const Whois*> entries;
    for (const auto& entry : section) {
      const std::string& domain = need(section, entry, entry.domain, "whois", "domain");
      if (hostname == domain || (hostname.size() > domain.size() && hostname.ends_with(domain) &&
                                 hostname[hostname.size() - domain.size() - 1] == '.')) {
        entries.push_back(&entry);
      }
    }
    if (entries.empty()) return error("No data");
    if (entries.size() > 1) return error("Bad data");
    const Whois& entry = *entries.front();
    const std::string& domain = entry.domain.value;
    if (entry.expiration_date.kind == Field<std::string>::Kind::null) {
      return error(domain + " expiration date not avaliable");
    }
    const std::string& date =
        need(section, entry, entry.expiration_date, "whois", "expiration_date");
    const auto parsed = parse_email_date(date);
    if (!parsed) return error("Can't parse date " + date);
    const double expires = static_cast<double>(email_date_to_unix(*parsed));
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
        const std::string_view ip = python_strip(response.substr(0, comma));
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
      expect(ips == ip_set_, "resolver's " + resolver + ": " + expected,
             ips.empty() ? std::string("empty-reply") : join(ips));
    }
  }

  void tcp_server() {
    add("tcp_server:");
    if (section_missing(report_.tcp_server.has_value(), "tcp_server")) return;
    const auto& section = *report_.tcp_server;
    const int port = url_.port ? *url_.port : url_.scheme == "https" ? 443 : 80;
    if (ip_set_.empty()) return ok("No check configured");
    std::vector<const TcpServer*> entries;
    for (const auto& entry : section) {
      std::string_view domains = need(section, entry, entry.domain, "tcp_server", "domain");
      bool named = false;
      for (;;) {
        const auto comma = domains.find(',');
        named =
            named || (url_.hostname && python_strip(domains.substr(0, comma)) == *url_.hostname);
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
      for (const TcpServer* entry : sorted) {
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

  std::vector<const HttpQuery*> http_entries(const std::vector<HttpQuery>& section) const {
    std::vector<const HttpQuery*> entries;
    for (const auto& entry : section) {
      const std::string& url = need(section, entry, entry.url, "http_query", "url");
      if (settings_.has_url && url == settings_.url) entries.push_back(&entry);
    }
    return entries;
  }

  void http_query() {
    add("http_query:");
    if (section_missing(report_.http_query.has_value(), "http_query")) return;
    const auto& section = *report_.http_query;
    const std::string want_headers = *python_json_dumps(settings_.http_header_dict);
    const std::string want = settings_.has_status_code ? settings_.status_code : "None";
    const auto entries = http_entries(section);
    if (entries.empty()) {
      error("No data");
      return diagnose({"whois", "dns_query", "tcp_server"});
    }
    for (const HttpQuery* entry : by_ip(section, entries, "http_query")) {
      const std::string& ip = entry->ip.value;
      const std::string& got =
          need(section, *entry, entry->status_code, "http_query", "status_code");
      if (!settings_.has_status_code || got != settings_.status_code) {
        error("IP " + ip + " status_code " + explain_status(got) + " != " + want);
      } else {
        ok("IP " + ip + " status_code " + want);
      }
      if (want_headers != "{}") {
        const std::string& headers =
            need(section, *entry, entry->http_header_dict, "http_query", "http_header_dict");
        expect(headers == want_headers, "IP " + ip + " HTTP Header " + want_headers, headers);
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
    if (settings_.maximum_elapsed_time.empty()) return ok("No check configured");
    const double maximum = python_float(settings_.maximum_elapsed_time).value_or(NAN);
    char limit[64];
    std::snprintf(limit, sizeof limit, "%.2fs", maximum);
    bool found = false;
    for (const HttpQuery* entry : by_ip(section, entries, "http_query")) {
      if (entry->total_seconds.kind == Field<double>::Kind::absent) continue;
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
    const long long limit = days(settings_.certificate_expiration_days);
    if (hostname.empty()) return error("url is incorrect");
    if (section_missing(report_.ssl_certificate.has_value(), "ssl_certificate")) return;
    const auto& section = *report_.ssl_certificate;
    std::vector<const SslCertificate*> entries;
    for (const auto& entry : section) {
      if (need(section, entry, entry.hostname, "ssl_certificate", "hostname") == hostname) {
        entries.push_back(&entry);
      }
    }
    if (entries.empty()) {
      error("No data");
      return diagnose({"whois", "dns_query", "tcp_server", "http_query"});
    }
    for (const SslCertificate* entry : by_ip(section, entries, "ssl_certificate")) {
      const std::string& ip = entry->ip.value;
      std::optional<EmailDate> parsed;
      if (entry->not_after.kind != Field<std::string>::Kind::null) {
        parsed = parse_email_date(
            need(section, *entry, entry->not_after, "ssl_certificate", "not_after"));
      }
      if (!parsed) {
        error("IP " + ip + " no information");
        continue;
      }
      const double expires = static_cast<double>(email_date_to_unix(*parsed));
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
    const BotStatus& first = section.front();
    using Kind = Field<std::string>::Kind;
    if (first.text.kind == Kind::wrong_type) need(section, first, first.text, "bot_status", "text");
    const std::string text = first.text.has_value() ? first.text.value : "None";
    if (text != "loop") {
      return error("bot_status is " + python_repr(text) + " instead of 'loop' in " + file_);
    }
    const std::string& date = need(section, first, first.date, "bot_status", "date");
    const auto parsed = parse_email_date(date);
    if (!parsed) {
      throw BadEntry{"bot_status[0] in " + file_ + ": 'date' " + python_repr(date) +
                     " is not an RFC 2822 date"};
    }
    const double age = now_ - static_cast<double>(email_date_to_unix(*parsed));
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

  const Settings& settings_;
  const Report& report_;
  std::string file_;  // the report's path as %r shows it
  double now_;
  UrlParts url_;
  std::vector<std::string_view> senses_;  // in settings_.enabled_sense_list
  std::set<std::string> ip_set_;
  std::vector<std::string> words_;
  bool error_ = false;
};

}  // namespace

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
    parts.scheme = ascii_lower(rest.substr(0, colon));
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
  if (!host.empty()) parts.hostname = ascii_lower(host);
  if (!port.empty()) {
    int number = 0;
    if (port.find_first_not_of("0123456789") != std::string_view::npos) {
      parts.port_error = "Port could not be cast to integer value as " + python_repr(port);
    } else if (!parse_whole(port, number) || number > 65535) {
      parts.port_error = "Port out of range 0-65535";
    } else {
      parts.port = number;
    }
  }
  return parts;
}

Verdict judge(const Settings& settings, const ReadResult& read, const std::string& path,
              double now) {
  const std::string file = python_repr(path);
  const std::string prefix = settings.has_url && !settings.url.empty() ? settings.url + " : " : "";
  using Status = ReadResult::Status;
  switch (read.status) {
    case Status::absent:
      return {Verdict::State::unknown, prefix + "ERROR File " + file + " does not exists"};
    case Status::unreadable:
      return {Verdict::State::unknown, prefix + "ERROR cannot read " + file + ": " + read.error};
    case Status::invalid:
      return {Verdict::State::unknown,
              prefix + "ERROR loading JSON from " + file + ": " + read.error};
    case Status::ok:
      break;
  }
  Surykatka surykatka(settings, read.report, file, now);
  try {
    surykatka.run();
  } catch (const BadEntry& bad) {
    return {Verdict::State::unknown, prefix + "ERROR " + bad.message};
  }
  return {surykatka.failed() ? Verdict::State::critical : Verdict::State::ok, surykatka.message()};
}

}  // namespace promise::surykatka
