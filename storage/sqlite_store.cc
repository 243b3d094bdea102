#include "storage/sqlite_store.h"

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace okrbot {
namespace sqlite_internal {

namespace {

// Maps an SQLite result code (extended codes are on) to the Store's error vocabulary.
Status StatusFromSqlite(int code, const std::string& message) {
  const std::string detail = "SQLite: " + message;
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::string(kDatabaseBusy) +
                                 " (locked by another writer beyond the busy timeout). " + detail);
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::AlreadyExists(detail);
      }
      return Status::InvalidArgument(detail);
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
      return Status::InvalidArgument(detail);
    case SQLITE_FULL:
      return Status::Unavailable("The database disk is full; nothing was written. " + detail);
    case SQLITE_READONLY:
      return Status::Unavailable(
          "The database file is read-only (its permissions or file system); nothing was "
          "written. " +
          detail);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return Status::Unavailable("The database file could not be read or written: " + message +
                                 ".");
    case SQLITE_NOTADB:
      return Status::FailedPrecondition(detail);
    case SQLITE_ERROR:
      // Prepare fails this way on an unmigrated database; say what to do about it.
      if (message.rfind("no such table", 0) == 0) {
        return Status::FailedPrecondition(std::string(kNotMigratedHint) + " (" + message + ").");
      }
      return Status::Internal(detail);
    default:
      return Status::Internal(detail);
  }
}

}  // namespace

