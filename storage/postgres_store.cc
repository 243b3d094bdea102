#include "storage/postgres_store.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

namespace okrbot {
namespace pg_internal {

namespace {

bool IsConnectionState(const std::string& sqlstate) {
  // 08: connection exception; 57P01-57P03: the server is shutting down or starting.
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

// The first line of a libpq message, without the trailing newline.
std::string FirstLine(const char* message) {
  std::string text = message == nullptr ? "" : message;
  size_t newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  return text;
}

// Maps a failed statement to the Store's error vocabulary.
Status StatusFromSqlState(const std::string& sqlstate, const std::string& message) {
  const std::string detail = "PostgreSQL: " + message;
  if (sqlstate == "23505") return Status::AlreadyExists(detail);
  if (sqlstate.rfind("23", 0) == 0 || sqlstate.rfind("22", 0) == 0) {
    return Status::InvalidArgument(detail);
  }
  if (sqlstate == "42P01") {
    return Status::FailedPrecondition(std::string(kNotMigratedHint) + " (" + message + ").");
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return Status::Unavailable(std::string(kDatabaseBusy) + ": it kept refusing a transaction (" +
                               message + "); try again.");
  }
  if (sqlstate == "53100") {
    return Status::Unavailable("The database disk is full; nothing was written. " + detail);
  }
  if (sqlstate == "25006") {
    return Status::Unavailable(
        "The database is read-only (a standby, or default_transaction_read_only); nothing was "
        "written. " +
        detail);
  }
  if (IsConnectionState(sqlstate) || sqlstate.rfind("53", 0) == 0) {
    return Status::Unavailable(detail);
  }
  return Status::Internal(detail);
}

}  // namespace

// The current row of a PGresult (text format).
class Row final : public SqlRow {
 public:
  Row(const PGresult* result, int row) : result_(result), row_(row) {}

  bool IsNull(int column) const override { return PQgetisnull(result_, row_, column) != 0; }
  std::string_view Text(int column) const override {
    return std::string_view(PQgetvalue(result_, row_, column),
                            static_cast<size_t>(PQgetlength(result_, row_, column)));
  }
  int64_t Int(int column) const override {
    std::string_view text = Text(column);
    int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  double Real(int column) const override {
    std::string_view text = Text(column);
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  bool Bool(int column) const override { return Text(column) == "t"; }

 private:
  const PGresult* result_;
  int row_;
};

using ResultPtr = std::unique_ptr<PGresult, void (*)(PGresult*)>;

// One libpq connection with its prepared statements. Not thread-safe: the pool hands a
// connection to one caller at a time.
class Connection final : public SqlConnection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& url,
                                                  int connect_timeout_seconds) {
    // Defaults first: the URL's own settings, expanded from "dbname", override them.
    std::string timeout = std::to_string(connect_timeout_seconds);
    const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                              nullptr};
    const char* values[] = {timeout.c_str(), "okrbot", "UTF8", url.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (conn == nullptr)
      return Status::ResourceExhausted("Out of memory connecting to PostgreSQL.");
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string message = FirstLine(PQerrorMessage(conn));
      PQfinish(conn);
      return Status::Unavailable("Cannot connect to PostgreSQL: " + message);
    }
    // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    return std::unique_ptr<Connection>(new Connection(conn));
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(conn_); }

  Status Query(const Sql& sql, const SqlParams& params, SqlRowReader each_row) override {
    Result<ResultPtr> result = Run(sql, params);
    if (!result.ok()) return result.status();
    const PGresult* rows = result->get();
    for (int r = 0, n = PQntuples(rows); r < n; ++r) {
      OKRBOT_RETURN_IF_ERROR(each_row(Row(rows, r)));
    }
    return Status::Ok();
  }
  Result<int64_t> Execute(const Sql& sql, const SqlParams& params) override {
    Result<ResultPtr> result = Run(sql, params);
    if (!result.ok()) return result.status();
    const char* count = PQcmdTuples(result->get());
    return static_cast<int64_t>(
        (count == nullptr || *count == '\0') ? 0 : std::strtoll(count, nullptr, 10));
  }
  Result<int64_t> InsertReturningId(const Sql& sql, const SqlParams& params) override {
    Result<ResultPtr> result = Run(sql, params);
    if (!result.ok()) return result.status();
    if (PQntuples(result->get()) < 1) return Status::Internal("An INSERT returned no id.");
    return Row(result->get(), 0).Int(0);
  }
  // Runs constant SQL without parameters (transaction control, migration DDL scripts).
  Status ExecuteScript(const char* sql) override {
    last_sqlstate_.clear();
    PGresult* result = PQexec(conn_, sql);
    Status status = Check(result, PGRES_COMMAND_OK);
    PQclear(result);
    return status;
  }

