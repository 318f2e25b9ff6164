// promise_json: surykatka's report reader on well-formed and hostile text, the Python-style
// JSON dump of header dicts, and RFC 2822 dates as Python's email.utils reads them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "process.hpp"
#include "promise/email_date.hpp"
#include "promise/surykatka_report.hpp"

namespace promise::surykatka {
namespace {

using Status = ReadResult::Status;

ReadResult parse(std::string_view json) {
  return parse_report(json);
}

void expect_invalid(std::string_view json, const std::string& why) {
  const ReadResult result = parse(json);
  EXPECT_EQ(result.status, Status::invalid) << json;
  EXPECT_NE(result.error.find(why), std::string::npos) << result.error;
}

TEST(SurykatkaReport, ReadsEverySectionAndIgnoresOtherKeysAndFields) {
  const ReadResult result = parse(R"({
    "bot_status": [{"text": "loop", "date": "Wed, 02 Dec 2026 00:17:41 -0000"}],
    "http_query": [{"url": "https://a.example/", "ip": "192.0.2.1", "status_code": 302,
                    "http_header_dict": {"Vary": "Accept", "Cache-Control": "no-cache"},
                    "total_seconds": 0.25, "date": "ignored"}],
    "dns_query": [{"domain": "a.example", "rdtype": "A", "resolver_ip": "192.0.2.53",
                   "response": "192.0.2.1, 192.0.2.2"}],
    "tcp_server": [{"domain": "a.example, b.example", "port": 443, "ip": "2001:db8::1",
                    "state": "open"}],
    "ssl_certificate": [{"hostname": "a.example", "ip": "192.0.2.1", "not_after": null}],
    "whois": [{"domain": "example", "expiration_date": "Thu, 01 Jan 2099 00:00:00 GMT"}],
    "dns_server": [{"ip": "192.0.2.53", "state": "open"}],
    "something_new": {"x": [1, 2, {"y": null}]}})");
  ASSERT_EQ(result.status, Status::ok) << result.error;
  const Report& report = result.report;
  ASSERT_TRUE(report.bot_status && report.http_query && report.dns_query && report.tcp_server &&
              report.ssl_certificate && report.whois);
  EXPECT_EQ(report.bot_status->at(0).text.value, "loop");
  const HttpQuery& http = report.http_query->at(0);
  EXPECT_EQ(http.url.value, "https://a.example/");
  EXPECT_EQ(http.status_code.value, "302");
  EXPECT_EQ(http.http_header_dict.value, R"({"Cache-Control": "no-cache", "Vary": "Accept"})");
  EXPECT_DOUBLE_EQ(http.total_seconds.value, 0.25);
  EXPECT_EQ(report.dns_query->at(0).response.value, "192.0.2.1, 192.0.2.2");
  EXPECT_DOUBLE_EQ(report.tcp_server->at(0).port.value, 443);
  EXPECT_EQ(report.ssl_certificate->at(0).not_after.kind, Field<std::string>::Kind::null);
  EXPECT_EQ(report.whois->at(0).domain.value, "example");
}

TEST(SurykatkaReport, AbsentSectionsAndFieldsStayAbsent) {
  const ReadResult result = parse(R"({"http_query": [{"url": "u"}], "bot_status": []})");
  ASSERT_EQ(result.status, Status::ok) << result.error;
  EXPECT_FALSE(result.report.whois.has_value());
  EXPECT_TRUE(result.report.bot_status->empty());
  const HttpQuery& http = result.report.http_query->at(0);
  EXPECT_EQ(http.ip.kind, Field<std::string>::Kind::absent);
  EXPECT_EQ(http.total_seconds.kind, Field<double>::Kind::absent);
}

TEST(SurykatkaReport, FieldsOfAnotherTypeAreKeptAsWrongTypeForTheCheckToJudge) {
  const ReadResult result = parse(R"({"http_query": [{"url": 5, "ip": ["x"], "status_code": 2.5,
      "total_seconds": "fast"}], "tcp_server": [{"port": "443", "state": true}]})");
  ASSERT_EQ(result.status, Status::ok) << result.error;
  const HttpQuery& http = result.report.http_query->at(0);
  EXPECT_EQ(http.url.kind, Field<std::string>::Kind::wrong_type);
  EXPECT_EQ(http.url.found, "a number");
  EXPECT_EQ(http.ip.found, "a list");
  EXPECT_EQ(http.status_code.found, "a number that is not an integer");
  EXPECT_EQ(http.total_seconds.found, "a string");
  EXPECT_EQ(result.report.tcp_server->at(0).port.found, "a string");
  EXPECT_EQ(result.report.tcp_server->at(0).state.found, "true or false");
}

TEST(SurykatkaReport, StatusCodeIsPythonsStrOfIt) {
  const ReadResult result = parse(R"({"http_query": [{"status_code": "302"},
      {"status_code": 18446744073709551615}, {"status_code": -9223372036854775808}]})");
  ASSERT_EQ(result.status, Status::ok) << result.error;
  EXPECT_EQ(result.report.http_query->at(0).status_code.value, "302");
  EXPECT_EQ(result.report.http_query->at(1).status_code.value, "18446744073709551615");
  EXPECT_EQ(result.report.http_query->at(2).status_code.value, "-9223372036854775808");
}

