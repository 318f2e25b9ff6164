// check_surykatka_json on real report files, written here in the shape surykatka writes and the
// plugin reads (CATALOGUE 3.15): every report kind and sub-check, holding and failing, with the
// plugin's messages (its own test suite's cases), broken files, and both install modes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "bad_input.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kSurykatka = binary("check_surykatka_json");

// An RFC 2822 date seconds from now, as email.utils.formatdate writes it.
std::string date_from_now(double seconds) {
  const std::time_t when = std::time(nullptr) + static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S -0000", &tm);
  return text;
}
constexpr double kMinute = 60, kDay = 86400;

class Surykatka : public ::testing::Test {
 protected:
  TempDir dir;
  std::string json = dir / "surykatka.json";
  std::string quoted = "'" + json + "'";

  ProcessResult check(std::vector<std::string> args) {
    args.insert(args.begin(), {kSurykatka, "--json-file", json});
    return run(args);
  }
  ProcessResult http(const std::string& url, std::vector<std::string> args) {
    args.insert(args.begin(), {"--report", "http_query", "--url", url});
    return check(args);
  }
  void expect(const ProcessResult& result, int exit_code, const std::string& line) {
    EXPECT_EQ(result.exit_code, exit_code) << result.output;
    EXPECT_EQ(result.output, line + "\n");
  }

  // The plugin's own fixture (test_check_surykatka_json.py, TestCheckSurykatkaJSONHttpQuery):
  // two names served by two IPv4 and two IPv6 addresses each.
  void write_all_ok_report() {
    const std::string later = date_from_now(60 * kDay);
    std::string http_query, ssl, dns, tcp;
    const char* ips[] = {"127.0.0.1", "127.0.0.2", "2001:db8::8a2e:370:7334",
                         "fe80::b4b4:cdff:fe96:bee4"};
    for (const std::string url : {"https://www.allok.com/", "http://www.httpallok.com/"}) {
      for (const char* ip : ips) {
        http_query += std::string(http_query.empty() ? "" : ",") + R"({"ip": ")" + ip +
                      R"(", "status_code": 302, "url": ")" + url + R"(", "total_seconds": 4})";
      }
    }
    for (const char* ip : ips) {
      ssl += std::string(ssl.empty() ? "" : ",") + R"({"hostname": "www.allok.com", "ip": ")" + ip +
             R"(", "not_after": ")" + later + R"("})";
    }
    for (const std::string host : {"www.allok.com", "www.httpallok.com"}) {
      dns += std::string(dns.empty() ? "" : ",") + R"({"domain": ")" + host +
             R"(", "rdtype": "A", "resolver_ip": "1.2.3.4", "response": "127.0.0.1, 127.0.0.2"},)" +
             R"({"domain": ")" + host +
             R"(", "rdtype": "AAAA", "resolver_ip": "1.2.3.4", "response": )" +
             R"("2001:db8::8a2e:370:7334, fe80::b4b4:cdff:fe96:bee4"})";
      for (const char* ip : ips) {
        tcp += std::string(tcp.empty() ? "" : ",") + R"({"ip": ")" + ip +
               R"(", "state": "open", "port": )" + (host == "www.allok.com" ? "443" : "80") +
               R"(, "domain": ")" + host + R"("})";
      }
    }
    overwrite_file(json, R"({"http_query": [)" + http_query + R"(], "ssl_certificate": [)" + ssl +
                             R"(], "dns_query": [)" + dns + R"(], "tcp_server": [)" + tcp +
                             R"(], "whois": [{"domain": "allok.com", "expiration_date": ")" +
                             later + R"("}, {"domain": "httpallok.com", "expiration_date": ")" +
                             later + R"("}]})");
  }
};

const std::string kAllIps = "127.0.0.1 127.0.0.2 2001:db8::8a2e:370:7334 fe80::b4b4:cdff:fe96:bee4";

