// Every subcommand of SPEC §2 that needs no chat platform, driven through the console adapter
// (in process, so the clock can be set) on a real SQLite database file.
#include <gtest/gtest.h>

#include <sstream>

#include "adapters/console/console_adapter.h"
#include "bot/bot.h"
#include "storage/open_store.h"
#include "tests/test_util.h"

namespace okrbot {
namespace {

Seconds At(const std::string& iso) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(iso, &t)) << iso;
  return t;
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://" + dir_.File("okrbot.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    bot_ = std::make_unique<Bot>(store_.get(), &clock_);
    ASSERT_TRUE(bot_->EnsureWorkspace("console:local", "console", "Console").ok());
  }

  // Runs the lines as `user` and returns everything printed.
  std::string Run(const std::string& lines, const std::string& user = "alice", bool admin = false) {
    ConsoleOptions options;
    options.user = user;
    options.admin = admin;
    std::istringstream in(lines);
    std::ostringstream out;
    last_errors_ = RunConsole(bot_.get(), options, in, out);
    return out.str();
  }

  // Alice's objective O1 with two KRs: KR1 (NPS 55 -> 70, owner bob), KR2 (binary, alice).
  void Seed() {
    Run("objective add \"Delight our customers\" team:support\n"
        "kr add O1 \"Increase our NPS from 55 to 70\" owner:@bob\n"
        "kr add O1 \"Launch the new help center\"\n");
    ASSERT_EQ(last_errors_, 0);
  }

  testing::TempDir dir_;
  FakeClock clock_{At("2026-11-02T09:00:00Z")};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
  int last_errors_ = 0;
};

TEST_F(ConsoleTest, HelpListsEveryCommandAndExplainsOne) {
  std::string all = Run("help\n");
  for (const char* cmd : {"objective add", "kr add", "update", "list", "show", "tree",
                          "initiative add", "edit", "archive", "review", "stale", "summary",
                          "remind checkin", "snooze", "away", "todo", "tz"}) {
    EXPECT_NE(all.find("/okr " + std::string(cmd)), std::string::npos) << cmd;
  }
  std::string one = Run("help update\n");
  EXPECT_NE(one.find("Usage: /okr update <KR> <value>"), std::string::npos) << one;
  EXPECT_NE(one.find("/okr update KR1 62"), std::string::npos);
}

TEST_F(ConsoleTest, UnknownCommandAnswersWithHelpNotSilence) {
  std::string out = Run("/okr frobnicate KR1\n");
  EXPECT_EQ(last_errors_, 1);
  EXPECT_NE(out.find("error: `frobnicate` is not a command I know"), std::string::npos) << out;
  EXPECT_NE(out.find("/okr help"), std::string::npos);
}

TEST_F(ConsoleTest, ObjectiveAddAnswersWithItsId) {
  std::string out =
      Run("/okr objective add \"Delight our customers\" owner:@bob team:Support type:stretch\n");
  EXPECT_NE(out.find("Created O1: Delight our customers"), std::string::npos) << out;
  EXPECT_NE(out.find("Owner: @bob"), std::string::npos);
  EXPECT_NE(out.find("Cycle: 2026-Q4"), std::string::npos);
  EXPECT_NE(out.find("Type: stretch"), std::string::npos);
  EXPECT_NE(out.find("Team: support"), std::string::npos);
  std::string second =
      Run("objective add “Company goal” cycle:2027-Q1\n"
          "objective add \"Team goal\" parent:o2 cycle:2027-Q1\n");
  EXPECT_NE(second.find("Created O2: Company goal"), std::string::npos) << second;
  EXPECT_NE(second.find("Cycle: 2027-Q1"), std::string::npos);
  EXPECT_NE(second.find("Aligned under: O2"), std::string::npos);
}

