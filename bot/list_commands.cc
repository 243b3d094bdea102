// Reading OKRs: `list`, `show`, `tree`, `stale` and `todo`.
// Session methods behind Bot (bot/session.h); thread-compatible like the Session.
#include <date/tz.h>

#include "bot/chart.h"
#include "bot/checkin_form.h"
#include "bot/session.h"
#include "core/scoring.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

Reply Session::List() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  filter.include_archived = IsYes(cmd_.get("archived"));
  std::string person;  // show objectives this person owns or has a KR in
  int64_t only_objective = 0;
  if (cmd_.has("team")) filter.team = AsciiLower(cmd_.get("team"));
  if (!cmd_.args.empty()) {
    std::string arg = cmd_.args[0].text;
    Ref ref;
    if (AsciiLower(arg) == "mine") {
      person = actor_.user_id;
    } else if (ParseRef(arg, &ref) && ref.kind == RefKind::kObjective) {
      only_objective = ref.number;
      filter.cycle.clear();
    } else if (arg.rfind("@", 0) == 0 || arg.rfind("<@", 0) == 0) {
      auto user = ResolveUser(arg, /*create=*/false);
      if (!user.ok()) return Error(user.status().message());
      person = *user;
    } else {
      return Error("`" + arg +
                   "` is not something I can list by: use mine, @name, team:<name> "
                   "or an objective id like O1.");
    }
  }
  filter.involving = person;
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  // All key results of the listed objectives in one query, not one query per objective.
  KeyResultFilter kr_filter;
  kr_filter.objective = only_objective;
  kr_filter.cycle = filter.cycle;
  kr_filter.involving = person;
  kr_filter.include_archived = filter.include_archived;
  auto all_krs = store_->ListKeyResults(ws_.id, kr_filter);
  if (!all_krs.ok()) return Failure(all_krs.status());
  std::map<int64_t, std::vector<KeyResult>> krs_of;
  std::vector<std::string> named;
  for (auto& kr : *all_krs) {
    named.push_back(kr.owner);
    krs_of[kr.objective].push_back(std::move(kr));
  }
  for (const auto& o : *objectives) {
    if (only_objective == 0 || o.number == only_objective) named.push_back(o.owner);
  }
  PreloadUsers(std::move(named));
  Reply r = Ok();
  int shown = 0;
  for (const auto& o : *objectives) {
    if (only_objective != 0 && o.number != only_objective) continue;
    // The store already kept only the objectives `person` owns or has a key result in.
    const std::vector<KeyResult>& krs = krs_of[o.number];
    double score = ObjectiveScore(krs);
    std::string title = ObjectiveRef(o.number) + " " + o.title + " — " + Percent(score) + " · " +
                        UserLabel(o.owner);
    if (!o.team.empty()) title += " · team " + o.team;
    if (o.archived) title += " · archived";
    r.Header(title);
    std::vector<std::string> lines;
    for (const auto& kr : krs) lines.push_back(KrLine(kr, o));
    if (lines.empty())
      lines.push_back("no key results yet: /okr kr add " + ObjectiveRef(o.number) + " \"...\"");
    r.List(std::move(lines));
    ++shown;
  }
  if (shown == 0) {
    if (only_objective != 0) return NotFound(Ref{RefKind::kObjective, only_objective});
    r.Text("No objectives" + std::string(person.empty() ? "" : " for " + UserLabel(person)) +
           " in " + filter.cycle + " yet. Create one: /okr objective add \"<title>\"");
  } else {
    r.Context("Cycle " + (filter.cycle.empty() ? std::string("any") : filter.cycle) + " · " +
              std::to_string(shown) + (shown == 1 ? " objective" : " objectives"));
  }
  return r;
}

Reply Session::Show() {
  auto ref = RefArg(0, {RefKind::kObjective, RefKind::kKeyResult});
  if (!ref.ok()) return Error(ref.status().message());
  if (ref->kind == RefKind::kObjective) {
    auto o = LoadObjective(ref->number);
    if (!o.ok()) return NotFound(*ref);
    return ShowObjective(*o);
  }
  auto kr = LoadKeyResult(ref->number);
  if (!kr.ok()) return NotFound(*ref);
  return ShowKeyResult(*kr);
}

