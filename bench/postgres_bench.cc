// PostgreSQL store benchmark: check-ins/s and jobs claimed/s through okrbot::PostgresStore
// against a real PostgreSQL server on this machine, with durable commits (fsync on,
// synchronous_commit on), so each figure includes the WAL flush a real deployment pays.
//
//   bench/run postgres [checkins|claims] [flags]        (builds Release, then runs the binary)
//   build/postgres_bench [checkins|claims] [--threads 32] [--seconds 5] [--pool 8]
//                        [--jobs 50000] [--replicas 3] [--no-fsync]
//
// Without a scenario name both run. The server is a throwaway one (tests/postgres_server.h:
// initdb in $TMPDIR, durable settings; --no-fsync starts the test suite's fsync=off server for
// comparison) unless OKRBOT_BENCH_POSTGRES_URL names an existing one. Either way everything
// happens in a fresh schema (search_path) that is dropped at the end.
//
// checkins: one workspace with 50 objectives and 200 KRs; T threads share one PostgresStore
//   (pool P) and each loops RecordCheckIn on a random KR for D seconds after a 1 s warm-up.
//   Prints check-ins/s and p50/p95/p99 latency; latency is per call as the caller sees it,
//   including any wait for a pooled connection (T > P means threads queue for the pool).
// claims: enqueues N due jobs in batches of 1,000 with EnqueueJobs (one transaction per batch)
//   and prints enqueued jobs/s; then R "replicas", each its own PostgresStore with a pool of 2
//   (as separate `okrbot serve` processes would have) in its own thread, loop
//   ClaimDueJobs(now, 100, 120 s) and MarkJobSent for each job claimed until nothing is left.
//   Prints jobs claimed and marked sent per second, and checks every job was claimed exactly
//   once and none is left pending ("duplicates: 0"); otherwise exits 1.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres_store.h"
#include "tests/postgres_server.h"

