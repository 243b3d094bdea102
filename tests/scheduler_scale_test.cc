// The scheduler at the scale of a big company and after long outages (issue 24), on a fake
// clock: the real Planner, Dispatcher and SchedulerRunner over a real SQLite file, delivering
// to an in-process stand-in of a chat platform that enforces Slack's limits (1 message per
// second per channel with a burst of 3; at most 300 per workspace in any 60 s) and answers a
// breach with 429 and Retry-After, as Slack does. The year test is shortened in CI; set
// OKRBOT_LONG_TESTS=1 for 500 people over a whole year, passes every hour.
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/cycle.h"
#include "scheduler/dispatcher.h"
#include "scheduler/planner.h"
#include "scheduler/runner.h"
#include "storage/open_store.h"

namespace okrbot {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Seconds At(const std::string& iso) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(iso, &t)) << iso;
  return t;
}

bool LongTests() {
  const char* flag = std::getenv("OKRBOT_LONG_TESTS");
  return flag != nullptr && std::string(flag) == "1";
}

struct Post {
  std::string key;
  std::string kind;
  std::string target;
  Seconds due;
  Seconds at;
};

// Answers like a platform with Slack's posting limits; can be told to fail for a while.
class PlatformStandIn : public Deliverer {
 public:
  explicit PlatformStandIn(const Clock* clock) : clock_(clock) {}

  DeliveryResult Deliver(const Job& job, const Reply&) override {
    const Seconds now = clock_->Now();
    if (now >= down_from && now < down_until) return Failure("HTTP 503 Service Unavailable");
    if (failing_targets.count(job.target) != 0) return Failure("HTTP 500 from chat.postMessage");
    std::deque<Seconds>& window = workspace_window_[job.workspace_id];
    while (!window.empty() && window.front() + seconds(60) <= now) window.pop_front();
    Channel& channel = channels_[job.workspace_id + "/" + job.target];
    double elapsed = static_cast<double>((now - channel.refilled_at).count());
    channel.tokens = channel.seen ? std::min(3.0, channel.tokens + elapsed) : 3.0;
    channel.seen = true;
    channel.refilled_at = now;
    if (window.size() >= 300 || channel.tokens < 1.0) {
      ++refused_429;
      DeliveryResult limited;
      limited.outcome = DeliveryResult::Outcome::kRetry;
      limited.retry_after = seconds(window.size() >= 300 ? 30 : 1);
      limited.error = "ratelimited";
      return limited;
    }
    channel.tokens -= 1.0;
    window.push_back(now);
    posts.push_back({job.key, job.kind, job.target, job.due_at, now});
    return {};
  }

  std::vector<Post> posts;
  int refused_429 = 0;
  int failed = 0;
  Seconds down_from{};
  Seconds down_until{};
  std::set<std::string> failing_targets;

 private:
  struct Channel {
    bool seen = false;
    double tokens = 0;
    Seconds refilled_at{};
  };
  DeliveryResult Failure(const std::string& error) {
    ++failed;
    DeliveryResult result;
    result.outcome = DeliveryResult::Outcome::kRetry;
    result.error = error;
    return result;
  }
  const Clock* clock_;
  std::map<std::string, std::deque<Seconds>> workspace_window_;
  std::map<std::string, Channel> channels_;
};

class SchedulerScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A RAM disk where there is one: the same SQLite file format and code, without an fsync per
    // simulated post (the test is about the scheduler's decisions, not the disk).
    std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                     ? std::filesystem::path("/dev/shm")
                                     : std::filesystem::temp_directory_path();
    dir_ = base / ("okrbot-scale-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = OpenStore("sqlite://" + (dir_ / "okrbot.db").string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    Workspace ws;
    ws.id = kWorkspace;
    ws.platform = "slack";
    ws.default_tz = "Europe/Berlin";
    ASSERT_TRUE(store_->UpsertWorkspace(ws).ok());
  }
  void TearDown() override {
    runner_.reset();
    dispatcher_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void AddPeople(int count, const std::string& cycle, Seconds created) {
    Objective o;
    o.workspace_id = kWorkspace;
    o.title = "Customers love our support";
    o.owner = "Uboss";
    o.cycle = cycle;
    o.created_at = created;
    auto objective = store_->CreateObjective(o);
    ASSERT_TRUE(objective.ok());
    for (int i = 0; i < count; ++i) {
      std::string id = "U" + std::to_string(10000 + i);
      if (!people_added_) {
        User user;
        user.workspace_id = kWorkspace;
        user.id = id;
        user.tz = "Europe/Berlin";
        ASSERT_TRUE(store_->UpsertUser(user).ok());
      }
      KeyResult kr;
      kr.workspace_id = kWorkspace;
      kr.objective = objective->number;
      kr.text = "Raise CSAT from 82% to 90%";
      kr.owner = id;
      kr.baseline = 82;
      kr.target = 90;
      kr.created_at = created;
      auto made = store_->CreateKeyResult(kr);
      ASSERT_TRUE(made.ok());
      krs_[id] = made->number;
    }
    people_added_ = true;
  }

  void Build(const Seconds start) {
    clock_.Set(start);
    planner_ = std::make_unique<Planner>(store_.get());
    dispatcher_ = std::make_unique<Dispatcher>(
        store_.get(), &clock_, DispatcherOptions{}, [] { return 0.5; }, nullptr);
    dispatcher_->RegisterPlatform("slack", &platform_);
    runner_ = std::make_unique<SchedulerRunner>(planner_.get(), dispatcher_.get(), &clock_);
    runner_->EnableRetention(store_.get(), RetentionOptions{});
  }

  std::vector<Job> Jobs(JobState state) {
    JobFilter filter;
    filter.state = state;
    filter.limit = 10000000;
    return store_->ListJobs(filter).value();
  }

  // Asserts that no person got two check-in prompts (or follow-ups) within 24 h.
  void ExpectNoTwoPromptsWithinADay() {
    std::map<std::string, std::vector<Seconds>> by_person;
    for (const Post& post : platform_.posts) {
      if (post.kind == "checkin" || post.kind == "followup")
        by_person[post.target].push_back(post.at);
    }
    int violations = 0;
    for (auto& [person, times] : by_person) {
      std::sort(times.begin(), times.end());
      for (size_t i = 1; i < times.size(); ++i) {
        if (times[i] - times[i - 1] < hours(24)) {
          if (++violations <= 5) {
            ADD_FAILURE() << person << " got two prompts " << FormatIsoInstant(times[i - 1])
                          << " and " << FormatIsoInstant(times[i]);
          }
        }
      }
    }
    EXPECT_EQ(violations, 0);
  }

  const std::string kWorkspace = "slack:T1";
  std::filesystem::path dir_;
  FakeClock clock_{At("2027-01-04T00:00:00Z")};
  std::unique_ptr<Store> store_;
  PlatformStandIn platform_{&clock_};
  std::unique_ptr<Planner> planner_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<SchedulerRunner> runner_;
  std::map<std::string, int64_t> krs_;
  bool people_added_ = false;
};

TEST_F(SchedulerScaleTest, FiveThousandMondayPromptsGoOutWithin20MinutesInDueOrder) {
  AddPeople(5000, "2027-Q1", At("2027-01-04T00:00:00Z"));
  // Monday 2027-01-11 10:00 in Berlin is 09:00Z; serve's loop: a pass every 30 s, and in
  // between the dispatcher wakes whenever held-back posts may go (here: every second).
  Build(At("2027-01-11T08:59:00Z"));
  const Seconds stop = At("2027-01-11T09:40:00Z");
  for (int tick = 0; clock_.Now() < stop && platform_.posts.size() < 5000; ++tick) {
    if (tick % 30 == 0) {
      ASSERT_TRUE(runner_->RunPass().ok());
    } else {
      while (true) {
        DispatchStats round = dispatcher_->RunOnce();
        if (round.claimed == 0 || round.claimed == round.deferred) break;
      }
    }
    clock_.Advance(seconds(1));
  }
  ASSERT_EQ(platform_.posts.size(), 5000u);
  std::set<std::string> people;
  for (const Post& post : platform_.posts) {
    EXPECT_EQ(post.kind, "checkin");
    people.insert(post.target);
  }
  EXPECT_EQ(people.size(), 5000u) << "each person once";
  EXPECT_EQ(platform_.refused_429, 0) << "paced under the platform's limits";
  const Seconds first = platform_.posts.front().at;
  const Seconds last = platform_.posts.back().at;
  EXPECT_EQ(FormatIsoInstant(first), "2027-01-11T09:00:00Z");
  EXPECT_LE(last - first, minutes(20)) << "last prompt at " << FormatIsoInstant(last);
  for (size_t i = 1; i < platform_.posts.size(); ++i) {
    ASSERT_LE(platform_.posts[i - 1].due, platform_.posts[i].due) << "in due-time order";
  }
  std::printf("5,000 prompts: first %s, last %s (%lld s), 429s: %d\n",
              FormatIsoInstant(first).c_str(), FormatIsoInstant(last).c_str(),
              static_cast<long long>((last - first).count()), platform_.refused_429);
}

