#include "storage/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/open_store.h"
#include "storage/store_conformance.h"

namespace okrbot {
namespace {

::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}

template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

::testing::AssertionResult HasCode(const Status& status, StatusCode code) {
  if (status.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << StatusCodeName(code) << ", got " << status.ToString();
}

template <typename T>
::testing::AssertionResult HasCode(const Result<T>& result, StatusCode code) {
  return HasCode(result.status(), code);
}

#define ASSERT_OK(expr) ASSERT_TRUE(::okrbot::IsOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(::okrbot::IsOk(expr))
#define EXPECT_CODE(expr, code) EXPECT_TRUE(::okrbot::HasCode((expr), StatusCode::code))

// One directory for the whole test binary, removed at exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "okrbot-storage-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  // A path no earlier call returned.
  std::string NewFile(const std::string& stem) {
    return (path_ / (stem + "-" + std::to_string(counter_++) + ".db")).string();
  }
  bool ok() const { return !path_.empty(); }

 private:
  std::filesystem::path path_;
  std::atomic<int> counter_{0};
};

TempDir& SharedTempDir() {
  static TempDir dir;
  return dir;
}

std::unique_ptr<Store> MakeMigratedStore(const std::string& path) {
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  if (!store.ok()) {
    ADD_FAILURE() << "Open(" << path << "): " << store.status().ToString();
    return nullptr;
  }
  Status migrated = (*store)->Migrate();
  if (!migrated.ok()) {
    ADD_FAILURE() << "Migrate(" << path << "): " << migrated.ToString();
    return nullptr;
  }
  return std::move(store).value();
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreConformanceTest,
    ::testing::Values(StoreUnderTest{"File",
                                     [] {
                                       EXPECT_TRUE(SharedTempDir().ok());
                                       return MakeMigratedStore(
                                           SharedTempDir().NewFile("conformance"));
                                     }},
                      StoreUnderTest{"Memory", [] { return MakeMigratedStore(":memory:"); }}),
    StoreUnderTestName);

// A second, independent connection to a database file: sees what another process would.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
      ADD_FAILURE() << "raw open failed: " << sqlite3_errmsg(db_);
    }
  }
  ~RawConnection() { sqlite3_close(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Constant test SQL only.
  int Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  // The first column of the first row as text, or "(none)".
  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string result = "(none)";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "prepare failed: " << sqlite3_errmsg(db_);
      return result;
    }
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      result.assign(text, static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return result;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(SharedTempDir().ok()); }

  std::unique_ptr<SqliteStore> OpenOrDie(const std::string& path) {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    EXPECT_OK(store);
    return store.ok() ? std::move(store).value() : nullptr;
  }
};

Seconds At(int64_t seconds) { return Seconds(std::chrono::seconds(seconds)); }

Objective ObjectiveIn(const std::string& workspace_id) {
  Objective objective;
  objective.workspace_id = workspace_id;
  return objective;
}

// ---- Migrations -------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, MigrateIsIdempotentAndRecordsEachVersion) {
  const std::string path = SharedTempDir().NewFile("migrate");
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);

  Result<int> before = store->SchemaVersion();
  ASSERT_OK(before);
  EXPECT_EQ(*before, 0);

  ASSERT_OK(store->Migrate());
  Result<int> after = store->SchemaVersion();
  ASSERT_OK(after);
  EXPECT_EQ(*after, SqliteStore::LatestSchemaVersion());
  EXPECT_GE(SqliteStore::LatestSchemaVersion(), 1);

  ASSERT_OK(store->Migrate());
  ASSERT_OK(store->Migrate());
  Result<int> again = store->SchemaVersion();
  ASSERT_OK(again);
  EXPECT_EQ(*again, SqliteStore::LatestSchemaVersion());

  RawConnection raw(path);
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(SqliteStore::LatestSchemaVersion()));
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM schema_migrations WHERE applied_at > 1600000000"),
            std::to_string(SqliteStore::LatestSchemaVersion()));
}

TEST_F(SqliteStoreTest, DatabaseFromANewerOkrbotIsRefused) {
  const std::string path = SharedTempDir().NewFile("newer");
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  {
    RawConnection raw(path);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 1)"),
              SQLITE_OK);
  }
  EXPECT_CODE(store->Migrate(), kFailedPrecondition);
  Result<int> version = store->SchemaVersion();
  ASSERT_OK(version);
  EXPECT_EQ(*version, 9999);
}

