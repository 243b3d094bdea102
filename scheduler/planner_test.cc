#include "scheduler/planner.h"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "scheduler/dispatcher.h"
#include "storage/open_store.h"

namespace okrbot {
namespace {

using std::chrono::hours;

struct Delivered {
  std::string key;
  std::string kind;
  std::string target;
  Seconds at;
};

class RecordingDeliverer : public Deliverer {
 public:
  explicit RecordingDeliverer(const Clock* clock) : clock_(clock) {}
  DeliveryResult Deliver(const Job& job, const Reply&) override {
    delivered.push_back({job.key, job.kind, job.target, clock_->Now()});
    return {};
  }
  std::vector<Delivered> delivered;

 private:
  const Clock* clock_;
};

Seconds At(const std::string& iso) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(iso, &t)) << iso;
  return t;
}

Days Day(const std::string& text) {
  Days d;
  EXPECT_TRUE(ParseDate(text, &d)) << text;
  return d;
}

std::string LocalTime(const std::string& tz, Seconds t) {
  auto zoned = date::make_zoned(date::locate_zone(tz), t);
  return date::format("%a %H:%M", zoned.get_local_time());
}

// One workspace per platform, with the same people, KRs and digest: the scheduler must treat
// them alike (each platform's posts go to that platform's deliverer, nothing crosses over).
struct WalkWorkspace {
  std::string id;
  std::string platform;
  std::string digest_channel;  // as each platform names a channel in `remind digest`
};

class QuarterWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    for (const WalkWorkspace& w : workspaces_) AddWorkspace(w);
    Restart();
  }

  void AddWorkspace(const WalkWorkspace& w) {
    Workspace ws;
    ws.id = w.id;
    ws.platform = w.platform;
    ws.holidays = {Day("2026-12-21")};
    ASSERT_TRUE(store_->UpsertWorkspace(ws).ok());
    for (const auto& [id, tz] : owners_) {
      User u;
      u.workspace_id = ws.id;
      u.id = id;
      u.tz = tz;
      ASSERT_TRUE(store_->UpsertUser(u).ok());
    }
    Objective o;
    o.workspace_id = ws.id;
    o.title = "Delight our customers";
    o.owner = "boss";
    o.cycle = "2026-Q4";
    o.created_at = clock_.Now();
    auto objective = store_->CreateObjective(o);
    ASSERT_TRUE(objective.ok());
    for (const auto& [id, tz] : owners_) {
      KeyResult kr;
      kr.workspace_id = ws.id;
      kr.objective = objective->number;
      kr.text = "Increase NPS from 55 to 70";
      kr.owner = id;
      kr.baseline = 55;
      kr.target = 70;
      kr.created_at = clock_.Now();
      ASSERT_TRUE(store_->CreateKeyResult(kr).ok());
    }
    // A finished Q3 objective, so Q4's first days post the Q3 summary.
    Objective q3 = o;
    q3.cycle = "2026-Q3";
    q3.title = "Ship the help center";
    ASSERT_TRUE(store_->CreateObjective(q3).ok());
    Reminder digest;
    digest.workspace_id = ws.id;
    digest.kind = "digest";
    digest.channel = w.digest_channel;
    digest.weekday = 5;  // Friday
    digest.minute_of_day = 16 * 60;
    digest.tz = "Europe/Berlin";
    ASSERT_TRUE(store_->PutReminder(digest).ok());
  }

  // A fresh planner and dispatcher, as after a process restart.
  void Restart() {
    planner_ = std::make_unique<Planner>(store_.get());
    dispatcher_ = std::make_unique<Dispatcher>(
        store_.get(), &clock_, DispatcherOptions{}, [] { return 0.0; }, nullptr);
    for (auto& [platform, deliverer] : deliverers_) {
      dispatcher_->RegisterPlatform(platform, &deliverer);
    }
  }

  void Pass() {
    ASSERT_TRUE(planner_->PlanAll(clock_.Now()).ok());
    while (dispatcher_->RunOnce().claimed > 0) {
    }
  }

  // What `workspace`'s platform deliverer posted for that workspace.
  // The checks of the quarter walk for one workspace.
  void ExpectAQuarterOfPosts(const WalkWorkspace& w) const;

  std::vector<Delivered> Of(const std::string& kind, const std::string& target = "",
                            const WalkWorkspace* workspace = nullptr) const {
    if (workspace == nullptr) workspace = &workspaces_[0];
    std::vector<Delivered> out;
    for (const auto& d : deliverers_.at(workspace->platform).delivered) {
      if (d.key.rfind(workspace->id + "|", 0) != 0) continue;
      if (d.kind == kind && (target.empty() || d.target == target)) out.push_back(d);
    }
    return out;
  }

  const std::vector<WalkWorkspace> workspaces_ = {
      {"slack:T1", "slack", "okrs"},
      {"teams:tenant-1", "teams", "19:okrs@thread.tacv2"},
      {"mattermost:team1", "mattermost", "okrschannel00000000000001"}};
  const std::map<std::string, std::string> owners_ = {
      {"nyc", "America/New_York"}, {"ber", "Europe/Berlin"}, {"kir", "Pacific/Kiritimati"}};
  FakeClock clock_{At("2026-10-01T00:00:00Z")};
  std::unique_ptr<Store> store_;
  std::map<std::string, RecordingDeliverer> deliverers_ = {
      {"slack", RecordingDeliverer(&clock_)},
      {"teams", RecordingDeliverer(&clock_)},
      {"mattermost", RecordingDeliverer(&clock_)}};
  std::unique_ptr<Planner> planner_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(QuarterWalkTest, EveryPostOnceAtItsLocalTimeThroughRestartAndDowntime) {
  const Seconds end = At("2027-01-01T00:00:00Z");
  const Seconds restart_at = At("2026-11-01T06:00:00Z");  // mid-quarter, NYC DST night
  const Seconds down_from = At("2026-11-14T00:00:00Z");   // 3 days down over a Monday slot
  const Seconds down_until = At("2026-11-17T00:00:00Z");
  for (; clock_.Now() < end; clock_.Advance(hours(1))) {
    if (clock_.Now() >= down_from && clock_.Now() < down_until) continue;
    if (clock_.Now() == restart_at) Restart();
    Pass();
  }

  std::set<std::string> keys;
  for (const auto& [platform, deliverer] : deliverers_) {
    for (const auto& d : deliverer.delivered) {
      EXPECT_TRUE(keys.insert(d.key).second) << "delivered twice: " << d.key;
      EXPECT_EQ(d.key.rfind(platform + ":", 0), 0u) << d.key << " went to " << platform;
    }
  }
  for (const WalkWorkspace& w : workspaces_) {
    SCOPED_TRACE(w.id);
    ExpectAQuarterOfPosts(w);
  }
}

