// Several okrbot replicas on one PostgreSQL database (SPEC §5): a simulated quarter driven from
// every replica at once, with one replica killed mid-dispatch, must deliver every due post
// exactly once — except the single message in flight at the kill, which the outbox contract
// allows to repeat once.
//
// All processes read the time from one file (OKRBOT_FAKE_CLOCK_FILE), so the quarter passes in
// a minute while replicas, cron-style `run-due` passes and an in-process scheduler all agree on
// what time it is. The expected posts come from a reference run of the same quarter: one
// process, SQLite, one `run-due` per instant.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "adapters/slack/slack_client.h"
#include "adapters/slack/slack_deliverer.h"
#include "adapters/slack/slack_tokens.h"
#include "scheduler/dispatcher.h"
#include "scheduler/planner.h"
#include "scheduler/runner.h"
#include "storage/postgres_store.h"
#include "tests/postgres_server.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr char kLease[] = "3600";

Seconds Instant(const std::string& iso) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(iso, &t)) << iso;
  return t;
}

// Six owners around the world, two objectives, ten KRs (one binary, which gets a quality
// nudge), a Friday digest: enough for prompts, follow-ups, stale nudges, escalations, digests,
// the halfway reminder and the summary.
json QuarterSeed() {
  const long long oct1 = 1790812800;  // 2026-10-01T00:00:00Z
  json users = json::array();
  const std::vector<std::pair<std::string, std::string>> people = {
      {"UNYC", "America/New_York"}, {"UBER", "Europe/Berlin"},       {"UKIR", "Pacific/Kiritimati"},
      {"UTYO", "Asia/Tokyo"},       {"ULAX", "America/Los_Angeles"}, {"UDEL", "Asia/Kolkata"}};
  for (const auto& [id, tz] : people) {
    users.push_back({{"id", id}, {"display_name", id}, {"tz", tz}});
  }
  json krs = json::array();
  for (int i = 1; i <= 10; ++i) {
    json kr = {{"number", i},
               {"objective", i <= 5 ? 1 : 2},
               {"text", "Increase metric " + std::to_string(i) + " from 10 to 20"},
               {"owner", people[static_cast<size_t>(i % 6)].first},
               {"baseline", 10},
               {"target", 20},
               {"created_at", oct1}};
    if (i == 10) {
      kr["text"] = "Launch the partner portal";
      kr["direction"] = "binary";
      kr.erase("baseline");
      kr.erase("target");
    }
    krs.push_back(kr);
  }
  json ws = {{"id", "slack:T1"},
             {"platform", "slack"},
             {"name", "Acme"},
             {"created_at", oct1},
             {"users", users},
             {"objectives",
              {{{"number", 1},
                {"title", "Delight our customers"},
                {"owner", "UNYC"},
                {"cycle", "2026-Q4"},
                {"created_at", oct1}},
               {{"number", 2},
                {"title", "Grow the partner channel"},
                {"owner", "UBER"},
                {"cycle", "2026-Q4"},
                {"created_at", oct1}}}},
             {"key_results", krs},
             {"reminders",
              {{{"kind", "digest"},
                {"channel", "okrs"},
                {"weekday", 5},
                {"minute_of_day", 960},
                {"tz", "Europe/Berlin"}}}}};
  return {{"format", "okrbot-export"}, {"version", 1}, {"workspaces", {ws}}};
}

// The simulated quarter: one instant a day (a follow-up's 24-48 h window always holds one),
// from the first Monday prompts to after the quarter's summary.
std::vector<Seconds> QuarterInstants() {
  std::vector<Seconds> instants;
  for (Seconds t = Instant("2026-10-04T20:00:00Z"); t <= Instant("2027-01-03T20:00:00Z");
       t += std::chrono::hours(24)) {
    instants.push_back(t);
  }
  return instants;
}

void SetClock(const std::string& path, Seconds now) {
  // Replace atomically: readers never see a half-written file.
  WriteFile(path + ".new", FormatIsoInstant(now) + "\n");
  ASSERT_EQ(std::rename((path + ".new").c_str(), path.c_str()), 0);
}

