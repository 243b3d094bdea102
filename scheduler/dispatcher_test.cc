#include "scheduler/dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <set>

#include "storage/open_store.h"

namespace okrbot {
namespace {

using std::chrono::seconds;
using Outcome = DeliveryResult::Outcome;

class ScriptedDeliverer : public Deliverer {
 public:
  DeliveryResult Deliver(const Job& job, const Reply& reply) override {
    delivered.push_back(job.key);
    last_reply = reply;
    if (script.empty()) return {};
    DeliveryResult next = script.front();
    if (script.size() > 1 || !repeat_last) script.pop_front();
    return next;
  }
  std::deque<DeliveryResult> script;
  bool repeat_last = false;
  std::vector<std::string> delivered;
  Reply last_reply;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    for (const char* id : {"slack:T1", "slack:T2", "teams:X"}) {
      Workspace ws;
      ws.id = id;
      ws.platform = std::string(id).substr(0, std::string(id).find(':'));
      ASSERT_TRUE(store_->UpsertWorkspace(ws).ok());
    }
    options_.base_backoff = seconds(30);
    options_.max_attempts = 3;
    options_.lease = seconds(60);
    Rebuild();
  }

  void Rebuild() {
    dispatcher_ = std::make_unique<Dispatcher>(
        store_.get(), &clock_, options_, [] { return 0.0; }, &metrics_);
    dispatcher_->RegisterPlatform("slack", &slack_);
  }

  // Each job goes to a person of its own unless `target` says otherwise.
  void Enqueue(const std::string& key, const std::string& workspace = "slack:T1",
               const std::string& kind = "checkin", std::string target = "",
               std::optional<Seconds> due = std::nullopt) {
    Job job;
    job.key = key;
    job.workspace_id = workspace;
    job.kind = kind;
    job.target = target.empty() ? "U-" + key : target;
    Reply reply;
    reply.Text("Time for your weekly check-in");
    job.payload = ReplyToJson(reply);
    job.due_at = due.value_or(clock_.Now());
    job.next_attempt_at = clock_.Now();
    job.created_at = clock_.Now();
    auto created = store_->EnqueueJob(job);
    ASSERT_TRUE(created.ok());
  }

  Job Only(const std::string& key) {
    auto jobs = store_->ListJobs(JobFilter{});
    for (const auto& job : jobs.value()) {
      if (job.key == key) return job;
    }
    ADD_FAILURE() << "no job " << key;
    return {};
  }