void QuarterWalkTest::ExpectAQuarterOfPosts(const WalkWorkspace& w) const {
  const Seconds down_until = At("2026-11-17T00:00:00Z");
  for (const auto& [owner, tz] : owners_) {
    auto prompts = Of("checkin", owner, &w);
    // Mondays Oct 5 .. Dec 28 are 13 weeks; Dec 21 is a workspace holiday.
    EXPECT_EQ(prompts.size(), 12u) << owner;
    for (const auto& p : prompts) {
      bool during_downtime_catch_up = p.at == down_until;
      if (during_downtime_catch_up) continue;  // the missed Nov 16 slot, caught up once
      EXPECT_EQ(LocalTime(tz, p.at), "Mon 10:00") << owner << " " << p.key;
    }
    int caught_up = 0;
    for (const auto& p : prompts) caught_up += p.at == down_until ? 1 : 0;
    EXPECT_EQ(caught_up, 1) << owner << ": the slot missed while down is sent once";
    // Never a prompt on the holiday.
    for (const auto& p : prompts) {
      EXPECT_EQ(p.key.find("2026-W52"), std::string::npos) << p.key;
    }
    // No check-ins all quarter: stale once, escalated to the objective owner once.
    EXPECT_EQ(Of("stale", owner, &w).size(), 1u) << owner;
  }
  // Exact instants across the DST changes (America/New_York leaves DST on 2026-11-01).
  auto nyc = Of("checkin", "nyc", &w);
  EXPECT_EQ(FormatIsoInstant(nyc.front().at), "2026-10-05T14:00:00Z");
  EXPECT_EQ(FormatIsoInstant(nyc.back().at), "2026-12-28T15:00:00Z");
  auto kir = Of("checkin", "kir", &w);
  EXPECT_EQ(FormatIsoInstant(kir.front().at), "2026-10-04T20:00:00Z") << "UTC+14: Sunday in UTC";
  auto ber = Of("checkin", "ber", &w);
  EXPECT_EQ(FormatIsoInstant(ber.front().at), "2026-10-05T08:00:00Z");
  EXPECT_EQ(FormatIsoInstant(ber.back().at), "2026-12-28T09:00:00Z");

  // Three KRs escalated to their objective's owner at once: one DM, all three sent.
  EXPECT_EQ(Of("escalate", "boss", &w).size(), 1u);
  JobFilter escalations;
  escalations.workspace_id = w.id;
  escalations.state = JobState::kSent;
  escalations.limit = 10000;
  int sent = 0;
  const std::vector<Job> jobs = store_->ListJobs(escalations).value();
  for (const Job& job : jobs) {
    sent += job.kind == "escalate" && job.target == "boss" ? 1 : 0;
  }
  EXPECT_EQ(sent, 3);
  // Follow-ups: one per prompt whose window was open while okrbot ran.
  // Follow-ups: one per prompt (nobody checked in), 24 h after the slot: Tuesday 10:00 local.
  // The week of the downtime, the prompt went out late and its follow-up 24 h after the slot.
  for (const auto& [owner, tz] : owners_) {
    auto followups = Of("followup", owner, &w);
    EXPECT_EQ(followups.size(), 12u) << owner;
    int on_time = 0;
    for (const auto& f : followups) on_time += LocalTime(tz, f.at) == "Tue 10:00" ? 1 : 0;
    EXPECT_GE(on_time, 11) << owner;
  }
  // Fridays 16:00 Berlin, Oct 2 .. Dec 25 (Nov 13 is week 7: the halfway reminder too).
  auto digests = Of("digest", "#" + w.digest_channel, &w);
  EXPECT_EQ(digests.size(), 13u);
  for (const auto& d : digests) EXPECT_EQ(LocalTime("Europe/Berlin", d.at), "Fri 16:00") << d.key;
  auto halfway = Of("halfway", "#" + w.digest_channel, &w);
  ASSERT_EQ(halfway.size(), 1u);
  EXPECT_EQ(FormatIsoInstant(halfway[0].at), "2026-11-13T15:00:00Z");
  auto summary = Of("summary", "#" + w.digest_channel, &w);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].key, w.id + "|summary|2026-Q3");
  EXPECT_TRUE(Of("quality", "", &w).empty()) << "well-written KRs get no quality nudge";
}

