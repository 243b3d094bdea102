// SqlStore: the one implementation of the Store interface over SQL (LevelDB's Env idea: the
// logic once, what differs per engine behind a small interface). Every method's SQL text, row
// mapping, filters and transaction logic lives in sql_store.cc, written once for both engines;
// SqliteStore and PostgresStore supply only a connection (storage/sql.h), the way they run a
// read or a write, their dialect (storage/sql_dialect.h) and their migration list.
//
// Contract (in addition to storage/store.h; true for every engine):
// - Until Migrate() ran, every other method returns kFailedPrecondition ("not migrated") —
//   never a crash. SchemaVersion() is 0 on a fresh database. Migrate() applies each missing
//   step of the engine's migration list in order; running it again is a no-op; a database
//   migrated by a newer okrbot (a version this binary does not know) is refused with
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
// - List order: workspaces by id, users by user id (bytewise), objectives / key results /
//   initiatives by number, check-ins newest first (at, then id), edits oldest first (at, then
//   id), reminders by (kind, team), jobs by id. A limit <= 0 means no limit.
// - Values: times as Unix seconds, dates as YYYY-MM-DD, lists as JSON text
//   (storage/row_codec.h); NaN reals and dates outside 0000..9999 are kInvalidArgument.
// - Every write goes through RunWrite (one transaction per body, all or nothing) and its
//   outcome feeds WriteHealth, which Ping() reports (storage/write_health.h).
//
// Thread-safety: all methods may be called concurrently from any thread, provided the engine's
// RunRead / RunWrite are (each body gets a connection no other thread uses meanwhile). A body
// may run more than once (an engine retries a failed transaction), so bodies reset their
// outputs first.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "storage/sql.h"
#include "storage/sql_dialect.h"
#include "storage/store.h"
#include "storage/write_health.h"

namespace okrbot {

// How the stores say that a table is missing because Migrate() has not run.
inline constexpr char kNotMigratedHint[] =
    "The database schema is not migrated; run `okrbot migrate` first";

// One step of an engine's schema: constant DDL, run as one script. Append only: a released
// step is never edited, a change is a new step.
struct SqlMigration {
  int version;
  const char* sql;
};

class SqlStore : public Store {
 public:
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
  Result<std::vector<Job>> ClaimDueJobs(
      Seconds now, int limit, std::chrono::seconds lease,
      const std::vector<std::string>& skip_workspaces = {}) override;
  Status MarkJobSent(int64_t job_id, Seconds sent_at) override;
  Status ReleaseJob(int64_t job_id, Seconds retry_at) override;
  Status MarkJobFailed(int64_t job_id, const std::string& error, Seconds retry_at,
                       bool dead) override;
  Result<std::vector<Job>> ListJobs(const JobFilter& filter) override;
  Result<std::optional<Seconds>> LastJobSentAt(const std::string& workspace_id,
                                               const std::string& target,
                                               const std::vector<std::string>& kinds) override;
  Status RequeueJob(int64_t job_id, Seconds now) override;
  Status CreateWebLink(const WebLink& link) override;
  Result<WebLink> ConsumeWebLink(const std::string& token_hash, Seconds now) override;
  Result<WebSession> CreateWebSession(const WebSession& session) override;
  Result<WebSession> GetWebSession(const std::string& token_hash, Seconds now) override;
  Result<std::vector<WebSession>> ListWebSessions(const std::string& workspace_id,
                                                  Seconds now) override;
  Status RevokeWebSession(int64_t id) override;
  Status PutChart(const ChartRecord& chart) override;
  Result<ChartRecord> GetChart(const std::string& key) override;
  Result<PruneCounts> Prune(Seconds seen_events_before, Seconds jobs_before) override;
  Result<StoreStats> Stats() override;

 protected:
  SqlStore(const SqlDialect& dialect, std::span<const SqlMigration> migrations);

  // The engine's hooks. RunWrite runs `body` inside one transaction (nothing of it stays when it
  // fails); RunRead runs a body that only reads, on a consistent snapshot.
  virtual Status RunWrite(SqlBody body) = 0;
  virtual Status RunRead(SqlBody body) = 0;

  int latest_schema_version() const { return migrations_.back().version; }

 private:
  // The web dashboard's rows (sql_store_web.cc) share the private helpers below.
  Status Write(SqlBody body);
  Status Read(SqlBody body) { return RunRead(body); }
  // A write of one statement.
  Status WriteOne(const Sql& sql, const SqlParams& params);
  // Reads the one row `sql` selects with `read`; kNotFound with not_found() when there is none.
  template <typename T, typename ReadRow, typename NotFound>
  Result<T> ReadOne(const Sql& sql, const SqlParams& params, ReadRow read, NotFound not_found);
  // Reads every row `sql` selects with `read`.
  template <typename T, typename ReadRow>
  Result<std::vector<T>> ReadAll(const Sql& sql, const SqlParams& params, ReadRow read);
  Status ApplyMigrations(SqlConnection& connection, std::span<const SqlMigration> steps);
  // Adds the LIMIT parameter for `limit` (<= 0 = none) in the dialect's spelling.
  SqlParams& AddLimit(SqlParams& params, int limit) const;

  const SqlDialect dialect_;
  const std::span<const SqlMigration> migrations_;
  WriteHealth write_health_;
};

}  // namespace okrbot
