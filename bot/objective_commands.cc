// Objectives: `objective add`, `edit` (both kinds; key results are edited in
// key_result_commands.cc) and `archive`. Session methods behind Bot (bot/session.h);
// thread-compatible like the Session.

#include "bot/session.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

Reply Session::ObjectiveAdd() {
  const std::string& title = cmd_.args[0].text;
  if (Status s = CheckText("The title", title, limits_.max_title_bytes); !s.ok()) {
    return Error(s.message());
  }
  Objective o;
  o.workspace_id = ws_.id;
  o.title = Trim(title);
  o.created_by = actor_.user_id;
  o.created_at = now_;
  o.owner = actor_.user_id;
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    o.owner = *owner;
  }
  if (cmd_.has("team")) {
    if (Status s = CheckText("The team", cmd_.get("team"), limits_.max_name_bytes); !s.ok()) {
      return Error(s.message());
    }
    o.team = AsciiLower(cmd_.get("team"));
  }
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  o.cycle = *cycle;
  if (cmd_.has("type") && !ParseGoalType(AsciiLower(cmd_.get("type")), &o.type)) {
    return Error("`type:` is either stretch or committed.");
  }
  if (cmd_.has("parent")) {
    Ref ref;
    if (!ParseRef(cmd_.get("parent"), &ref) || ref.kind != RefKind::kObjective) {
      return Error("`parent:` takes an objective id like O1.");
    }
    auto parent = LoadObjective(ref.number);
    if (!parent.ok()) return NotFound(ref);
    o.parent = ref.number;
  }
  ObjectiveFilter same_cycle;
  same_cycle.cycle = o.cycle;
  auto existing = store_->ListObjectives(ws_.id, same_cycle);
  if (!existing.ok()) return Failure(existing.status());
  if (static_cast<int>(existing->size()) >= limits_.max_objectives_per_cycle) {
    return Error("This workspace already has " + std::to_string(existing->size()) +
                 " objectives in " + o.cycle + ", the most I keep per cycle. Archive some first.");
  }
  auto created = store_->CreateObjective(o);
  if (!created.ok()) return Failure(created.status());
  Reply r = Ok();
  r.Header("Created " + ObjectiveRef(created->number) + ": " + created->title);
  std::vector<std::pair<std::string, std::string>> fields = {{"Owner", UserLabel(created->owner)},
                                                             {"Cycle", created->cycle},
                                                             {"Type", GoalTypeName(created->type)}};
  if (!created->team.empty()) fields.emplace_back("Team", created->team);
  if (created->parent != 0) fields.emplace_back("Aligned under", ObjectiveRef(created->parent));
  r.Fields(std::move(fields));
  r.Context("Next: add 1–5 measurable key results, e.g. /okr kr add " +
            ObjectiveRef(created->number) + " \"Increase NPS from 55 to 70\"");
  return r;
}

Reply Session::Edit() {
  auto ref = RefArg(0, {RefKind::kObjective, RefKind::kKeyResult});
  if (!ref.ok()) return Error(ref.status().message());
  if (cmd_.options.empty()) return Error("Say what to change, e.g. to:75 or owner:@carol.");
  if (ref->kind == RefKind::kObjective) {
    auto o = LoadObjective(ref->number);
    if (!o.ok()) return NotFound(*ref);
    return EditObjective(*o);
  }
  auto kr = LoadKeyResult(ref->number);
  if (!kr.ok()) return NotFound(*ref);
  return EditKeyResult(*kr);
}