TEST_F(QuarterWalkTest, PassesAtTheSameInstantFromSeveralPlannersCreateOnePost) {
  clock_.Set(At("2026-10-05T14:00:00Z"));
  Planner other(store_.get());
  auto first = planner_->PlanAll(clock_.Now());
  auto second = other.PlanAll(clock_.Now());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_GT(first->created, 0);
  EXPECT_EQ(second->created, 0);
  EXPECT_EQ(second->existing, first->created);
}

TEST_F(QuarterWalkTest, SnoozedAwayAndArchivedGetNoPrompt) {
  auto owned_by = [&](const std::string& owner) {
    KeyResultFilter filter;
    filter.owner = owner;
    return store_->ListKeyResults("slack:T1", filter).value().at(0);
  };
  KeyResult nyc = owned_by("nyc");
  nyc.snoozed_until = Day("2026-10-20");
  ASSERT_TRUE(store_->UpdateKeyResult(nyc, {}).ok());
  User ber = store_->GetUser("slack:T1", "ber").value();
  ber.away_until = Day("2026-10-13");
  ASSERT_TRUE(store_->UpsertUser(ber).ok());
  KeyResult kir = owned_by("kir");
  kir.archived = true;
  ASSERT_TRUE(store_->UpdateKeyResult(kir, {}).ok());
  for (clock_.Set(At("2026-10-01T00:00:00Z")); clock_.Now() < At("2026-10-27T00:00:00Z");
       clock_.Advance(hours(1))) {
    Pass();
  }
  EXPECT_EQ(Of("checkin", "nyc").size(), 1u) << "snoozed until Oct 20: only Oct 26";
  EXPECT_EQ(Of("checkin", "ber").size(), 2u) << "away until Oct 13: Oct 19 and 26";
  EXPECT_TRUE(Of("checkin", "kir").empty()) << "archived";
}

TEST_F(QuarterWalkTest, RemindOffStopsPrompts) {
  Reminder off;
  off.workspace_id = "slack:T1";
  off.kind = "checkin";
  off.enabled = false;
  ASSERT_TRUE(store_->PutReminder(off).ok());
  clock_.Set(At("2026-10-12T20:00:00Z"));
  Pass();
  EXPECT_TRUE(Of("checkin").empty());
}

}  // namespace
}  // namespace okrbot
