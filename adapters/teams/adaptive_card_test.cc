#include "adapters/teams/adaptive_card.h"

#include <gtest/gtest.h>

#include "bot/checkin_form.h"
#include "bot/text_render.h"
#include "core/text_util.h"

namespace okrbot::teams {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The body element of `card` whose "id" is `id` (Input.Text), or null.
json FindInput(const json& card, const std::string& id) {
  for (const auto& element : card["body"]) {
    if (element["type"] == "Input.Text" && element["id"] == id) return element;
  }
  return nullptr;
}

TEST(AdaptiveCardTest, IsAVersion14Card) {
  Reply r;
  r.Text("hi");
  json card = AdaptiveCard(r);
  EXPECT_EQ(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json");
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["version"], "1.4");
  ASSERT_EQ(card["body"].size(), 1u);
}

TEST(AdaptiveCardTest, EveryBlockKindBecomesCardElements) {
  Reply r;
  r.Header("KR1 updated").Text("Increase NPS").Fields({{"Score", "0.47"}, {"Owner", "Bob"}});
  r.Progress("Progress", 0.5).List({"a", "b", "c"}).Context("note");
  json body = AdaptiveCard(r)["body"];
  ASSERT_EQ(body.size(), 9u);

  EXPECT_EQ(body[0]["type"], "TextBlock");
  EXPECT_EQ(body[0]["text"], "KR1 updated");
  EXPECT_EQ(body[0]["weight"], "Bolder");
  EXPECT_EQ(body[0]["size"], "Medium");
  EXPECT_EQ(body[0]["wrap"], true);

  EXPECT_EQ(body[1]["type"], "TextBlock");
  EXPECT_EQ(body[1]["text"], "Increase NPS");
  EXPECT_EQ(body[1]["wrap"], true);
  EXPECT_FALSE(body[1].contains("weight"));

  EXPECT_EQ(body[2]["type"], "FactSet");
  ASSERT_EQ(body[2]["facts"].size(), 2u);
  EXPECT_EQ(body[2]["facts"][0], json({{"title", "Score"}, {"value", "0.47"}}));
  EXPECT_EQ(body[2]["facts"][1], json({{"title", "Owner"}, {"value", "Bob"}}));

  EXPECT_EQ(body[3]["text"], "Progress");
  EXPECT_EQ(body[4]["text"], "█████░░░░░ 50%");
  EXPECT_EQ(body[4]["text"], ProgressBar(0.5));
  EXPECT_EQ(body[4]["fontType"], "Monospace");

  EXPECT_EQ(body[5]["text"], "• a");
  EXPECT_FALSE(body[5].contains("spacing"));
  EXPECT_EQ(body[6]["text"], "• b");
  EXPECT_EQ(body[6]["spacing"], "None");
  EXPECT_EQ(body[7]["text"], "• c");
  EXPECT_EQ(body[7]["spacing"], "None");

  EXPECT_EQ(body[8]["text"], "note");
  EXPECT_EQ(body[8]["isSubtle"], true);
  EXPECT_EQ(body[8]["size"], "Small");
  EXPECT_EQ(body[8]["wrap"], true);

  for (const auto& element : body) EXPECT_FALSE(element.contains("separator"));
}

TEST(AdaptiveCardTest, ProgressWithoutLabelIsJustTheBar) {
  Reply r;
  r.Progress("", 0.7);
  json body = AdaptiveCard(r)["body"];
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0]["text"], "███████░░░ 70%");
  EXPECT_EQ(body[0]["fontType"], "Monospace");
}

TEST(AdaptiveCardTest, TextIsKeptAsItIs) {
  Reply r;
  r.Text("<b>NPS</b> & \"quotes\" *stars*\nnext line");
  EXPECT_EQ(AdaptiveCard(r)["body"][0]["text"], "<b>NPS</b> & \"quotes\" *stars*\nnext line");
}

TEST(AdaptiveCardTest, DividerSeparatesTheNextElement) {
  Reply r;
  r.Text("above").Divider().List({"x", "y"}).Divider();
  json body = AdaptiveCard(r)["body"];
  ASSERT_EQ(body.size(), 3u);  // the divider itself is no element
  EXPECT_FALSE(body[0].contains("separator"));
  EXPECT_EQ(body[1]["text"], "• x");
  EXPECT_EQ(body[1]["separator"], true);
  EXPECT_FALSE(body[2].contains("separator"));  // only the first element after the divider
}