TEST_F(SchedulerScaleTest, ASixHourOutageDelaysPromptsButLosesOrRepeatsNone) {
  AddPeople(200, "2027-Q1", At("2027-01-04T00:00:00Z"));
  platform_.down_from = At("2027-01-11T08:30:00Z");
  platform_.down_until = At("2027-01-11T14:30:00Z");
  platform_.failing_targets = {"U10007"};  // this one keeps failing for more than a day
  Build(At("2027-01-11T08:00:00Z"));
  for (; clock_.Now() < At("2027-01-12T09:30:00Z"); clock_.Advance(seconds(60))) {
    if (clock_.Now() == At("2027-01-11T12:00:00Z")) {
      // U10007 checks in by command meanwhile, so no follow-up is planned for them.
      CheckIn checkin;
      checkin.workspace_id = kWorkspace;
      checkin.kr = krs_["U10007"];
      checkin.value = 84;
      checkin.author = "U10007";
      checkin.at = clock_.Now();
      ASSERT_TRUE(store_->RecordCheckIn(checkin).ok());
    }
    ASSERT_TRUE(runner_->RunPass().ok());
  }
  std::map<std::string, int> prompts;
  for (const Post& post : platform_.posts) {
    if (post.kind == "checkin") ++prompts[post.target];
    EXPECT_GE(post.at, platform_.down_until) << "nothing got through while it was down";
  }
  EXPECT_EQ(prompts.size(), 199u) << "all but the one that keeps failing";
  for (const auto& [person, count] : prompts) EXPECT_EQ(count, 1) << person;
  Seconds latest{};
  for (const Post& post : platform_.posts) {
    if (post.kind == "checkin") latest = std::max(latest, post.at);
  }
  EXPECT_LE(latest - platform_.down_until, minutes(35))
      << "backoff is capped at 30 min, so posts follow soon after the platform is back";
  EXPECT_GT(platform_.failed, 200) << "the outage was real";

  std::vector<Job> dead = Jobs(JobState::kDead);
  ASSERT_EQ(dead.size(), 1u) << "only the post that failed for more than its life of 24 h";
  EXPECT_EQ(dead[0].target, "U10007");
  EXPECT_NE(dead[0].last_error.find("HTTP 500 from chat.postMessage"), std::string::npos)
      << dead[0].last_error;

  // The platform accepts it again, and an operator retries it (`okrbot jobs retry`).
  platform_.failing_targets.clear();
  ASSERT_TRUE(store_->RequeueJob(dead[0].id, clock_.Now()).ok());
  ASSERT_TRUE(runner_->RunPass().ok());
  int sent = 0;
  for (const Post& post : platform_.posts) sent += post.target == "U10007" ? 1 : 0;
  EXPECT_EQ(sent, 1);
  EXPECT_TRUE(Jobs(JobState::kDead).empty());
}

