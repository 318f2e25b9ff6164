// check_page_content: does the page at a URL contain the expected text?
// Options of the cookbook recipe (url, match: default the URL itself), plus --regex and the
// HTTP options of check_url_available.
#include "promise/http_probe.hpp"
#include "promise/main.hpp"
#include "promise/regex.hpp"
#include "promise/text.hpp"

namespace {

struct Options {
  promise::HttpOptions http;
  std::string match;
  std::string regex;
};

void declare(CLI::App& app, Options& options) {
  app.footer(
      "SlapOS rule: the cookbook recipe check_page_content writes a legacy promise, held to "
      "slapgrid's rule (fail on the last run at deployment, after 3 failed runs in a row in steady "
      "state, every 2 min): no --frequency, --result-count or --failure-amount needed.");
  promise::declare_http_options(app, options.http);
  auto* match =
      app.add_option("--match", options.match,
                     "Text the body must contain (default: the URL itself, as the recipe)");
  auto* regex = app.add_option("--regex", options.regex,
                               "RE2 regular expression the body must contain a match of (Perl "
                               "syntax without backreferences or lookaround; '.' does not match "
                               "a newline unless (?s)); time linear in the body")
                    ->check(promise::regular_expression());
  match->excludes(regex);
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const auto result = promise::http_request(options.http, true, context);
  const std::string url = promise::displayable_url(options.http.url);
  promise::Outcome outcome;
  const bool use_regex = !options.regex.empty();
  const std::string wanted = use_regex               ? options.regex
                             : options.match.empty() ? options.http.url
                                                     : options.match;
  const std::string what = use_regex ? "matches /" + promise::untrusted(wanted, 100) + "/"
                                     : "contains '" + promise::untrusted(wanted, 100) + "'";
  const std::string read = std::to_string(result.body.size()) + " bytes" +
                           (result.body_cut ? " (the first --max-body bytes)" : "");
  auto found = [&] {
    if (!use_regex) return result.body.find(wanted) != std::string::npos;
    context.phase("matching the regular expression");  // what the deadline message names
    return promise::regex_search(wanted, result.body);
  };
  if (!result.responded) {
    outcome = promise::Outcome::critical(url + " " + promise::failure_text(result, context));
  } else if (result.status >= 400) {
    outcome = promise::Outcome::critical(url + " returned " + std::to_string(result.status) +
                                         ", its content was not checked");
  } else if (found()) {
    outcome = promise::Outcome::ok(url + " " + what + " (" + read + " in " +
                                   promise::human_seconds(result.total_time) + ")");
  } else {
    outcome = promise::Outcome::critical(
        "content at " + url + " seems to be corrupted: no " + (use_regex ? "match for /" : "'") +
        promise::untrusted(wanted, 100) + (use_regex ? "/" : "'") + " in " + read);
  }
  promise::add_http_metrics(outcome, result);
  promise::judge_certificate(outcome, options.http, result);  // gives the metric its thresholds
  return outcome;
}

}  // namespace

PROMISE_MAIN("check_page_content", "Check that the page at an HTTP(S) URL contains a text", declare,
             check)