TEST(AdaptiveCardTest, ButtonsSubmitTheirActionAndKr) {
  Reply r;
  r.Text("KR3 is due");
  r.Actions({{"Update", kActionCheckInUpdate, "KR3", true},
             {"No change", kActionCheckInNoChange, "KR3", false},
             {"Snooze 1 week", kActionCheckInSnooze, "KR3", false}});
  json body = AdaptiveCard(r)["body"];
  ASSERT_EQ(body.size(), 2u);
  ASSERT_EQ(body[1]["type"], "ActionSet");
  const json& actions = body[1]["actions"];
  ASSERT_EQ(actions.size(), 3u);

  const char* expected[][2] = {{"Update", kActionCheckInUpdate},
                               {"No change", kActionCheckInNoChange},
                               {"Snooze 1 week", kActionCheckInSnooze}};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(actions[i]["type"], "Action.Submit");
    EXPECT_EQ(actions[i]["title"], expected[i][0]);
    // Teams sends the data back as the activity's value (no inputs in this card).
    SubmitData data;
    ASSERT_TRUE(ParseSubmitData(actions[i]["data"], &data));
    EXPECT_EQ(data.action, expected[i][1]);
    EXPECT_EQ(data.kr, "KR3");
    EXPECT_EQ(data.value, "");
  }
  EXPECT_EQ(actions[0]["style"], "positive");
  EXPECT_FALSE(actions[1].contains("style"));
  EXPECT_FALSE(actions[2].contains("style"));
}

TEST(AdaptiveCardTest, CheckInFormWithSubmitIsAFillableCard) {
  KeyResult kr;
  kr.number = 3;
  kr.text = "Increase NPS from 55 to 70";
  kr.target = 70;
  kr.current = 62;
  CardSubmit submit;
  submit.kr = "KR3";
  json card = AdaptiveCard(CheckInForm(kr), &submit);
  const json& body = card["body"];
  EXPECT_EQ(body[0]["text"], "Check in on KR3");

  json value = FindInput(card, kInputValue);
  ASSERT_TRUE(value.is_object());
  EXPECT_EQ(value["value"], "62");
  EXPECT_EQ(value["label"], "New value");
  EXPECT_EQ(value["placeholder"], "e.g. 62 or +5");
  EXPECT_EQ(value["isMultiline"], false);
  EXPECT_FALSE(value.contains("maxLength"));

  json confidence = FindInput(card, kInputConfidence);
  ASSERT_TRUE(confidence.is_object());
  EXPECT_FALSE(confidence.contains("value"));  // no initial value: nothing prefilled
  EXPECT_EQ(confidence["placeholder"], "high");

  json note = FindInput(card, kInputNote);
  ASSERT_TRUE(note.is_object());
  EXPECT_EQ(note["isMultiline"], true);
  EXPECT_EQ(note["maxLength"], 1000);
  EXPECT_EQ(note["label"], "Note (optional)");

  // The Save button comes after the inputs.
  const json& last = body.back();
  ASSERT_EQ(last["type"], "ActionSet");
  ASSERT_EQ(last["actions"].size(), 1u);
  const json& save = last["actions"][0];
  EXPECT_EQ(save["type"], "Action.Submit");
  EXPECT_EQ(save["title"], "Save");
  EXPECT_EQ(save["style"], "positive");
  EXPECT_EQ(body[body.size() - 2]["id"], kInputNote);

  // Teams merges the inputs into the data; the bot reads both back.
  json sent = save["data"];
  sent[kInputValue] = "65";
  sent[kInputConfidence] = "high";
  sent[kInputNote] = "survey results";
  SubmitData data;
  ASSERT_TRUE(ParseSubmitData(sent, &data));
  EXPECT_EQ(data.action, kActionCheckInSubmit);
  EXPECT_EQ(data.kr, "KR3");
  EXPECT_EQ(data.value, "65");
  EXPECT_EQ(data.confidence, "high");
  EXPECT_EQ(data.note, "survey results");
}

TEST(AdaptiveCardTest, CustomSubmitTitleAndAction) {
  Reply r;
  r.Inputs({{kInputValue, "New value", "", "", false}});
  CardSubmit submit{"Check in", "custom.action", "KR9"};
  const json save = AdaptiveCard(r, &submit)["body"].back()["actions"][0];
  EXPECT_EQ(save["title"], "Check in");
  EXPECT_EQ(save["data"], json({{kDataAction, "custom.action"}, {kDataKr, "KR9"}}));
}

TEST(AdaptiveCardTest, InputsWithoutSubmitAreRenderedWithoutSaveButton) {
  Reply r;
  r.Inputs({{kInputValue, "New value", "", "", false}, {kInputNote, "Note", "", "", true}});
  json body = AdaptiveCard(r)["body"];
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0]["type"], "Input.Text");
  EXPECT_EQ(body[0]["id"], kInputValue);
  EXPECT_FALSE(body[0].contains("value"));
  EXPECT_FALSE(body[0].contains("placeholder"));
  EXPECT_EQ(body[1]["id"], kInputNote);
  for (const auto& element : body) EXPECT_NE(element["type"], "ActionSet");
}