// One use of a prepared statement, and the row it is on. Statements come from the connection's
// cache; destroying the Statement resets it and clears its bindings so the cache can hand it out
// again. Parameters are bound natively by position (text without a copy: the SqlParams outlive
// the statement's use).
class Statement final : public SqlRow {
 public:
  // `in_use` points at the cache entry's flag, or is null for an uncached statement that this
  // object finalizes.
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use)
      : db_(db), stmt_(stmt), in_use_(in_use) {}
  Statement(Statement&& other) noexcept
      : db_(other.db_),
        stmt_(std::exchange(other.stmt_, nullptr)),
        in_use_(std::exchange(other.in_use_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement() {
    if (stmt_ == nullptr) return;
    if (in_use_ == nullptr) {
      sqlite3_finalize(stmt_);
      return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  }

  Status Bind(const SqlParams& params) {
    OKRBOT_RETURN_IF_ERROR(params.status());
    for (int i = 0; i < params.size(); ++i) {
      const SqlParams::Value& value = params[i];
      int rc = SQLITE_OK;
      switch (value.kind) {
        case SqlParams::Kind::kNull:
          rc = sqlite3_bind_null(stmt_, i + 1);
          break;
        case SqlParams::Kind::kInt:
        case SqlParams::Kind::kBool:
          rc = sqlite3_bind_int64(stmt_, i + 1, value.integer);
          break;
        case SqlParams::Kind::kReal:
          rc = sqlite3_bind_double(stmt_, i + 1, value.real);
          break;
        case SqlParams::Kind::kText:
          // A null pointer would bind NULL, not the empty text.
          rc = sqlite3_bind_text64(stmt_, i + 1, value.text.empty() ? "" : value.text.data(),
                                   value.text.size(), SQLITE_STATIC, SQLITE_UTF8);
          break;
      }
      if (rc != SQLITE_OK) return StatusFromSqlite(rc, sqlite3_errstr(rc));
    }
    return Status::Ok();
  }

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Status status = StatusFromSqlite(rc, sqlite3_errmsg(db_));
    sqlite3_reset(stmt_);
    return status;
  }
  // Runs a statement whose rows don't matter.
  Status Run() {
    while (true) {
      Result<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
    }
  }

  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double Real(int column) const override { return sqlite3_column_double(stmt_, column); }
  bool Bool(int column) const override { return Int(column) != 0; }
  std::string_view Text(int column) const override {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    int size = sqlite3_column_bytes(stmt_, column);  // after _text(), as the docs require
    return data == nullptr ? std::string_view() : std::string_view(data, static_cast<size_t>(size));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
};

// An open sqlite3 handle with its prepared-statement cache. Not thread-safe: SqliteStore
// serializes all use behind its mutex.
class Connection final : public SqlConnection {
 public:
  // A writer sets the database up (WAL, synchronous=FULL, foreign keys); a reader only reads
  // (query_only), from its own WAL snapshot, alongside the writer.
  enum class Role { kWriter, kReader };
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  std::chrono::milliseconds busy_timeout,
                                                  Role role);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
  }

  // Returns the cached statement for `sql`, translating and preparing it on first use.
  Result<Statement> Prepare(const Sql& sql) {
    auto it = cache_.find(&sql);
    if (it != cache_.end() && !it->second.in_use) {
      it->second.in_use = true;
      return Statement(db_, it->second.stmt, &it->second.in_use);
    }
    Result<std::string> text = TranslateSql(SqlEngine::kSqlite, sql.text());
    if (!text.ok()) return text.status();
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, text->data(), static_cast<int>(text->size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      Status status = StatusFromSqlite(rc, sqlite3_errmsg(db_));
      sqlite3_finalize(stmt);
      return status;
    }
    if (it != cache_.end()) {
      // The cached copy is busy (a nested use of the same SQL): use a private one.
      return Statement(db_, stmt, nullptr);
    }
    // unordered_map nodes are stable, so the in_use pointer stays valid.
    CachedStatement& cached = cache_[&sql];
    cached.stmt = stmt;
    cached.in_use = true;
    return Statement(db_, stmt, &cached.in_use);
  }

  Status Query(const Sql& sql, const SqlParams& params, SqlRowReader each_row) override {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    OKRBOT_RETURN_IF_ERROR(stmt->Bind(params));
    while (true) {
      Result<bool> row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      OKRBOT_RETURN_IF_ERROR(each_row(*stmt));
    }
  }
  Result<int64_t> Execute(const Sql& sql, const SqlParams& params) override {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    OKRBOT_RETURN_IF_ERROR(stmt->Bind(params));
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    return static_cast<int64_t>(sqlite3_changes(db_));
  }
  Result<int64_t> InsertReturningId(const Sql& sql, const SqlParams& params) override {
    Result<int64_t> changed = Execute(sql, params);
    if (!changed.ok()) return changed.status();
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  }
  // Runs constant multi-statement SQL (migration DDL).
  Status ExecuteScript(const char* sql) override {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return StatusFromSqlite(rc, message);
  }

  // Runs a constant statement without parameters or rows (transaction control, PRAGMAs).
  Status Run(const Sql& sql) { return Execute(sql, SqlParams()).status(); }

  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  // SQLite rolls back by itself on some errors; only roll back what is still open.
  void RollbackIfActive() {
    static const Sql kRollback("ROLLBACK");
    if (InTransaction()) {
      Status ignored = Run(kRollback);
      (void)ignored;
    }
  }

 private:
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<const Sql*, CachedStatement> cache_;
};

