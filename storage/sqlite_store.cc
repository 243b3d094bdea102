#include "storage/sqlite_store.h"

#include <sqlite3.h>

#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "storage/row_codec.h"

namespace okrbot {
namespace sqlite_internal {

namespace {

constexpr std::string_view kNotMigratedHint =
    "The database schema is not migrated; run `okrbot migrate` first";

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

// One use of a prepared statement. Statements come from the connection's cache; destroying
// the Statement resets it and clears its bindings so the cache can hand it out again. Binding
// errors are remembered and reported by the next Step(), which keeps call sites linear.
class Statement {
 public:
  // `in_use` points at the cache entry's flag, or is null for an uncached statement that this
  // object finalizes.
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use)
      : db_(db), stmt_(stmt), in_use_(in_use) {}
  Statement(Statement&& other) noexcept
      : db_(other.db_),
        stmt_(std::exchange(other.stmt_, nullptr)),
        in_use_(std::exchange(other.in_use_, nullptr)),
        bind_status_(std::move(other.bind_status_)) {}
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

  void BindText(const char* name, std::string_view value) {
    int index = ParameterIndex(name);
    if (index > 0) {
      Check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                SQLITE_UTF8));
    }
  }
  void BindInt(const char* name, int64_t value) {
    int index = ParameterIndex(name);
    if (index > 0) Check(sqlite3_bind_int64(stmt_, index, value));
  }
  void BindBool(const char* name, bool value) { BindInt(name, value ? 1 : 0); }
  void BindReal(const char* name, double value) {
    // SQLite silently stores NaN as NULL, which would not round-trip.
    if (std::isnan(value)) {
      Fail(Status::InvalidArgument(std::string("The value for ") + (name + 1) +
                                   " is not a number."));
      return;
    }
    int index = ParameterIndex(name);
    if (index > 0) Check(sqlite3_bind_double(stmt_, index, value));
  }
  void BindNull(const char* name) {
    int index = ParameterIndex(name);
    if (index > 0) Check(sqlite3_bind_null(stmt_, index));
  }
  void BindOptionalReal(const char* name, const std::optional<double>& value) {
    value ? BindReal(name, *value) : BindNull(name);
  }
  void BindOptionalInt(const char* name, const std::optional<int64_t>& value) {
    value ? BindInt(name, *value) : BindNull(name);
  }
  void BindTime(const char* name, Seconds value) {
    BindInt(name, value.time_since_epoch().count());
  }
  void BindOptionalTime(const char* name, const std::optional<Seconds>& value) {
    value ? BindTime(name, *value) : BindNull(name);
  }
  void BindDate(const char* name, Days value) {
    // Refuse days that would not read back (years outside 0000..9999).
    std::string text = FormatDate(value);
    Days parsed;
    if (!ParseDate(text, &parsed) || parsed != value) {
      Fail(
          Status::InvalidArgument(std::string("The date for ") + (name + 1) + " is out of range."));
      return;
    }
    BindText(name, text);
  }
  void BindOptionalDate(const char* name, const std::optional<Days>& value) {
    value ? BindDate(name, *value) : BindNull(name);
  }
  // Fails the statement with `status` (validation done by the caller while binding).
  void Fail(Status status) {
    if (bind_status_.ok()) bind_status_ = std::move(status);
  }

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> Step() {
    if (!bind_status_.ok()) return bind_status_;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Status status = StatusFromSqlite(rc, sqlite3_errmsg(db_));
    sqlite3_reset(stmt_);
    return status;
  }
  // Runs a statement that returns no rows (or whose rows don't matter).
  Status Run() {
    while (true) {
      Result<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
    }
  }

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool Bool(int column) const { return Int(column) != 0; }
  double Real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string Text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    int size = sqlite3_column_bytes(stmt_, column);  // after _text(), as the docs require
    return data == nullptr ? std::string() : std::string(data, static_cast<size_t>(size));
  }
  std::optional<double> OptionalReal(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Real(column);
  }
  Seconds Time(int column) const { return Seconds(std::chrono::seconds(Int(column))); }
  std::optional<Seconds> OptionalTime(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Time(column);
  }
  Status OptionalDate(int column, std::optional<Days>* out) const {
    if (IsNull(column)) {
      out->reset();
      return Status::Ok();
    }
    Days day;
    std::string text = Text(column);
    if (!ParseDate(text, &day)) {
      return Status::Internal("Stored date '" + text + "' is not YYYY-MM-DD.");
    }
    *out = day;
    return Status::Ok();
  }

 private:
  int ParameterIndex(const char* name) {
    int index = sqlite3_bind_parameter_index(stmt_, name);
    if (index == 0) Fail(Status::Internal(std::string("SQL has no parameter ") + name + "."));
    return index;
  }
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail(StatusFromSqlite(rc, sqlite3_errstr(rc)));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
  Status bind_status_;
};

// An open sqlite3 handle with its prepared-statement cache. Not thread-safe: SqliteStore
// serializes all use behind its mutex.
class Connection {
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

  // Returns the cached statement for `sql`, preparing it on first use. `sql` must be constant
  // text with bound parameters, never text built from values.
  Result<Statement> Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end() && !it->second.in_use) {
      it->second.in_use = true;
      return Statement(db_, it->second.stmt, &it->second.in_use);
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
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
    CachedStatement& cached = cache_[sql];
    cached.stmt = stmt;
    cached.in_use = true;
    return Statement(db_, stmt, &cached.in_use);
  }

  // Prepares and runs a statement without parameters or result rows.
  Status Execute(const std::string& sql) {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    return stmt->Run();
  }

  // Runs constant multi-statement SQL (migration DDL).
  Status ExecuteScript(const char* sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return StatusFromSqlite(rc, message);
  }

  int64_t Changes() const { return sqlite3_changes(db_); }
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  // SQLite rolls back by itself on some errors; only roll back what is still open.
  void RollbackIfActive() {
    if (InTransaction()) {
      Status ignored = Execute("ROLLBACK");
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
  std::unordered_map<std::string, CachedStatement> cache_;
};

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     std::chrono::milliseconds busy_timeout,
                                                     Role role) {
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
    OKRBOT_RETURN_IF_ERROR(connection->Execute("PRAGMA query_only=1"));
    return connection;
  }

  // journal_mode answers with the mode in effect; in-memory databases cannot use WAL.
  Result<Statement> journal = connection->Prepare("PRAGMA journal_mode=WAL");
  if (!journal.ok()) return journal.status();
  Result<bool> row = journal->Step();
  if (!row.ok()) return row.status();
  std::string mode = *row ? journal->Text(0) : "";
  if (mode != "wal" && !(path == ":memory:" && mode == "memory")) {
    return Status::FailedPrecondition("The SQLite database '" + path +
                                      "' cannot use write-ahead logging (journal_mode is '" + mode +
                                      "').");
  }
  OKRBOT_RETURN_IF_ERROR(journal->Run());
  OKRBOT_RETURN_IF_ERROR(connection->Execute("PRAGMA synchronous=FULL"));
  OKRBOT_RETURN_IF_ERROR(connection->Execute("PRAGMA foreign_keys=ON"));
  // foreign_keys is silently ignored by builds without it; the schema relies on it.
  Result<Statement> check = connection->Prepare("PRAGMA foreign_keys");
  if (!check.ok()) return check.status();
  row = check->Step();
  if (!row.ok()) return row.status();
  if (!*row || check->Int(0) != 1) {
    return Status::FailedPrecondition("This SQLite library does not enforce foreign keys.");
  }
  return connection;
}

}  // namespace sqlite_internal

