#include "storage/postgres_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "storage/row_codec.h"

namespace okrbot {
namespace pg_internal {

namespace {

constexpr std::string_view kNotMigratedHint =
    "The database schema is not migrated; run `okrbot migrate` first";

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

// Statement parameters in libpq's text format. Validation failures (NaN, NUL bytes, dates out
// of range) are remembered and reported when the statement runs, keeping call sites linear.
class Params {
 public:
  Params& Text(std::string_view value) {
    if (value.find('\0') != std::string_view::npos) {
      Fail(Status::InvalidArgument("Text with a NUL character cannot be stored."));
    }
    values_.emplace_back(std::string(value));
    return *this;
  }
  Params& Int(int64_t value) {
    values_.emplace_back(std::to_string(value));
    return *this;
  }
  Params& Bool(bool value) {
    values_.emplace_back(value ? "t" : "f");
    return *this;
  }
  Params& Real(double value, const char* what) {
    if (std::isnan(value)) {
      Fail(Status::InvalidArgument(std::string("The value for ") + what + " is not a number."));
    }
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    values_.emplace_back(std::string(buffer, ec == std::errc() ? end : buffer));
    return *this;
  }
  Params& Null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  Params& OptionalReal(const std::optional<double>& value, const char* what) {
    return value ? Real(*value, what) : Null();
  }
  Params& OptionalInt(const std::optional<int64_t>& value) { return value ? Int(*value) : Null(); }
  Params& Time(Seconds value) { return Int(value.time_since_epoch().count()); }
  Params& OptionalTime(const std::optional<Seconds>& value) {
    return value ? Time(*value) : Null();
  }
  Params& Date(Days value, const char* what) {
    // Refuse days that would not read back (years outside 0000..9999), as SQLite does.
    std::string text = FormatDate(value);
    Days parsed;
    if (!ParseDate(text, &parsed) || parsed != value) {
      Fail(Status::InvalidArgument(std::string("The date for ") + what + " is out of range."));
    }
    values_.emplace_back(std::move(text));
    return *this;
  }
  Params& OptionalDate(const std::optional<Days>& value, const char* what) {
    return value ? Date(*value, what) : Null();
  }
  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
  }

  const Status& status() const { return status_; }
  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> Pointers() const {
    std::vector<const char*> pointers;
    pointers.reserve(values_.size());
    for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
    return pointers;
  }

