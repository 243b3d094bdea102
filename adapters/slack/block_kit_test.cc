#include "adapters/slack/block_kit.h"

#include <gtest/gtest.h>

#include "bot/checkin_form.h"

namespace okrbot::slack {
namespace {

TEST(BlockKitTest, EveryBlockKindBecomesSlackBlocks) {
  Reply r;
  r.Header("KR1 updated").Text("Increase NPS").Fields({{"Score", "0.47"}});
  r.Progress("Progress", 0.5).List({"a", "b"}).Actions({{"Update", "checkin.update", "KR1", true}});
  r.Divider().Context("note");
  auto blocks = RenderBlocks(r);
  ASSERT_EQ(blocks.size(), 8u);
  EXPECT_EQ(blocks[0]["type"], "header");
  EXPECT_EQ(blocks[0]["text"]["text"], "KR1 updated");
  EXPECT_EQ(blocks[2]["fields"][0]["text"], "*Score*\n0.47");
  EXPECT_EQ(blocks[3]["text"]["text"], "Progress\n█████░░░░░ 50%");
  EXPECT_EQ(blocks[4]["text"]["text"], "• a\n• b");
  EXPECT_EQ(blocks[5]["elements"][0]["action_id"], "checkin.update");
  EXPECT_EQ(blocks[5]["elements"][0]["value"], "KR1");
  EXPECT_EQ(blocks[5]["elements"][0]["style"], "primary");
  EXPECT_EQ(blocks[6]["type"], "divider");
  EXPECT_EQ(blocks[7]["type"], "context");
}

TEST(BlockKitTest, PeoplesTextCannotMentionEveryone) {
  Reply r;
  r.Text("<!channel> & <@U123> hi");
  auto blocks = RenderBlocks(r);
  EXPECT_EQ(blocks[0]["text"]["text"], "&lt;!channel&gt; &amp; &lt;@U123&gt; hi");
}

TEST(BlockKitTest, LimitsAreRespected) {
  Reply r;
  r.Header(std::string(400, 'h'));
  std::vector<std::pair<std::string, std::string>> fields;
  for (int i = 0; i < 23; ++i) fields.emplace_back("f" + std::to_string(i), "v");
  r.Fields(fields);
  std::vector<std::string> items(200, std::string(100, 'x') + "ü");
  r.List(items);
  for (int i = 0; i < 60; ++i) r.Text("t");
  auto blocks = RenderBlocks(r);
  EXPECT_EQ(blocks.size(), 50u);
  EXPECT_LE(blocks[0]["text"]["text"].get<std::string>().size(), 150u);
  EXPECT_EQ(blocks[1]["fields"].size(), 10u);
  EXPECT_EQ(blocks[3]["fields"].size(), 3u);
  for (const auto& b : blocks) {
    if (b["type"] == "section" && b.contains("text")) {
      EXPECT_LE(b["text"]["text"].get<std::string>().size(), 3000u);
    }
  }
  EXPECT_EQ(blocks.back()["type"], "context");
}

TEST(BlockKitTest, CommandResponseVisibility) {
  Reply priv;
  priv.Text("only you");
  EXPECT_EQ(CommandResponse(priv)["response_type"], "ephemeral");
  EXPECT_EQ(CommandResponse(priv)["text"], "only you\n");
  Reply pub;
  pub.visibility = Visibility::kChannel;
  pub.Text("everyone");
  EXPECT_EQ(CommandResponse(pub)["response_type"], "in_channel");
}

TEST(BlockKitTest, CheckInFormBecomesAModal) {
  KeyResult kr;
  kr.number = 3;
  kr.text = "Increase NPS from 55 to 70";
  kr.target = 70;
  kr.current = 62;
  auto view = ModalView(CheckInForm(kr), "checkin", "KR3|C1|123.4", "Save");
  EXPECT_EQ(view["type"], "modal");
  EXPECT_EQ(view["callback_id"], "checkin");
  EXPECT_EQ(view["private_metadata"], "KR3|C1|123.4");
  EXPECT_EQ(view["title"]["text"], "Check in on KR3");
  bool found_value = false;
  for (const auto& block : view["blocks"]) {
    if (block["type"] == "input" && block["block_id"] == "value") {
      found_value = true;
      EXPECT_EQ(block["element"]["action_id"], "value");
      EXPECT_EQ(block["element"]["initial_value"], "62");
      EXPECT_FALSE(block["optional"].get<bool>());
    }
  }
  EXPECT_TRUE(found_value);
}

TEST(BlockKitTest, ChartsAreImageBlocksOrTheirTextAlternative) {
  using nlohmann::json;
  Reply r;
  r.Image("KR3 · NPS", "Now 42 <b>, ahead of pace.", "<svg/>", 600, 300);
  json without = RenderBlocks(r);
  ASSERT_EQ(without.size(), 1u);
  EXPECT_EQ(without[0]["type"], "context") << "no public URL: the text alone, nothing broken";
  EXPECT_NE(without[0].dump().find("Now 42 &lt;b&gt;"), std::string::npos) << without.dump();
  r.blocks[0].image_url = "https://okr.example.com/charts/k.png";
  json with = RenderBlocks(r);
  ASSERT_EQ(with.size(), 1u);
  EXPECT_EQ(with[0]["type"], "image");
  EXPECT_EQ(with[0]["image_url"], "https://okr.example.com/charts/k.png");
  EXPECT_EQ(with[0]["alt_text"], "KR3 · NPS: Now 42 <b>, ahead of pace.");
  EXPECT_EQ(with[0]["title"]["type"], "plain_text");
}

}  // namespace
}  // namespace okrbot::slack