  // The connection cannot be used again (the server went away or the protocol broke).
  bool broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }
  // The last failure is worth retrying the whole transaction for.
  bool retryable() const { return last_sqlstate_ == "40001" || last_sqlstate_ == "40P01"; }
  bool in_transaction() const {
    PGTransactionStatusType status = PQtransactionStatus(conn_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
  }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}

  // Runs `sql` with `params` in libpq's text format, translating and preparing it on first use
  // on this connection.
  Result<ResultPtr> Run(const Sql& sql, const SqlParams& params) {
    OKRBOT_RETURN_IF_ERROR(params.status());
    last_sqlstate_.clear();
    auto it = prepared_.find(&sql);
    if (it == prepared_.end()) {
      Result<std::string> text = TranslateSql(SqlEngine::kPostgres, sql.text());
      if (!text.ok()) return text.status();
      std::string name = "s" + std::to_string(prepared_.size() + 1);
      PGresult* prepared =
          PQprepare(conn_, name.c_str(), text->c_str(), params.size(), /*paramTypes=*/nullptr);
      Status status = Check(prepared, PGRES_COMMAND_OK);
      PQclear(prepared);
      if (!status.ok()) return status;
      it = prepared_.emplace(&sql, std::move(name)).first;
    }
    // Text of the numbers and booleans; libpq wants NUL-terminated text for every value.
    std::string texts[SqlParams::kMaxParams];
    const char* values[SqlParams::kMaxParams];
    for (int i = 0; i < params.size(); ++i) {
      const SqlParams::Value& value = params[i];
      std::string& text = texts[i];
      switch (value.kind) {
        case SqlParams::Kind::kNull:
          values[i] = nullptr;
          continue;
        case SqlParams::Kind::kInt:
          text = std::to_string(value.integer);
          break;
        case SqlParams::Kind::kBool:
          text = value.integer != 0 ? "t" : "f";
          break;
        case SqlParams::Kind::kReal: {
          char buffer[64];
          auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value.real);
          text.assign(buffer, ec == std::errc() ? end : buffer);
          break;
        }
        case SqlParams::Kind::kText:
          // PostgreSQL text cannot hold NUL bytes.
          if (value.text.find('\0') != std::string_view::npos) {
            return Status::InvalidArgument("Text with a NUL character cannot be stored.");
          }
          text.assign(value.text);
          break;
      }
      values[i] = text.c_str();
    }
    PGresult* result = PQexecPrepared(conn_, it->second.c_str(), params.size(), values,
                                      /*paramLengths=*/nullptr, /*paramFormats=*/nullptr,
                                      /*resultFormat=*/0);
    ExecStatusType expected =
        PQresultStatus(result) == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK;
    Status status = Check(result, expected);
    if (!status.ok()) {
      PQclear(result);
      return status;
    }
    return ResultPtr(result, PQclear);
  }

  Status Check(PGresult* result, ExecStatusType expected) {
    ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
    if (status == expected || (expected == PGRES_COMMAND_OK && status == PGRES_TUPLES_OK)) {
      return Status::Ok();
    }
    const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
    last_sqlstate_ = state == nullptr ? "" : state;
    std::string message =
        FirstLine(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
    if (message.empty()) message = FirstLine(PQerrorMessage(conn_));
    // No SQLSTATE means the failure was the connection's, not the statement's.
    if (last_sqlstate_.empty() || IsConnectionState(last_sqlstate_) ||
        PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      return Status::Unavailable("Lost the PostgreSQL connection: " + message);
    }
    return StatusFromSqlState(last_sqlstate_, message);
  }

  PGconn* conn_;
  std::unordered_map<const Sql*, std::string> prepared_;  // statement -> prepared name
  std::string last_sqlstate_;
  bool broken_ = false;
};

}  // namespace pg_internal