 private:
  std::vector<std::optional<std::string>> values_;
  Status status_;
};

// The rows of one statement (owns the PGresult).
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  // Rows the statement inserted, updated or deleted.
  int64_t affected() const {
    const char* count = PQcmdTuples(result_.get());
    return (count == nullptr || *count == '\0') ? 0 : std::strtoll(count, nullptr, 10);
  }

  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<size_t>(PQgetlength(result_.get(), row, column)));
  }
  int64_t Int(int row, int column) const {
    std::string_view text = View(row, column);
    int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  double Real(int row, int column) const {
    std::string_view text = View(row, column);
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  bool Bool(int row, int column) const { return View(row, column) == "t"; }
  std::optional<double> OptionalReal(int row, int column) const {
    if (IsNull(row, column)) return std::nullopt;
    return Real(row, column);
  }
  Seconds Time(int row, int column) const {
    return Seconds(std::chrono::seconds(Int(row, column)));
  }
  std::optional<Seconds> OptionalTime(int row, int column) const {
    if (IsNull(row, column)) return std::nullopt;
    return Time(row, column);
  }
  Status OptionalDate(int row, int column, std::optional<Days>* out) const {
    if (IsNull(row, column)) {
      out->reset();
      return Status::Ok();
    }
    Days day;
    std::string text = Text(row, column);
    if (!ParseDate(text, &day)) {
      return Status::Internal("Stored date '" + text + "' is not YYYY-MM-DD.");
    }
    *out = day;
    return Status::Ok();
  }

 private:
  std::string_view View(int row, int column) const {
    return std::string_view(PQgetvalue(result_.get(), row, column),
                            static_cast<size_t>(PQgetlength(result_.get(), row, column)));
  }

  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// One libpq connection with its prepared statements. Not thread-safe: the pool hands a
// connection to one caller at a time.
class Connection {
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

  // Runs constant `sql` with `params`, preparing it on first use on this connection.
  Result<Rows> Run(const std::string& sql, const Params& params = Params()) {
    if (!params.status().ok()) return params.status();
    last_sqlstate_.clear();
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "s" + std::to_string(prepared_.size() + 1);
      PGresult* prepared =
          PQprepare(conn_, name.c_str(), sql.c_str(), params.size(), /*paramTypes=*/nullptr);
      Status status = Check(prepared, PGRES_COMMAND_OK);
      PQclear(prepared);
      if (!status.ok()) return status;
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values = params.Pointers();
    PGresult* result = PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(),
                                      /*paramLengths=*/nullptr, /*paramFormats=*/nullptr,
                                      /*resultFormat=*/0);
    ExecStatusType expected =
        PQresultStatus(result) == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK;
    Status status = Check(result, expected);
    if (!status.ok()) {
      PQclear(result);
      return status;
    }
    return Rows(result);
  }

  // Runs constant SQL without parameters (transaction control, migration DDL scripts).
  Status Execute(const char* sql) {
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
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::string last_sqlstate_;
  bool broken_ = false;
};

}  // namespace pg_internal

namespace {

using pg_internal::Connection;
using pg_internal::Params;
using pg_internal::Rows;

constexpr int kMaxTransactionAttempts = 5;
// pg_advisory_xact_lock key held while migrating (any constant unique to okrbot: "okrb").
constexpr int64_t kMigrationLockKey = 0x6f6b7262;

// ---- Schema -----------------------------------------------------------------------------------

struct Migration {
  int version;
  const char* sql;
};

// The same versions as SqliteStore's list, in PostgreSQL's dialect. Append only.
constexpr Migration kMigrations[] = {
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
};

constexpr int kLatestSchemaVersion = kMigrations[std::size(kMigrations) - 1].version;

// The placeholder of the parameter just added: `"$" + n` for the n-th.
std::string LastPlaceholder(const Params& params) { return "$" + std::to_string(params.size()); }

// The condition on `objectives` rows that `person` (a placeholder) owns or has a key result in
// (a listed one unless archived ones are included): ListObjectives and ListKeyResults must agree.
std::string InvolvingCondition(const std::string& person, bool include_archived) {
  return " AND (owner = " + person +
         " OR number IN (SELECT objective FROM key_results WHERE workspace_id = $1 AND owner = " +
         person + (include_archived ? "))" : " AND NOT archived))");
}

// ---- Row readers ------------------------------------------------------------------------------

constexpr char kWorkspaceColumns[] =
    "workspace_id, platform, name, fiscal_year_start_month, admins, holidays, default_tz, "
    "installed, created_at";

Status ReadWorkspace(const Rows& rows, int r, Workspace* out) {
  out->id = rows.Text(r, 0);
  out->platform = rows.Text(r, 1);
  out->name = rows.Text(r, 2);
  out->fiscal_year_start_month = static_cast<int>(rows.Int(r, 3));
  if (!DecodeStringList(rows.Text(r, 4), &out->admins)) {
    return Status::Internal("Stored admins of workspace " + out->id + " are not a JSON list.");
  }
  std::vector<std::string> holidays;
  if (!DecodeStringList(rows.Text(r, 5), &holidays)) {
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
  out->default_tz = rows.Text(r, 6);
  out->installed = rows.Bool(r, 7);
  out->created_at = rows.Time(r, 8);
  return Status::Ok();
}

constexpr char kUserColumns[] = "workspace_id, user_id, display_name, tz, tz_override, away_until";

Status ReadUser(const Rows& rows, int r, User* out) {
  out->workspace_id = rows.Text(r, 0);
  out->id = rows.Text(r, 1);
  out->display_name = rows.Text(r, 2);
  out->tz = rows.Text(r, 3);
  out->tz_override = rows.Text(r, 4);
  return rows.OptionalDate(r, 5, &out->away_until);
}

constexpr char kObjectiveColumns[] =
    "workspace_id, number, title, owner, team, cycle, goal_type, parent, archived, created_by, "
    "created_at";

Status ReadObjective(const Rows& rows, int r, Objective* out) {
  out->workspace_id = rows.Text(r, 0);
  out->number = rows.Int(r, 1);
  out->title = rows.Text(r, 2);
  out->owner = rows.Text(r, 3);
  out->team = rows.Text(r, 4);
  out->cycle = rows.Text(r, 5);
  std::string type = rows.Text(r, 6);
  if (!ParseGoalType(type, &out->type)) {
    return Status::Internal("Stored objective " + ObjectiveRef(out->number) +
                            " has an unknown goal type '" + type + "'.");
  }
  out->parent = rows.IsNull(r, 7) ? 0 : rows.Int(r, 7);
  out->archived = rows.Bool(r, 8);
  out->created_by = rows.Text(r, 9);
  out->created_at = rows.Time(r, 10);
  return Status::Ok();
}

// Parameters $3..$11 of objective INSERT and UPDATE (after workspace and number).
void AddObjectiveFields(Params& params, const Objective& objective) {
  params.Text(objective.title)
      .Text(objective.owner)
      .Text(objective.team)
      .Text(objective.cycle)
      .Text(GoalTypeName(objective.type));
  if (objective.parent < 0) {
    params.Fail(Status::InvalidArgument("The parent objective number is negative."));
  }
  params
      .OptionalInt(objective.parent == 0 ? std::nullopt : std::optional<int64_t>(objective.parent))
      .Bool(objective.archived)
      .Text(objective.created_by)
      .Time(objective.created_at);
}

constexpr char kKeyResultColumns[] =
    "workspace_id, number, objective, text, owner, baseline, target, current_value, unit, "
    "direction, cadence, weight, archived, quality_kept, snoozed_until, last_checkin_at, "
    "created_by, created_at";

Status ReadKeyResult(const Rows& rows, int r, KeyResult* out) {
  out->workspace_id = rows.Text(r, 0);
  out->number = rows.Int(r, 1);
  out->objective = rows.Int(r, 2);
  out->text = rows.Text(r, 3);
  out->owner = rows.Text(r, 4);
  out->baseline = rows.OptionalReal(r, 5);
  out->target = rows.OptionalReal(r, 6);
  out->current = rows.OptionalReal(r, 7);
  out->unit = rows.Text(r, 8);
  std::string direction = rows.Text(r, 9);
  if (!ParseDirection(direction, &out->direction)) {
    return Status::Internal("Stored key result " + KeyResultRef(out->number) +
                            " has an unknown direction '" + direction + "'.");
  }
  std::string cadence = rows.Text(r, 10);
  if (!ParseCadence(cadence, &out->cadence)) {
    return Status::Internal("Stored key result " + KeyResultRef(out->number) +
                            " has an unknown cadence '" + cadence + "'.");
  }
  out->weight = rows.Real(r, 11);
  out->archived = rows.Bool(r, 12);
  out->quality_kept = rows.Bool(r, 13);
  OKRBOT_RETURN_IF_ERROR(rows.OptionalDate(r, 14, &out->snoozed_until));
  out->last_checkin_at = rows.OptionalTime(r, 15);
  out->created_by = rows.Text(r, 16);
  out->created_at = rows.Time(r, 17);
  return Status::Ok();
}

constexpr char kCheckInColumns[] = "workspace_id, id, kr, value, confidence, note, author, at";

Status ReadCheckIn(const Rows& rows, int r, CheckIn* out) {
  out->workspace_id = rows.Text(r, 0);
  out->id = rows.Int(r, 1);
  out->kr = rows.Int(r, 2);
  out->value = rows.Real(r, 3);
  out->confidence =
      rows.IsNull(r, 4) ? std::nullopt : std::optional<int>(static_cast<int>(rows.Int(r, 4)));
  out->note = rows.Text(r, 5);
  out->author = rows.Text(r, 6);
  out->at = rows.Time(r, 7);
  return Status::Ok();
}

constexpr char kInitiativeColumns[] =
    "workspace_id, number, kr, text, done, created_by, created_at";

Status ReadInitiative(const Rows& rows, int r, Initiative* out) {
  out->workspace_id = rows.Text(r, 0);
  out->number = rows.Int(r, 1);
  out->kr = rows.Int(r, 2);
  out->text = rows.Text(r, 3);
  out->done = rows.Bool(r, 4);
  out->created_by = rows.Text(r, 5);
  out->created_at = rows.Time(r, 6);
  return Status::Ok();
}

constexpr char kEditColumns[] = "workspace_id, entity, field, old_value, new_value, author, at";

Status ReadEdit(const Rows& rows, int r, EditRecord* out) {
  out->workspace_id = rows.Text(r, 0);
  out->entity = rows.Text(r, 1);
  out->field = rows.Text(r, 2);
  out->old_value = rows.Text(r, 3);
  out->new_value = rows.Text(r, 4);
  out->author = rows.Text(r, 5);
  out->at = rows.Time(r, 6);
  return Status::Ok();
}

constexpr char kReminderColumns[] =
    "workspace_id, kind, team, channel, weekday, minute_of_day, tz, enabled";

Status ReadReminder(const Rows& rows, int r, Reminder* out) {
  out->workspace_id = rows.Text(r, 0);
  out->kind = rows.Text(r, 1);
  out->team = rows.Text(r, 2);
  out->channel = rows.Text(r, 3);
  out->weekday = static_cast<int>(rows.Int(r, 4));
  out->minute_of_day = static_cast<int>(rows.Int(r, 5));
  out->tz = rows.Text(r, 6);
  out->enabled = rows.Bool(r, 7);
  return Status::Ok();
}

constexpr char kJobColumns[] =
    "id, job_key, workspace_id, kind, target, payload, state, attempts, due_at, "
    "next_attempt_at, lease_until, last_error, created_at";

Status ReadJob(const Rows& rows, int r, Job* out) {
  out->id = rows.Int(r, 0);
  out->key = rows.Text(r, 1);
  out->workspace_id = rows.Text(r, 2);
  out->kind = rows.Text(r, 3);
  out->target = rows.Text(r, 4);
  out->payload = rows.Text(r, 5);
  std::string state = rows.Text(r, 6);
  if (!ParseJobState(state, &out->state)) {
    return Status::Internal("Stored job " + std::to_string(out->id) + " has an unknown state '" +
                            state + "'.");
  }
  out->attempts = static_cast<int>(rows.Int(r, 7));
  out->due_at = rows.Time(r, 8);
  out->next_attempt_at = rows.Time(r, 9);
  out->lease_until = rows.OptionalTime(r, 10);
  out->last_error = rows.Text(r, 11);
  out->created_at = rows.Time(r, 12);
  return Status::Ok();
}

// Runs `sql` and reads every row with `read` into `out`.
template <typename T, typename ReadRow>
Status QueryAll(Connection& connection, const std::string& sql, const Params& params, ReadRow read,
                std::vector<T>* out) {
  Result<Rows> rows = connection.Run(sql, params);
  if (!rows.ok()) return rows.status();
  out->clear();
  out->resize(static_cast<size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) {
    OKRBOT_RETURN_IF_ERROR(read(*rows, r, &(*out)[static_cast<size_t>(r)]));
  }
  return Status::Ok();
}

// Runs `sql` expected to return at most one row; `*found` says whether it did.
template <typename T, typename ReadRow>
Status QueryOne(Connection& connection, const std::string& sql, const Params& params, ReadRow read,
                bool* found, T* out) {
  Result<Rows> rows = connection.Run(sql, params);
  if (!rows.ok()) return rows.status();
  *found = !rows->empty();
  if (!*found) return Status::Ok();
  return read(*rows, 0, out);
}

Result<bool> RowExists(Connection& connection, const char* table, const std::string& workspace_id,
                       int64_t number) {
  // `table` is one of three constants; each text is prepared once per connection.
  const std::string sql =
      std::string("SELECT 1 FROM ") + table + " WHERE workspace_id = $1 AND number = $2";
  Result<Rows> rows = connection.Run(sql, Params().Text(workspace_id).Int(number));
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

// Picks the number for a new row: the given one if free, else max + 1 of the workspace. The
// advisory lock (released at commit) makes concurrent creators in the workspace take turns, so
// two of them never compute the same max.
Result<int64_t> AssignNumber(Connection& connection, const char* table, const std::string& ref,
                             const std::string& workspace_id, int64_t requested) {
  if (requested < 0) return Status::InvalidArgument(ref + " is not a valid number.");
  if (requested > 0) {
    Result<bool> taken = RowExists(connection, table, workspace_id, requested);
    if (!taken.ok()) return taken.status();
    if (*taken) return Status::AlreadyExists(ref + " already exists in this workspace.");
    return requested;
  }
  Result<Rows> locked = connection.Run("SELECT pg_advisory_xact_lock(hashtext($1))",
                                       Params().Text(std::string(table) + "/" + workspace_id));
  if (!locked.ok()) return locked.status();
  const std::string sql =
      std::string("SELECT COALESCE(MAX(number), 0) FROM ") + table + " WHERE workspace_id = $1";
  Result<Rows> max = connection.Run(sql, Params().Text(workspace_id));
  if (!max.ok()) return max.status();
  if (max->empty()) return Status::Internal(std::string("No maximum number from ") + table + ".");
  return max->Int(0, 0) + 1;
}

Status InsertEdit(Connection& connection, const EditRecord& edit) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(edit.workspace_id));
  static const std::string kSql =
      std::string("INSERT INTO edits (") + kEditColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7)";
  Result<Rows> rows = connection.Run(kSql, Params()
                                               .Text(edit.workspace_id)
                                               .Text(edit.entity)
                                               .Text(edit.field)
                                               .Text(edit.old_value)
                                               .Text(edit.new_value)
                                               .Text(edit.author)
                                               .Time(edit.at));
  return rows.status();
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
    : url_(std::move(url)), options_(options) {}

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

Status PostgresStore::Write(const Body& body) {
  Status status = WriteWithRetries(body);
  write_health_.Record(status);
  return status;
}

Status PostgresStore::WriteWithRetries(const Body& body) {
  for (int attempt = 1;; ++attempt) {
    Result<std::unique_ptr<Connection>> acquired = Acquire();
    if (!acquired.ok()) return acquired.status();
    Connection& connection = **acquired;
    bool commit_sent = false;
    Status status = connection.Execute("BEGIN");
    if (status.ok()) status = body(connection);
    if (status.ok()) {
      commit_sent = true;
      status = connection.Execute("COMMIT");
    }
    if (!status.ok() && !connection.broken() && connection.in_transaction()) {
      Status ignored = connection.Execute("ROLLBACK");
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

Status PostgresStore::Read(const Body& body) {
  for (int attempt = 1;; ++attempt) {
    Result<std::unique_ptr<Connection>> acquired = Acquire();
    if (!acquired.ok()) return acquired.status();
    Status status = body(**acquired);
    bool retry = !status.ok() && attempt == 1 && (*acquired)->broken();
    Release(std::move(acquired).value());
    if (!retry) return status;
  }
}

// ---- Schema -----------------------------------------------------------------------------------

namespace {

Result<int> MaxAppliedVersion(Connection& connection) {
  Result<Rows> present = connection.Run("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!present.ok()) return present.status();
  if (present->empty() || !present->Bool(0, 0)) return 0;
  Result<Rows> max = connection.Run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!max.ok()) return max.status();
  return max->empty() ? 0 : static_cast<int>(max->Int(0, 0));
}

}  // namespace

Status PostgresStore::Migrate() {
  return Write([&](Connection& connection) {
    // Replicas starting together queue here; the first migrates, the rest find it done.
    Result<Rows> locked =
        connection.Run("SELECT pg_advisory_xact_lock($1)", Params().Int(kMigrationLockKey));
    if (!locked.ok()) return locked.status();
    OKRBOT_RETURN_IF_ERROR(
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"));
    Result<int> applied = MaxAppliedVersion(connection);
    if (!applied.ok()) return applied.status();
    if (*applied > kLatestSchemaVersion) {
      return Status::FailedPrecondition(
          "The database has schema version " + std::to_string(*applied) +
          ", newer than this okrbot knows (" + std::to_string(kLatestSchemaVersion) +
          "); upgrade okrbot.");
    }
    for (const Migration& migration : kMigrations) {
      Result<Rows> done = connection.Run("SELECT 1 FROM schema_migrations WHERE version = $1",
                                         Params().Int(migration.version));
      if (!done.ok()) return done.status();
      if (!done->empty()) continue;
      OKRBOT_RETURN_IF_ERROR(connection.Execute(migration.sql));
      Result<Rows> recorded = connection.Run(
          "INSERT INTO schema_migrations (version, applied_at) "
          "VALUES ($1, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))",
          Params().Int(migration.version));
      if (!recorded.ok()) return recorded.status();
    }
    return Status::Ok();
  });
}

Result<int> PostgresStore::SchemaVersion() {
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

Status PostgresStore::Ping() {
  OKRBOT_RETURN_IF_ERROR(
      Read([](Connection& connection) { return connection.Run("SELECT 1").status(); }));
  if (!write_health_.TakeProbeTurn(std::chrono::steady_clock::now())) {
    return write_health_.Failure();
  }
  return Write([](Connection& connection) {
    return connection
        .Run(
            "INSERT INTO readiness_probe (id, probed_at) VALUES (1, $1) "
            "ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
            Params().Int(std::time(nullptr)))
        .status();
  });
}

// ---- Workspaces and users ---------------------------------------------------------------------

Status PostgresStore::UpsertWorkspace(const Workspace& workspace) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(workspace.id));
  std::vector<std::string> holidays;
  holidays.reserve(workspace.holidays.size());
  for (Days day : workspace.holidays) {
    std::string text = FormatDate(day);
    Days parsed;
    if (!ParseDate(text, &parsed)) {
      return Status::InvalidArgument("The holiday " + text + " is out of range.");
    }
    holidays.push_back(std::move(text));
  }
  return Write([&](Connection& connection) {
    static const std::string kSql =
        std::string("INSERT INTO workspaces (") + kWorkspaceColumns +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (workspace_id) DO UPDATE SET platform = excluded.platform, "
        "name = excluded.name, fiscal_year_start_month = excluded.fiscal_year_start_month, "
        "admins = excluded.admins, holidays = excluded.holidays, "
        "default_tz = excluded.default_tz, installed = excluded.installed, "
        "created_at = excluded.created_at";
    return connection
        .Run(kSql, Params()
                       .Text(workspace.id)
                       .Text(workspace.platform)
                       .Text(workspace.name)
                       .Int(workspace.fiscal_year_start_month)
                       .Text(EncodeStringList(workspace.admins))
                       .Text(EncodeStringList(holidays))
                       .Text(workspace.default_tz)
                       .Bool(workspace.installed)
                       .Time(workspace.created_at))
        .status();
  });
}

Result<Workspace> PostgresStore::GetWorkspace(const std::string& workspace_id) {
  Workspace workspace;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kWorkspaceColumns + " FROM workspaces WHERE workspace_id = $1";
    return QueryOne(connection, kSql, Params().Text(workspace_id), ReadWorkspace, &found,
                    &workspace);
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No workspace " + workspace_id + ".");
  return workspace;
}

Result<std::vector<Workspace>> PostgresStore::ListWorkspaces() {
  std::vector<Workspace> workspaces;
  Status status = Read([&](Connection& connection) {
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
    static const std::string kSql = std::string("SELECT ") + kWorkspaceColumns +
                                    " FROM workspaces ORDER BY workspace_id COLLATE \"C\"";
    return QueryAll(connection, kSql, Params(), ReadWorkspace, &workspaces);
  });
  if (!status.ok()) return status;
  return workspaces;
}

Status PostgresStore::UpsertUser(const User& user) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(user.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        std::string("INSERT INTO users (") + kUserColumns +
        ") VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (workspace_id, user_id) DO UPDATE SET "
        "display_name = excluded.display_name, tz = excluded.tz, "
        "tz_override = excluded.tz_override, away_until = excluded.away_until";
    return connection
        .Run(kSql, Params()
                       .Text(user.workspace_id)
                       .Text(user.id)
                       .Text(user.display_name)
                       .Text(user.tz)
                       .Text(user.tz_override)
                       .OptionalDate(user.away_until, "away_until"))
        .status();
  });
}

Result<User> PostgresStore::GetUser(const std::string& workspace_id, const std::string& user_id) {
  User user;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kUserColumns +
                                    " FROM users WHERE workspace_id = $1 AND user_id = $2";
    return QueryOne(connection, kSql, Params().Text(workspace_id).Text(user_id), ReadUser, &found,
                    &user);
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No user " + user_id + " in this workspace.");
  return user;
}

Result<std::vector<User>> PostgresStore::ListUsers(const std::string& workspace_id) {
  std::vector<User> users;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kUserColumns +
                                    " FROM users WHERE workspace_id = $1 ORDER BY user_id "
                                    "COLLATE \"C\"";
    return QueryAll(connection, kSql, Params().Text(workspace_id), ReadUser, &users);
  });
  if (!status.ok()) return status;
  return users;
}

Result<std::vector<User>> PostgresStore::GetUsers(const std::string& workspace_id,
                                                  const std::vector<std::string>& user_ids) {
  std::vector<User> users;
  if (user_ids.empty()) return users;
  Status status = Read([&](Connection& connection) {
    // The ids travel as one JSON array parameter, so the statement text never changes.
    static const std::string kSql =
        std::string("SELECT ") + kUserColumns +
        " FROM users WHERE workspace_id = $1 AND user_id IN "
        "(SELECT json_array_elements_text($2::json)) ORDER BY user_id COLLATE \"C\"";
    return QueryAll(connection, kSql, Params().Text(workspace_id).Text(EncodeStringList(user_ids)),
                    ReadUser, &users);
  });
  if (!status.ok()) return status;
  return users;
}

// ---- Objectives -------------------------------------------------------------------------------

Result<Objective> PostgresStore::CreateObjective(const Objective& objective) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(objective.workspace_id));
  Objective created = objective;
  Status status = Write([&](Connection& connection) {
    Result<int64_t> number = AssignNumber(connection, "objectives", ObjectiveRef(objective.number),
                                          objective.workspace_id, objective.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    static const std::string kSql = std::string("INSERT INTO objectives (") + kObjectiveColumns +
                                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    Params params;
    params.Text(created.workspace_id).Int(created.number);
    AddObjectiveFields(params, created);
    return connection.Run(kSql, params).status();
  });
  if (!status.ok()) return status;
  return created;
}

