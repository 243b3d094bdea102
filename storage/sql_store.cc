#include "storage/sql_store.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <tuple>

#include <nlohmann/json.hpp>

#include "storage/row_codec.h"
#include "storage/sql_rows.h"

namespace okrbot {

using namespace sql_rows;  // NOLINT(google-build-using-namespace): the core's own row mapping

namespace {

// ---- Shared write steps -----------------------------------------------------------------------

// A table whose rows are numbered per workspace, with its two constant lookups.
struct NumberedTable {
  const char* name;
  const Sql exists;
  const Sql max;
};

const NumberedTable kObjectives{
    "objectives", Sql("SELECT 1 FROM objectives WHERE workspace_id = $1 AND number = $2"),
    Sql("SELECT COALESCE(MAX(number), 0) FROM objectives "
        "WHERE workspace_id = $1")};
const NumberedTable kKeyResults{
    "key_results", Sql("SELECT 1 FROM key_results WHERE workspace_id = $1 AND number = $2"),
    Sql("SELECT COALESCE(MAX(number), 0) FROM key_results "
        "WHERE workspace_id = $1")};
const NumberedTable kInitiatives{
    "initiatives", Sql("SELECT 1 FROM initiatives WHERE workspace_id = $1 AND number = $2"),
    Sql("SELECT COALESCE(MAX(number), 0) FROM initiatives WHERE workspace_id = $1")};

Result<bool> RowExists(SqlConnection& connection, const NumberedTable& table,
                       const std::string& workspace_id, int64_t number) {
  SqlParams params;
  params.Text(workspace_id).Int(number);
  bool found = false;
  OKRBOT_RETURN_IF_ERROR(QueryOne(connection, table.exists, params, &found,
                                  [](const SqlRow&) { return Status::Ok(); }));
  return found;
}

// kNotFound with `missing` unless the row exists.
Status MustExist(SqlConnection& connection, const NumberedTable& table,
                 const std::string& workspace_id, int64_t number, const std::string& ref) {
  Result<bool> exists = RowExists(connection, table, workspace_id, number);
  if (!exists.ok()) return exists.status();
  if (!*exists) return Status::NotFound("No " + ref + " in this workspace.");
  return Status::Ok();
}

// Picks the number for a new row: the given one if free, else max + 1 of the workspace. Runs
// inside the inserting transaction; with concurrent writers an advisory lock (released at
// commit) makes creators in the workspace take turns, so two never compute the same max.
Result<int64_t> AssignNumber(SqlConnection& connection, const SqlDialect& dialect,
                             const NumberedTable& table, const std::string& ref,
                             const std::string& workspace_id, int64_t requested) {
  if (requested < 0) return Status::InvalidArgument(ref + " is not a valid number.");
  if (requested > 0) {
    Result<bool> taken = RowExists(connection, table, workspace_id, requested);
    if (!taken.ok()) return taken.status();
    if (*taken) return Status::AlreadyExists(ref + " already exists in this workspace.");
    return requested;
  }
  if (dialect.concurrent_writers) {
    static const Sql kLock("{number_lock}");
    SqlParams lock;
    lock.Text(std::string(table.name) + "/" + workspace_id);
    OKRBOT_RETURN_IF_ERROR(
        connection.Query(kLock, lock, [](const SqlRow&) { return Status::Ok(); }));
  }
  SqlParams params;
  params.Text(workspace_id);
  std::optional<int64_t> max;
  OKRBOT_RETURN_IF_ERROR(connection.Query(table.max, params, [&](const SqlRow& row) {
    max = row.Int(0);
    return Status::Ok();
  }));
  if (!max) return Status::Internal(std::string("No maximum number from ") + table.name + ".");
  return *max + 1;
}

Status InsertEdit(SqlConnection& connection, const EditRecord& edit) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(edit.workspace_id));
  static const Sql kSql(std::string("INSERT INTO edits (") + kEditColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7)");
  SqlParams params;
  params.Text(edit.workspace_id)
      .Text(edit.entity)
      .Text(edit.field)
      .Text(edit.old_value)
      .Text(edit.new_value)
      .Text(edit.author)
      .Time(edit.at);
  return connection.Execute(kSql, params).status();
}

// Edits are written with the row they describe and must belong to the same workspace; an
// empty workspace_id means "the row's".
Status AppendEdits(SqlConnection& connection, const std::string& workspace_id,
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

// Runs `sql`, which changes at most one row, and fails with `missing` when it changed none.
Status ChangeOne(SqlConnection& connection, const Sql& sql, const SqlParams& params,
                 const std::string& missing) {
  Result<int64_t> changed = connection.Execute(sql, params);
  if (!changed.ok()) return changed.status();
  if (*changed == 0) return Status::NotFound(missing);
  return Status::Ok();
}

// ---- List filters -----------------------------------------------------------------------------
//
// Only the conditions in use, so the planner can pick an index for them. There are few
// combinations: each is one constant Sql, built on first use and prepared once per connection.
// Parameters follow in the order the conditions appear ($1 is always the workspace).

// The condition on `objectives` rows that `person` (a placeholder) owns or has a key result in
// (a listed one unless archived ones are included): ListObjectives and ListKeyResults agree.
std::string InvolvingCondition(const std::string& person, bool include_archived) {
  return " AND (owner = " + person +
         " OR number IN (SELECT objective FROM key_results WHERE workspace_id = $1 AND owner = " +
         person + (include_archived ? "))" : " AND NOT archived))");
}

enum ObjectiveCondition { kByCycle = 1, kByOwner = 2, kByTeam = 4, kByInvolving = 8, kAll = 16 };

std::string ObjectiveListText(int conditions) {
  int next = 1;
  auto placeholder = [&] { return "$" + std::to_string(++next); };
  std::string sql =
      std::string("SELECT ") + kObjectiveColumns + " FROM objectives WHERE workspace_id = $1";
  if (conditions & kByCycle) sql += " AND cycle = " + placeholder();
  if (conditions & kByOwner) sql += " AND owner = " + placeholder();
  if (conditions & kByTeam) sql += " AND team = " + placeholder();
  if (conditions & kByInvolving) sql += InvolvingCondition(placeholder(), conditions & kAll);
  if (!(conditions & kAll)) sql += " AND NOT archived";
  return sql + " ORDER BY number";
}

enum KeyResultCondition {
  kKrByObjective = 1,
  kKrByOwner = 2,
  kKrByCycle = 4,
  kKrByInvolving = 8,
  kKrAll = 16
};

std::string KeyResultListText(int conditions) {
  int next = 1;
  auto placeholder = [&] { return "$" + std::to_string(++next); };
  std::string sql =
      std::string("SELECT ") + kKeyResultColumns + " FROM key_results WHERE workspace_id = $1";
  if (conditions & kKrByObjective) sql += " AND objective = " + placeholder();
  if (conditions & kKrByOwner) sql += " AND owner = " + placeholder();
  const bool by_objective = conditions & (kKrByCycle | kKrByInvolving);
  if (by_objective) {
    sql += " AND objective IN (SELECT number FROM objectives WHERE workspace_id = $1";
    if (conditions & kKrByCycle) sql += " AND cycle = " + placeholder();
    if (conditions & kKrByInvolving) sql += InvolvingCondition(placeholder(), conditions & kKrAll);
    sql += ")";
  }
  if (!(conditions & kKrAll)) sql += " AND NOT archived";
  // Looking up the few listed objectives' key results and sorting them is cheaper than walking
  // the workspace in key order (see {unindexed} in the dialect table).
  return sql + (by_objective ? " ORDER BY {unindexed:number}" : " ORDER BY number");
}

template <size_t N>
struct SqlTable {
  explicit SqlTable(std::string (*build)(int)) {
    for (size_t i = 0; i < N; ++i) entries[i] = std::make_unique<Sql>(build(static_cast<int>(i)));
  }
  std::array<std::unique_ptr<Sql>, N> entries;
};

}  // namespace