TEST_F(Surykatka, HttpQueryAllSubChecksHoldOverIpv4AndIpv6) {
  write_all_ok_report();
  expect(http("https://www.allok.com/",
              {"--status-code", "302", "--ip-list", kAllIps, "--maximum-elapsed-time", "5"}),
         0,
         "OK: https://www.allok.com/ : whois: OK allok.com expires in > 30 days "
         "dns_query: OK resolver's 1.2.3.4: 127.0.0.1 127.0.0.2 2001:db8::8a2e:370:7334 "
         "fe80::b4b4:cdff:fe96:bee4 "
         "tcp_server: OK IP 127.0.0.1:443 OK IP 127.0.0.2:443 OK IP [2001:db8::8a2e:370:7334]:443 "
         "OK IP [fe80::b4b4:cdff:fe96:bee4]:443 "
         "http_query: OK IP 127.0.0.1 status_code 302 OK IP 127.0.0.2 status_code 302 "
         "OK IP 2001:db8::8a2e:370:7334 status_code 302 OK IP fe80::b4b4:cdff:fe96:bee4 "
         "status_code 302 "
         "elapsed_time: OK IP 127.0.0.1 replied < 5.00s OK IP 127.0.0.2 replied < 5.00s "
         "OK IP 2001:db8::8a2e:370:7334 replied < 5.00s OK IP fe80::b4b4:cdff:fe96:bee4 replied "
         "< 5.00s "
         "ssl_certificate: OK IP 127.0.0.1 expires in > 15 days OK IP 127.0.0.2 expires in > 15 "
         "days OK IP 2001:db8::8a2e:370:7334 expires in > 15 days OK IP "
         "fe80::b4b4:cdff:fe96:bee4 expires in > 15 days");
  // Plain HTTP: port 80, no certificate to check; the underscore spellings of the options.
  expect(http("http://www.httpallok.com/",
              {"--status_code", "302", "--ip_list", "127.0.0.1 127.0.0.2", "--maximum_elapsed_time",
               "5", "--enabled_sense_list", "tcp_server ssl_certificate"}),
         0,
         "OK: http://www.httpallok.com/ : tcp_server: OK IP 127.0.0.1:80 OK IP "
         "127.0.0.2:80 ssl_certificate: OK No check needed");
}

TEST_F(Surykatka, UnconfiguredChecksAndTheEnabledSenseList) {
  write_all_ok_report();
  expect(http("https://www.allok.com/", {"--status-code", "302", "--enabled-sense-list",
                                         "dns_query tcp_server elapsed_time"}),
         0,
         "OK: https://www.allok.com/ : dns_query: OK No check configured tcp_server: OK No "
         "check configured elapsed_time: OK No check configured");
  expect(http("https://www.allok.com/", {"--enabled-sense-list", "", "--ip-list", kAllIps}), 0,
         "OK: https://www.allok.com/ :");
  expect(http("https://www.allok.com/", {"--enabled-sense-list", "ssl_certificate bogus"}), 0,
         "OK: https://www.allok.com/ : ssl_certificate: OK IP 127.0.0.1 expires in > 15 days OK "
         "IP 127.0.0.2 expires in > 15 days OK IP 2001:db8::8a2e:370:7334 expires in > 15 days "
         "OK IP fe80::b4b4:cdff:fe96:bee4 expires in > 15 days");
}

TEST_F(Surykatka, BotStatus) {
  const auto bot = [&](const std::string& entries) {
    overwrite_file(json, R"({"bot_status": [)" + entries + "]}");
    return check({"--report", "bot_status"});
  };
  expect(bot(R"({"date": ")" + date_from_now(-2 * kMinute) + R"(", "text": "loop"})"), 0,
         "OK: bot_status: OK Last bot status");
  // Only the first entry counts.
  expect(bot(R"({"date": ")" + date_from_now(-2 * kMinute) + R"(", "text": "loop"}, {"text": 1})"),
         0, "OK: bot_status: OK Last bot status");
  expect(bot(R"({"date": "Wed, 13 Dec 2222 09:10:11 -0000", "text": "error"})"), 2,
         "CRITICAL: bot_status: ERROR bot_status is 'error' instead of 'loop' in " + quoted);
  expect(bot(R"({"date": "Wed, 13 Dec 2222 09:10:11 -0000"})"), 2,
         "CRITICAL: bot_status: ERROR bot_status is 'None' instead of 'loop' in " + quoted);
  expect(bot(R"({"date": ")" + date_from_now(20 * kMinute) + R"(", "text": "loop"})"), 2,
         "CRITICAL: bot_status: ERROR Last bot datetime is in future");
  expect(bot(R"({"date": ")" + date_from_now(-20 * kMinute) + R"(", "text": "loop"})"), 2,
         "CRITICAL: bot_status: ERROR Last bot datetime is more than 15 minutes old");
  expect(bot(""), 2, "CRITICAL: bot_status: ERROR 'bot_status' empty in " + quoted);
  overwrite_file(json, "{}");
  expect(check({"--report", "bot_status"}), 2,
         "CRITICAL: bot_status: ERROR 'bot_status' not in " + quoted);
  // The zone counts: 14 minutes ago written as local time two hours east of UTC.
  const std::time_t when = std::time(nullptr) - 14 * 60 + 2 * 3600;
  std::tm tm{};
  gmtime_r(&when, &tm);
  char east[64];
  std::strftime(east, sizeof east, "%a, %d %b %Y %H:%M:%S +0200", &tm);
  expect(bot(R"({"date": ")" + std::string(east) + R"(", "text": "loop"})"), 0,
         "OK: bot_status: OK Last bot status");
  // The plugin died on these (KeyError, ValueError): UNKNOWN, naming what is wrong.
  expect(bot(R"({"text": "loop"})"), 3,
         "UNKNOWN: ERROR bot_status[0] in " + quoted + " has no 'date'");
  expect(
      bot(R"({"text": "loop", "date": "yesterday"})"), 3,
      "UNKNOWN: ERROR bot_status[0] in " + quoted + ": 'date' 'yesterday' is not an RFC 2822 date");
  expect(bot(R"({"text": ["loop"]})"), 3,
         "UNKNOWN: ERROR bot_status[0] in " + quoted + ": 'text' is a list, not a string");
}