Result<Objective> PostgresStore::GetObjective(const std::string& workspace_id, int64_t number) {
  Objective objective;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kObjectiveColumns +
                                    " FROM objectives WHERE workspace_id = $1 AND number = $2";
    return QueryOne(connection, kSql, Params().Text(workspace_id).Int(number), ReadObjective,
                    &found, &objective);
  });
  if (!status.ok()) return status;
  if (!found) {
    return Status::NotFound("No objective " + ObjectiveRef(number) + " in this workspace.");
  }
  return objective;
}

Result<std::vector<Objective>> PostgresStore::ListObjectives(const std::string& workspace_id,
                                                             const ObjectiveFilter& filter) {
  std::vector<Objective> objectives;
  Status status = Read([&](Connection& connection) {
    // Only the conditions in use, so each combination gets a plan that uses its index.
    Params params;
    params.Text(workspace_id);
    std::string sql =
        std::string("SELECT ") + kObjectiveColumns + " FROM objectives WHERE workspace_id = $1";
    if (!filter.cycle.empty()) sql += " AND cycle = " + LastPlaceholder(params.Text(filter.cycle));
    if (!filter.owner.empty()) sql += " AND owner = " + LastPlaceholder(params.Text(filter.owner));
    if (!filter.team.empty()) sql += " AND team = " + LastPlaceholder(params.Text(filter.team));
    if (!filter.involving.empty()) {
      sql += InvolvingCondition(LastPlaceholder(params.Text(filter.involving)),
                                filter.include_archived);
    }
    if (!filter.include_archived) sql += " AND NOT archived";
    sql += " ORDER BY number";
    return QueryAll(connection, sql, params, ReadObjective, &objectives);
  });
  if (!status.ok()) return status;
  return objectives;
}