Reply Session::ShowObjective(const Objective& o) {
  auto krs = KeyResultsOf(o.number);
  double score = ObjectiveScore(krs);
  Reply r = Ok();
  r.Header(ObjectiveRef(o.number) + ": " + o.title);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Owner", UserLabel(o.owner)},
      {"Cycle", o.cycle},
      {"Type", GoalTypeName(o.type)},
      {"Score", ScoreText(score)},
      {"Status", PaceStatusName(ComputePace(score, Elapsed(o), o.type))}};
  if (!o.team.empty()) fields.emplace_back("Team", o.team);
  if (o.parent != 0) fields.emplace_back("Aligned under", ObjectiveRef(o.parent));
  if (o.archived) fields.emplace_back("Archived", "yes");
  r.Fields(std::move(fields));
  r.Progress("Progress", score);
  std::vector<std::string> lines;
  for (const auto& kr : krs) lines.push_back(KrLine(kr, o));
  if (lines.empty()) lines.push_back("no key results yet");
  r.List(std::move(lines));
  return r;
}

Reply Session::ShowKeyResult(const KeyResult& kr) {
  auto objective = LoadObjective(kr.objective);
  if (!objective.ok()) return Failure(objective.status());
  auto history = store_->ListCheckIns(ws_.id, kr.number, 0);
  if (!history.ok()) return Failure(history.status());
  double progress = KeyResultProgress(kr);
  Reply r = Ok();
  r.Header(KeyResultRef(kr.number) + ": " + kr.text);
  std::optional<int> confidence;
  if (!history->empty()) confidence = history->front().confidence;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Objective", ObjectiveRef(objective->number) + " " + objective->title},
      {"Owner", UserLabel(kr.owner)},
      {"Metric", MetricText(kr)},
      {"Current", CurrentText(kr)},
      {"Score", ScoreText(progress)},
      {"Status", PaceStatusName(ComputePace(progress, Elapsed(*objective), objective->type))},
      {"Confidence", ConfidenceText(confidence)},
      {"Cadence", CadenceName(kr.cadence)}};
  if (kr.archived) fields.emplace_back("Archived", "yes");
  if (kr.snoozed_until) fields.emplace_back("Snoozed until", FormatDate(*kr.snoozed_until));
  r.Fields(std::move(fields));
  r.Progress("Progress", progress);
  Cycle cycle;
  if (!ParseCycle(objective->cycle, &cycle)) {
    cycle = CycleContaining(date::floor<date::days>(now_), ws_.fiscal_year_start_month);
  }
  std::vector<ChartPoint> points;
  for (const CheckIn& c : *history) points.push_back(ChartPointOf(c));
  AppendChart(&r, KeyResultChart(kr, points, CycleFirstDay(cycle, ws_.fiscal_year_start_month),
                                 CycleLastDay(cycle, ws_.fiscal_year_start_month), now_));
  if (history->empty()) {
    r.Text("No check-ins yet: /okr update " + KeyResultRef(kr.number) + " <value>");
  } else {
    std::vector<double> series;
    for (auto it = history->rbegin(); it != history->rend(); ++it) series.push_back(it->value);
    r.Text("History " + Sparkline(series));
    std::vector<std::string> lines;
    for (size_t i = 0; i < history->size() && i < 10; ++i) {
      const CheckIn& c = (*history)[i];
      KeyResult at = kr;
      at.current = c.value;
      std::string line = FormatDate(date::floor<date::days>(c.at)) + "  " + CurrentText(at) +
                         "  by " + UserLabel(c.author);
      if (c.confidence) line += "  confidence " + std::to_string(*c.confidence) + "%";
      if (!c.note.empty()) line += "  — " + c.note;
      lines.push_back(std::move(line));
    }
    r.List(std::move(lines));
  }
  if (!kr.archived && MayChangeKr(kr, *objective)) AppendCheckInButtons(&r, kr);
  auto initiatives = store_->ListInitiatives(ws_.id, kr.number);
  if (initiatives.ok() && !initiatives->empty()) {
    std::vector<std::string> lines;
    for (const auto& i : *initiatives) {
      lines.push_back(std::string(i.done ? "☑ " : "☐ ") + InitiativeRef(i.number) + " " + i.text);
    }
    r.Text("Initiatives:");
    r.List(std::move(lines));
  }
  return r;
}

