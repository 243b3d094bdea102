// Store: the one persistence interface of okrbot. SQLite (embedded default) and PostgreSQL
// implement it and pass the same conformance suite (storage/store_conformance.h).
//
// Contract:
// - Every method is scoped by workspace: a row of workspace A is never returned, changed or
//   counted by a call that names workspace B ("not found" instead).
// - Expected failures are values: kNotFound (unknown id), kAlreadyExists (duplicate number or
//   job key), kInvalidArgument (violates a constraint), kUnavailable (database unreachable,
//   busy beyond the timeout, or not taking writes: disk full, read-only, I/O errors). Nothing
//   partial is stored when a call fails.
// - A write has been durably committed when the call returns ok (it survives kill -9).
//   Implementations may batch concurrent writes from many threads into one transaction
//   (group commit); callers cannot tell except by throughput.
// - Implementations are thread-safe: any method may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace okrbot {

struct ObjectiveFilter {
  std::string cycle;  // "" = any
  std::string owner;  // "" = any
  std::string team;   // "" = any
  // "" = any; else only objectives this person owns or has a (listed) KR in
  std::string involving;
  bool include_archived = false;
};

struct KeyResultFilter {
  int64_t objective = 0;  // 0 = any
  std::string owner;      // "" = any
  std::string cycle;      // "" = any; else only KRs whose objective is in this cycle
  // "" = any; else only KRs of objectives this person owns or has a (listed) KR in
  std::string involving;
  bool include_archived = false;
};

struct JobFilter {
  std::optional<JobState> state;  // empty = any
  std::string workspace_id;       // "" = all workspaces (operator view)
  int limit = 100;
};

struct PruneCounts {
  int64_t seen_events = 0;
  int64_t jobs = 0;
  int64_t web = 0;     // expired or revoked sign-in links and sessions
  int64_t charts = 0;  // chart images
};

struct StoreStats {
  std::vector<std::pair<std::string, int64_t>> rows;  // table name, rows; by name
  int64_t bytes = 0;       // database size (SQLite: the file; PostgreSQL: the database)
  int64_t free_bytes = 0;  // SQLite's free pages, reused by later writes (0 for PostgreSQL)
};

class Store {
 public:
  virtual ~Store() = default;

  // Schema. Migrate() brings the database to the newest schema version (idempotent).
  virtual Status Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;
  // Readiness: a cheap round trip to the database. After a write failed with kUnavailable
  // (disk full, read-only after a failover, I/O errors, unreachable), Ping fails with that
  // reason until a write succeeds again; while failing it tries a small write of its own (the
  // `readiness_probe` row) at most once a second, so readiness recovers without traffic
  // (storage/write_health.h).
  virtual Status Ping() = 0;

  // Workspaces and users. Upserts insert or replace every field.
  virtual Status UpsertWorkspace(const Workspace& workspace) = 0;
  virtual Result<Workspace> GetWorkspace(const std::string& workspace_id) = 0;
  virtual Result<std::vector<Workspace>> ListWorkspaces() = 0;
  virtual Status UpsertUser(const User& user) = 0;
  virtual Result<User> GetUser(const std::string& workspace_id, const std::string& user_id) = 0;
  virtual Result<std::vector<User>> ListUsers(const std::string& workspace_id) = 0;
  // The users of `user_ids` that exist (unknown ids are left out), ordered by id.
  virtual Result<std::vector<User>> GetUsers(const std::string& workspace_id,
                                             const std::vector<std::string>& user_ids) = 0;

  // Installations: one per workspace. Upsert inserts or replaces every field.
  virtual Status UpsertInstallation(const Installation& installation) = 0;
  virtual Result<Installation> GetInstallation(const std::string& workspace_id) = 0;

  // Conversation references (see ConversationRef): Put inserts or replaces the one for
  // (workspace, target); Get is kNotFound when none was stored.
  virtual Status PutConversationRef(const ConversationRef& ref) = 0;
  virtual Result<ConversationRef> GetConversationRef(const std::string& workspace_id,
                                                     const std::string& target) = 0;