TEST_F(SqliteStoreTest, EveryMethodBeforeMigrateFailsCleanly) {
  std::unique_ptr<SqliteStore> store = OpenOrDie(SharedTempDir().NewFile("unmigrated"));
  ASSERT_NE(store, nullptr);
  const std::string ws = "slack:T1";

  EXPECT_OK(store->Ping());
  Result<int> version = store->SchemaVersion();
  ASSERT_OK(version);
  EXPECT_EQ(*version, 0);

  Workspace workspace;
  workspace.id = ws;
  Objective objective;
  objective.workspace_id = ws;
  KeyResult kr;
  kr.workspace_id = ws;
  kr.objective = 1;
  kr.number = 1;
  CheckIn checkin;
  checkin.workspace_id = ws;
  checkin.kr = 1;
  Initiative initiative;
  initiative.workspace_id = ws;
  initiative.kr = 1;
  initiative.number = 1;
  EditRecord edit{ws, "O1", "title", "a", "b", "U1", At(1)};
  Reminder reminder{ws, "checkin", "", "", 1, 600, "", true};
  Job job;
  job.key = "k";
  job.workspace_id = ws;

  EXPECT_CODE(store->UpsertWorkspace(workspace), kFailedPrecondition);
  EXPECT_CODE(store->GetWorkspace(ws), kFailedPrecondition);
  EXPECT_CODE(store->ListWorkspaces(), kFailedPrecondition);
  EXPECT_CODE(store->UpsertUser(User{ws, "U1", "", "", "", std::nullopt}), kFailedPrecondition);
  EXPECT_CODE(store->GetUser(ws, "U1"), kFailedPrecondition);
  EXPECT_CODE(store->ListUsers(ws), kFailedPrecondition);
  EXPECT_CODE(store->CreateObjective(objective), kFailedPrecondition);
  EXPECT_CODE(store->GetObjective(ws, 1), kFailedPrecondition);
  EXPECT_CODE(store->ListObjectives(ws, {}), kFailedPrecondition);
  objective.number = 1;
  EXPECT_CODE(store->UpdateObjective(objective, {edit}), kFailedPrecondition);
  EXPECT_CODE(store->CreateKeyResult(kr), kFailedPrecondition);
  EXPECT_CODE(store->GetKeyResult(ws, 1), kFailedPrecondition);
  EXPECT_CODE(store->ListKeyResults(ws, {}), kFailedPrecondition);
  EXPECT_CODE(store->UpdateKeyResult(kr, {edit}), kFailedPrecondition);
  EXPECT_CODE(store->RecordCheckIn(checkin), kFailedPrecondition);
  EXPECT_CODE(store->ListCheckIns(ws, 1, 0), kFailedPrecondition);
  EXPECT_CODE(store->CreateInitiative(initiative), kFailedPrecondition);
  EXPECT_CODE(store->GetInitiative(ws, 1), kFailedPrecondition);
  EXPECT_CODE(store->ListInitiatives(ws, 0), kFailedPrecondition);
  EXPECT_CODE(store->UpdateInitiative(initiative, {edit}), kFailedPrecondition);
  EXPECT_CODE(store->AppendEdit(edit), kFailedPrecondition);
  EXPECT_CODE(store->ListEdits(ws, ""), kFailedPrecondition);
  EXPECT_CODE(store->PutReminder(reminder), kFailedPrecondition);
  EXPECT_CODE(store->ListReminders(ws), kFailedPrecondition);
  EXPECT_CODE(store->DeleteReminders(ws), kFailedPrecondition);
  EXPECT_CODE(store->EnqueueJob(job), kFailedPrecondition);
  EXPECT_CODE(store->ClaimDueJobs(At(1), 10, std::chrono::seconds(30)), kFailedPrecondition);
  EXPECT_CODE(store->MarkJobSent(1, At(1)), kFailedPrecondition);
  EXPECT_CODE(store->MarkJobFailed(1, "e", At(1), false), kFailedPrecondition);
  EXPECT_CODE(store->ListJobs({}), kFailedPrecondition);
  Status not_migrated = store->ListWorkspaces().status();
  EXPECT_NE(not_migrated.message().find("okrbot migrate"), std::string::npos)
      << not_migrated.ToString();

  // And the same store works once migrated.
  ASSERT_OK(store->Migrate());
  EXPECT_OK(store->UpsertWorkspace(workspace));
  EXPECT_OK(store->GetWorkspace(ws));
}

