// python_repr: the expected strings are what CPython 3.11 prints for
// repr(raw_bytes.decode("utf-8", "surrogateescape")), the way a plugin's %r shows a path.
#include "promise/text.hpp"

#include <gtest/gtest.h>

namespace promise {
namespace {

TEST(PythonRepr, QuotesAsPythonDoes) {
  EXPECT_EQ(python_repr("/srv/x/error.txt"), "'/srv/x/error.txt'");
  EXPECT_EQ(python_repr(""), "''");
  EXPECT_EQ(python_repr("it's"), "\"it's\"");
  EXPECT_EQ(python_repr("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(python_repr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(python_repr("back\\slash"), "'back\\\\slash'");
  EXPECT_EQ(python_repr("test -S /srv/a.sock"), "'test -S /srv/a.sock'");
  EXPECT_EQ(python_repr("a'b\"c"), "'a\\'b\"c'");
}

TEST(PythonRepr, EscapesControlAndNonPrintableCharacters) {
  EXPECT_EQ(python_repr("tab\tnl\ncr\r"), "'tab\\tnl\\ncr\\r'");
  EXPECT_EQ(python_repr(std::string("\x00\x01\x1b\x7f", 4)), "'\\x00\\x01\\x1b\\x7f'");
  EXPECT_EQ(python_repr("\xc2\x85"), "'\\x85'");                // C1 control
  EXPECT_EQ(python_repr("\xc2\xa0"), "'\\xa0'");                // no-break space (Zs)
  EXPECT_EQ(python_repr("\xc2\xad"), "'\\xad'");                // soft hyphen (Cf)
  EXPECT_EQ(python_repr("\xe2\x80\xa8"), "'\\u2028'");          // line separator (Zl)
  EXPECT_EQ(python_repr("\xef\xbb\xbf"), "'\\ufeff'");          // BOM (Cf)
  EXPECT_EQ(python_repr("\xee\x80\x80"), "'\\ue000'");          // private use (Co)
  EXPECT_EQ(python_repr("\xe3\x80\x80"), "'\\u3000'");          // ideographic space
  EXPECT_EQ(python_repr("\xf3\xa0\x80\x81"), "'\\U000e0001'");  // language tag (Cf)
  EXPECT_EQ(python_repr("tab\there\\"), "'tab\\there\\\\'");
  EXPECT_EQ(python_repr("a\nb\rc\x01"), "'a\\nb\\rc\\x01'");
  EXPECT_EQ(python_repr("\xc2\x85\xc2\xa0\xc2\xad\x7f"), "'\\x85\\xa0\\xad\\x7f'");
  EXPECT_EQ(python_repr("\xe2\x80\x8b"), "'\\u200b'");                     // U+200B
  EXPECT_EQ(python_repr("\xef\xbb\xbf\xe2\x80\xa8"), "'\\ufeff\\u2028'");  // U+FEFF U+2028
}

TEST(PythonRepr, KeepsPrintableUnicode) {
  EXPECT_EQ(python_repr("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(python_repr("\xf0\x9f\x98\x80"), "'\xf0\x9f\x98\x80'");
  EXPECT_EQ(python_repr("caf\xc3\xa9 \xe4\xb8\xad\xf0\x9f\x98\x80"),
            "'caf\xc3\xa9 \xe4\xb8\xad\xf0\x9f\x98\x80'");
}

TEST(PythonRepr, ShowsBytesThatAreNotUtf8AsSurrogateEscapes) {
  EXPECT_EQ(python_repr("\xff"), "'\\udcff'");
  EXPECT_EQ(python_repr("a\xe6\x97"
                        "b"),
            "'a\\udce6\\udc97b'");                                    // truncated sequence
  EXPECT_EQ(python_repr("\xed\xa0\x80"), "'\\udced\\udca0\\udc80'");  // encoded surrogate
  EXPECT_EQ(python_repr("\xc0\xaf"), "'\\udcc0\\udcaf'");             // overlong '/'
  EXPECT_EQ(python_repr("\xf4\x90\x80\x80"), "'\\udcf4\\udc90\\udc80\\udc80'");  // > U+10FFFF
  EXPECT_EQ(python_repr("\xff\xe6\x97"), "'\\udcff\\udce6\\udc97'");
}

TEST(PythonRepr, HugeInputStaysLinear) {
  const std::string big(1 << 20, '\x01');
  EXPECT_EQ(python_repr(big).size(), 2 + 4 * big.size());
}

}  // namespace
}  // namespace promise