// What was posted: "channel\ttext" -> how many times.
// Each post's parts: one person's nudges due together go out as one DM, their parts after a
// divider ("---" in the text), and which nudges share a DM depends on which replica claimed
// which; the parts delivered do not.
std::map<std::string, int> Delivered(const SlackStandIn& slack) {
  std::map<std::string, int> posts;
  const std::string divider = "\n---\n";
  for (const RecordedCall& call : slack.Calls("chat.postMessage")) {
    const std::string channel = call.args.value("channel", "");
    const std::string text = call.args.value("text", "");
    for (size_t from = 0;;) {
      size_t to = text.find(divider, from);
      // Each part keeps its own last line break, as when it is a post of its own.
      posts[channel + "\t" + text.substr(from, to == std::string::npos ? to : to + 1 - from)] += 1;
      if (to == std::string::npos) break;
      from = to + divider.size();
    }
  }
  return posts;
}

struct Environment {
  std::string db;
  std::string api_base;
  std::string clock_file;

  std::vector<std::string> Variables() const {
    return {"OKRBOT_DB=" + db, "SLACK_SIGNING_SECRET=test-secret", "SLACK_BOT_TOKEN=xoxb-test",
            "SLACK_API_BASE=" + api_base, "OKRBOT_LOG_LEVEL=error",
            "OKRBOT_FAKE_CLOCK_FILE=" + clock_file, "OKRBOT_DB_POOL=3",
            "OKRBOT_SCHEDULER_INTERVAL=1", std::string("OKRBOT_JOB_LEASE=") + kLease,
            "OKRBOT_POSTS_PER_SECOND=1000", "OKRBOT_POSTS_BURST=1000",
            "OKRBOT_CHANNEL_POSTS_PER_SECOND=1000", "OKRBOT_CHANNEL_POSTS_BURST=1000",
            // The clock jumps a day at a time and the whole quarter's outbox is compared: posts
            // must neither die of old age between two instants nor be pruned.
            "OKRBOT_PROMPT_LIFE_HOURS=720", "OKRBOT_DIGEST_LIFE_HOURS=720",
            "OKRBOT_JOBS_RETENTION_DAYS=3650"};
  }
};

// Starts `okrbot run-due` (it reads the clock file) without waiting for it.
pid_t StartRunDue(const Environment& env) {
  Child child = StartProcess({OkrbotBinary(), "run-due"}, env.Variables());
  close(child.stdin_fd);
  close(child.stdout_fd);  // its summary line is not needed; a closed pipe only drops it
  return child.pid;
}