namespace {

using sqlite_internal::Connection;
using sqlite_internal::Statement;

// ---- Schema -----------------------------------------------------------------------------------

struct Migration {
  int version;
  const char* sql;  // constant DDL, run as one script inside the step's transaction
};

// Append only: a released step is never edited, a change is a new step.
constexpr Migration kMigrations[] = {
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
};

constexpr int kLatestSchemaVersion = kMigrations[std::size(kMigrations) - 1].version;

// The condition on `objectives` rows that `:involving` owns or has a key result in (a listed one
// unless archived ones are included): ListObjectives and ListKeyResults must agree on it.
std::string InvolvingCondition(bool include_archived) {
  return std::string(
             " AND (owner = :involving OR number IN (SELECT objective FROM key_results"
             " WHERE workspace_id = :ws AND owner = :involving") +
         (include_archived ? "))" : " AND archived = 0))");
}

// Steps through every row, calling `read_row` for each.
template <typename ReadRow>
Status ForEachRow(Statement& stmt, ReadRow read_row) {
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    OKRBOT_RETURN_IF_ERROR(read_row());
  }
}

// Runs a query expected to return at most one row; `*found` says whether it did.
template <typename ReadRow>
Status ReadOneRow(Statement& stmt, bool* found, ReadRow read_row) {
  Result<bool> row = stmt.Step();
  if (!row.ok()) return row.status();
  *found = *row;
  if (!*row) return Status::Ok();
  return read_row();
}

// ---- Workspaces and users ---------------------------------------------------------------------

constexpr char kWorkspaceColumns[] =
    "workspace_id, platform, name, fiscal_year_start_month, admins, holidays, default_tz, "
    "installed, created_at";

Status ReadWorkspace(const Statement& stmt, Workspace* out) {
  out->id = stmt.Text(0);
  out->platform = stmt.Text(1);
  out->name = stmt.Text(2);
  out->fiscal_year_start_month = static_cast<int>(stmt.Int(3));
  if (!DecodeStringList(stmt.Text(4), &out->admins)) {
    return Status::Internal("Stored admins of workspace " + out->id + " are not a JSON list.");
  }
  std::vector<std::string> holidays;
  if (!DecodeStringList(stmt.Text(5), &holidays)) {
    return Status::Internal("Stored holidays of workspace " + out->id + " are not a JSON list.");
  }
  out->holidays.clear();
  for (const std::string& text : holidays) {
    Days day;
    if (!ParseDate(text, &day)) {
      return Status::Internal("Stored holiday '" + text + "' of workspace " + out->id +
                              " is not YYYY-MM-DD.");
    }
    out->holidays.push_back(day);
  }
  out->default_tz = stmt.Text(6);
  out->installed = stmt.Bool(7);
  out->created_at = stmt.Time(8);
  return Status::Ok();
}

constexpr char kUserColumns[] = "workspace_id, user_id, display_name, tz, tz_override, away_until";

Status ReadUser(const Statement& stmt, User* out) {
  out->workspace_id = stmt.Text(0);
  out->id = stmt.Text(1);
  out->display_name = stmt.Text(2);
  out->tz = stmt.Text(3);
  out->tz_override = stmt.Text(4);
  return stmt.OptionalDate(5, &out->away_until);
}

// ---- Objectives -------------------------------------------------------------------------------

constexpr char kObjectiveColumns[] =
    "workspace_id, number, title, owner, team, cycle, goal_type, parent, archived, created_by, "
    "created_at";

Status ReadObjective(const Statement& stmt, Objective* out) {
  out->workspace_id = stmt.Text(0);
  out->number = stmt.Int(1);
  out->title = stmt.Text(2);
  out->owner = stmt.Text(3);
  out->team = stmt.Text(4);
  out->cycle = stmt.Text(5);
  std::string type = stmt.Text(6);
  if (!ParseGoalType(type, &out->type)) {
    return Status::Internal("Stored objective " + ObjectiveRef(out->number) +
                            " has an unknown goal type '" + type + "'.");
  }
  out->parent = stmt.IsNull(7) ? 0 : stmt.Int(7);
  out->archived = stmt.Bool(8);
  out->created_by = stmt.Text(9);
  out->created_at = stmt.Time(10);
  return Status::Ok();
}

// Binds every column but the key, shared by INSERT and UPDATE.
void BindObjectiveFields(Statement& stmt, const Objective& objective) {
  stmt.BindText(":title", objective.title);
  stmt.BindText(":owner", objective.owner);
  stmt.BindText(":team", objective.team);
  stmt.BindText(":cycle", objective.cycle);
  stmt.BindText(":goal_type", GoalTypeName(objective.type));
  if (objective.parent < 0) {
    stmt.Fail(Status::InvalidArgument("The parent objective number is negative."));
  }
  stmt.BindOptionalInt(
      ":parent", objective.parent == 0 ? std::nullopt : std::optional<int64_t>(objective.parent));
  stmt.BindBool(":archived", objective.archived);
  stmt.BindText(":created_by", objective.created_by);
  stmt.BindTime(":created_at", objective.created_at);
}

// ---- Key results ------------------------------------------------------------------------------

constexpr char kKeyResultColumns[] =
    "workspace_id, number, objective, text, owner, baseline, target, current_value, unit, "
    "direction, cadence, weight, archived, quality_kept, snoozed_until, last_checkin_at, "
    "created_by, created_at";

Status ReadKeyResult(const Statement& stmt, KeyResult* out) {
  out->workspace_id = stmt.Text(0);
  out->number = stmt.Int(1);
  out->objective = stmt.Int(2);
  out->text = stmt.Text(3);
  out->owner = stmt.Text(4);
  out->baseline = stmt.OptionalReal(5);
  out->target = stmt.OptionalReal(6);
  out->current = stmt.OptionalReal(7);
  out->unit = stmt.Text(8);
  std::string direction = stmt.Text(9);
  if (!ParseDirection(direction, &out->direction)) {
    return Status::Internal("Stored key result " + KeyResultRef(out->number) +
                            " has an unknown direction '" + direction + "'.");
  }
  std::string cadence = stmt.Text(10);
  if (!ParseCadence(cadence, &out->cadence)) {
    return Status::Internal("Stored key result " + KeyResultRef(out->number) +
                            " has an unknown cadence '" + cadence + "'.");
  }
  out->weight = stmt.Real(11);
  out->archived = stmt.Bool(12);
  out->quality_kept = stmt.Bool(13);
  OKRBOT_RETURN_IF_ERROR(stmt.OptionalDate(14, &out->snoozed_until));
  out->last_checkin_at = stmt.OptionalTime(15);
  out->created_by = stmt.Text(16);
  out->created_at = stmt.Time(17);
  return Status::Ok();
}

// `with_checkin_columns` false for updates: only RecordCheckIn writes current and
// last_checkin_at.
void BindKeyResultFields(Statement& stmt, const KeyResult& kr, bool with_checkin_columns) {
  stmt.BindInt(":objective", kr.objective);
  stmt.BindText(":text", kr.text);
  stmt.BindText(":owner", kr.owner);
  stmt.BindOptionalReal(":baseline", kr.baseline);
  stmt.BindOptionalReal(":target", kr.target);
  if (with_checkin_columns) stmt.BindOptionalReal(":current_value", kr.current);
  stmt.BindText(":unit", kr.unit);
  stmt.BindText(":direction", DirectionName(kr.direction));
  stmt.BindText(":cadence", CadenceName(kr.cadence));
  stmt.BindReal(":weight", kr.weight);
  stmt.BindBool(":archived", kr.archived);
  stmt.BindBool(":quality_kept", kr.quality_kept);
  stmt.BindOptionalDate(":snoozed_until", kr.snoozed_until);
  if (with_checkin_columns) stmt.BindOptionalTime(":last_checkin_at", kr.last_checkin_at);
  stmt.BindText(":created_by", kr.created_by);
  stmt.BindTime(":created_at", kr.created_at);
}

// ---- Check-ins, initiatives, edits, reminders, jobs -----------------------------------------

constexpr char kCheckInColumns[] = "workspace_id, id, kr, value, confidence, note, author, at";

Status ReadCheckIn(const Statement& stmt, CheckIn* out) {
  out->workspace_id = stmt.Text(0);
  out->id = stmt.Int(1);
  out->kr = stmt.Int(2);
  out->value = stmt.Real(3);
  out->confidence =
      stmt.IsNull(4) ? std::nullopt : std::optional<int>(static_cast<int>(stmt.Int(4)));
  out->note = stmt.Text(5);
  out->author = stmt.Text(6);
  out->at = stmt.Time(7);
  return Status::Ok();
}

