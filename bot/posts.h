// Scheduled posts (SPEC §3) as neutral replies: the weekly check-in prompt and its follow-up, the
// stale nudge and its escalation, the quality nudge, the channel digest, the halfway reminder and
// the end-of-cycle summary.
//
// Contract: every function here is a pure function of plain data. The scheduler decides *when*
// and *to whom* a post goes (time zones, holidays, away owners for prompts, one post per period)
// and gathers the rows; these functions only decide *what is said*. They never read a Store or a
// Clock: `now` is passed in. Archived objectives and key results are left out of every post.
// People are named by user id as "@id" (adapters may turn that into a mention). An empty input
// gives a short post that says so, never an empty Reply. Direct messages (prompt, nudges) are
// Visibility::kPrivate; digest, halfway reminder and summary are Visibility::kChannel.
//
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bot/reply.h"
#include "bot/review.h"
#include "core/clock.h"
#include "core/model.h"

namespace okrbot {

// The weekly check-in prompt: one direct message to `owner` listing each KR of `due_krs` (in the
// order given) with its objective, current value and target, a progress bar, its pace status and
// the Update / No change / Snooze buttons (AppendCheckInButtons, button value "KR<n>").
// `objectives_by_number` gives each KR's objective (goal type and cycle, for pace); a KR whose
// objective is missing is listed without a pace. `fiscal_start_month` is the workspace's.
// `follow_up` selects the one gentler reminder sent when the prompt was not answered in 24 h.
// For each KR number in `with_quality_hint` whose owner has not answered `keep`, the prompt also
// shows its binary / activity findings with the suggested rewrite and how to keep or edit it;
// the caller puts a KR in the set only for the first weekly prompt after creation.
Reply CheckInPrompt(const User& owner, const std::vector<KeyResult>& due_krs,
                    const std::map<int64_t, Objective>& objectives_by_number, Seconds now,
                    int fiscal_start_month, bool follow_up,
                    const std::set<int64_t>& with_quality_hint);

// A direct message about a stale KR: how many days since its last check-in (or since it was
// created, when it never had one) and its cadence. To the KR's owner (with check-in buttons),
// or, when `to_objective_owner` (escalation at cadence + 1 week), to the objective's owner,
// naming the KR's owner and what they can do. The caller decides whether the KR is stale.
Reply StaleNudge(const KeyResult& kr, const Objective& objective, Seconds now,
                 bool to_objective_owner);

// A direct message to the KR's owner about how the KR is written: each finding with its
// suggested rewrite, then how to keep it as written (`/okr keep KR<n>`) or edit it. `findings`
// are usually ReviewKeyResult(kr) filtered by the caller; with none the post says so.
Reply QualityNudge(const KeyResult& kr, const std::vector<Finding>& findings);

// The channel digest for `cycle` ("2026-Q4"):
// - progress per objective (bar, score and pace);
// - who checked in this period: the distinct authors of the check-ins after `period_start`, as
//   "@id", sorted;
// - what moved most: the three KRs whose progress rose most this period ("+0.12"), from the
//   KR's latest check-in at or before `period_start` (or from no check-in, progress 0, when the
//   list has none that old) to its latest check-in of the period;
// - what is stale (IsStale), leaving out KRs of owners in `away_users`, who are shown as away;
//   KRs without a check-in for twice their cadence or longer are listed on their own.
// `checkins_by_kr` maps a KR number to its check-ins in any order: at least those after
// `period_start` (the previous digest) and the last one before it; a whole history is fine.
// Check-ins of KRs that are not in `krs_by_objective` are ignored.
Reply ChannelDigest(const std::string& cycle, const std::vector<Objective>& objectives,
                    const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective,
                    const std::map<int64_t, std::vector<CheckIn>>& checkins_by_kr,
                    Seconds period_start, const std::set<std::string>& away_users, Seconds now,
                    int fiscal_start_month);

// The reminder posted to the channel halfway through `cycle` (week 7 of a quarter): each
// objective's score against the pace expected by now, and the KRs that are off track or at risk
// with their owners.
Reply HalfwayReminder(const std::string& cycle, const std::vector<Objective>& objectives,
                      const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective,
                      Seconds now, int fiscal_start_month);

// The end-of-cycle summary for the channel: the score of every KR and objective, how many KRs
// reached 0.7 and how many objectives met their goal (IsSuccess), calibration remarks (every KR
// of a stretch objective at 1.0: targets too easy, while committed objectives are meant to reach
// 1.0; most below 0.3: too hard or abandoned), the number of quality
// findings (ReviewObjective) and a prompt to draft the next cycle.
Reply CycleSummary(const std::string& cycle, const std::vector<Objective>& objectives,
                   const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective);

// `/okr summary` at `now`. Until the cycle has ended (its last day, UTC, is still to come or is
// today) it is an interim report: how far through the cycle we are and how many days are left,
// and each KR and objective against the pace expected by now (ComputePace: stretch objectives
// aim for 0.7 by the end, committed ones for 1.0), with no calibration remarks and no prompt to
// draft the next cycle. Once the cycle has ended, or when `cycle` is not a cycle name, it is the
// end-of-cycle summary above.
Reply CycleSummary(const std::string& cycle, const std::vector<Objective>& objectives,
                   const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective, Seconds now,
                   int fiscal_start_month);

}  // namespace okrbot