namespace {

using okrbot::PostgresStore;
using okrbot::Seconds;
using Clock = std::chrono::steady_clock;

constexpr int kObjectives = 50;
constexpr int kKeyResults = 200;
constexpr int kEnqueueBatch = 1000;
constexpr int kClaimLimit = 100;
constexpr std::chrono::seconds kLease(120);
constexpr int kReplicaPool = 2;
constexpr std::chrono::seconds kWarmUp(1);
const char* const kWorkspace = "slack:TBENCH";

struct Settings {
  bool checkins = true;
  bool claims = true;
  int threads = 32;
  int seconds = 5;
  int pool = 8;
  int jobs = 50000;
  int replicas = 3;
  bool durable = true;
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Seconds Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

int Fail(const std::string& what) {
  std::fprintf(stderr, "postgres_bench: %s\n", what.c_str());
  return 1;
}

int Fail(const okrbot::Status& status) { return Fail(status.ToString()); }

// The first column of the first row of `sql` on `url` via libpq, or "?" when it fails (an
// existing server may not let this role read every setting).
std::string QueryValue(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string value = "?";
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      value = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return value;
}

// Runs a command on `url`; "" when it worked, else the error. Notices (DROP ... CASCADE lists
// every table) are not printed.
std::string Execute(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQerrorMessage(conn);
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

// `url` with its connections' search_path set to `schema`. Works for postgresql:// URIs and
// libpq keyword strings; an `options` setting already in `url` would be overridden.
std::string WithSearchPath(const std::string& url, const std::string& schema) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema;
  }
  return url + " options=-csearch_path=" + schema;
}

std::unique_ptr<PostgresStore> OpenStore(const std::string& url, int pool_size) {
  PostgresStore::Options options;
  options.pool_size = pool_size;
  // Threads queue for the pool by design here; only a stuck server should time them out.
  options.acquire_timeout = std::chrono::milliseconds(60000);
  auto store = PostgresStore::Open(url, options);
  if (!store.ok()) {
    Fail(store.status());
    return nullptr;
  }
  return std::move(store).value();
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

// One workspace, kObjectives objectives, kKeyResults KRs spread over them; their numbers.
int Seed(PostgresStore& store, std::vector<int64_t>* krs) {
  Seconds created = Now();
  okrbot::Workspace workspace;
  workspace.id = kWorkspace;
  workspace.platform = "slack";
  workspace.name = "Benchmark";
  workspace.created_at = created;
  if (auto s = store.UpsertWorkspace(workspace); !s.ok()) return Fail(s);
  for (int o = 0; o < kObjectives; ++o) {
    okrbot::Objective objective;
    objective.workspace_id = kWorkspace;
    objective.title = "Delight our customers, part " + std::to_string(o);
    objective.owner = "U" + std::to_string(o);
    objective.cycle = "2026-Q4";
    objective.created_at = created;
    auto made = store.CreateObjective(objective);
    if (!made.ok()) return Fail(made.status());
    for (int k = 0; k < kKeyResults / kObjectives; ++k) {
      okrbot::KeyResult kr;
      kr.workspace_id = kWorkspace;
      kr.objective = made->number;
      kr.text = "Increase weekly active teams from 120 to " + std::to_string(200 + k);
      kr.owner = objective.owner;
      kr.baseline = 120;
      kr.target = 200 + k;
      kr.created_at = created;
      auto r = store.CreateKeyResult(kr);
      if (!r.ok()) return Fail(r.status());
      krs->push_back(r->number);
    }
  }
  return 0;
}

int CheckIns(const std::string& url, const Settings& settings) {
  std::unique_ptr<PostgresStore> store = OpenStore(url, settings.pool);
  if (store == nullptr) return 1;
  std::vector<int64_t> krs;
  if (int rc = Seed(*store, &krs); rc != 0) return rc;

  // Phases: warm-up (pool connections open, statements get prepared), measured, stop. A call
  // counts only when it started and ended in the measured phase.
  enum Phase { kWarmingUp, kMeasuring, kStopping };
  std::atomic<int> phase{kWarmingUp};
  std::vector<std::vector<double>> latencies(settings.threads);
  std::vector<int> errors(settings.threads, 0);
  std::vector<std::string> first_error(settings.threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < settings.threads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t) + 1);
      std::uniform_int_distribution<size_t> pick(0, krs.size() - 1);
      std::uniform_real_distribution<double> value(120, 200);
      latencies[t].reserve(1 << 16);
      while (phase.load() != kStopping) {
        okrbot::CheckIn checkin;
        checkin.workspace_id = kWorkspace;
        checkin.kr = krs[pick(random)];
        checkin.value = value(random);
        checkin.confidence = 70;
        checkin.note = "on track";
        checkin.author = "U" + std::to_string(t);
        checkin.at = Now();
        bool counted = phase.load() == kMeasuring;
        auto start = Clock::now();
        auto stored = store->RecordCheckIn(checkin);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!stored.ok()) {
          if (errors[t]++ == 0) first_error[t] = stored.status().ToString();
          continue;
        }
        if (counted && phase.load() == kMeasuring) latencies[t].push_back(ms);
      }
    });
  }
  std::this_thread::sleep_for(kWarmUp);
  phase.store(kMeasuring);
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(settings.seconds));
  phase.store(kStopping);
  double elapsed = SecondsSince(start);
  for (std::thread& thread : threads) thread.join();

  std::vector<double> all;
  int error_count = 0;
  for (int t = 0; t < settings.threads; ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    error_count += errors[t];
    if (errors[t] > 0) std::fprintf(stderr, "thread %d: %s\n", t, first_error[t].c_str());
  }
  std::sort(all.begin(), all.end());
  std::printf(
      "checkins: %.0f check-ins/s (%zu in %.1f s), latency p50 %.2f ms, p95 %.2f ms, "
      "p99 %.2f ms; %d threads, pool %d, %d KRs, errors %d\n",
      static_cast<double>(all.size()) / elapsed, all.size(), elapsed, Percentile(all, 0.50),
      Percentile(all, 0.95), Percentile(all, 0.99), settings.threads, settings.pool,
      static_cast<int>(krs.size()), error_count);
  std::fflush(stdout);
  return error_count == 0 ? 0 : Fail("check-ins failed");
}