constexpr char kInitiativeColumns[] =
    "workspace_id, number, kr, text, done, created_by, created_at";

Status ReadInitiative(const Statement& stmt, Initiative* out) {
  out->workspace_id = stmt.Text(0);
  out->number = stmt.Int(1);
  out->kr = stmt.Int(2);
  out->text = stmt.Text(3);
  out->done = stmt.Bool(4);
  out->created_by = stmt.Text(5);
  out->created_at = stmt.Time(6);
  return Status::Ok();
}

void BindInitiativeFields(Statement& stmt, const Initiative& initiative) {
  stmt.BindInt(":kr", initiative.kr);
  stmt.BindText(":text", initiative.text);
  stmt.BindBool(":done", initiative.done);
  stmt.BindText(":created_by", initiative.created_by);
  stmt.BindTime(":created_at", initiative.created_at);
}

constexpr char kEditColumns[] = "workspace_id, entity, field, old_value, new_value, author, at";

Status ReadEdit(const Statement& stmt, EditRecord* out) {
  out->workspace_id = stmt.Text(0);
  out->entity = stmt.Text(1);
  out->field = stmt.Text(2);
  out->old_value = stmt.Text(3);
  out->new_value = stmt.Text(4);
  out->author = stmt.Text(5);
  out->at = stmt.Time(6);
  return Status::Ok();
}

Status InsertEdit(Connection& connection, const EditRecord& edit) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(edit.workspace_id));
  static const std::string kSql = std::string("INSERT INTO edits (") + kEditColumns +
                                  ") VALUES (:ws, :entity, :field, :old_value, :new_value, "
                                  ":author, :at)";
  Result<Statement> stmt = connection.Prepare(kSql);
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(":ws", edit.workspace_id);
  stmt->BindText(":entity", edit.entity);
  stmt->BindText(":field", edit.field);
  stmt->BindText(":old_value", edit.old_value);
  stmt->BindText(":new_value", edit.new_value);
  stmt->BindText(":author", edit.author);
  stmt->BindTime(":at", edit.at);
  return stmt->Run();
}

// Edits are written with the row they describe and must belong to the same workspace; an
// empty workspace_id means "the row's".
Status AppendEdits(Connection& connection, const std::string& workspace_id,
                   const std::vector<EditRecord>& edits) {
  for (EditRecord edit : edits) {
    if (edit.workspace_id.empty()) edit.workspace_id = workspace_id;
    if (edit.workspace_id != workspace_id) {
      return Status::InvalidArgument("An edit record names workspace '" + edit.workspace_id +
                                     "' but the row belongs to '" + workspace_id + "'.");
    }
    OKRBOT_RETURN_IF_ERROR(InsertEdit(connection, edit));
  }
  return Status::Ok();
}

constexpr char kReminderColumns[] =
    "workspace_id, kind, team, channel, weekday, minute_of_day, tz, enabled";

Status ReadReminder(const Statement& stmt, Reminder* out) {
  out->workspace_id = stmt.Text(0);
  out->kind = stmt.Text(1);
  out->team = stmt.Text(2);
  out->channel = stmt.Text(3);
  out->weekday = static_cast<int>(stmt.Int(4));
  out->minute_of_day = static_cast<int>(stmt.Int(5));
  out->tz = stmt.Text(6);
  out->enabled = stmt.Bool(7);
  return Status::Ok();
}

constexpr char kJobColumns[] =
    "id, job_key, workspace_id, kind, target, payload, state, attempts, due_at, "
    "next_attempt_at, lease_until, last_error, created_at";

Status ReadJob(const Statement& stmt, Job* out) {
  out->id = stmt.Int(0);
  out->key = stmt.Text(1);
  out->workspace_id = stmt.Text(2);
  out->kind = stmt.Text(3);
  out->target = stmt.Text(4);
  out->payload = stmt.Text(5);
  std::string state = stmt.Text(6);
  if (!ParseJobState(state, &out->state)) {
    return Status::Internal("Stored job " + std::to_string(out->id) + " has an unknown state '" +
                            state + "'.");
  }
  out->attempts = static_cast<int>(stmt.Int(7));
  out->due_at = stmt.Time(8);
  out->next_attempt_at = stmt.Time(9);
  out->lease_until = stmt.OptionalTime(10);
  out->last_error = stmt.Text(11);
  out->created_at = stmt.Time(12);
  return Status::Ok();
}

// Whether the row (workspace_id, number) that constant `sql` selects exists.
Result<bool> RowExists(Connection& connection, const std::string& sql,
                       const std::string& workspace_id, int64_t number) {
  Result<Statement> stmt = connection.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(":ws", workspace_id);
  stmt->BindInt(":number", number);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row;
}

const std::string kObjectiveExistsSql =
    "SELECT 1 FROM objectives WHERE workspace_id = :ws AND number = :number";
const std::string kKeyResultExistsSql =
    "SELECT 1 FROM key_results WHERE workspace_id = :ws AND number = :number";
const std::string kInitiativeExistsSql =
    "SELECT 1 FROM initiatives WHERE workspace_id = :ws AND number = :number";

// Picks the number for a new row: the given one if free, else max + 1 of the workspace.
// Runs inside the inserting transaction, so two creators never get the same number.
Result<int64_t> AssignNumber(Connection& connection, const char* table, const std::string& ref,
                             const std::string& exists_sql, const std::string& max_sql,
                             const std::string& workspace_id, int64_t requested) {
  if (requested < 0) return Status::InvalidArgument(ref + " is not a valid number.");
  if (requested > 0) {
    Result<bool> taken = RowExists(connection, exists_sql, workspace_id, requested);
    if (!taken.ok()) return taken.status();
    if (*taken) return Status::AlreadyExists(ref + " already exists in this workspace.");
    return requested;
  }
  Result<Statement> stmt = connection.Prepare(max_sql);
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(":ws", workspace_id);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal(std::string("No maximum number from ") + table + ".");
  return stmt->Int(0) + 1;
}

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

int SqliteStore::LatestSchemaVersion() { return kLatestSchemaVersion; }

SqliteStore::SqliteStore(std::string path, Options options, std::unique_ptr<Connection> writer)
    : path_(std::move(path)),
      options_(options),
      // A private in-memory database exists only on its one connection.
      readers_share_writer_(path_ == ":memory:" || options_.max_readers <= 0),
      writer_(std::move(writer)) {}

SqliteStore::~SqliteStore() = default;

struct SqliteStore::PendingWrite {
  const Body* body = nullptr;
  Status status;
  bool done = false;
  std::condition_variable wake;
};

Status SqliteStore::Write(const Body& body) {
  Status status = WriteInBatch(body);
  write_health_.Record(status);
  return status;
}

Status SqliteStore::WriteInBatch(const Body& body) {
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
Status RunBody(const std::function<Status(Connection&)>& body, Connection& connection) {
  try {
    return body(connection);
  } catch (const std::exception& error) {
    return Status::Internal(std::string("write failed: ") + error.what());
  }
}

}  // namespace

