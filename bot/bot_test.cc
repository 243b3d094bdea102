#include "bot/bot.h"

#include <gtest/gtest.h>

#include "bot/text_render.h"
#include "bot/web_tokens.h"
#include "storage/open_store.h"

namespace okrbot {
namespace {

class BotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    bot_ = std::make_unique<Bot>(store_.get(), &clock_);
    ASSERT_TRUE(bot_->EnsureWorkspace("slack:TA", "slack", "Acme").ok());
    ASSERT_TRUE(bot_->EnsureWorkspace("slack:TB", "slack", "Globex").ok());
  }

  std::string Say(const std::string& workspace, const std::string& user, const std::string& text,
                  bool* is_error = nullptr) {
    Reply r = bot_->Handle({workspace, user, user, "", false}, text);
    if (is_error != nullptr) *is_error = r.is_error;
    return RenderPlainText(r);
  }

  size_t Objectives(const std::string& ws) {
    ObjectiveFilter all;
    all.include_archived = true;
    return store_->ListObjectives(ws, all).value().size();
  }

  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};  // 2026-11-02
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
};

TEST_F(BotTest, AnotherWorkspacesIdsAreNotFound) {
  Say("slack:TA", "U1", "objective add \"Acme secret plan\"");
  Say("slack:TA", "U1", "kr add O1 \"Increase revenue from 1 to 2\"");
  bool error = false;
  for (const char* cmd : {"show O1", "show KR1", "update KR1 2", "edit KR1 to:3", "archive O1",
                          "kr add O1 \"Steal it from 1 to 2\"", "snooze KR1 1w", "keep KR1",
                          "initiative add KR1 \"x\"", "review O1", "list O1"}) {
    std::string out = Say("slack:TB", "U9", cmd, &error);
    EXPECT_TRUE(error) << cmd << ": " << out;
    EXPECT_EQ(out.find("Acme secret plan"), std::string::npos) << cmd;
  }
  EXPECT_EQ(Say("slack:TB", "U9", "list").find("Acme"), std::string::npos);
  EXPECT_EQ(Objectives("slack:TB"), 0u);
  EXPECT_TRUE(store_->ListCheckIns("slack:TA", 1, 0).value().empty());
  EXPECT_EQ(store_->GetKeyResult("slack:TA", 1).value().target, 2.0);
}

TEST_F(BotTest, UnknownOrUninstalledWorkspaceIsRefused) {
  bool error = false;
  std::string out = Say("slack:TZ", "U1", "list", &error);
  EXPECT_TRUE(error);
  EXPECT_NE(out.find("not set up"), std::string::npos);
  Workspace ws = store_->GetWorkspace("slack:TA").value();
  ws.installed = false;
  ASSERT_TRUE(store_->UpsertWorkspace(ws).ok());
  out = Say("slack:TA", "U1", "objective add \"x\"", &error);
  EXPECT_TRUE(error);
  EXPECT_NE(out.find("removed"), std::string::npos);
  EXPECT_EQ(Objectives("slack:TA"), 0u);
}

TEST_F(BotTest, HugeTitlesAreRefusedWhole) {
  bool error = false;
  std::string huge(10 * 1024, 'a');
  std::string out = Say("slack:TA", "U1", "objective add \"" + huge + "\"", &error);
  EXPECT_TRUE(error);
  EXPECT_NE(out.find("too long"), std::string::npos) << out.substr(0, 200);
  EXPECT_EQ(Objectives("slack:TA"), 0u);
  std::string huge_command(9000, 'x');
  out = Say("slack:TA", "U1", huge_command, &error);
  EXPECT_TRUE(error);
  EXPECT_NE(out.find("too long"), std::string::npos);
}

TEST_F(BotTest, ControlCharactersAreRefused) {
  bool error = false;
  for (std::string title : {std::string("Grow\x1b[31m red"), std::string("a\x01z"),
                            std::string("bell\x07"), std::string("nel\xC2\x85")}) {
    std::string out = Say("slack:TA", "U1", "objective add \"" + title + "\"", &error);
    EXPECT_TRUE(error) << out;
    EXPECT_NE(out.find("control characters"), std::string::npos) << out;
  }
  std::string out = Say("slack:TA", "U1", "objective add \"bad \xFF utf8\"", &error);
  EXPECT_TRUE(error);
  EXPECT_NE(out.find("UTF-8"), std::string::npos);
  EXPECT_EQ(Objectives("slack:TA"), 0u);
}