// ---- SqlStore ---------------------------------------------------------------------------------

SqlStore::SqlStore(const SqlDialect& dialect, std::span<const SqlMigration> migrations)
    : dialect_(dialect), migrations_(migrations) {}

Status SqlStore::Write(SqlBody body) {
  Status status = RunWrite(body);
  write_health_.Record(status);
  return status;
}

Status SqlStore::WriteOne(const Sql& sql, const SqlParams& params) {
  return Write([&](SqlConnection& connection) { return connection.Execute(sql, params).status(); });
}

template <typename T, typename ReadRow, typename NotFound>
Result<T> SqlStore::ReadOne(const Sql& sql, const SqlParams& params, ReadRow read,
                            NotFound not_found) {
  T value;
  bool found = false;
  Status status = Read([&](SqlConnection& connection) {
    return QueryOne(connection, sql, params, &found,
                    [&](const SqlRow& row) { return read(row, &value); });
  });
  if (!status.ok()) return status;
  if (!found) return Status::NotFound(not_found());
  return value;
}

template <typename T, typename ReadRow>
Result<std::vector<T>> SqlStore::ReadAll(const Sql& sql, const SqlParams& params, ReadRow read) {
  std::vector<T> rows;
  Status status = Read(
      [&](SqlConnection& connection) { return QueryAll(connection, sql, params, &rows, read); });
  if (!status.ok()) return status;
  return rows;
}

SqlParams& SqlStore::AddLimit(SqlParams& params, int limit) const {
  if (limit > 0) return params.Int(limit);
  return dialect_.no_limit_is_null ? params.Null() : params.Int(-1);
}

// ---- Schema -----------------------------------------------------------------------------------