Status PostgresStore::UpdateObjective(const Objective& objective,
                                      const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(objective.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        "UPDATE objectives SET title = $3, owner = $4, team = $5, cycle = $6, goal_type = $7, "
        "parent = $8, archived = $9, created_by = $10, created_at = $11 "
        "WHERE workspace_id = $1 AND number = $2";
    Params params;
    params.Text(objective.workspace_id).Int(objective.number);
    AddObjectiveFields(params, objective);
    Result<Rows> updated = connection.Run(kSql, params);
    if (!updated.ok()) return updated.status();
    if (updated->affected() == 0) {
      return Status::NotFound("No objective " + ObjectiveRef(objective.number) +
                              " in this workspace.");
    }
    return AppendEdits(connection, objective.workspace_id, edits);
  });
}

// ---- Key results ------------------------------------------------------------------------------

namespace {

// $3..$16 of key_results INSERT (with the check-in columns) and $3..$14 of UPDATE (without).
void AddKeyResultFields(Params& params, const KeyResult& kr, bool with_checkin_columns) {
  params.Int(kr.objective)
      .Text(kr.text)
      .Text(kr.owner)
      .OptionalReal(kr.baseline, "baseline")
      .OptionalReal(kr.target, "target");
  if (with_checkin_columns) params.OptionalReal(kr.current, "current_value");
  params.Text(kr.unit)
      .Text(DirectionName(kr.direction))
      .Text(CadenceName(kr.cadence))
      .Real(kr.weight, "weight")
      .Bool(kr.archived)
      .Bool(kr.quality_kept)
      .OptionalDate(kr.snoozed_until, "snoozed_until");
  if (with_checkin_columns) params.OptionalTime(kr.last_checkin_at);
  params.Text(kr.created_by).Time(kr.created_at);
}

}  // namespace