TEST_F(BotTest, EmojiAndSqlMetacharactersAreStoredVerbatim) {
  bool error = false;
  std::string out = Say("slack:TA", "U1",
                        "objective add \"Ship 🚀 it'; DROP TABLE objectives; -- \\ % _ \"", &error);
  EXPECT_FALSE(error) << out;
  auto objective = store_->GetObjective("slack:TA", 1);
  ASSERT_TRUE(objective.ok());
  EXPECT_EQ(objective->title, "Ship 🚀 it'; DROP TABLE objectives; -- \\ % _");
  EXPECT_NE(Say("slack:TA", "U1", "list").find("Ship 🚀 it'; DROP TABLE"), std::string::npos);
}

TEST_F(BotTest, MentionFormsResolveToUserIds) {
  Say("slack:TA", "U1", "objective add \"Grow\" owner:<@U2|bob>");
  EXPECT_EQ(store_->GetObjective("slack:TA", 1).value().owner, "U2");
  EXPECT_EQ(store_->GetUser("slack:TA", "U2").value().display_name, "bob");
  Say("slack:TA", "U1", "kr add O1 \"Increase NPS from 1 to 2\" owner:@bob", nullptr);
  EXPECT_EQ(store_->GetKeyResult("slack:TA", 1).value().owner, "U2") << "@name finds the user";
  bool error = false;
  std::string out = Say("slack:TA", "U2", "kr add O1 \"x from 1 to 2\" owner:<@>", &error);
  EXPECT_TRUE(error) << out;
}

TEST_F(BotTest, TooManyKrsIsFlaggedThenCapped) {
  Say("slack:TA", "U1", "objective add \"Grow\"");
  std::string sixth;
  for (int i = 1; i <= 6; ++i) {
    sixth = Say("slack:TA", "U1",
                "kr add O1 \"Increase metric " + std::to_string(i) + " from 1 to 2\"");
  }
  EXPECT_NE(sixth.find("too-many-krs"), std::string::npos) << sixth;
  for (int i = 7; i <= 25; ++i) Say("slack:TA", "U1", "kr add O1 \"Increase m from 1 to 2\"");
  bool error = false;
  std::string out = Say("slack:TA", "U1", "kr add O1 \"Increase m from 1 to 2\"", &error);
  EXPECT_TRUE(error);
  EXPECT_NE(out.find("already has 25 key results"), std::string::npos) << out;
}

TEST_F(BotTest, OnlyPlatformAdminsStartAChatWorkspacesAdminList) {
  bool error = false;
  std::string out = Say("slack:TA", "U1", "admin add <@U1|me>", &error);
  EXPECT_TRUE(error);
  EXPECT_NE(out.find("must be a workspace admin"), std::string::npos) << out;
  EXPECT_TRUE(store_->GetWorkspace("slack:TA")->admins.empty());
  Reply ok = bot_->Handle({"slack:TA", "UADMIN", "", "", /*platform_admin=*/true},
                          "admin add <@U2|carol>");
  EXPECT_FALSE(ok.is_error) << RenderPlainText(ok);
  EXPECT_EQ(store_->GetWorkspace("slack:TA")->admins, std::vector<std::string>{"U2"});
  EXPECT_FALSE(bot_->Handle({"slack:TA", "U2", "", "", false}, "admin add <@U3|dan>").is_error)
      << "a listed admin may add more";
}