  // Inbound event de-duplication (platform retries): records `event_id` for the workspace and
  // returns true the first time, false when it was seen before. Atomic across threads and
  // processes sharing the database.
  virtual Result<bool> MarkEventSeen(const std::string& workspace_id, const std::string& event_id,
                                     Seconds at) = 0;

  // Objectives. Create assigns the next number when `number` is 0; a given number that is
  // taken is kAlreadyExists. Update replaces every field and appends `edits` to the history in
  // the same transaction.
  virtual Result<Objective> CreateObjective(const Objective& objective) = 0;
  virtual Result<Objective> GetObjective(const std::string& workspace_id, int64_t number) = 0;
  virtual Result<std::vector<Objective>> ListObjectives(const std::string& workspace_id,
                                                        const ObjectiveFilter& filter) = 0;
  virtual Status UpdateObjective(const Objective& objective,
                                 const std::vector<EditRecord>& edits) = 0;

  // Key results; the objective must exist in the same workspace (else kNotFound).
  virtual Result<KeyResult> CreateKeyResult(const KeyResult& kr) = 0;
  virtual Result<KeyResult> GetKeyResult(const std::string& workspace_id, int64_t number) = 0;
  virtual Result<std::vector<KeyResult>> ListKeyResults(const std::string& workspace_id,
                                                        const KeyResultFilter& filter) = 0;
  // Like UpdateObjective, except `current` and `last_checkin_at`: only RecordCheckIn sets them,
  // so an edit made from an older copy never undoes a concurrent check-in.
  virtual Status UpdateKeyResult(const KeyResult& kr, const std::vector<EditRecord>& edits) = 0;

  // Check-ins. Record appends the check-in and, when it is the newest by time, sets the KR's
  // `current` and `last_checkin_at` — atomically. Returns the stored check-in with its id.
  virtual Result<CheckIn> RecordCheckIn(const CheckIn& checkin) = 0;
  // Newest first; limit <= 0 means all.
  virtual Result<std::vector<CheckIn>> ListCheckIns(const std::string& workspace_id, int64_t kr,
                                                    int limit) = 0;

  // Initiatives (work planned to move a KR).
  virtual Result<Initiative> CreateInitiative(const Initiative& initiative) = 0;
  virtual Result<Initiative> GetInitiative(const std::string& workspace_id, int64_t number) = 0;
  virtual Result<std::vector<Initiative>> ListInitiatives(const std::string& workspace_id,
                                                          int64_t kr) = 0;  // kr 0 = all
  virtual Status UpdateInitiative(const Initiative& initiative,
                                  const std::vector<EditRecord>& edits) = 0;

  // Edit history: oldest first. entity "" = every entity of the workspace.
  virtual Status AppendEdit(const EditRecord& edit) = 0;
  virtual Result<std::vector<EditRecord>> ListEdits(const std::string& workspace_id,
                                                    const std::string& entity) = 0;

  // Reminders: one row per (workspace, kind, team). Put replaces that row.
  virtual Status PutReminder(const Reminder& reminder) = 0;
  virtual Result<std::vector<Reminder>> ListReminders(const std::string& workspace_id) = 0;
  virtual Status DeleteReminders(const std::string& workspace_id) = 0;