TEST(SurykatkaReport, DuplicateKeysKeepTheLastAsPythonDoes) {
  const ReadResult result = parse(R"({"whois": [{"domain": "a", "domain": "b"}],
      "whois": [{"domain": "c"}]})");
  ASSERT_EQ(result.status, Status::ok) << result.error;
  ASSERT_EQ(result.report.whois->size(), 1u);
  EXPECT_EQ(result.report.whois->at(0).domain.value, "c");
}

TEST(SurykatkaReport, BrokenJsonIsInvalid) {
  expect_invalid("", "no JSON value");
  expect_invalid("   \n", "no JSON value");
  expect_invalid(R"({"http_query": [{"url": "https://a.example/", "ip": "192.0)", "string");
  expect_invalid(R"({"http_query": [{"url": "https://a.example/"})", "not valid JSON");
  expect_invalid(R"({"http_query": []} trailing)", "not valid JSON");
  expect_invalid(R"({"http_query": [],})", "not valid JSON");
  expect_invalid(R"({'http_query': []})", "not valid JSON");
  expect_invalid(R"({"bot_status": [{"text": tru}]})", "misspelt");
  expect_invalid(R"({"http_query": [{"total_seconds": NaN}]})", "not valid JSON");
  expect_invalid(std::string("{\"a\": \"x\0y\"}", 12), "string");
}

TEST(SurykatkaReport, NumbersBeyondSixtyFourBitsOrADoubleAreInvalid) {
  expect_invalid(R"({"http_query": [{"status_code": 123456789012345678901234567890}]})", "number");
  expect_invalid(R"({"http_query": [{"total_seconds": 1e400}]})", "number");
  expect_invalid(R"({"ignored": -99999999999999999999})", "number");
  expect_invalid(R"({"http_query": [{"total_seconds": 01}]})", "number");
}

TEST(SurykatkaReport, TextThatIsNotUtf8IsInvalid) {
  expect_invalid("{\"whois\": [{\"domain\": \"caf\xe9\"}]}", "not UTF-8");
  expect_invalid("{\"whois\": [{\"domain\": \"\xed\xa0\x80\"}]}", "not UTF-8");  // a surrogate
  expect_invalid("\xef\xbb\xbf{}", "not valid JSON");  // a BOM, refused by json.loads too
}

TEST(SurykatkaReport, DeepNestingIsInvalidNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expect_invalid("{\"ignored\": " + deep + "}", "deeper than 1024");
  expect_invalid(std::string(2000, '{'), "");
  // Within the parser's limit but deeper than a header dict may be dumped: kept as wrong type.
  const std::string nested = std::string(100, '[') + std::string(100, ']');
  const ReadResult result = parse("{\"http_query\": [{\"http_header_dict\": " + nested + "}]}");
  ASSERT_EQ(result.status, Status::ok) << result.error;
  EXPECT_EQ(result.report.http_query->at(0).http_header_dict.kind,
            Field<std::string>::Kind::wrong_type);
}

TEST(SurykatkaReport, ShapesOtherThanAnObjectOfListsOfObjectsAreInvalid) {
  expect_invalid("[]", "the report is a list, not an object");
  expect_invalid("\"bot_status\"", "the report is a string, not an object");
  expect_invalid("null", "the report is null");
  expect_invalid(R"({"http_query": {"url": "x"}})", "'http_query' is an object, not a list");
  expect_invalid(R"({"bot_status": "loop"})", "'bot_status' is a string, not a list");
  expect_invalid(R"({"whois": [{"domain": "a"}, 7]})", "whois[1] is a number, not an object");
}

TEST(SurykatkaReport, PythonJsonDumpsSortsKeysAndEscapesAsPython) {
  EXPECT_EQ(python_json_dumps(R"({"b": 1, "a": [true, false, null, "x"], "c": {}})"),
            R"({"a": [true, false, null, "x"], "b": 1, "c": {}})");
  EXPECT_EQ(python_json_dumps(R"({"k": "\u00e9\ud83d\ude00\"\\\n\t\u0001\u007f/"})"),
            R"({"k": "\u00e9\ud83d\ude00\"\\\n\t\u0001\u007f/"})");
  EXPECT_EQ(python_json_dumps("{\"k\": \"caf\xc3\xa9\"}"), R"({"k": "caf\u00e9"})");
  EXPECT_EQ(python_json_dumps(R"([1.0, 0.5, 1e16, 1.5e-5, -0.0, 100, -0, 1E2])"),
            "[1.0, 0.5, 1e+16, 1.5e-05, -0.0, 100, 0, 100.0]");
  EXPECT_EQ(python_json_dumps(R"({"a": 1, "a": 2})"), R"({"a": 2})");
  std::string error;
  EXPECT_FALSE(python_json_dumps("{", &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(python_json_dumps(std::string(65, '[') + std::string(65, ']'), &error));
  EXPECT_EQ(error, "it nests deeper than 64 levels");
}

TEST(SurykatkaReport, PythonFloatRepr) {
  EXPECT_EQ(python_float_repr(302), "302.0");
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(-2.5e-300), "-2.5e-300");
  EXPECT_EQ(python_float_repr(1.7976931348623157e308), "1.7976931348623157e+308");
}

TEST(SurykatkaReport, ReadReportRefusesWhatIsNotARegularFileOfAtMost32MiB) {
  test::TempDir dir;
  EXPECT_EQ(read_report(dir / "missing.json").status, Status::absent);
  EXPECT_EQ(read_report(dir / "missing/under.json").status, Status::absent);
  const ReadResult directory = read_report(dir.path());
  EXPECT_EQ(directory.status, Status::unreadable);
  EXPECT_EQ(directory.error, "it is a directory");
  const std::string fifo = dir / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const ReadResult pipe = read_report(fifo);  // no writer: must not block
  EXPECT_EQ(pipe.status, Status::unreadable);
  EXPECT_EQ(pipe.error, "it is not a regular file");
  const std::string huge = dir / "huge.json";
  {
    std::ofstream out(huge);
    out << "{\"ignored\": \"";
    out << std::string(kMaxReportBytes, 'x') << "\"}";
  }
  const ReadResult big = read_report(huge);
  EXPECT_EQ(big.status, Status::unreadable);
  EXPECT_EQ(big.error, "it is larger than 32 MiB");
  const std::string good = dir / "good.json";
  std::ofstream(good) << R"({"bot_status": [{"text": "loop"}]})";
  const ReadResult read = read_report(good);
  ASSERT_EQ(read.status, Status::ok) << read.error;
  EXPECT_EQ(read.report.bot_status->at(0).text.value, "loop");
}

}  // namespace
}  // namespace promise::surykatka

