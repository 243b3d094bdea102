#include "bot/command.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(CommandTest, EverySubcommandOfTheSpecIsKnown) {
  for (const char* name : {"help",
                           "objective add",
                           "kr add",
                           "update",
                           "list",
                           "show",
                           "tree",
                           "initiative add",
                           "initiative done",
                           "edit",
                           "archive",
                           "review",
                           "stale",
                           "summary",
                           "remind checkin",
                           "remind digest",
                           "remind off",
                           "remind show",
                           "snooze",
                           "away",
                           "todo",
                           "tz",
                           "keep"}) {
    const CommandSpec* spec = FindCommand(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(spec->usage.rfind("/okr ", 0), 0u) << name;
    EXPECT_FALSE(spec->examples.empty()) << name;
  }
}

TEST(CommandTest, OnlyCommandsThatChangeNothingAreReadOnly) {
  for (const char* text : {"help", "list mine", "show KR1", "tree", "review", "stale", "todo",
                           "remind show", "admin list"}) {
    ParseOutcome parsed = ParseCommand(text);
    ASSERT_TRUE(parsed.ok) << text;
    EXPECT_TRUE(IsReadOnly(parsed.command)) << text;
  }
  for (const char* text :
       {"objective add \"Grow\"", "kr add O1 \"Increase NPS from 55 to 70\"", "update KR1 +5",
        "initiative add KR1 \"Interviews\"", "initiative done I1", "edit KR1 to:75", "archive KR1",
        "keep KR1", "summary", "remind checkin monday 10:00", "remind digest #okrs friday 16:00",
        "remind off", "snooze KR1 1w", "away until:2026-12-24", "tz Europe/Berlin",
        "admin add @carol"}) {
    ParseOutcome parsed = ParseCommand(text);
    ASSERT_TRUE(parsed.ok) << text << ": " << parsed.error;
    EXPECT_FALSE(IsReadOnly(parsed.command)) << text;
  }
}

TEST(CommandTest, LeadingOkrIsIgnored) {
  for (const char* text : {"/okr stale", "okr stale", "stale", "  STALE  "}) {
    auto out = ParseCommand(text);
    ASSERT_TRUE(out.ok) << text << ": " << out.error;
    EXPECT_EQ(out.command.spec->name, "stale");
  }
}

TEST(CommandTest, EmptyTextMeansHelp) {
  auto out = ParseCommand("/okr");
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(out.command.spec->name, "help");
}

TEST(CommandTest, TwoWordSubcommandWithOptions) {
  auto out = ParseCommand(R"(kr add o1 "Increase NPS from 55 to 70" owner:@bob cadence:monthly)");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.command.spec->name, "kr add");
  ASSERT_EQ(out.command.args.size(), 2u);
  EXPECT_EQ(out.command.args[0].text, "o1");
  EXPECT_EQ(out.command.get("owner"), "@bob");
  EXPECT_EQ(out.command.get("cadence"), "monthly");
}

TEST(CommandTest, UpdateKeepsTheNote) {
  auto out = ParseCommand("update KR1 +5 confidence:high shipped: the new flow");
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.command.args.size(), 2u);
  EXPECT_EQ(out.command.args[1].text, "+5");
  EXPECT_EQ(out.command.get("confidence"), "high");
  ASSERT_EQ(out.command.tail.size(), 4u);
  EXPECT_EQ(out.command.tail[0].Original(), "shipped:");
}

TEST(CommandTest, UnknownSubcommandIsNamed) {
  auto out = ParseCommand("frobnicate KR1");
  ASSERT_FALSE(out.ok);
  EXPECT_NE(out.error.find("frobnicate"), std::string::npos);
  EXPECT_EQ(out.spec, nullptr);
}

TEST(CommandTest, UnknownOptionPointsAtTheUsage) {
  auto out = ParseCommand(R"(objective add "Grow" colour:red)");
  ASSERT_FALSE(out.ok);
  EXPECT_NE(out.error.find("colour:"), std::string::npos);
  ASSERT_NE(out.spec, nullptr);
  EXPECT_EQ(out.spec->name, "objective add");
}

TEST(CommandTest, MissingArgumentsAndExtraWords) {
  auto missing = ParseCommand("kr add O1");
  ASSERT_FALSE(missing.ok);
  ASSERT_NE(missing.spec, nullptr);
  EXPECT_EQ(missing.spec->name, "kr add");
  auto extra = ParseCommand("show KR1 KR2");
  ASSERT_FALSE(extra.ok);
  EXPECT_NE(extra.error.find("KR2"), std::string::npos);
  auto twice = ParseCommand(R"(objective add "A" owner:@a owner:@b)");
  ASSERT_FALSE(twice.ok);
  EXPECT_NE(twice.error.find("twice"), std::string::npos);
}

TEST(CommandTest, GroupWordAloneAsksForTheSecondWord) {
  auto out = ParseCommand("kr");
  ASSERT_FALSE(out.ok);
  ASSERT_NE(out.spec, nullptr);
  EXPECT_EQ(out.spec->name, "kr add");
}

}  // namespace
}  // namespace okrbot
