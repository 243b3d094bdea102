#include "adapters/web/dashboard_data.h"

#include <algorithm>
#include <functional>
#include <set>

#include "core/cycle.h"
#include "core/scoring.h"

namespace okrbot::web {

DashboardData::DashboardData(Store* store, Workspace workspace, Seconds now)
    : store_(store), workspace_(std::move(workspace)), now_(now) {}

std::string DashboardData::CurrentCycle() const {
  return FormatCycle(
      CycleContaining(date::floor<date::days>(now_), workspace_.fiscal_year_start_month));
}

Status DashboardData::LoadUsers() {
  if (users_loaded_) return Status::Ok();
  Result<std::vector<User>> users = store_->ListUsers(workspace_.id);
  if (!users.ok()) return users.status();
  for (User& user : *users) users_.emplace(user.id, std::move(user));
  users_loaded_ = true;
  return Status::Ok();
}

const User* DashboardData::FindUser(const std::string& user_id) {
  if (!LoadUsers().ok()) return nullptr;
  auto it = users_.find(user_id);
  return it == users_.end() ? nullptr : &it->second;
}

std::string DashboardData::Label(const std::string& user_id) {
  if (user_id.empty()) return "no owner";
  const User* user = FindUser(user_id);
  if (user != nullptr && !user->display_name.empty()) return user->display_name;
  return "@" + user_id;
}

bool DashboardData::Away(const std::string& user_id) {
  const User* user = FindUser(user_id);
  return user != nullptr && user->away_until && *user->away_until >= date::floor<date::days>(now_);
}

bool DashboardData::MayCheckIn(const std::string& user_id, const KeyResult& kr,
                               const Objective& objective) {
  const auto& admins = workspace_.admins;
  return kr.owner == user_id || objective.owner == user_id ||
         std::find(admins.begin(), admins.end(), user_id) != admins.end();
}

Result<std::vector<std::string>> DashboardData::Cycles() {
  ObjectiveFilter all;
  Result<std::vector<Objective>> objectives = store_->ListObjectives(workspace_.id, all);
  if (!objectives.ok()) return objectives.status();
  std::set<std::string, std::greater<>> cycles{CurrentCycle()};
  for (const Objective& o : *objectives) {
    Cycle parsed;
    if (ParseCycle(o.cycle, &parsed)) cycles.insert(FormatCycle(parsed));
  }
  return std::vector<std::string>(cycles.begin(), cycles.end());
}

double DashboardData::Elapsed(const std::string& cycle) const {
  Cycle parsed;
  if (!ParseCycle(cycle, &parsed)) return 0;
  return CycleElapsedFraction(parsed, workspace_.fiscal_year_start_month, now_);
}

std::pair<Days, Days> DashboardData::CycleDays(const std::string& cycle) const {
  Cycle parsed;
  if (!ParseCycle(cycle, &parsed)) {
    parsed = CycleContaining(date::floor<date::days>(now_), workspace_.fiscal_year_start_month);
  }
  return {CycleFirstDay(parsed, workspace_.fiscal_year_start_month),
          CycleLastDay(parsed, workspace_.fiscal_year_start_month)};
}

Result<const std::vector<CheckIn>*> DashboardData::CheckInsOf(int64_t kr) {
  auto it = checkins_.find(kr);
  if (it == checkins_.end()) {
    Result<std::vector<CheckIn>> loaded = store_->ListCheckIns(workspace_.id, kr, 0);
    if (!loaded.ok()) return loaded.status();
    it = checkins_.emplace(kr, std::move(loaded).value()).first;
  }
  return &it->second;
}

KrView DashboardData::ViewOfKr(const KeyResult& kr, const Objective& objective) {
  KrView view;
  view.kr = kr;
  view.owner_label = Label(kr.owner);
  view.progress = KeyResultProgress(kr);
  view.pace = ComputePace(view.progress, Elapsed(objective.cycle), objective.type);
  view.stale = IsStale(kr, now_);
  view.owner_away = Away(kr.owner);
  Result<const std::vector<CheckIn>*> checkins = CheckInsOf(kr.number);
  if (checkins.ok() && !(*checkins)->empty()) view.confidence = (*checkins)->front().confidence;
  return view;
}

Result<ObjectiveView> DashboardData::ViewOf(const Objective& objective) {
  KeyResultFilter filter;
  filter.objective = objective.number;
  Result<std::vector<KeyResult>> krs = store_->ListKeyResults(workspace_.id, filter);
  if (!krs.ok()) return krs.status();
  ObjectiveView view;
  view.objective = objective;
  view.owner_label = Label(objective.owner);
  view.score = ObjectiveScore(*krs);
  view.pace = ComputePace(view.score, Elapsed(objective.cycle), objective.type);
  for (const KeyResult& kr : *krs) view.krs.push_back(ViewOfKr(kr, objective));
  return view;
}

Result<std::vector<ObjectiveView>> DashboardData::Objectives(const std::string& cycle,
                                                             const std::string& team,
                                                             const std::string& owner) {
  ObjectiveFilter filter;
  filter.cycle = cycle;
  filter.team = team;
  filter.involving = owner;
  Result<std::vector<Objective>> objectives = store_->ListObjectives(workspace_.id, filter);
  if (!objectives.ok()) return objectives.status();
  KeyResultFilter kr_filter;
  kr_filter.cycle = cycle;
  Result<std::vector<KeyResult>> krs = store_->ListKeyResults(workspace_.id, kr_filter);
  if (!krs.ok()) return krs.status();
  OKRBOT_RETURN_IF_ERROR(LoadUsers());

  std::map<int64_t, std::vector<KeyResult>> krs_by_objective;
  for (const KeyResult& kr : *krs) krs_by_objective[kr.objective].push_back(kr);
  std::map<int64_t, const Objective*> listed;
  for (const Objective& o : *objectives) listed[o.number] = &o;
  std::map<int64_t, std::vector<const Objective*>> children;
  std::vector<const Objective*> roots;
  for (const Objective& o : *objectives) {
    if (o.parent > 0 && o.parent != o.number && listed.count(o.parent) > 0) {
      children[o.parent].push_back(&o);
    } else {
      roots.push_back(&o);
    }
  }
  std::vector<ObjectiveView> out;
  std::set<int64_t> placed;  // parents may form a cycle; each objective is shown once
  std::function<void(const Objective*, int)> place = [&](const Objective* o, int depth) {
    if (!placed.insert(o->number).second) return;
    ObjectiveView view;
    view.objective = *o;
    view.owner_label = Label(o->owner);
    view.depth = depth;
    const std::vector<KeyResult>& own = krs_by_objective[o->number];
    view.score = ObjectiveScore(own);
    view.pace = ComputePace(view.score, Elapsed(o->cycle), o->type);
    for (const KeyResult& kr : own) view.krs.push_back(ViewOfKr(kr, *o));
    out.push_back(std::move(view));
    for (const Objective* child : children[o->number]) place(child, depth + 1);
  };
  for (const Objective* root : roots) place(root, 0);
  for (const Objective& o : *objectives) place(&o, 0);  // members of a parent cycle
  return out;
}

Result<std::map<std::string, int>> DashboardData::CheckInsSince(
    const std::vector<ObjectiveView>& objectives, Seconds since) {
  std::map<std::string, int> authors;
  for (const ObjectiveView& o : objectives) {
    for (const KrView& k : o.krs) {
      Result<const std::vector<CheckIn>*> checkins = CheckInsOf(k.kr.number);
      if (!checkins.ok()) return checkins.status();
      for (const CheckIn& c : **checkins) {
        if (c.at >= since) ++authors[c.author];
      }
    }
  }
  return authors;
}

Result<std::vector<WeekActivity>> DashboardData::Activity(
    const std::string& cycle, const std::vector<ObjectiveView>& objectives) {
  auto [first, last] = CycleDays(cycle);
  Days today = date::floor<date::days>(now_);
  std::set<std::string> owners;
  std::vector<const CheckIn*> all;
  for (const ObjectiveView& o : objectives) {
    for (const KrView& k : o.krs) {
      if (!k.kr.owner.empty()) owners.insert(k.kr.owner);
      Result<const std::vector<CheckIn>*> checkins = CheckInsOf(k.kr.number);
      if (!checkins.ok()) return checkins.status();
      for (const CheckIn& c : **checkins) all.push_back(&c);
    }
  }
  std::vector<WeekActivity> weeks;
  for (Days start = first; start <= last && start <= today; start += date::days(7)) {
    Seconds from = start;
    Seconds to = start + date::days(7);
    std::set<std::string> answered;
    for (const CheckIn* c : all) {
      if (c->at >= from && c->at < to && owners.count(c->author) > 0) answered.insert(c->author);
    }
    WeekActivity week;
    week.week_start = start;
    week.answered = static_cast<int>(answered.size());
    week.asked = static_cast<int>(owners.size());
    weeks.push_back(week);
  }
  return weeks;
}

}  // namespace okrbot::web