  FakeClock clock_{Seconds(seconds(1793610000))};
  std::unique_ptr<Store> store_;
  DispatcherOptions options_;
  Metrics metrics_;
  ScriptedDeliverer slack_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, SendsEachJobOnce) {
  Enqueue("slack:T1|checkin|U1|2026-W45");
  DispatchStats first = dispatcher_->RunOnce();
  EXPECT_EQ(first.sent, 1);
  EXPECT_EQ(slack_.delivered.size(), 1u);
  EXPECT_EQ(slack_.last_reply.Summary(), "Time for your weekly check-in");
  EXPECT_EQ(Only("slack:T1|checkin|U1|2026-W45").state, JobState::kSent);
  clock_.Advance(seconds(3600));
  EXPECT_EQ(dispatcher_->RunOnce().claimed, 0);
  EXPECT_EQ(slack_.delivered.size(), 1u);
  EXPECT_NE(metrics_.Render().find("okrbot_jobs_total{outcome=\"sent\"} 1"), std::string::npos);
}

TEST_F(DispatcherTest, RetriesWithBackoffThenSends) {
  slack_.script = {{Outcome::kRetry, seconds(0), "HTTP 500"}, {Outcome::kSent, seconds(0), ""}};
  Enqueue("k");
  EXPECT_EQ(dispatcher_->RunOnce().retried, 1);
  Job job = Only("k");
  EXPECT_EQ(job.state, JobState::kPending);
  EXPECT_EQ(job.last_error, "HTTP 500");
  EXPECT_EQ(job.next_attempt_at, clock_.Now() + seconds(15)) << "30 s base, jitter 0 -> half";
  clock_.Advance(seconds(14));
  EXPECT_EQ(dispatcher_->RunOnce().claimed, 0) << "not before its time";
  clock_.Advance(seconds(1));
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
  EXPECT_EQ(slack_.delivered.size(), 2u);
}

TEST_F(DispatcherTest, HonoursRetryAfter) {
  slack_.script = {{Outcome::kRetry, seconds(120), "ratelimited"}};
  Enqueue("k");
  dispatcher_->RunOnce();
  EXPECT_EQ(Only("k").next_attempt_at, clock_.Now() + seconds(120));
}

TEST_F(DispatcherTest, ARetryAfterPausesOnlyThatWorkspace) {
  slack_.script = {{Outcome::kRetry, seconds(60), "ratelimited"}};
  Enqueue("t1-a", "slack:T1");
  Enqueue("t1-b", "slack:T1");
  Enqueue("t2-a", "slack:T2");
  DispatchStats first = dispatcher_->RunOnce();
  EXPECT_EQ(first.retried, 1);
  EXPECT_EQ(first.sent, 1) << "T2 goes on";
  EXPECT_EQ(slack_.delivered, (std::vector<std::string>{"t1-a", "t2-a"}))
      << "t1-b is not tried while T1 is paused";
  EXPECT_EQ(Only("t1-b").attempts, 0) << "waiting is not an attempt";
  clock_.Advance(seconds(30));
  EXPECT_EQ(dispatcher_->RunOnce().claimed, 0) << "T1's jobs are left unclaimed while paused";
  clock_.Advance(seconds(30));
  EXPECT_EQ(dispatcher_->RunOnce().sent, 2);
  EXPECT_EQ(Only("t1-a").state, JobState::kSent);
  EXPECT_EQ(Only("t1-b").state, JobState::kSent);
}

TEST_F(DispatcherTest, DeadLettersAfterMaxAttemptsAndOnPermanentFailure) {
  slack_.script = {{Outcome::kRetry, seconds(0), "HTTP 503"}};
  slack_.repeat_last = true;
  Enqueue("flaky");
  for (int i = 0; i < 10; ++i) {
    dispatcher_->RunOnce();
    clock_.Advance(std::chrono::hours(7));
  }
  Job flaky = Only("flaky");
  EXPECT_EQ(flaky.state, JobState::kDead);
  EXPECT_EQ(flaky.attempts, 3);
  EXPECT_EQ(slack_.delivered.size(), 3u);

  slack_.script = {{Outcome::kPermanentFailure, seconds(0), "channel_not_found"}};
  slack_.repeat_last = false;
  Enqueue("gone");
  EXPECT_EQ(dispatcher_->RunOnce().dead, 1);
  EXPECT_EQ(Only("gone").state, JobState::kDead);
  JobFilter dead;
  dead.state = JobState::kDead;
  EXPECT_EQ(store_->ListJobs(dead)->size(), 2u);
  EXPECT_NE(metrics_.Render().find("okrbot_jobs_total{outcome=\"dead\"} 2"), std::string::npos);
}

TEST_F(DispatcherTest, TransientFailuresAreRetriedUntilTheLifeEndsThenDeadWithTheLastError) {
  options_.max_attempts = 0;  // the default: only the life decides
  Rebuild();
  slack_.script = {{Outcome::kRetry, seconds(0), "HTTP 503 from chat.postMessage"}};
  slack_.repeat_last = true;
  Enqueue("prompt");
  const Seconds start = clock_.Now();
  while (clock_.Now() < start + std::chrono::hours(25)) {
    dispatcher_->RunOnce();
    clock_.Advance(seconds(60));
  }
  Job dead = Only("prompt");
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_NE(dead.last_error.find("within its life of 24 h: HTTP 503 from chat.postMessage"),
            std::string::npos)
      << dead.last_error;
  // Backoff is capped at 30 min, so a day holds dozens of tries, not eight.
  // (With jitter 0 each wait is half of it: 15 min.)
  EXPECT_GE(slack_.delivered.size(), 80u);
  EXPECT_LE(slack_.delivered.size(), 110u);

  // `okrbot jobs retry`: pending again with a fresh life, and sent.
  slack_.script = {};
  slack_.repeat_last = false;
  ASSERT_TRUE(store_->RequeueJob(dead.id, clock_.Now()).ok());
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
  EXPECT_EQ(Only("prompt").state, JobState::kSent);
  EXPECT_EQ(store_->RequeueJob(dead.id, clock_.Now()).code(), StatusCode::kFailedPrecondition);
}

TEST_F(DispatcherTest, APostThatWaitedPastItsLifeIsDeadUnsent) {
  Enqueue("old-digest", "slack:T1", "digest", "#okrs");
  Enqueue("old-summary", "slack:T1", "summary", "#okrs");
  clock_.Advance(std::chrono::hours(24 * 4));  // okrbot was down for four days
  DispatchStats stats = dispatcher_->RunOnce();
  EXPECT_EQ(stats.expired, 1);
  EXPECT_EQ(stats.sent, 1);
  EXPECT_EQ(slack_.delivered, std::vector<std::string>{"old-summary"}) << "a summary lives 7 days";
  Job digest = Only("old-digest");
  EXPECT_EQ(digest.state, JobState::kDead);
  EXPECT_NE(digest.last_error.find("expired unsent"), std::string::npos) << digest.last_error;
}

TEST_F(DispatcherTest, NoTwoPromptsToOnePersonWithin24Hours) {
  Enqueue("prompt", "slack:T1", "checkin", "UANA");
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
  clock_.Advance(std::chrono::hours(2));
  Enqueue("second", "slack:T1", "followup", "UANA");
  Enqueue("other-person", "slack:T1", "followup", "UBEN");
  DispatchStats held = dispatcher_->RunOnce();
  EXPECT_EQ(held.sent, 1) << "someone else's nudge is not held";
  EXPECT_EQ(held.deferred, 1);
  clock_.Advance(std::chrono::hours(22) - seconds(1));
  EXPECT_EQ(dispatcher_->RunOnce().claimed, 0);
  clock_.Advance(seconds(1));
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1) << "the second prompt goes 24 h after the first";
  EXPECT_EQ(slack_.delivered, (std::vector<std::string>{"prompt", "other-person", "second"}));