namespace {

Result<int> MaxAppliedVersion(SqlConnection& connection) {
  static const Sql kPresent("{migrations_table_exists}");
  static const Sql kMax("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  SqlParams none;
  bool present = false;
  OKRBOT_RETURN_IF_ERROR(
      QueryOne(connection, kPresent, none, &present, [](const SqlRow&) { return Status::Ok(); }));
  if (!present) return 0;
  int version = 0;
  OKRBOT_RETURN_IF_ERROR(connection.Query(kMax, none, [&](const SqlRow& row) {
    version = static_cast<int>(row.Int(0));
    return Status::Ok();
  }));
  return version;
}

}  // namespace

Status SqlStore::ApplyMigrations(SqlConnection& connection, std::span<const SqlMigration> steps) {
  static const Sql kDone("SELECT 1 FROM schema_migrations WHERE version = $1");
  static const Sql kRecord(
      "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, {unix_now})");
  // Checked inside the transaction: a concurrent migrator cannot slip in between.
  Result<int> applied = MaxAppliedVersion(connection);
  if (!applied.ok()) return applied.status();
  if (*applied > latest_schema_version()) {
    return Status::FailedPrecondition(
        "The database has schema version " + std::to_string(*applied) +
        ", newer than this okrbot knows (" + std::to_string(latest_schema_version()) +
        "); upgrade okrbot.");
  }
  for (const SqlMigration& migration : steps) {
    SqlParams version;
    version.Int(migration.version);
    bool done = false;
    OKRBOT_RETURN_IF_ERROR(
        QueryOne(connection, kDone, version, &done, [](const SqlRow&) { return Status::Ok(); }));
    if (done) continue;
    OKRBOT_RETURN_IF_ERROR(connection.ExecuteScript(migration.sql));
    OKRBOT_RETURN_IF_ERROR(connection.Execute(kRecord, version).status());
  }
  return Status::Ok();
}

Status SqlStore::Migrate() {
  static const Sql kCreateTable("{create_migrations_table}");
  static const Sql kLock("{migration_lock}");
  SqlParams none;
  if (dialect_.concurrent_writers) {
    // One transaction under one advisory lock (DDL is transactional): replicas starting
    // together queue here; the first migrates, the rest find it done.
    return Write([&](SqlConnection& connection) {
      OKRBOT_RETURN_IF_ERROR(
          connection.Query(kLock, none, [](const SqlRow&) { return Status::Ok(); }));
      OKRBOT_RETURN_IF_ERROR(connection.Execute(kCreateTable, none).status());
      return ApplyMigrations(connection, migrations_);
    });
  }
  // One writer: each step in its own transaction, so a failing step keeps the ones before it.
  OKRBOT_RETURN_IF_ERROR(Write(
      [&](SqlConnection& connection) { return connection.Execute(kCreateTable, none).status(); }));
  for (size_t i = 0; i < migrations_.size(); ++i) {
    OKRBOT_RETURN_IF_ERROR(Write([&](SqlConnection& connection) {
      return ApplyMigrations(connection, migrations_.subspan(i, 1));
    }));
  }
  return Status::Ok();
}

Result<int> SqlStore::SchemaVersion() {
  int version = 0;
  Status status = Read([&](SqlConnection& connection) {
    Result<int> max = MaxAppliedVersion(connection);
    if (!max.ok()) return max.status();
    version = *max;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Status SqlStore::Ping() {
  static const Sql kSelect("SELECT 1");
  static const Sql kProbe(
      "INSERT INTO readiness_probe (id, probed_at) VALUES (1, $1) "
      "ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at");
  OKRBOT_RETURN_IF_ERROR(Read([](SqlConnection& connection) {
    return connection.Query(kSelect, SqlParams(), [](const SqlRow&) { return Status::Ok(); });
  }));
  if (!write_health_.TakeProbeTurn(std::chrono::steady_clock::now())) {
    return write_health_.Failure();
  }
  return Write([](SqlConnection& connection) {
    SqlParams params;
    params.Int(std::time(nullptr));
    return connection.Execute(kProbe, params).status();
  });
}

// ---- Workspaces and users ---------------------------------------------------------------------

Status SqlStore::UpsertWorkspace(const Workspace& workspace) {
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
  static const Sql kSql(std::string("INSERT INTO workspaces (") + kWorkspaceColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                        "ON CONFLICT (workspace_id) DO UPDATE SET platform = excluded.platform, "
                        "name = excluded.name, "
                        "fiscal_year_start_month = excluded.fiscal_year_start_month, "
                        "admins = excluded.admins, holidays = excluded.holidays, "
                        "default_tz = excluded.default_tz, installed = excluded.installed, "
                        "created_at = excluded.created_at");
  SqlParams params;
  params.Text(workspace.id)
      .Text(workspace.platform)
      .Text(workspace.name)
      .Int(workspace.fiscal_year_start_month)
      .Text(EncodeStringList(workspace.admins))
      .Text(EncodeStringList(holidays))
      .Text(workspace.default_tz)
      .Bool(workspace.installed)
      .Time(workspace.created_at);
  return WriteOne(kSql, params);
}

Result<Workspace> SqlStore::GetWorkspace(const std::string& workspace_id) {
  static const Sql kSql(std::string("SELECT ") + kWorkspaceColumns +
                        " FROM workspaces WHERE workspace_id = $1");
  SqlParams params;
  params.Text(workspace_id);
  return ReadOne<Workspace>(kSql, params, ReadWorkspace,
                            [&] { return "No workspace " + workspace_id + "."; });
}

Result<std::vector<Workspace>> SqlStore::ListWorkspaces() {
  static const Sql kSql(std::string("SELECT ") + kWorkspaceColumns +
                        " FROM workspaces ORDER BY workspace_id{byte_order}");
  return ReadAll<Workspace>(kSql, SqlParams(), ReadWorkspace);
}

Status SqlStore::UpsertUser(const User& user) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(user.workspace_id));
  static const Sql kSql(std::string("INSERT INTO users (") + kUserColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6) "
                        "ON CONFLICT (workspace_id, user_id) DO UPDATE SET "
                        "display_name = excluded.display_name, tz = excluded.tz, "
                        "tz_override = excluded.tz_override, away_until = excluded.away_until");
  SqlParams params;
  params.Text(user.workspace_id)
      .Text(user.id)
      .Text(user.display_name)
      .Text(user.tz)
      .Text(user.tz_override)
      .OptionalDate(user.away_until, "away_until");
  return WriteOne(kSql, params);
}

Result<User> SqlStore::GetUser(const std::string& workspace_id, const std::string& user_id) {
  static const Sql kSql(std::string("SELECT ") + kUserColumns +
                        " FROM users WHERE workspace_id = $1 AND user_id = $2");
  SqlParams params;
  params.Text(workspace_id).Text(user_id);
  return ReadOne<User>(kSql, params, ReadUser,
                       [&] { return "No user " + user_id + " in this workspace."; });
}

Result<std::vector<User>> SqlStore::ListUsers(const std::string& workspace_id) {
  static const Sql kSql(std::string("SELECT ") + kUserColumns +
                        " FROM users WHERE workspace_id = $1 ORDER BY user_id{byte_order}");
  SqlParams params;
  params.Text(workspace_id);
  return ReadAll<User>(kSql, params, ReadUser);
}

Result<std::vector<User>> SqlStore::GetUsers(const std::string& workspace_id,
                                             const std::vector<std::string>& user_ids) {
  if (user_ids.empty()) return std::vector<User>();
  // The ids travel as one JSON array parameter, so the statement text never changes.
  static const Sql kSql(std::string("SELECT ") + kUserColumns +
                        " FROM users WHERE workspace_id = $1 AND user_id IN ({json_elements:$2})"
                        " ORDER BY user_id{byte_order}");
  SqlParams params;
  params.Text(workspace_id).Text(EncodeStringList(user_ids));
  return ReadAll<User>(kSql, params, ReadUser);
}

// ---- Objectives -------------------------------------------------------------------------------

Result<Objective> SqlStore::CreateObjective(const Objective& objective) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(objective.workspace_id));
  static const Sql kSql(std::string("INSERT INTO objectives (") + kObjectiveColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
  Objective created = objective;
  Status status = Write([&](SqlConnection& connection) {
    Result<int64_t> number =
        AssignNumber(connection, dialect_, kObjectives, ObjectiveRef(objective.number),
                     objective.workspace_id, objective.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    SqlParams params;
    params.Text(created.workspace_id).Int(created.number);
    AddObjectiveFields(params, created);
    return connection.Execute(kSql, params).status();
  });
  if (!status.ok()) return status;
  return created;
}

Result<Objective> SqlStore::GetObjective(const std::string& workspace_id, int64_t number) {
  static const Sql kSql(std::string("SELECT ") + kObjectiveColumns +
                        " FROM objectives WHERE workspace_id = $1 AND number = $2");
  SqlParams params;
  params.Text(workspace_id).Int(number);
  return ReadOne<Objective>(kSql, params, ReadObjective, [&] {
    return "No objective " + ObjectiveRef(number) + " in this workspace.";
  });
}

Result<std::vector<Objective>> SqlStore::ListObjectives(const std::string& workspace_id,
                                                        const ObjectiveFilter& filter) {
  static const SqlTable<32> kQueries(ObjectiveListText);
  SqlParams params;
  params.Text(workspace_id);
  int conditions = 0;
  if (!filter.cycle.empty()) {
    conditions |= kByCycle;
    params.Text(filter.cycle);
  }
  if (!filter.owner.empty()) {
    conditions |= kByOwner;
    params.Text(filter.owner);
  }
  if (!filter.team.empty()) {
    conditions |= kByTeam;
    params.Text(filter.team);
  }
  if (!filter.involving.empty()) {
    conditions |= kByInvolving;
    params.Text(filter.involving);
  }
  if (filter.include_archived) conditions |= kAll;
  const Sql& sql = *kQueries.entries[static_cast<size_t>(conditions)];
  return ReadAll<Objective>(sql, params, ReadObjective);
}

Status SqlStore::UpdateObjective(const Objective& objective, const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(objective.workspace_id));
  static const Sql kSql(
      "UPDATE objectives SET title = $3, owner = $4, team = $5, cycle = $6, goal_type = $7, "
      "parent = $8, archived = $9, created_by = $10, created_at = $11 "
      "WHERE workspace_id = $1 AND number = $2");
  SqlParams params;
  params.Text(objective.workspace_id).Int(objective.number);
  AddObjectiveFields(params, objective);
  return Write([&](SqlConnection& connection) {
    OKRBOT_RETURN_IF_ERROR(
        ChangeOne(connection, kSql, params,
                  "No objective " + ObjectiveRef(objective.number) + " in this workspace."));
    return AppendEdits(connection, objective.workspace_id, edits);
  });
}

