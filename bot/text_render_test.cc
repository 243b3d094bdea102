#include "bot/text_render.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(TextRenderTest, EveryBlockIsVisible) {
  Reply r;
  r.Header("KR1").Text("Increase NPS").Fields({{"Owner", "bob"}}).Progress("score", 0.5);
  r.List({"first"}).Actions({{"Update", "a", "v", true}, {"Snooze", "b", "v", false}});
  r.Inputs({{"value", "New value", "", "", false}}).Divider();
  std::string text = RenderPlainText(r);
  EXPECT_NE(text.find("== KR1 =="), std::string::npos);
  EXPECT_NE(text.find("Owner: bob"), std::string::npos);
  EXPECT_NE(text.find("score  █████░░░░░ 50%"), std::string::npos);
  EXPECT_NE(text.find("• first"), std::string::npos);
  EXPECT_NE(text.find("[Update] [Snooze]"), std::string::npos);
  EXPECT_NE(text.find("<New value>"), std::string::npos);
}

}  // namespace
}  // namespace okrbot
