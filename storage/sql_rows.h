// Row mapping of the SQL core (storage/sql_store.h): the column lists of each table and how a
// model value becomes statement parameters and a result row becomes a model value — written
// once for every engine.
//
// Contract: Read* fill `out` from a row selected with the matching k*Columns list (columns in
// that order) and return kInternal, naming the row, when a stored value is not one the model
// knows (an unknown enum name, a list that is not JSON, a date that is not YYYY-MM-DD). Add*
// append the fields in the order their statements' placeholders expect (documented at each).
// Pure functions; thread-safe.
#pragma once

#include "core/model.h"
#include "core/status.h"
#include "storage/sql.h"

namespace okrbot::sql_rows {

inline constexpr char kWorkspaceColumns[] =
    "workspace_id, platform, name, fiscal_year_start_month, admins, holidays, default_tz, "
    "installed, created_at";
inline constexpr char kUserColumns[] =
    "workspace_id, user_id, display_name, tz, tz_override, away_until";
inline constexpr char kObjectiveColumns[] =
    "workspace_id, number, title, owner, team, cycle, goal_type, parent, archived, created_by, "
    "created_at";
inline constexpr char kKeyResultColumns[] =
    "workspace_id, number, objective, text, owner, baseline, target, current_value, unit, "
    "direction, cadence, weight, archived, quality_kept, snoozed_until, last_checkin_at, "
    "created_by, created_at";
inline constexpr char kCheckInColumns[] =
    "workspace_id, id, kr, value, confidence, note, author, at";
inline constexpr char kInitiativeColumns[] =
    "workspace_id, number, kr, text, done, created_by, created_at";
inline constexpr char kEditColumns[] =
    "workspace_id, entity, field, old_value, new_value, author, at";
inline constexpr char kReminderColumns[] =
    "workspace_id, kind, team, channel, weekday, minute_of_day, tz, enabled";
inline constexpr char kJobColumns[] =
    "id, job_key, workspace_id, kind, target, payload, state, attempts, due_at, "
    "next_attempt_at, lease_until, last_error, created_at, ready_at, finished_at";

Status ReadWorkspace(const SqlRow& row, Workspace* out);
Status ReadUser(const SqlRow& row, User* out);
Status ReadObjective(const SqlRow& row, Objective* out);
void AddObjectiveFields(SqlParams& params, const Objective& objective);
Status ReadKeyResult(const SqlRow& row, KeyResult* out);
void AddKeyResultFields(SqlParams& params, const KeyResult& kr, bool with_checkin_columns);
Status ReadCheckIn(const SqlRow& row, CheckIn* out);
Status ReadInitiative(const SqlRow& row, Initiative* out);
void AddInitiativeFields(SqlParams& params, const Initiative& initiative);
Status ReadEdit(const SqlRow& row, EditRecord* out);
Status ReadReminder(const SqlRow& row, Reminder* out);
Status ReadJob(const SqlRow& row, Job* out);
Status ReadInstallation(const SqlRow& row, Installation* out);
Status ReadConversationRef(const SqlRow& row, ConversationRef* out);

// Runs a query expected to return at most one row; `*found` says whether it did.
template <typename ReadRow>
Status QueryOne(SqlConnection& connection, const Sql& sql, const SqlParams& params, bool* found,
                ReadRow read) {
  *found = false;
  return connection.Query(sql, params, [&](const SqlRow& row) {
    *found = true;
    return read(row);
  });
}

// Runs a query and reads every row with `read` into `out` (emptied first: bodies may rerun).
template <typename T, typename ReadRow>
Status QueryAll(SqlConnection& connection, const Sql& sql, const SqlParams& params,
                std::vector<T>* out, ReadRow read) {
  out->clear();
  return connection.Query(sql, params,
                          [&](const SqlRow& row) { return read(row, &out->emplace_back()); });
}

}  // namespace okrbot::sql_rows