TEST(AdaptiveCardTest, SubmitWithoutInputsAddsNoSaveButton) {
  Reply r;
  r.Text("nothing to fill in");
  CardSubmit submit;
  EXPECT_EQ(AdaptiveCard(r, &submit)["body"].size(), 1u);
}

TEST(AdaptiveCardTest, ErrorColoursTheFirstTextBlock) {
  Reply r;
  r.is_error = true;
  r.Fields({{"KR", "KR9"}}).Text("No key result KR9.").Text("Try /okr list.");
  json body = AdaptiveCard(r)["body"];
  ASSERT_EQ(body.size(), 3u);
  EXPECT_FALSE(body[0].contains("color"));  // a FactSet has no colour
  EXPECT_EQ(body[1]["color"], "Attention");
  EXPECT_FALSE(body[2].contains("color"));

  r.is_error = false;
  json plain = AdaptiveCard(r);
  for (const auto& element : plain["body"]) EXPECT_FALSE(element.contains("color"));
}

TEST(AdaptiveCardTest, FallbackTextIsThePlainText) {
  Reply r;
  r.Header("Weekly").Text("2 due").List({"KR1"}).Actions({{"Update", "checkin.update", "KR1"}});
  EXPECT_EQ(AdaptiveCard(r)["fallbackText"], RenderPlainText(r));
  EXPECT_EQ(AdaptiveCard(r)["fallbackText"], "== Weekly ==\n2 due\n• KR1\n[Update]\n");
}

TEST(AdaptiveCardTest, LongFallbackTextIsCutAtACharacterBoundary) {
  Reply r;
  // 602 bytes of "x…x\n" put byte 997 (the cut before "…") inside a two-byte "ü".
  r.Text(std::string(601, 'x'));
  std::string umlauts;
  for (int i = 0; i < 700; ++i) umlauts += "ü";
  r.Text(umlauts);
  std::string fallback = AdaptiveCard(r)["fallbackText"];
  EXPECT_LE(fallback.size(), 1000u);
  EXPECT_GT(fallback.size(), 900u);
  EXPECT_TRUE(IsValidUtf8(fallback));
  EXPECT_EQ(fallback.substr(0, 20), RenderPlainText(r).substr(0, 20));
  EXPECT_EQ(fallback.substr(fallback.size() - 3), "…");
}