TEST_F(Surykatka, DnsQuery) {
  overwrite_file(json, R"({"dns_query": [
    {"domain": "www.httpallok.com", "rdtype": "A", "resolver_ip": "1.2.3.4", "response": "127.0.0.1, 127.0.0.2"},
    {"domain": "www.badip.com", "rdtype": "A", "resolver_ip": "1.2.3.4", "response": "127.0.0.1, 127.0.0.4"},
    {"domain": "www.badip.com", "rdtype": "MX", "resolver_ip": "1.2.3.4", "response": "127.0.0.2"},
    {"domain": "www.dnsquerynoreply.com", "rdtype": "A", "resolver_ip": "1.2.3.4", "response": ""},
    {"domain": "www.tworesolvers.com", "rdtype": "AAAA", "resolver_ip": "9.9.9.9", "response": "2001:db8::1"},
    {"domain": "www.tworesolvers.com", "rdtype": "A", "resolver_ip": "1.1.1.1", "response": "192.0.2.1"},
    {"domain": "www.tworesolvers.com", "rdtype": "AAAA", "resolver_ip": "1.1.1.1", "response": "2001:db8::1"}]})");
  const auto dns = [&](const std::string& url, const std::string& ips) {
    return http(url, {"--ip-list", ips, "--enabled-sense-list", "dns_query"});
  };
  expect(dns("http://www.badip.com/", "127.0.0.1 127.0.0.2"), 2,
         "CRITICAL: http://www.badip.com/ : dns_query: ERROR resolver's 1.2.3.4: 127.0.0.1 "
         "127.0.0.2 != 127.0.0.1 127.0.0.4");
  expect(dns("http://WWW.HttpAllOk.com:8080/", "127.0.0.9 127.0.0.1"), 2,
         "CRITICAL: http://WWW.HttpAllOk.com:8080/ : dns_query: ERROR resolver's 1.2.3.4: "
         "127.0.0.1 127.0.0.9 != 127.0.0.1 127.0.0.2");
  expect(dns("http://www.dnsquerynoreply.com/", "127.0.0.1"), 2,
         "CRITICAL: http://www.dnsquerynoreply.com/ : dns_query: ERROR resolver's 1.2.3.4: "
         "127.0.0.1 != empty-reply");
  expect(dns("http://www.tworesolvers.com/", "2001:db8::1 192.0.2.1"), 2,
         "CRITICAL: http://www.tworesolvers.com/ : dns_query: OK resolver's 1.1.1.1: 192.0.2.1 "
         "2001:db8::1 ERROR resolver's 9.9.9.9: 192.0.2.1 2001:db8::1 != 2001:db8::1");
  expect(dns("http://www.httpallok.com/", "127.0.0.2  127.0.0.1"), 0,
         "OK: http://www.httpallok.com/ : dns_query: OK resolver's 1.2.3.4: 127.0.0.1 127.0.0.2");
  // No entry: "No data", then the disabled checks before it, to show why.
  expect(dns("http://www.dnsquerynoentry.com/", "127.0.0.1"), 2,
         "CRITICAL: http://www.dnsquerynoentry.com/ : dns_query: ERROR No data whois: ERROR "
         "'whois' not in " +
             quoted);
  overwrite_file(json, "{}");
  expect(dns("http://www.dnsquerynokey.com/", "127.0.0.1"), 2,
         "CRITICAL: http://www.dnsquerynokey.com/ : dns_query: ERROR 'dns_query' not in " + quoted);
}

