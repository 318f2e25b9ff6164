#pragma once
// surykatka's JSON report (`surykatka --run status --output json`), as the SlapOS plugin
// check_surykatka_json reads it with Python's json.load. The report is one JSON object; the
// sections read, each a list of objects:
//
//   bot_status       [{"text": "loop", "date": "<RFC 2822>"}]          (the first one counts)
//   http_query       [{"url", "ip", "status_code", "http_header_dict", "total_seconds"}]
//   dns_query        [{"domain", "rdtype", "resolver_ip", "response": "ip, ip"}]
//   tcp_server       [{"domain": "a, b", "port", "ip", "state": "open|closed|filtered"}]
//   ssl_certificate  [{"hostname", "ip", "not_after": "<RFC 2822>" or null}]
//   whois            [{"domain", "expiration_date": "<RFC 2822>" or null}]
//
// Other keys and other fields are ignored (surykatka writes more: dates, fingerprints...).
// The whole text must be valid JSON in UTF-8 (as json.load wants it), at most 1024 levels
// deep; an entry's fields are kept as found, absent or null or of an unexpected type, and the
// check decides what that means where it looks, as the plugin does (a missing key is Python's
// KeyError only where the plugin reads it). A section that is not a list of objects, or a
// report that is not an object, is an error of the whole report.
//
// Parsed with simdjson (docs/BENCHMARKS.md, "JSON parser"). Used by check_surykatka_json only.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promise::surykatka {

// One field of an entry.
template <class T>
struct Field {
  enum class Kind { absent, null, value, wrong_type };
  Kind kind = Kind::absent;
  T value{};
  std::string found;  // for wrong_type: what the report holds instead ("a number", "a list")
  bool has_value() const { return kind == Kind::value; }
};

struct BotStatus {
  Field<std::string> text;
  Field<std::string> date;
};

struct HttpQuery {
  Field<std::string> url;
  Field<std::string> ip;
  // Python's str() of it: an integer's digits (any size), or a string as it is.
  Field<std::string> status_code;
  // json.dumps(value, sort_keys=True) of the object (or of whatever value it is).
  Field<std::string> http_header_dict;
  Field<double> total_seconds;  // any JSON number
};

struct DnsQuery {
  Field<std::string> domain;
  Field<std::string> rdtype;
  Field<std::string> resolver_ip;
  Field<std::string> response;
};

struct TcpServer {
  Field<std::string> domain;
  Field<std::string> ip;
  Field<std::string> state;
  Field<double> port;  // any JSON number (443 and 443.0 are equal in Python); NaN if too large
};

struct SslCertificate {
  Field<std::string> hostname;
  Field<std::string> ip;
  Field<std::string> not_after;
};

struct Whois {
  Field<std::string> domain;
  Field<std::string> expiration_date;
};

// nullopt: the report has no such key.
template <class Entry>
using Section = std::optional<std::vector<Entry>>;

struct Report {
  Section<BotStatus> bot_status;
  Section<HttpQuery> http_query;
  Section<DnsQuery> dns_query;
  Section<TcpServer> tcp_server;
  Section<SslCertificate> ssl_certificate;
  Section<Whois> whois;
};

// The most a report may hold: 32 MiB, about 100 times a report on a thousand URLs.
inline constexpr std::size_t kMaxReportBytes = 32u << 20;

struct ReadResult {
  enum class Status {
    ok,          // report is set
    absent,      // no such file (ENOENT, ENOTDIR, a dangling link): error is strerror
    unreadable,  // cannot open or read it, or not a regular file, or too big: error says why
    invalid,     // not JSON, not UTF-8, too deep, or not shaped as above: error says where
  };
  Status status = Status::unreadable;
  Report report;
  std::string error;
};

// Reads and parses the report at path: opened non-blocking (a FIFO cannot stall the check),
// only a regular file, at most kMaxReportBytes.
ReadResult read_report(const std::string& path);

// Parses a report held in memory (status ok or invalid).
ReadResult parse_report(std::string_view json);

// Python's json.dumps(json.loads(text), sort_keys=True): separators ", " and ": ", keys
// sorted, non-ASCII escaped as \uXXXX, floats as Python's repr. nullopt (and error set) when
// text is not one valid JSON value or nests deeper than 64 levels.
std::optional<std::string> python_json_dumps(std::string_view text, std::string* error = nullptr);

// Python's repr() of a float: "0.5", "302.0", "1e+16", "1.5e-05", "inf", "nan".
std::string python_float_repr(double value);

}  // namespace promise::surykatka