// A request the platform delivered once more (a replay within the signature window, or a
// re-delivery) is answered clearly and changes nothing; reads are not recorded.
TEST_F(BotTest, ARepeatedRequestChangesNothingAndReadsAreNotRecorded) {
  Actor alice{"slack:TA", "U1", "alice", "", false, "trigger-1"};
  EXPECT_FALSE(bot_->Handle(alice, "objective add \"Grow\"").is_error);
  Reply repeated = bot_->Handle(alice, "objective add \"Grow\"");
  EXPECT_TRUE(repeated.is_error);
  EXPECT_NE(RenderPlainText(repeated).find("changes nothing"), std::string::npos)
      << RenderPlainText(repeated);
  EXPECT_EQ(Objectives("slack:TA"), 1u);

  alice.request_id = "trigger-2";
  EXPECT_FALSE(bot_->Handle(alice, "list").is_error);
  EXPECT_FALSE(bot_->Handle(alice, "list").is_error) << "reading twice is fine";
  EXPECT_FALSE(bot_->Handle(alice, "objective add \"Hire\"").is_error)
      << "a read under the same id did not use it up";
  EXPECT_EQ(Objectives("slack:TA"), 2u);

  alice.request_id = "trigger-3";
  EXPECT_FALSE(bot_->Handle(alice, "kr add O1 \"Increase NPS from 55 to 70\"").is_error);
  alice.request_id = "trigger-4";
  EXPECT_FALSE(bot_->Handle(alice, "update KR1 +5").is_error);
  Reply again = bot_->Handle(alice, "update KR1 +5");  // the check-in itself carries the id
  EXPECT_TRUE(again.is_error);
  EXPECT_NE(RenderPlainText(again).find("changes nothing"), std::string::npos);
  EXPECT_EQ(store_->GetKeyResult("slack:TA", 1)->current, 60);
  EXPECT_EQ(store_->ListCheckIns("slack:TA", 1, 0)->size(), 1u);

  Actor same_id_elsewhere{"slack:TB", "U1", "alice", "", false, "trigger-1"};
  EXPECT_FALSE(bot_->Handle(same_id_elsewhere, "objective add \"Grow\"").is_error)
      << "ids are per workspace";
  Actor no_id{"slack:TA", "U1", "alice", "", false, ""};
  EXPECT_FALSE(bot_->Handle(no_id, "objective add \"Ship\"").is_error);
  EXPECT_FALSE(bot_->Handle(no_id, "objective add \"Ship\"").is_error)
      << "without an id there is nothing to compare";
}

TEST_F(BotTest, ExactValuesFromButtonsAreStoredUnrounded) {
  Say("slack:TA", "U1", "objective add \"Grow\"");
  Say("slack:TA", "U1", "kr add O1 \"Increase ratio from 3 to 4\"");
  CheckInInput same{"KR1", "", "", "no change", 3.14159265};
  EXPECT_FALSE(bot_->SubmitCheckIn({"slack:TA", "U1", "", "", false}, same).is_error);
  EXPECT_DOUBLE_EQ(store_->GetKeyResult("slack:TA", 1)->current.value(), 3.14159265);
}

TEST_F(BotTest, FormCheckInsUseTheSameRulesAsUpdate) {
  Say("slack:TA", "U1", "objective add \"Grow\"");
  Say("slack:TA", "U1", "kr add O1 \"Increase NPS from 55 to 70\"");
  Actor owner{"slack:TA", "U1", "", "", false};
  Reply ok = bot_->SubmitCheckIn(
      owner, {"KR1", "62", "high", "line one\nline \"two\" (unbalanced", std::nullopt});
  ASSERT_FALSE(ok.is_error) << RenderPlainText(ok);
  auto stored = store_->ListCheckIns("slack:TA", 1, 0).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].note, "line one line \"two\" (unbalanced") << "notes are stored as typed";
  EXPECT_EQ(stored[0].confidence, 80);
  Actor stranger{"slack:TA", "U9", "", "", false};
  EXPECT_TRUE(bot_->SubmitCheckIn(stranger, {"KR1", "70", "", "", std::nullopt}).is_error);
  EXPECT_TRUE(bot_->SubmitCheckIn(owner, {"KR1", "lots", "", "", std::nullopt}).is_error);
  Actor other_workspace{"slack:TB", "U1", "", "", true};
  EXPECT_TRUE(bot_->SubmitCheckIn(other_workspace, {"KR1", "70", "", "", std::nullopt}).is_error);
  EXPECT_EQ(store_->ListCheckIns("slack:TA", 1, 0).value().size(), 1u);
}

TEST_F(BotTest, ShowOffersCheckInButtonsToWhoMayUpdate) {
  Say("slack:TA", "U1", "objective add \"Grow\"");
  Say("slack:TA", "U1", "kr add O1 \"Increase NPS from 55 to 70\"");
  EXPECT_NE(Say("slack:TA", "U1", "show KR1").find("[Update] [No change] [Snooze 1 week]"),
            std::string::npos);
  EXPECT_EQ(Say("slack:TA", "U9", "show KR1").find("[Update]"), std::string::npos);
}

}  // namespace
}  // namespace okrbot

