// SqliteStore: the embedded Store, one SQLite database file (or ":memory:" for tests).
//
// Contract (in addition to storage/store.h):
// - Open() opens or creates the file and sets the connection PRAGMAs (journal_mode=WAL,
//   synchronous=FULL so an acknowledged write survives kill -9, foreign_keys=ON, busy_timeout).
//   Open() does not touch the schema: callers run Migrate() (`okrbot migrate`, and
//   `okrbot serve` on start). Until then every other method returns kFailedPrecondition
//   ("not migrated") — never a crash. SchemaVersion() is 0 on a fresh file.
// - Migrate() applies, in order, each step of the built-in migration list that is missing from
//   the `schema_migrations` table, each in its own transaction; running it again is a no-op. A
//   database migrated by a newer okrbot (a version this binary does not know) is refused with
//   kFailedPrecondition rather than written with an old idea of the schema.
// - Rows of every table carry `workspace_id` (non-empty) and every workspace-scoped query
//   filters by it. Numbers of objectives, key results and initiatives are per workspace and
//   assigned as max + 1 inside the inserting transaction. Objective.parent is stored as given
//   (0 = none); it is not checked against existing objectives.
// - EnqueueJob: a job whose next_attempt_at is unset (the epoch) is first attempted at due_at.
//   Job ids and check-in ids are global and never reused. ClaimDueJobs needs a positive lease;
//   MarkJob* on an unknown id is kNotFound.
// - Update*: edit records with an empty workspace_id are filed under the row's workspace; one
//   naming another workspace fails the whole update (kInvalidArgument).
// - List order: workspaces by id, users by user id, objectives / key results / initiatives by
//   number, check-ins newest first (at, then id), edits oldest first (at, then id), reminders
//   by (kind, team), jobs by id. A limit <= 0 means no limit.
// - Errors: SQLITE_BUSY/LOCKED beyond the busy timeout, a full disk (SQLITE_FULL), a read-only
//   file (SQLITE_READONLY) and I/O errors -> kUnavailable, with a message saying which;
//   uniqueness violations
//   -> kAlreadyExists; other constraint violations (CHECK, NOT NULL, foreign key, NaN values)
//   -> kInvalidArgument; a file that cannot be opened -> kUnavailable. Nothing throws.
//
// Thread-safety: all methods may be called concurrently from any thread.
// - Writes are group-committed. Every write goes through one private entry point, Write(body):
//   callers queue their bodies; the first in the queue leads, runs BEGIN IMMEDIATE, each queued
//   body inside its own SAVEPOINT (ROLLBACK TO on failure, so a failing write is undone alone),
//   one COMMIT, and then answers every caller. A caller returns only after the COMMIT that holds
//   its write returned, i.e. after the WAL was fsynced (synchronous=FULL): an acknowledged write
//   survives kill -9, and concurrent writers share one fsync. Bodies only issue statements on
//   the connection they are given and never begin or end transactions themselves. If the
//   COMMIT fails, or SQLite abandons the transaction (I/O error, disk full), every write of the
//   batch fails with that reason and none of them is stored.
// - Reads run on a small pool of read-only connections (Options::max_readers), each body in
//   one read transaction, so it sees one consistent snapshot and never waits for a commit.
//   ":memory:" databases (one connection only) read on the writer connection between batches.
#pragma once

#include <condition_variable>
#include <deque>
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "storage/store.h"
#include "storage/write_health.h"

namespace okrbot {

namespace sqlite_internal {
class Connection;  // defined in sqlite_store.cc: the sqlite3 handle and its statement cache
}  // namespace sqlite_internal

class SqliteStore final : public Store {
 public:
  struct Options {
    // How long a statement waits for another connection's lock before kUnavailable.
    std::chrono::milliseconds busy_timeout{5000};
    // Read connections opened on demand and kept; 0 reads on the writer connection.
    int max_readers = 8;
  };

  // Opens (creating if needed) the database at `path`; ":memory:" is a private in-memory
  // database that lives as long as the returned store.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const Options& options);

  // The version Migrate() brings a database to.
  static int LatestSchemaVersion();

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  Status Migrate() override;
  Result<int> SchemaVersion() override;
  Status Ping() override;

  Status UpsertWorkspace(const Workspace& workspace) override;
  Result<Workspace> GetWorkspace(const std::string& workspace_id) override;
  Result<std::vector<Workspace>> ListWorkspaces() override;
  Status UpsertInstallation(const Installation& installation) override;
  Result<Installation> GetInstallation(const std::string& workspace_id) override;
  Status PutConversationRef(const ConversationRef& ref) override;
  Result<ConversationRef> GetConversationRef(const std::string& workspace_id,
                                             const std::string& target) override;
  Result<bool> MarkEventSeen(const std::string& workspace_id, const std::string& event_id,
                             Seconds at) override;
  Status UpsertUser(const User& user) override;
  Result<User> GetUser(const std::string& workspace_id, const std::string& user_id) override;
  Result<std::vector<User>> ListUsers(const std::string& workspace_id) override;
  Result<std::vector<User>> GetUsers(const std::string& workspace_id,
                                     const std::vector<std::string>& user_ids) override;