Result<KeyResult> PostgresStore::CreateKeyResult(const KeyResult& kr) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(kr.workspace_id));
  KeyResult created = kr;
  Status status = Write([&](Connection& connection) {
    Result<bool> objective_exists =
        RowExists(connection, "objectives", kr.workspace_id, kr.objective);
    if (!objective_exists.ok()) return objective_exists.status();
    if (!*objective_exists) {
      return Status::NotFound("No objective " + ObjectiveRef(kr.objective) + " in this workspace.");
    }
    Result<int64_t> number = AssignNumber(connection, "key_results", KeyResultRef(kr.number),
                                          kr.workspace_id, kr.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    static const std::string kSql =
        std::string("INSERT INTO key_results (") + kKeyResultColumns +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
        "$18)";
    Params params;
    params.Text(created.workspace_id).Int(created.number);
    AddKeyResultFields(params, created, /*with_checkin_columns=*/true);
    return connection.Run(kSql, params).status();
  });
  if (!status.ok()) return status;
  return created;
}

Result<KeyResult> PostgresStore::GetKeyResult(const std::string& workspace_id, int64_t number) {
  KeyResult kr;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kKeyResultColumns +
                                    " FROM key_results WHERE workspace_id = $1 AND number = $2";
    return QueryOne(connection, kSql, Params().Text(workspace_id).Int(number), ReadKeyResult,
                    &found, &kr);
  });
  if (!status.ok()) return status;
  if (!found) {
    return Status::NotFound("No key result " + KeyResultRef(number) + " in this workspace.");
  }
  return kr;
}

Result<std::vector<KeyResult>> PostgresStore::ListKeyResults(const std::string& workspace_id,
                                                             const KeyResultFilter& filter) {
  std::vector<KeyResult> krs;
  Status status = Read([&](Connection& connection) {
    // Only the conditions in use, so each combination gets a plan that uses its index.
    Params params;
    params.Text(workspace_id);
    std::string sql =
        std::string("SELECT ") + kKeyResultColumns + " FROM key_results WHERE workspace_id = $1";
    if (filter.objective != 0) {
      sql += " AND objective = " + LastPlaceholder(params.Int(filter.objective));
    }
    if (!filter.owner.empty()) sql += " AND owner = " + LastPlaceholder(params.Text(filter.owner));
    if (!filter.cycle.empty() || !filter.involving.empty()) {
      sql += " AND objective IN (SELECT number FROM objectives WHERE workspace_id = $1";
      if (!filter.cycle.empty())
        sql += " AND cycle = " + LastPlaceholder(params.Text(filter.cycle));
      if (!filter.involving.empty()) {
        sql += InvolvingCondition(LastPlaceholder(params.Text(filter.involving)),
                                  filter.include_archived);
      }
      sql += ")";
    }
    if (!filter.include_archived) sql += " AND NOT archived";
    sql += " ORDER BY number";
    return QueryAll(connection, sql, params, ReadKeyResult, &krs);
  });
  if (!status.ok()) return status;
  return krs;
}

Status PostgresStore::UpdateKeyResult(const KeyResult& kr, const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(kr.workspace_id));
  return Write([&](Connection& connection) {
    Result<bool> exists = RowExists(connection, "key_results", kr.workspace_id, kr.number);
    if (!exists.ok()) return exists.status();
    if (!*exists) {
      return Status::NotFound("No key result " + KeyResultRef(kr.number) + " in this workspace.");
    }
    Result<bool> objective_exists =
        RowExists(connection, "objectives", kr.workspace_id, kr.objective);
    if (!objective_exists.ok()) return objective_exists.status();
    if (!*objective_exists) {
      return Status::NotFound("No objective " + ObjectiveRef(kr.objective) + " in this workspace.");
    }
    static const std::string kSql =
        "UPDATE key_results SET objective = $3, text = $4, owner = $5, baseline = $6, "
        "target = $7, unit = $8, direction = $9, cadence = $10, weight = $11, archived = $12, "
        "quality_kept = $13, snoozed_until = $14, created_by = $15, created_at = $16 "
        "WHERE workspace_id = $1 AND number = $2";
    Params params;
    params.Text(kr.workspace_id).Int(kr.number);
    AddKeyResultFields(params, kr, /*with_checkin_columns=*/false);
    OKRBOT_RETURN_IF_ERROR(connection.Run(kSql, params).status());
    return AppendEdits(connection, kr.workspace_id, edits);
  });
}