// The first column of the one row `sql` answers ("" when none).
Result<std::string> QueryText(SqlConnection& connection, const Sql& sql) {
  std::string value;
  OKRBOT_RETURN_IF_ERROR(connection.Query(sql, SqlParams(), [&](const SqlRow& row) {
    value = row.String(0);
    return Status::Ok();
  }));
  return value;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     std::chrono::milliseconds busy_timeout,
                                                     Role role) {
  static const Sql kQueryOnly("PRAGMA query_only=1");
  static const Sql kJournalWal("PRAGMA journal_mode=WAL");
  static const Sql kSynchronousFull("PRAGMA synchronous=FULL");
  static const Sql kForeignKeysOn("PRAGMA foreign_keys=ON");
  static const Sql kForeignKeys("PRAGMA foreign_keys");
  if (path.empty()) return Status::InvalidArgument("The SQLite database path is empty.");
  sqlite3* db = nullptr;
  // No SQLITE_OPEN_URI: the path is always a file name, never parsed for options. NOMUTEX: a
  // connection is only ever used by one thread at a time (SqliteStore hands them out), so
  // SQLite's per-connection mutex would only cost time.
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Unavailable("Cannot open the SQLite database '" + path + "': " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  std::unique_ptr<Connection> connection(new Connection(db));
  if (role == Role::kReader) {
    OKRBOT_RETURN_IF_ERROR(connection->Run(kQueryOnly));
    return connection;
  }

  // journal_mode answers with the mode in effect; in-memory databases cannot use WAL.
  Result<std::string> mode = QueryText(*connection, kJournalWal);
  if (!mode.ok()) return mode.status();
  if (*mode != "wal" && !(path == ":memory:" && *mode == "memory")) {
    return Status::FailedPrecondition("The SQLite database '" + path +
                                      "' cannot use write-ahead logging (journal_mode is '" +
                                      *mode + "').");
  }
  OKRBOT_RETURN_IF_ERROR(connection->Run(kSynchronousFull));
  OKRBOT_RETURN_IF_ERROR(connection->Run(kForeignKeysOn));
  // foreign_keys is silently ignored by builds without it; the schema relies on it.
  Result<std::string> foreign_keys = QueryText(*connection, kForeignKeys);
  if (!foreign_keys.ok()) return foreign_keys.status();
  if (*foreign_keys != "1") {
    return Status::FailedPrecondition("This SQLite library does not enforce foreign keys.");
  }
  return connection;
}

}  // namespace sqlite_internal

namespace {

using sqlite_internal::Connection;

// ---- Schema -----------------------------------------------------------------------------------

// The same versions as PostgresStore's list, in SQLite's dialect.
constexpr SqlMigration kMigrations[] = {
    {1, R"sql(
CREATE TABLE workspaces (
  workspace_id TEXT NOT NULL PRIMARY KEY CHECK (workspace_id <> ''),
  platform TEXT NOT NULL,
  name TEXT NOT NULL,
  fiscal_year_start_month INTEGER NOT NULL CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
  admins TEXT NOT NULL,    -- JSON array of user ids
  holidays TEXT NOT NULL,  -- JSON array of "YYYY-MM-DD"
  default_tz TEXT NOT NULL,
  installed INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE users (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  user_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  tz TEXT NOT NULL,
  tz_override TEXT NOT NULL,
  away_until TEXT,
  PRIMARY KEY (workspace_id, user_id)
);

CREATE TABLE objectives (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  number INTEGER NOT NULL CHECK (number > 0),
  title TEXT NOT NULL,
  owner TEXT NOT NULL,
  team TEXT NOT NULL,
  cycle TEXT NOT NULL,
  goal_type TEXT NOT NULL CHECK (goal_type IN ('committed', 'stretch')),
  parent INTEGER CHECK (parent > 0),
  archived INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, number)
);
CREATE INDEX objectives_by_cycle ON objectives (workspace_id, cycle);

CREATE TABLE key_results (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  number INTEGER NOT NULL CHECK (number > 0),
  objective INTEGER NOT NULL,
  text TEXT NOT NULL,
  owner TEXT NOT NULL,
  baseline REAL,
  target REAL,
  current_value REAL,
  unit TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('increase', 'decrease', 'maintain-at-least',
                                                'maintain-at-most', 'binary')),
  cadence TEXT NOT NULL CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
  weight REAL NOT NULL,
  archived INTEGER NOT NULL,
  quality_kept INTEGER NOT NULL,
  snoozed_until TEXT,
  last_checkin_at INTEGER,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, number),
  FOREIGN KEY (workspace_id, objective) REFERENCES objectives (workspace_id, number)
);
CREATE INDEX key_results_by_objective ON key_results (workspace_id, objective);

CREATE TABLE checkins (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  kr INTEGER NOT NULL,
  value REAL NOT NULL,
  confidence INTEGER CHECK (confidence BETWEEN 0 AND 100),
  note TEXT NOT NULL,
  author TEXT NOT NULL,
  at INTEGER NOT NULL,
  FOREIGN KEY (workspace_id, kr) REFERENCES key_results (workspace_id, number)
);
CREATE INDEX checkins_by_kr ON checkins (workspace_id, kr, at, id);

CREATE TABLE initiatives (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  number INTEGER NOT NULL CHECK (number > 0),
  kr INTEGER NOT NULL,
  text TEXT NOT NULL,
  done INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, number),
  FOREIGN KEY (workspace_id, kr) REFERENCES key_results (workspace_id, number)
);
CREATE INDEX initiatives_by_kr ON initiatives (workspace_id, kr);