TEST_F(Surykatka, Whois) {
  overwrite_file(json, R"({"whois": [
    {"domain": "whois3.com", "expiration_date": ")" +
                           date_from_now(3 * kDay) + R"("},
    {"domain": "whois29.com", "expiration_date": ")" +
                           date_from_now(29 * kDay) + R"("},
    {"domain": "whoisminus29.com", "expiration_date": ")" +
                           date_from_now(-29 * kDay) + R"("},
    {"domain": "whoisnone.com", "expiration_date": null},
    {"domain": "whoisbad.com", "expiration_date": "soon"},
    {"domain": "twice.com", "expiration_date": null},
    {"domain": "www.twice.com", "expiration_date": null}]})");
  const auto whois = [&](const std::string& url, std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--enabled-sense-list", "whois"});
    return http(url, args);
  };
  expect(whois("https://www.whois3.com/", {"--domain-expiration-days", "2"}), 0,
         "OK: https://www.whois3.com/ : whois: OK whois3.com expires in > 2 days");
  expect(whois("https://www.whois3.com/", {"--domain_expiration_days", "4"}), 2,
         "CRITICAL: https://www.whois3.com/ : whois: ERROR whois3.com expires in < 4 days");
  expect(whois("https://whois29.com/"), 2,
         "CRITICAL: https://whois29.com/ : whois: ERROR whois29.com expires in < 30 days");
  expect(whois("https://www.whoisminus29.com/"), 2,
         "CRITICAL: https://www.whoisminus29.com/ : whois: ERROR whoisminus29.com expires in < "
         "30 days");
  expect(whois("https://www.whoisnone.com/"), 2,
         "CRITICAL: https://www.whoisnone.com/ : whois: ERROR whoisnone.com expiration date not "
         "avaliable");
  // The plugin appended this, then died on its own bug (Tuple or struct_time argument required).
  expect(whois("https://www.whoisbad.com/"), 2,
         "CRITICAL: https://www.whoisbad.com/ : whois: ERROR Can't parse date soon");
  expect(whois("https://www.twice.com/"), 2,
         "CRITICAL: https://www.twice.com/ : whois: ERROR Bad data");
  // The host is the URL's netloc: with a port it matches no domain.
  expect(whois("https://www.whois3.com:443/"), 2,
         "CRITICAL: https://www.whois3.com:443/ : whois: ERROR No data");
  expect(whois("https://notwhois3.com/"), 2,
         "CRITICAL: https://notwhois3.com/ : whois: ERROR No data");
  expect(whois("no-scheme"), 2, "CRITICAL: no-scheme : whois: ERROR url is incorrect");
}

TEST_F(Surykatka, TcpServer) {
  overwrite_file(json, R"({"tcp_server": [
    {"ip": "127.0.0.1", "state": "open", "port": 80, "domain": "www.tcpservernoip.com"},
    {"ip": "127.0.0.1", "state": "filtered", "port": 80, "domain": "www.tcpserverfiltered.com"},
    {"ip": "127.0.0.1", "state": "open", "port": 8443, "domain": "a.example, www.both.com"},
    {"ip": "127.0.0.1", "state": "closed", "port": 8443, "domain": "www.both.com"},
    {"ip": "::1", "state": "open", "port": 8443.0, "domain": "www.both.com"}]})");
  const auto tcp = [&](const std::string& url, const std::string& ips) {
    return http(url, {"--ip-list", ips, "--enabled-sense-list", "tcp_server"});
  };
  expect(tcp("http://www.tcpservernoip.com/", "127.0.0.2"), 2,
         "CRITICAL: http://www.tcpservernoip.com/ : tcp_server: ERROR IP 127.0.0.2:80");
  expect(tcp("http://www.tcpserverfiltered.com/", "127.0.0.1"), 2,
         "CRITICAL: http://www.tcpserverfiltered.com/ : tcp_server: ERROR IP 127.0.0.1:80");
  // closed on any entry fails; the port comes from the URL; 8443.0 == 8443 as in Python.
  expect(tcp("https://www.both.com:8443/", "::1 127.0.0.1"), 2,
         "CRITICAL: https://www.both.com:8443/ : tcp_server: ERROR IP 127.0.0.1:8443 OK IP "
         "[::1]:8443");
  expect(tcp("https://www.both.com/", "::1"), 2,
         "CRITICAL: https://www.both.com/ : tcp_server: ERROR No data whois: ERROR 'whois' not "
         "in " +
             quoted + " dns_query: ERROR 'dns_query' not in " + quoted);
  overwrite_file(json, R"({"dns_query": []})");
  expect(
      tcp("http://www.tcpservernokey.com/", "127.0.0.1"), 2,
      "CRITICAL: http://www.tcpservernokey.com/ : tcp_server: ERROR 'tcp_server' not in " + quoted);
}