namespace {

using pg_internal::Connection;

constexpr int kMaxTransactionAttempts = 5;

// ---- Schema -----------------------------------------------------------------------------------

// The same versions as SqliteStore's list, in PostgreSQL's dialect. Append only.
constexpr SqlMigration kMigrations[] = {
    {1, R"sql(
CREATE TABLE workspaces (
  workspace_id TEXT NOT NULL PRIMARY KEY CHECK (workspace_id <> ''),
  platform TEXT NOT NULL,
  name TEXT NOT NULL,
  fiscal_year_start_month INTEGER NOT NULL CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
  admins TEXT NOT NULL,
  holidays TEXT NOT NULL,
  default_tz TEXT NOT NULL,
  installed BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL
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
  number BIGINT NOT NULL CHECK (number > 0),
  title TEXT NOT NULL,
  owner TEXT NOT NULL,
  team TEXT NOT NULL,
  cycle TEXT NOT NULL,
  goal_type TEXT NOT NULL CHECK (goal_type IN ('committed', 'stretch')),
  parent BIGINT CHECK (parent > 0),
  archived BOOLEAN NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, number)
);
CREATE INDEX objectives_by_cycle ON objectives (workspace_id, cycle);

CREATE TABLE key_results (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  number BIGINT NOT NULL CHECK (number > 0),
  objective BIGINT NOT NULL,
  text TEXT NOT NULL,
  owner TEXT NOT NULL,
  baseline DOUBLE PRECISION,
  target DOUBLE PRECISION,
  current_value DOUBLE PRECISION,
  unit TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('increase', 'decrease', 'maintain-at-least',
                                                'maintain-at-most', 'binary')),
  cadence TEXT NOT NULL CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
  weight DOUBLE PRECISION NOT NULL,
  archived BOOLEAN NOT NULL,
  quality_kept BOOLEAN NOT NULL,
  snoozed_until TEXT,
  last_checkin_at BIGINT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, number),
  FOREIGN KEY (workspace_id, objective) REFERENCES objectives (workspace_id, number)
);
CREATE INDEX key_results_by_objective ON key_results (workspace_id, objective);

CREATE TABLE checkins (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  kr BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  confidence INTEGER CHECK (confidence BETWEEN 0 AND 100),
  note TEXT NOT NULL,
  author TEXT NOT NULL,
  at BIGINT NOT NULL,
  FOREIGN KEY (workspace_id, kr) REFERENCES key_results (workspace_id, number)
);
CREATE INDEX checkins_by_kr ON checkins (workspace_id, kr, at, id);

CREATE TABLE initiatives (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  number BIGINT NOT NULL CHECK (number > 0),
  kr BIGINT NOT NULL,
  text TEXT NOT NULL,
  done BOOLEAN NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, number),
  FOREIGN KEY (workspace_id, kr) REFERENCES key_results (workspace_id, number)
);
CREATE INDEX initiatives_by_kr ON initiatives (workspace_id, kr);

CREATE TABLE edits (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  entity TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  author TEXT NOT NULL,
  at BIGINT NOT NULL
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
  enabled BOOLEAN NOT NULL,
  PRIMARY KEY (workspace_id, kind, team)
);

CREATE TABLE jobs (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  job_key TEXT NOT NULL UNIQUE CHECK (job_key <> ''),
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  due_at BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
-- Claims only ever look at pending jobs; sent ones pile up and must not slow them down.
CREATE INDEX jobs_due ON jobs (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX jobs_by_workspace ON jobs (workspace_id, created_at);
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
  installed_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE seen_events (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  event_id TEXT NOT NULL CHECK (event_id <> ''),
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, event_id)
);
CREATE INDEX seen_events_by_time ON seen_events (seen_at);
)sql"},
    {3, R"sql(
CREATE TABLE conversation_refs (
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  target TEXT NOT NULL CHECK (target <> ''),
  reference TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
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
  probed_at BIGINT NOT NULL
);
-- The platform request that recorded a check-in: a replayed or re-delivered one is refused.
ALTER TABLE checkins ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX checkins_by_request ON checkins (workspace_id, request_id)
  WHERE request_id <> '';
)sql"},
    {6, R"sql(
-- Scheduler at scale (issue 24): a post's life counts from ready_at; finished_at says when it
-- was sent (the 24 h gap between two prompts to one person) or declared dead (retention).
ALTER TABLE jobs ADD COLUMN ready_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN finished_at BIGINT;
UPDATE jobs SET ready_at = GREATEST(due_at, created_at);
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
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX web_links_by_expiry ON web_links (expires_at);
CREATE TABLE web_sessions (
  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  session_hash TEXT NOT NULL UNIQUE CHECK (session_hash <> ''),
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  user_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
CREATE TABLE charts (
  chart_key TEXT NOT NULL PRIMARY KEY CHECK (chart_key <> ''),
  workspace_id TEXT NOT NULL CHECK (workspace_id <> ''),
  svg TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX charts_by_time ON charts (created_at);
)sql"},
};

}  // namespace