  // A follow-up whose life ends before the gap does is not sent at all.
  Enqueue("followup", "slack:T1", "followup", "UANA");
  clock_.Advance(std::chrono::hours(1));
  Enqueue("late", "slack:T1", "followup", "UANA");
  (void)dispatcher_->RunOnce();
  clock_.Advance(std::chrono::hours(23) + seconds(1));
  (void)dispatcher_->RunOnce();
  Job followup = Only("followup");
  EXPECT_EQ(followup.state, JobState::kDead);
  EXPECT_EQ(slack_.delivered.size(), 4u) << "one of the two follow-ups, never both";
}

TEST_F(DispatcherTest, OnePersonsNudgesGoOutAsOneDMAndAtMostOnceIn24Hours) {
  Enqueue("stale|KR-1", "slack:T1", "stale", "UBOSS");
  Enqueue("escalate|KR-2", "slack:T1", "escalate", "UBOSS");
  Enqueue("quality|KR-3", "slack:T1", "quality", "UBOSS");
  Enqueue("stale|KR-4", "slack:T1", "stale", "UANA");
  DispatchStats first = dispatcher_->RunOnce();
  EXPECT_EQ(first.sent, 4);
  EXPECT_EQ(first.merged, 2);
  EXPECT_EQ(slack_.delivered, (std::vector<std::string>{"stale|KR-1", "stale|KR-4"}))
      << "one DM for the boss's three nudges, one for Ana's";
  for (const char* key : {"stale|KR-1", "escalate|KR-2", "quality|KR-3"}) {
    EXPECT_EQ(Only(key).state, JobState::kSent) << key;
  }

  // A nudge due 20 h later waits for the gap, and keeps its life after it: never lost.
  clock_.Advance(std::chrono::hours(20));
  Enqueue("stale|KR-5", "slack:T1", "stale", "UBOSS");
  EXPECT_EQ(dispatcher_->RunOnce().deferred, 1);
  clock_.Advance(std::chrono::hours(4));
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
  EXPECT_EQ(slack_.delivered.back(), "stale|KR-5");
  EXPECT_EQ(Only("stale|KR-5").state, JobState::kSent);

  // A prompt is in a gap of its own: a nudge does not hold it.
  Enqueue("checkin|UBOSS", "slack:T1", "checkin", "UBOSS");
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
}