  // Jobs (outbox). Enqueue returns true when created, false when the key already existed
  // (the existing job is left untouched).
  virtual Result<bool> EnqueueJob(const Job& job) = 0;
  // Enqueues many jobs in one transaction (same rule per job); returns how many were created.
  virtual Result<int> EnqueueJobs(const std::vector<Job>& jobs) = 0;
  // Keys of the workspace's jobs created at or after `created_since` (so a planner can skip
  // building posts that exist already).
  virtual Result<std::vector<std::string>> ListJobKeys(const std::string& workspace_id,
                                                       Seconds created_since) = 0;
  // Claims up to `limit` pending jobs whose next_attempt_at <= now and whose lease (if any)
  // expired, oldest next_attempt_at first and then by due time; each claimed job gets
  // lease_until = now + lease and attempts + 1. Jobs of `skip_workspaces` (paused by a rate
  // limit) are left where they are, so they neither lose their place nor crowd out others.
  virtual Result<std::vector<Job>> ClaimDueJobs(
      Seconds now, int limit, std::chrono::seconds lease,
      const std::vector<std::string>& skip_workspaces = {}) = 0;
  virtual Status MarkJobSent(int64_t job_id, Seconds sent_at) = 0;
  // Puts a claimed job back untried (e.g. over a rate limit): pending at `retry_at`, lease
  // cleared, and the claim's attempt not counted.
  virtual Status ReleaseJob(int64_t job_id, Seconds retry_at) = 0;
  // Records a failed attempt: pending again at `retry_at`, or kDead when `dead`. A job that was
  // sent meanwhile (by another process) stays sent: kNotFound.
  virtual Status MarkJobFailed(int64_t job_id, const std::string& error, Seconds retry_at,
                               bool dead) = 0;
  virtual Result<std::vector<Job>> ListJobs(const JobFilter& filter) = 0;
  // When a job of one of `kinds` was last sent to `target` in the workspace (none: nullopt).
  virtual Result<std::optional<Seconds>> LastJobSentAt(const std::string& workspace_id,
                                                       const std::string& target,
                                                       const std::vector<std::string>& kinds) = 0;
  // An operator's retry: the job is pending and due at once (next_attempt_at = its due time,
  // so a pass on any clock sends it) with a fresh life (ready_at = now), its attempts reset. A sent
  // job stays sent: kFailedPrecondition; no such job: kNotFound.
  virtual Status RequeueJob(int64_t job_id, Seconds now) = 0;

  // Web dashboard sign-in. CreateWebLink stores a link (kAlreadyExists for a taken hash).
  // ConsumeWebLink marks the link used and returns it — atomically, so a link opens at most one
  // session even when two browsers race; an unknown, used or expired (expires_at <= now) link is
  // kNotFound. Sessions: Create assigns the id; Get returns a session only while it is
  // neither expired nor revoked (else kNotFound); List gives the live sessions of a workspace
  // ("" = all), newest first; Revoke is kNotFound for an unknown id and idempotent otherwise.
  virtual Status CreateWebLink(const WebLink& link) = 0;
  virtual Result<WebLink> ConsumeWebLink(const std::string& token_hash, Seconds now) = 0;
  virtual Result<WebSession> CreateWebSession(const WebSession& session) = 0;
  virtual Result<WebSession> GetWebSession(const std::string& token_hash, Seconds now) = 0;
  virtual Result<std::vector<WebSession>> ListWebSessions(const std::string& workspace_id,
                                                          Seconds now) = 0;
  virtual Status RevokeWebSession(int64_t id) = 0;

  // Chart images by content key (ChartRecord). Put keeps the first row for a key (equal keys
  // mean equal SVG); Get is kNotFound for an unknown key.
  virtual Status PutChart(const ChartRecord& chart) = 0;
  virtual Result<ChartRecord> GetChart(const std::string& key) = 0;

  // Retention: deletes seen events older than `seen_events_before` and sent or dead jobs that
  // finished before `jobs_before`; pending jobs are never deleted. Sign-in links and sessions
  // that expired (or were revoked) before `seen_events_before` go too, and chart images
  // created before `jobs_before` (a chart lives as long as the record of the post that showed it).
  virtual Result<PruneCounts> Prune(Seconds seen_events_before, Seconds jobs_before) = 0;
  // Rows per table and the database's size on disk, for `okrbot stats`.
  virtual Result<StoreStats> Stats() = 0;
};

}  // namespace okrbot
