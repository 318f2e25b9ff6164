#include <gtest/gtest.h>

#include "internal.hpp"

namespace promise {
namespace {

using detail::Format;
using detail::render;

TEST(StatusLine, TextStartsWithTheStateWord) {
  EXPECT_EQ(render(Outcome::ok("fine"), Format::text, 0), "OK: fine\n");
  EXPECT_EQ(render(Outcome::warning("hmm"), Format::text, 0), "WARNING: hmm\n");
  EXPECT_EQ(render(Outcome::critical("down"), Format::text, 0), "CRITICAL: down\n");
  EXPECT_EQ(render(Outcome::unknown("bad option"), Format::text, 0), "UNKNOWN: bad option\n");
}

TEST(StatusLine, ExitCodesFollowTheNagiosPluginApi) {
  EXPECT_EQ(exit_code(State::ok), 0);
  EXPECT_EQ(exit_code(State::warning), 1);
  EXPECT_EQ(exit_code(State::critical), 2);
  EXPECT_EQ(exit_code(State::unknown), 3);
}

TEST(StatusLine, IsOneLineOfAtMostAThousandBytes) {
  const std::string line =
      render(Outcome::critical(std::string(5000, 'y') + "\nsecond"), Format::text, 0);
  EXPECT_LE(line.size(), 1001u);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_NE(line.find("bytes cut)"), std::string::npos);
}

TEST(StatusLine, JsonCarriesStateMessageMetricsAndElapsed) {
  auto outcome = Outcome::ok("say \"hi\"\\");
  outcome.metric("connect_time", 0.00025, "s");
  EXPECT_EQ(render(outcome, Format::json, 0.5),
            "{\"state\":\"OK\",\"exit_code\":0,\"message\":\"say \\\"hi\\\"\\\\\","
            "\"metrics\":{\"connect_time\":{\"value\":0.00025,\"unit\":\"s\"}},\"elapsed\":0.5}\n");
}

TEST(StatusLine, JsonExitCodeIsTheRulesWhenARuleGivesOne) {
  // --result-count tolerating a failure: the state seen, and the exit code given.
  EXPECT_EQ(render(Outcome::critical("down"), Format::json, 0, 0),
            "{\"state\":\"CRITICAL\",\"exit_code\":0,\"message\":\"down\",\"metrics\":{},"
            "\"elapsed\":0}\n");
  EXPECT_EQ(render(Outcome::critical("down"), Format::text, 0, 0), "CRITICAL: down\n");
}

TEST(StatusLine, NagiosHasPerfdataAndNoFakeOnes) {
  auto outcome = Outcome::critical("a|b=1");
  outcome.metric("time", 1.5, "s").metric("bad label|x", 2);
  EXPECT_EQ(render(outcome, Format::nagios, 0), "CRITICAL - a/b=1 | time=1.5s bad_label_x=2\n");
}

TEST(StatusLine, NagiosPerfdataCarriesUnitsThresholdsAndBounds) {
  auto outcome = Outcome::ok("m");
  outcome.metric("free", 5e9, "B")
      .limits("", "@0:1000000000", "0", "8000000000")
      .metric("inodes_used_percent", 3.5, "%")
      .limits("", "@98:100", "0", "100")
      .metric("days", 4)
      .limits("30:", "0:")
      .metric("size", 7, "B")
      .limits("", "", "0")
      .metric("odd", 1)
      .limits("1;2", "|");  // not a range: left out, the syntax stays whole
  // No exponent in a value (5e9 is not a perfdata number), as few decimals as it needs.
  EXPECT_EQ(perfdata_number(0.0000012), "0.0000012");
  EXPECT_EQ(perfdata_number(-2.50), "-2.5");
  EXPECT_EQ(perfdata_number(288947961856.0), "288947961856");
  EXPECT_EQ(render(outcome, Format::nagios, 0),
            "OK - m | free=5000000000B;;@0:1000000000;0;8000000000 "
            "inodes_used_percent=3.5%;;@98:100;0;100 days=4;30:;0: size=7B;;;0 odd=1\n");
}

TEST(StatusLine, JsonMetricsHaveTheNagiosLabelsAndStayUtf8) {
  // A metric name that is not UTF-8 once made the JSON line unreadable (tests/fuzz/status_line).
  auto outcome = Outcome::ok("m");
  outcome.metric("bad label|x\xfb", 2, "\xb0");
  EXPECT_EQ(render(outcome, Format::json, 0),
            "{\"state\":\"OK\",\"exit_code\":0,\"message\":\"m\","
            "\"metrics\":{\"bad_label_x_\":{\"value\":2,\"unit\":\"_\"}},\"elapsed\":0}\n");
}

TEST(StatusLine, RegisteredSecretsAreMasked) {
  register_secret("hunter2-status");
  EXPECT_EQ(render(Outcome::critical("login hunter2-status failed"), Format::text, 0),
            "CRITICAL: login *** failed\n");
  EXPECT_EQ(mask_secrets("x hunter2-status y"), "x *** y");
}

TEST(Json, EscapesControlCharacters) {
  EXPECT_EQ(detail::json_string("a\x01\n\t\""), "\"a\\u0001\\n\\t\\\"\"");
}

// ensure_ascii as Python's json.dumps writes it, bytes that are not UTF-8 (a file name) as
// surrogateescape's lone surrogates: slapgrid's status files and surykatka's report.
TEST(Json, AsciiOnlyWritesPythonsEscapes) {
  std::string out;
  append_json_string(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f", true);
  EXPECT_EQ(out, "\"\\u00e9\\u20ac\\ud83d\\ude00\\u007f\"");
  out.clear();
  // A stray continuation byte, a cut sequence, an overlong '/', an encoded surrogate.
  append_json_string(out,
                     "a\x80"
                     "b\xe2\x82\xc0\xaf\xed\xa0\x80",
                     true);
  EXPECT_EQ(out, "\"a\\udc80b\\udce2\\udc82\\udcc0\\udcaf\\udced\\udca0\\udc80\"");
  out.clear();
  append_json_string(out, "\xc3\xa9\xff", false);  // not ascii_only: bytes as they are
  EXPECT_EQ(out, "\"\xc3\xa9\xff\"");
}

}  // namespace
}  // namespace promise
