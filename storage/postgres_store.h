// PostgresStore: the Store on PostgreSQL, for several `okrbot serve` replicas sharing one
// database (SPEC §5). Selected by OKRBOT_DB=postgresql://... (storage/open_store.h).
//
// Contract (in addition to storage/store.h, and the same observable behaviour as SqliteStore,
// which the conformance suite checks for both):
// - Open() only checks the URL (libpq's own parser, so every libpq URI and keyword form works);
//   connections are made on demand, at most `pool_size` at a time, and reused. A database that
//   is down makes calls fail with kUnavailable, never blocks a caller beyond `acquire_timeout`
//   plus libpq's connect_timeout (default 5 s, the URL may set its own), and is used again as
//   soon as it answers: a connection that broke is dropped with every idle one (they shared the
//   same fate), and a call whose transaction never reached COMMIT is retried once on a fresh
//   connection.
// - Migrate() holds a PostgreSQL advisory lock for the whole migration in one transaction (DDL
//   is transactional here), so replicas starting together migrate once and the others wait,
//   then find nothing to do. Until migrated, other calls are kFailedPrecondition.
// - Every statement is a constant text with $n parameters, prepared once per connection.
// - Isolation: READ COMMITTED plus explicit locks where an invariant needs them: new numbers
//   are max + 1 under a per-(table, workspace) transaction advisory lock; a check-in locks its
//   key result row (FOR UPDATE) so the newest check-in always wins `current`; jobs are claimed
//   with FOR UPDATE SKIP LOCKED, so concurrent claimers in any number of processes never get
//   the same job while its lease holds. Deadlocks and serialization failures are retried (up to
//   5 attempts) and then kUnavailable.
// - Values are stored as in SQLite (times as Unix seconds, dates as YYYY-MM-DD, lists as JSON
//   text). PostgreSQL text cannot hold NUL bytes or invalid UTF-8: such text is
//   kInvalidArgument and nothing is stored (the chat platforms never send either).
// - Errors: unique violations -> kAlreadyExists; other constraint and data errors ->
//   kInvalidArgument; connection failures, shutdowns, too many connections, a full pool, a
//   full disk (53100) and a read-only server (25006, e.g. a standby after a failover) ->
//   kUnavailable; an undefined table -> kFailedPrecondition ("run okrbot migrate").
//
// Thread-safety: all methods may be called concurrently from any thread; each call uses one
// pooled connection at a time.
#pragma once

#include <chrono>
#include <condition_variable>
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

namespace pg_internal {
class Connection;  // defined in postgres_store.cc: a PGconn and its prepared statements
}  // namespace pg_internal

class PostgresStore final : public Store {
 public:
  struct Options {
    int pool_size = 8;  // connections per process (OKRBOT_DB_POOL)
    // How long a call waits for a free pooled connection before kUnavailable.
    std::chrono::milliseconds acquire_timeout{10000};
    // libpq connect_timeout unless the URL sets one.
    int connect_timeout_seconds = 5;
  };

  // Checks `url` (postgresql://... or a libpq keyword string); connects lazily.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url);
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url,
                                                     const Options& options);

  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;
  ~PostgresStore() override;

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

  // Connections open right now (idle or in use), for tests of the pool.
  int OpenConnectionsForTesting();

 private:
  using Connection = pg_internal::Connection;
  using Body = std::function<Status(Connection&)>;

  PostgresStore(std::string url, const Options& options);

  // Runs `body` inside one transaction (BEGIN / body / COMMIT, ROLLBACK on failure), retrying
  // deadlocks, serialization failures and connections that broke before COMMIT.
  Status Write(const Body& body);
  Status WriteWithRetries(const Body& body);
  // Runs `body`, which only reads, outside an explicit transaction.
  Status Read(const Body& body);

  Result<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> connection);

  const std::string url_;
  const Options options_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  int open_ = 0;                                   // guarded by mutex_: idle + in use
  WriteHealth write_health_;
};

}  // namespace okrbot