// ---- Durability and connection settings -------------------------------------------------------

TEST_F(SqliteStoreTest, DataSurvivesCloseAndReopen) {
  const std::string path = SharedTempDir().NewFile("reopen");
  const std::string ws = "console:local";
  {
    std::unique_ptr<SqliteStore> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Migrate());
    Objective objective;
    objective.workspace_id = ws;
    objective.title = "Survive restarts";
    ASSERT_OK(store->CreateObjective(objective));
    KeyResult kr;
    kr.workspace_id = ws;
    kr.objective = 1;
    kr.text = "uptime to 99.9%";
    ASSERT_OK(store->CreateKeyResult(kr));
    CheckIn checkin;
    checkin.workspace_id = ws;
    checkin.kr = 1;
    checkin.value = 99.5;
    checkin.at = At(1'000);
    ASSERT_OK(store->RecordCheckIn(checkin));
  }
  std::unique_ptr<SqliteStore> reopened = OpenOrDie(path);
  ASSERT_NE(reopened, nullptr);
  Result<int> version = reopened->SchemaVersion();
  ASSERT_OK(version);
  EXPECT_EQ(*version, SqliteStore::LatestSchemaVersion());
  ASSERT_OK(reopened->Migrate());  // a restart migrates again: nothing to do, nothing lost

  Result<Objective> objective = reopened->GetObjective(ws, 1);
  ASSERT_OK(objective);
  EXPECT_EQ(objective->title, "Survive restarts");
  Result<KeyResult> kr = reopened->GetKeyResult(ws, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->current, 99.5);
  Result<std::vector<CheckIn>> checkins = reopened->ListCheckIns(ws, 1, 0);
  ASSERT_OK(checkins);
  EXPECT_EQ(checkins->size(), 1u);
  Result<Objective> next = reopened->CreateObjective(ObjectiveIn(ws));
  ASSERT_OK(next);
  EXPECT_EQ(next->number, 2);
}

// A disk that takes no more bytes (here a file-size limit of 0, which fails every write to the
// database files as a full disk does): writes fail with a clear kUnavailable and store
// nothing, reads still answer, Ping fails; once bytes can be written again, Ping's own probe
// write brings readiness back without any user write.
TEST_F(SqliteStoreTest, WhenTheDiskTakesNoMoreBytesWritesFailClearlyAndPingRecovers) {
  const std::string path = SharedTempDir().NewFile("diskfull");
  const std::string ws = "console:local";
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  ASSERT_OK(store->CreateObjective(ObjectiveIn(ws)));
  ASSERT_OK(store->Ping());

  struct rlimit original {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &original), 0);
  signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing the process
  struct rlimit full = original;
  full.rlim_cur = 0;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &full), 0);

  Result<Objective> refused = store->CreateObjective(ObjectiveIn(ws));
  EXPECT_CODE(refused, kUnavailable);
  EXPECT_NE(refused.status().message().find("could not be read or written"), std::string::npos)
      << refused.status().ToString();
  Result<Objective> first = store->GetObjective(ws, 1);
  EXPECT_OK(first);  // reads still answer
  Status ping = store->Ping();
  EXPECT_CODE(ping, kUnavailable);
  EXPECT_CODE(store->Ping(), kUnavailable);  // no probe within the second: the recorded failure

  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &original), 0);
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!store->Ping().ok() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_OK(store->Ping());
  Result<Objective> second = store->CreateObjective(ObjectiveIn(ws));
  ASSERT_OK(second);
  EXPECT_EQ(second->number, 2);  // the refused write left nothing behind
}