  Result<Objective> CreateObjective(const Objective& objective) override;
  Result<Objective> GetObjective(const std::string& workspace_id, int64_t number) override;
  Result<std::vector<Objective>> ListObjectives(const std::string& workspace_id,
                                                const ObjectiveFilter& filter) override;
  Status UpdateObjective(const Objective& objective, const std::vector<EditRecord>& edits) override;

  Result<KeyResult> CreateKeyResult(const KeyResult& kr) override;
  Result<KeyResult> GetKeyResult(const std::string& workspace_id, int64_t number) override;
  Result<std::vector<KeyResult>> ListKeyResults(const std::string& workspace_id,
                                                const KeyResultFilter& filter) override;
  Status UpdateKeyResult(const KeyResult& kr, const std::vector<EditRecord>& edits) override;

  Result<CheckIn> RecordCheckIn(const CheckIn& checkin) override;
  Result<std::vector<CheckIn>> ListCheckIns(const std::string& workspace_id, int64_t kr,
                                            int limit) override;

  Result<Initiative> CreateInitiative(const Initiative& initiative) override;
  Result<Initiative> GetInitiative(const std::string& workspace_id, int64_t number) override;
  Result<std::vector<Initiative>> ListInitiatives(const std::string& workspace_id,
                                                  int64_t kr) override;
  Status UpdateInitiative(const Initiative& initiative,
                          const std::vector<EditRecord>& edits) override;

  Status AppendEdit(const EditRecord& edit) override;
  Result<std::vector<EditRecord>> ListEdits(const std::string& workspace_id,
                                            const std::string& entity) override;

  Status PutReminder(const Reminder& reminder) override;
  Result<std::vector<Reminder>> ListReminders(const std::string& workspace_id) override;
  Status DeleteReminders(const std::string& workspace_id) override;

  Result<bool> EnqueueJob(const Job& job) override;
  Result<int> EnqueueJobs(const std::vector<Job>& jobs) override;
  Result<std::vector<std::string>> ListJobKeys(const std::string& workspace_id,
                                               Seconds created_since) override;
  Result<std::vector<Job>> ClaimDueJobs(Seconds now, int limit,
                                        std::chrono::seconds lease) override;
  Status MarkJobSent(int64_t job_id) override;
  Status ReleaseJob(int64_t job_id, Seconds retry_at) override;
  Status MarkJobFailed(int64_t job_id, const std::string& error, Seconds retry_at,
                       bool dead) override;
  Result<std::vector<Job>> ListJobs(const JobFilter& filter) override;

  // Test-only: the value of one connection PRAGMA set by Open() ("journal_mode",
  // "synchronous", "foreign_keys" or "busy_timeout"), read on the store's own connection.
  Result<std::string> PragmaForTesting(const std::string& name);

  // Writes accepted so far and the transactions that committed them (fewer when group commit
  // batched concurrent writes).
  struct WriteStats {
    int64_t writes = 0;
    int64_t transactions = 0;
  };
  WriteStats WriteStatsForTesting();

 private:
  using Body = std::function<Status(sqlite_internal::Connection&)>;
  struct PendingWrite;
  // Writes committed in one transaction at most; the rest wait for the next batch.
  static constexpr size_t kMaxBatch = 256;

  SqliteStore(std::string path, Options options,
              std::unique_ptr<sqlite_internal::Connection> writer);

  // The only way to change the database: runs `body` inside a transaction, group-committed with
  // concurrent writes (see the header comment for why every write funnels through here).
  Status Write(const Body& body);
  Status WriteInBatch(const Body& body);
  void CommitBatch(const std::vector<PendingWrite*>& batch);
  // Runs `body`, which only reads, on a read connection (or the writer for ":memory:").
  Status Read(const Body& body);
  Status ReadOnWriter(const Body& body);

  const std::string path_;
  const Options options_;
  const bool readers_share_writer_;

  std::mutex queue_mutex_;
  std::deque<PendingWrite*> queue_;  // guarded by queue_mutex_; the front one leads
  WriteStats write_stats_;           // guarded by queue_mutex_
  WriteHealth write_health_;

  std::mutex writer_mutex_;
  std::unique_ptr<sqlite_internal::Connection> writer_;  // guarded by writer_mutex_

  std::mutex readers_mutex_;
  std::condition_variable readers_free_;
  std::vector<std::unique_ptr<sqlite_internal::Connection>> idle_readers_;  // readers_mutex_
  int open_readers_ = 0;                                                    // readers_mutex_
};

}  // namespace okrbot
