// Key results and their initiatives: `kr add`, editing a KR (`edit KRn ...`), `initiative add`,
// `initiative done`. Session methods behind Bot (bot/session.h); thread-compatible like the
// Session.

#include "bot/session.h"
#include "core/metric.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

Reply Session::KrAdd() {
  auto ref = RefArg(0, {RefKind::kObjective});
  if (!ref.ok()) return Error(ref.status().message());
  auto objective = LoadObjective(ref->number);
  if (!objective.ok()) return NotFound(*ref);
  if (objective->archived) return Error(ObjectiveRef(ref->number) + " is archived.");
  const std::string& text = cmd_.args[1].text;
  if (Status s = CheckText("The key result", text, limits_.max_title_bytes); !s.ok()) {
    return Error(s.message());
  }
  auto siblings = KeyResultsOf(objective->number);
  if (static_cast<int>(siblings.size()) >= limits_.max_krs_per_objective) {
    return Error(ObjectiveRef(objective->number) + " already has " +
                 std::to_string(siblings.size()) + " key results, the most I keep. 1–5 is " +
                 "the practice; consider splitting the objective.");
  }
  KeyResult kr;
  kr.workspace_id = ws_.id;
  kr.objective = objective->number;
  kr.text = Trim(text);
  kr.owner = actor_.user_id;
  kr.created_by = actor_.user_id;
  kr.created_at = now_;
  if (!(objective->owner.empty() || MayChangeObjective(*objective))) {
    return Error("Only the owner of " + ObjectiveRef(objective->number) + " (" +
                 UserLabel(objective->owner) + ") or an admin can add key results to it.");
  }
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    kr.owner = *owner;
  }
  std::optional<double> numbers[2];
  for (int i = 0; i < 2; ++i) {
    const char* key = i == 0 ? "from" : "to";
    if (!cmd_.has(key)) continue;
    double value;
    if (!ParseNumber(cmd_.get(key), &value)) {
      return Error("`" + std::string(key) + ":" + cmd_.get(key) + "` is not a number.");
    }
    numbers[i] = value;
  }
  SetNewKrMetric(&kr, numbers[0], numbers[1], cmd_.has("direction"));
  if (cmd_.has("unit")) {
    if (Status s = CheckText("The unit", cmd_.get("unit"), kMaxUnitBytes); !s.ok())
      return Error(s.message());
    kr.unit = cmd_.get("unit");
  }
  if (cmd_.has("direction") && !ParseDirection(AsciiLower(cmd_.get("direction")), &kr.direction)) {
    return Error(
        "`direction:` is one of increase, decrease, maintain-at-least, "
        "maintain-at-most, binary.");
  }
  if (cmd_.has("cadence") && !ParseCadence(AsciiLower(cmd_.get("cadence")), &kr.cadence)) {
    return Error("`cadence:` is weekly, biweekly or monthly.");
  }
  if (cmd_.has("weight") && (!ParseNumber(cmd_.get("weight"), &kr.weight) || kr.weight <= 0)) {
    return Error("`weight:` is a positive number.");
  }
  auto created = store_->CreateKeyResult(kr);
  if (!created.ok()) return Failure(created.status());
  siblings.push_back(*created);
  Reply r = Ok();
  r.Header("Added " + KeyResultRef(created->number) + " to " + ObjectiveRef(objective->number));
  r.Text(created->text);
  r.Fields({{"Owner", UserLabel(created->owner)},
            {"Metric", MetricText(*created)},
            {"Cadence", CadenceName(created->cadence)}});
  std::vector<Finding> findings = ReviewKeyResult(*created);
  if (static_cast<int>(siblings.size()) > ReviewRules::Default().max_krs_per_objective) {
    for (const auto& f : ReviewObjective(*objective, siblings)) {
      if (f.rule == "too-many-krs") findings.push_back(f);
    }
  }
  AddFindings(&r, findings);
  if (!findings.empty()) {
    r.Context("Edit it with /okr edit " + KeyResultRef(created->number) +
              " title:\"...\", or keep it as written with /okr keep " +
              KeyResultRef(created->number) + ".");
  }
  return r;
}

namespace {

std::string OptionalText(const std::optional<double>& v) { return v ? FormatValue(*v, "") : ""; }

}  // namespace