namespace promise {
namespace {

std::int64_t unix_of(std::string_view text) {
  const auto date = parse_email_date(text);
  EXPECT_TRUE(date.has_value()) << text;
  return date ? email_date_to_unix(*date) : -1;
}

TEST(EmailDate, ReadsWhatSurykatkaAndPythonWrite) {
  // email.utils.formatdate(1796170661): Wed, 02 Dec 2026 00:17:41 -0000
  EXPECT_EQ(unix_of("Wed, 02 Dec 2026 00:17:41 -0000"), 1796170661);
  EXPECT_EQ(unix_of("Wed, 02 Dec 2026 00:17:41 GMT"), 1796170661);
  EXPECT_EQ(unix_of("Wed, 02 Dec 2026 01:17:41 +0100"), 1796170661);
  EXPECT_EQ(unix_of("Tue, 01 Dec 2026 19:17:41 EST"), 1796170661);
  EXPECT_EQ(unix_of("02 Dec 2026 00:17:41"), 1796170661);           // no day name, no zone
  EXPECT_EQ(unix_of("Wed,02 December 2026 00:17:41"), 1796170661);  // full month name
  EXPECT_EQ(unix_of("Dec 02 2026 00:17:41 +0000"), 1796170661);     // month first
  EXPECT_EQ(unix_of("wed, 2 dec 26 00:17:41 z"), 1796170661);       // two-digit year, any case
  EXPECT_EQ(unix_of("Wed, 02 Dec 2026 00.17.41"), 1796170661);      // dots
  EXPECT_EQ(unix_of("Wed, 02 Dec 2026 00:17 +0000"), 1796170620);
  EXPECT_EQ(unix_of("02-Dec-2026 00:17:41 GMT"), 1796170661);  // RFC 850
  EXPECT_EQ(unix_of("Thu, 01 Jan 1970 00:00:00 +0000"), 0);
  EXPECT_EQ(unix_of("Thu, 01 Jan 70 00:00:00"), 0);
  EXPECT_EQ(unix_of("Sat, 29 Feb 2000 00:00:00"), 951782400);
  EXPECT_EQ(unix_of("Fri, 31 Dec 9999 23:59:59"), 253402300799);
  EXPECT_EQ(parse_email_date("Wed, 02 Dec 2026 00:17:41 -0000")->offset_seconds, std::nullopt);
  EXPECT_EQ(parse_email_date("Wed, 02 Dec 2026 00:17:41 +0000")->offset_seconds, 0);
}

TEST(EmailDate, RefusesWhatIsNotADate) {
  for (const char* text :
       {"", "   ", "yesterday", "Wed, 02 Dec", "Wed, 02 Foo 2026 00:17:41", "31 Feb 2026 00:00:00",
        "29 Feb 2100 00:00:00", "02 Dec 2026 24:00:00", "02 Dec 2026 00:60:00",
        "02 Dec 2026 00:17:62", "02 Dec 2026 0017", "02 Dec 10000 00:00:00", "0 Dec 2026 00:00:00",
        "x2 Dec 2026 00:00:00", "02 Dec 2026 00:17:41:00", "02 Dec 2026 1.2.3.4",
        "02 Dec 99999999999999999999 00:00:00", "02 Dec 2026 00:17:41 +99999999",
        "\xff\xfe Dec 2026 00:00:00"}) {
    EXPECT_FALSE(parse_email_date(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace promise