TEST_F(DispatcherTest, MergedNudgesShareTheirDMsFailure) {
  Enqueue("stale|KR-1", "slack:T1", "stale", "UBOSS");
  Enqueue("escalate|KR-2", "slack:T1", "escalate", "UBOSS");
  DeliveryResult down;
  down.outcome = Outcome::kRetry;
  down.error = "HTTP 503";
  slack_.script = {down};
  DispatchStats failed = dispatcher_->RunOnce();
  EXPECT_EQ(failed.retried, 2);
  EXPECT_EQ(Only("escalate|KR-2").last_error, "HTTP 503");
  clock_.Advance(std::chrono::minutes(1));
  DispatchStats sent = dispatcher_->RunOnce();
  EXPECT_EQ(sent.sent, 2);
  EXPECT_EQ(slack_.delivered.size(), 2u) << "one failed DM, then one sent DM";
  int dividers = 0;
  for (const Block& block : slack_.last_reply.blocks) {
    dividers += block.kind == BlockKind::kDivider ? 1 : 0;
  }
  EXPECT_EQ(dividers, 1) << "the second nudge follows the first after a divider";
}

TEST_F(DispatcherTest, ChannelsArePacedOneByOneAfterAShortBurst) {
  for (int i = 0; i < 6; ++i) {
    Enqueue("post-" + std::to_string(i), "slack:T1", "halfway", "#okrs");
  }
  EXPECT_EQ(dispatcher_->RunOnce().sent, 3) << "a burst of 3 per channel";
  clock_.Advance(seconds(1));
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
  clock_.Advance(seconds(1));
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
}

TEST_F(DispatcherTest, AWorkspaceAtItsCeilingSendsInDueOrderAndHoldsNoOneElseBack) {
  PaceLimits tight;
  tight.workspace_per_minute = 6;
  tight.workspace_burst = 2;
  options_.pace["slack"] = tight;
  options_.batch_size = 4;
  Rebuild();
  const Seconds now = clock_.Now();
  // Enqueued out of order; due times a minute apart.
  for (int i : {5, 1, 4, 0, 3, 2, 7, 6}) {
    Enqueue("t1-" + std::to_string(i), "slack:T1", "checkin", "",
            now - std::chrono::minutes(10 - i));
  }
  Enqueue("t2", "slack:T2", "checkin", "", now);
  for (int second = 0; second < 120; ++second) {
    dispatcher_->RunOnce();
    clock_.Advance(seconds(1));
  }
  std::vector<std::string> t1;
  for (const auto& key : slack_.delivered) {
    if (key.rfind("t1-", 0) == 0) t1.push_back(key);
  }
  EXPECT_EQ(t1, (std::vector<std::string>{"t1-0", "t1-1", "t1-2", "t1-3", "t1-4", "t1-5", "t1-6",
                                          "t1-7"}));
  auto t2 = std::find(slack_.delivered.begin(), slack_.delivered.end(), "t2");
  ASSERT_NE(t2, slack_.delivered.end());
  EXPECT_LE(t2 - slack_.delivered.begin(), 3) << "T2 is not stuck behind T1's queue";
}

TEST_F(DispatcherTest, UninstalledWorkspacesGetNothing) {
  Workspace ws = store_->GetWorkspace("slack:T1").value();
  ws.installed = false;
  ASSERT_TRUE(store_->UpsertWorkspace(ws).ok());
  Enqueue("k");
  EXPECT_EQ(dispatcher_->RunOnce().dead, 1);
  EXPECT_TRUE(slack_.delivered.empty());
}