Reply Session::EditKeyResult(KeyResult kr) {
  auto objective = LoadObjective(kr.objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(kr, *objective)) {
    return Error("Only " + UserLabel(kr.owner) +
                 " (the owner), the objective's owner or an "
                 "admin can edit " +
                 KeyResultRef(kr.number) + ".");
  }
  for (const char* key : {"team", "type", "cycle", "parent"}) {
    if (cmd_.has(key)) {
      return Error("`" + std::string(key) +
                   ":` belongs to objectives; key results take title:, "
                   "owner:, from:, to:, unit:, cadence: and weight:.");
    }
  }
  KeyResult before = kr;
  if (cmd_.has("title")) {
    if (Status s = CheckText("The key result", cmd_.get("title"), limits_.max_title_bytes);
        !s.ok()) {
      return Error(s.message());
    }
    kr.text = Trim(cmd_.get("title"));
    // The new words may carry a new metric; explicit options below still win.
    ParsedMetric metric = ParseMetric(kr.text);
    if (metric.has_number) {
      if (metric.baseline) kr.baseline = metric.baseline;
      if (metric.target) kr.target = metric.target;
      if (!metric.unit.empty()) kr.unit = metric.unit;
      kr.direction = metric.direction;
    } else {
      kr.direction = Direction::kBinary;
    }
    kr.quality_kept = false;  // a rewrite is reviewed afresh
  }
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    kr.owner = *owner;
  }
  for (const char* key : {"from", "to"}) {
    if (!cmd_.has(key)) continue;
    std::string raw = AsciiLower(cmd_.get(key));
    std::optional<double>& slot = std::string(key) == "from" ? kr.baseline : kr.target;
    if (raw == "none" || raw.empty()) {
      slot.reset();
      continue;
    }
    double value;
    if (!ParseNumber(raw, &value)) {
      return Error("`" + std::string(key) + ":" + cmd_.get(key) + "` is not a number.");
    }
    slot = value;
    if (kr.direction == Direction::kBinary) kr.direction = Direction::kIncrease;
  }
  if ((cmd_.has("from") || cmd_.has("to")) && !cmd_.has("direction") && kr.baseline && kr.target &&
      (kr.direction == Direction::kIncrease || kr.direction == Direction::kDecrease)) {
    kr.direction = *kr.target < *kr.baseline ? Direction::kDecrease : Direction::kIncrease;
  }
  if (cmd_.has("unit")) {
    if (Status s = CheckText("The unit", cmd_.get("unit"), kMaxUnitBytes, true); !s.ok()) {
      return Error(s.message());
    }
    kr.unit = cmd_.get("unit");
  }
  if (cmd_.has("cadence") && !ParseCadence(AsciiLower(cmd_.get("cadence")), &kr.cadence)) {
    return Error("`cadence:` is weekly, biweekly or monthly.");
  }
  if (cmd_.has("weight") && (!ParseNumber(cmd_.get("weight"), &kr.weight) || kr.weight <= 0)) {
    return Error("`weight:` is a positive number.");
  }
  if (cmd_.has("direction") && !ParseDirection(AsciiLower(cmd_.get("direction")), &kr.direction)) {
    return Error(
        "`direction:` is one of increase, decrease, maintain-at-least, "
        "maintain-at-most, binary.");
  }
  std::vector<EditRecord> edits;
  auto record = [&](const std::string& field, const std::string& old_value,
                    const std::string& new_value) {
    if (old_value != new_value) {
      edits.push_back(
          {ws_.id, KeyResultRef(kr.number), field, old_value, new_value, actor_.user_id, now_});
    }
  };
  record("text", before.text, kr.text);
  record("owner", before.owner, kr.owner);
  record("baseline", OptionalText(before.baseline), OptionalText(kr.baseline));
  record("target", OptionalText(before.target), OptionalText(kr.target));
  record("unit", before.unit, kr.unit);
  record("direction", DirectionName(before.direction), DirectionName(kr.direction));
  record("cadence", CadenceName(before.cadence), CadenceName(kr.cadence));
  record("weight", FormatValue(before.weight, ""), FormatValue(kr.weight, ""));
  Reply r = Ok();
  if (edits.empty()) {
    r.Text("Nothing changed: " + KeyResultRef(kr.number) + " already reads like that.");
    return r;
  }
  if (Status s = store_->UpdateKeyResult(kr, edits); !s.ok()) return Failure(s);
  r.Header("Edited " + KeyResultRef(kr.number) + ": " + kr.text);
  std::vector<std::string> lines;
  for (const auto& e : edits) {
    lines.push_back(e.field + ": " + (e.old_value.empty() ? "—" : e.old_value) + " → " +
                    (e.new_value.empty() ? "—" : e.new_value));
  }
  r.List(std::move(lines));
  r.Fields({{"Metric", MetricText(kr)}});
  AddFindings(&r, ReviewKeyResult(kr));
  return r;
}

Reply Session::InitiativeAdd() {
  KeyResult kr;
  Objective objective;
  Reply refusal;
  if (!LoadKrToChange(0, "plan initiatives for", &kr, &objective, &refusal)) return refusal;
  const std::string& text = cmd_.args[1].text;
  if (Status s = CheckText("The initiative", text, limits_.max_title_bytes); !s.ok()) {
    return Error(s.message());
  }
  Initiative i;
  i.workspace_id = ws_.id;
  i.kr = kr.number;
  i.text = Trim(text);
  i.created_by = actor_.user_id;
  i.created_at = now_;
  auto created = store_->CreateInitiative(i);
  if (!created.ok()) return Failure(created.status());
  Reply r = Ok();
  r.Header("Added " + InitiativeRef(created->number) + " to " + KeyResultRef(kr.number));
  r.Text(created->text);
  r.Context("Mark it done with /okr initiative done " + InitiativeRef(created->number));
  return r;
}

Reply Session::InitiativeDone() {
  auto ref = RefArg(0, {RefKind::kInitiative});
  if (!ref.ok()) return Error(ref.status().message());
  auto initiative = store_->GetInitiative(ws_.id, ref->number);
  if (!initiative.ok()) return NotFound(*ref);
  auto kr = LoadKeyResult(initiative->kr);
  if (!kr.ok()) return Failure(kr.status());
  auto objective = LoadObjective(kr->objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(*kr, *objective) && initiative->created_by != actor_.user_id) {
    return Error("Only the owner of " + KeyResultRef(kr->number) +
                 ", the objective's owner or an admin can close this initiative.");
  }
  if (initiative->done) {
    Reply r = Ok();
    r.Text(InitiativeRef(initiative->number) + " was already done.");
    return r;
  }
  Initiative updated = *initiative;
  updated.done = true;
  EditRecord edit{ws_.id, InitiativeRef(updated.number), "done", "no", "yes", actor_.user_id, now_};
  if (Status s = store_->UpdateInitiative(updated, {edit}); !s.ok()) return Failure(s);
  Reply r = Ok();
  r.Text("☑ " + InitiativeRef(updated.number) + " done: " + updated.text);
  return r;
}

}  // namespace okrbot::bot_internal