// ---- PostgresStore ------------------------------------------------------------------------------

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url) {
  return Open(url, Options());
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                           const Options& options) {
  if (options.pool_size < 1) return Status::InvalidArgument("The connection pool needs 1 or more.");
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (parsed == nullptr) {
    std::string message = pg_internal::FirstLine(error);
    PQfreemem(error);
    return Status::InvalidArgument("OKRBOT_DB is not a PostgreSQL URL libpq understands: " +
                                   message);
  }
  PQconninfoFree(parsed);
  return std::unique_ptr<PostgresStore>(new PostgresStore(url, options));
}

PostgresStore::PostgresStore(std::string url, const Options& options)
    : SqlStore(kPostgresDialect, kMigrations), url_(std::move(url)), options_(options) {}

PostgresStore::~PostgresStore() = default;

int PostgresStore::OpenConnectionsForTesting() {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

Result<std::unique_ptr<Connection>> PostgresStore::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    bool available = released_.wait_for(lock, options_.acquire_timeout, [this] {
      return !idle_.empty() || open_ < options_.pool_size;
    });
    if (!available) {
      return Status::Unavailable(std::string(kDatabaseBusy) + ": all " +
                                 std::to_string(options_.pool_size) +
                                 " connections stayed busy; try again.");
    }
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;  // reserve the slot; connect without holding the lock
  }
  Result<std::unique_ptr<Connection>> connection =
      Connection::Open(url_, options_.connect_timeout_seconds);
  if (!connection.ok()) {
    std::lock_guard<std::mutex> lock(mutex_);
    --open_;
    released_.notify_one();
  }
  return connection;
}

void PostgresStore::Release(std::unique_ptr<Connection> connection) {
  std::vector<std::unique_ptr<Connection>> stale;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (connection->broken()) {
      // The server restarted or the network dropped: the idle connections went the same way.
      stale.swap(idle_);
      open_ -= 1 + static_cast<int>(stale.size());
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  released_.notify_all();
  // `connection` (if broken) and `stale` close here, outside the lock.
}

Status PostgresStore::RunWrite(SqlBody body) {
  for (int attempt = 1;; ++attempt) {
    Result<std::unique_ptr<Connection>> acquired = Acquire();
    if (!acquired.ok()) return acquired.status();
    Connection& connection = **acquired;
    bool commit_sent = false;
    Status status = connection.ExecuteScript("BEGIN");
    if (status.ok()) status = body(connection);
    if (status.ok()) {
      commit_sent = true;
      status = connection.ExecuteScript("COMMIT");
    }
    if (!status.ok() && !connection.broken() && connection.in_transaction()) {
      Status ignored = connection.ExecuteScript("ROLLBACK");
      (void)ignored;
    }
    // A transaction that never reached COMMIT changed nothing and can run again; one whose
    // COMMIT got no answer may have committed, so only the caller can decide.
    bool retry = !status.ok() && attempt < kMaxTransactionAttempts &&
                 (connection.retryable() || (connection.broken() && !commit_sent));
    bool broken = connection.broken();
    Release(std::move(acquired).value());
    if (!retry) return status;
    if (broken && attempt >= 2) return status;  // one fresh connection is enough to know
    if (!broken) std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
}

Status PostgresStore::RunRead(SqlBody body) {
  for (int attempt = 1;; ++attempt) {
    Result<std::unique_ptr<Connection>> acquired = Acquire();
    if (!acquired.ok()) return acquired.status();
    Status status = body(**acquired);
    bool retry = !status.ok() && attempt == 1 && (*acquired)->broken();
    Release(std::move(acquired).value());
    if (!retry) return status;
  }
}

}  // namespace okrbot