void SqliteStore::CommitBatch(const std::vector<PendingWrite*>& batch) {
  std::lock_guard<std::mutex> lock(writer_mutex_);
  Connection& connection = *writer_;
  connection.RollbackIfActive();
  // IMMEDIATE takes the write lock up front: waiting happens here (bounded by busy_timeout)
  // instead of failing mid-body when a read lock cannot be upgraded.
  Status begun = connection.Execute("BEGIN IMMEDIATE");
  if (!begun.ok()) {
    for (PendingWrite* pending : batch) pending->status = begun;
    return;
  }
  if (batch.size() == 1) {
    Status status = RunBody(*batch[0]->body, connection);
    if (status.ok()) status = connection.Execute("COMMIT");
    if (!status.ok()) connection.RollbackIfActive();
    batch[0]->status = status;
    return;
  }
  // Each write gets a savepoint, so a failing one is undone alone and the rest still commit.
  for (size_t i = 0; i < batch.size(); ++i) {
    Status status = connection.Execute("SAVEPOINT okrbot_write");
    if (status.ok()) {
      status = RunBody(*batch[i]->body, connection);
      if (!status.ok() && connection.InTransaction()) {
        Status undone = connection.Execute("ROLLBACK TO okrbot_write");
        (void)undone;
      }
      if (connection.InTransaction()) {
        Status released = connection.Execute("RELEASE okrbot_write");
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
  Status committed = connection.Execute("COMMIT");
  if (!committed.ok()) {
    connection.RollbackIfActive();
    for (PendingWrite* pending : batch) {
      if (pending->status.ok()) pending->status = committed;
    }
  }
}

Status SqliteStore::Read(const Body& body) {
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
  Status status = reader->Execute("BEGIN");
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

Status SqliteStore::ReadOnWriter(const Body& body) {
  std::lock_guard<std::mutex> lock(writer_mutex_);
  return body(*writer_);
}

Result<std::string> SqliteStore::PragmaForTesting(const std::string& name) {
  // PRAGMA names cannot be bound; only these constant texts are ever prepared.
  static const std::unordered_map<std::string, std::string> kQueries = {
      {"journal_mode", "PRAGMA journal_mode"},
      {"synchronous", "PRAGMA synchronous"},
      {"foreign_keys", "PRAGMA foreign_keys"},
      {"busy_timeout", "PRAGMA busy_timeout"},
  };
  auto query = kQueries.find(name);
  if (query == kQueries.end()) return Status::InvalidArgument("Unknown PRAGMA " + name + ".");
  std::string value;
  Status status = ReadOnWriter([&](Connection& connection) {
    Result<Statement> stmt = connection.Prepare(query->second);
    if (!stmt.ok()) return stmt.status();
    bool found = false;
    return ReadOneRow(*stmt, &found, [&] {
      value = stmt->Text(0);
      return Status::Ok();
    });
  });
  if (!status.ok()) return status;
  return value;
}

// ---- Schema -----------------------------------------------------------------------------------

namespace {

Status CreateMigrationsTable(Connection& connection) {
  return connection.Execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
}

Result<int> MaxAppliedVersion(Connection& connection) {
  Result<Statement> present = connection.Prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!present.ok()) return present.status();
  Result<bool> row = present->Step();
  if (!row.ok()) return row.status();
  if (!*row) return 0;
  Result<Statement> max =
      connection.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!max.ok()) return max.status();
  row = max->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<int>(max->Int(0)) : 0;
}

}  // namespace

Status SqliteStore::Migrate() {
  OKRBOT_RETURN_IF_ERROR(Write(CreateMigrationsTable));
  for (const Migration& migration : kMigrations) {
    OKRBOT_RETURN_IF_ERROR(Write([&](Connection& connection) {
      // Checked inside the step's transaction: a concurrent migrator cannot slip in between.
      Result<int> applied = MaxAppliedVersion(connection);
      if (!applied.ok()) return applied.status();
      if (*applied > kLatestSchemaVersion) {
        return Status::FailedPrecondition(
            "The database has schema version " + std::to_string(*applied) +
            ", newer than this okrbot knows (" + std::to_string(kLatestSchemaVersion) +
            "); upgrade okrbot.");
      }
      Result<bool> done = [&]() -> Result<bool> {
        Result<Statement> stmt =
            connection.Prepare("SELECT 1 FROM schema_migrations WHERE version = :version");
        if (!stmt.ok()) return stmt.status();
        stmt->BindInt(":version", migration.version);
        return stmt->Step();
      }();
      if (!done.ok()) return done.status();
      if (*done) return Status::Ok();
      OKRBOT_RETURN_IF_ERROR(connection.ExecuteScript(migration.sql));
      Result<Statement> record = connection.Prepare(
          "INSERT INTO schema_migrations (version, applied_at) "
          "VALUES (:version, CAST(strftime('%s', 'now') AS INTEGER))");
      if (!record.ok()) return record.status();
      record->BindInt(":version", migration.version);
      return record->Run();
    }));
  }
  return Status::Ok();
}

Result<int> SqliteStore::SchemaVersion() {
  int version = 0;
  Status status = Read([&](Connection& connection) {
    Result<int> max = MaxAppliedVersion(connection);
    if (!max.ok()) return max.status();
    version = *max;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Status SqliteStore::Ping() {
  OKRBOT_RETURN_IF_ERROR(
      Read([](Connection& connection) { return connection.Execute("SELECT 1"); }));
  if (!write_health_.TakeProbeTurn(std::chrono::steady_clock::now())) {
    return write_health_.Failure();
  }
  return Write([](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO readiness_probe (id, probed_at) VALUES (1, :now) "
        "ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(":now", std::time(nullptr));
    return stmt->Run();
  });
}

// ---- Workspaces and users ---------------------------------------------------------------------

Status SqliteStore::UpsertWorkspace(const Workspace& workspace) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(workspace.id));
  std::vector<std::string> holidays;
  holidays.reserve(workspace.holidays.size());
  for (Days day : workspace.holidays) holidays.push_back(FormatDate(day));
  for (const std::string& text : holidays) {
    Days parsed;
    if (!ParseDate(text, &parsed)) {
      return Status::InvalidArgument("The holiday " + text + " is out of range.");
    }
  }
  return Write([&](Connection& connection) {
    static const std::string kSql =
        std::string("INSERT INTO workspaces (") + kWorkspaceColumns +
        ") VALUES (:ws, :platform, :name, :fiscal_year_start_month, :admins, :holidays, "
        ":default_tz, :installed, :created_at) "
        "ON CONFLICT (workspace_id) DO UPDATE SET platform = excluded.platform, "
        "name = excluded.name, fiscal_year_start_month = excluded.fiscal_year_start_month, "
        "admins = excluded.admins, holidays = excluded.holidays, "
        "default_tz = excluded.default_tz, installed = excluded.installed, "
        "created_at = excluded.created_at";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace.id);
    stmt->BindText(":platform", workspace.platform);
    stmt->BindText(":name", workspace.name);
    stmt->BindInt(":fiscal_year_start_month", workspace.fiscal_year_start_month);
    stmt->BindText(":admins", EncodeStringList(workspace.admins));
    stmt->BindText(":holidays", EncodeStringList(holidays));
    stmt->BindText(":default_tz", workspace.default_tz);
    stmt->BindBool(":installed", workspace.installed);
    stmt->BindTime(":created_at", workspace.created_at);
    return stmt->Run();
  });
}

Result<Workspace> SqliteStore::GetWorkspace(const std::string& workspace_id) {
  Workspace workspace;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kWorkspaceColumns + " FROM workspaces WHERE workspace_id = :ws";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    return ReadOneRow(*stmt, &found, [&] { return ReadWorkspace(*stmt, &workspace); });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No workspace " + workspace_id + ".");
  return workspace;
}

Result<std::vector<Workspace>> SqliteStore::ListWorkspaces() {
  std::vector<Workspace> workspaces;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kWorkspaceColumns + " FROM workspaces ORDER BY workspace_id";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    return ForEachRow(*stmt, [&] {
      workspaces.emplace_back();
      return ReadWorkspace(*stmt, &workspaces.back());
    });
  });
  if (!status.ok()) return status;
  return workspaces;
}

Status SqliteStore::UpsertUser(const User& user) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(user.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        std::string("INSERT INTO users (") + kUserColumns +
        ") VALUES (:ws, :user_id, :display_name, :tz, :tz_override, :away_until) "
        "ON CONFLICT (workspace_id, user_id) DO UPDATE SET "
        "display_name = excluded.display_name, tz = excluded.tz, "
        "tz_override = excluded.tz_override, away_until = excluded.away_until";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", user.workspace_id);
    stmt->BindText(":user_id", user.id);
    stmt->BindText(":display_name", user.display_name);
    stmt->BindText(":tz", user.tz);
    stmt->BindText(":tz_override", user.tz_override);
    stmt->BindOptionalDate(":away_until", user.away_until);
    return stmt->Run();
  });
}