TEST_F(SchedulerScaleTest, ASimulatedYearWithHolidaysAwayAndATwoWeekOutage) {
  const bool full = LongTests();
  const int people = full ? 500 : 60;
  const Seconds start = At("2027-01-01T00:00:00Z");
  const Seconds end = full ? At("2028-01-20T00:00:00Z") : At("2027-07-20T00:00:00Z");
  const std::chrono::seconds step = hours(1);
  // Okrbot is down for two weeks over the end of Q1 (the Q1 summary is due on April 1).
  const Seconds down_from = At("2027-03-24T00:00:00Z");
  const Seconds down_until = At("2027-04-07T00:00:00Z");
  Workspace ws = store_->GetWorkspace(kWorkspace).value();
  Days holiday;
  for (const char* day : {"2027-01-18", "2027-05-24", "2027-12-27"}) {
    ASSERT_TRUE(ParseDate(day, &holiday));
    ws.holidays.push_back(holiday);
  }
  ASSERT_TRUE(store_->UpsertWorkspace(ws).ok());
  Reminder digest;
  digest.workspace_id = kWorkspace;
  digest.kind = "digest";
  digest.channel = "okrs";
  digest.weekday = 5;
  digest.minute_of_day = 16 * 60;
  digest.tz = "Europe/Berlin";
  ASSERT_TRUE(store_->PutReminder(digest).ok());

  Build(start);
  std::set<std::string> cycles_started;
  uint64_t random = 42;
  auto next_random = [&] {
    random = random * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(random >> 11) / static_cast<double>(1ULL << 53);
  };
  int passes = 0;
  for (; clock_.Now() < end; clock_.Advance(step)) {
    Days today = date::floor<date::days>(clock_.Now());
    std::string cycle = FormatCycle(CycleContaining(today, 1));
    if (cycles_started.insert(cycle).second) AddPeople(people, cycle, clock_.Now());
    // Mondays 00:00Z: some people go away for two weeks, some come back.
    if (date::weekday(today) == date::Monday && clock_.Now() == Seconds(today)) {
      for (int i = 0; i < people; ++i) {
        if (next_random() < 0.03) {
          User user = store_->GetUser(kWorkspace, "U" + std::to_string(10000 + i)).value();
          user.away_until = today + date::days(13);
          ASSERT_TRUE(store_->UpsertUser(user).ok());
        }
      }
    }
    // Each hour of a weekday afternoon, a few people check in.
    if (date::weekday(today) != date::Saturday && date::weekday(today) != date::Sunday &&
        (clock_.Now() - Seconds(today)) == hours(13)) {
      for (const auto& [person, kr] : krs_) {
        if (next_random() < 0.08) {
          CheckIn checkin;
          checkin.workspace_id = kWorkspace;
          checkin.kr = kr;
          checkin.value = 82 + 8 * next_random();
          checkin.author = person;
          checkin.at = clock_.Now();
          ASSERT_TRUE(store_->RecordCheckIn(checkin).ok());
        }
      }
    }
    if (clock_.Now() >= down_from && clock_.Now() < down_until) continue;
    ASSERT_TRUE(runner_->RunPass().ok());
    ++passes;
  }

  ExpectNoTwoPromptsWithinADay();
  std::map<std::string, int> summaries;
  int prompts = 0;
  for (const Post& post : platform_.posts) {
    if (post.kind == "summary") ++summaries[post.key];
    if (post.kind == "checkin") ++prompts;
  }
  std::vector<std::string> expected = {"2027-Q1", "2027-Q2"};
  if (full) expected = {"2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"};
  ASSERT_EQ(summaries.size(), expected.size());
  for (const std::string& cycle : expected) {
    EXPECT_EQ(summaries[kWorkspace + "|summary|" + cycle], 1) << cycle << " summary, once";
  }
  EXPECT_GT(prompts, people * (full ? 20 : 10)) << "people were prompted all year";
  EXPECT_EQ(platform_.refused_429, 0);

  // Retention keeps the outbox to about 90 days of posts and seen events to 7 days.
  auto stats = store_->Stats().value();
  int64_t jobs = 0;
  for (const auto& [table, rows] : stats.rows) {
    if (table == "jobs") jobs = rows;
  }
  const int64_t bound_bytes = full ? 24 * 1024 * 1024 : 8 * 1024 * 1024;
  EXPECT_LT(stats.bytes, bound_bytes);
  EXPECT_LT(jobs, static_cast<int64_t>(platform_.posts.size()))
      << "sent jobs older than 90 days were pruned";
  std::printf(
      "simulated %s: %d people, %d passes, %zu posts (%d prompts), %lld jobs kept, "
      "database %lld bytes (%lld free)\n",
      full ? "year" : "half year", people, passes, platform_.posts.size(), prompts,
      static_cast<long long>(jobs), static_cast<long long>(stats.bytes),
      static_cast<long long>(stats.free_bytes));
}

}  // namespace
}  // namespace okrbot
