#include "bot/reply.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace okrbot {
namespace {

TEST(ReplyTest, ProgressBarShowsPercentAndClamps) {
  EXPECT_EQ(ProgressBar(0.7), "███████░░░ 70%");
  EXPECT_EQ(ProgressBar(0), "░░░░░░░░░░ 0%");
  EXPECT_EQ(ProgressBar(1.5), "██████████ 100%");
  EXPECT_EQ(ProgressBar(-1), "░░░░░░░░░░ 0%");
  EXPECT_EQ(ProgressBar(0.25, 4), "█░░░ 25%");
  EXPECT_EQ(ProgressBar(0.05), "▌░░░░░░░░░ 5%");
}

TEST(ReplyTest, SparklineScalesBetweenMinAndMax) {
  EXPECT_EQ(Sparkline({}), "");
  EXPECT_EQ(Sparkline({1, 8}), "▁█");
  EXPECT_EQ(Sparkline({55, 60, 70}), "▁▃█");
  EXPECT_EQ(Sparkline({5, 5, 5}), "▄▄▄");
}

TEST(ReplyTest, JsonRoundTripKeepsEveryBlock) {
  Reply r;
  r.visibility = Visibility::kChannel;
  r.Header("Check-in").Text("Hi ✨").Fields({{"Owner", "alice"}}).Progress("KR1", 0.5);
  r.List({"a", "b"}).Actions({{"Update", "checkin.update", "KR1", true}});
  r.Inputs({{"value", "New value", "70", "62", false}}).Divider().Context("ctx");
  auto back = ReplyFromJson(ReplyToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ReplyToJson(*back), ReplyToJson(r));
  EXPECT_EQ(back->visibility, Visibility::kChannel);
  ASSERT_EQ(back->blocks.size(), 9u);
  EXPECT_EQ(back->blocks[5].buttons[0].value, "KR1");
  EXPECT_EQ(back->Summary(), "Check-in");
}

TEST(ReplyTest, JsonEscapesEverythingPeopleType) {
  Reply r;
  r.Text(std::string("quote \" backslash \\ newline \n tab \t bell \x07 bad \xFF ünïcode"));
  r.Progress("p", 0.1 + 0.2);
  std::string json = ReplyToJson(r);
  auto back = ReplyFromJson(json);
  ASSERT_TRUE(back.ok()) << json;
  EXPECT_EQ(back->blocks[0].text,
            "quote \" backslash \\ newline \n tab \t bell \x07 bad \xEF\xBF\xBD ünïcode");
  EXPECT_DOUBLE_EQ(back->blocks[1].progress, 0.1 + 0.2) << "doubles round-trip exactly";
  EXPECT_EQ(nlohmann::json::parse(json)["blocks"][0]["kind"], "text");
}

TEST(ReplyTest, BrokenJsonIsAnError) {
  EXPECT_FALSE(ReplyFromJson("{").ok());
  EXPECT_FALSE(ReplyFromJson("[]").ok());
  EXPECT_FALSE(ReplyFromJson(R"({"blocks":[{"kind":"nope"}]})").ok());
  EXPECT_FALSE(ReplyFromJson(R"({"blocks":[{"kind":"fields","fields":[1]}]})").ok());
}


TEST(ReplyTest, ImageBlocksRoundTripWithoutTheirUrl) {
  Reply r;
  r.Image("KR3 · NPS", "Now 42, ahead of pace.", "<svg>\"x\"</svg>", 600, 300);
  r.blocks.back().image_url = "https://okr.example.com/charts/abc.png";
  auto back = ReplyFromJson(ReplyToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->blocks.size(), 1u);
  const Block& b = back->blocks[0];
  EXPECT_EQ(b.kind, BlockKind::kImage);
  EXPECT_EQ(b.text, "KR3 · NPS");
  EXPECT_EQ(b.description, "Now 42, ahead of pace.");
  EXPECT_EQ(b.svg, "<svg>\"x\"</svg>");
  EXPECT_EQ(b.width, 600);
  EXPECT_EQ(b.height, 300);
  EXPECT_EQ(b.image_url, "") << "the URL is the adapter's, set at delivery time";
  EXPECT_EQ(ImageText(b), "KR3 · NPS: Now 42, ahead of pace.");
}

}  // namespace
}  // namespace okrbot