TEST(AdaptiveCardTest, MessageActivityCarriesTheCard) {
  Reply r;
  r.Header("Weekly check-in").Text("2 due");
  json activity = MessageActivity(r);
  EXPECT_EQ(activity["type"], "message");
  EXPECT_EQ(activity["summary"], "Weekly check-in");
  EXPECT_EQ(activity["summary"], r.Summary());
  ASSERT_EQ(activity["attachments"].size(), 1u);
  const json& attachment = activity["attachments"][0];
  EXPECT_EQ(attachment["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(attachment["content"], AdaptiveCard(r));
}

TEST(AdaptiveCardTest, MessageActivityPassesTheSubmitOn) {
  Reply r;
  r.Inputs({{kInputValue, "New value", "", "", false}});
  CardSubmit submit;
  submit.kr = "KR2";
  json content = MessageActivity(r, &submit)["attachments"][0]["content"];
  EXPECT_EQ(content["body"].back()["actions"][0]["data"][kDataKr], "KR2");
}

TEST(AdaptiveCardTest, SmallCardsAreNotShortened) {
  Reply r;
  std::vector<std::string> items;
  for (int i = 0; i < 100; ++i) items.push_back("KR" + std::to_string(i));
  r.Header("All key results").List(items);
  json body = AdaptiveCard(r)["body"];
  ASSERT_EQ(body.size(), 101u);
  EXPECT_EQ(body.back()["text"], "• KR99");
}

TEST(AdaptiveCardTest, OversizeCardsAreShortenedToFit) {
  Reply r;
  std::vector<std::string> items;
  for (int i = 0; i < 2000; ++i) items.push_back("KR" + std::to_string(i) + " Increase NPS to 70");
  r.Header("All key results").List(items).Context("Type /okr help for all commands.");
  json card = AdaptiveCard(r);

  std::string serialized = Dump(card);
  EXPECT_LE(serialized.size(), kMaxCardBytes);
  json parsed = json::parse(serialized, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed, card);

  const json& body = card["body"];
  ASSERT_GT(body.size(), 10u);
  ASSERT_LT(body.size(), 2002u);
  EXPECT_EQ(body[0]["text"], "All key results");
  EXPECT_EQ(body[0]["weight"], "Bolder");
  // What is kept is the beginning, in order; the end says it was shortened.
  for (size_t i = 1; i + 1 < body.size(); ++i) {
    EXPECT_EQ(body[i]["text"], "• KR" + std::to_string(i - 1) + " Increase NPS to 70");
  }
  EXPECT_EQ(body.back()["text"], "(Shortened: the full answer is too long for one Teams message.)");
  // Nearly full: elements are only dropped while needed.
  EXPECT_GT(serialized.size(), kMaxCardBytes - 200);

  std::string activity = Dump(MessageActivity(r));
  EXPECT_LT(activity.size(), 28000u);
}

TEST(AdaptiveCardTest, AHugeFirstHeaderIsKeptButCut) {
  Reply r;
  std::string header;
  for (int i = 0; i < 20000; ++i) header += "é";
  r.Header(header).Text("body text");
  json card = AdaptiveCard(r);
  EXPECT_LE(Dump(card).size(), kMaxCardBytes);
  const json& body = card["body"];
  ASSERT_EQ(body.size(), 2u);
  std::string kept = body[0]["text"];
  EXPECT_EQ(body[0]["weight"], "Bolder");
  EXPECT_EQ(kept.substr(0, 4), "éé");
  EXPECT_LE(kept.size(), 1000u);
  EXPECT_TRUE(IsValidUtf8(kept));
  EXPECT_EQ(body[1]["text"], "(Shortened: the full answer is too long for one Teams message.)");
}

TEST(ParseSubmitDataTest, RejectsWhatIsNotASubmit) {
  SubmitData data;
  data.action = "untouched";
  EXPECT_FALSE(ParseSubmitData(json(nullptr), &data));
  EXPECT_FALSE(ParseSubmitData(json("checkin.update"), &data));
  EXPECT_FALSE(ParseSubmitData(json::array({kDataAction, "checkin.update"}), &data));
  EXPECT_FALSE(ParseSubmitData(json::object(), &data));
  EXPECT_FALSE(ParseSubmitData(json({{kDataKr, "KR3"}, {kInputValue, "5"}}), &data));
  EXPECT_FALSE(ParseSubmitData(json({{kDataAction, 7}, {kDataKr, "KR3"}}), &data));
  EXPECT_FALSE(ParseSubmitData(json({{kDataAction, nullptr}}), &data));
  EXPECT_FALSE(ParseSubmitData(json({{kDataAction, json::array({"checkin.update"})}}), &data));
  EXPECT_EQ(data.action, "untouched");
}

TEST(ParseSubmitDataTest, NonStringFieldsAreMissing) {
  json value = {{kDataAction, "checkin.submit"},
                {kDataKr, 3},
                {kInputValue, 62.5},
                {kInputConfidence, json::object()},
                {kInputNote, nullptr}};
  SubmitData data;
  data.kr = "stale";
  ASSERT_TRUE(ParseSubmitData(value, &data));
  EXPECT_EQ(data.action, "checkin.submit");
  EXPECT_EQ(data.kr, "");
  EXPECT_EQ(data.value, "");
  EXPECT_EQ(data.confidence, "");
  EXPECT_EQ(data.note, "");
}

TEST(ParseSubmitDataTest, ReadsWhatTeamsSends) {
  json value = json::parse(
      R"({"okrbot":"checkin.submit","kr":"KR3","value":"done","confidence":"80","note":"ü\nok",
          "extra":"ignored"})");
  SubmitData data;
  ASSERT_TRUE(ParseSubmitData(value, &data));
  EXPECT_EQ(data.action, "checkin.submit");
  EXPECT_EQ(data.kr, "KR3");
  EXPECT_EQ(data.value, "done");
  EXPECT_EQ(data.confidence, "80");
  EXPECT_EQ(data.note, "ü\nok");
}

TEST(AdaptiveCardTest, ChartsAreImagesOrTheirTextAlternative) {
  Reply r;
  r.Image("KR3 · NPS", "Now 42.", "<svg/>", 600, 300);
  nlohmann::json card = AdaptiveCard(r);
  ASSERT_EQ(card["body"].size(), 1u);
  EXPECT_EQ(card["body"][0]["type"], "TextBlock");
  EXPECT_EQ(card["body"][0]["text"], "KR3 · NPS: Now 42.");
  r.blocks[0].image_url = "https://okr.example.com/charts/k.png";
  card = AdaptiveCard(r);
  EXPECT_EQ(card["body"][0]["type"], "Image");
  EXPECT_EQ(card["body"][0]["url"], "https://okr.example.com/charts/k.png");
  EXPECT_EQ(card["body"][0]["altText"], "KR3 · NPS: Now 42.");
}

}  // namespace
}  // namespace okrbot::teams
