// check_surykatka_json: what surykatka (the monitor's HTTP/DNS/TCP/TLS/whois prober) last saw
// of a URL, or of itself, read from its JSON report. Options, sub-checks and messages as the
// SlapOS toolbox plugin of the same name (promise/surykatka_checks.hpp): one line of words,
// "<url> : <check>: OK|ERROR <text> ...", CRITICAL when any sub-check has an ERROR.
#include <time.h>

#include "promise/main.hpp"
#include "promise/python_str.hpp"
#include "promise/surykatka_checks.hpp"
#include "promise/surykatka_report.hpp"
#include "promise/text.hpp"

namespace {

namespace sk = promise::surykatka;

struct Options {
  std::string json_file;
  sk::Settings settings;
};

CLI::Validator check_value(std::function<std::string(const std::string&)> why, const char* name) {
  return CLI::Validator([why = std::move(why)](std::string& value) { return why(value); }, name);
}

// A text option whose presence counts: the plugin tells an empty value from none.
CLI::Option* given_text(CLI::App& app, const char* names, std::string& value, bool& given,
                        const char* help) {
  return app.add_option_function<std::string>(
      names,
      [&value, &given](const std::string& text) {
        value = text;
        given = true;
      },
      help);
}

void declare(CLI::App& app, Options& options) {
  app.add_option("--json-file,--json_file", options.json_file,
                 "surykatka's JSON report (written by `surykatka --run status --output json`)")
      ->required();
  app.add_option("--report", options.settings.report,
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
  given_text(app, "--url", options.settings.url, options.settings.has_url,
             "The URL surykatka probes (http_query): the key of its entries, the host for "
             "whois, DNS, TCP and the certificate")
      ->check(check_value(
          [](const std::string& value) {
            const sk::UrlParts parts = sk::split_url(value);
            return parts.port_error.empty() ? std::string() : "bad URL port: " + parts.port_error;
          },
          "URL"));
  given_text(
      app, "--status-code,--status_code", options.settings.status_code,
      options.settings.has_status_code,
      "Expected HTTP status, compared as text with each entry's (unset: every entry fails, as "
      "in the plugin)");
  app.add_option("--http-header-dict,--http_header_dict", options.settings.http_header_dict,
                 "JSON object the entries' headers must equal (default {}: not checked)")
      ->check(check_value(
          [](const std::string& value) {
            std::string error;
            const auto dumped = sk::python_json_dumps(value, &error);
            if (!dumped) return "not JSON: " + error;
            return dumped->front() == '{' ? std::string() : std::string("not a JSON object");
          },
          "JSON"));
  app.add_option("--ip-list,--ip_list", options.settings.ip_list,
                 "Expected IP addresses, separated by white space (DNS replies, open TCP ports); "
                 "empty: those two checks are not configured");
  const auto days = [](const char* name) {
    return check_value(
        [name](const std::string& value) {
          return promise::python_int(value)
                     ? std::string()
                     : std::string(name) + " " + promise::python_repr(value) + " is incorrect";
        },
        "DAYS");
  };
  app.add_option("--certificate-expiration-days,--certificate_expiration_days",
                 options.settings.certificate_expiration_days,
                 "The certificate must outlive this many days (default 15)")
      ->check(days("certificate-expiration-days"));
  app.add_option("--domain-expiration-days,--domain_expiration_days",
                 options.settings.domain_expiration_days,
                 "The domain (whois) must outlive this many days (default 30)")
      ->check(days("domain-expiration-days"));
  app.add_option("--maximum-elapsed-time,--maximum_elapsed_time",
                 options.settings.maximum_elapsed_time,
                 "Seconds each reply may take (empty: not checked)")
      ->check(check_value(
          [](const std::string& value) {
            return value.empty() || promise::python_float(value)
                       ? std::string()
                       : "could not convert string to float: " + promise::python_repr(value);
          },
          "SECONDS"));
  app.add_option("--enabled-sense-list,--enabled_sense_list", options.settings.enabled_sense_list,
                 std::string("Sub-checks of http_query, separated by white space (default: ") +
                     sk::kAllSenses + "); unknown names are ignored");
  app.footer(
      "SlapOS plugin rule: testless (never checked at deployment), anomaly failure-amount of "
      "failure-amount (default 1; the edgetest profile sets 2), no bang, every 2 minutes. As an "
      "etc/promise/ executable slapgrid also runs it at deployment and reports an anomaly after "
      "3 of 3; --failure-amount N alone stands for N of N.");
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  context.phase("reading the surykatka report");
  const sk::ReadResult read = sk::read_report(options.json_file);
  context.phase("checking the surykatka report");
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  const sk::Verdict verdict =
      sk::judge(options.settings, read, options.json_file,
                static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9);
  switch (verdict.state) {
    case sk::Verdict::State::ok:
      return promise::Outcome::ok(verdict.message);
    case sk::Verdict::State::critical:
      return promise::Outcome::critical(verdict.message);
    case sk::Verdict::State::unknown:
      break;
  }
  return promise::Outcome::unknown(verdict.message);
}

}  // namespace

PROMISE_MAIN("check_surykatka_json", "Check what surykatka last saw of a URL, or of itself",
             declare, check)