TEST_F(Surykatka, HttpQueryStatusCodesAndHeaders) {
  overwrite_file(json, R"({"http_query": [
    {"ip": "127.0.0.1", "status_code": 302, "url": "http://www.httpallok.com/"},
    {"ip": "127.0.0.2", "status_code": 302, "url": "http://www.httpallok.com/"},
    {"ip": "127.0.0.1", "status_code": 200, "url": "http://www.httpheader.com/",
     "http_header_dict": {"Vary": "Accept-Encoding", "Cache-Control": "max-age=300, public"}},
    {"ip": "127.0.0.1", "status_code": 520, "url": "http://www.520.com/"},
    {"ip": "127.0.0.1", "status_code": 523, "url": "http://www.523.com/"},
    {"ip": "127.0.0.1", "status_code": 524, "url": "http://www.524.com/"},
    {"ip": "127.0.0.1", "status_code": 526, "url": "http://www.526.com/"}]})");
  const auto query = [&](const std::string& url, std::vector<std::string> args) {
    args.insert(args.end(), {"--enabled-sense-list", "http_query"});
    return http(url, args);
  };
  for (const auto& [code, why] :
       std::vector<std::pair<std::string, std::string>>{{"520", "Too many redirects"},
                                                        {"523", "Connection error"},
                                                        {"524", "Connection timeout"},
                                                        {"526", "SSL Error"}}) {
    expect(query("http://www." + code + ".com/", {"--status-code", "301"}), 2,
           "CRITICAL: http://www." + code + ".com/ : http_query: ERROR IP 127.0.0.1 status_code " +
               code + " (" + why + ") != 301");
  }
  expect(query("http://www.httpallok.com/", {"--status-code", "301"}), 2,
         "CRITICAL: http://www.httpallok.com/ : http_query: ERROR IP 127.0.0.1 status_code 302 "
         "!= 301 ERROR IP 127.0.0.2 status_code 302 != 301");
  // Unset, it is None in the plugin, which no entry equals.
  expect(query("http://www.httpallok.com/", {}), 2,
         "CRITICAL: http://www.httpallok.com/ : http_query: ERROR IP 127.0.0.1 status_code 302 "
         "!= None ERROR IP 127.0.0.2 status_code 302 != None");
  expect(query("http://www.httpheader.com/",
               {"--status-code", "200", "--http-header-dict",
                R"({"Vary": "Accept-Encoding", "Cache-Control": "max-age=300"})"}),
         2,
         "CRITICAL: http://www.httpheader.com/ : http_query: OK IP 127.0.0.1 status_code 200 "
         "ERROR IP 127.0.0.1 HTTP Header {\"Cache-Control\": \"max-age=300\", \"Vary\": "
         "\"Accept-Encoding\"} != {\"Cache-Control\": \"max-age=300, public\", \"Vary\": "
         "\"Accept-Encoding\"}");
  expect(query("http://www.httpheader.com/",
               {"--status-code", "200", "--http_header_dict",
                R"({"Vary": "Accept-Encoding", "Cache-Control": "max-age=300, public"})"}),
         0,
         "OK: http://www.httpheader.com/ : http_query: OK IP 127.0.0.1 status_code 200 OK IP "
         "127.0.0.1 HTTP Header {\"Cache-Control\": \"max-age=300, public\", \"Vary\": "
         "\"Accept-Encoding\"}");
  // Asked for headers where the entry has none: the plugin's KeyError, named.
  expect(query("http://www.httpallok.com/",
               {"--status-code", "302", "--http-header-dict", R"({"Vary": "x"})"}),
         3,
         "UNKNOWN: http://www.httpallok.com/ : ERROR http_query[0] in " + quoted +
             " has no 'http_header_dict'");
  expect(query("http://www.httpquerynodata.com/", {"--status-code", "302"}), 2,
         "CRITICAL: http://www.httpquerynodata.com/ : http_query: ERROR No data whois: ERROR "
         "'whois' not in " +
             quoted + " dns_query: ERROR 'dns_query' not in " + quoted +
             " tcp_server: ERROR 'tcp_server' not in " + quoted);
  overwrite_file(json, "{}");
  expect(query("http://www.httpquerynopresent.com/", {"--status-code", "302"}), 2,
         "CRITICAL: http://www.httpquerynopresent.com/ : http_query: ERROR 'http_query' not in " +
             quoted);
}

