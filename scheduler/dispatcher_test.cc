#include "scheduler/dispatcher.h"

#include <gtest/gtest.h>

#include <deque>

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

  void Enqueue(const std::string& key, const std::string& workspace = "slack:T1") {
    Job job;
    job.key = key;
    job.workspace_id = workspace;
    job.kind = "checkin";
    job.target = "U1";
    Reply reply;
    reply.Text("Time for your weekly check-in");
    job.payload = ReplyToJson(reply);
    job.due_at = clock_.Now();
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
  options_.burst = 2;
  options_.posts_per_second = 0.5;
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
  options_.burst = 1;
  options_.posts_per_second = 1;
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
