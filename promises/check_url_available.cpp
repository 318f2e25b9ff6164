// check_url_available: does an HTTP(S) URL answer with an expected status?
// Options of both SlapOS predecessors: the toolbox plugin (url, http-code, ignore-code,
// allow-redirects, verify, ca-cert-file, cert-file, key-file, username, password) and the
// cookbook recipe (http_code, check-secure, timeout-file).
#include "promise/http_probe.hpp"
#include "promise/main.hpp"
#include "promise/options.hpp"

#include <algorithm>

namespace {

struct Options {
  promise::HttpOptions http;
  std::vector<int> http_codes{200};
  bool ignore_code = false;
  bool check_secure = false;
};

void declare(CLI::App& app, Options& options) {
  app.footer(
      "SlapOS plugin rule (toolbox check_url_available): frequency 2, fail on the last run at "
      "deployment, after 3 failed runs of 3 in steady state: slapgrid's legacy rule already, so no "
      "--frequency, --result-count or --failure-amount needed (the plugin's bang has no legacy "
      "equivalent).");
  promise::declare_http_options(app, options.http);
  // Each declaration costs a run ~13 k instructions: a run declares those it names.
  if (promise::option_named("--http-code,--http_code")) {
    app.add_option("--http-code,--http_code", options.http_codes,
                   "Expected HTTP status (repeatable: --http-code 200 --http-code 204)")
        ->check(CLI::Range(100, 599))
        ->capture_default_str();
  }
  if (promise::option_named("--ignore-code")) {
    app.add_flag("--ignore-code", options.ignore_code, "Any HTTP response counts as success");
  }
  if (promise::option_named("--check-secure")) {
    app.add_flag(
        "--check-secure", options.check_secure,
        "401 counts as success: the URL is protected, as the cookbook recipe's check-secure");
  }
}

std::string codes_text(const std::vector<int>& codes) {
  std::string text;
  for (int code : codes) text += (text.empty() ? "" : " or ") + std::to_string(code);
  return text;
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const auto result = promise::http_request(options.http, false, context);
  const std::string url = promise::displayable_url(options.http.url);
  const std::string took = promise::human_seconds(result.total_time);
  promise::Outcome outcome;
  const auto& codes = options.http_codes;
  if (!result.responded) {
    outcome = promise::Outcome::critical(url + " " + promise::failure_text(result, context));
  } else if (options.check_secure && result.status == 401) {
    outcome = promise::Outcome::ok(url + " is protected (returned 401) in " + took);
  } else if (options.ignore_code ||
             std::find(codes.begin(), codes.end(), result.status) != codes.end()) {
    const std::string redirected =
        result.redirects > 0 ? " after " + std::to_string(result.redirects) + " redirect(s)" : "";
    outcome = promise::Outcome::ok(url + " returned " + std::to_string(result.status) + redirected +
                                   " in " + took);
  } else {
    outcome = promise::Outcome::critical(url + " returned " + std::to_string(result.status) +
                                         ", expected " + codes_text(codes) + " (" + took + ")");
  }
  promise::add_http_metrics(outcome, result);
  promise::judge_certificate(outcome, options.http, result);  // gives the metric its thresholds
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_url_available", "Check that an HTTP(S) URL answers with an expected status",
             declare, check)
