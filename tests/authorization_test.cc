// The authorization matrix (SPEC §2, SECURITY.md): who may create, edit, update, archive,
// snooze, plan, change reminders and admins, and read — row by row, on a fresh workspace per
// cell, through Bot::Handle as every platform reaches it. A refused command must answer with an
// error and leave the workspace's OKRs, history and settings exactly as they were (compared
// through a full export); nobody of another workspace can see or change anything, whatever ids
// they send.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/bot.h"
#include "bot/portable.h"
#include "bot/text_render.h"
#include "storage/open_store.h"

namespace okrbot {
namespace {

constexpr char kWorkspace[] = "slack:TACME";
constexpr char kOtherWorkspace[] = "slack:TGLOBEX";

enum Role { kKrOwner, kObjectiveOwner, kListedAdmin, kPlatformAdmin, kMember, kOutsider };
const char* RoleName(Role role) {
  switch (role) {
    case kKrOwner:
      return "KR owner";
    case kObjectiveOwner:
      return "objective owner";
    case kListedAdmin:
      return "okrbot admin (admin list)";
    case kPlatformAdmin:
      return "platform admin";
    case kMember:
      return "member";
    case kOutsider:
      return "another workspace's admin";
  }
  return "?";
}
const std::vector<Role> kRoles = {kKrOwner,       kObjectiveOwner, kListedAdmin,
                                  kPlatformAdmin, kMember,         kOutsider};

Actor ActorFor(Role role) {
  switch (role) {
    case kKrOwner:
      return {kWorkspace, "UKROWNER", "Kim", "", false};
    case kObjectiveOwner:
      return {kWorkspace, "UOWNER", "Olga", "", false};
    case kListedAdmin:
      return {kWorkspace, "UADMIN", "Ada", "", false};
    case kPlatformAdmin:
      return {kWorkspace, "UPLATFORM", "Pat", "", true};
    case kMember:
      return {kWorkspace, "UMEMBER", "Max", "", false};
    case kOutsider:
      return {kOtherWorkspace, "UOUTSIDER", "Otto", "", true};
  }
  return {};
}

class AuthorizationTest : public ::testing::Test {
 protected:
  // A fresh workspace: O1 owned (and created) by Olga, KR1 in it owned by Kim, initiative I1,
  // Ada on the okrbot admin list. The other workspace has its own O1/KR1 for the outsider.
  void Fresh() {
    auto opened = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate().ok());
    bot_ = std::make_unique<Bot>(store_.get(), &clock_);
    ASSERT_TRUE(bot_->EnsureWorkspace(kWorkspace, "slack", "Acme").ok());
    ASSERT_TRUE(bot_->EnsureWorkspace(kOtherWorkspace, "slack", "Globex").ok());
    Actor platform_admin = ActorFor(kPlatformAdmin);
    Actor owner = ActorFor(kObjectiveOwner);
    for (const auto& [actor, command] : std::vector<std::pair<Actor, std::string>>{
             {platform_admin, "admin add <@UADMIN>"},
             {owner, "objective add \"Acme grows revenue\""},
             {owner, "kr add O1 \"Increase MRR from 10 to 20\" owner:<@UKROWNER>"},
             {owner, "initiative add KR1 \"Call 20 leads\""},
             {owner, "update KR1 12"},
             {ActorFor(kOutsider), "objective add \"Globex plan\""},
             {ActorFor(kOutsider), "kr add O1 \"Increase sales from 1 to 2\""}}) {
      Reply reply = bot_->Handle(actor, command);
      ASSERT_FALSE(reply.is_error) << command << ": " << RenderPlainText(reply);
    }
  }

  // Everything of the workspace except its people's platform profiles (name, time zone),
  // which every verified request refreshes before the command runs, allowed or not.
  std::string Export(const std::string& workspace) {
    auto exported = ExportJson(store_.get(), workspace);
    EXPECT_TRUE(exported.ok());
    if (!exported.ok()) return "";
    nlohmann::json document = nlohmann::json::parse(*exported);
    for (auto& each : document["workspaces"]) each.erase("users");
    return document.dump(1);
  }

  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};  // 2026-11-02
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
};