// ---- Check-ins --------------------------------------------------------------------------------

Result<CheckIn> PostgresStore::RecordCheckIn(const CheckIn& checkin) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(checkin.workspace_id));
  if (checkin.confidence && (*checkin.confidence < 0 || *checkin.confidence > 100)) {
    return Status::InvalidArgument("Confidence must be between 0 and 100.");
  }
  CheckIn stored = checkin;
  Status status = Write([&](Connection& connection) {
    // FOR UPDATE: concurrent check-ins of this KR take turns, so the newest by time wins.
    Result<Rows> kr = connection.Run(
        "SELECT last_checkin_at FROM key_results WHERE workspace_id = $1 AND number = $2 "
        "FOR UPDATE",
        Params().Text(checkin.workspace_id).Int(checkin.kr));
    if (!kr.ok()) return kr.status();
    if (kr->empty()) {
      return Status::NotFound("No key result " + KeyResultRef(checkin.kr) + " in this workspace.");
    }
    std::optional<Seconds> last_checkin_at = kr->OptionalTime(0, 0);

    static const std::string kInsertSql =
        "INSERT INTO checkins (workspace_id, kr, value, confidence, note, author, at, "
        "request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    Result<Rows> inserted = connection.Run(
        kInsertSql,
        Params()
            .Text(checkin.workspace_id)
            .Int(checkin.kr)
            .Real(checkin.value, "value")
            .OptionalInt(checkin.confidence ? std::optional<int64_t>(*checkin.confidence)
                                            : std::nullopt)
            .Text(checkin.note)
            .Text(checkin.author)
            .Time(checkin.at)
            .Text(checkin.request_id));
    if (!inserted.ok()) return inserted.status();
    stored.id = inserted->Int(0, 0);

    // A late-arriving older check-in joins the history but does not rewind `current`.
    if (last_checkin_at && checkin.at < *last_checkin_at) return Status::Ok();
    return connection
        .Run(
            "UPDATE key_results SET current_value = $3, last_checkin_at = $4 "
            "WHERE workspace_id = $1 AND number = $2",
            Params()
                .Text(checkin.workspace_id)
                .Int(checkin.kr)
                .Real(checkin.value, "value")
                .Time(checkin.at))
        .status();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<std::vector<CheckIn>> PostgresStore::ListCheckIns(const std::string& workspace_id,
                                                         int64_t kr, int limit) {
  std::vector<CheckIn> checkins;
  Status status = Read([&](Connection& connection) {
    // LIMIT NULL is PostgreSQL for "no limit".
    static const std::string kSql = std::string("SELECT ") + kCheckInColumns +
                                    " FROM checkins WHERE workspace_id = $1 AND kr = $2"
                                    " ORDER BY at DESC, id DESC LIMIT $3";
    Params params;
    params.Text(workspace_id).Int(kr);
    limit <= 0 ? params.Null() : params.Int(limit);
    return QueryAll(connection, kSql, params, ReadCheckIn, &checkins);
  });
  if (!status.ok()) return status;
  return checkins;
}

// ---- Initiatives ------------------------------------------------------------------------------

Result<Initiative> PostgresStore::CreateInitiative(const Initiative& initiative) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(initiative.workspace_id));
  Initiative created = initiative;
  Status status = Write([&](Connection& connection) {
    Result<bool> kr_exists =
        RowExists(connection, "key_results", initiative.workspace_id, initiative.kr);
    if (!kr_exists.ok()) return kr_exists.status();
    if (!*kr_exists) {
      return Status::NotFound("No key result " + KeyResultRef(initiative.kr) +
                              " in this workspace.");
    }
    Result<int64_t> number =
        AssignNumber(connection, "initiatives", InitiativeRef(initiative.number),
                     initiative.workspace_id, initiative.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    static const std::string kSql = std::string("INSERT INTO initiatives (") + kInitiativeColumns +
                                    ") VALUES ($1, $2, $3, $4, $5, $6, $7)";
    return connection
        .Run(kSql, Params()
                       .Text(created.workspace_id)
                       .Int(created.number)
                       .Int(created.kr)
                       .Text(created.text)
                       .Bool(created.done)
                       .Text(created.created_by)
                       .Time(created.created_at))
        .status();
  });
  if (!status.ok()) return status;
  return created;
}

Result<Initiative> PostgresStore::GetInitiative(const std::string& workspace_id, int64_t number) {
  Initiative initiative;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kInitiativeColumns +
                                    " FROM initiatives WHERE workspace_id = $1 AND number = $2";
    return QueryOne(connection, kSql, Params().Text(workspace_id).Int(number), ReadInitiative,
                    &found, &initiative);
  });
  if (!status.ok()) return status;
  if (!found) {
    return Status::NotFound("No initiative " + InitiativeRef(number) + " in this workspace.");
  }
  return initiative;
}

Result<std::vector<Initiative>> PostgresStore::ListInitiatives(const std::string& workspace_id,
                                                               int64_t kr) {
  std::vector<Initiative> initiatives;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kInitiativeColumns +
                                    " FROM initiatives WHERE workspace_id = $1"
                                    " AND ($2::bigint = 0 OR kr = $2::bigint) ORDER BY number";
    return QueryAll(connection, kSql, Params().Text(workspace_id).Int(kr), ReadInitiative,
                    &initiatives);
  });
  if (!status.ok()) return status;
  return initiatives;
}

Status PostgresStore::UpdateInitiative(const Initiative& initiative,
                                       const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(initiative.workspace_id));
  return Write([&](Connection& connection) {
    Result<bool> exists =
        RowExists(connection, "initiatives", initiative.workspace_id, initiative.number);
    if (!exists.ok()) return exists.status();
    if (!*exists) {
      return Status::NotFound("No initiative " + InitiativeRef(initiative.number) +
                              " in this workspace.");
    }
    Result<bool> kr_exists =
        RowExists(connection, "key_results", initiative.workspace_id, initiative.kr);
    if (!kr_exists.ok()) return kr_exists.status();
    if (!*kr_exists) {
      return Status::NotFound("No key result " + KeyResultRef(initiative.kr) +
                              " in this workspace.");
    }
    static const std::string kSql =
        "UPDATE initiatives SET kr = $3, text = $4, done = $5, created_by = $6, created_at = $7 "
        "WHERE workspace_id = $1 AND number = $2";
    OKRBOT_RETURN_IF_ERROR(connection
                               .Run(kSql, Params()
                                              .Text(initiative.workspace_id)
                                              .Int(initiative.number)
                                              .Int(initiative.kr)
                                              .Text(initiative.text)
                                              .Bool(initiative.done)
                                              .Text(initiative.created_by)
                                              .Time(initiative.created_at))
                               .status());
    return AppendEdits(connection, initiative.workspace_id, edits);
  });
}