TEST_F(ConsoleTest, ObjectiveAddMistakesShowTheUsageLine) {
  std::string out =
      Run("objective add \"Grow\" type:huge\n"
          "objective add \"Grow\" cycle:2026-Q9\n"
          "objective add \"Grow\" parent:O7\n"
          "objective add\n");
  EXPECT_EQ(last_errors_, 4);
  EXPECT_NE(out.find("`type:` is either stretch or committed"), std::string::npos) << out;
  EXPECT_NE(out.find("`2026-Q9` is not a cycle"), std::string::npos);
  EXPECT_NE(out.find("There is no objective O7"), std::string::npos);
  EXPECT_NE(out.find("Usage: /okr objective add \"<title>\""), std::string::npos);
  EXPECT_TRUE(store_->ListObjectives("console:local", {}).value().empty());
}

TEST_F(ConsoleTest, KrAddParsesTheMetricAndReviewsIt) {
  Seed();
  std::string good = Run("kr add O1 \"Increase our CSAT from 82% to 90%\" cadence:biweekly\n");
  EXPECT_NE(good.find("Added KR3 to O1"), std::string::npos) << good;
  EXPECT_NE(good.find("Metric: 82% → 90% (increase)"), std::string::npos) << good;
  EXPECT_NE(good.find("Cadence: biweekly"), std::string::npos);
  EXPECT_EQ(good.find("Review"), std::string::npos) << "a good KR gets no finding";

  std::string activity =
      Run("kr add O1 \"Schedule 95% of new customer onboarding calls within 5 days of signing\"\n");
  EXPECT_NE(activity.find("activity"), std::string::npos) << activity;
  EXPECT_NE(activity.find("95% of new customers have an onboarding date within 5 days"),
            std::string::npos);
  EXPECT_NE(activity.find("/okr keep KR4"), std::string::npos);

  std::string options = Run("kr add o-1 \"Grow weekly active teams\" from:120 to:200 unit:teams\n");
  EXPECT_NE(options.find("Metric: 120 teams → 200 teams (increase)"), std::string::npos) << options;
}

TEST_F(ConsoleTest, KrAddMistakes) {
  Seed();
  std::string out =
      Run("kr add O9 \"Increase NPS from 1 to 2\"\n"
          "kr add KR1 \"Increase NPS from 1 to 2\"\n"
          "kr add O1 \"x\" from:lots\n"
          "kr add O1 \"x\" cadence:hourly\n"
          "kr add O1\n");
  EXPECT_EQ(last_errors_, 5);
  EXPECT_NE(out.find("There is no objective O9"), std::string::npos) << out;
  EXPECT_NE(out.find("`KR1` is not an objective id like O1"), std::string::npos);
  EXPECT_NE(out.find("`from:lots` is not a number"), std::string::npos);
  EXPECT_NE(out.find("`cadence:` is weekly, biweekly or monthly"), std::string::npos);
  EXPECT_NE(out.find("Usage: /okr kr add <O>"), std::string::npos);
  EXPECT_EQ(store_->ListKeyResults("console:local", {}).value().size(), 2u);
}

TEST_F(ConsoleTest, UpdateRecordsACheckInWithProgressAndDelta) {
  Seed();
  std::string first = Run("update KR1 62 confidence:high new onboarding flow live\n", "bob");
  EXPECT_NE(first.find("KR1 updated: 62"), std::string::npos) << first;
  EXPECT_NE(first.find("████▋░░░░░ 47%"), std::string::npos);
  EXPECT_NE(first.find("Score: 0.47"), std::string::npos);
  EXPECT_NE(first.find("Change: first check-in"), std::string::npos);
  EXPECT_NE(first.find("Confidence: 80% (high)"), std::string::npos);
  EXPECT_NE(first.find("Note: new onboarding flow live"), std::string::npos);
  clock_.Advance(std::chrono::hours(24 * 7));
  std::string relative = Run("update kr-1 +5\n", "bob");
  EXPECT_NE(relative.find("KR1 updated: 67"), std::string::npos) << relative;
  EXPECT_NE(relative.find("Change: +5 since last check-in"), std::string::npos);
  std::string down = Run("update KR1 -2 confidence:30\n", "bob");
  EXPECT_NE(down.find("KR1 updated: 65"), std::string::npos) << down;
  EXPECT_NE(down.find("Change: −2 since last check-in"), std::string::npos);
  std::string binary = Run("update KR2 done\n");
  EXPECT_NE(binary.find("KR2 updated: done"), std::string::npos) << binary;
  EXPECT_NE(binary.find("Score: 1.00"), std::string::npos);
  std::string undone = Run("update KR2 not done\n");
  EXPECT_NE(undone.find("KR2 updated: not done"), std::string::npos) << undone;
  EXPECT_EQ(store_->ListCheckIns("console:local", 1, 0).value().size(), 3u);
}