CREATE TABLE edits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  entity TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  author TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX edits_by_entity ON edits (workspace_id, entity, at, id);

CREATE TABLE reminders (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  kind TEXT NOT NULL CHECK (kind IN ('checkin', 'digest')),
  team TEXT NOT NULL,
  channel TEXT NOT NULL,
  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  minute_of_day INTEGER NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
  tz TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, kind, team)
);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_key TEXT NOT NULL UNIQUE CHECK (job_key <> ''),
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  due_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, next_attempt_at, id);
CREATE INDEX jobs_by_workspace ON jobs (workspace_id, id);
)sql"},
    {2, R"sql(
CREATE TABLE installations (
  workspace_id TEXT NOT NULL PRIMARY KEY CHECK (workspace_id <> ''),
  platform TEXT NOT NULL,
  team_id TEXT NOT NULL,
  enterprise_id TEXT NOT NULL,
  bot_token_sealed TEXT NOT NULL,
  bot_user_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  installer TEXT NOT NULL,
  extra TEXT NOT NULL,
  installed_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE seen_events (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  event_id TEXT NOT NULL CHECK (event_id <> ''),
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, event_id)
);
CREATE INDEX seen_events_by_time ON seen_events (seen_at);
)sql"},
    {3, R"sql(
CREATE TABLE conversation_refs (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  target TEXT NOT NULL CHECK (target <> ''),
  reference TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, target)
);
)sql"},
    // `/okr list mine` and check-in prompts look key results and objectives up by owner.
    {4, R"sql(
CREATE INDEX key_results_by_owner ON key_results (workspace_id, owner);
CREATE INDEX objectives_by_owner ON objectives (workspace_id, owner);
)sql"},
    // Readiness writes a row here while writes have been failing, to see whether they work
    // again; a check-in remembers the platform request that recorded it.
    {5, R"sql(
CREATE TABLE readiness_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at INTEGER NOT NULL
);
-- The platform request that recorded a check-in: a replayed or re-delivered one is refused.
ALTER TABLE checkins ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX checkins_by_request ON checkins (workspace_id, request_id)
  WHERE request_id <> '';
)sql"},
    {6, R"sql(
-- Scheduler at scale (issue 24): a post's life counts from ready_at; finished_at says when it
-- was sent (the 24 h gap between two prompts to one person) or declared dead (retention).
ALTER TABLE jobs ADD COLUMN ready_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN finished_at INTEGER;
UPDATE jobs SET ready_at = MAX(due_at, created_at);
CREATE INDEX jobs_sent_to ON jobs (workspace_id, target, finished_at) WHERE state = 'sent';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state <> 'pending';
)sql"},
    // The web dashboard (issue 20): one-time sign-in links and browser sessions (secrets stored
    // only as SHA-256), and the charts of chat posts, fetched by the platforms as PNG.
    {7, R"sql(
CREATE TABLE web_links (
  link_hash TEXT NOT NULL PRIMARY KEY CHECK (link_hash <> ''),
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX web_links_by_expiry ON web_links (expires_at);
CREATE TABLE web_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_hash TEXT NOT NULL UNIQUE CHECK (session_hash <> ''),
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  user_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
CREATE TABLE charts (
  chart_key TEXT NOT NULL PRIMARY KEY CHECK (chart_key <> ''),
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  svg TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX charts_by_time ON charts (created_at);
)sql"},
};

}  // namespace

