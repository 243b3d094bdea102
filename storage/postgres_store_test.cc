// PostgresStore against a real PostgreSQL server started by the test (tests/postgres_server.h):
// the shared conformance suite, and what only several connections or processes can show.
#include "storage/postgres_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/open_store.h"
#include "storage/store_conformance.h"
#include "tests/postgres_server.h"

namespace okrbot {
namespace {

using testing::PostgresServer;
using testing::SharedPostgresServer;

#define ASSERT_OK(expr) ASSERT_TRUE((expr).ok()) << (expr).status().ToString()
#define EXPECT_OK(expr) EXPECT_TRUE((expr).ok()) << (expr).status().ToString()

Seconds At(int64_t seconds) { return Seconds(std::chrono::seconds(seconds)); }

// The shared server, or a test failure saying why there is none (never a skip).
PostgresServer* Server() {
  std::string error;
  PostgresServer* server = SharedPostgresServer(&error);
  if (server == nullptr) ADD_FAILURE() << "no PostgreSQL server for the test: " << error;
  return server;
}

std::unique_ptr<PostgresStore> OpenFresh(const std::string& url, int pool_size = 4) {
  PostgresStore::Options options;
  options.pool_size = pool_size;
  options.acquire_timeout = std::chrono::milliseconds(20000);
  Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url, options);
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return nullptr;
  }
  return std::move(store).value();
}

std::unique_ptr<Store> MakeMigratedPostgresStore() {
  PostgresServer* server = Server();
  if (server == nullptr) return nullptr;
  std::string url = server->FreshSchemaUrl();
  if (url.empty()) {
    ADD_FAILURE() << "cannot create a schema";
    return nullptr;
  }
  std::unique_ptr<PostgresStore> store = OpenFresh(url);
  if (store == nullptr) return nullptr;
  Status migrated = store->Migrate();
  if (!migrated.ok()) {
    ADD_FAILURE() << migrated.ToString();
    return nullptr;
  }
  return store;
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         ::testing::Values(StoreUnderTest{"Server", MakeMigratedPostgresStore}),
                         StoreUnderTestName);

Job MakeJob(const std::string& key, int64_t due) {
  Job job;
  job.key = key;
  job.workspace_id = "slack:T1";
  job.kind = "checkin";
  job.target = "U1";
  job.payload = "{}";
  job.due_at = At(due);
  job.created_at = At(due);
  return job;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = Server();
    ASSERT_NE(server_, nullptr);
    url_ = server_->FreshSchemaUrl();
    ASSERT_FALSE(url_.empty());
  }

  PostgresServer* server_ = nullptr;
  std::string url_;
};

