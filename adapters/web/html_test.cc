#include "adapters/web/html.h"

#include <gtest/gtest.h>

namespace okrbot::web {
namespace {

TEST(HtmlTest, UserTextCannotOpenATagOrLeaveAnAttribute) {
  EXPECT_EQ(EscapeHtml("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(EscapeHtml("a\" onmouseover='x' &amp;"), "a&quot; onmouseover=&#39;x&#39; &amp;amp;");
  EXPECT_EQ(EscapeHtml("Ünïcødé ✓ 🚀"), "Ünïcødé ✓ 🚀");
}

TEST(HtmlTest, BrokenUtf8AndControlCharactersAreRepairedOrDropped) {
  EXPECT_EQ(EscapeHtml(std::string("ok\xff") + "x"), "ok\xEF\xBF\xBDx");
  EXPECT_EQ(EscapeHtml(std::string("a\0b\x1b[31mc\nd", 12)), "ab[31mc\nd");
}

}  // namespace
}  // namespace okrbot::web