// ---- Key results ------------------------------------------------------------------------------

Result<KeyResult> SqlStore::CreateKeyResult(const KeyResult& kr) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(kr.workspace_id));
  static const Sql kSql(std::string("INSERT INTO key_results (") + kKeyResultColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                        "$15, $16, $17, $18)");
  KeyResult created = kr;
  Status status = Write([&](SqlConnection& connection) {
    OKRBOT_RETURN_IF_ERROR(MustExist(connection, kObjectives, kr.workspace_id, kr.objective,
                                     "objective " + ObjectiveRef(kr.objective)));
    Result<int64_t> number = AssignNumber(connection, dialect_, kKeyResults,
                                          KeyResultRef(kr.number), kr.workspace_id, kr.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    SqlParams params;
    params.Text(created.workspace_id).Int(created.number);
    AddKeyResultFields(params, created, /*with_checkin_columns=*/true);
    return connection.Execute(kSql, params).status();
  });
  if (!status.ok()) return status;
  return created;
}

Result<KeyResult> SqlStore::GetKeyResult(const std::string& workspace_id, int64_t number) {
  static const Sql kSql(std::string("SELECT ") + kKeyResultColumns +
                        " FROM key_results WHERE workspace_id = $1 AND number = $2");
  SqlParams params;
  params.Text(workspace_id).Int(number);
  return ReadOne<KeyResult>(kSql, params, ReadKeyResult, [&] {
    return "No key result " + KeyResultRef(number) + " in this workspace.";
  });
}

Result<std::vector<KeyResult>> SqlStore::ListKeyResults(const std::string& workspace_id,
                                                        const KeyResultFilter& filter) {
  static const SqlTable<32> kQueries(KeyResultListText);
  SqlParams params;
  params.Text(workspace_id);
  int conditions = 0;
  if (filter.objective != 0) {
    conditions |= kKrByObjective;
    params.Int(filter.objective);
  }
  if (!filter.owner.empty()) {
    conditions |= kKrByOwner;
    params.Text(filter.owner);
  }
  if (!filter.cycle.empty()) {
    conditions |= kKrByCycle;
    params.Text(filter.cycle);
  }
  if (!filter.involving.empty()) {
    conditions |= kKrByInvolving;
    params.Text(filter.involving);
  }
  if (filter.include_archived) conditions |= kKrAll;
  const Sql& sql = *kQueries.entries[static_cast<size_t>(conditions)];
  return ReadAll<KeyResult>(sql, params, ReadKeyResult);
}

Status SqlStore::UpdateKeyResult(const KeyResult& kr, const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(kr.workspace_id));
  static const Sql kSql(
      "UPDATE key_results SET objective = $3, text = $4, owner = $5, baseline = $6, "
      "target = $7, unit = $8, direction = $9, cadence = $10, weight = $11, archived = $12, "
      "quality_kept = $13, snoozed_until = $14, created_by = $15, created_at = $16 "
      "WHERE workspace_id = $1 AND number = $2");
  SqlParams params;
  params.Text(kr.workspace_id).Int(kr.number);
  AddKeyResultFields(params, kr, /*with_checkin_columns=*/false);
  return Write([&](SqlConnection& connection) {
    OKRBOT_RETURN_IF_ERROR(MustExist(connection, kKeyResults, kr.workspace_id, kr.number,
                                     "key result " + KeyResultRef(kr.number)));
    OKRBOT_RETURN_IF_ERROR(MustExist(connection, kObjectives, kr.workspace_id, kr.objective,
                                     "objective " + ObjectiveRef(kr.objective)));
    OKRBOT_RETURN_IF_ERROR(connection.Execute(kSql, params).status());
    return AppendEdits(connection, kr.workspace_id, edits);
  });
}

// ---- Check-ins --------------------------------------------------------------------------------