namespace okrbot {
namespace {

TEST_F(BotTest, CheckInButtonsRecordSnoozeOrOpenTheForm) {
  Say("slack:TA", "U1", "objective add \"Grow\"");
  Say("slack:TA", "U1", "kr add O1 \"Increase weekly users from 100 to 200\"");
  Actor owner{"slack:TA", "U1", "U1", "", false};

  Reply first = bot_->PressCheckInButton(owner, kActionCheckInNoChange, "KR1");
  EXPECT_TRUE(first.is_error);
  EXPECT_NE(RenderPlainText(first).find("no value yet"), std::string::npos);

  Reply form = bot_->PressCheckInButton(owner, kActionCheckInUpdate, "kr-1");
  ASSERT_FALSE(form.is_error);
  bool has_inputs = false;
  for (const Block& block : form.blocks) has_inputs |= block.kind == BlockKind::kInputs;
  EXPECT_TRUE(has_inputs);

  Say("slack:TA", "U1", "update KR1 130");
  Reply same = bot_->PressCheckInButton(owner, kActionCheckInNoChange, "KR1");
  EXPECT_FALSE(same.is_error) << RenderPlainText(same);
  EXPECT_EQ(store_->ListCheckIns("slack:TA", 1, 100).value().size(), 2u);
  EXPECT_EQ(*store_->GetKeyResult("slack:TA", 1)->current, 130);

  Reply snoozed = bot_->PressCheckInButton(owner, kActionCheckInSnooze, "KR1");
  EXPECT_FALSE(snoozed.is_error);
  EXPECT_TRUE(store_->GetKeyResult("slack:TA", 1)->snoozed_until.has_value());

  // Someone else's workspace, an unknown KR, an unknown action: refused, nothing recorded.
  EXPECT_TRUE(
      bot_->PressCheckInButton({"slack:TB", "U9", "", "", false}, kActionCheckInNoChange, "KR1")
          .is_error);
  EXPECT_TRUE(bot_->PressCheckInButton(owner, kActionCheckInNoChange, "KR7").is_error);
  EXPECT_TRUE(bot_->PressCheckInButton(owner, "checkin.delete", "KR1").is_error);
  EXPECT_TRUE(bot_->PressCheckInButton(owner, kActionCheckInNoChange, "O1").is_error);
  EXPECT_EQ(store_->ListCheckIns("slack:TA", 1, 100).value().size(), 2u);
}

TEST_F(BotTest, PlatformTimeZoneIsKeptOnlyWhenKnown) {
  bot_->Handle({"slack:TA", "U5", "", "Mars/Olympus_Mons", false}, "list");
  EXPECT_EQ(store_->GetUser("slack:TA", "U5")->tz, "");
  bot_->Handle({"slack:TA", "U5", "", "Europe/Berlin", false}, "list");
  EXPECT_EQ(store_->GetUser("slack:TA", "U5")->tz, "Europe/Berlin");
}

}  // namespace
}  // namespace okrbot

