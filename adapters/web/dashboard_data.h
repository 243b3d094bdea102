// What the dashboard's pages show, loaded from the Store for one workspace: objectives and key
// results with their scores, pace, confidence, stale and away markers, in alignment-tree order,
// and each cycle's check-in activity. Used by DashboardApp (adapters/web/dashboard_app.h) and
// the dashboard benchmark.
//
// Contract: every read names `workspace.id`, so nothing of another workspace is loaded.
// Archived rows are left out. Store failures are returned as they are (the app answers 503).
// Thread-compatible: a DashboardData lives for one request; the Store is shared.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "adapters/web/dashboard_pages.h"
#include "core/model.h"
#include "core/status.h"
#include "storage/store.h"

namespace okrbot::web {

class DashboardData {
 public:
  DashboardData(Store* store, Workspace workspace, Seconds now);

  const Workspace& workspace() const { return workspace_; }
  Seconds now() const { return now_; }
  std::string CurrentCycle() const;
  // "Alice" when the platform gave a name, else "@U123".
  std::string Label(const std::string& user_id);
  const User* FindUser(const std::string& user_id);
  bool Away(const std::string& user_id);
  bool MayCheckIn(const std::string& user_id, const KeyResult& kr, const Objective& objective);

  // The cycles that have objectives, newest first, with the current one always in.
  Result<std::vector<std::string>> Cycles();
  // The objectives of `cycle` (filtered by team and by owner — who owns it or one of its KRs;
  // "" = any), in tree order with their KRs.
  Result<std::vector<ObjectiveView>> Objectives(const std::string& cycle, const std::string& team,
                                                const std::string& owner);
  Result<ObjectiveView> ViewOf(const Objective& objective);
  KrView ViewOfKr(const KeyResult& kr, const Objective& objective);
  double Elapsed(const std::string& cycle) const;
  // First and last day of `cycle` (the current cycle when it is not a cycle name).
  std::pair<Days, Days> CycleDays(const std::string& cycle) const;
  // Per week of `cycle` up to now: how many KR owners there were and how many checked in.
  Result<std::vector<WeekActivity>> Activity(const std::string& cycle,
                                             const std::vector<ObjectiveView>& objectives);
  // The KR's check-ins, newest first, read once per request.
  Result<const std::vector<CheckIn>*> CheckInsOf(int64_t kr);
  // Authors of check-ins on the listed KRs since `since`.
  Result<std::map<std::string, int>> CheckInsSince(const std::vector<ObjectiveView>& objectives,
                                                   Seconds since);

 private:
  Status LoadUsers();

  Store* store_;
  Workspace workspace_;
  Seconds now_;
  bool users_loaded_ = false;
  std::map<std::string, User> users_;
  std::map<int64_t, std::vector<CheckIn>> checkins_;  // by KR, newest first, loaded on demand
};

}  // namespace okrbot::web
