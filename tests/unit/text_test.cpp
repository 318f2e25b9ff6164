#include "promise/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace promise {
namespace {

TEST(Untrusted, EscapesControlBytesPipeAndBackslash) {
  EXPECT_EQ(untrusted("HELLO\x1b[31mRED\x07|fake=1\\"), "HELLO\\x1b[31mRED\\x07\\x7cfake=1\\\\");
  EXPECT_EQ(untrusted("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
  EXPECT_EQ(untrusted(std::string("nul\0byte", 8)), "nul\\x00byte");
}

TEST(Untrusted, KeepsValidUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(untrusted("caf\xc3\xa9 \xe6\x97\xa5"), "caf\xc3\xa9 \xe6\x97\xa5");
  EXPECT_EQ(untrusted("ok\xff"), "ok\\xff");
  EXPECT_EQ(untrusted("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(untrusted("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(untrusted("\xe6\x97"), "\\xe6\\x97");           // truncated sequence
  EXPECT_EQ(untrusted("\xc2\x85"), "\\xc2\\x85");           // C1 control NEL
}

TEST(Untrusted, CutsLongTextWithANote) {
  const std::string big(1 << 20, 'x');
  const std::string out = untrusted(big, 100);
  EXPECT_EQ(out.substr(0, 100), std::string(100, 'x'));
  EXPECT_EQ(out.substr(100), " ... (" + std::to_string((1 << 20) - 100) + " bytes cut)");
}

TEST(Untrusted, NeverCutsInsideAnEscapeOrACharacter) {
  const std::string out = untrusted(std::string(10, '\x01'), 10);  // 4 bytes per escape
  EXPECT_EQ(out, "\\x01\\x01 ... (8 bytes cut)");
  const std::string accents = untrusted("\xc3\xa9\xc3\xa9\xc3\xa9", 5);
  EXPECT_EQ(accents, "\xc3\xa9\xc3\xa9 ... (2 bytes cut)");
}

TEST(UntrustedTail, KeepsTheEndWithANote) {
  EXPECT_EQ(untrusted_tail("short", 100), "short");
  EXPECT_EQ(untrusted_tail("0123456789", 4), "... (6 bytes cut) 6789");
  EXPECT_EQ(untrusted_tail("6789", 100, 1000), "... (1000 bytes cut) 6789");
  const std::string big(1 << 20, 'y');
  EXPECT_EQ(untrusted_tail(big, 3), "... (" + std::to_string((1 << 20) - 3) + " bytes cut) yyy");
}

TEST(UntrustedTail, EscapesAsUntrustedWithoutCuttingAnEscapeOrACharacter) {
  EXPECT_EQ(untrusted_tail("ab\x01\x02", 6), "... (3 bytes cut) \\x02");
  EXPECT_EQ(untrusted_tail("a\xff\x1b[31m|\\", 100), "a\\xff\\x1b[31m\\x7c\\\\");
  EXPECT_EQ(untrusted_tail("\xc3\xa9\xc3\xa9", 2), "... (2 bytes cut) \xc3\xa9");
  // A character the reader cut in two is dropped with what came before it.
  EXPECT_EQ(untrusted_tail("\xa9ok|", 100, 10), "... (11 bytes cut) ok\\x7c");
}

TEST(UntrustedTail, ShowsLineBreaksAsSlashesAndDropsOuterBlanks) {
  EXPECT_EQ(untrusted_tail("\n  one\n\n  two  \r\nthree\tfour\n\n", 100),
            "one / two / three\\x09four");
  EXPECT_EQ(untrusted_tail(" \n\t\n", 100), "");
  EXPECT_EQ(untrusted_tail("", 100), "");
  // Blank runs shrink to one separator, however long.
  EXPECT_EQ(untrusted_tail("x" + std::string(1 << 20, '\n') + "end", 10), "x / end");
  EXPECT_EQ(untrusted_tail("\n\n", 10, 5), "... (5 bytes cut)");
  // A cut never starts with the separator.
  EXPECT_EQ(untrusted_tail("first\nsecond", 8), "... (6 bytes cut) second");
}

TEST(OneLine, KeepsPipeButEscapesControlBytes) {
  EXPECT_EQ(one_line("a|b\nc", 100), "a|b\\x0ac");
}

TEST(HumanDuration, ReadsLikeAnOperatorWould) {
  EXPECT_EQ(human_seconds(0.000234), "0.2 ms");
  EXPECT_EQ(human_seconds(0.0031), "3.1 ms");
  EXPECT_EQ(human_seconds(0.123), "123 ms");
  EXPECT_EQ(human_seconds(2), "2.00 s");
}

TEST(Addresses, BracketsIpv6Once) {
  EXPECT_EQ(host_port("::1", 80), "[::1]:80");
  EXPECT_EQ(host_port("127.0.0.1", 80), "127.0.0.1:80");
  EXPECT_EQ(strip_ipv6_brackets("[::1]"), "::1");
  EXPECT_EQ(strip_ipv6_brackets("example.org"), "example.org");
}

TEST(LowerFirst, LowersOnlyAnOrdinaryCapitalisedWord) {
  EXPECT_EQ(lower_first("Connection refused"), "connection refused");
  EXPECT_EQ(lower_first("OpenSSL/3.0: error"), "OpenSSL/3.0: error");
  EXPECT_EQ(lower_first("SSL certificate problem"), "SSL certificate problem");
  EXPECT_EQ(lower_first("already lower"), "already lower");
}

TEST(Mask, ReplacesEveryOccurrence) {
  std::string text = "user:S3cret@host S3cret";
  mask_in_place(text, "S3cret");
  EXPECT_EQ(text, "user:***@host ***");
}

// Secrets share this process's registry with other tests: each test uses its own values.

TEST(Secrets, AreMaskedInEveryFormBeforeAnyEscapeOrCut) {
  register_secret("a|b-secret-unit");
  EXPECT_EQ(untrusted("pw a|b-secret-unit!"), "pw ***!");  // not "a\\x7cb-secret-unit"
  EXPECT_EQ(one_line("pw a|b-secret-unit!", 100), "pw ***!");
  EXPECT_EQ(mask_secrets("pw a\\x7cb-secret-unit!"), "pw ***!");  // escaped elsewhere first
  const std::string long_secret = std::string(120, 'L') + "-unit";
  register_secret(long_secret);
  EXPECT_EQ(untrusted("pw " + long_secret + " end", 50), "pw *** end");  // not 47 bytes of it
  EXPECT_EQ(one_line("pw " + long_secret, 20), "pw ***");
}

TEST(Secrets, TheLongestIsMaskedFirst) {
  register_secret("short-unit");
  register_secret("short-unit-and-longer");
  EXPECT_EQ(mask_secrets("[short-unit-and-longer]"), "[***]");
}

TEST(Secrets, UrlPasswordsAreMaskedWhereverAUrlAppears) {
  EXPECT_EQ(mask_secrets("url = http://u:s3cret@host/ and https://[::1]/x@y"),
            "url = http://u:***@host/ and https://[::1]/x@y");
  EXPECT_EQ(mask_secrets("'http://u:p%40ss@w@h:80/?q=a:b@c'"), "'http://u:***@h:80/?q=a:b@c'");
  EXPECT_EQ(mask_secrets("http://user-only@h/"), "http://user-only@h/");
  EXPECT_EQ(mask_secrets("no url: a:b@c"), "no url: a:b@c");
}

TEST(Secrets, CredentialHeadersAreMasked) {
  EXPECT_EQ(mask_secrets("Authorization: Bearer T0k"), "Authorization: ***");
  EXPECT_EQ(mask_secrets("proxy-authorization:Basic eA=="), "proxy-authorization: ***");
  EXPECT_EQ(mask_secrets("Cookie: session=1"), "Cookie: ***");
  EXPECT_EQ(mask_secrets("X-Trace: Cookie: 1"), "X-Trace: Cookie: 1");
}

TEST(Secrets, ValuesThatCarryCredentialsRegisterThem) {
  register_credentials_in("http://user:p%40ssw0rd-unit@h/");
  EXPECT_EQ(mask_secrets("p@ssw0rd-unit and p%40ssw0rd-unit"), "*** and ***");
  register_credentials_in("Authorization: Bearer t0ken-unit");
  EXPECT_EQ(mask_secrets("sent Bearer t0ken-unit"), "sent ***");
  register_credentials_in("just text, unit");
  EXPECT_EQ(mask_secrets("just text, unit"), "just text, unit");
}

TEST(Secrets, BlankingOverwritesThemInPlaceKeepingTheLength) {
  register_secret("blank-me-unit");
  char option[] = "--password=blank-me-unit";
  blank_secrets(option);
  EXPECT_STREQ(option, "--password=*************");
  register_credentials_in("http://u:url-pw-unit@h/");
  char url[] = "http://u:url-pw-unit@h/";
  blank_secrets(url);
  EXPECT_STREQ(url, "http://u:***********@h/");
}

}  // namespace
}  // namespace promise