namespace okrbot {
namespace {

TEST_F(BotTest, APersonOverTheCommandRateIsToldToSlowDownAndNothingChanges) {
  Say("slack:TA", "U1", "objective add \"Grow\"");
  Say("slack:TA", "U1", "kr add O1 \"Increase MRR from 10 to 20\"");
  for (int i = 0; i < 28; ++i) Say("slack:TA", "U1", "update KR1 " + std::to_string(11 + i % 5));
  bool error = false;
  std::string out = Say("slack:TA", "U1", "update KR1 19", &error);  // the 31st in a minute
  EXPECT_TRUE(error);
  EXPECT_NE(
      out.find("Slow down: you have sent more than 30 commands in a minute. Try again in 2 s"),
      std::string::npos)
      << out;
  EXPECT_EQ(store_->ListCheckIns("slack:TA", 1, 0).value().size(), 28u);
  // A button press and a form check-in count too, and are refused the same way.
  Actor u1{"slack:TA", "U1", "U1", "", false};
  EXPECT_TRUE(bot_->PressCheckInButton(u1, kActionCheckInNoChange, "KR1").is_error);
  EXPECT_TRUE(bot_->SubmitCheckIn(u1, CheckInInput{"KR1", "", "", "", 19}).is_error);
  EXPECT_EQ(store_->ListCheckIns("slack:TA", 1, 0).value().size(), 28u);
  // Someone else in the workspace is not affected.
  EXPECT_FALSE(bot_->Handle({"slack:TA", "U2", "U2", "", true}, "update KR1 19").is_error);
  // Two seconds later one more command is accepted.
  clock_.Advance(std::chrono::seconds(2));
  Say("slack:TA", "U1", "update KR1 20", &error);
  EXPECT_FALSE(error);
  Say("slack:TA", "U1", "list", &error);
  EXPECT_TRUE(error);
}

TEST_F(BotTest, AButtonThatRecordsACheckInCountsOnce) {
  Say("slack:TA", "U1", "objective add \"Grow\"");
  Say("slack:TA", "U1", "kr add O1 \"Increase MRR from 10 to 20\"");
  Say("slack:TA", "U1", "update KR1 12");
  Actor u1{"slack:TA", "U1", "U1", "", false};
  for (int i = 0; i < 27; ++i) {
    ASSERT_FALSE(bot_->PressCheckInButton(u1, kActionCheckInNoChange, "KR1").is_error) << i;
  }
  EXPECT_TRUE(bot_->PressCheckInButton(u1, kActionCheckInNoChange, "KR1").is_error);
  EXPECT_EQ(store_->ListCheckIns("slack:TA", 1, 0).value().size(), 28u);
}

TEST_F(BotTest, AWorkspaceOverItsRateIsToldToSlowDownAndOthersAreNot) {
  BotLimits limits;
  limits.workspace_commands_per_minute = 50;
  Bot bot(store_.get(), &clock_, limits);
  for (int i = 0; i < 50; ++i) {
    Actor someone{"slack:TA", "U" + std::to_string(i), "", "", false};
    ASSERT_FALSE(bot.Handle(someone, "list").is_error) << i;
  }
  Reply refused = bot.Handle({"slack:TA", "U99", "", "", false}, "objective add \"Late\"");
  EXPECT_TRUE(refused.is_error);
  EXPECT_NE(
      RenderPlainText(refused).find("Slow down: this workspace is sending okrbot more than 50 "
                                    "commands a minute. Try again in 2 s"),
      std::string::npos)
      << RenderPlainText(refused);
  EXPECT_EQ(Objectives("slack:TA"), 0u);
  EXPECT_FALSE(bot.Handle({"slack:TB", "U1", "", "", false}, "list").is_error);
}

TEST_F(BotTest, RateLimitsOfZeroAreOff) {
  BotLimits limits;
  limits.user_commands_per_minute = 0;
  limits.workspace_commands_per_minute = 0;
  Bot bot(store_.get(), &clock_, limits);
  for (int i = 0; i < 200; ++i) {
    ASSERT_FALSE(bot.Handle({"slack:TA", "U1", "", "", false}, "list").is_error) << i;
  }
}

TEST_F(BotTest, DashboardLinkIsPrivateOneTimeAndStoredOnlyAsAHash) {
  bool error = false;
  std::string out = Say("slack:TA", "U1", "dashboard", &error);
  EXPECT_TRUE(error) << "no public URL yet";
  EXPECT_NE(out.find("OKRBOT_PUBLIC_URL"), std::string::npos) << out;

  BotLimits limits;
  limits.public_url = "https://okr.example.com";
  bot_ = std::make_unique<Bot>(store_.get(), &clock_, limits);
  Say("slack:TA", "U1", "dashboard public:yes", &error);
  EXPECT_TRUE(error) << "a sign-in link cannot be posted to the channel";
  Reply reply = bot_->Handle({"slack:TA", "U1", "U1", "", false}, "dashboard");
  ASSERT_FALSE(reply.is_error) << RenderPlainText(reply);
  EXPECT_EQ(reply.visibility, Visibility::kPrivate)
      << "a sign-in link is never posted to a channel";
  std::string text = RenderPlainText(reply);
  const std::string prefix = "https://okr.example.com/app/login?t=";
  size_t at = text.find(prefix);
  ASSERT_NE(at, std::string::npos) << text;
  std::string secret = text.substr(at + prefix.size(), 64);
  EXPECT_EQ(store_->ConsumeWebLink(secret, clock_.Now()).status().code(), StatusCode::kNotFound)
      << "the store holds the hash, not the secret";
  Result<WebLink> link = store_->ConsumeWebLink(Sha256Hex(secret), clock_.Now());
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  EXPECT_EQ(link->workspace_id, "slack:TA");
  EXPECT_EQ(link->user_id, "U1");
  EXPECT_EQ(link->expires_at - link->created_at, std::chrono::seconds(600));

  Actor in_channel{"slack:TA", "U1", "U1", "", false};
  in_channel.shared_answer = true;
  Reply refused = bot_->Handle(in_channel, "dashboard");
  EXPECT_TRUE(refused.is_error);
  EXPECT_NE(RenderPlainText(refused).find("1:1 chat"), std::string::npos);
  EXPECT_EQ(RenderPlainText(refused).find("/app/login"), std::string::npos)
      << "where everyone would see it, no link is given";
}

}  // namespace
}  // namespace okrbot