// ---- SqliteStore --------------------------------------------------------------------------------

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  return Open(path, Options());
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const Options& options) {
  Result<std::unique_ptr<Connection>> connection =
      Connection::Open(path, options.busy_timeout, Connection::Role::kWriter);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(path, options, std::move(connection).value()));
}

int SqliteStore::LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

SqliteStore::SqliteStore(std::string path, Options options, std::unique_ptr<Connection> writer)
    : SqlStore(kSqliteDialect, kMigrations),
      path_(std::move(path)),
      options_(options),
      // A private in-memory database exists only on its one connection.
      readers_share_writer_(path_ == ":memory:" || options_.max_readers <= 0),
      writer_(std::move(writer)) {}

SqliteStore::~SqliteStore() = default;

struct SqliteStore::PendingWrite {
  const SqlBody* body = nullptr;
  Status status;
  bool done = false;
  std::condition_variable wake;
};

Status SqliteStore::RunWrite(SqlBody body) {
  PendingWrite mine;
  mine.body = &body;
  std::unique_lock<std::mutex> lock(queue_mutex_);
  queue_.push_back(&mine);
  write_stats_.writes += 1;
  while (!mine.done && queue_.front() != &mine) mine.wake.wait(lock);
  if (mine.done) return mine.status;  // a leader committed (or failed) it with its batch

  // This caller leads: it commits everything queued so far, its own write first.
  std::vector<PendingWrite*> batch;
  for (PendingWrite* pending : queue_) {
    if (batch.size() == kMaxBatch) break;
    batch.push_back(pending);
  }
  write_stats_.transactions += 1;
  lock.unlock();
  CommitBatch(batch);
  lock.lock();
  for (PendingWrite* pending : batch) {
    queue_.pop_front();
    if (pending == &mine) continue;
    pending->done = true;
    pending->wake.notify_one();
  }
  if (!queue_.empty()) queue_.front()->wake.notify_one();  // the next leader
  return mine.status;
}

namespace {

// Runs a body, turning an escaping exception (bad_alloc) into a failure of that write alone
// instead of leaving the other writers of its batch waiting forever.
Status RunBody(SqlBody body, Connection& connection) {
  try {
    return body(connection);
  } catch (const std::exception& error) {
    return Status::Internal(std::string("write failed: ") + error.what());
  }
}

// Transaction control, prepared once per connection like every other statement.
const Sql kBeginImmediate("BEGIN IMMEDIATE");
const Sql kBegin("BEGIN");
const Sql kCommit("COMMIT");
const Sql kSavepoint("SAVEPOINT okrbot_write");
const Sql kRollbackToSavepoint("ROLLBACK TO okrbot_write");
const Sql kReleaseSavepoint("RELEASE okrbot_write");

}  // namespace

