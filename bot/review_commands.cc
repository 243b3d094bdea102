// How OKRs are written and how they ended: `review`, `keep` and `summary`.
// Session methods behind Bot (bot/session.h); thread-compatible like the Session.

#include "bot/posts.h"
#include "bot/session.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

Reply Session::Review() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  std::string scope = cmd_.args.empty() ? "all" : AsciiLower(cmd_.args[0].text);
  int64_t only = 0;
  if (scope != "all" && scope != "mine") {
    auto ref = RefArg(0, {RefKind::kObjective});
    if (!ref.ok()) return Error("Review takes an objective id like O1, mine, or all.");
    only = ref->number;
    filter.cycle.clear();
  }
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  std::vector<Finding> findings;
  bool found_objective = false;
  for (const auto& o : *objectives) {
    if (only != 0 && o.number != only) continue;
    found_objective = true;
    auto krs = KeyResultsOf(o.number);
    for (auto& f : ReviewObjective(o, krs)) {
      if (scope == "mine") {
        bool mine = o.owner == actor_.user_id;
        Ref ref;
        if (ParseRef(f.subject, &ref) && ref.kind == RefKind::kKeyResult) {
          for (const auto& kr : krs) {
            if (kr.number == ref.number) mine = kr.owner == actor_.user_id;
          }
        }
        if (!mine) continue;
      }
      findings.push_back(std::move(f));
    }
  }
  if (only != 0 && !found_objective) return NotFound(Ref{RefKind::kObjective, only});
  Reply r = Ok();
  r.Header("OKR review · " + (only ? ObjectiveRef(only) : scope + " · " + filter.cycle));
  if (findings.empty()) {
    r.Text("No findings: these OKRs are measurable outcomes with owners. 👍");
    return r;
  }
  AddFindings(&r, findings);
  r.Context(
      "The review explains and warns; it never blocks. Keep a KR as written with "
      "/okr keep <KR>.");
  return r;
}

Reply Session::Keep() {
  KeyResult kr;
  Objective objective;
  Reply refusal;
  if (!LoadKrToChange(0, "keep as written", &kr, &objective, &refusal)) return refusal;
  Reply r = Ok();
  if (kr.quality_kept) {
    r.Text(KeyResultRef(kr.number) + " is already kept as written.");
    return r;
  }
  KeyResult updated = kr;
  updated.quality_kept = true;
  EditRecord e{ws_.id, KeyResultRef(kr.number), "quality_kept", "no", "yes", actor_.user_id, now_};
  if (Status s = store_->UpdateKeyResult(updated, {e}); !s.ok()) return Failure(s);
  r.Text("Kept " + KeyResultRef(kr.number) +
         " as written; I won't nudge about how it is "
         "phrased again.");
  return r;
}

Reply Session::Summary() {
  auto cycle = CycleOption();
  if (!cycle.ok()) return Error(cycle.status().message());
  ObjectiveFilter filter;
  filter.cycle = *cycle;
  auto objectives = store_->ListObjectives(ws_.id, filter);
  if (!objectives.ok()) return Failure(objectives.status());
  std::map<int64_t, std::vector<KeyResult>> krs_by_objective;
  for (const auto& o : *objectives) krs_by_objective[o.number] = KeyResultsOf(o.number);
  // Interim until the cycle has ended; then the same post the scheduler sends.
  return CycleSummary(*cycle, *objectives, krs_by_objective, now_, ws_.fiscal_year_start_month);
}

}  // namespace okrbot::bot_internal