Result<CheckIn> SqlStore::RecordCheckIn(const CheckIn& checkin) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(checkin.workspace_id));
  if (checkin.confidence && (*checkin.confidence < 0 || *checkin.confidence > 100)) {
    return Status::InvalidArgument("Confidence must be between 0 and 100.");
  }
  // {for_update}: concurrent check-ins of this KR take turns, so the newest by time wins.
  static const Sql kLastSql(
      "SELECT last_checkin_at FROM key_results WHERE workspace_id = $1 AND number = $2"
      "{for_update}");
  static const Sql kInsertSql(
      "INSERT INTO checkins (workspace_id, kr, value, confidence, note, author, at, "
      "request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8){returning_id}");
  static const Sql kUpdateSql(
      "UPDATE key_results SET current_value = $3, last_checkin_at = $4 "
      "WHERE workspace_id = $1 AND number = $2");
  SqlParams key;
  key.Text(checkin.workspace_id).Int(checkin.kr);
  SqlParams insert;
  insert.Text(checkin.workspace_id)
      .Int(checkin.kr)
      .Real(checkin.value, "value")
      .OptionalInt(checkin.confidence ? std::optional<int64_t>(*checkin.confidence) : std::nullopt)
      .Text(checkin.note)
      .Text(checkin.author)
      .Time(checkin.at)
      .Text(checkin.request_id);
  SqlParams update;
  update.Text(checkin.workspace_id).Int(checkin.kr).Real(checkin.value, "value").Time(checkin.at);
  CheckIn stored = checkin;
  Status status = Write([&](SqlConnection& connection) {
    bool found = false;
    std::optional<Seconds> last_checkin_at;
    OKRBOT_RETURN_IF_ERROR(QueryOne(connection, kLastSql, key, &found, [&](const SqlRow& row) {
      last_checkin_at = row.OptionalTime(0);
      return Status::Ok();
    }));
    if (!found) {
      return Status::NotFound("No key result " + KeyResultRef(checkin.kr) + " in this workspace.");
    }
    Result<int64_t> id = connection.InsertReturningId(kInsertSql, insert);
    if (!id.ok()) return id.status();
    stored.id = *id;
    // A late-arriving older check-in joins the history but does not rewind `current`.
    if (last_checkin_at && checkin.at < *last_checkin_at) return Status::Ok();
    return connection.Execute(kUpdateSql, update).status();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<std::vector<CheckIn>> SqlStore::ListCheckIns(const std::string& workspace_id, int64_t kr,
                                                    int limit) {
  static const Sql kSql(std::string("SELECT ") + kCheckInColumns +
                        " FROM checkins WHERE workspace_id = $1 AND kr = $2"
                        " ORDER BY at DESC, id DESC LIMIT $3");
  SqlParams params;
  params.Text(workspace_id).Int(kr);
  AddLimit(params, limit);
  return ReadAll<CheckIn>(kSql, params, ReadCheckIn);
}

// ---- Initiatives ------------------------------------------------------------------------------

Result<Initiative> SqlStore::CreateInitiative(const Initiative& initiative) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(initiative.workspace_id));
  static const Sql kSql(std::string("INSERT INTO initiatives (") + kInitiativeColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7)");
  Initiative created = initiative;
  Status status = Write([&](SqlConnection& connection) {
    OKRBOT_RETURN_IF_ERROR(MustExist(connection, kKeyResults, initiative.workspace_id,
                                     initiative.kr, "key result " + KeyResultRef(initiative.kr)));
    Result<int64_t> number =
        AssignNumber(connection, dialect_, kInitiatives, InitiativeRef(initiative.number),
                     initiative.workspace_id, initiative.number);
    if (!number.ok()) return number.status();
    created.number = *number;
    SqlParams params;
    params.Text(created.workspace_id).Int(created.number);
    AddInitiativeFields(params, created);
    return connection.Execute(kSql, params).status();
  });
  if (!status.ok()) return status;
  return created;
}

Result<Initiative> SqlStore::GetInitiative(const std::string& workspace_id, int64_t number) {
  static const Sql kSql(std::string("SELECT ") + kInitiativeColumns +
                        " FROM initiatives WHERE workspace_id = $1 AND number = $2");
  SqlParams params;
  params.Text(workspace_id).Int(number);
  return ReadOne<Initiative>(kSql, params, ReadInitiative, [&] {
    return "No initiative " + InitiativeRef(number) + " in this workspace.";
  });
}

Result<std::vector<Initiative>> SqlStore::ListInitiatives(const std::string& workspace_id,
                                                          int64_t kr) {
  static const Sql kSql(std::string("SELECT ") + kInitiativeColumns +
                        " FROM initiatives WHERE workspace_id = $1"
                        " AND (CAST($2 AS BIGINT) = 0 OR kr = CAST($2 AS BIGINT)) ORDER BY number");
  SqlParams params;
  params.Text(workspace_id).Int(kr);
  return ReadAll<Initiative>(kSql, params, ReadInitiative);
}

Status SqlStore::UpdateInitiative(const Initiative& initiative,
                                  const std::vector<EditRecord>& edits) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(initiative.workspace_id));
  static const Sql kSql(
      "UPDATE initiatives SET kr = $3, text = $4, done = $5, created_by = $6, created_at = $7 "
      "WHERE workspace_id = $1 AND number = $2");
  SqlParams params;
  params.Text(initiative.workspace_id).Int(initiative.number);
  AddInitiativeFields(params, initiative);
  return Write([&](SqlConnection& connection) {
    OKRBOT_RETURN_IF_ERROR(MustExist(connection, kInitiatives, initiative.workspace_id,
                                     initiative.number,
                                     "initiative " + InitiativeRef(initiative.number)));
    OKRBOT_RETURN_IF_ERROR(MustExist(connection, kKeyResults, initiative.workspace_id,
                                     initiative.kr, "key result " + KeyResultRef(initiative.kr)));
    OKRBOT_RETURN_IF_ERROR(connection.Execute(kSql, params).status());
    return AppendEdits(connection, initiative.workspace_id, edits);
  });
}

// ---- Edit history -----------------------------------------------------------------------------

Status SqlStore::AppendEdit(const EditRecord& edit) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(edit.workspace_id));
  return Write([&](SqlConnection& connection) { return InsertEdit(connection, edit); });
}

Result<std::vector<EditRecord>> SqlStore::ListEdits(const std::string& workspace_id,
                                                    const std::string& entity) {
  static const Sql kSql(
      std::string("SELECT ") + kEditColumns +
      " FROM edits WHERE workspace_id = $1"
      " AND (CAST($2 AS TEXT) = '' OR entity = CAST($2 AS TEXT)) ORDER BY at, id");
  SqlParams params;
  params.Text(workspace_id).Text(entity);
  return ReadAll<EditRecord>(kSql, params, ReadEdit);
}

// ---- Installations, conversation references and seen events -----------------------------------