Result<User> SqliteStore::GetUser(const std::string& workspace_id, const std::string& user_id) {
  User user;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kUserColumns +
                                    " FROM users WHERE workspace_id = :ws AND user_id = :user_id";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindText(":user_id", user_id);
    return ReadOneRow(*stmt, &found, [&] { return ReadUser(*stmt, &user); });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No user " + user_id + " in this workspace.");
  return user;
}

Result<std::vector<User>> SqliteStore::ListUsers(const std::string& workspace_id) {
  std::vector<User> users;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kUserColumns +
                                    " FROM users WHERE workspace_id = :ws ORDER BY user_id";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    return ForEachRow(*stmt, [&] {
      users.emplace_back();
      return ReadUser(*stmt, &users.back());
    });
  });
  if (!status.ok()) return status;
  return users;
}

Result<std::vector<User>> SqliteStore::GetUsers(const std::string& workspace_id,
                                                const std::vector<std::string>& user_ids) {
  std::vector<User> users;
  if (user_ids.empty()) return users;
  Status status = Read([&](Connection& connection) {
    // The ids travel as one JSON array parameter, so the statement text never changes.
    static const std::string kSql =
        std::string("SELECT ") + kUserColumns +
        " FROM users WHERE workspace_id = :ws AND user_id IN (SELECT value FROM json_each(:ids))"
        " ORDER BY user_id";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindText(":ids", EncodeStringList(user_ids));
    return ForEachRow(*stmt, [&] {
      users.emplace_back();
      return ReadUser(*stmt, &users.back());
    });
  });
  if (!status.ok()) return status;
  return users;
}

// ---- Objectives -------------------------------------------------------------------------------

Result<Objective> SqliteStore::CreateObjective(const Objective& objective) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(objective.workspace_id));
  Objective created = objective;
  Status status = Write([&](Connection& connection) {
    static const std::string kMaxSql =
        "SELECT COALESCE(MAX(number), 0) FROM objectives WHERE workspace_id = :ws";
    Result<int64_t> number =
        AssignNumber(connection, "objectives", ObjectiveRef(objective.number), kObjectiveExistsSql,
                     kMaxSql, objective.workspace_id, objective.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    static const std::string kSql = std::string("INSERT INTO objectives (") + kObjectiveColumns +
                                    ") VALUES (:ws, :number, :title, :owner, :team, :cycle, "
                                    ":goal_type, :parent, :archived, :created_by, :created_at)";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", created.workspace_id);
    stmt->BindInt(":number", created.number);
    BindObjectiveFields(*stmt, created);
    return stmt->Run();
  });
  if (!status.ok()) return status;
  return created;
}

Result<Objective> SqliteStore::GetObjective(const std::string& workspace_id, int64_t number) {
  Objective objective;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kObjectiveColumns +
        " FROM objectives WHERE workspace_id = :ws AND number = :number";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindInt(":number", number);
    return ReadOneRow(*stmt, &found, [&] { return ReadObjective(*stmt, &objective); });
  });
  if (!status.ok()) return status;
  if (!found)
    return Status::NotFound("No objective " + ObjectiveRef(number) + " in this workspace.");
  return objective;
}

Result<std::vector<Objective>> SqliteStore::ListObjectives(const std::string& workspace_id,
                                                           const ObjectiveFilter& filter) {
  std::vector<Objective> objectives;
  Status status = Read([&](Connection& connection) {
    // Only the conditions in use, so the planner can pick an index for them; there are few
    // combinations, and each text is prepared once per connection.
    std::string sql =
        std::string("SELECT ") + kObjectiveColumns + " FROM objectives WHERE workspace_id = :ws";
    if (!filter.cycle.empty()) sql += " AND cycle = :cycle";
    if (!filter.owner.empty()) sql += " AND owner = :owner";
    if (!filter.team.empty()) sql += " AND team = :team";
    if (!filter.involving.empty()) sql += InvolvingCondition(filter.include_archived);
    if (!filter.include_archived) sql += " AND archived = 0";
    sql += " ORDER BY number";
    Result<Statement> stmt = connection.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    if (!filter.cycle.empty()) stmt->BindText(":cycle", filter.cycle);
    if (!filter.owner.empty()) stmt->BindText(":owner", filter.owner);
    if (!filter.team.empty()) stmt->BindText(":team", filter.team);
    if (!filter.involving.empty()) stmt->BindText(":involving", filter.involving);
    return ForEachRow(*stmt, [&] {
      objectives.emplace_back();
      return ReadObjective(*stmt, &objectives.back());
    });
  });
  if (!status.ok()) return status;
  return objectives;
}

Status SqliteStore::UpdateObjective(const Objective& objective,
                                    const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(objective.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        "UPDATE objectives SET title = :title, owner = :owner, team = :team, cycle = :cycle, "
        "goal_type = :goal_type, parent = :parent, archived = :archived, "
        "created_by = :created_by, created_at = :created_at "
        "WHERE workspace_id = :ws AND number = :number";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", objective.workspace_id);
    stmt->BindInt(":number", objective.number);
    BindObjectiveFields(*stmt, objective);
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    if (connection.Changes() == 0) {
      return Status::NotFound("No objective " + ObjectiveRef(objective.number) +
                              " in this workspace.");
    }
    return AppendEdits(connection, objective.workspace_id, edits);
  });
}

// ---- Key results ------------------------------------------------------------------------------

Result<KeyResult> SqliteStore::CreateKeyResult(const KeyResult& kr) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(kr.workspace_id));
  KeyResult created = kr;
  Status status = Write([&](Connection& connection) {
    Result<bool> objective_exists =
        RowExists(connection, kObjectiveExistsSql, kr.workspace_id, kr.objective);
    if (!objective_exists.ok()) return objective_exists.status();
    if (!*objective_exists) {
      return Status::NotFound("No objective " + ObjectiveRef(kr.objective) + " in this workspace.");
    }
    static const std::string kMaxSql =
        "SELECT COALESCE(MAX(number), 0) FROM key_results WHERE workspace_id = :ws";
    Result<int64_t> number = AssignNumber(connection, "key_results", KeyResultRef(kr.number),
                                          kKeyResultExistsSql, kMaxSql, kr.workspace_id, kr.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    static const std::string kSql =
        std::string("INSERT INTO key_results (") + kKeyResultColumns +
        ") VALUES (:ws, :number, :objective, :text, :owner, :baseline, :target, :current_value, "
        ":unit, :direction, :cadence, :weight, :archived, :quality_kept, :snoozed_until, "
        ":last_checkin_at, :created_by, :created_at)";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", created.workspace_id);
    stmt->BindInt(":number", created.number);
    BindKeyResultFields(*stmt, created, /*with_checkin_columns=*/true);
    return stmt->Run();
  });
  if (!status.ok()) return status;
  return created;
}

Result<KeyResult> SqliteStore::GetKeyResult(const std::string& workspace_id, int64_t number) {
  KeyResult kr;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kKeyResultColumns +
        " FROM key_results WHERE workspace_id = :ws AND number = :number";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindInt(":number", number);
    return ReadOneRow(*stmt, &found, [&] { return ReadKeyResult(*stmt, &kr); });
  });
  if (!status.ok()) return status;
  if (!found)
    return Status::NotFound("No key result " + KeyResultRef(number) + " in this workspace.");
  return kr;
}