struct Row {
  std::string command;
  std::vector<Role> allowed;  // everyone else is refused
  bool changes = true;        // false: a read, which changes nothing even when allowed
};

const std::vector<Role> kInWorkspace = {kKrOwner, kObjectiveOwner, kListedAdmin, kPlatformAdmin,
                                        kMember};
const std::vector<Role> kKrChangers = {kKrOwner, kObjectiveOwner, kListedAdmin, kPlatformAdmin};
const std::vector<Role> kObjectiveChangers = {kObjectiveOwner, kListedAdmin, kPlatformAdmin};
const std::vector<Role> kAdmins = {kListedAdmin, kPlatformAdmin};

const std::vector<Row> kMatrix = {
    // Creating
    {"objective add \"Another goal\"", kInWorkspace},
    {"kr add O1 \"Reduce churn from 5% to 3%\"", kObjectiveChangers},
    {"initiative add KR1 \"Write the launch email\"", kKrChangers},
    // Changing an objective
    {"edit O1 title:\"Grow revenue fast\"", kObjectiveChangers},
    {"archive O1", kObjectiveChangers},
    // Changing a key result
    {"update KR1 15", kKrChangers},
    {"edit KR1 to:25", kKrChangers},
    {"archive KR1", kKrChangers},
    {"snooze KR1 1w", kKrChangers},
    {"keep KR1", kKrChangers},
    {"initiative done I1", kKrChangers},
    // Workspace settings
    {"remind checkin monday 10:00", kAdmins},
    {"remind digest #okrs friday 16:00", kAdmins},
    {"remind off", kAdmins},
    {"admin add <@UMEMBER>", kAdmins},
    {"admin remove <@UADMIN>", kAdmins},
    // Reading: anyone in the workspace
    {"list", kInWorkspace, false},
    {"show O1", kInWorkspace, false},
    {"show KR1", kInWorkspace, false},
    {"tree", kInWorkspace, false},
    {"review O1", kInWorkspace, false},
    {"stale", kInWorkspace, false},
    {"summary", kInWorkspace, false},
    {"remind show", kInWorkspace, false},
    {"admin list", kInWorkspace, false},
};

TEST_F(AuthorizationTest, EveryRowOfTheMatrix) {
  for (const Row& row : kMatrix) {
    for (Role role : kRoles) {
      Fresh();
      if (HasFatalFailure()) return;
      const std::string before = Export(kWorkspace);
      const std::string other_before = Export(kOtherWorkspace);
      Reply reply = bot_->Handle(ActorFor(role), row.command);
      const std::string text = RenderPlainText(reply);
      const bool allowed =
          std::find(row.allowed.begin(), row.allowed.end(), role) != row.allowed.end();
      SCOPED_TRACE(row.command + " by the " + RoleName(role) + ": " + text);
      if (role == kOutsider) {
        // Ids name the outsider's own workspace's O1/KR1, which they may change as its admin;
        // Acme's data never changes and no answer shows any of it.
        EXPECT_EQ(Export(kWorkspace), before);
        EXPECT_EQ(text.find("Acme grows"), std::string::npos);
        EXPECT_EQ(text.find("MRR"), std::string::npos);
        continue;
      }
      EXPECT_EQ(Export(kOtherWorkspace), other_before);  // never the other workspace's data
      if (allowed) {
        EXPECT_FALSE(reply.is_error);
        if (row.changes) {
          EXPECT_NE(Export(kWorkspace), before);
        }
      } else {
        EXPECT_TRUE(reply.is_error);
        EXPECT_EQ(Export(kWorkspace), before);
      }
    }
  }
}

}  // namespace
}  // namespace okrbot