TEST_F(ConsoleTest, UpdateMistakesStoreNothing) {
  Seed();
  std::string out =
      Run("update KR1 lots\n"
          "update KR1 done\n"
          "update KR2 0.5\n"
          "update KR9 5\n"
          "update KR1 5 confidence:200\n"
          "update KR1\n",
          "bob");
  EXPECT_EQ(last_errors_, 6) << out;
  EXPECT_NE(out.find("`lots` is not a value"), std::string::npos) << out;
  EXPECT_NE(out.find("KR1 is measured by a number"), std::string::npos);
  EXPECT_NE(out.find("There is no key result KR9"), std::string::npos);
  EXPECT_NE(out.find("`confidence:` is 0–100"), std::string::npos);
  EXPECT_NE(out.find("Usage: /okr update <KR> <value>"), std::string::npos);
  EXPECT_TRUE(store_->ListCheckIns("console:local", 1, 0).value().empty());
  EXPECT_FALSE(store_->GetKeyResult("console:local", 1).value().current.has_value());
}

TEST_F(ConsoleTest, OnlyOwnersAndAdminsUpdate) {
  Seed();
  std::string carol = Run("update KR1 60\n", "carol");
  EXPECT_NE(carol.find("Only @bob (the owner)"), std::string::npos) << carol;
  EXPECT_TRUE(store_->ListCheckIns("console:local", 1, 0).value().empty());
  EXPECT_NE(Run("update KR1 60\n", "alice").find("KR1 updated"), std::string::npos)
      << "the objective's owner may update";
  EXPECT_NE(Run("update KR1 61\n", "carol", /*admin=*/true).find("KR1 updated"), std::string::npos)
      << "an admin may update";
  Run("admin add @dave\n", "alice", /*admin=*/true);
  EXPECT_NE(Run("update KR1 62\n", "dave").find("KR1 updated"), std::string::npos)
      << "the workspace admin list counts";
}

TEST_F(ConsoleTest, ListShowsObjectivesKrsProgressAndStaleness) {
  Seed();
  Run("update KR1 62\n", "bob");
  std::string all = Run("list\n");
  EXPECT_NE(all.find("O1 Delight our customers — 23% · @alice · team support"), std::string::npos)
      << all;
  EXPECT_NE(all.find("KR1 Increase our NPS from 55 to 70 — 62 / 70"), std::string::npos);
  EXPECT_NE(all.find("@bob · updated just now"), std::string::npos);
  clock_.Advance(std::chrono::hours(24 * 12));
  std::string later = Run("list mine\n", "bob");
  EXPECT_NE(later.find("STALE"), std::string::npos) << later;
  EXPECT_NE(Run("list @bob\n").find("O1 Delight"), std::string::npos);
  EXPECT_NE(Run("list team:support\n").find("O1 Delight"), std::string::npos);
  EXPECT_NE(Run("list O1\n").find("KR2 Launch the new help center"), std::string::npos);
  EXPECT_NE(Run("list mine\n", "zoe").find("No objectives for @zoe in 2026-Q4"), std::string::npos);
  EXPECT_NE(Run("list cycle:2027-Q1\n").find("No objectives in 2027-Q1"), std::string::npos);
  EXPECT_NE(Run("list KR1\n").find("not something I can list by"), std::string::npos);
}