Result<std::vector<KeyResult>> SqliteStore::ListKeyResults(const std::string& workspace_id,
                                                           const KeyResultFilter& filter) {
  std::vector<KeyResult> krs;
  Status status = Read([&](Connection& connection) {
    // Only the conditions in use, so the planner can pick an index for them (see
    // ListObjectives).
    std::string sql =
        std::string("SELECT ") + kKeyResultColumns + " FROM key_results WHERE workspace_id = :ws";
    if (filter.objective != 0) sql += " AND objective = :objective";
    if (!filter.owner.empty()) sql += " AND owner = :owner";
    const bool by_objective = !filter.cycle.empty() || !filter.involving.empty();
    if (by_objective) {
      sql += " AND objective IN (SELECT number FROM objectives WHERE workspace_id = :ws";
      if (!filter.cycle.empty()) sql += " AND cycle = :cycle";
      if (!filter.involving.empty()) sql += InvolvingCondition(filter.include_archived);
      sql += ")";
    }
    if (!filter.include_archived) sql += " AND archived = 0";
    // `+number` stops SQLite from walking the whole workspace in key order to skip a sort:
    // looking up the few listed objectives' key results and sorting them is cheaper.
    sql += by_objective ? " ORDER BY +number" : " ORDER BY number";
    Result<Statement> stmt = connection.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    if (filter.objective != 0) stmt->BindInt(":objective", filter.objective);
    if (!filter.owner.empty()) stmt->BindText(":owner", filter.owner);
    if (!filter.cycle.empty()) stmt->BindText(":cycle", filter.cycle);
    if (!filter.involving.empty()) stmt->BindText(":involving", filter.involving);
    return ForEachRow(*stmt, [&] {
      krs.emplace_back();
      return ReadKeyResult(*stmt, &krs.back());
    });
  });
  if (!status.ok()) return status;
  return krs;
}

Status SqliteStore::UpdateKeyResult(const KeyResult& kr, const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(kr.workspace_id));
  return Write([&](Connection& connection) {
    Result<bool> exists = RowExists(connection, kKeyResultExistsSql, kr.workspace_id, kr.number);
    if (!exists.ok()) return exists.status();
    if (!*exists) {
      return Status::NotFound("No key result " + KeyResultRef(kr.number) + " in this workspace.");
    }
    Result<bool> objective_exists =
        RowExists(connection, kObjectiveExistsSql, kr.workspace_id, kr.objective);
    if (!objective_exists.ok()) return objective_exists.status();
    if (!*objective_exists) {
      return Status::NotFound("No objective " + ObjectiveRef(kr.objective) + " in this workspace.");
    }
    static const std::string kSql =
        "UPDATE key_results SET objective = :objective, text = :text, owner = :owner, "
        "baseline = :baseline, target = :target, unit = :unit, "
        "direction = :direction, cadence = :cadence, weight = :weight, archived = :archived, "
        "quality_kept = :quality_kept, snoozed_until = :snoozed_until, "
        "created_by = :created_by, created_at = :created_at "
        "WHERE workspace_id = :ws AND number = :number";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", kr.workspace_id);
    stmt->BindInt(":number", kr.number);
    BindKeyResultFields(*stmt, kr, /*with_checkin_columns=*/false);
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    return AppendEdits(connection, kr.workspace_id, edits);
  });
}

// ---- Check-ins --------------------------------------------------------------------------------

Result<CheckIn> SqliteStore::RecordCheckIn(const CheckIn& checkin) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(checkin.workspace_id));
  if (checkin.confidence && (*checkin.confidence < 0 || *checkin.confidence > 100)) {
    return Status::InvalidArgument("Confidence must be between 0 and 100.");
  }
  CheckIn stored = checkin;
  Status status = Write([&](Connection& connection) {
    Result<Statement> kr = connection.Prepare(
        "SELECT last_checkin_at FROM key_results WHERE workspace_id = :ws AND number = :number");
    if (!kr.ok()) return kr.status();
    kr->BindText(":ws", checkin.workspace_id);
    kr->BindInt(":number", checkin.kr);
    bool found = false;
    std::optional<Seconds> last_checkin_at;
    OKRBOT_RETURN_IF_ERROR(ReadOneRow(*kr, &found, [&] {
      last_checkin_at = kr->OptionalTime(0);
      return Status::Ok();
    }));
    if (!found) {
      return Status::NotFound("No key result " + KeyResultRef(checkin.kr) + " in this workspace.");
    }

    static const std::string kInsertSql =
        "INSERT INTO checkins (workspace_id, kr, value, confidence, note, author, at, "
        "request_id) VALUES (:ws, :kr, :value, :confidence, :note, :author, :at, :request)";
    Result<Statement> insert = connection.Prepare(kInsertSql);
    if (!insert.ok()) return insert.status();
    insert->BindText(":ws", checkin.workspace_id);
    insert->BindInt(":kr", checkin.kr);
    insert->BindReal(":value", checkin.value);
    insert->BindOptionalInt(":confidence", checkin.confidence
                                               ? std::optional<int64_t>(*checkin.confidence)
                                               : std::nullopt);
    insert->BindText(":note", checkin.note);
    insert->BindText(":author", checkin.author);
    insert->BindTime(":at", checkin.at);
    insert->BindText(":request", checkin.request_id);
    OKRBOT_RETURN_IF_ERROR(insert->Run());
    stored.id = connection.LastInsertRowId();

    // A late-arriving older check-in joins the history but does not rewind `current`.
    if (last_checkin_at && checkin.at < *last_checkin_at) return Status::Ok();
    Result<Statement> update = connection.Prepare(
        "UPDATE key_results SET current_value = :value, last_checkin_at = :at "
        "WHERE workspace_id = :ws AND number = :number");
    if (!update.ok()) return update.status();
    update->BindReal(":value", checkin.value);
    update->BindTime(":at", checkin.at);
    update->BindText(":ws", checkin.workspace_id);
    update->BindInt(":number", checkin.kr);
    return update->Run();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<std::vector<CheckIn>> SqliteStore::ListCheckIns(const std::string& workspace_id, int64_t kr,
                                                       int limit) {
  std::vector<CheckIn> checkins;
  Status status = Read([&](Connection& connection) {
    // LIMIT -1 is SQLite for "no limit".
    static const std::string kSql = std::string("SELECT ") + kCheckInColumns +
                                    " FROM checkins WHERE workspace_id = :ws AND kr = :kr"
                                    " ORDER BY at DESC, id DESC LIMIT :limit";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindInt(":kr", kr);
    stmt->BindInt(":limit", limit <= 0 ? -1 : limit);
    return ForEachRow(*stmt, [&] {
      checkins.emplace_back();
      return ReadCheckIn(*stmt, &checkins.back());
    });
  });
  if (!status.ok()) return status;
  return checkins;
}

// ---- Initiatives ------------------------------------------------------------------------------

Result<Initiative> SqliteStore::CreateInitiative(const Initiative& initiative) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(initiative.workspace_id));
  Initiative created = initiative;
  Status status = Write([&](Connection& connection) {
    Result<bool> kr_exists =
        RowExists(connection, kKeyResultExistsSql, initiative.workspace_id, initiative.kr);
    if (!kr_exists.ok()) return kr_exists.status();
    if (!*kr_exists) {
      return Status::NotFound("No key result " + KeyResultRef(initiative.kr) +
                              " in this workspace.");
    }
    static const std::string kMaxSql =
        "SELECT COALESCE(MAX(number), 0) FROM initiatives WHERE workspace_id = :ws";
    Result<int64_t> number =
        AssignNumber(connection, "initiatives", InitiativeRef(initiative.number),
                     kInitiativeExistsSql, kMaxSql, initiative.workspace_id, initiative.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    static const std::string kSql =
        std::string("INSERT INTO initiatives (") + kInitiativeColumns +
        ") VALUES (:ws, :number, :kr, :text, :done, :created_by, :created_at)";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", created.workspace_id);
    stmt->BindInt(":number", created.number);
    BindInitiativeFields(*stmt, created);
    return stmt->Run();
  });
  if (!status.ok()) return status;
  return created;
}

Result<Initiative> SqliteStore::GetInitiative(const std::string& workspace_id, int64_t number) {
  Initiative initiative;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kInitiativeColumns +
        " FROM initiatives WHERE workspace_id = :ws AND number = :number";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindInt(":number", number);
    return ReadOneRow(*stmt, &found, [&] { return ReadInitiative(*stmt, &initiative); });
  });
  if (!status.ok()) return status;
  if (!found) {
    return Status::NotFound("No initiative " + InitiativeRef(number) + " in this workspace.");
  }
  return initiative;
}