Status SqlStore::UpsertInstallation(const Installation& installation) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(installation.workspace_id));
  static const Sql kSql(
      "INSERT INTO installations (workspace_id, platform, team_id, enterprise_id, "
      "bot_token_sealed, bot_user_id, scopes, installer, extra, installed_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
      "ON CONFLICT (workspace_id) DO UPDATE SET platform = excluded.platform, "
      "team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, "
      "bot_token_sealed = excluded.bot_token_sealed, bot_user_id = excluded.bot_user_id, "
      "scopes = excluded.scopes, installer = excluded.installer, extra = excluded.extra, "
      "installed_at = excluded.installed_at, updated_at = excluded.updated_at");
  SqlParams params;
  params.Text(installation.workspace_id)
      .Text(installation.platform)
      .Text(installation.team_id)
      .Text(installation.enterprise_id)
      .Text(installation.bot_token_sealed)
      .Text(installation.bot_user_id)
      .Text(installation.scopes)
      .Text(installation.installer)
      .Text(installation.extra)
      .Time(installation.installed_at)
      .Time(installation.updated_at);
  return WriteOne(kSql, params);
}

Result<Installation> SqlStore::GetInstallation(const std::string& workspace_id) {
  static const Sql kSql(
      "SELECT workspace_id, platform, team_id, enterprise_id, bot_token_sealed, bot_user_id, "
      "scopes, installer, extra, installed_at, updated_at FROM installations "
      "WHERE workspace_id = $1");
  SqlParams params;
  params.Text(workspace_id);
  return ReadOne<Installation>(kSql, params, ReadInstallation, [&] {
    return "No installation for workspace " + workspace_id + ".";
  });
}

Status SqlStore::PutConversationRef(const ConversationRef& ref) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(ref.workspace_id));
  if (ref.target.empty()) return Status::InvalidArgument("The conversation target is empty.");
  static const Sql kSql(
      "INSERT INTO conversation_refs (workspace_id, target, reference, updated_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, target) DO UPDATE "
      "SET reference = excluded.reference, updated_at = excluded.updated_at");
  SqlParams params;
  params.Text(ref.workspace_id).Text(ref.target).Text(ref.reference).Time(ref.updated_at);
  return WriteOne(kSql, params);
}

Result<ConversationRef> SqlStore::GetConversationRef(const std::string& workspace_id,
                                                     const std::string& target) {
  static const Sql kSql(
      "SELECT workspace_id, target, reference, updated_at FROM conversation_refs "
      "WHERE workspace_id = $1 AND target = $2");
  SqlParams params;
  params.Text(workspace_id).Text(target);
  return ReadOne<ConversationRef>(kSql, params, ReadConversationRef,
                                  [&] { return "No conversation reference for " + target + "."; });
}

Result<bool> SqlStore::MarkEventSeen(const std::string& workspace_id, const std::string& event_id,
                                     Seconds at) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(workspace_id));
  if (event_id.empty()) return Status::InvalidArgument("The event id is empty.");
  static const Sql kSql(
      "INSERT INTO seen_events (workspace_id, event_id, seen_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (workspace_id, event_id) DO NOTHING");
  SqlParams params;
  params.Text(workspace_id).Text(event_id).Time(at);
  bool first = false;
  Status status = Write([&](SqlConnection& connection) {
    Result<int64_t> inserted = connection.Execute(kSql, params);
    if (!inserted.ok()) return inserted.status();
    first = *inserted > 0;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return first;
}

// ---- Reminders --------------------------------------------------------------------------------

Status SqlStore::PutReminder(const Reminder& reminder) {
  OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(reminder.workspace_id));
  static const Sql kSql(
      std::string("INSERT INTO reminders (") + kReminderColumns +
      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (workspace_id, kind, team) DO UPDATE SET channel = excluded.channel, "
      "weekday = excluded.weekday, minute_of_day = excluded.minute_of_day, tz = excluded.tz, "
      "enabled = excluded.enabled");
  SqlParams params;
  params.Text(reminder.workspace_id)
      .Text(reminder.kind)
      .Text(reminder.team)
      .Text(reminder.channel)
      .Int(reminder.weekday)
      .Int(reminder.minute_of_day)
      .Text(reminder.tz)
      .Bool(reminder.enabled);
  return WriteOne(kSql, params);
}

Result<std::vector<Reminder>> SqlStore::ListReminders(const std::string& workspace_id) {
  static const Sql kSql(std::string("SELECT ") + kReminderColumns +
                        " FROM reminders WHERE workspace_id = $1"
                        " ORDER BY kind{byte_order}, team{byte_order}");
  SqlParams params;
  params.Text(workspace_id);
  return ReadAll<Reminder>(kSql, params, ReadReminder);
}

Status SqlStore::DeleteReminders(const std::string& workspace_id) {
  static const Sql kSql("DELETE FROM reminders WHERE workspace_id = $1");
  SqlParams params;
  params.Text(workspace_id);
  return WriteOne(kSql, params);
}

// ---- Jobs -------------------------------------------------------------------------------------

Result<bool> SqlStore::EnqueueJob(const Job& job) {
  Result<int> created = EnqueueJobs({job});
  if (!created.ok()) return created.status();
  return *created == 1;
}

