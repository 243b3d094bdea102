// Planner: what is due when (SPEC §3). Each pass turns the workspace's OKRs, people and
// reminder settings into outbox jobs whose keys make every post unique per period:
//   <ws>|checkin|<user>|<ISO week>    weekly check-in prompt at the reminder slot in the owner's
//                                     time zone (default Monday 10:00), listing the due KRs
//   <ws>|followup|<user>|<ISO week>   one follow-up 24 h later if none of them got a check-in
//   <ws>|stale|<KR>|<since>           cadence + 3 days without a check-in: DM to the owner
//   <ws>|escalate|<KR>|<since>        cadence + 7 days: the objective's owner is told
//   <ws>|quality|<KR>                 a binary/activity KR gets one DM with the rewrite
//   <ws>|digest|<channel>|<ISO week>  the weekly channel digest
//   <ws>|halfway|<cycle>              week 7 of a quarter, in the digest channel
//   <ws>|summary|<cycle>              after the cycle's last day, in the digest channel
// Contract: a pass at time `now` enqueues each post whose send time is <= now and whose key
// does not exist yet, so running passes at the same instant from several processes, after a
// restart, or after downtime creates every post exactly once (a slot missed while down is
// caught up once, at the next pass — never once per missed tick). Skipped: uninstalled
// workspaces, archived objectives and KRs, snoozed KRs, owners who are away, workspace
// holidays, and reminders turned off. A follow-up whose 24–48 h window passed while okrbot was
// down is dropped rather than sent next to its prompt. After a long gap, a weekly prompt or
// digest whose next occurrence is less than 24 h away is folded into that next one (one post
// for the newest period); the summary of a cycle that ended during a gap is planned in the
// first 28 days of the next cycle, once. The Dispatcher keeps 24 h between two prompts to one
// person whatever their kinds.
// Thread-compatible; the Store makes concurrent passes safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "storage/store.h"

namespace okrbot {

struct PlanStats {
  int workspaces = 0;
  int created = 0;            // new jobs
  int existing = 0;           // due, but already planned earlier (or by another process)
  int failed_workspaces = 0;  // skipped this pass (logged); planned again next pass
};

class Planner {
 public:
  explicit Planner(Store* store) : store_(store) {}

  // Plans every installed workspace as of `now`.
  // New jobs are written in large batches (one transaction each), not one by one.
  Result<PlanStats> PlanAll(Seconds now);

 private:
  Status PlanWorkspace(const Workspace& workspace, Seconds now, PlanStats* stats,
                       std::vector<Job>* batch);
  Status Flush(std::vector<Job>* batch, PlanStats* stats);

  Store* store_;
};

}  // namespace okrbot