TEST_F(DispatcherTest, AJobClaimedByADeadProcessIsSentAfterItsLease) {
  Enqueue("k");
  // Another process claimed it and died before marking it sent.
  ASSERT_EQ(store_->ClaimDueJobs(clock_.Now(), 10, options_.lease)->size(), 1u);
  EXPECT_EQ(dispatcher_->RunOnce().claimed, 0);
  clock_.Advance(options_.lease);
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1);
  EXPECT_EQ(slack_.delivered.size(), 1u);
}

TEST_F(DispatcherTest, RateLimitPerWorkspace) {
  PaceLimits limits;
  limits.workspace_burst = 2;
  limits.workspace_per_minute = 30;  // 0.5 per second
  options_.pace["slack"] = limits;
  Rebuild();
  for (int i = 0; i < 5; ++i) Enqueue("t1-" + std::to_string(i), "slack:T1");
  Enqueue("t2-0", "slack:T2");
  DispatchStats stats = dispatcher_->RunOnce();
  EXPECT_EQ(stats.sent, 3) << "two for T1 (its burst), one for T2";
  EXPECT_EQ(stats.deferred, 3);
  clock_.Advance(seconds(2));
  EXPECT_EQ(dispatcher_->RunOnce().sent, 1) << "one token refilled in 2 s";
  clock_.Advance(seconds(60));
  while (dispatcher_->RunOnce().claimed > 0) clock_.Advance(seconds(2));
  EXPECT_EQ(slack_.delivered.size(), 6u);
  EXPECT_EQ(slack_.delivered.size(),
            std::set<std::string>(slack_.delivered.begin(), slack_.delivered.end()).size())
      << "rate limiting delays, never duplicates";
}

TEST_F(DispatcherTest, ALongQueueIsNeverDeadLetteredByTheRateLimit) {
  PaceLimits limits;
  limits.workspace_burst = 1;
  limits.workspace_per_minute = 60;
  options_.pace["slack"] = limits;
  options_.max_attempts = 3;
  Rebuild();
  for (int i = 0; i < 30; ++i) Enqueue("big-" + std::to_string(i));
  for (int round = 0; round < 200 && slack_.delivered.size() < 30; ++round) {
    dispatcher_->RunOnce();
    clock_.Advance(seconds(1));
  }
  EXPECT_EQ(slack_.delivered.size(), 30u);
  JobFilter dead;
  dead.state = JobState::kDead;
  EXPECT_TRUE(store_->ListJobs(dead)->empty());
}

// A deliverer that takes `seconds_per_post` of (fake) time, like a slow platform.
class SlowDeliverer : public Deliverer {
 public:
  SlowDeliverer(FakeClock* clock, seconds per_post) : clock_(clock), per_post_(per_post) {}
  DeliveryResult Deliver(const Job& job, const Reply&) override {
    clock_->Advance(per_post_);
    delivered.push_back(job.key);
    return {};
  }
  std::vector<std::string> delivered;

 private:
  FakeClock* clock_;
  seconds per_post_;
};

TEST_F(DispatcherTest, ASlowBatchNeverOutlivesItsLease) {
  SlowDeliverer slow(&clock_, seconds(20));
  dispatcher_->RegisterPlatform("slack", &slow);
  for (int i = 0; i < 10; ++i) Enqueue("slow-" + std::to_string(i));
  DispatchStats first = dispatcher_->RunOnce();  // lease 60 s: at most 30 s of work per batch
  EXPECT_LE(first.sent, 3);
  EXPECT_EQ(first.sent + first.deferred, 10);
  // The released jobs are claimable at once, by this or another process, and not lost.
  while (slow.delivered.size() < 10) ASSERT_GT(dispatcher_->RunOnce().claimed, 0);
  EXPECT_EQ(std::set<std::string>(slow.delivered.begin(), slow.delivered.end()).size(), 10u);
}

TEST_F(DispatcherTest, PlatformsWithoutADelivererWait) {
  Enqueue("teams-job", "teams:X");
  EXPECT_EQ(dispatcher_->RunOnce().deferred, 1);
  EXPECT_EQ(Only("teams-job").state, JobState::kPending);
}

}  // namespace
}  // namespace okrbot