void SqliteStore::CommitBatch(const std::vector<PendingWrite*>& batch) {
  std::lock_guard<std::mutex> lock(writer_mutex_);
  Connection& connection = *writer_;
  connection.RollbackIfActive();
  // IMMEDIATE takes the write lock up front: waiting happens here (bounded by busy_timeout)
  // instead of failing mid-body when a read lock cannot be upgraded.
  Status begun = connection.Run(kBeginImmediate);
  if (!begun.ok()) {
    for (PendingWrite* pending : batch) pending->status = begun;
    return;
  }
  if (batch.size() == 1) {
    Status status = RunBody(*batch[0]->body, connection);
    if (status.ok()) status = connection.Run(kCommit);
    if (!status.ok()) connection.RollbackIfActive();
    batch[0]->status = status;
    return;
  }
  // Each write gets a savepoint, so a failing one is undone alone and the rest still commit.
  for (size_t i = 0; i < batch.size(); ++i) {
    Status status = connection.Run(kSavepoint);
    if (status.ok()) {
      status = RunBody(*batch[i]->body, connection);
      if (!status.ok() && connection.InTransaction()) {
        Status undone = connection.Run(kRollbackToSavepoint);
        (void)undone;
      }
      if (connection.InTransaction()) {
        Status released = connection.Run(kReleaseSavepoint);
        if (status.ok()) status = released;
      }
    }
    batch[i]->status = status;
    if (!connection.InTransaction()) {
      // SQLite rolled the whole transaction back (I/O error, disk full): nothing of this batch
      // is stored, so every write in it fails with the reason.
      for (PendingWrite* pending : batch) {
        if (pending->status.ok()) pending->status = status;
      }
      for (size_t rest = i + 1; rest < batch.size(); ++rest) batch[rest]->status = status;
      return;
    }
  }
  Status committed = connection.Run(kCommit);
  if (!committed.ok()) {
    connection.RollbackIfActive();
    for (PendingWrite* pending : batch) {
      if (pending->status.ok()) pending->status = committed;
    }
  }
}

Status SqliteStore::RunRead(SqlBody body) {
  if (readers_share_writer_) return ReadOnWriter(body);
  std::unique_ptr<Connection> reader;
  {
    std::unique_lock<std::mutex> lock(readers_mutex_);
    readers_free_.wait(
        lock, [&] { return !idle_readers_.empty() || open_readers_ < options_.max_readers; });
    if (!idle_readers_.empty()) {
      reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    } else {
      ++open_readers_;
    }
  }
  if (!reader) {
    auto opened = Connection::Open(path_, options_.busy_timeout, Connection::Role::kReader);
    if (!opened.ok()) {
      std::lock_guard<std::mutex> lock(readers_mutex_);
      --open_readers_;
      readers_free_.notify_one();
      return opened.status();
    }
    reader = std::move(opened).value();
  }
  // One read transaction per body: a body that runs several queries sees one snapshot, as it
  // did when reads and writes took turns on one connection.
  Status status = reader->Run(kBegin);
  if (status.ok()) {
    status = body(*reader);
    reader->RollbackIfActive();
  }
  {
    std::lock_guard<std::mutex> lock(readers_mutex_);
    idle_readers_.push_back(std::move(reader));
  }
  readers_free_.notify_one();
  return status;
}

SqliteStore::WriteStats SqliteStore::WriteStatsForTesting() {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  return write_stats_;
}

Status SqliteStore::ReadOnWriter(SqlBody body) {
  std::lock_guard<std::mutex> lock(writer_mutex_);
  return body(*writer_);
}

Result<std::string> SqliteStore::PragmaForTesting(const std::string& name) {
  // PRAGMA names cannot be bound; only these constant texts are ever prepared.
  static const Sql kJournalMode("PRAGMA journal_mode");
  static const Sql kSynchronous("PRAGMA synchronous");
  static const Sql kForeignKeys("PRAGMA foreign_keys");
  static const Sql kBusyTimeout("PRAGMA busy_timeout");
  static const std::unordered_map<std::string, const Sql*> kQueries = {
      {"journal_mode", &kJournalMode},
      {"synchronous", &kSynchronous},
      {"foreign_keys", &kForeignKeys},
      {"busy_timeout", &kBusyTimeout},
  };
  auto query = kQueries.find(name);
  if (query == kQueries.end()) return Status::InvalidArgument("Unknown PRAGMA " + name + ".");
  Result<std::string> value = Status::Internal("PRAGMA not read.");
  Status status = ReadOnWriter([&](SqlConnection& connection) {
    value = sqlite_internal::QueryText(connection, *query->second);
    return value.status();
  });
  if (!status.ok()) return status;
  return value;
}

}  // namespace okrbot
