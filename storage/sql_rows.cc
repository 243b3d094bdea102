#include "storage/sql_rows.h"

#include "storage/row_codec.h"

namespace okrbot::sql_rows {

Status ReadWorkspace(const SqlRow& row, Workspace* out) {
  out->id = row.String(0);
  out->platform = row.String(1);
  out->name = row.String(2);
  out->fiscal_year_start_month = static_cast<int>(row.Int(3));
  if (!DecodeStringList(row.Text(4), &out->admins)) {
    return Status::Internal("Stored admins of workspace " + out->id + " are not a JSON list.");
  }
  std::vector<std::string> holidays;
  if (!DecodeStringList(row.Text(5), &holidays)) {
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
  out->default_tz = row.String(6);
  out->installed = row.Bool(7);
  out->created_at = row.Time(8);
  return Status::Ok();
}

Status ReadUser(const SqlRow& row, User* out) {
  out->workspace_id = row.String(0);
  out->id = row.String(1);
  out->display_name = row.String(2);
  out->tz = row.String(3);
  out->tz_override = row.String(4);
  return row.OptionalDate(5, &out->away_until);
}

Status ReadObjective(const SqlRow& row, Objective* out) {
  out->workspace_id = row.String(0);
  out->number = row.Int(1);
  out->title = row.String(2);
  out->owner = row.String(3);
  out->team = row.String(4);
  out->cycle = row.String(5);
  std::string type = row.String(6);
  if (!ParseGoalType(type, &out->type)) {
    return Status::Internal("Stored objective " + ObjectiveRef(out->number) +
                            " has an unknown goal type '" + type + "'.");
  }
  out->parent = row.IsNull(7) ? 0 : row.Int(7);
  out->archived = row.Bool(8);
  out->created_by = row.String(9);
  out->created_at = row.Time(10);
  return Status::Ok();
}

// Parameters $3..$11 of objective INSERT and UPDATE (after workspace and number).
void AddObjectiveFields(SqlParams& params, const Objective& objective) {
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

Status ReadKeyResult(const SqlRow& row, KeyResult* out) {
  out->workspace_id = row.String(0);
  out->number = row.Int(1);
  out->objective = row.Int(2);
  out->text = row.String(3);
  out->owner = row.String(4);
  out->baseline = row.OptionalReal(5);
  out->target = row.OptionalReal(6);
  out->current = row.OptionalReal(7);
  out->unit = row.String(8);
  std::string direction = row.String(9);
  if (!ParseDirection(direction, &out->direction)) {
    return Status::Internal("Stored key result " + KeyResultRef(out->number) +
                            " has an unknown direction '" + direction + "'.");
  }
  std::string cadence = row.String(10);
  if (!ParseCadence(cadence, &out->cadence)) {
    return Status::Internal("Stored key result " + KeyResultRef(out->number) +
                            " has an unknown cadence '" + cadence + "'.");
  }
  out->weight = row.Real(11);
  out->archived = row.Bool(12);
  out->quality_kept = row.Bool(13);
  OKRBOT_RETURN_IF_ERROR(row.OptionalDate(14, &out->snoozed_until));
  out->last_checkin_at = row.OptionalTime(15);
  out->created_by = row.String(16);
  out->created_at = row.Time(17);
  return Status::Ok();
}

// $3..$18 of key_results INSERT (with the check-in columns) and $3..$16 of UPDATE (without:
// only RecordCheckIn writes current and last_checkin_at).
void AddKeyResultFields(SqlParams& params, const KeyResult& kr, bool with_checkin_columns) {
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

Status ReadCheckIn(const SqlRow& row, CheckIn* out) {
  out->workspace_id = row.String(0);
  out->id = row.Int(1);
  out->kr = row.Int(2);
  out->value = row.Real(3);
  out->confidence = row.IsNull(4) ? std::nullopt : std::optional<int>(static_cast<int>(row.Int(4)));
  out->note = row.String(5);
  out->author = row.String(6);
  out->at = row.Time(7);
  return Status::Ok();
}

Status ReadInitiative(const SqlRow& row, Initiative* out) {
  out->workspace_id = row.String(0);
  out->number = row.Int(1);
  out->kr = row.Int(2);
  out->text = row.String(3);
  out->done = row.Bool(4);
  out->created_by = row.String(5);
  out->created_at = row.Time(6);
  return Status::Ok();
}

// $3..$7 of initiative INSERT and UPDATE.
void AddInitiativeFields(SqlParams& params, const Initiative& initiative) {
  params.Int(initiative.kr)
      .Text(initiative.text)
      .Bool(initiative.done)
      .Text(initiative.created_by)
      .Time(initiative.created_at);
}

Status ReadEdit(const SqlRow& row, EditRecord* out) {
  out->workspace_id = row.String(0);
  out->entity = row.String(1);
  out->field = row.String(2);
  out->old_value = row.String(3);
  out->new_value = row.String(4);
  out->author = row.String(5);
  out->at = row.Time(6);
  return Status::Ok();
}

Status ReadReminder(const SqlRow& row, Reminder* out) {
  out->workspace_id = row.String(0);
  out->kind = row.String(1);
  out->team = row.String(2);
  out->channel = row.String(3);
  out->weekday = static_cast<int>(row.Int(4));
  out->minute_of_day = static_cast<int>(row.Int(5));
  out->tz = row.String(6);
  out->enabled = row.Bool(7);
  return Status::Ok();
}

Status ReadJob(const SqlRow& row, Job* out) {
  out->id = row.Int(0);
  out->key = row.String(1);
  out->workspace_id = row.String(2);
  out->kind = row.String(3);
  out->target = row.String(4);
  out->payload = row.String(5);
  std::string state = row.String(6);
  if (!ParseJobState(state, &out->state)) {
    return Status::Internal("Stored job " + std::to_string(out->id) + " has an unknown state '" +
                            state + "'.");
  }
  out->attempts = static_cast<int>(row.Int(7));
  out->due_at = row.Time(8);
  out->next_attempt_at = row.Time(9);
  out->lease_until = row.OptionalTime(10);
  out->last_error = row.String(11);
  out->created_at = row.Time(12);
  out->ready_at = row.Time(13);
  out->finished_at = row.OptionalTime(14);
  return Status::Ok();
}

Status ReadInstallation(const SqlRow& row, Installation* out) {
  out->workspace_id = row.String(0);
  out->platform = row.String(1);
  out->team_id = row.String(2);
  out->enterprise_id = row.String(3);
  out->bot_token_sealed = row.String(4);
  out->bot_user_id = row.String(5);
  out->scopes = row.String(6);
  out->installer = row.String(7);
  out->extra = row.String(8);
  out->installed_at = row.Time(9);
  out->updated_at = row.Time(10);
  return Status::Ok();
}

Status ReadConversationRef(const SqlRow& row, ConversationRef* out) {
  out->workspace_id = row.String(0);
  out->target = row.String(1);
  out->reference = row.String(2);
  out->updated_at = row.Time(3);
  return Status::Ok();
}

}  // namespace okrbot::sql_rows