// kill -9 in the middle of a stream of writes: every acknowledged check-in is there after a
// restart, and the KR agrees with its newest check-in (no half-applied transaction).
TEST_F(SqliteStoreTest, AcknowledgedCheckInsSurviveKill9) {
  const std::string path = SharedTempDir().NewFile("kill9");
  const std::string ws = "console:local";
  {
    std::unique_ptr<SqliteStore> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Migrate());
    ASSERT_OK(store->CreateObjective(ObjectiveIn(ws)));
    KeyResult kr;
    kr.workspace_id = ws;
    kr.objective = 1;
    ASSERT_OK(store->CreateKeyResult(kr));
  }

  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child only writes and acknowledges; _exit skips gtest's and the sanitizers' exit hooks.
    close(acks[0]);
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    if (!store.ok()) _exit(2);
    for (int i = 1; i <= 100'000; ++i) {
      CheckIn checkin;
      checkin.workspace_id = ws;
      checkin.kr = 1;
      checkin.value = i;
      checkin.at = At(i);
      if (!(*store)->RecordCheckIn(checkin).ok()) _exit(3);
      char ack = 'k';
      if (write(acks[1], &ack, 1) != 1) _exit(4);
    }
    _exit(0);
  }
  close(acks[1]);
  constexpr int kAcksBeforeKill = 25;
  int acknowledged = 0;
  char ack;
  while (acknowledged < kAcksBeforeKill && read(acks[0], &ack, 1) == 1) ++acknowledged;
  kill(child, SIGKILL);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  // Acks that were written before the kill but not yet read count too.
  while (read(acks[0], &ack, 1) == 1) ++acknowledged;
  close(acks[0]);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "child exited early with " << WEXITSTATUS(wait_status);
  ASSERT_GE(acknowledged, kAcksBeforeKill);

  std::unique_ptr<SqliteStore> reopened = OpenOrDie(path);
  ASSERT_NE(reopened, nullptr);
  Result<std::vector<CheckIn>> checkins = reopened->ListCheckIns(ws, 1, 0);
  ASSERT_OK(checkins);
  ASSERT_GE(checkins->size(), static_cast<size_t>(acknowledged));
  Result<KeyResult> kr = reopened->GetKeyResult(ws, 1);
  ASSERT_OK(kr);
  EXPECT_EQ(kr->current, checkins->front().value);
  ASSERT_TRUE(kr->last_checkin_at.has_value());
  EXPECT_EQ(kr->last_checkin_at->time_since_epoch().count(),
            checkins->front().at.time_since_epoch().count());
}

// Group commit: eight writers at once share transactions, and every acknowledged check-in is
// on disk when the process is killed (the COMMIT holding it returned before the caller did).
TEST_F(SqliteStoreTest, ConcurrentAcknowledgedCheckInsSurviveKill9) {
  const std::string path = SharedTempDir().NewFile("kill9-concurrent");
  const std::string ws = "console:local";
  constexpr int kThreads = 8;
  {
    std::unique_ptr<SqliteStore> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Migrate());
    ASSERT_OK(store->CreateObjective(ObjectiveIn(ws)));
    for (int t = 0; t < kThreads; ++t) {
      KeyResult kr;
      kr.workspace_id = ws;
      kr.objective = 1;
      ASSERT_OK(store->CreateKeyResult(kr));
    }
  }
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    close(acks[0]);
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    if (!store.ok()) _exit(2);
    std::mutex ack_mutex;
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 1;; ++i) {
          CheckIn checkin;
          checkin.workspace_id = ws;
          checkin.kr = t + 1;
          checkin.value = i;
          checkin.at = At(i);
          if (!(*store)->RecordCheckIn(checkin).ok()) _exit(3);
          // One record per acknowledged check-in: KR number and value.
          int32_t record[2] = {t + 1, i};
          std::lock_guard<std::mutex> lock(ack_mutex);
          if (write(acks[1], record, sizeof record) != sizeof record) _exit(4);
        }
      });
    }
    for (auto& writer : writers) writer.join();
    _exit(0);
  }
  close(acks[1]);
  std::map<int, int> highest_acknowledged;  // KR -> value; each thread's values only grow
  int acknowledged = 0;
  int32_t record[2];
  auto take = [&] {
    highest_acknowledged[record[0]] = std::max(highest_acknowledged[record[0]], record[1]);
    ++acknowledged;
  };
  while (acknowledged < 400 && read(acks[0], record, sizeof record) == sizeof record) take();
  kill(child, SIGKILL);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  while (read(acks[0], record, sizeof record) == sizeof record) take();
  close(acks[0]);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "child exited early with " << WEXITSTATUS(wait_status);

  std::unique_ptr<SqliteStore> reopened = OpenOrDie(path);
  ASSERT_NE(reopened, nullptr);
  for (const auto& [kr, value] : highest_acknowledged) {
    Result<std::vector<CheckIn>> checkins = reopened->ListCheckIns(ws, kr, 0);
    ASSERT_OK(checkins);
    // Values 1..value were acknowledged in order, so all of them must be there, each once.
    std::set<double> values;
    for (const CheckIn& checkin : *checkins) values.insert(checkin.value);
    EXPECT_EQ(values.size(), checkins->size()) << "KR" << kr << " has a check-in twice";
    for (int v = 1; v <= value; ++v) {
      ASSERT_TRUE(values.count(v)) << "acknowledged check-in KR" << kr << "=" << v << " lost";
    }
  }
}