TEST_F(Surykatka, SslCertificate) {
  overwrite_file(json, R"({"ssl_certificate": [
    {"hostname": "www.cert3.com", "ip": "127.0.0.1", "not_after": ")" +
                           date_from_now(3 * kDay) + R"("},
    {"hostname": "www.cert14.com", "ip": "127.0.0.1", "not_after": ")" +
                           date_from_now(14 * kDay) + R"("},
    {"hostname": "www.certminus14.com", "ip": "127.0.0.1", "not_after": ")" +
                           date_from_now(-14 * kDay) + R"("},
    {"hostname": "www.sslcertnoinfo.com", "ip": "127.0.0.1", "not_after": null},
    {"hostname": "www.sslcertnoinfo.com", "ip": "127.0.0.0", "not_after": "garbage"},
    {"hostname": "www.cert3.com:8443", "ip": "127.0.0.1", "not_after": ")" +
                           date_from_now(60 * kDay) + R"("}]})");
  const auto ssl = [&](const std::string& url, std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--enabled-sense-list", "ssl_certificate"});
    return http(url, args);
  };
  expect(ssl("https://www.cert3.com/", {"--certificate-expiration-days", "2"}), 0,
         "OK: https://www.cert3.com/ : ssl_certificate: OK IP 127.0.0.1 expires in > 2 days");
  expect(ssl("https://www.cert3.com/", {"--certificate_expiration_days", "4"}), 2,
         "CRITICAL: https://www.cert3.com/ : ssl_certificate: ERROR IP 127.0.0.1 expires in < 4 "
         "days");
  expect(ssl("https://www.cert14.com/"), 2,
         "CRITICAL: https://www.cert14.com/ : ssl_certificate: ERROR IP 127.0.0.1 expires in < "
         "15 days");
  expect(ssl("https://www.certminus14.com/"), 2,
         "CRITICAL: https://www.certminus14.com/ : ssl_certificate: ERROR IP 127.0.0.1 expires "
         "in < 15 days");
  expect(ssl("https://www.sslcertnoinfo.com/"), 2,
         "CRITICAL: https://www.sslcertnoinfo.com/ : ssl_certificate: ERROR IP 127.0.0.0 no "
         "information ERROR IP 127.0.0.1 no information");
  // The host is the netloc, port included, as in the plugin.
  expect(ssl("https://www.cert3.com:8443/"), 0,
         "OK: https://www.cert3.com:8443/ : ssl_certificate: OK IP 127.0.0.1 expires in > 15 "
         "days");
  expect(ssl("https://www.sslcertnoentry.com/"), 2,
         "CRITICAL: https://www.sslcertnoentry.com/ : ssl_certificate: ERROR No data whois: "
         "ERROR 'whois' not in " +
             quoted + " dns_query: ERROR 'dns_query' not in " + quoted +
             " tcp_server: ERROR 'tcp_server' not in " + quoted +
             " http_query: ERROR 'http_query' not in " + quoted);
  expect(ssl("http://www.cert3.com/"), 0,
         "OK: http://www.cert3.com/ : ssl_certificate: OK No check needed");
  overwrite_file(json, R"({"http_query": []})");
  expect(ssl("https://www.nosslcertificate.com/"), 2,
         "CRITICAL: https://www.nosslcertificate.com/ : ssl_certificate: ERROR 'ssl_certificate' "
         "not in " +
             quoted);
}

TEST_F(Surykatka, ElapsedTime) {
  overwrite_file(json, R"({"http_query": [
    {"ip": "127.0.0.1", "status_code": 200, "url": "https://www.elapsedtoolong.com/", "total_seconds": 6},
    {"ip": "127.0.0.2", "status_code": 200, "url": "https://www.elapsedtoolong.com/", "total_seconds": 0.0},
    {"ip": "127.0.0.3", "status_code": 200, "url": "https://www.elapsedtoolong.com/", "total_seconds": 1.5},
    {"ip": "127.0.0.1", "status_code": 200, "url": "https://www.elapsednototal.com/"}]})");
  const auto elapsed = [&](const std::string& url, std::vector<std::string> args) {
    args.insert(args.end(), {"--enabled-sense-list", "elapsed_time"});
    return http(url, args);
  };
  expect(elapsed("https://www.elapsedtoolong.com/", {"--maximum-elapsed-time", "5"}), 2,
         "CRITICAL: https://www.elapsedtoolong.com/ : elapsed_time: ERROR IP 127.0.0.1 replied > "
         "5.00s ERROR IP 127.0.0.2 failed to reply OK IP 127.0.0.3 replied < 5.00s");
  expect(elapsed("https://www.elapsedtoolong.com/", {"--maximum-elapsed-time", " 6.5 "}), 2,
         "CRITICAL: https://www.elapsedtoolong.com/ : elapsed_time: OK IP 127.0.0.1 replied < "
         "6.50s ERROR IP 127.0.0.2 failed to reply OK IP 127.0.0.3 replied < 6.50s");
  expect(elapsed("https://www.elapsednototal.com/", {"--maximum-elapsed-time", "5"}), 2,
         "CRITICAL: https://www.elapsednototal.com/ : elapsed_time: ERROR No entry with "
         "total_seconds found. If the error persist, please update surykatka");
  expect(elapsed("https://www.elapsednototal.com/", {}), 0,
         "OK: https://www.elapsednototal.com/ : elapsed_time: OK No check configured");
  // Entries are sorted by 'ip' only when compared, as in the plugin: without a maximum, an
  // entry without one is no error.
  overwrite_file(json, R"({"http_query": [{"status_code": 200, "url": "https://www.noip.com/"}]})");
  expect(elapsed("https://www.noip.com/", {}), 0,
         "OK: https://www.noip.com/ : elapsed_time: OK No check configured");
  expect(elapsed("https://www.noip.com/", {"--maximum-elapsed-time", "5"}), 3,
         "UNKNOWN: https://www.noip.com/ : ERROR http_query[0] in " + quoted + " has no 'ip'");
}

