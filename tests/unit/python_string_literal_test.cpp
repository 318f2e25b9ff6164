// Python str and bytes literals: the expected values are what CPython 3.11 evaluates the same
// literal to (ast.literal_eval), and what repr() of bytes prints.
#include "promise/python_literal.hpp"

#include <gtest/gtest.h>

namespace promise {
namespace {

PythonLiteral parsed(std::string_view text) {
  std::string error;
  const auto literal = parse_python_literal(text, &error);
  EXPECT_TRUE(literal) << text << ": " << error;
  return literal.value_or(PythonLiteral{});
}

std::string refused(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_python_literal(text, &error)) << text;
  EXPECT_FALSE(error.empty());
  return error;
}

TEST(PythonStringLiteral, TheKvmGreetingAsDumpsWritesIt) {
  const auto literal = parsed("b'RFB 003.008\\n'");
  EXPECT_TRUE(literal.is_bytes);
  EXPECT_EQ(literal.value, "RFB 003.008\n");
}

TEST(PythonStringLiteral, StrAndBytesWithEitherQuoteAndAnyPrefixCase) {
  EXPECT_FALSE(parsed("'abc'").is_bytes);
  EXPECT_EQ(parsed("\"it's\"").value, "it's");
  EXPECT_TRUE(parsed("B\"x\"").is_bytes);
  EXPECT_EQ(parsed("''").value, "");
  EXPECT_EQ(parsed("b''").value, "");
}

TEST(PythonStringLiteral, EveryEscapeOfTheReference) {
  EXPECT_EQ(parsed(R"('\\ \' \" \a \b \f \n \r \t \v')").value, "\\ ' \" \a \b \f \n \r \t \v");
  EXPECT_EQ(parsed("'a\\\nb'").value, "ab");  // line continuation
  EXPECT_EQ(parsed(R"('\101\x41\u00e9\U0001F600')").value, "AA\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(parsed(R"('\0')").value, std::string(1, '\0'));
  EXPECT_EQ(parsed(R"('\1234')").value, "S4");       // three octal digits at most
  EXPECT_EQ(parsed(R"('\777')").value, "\xc7\xbf");  // U+01FF in a str
  EXPECT_EQ(parsed(R"(b'\x00\xff\377')").value, std::string("\x00\xff\xff", 3));
  EXPECT_EQ(parsed(R"('a\qb')").value, "a\\qb");       // unknown: the backslash stays
  EXPECT_EQ(parsed(R"(b'\u0041')").value, "\\u0041");  // \u means nothing in bytes
}

TEST(PythonStringLiteral, RawLiteralsKeepTheirBackslashes) {
  EXPECT_EQ(parsed(R"(r'a\nb')").value, "a\\nb");
  EXPECT_EQ(parsed(R"(rb'a\'b')").value, "a\\'b");
  EXPECT_EQ(parsed(R"(Br'\\')").value, "\\\\");
}

TEST(PythonStringLiteral, Utf8InAStrButNotInBytes) {
  EXPECT_EQ(parsed("'\xc3\xa9t\xc3\xa9'").value, "\xc3\xa9t\xc3\xa9");
  EXPECT_NE(refused("b'\xc3\xa9'").find("ASCII only"), std::string::npos);
  EXPECT_NE(refused("'\xff'").find("invalid UTF-8"), std::string::npos);
  refused("'\xed\xa0\x80'");  // an encoded surrogate
  refused("'\xc0\xaf'");      // overlong
}

TEST(PythonStringLiteral, MalformedLiteralsAreRefusedWithAReason) {
  EXPECT_NE(refused(R"('\x4')").find("invalid \\x escape"), std::string::npos);
  EXPECT_NE(refused(R"('\ud800')").find("surrogate"), std::string::npos);
  EXPECT_NE(refused(R"('\U00110000')").find("U+10FFFF"), std::string::npos);
  EXPECT_NE(refused(R"(b'\400')").find("\\377"), std::string::npos);
  EXPECT_NE(refused(R"('\N{DASH}')").find("\\N"), std::string::npos);
  refused("'a'b'");    // an unescaped quote inside
  refused(R"('a\')");  // the closing quote is escaped
  refused(R"(r'\')");
  refused("'abc");
  refused("'");
  refused("bb'x'");
  refused("rr'x'");
  refused("bbr'x'");
  refused("u'x'");  // not supported: no profile writes it
  refused("abc");
  refused("");
}

TEST(PythonStringLiteral, LooksLikeALiteralOnlyWithMatchingQuotes) {
  EXPECT_TRUE(looks_like_python_literal("b'RFB 003.008\\n'"));
  EXPECT_TRUE(looks_like_python_literal("'x'"));
  EXPECT_TRUE(looks_like_python_literal("rb\"x\""));
  EXPECT_FALSE(looks_like_python_literal("RFB 003.008"));
  EXPECT_FALSE(looks_like_python_literal("'x\""));
  EXPECT_FALSE(looks_like_python_literal("'"));
  EXPECT_FALSE(looks_like_python_literal("b'"));
  EXPECT_FALSE(looks_like_python_literal("bytes'x'"));
  EXPECT_FALSE(looks_like_python_literal(""));
}

TEST(PythonBytesRepr, AsPythonPrintsBytes) {
  EXPECT_EQ(python_bytes_repr("RFB 003.008\n"), "b'RFB 003.008\\n'");
  EXPECT_EQ(python_bytes_repr("it's"), "b\"it's\"");
  EXPECT_EQ(python_bytes_repr(std::string("\x00\xff'\"", 4)), "b'\\x00\\xff\\'\"'");
  EXPECT_EQ(python_bytes_repr("\t\r\\\x7f"), "b'\\t\\r\\\\\\x7f'");
  EXPECT_EQ(python_bytes_repr(""), "b''");
}

TEST(PythonBytesRepr, ReprThenParseGivesTheBytesBack) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(parsed(python_bytes_repr(all)).value, all);
}

}  // namespace
}  // namespace promise