TEST_F(SqliteStoreTest, ConcurrentWritesShareTransactionsAndAFailingOneFailsAlone) {
  const std::string path = SharedTempDir().NewFile("group-commit");
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  const std::string ws = "slack:T1";
  ASSERT_OK(store->CreateObjective(ObjectiveIn(ws)));
  const SqliteStore::WriteStats before = store->WriteStatsForTesting();

  // Half the writers add KRs to O1; the other half to O9, which does not exist, so those writes
  // fail inside transactions they share with the good ones.
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::atomic<int> created{0}, refused{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        KeyResult kr;
        kr.workspace_id = ws;
        kr.objective = t % 2 == 0 ? 1 : 9;
        kr.text = "kr " + std::to_string(t) + "/" + std::to_string(i);
        Result<KeyResult> made = store->CreateKeyResult(kr);
        if (made.ok()) {
          ++created;
        } else {
          EXPECT_EQ(made.status().code(), StatusCode::kNotFound) << made.status().ToString();
          ++refused;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(created.load(), kThreads / 2 * kPerThread);
  EXPECT_EQ(refused.load(), kThreads / 2 * kPerThread);

  Result<std::vector<KeyResult>> krs = store->ListKeyResults(ws, {});
  ASSERT_OK(krs);
  ASSERT_EQ(krs->size(), static_cast<size_t>(created.load()));
  for (size_t i = 0; i < krs->size(); ++i) {
    EXPECT_EQ((*krs)[i].number, static_cast<int64_t>(i + 1)) << "numbers stay dense";
    EXPECT_EQ((*krs)[i].objective, 1);
  }
  const SqliteStore::WriteStats after = store->WriteStatsForTesting();
  EXPECT_EQ(after.writes - before.writes, kThreads * kPerThread);
  EXPECT_LT(after.transactions - before.transactions, after.writes - before.writes)
      << "concurrent writers shared transactions";
  // And another connection (another process) sees exactly the committed rows.
  RawConnection raw(path);
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM key_results"), std::to_string(created.load()));
}

TEST_F(SqliteStoreTest, PragmasAreInEffect) {
  const std::string path = SharedTempDir().NewFile("pragmas");
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  auto pragma = [&](const std::string& name) {
    Result<std::string> value = store->PragmaForTesting(name);
    EXPECT_OK(value);
    return value.ok() ? *value : std::string("(error)");
  };
  EXPECT_EQ(pragma("journal_mode"), "wal");
  EXPECT_EQ(pragma("synchronous"), "2");  // FULL
  EXPECT_EQ(pragma("foreign_keys"), "1");
  EXPECT_EQ(pragma("busy_timeout"), "5000");
  EXPECT_CODE(store->PragmaForTesting("writable_schema"), kInvalidArgument);

  // WAL is a property of the file: another process sees it too.
  RawConnection raw(path);
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, MemoryDatabaseWorksWithoutWal) {
  std::unique_ptr<SqliteStore> store = OpenOrDie(":memory:");
  ASSERT_NE(store, nullptr);
  Result<std::string> mode = store->PragmaForTesting("journal_mode");
  ASSERT_OK(mode);
  EXPECT_EQ(*mode, "memory");
  Result<std::string> foreign_keys = store->PragmaForTesting("foreign_keys");
  ASSERT_OK(foreign_keys);
  EXPECT_EQ(*foreign_keys, "1");
  ASSERT_OK(store->Migrate());
  Objective objective;
  objective.workspace_id = "console:local";
  ASSERT_OK(store->CreateObjective(objective));
}

TEST_F(SqliteStoreTest, BusyDatabaseIsUnavailableAndRecovers) {
  const std::string path = SharedTempDir().NewFile("busy");
  Result<std::unique_ptr<SqliteStore>> opened =
      SqliteStore::Open(path, SqliteStore::Options{.busy_timeout = std::chrono::milliseconds(50)});
  ASSERT_OK(opened);
  SqliteStore& store = **opened;
  ASSERT_OK(store.Migrate());
  Objective objective;
  objective.workspace_id = "slack:T1";
  ASSERT_OK(store.CreateObjective(objective));

  RawConnection other_process(path);
  ASSERT_EQ(other_process.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  EXPECT_CODE(store.CreateObjective(objective), kUnavailable);
  EXPECT_OK(store.GetObjective("slack:T1", 1));  // WAL: readers are not blocked by a writer
  ASSERT_EQ(other_process.Exec("COMMIT"), SQLITE_OK);

  Result<Objective> created = store.CreateObjective(objective);
  ASSERT_OK(created);
  EXPECT_EQ(created->number, 2);  // the failed attempt left nothing behind
}

TEST_F(SqliteStoreTest, UnopenablePathIsUnavailable) {
  EXPECT_CODE(SqliteStore::Open("/nonexistent-okrbot-dir/sub/okrbot.db"), kUnavailable);
  EXPECT_CODE(SqliteStore::Open(""), kInvalidArgument);
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseFailsCleanly) {
  const std::string path = SharedTempDir().NewFile("garbage");
  {
    std::ofstream out(path);
    out << "this is not an SQLite database, just a text file that happens to be long enough "
           "to have a header. ............................................................";
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  EXPECT_FALSE(store.ok());
}

// ---- Storage format ---------------------------------------------------------------------------

TEST_F(SqliteStoreTest, ListsDatesAndTimesUseTheDocumentedColumnFormats) {
  const std::string path = SharedTempDir().NewFile("format");
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  Workspace workspace;
  workspace.id = "slack:T1";
  workspace.admins = {"U1", "a,\"b\""};
  Days christmas;
  ASSERT_TRUE(ParseDate("2026-12-25", &christmas));
  workspace.holidays = {christmas};
  workspace.created_at = At(1'700'000'000);
  ASSERT_OK(store->UpsertWorkspace(workspace));
  User user{"slack:T1", "U1", "", "", "", christmas};
  ASSERT_OK(store->UpsertUser(user));

  RawConnection raw(path);
  EXPECT_EQ(raw.QueryText("SELECT admins FROM workspaces"), R"(["U1","a,\"b\""])");
  EXPECT_EQ(raw.QueryText("SELECT holidays FROM workspaces"), R"(["2026-12-25"])");
  EXPECT_EQ(raw.QueryText("SELECT typeof(created_at) FROM workspaces"), "integer");
  EXPECT_EQ(raw.QueryText("SELECT created_at FROM workspaces"), "1700000000");
  EXPECT_EQ(raw.QueryText("SELECT away_until FROM users"), "2026-12-25");
  EXPECT_EQ(raw.QueryText("SELECT typeof(tz) FROM users"), "text");  // empty, not NULL
}

TEST_F(SqliteStoreTest, CorruptStoredRowIsInternalNotACrash) {
  const std::string path = SharedTempDir().NewFile("corrupt");
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  Workspace workspace;
  workspace.id = "slack:T1";
  ASSERT_OK(store->UpsertWorkspace(workspace));
  {
    RawConnection raw(path);
    ASSERT_EQ(raw.Exec("UPDATE workspaces SET admins = '[\"unterminated'"), SQLITE_OK);
  }
  EXPECT_CODE(store->GetWorkspace("slack:T1"), kInternal);
  EXPECT_CODE(store->ListWorkspaces(), kInternal);
}

TEST_F(SqliteStoreTest, HandEditedJsonListsStillRead) {
  const std::string path = SharedTempDir().NewFile("json");
  std::unique_ptr<SqliteStore> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  Workspace workspace;
  workspace.id = "slack:T1";
  ASSERT_OK(store->UpsertWorkspace(workspace));
  {
    RawConnection raw(path);
    ASSERT_EQ(raw.Exec(R"(UPDATE workspaces SET admins = ' [ "a\/b" , "\u00e9\ud83c\udfaf" ] ')"),
              SQLITE_OK);
  }
  Result<Workspace> got = store->GetWorkspace("slack:T1");
  ASSERT_OK(got);
  EXPECT_EQ(got->admins, (std::vector<std::string>{"a/b", "é🎯"}));
}

TEST_F(SqliteStoreTest, NaNAndOutOfRangeValuesAreInvalidArgument) {
  std::unique_ptr<SqliteStore> store = OpenOrDie(":memory:");
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Migrate());
  ASSERT_OK(store->CreateObjective(ObjectiveIn("slack:T1")));
  KeyResult kr;
  kr.workspace_id = "slack:T1";
  kr.objective = 1;
  kr.target = std::nan("");
  EXPECT_CODE(store->CreateKeyResult(kr), kInvalidArgument);
  kr.target.reset();
  kr.snoozed_until = Days(date::year(12'000) / 1 / 1);
  EXPECT_CODE(store->CreateKeyResult(kr), kInvalidArgument);
  Workspace workspace;
  workspace.id = "slack:T1";
  workspace.fiscal_year_start_month = 13;
  EXPECT_CODE(store->UpsertWorkspace(workspace), kInvalidArgument);
  EXPECT_CODE(store->ClaimDueJobs(At(1), 1, std::chrono::seconds(0)), kInvalidArgument);
  Result<std::vector<KeyResult>> krs = store->ListKeyResults("slack:T1", {});
  ASSERT_OK(krs);
  EXPECT_TRUE(krs->empty());
}

// ---- OpenStore --------------------------------------------------------------------------------

TEST(OpenStoreTest, ParsesSqliteUrlsAndBarePaths) {
  struct Case {
    std::string url;
    std::string path;
  };
  for (const Case& c :
       {Case{"sqlite://./okrbot.db", "./okrbot.db"},
        Case{"sqlite:///var/lib/okrbot/okrbot.db", "/var/lib/okrbot/okrbot.db"},
        Case{"sqlite://:memory:", ":memory:"}, Case{"sqlite://data/okrbot.db", "data/okrbot.db"},
        Case{"okrbot.db", "okrbot.db"}, Case{"./x/y.db", "./x/y.db"},
        Case{"/abs/path.db", "/abs/path.db"}, Case{":memory:", ":memory:"}}) {
    Result<StoreLocation> location = ParseStoreUrl(c.url);
    ASSERT_OK(location) << c.url;
    EXPECT_EQ(location->backend, StoreBackend::kSqlite) << c.url;
    EXPECT_EQ(location->sqlite_path, c.path) << c.url;
  }
}

TEST(OpenStoreTest, OpensPostgresLazilyAndSaysWhenItIsUnreachable) {
  for (const std::string url :
       {"postgresql://okrbot:secret@127.0.0.1:1/okrbot", "postgres://127.0.0.1:1/okrbot"}) {
    Result<StoreLocation> location = ParseStoreUrl(url);
    ASSERT_OK(location) << url;
    EXPECT_EQ(location->backend, StoreBackend::kPostgres);
    EXPECT_EQ(location->postgres_url, url);
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    ASSERT_OK(store) << "connections are made on first use";
    // Nothing listens on port 1: the call fails as a value, quickly, naming the problem.
    Status ping = (*store)->Ping();
    EXPECT_CODE(ping, kUnavailable);
    EXPECT_NE(ping.message().find("Cannot connect to PostgreSQL"), std::string::npos)
        << ping.ToString();
    EXPECT_EQ(ping.message().find("secret"), std::string::npos) << "no password in errors";
  }
  Result<std::unique_ptr<Store>> malformed = OpenStore("postgresql://[::1/okrbot");
  EXPECT_CODE(malformed, kInvalidArgument);
}

TEST(OpenStoreTest, RejectsEverythingElseNamingTheAcceptedForms) {
  for (const std::string url : {"", "mysql://localhost/okrbot", "sqlite://", "sqlite:okrbot.db",
                                "http://example.com/db", "garbage:yes", "redis://x"}) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    EXPECT_CODE(store, kInvalidArgument) << "'" << url << "'";
    EXPECT_NE(store.status().message().find("sqlite://./okrbot.db"), std::string::npos)
        << store.status().ToString();
  }
}

TEST_F(SqliteStoreTest, OpenStoreOpensUnmigratedSqliteStores) {
  const std::string path = SharedTempDir().NewFile("open-store");
  for (const std::string& url : {"sqlite://" + path, path, std::string("sqlite://:memory:")}) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    ASSERT_OK(store) << url;
    Result<int> version = (*store)->SchemaVersion();
    ASSERT_OK(version);
    if (url.find(":memory:") != std::string::npos || url == "sqlite://" + path) {
      EXPECT_EQ(*version, 0) << url;
    }
    ASSERT_OK((*store)->Migrate());
    EXPECT_OK((*store)->Ping());
  }
  EXPECT_TRUE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace okrbot
