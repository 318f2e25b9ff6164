#pragma once
// What check_surykatka_json concludes from surykatka's report (surykatka_report.hpp): the
// sub-checks ("senses") of the SlapOS toolbox plugin of the same name, with its messages.
//
// The message is one line of words: "<url> :" (when --url is set and not empty), then for each
// sense run "<sense>: " followed by one or more "OK <text>" / "ERROR <text>". Any ERROR makes
// it CRITICAL. <file> below is the report's path as Python's %r shows it.
//
// --report bot_status: "bot_status:", from the first entry of 'bot_status':
//   ERROR 'bot_status' not in <file> | ERROR 'bot_status' empty in <file>
//   ERROR bot_status is <repr(text)> instead of 'loop' in <file>      (text null or absent: None)
//   ERROR Last bot datetime is in future | ... is more than 15 minutes old | OK Last bot status
//
// --report http_query: the enabled senses (--enabled-sense-list, unknown names ignored) in this
// order, each on the entries that concern --url:
//   whois            entries whose domain is the URL's netloc or a parent domain of it; exactly
//                    one: "<domain> expires in > N days" (N: --domain-expiration-days), else
//                    "No data", "Bad data", "url is incorrect" (no netloc), "<domain> expiration
//                    date not avaliable" (null), "Can't parse date <date>"
//   dns_query        A and AAAA replies for the URL's host, per resolver (sorted): "resolver's
//                    <ip>: <expected> [!= <got>|empty-reply]", the IPs of --ip-list and of the
//                    comma-separated response compared as sorted sets; no --ip-list: "No check
//                    configured"
//   tcp_server       per IP of --ip-list (sorted): "IP <ip>:<port>" (IPv6 in brackets), OK when
//                    an entry of the host (one of its comma-separated domains) and port (the
//                    URL's, else 443 for https, 80) says "open" and none of that IP "closed"
//   http_query       per entry of the URL (sorted by IP, stably): "IP <ip> status_code <code>"
//                    against --status-code as text (unset: "None", every entry fails; codes
//                    520/523/524/526 explained), and "IP <ip> HTTP Header <want> [!= <got>]"
//                    unless --http-header-dict is {} (both as json.dumps(sort_keys=True))
//   elapsed_time     per entry of the URL with total_seconds: "IP <ip> replied < X.XXs", or
//                    "replied > X.XXs", or "failed to reply" (0); none with it: an ERROR that
//                    asks to update surykatka; no --maximum-elapsed-time: "No check configured"
//   ssl_certificate  https only ("No check needed" otherwise): per entry of the netloc (sorted
//                    by IP): "IP <ip> expires in > N days" (N: --certificate-expiration-days),
//                    "IP <ip> no information" when not_after is null or not a date
// A sense with a section missing says "ERROR '<section>' not in <file>". After "No data", a
// sense runs the disabled senses before it in the order whois, dns_query, tcp_server,
// http_query, to show why.
//
// An entry that lacks a field a sense reads, or holds null or another type where the plugin
// expects a string or a number, makes the whole check UNKNOWN: "ERROR <section>[<index>] in
// <file> has no '<key>'" or "...: '<key>' is <what>, not a string|a number". So does a report
// that cannot be read: "ERROR File <file> does not exists", "ERROR cannot read <file>: <why>",
// "ERROR loading JSON from <file>: <why>".

#include <optional>
#include <string>
#include <string_view>

#include "promise/surykatka_report.hpp"

namespace promise::surykatka {

inline constexpr const char* kAllSenses =
    "dns_query whois tcp_server http_query ssl_certificate elapsed_time";

// The options of check_surykatka_json, as given (numbers as text, read as Python reads them).
struct Settings {
  std::string report;  // "bot_status" or "http_query"
  std::string url;
  bool has_url = false;
  std::string status_code;
  bool has_status_code = false;
  std::string http_header_dict = "{}";
  std::string ip_list;  // white-space separated
  std::string certificate_expiration_days = "15";
  std::string domain_expiration_days = "30";
  std::string maximum_elapsed_time;             // seconds; empty: not checked
  std::string enabled_sense_list = kAllSenses;  // white-space separated
};

// urllib.parse.urlparse's view of a URL: scheme and netloc, and the hostname and port read
// from the netloc (lower-cased host; port_error holds Python's ValueError when .port fails).
struct UrlParts {
  std::string scheme;
  std::string netloc;
  std::optional<std::string> hostname;
  std::optional<int> port;
  std::string port_error;
};
UrlParts split_url(std::string_view url);

struct Verdict {
  enum class State { ok, critical, unknown };
  State state = State::unknown;
  std::string message;
};

// The verdict on the report read from path, at now (seconds since the epoch).
Verdict judge(const Settings& settings, const ReadResult& read, const std::string& path,
              double now);

}  // namespace promise::surykatka