TEST_F(PostgresStoreTest, UnmigratedDatabaseSaysToMigrate) {
  std::unique_ptr<PostgresStore> store = OpenFresh(url_);
  ASSERT_NE(store, nullptr);
  Result<int> version = store->SchemaVersion();
  ASSERT_OK(version);
  EXPECT_EQ(*version, 0);
  EXPECT_TRUE(store->Ping().ok());
  Result<Workspace> workspace = store->GetWorkspace("slack:T1");
  EXPECT_EQ(workspace.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(workspace.status().message().find("okrbot migrate"), std::string::npos)
      << workspace.status().ToString();
}

TEST_F(PostgresStoreTest, ReplicasStartingTogetherMigrateOnce) {
  constexpr int kReplicas = 6;
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < kReplicas; ++i) stores.push_back(OpenFresh(url_, 2));
  std::vector<Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { results[i] = stores[i]->Migrate(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  Result<int> version = stores[0]->SchemaVersion();
  ASSERT_OK(version);
  EXPECT_GE(*version, 3);
  // Each step recorded once: a second migration would have failed on CREATE TABLE.
  EXPECT_TRUE(stores[1]->Migrate().ok());
  Result<int> again = stores[2]->SchemaVersion();
  ASSERT_OK(again);
  EXPECT_EQ(*again, *version);
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefusedNotDowngraded) {
  std::unique_ptr<PostgresStore> store = OpenFresh(url_);
  ASSERT_TRUE(store->Migrate().ok());
  std::string schema = url_.substr(url_.rfind("%3D") + 3);
  ASSERT_EQ(server_->Execute("INSERT INTO " + schema +
                             ".schema_migrations (version, applied_at) VALUES (99, 0)"),
            "");
  Status migrated = store->Migrate();
  EXPECT_EQ(migrated.code(), StatusCode::kFailedPrecondition) << migrated.ToString();
  EXPECT_NE(migrated.message().find("upgrade okrbot"), std::string::npos);
}

TEST_F(PostgresStoreTest, ConcurrentClaimersInSeveralProcessesNeverShareAJob) {
  // Each store has its own pool, as each replica process does.
  constexpr int kClaimers = 4;
  constexpr int kJobs = 400;
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < kClaimers; ++i) stores.push_back(OpenFresh(url_, 2));
  ASSERT_TRUE(stores[0]->Migrate().ok());
  std::vector<Job> jobs;
  for (int i = 0; i < kJobs; ++i) jobs.push_back(MakeJob("job-" + std::to_string(i), 1000 + i));
  Result<int> created = stores[0]->EnqueueJobs(jobs);
  ASSERT_OK(created);
  ASSERT_EQ(*created, kJobs);

  std::vector<std::vector<int64_t>> claimed(kClaimers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClaimers; ++i) {
    threads.emplace_back([&, i] {
      while (true) {
        Result<std::vector<Job>> batch =
            stores[i]->ClaimDueJobs(At(5000), 7, std::chrono::seconds(600));
        ASSERT_TRUE(batch.ok()) << batch.status().ToString();
        if (batch->empty()) return;
        for (const Job& job : *batch) {
          EXPECT_EQ(job.attempts, 1);
          claimed[i].push_back(job.id);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> all;
  size_t total = 0;
  int claimers_that_got_some = 0;
  for (const auto& ids : claimed) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
    if (!ids.empty()) ++claimers_that_got_some;
  }
  EXPECT_EQ(total, static_cast<size_t>(kJobs)) << "every job claimed exactly once";
  EXPECT_EQ(all.size(), static_cast<size_t>(kJobs));
  EXPECT_GE(claimers_that_got_some, 2) << "claims ran side by side, not one after another";
}

TEST_F(PostgresStoreTest, SameJobsEnqueuedByEveryReplicaAreCreatedOnce) {
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < kReplicas; ++i) stores.push_back(OpenFresh(url_, 2));
  ASSERT_TRUE(stores[0]->Migrate().ok());
  std::vector<Job> jobs;
  for (int i = 0; i < 200; ++i) jobs.push_back(MakeJob("post-" + std::to_string(i), 1000));
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] {
      // Different orders, as replicas planning the same posts might produce them.
      std::vector<Job> mine = jobs;
      if (i % 2 == 1) std::reverse(mine.begin(), mine.end());
      Result<int> n = stores[i]->EnqueueJobs(mine);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      created += *n;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 200);
  JobFilter filter;
  filter.limit = 0;
  Result<std::vector<Job>> listed = stores[0]->ListJobs(filter);
  ASSERT_OK(listed);
  EXPECT_EQ(listed->size(), 200u);
}

TEST_F(PostgresStoreTest, ExpiredLeaseOfADeadReplicaIsTakenOver) {
  std::unique_ptr<PostgresStore> dead_replica = OpenFresh(url_, 1);
  std::unique_ptr<PostgresStore> live_replica = OpenFresh(url_, 1);
  ASSERT_TRUE(dead_replica->Migrate().ok());
  ASSERT_OK(dead_replica->EnqueueJob(MakeJob("digest", 1000)));
  Result<std::vector<Job>> first =
      dead_replica->ClaimDueJobs(At(1000), 10, std::chrono::seconds(120));
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 1u);
  dead_replica.reset();  // its process is gone; the job stays leased
  Result<std::vector<Job>> too_soon =
      live_replica->ClaimDueJobs(At(1119), 10, std::chrono::seconds(120));
  ASSERT_OK(too_soon);
  EXPECT_TRUE(too_soon->empty()) << "the lease holds for its whole length";
  Result<std::vector<Job>> after =
      live_replica->ClaimDueJobs(At(1120), 10, std::chrono::seconds(120));
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().attempts, 2);
  EXPECT_TRUE(live_replica->MarkJobSent(after->front().id, At(1120)).ok());
}

TEST_F(PostgresStoreTest, PoolNeverOpensMoreThanItsSize) {
  std::unique_ptr<PostgresStore> store = OpenFresh(url_, 3);
  ASSERT_TRUE(store->Migrate().ok());
  std::atomic<int> failures{0};
  std::atomic<int> most_open{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        Workspace workspace;
        workspace.id = "slack:T" + std::to_string(t);
        workspace.platform = "slack";
        workspace.name = "ws " + std::to_string(i);
        if (!store->UpsertWorkspace(workspace).ok()) ++failures;
        int open = store->OpenConnectionsForTesting();
        int seen = most_open.load();
        while (open > seen && !most_open.compare_exchange_weak(seen, open)) {
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_open.load(), 3);
  EXPECT_GE(most_open.load(), 1);
}

TEST_F(PostgresStoreTest, TextPostgresCannotHoldIsInvalidArgumentAndStoresNothing) {
  std::unique_ptr<PostgresStore> store = OpenFresh(url_);
  ASSERT_TRUE(store->Migrate().ok());
  Workspace workspace;
  workspace.id = "slack:T1";
  workspace.platform = "slack";
  for (const std::string& name :
       {std::string("nul \0 inside", 12), std::string("bad \xff utf-8")}) {
    workspace.name = name;
    Status status = store->UpsertWorkspace(workspace);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  }
  Result<std::vector<Workspace>> all = store->ListWorkspaces();
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
}

TEST_F(PostgresStoreTest, OutageIsUnavailableAndTheStoreRecoversWhenTheDatabaseReturns) {
  std::unique_ptr<PostgresStore> store = OpenFresh(url_, 4);
  ASSERT_TRUE(store->Migrate().ok());
  ASSERT_OK(store->EnqueueJob(MakeJob("weekly", 1000)));
  // Fill the pool with idle connections that the outage will break.
  std::vector<std::thread> warm;
  for (int i = 0; i < 4; ++i) warm.emplace_back([&] { EXPECT_TRUE(store->Ping().ok()); });
  for (std::thread& thread : warm) thread.join();

  ASSERT_TRUE(server_->Stop());
  auto started = std::chrono::steady_clock::now();
  Status ping = store->Ping();
  EXPECT_EQ(ping.code(), StatusCode::kUnavailable) << ping.ToString();
  Result<std::vector<Job>> claim = store->ClaimDueJobs(At(2000), 10, std::chrono::seconds(60));
  EXPECT_EQ(claim.status().code(), StatusCode::kUnavailable) << claim.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10))
      << "a down database fails calls quickly instead of hanging them";

  std::string error;
  ASSERT_TRUE(server_->Resume(&error)) << error;
  EXPECT_TRUE(store->Ping().ok()) << "the first call after the outage works";
  Result<std::vector<Job>> claimed = store->ClaimDueJobs(At(2000), 10, std::chrono::seconds(60));
  ASSERT_OK(claimed);
  EXPECT_EQ(claimed->size(), 1u) << "nothing was claimed during the outage";
}