Result<std::vector<Initiative>> SqliteStore::ListInitiatives(const std::string& workspace_id,
                                                             int64_t kr) {
  std::vector<Initiative> initiatives;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kInitiativeColumns +
                                    " FROM initiatives WHERE workspace_id = :ws"
                                    " AND (:kr = 0 OR kr = :kr) ORDER BY number";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindInt(":kr", kr);
    return ForEachRow(*stmt, [&] {
      initiatives.emplace_back();
      return ReadInitiative(*stmt, &initiatives.back());
    });
  });
  if (!status.ok()) return status;
  return initiatives;
}

Status SqliteStore::UpdateInitiative(const Initiative& initiative,
                                     const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(initiative.workspace_id));
  return Write([&](Connection& connection) {
    Result<bool> exists =
        RowExists(connection, kInitiativeExistsSql, initiative.workspace_id, initiative.number);
    if (!exists.ok()) return exists.status();
    if (!*exists) {
      return Status::NotFound("No initiative " + InitiativeRef(initiative.number) +
                              " in this workspace.");
    }
    Result<bool> kr_exists =
        RowExists(connection, kKeyResultExistsSql, initiative.workspace_id, initiative.kr);
    if (!kr_exists.ok()) return kr_exists.status();
    if (!*kr_exists) {
      return Status::NotFound("No key result " + KeyResultRef(initiative.kr) +
                              " in this workspace.");
    }
    static const std::string kSql =
        "UPDATE initiatives SET kr = :kr, text = :text, done = :done, created_by = :created_by, "
        "created_at = :created_at WHERE workspace_id = :ws AND number = :number";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", initiative.workspace_id);
    stmt->BindInt(":number", initiative.number);
    BindInitiativeFields(*stmt, initiative);
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    return AppendEdits(connection, initiative.workspace_id, edits);
  });
}

// ---- Edit history -----------------------------------------------------------------------------

Status SqliteStore::AppendEdit(const EditRecord& edit) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(edit.workspace_id));
  return Write([&](Connection& connection) { return InsertEdit(connection, edit); });
}

Result<std::vector<EditRecord>> SqliteStore::ListEdits(const std::string& workspace_id,
                                                       const std::string& entity) {
  std::vector<EditRecord> edits;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kEditColumns +
                                    " FROM edits WHERE workspace_id = :ws"
                                    " AND (:entity = '' OR entity = :entity) ORDER BY at, id";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindText(":entity", entity);
    return ForEachRow(*stmt, [&] {
      edits.emplace_back();
      return ReadEdit(*stmt, &edits.back());
    });
  });
  if (!status.ok()) return status;
  return edits;
}

// ---- Installations and seen events -------------------------------------------------------------

Status SqliteStore::UpsertInstallation(const Installation& installation) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(installation.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO installations (workspace_id, platform, team_id, enterprise_id, "
        "bot_token_sealed, bot_user_id, scopes, installer, extra, installed_at, updated_at) "
        "VALUES (:ws, :platform, :team, :enterprise, :token, :bot_user, :scopes, :installer, "
        ":extra, :installed_at, :updated_at) "
        "ON CONFLICT (workspace_id) DO UPDATE SET platform = excluded.platform, "
        "team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, "
        "bot_token_sealed = excluded.bot_token_sealed, bot_user_id = excluded.bot_user_id, "
        "scopes = excluded.scopes, installer = excluded.installer, extra = excluded.extra, "
        "installed_at = excluded.installed_at, updated_at = excluded.updated_at";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", installation.workspace_id);
    stmt->BindText(":platform", installation.platform);
    stmt->BindText(":team", installation.team_id);
    stmt->BindText(":enterprise", installation.enterprise_id);
    stmt->BindText(":token", installation.bot_token_sealed);
    stmt->BindText(":bot_user", installation.bot_user_id);
    stmt->BindText(":scopes", installation.scopes);
    stmt->BindText(":installer", installation.installer);
    stmt->BindText(":extra", installation.extra);
    stmt->BindTime(":installed_at", installation.installed_at);
    stmt->BindTime(":updated_at", installation.updated_at);
    return stmt->Run();
  });
}

Result<Installation> SqliteStore::GetInstallation(const std::string& workspace_id) {
  Installation installation;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        "SELECT workspace_id, platform, team_id, enterprise_id, bot_token_sealed, bot_user_id, "
        "scopes, installer, extra, installed_at, updated_at FROM installations "
        "WHERE workspace_id = :ws";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    return ReadOneRow(*stmt, &found, [&] {
      installation.workspace_id = stmt->Text(0);
      installation.platform = stmt->Text(1);
      installation.team_id = stmt->Text(2);
      installation.enterprise_id = stmt->Text(3);
      installation.bot_token_sealed = stmt->Text(4);
      installation.bot_user_id = stmt->Text(5);
      installation.scopes = stmt->Text(6);
      installation.installer = stmt->Text(7);
      installation.extra = stmt->Text(8);
      installation.installed_at = Seconds(std::chrono::seconds(stmt->Int(9)));
      installation.updated_at = Seconds(std::chrono::seconds(stmt->Int(10)));
      return Status::Ok();
    });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No installation for workspace " + workspace_id + ".");
  return installation;
}

Status SqliteStore::PutConversationRef(const ConversationRef& ref) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(ref.workspace_id));
  if (ref.target.empty()) return Status::InvalidArgument("The conversation target is empty.");
  return Write([&](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO conversation_refs (workspace_id, target, reference, updated_at) "
        "VALUES (:ws, :target, :reference, :at) ON CONFLICT (workspace_id, target) DO UPDATE "
        "SET reference = excluded.reference, updated_at = excluded.updated_at";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", ref.workspace_id);
    stmt->BindText(":target", ref.target);
    stmt->BindText(":reference", ref.reference);
    stmt->BindTime(":at", ref.updated_at);
    return stmt->Run();
  });
}

Result<ConversationRef> SqliteStore::GetConversationRef(const std::string& workspace_id,
                                                        const std::string& target) {
  ConversationRef ref;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        "SELECT workspace_id, target, reference, updated_at FROM conversation_refs "
        "WHERE workspace_id = :ws AND target = :target";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindText(":target", target);
    return ReadOneRow(*stmt, &found, [&] {
      ref.workspace_id = stmt->Text(0);
      ref.target = stmt->Text(1);
      ref.reference = stmt->Text(2);
      ref.updated_at = Seconds(std::chrono::seconds(stmt->Int(3)));
      return Status::Ok();
    });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No conversation reference for " + target + ".");
  return ref;
}

Result<bool> SqliteStore::MarkEventSeen(const std::string& workspace_id,
                                        const std::string& event_id, Seconds at) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(workspace_id));
  if (event_id.empty()) return Status::InvalidArgument("The event id is empty.");
  bool first = false;
  Status status = Write([&](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO seen_events (workspace_id, event_id, seen_at) VALUES (:ws, :event, :at) "
        "ON CONFLICT (workspace_id, event_id) DO NOTHING";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindText(":event", event_id);
    stmt->BindTime(":at", at);
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    first = connection.Changes() > 0;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return first;
}

// ---- Reminders --------------------------------------------------------------------------------

Status SqliteStore::PutReminder(const Reminder& reminder) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(reminder.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        std::string("INSERT INTO reminders (") + kReminderColumns +
        ") VALUES (:ws, :kind, :team, :channel, :weekday, :minute_of_day, :tz, :enabled) "
        "ON CONFLICT (workspace_id, kind, team) DO UPDATE SET channel = excluded.channel, "
        "weekday = excluded.weekday, minute_of_day = excluded.minute_of_day, tz = excluded.tz, "
        "enabled = excluded.enabled";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", reminder.workspace_id);
    stmt->BindText(":kind", reminder.kind);
    stmt->BindText(":team", reminder.team);
    stmt->BindText(":channel", reminder.channel);
    stmt->BindInt(":weekday", reminder.weekday);
    stmt->BindInt(":minute_of_day", reminder.minute_of_day);
    stmt->BindText(":tz", reminder.tz);
    stmt->BindBool(":enabled", reminder.enabled);
    return stmt->Run();
  });
}