TEST_F(ConsoleTest, ShowKrHasHistoryWithSparkline) {
  Seed();
  Run("update KR1 58\n", "bob");
  clock_.Advance(std::chrono::hours(24 * 7));
  Run("update KR1 64 confidence:medium\n", "bob");
  clock_.Advance(std::chrono::hours(24 * 7));
  Run("update KR1 70 done with phase one\n", "bob");
  std::string out = Run("show KR1\n");
  EXPECT_NE(out.find("== KR1: Increase our NPS from 55 to 70 =="), std::string::npos) << out;
  EXPECT_NE(out.find("Metric: 55 → 70 (increase)"), std::string::npos);
  EXPECT_NE(out.find("History ▁▅█"), std::string::npos);
  EXPECT_NE(out.find("2026-11-16  70  by @bob  — done with phase one"), std::string::npos);
  EXPECT_NE(out.find("confidence 50%"), std::string::npos);
  std::string objective = Run("show O1\n");
  EXPECT_NE(objective.find("== O1: Delight our customers =="), std::string::npos) << objective;
  EXPECT_NE(objective.find("Score: 0.50"), std::string::npos);
  EXPECT_NE(Run("show KR77\n").find("There is no key result KR77"), std::string::npos);
}

TEST_F(ConsoleTest, TreeRollsUpAlignedObjectives) {
  Run("objective add \"Company: grow revenue\"\n"
      "objective add \"Sales: close deals\" parent:O1 team:sales\n"
      "kr add O2 \"Increase deals from 0 to 10\"\n"
      "update KR1 5\n");
  std::string out = Run("tree\n");
  EXPECT_NE(out.find("O1 Company: grow revenue  █████░░░░░ 50%"), std::string::npos) << out;
  EXPECT_NE(out.find("    └ O2 Sales: close deals  █████░░░░░ 50%  team sales"), std::string::npos);
}

TEST_F(ConsoleTest, InitiativesBelongToKrs) {
  Seed();
  std::string added = Run("initiative add KR1 \"Run 50 customer interviews\"\n", "bob");
  EXPECT_NE(added.find("Added I1 to KR1"), std::string::npos) << added;
  EXPECT_NE(Run("show KR1\n").find("☐ I1 Run 50 customer interviews"), std::string::npos);
  EXPECT_NE(Run("initiative done I1\n", "bob").find("☑ I1 done"), std::string::npos);
  EXPECT_NE(Run("show KR1\n").find("☑ I1 Run 50 customer interviews"), std::string::npos);
  EXPECT_NE(Run("initiative done I9\n").find("There is no initiative I9"), std::string::npos);
}

TEST_F(ConsoleTest, EditChangesFieldsAndKeepsHistory) {
  Seed();
  std::string out = Run("edit KR1 to:75 owner:@carol\n");
  EXPECT_NE(out.find("Edited KR1"), std::string::npos) << out;
  EXPECT_NE(out.find("target: 70 → 75"), std::string::npos);
  EXPECT_NE(out.find("owner: bob → carol"), std::string::npos);
  std::string title = Run("edit O1 title:\"Delight every customer\" type:stretch\n");
  EXPECT_NE(title.find("title: Delight our customers → Delight every customer"), std::string::npos)
      << title;
  auto history = store_->ListEdits("console:local", "KR1").value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].author, "alice");
  EXPECT_NE(Run("edit KR1 to:75\n").find("Nothing changed"), std::string::npos);
  EXPECT_NE(Run("edit KR1 team:x\n").find("belongs to objectives"), std::string::npos);
  EXPECT_NE(Run("edit O1 parent:O1\n").find("cannot be aligned under itself"), std::string::npos);
  std::string denied = Run("edit O1 title:\"Mine now\"\n", "mallory");
  EXPECT_NE(denied.find("Only the owner of O1"), std::string::npos) << denied;
}

TEST_F(ConsoleTest, ArchiveHidesButDeletesNothing) {
  Seed();
  std::string out = Run("archive KR2\n");
  EXPECT_NE(out.find("Archived KR2"), std::string::npos) << out;
  EXPECT_EQ(Run("list\n").find("KR2"), std::string::npos);
  EXPECT_NE(Run("list archived:yes\n").find("KR2"), std::string::npos);
  EXPECT_NE(Run("update KR2 done\n").find("KR2 is archived"), std::string::npos);
  Run("archive O1\n");
  EXPECT_NE(Run("list\n").find("No objectives"), std::string::npos);
  EXPECT_TRUE(store_->GetObjective("console:local", 1).ok());
}