Reply Session::Tree() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  std::map<int64_t, const Objective*> by_number;
  std::map<int64_t, std::vector<const Objective*>> children;
  for (const auto& o : *objectives) by_number[o.number] = &o;
  std::vector<const Objective*> roots;
  for (const auto& o : *objectives) {
    if (o.parent != 0 && by_number.count(o.parent) != 0) {
      children[o.parent].push_back(&o);
    } else {
      roots.push_back(&o);
    }
  }
  // A parent's score rolls up its own KRs and each aligned child objective as one item each.
  std::map<int64_t, double> memo;
  std::function<double(const Objective*, int)> rolled = [&](const Objective* o, int depth) {
    if (auto it = memo.find(o->number); it != memo.end()) return it->second;
    double sum = 0;
    int count = 0;
    for (const auto& kr : KeyResultsOf(o->number)) {
      sum += KeyResultProgress(kr);
      ++count;
    }
    if (depth < 32) {
      for (const Objective* child : children[o->number]) {
        sum += rolled(child, depth + 1);
        ++count;
      }
    }
    double score = count > 0 ? sum / count : 0;
    memo[o->number] = score;
    return score;
  };
  std::vector<std::string> lines;
  std::function<void(const Objective*, int)> walk = [&](const Objective* o, int depth) {
    std::string indent;
    for (int i = 0; i < depth; ++i) indent += "    ";
    lines.push_back(indent + (depth > 0 ? "└ " : "") + ObjectiveRef(o->number) + " " + o->title +
                    "  " + ProgressBar(rolled(o, 0)) +
                    (o->team.empty() ? "" : "  team " + o->team));
    if (depth < 32) {
      for (const Objective* child : children[o->number]) walk(child, depth + 1);
    }
  };
  for (const Objective* root : roots) walk(root, 0);
  Reply r = Ok();
  r.Header("Alignment tree · " + filter.cycle);
  if (lines.empty()) {
    r.Text("No objectives in " + filter.cycle + " yet.");
  } else {
    r.List(std::move(lines));
  }
  return r;
}

Reply Session::Stale() {
  auto objectives = store_->ListObjectives(ws_.id, ObjectiveFilter{});
  if (!objectives.ok()) return Failure(objectives.status());
  std::vector<std::string> lines;
  for (const auto& o : *objectives) {
    for (const auto& kr : KeyResultsOf(o.number)) {
      if (!IsStale(kr, now_) || OwnerAway(kr.owner)) continue;
      std::string since = kr.last_checkin_at
                              ? "last check-in " + Ago(now_, *kr.last_checkin_at)
                              : "no check-in since it was created " + Ago(now_, kr.created_at);
      lines.push_back(KeyResultRef(kr.number) + " " + kr.text + " · " + UserLabel(kr.owner) +
                      " · " + since + " (" + CadenceName(kr.cadence) + ")");
    }
  }
  Reply r = Ok();
  r.Header("Stale key results");
  if (lines.empty()) {
    r.Text("Nothing is stale: every key result has a recent check-in. 🎉");
  } else {
    r.List(std::move(lines));
    r.Context(
        "Stale = no check-in within the cadence plus 3 days. Update with "
        "/okr update <KR> <value>.");
  }
  return r;
}

Reply Session::Todo() {
  auto objectives = store_->ListObjectives(ws_.id, ObjectiveFilter{});
  if (!objectives.ok()) return Failure(objectives.status());
  std::vector<std::string> due;
  std::vector<std::string> stale;
  std::vector<Finding> findings;
  for (const auto& o : *objectives) {
    for (const auto& kr : KeyResultsOf(o.number)) {
      if (kr.owner != actor_.user_id) continue;
      bool snoozed = kr.snoozed_until && date::floor<date::days>(now_) <= *kr.snoozed_until;
      if (IsStale(kr, now_)) {
        stale.push_back(KeyResultRef(kr.number) + " " + kr.text);
      } else if (!snoozed && (!kr.last_checkin_at ||
                              now_ - *kr.last_checkin_at >= date::days{CadenceDays(kr.cadence)})) {
        due.push_back(KeyResultRef(kr.number) + " " + kr.text + " — now " + CurrentText(kr));
      }
      if (!kr.quality_kept) {
        for (auto& f : ReviewKeyResult(kr)) findings.push_back(std::move(f));
      }
    }
  }
  Reply r = Ok();
  r.Header("What needs you now");
  if (due.empty() && stale.empty() && findings.empty()) {
    r.Text("Nothing! Your key results are up to date. ✅");
    return r;
  }
  if (!due.empty()) {
    r.Text("Check-ins due:");
    r.List(std::move(due));
  }
  if (!stale.empty()) {
    r.Text("Stale (no check-in within cadence + 3 days):");
    r.List(std::move(stale));
  }
  AddFindings(&r, findings);
  r.Context("Update with /okr update <KR> <value>.");
  return r;
}

}  // namespace okrbot::bot_internal