Result<std::vector<Reminder>> SqliteStore::ListReminders(const std::string& workspace_id) {
  std::vector<Reminder> reminders;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kReminderColumns +
                                    " FROM reminders WHERE workspace_id = :ws ORDER BY kind, team";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    return ForEachRow(*stmt, [&] {
      reminders.emplace_back();
      return ReadReminder(*stmt, &reminders.back());
    });
  });
  if (!status.ok()) return status;
  return reminders;
}

Status SqliteStore::DeleteReminders(const std::string& workspace_id) {
  return Write([&](Connection& connection) {
    Result<Statement> stmt = connection.Prepare("DELETE FROM reminders WHERE workspace_id = :ws");
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    return stmt->Run();
  });
}

// ---- Jobs -------------------------------------------------------------------------------------

Result<bool> SqliteStore::EnqueueJob(const Job& job) {
  auto created = EnqueueJobs({job});
  if (!created.ok()) return created.status();
  return *created == 1;
}

Result<int> SqliteStore::EnqueueJobs(const std::vector<Job>& jobs) {
  for (const Job& job : jobs) {
    OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(job.workspace_id));
    if (job.key.empty()) return Status::InvalidArgument("The job key is empty.");
  }
  int created = 0;
  Status status = Write([&](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO jobs (job_key, workspace_id, kind, target, payload, state, attempts, "
        "due_at, next_attempt_at, lease_until, last_error, created_at) "
        "VALUES (:key, :ws, :kind, :target, :payload, :state, :attempts, :due_at, "
        ":next_attempt_at, :lease_until, :last_error, :created_at) "
        "ON CONFLICT (job_key) DO NOTHING";
    created = 0;  // a retried transaction body starts again
    for (const Job& job : jobs) {
      Result<Statement> stmt = connection.Prepare(kSql);
      if (!stmt.ok()) return stmt.status();
      stmt->BindText(":key", job.key);
      stmt->BindText(":ws", job.workspace_id);
      stmt->BindText(":kind", job.kind);
      stmt->BindText(":target", job.target);
      stmt->BindText(":payload", job.payload);
      stmt->BindText(":state", JobStateName(job.state));
      stmt->BindInt(":attempts", job.attempts);
      stmt->BindTime(":due_at", job.due_at);
      // An unset next attempt means "when due", never "at the epoch" (which would send early).
      stmt->BindTime(":next_attempt_at",
                     job.next_attempt_at == Seconds{} ? job.due_at : job.next_attempt_at);
      stmt->BindOptionalTime(":lease_until", job.lease_until);
      stmt->BindText(":last_error", job.last_error);
      stmt->BindTime(":created_at", job.created_at);
      OKRBOT_RETURN_IF_ERROR(stmt->Run());
      if (connection.Changes() > 0) ++created;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return created;
}

Result<std::vector<std::string>> SqliteStore::ListJobKeys(const std::string& workspace_id,
                                                          Seconds created_since) {
  std::vector<std::string> keys;
  Status status = Read([&](Connection& connection) {
    Result<Statement> stmt = connection.Prepare(
        "SELECT job_key FROM jobs WHERE workspace_id = :ws AND created_at >= :since");
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":ws", workspace_id);
    stmt->BindTime(":since", created_since);
    return ForEachRow(*stmt, [&] {
      keys.push_back(stmt->Text(0));
      return Status::Ok();
    });
  });
  if (!status.ok()) return status;
  return keys;
}

Result<std::vector<Job>> SqliteStore::ClaimDueJobs(Seconds now, int limit,
                                                   std::chrono::seconds lease) {
  if (lease.count() <= 0) return Status::InvalidArgument("The job lease must be positive.");
  std::vector<Job> claimed;
  if (limit <= 0) return claimed;
  Status status = Write([&](Connection& connection) {
    static const std::string kSelectSql =
        std::string("SELECT ") + kJobColumns +
        " FROM jobs WHERE state = 'pending' AND next_attempt_at <= :now"
        " AND (lease_until IS NULL OR lease_until <= :now)"
        " ORDER BY next_attempt_at, id LIMIT :limit";
    {
      Result<Statement> select = connection.Prepare(kSelectSql);
      if (!select.ok()) return select.status();
      select->BindTime(":now", now);
      select->BindInt(":limit", limit);
      OKRBOT_RETURN_IF_ERROR(ForEachRow(*select, [&] {
        claimed.emplace_back();
        return ReadJob(*select, &claimed.back());
      }));
    }
    const Seconds lease_until = now + lease;
    for (Job& job : claimed) {
      Result<Statement> update = connection.Prepare(
          "UPDATE jobs SET lease_until = :lease_until, attempts = attempts + 1 WHERE id = :id");
      if (!update.ok()) return update.status();
      update->BindTime(":lease_until", lease_until);
      update->BindInt(":id", job.id);
      OKRBOT_RETURN_IF_ERROR(update->Run());
      job.lease_until = lease_until;
      job.attempts += 1;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return claimed;
}

Status SqliteStore::MarkJobSent(int64_t job_id) {
  return Write([&](Connection& connection) {
    Result<Statement> stmt =
        connection.Prepare("UPDATE jobs SET state = 'sent', lease_until = NULL WHERE id = :id");
    if (!stmt.ok()) return stmt.status();
    stmt->BindInt(":id", job_id);
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    if (connection.Changes() == 0) {
      return Status::NotFound("No job " + std::to_string(job_id) + ".");
    }
    return Status::Ok();
  });
}

Status SqliteStore::ReleaseJob(int64_t job_id, Seconds retry_at) {
  return Write([&](Connection& connection) {
    Result<Statement> stmt = connection.Prepare(
        "UPDATE jobs SET lease_until = NULL, next_attempt_at = :at, "
        "attempts = MAX(attempts - 1, 0) WHERE id = :id AND state = 'pending'");
    if (!stmt.ok()) return stmt.status();
    stmt->BindTime(":at", retry_at);
    stmt->BindInt(":id", job_id);
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    if (connection.Changes() == 0) {
      return Status::NotFound("No pending job " + std::to_string(job_id) + ".");
    }
    return Status::Ok();
  });
}

Status SqliteStore::MarkJobFailed(int64_t job_id, const std::string& error, Seconds retry_at,
                                  bool dead) {
  return Write([&](Connection& connection) {
    Result<Statement> stmt = connection.Prepare(
        "UPDATE jobs SET state = :state, last_error = :error, lease_until = NULL, "
        "next_attempt_at = :retry_at WHERE id = :id AND state <> 'sent'");
    if (!stmt.ok()) return stmt.status();
    stmt->BindText(":state", JobStateName(dead ? JobState::kDead : JobState::kPending));
    stmt->BindText(":error", error);
    stmt->BindTime(":retry_at", retry_at);
    stmt->BindInt(":id", job_id);
    OKRBOT_RETURN_IF_ERROR(stmt->Run());
    if (connection.Changes() == 0) {
      return Status::NotFound("No job " + std::to_string(job_id) + ".");
    }
    return Status::Ok();
  });
}

Result<std::vector<Job>> SqliteStore::ListJobs(const JobFilter& filter) {
  std::vector<Job> jobs;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kJobColumns +
        " FROM jobs WHERE (:state IS NULL OR state = :state)"
        " AND (:ws = '' OR workspace_id = :ws) ORDER BY id LIMIT :limit";
    Result<Statement> stmt = connection.Prepare(kSql);
    if (!stmt.ok()) return stmt.status();
    if (filter.state) {
      stmt->BindText(":state", JobStateName(*filter.state));
    } else {
      stmt->BindNull(":state");
    }
    stmt->BindText(":ws", filter.workspace_id);
    stmt->BindInt(":limit", filter.limit <= 0 ? -1 : filter.limit);
    return ForEachRow(*stmt, [&] {
      jobs.emplace_back();
      return ReadJob(*stmt, &jobs.back());
    });
  });
  if (!status.ok()) return status;
  return jobs;
}

}  // namespace okrbot