Result<int> SqlStore::EnqueueJobs(const std::vector<Job>& jobs) {
  for (const Job& job : jobs) {
    OKRBOT_RETURN_IF_ERROR(CheckWorkspaceId(job.workspace_id));
    if (job.key.empty()) return Status::InvalidArgument("The job key is empty.");
  }
  static const Sql kSql(
      "INSERT INTO jobs (job_key, workspace_id, kind, target, payload, state, attempts, "
      "due_at, next_attempt_at, lease_until, last_error, created_at, ready_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
      "ON CONFLICT (job_key) DO NOTHING");
  std::vector<const Job*> ordered;
  ordered.reserve(jobs.size());
  for (const Job& job : jobs) ordered.push_back(&job);
  if (dialect_.concurrent_writers) {
    // Replicas planning the same posts insert them in one order (by key), so their
    // transactions wait for each other instead of deadlocking on each other's keys.
    std::sort(ordered.begin(), ordered.end(),
              [](const Job* a, const Job* b) { return a->key < b->key; });
  }
  int created = 0;
  Status status = Write([&](SqlConnection& connection) {
    created = 0;  // a retried transaction body starts again
    for (const Job* job : ordered) {
      SqlParams params;
      params.Text(job->key)
          .Text(job->workspace_id)
          .Text(job->kind)
          .Text(job->target)
          .Text(job->payload)
          .Text(JobStateName(job->state))
          .Int(job->attempts)
          .Time(job->due_at)
          // An unset next attempt means "when due", never "at the epoch" (which would send early).
          .Time(job->next_attempt_at == Seconds{} ? job->due_at : job->next_attempt_at)
          .OptionalTime(job->lease_until)
          .Text(job->last_error)
          .Time(job->created_at)
          .Time(job->ready_at == Seconds{} ? std::max(job->due_at, job->created_at)
                                           : job->ready_at);
      Result<int64_t> inserted = connection.Execute(kSql, params);
      if (!inserted.ok()) return inserted.status();
      if (*inserted > 0) ++created;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return created;
}

Result<std::vector<std::string>> SqlStore::ListJobKeys(const std::string& workspace_id,
                                                       Seconds created_since) {
  static const Sql kSql("SELECT job_key FROM jobs WHERE workspace_id = $1 AND created_at >= $2");
  SqlParams params;
  params.Text(workspace_id).Time(created_since);
  return ReadAll<std::string>(kSql, params, [](const SqlRow& row, std::string* key) {
    *key = row.String(0);
    return Status::Ok();
  });
}

Result<std::vector<Job>> SqlStore::ClaimDueJobs(Seconds now, int limit, std::chrono::seconds lease,
                                                const std::vector<std::string>& skip_workspaces) {
  if (lease.count() <= 0) return Status::InvalidArgument("The job lease must be positive.");
  std::vector<Job> claimed;
  if (limit <= 0) return claimed;
  const Seconds lease_until = now + lease;
  // The claim is one statement where writers run concurrently and two under a single writer.
  // PostgreSQL: SKIP LOCKED leaves jobs another replica is claiming right now to it instead of
  // waiting; FOR UPDATE re-checks the conditions on the newest row version, so a job whose lease
  // was just taken and committed elsewhere is not taken again.
  static const Sql kClaimLockedSql(
      "WITH due AS (SELECT id FROM jobs WHERE state = 'pending'"
      " AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)"
      " AND workspace_id NOT IN ({json_elements:$4})"
      " ORDER BY next_attempt_at, due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE jobs SET lease_until = $3, attempts = jobs.attempts + 1"
      " FROM due WHERE jobs.id = due.id RETURNING "
      "jobs.id, jobs.job_key, jobs.workspace_id, jobs.kind, jobs.target, jobs.payload, "
      "jobs.state, jobs.attempts, jobs.due_at, jobs.next_attempt_at, jobs.lease_until, "
      "jobs.last_error, jobs.created_at, jobs.ready_at, jobs.finished_at");
  // SQLite: the single writer holds the database for the whole transaction, so reading the due
  // jobs and then taking their leases cannot race.
  static const Sql kSelectDueSql(std::string("SELECT ") + kJobColumns +
                                 " FROM jobs WHERE state = 'pending' AND next_attempt_at <= $1"
                                 " AND (lease_until IS NULL OR lease_until <= $1)"
                                 " AND workspace_id NOT IN ({json_elements:$3})"
                                 " ORDER BY next_attempt_at, due_at, id LIMIT $2");
  static const Sql kLeaseSql(
      "UPDATE jobs SET lease_until = $1, attempts = attempts + 1 WHERE id = $2");
  const std::string skipped = nlohmann::json(skip_workspaces).dump();
  Status status = Write([&](SqlConnection& connection) {
    if (dialect_.concurrent_writers) {
      SqlParams params;
      params.Time(now).Int(limit).Time(lease_until).Text(skipped);
      return QueryAll(connection, kClaimLockedSql, params, &claimed, ReadJob);
    }
    SqlParams params;
    params.Time(now).Int(limit).Text(skipped);
    OKRBOT_RETURN_IF_ERROR(QueryAll(connection, kSelectDueSql, params, &claimed, ReadJob));
    for (Job& job : claimed) {
      SqlParams lease_params;
      lease_params.Time(lease_until).Int(job.id);
      OKRBOT_RETURN_IF_ERROR(connection.Execute(kLeaseSql, lease_params).status());
      job.lease_until = lease_until;
      job.attempts += 1;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  // RETURNING has no order.
  std::sort(claimed.begin(), claimed.end(), [](const Job& a, const Job& b) {
    return std::tie(a.next_attempt_at, a.due_at, a.id) <
           std::tie(b.next_attempt_at, b.due_at, b.id);
  });
  return claimed;
}

Status SqlStore::MarkJobSent(int64_t job_id, Seconds sent_at) {
  static const Sql kSql(
      "UPDATE jobs SET state = 'sent', lease_until = NULL, finished_at = $2 WHERE id = $1");
  SqlParams params;
  params.Int(job_id).Time(sent_at);
  return Write([&](SqlConnection& connection) {
    return ChangeOne(connection, kSql, params, "No job " + std::to_string(job_id) + ".");
  });
}

Status SqlStore::ReleaseJob(int64_t job_id, Seconds retry_at) {
  static const Sql kSql(
      "UPDATE jobs SET lease_until = NULL, next_attempt_at = $2, "
      "attempts = {max:attempts - 1, 0} WHERE id = $1 AND state = 'pending'");
  SqlParams params;
  params.Int(job_id).Time(retry_at);
  return Write([&](SqlConnection& connection) {
    return ChangeOne(connection, kSql, params, "No pending job " + std::to_string(job_id) + ".");
  });
}

Status SqlStore::MarkJobFailed(int64_t job_id, const std::string& error, Seconds retry_at,
                               bool dead) {
  static const Sql kSql(
      "UPDATE jobs SET state = $2, last_error = $3, lease_until = NULL, "
      "next_attempt_at = $4, finished_at = $5 WHERE id = $1 AND state <> 'sent'");
  SqlParams params;
  params.Int(job_id)
      .Text(JobStateName(dead ? JobState::kDead : JobState::kPending))
      .Text(error)
      .Time(retry_at);
  dead ? params.Time(retry_at) : params.Null();
  return Write([&](SqlConnection& connection) {
    return ChangeOne(connection, kSql, params, "No job " + std::to_string(job_id) + ".");
  });
}

Result<std::vector<Job>> SqlStore::ListJobs(const JobFilter& filter) {
  static const Sql kSql(std::string("SELECT ") + kJobColumns +
                        " FROM jobs WHERE (CAST($1 AS TEXT) IS NULL OR state = CAST($1 AS TEXT))"
                        " AND (CAST($2 AS TEXT) = '' OR workspace_id = CAST($2 AS TEXT))"
                        " ORDER BY id LIMIT $3");
  SqlParams params;
  filter.state ? params.Text(JobStateName(*filter.state)) : params.Null();
  params.Text(filter.workspace_id);
  AddLimit(params, filter.limit);
  return ReadAll<Job>(kSql, params, ReadJob);
}

Result<std::optional<Seconds>> SqlStore::LastJobSentAt(const std::string& workspace_id,
                                                       const std::string& target,
                                                       const std::vector<std::string>& kinds) {
  static const Sql kSql(
      "SELECT MAX(finished_at) FROM jobs WHERE workspace_id = $1 AND target = $2"
      " AND state = 'sent' AND kind IN ({json_elements:$3})");
  const std::string kind_list = nlohmann::json(kinds).dump();
  SqlParams params;
  params.Text(workspace_id).Text(target).Text(kind_list);
  // MAX() answers one row, NULL when nothing was sent.
  return ReadOne<std::optional<Seconds>>(
      kSql, params,
      [](const SqlRow& row, std::optional<Seconds>* at) {
        *at = row.OptionalTime(0);
        return Status::Ok();
      },
      [] { return std::string("No row from MAX()."); });
}

Status SqlStore::RequeueJob(int64_t job_id, Seconds now) {
  static const Sql kSql(
      "UPDATE jobs SET state = 'pending', attempts = 0, lease_until = NULL,"
      " next_attempt_at = due_at, ready_at = $2, finished_at = NULL, last_error = 'retry requested "
      "by an operator'"
      " WHERE id = $1 AND state <> 'sent'");
  static const Sql kStateSql("SELECT state FROM jobs WHERE id = $1");
  SqlParams params;
  params.Int(job_id).Time(now);
  return Write([&](SqlConnection& connection) -> Status {
    Result<int64_t> changed = connection.Execute(kSql, params);
    if (!changed.ok()) return changed.status();
    if (*changed > 0) return Status::Ok();
    SqlParams id;
    id.Int(job_id);
    bool exists = false;
    OKRBOT_RETURN_IF_ERROR(connection.Query(kStateSql, id, [&](const SqlRow&) {
      exists = true;
      return Status::Ok();
    }));
    if (exists) {
      return Status::FailedPrecondition("Job " + std::to_string(job_id) + " was already sent.");
    }
    return Status::NotFound("No job " + std::to_string(job_id) + ".");
  });
}

// ---- Retention and statistics -----------------------------------------------------------------

Result<PruneCounts> SqlStore::Prune(Seconds seen_events_before, Seconds jobs_before) {
  static const Sql kSeenSql("DELETE FROM seen_events WHERE seen_at < $1");
  // Jobs sent or dead before finished_at existed (schema 6) count from their last attempt.
  static const Sql kJobsSql(
      "DELETE FROM jobs WHERE state IN ('sent', 'dead')"
      " AND COALESCE(finished_at, next_attempt_at) < $1");
  static const Sql kLinksSql("DELETE FROM web_links WHERE expires_at < $1");
  static const Sql kSessionsSql("DELETE FROM web_sessions WHERE expires_at < $1 OR revoked");
  static const Sql kChartsSql("DELETE FROM charts WHERE created_at < $1");
  PruneCounts counts;
  Status status = Write([&](SqlConnection& connection) -> Status {
    SqlParams seen;
    seen.Time(seen_events_before);
    Result<int64_t> events = connection.Execute(kSeenSql, seen);
    if (!events.ok()) return events.status();
    SqlParams jobs;
    jobs.Time(jobs_before);
    Result<int64_t> deleted = connection.Execute(kJobsSql, jobs);
    if (!deleted.ok()) return deleted.status();
    counts.seen_events = *events;
    counts.jobs = *deleted;
    counts.web = 0;
    for (const Sql* sql : {&kLinksSql, &kSessionsSql}) {
      Result<int64_t> web = connection.Execute(*sql, seen);
      if (!web.ok()) return web.status();
      counts.web += *web;
    }
    Result<int64_t> charts = connection.Execute(kChartsSql, jobs);
    if (!charts.ok()) return charts.status();
    counts.charts = *charts;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return counts;
}

Result<StoreStats> SqlStore::Stats() {
  // One constant statement per table: statements are prepared once, keyed by their address.
  struct TableCount {
    const char* table;
    Sql sql;
  };
  static const TableCount kTables[] = {
      {"charts", Sql("SELECT COUNT(*) FROM charts")},
      {"checkins", Sql("SELECT COUNT(*) FROM checkins")},
      {"conversation_refs", Sql("SELECT COUNT(*) FROM conversation_refs")},
      {"edits", Sql("SELECT COUNT(*) FROM edits")},
      {"initiatives", Sql("SELECT COUNT(*) FROM initiatives")},
      {"installations", Sql("SELECT COUNT(*) FROM installations")},
      {"jobs", Sql("SELECT COUNT(*) FROM jobs")},
      {"key_results", Sql("SELECT COUNT(*) FROM key_results")},
      {"objectives", Sql("SELECT COUNT(*) FROM objectives")},
      {"reminders", Sql("SELECT COUNT(*) FROM reminders")},
      {"seen_events", Sql("SELECT COUNT(*) FROM seen_events")},
      {"users", Sql("SELECT COUNT(*) FROM users")},
      {"web_links", Sql("SELECT COUNT(*) FROM web_links")},
      {"web_sessions", Sql("SELECT COUNT(*) FROM web_sessions")},
      {"workspaces", Sql("SELECT COUNT(*) FROM workspaces")},
  };
  static const Sql kBytesSql("{database_bytes}");
  static const Sql kFreeSql("{free_bytes}");
  auto count = [this](const Sql& sql) {
    return ReadOne<int64_t>(
        sql, SqlParams(),
        [](const SqlRow& row, int64_t* value) {
          *value = row.Int(0);
          return Status::Ok();
        },
        [] { return std::string("No row from a count."); });
  };
  StoreStats stats;
  for (const TableCount& table : kTables) {
    Result<int64_t> rows = count(table.sql);
    if (!rows.ok()) return rows.status();
    stats.rows.emplace_back(table.table, *rows);
  }
  Result<int64_t> bytes = count(kBytesSql);
  if (!bytes.ok()) return bytes.status();
  Result<int64_t> free_bytes = count(kFreeSql);
  if (!free_bytes.ok()) return free_bytes.status();
  stats.bytes = *bytes;
  stats.free_bytes = *free_bytes;
  return stats;
}

}  // namespace okrbot