TEST_F(ConsoleTest, ReviewExplainsAndSuggests) {
  Seed();
  Run("kr add O1 \"NPS up 50 over previous quarter\"\n");
  std::string out = Run("review\n");
  EXPECT_NE(out.find("KR2 · binary"), std::string::npos) << out;
  EXPECT_NE(out.find("KR3 · no-baseline"), std::string::npos);
  EXPECT_EQ(out.find("KR1 ·"), std::string::npos) << "a good KR gets no finding";
  EXPECT_NE(Run("review O1\n").find("KR2 · binary"), std::string::npos);
  EXPECT_NE(Run("review mine\n", "bob").find("No findings"), std::string::npos);
  std::string kept = Run("keep KR2\n");
  EXPECT_NE(kept.find("Kept KR2 as written"), std::string::npos) << kept;
  EXPECT_TRUE(store_->GetKeyResult("console:local", 2).value().quality_kept);
}

TEST_F(ConsoleTest, StaleListsKrsPastCadencePlusGrace) {
  Seed();
  Run("update KR1 60\n", "bob");
  EXPECT_NE(Run("stale\n").find("Nothing is stale"), std::string::npos);
  clock_.Advance(std::chrono::hours(24 * 11));
  std::string out = Run("stale\n");
  EXPECT_NE(out.find("KR1 Increase our NPS from 55 to 70 · @bob · last check-in 11 days ago"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("KR2 Launch the new help center · @alice · no check-in"), std::string::npos);
  Run("away until:2026-12-01\n", "bob");
  EXPECT_EQ(Run("stale\n").find("KR1"), std::string::npos) << "away owners are not stale";
}

TEST_F(ConsoleTest, SummaryGoesToTheChannelWithScores) {
  Seed();
  Run("update KR1 70\nupdate KR2 done\n");
  // 2 November: the cycle is under way, so the summary is an interim report.
  std::string out = Run("summary\n");
  EXPECT_NE(out.find("[posted to channel]"), std::string::npos) << out;
  EXPECT_NE(out.find("OKR summary so far · 2026-Q4"), std::string::npos) << out;
  EXPECT_NE(out.find("days left"), std::string::npos) << out;
  EXPECT_NE(out.find("On track: 2 of 2"), std::string::npos) << out;
  EXPECT_EQ(out.find("too easy"), std::string::npos) << out;
  EXPECT_EQ(out.find("Time to draft"), std::string::npos) << out;
  // After the last day, the final summary with calibration and the next-cycle prompt.
  clock_.Advance(std::chrono::hours(24 * 61));
  out = Run("summary cycle:2026-Q4\n");
  EXPECT_NE(out.find("OKR summary · 2026-Q4"), std::string::npos) << out;
  EXPECT_NE(out.find("Key results at 0.7 or more: 2 of 2"), std::string::npos) << out;
  // O1 is committed: reaching 1.0 is its bar, not a sign of targets that were too easy.
  EXPECT_EQ(out.find("too easy"), std::string::npos) << out;
  EXPECT_NE(out.find("Calibration looks healthy"), std::string::npos) << out;
  EXPECT_NE(out.find("Time to draft 2027-Q1"), std::string::npos) << out;
}

TEST_F(ConsoleTest, TzValidatesIanaZones) {
  std::string out = Run("tz Pacific/Kiritimati\n");
  EXPECT_NE(out.find("Your time zone is now Pacific/Kiritimati"), std::string::npos) << out;
  EXPECT_NE(out.find("23:00"), std::string::npos) << "09:00Z is 23:00 at UTC+14";
  EXPECT_EQ(store_->GetUser("console:local", "alice").value().tz_override, "Pacific/Kiritimati");
  EXPECT_NE(Run("tz Mars/Olympus\n").find("not a time zone I know"), std::string::npos);
}

TEST_F(ConsoleTest, SnoozeAndAway) {
  Seed();
  EXPECT_NE(Run("snooze KR1 1w\n", "bob").find("Snoozed KR1 until 2026-11-09"), std::string::npos);
  EXPECT_NE(Run("snooze KR1 until:2026-12-01\n", "bob").find("until 2026-12-01"),
            std::string::npos);
  EXPECT_NE(Run("snooze KR1 soon\n", "bob").find("not a duration"), std::string::npos);
  EXPECT_NE(Run("snooze KR1 until:2020-01-01\n", "bob").find("has passed"), std::string::npos);
  EXPECT_NE(Run("snooze KR1 1w\n", "carol").find("Only the owner"), std::string::npos);
  EXPECT_NE(Run("away until:2026-12-24\n").find("away until 2026-12-24"), std::string::npos);
  EXPECT_NE(Run("away off\n").find("Welcome back"), std::string::npos);
  EXPECT_NE(Run("away until:tomorrow\n").find("not a date"), std::string::npos);
}

TEST_F(ConsoleTest, RemindShowAndChange) {
  std::string defaults = Run("remind show\n");
  EXPECT_NE(defaults.find("Check-in prompt: Monday 10:00 in each owner's time zone (default)"),
            std::string::npos)
      << defaults;
  Run("remind checkin tuesday 09:30\n"
      "remind digest #okrs fri 16:00 tz:Europe/Berlin\n");
  std::string shown = Run("remind show\n");
  EXPECT_NE(shown.find("Check-in prompt: Tuesday 09:30"), std::string::npos) << shown;
  EXPECT_NE(shown.find("Digest to #okrs: Friday 16:00 (Europe/Berlin)"), std::string::npos);
  EXPECT_NE(Run("remind checkin someday 10:00\n").find("not a day"), std::string::npos);
  EXPECT_NE(Run("remind checkin monday 25:00\n").find("not a time"), std::string::npos);
  Run("remind off\n");
  EXPECT_NE(Run("remind show\n").find("(off)"), std::string::npos);
}

TEST_F(ConsoleTest, RemindOffWorksBeforeAnyReminderWasSet) {
  EXPECT_NE(Run("remind off\n").find("Reminders are off"), std::string::npos);
  auto reminders = store_->ListReminders("console:local").value();
  ASSERT_EQ(reminders.size(), 1u) << "the default Monday prompt is stored, switched off";
  EXPECT_EQ(reminders[0].kind, "checkin");
  EXPECT_FALSE(reminders[0].enabled);
  EXPECT_NE(Run("remind show\n").find("(off)"), std::string::npos);
}

TEST_F(ConsoleTest, ListingAnUnknownPersonStoresNothing) {
  Run("help\n");  // the person typing is known from their first command on
  size_t before = store_->ListUsers("console:local").value().size();
  EXPECT_NE(Run("list @nobody\n").find("I don't know @nobody"), std::string::npos);
  EXPECT_EQ(store_->ListUsers("console:local").value().size(), before);
}

TEST_F(ConsoleTest, TodoShowsWhatNeedsMe) {
  Seed();
  std::string out = Run("todo\n");
  EXPECT_NE(out.find("Check-ins due:"), std::string::npos) << out;
  EXPECT_NE(out.find("KR2 Launch the new help center"), std::string::npos);
  EXPECT_NE(out.find("binary"), std::string::npos) << "quality findings on my KRs";
  Run("update KR1 60\n", "bob");
  EXPECT_NE(Run("todo\n", "bob").find("Nothing!"), std::string::npos);
}

TEST_F(ConsoleTest, MetaCommandsSwitchUser) {
  Seed();
  std::string out = Run(":user bob\nupdate KR1 60\n");
  EXPECT_NE(out.find("(now acting as bob)"), std::string::npos);
  EXPECT_NE(out.find("KR1 updated: 60"), std::string::npos) << out;
}

}  // namespace
}  // namespace okrbot
