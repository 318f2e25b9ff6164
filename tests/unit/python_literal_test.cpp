// The strict parser of Python literals (common/src/python_literal.cpp): what ast.literal_eval
// accepts, and what it refuses, with a reason and never by running code. First as
// slapos-promise convert reads the promise.plugin recipe's extra_config_dict, then as
// check_websocket_available reads one str or bytes option value.
#include "promise/python_literal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace promise {
namespace {

PyValue parse(std::string_view text) {
  return parse_python_literal(text);
}

std::string str(std::string_view text) {
  const PyValue value = parse(text);
  EXPECT_EQ(value.kind, PyValue::Kind::string) << text;
  return value.text;
}

std::string bytes(std::string_view text) {
  const PyValue value = parse(text);
  EXPECT_EQ(value.kind, PyValue::Kind::bytes) << text;
  return value.text;
}

std::int64_t integer(std::string_view text) {
  const PyValue value = parse(text);
  EXPECT_EQ(value.kind, PyValue::Kind::integer) << text;
  return value.integer;
}

double floating(std::string_view text) {
  const PyValue value = parse(text);
  EXPECT_EQ(value.kind, PyValue::Kind::floating) << text;
  return value.floating;
}

// The reason a text is refused ("" when it is accepted).
std::string refused(std::string_view text) {
  try {
    parse(text);
    return "";
  } catch (const PythonLiteralError& error) {
    return error.what();
  }
}

TEST(PythonLiteral, StringEscapes) {
  EXPECT_EQ(str(R"('a\nb\tc\rd\\e\'f\"g')"), "a\nb\tc\rd\\e'f\"g");
  EXPECT_EQ(str(R"('\a\b\f\v')"), "\a\b\f\v");
  EXPECT_EQ(str(R"('\x41\x7e\xe9')"), "A~\xc3\xa9");
  EXPECT_EQ(str(R"('\u00e9\u20ac')"), "\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(str(R"('\U0001F600')"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(str(R"('\101\0\7\777')"), std::string("A\0\a\xc7\xbf", 5));
  EXPECT_EQ(str(R"('\d\w')"), "\\d\\w");  // unknown escapes stay, as Python keeps them
  EXPECT_EQ(str("'a\\\nb'"), "ab");       // backslash-newline continues the string
  EXPECT_EQ(str("\"it's\""), "it's");
  EXPECT_EQ(str("u'x'"), "x");
  EXPECT_EQ(str("'\xc3\xa9t\xc3\xa9'"), "\xc3\xa9t\xc3\xa9");
}

TEST(PythonLiteral, StringEscapesRefused) {
  EXPECT_NE(refused(R"('\N{EM DASH}')").find("\\N{...} escapes"), std::string::npos);
  EXPECT_NE(refused(R"('\x4')").find("truncated \\xXX"), std::string::npos);
  EXPECT_NE(refused(R"('\u12')").find("truncated \\uXXXX"), std::string::npos);
  EXPECT_NE(refused(R"('\U00110000')").find("illegal Unicode"), std::string::npos);
  EXPECT_NE(refused(R"('\ud800')").find("surrogate"), std::string::npos);
  EXPECT_NE(refused("'abc").find("unterminated string"), std::string::npos);
  EXPECT_NE(refused("'a\nb'").find("line break"), std::string::npos);
  EXPECT_NE(refused("f'{x}'").find("f-string"), std::string::npos);
  EXPECT_NE(refused("ub'x'").find("bad string prefix"), std::string::npos);
  EXPECT_NE(refused("'\xff'").find("not UTF-8"), std::string::npos);
}

TEST(PythonLiteral, RawAndTripleQuotedStrings) {
  EXPECT_EQ(str(R"(r'\d+\n')"), "\\d+\\n");
  EXPECT_EQ(str(R"(R"a\"b")"), "a\\\"b");
  EXPECT_EQ(str("'''a\n'b'\n\"c\"'''"), "a\n'b'\n\"c\"");
  EXPECT_EQ(str("\"\"\"x\"\"\""), "x");
  EXPECT_EQ(str("r'''\\'x'''"), "\\'x");
  EXPECT_NE(refused(R"(r'\')").find("unterminated"), std::string::npos);
}

TEST(PythonLiteral, ImplicitConcatenation) {
  EXPECT_EQ(str("'a' \"b\" r'\\c'"), "ab\\c");
  EXPECT_EQ(str("('a '\n 'b')"), "a b");  // pprint wraps a long string this way
  EXPECT_EQ(bytes("b'a' rb'\\x'"), "a\\x");
  EXPECT_NE(refused("'a' b'b'").find("cannot concatenate bytes and str"), std::string::npos);
}

TEST(PythonLiteral, Bytes) {
  EXPECT_EQ(bytes(R"(b'RFB 003.008\n')"), "RFB 003.008\n");
  EXPECT_EQ(bytes(R"(B'\xff\x00\377')"), std::string("\xff\0\xff", 3));
  EXPECT_EQ(bytes(R"(b'\u1234\N{X}')"), "\\u1234\\N{X}");  // no such escapes in bytes
  EXPECT_NE(refused(R"(b'\777')").find("above \\377"), std::string::npos);
  EXPECT_NE(refused("b'\xc3\xa9'").find("ASCII"), std::string::npos);
}

TEST(PythonLiteral, Integers) {
  EXPECT_EQ(integer("0"), 0);
  EXPECT_EQ(integer("00"), 0);
  EXPECT_EQ(integer("1_000_000"), 1000000);
  EXPECT_EQ(integer("-42"), -42);
  EXPECT_EQ(integer("- 42"), -42);
  EXPECT_EQ(integer("+7"), 7);
  EXPECT_EQ(integer("0x_1F"), 31);
  EXPECT_EQ(integer("-0X10"), -16);
  EXPECT_EQ(integer("0o777"), 511);
  EXPECT_EQ(integer("0b1010"), 10);
  EXPECT_EQ(integer("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(integer("-9223372036854775808"), INT64_MIN);
  EXPECT_NE(refused("9223372036854775808").find("beyond 64 bits"), std::string::npos);
  EXPECT_NE(refused("0777").find("leading zeros"), std::string::npos);
  EXPECT_NE(refused("1__0").find("underscores"), std::string::npos);
  EXPECT_NE(refused("1_").find("underscores"), std::string::npos);
  EXPECT_NE(refused("0x").find("invalid hexadecimal"), std::string::npos);
  EXPECT_NE(refused("0b12").find("invalid digit"), std::string::npos);
  EXPECT_NE(refused("12abc").find("invalid decimal literal"), std::string::npos);
  EXPECT_NE(refused("1j").find("complex"), std::string::npos);
  EXPECT_NE(refused("--1").find("only a number may follow a sign"), std::string::npos);
  EXPECT_NE(refused("-True").find("only a number may follow a sign"), std::string::npos);
}

TEST(PythonLiteral, Floats) {
  EXPECT_EQ(floating("1.5"), 1.5);
  EXPECT_EQ(floating("1."), 1.0);
  EXPECT_EQ(floating(".5"), 0.5);
  EXPECT_EQ(floating("1e3"), 1000.0);
  EXPECT_EQ(floating("1_000.5e-1_0"), 1000.5e-10);
  EXPECT_EQ(floating("-2.5E+2"), -250.0);
  EXPECT_EQ(floating("01.5"), 1.5);
  EXPECT_TRUE(std::isinf(floating("1e999")));
  EXPECT_EQ(floating("1e-999"), 0.0);
  EXPECT_NE(refused("1e").find("invalid decimal literal"), std::string::npos);
  EXPECT_NE(refused("1.5j").find("complex"), std::string::npos);
}

TEST(PythonLiteral, Constants) {
  EXPECT_EQ(parse("True").kind, PyValue::Kind::boolean);
  EXPECT_TRUE(parse("True").boolean);
  EXPECT_FALSE(parse("False").boolean);
  EXPECT_EQ(parse("None").kind, PyValue::Kind::none);
  EXPECT_NE(refused("true").find("'true' is a name"), std::string::npos);
  EXPECT_NE(refused("os").find("code is never run"), std::string::npos);
}

TEST(PythonLiteral, Containers) {
  const PyValue dict =
      parse("{ 'a': [1, 2, (3,), ()],\n  # a comment\n  'b': {'c': None,},\n  'a': 'last wins', }");
  ASSERT_EQ(dict.kind, PyValue::Kind::dict);
  ASSERT_EQ(dict.keys.size(), 3u);
  ASSERT_NE(dict.get("a"), nullptr);
  EXPECT_EQ(dict.get("a")->text, "last wins");
  const PyValue& list = dict.items[0];
  ASSERT_EQ(list.kind, PyValue::Kind::list);
  ASSERT_EQ(list.items.size(), 4u);
  EXPECT_EQ(list.items[2].kind, PyValue::Kind::tuple);
  EXPECT_EQ(list.items[2].items.size(), 1u);
  EXPECT_EQ(list.items[3].items.size(), 0u);
  EXPECT_EQ(parse("(1)").kind, PyValue::Kind::integer);  // parentheses group
  EXPECT_EQ(parse("(1, 2,)").items.size(), 2u);
  EXPECT_EQ(parse("[]").kind, PyValue::Kind::list);
  EXPECT_EQ(parse("{}").kind, PyValue::Kind::dict);
  EXPECT_EQ(parse("{(1, 'a'): b'x'}").keys[0].kind, PyValue::Kind::tuple);
}

TEST(PythonLiteral, CodeIsRefusedWithItsPlace) {
  const std::string text = "{ 'url': 'http://x/',\n  'code': __import__('os').system('id')}";
  try {
    parse(text);
    FAIL() << "accepted code";
  } catch (const PythonLiteralError& error) {
    EXPECT_EQ(text_position(text, error.offset), "line 2, column 11");
    EXPECT_NE(std::string(error.what()).find("'__import__' is a name"), std::string::npos);
  }
  EXPECT_NE(refused("{'a': 1 + 2}").find("expected ',' or '}'"), std::string::npos);
  EXPECT_NE(refused("{'a': 'b'.upper()}").find("expected ',' or '}'"), std::string::npos);
  EXPECT_NE(refused("['a' if x else 'b']").find("expected ',' or ']'"), std::string::npos);
  EXPECT_NE(refused("{1, 2}").find("a set"), std::string::npos);
  EXPECT_NE(refused("{[1]: 2}").find("unhashable"), std::string::npos);
  EXPECT_NE(refused("{'a': 1").find("unterminated dict"), std::string::npos);
  EXPECT_NE(refused("[1, 2").find("unterminated list"), std::string::npos);
  EXPECT_NE(refused("{'a' 1}").find("expected ':'"), std::string::npos);
  EXPECT_NE(refused("1 2").find("after the literal"), std::string::npos);
  EXPECT_NE(refused("").find("the text ends"), std::string::npos);
  EXPECT_NE(refused(std::string(200, '[')).find("deeper than 100"), std::string::npos);
}

TEST(PythonLiteral, StopsAtTheEndOfTheStatement) {
  const std::string text = "x = {'a': 'b'}  \nimport os\n";
  std::size_t pos = 4;
  const PyValue value = parse_python_literal(text, pos);
  EXPECT_EQ(value.get("a")->text, "b");
  EXPECT_EQ(text.substr(pos), "  \nimport os\n");
  // Outside brackets a line break ends the literal: "'a'\n'b'" is two statements.
  std::string two = "'a'\n'b'";
  pos = 0;
  EXPECT_EQ(parse_python_literal(two, pos).text, "a");
  EXPECT_EQ(pos, 3u);
}

TEST(PythonLiteral, ReprRoundTrips) {
  for (const char* text : {"'a\\nb'", "\"it's\"", "'\\x00\\x7f\\x85\\xa0é€😀\\u2028'",
                           "b'\\xff\\'\"'", "[1, -2, 1.5, 1e+16, 1e-05, 1000.0, -0.0, True, None]",
                           "(1,)", "()", "{'a': {'b': [b'', ('c', 'd')]}}", "1e999"}) {
    const PyValue value = parse(text);
    const std::string repr = literal_repr(value);
    EXPECT_TRUE(parse(repr) == value) << text << " -> " << repr;
  }
  EXPECT_EQ(literal_repr(parse("{'a': 1e3, 'b': b'RFB 003.008\\n', 'c': (1,)}")),
            "{'a': 1000.0, 'b': b'RFB 003.008\\n', 'c': (1,)}");
  EXPECT_EQ(literal_repr(parse("\"it's\"")), "\"it's\"");
  EXPECT_EQ(literal_repr(parse("1e16")), "1e+16");
  EXPECT_EQ(literal_repr(parse("0.0001")), "0.0001");
}

}  // namespace
}  // namespace promise

// One str or bytes literal as an option value: the expected values are what CPython 3.11
// evaluates the same literal to (ast.literal_eval), and what repr() of bytes prints.
namespace promise {
namespace string_literal {

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

// Where the option entry point follows the full parser (and Python): triple quotes are one
// literal; a line break inside a one-line literal, two literals side by side, a u or f prefix
// are refused.
TEST(PythonStringLiteral, AsPythonReadsOneLiteral) {
  EXPECT_EQ(parsed(R"('''it's''')").value, "it's");
  EXPECT_TRUE(parsed("b\"\"\"x\n\"\"\"").is_bytes);
  EXPECT_NE(refused("'a\nb'").find("line break"), std::string::npos);
  EXPECT_NE(refused("'a' 'b'").find("unescaped quote at byte 2"), std::string::npos);
  refused("'''");
  refused("f'x'");
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

}  // namespace string_literal
}  // namespace promise