// ---- Edit history -----------------------------------------------------------------------------

Status PostgresStore::AppendEdit(const EditRecord& edit) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(edit.workspace_id));
  return Write([&](Connection& connection) { return InsertEdit(connection, edit); });
}

Result<std::vector<EditRecord>> PostgresStore::ListEdits(const std::string& workspace_id,
                                                         const std::string& entity) {
  std::vector<EditRecord> edits;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kEditColumns +
                                    " FROM edits WHERE workspace_id = $1"
                                    " AND ($2::text = '' OR entity = $2::text) ORDER BY at, id";
    return QueryAll(connection, kSql, Params().Text(workspace_id).Text(entity), ReadEdit, &edits);
  });
  if (!status.ok()) return status;
  return edits;
}

// ---- Installations, conversation references and seen events -------------------------------------

Status PostgresStore::UpsertInstallation(const Installation& installation) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(installation.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO installations (workspace_id, platform, team_id, enterprise_id, "
        "bot_token_sealed, bot_user_id, scopes, installer, extra, installed_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (workspace_id) DO UPDATE SET platform = excluded.platform, "
        "team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, "
        "bot_token_sealed = excluded.bot_token_sealed, bot_user_id = excluded.bot_user_id, "
        "scopes = excluded.scopes, installer = excluded.installer, extra = excluded.extra, "
        "installed_at = excluded.installed_at, updated_at = excluded.updated_at";
    return connection
        .Run(kSql, Params()
                       .Text(installation.workspace_id)
                       .Text(installation.platform)
                       .Text(installation.team_id)
                       .Text(installation.enterprise_id)
                       .Text(installation.bot_token_sealed)
                       .Text(installation.bot_user_id)
                       .Text(installation.scopes)
                       .Text(installation.installer)
                       .Text(installation.extra)
                       .Time(installation.installed_at)
                       .Time(installation.updated_at))
        .status();
  });
}

Result<Installation> PostgresStore::GetInstallation(const std::string& workspace_id) {
  Installation installation;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        "SELECT workspace_id, platform, team_id, enterprise_id, bot_token_sealed, bot_user_id, "
        "scopes, installer, extra, installed_at, updated_at FROM installations "
        "WHERE workspace_id = $1";
    auto read = [](const Rows& rows, int r, Installation* out) {
      out->workspace_id = rows.Text(r, 0);
      out->platform = rows.Text(r, 1);
      out->team_id = rows.Text(r, 2);
      out->enterprise_id = rows.Text(r, 3);
      out->bot_token_sealed = rows.Text(r, 4);
      out->bot_user_id = rows.Text(r, 5);
      out->scopes = rows.Text(r, 6);
      out->installer = rows.Text(r, 7);
      out->extra = rows.Text(r, 8);
      out->installed_at = rows.Time(r, 9);
      out->updated_at = rows.Time(r, 10);
      return Status::Ok();
    };
    return QueryOne(connection, kSql, Params().Text(workspace_id), read, &found, &installation);
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No installation for workspace " + workspace_id + ".");
  return installation;
}

Status PostgresStore::PutConversationRef(const ConversationRef& ref) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(ref.workspace_id));
  if (ref.target.empty()) return Status::InvalidArgument("The conversation target is empty.");
  return Write([&](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO conversation_refs (workspace_id, target, reference, updated_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, target) DO UPDATE "
        "SET reference = excluded.reference, updated_at = excluded.updated_at";
    return connection
        .Run(kSql, Params()
                       .Text(ref.workspace_id)
                       .Text(ref.target)
                       .Text(ref.reference)
                       .Time(ref.updated_at))
        .status();
  });
}

Result<ConversationRef> PostgresStore::GetConversationRef(const std::string& workspace_id,
                                                          const std::string& target) {
  ConversationRef ref;
  bool found = false;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        "SELECT workspace_id, target, reference, updated_at FROM conversation_refs "
        "WHERE workspace_id = $1 AND target = $2";
    auto read = [](const Rows& rows, int r, ConversationRef* out) {
      out->workspace_id = rows.Text(r, 0);
      out->target = rows.Text(r, 1);
      out->reference = rows.Text(r, 2);
      out->updated_at = rows.Time(r, 3);
      return Status::Ok();
    };
    return QueryOne(connection, kSql, Params().Text(workspace_id).Text(target), read, &found, &ref);
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound("No conversation reference for " + target + ".");
  return ref;
}

Result<bool> PostgresStore::MarkEventSeen(const std::string& workspace_id,
                                          const std::string& event_id, Seconds at) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(workspace_id));
  if (event_id.empty()) return Status::InvalidArgument("The event id is empty.");
  bool first = false;
  Status status = Write([&](Connection& connection) {
    Result<Rows> inserted = connection.Run(
        "INSERT INTO seen_events (workspace_id, event_id, seen_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (workspace_id, event_id) DO NOTHING",
        Params().Text(workspace_id).Text(event_id).Time(at));
    if (!inserted.ok()) return inserted.status();
    first = inserted->affected() > 0;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return first;
}

// ---- Reminders --------------------------------------------------------------------------------

Status PostgresStore::PutReminder(const Reminder& reminder) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(reminder.workspace_id));
  return Write([&](Connection& connection) {
    static const std::string kSql =
        std::string("INSERT INTO reminders (") + kReminderColumns +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (workspace_id, kind, team) DO UPDATE SET channel = excluded.channel, "
        "weekday = excluded.weekday, minute_of_day = excluded.minute_of_day, tz = excluded.tz, "
        "enabled = excluded.enabled";
    return connection
        .Run(kSql, Params()
                       .Text(reminder.workspace_id)
                       .Text(reminder.kind)
                       .Text(reminder.team)
                       .Text(reminder.channel)
                       .Int(reminder.weekday)
                       .Int(reminder.minute_of_day)
                       .Text(reminder.tz)
                       .Bool(reminder.enabled))
        .status();
  });
}

Result<std::vector<Reminder>> PostgresStore::ListReminders(const std::string& workspace_id) {
  std::vector<Reminder> reminders;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql =
        std::string("SELECT ") + kReminderColumns +
        " FROM reminders WHERE workspace_id = $1 ORDER BY kind COLLATE \"C\", team COLLATE \"C\"";
    return QueryAll(connection, kSql, Params().Text(workspace_id), ReadReminder, &reminders);
  });
  if (!status.ok()) return status;
  return reminders;
}

Status PostgresStore::DeleteReminders(const std::string& workspace_id) {
  return Write([&](Connection& connection) {
    return connection
        .Run("DELETE FROM reminders WHERE workspace_id = $1", Params().Text(workspace_id))
        .status();
  });
}