TEST_F(Surykatka, BrokenReportsAreUnknownInOneLine) {
  const std::string url = "https://a.example/";
  const auto run_it = [&] { return http(url, {"--status-code", "200"}); };
  expect(run_it(), 3, "UNKNOWN: https://a.example/ : ERROR File " + quoted + " does not exists");
  overwrite_file(json, "");
  expect(
      run_it(), 3,
      "UNKNOWN: https://a.example/ : ERROR loading JSON from " + quoted + ": no JSON value in it");
  overwrite_file(json, R"({"http_query": [{"url": "https://a.example/", "ip": "192.0)");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR loading JSON from " + quoted +
             ": a string is not valid JSON");
  overwrite_file(json, R"({"http_query": [{"url": "https://a.example/"}])");
  expect_line(
      run_it(), 3,
      "UNKNOWN: https://a.example/ : ERROR loading JSON from " + quoted + ": it is not valid JSON");
  overwrite_file(json, "{\"whois\": [{\"domain\": \"caf\xe9.example\"}]}");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR loading JSON from " + quoted + ": it is not UTF-8");
  overwrite_file(json, "{\"x\": " + std::string(5000, '[') + std::string(5000, ']') + "}");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR loading JSON from " + quoted +
             ": it nests deeper than 1024 levels");
  overwrite_file(json, R"([{"http_query": []}])");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR loading JSON from " + quoted +
             ": the report is a list, not an object");
  overwrite_file(json, R"({"http_query": {"url": "https://a.example/"}})");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR loading JSON from " + quoted +
             ": 'http_query' is an object, not a list");
  // An entry without a key the plugin reads (its KeyError), or with another type.
  overwrite_file(json, R"({"http_query": [{"url": "https://a.example/", "status_code": 200}]})");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR http_query[0] in " + quoted + " has no 'ip'");
  overwrite_file(json, R"({"http_query": [{"url": "x"}, {"ip": "192.0.2.1"}]})");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR http_query[1] in " + quoted + " has no 'url'");
  overwrite_file(json,
                 R"({"http_query": [{"url": "https://a.example/", "ip": 7, "status_code": 200}]})");
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR http_query[0] in " + quoted +
             ": 'ip' is a number, not a string");
  // A directory, a FIFO without a writer (must not hang), a file over 32 MiB (sparse).
  fs::remove(json);
  fs::create_directory(json);
  expect(run_it(), 3,
         "UNKNOWN: https://a.example/ : ERROR cannot read " + quoted + ": it is a directory");
  fs::remove(json);
  ASSERT_EQ(mkfifo(json.c_str(), 0600), 0);
  expect(
      run_it(), 3,
      "UNKNOWN: https://a.example/ : ERROR cannot read " + quoted + ": it is not a regular file");
  fs::remove(json);
  overwrite_file(json, "{}");
  fs::resize_file(json, 40u << 20);
  expect(
      run_it(), 3,
      "UNKNOWN: https://a.example/ : ERROR cannot read " + quoted + ": it is larger than 32 MiB");
}

TEST_F(Surykatka, AHugeValidReportIsRead) {
  // Over 10 MiB: 50,000 entries of other URLs around the one checked. A generous deadline: the
  // sanitizer build on a busy machine reads it in seconds.
  std::string report = R"({"http_query": [)";
  for (int i = 0; i < 50000; ++i) {
    report +=
        R"({"url": "https://site)" + std::to_string(i) +
        R"(.example/", "ip": "192.0.2.1", "status_code": 200, "total_seconds": 0.1, )"
        R"("http_header_dict": {"Server": "nginx", "Content-Type": "text/html; charset=utf-8",)"
        R"( "Strict-Transport-Security": "max-age=31536000"}, "padding": ")" +
        std::string(40, 'x') + "\"},";
  }
  report += R"({"url": "https://a.example/", "ip": "192.0.2.9", "status_code": 200}]})";
  overwrite_file(json, report);
  ASSERT_GT(fs::file_size(json), 10u << 20);
  expect(http("https://a.example/",
              {"--status-code", "200", "--enabled-sense-list", "http_query", "--timeout", "60"}),
         0, "OK: https://a.example/ : http_query: OK IP 192.0.2.9 status_code 200");
}

class SurykatkaBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(SurykatkaBadInput, IsUnknownWithAOneLineReasonAndInstallsNothing) {
  expect_bad_input_refused(kSurykatka, GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Surykatka, SurykatkaBadInput,
    ::testing::Values(
        BadInput{"UnknownReport",
                 {"--json-file", "/x", "--report", "dns"},
                 "Report 'dns' is not supported"},
        BadInput{"NoReport", {"--json-file", "/x"}, "--report is required"},
        BadInput{"NoJsonFile", {"--report", "bot_status"}, "--json-file is required"},
        BadInput{"HeaderDictNotJson",
                 {"--json-file", "/x", "--report", "http_query", "--http-header-dict", "{'a': 1}"},
                 "not JSON"},
        BadInput{"HeaderDictNotAnObject",
                 {"--json-file", "/x", "--report", "http_query", "--http-header-dict", "[1]"},
                 "not a JSON object"},
        BadInput{
            "CertificateDays",
            {"--json-file", "/x", "--report", "http_query", "--certificate-expiration-days", "1e3"},
            "certificate-expiration-days '1e3' is incorrect"},
        BadInput{"DomainDays",
                 {"--json-file", "/x", "--report", "http_query", "--domain-expiration-days", ""},
                 "domain-expiration-days '' is incorrect"},
        BadInput{"ElapsedTime",
                 {"--json-file", "/x", "--report", "http_query", "--maximum-elapsed-time", "2s"},
                 "could not convert string to float: '2s'"},
        BadInput{"UrlPort",
                 {"--json-file", "/x", "--report", "http_query", "--url", "https://a:99999/"},
                 "Port out of range 0-65535"},
        BadInput{"UrlPortNotANumber",
                 {"--json-file", "/x", "--report", "http_query", "--url", "https://a:x/"},
                 "Port could not be cast to integer value as 'x'"},
        BadInput{"FailureAmount",
                 {"--json-file", "/x", "--report", "bot_status", "--failure-amount", "two"},
                 "--failure-amount"}),
    bad_input_name);

class SurykatkaInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(SurykatkaInstall, InstalledPromiseRunsLikeSlapgridAndToleratesFailureAmountMinusOne) {
  Partition partition;
  fs::create_directories(partition.dir / "srv/monitor");
  const std::string report = partition.dir / "srv/monitor/surykatka.json";
  overwrite_file(report,
                 R"({"bot_status": [{"text": "loop", "date": ")" + date_from_now(-60) + R"("}]})");
  // The edgetest profile's rule: failure-amount 2, so two failing runs in a row.
  ASSERT_EQ(partition
                .install(kSurykatka, "surykatka-bot", GetParam(),
                         {"--json-file", "srv/monitor/surykatka.json", "--report", "bot_status",
                          "--failure-amount", "2"})
                .exit_code,
            0);
  const ProcessResult holds = partition.run_like_slapgrid("surykatka-bot");
  EXPECT_EQ(holds.exit_code, 0) << holds.output;
  EXPECT_EQ(holds.output, "OK: bot_status: OK Last bot status\n");
  overwrite_file(report,
                 R"({"bot_status": [{"text": "stop", "date": ")" + date_from_now(-60) + R"("}]})");
  const ProcessResult first = partition.run_like_slapgrid("surykatka-bot");
  EXPECT_EQ(first.exit_code, 0) << first.output;
  expect_status_line(first,
                     "CRITICAL: bot_status: ERROR bot_status is 'stop' instead of 'loop' "
                     "in 'srv/monitor/surykatka.json' (tolerated");
  const ProcessResult second = partition.run_like_slapgrid("surykatka-bot");
  EXPECT_EQ(second.exit_code, 2) << second.output;
  expect_status_line(second,
                     "CRITICAL: bot_status: ERROR bot_status is 'stop' instead of "
                     "'loop' in 'srv/monitor/surykatka.json' (2 of the last 2 runs failed");
}

INSTANTIATE_TEST_SUITE_P(Modes, SurykatkaInstall, ::testing::Values("script", "copy"));

}  // namespace
}  // namespace promise::test
