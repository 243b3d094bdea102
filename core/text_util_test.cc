#include "core/text_util.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(TextUtilTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Kundenzufriedenheit ✨ 🚀 日本"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(TextUtilTest, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(ReplaceInvalidUtf8("ok ✨"), "ok ✨");
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF"
                               "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TextUtilTest, ControlCharacters) {
  EXPECT_FALSE(HasControlCharacters("Grow revenue 🚀"));
  EXPECT_TRUE(HasControlCharacters(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlCharacters("a\x1b[31mred"));
  EXPECT_TRUE(HasControlCharacters("a\x7f"));
  EXPECT_TRUE(HasControlCharacters("a\xC2\x85"));  // NEL
}

TEST(TextUtilTest, Trim) {
  EXPECT_EQ(Trim("  a b \t"), "a b");
  EXPECT_EQ(Trim("   "), "");
}

}  // namespace
}  // namespace okrbot

namespace okrbot {
namespace {

TEST(TextUtilTest, PlainDecimalIsDigitsOnly) {
  uint64_t value = 7;
  EXPECT_TRUE(ParsePlainDecimal("0", &value));
  EXPECT_EQ(value, 0u);
  EXPECT_TRUE(ParsePlainDecimal("1048576", &value));
  EXPECT_EQ(value, 1048576u);
  EXPECT_TRUE(ParsePlainDecimal("999999999999999999", &value));
  EXPECT_EQ(value, 999999999999999999u);
  for (const char* bad : {"", "+5", "-1", " 5", "5 ", "0x5", "1e3", "5,6", "1000000000000000000"}) {
    EXPECT_FALSE(ParsePlainDecimal(bad, &value)) << bad;
  }
}

}  // namespace
}  // namespace okrbot

namespace okrbot {
namespace {

TEST(TextUtilTest, EqualsIgnoringAsciiCaseFoldsOnlyAToZ) {
  EXPECT_TRUE(EqualsIgnoringAsciiCase("Transfer-Encoding", "transfer-encoding"));
  EXPECT_TRUE(EqualsIgnoringAsciiCase("CHUNKED", "chunked"));
  EXPECT_TRUE(EqualsIgnoringAsciiCase("", ""));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("chunked ", "chunked"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("xchunked", "chunked"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("\xc3\x84", "\xc3\xa4"));  // Ä and ä are not ASCII
}

TEST(TextUtilTest, HexDigitValues) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  for (char c : {'g', 'G', ' ', '-', 'x', '\0', '/', ':', '@', '`'})
    EXPECT_EQ(HexDigitValue(c), -1);
}

TEST(TextUtilTest, EscapeMarkupKeepsUserTextOutOfTagsAndAttributes) {
  EXPECT_EQ(EscapeMarkup("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(EscapeMarkup("a\" onmouseover='x' &amp;"), "a&quot; onmouseover=&#39;x&#39; &amp;amp;");
  EXPECT_EQ(EscapeMarkup("Ünïcødé ✓ 🚀"), "Ünïcødé ✓ 🚀");
}

TEST(TextUtilTest, EscapeMarkupRepairsWhatXmlForbids) {
  EXPECT_EQ(EscapeMarkup(std::string("ok\xff") + "x"), "ok\xEF\xBF\xBDx");
  EXPECT_EQ(EscapeMarkup(std::string("a\0b\x1b\tc\nd", 8)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\tc\nd");
  EXPECT_EQ(EscapeMarkup("\xEF\xBF\xBE"), "\xEF\xBF\xBD") << "U+FFFE";
}

}  // namespace
}  // namespace okrbot