// ---- Jobs -------------------------------------------------------------------------------------

Result<bool> PostgresStore::EnqueueJob(const Job& job) {
  Result<int> created = EnqueueJobs({job});
  if (!created.ok()) return created.status();
  return *created == 1;
}

Result<int> PostgresStore::EnqueueJobs(const std::vector<Job>& jobs) {
  for (const Job& job : jobs) {
    OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(job.workspace_id));
    if (job.key.empty()) return Status::InvalidArgument("The job key is empty.");
  }
  int created = 0;
  Status status = Write([&](Connection& connection) {
    static const std::string kSql =
        "INSERT INTO jobs (job_key, workspace_id, kind, target, payload, state, attempts, "
        "due_at, next_attempt_at, lease_until, last_error, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
        "ON CONFLICT (job_key) DO NOTHING";
    created = 0;  // a retried transaction body starts again
    // Replicas planning the same posts insert them in one order (by key), so their
    // transactions wait for each other instead of deadlocking on each other's keys.
    std::vector<const Job*> by_key;
    by_key.reserve(jobs.size());
    for (const Job& job : jobs) by_key.push_back(&job);
    std::sort(by_key.begin(), by_key.end(),
              [](const Job* a, const Job* b) { return a->key < b->key; });
    for (const Job* job_pointer : by_key) {
      const Job& job = *job_pointer;
      Result<Rows> inserted = connection.Run(
          kSql, Params()
                    .Text(job.key)
                    .Text(job.workspace_id)
                    .Text(job.kind)
                    .Text(job.target)
                    .Text(job.payload)
                    .Text(JobStateName(job.state))
                    .Int(job.attempts)
                    .Time(job.due_at)
                    // An unset next attempt means "when due", never "at the epoch".
                    .Time(job.next_attempt_at == Seconds{} ? job.due_at : job.next_attempt_at)
                    .OptionalTime(job.lease_until)
                    .Text(job.last_error)
                    .Time(job.created_at));
      if (!inserted.ok()) return inserted.status();
      if (inserted->affected() > 0) ++created;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return created;
}

Result<std::vector<std::string>> PostgresStore::ListJobKeys(const std::string& workspace_id,
                                                            Seconds created_since) {
  std::vector<std::string> keys;
  Status status = Read([&](Connection& connection) {
    Result<Rows> rows =
        connection.Run("SELECT job_key FROM jobs WHERE workspace_id = $1 AND created_at >= $2",
                       Params().Text(workspace_id).Time(created_since));
    if (!rows.ok()) return rows.status();
    keys.clear();
    for (int r = 0; r < rows->size(); ++r) keys.push_back(rows->Text(r, 0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return keys;
}

Result<std::vector<Job>> PostgresStore::ClaimDueJobs(Seconds now, int limit,
                                                     std::chrono::seconds lease) {
  if (lease.count() <= 0) return Status::InvalidArgument("The job lease must be positive.");
  std::vector<Job> claimed;
  if (limit <= 0) return claimed;
  Status status = Write([&](Connection& connection) {
    // SKIP LOCKED: jobs another replica is claiming right now are left to it, not waited for.
    // FOR UPDATE re-checks the conditions on the newest row version, so a job whose lease was
    // just taken and committed elsewhere is not taken again.
    static const std::string kSql =
        std::string(
            "WITH due AS (SELECT id FROM jobs WHERE state = 'pending'"
            " AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)"
            " ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
            " UPDATE jobs SET lease_until = $3, attempts = jobs.attempts + 1"
            " FROM due WHERE jobs.id = due.id RETURNING ") +
        "jobs.id, jobs.job_key, jobs.workspace_id, jobs.kind, jobs.target, jobs.payload, "
        "jobs.state, jobs.attempts, jobs.due_at, jobs.next_attempt_at, jobs.lease_until, "
        "jobs.last_error, jobs.created_at";
    return QueryAll(connection, kSql, Params().Time(now).Int(limit).Time(now + lease), ReadJob,
                    &claimed);
  });
  if (!status.ok()) return status;
  std::sort(claimed.begin(), claimed.end(), [](const Job& a, const Job& b) {
    return std::tie(a.next_attempt_at, a.id) < std::tie(b.next_attempt_at, b.id);
  });
  return claimed;
}

Status PostgresStore::MarkJobSent(int64_t job_id) {
  return Write([&](Connection& connection) {
    Result<Rows> updated = connection.Run(
        "UPDATE jobs SET state = 'sent', lease_until = NULL WHERE id = $1", Params().Int(job_id));
    if (!updated.ok()) return updated.status();
    if (updated->affected() == 0) return Status::NotFound("No job " + std::to_string(job_id) + ".");
    return Status::Ok();
  });
}

Status PostgresStore::ReleaseJob(int64_t job_id, Seconds retry_at) {
  return Write([&](Connection& connection) {
    Result<Rows> updated = connection.Run(
        "UPDATE jobs SET lease_until = NULL, next_attempt_at = $2, "
        "attempts = GREATEST(attempts - 1, 0) WHERE id = $1 AND state = 'pending'",
        Params().Int(job_id).Time(retry_at));
    if (!updated.ok()) return updated.status();
    if (updated->affected() == 0) {
      return Status::NotFound("No pending job " + std::to_string(job_id) + ".");
    }
    return Status::Ok();
  });
}

Status PostgresStore::MarkJobFailed(int64_t job_id, const std::string& error, Seconds retry_at,
                                    bool dead) {
  return Write([&](Connection& connection) {
    Result<Rows> updated = connection.Run(
        "UPDATE jobs SET state = $2, last_error = $3, lease_until = NULL, "
        "next_attempt_at = $4 WHERE id = $1 AND state <> 'sent'",
        Params()
            .Int(job_id)
            .Text(JobStateName(dead ? JobState::kDead : JobState::kPending))
            .Text(error)
            .Time(retry_at));
    if (!updated.ok()) return updated.status();
    if (updated->affected() == 0) return Status::NotFound("No job " + std::to_string(job_id) + ".");
    return Status::Ok();
  });
}

Result<std::vector<Job>> PostgresStore::ListJobs(const JobFilter& filter) {
  std::vector<Job> jobs;
  Status status = Read([&](Connection& connection) {
    static const std::string kSql = std::string("SELECT ") + kJobColumns +
                                    " FROM jobs WHERE ($1::text IS NULL OR state = $1::text)"
                                    " AND ($2::text = '' OR workspace_id = $2::text)"
                                    " ORDER BY id LIMIT $3";
    Params params;
    filter.state ? params.Text(JobStateName(*filter.state)) : params.Null();
    params.Text(filter.workspace_id);
    filter.limit <= 0 ? params.Null() : params.Int(filter.limit);
    return QueryAll(connection, kSql, params, ReadJob, &jobs);
  });
  if (!status.ok()) return status;
  return jobs;
}

}  // namespace okrbot