// The server turns read-only, as a standby does after a failover (or an operator setting
// default_transaction_read_only): writes fail with a clear kUnavailable and store nothing, reads
// still answer, Ping fails; when the server takes writes again, Ping's own probe write brings
// readiness back without any user write.
TEST_F(PostgresStoreTest, ReadOnlyServerFailsWritesClearlyAndPingRecoversWhenWritable) {
  std::unique_ptr<PostgresStore> store = OpenFresh(url_, 2);
  ASSERT_TRUE(store->Migrate().ok());
  Objective objective;
  objective.workspace_id = "slack:T1";
  objective.title = "Stay writable";
  ASSERT_OK(store->CreateObjective(objective));
  ASSERT_TRUE(store->Ping().ok());

  ASSERT_EQ(server_->Execute("ALTER SYSTEM SET default_transaction_read_only = on"), "");
  ASSERT_EQ(server_->Execute("SELECT pg_reload_conf()"), "");
  // Each backend applies the reloaded setting at its next command; wait until writes fail.
  Result<Objective> refused = store->CreateObjective(objective);
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (refused.ok() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    refused = store->CreateObjective(objective);
  }
  ASSERT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("read-only"), std::string::npos)
      << refused.status().ToString();
  Result<std::vector<Objective>> listed = store->ListObjectives("slack:T1", {});
  ASSERT_OK(listed);  // reads still answer
  const size_t stored_before = listed->size();
  Status ping = store->Ping();
  EXPECT_EQ(ping.code(), StatusCode::kUnavailable) << ping.ToString();
  EXPECT_NE(ping.message().find("read-only"), std::string::npos) << ping.ToString();

  ASSERT_EQ(server_->Execute("ALTER SYSTEM RESET default_transaction_read_only"), "");
  ASSERT_EQ(server_->Execute("SELECT pg_reload_conf()"), "");
  give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!store->Ping().ok() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(store->Ping().ok()) << "readiness came back without a user write";
  Result<std::vector<Objective>> after = store->ListObjectives("slack:T1", {});
  ASSERT_OK(after);
  EXPECT_EQ(after->size(), stored_before) << "no refused write was stored";
  ASSERT_OK(store->CreateObjective(objective));
}

TEST(PostgresOpenStoreTest, OpenStoreSelectsPostgresForItsUrls) {
  PostgresServer* server = Server();
  ASSERT_NE(server, nullptr);
  std::string url = server->FreshSchemaUrl();
  OpenStoreOptions options;
  options.postgres_pool_size = 2;
  Result<std::unique_ptr<Store>> store = OpenStore(url, options);
  ASSERT_OK(store);
  EXPECT_NE(dynamic_cast<PostgresStore*>(store->get()), nullptr);
  EXPECT_TRUE((*store)->Migrate().ok());
  EXPECT_TRUE((*store)->Ping().ok());
}

}  // namespace
}  // namespace okrbot