Reply Session::EditObjective(Objective o) {
  if (!MayChangeObjective(o)) {
    return Error("Only the owner of " + ObjectiveRef(o.number) + " (" + UserLabel(o.owner) +
                 ") or an admin can edit it.");
  }
  for (const char* key : {"from", "to", "unit", "cadence", "weight", "direction"}) {
    if (cmd_.has(key)) {
      return Error("`" + std::string(key) +
                   ":` belongs to key results; objectives take title:, "
                   "owner:, team:, type:, cycle: and parent:.");
    }
  }
  Objective before = o;
  std::vector<EditRecord> edits;
  auto record = [&](const std::string& field, const std::string& old_value,
                    const std::string& new_value) {
    if (old_value != new_value) {
      edits.push_back(
          {ws_.id, ObjectiveRef(o.number), field, old_value, new_value, actor_.user_id, now_});
    }
  };
  if (cmd_.has("title")) {
    if (Status s = CheckText("The title", cmd_.get("title"), limits_.max_title_bytes); !s.ok()) {
      return Error(s.message());
    }
    o.title = Trim(cmd_.get("title"));
  }
  if (cmd_.has("owner")) {
    auto owner = ResolveUser(cmd_.get("owner"));
    if (!owner.ok()) return Error(owner.status().message());
    o.owner = *owner;
  }
  if (cmd_.has("team")) {
    if (Status s = CheckText("The team", cmd_.get("team"), limits_.max_name_bytes, true); !s.ok()) {
      return Error(s.message());
    }
    o.team = AsciiLower(cmd_.get("team"));
  }
  if (cmd_.has("type") && !ParseGoalType(AsciiLower(cmd_.get("type")), &o.type)) {
    return Error("`type:` is either stretch or committed.");
  }
  if (cmd_.has("cycle")) {
    auto cycle = CycleOption();
    if (!cycle.ok()) return Error(cycle.status().message());
    o.cycle = *cycle;
  }
  if (cmd_.has("parent")) {
    std::string value = AsciiLower(cmd_.get("parent"));
    Ref ref;
    if (value == "none" || value.empty()) {
      o.parent = 0;
    } else if (!ParseRef(value, &ref) || ref.kind != RefKind::kObjective) {
      return Error("`parent:` takes an objective id like O1, or none.");
    } else if (ref.number == o.number) {
      return Error("An objective cannot be aligned under itself.");
    } else {
      if (!LoadObjective(ref.number).ok()) return NotFound(ref);
      // Refuse cycles in the alignment tree.
      int64_t walk = ref.number;
      for (int depth = 0; walk != 0 && depth < 64; ++depth) {
        if (walk == o.number) return Error("That would make the alignment tree go in a circle.");
        auto up = LoadObjective(walk);
        walk = up.ok() ? up->parent : 0;
      }
      o.parent = ref.number;
    }
  }
  record("title", before.title, o.title);
  record("owner", before.owner, o.owner);
  record("team", before.team, o.team);
  record("type", GoalTypeName(before.type), GoalTypeName(o.type));
  record("cycle", before.cycle, o.cycle);
  record("parent", before.parent ? ObjectiveRef(before.parent) : "",
         o.parent ? ObjectiveRef(o.parent) : "");
  Reply r = Ok();
  if (edits.empty()) {
    r.Text("Nothing changed: " + ObjectiveRef(o.number) + " already reads like that.");
    return r;
  }
  if (Status s = store_->UpdateObjective(o, edits); !s.ok()) return Failure(s);
  r.Header("Edited " + ObjectiveRef(o.number) + ": " + o.title);
  std::vector<std::string> lines;
  for (const auto& e : edits) {
    lines.push_back(e.field + ": " + (e.old_value.empty() ? "—" : e.old_value) + " → " +
                    (e.new_value.empty() ? "—" : e.new_value));
  }
  r.List(std::move(lines));
  return r;
}

Reply Session::Archive() {
  auto ref = RefArg(0, {RefKind::kObjective, RefKind::kKeyResult});
  if (!ref.ok()) return Error(ref.status().message());
  Reply r = Ok();
  if (ref->kind == RefKind::kObjective) {
    auto o = LoadObjective(ref->number);
    if (!o.ok()) return NotFound(*ref);
    if (!MayChangeObjective(*o)) {
      return Error("Only the owner of " + ObjectiveRef(o->number) + " or an admin can archive it.");
    }
    if (o->archived) {
      r.Text(ObjectiveRef(o->number) + " is already archived.");
      return r;
    }
    Objective updated = *o;
    updated.archived = true;
    EditRecord e{ws_.id, ObjectiveRef(o->number), "archived", "no", "yes", actor_.user_id, now_};
    if (Status s = store_->UpdateObjective(updated, {e}); !s.ok()) return Failure(s);
    r.Text("Archived " + ObjectiveRef(o->number) + " " + o->title +
           ". It is hidden from lists and reminders; nothing was deleted "
           "(`/okr list archived:yes` shows it).");
    return r;
  }
  auto kr = LoadKeyResult(ref->number);
  if (!kr.ok()) return NotFound(*ref);
  auto objective = LoadObjective(kr->objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(*kr, *objective)) {
    return Error("Only the owner of " + KeyResultRef(kr->number) +
                 ", the objective's owner or an admin can archive it.");
  }
  if (kr->archived) {
    r.Text(KeyResultRef(kr->number) + " is already archived.");
    return r;
  }
  KeyResult updated = *kr;
  updated.archived = true;
  EditRecord e{ws_.id, KeyResultRef(kr->number), "archived", "no", "yes", actor_.user_id, now_};
  if (Status s = store_->UpdateKeyResult(updated, {e}); !s.ok()) return Failure(s);
  r.Text("Archived " + KeyResultRef(kr->number) + " " + kr->text +
         ". It is hidden from lists and reminders; nothing was deleted.");
  return r;
}

}  // namespace okrbot::bot_internal