int WaitFor(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// The reference: the same quarter, one process, SQLite, one pass per instant.
std::map<std::string, int> ReferenceQuarter(std::set<std::string>* job_keys) {
  TempDir dir;
  SlackStandIn slack;
  Environment env{"sqlite://" + dir.File("okrbot.db"), slack.ApiBase(), dir.File("now")};
  WriteFile(dir.File("seed.json"), QuarterSeed().dump());
  EXPECT_EQ(
      RunProcess({OkrbotBinary(), "import", dir.File("seed.json")}, "", env.Variables()).exit_code,
      0);
  for (Seconds now : QuarterInstants()) {
    SetClock(env.clock_file, now);
    ProcessResult pass = RunProcess({OkrbotBinary(), "run-due"}, "", env.Variables());
    EXPECT_EQ(pass.exit_code, 0) << pass.err;
  }
  ProcessResult jobs = RunProcess({OkrbotBinary(), "jobs"}, "", env.Variables());
  for (size_t at = 0; (at = jobs.out.find("slack:T1|", at)) != std::string::npos;) {
    size_t end = jobs.out.find("  ", at);
    job_keys->insert(jobs.out.substr(at, end - at));
    at = end;
  }
  return Delivered(slack);
}

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = PostgresServer::Start(&error);
    ASSERT_NE(server_, nullptr) << "the replica test needs PostgreSQL: " << error;
    env_ = Environment{server_->Url(), slack_.ApiBase(), dir_.File("now")};
    PostgresStore::Options options;
    options.pool_size = 2;
    auto store = PostgresStore::Open(server_->Url(), options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  ChildGuard StartReplica() {
    int port = FreeLoopbackPort();
    return ChildGuard(
        StartProcess({OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
                     env_.Variables()));
  }

  // Jobs some live process holds right now (claimed, not yet finished), leaving out those the
  // killed replica holds until their lease expires.
  std::vector<Job> InFlight(Seconds now, const std::map<int64_t, Seconds>& abandoned) {
    JobFilter filter;
    filter.state = JobState::kPending;
    filter.limit = 0;
    auto pending = store_->ListJobs(filter);
    EXPECT_TRUE(pending.ok()) << pending.status().ToString();
    std::vector<Job> held;
    if (!pending.ok()) return held;
    for (const Job& job : *pending) {
      if (!job.lease_until || *job.lease_until <= now) continue;
      auto dead_claim = abandoned.find(job.id);
      if (dead_claim != abandoned.end() && dead_claim->second == *job.lease_until) continue;
      held.push_back(job);
    }
    return held;
  }

  // Waits until no live process is between claiming and finishing a post, so the next instant
  // starts from a settled outbox (a real clock never jumps a day while a post is being sent).
  void Settle(Seconds now, const std::map<int64_t, Seconds>& abandoned) {
    auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (!InFlight(now, abandoned).empty()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "a replica kept a claim";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  TempDir dir_;
  SlackStandIn slack_;
  std::unique_ptr<PostgresServer> server_;
  Environment env_;
  std::unique_ptr<PostgresStore> store_;
};

TEST_F(ReplicasTest, AQuarterOnThreeReplicasDeliversEveryPostOnceDespiteAKilledReplica) {
  std::set<std::string> expected_keys;
  const std::map<std::string, int> expected = ReferenceQuarter(&expected_keys);
  ASSERT_GT(expected.size(), 100u) << "the reference quarter posts prompts, digests and more";

  WriteFile(dir_.File("seed.json"), QuarterSeed().dump());
  ProcessResult imported =
      RunProcess({OkrbotBinary(), "import", dir_.File("seed.json")}, "", env_.Variables());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::vector<Seconds> instants = QuarterInstants();
  SetClock(env_.clock_file, instants.front());

  // Replica A plans the first instant's posts and starts sending; Slack holds its first post,
  // and A is killed while it waits for the answer: mid-dispatch, with posts claimed.
  slack_.SetDelay("chat.postMessage", std::chrono::milliseconds(20000));
  std::string in_flight;
  {
    ChildGuard replica_a = StartReplica();
    ASSERT_TRUE(slack_.WaitForCalls("chat.postMessage", 1, seconds(30)))
        << "replica A never started sending";
    kill(replica_a.child().pid, SIGKILL);
    replica_a.Wait();
    auto calls = slack_.Calls("chat.postMessage");
    ASSERT_EQ(calls.size(), 1u);
    in_flight = calls[0].args.value("channel", "") + "\t" + calls[0].args.value("text", "");
  }
  slack_.SetDelay("chat.postMessage", std::chrono::milliseconds(0));
  // What replica A had claimed stays leased to it until the lease expires.
  std::map<int64_t, Seconds> abandoned;
  for (const Job& job : InFlight(instants.front(), {})) abandoned[job.id] = *job.lease_until;
  ASSERT_FALSE(abandoned.empty()) << "the killed replica held claimed posts";

  // Replicas B and C run their own schedulers every second; at every instant three cron-style
  // `run-due` passes and an in-process scheduler run side by side as well.
  ChildGuard replica_b = StartReplica();
  ChildGuard replica_c = StartReplica();
  FakeClock fake_clock(instants.front());
  Planner planner(store_.get());
  DispatcherOptions dispatcher_options;
  dispatcher_options.lease = seconds(std::stoi(kLease));
  PaceLimits unpaced;
  unpaced.workspace_per_minute = 60000;
  unpaced.workspace_burst = 1000;
  unpaced.channel_per_second = 1000;
  unpaced.channel_burst = 1000;
  dispatcher_options.pace["slack"] = unpaced;
  dispatcher_options.lives.prompt = dispatcher_options.lives.digest = std::chrono::hours(720);
  Dispatcher dispatcher(
      store_.get(), &fake_clock, dispatcher_options, [] { return 0.5; }, nullptr);
  SlackClientOptions client_options;
  client_options.api_base = slack_.ApiBase();
  client_options.max_attempts = 1;
  SlackClient client(client_options);
  slack::SlackTokens tokens(store_.get(), nullptr, "xoxb-test");
  slack::SlackDeliverer deliverer(&client, &tokens);
  dispatcher.RegisterPlatform("slack", &deliverer);
  SchedulerRunner in_process(&planner, &dispatcher, &fake_clock);

  // On odd days the in-process pass waits for the `run-due` passes: a loaded machine starts
  // processes slowly, and without this the in-process scheduler could win every race.
  int in_process_sent = 0;
  for (size_t day = 0; day < instants.size(); ++day) {
    const Seconds now = instants[day];
    SetClock(env_.clock_file, now);
    fake_clock.Set(now);
    std::vector<pid_t> passes;
    for (int i = 0; i < 3; ++i) passes.push_back(StartRunDue(env_));
    auto run_in_process = [&] {
      auto pass = in_process.RunPass();
      EXPECT_TRUE(pass.ok()) << pass.status().ToString();
      if (pass.ok()) in_process_sent += pass->dispatched.sent;
    };
    if (day % 2 == 0) run_in_process();
    for (pid_t pid : passes) {
      int status = WaitFor(pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "run-due at " << FormatIsoInstant(now);
    }
    if (day % 2 == 1) run_in_process();
    Settle(now, abandoned);
  }

  // Everything planned went out, and nothing is left waiting or dead.
  JobFilter all;
  all.limit = 0;
  auto jobs = store_->ListJobs(all);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  std::set<std::string> keys;
  for (const Job& job : *jobs) {
    keys.insert(job.key);
    EXPECT_EQ(job.state, JobState::kSent) << job.key << " " << job.last_error;
  }
  EXPECT_EQ(keys, expected_keys) << "the same posts were planned, each once";

  std::map<std::string, int> delivered = Delivered(slack_);
  int total = 0;
  for (const auto& [post, times] : delivered) total += times;
  EXPECT_GT(in_process_sent, 0) << "the in-process scheduler took part";
  EXPECT_LT(in_process_sent, total - 1) << "so did the other processes";
  for (const auto& [post, times] : expected) {
    int got = delivered.count(post) ? delivered.at(post) : 0;
    if (post == in_flight) {
      EXPECT_TRUE(got == times || got == times + 1)
          << "the in-flight post may repeat once: " << post << " x" << got;
    } else {
      EXPECT_EQ(got, times) << post;
    }
  }
  for (const auto& [post, times] : delivered) {
    EXPECT_TRUE(expected.count(post)) << "unexpected post x" << times << ": " << post;
  }

  kill(replica_b.child().pid, SIGTERM);
  kill(replica_c.child().pid, SIGTERM);
  for (ChildGuard* replica : {&replica_b, &replica_c}) {
    int status = replica->Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "replicas stop cleanly";
  }
}

TEST_F(ReplicasTest, AReplicaThatLosesTheDatabaseIsNotReadyAndRecovers) {
  ProcessResult migrated = RunProcess({OkrbotBinary(), "migrate"}, "", env_.Variables());
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  SetClock(env_.clock_file, Instant("2026-10-04T20:00:00Z"));
  int port = FreeLoopbackPort();
  ChildGuard replica(
      StartProcess({OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
                   env_.Variables()));
  auto ready = [&](int expected_status) {
    auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(seconds(2));
      client.set_read_timeout(seconds(15));
      auto response = client.Get("/readyz");
      if (response && response->status == expected_status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  ASSERT_TRUE(ready(200)) << "ready while the database answers";

  ASSERT_TRUE(server_->Stop());
  EXPECT_TRUE(ready(503)) << "not ready without the database";
  // While the database is away a planned post cannot even be created; once it is back, the
  // replica's own scheduler plans and sends what is due.
  WriteFile(dir_.File("seed.json"), QuarterSeed().dump());
  std::string error;
  ASSERT_TRUE(server_->Resume(&error)) << error;
  EXPECT_TRUE(ready(200)) << "ready again when the database returns";
  ProcessResult imported =
      RunProcess({OkrbotBinary(), "import", dir_.File("seed.json")}, "", env_.Variables());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_TRUE(slack_.WaitForCalls("chat.postMessage", 1, seconds(20)))
      << "the replica claims and sends jobs again after the outage";
}

}  // namespace
}  // namespace okrbot::testing