int Claims(const std::string& url, const Settings& settings) {
  // Due an hour ago; claims all use one `now`, so a lease (now + 120 s) never lapses mid-run
  // however slow the machine is, and a job can only be claimed twice if the store is wrong.
  Seconds now = Now();
  Seconds due = now - std::chrono::hours(1);
  {
    std::unique_ptr<PostgresStore> store = OpenStore(url, kReplicaPool);
    if (store == nullptr) return 1;
    okrbot::Workspace workspace;
    workspace.id = kWorkspace;
    workspace.platform = "slack";
    workspace.created_at = now;
    if (auto s = store->UpsertWorkspace(workspace); !s.ok()) return Fail(s);
    auto start = Clock::now();
    int enqueued = 0;
    for (int first = 0; first < settings.jobs; first += kEnqueueBatch) {
      std::vector<okrbot::Job> batch;
      for (int i = first; i < std::min(settings.jobs, first + kEnqueueBatch); ++i) {
        okrbot::Job job;
        job.key = std::string(kWorkspace) + "|checkin|U" + std::to_string(i) + "|2026-W47";
        job.workspace_id = kWorkspace;
        job.kind = "checkin";
        job.target = "U" + std::to_string(i);
        job.payload = "{\"text\":\"Time for your weekly check-in on KR" + std::to_string(i % 200) +
                      "\",\"buttons\":[\"Update\",\"Snooze\"]}";
        job.due_at = due;
        job.created_at = due;
        batch.push_back(std::move(job));
      }
      auto created = store->EnqueueJobs(batch);
      if (!created.ok()) return Fail(created.status());
      enqueued += *created;
    }
    double elapsed = SecondsSince(start);
    if (enqueued != settings.jobs) {
      return Fail("enqueued " + std::to_string(enqueued) + " of " + std::to_string(settings.jobs) +
                  " jobs");
    }
    std::printf("enqueue: %.0f jobs/s (%d in %.2f s, batches of %d, one thread)\n",
                enqueued / elapsed, enqueued, elapsed, kEnqueueBatch);
    std::fflush(stdout);
  }

  std::vector<std::unique_ptr<PostgresStore>> replicas;
  for (int r = 0; r < settings.replicas; ++r) {
    replicas.push_back(OpenStore(url, kReplicaPool));
    if (replicas.back() == nullptr) return 1;
  }
  std::vector<std::vector<int64_t>> claimed(settings.replicas);
  std::vector<std::string> failures(settings.replicas);
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int r = 0; r < settings.replicas; ++r) {
    threads.emplace_back([&, r] {
      while (true) {
        auto jobs = replicas[r]->ClaimDueJobs(now, kClaimLimit, kLease);
        if (!jobs.ok()) {
          failures[r] = jobs.status().ToString();
          return;
        }
        if (jobs->empty()) return;
        for (const okrbot::Job& job : *jobs) {
          claimed[r].push_back(job.id);
          if (auto s = replicas[r]->MarkJobSent(job.id, now); !s.ok()) {
            failures[r] = s.ToString();
            return;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  double elapsed = SecondsSince(start);

  std::vector<int64_t> all;
  std::string per_replica;
  for (int r = 0; r < settings.replicas; ++r) {
    if (!failures[r].empty()) return Fail("replica " + std::to_string(r) + ": " + failures[r]);
    all.insert(all.end(), claimed[r].begin(), claimed[r].end());
    per_replica += (r == 0 ? "" : "/") + std::to_string(claimed[r].size());
  }
  std::sort(all.begin(), all.end());
  size_t duplicates = all.size() - static_cast<size_t>(std::distance(
                                       all.begin(), std::unique(all.begin(), all.end())));
  okrbot::JobFilter pending;
  pending.state = okrbot::JobState::kPending;
  pending.limit = 10;
  auto left = replicas[0]->ListJobs(pending);
  if (!left.ok()) return Fail(left.status());
  std::printf(
      "claims: %.0f jobs/s claimed and marked sent (%zu in %.2f s; %d replicas, pool %d each, "
      "claim limit %d; per replica %s)\n",
      static_cast<double>(all.size()) / elapsed, all.size(), elapsed, settings.replicas,
      kReplicaPool, kClaimLimit, per_replica.c_str());
  std::printf("duplicates: %zu, left pending: %zu\n", duplicates, left->size());
  std::fflush(stdout);
  if (duplicates != 0 || !left->empty() || all.size() != static_cast<size_t>(settings.jobs)) {
    return Fail("not every job was claimed exactly once (" + std::to_string(all.size()) +
                " claims for " + std::to_string(settings.jobs) + " jobs)");
  }
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: postgres_bench [checkins|claims] [--threads N] [--seconds N] [--pool N] "
               "[--jobs N] [--replicas N] [--no-fsync]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  bool named = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "checkins" || arg == "claims") {
      if (!named) settings.checkins = settings.claims = false;
      named = true;
      (arg == "checkins" ? settings.checkins : settings.claims) = true;
    } else if (arg == "--no-fsync") {
      settings.durable = false;
    } else if (i + 1 < argc && arg.rfind("--", 0) == 0) {
      int value = std::atoi(argv[++i]);
      if (value <= 0) return Usage();
      if (arg == "--threads")
        settings.threads = value;
      else if (arg == "--seconds")
        settings.seconds = value;
      else if (arg == "--pool")
        settings.pool = value;
      else if (arg == "--jobs")
        settings.jobs = value;
      else if (arg == "--replicas")
        settings.replicas = value;
      else
        return Usage();
    } else {
      return Usage();
    }
  }

  std::unique_ptr<okrbot::testing::PostgresServer> server;
  std::string base_url;
  const char* external = std::getenv("OKRBOT_BENCH_POSTGRES_URL");
  if (external != nullptr && *external != '\0') {
    if (!settings.durable) return Fail("--no-fsync only applies to the server it starts");
    base_url = external;
  } else {
    std::string error;
    server = okrbot::testing::PostgresServer::Start(&error, settings.durable);
    if (server == nullptr) return Fail(error);
    base_url = server->Url();
  }

  std::printf(
      "machine: %u cores; PostgreSQL %s (%s), fsync %s, synchronous_commit %s, "
      "full_page_writes %s, data in %s\n",
      std::thread::hardware_concurrency(), QueryValue(base_url, "SHOW server_version").c_str(),
      server != nullptr ? "started by the benchmark" : "OKRBOT_BENCH_POSTGRES_URL",
      QueryValue(base_url, "SHOW fsync").c_str(),
      QueryValue(base_url, "SHOW synchronous_commit").c_str(),
      QueryValue(base_url, "SHOW full_page_writes").c_str(),
      QueryValue(base_url, "SHOW data_directory").c_str());
  std::fflush(stdout);

  // Each scenario gets its own fresh schema, dropped afterwards.
  int rc = 0;
  int scenario = 0;
  for (bool run : {settings.checkins, settings.claims}) {
    ++scenario;
    if (!run || rc != 0) continue;
    std::string schema =
        "okrbot_bench_" + std::to_string(getpid()) + "_" + std::to_string(scenario);
    if (std::string error = Execute(base_url, "CREATE SCHEMA " + schema); !error.empty()) {
      return Fail("CREATE SCHEMA failed: " + error);
    }
    std::string url = WithSearchPath(base_url, schema);
    {
      auto migrator = OpenStore(url, 1);
      if (migrator == nullptr) return 1;
      if (auto s = migrator->Migrate(); !s.ok()) return Fail(s);
    }
    rc = scenario == 1 ? CheckIns(url, settings) : Claims(url, settings);
    if (std::string error = Execute(base_url, "DROP SCHEMA " + schema + " CASCADE");
        !error.empty()) {
      std::fprintf(stderr, "postgres_bench: could not drop schema %s: %s\n", schema.c_str(),
                   error.c_str());
    }
  }
  return rc;
}
