#include "bot/checkin_form.h"

#include <gtest/gtest.h>

#include "bot/text_render.h"

namespace okrbot {
namespace {

TEST(CheckInFormTest, ConfidenceWordsAndNumbers) {
  int c = -1;
  EXPECT_TRUE(ParseConfidence("high", &c));
  EXPECT_EQ(c, 80);
  EXPECT_TRUE(ParseConfidence(" Low ", &c));
  EXPECT_EQ(c, 20);
  EXPECT_TRUE(ParseConfidence("65%", &c));
  EXPECT_EQ(c, 65);
  EXPECT_FALSE(ParseConfidence("101", &c));
  EXPECT_FALSE(ParseConfidence("-5", &c));
  EXPECT_FALSE(ParseConfidence("very", &c));
  EXPECT_FALSE(ParseConfidence("", &c));
}

TEST(CheckInFormTest, ValidationPointsAtTheField) {
  EXPECT_TRUE(ValidateCheckInInput({"KR1", "62", "high", "fine", std::nullopt}, 1000).empty());
  EXPECT_TRUE(
      ValidateCheckInInput({"KR1", "not done", "", "line one\nline two", std::nullopt}, 1000)
          .empty());
  auto errors =
      ValidateCheckInInput({"KR1", "lots", "200", std::string(1001, 'x'), std::nullopt}, 1000);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, kInputValue);
  EXPECT_EQ(errors[1].field, kInputConfidence);
  EXPECT_EQ(errors[2].field, kInputNote);
  auto empty = ValidateCheckInInput({"KR1", " ", "", "", std::nullopt}, 1000);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].field, kInputValue);
  EXPECT_EQ(ValidateCheckInInput({"KR1", "5", "", "bell\x07", std::nullopt}, 1000).size(), 1u);
}

TEST(CheckInFormTest, FormPrefillsTheCurrentValue) {
  KeyResult kr;
  kr.number = 3;
  kr.text = "Increase NPS from 55 to 70";
  kr.baseline = 55;
  kr.target = 70;
  kr.current = 62;
  Reply form = CheckInForm(kr);
  std::string text = RenderPlainText(form);
  EXPECT_NE(text.find("Check in on KR3"), std::string::npos);
  EXPECT_NE(text.find("Now: 62"), std::string::npos);
  EXPECT_NE(text.find("Target: 70"), std::string::npos);
  ASSERT_EQ(form.blocks.back().kind, BlockKind::kInputs);
  EXPECT_EQ(form.blocks.back().inputs[0].id, kInputValue);
  EXPECT_EQ(form.blocks.back().inputs[0].initial, "62");
  EXPECT_TRUE(form.blocks.back().inputs[2].multiline);
  Reply buttons;
  AppendCheckInButtons(&buttons, kr);
  ASSERT_EQ(buttons.blocks[0].buttons.size(), 3u);
  EXPECT_EQ(buttons.blocks[0].buttons[0].action, kActionCheckInUpdate);
  EXPECT_EQ(buttons.blocks[0].buttons[2].value, "KR3");
}

}  // namespace
}  // namespace okrbot
