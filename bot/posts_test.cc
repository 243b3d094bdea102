#include "bot/posts.h"

#include <gtest/gtest.h>

#include <string>

#include "bot/checkin_form.h"
#include "bot/text_render.h"

namespace okrbot {
namespace {

Seconds At(const std::string& iso) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(iso, &t)) << iso;
  return t;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// The text from the line starting with `start` up to (not including) the next line that is not a
// list item: one titled list of a post.
std::string Section(const std::string& text, const std::string& start) {
  size_t begin = text.find(start);
  if (begin == std::string::npos) return "";
  size_t end = text.find('\n', begin);
  while (end != std::string::npos && text.compare(end + 1, 3, "•") == 0) {
    end = text.find('\n', end + 1);
  }
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::vector<std::string> ButtonValues(const Reply& reply, const std::string& action) {
  std::vector<std::string> values;
  for (const Block& block : reply.blocks) {
    for (const Button& button : block.buttons) {
      if (button.action == action) values.push_back(button.value);
    }
  }
  return values;
}

// 2026-Q4 runs from 1 October to 31 December; 12 November is in week 7, 46% through.
class PostsTest : public ::testing::Test {
 protected:
  const Seconds now_ = At("2026-11-12T09:00:00Z");
  const Seconds period_start_ = At("2026-11-05T09:00:00Z");  // the previous digest

  void SetUp() override {
    customers_ = MakeObjective(1, "Delight our customers", "alice", GoalType::kStretch);
    revenue_ = MakeObjective(2, "Grow revenue", "carol", GoalType::kCommitted);

    nps_ = MakeKr(1, 1, "Increase our NPS from 55 to 70", "bob");
    nps_.baseline = 55;
    nps_.target = 70;
    nps_.current = 62;
    nps_.last_checkin_at = At("2026-11-10T08:00:00Z");

    help_center_ = MakeKr(2, 1, "Launch the new help center", "bob");
    help_center_.direction = Direction::kBinary;

    reply_time_ = MakeKr(3, 1, "Reduce first reply time from 30 min to 10 min", "bob");
    reply_time_.direction = Direction::kDecrease;
    reply_time_.baseline = 30;
    reply_time_.target = 10;
    reply_time_.unit = "min";
    reply_time_.current = 20;
    reply_time_.last_checkin_at = At("2026-11-09T08:00:00Z");

    onboarding_ = MakeKr(
        4, 1, "Schedule 95% of new customer onboarding calls within 5 days of signing", "bob");
    onboarding_.target = 95;
    onboarding_.unit = "%";
    onboarding_.current = 80;
    onboarding_.last_checkin_at = At("2026-11-09T08:00:00Z");

    arr_ = MakeKr(5, 2, "Grow ARR from $1M to $1.5M", "carol");
    arr_.baseline = 1e6;
    arr_.target = 1.5e6;
    arr_.unit = "$";
    arr_.current = 1.2e6;
    arr_.last_checkin_at = At("2026-11-11T08:00:00Z");

    churn_ = MakeKr(6, 2, "Cut monthly churn from 5% to 3%", "dave");
    churn_.direction = Direction::kDecrease;
    churn_.baseline = 5;
    churn_.target = 3;
    churn_.unit = "%";
    churn_.current = 4.8;
    churn_.last_checkin_at = At("2026-10-05T08:00:00Z");  // stale, but dave is away

    wau_ = MakeKr(7, 1, "Increase weekly active users from 10k to 15k", "frank");
    wau_.baseline = 10000;
    wau_.target = 15000;
    wau_.current = 12000;
    wau_.last_checkin_at = At("2026-11-01T08:00:00Z");  // 11 days: stale

    csat_ = MakeKr(8, 2, "Raise CSAT from 82% to 90%", "gina");
    csat_.baseline = 82;
    csat_.target = 90;
    csat_.unit = "%";
    csat_.current = 84.5;
    csat_.last_checkin_at = At("2026-10-20T08:00:00Z");  // 23 days: twice the weekly cadence
  }

  static Objective MakeObjective(int64_t number, const std::string& title, const std::string& owner,
                                 GoalType type) {
    Objective o;
    o.workspace_id = "console:local";
    o.number = number;
    o.title = title;
    o.owner = owner;
    o.cycle = "2026-Q4";
    o.type = type;
    o.created_at = At("2026-10-01T09:00:00Z");
    return o;
  }

  static KeyResult MakeKr(int64_t number, int64_t objective, const std::string& text,
                          const std::string& owner) {
    KeyResult kr;
    kr.workspace_id = "console:local";
    kr.number = number;
    kr.objective = objective;
    kr.text = text;
    kr.owner = owner;
    kr.created_at = At("2026-10-01T09:00:00Z");
    return kr;
  }

  static CheckIn MakeCheckIn(int64_t id, int64_t kr, double value, const std::string& author,
                             const std::string& at) {
    CheckIn c;
    c.workspace_id = "console:local";
    c.id = id;
    c.kr = kr;
    c.value = value;
    c.author = author;
    c.at = At(at);
    return c;
  }

  std::map<int64_t, Objective> ObjectivesByNumber() const {
    return {{1, customers_}, {2, revenue_}};
  }

  User Bob() const {
    User bob;
    bob.workspace_id = "console:local";
    bob.id = "bob";
    bob.display_name = "Bob";
    return bob;
  }

  Objective customers_, revenue_;
  KeyResult nps_, help_center_, reply_time_, onboarding_, arr_, churn_, wau_, csat_;
};

// ----- Weekly check-in prompt -----------------------------------------------------------------

TEST_F(PostsTest, PromptListsEachDueKrWithValueTargetProgressPaceAndButtons) {
  Reply reply = CheckInPrompt(Bob(), {nps_, help_center_, reply_time_}, ObjectivesByNumber(), now_,
                              1, /*follow_up=*/false, /*with_quality_hint=*/{});
  std::string text = RenderPlainText(reply);
  EXPECT_EQ(reply.visibility, Visibility::kPrivate);
  EXPECT_NE(text.find("== Weekly check-in =="), std::string::npos) << text;
  EXPECT_NE(text.find("Hi Bob, time for your weekly check-in: 3 key results are due."),
            std::string::npos)
      << text;

  // NPS 55 -> 70 at 62: 7 of 15 points, ahead of a stretch pace of 0.7 x 46%.
  EXPECT_NE(text.find("KR1 Increase our NPS from 55 to 70\n  O1 Delight our customers\n"
                      "Now: 62\nTarget: 70 (from 55)\nLast check-in: 2 days ago\n"
                      "Pace: on track (32% expected by now)\nProgress  "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("47%"), std::string::npos) << text;

  // The binary KR: done / not done, no check-in yet, behind the pace.
  EXPECT_NE(text.find("KR2 Launch the new help center\n  O1 Delight our customers\n"
                      "Now: no check-in yet\nTarget: done\nLast check-in: never\n"
                      "Pace: off track"),
            std::string::npos)
      << text;

  // The decrease KR: lower is better, from 30 min down to 10 min; at 20 min it is halfway.
  EXPECT_NE(text.find("Now: 20 min\nTarget: 10 min (down from 30 min)"), std::string::npos) << text;
  EXPECT_NE(text.find("50%"), std::string::npos) << text;

  // One set of buttons per KR, carrying its reference.
  EXPECT_EQ(Count(text, "[Update] [No change] [Snooze 1 week]"), 3u) << text;
  EXPECT_EQ(ButtonValues(reply, kActionCheckInUpdate),
            (std::vector<std::string>{"KR1", "KR2", "KR3"}));
  EXPECT_EQ(ButtonValues(reply, kActionCheckInNoChange),
            (std::vector<std::string>{"KR1", "KR2", "KR3"}));
  EXPECT_EQ(ButtonValues(reply, kActionCheckInSnooze),
            (std::vector<std::string>{"KR1", "KR2", "KR3"}));
  EXPECT_NE(text.find("/okr update <KR> <value>"), std::string::npos) << text;

  // Without a flagged KR there is no quality hint.
  EXPECT_EQ(text.find("done / not done at the end of the cycle"), std::string::npos) << text;
  EXPECT_EQ(text.find("/okr keep"), std::string::npos) << text;
}

TEST_F(PostsTest, PromptShowsABinaryKrThatIsDone) {
  KeyResult done = help_center_;
  done.current = 1;
  done.last_checkin_at = At("2026-11-11T09:00:00Z");
  std::string text =
      RenderPlainText(CheckInPrompt(Bob(), {done}, ObjectivesByNumber(), now_, 1, false, {}));
  EXPECT_NE(text.find("1 key result is due"), std::string::npos) << text;
  EXPECT_NE(text.find("Now: done\nTarget: done\nLast check-in: 1 day ago"), std::string::npos)
      << text;
  EXPECT_NE(text.find("100%"), std::string::npos) << text;
}

TEST_F(PostsTest, FollowUpIsGentlerAndSaysItIsTheLastThisWeek) {
  std::string text = RenderPlainText(
      CheckInPrompt(Bob(), {nps_, help_center_}, ObjectivesByNumber(), now_, 1, true, {}));
  EXPECT_NE(text.find("== Reminder: weekly check-in =="), std::string::npos) << text;
  EXPECT_EQ(text.find("== Weekly check-in =="), std::string::npos) << text;
  EXPECT_NE(text.find("Hi Bob, a gentle reminder: 2 key results are still waiting for this "
                      "week's check-in."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("I won't ask again this week."), std::string::npos) << text;
  EXPECT_EQ(Count(text, "[Update] [No change] [Snooze 1 week]"), 2u) << text;
}

TEST_F(PostsTest, QualityHintOnlyForFlaggedKrsNotKept) {
  std::vector<KeyResult> due = {nps_, help_center_, onboarding_};
  std::string flagged =
      RenderPlainText(CheckInPrompt(Bob(), due, ObjectivesByNumber(), now_, 1, false, {2, 4}));
  // The binary KR: its finding, the suggested rewrite, and how to keep or edit it, once.
  EXPECT_EQ(Count(flagged, "can only be judged done / not done at the end of the cycle"), 1u)
      << flagged;
  EXPECT_EQ(Count(flagged, "/okr keep KR2 "), 1u) << flagged;
  EXPECT_NE(flagged.find("/okr edit KR2 title:\"<new wording>\""), std::string::npos) << flagged;
  // The activity KR: the outcome form is suggested.
  EXPECT_NE(flagged.find("describes an activity (\"schedule\")"), std::string::npos) << flagged;
  EXPECT_NE(flagged.find("Suggestion: Write the outcome instead: \"95% of new customers have an "
                         "onboarding date within 5 days of signing\""),
            std::string::npos)
      << flagged;
  EXPECT_EQ(Count(flagged, "/okr keep KR4 "), 1u) << flagged;
  // NPS is a well-written KR and was not flagged.
  EXPECT_EQ(flagged.find("/okr keep KR1"), std::string::npos) << flagged;
  // The hint sits inside the KR's section, before its buttons.
  EXPECT_LT(flagged.find("/okr keep KR2"), flagged.find("KR4 Schedule")) << flagged;

  // Not flagged: no hint.
  std::string unflagged =
      RenderPlainText(CheckInPrompt(Bob(), due, ObjectivesByNumber(), now_, 1, false, {4}));
  EXPECT_EQ(unflagged.find("/okr keep KR2"), std::string::npos) << unflagged;
  EXPECT_NE(unflagged.find("/okr keep KR4"), std::string::npos) << unflagged;

  // Flagged, but the owner answered keep: no hint.
  KeyResult kept = help_center_;
  kept.quality_kept = true;
  std::string after_keep =
      RenderPlainText(CheckInPrompt(Bob(), {kept}, ObjectivesByNumber(), now_, 1, false, {2}));
  EXPECT_EQ(after_keep.find("done / not done at the end"), std::string::npos) << after_keep;
  EXPECT_EQ(after_keep.find("/okr keep"), std::string::npos) << after_keep;
}

TEST_F(PostsTest, PromptWithNothingDueIsShort) {
  KeyResult archived = nps_;
  archived.archived = true;
  Reply reply = CheckInPrompt(Bob(), {archived}, ObjectivesByNumber(), now_, 1, false, {});
  EXPECT_EQ(RenderPlainText(reply),
            "== Weekly check-in ==\n"
            "Hi Bob, nothing is due this week: your key results are up to date. ✅\n");
  EXPECT_TRUE(ButtonValues(reply, kActionCheckInUpdate).empty());
}

TEST_F(PostsTest, PromptWithoutTheObjectiveLeavesOutThePace) {
  User nameless;
  nameless.id = "U42";
  std::string text = RenderPlainText(CheckInPrompt(nameless, {nps_}, {}, now_, 1, false, {}));
  EXPECT_NE(text.find("Hi @U42,"), std::string::npos) << text;
  EXPECT_NE(text.find("KR1 Increase our NPS from 55 to 70\nNow: 62"), std::string::npos) << text;
  EXPECT_EQ(text.find("Pace:"), std::string::npos) << text;
  EXPECT_EQ(Count(text, "[Update]"), 1u) << text;
}

TEST_F(PostsTest, PromptSurvivesTheJobPayloadRoundTrip) {
  Reply reply =
      CheckInPrompt(Bob(), {nps_, help_center_}, ObjectivesByNumber(), now_, 1, false, {2});
  Result<Reply> restored = ReplyFromJson(ReplyToJson(reply));
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(RenderPlainText(*restored), RenderPlainText(reply));
  EXPECT_EQ(ButtonValues(*restored, kActionCheckInUpdate),
            (std::vector<std::string>{"KR1", "KR2"}));
}

// ----- Stale nudge and escalation -------------------------------------------------------------

TEST_F(PostsTest, StaleNudgeToTheOwnerSaysHowLongAndOffersButtons) {
  Reply reply = StaleNudge(wau_, customers_, now_, /*to_objective_owner=*/false);
  std::string text = RenderPlainText(reply);
  EXPECT_EQ(reply.visibility, Visibility::kPrivate);
  EXPECT_NE(text.find("== KR7 is waiting for a check-in =="), std::string::npos) << text;
  EXPECT_NE(text.find("KR7 \"Increase weekly active users from 10k to 15k\" has had no check-in "
                      "for 11 days; it is checked in weekly (every 7 days)."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Now: 12,000\nTarget: 15,000 (from 10,000)"), std::string::npos) << text;
  EXPECT_EQ(ButtonValues(reply, kActionCheckInUpdate), (std::vector<std::string>{"KR7"}));
  EXPECT_NE(text.find("/okr away until:<date>"), std::string::npos) << text;
}

TEST_F(PostsTest, StaleNudgeForAKrThatNeverHadACheckIn) {
  KeyResult monthly = help_center_;
  monthly.cadence = Cadence::kMonthly;
  std::string text = RenderPlainText(StaleNudge(monthly, customers_, now_, false));
  EXPECT_NE(text.find("has had no check-in since it was created 42 days ago; it is checked in "
                      "monthly (every 30 days)."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Now: no check-in yet\nTarget: done"), std::string::npos) << text;
}

TEST_F(PostsTest, EscalationGoesToTheObjectiveOwnerAndNamesTheKrOwner) {
  KeyResult quiet = nps_;
  quiet.last_checkin_at = At("2026-10-27T08:00:00Z");  // 16 days: cadence + more than a week
  Reply reply = StaleNudge(quiet, customers_, now_, /*to_objective_owner=*/true);
  std::string text = RenderPlainText(reply);
  EXPECT_NE(text.find("== KR1 has gone quiet =="), std::string::npos) << text;
  EXPECT_NE(text.find("KR1 \"Increase our NPS from 55 to 70\" under your objective O1 \"Delight "
                      "our customers\" has had no check-in for 16 days; it is checked in weekly"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Its owner is @bob"), std::string::npos) << text;
  EXPECT_NE(text.find("Owner: @bob"), std::string::npos) << text;
  EXPECT_NE(text.find("You are told because you own O1."), std::string::npos) << text;
  // Informing, not a check-in form: the objective owner gets no "No change" button.
  EXPECT_TRUE(ButtonValues(reply, kActionCheckInNoChange).empty());

  KeyResult ownerless = quiet;
  ownerless.owner.clear();
  std::string no_owner = RenderPlainText(StaleNudge(ownerless, customers_, now_, true));
  EXPECT_NE(no_owner.find("It has no owner, so nobody is asked for its check-in. Give it one: "
                          "/okr edit KR1 owner:@someone"),
            std::string::npos)
      << no_owner;
}

// ----- Quality nudge --------------------------------------------------------------------------

TEST_F(PostsTest, QualityNudgeShowsFindingRewriteAndHowToKeepOrEdit) {
  Reply reply = QualityNudge(onboarding_, ReviewKeyResult(onboarding_));
  std::string text = RenderPlainText(reply);
  EXPECT_EQ(reply.visibility, Visibility::kPrivate);
  EXPECT_NE(text.find("== A suggestion for KR4 =="), std::string::npos) << text;
  EXPECT_NE(text.find("describes an activity (\"schedule\"), not the outcome"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Suggestion: Write the outcome instead: \"95% of new customers have an "
                      "onboarding date within 5 days of signing\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/okr keep KR4 (these nudges stop)"), std::string::npos) << text;
  EXPECT_NE(text.find("/okr edit KR4 title:\"<new wording>\""), std::string::npos) << text;

  std::string binary = RenderPlainText(QualityNudge(help_center_, ReviewKeyResult(help_center_)));
  EXPECT_NE(binary.find("KR2 \"Launch the new help center\" can only be judged done / not done"),
            std::string::npos)
      << binary;
  EXPECT_NE(binary.find("/okr keep KR2"), std::string::npos) << binary;
}

TEST_F(PostsTest, QualityNudgeWithoutFindingsSaysSo) {
  std::string text = RenderPlainText(QualityNudge(nps_, {}));
  EXPECT_EQ(text,
            "== A suggestion for KR1 ==\n"
            "KR1 \"Increase our NPS from 55 to 70\"\n"
            "Nothing to suggest: it reads as a measurable outcome. 👍\n");
}

// ----- Channel digest -------------------------------------------------------------------------

class DigestTest : public PostsTest {
 protected:
  void SetUp() override {
    PostsTest::SetUp();
    help_center_.current = 1;  // done this week
    help_center_.last_checkin_at = At("2026-11-09T10:00:00Z");
    objectives_ = {customers_, revenue_};
    krs_ = {{1, {nps_, help_center_, reply_time_, wau_}}, {2, {arr_, churn_, csat_}}};
    checkins_ = {
        {1,
         {MakeCheckIn(12, 1, 62, "bob", "2026-11-10T08:00:00Z"),
          MakeCheckIn(10, 1, 58, "bob", "2026-10-29T08:00:00Z"),  // before the period: the start
          MakeCheckIn(11, 1, 60, "bob", "2026-11-06T08:00:00Z")}},
        {2, {MakeCheckIn(13, 2, 1, "bob", "2026-11-09T10:00:00Z")}},
        {3,
         {MakeCheckIn(8, 3, 25, "bob", "2026-10-26T08:00:00Z"),
          MakeCheckIn(14, 3, 20, "erin", "2026-11-09T08:00:00Z")}},  // erin, on bob's behalf
        {5, {MakeCheckIn(15, 5, 1.2e6, "carol", "2026-11-11T08:00:00Z")}},
        {99, {MakeCheckIn(16, 99, 3, "zed", "2026-11-11T08:00:00Z")}},  // not in this digest
    };
  }

  Reply Digest() const {
    return ChannelDigest("2026-Q4", objectives_, krs_, checkins_, period_start_, {"dave"}, now_, 1);
  }

  std::vector<Objective> objectives_;
  std::map<int64_t, std::vector<KeyResult>> krs_;
  std::map<int64_t, std::vector<CheckIn>> checkins_;
};

TEST_F(DigestTest, ShowsProgressPerObjectiveAndWhoCheckedIn) {
  Reply reply = Digest();
  std::string text = RenderPlainText(reply);
  EXPECT_EQ(reply.visibility, Visibility::kChannel);
  EXPECT_NE(text.find("== OKR digest · 2026-Q4 ==\n  Week 7 of 13 · 46% of the cycle has passed\n"),
            std::string::npos)
      << text;
  // O1: (0.47 + 1 + 0.5 + 0.4) / 4 = 0.59, against a stretch pace of 0.32.
  EXPECT_NE(text.find("O1 Delight our customers · 0.59 · on track  "), std::string::npos) << text;
  EXPECT_NE(text.find("O2 Grow revenue · 0.27 · at risk  "), std::string::npos) << text;
  // Authors of this period's check-ins, once each, sorted; zed's KR is not in the digest.
  EXPECT_NE(text.find("Checked in this week: @bob, @carol, @erin (5 check-ins)\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("@zed"), std::string::npos) << text;
}

TEST_F(DigestTest, MovedMostIsTheTopThreeByProgressGained) {
  std::string text = RenderPlainText(Digest());
  std::string moved = Section(text, "Moved most:");
  ASSERT_FALSE(moved.empty()) << text;
  // KR2 done (+1.00), KR5 $1M -> $1.2M of $1.5M (+0.40), KR1 58 -> 62 of 55..70 (+0.27);
  // KR3 30 -> 25 -> 20 min gained only +0.25 this week and is left out.
  EXPECT_EQ(moved,
            "Moved most:\n"
            "• KR2 Launch the new help center · +1.00 (no check-in → done) · @bob\n"
            "• KR5 Grow ARR from $1M to $1.5M · +0.40 (no check-in → $1.2M) · @carol\n"
            "• KR1 Increase our NPS from 55 to 70 · +0.27 (58 → 62) · @bob");
}

TEST_F(DigestTest, StaleLeavesOutAwayOwnersAndListsTwiceTheCadenceApart) {
  std::string text = RenderPlainText(Digest());
  std::string stale = Section(text, "Stale (");
  std::string long_stale = Section(text, "No check-in for twice the cadence");
  std::string away = Section(text, "Away,");
  EXPECT_EQ(stale,
            "Stale (no check-in within the cadence plus 3 days):\n"
            "• KR7 Increase weekly active users from 10k to 15k · @frank · no check-in for 11 days "
            "(weekly)")
      << text;
  EXPECT_EQ(long_stale,
            "No check-in for twice the cadence or longer:\n"
            "• KR8 Raise CSAT from 82% to 90% · @gina · no check-in for 23 days (weekly)")
      << text;
  // dave's churn KR has had no check-in for 38 days, but dave is away.
  EXPECT_EQ(away, "Away, so not counted as stale:\n• @dave is away (KR6)") << text;
  EXPECT_EQ(Count(text, "KR6"), 1u) << text;
}

TEST_F(DigestTest, QuietWeekAndNothingStale) {
  for (auto& [objective, krs] : krs_) {
    for (KeyResult& kr : krs) kr.last_checkin_at = At("2026-11-04T08:00:00Z");
  }
  std::string text =
      RenderPlainText(ChannelDigest("2026-Q4", objectives_, krs_, {}, period_start_, {}, now_, 1));
  EXPECT_NE(text.find("Nobody checked in this week.\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Moved most"), std::string::npos) << text;
  EXPECT_NE(text.find("Nothing is stale: every key result has a recent check-in."),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("Away"), std::string::npos) << text;
}

TEST_F(DigestTest, NoObjectivesGivesAShortPost) {
  Reply reply = ChannelDigest("2026-Q4", {}, {}, {}, period_start_, {}, now_, 1);
  EXPECT_EQ(reply.visibility, Visibility::kChannel);
  EXPECT_EQ(RenderPlainText(reply),
            "== OKR digest · 2026-Q4 ==\n"
            "No objectives in 2026-Q4 yet. Create one: /okr objective add \"<title>\"\n");
}

TEST_F(DigestTest, ArchivedObjectivesAndKrsAreLeftOut) {
  objectives_[1].archived = true;
  krs_[1][3].archived = true;  // WAU, otherwise stale
  std::string text = RenderPlainText(Digest());
  EXPECT_EQ(text.find("O2 Grow revenue"), std::string::npos) << text;
  EXPECT_EQ(text.find("KR7"), std::string::npos) << text;
  EXPECT_EQ(text.find("KR5"), std::string::npos) << text;
  EXPECT_NE(text.find("Checked in this week: @bob, @erin (4 check-ins)"), std::string::npos)
      << text;
}

// ----- Halfway reminder -----------------------------------------------------------------------

TEST_F(PostsTest, HalfwayReminderComparesScoresWithThePaceAndNamesWhatIsOffTrack) {
  std::map<int64_t, std::vector<KeyResult>> krs = {{1, {nps_, help_center_, wau_}},
                                                   {2, {arr_, churn_, csat_}}};
  Reply reply = HalfwayReminder("2026-Q4", {customers_, revenue_}, krs, now_, 1);
  std::string text = RenderPlainText(reply);
  EXPECT_EQ(reply.visibility, Visibility::kChannel);
  EXPECT_NE(text.find("== Halfway through 2026-Q4 ==\nWeek 7 of 13: half of 2026-Q4 is behind "
                      "us."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("O1 Delight our customers · 0.29 (0.32 expected) · on track  "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("O2 Grow revenue · 0.27 (0.46 expected) · at risk  "), std::string::npos)
      << text;
  EXPECT_EQ(Section(text, "Off track:"),
            "Off track:\n"
            "• KR2 Launch the new help center · 0.00 (0.32 expected) · @bob\n"
            "• KR6 Cut monthly churn from 5% to 3% · 0.10 (0.46 expected) · @dave")
      << text;
  EXPECT_EQ(Section(text, "At risk:"),
            "At risk:\n• KR8 Raise CSAT from 82% to 90% · 0.31 (0.46 expected) · @gina")
      << text;
  EXPECT_EQ(text.find("KR1 "), std::string::npos) << text;  // on track: not named
}

TEST_F(PostsTest, HalfwayReminderWhenAllIsWellOrEmpty) {
  std::string well =
      RenderPlainText(HalfwayReminder("2026-Q4", {customers_}, {{1, {nps_, wau_}}}, now_, 1));
  EXPECT_NE(well.find("Every key result is on track."), std::string::npos) << well;
  EXPECT_EQ(well.find("Off track:"), std::string::npos) << well;

  EXPECT_EQ(RenderPlainText(HalfwayReminder("2026-Q4", {}, {}, now_, 1)),
            "== Halfway through 2026-Q4 ==\n"
            "No objectives in 2026-Q4 to check at the halfway mark.\n");
}

// ----- End-of-cycle summary -------------------------------------------------------------------

TEST_F(PostsTest, SummaryScoresEveryKrAndObjective) {
  std::map<int64_t, std::vector<KeyResult>> krs = {{1, {nps_, help_center_, reply_time_}},
                                                   {2, {arr_}}};
  krs[1][1].current = 1;  // the help center launched
  krs[2][0].current = 1.5e6;
  Reply reply = CycleSummary("2026-Q4", {customers_, revenue_}, krs);
  std::string text = RenderPlainText(reply);
  EXPECT_EQ(reply.visibility, Visibility::kChannel);
  EXPECT_NE(text.find("== OKR summary · 2026-Q4 =="), std::string::npos) << text;
  EXPECT_NE(text.find("O1 Delight our customers · stretch · 0.66  "), std::string::npos) << text;
  EXPECT_NE(text.find("• KR1 Increase our NPS from 55 to 70 — 0.47 · @bob\n"
                      "• KR2 Launch the new help center — 1.00 · @bob\n"
                      "• KR3 Reduce first reply time from 30 min to 10 min — 0.50 · @bob\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("O2 Grow revenue · committed · 1.00 · goal met  "), std::string::npos)
      << text;
  EXPECT_NE(text.find("Key results at 0.7 or more: 2 of 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Objectives that met their goal: 1 of 2\n"), std::string::npos) << text;
  size_t findings =
      ReviewObjective(customers_, krs[1]).size() + ReviewObjective(revenue_, krs[2]).size();
  ASSERT_GT(findings, 0u);  // at least the binary help-center KR
  EXPECT_NE(text.find("Quality findings: " + std::to_string(findings) + "\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("/okr review lists them with suggested rewrites."), std::string::npos)
      << text;
  EXPECT_NE(text.find("Calibration looks healthy"), std::string::npos) << text;
  EXPECT_NE(text.find("Time to draft 2027-Q1: /okr objective add \"...\" cycle:2027-Q1"),
            std::string::npos)
      << text;
}

TEST_F(PostsTest, SummaryCalibrationTooEasy) {
  KeyResult nps = nps_;
  nps.current = 72;
  KeyResult arr = arr_;
  arr.current = 1.6e6;
  std::string text =
      RenderPlainText(CycleSummary("2026-Q4", {customers_, revenue_}, {{1, {nps}}, {2, {arr}}}));
  EXPECT_NE(text.find("Every key result reached 1.0: the targets may have been too easy."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Key results at 0.7 or more: 2 of 2"), std::string::npos) << text;
  EXPECT_EQ(text.find("too hard"), std::string::npos) << text;
}

TEST_F(PostsTest, SummaryCalibrationTooHardOrAbandoned) {
  std::string text = RenderPlainText(
      CycleSummary("2026-Q4", {customers_, revenue_}, {{1, {help_center_, wau_}}, {2, {churn_}}}));
  // 0.00, 0.40, 0.10: two of three below 0.3.
  EXPECT_NE(text.find("Most key results are below 0.3: the targets may have been too hard, or "
                      "some were abandoned."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Key results at 0.7 or more: 0 of 3"), std::string::npos) << text;
  EXPECT_EQ(text.find("too easy"), std::string::npos) << text;
}

TEST_F(PostsTest, SummaryWithNothingToScoreStillPromptsTheNextCycle) {
  EXPECT_EQ(RenderPlainText(CycleSummary("2026-Q4", {}, {})),
            "== OKR summary · 2026-Q4 ==\n"
            "No objectives in 2026-Q4, so there is nothing to score.\n"
            "  Time to draft 2027-Q1: /okr objective add \"...\" cycle:2027-Q1\n");
  std::string no_krs = RenderPlainText(CycleSummary("2026-Q4", {customers_}, {}));
  EXPECT_NE(no_krs.find("• no key results"), std::string::npos) << no_krs;
  EXPECT_NE(no_krs.find("No key results were set, so there is nothing to calibrate."),
            std::string::npos)
      << no_krs;
}

// ----- Interim summary (before the cycle has ended) ---------------------------------------------

// 2026-Q4 has 92 days. customers_ is a stretch objective (0.7 by the end), revenue_ committed
// (1.0).
class InterimSummaryTest : public PostsTest {
 protected:
  std::string SummaryAt(const std::string& iso, double nps_now, double arr_now) {
    KeyResult nps = nps_;  // 55 -> 70
    nps.current = nps_now;
    KeyResult arr = arr_;
    arr.current = arr_now;
    return RenderPlainText(
        CycleSummary("2026-Q4", {customers_, revenue_}, {{1, {nps}}, {2, {arr}}}, At(iso), 1));
  }
  static void ExpectNoEndOfCycleRemarks(const std::string& text) {
    EXPECT_EQ(text.find("too hard"), std::string::npos) << text;
    EXPECT_EQ(text.find("too easy"), std::string::npos) << text;
    EXPECT_EQ(text.find("Calibration"), std::string::npos) << text;
    EXPECT_EQ(text.find("Time to draft"), std::string::npos) << text;
    EXPECT_EQ(text.find("goal met"), std::string::npos) << text;
  }
};

TEST_F(InterimSummaryTest, AtAQuarterJudgesByPaceNotBy07) {
  // 23 days of 92 have passed: a stretch KR is expected at 0.25 x 0.7 = 0.17, a committed one at
  // 0.25. Both are low in absolute terms (below 0.3), yet on track.
  std::string text = SummaryAt("2026-10-24T00:00:00Z", 58, arr_.baseline.value_or(0) + 0.2e6);
  EXPECT_NE(text.find("== OKR summary so far · 2026-Q4 =="), std::string::npos) << text;
  EXPECT_NE(text.find("2026-Q4 is 25% through: day 24 of 92, 69 days left."), std::string::npos)
      << text;
  EXPECT_NE(
      text.find("O1 Delight our customers · stretch · 0.20 (0.17 expected by now) · on track"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("• KR1 Increase our NPS from 55 to 70 — 0.20 · on track · @bob"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("O2 Grow revenue · committed · "), std::string::npos) << text;
  EXPECT_NE(text.find("On track: 2 of 2"), std::string::npos) << text;
  EXPECT_NE(text.find("comes after the cycle ends on 2026-12-31."), std::string::npos) << text;
  ExpectNoEndOfCycleRemarks(text);
}

TEST_F(InterimSummaryTest, AtHalfwayStretchAndCommittedHaveTheirOwnBars) {
  // 46 of 92 days: stretch expected 0.35, committed 0.50. The stretch KR at 0.40 is on track; the
  // committed KR at 0.30 would pass a stretch bar (0.35 - 0.1) but is at risk against its own.
  double arr_at_030 = arr_.baseline.value_or(0) + 0.3 * (*arr_.target - arr_.baseline.value_or(0));
  std::string text = SummaryAt("2026-11-16T00:00:00Z", 61, arr_at_030);
  EXPECT_NE(text.find("2026-Q4 is 50% through: day 47 of 92, 46 days left."), std::string::npos)
      << text;
  EXPECT_NE(text.find("stretch · 0.40 (0.35 expected by now) · on track"), std::string::npos)
      << text;
  EXPECT_NE(text.find("committed · 0.30 (0.50 expected by now) · at risk"), std::string::npos)
      << text;
  EXPECT_NE(text.find("At risk: 1 of 2"), std::string::npos) << text;
  ExpectNoEndOfCycleRemarks(text);
}

TEST_F(InterimSummaryTest, AtNinetyNinePercentStillInterimAndOffTrackIsNamed) {
  // 31 December, the last day: 91 of 92 days have passed; expected 0.69 (stretch), 0.99
  // (committed).
  std::string text = SummaryAt("2026-12-31T00:00:00Z", 56, arr_.baseline.value_or(0));
  EXPECT_NE(text.find("2026-Q4 is 99% through: day 92 of 92, today is the last day."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("— 0.07 · off track · @bob"), std::string::npos) << text;
  EXPECT_NE(text.find("Off track: 2 of 2"), std::string::npos) << text;
  ExpectNoEndOfCycleRemarks(text);
}

TEST_F(InterimSummaryTest, AfterTheLastDayItIsTheFinalSummary) {
  // The same KRs as the too-hard calibration test, one day after the cycle.
  std::string text = RenderPlainText(CycleSummary("2026-Q4", {customers_, revenue_},
                                                  {{1, {help_center_, wau_}}, {2, {churn_}}},
                                                  At("2027-01-01T09:00:00Z"), 1));
  EXPECT_NE(text.find("== OKR summary · 2026-Q4 =="), std::string::npos) << text;
  EXPECT_NE(text.find("Most key results are below 0.3"), std::string::npos) << text;
  EXPECT_NE(text.find("Time to draft 2027-Q1"), std::string::npos) << text;
  EXPECT_EQ(text.find("expected by now"), std::string::npos) << text;
  // Stretch judged by 0.7, committed by 1.0.
  KeyResult nps = nps_;
  nps.current = 66;  // 0.73: a stretch objective's goal is met
  KeyResult arr = arr_;
  arr.current = arr_.baseline.value_or(0) + 0.9 * (*arr_.target - arr_.baseline.value_or(0));
  text = RenderPlainText(CycleSummary("2026-Q4", {customers_, revenue_}, {{1, {nps}}, {2, {arr}}},
                                      At("2027-01-01T09:00:00Z"), 1));
  EXPECT_NE(text.find("O1 Delight our customers · stretch · 0.73 · goal met"), std::string::npos)
      << text;
  EXPECT_NE(text.find("O2 Grow revenue · committed · 0.90  "), std::string::npos) << text;
  EXPECT_NE(text.find("Objectives that met their goal: 1 of 2"), std::string::npos) << text;
}

TEST_F(PostsTest, SummaryCommittedObjectivesAtOneAreNotTooEasy) {
  KeyResult arr = arr_;
  arr.current = *arr_.target;
  std::string text = RenderPlainText(CycleSummary("2026-Q4", {revenue_}, {{2, {arr}}}));
  EXPECT_EQ(text.find("too easy"), std::string::npos) << text;
  EXPECT_NE(text.find("Calibration looks healthy"), std::string::npos) << text;
}

}  // namespace
}  // namespace okrbot
