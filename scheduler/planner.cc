#include "scheduler/planner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "bot/posts.h"
#include "bot/reply.h"
#include "bot/review.h"
#include "core/cycle.h"
#include "core/scoring.h"
#include "scheduler/schedule.h"

namespace okrbot {
namespace {

constexpr std::chrono::hours kFollowUpAfter{24};
constexpr std::chrono::hours kFollowUpWindow{48};
constexpr int kStaleGraceDays = 3;
constexpr int kEscalateGraceDays = 7;
// A new KR gets its quality DM only when fresh: turning the scheduler on for an old database
// must not nudge about every old KR at once.
constexpr std::chrono::hours kQualityNudgeFreshness{24 * 7};
// Looking back this far covers every key a pass can produce for the current and previous cycle.
constexpr std::chrono::hours kExistingKeysWindow{24 * 200};
constexpr size_t kBatchSize = 5000;
// A weekly post that comes up this close to its next occurrence (okrbot was down for most of a
// week) is folded into that one: one prompt for the newest period, never two within a day.
constexpr std::chrono::hours kFoldWithin{24};
// The summary of a cycle that ended is posted in the first weeks of the next one, so an outage
// over the cycle's end still gets it out, once (its key says whether it was).
constexpr date::days kSummaryWindow{28};

struct WorkspaceData {
  Workspace workspace;
  std::string cycle;
  std::map<std::string, User> users;
  std::map<int64_t, Objective> objectives;  // current cycle, not archived
  std::map<int64_t, std::vector<KeyResult>> krs_by_objective;
  std::vector<KeyResult> krs;  // of those objectives, not archived
  std::vector<Reminder> reminders;
};

bool IsAway(const User& user, Days day) { return user.away_until && day <= *user.away_until; }

bool NeedsQualityNudge(const KeyResult& kr) {
  if (kr.quality_kept) return false;
  for (const auto& finding : ReviewKeyResult(kr)) {
    if (finding.rule == "binary" || finding.rule == "activity") return true;
  }
  return false;
}

class Pass {
 public:
  Pass(Store* store, WorkspaceData data, std::set<std::string> existing_keys, Seconds now,
       PlanStats* stats, std::vector<Job>* out)
      : store_(store),
        d_(std::move(data)),
        existing_(std::move(existing_keys)),
        now_(now),
        stats_(stats),
        out_(out) {}

  Status Run() {
    OKRBOT_RETURN_IF_ERROR(CheckInPrompts());
    OKRBOT_RETURN_IF_ERROR(StaleAndQualityNudges());
    OKRBOT_RETURN_IF_ERROR(ChannelPosts());
    return Status::Ok();
  }

 private:
  std::string Tz(const std::string& preferred) const {
    if (!preferred.empty() && IsKnownZone(preferred)) return preferred;
    if (IsKnownZone(d_.workspace.default_tz)) return d_.workspace.default_tz;
    return "UTC";
  }

  // True when the weekly slot's next occurrence is less than kFoldWithin away: this late post
  // is left out and the next one covers it.
  bool FoldedIntoNext(const std::string& tz, int weekday, int minute_of_day, Seconds slot) const {
    // The next occurrence is a week on (give or take a DST hour): only a pass that runs days
    // late needs the time-zone arithmetic, not the on-time passes of every owner.
    if (now_ - slot < date::days{7} - kFoldWithin - std::chrono::hours(2)) return false;
    auto next = NextWeeklyOccurrenceAfter(tz, weekday, minute_of_day, slot);
    return next.ok() && *next - now_ < kFoldWithin;
  }

  // The review parses the KR's words: once per KR and pass is enough.
  bool HasQualityFinding(const KeyResult& kr) {
    auto [it, inserted] = quality_finding_.try_emplace(kr.number, false);
    if (inserted) it->second = NeedsQualityNudge(kr);
    return it->second;
  }

  // True when the post exists already (counted), so costly inputs need not be gathered.
  bool Planned(const std::string& key) {
    if (existing_.count(d_.workspace.id + "|" + key) == 0) return false;
    ++stats_->existing;
    return true;
  }

  // Plans the job unless its key exists (then `build` is never called); `created` tells which.
  // New jobs are written by the caller in one batch.
  Status Enqueue(const std::string& key, const std::string& kind, const std::string& target,
                 const std::function<Reply()>& build, Seconds due_at, bool* created = nullptr) {
    std::string full_key = d_.workspace.id + "|" + key;
    bool exists = existing_.count(full_key) != 0;
    if (created != nullptr) *created = !exists;
    if (exists) {
      ++stats_->existing;
      return Status::Ok();
    }
    existing_.insert(full_key);
    Job job;
    job.key = std::move(full_key);
    job.workspace_id = d_.workspace.id;
    job.kind = kind;
    job.target = target;
    job.payload = ReplyToJson(build());
    job.due_at = due_at;
    job.next_attempt_at = now_;
    job.created_at = now_;
    out_->push_back(std::move(job));
    return Status::Ok();
  }

  // The check-in reminder that applies to an owner: their team's, else the workspace's, else
  // the default Monday 10:00. Null when reminders are off.
  const Reminder* CheckInReminderFor(const std::vector<KeyResult>& krs) const {
    static const Reminder kDefault = [] {
      Reminder r;
      r.kind = "checkin";
      return r;
    }();
    const Reminder* workspace_wide = nullptr;
    for (const auto& reminder : d_.reminders) {
      if (reminder.kind != "checkin") continue;
      if (reminder.team.empty()) {
        workspace_wide = &reminder;
        continue;
      }
      for (const auto& kr : krs) {
        auto objective = d_.objectives.find(kr.objective);
        if (objective != d_.objectives.end() && objective->second.team == reminder.team) {
          return reminder.enabled ? &reminder : nullptr;
        }
      }
    }
    if (workspace_wide != nullptr) return workspace_wide->enabled ? workspace_wide : nullptr;
    return &kDefault;
  }

  Status CheckInPrompts() {
    std::map<std::string, std::vector<KeyResult>> by_owner;
    for (const auto& kr : d_.krs) {
      if (!kr.owner.empty()) by_owner[kr.owner].push_back(kr);
    }
    for (const auto& [owner_id, owned] : by_owner) {
      const Reminder* reminder = CheckInReminderFor(owned);
      if (reminder == nullptr) continue;
      User owner;
      owner.workspace_id = d_.workspace.id;
      owner.id = owner_id;
      if (auto it = d_.users.find(owner_id); it != d_.users.end()) owner = it->second;
      std::string tz = Tz(owner.EffectiveTz(""));
      auto slot = WeeklyOccurrenceAtOrBefore(tz, reminder->weekday, reminder->minute_of_day, now_);
      if (!slot.ok() || FoldedIntoNext(tz, reminder->weekday, reminder->minute_of_day, *slot)) {
        continue;
      }
      auto local_day = LocalDate(tz, *slot);
      if (!local_day.ok() || IsHoliday(d_.workspace.holidays, *local_day) ||
          IsAway(owner, *local_day)) {
        continue;
      }
      std::vector<KeyResult> due;
      std::set<int64_t> quality_hints;
      for (const auto& kr : owned) {
        if (kr.created_at > *slot) continue;  // created after this week's slot
        if (kr.snoozed_until && *local_day <= *kr.snoozed_until) continue;
        auto cadence = date::days{CadenceDays(kr.cadence) - 1};
        if (kr.last_checkin_at && *kr.last_checkin_at > *slot - cadence) continue;
        due.push_back(kr);
        if (!kr.last_checkin_at && HasQualityFinding(kr)) quality_hints.insert(kr.number);
      }
      if (due.empty()) continue;
      std::string week = IsoWeekKey(*local_day);
      bool created = false;
      OKRBOT_RETURN_IF_ERROR(Enqueue(
          "checkin|" + owner_id + "|" + week, "checkin", owner_id,
          [&] {
            return CheckInPrompt(owner, due, d_.objectives, *slot,
                                 d_.workspace.fiscal_year_start_month, false, quality_hints);
          },
          *slot, &created));
      // The follow-up needs a prompt planned in an earlier pass, and its window still open.
      if (created || now_ < *slot + kFollowUpAfter || now_ >= *slot + kFollowUpWindow) continue;
      std::vector<KeyResult> unanswered;
      for (const auto& kr : due) {
        if (!kr.last_checkin_at || *kr.last_checkin_at < *slot) unanswered.push_back(kr);
      }
      if (unanswered.empty()) continue;
      OKRBOT_RETURN_IF_ERROR(Enqueue(
          "followup|" + owner_id + "|" + week, "followup", owner_id,
          [&] {
            return CheckInPrompt(owner, unanswered, d_.objectives, now_,
                                 d_.workspace.fiscal_year_start_month, true, {});
          },
          *slot + kFollowUpAfter));
    }
    return Status::Ok();
  }

  Status StaleAndQualityNudges() {
    auto today = LocalDate(Tz(""), now_);
    if (!today.ok() || IsHoliday(d_.workspace.holidays, *today)) return Status::Ok();
    for (const auto& kr : d_.krs) {
      if (kr.owner.empty()) continue;
      auto user = d_.users.find(kr.owner);
      if (user != d_.users.end() && IsAway(user->second, *today)) continue;
      const Objective& objective = d_.objectives.at(kr.objective);
      if (now_ - kr.created_at < kQualityNudgeFreshness && HasQualityFinding(kr)) {
        OKRBOT_RETURN_IF_ERROR(Enqueue(
            "quality|" + KeyResultRef(kr.number), "quality", kr.owner,
            [&] { return QualityNudge(kr, ReviewKeyResult(kr)); }, kr.created_at));
      }
      if (kr.snoozed_until && *today <= *kr.snoozed_until) continue;
      Seconds since = kr.last_checkin_at.value_or(kr.created_at);
      Seconds stale_at = since + date::days{CadenceDays(kr.cadence) + kStaleGraceDays};
      if (now_ <= stale_at) continue;
      std::string episode = FormatDate(date::floor<date::days>(since));
      {
        OKRBOT_RETURN_IF_ERROR(Enqueue(
            "stale|" + KeyResultRef(kr.number) + "|" + episode, "stale", kr.owner,
            [&] { return StaleNudge(kr, objective, now_, false); }, stale_at));
      }
      Seconds escalate_at = since + date::days{CadenceDays(kr.cadence) + kEscalateGraceDays};
      if (now_ > escalate_at && !objective.owner.empty() && objective.owner != kr.owner) {
        OKRBOT_RETURN_IF_ERROR(Enqueue(
            "escalate|" + KeyResultRef(kr.number) + "|" + episode, "escalate", objective.owner,
            [&] { return StaleNudge(kr, objective, now_, true); }, escalate_at));
      }
    }
    return Status::Ok();
  }

  Status ChannelPosts() {
    for (const auto& reminder : d_.reminders) {
      if (reminder.kind != "digest" || !reminder.enabled || reminder.channel.empty()) continue;
      std::string tz = Tz(reminder.tz);
      auto slot = WeeklyOccurrenceAtOrBefore(tz, reminder.weekday, reminder.minute_of_day, now_);
      if (!slot.ok()) continue;
      const bool digest_folded =
          FoldedIntoNext(tz, reminder.weekday, reminder.minute_of_day, *slot);
      auto local_day = LocalDate(tz, *slot);
      if (!local_day.ok()) continue;
      std::string channel = "#" + reminder.channel;
      Cycle cycle;
      if (!ParseCycle(d_.cycle, &cycle)) continue;
      int fiscal = d_.workspace.fiscal_year_start_month;
      // The digest: only while the workspace has objectives in the cycle, and not for a slot
      // that passed before any of them existed (nothing to catch up on).
      Seconds first_created = Seconds::max();
      for (const auto& [number, objective] : d_.objectives) {
        first_created = std::min(first_created, objective.created_at);
      }
      std::string digest_key = "digest|" + reminder.channel + "|" + IsoWeekKey(*local_day);
      if (!digest_folded && !d_.objectives.empty() && *slot >= first_created &&
          !IsHoliday(d_.workspace.holidays, *local_day) && !Planned(digest_key)) {
        Seconds period_start = *slot - date::days{7};
        std::map<int64_t, std::vector<CheckIn>> checkins_by_kr;
        std::set<std::string> away;
        for (const auto& [id, user] : d_.users) {
          if (IsAway(user, *local_day)) away.insert(id);
        }
        for (const auto& kr : d_.krs) {
          if (!kr.last_checkin_at || *kr.last_checkin_at <= period_start) continue;
          auto recent = store_->ListCheckIns(d_.workspace.id, kr.number, 20);
          if (!recent.ok()) return recent.status();
          // The digest also needs the check-in before the period, where a KR's move starts.
          checkins_by_kr[kr.number] = std::move(*recent);
        }
        std::vector<Objective> objectives;
        for (const auto& [number, objective] : d_.objectives) objectives.push_back(objective);
        OKRBOT_RETURN_IF_ERROR(Enqueue(
            digest_key, "digest", channel,
            [&] {
              return ChannelDigest(d_.cycle, objectives, d_.krs_by_objective, checkins_by_kr,
                                   period_start, away, *slot, fiscal);
            },
            *slot));
        // Halfway: the digest slot in week 7 of the quarter.
        auto week_index = (*local_day - CycleFirstDay(cycle, fiscal)).count() / 7;
        if (week_index == 6) {
          OKRBOT_RETURN_IF_ERROR(Enqueue(
              "halfway|" + d_.cycle, "halfway", channel,
              [&] {
                return HalfwayReminder(d_.cycle, objectives, d_.krs_by_objective, *slot, fiscal);
              },
              *slot));
        }
      }
      // The summary of the cycle that just ended, in the first kSummaryWindow of the next one.
      auto today = LocalDate(tz, now_);
      if (!today.ok() || *today - CycleFirstDay(cycle, fiscal) >= kSummaryWindow) continue;
      Cycle previous =
          cycle.quarter == 1 ? Cycle{cycle.year - 1, 4} : Cycle{cycle.year, cycle.quarter - 1};
      std::string previous_name = FormatCycle(previous);
      ObjectiveFilter filter;
      filter.cycle = previous_name;
      auto ended = store_->ListObjectives(d_.workspace.id, filter);
      if (!ended.ok()) return ended.status();
      if (ended->empty()) continue;
      std::map<int64_t, std::vector<KeyResult>> ended_krs;
      for (const auto& objective : *ended) {
        KeyResultFilter kr_filter;
        kr_filter.objective = objective.number;
        auto krs = store_->ListKeyResults(d_.workspace.id, kr_filter);
        if (!krs.ok()) return krs.status();
        ended_krs[objective.number] = *krs;
      }
      auto ended_at = LocalToUtc(tz, CycleLastDay(previous, fiscal) + date::days{1}, 0);
      OKRBOT_RETURN_IF_ERROR(Enqueue(
          "summary|" + previous_name, "summary", channel,
          [&] { return CycleSummary(previous_name, *ended, ended_krs); },
          ended_at.ok() ? *ended_at : now_));
    }
    return Status::Ok();
  }

  Store* store_;
  WorkspaceData d_;
  std::set<std::string> existing_;
  Seconds now_;
  PlanStats* stats_;
  std::vector<Job>* out_;
  std::map<int64_t, bool> quality_finding_;
};

}  // namespace

Result<PlanStats> Planner::PlanAll(Seconds now) {
  PlanStats stats;
  auto workspaces = store_->ListWorkspaces();
  if (!workspaces.ok()) return workspaces.status();
  std::vector<Job> batch;
  for (const auto& workspace : *workspaces) {
    if (!workspace.installed) continue;
    // One workspace's trouble must not hold up everyone else's posts.
    if (Status planned = PlanWorkspace(workspace, now, &stats, &batch); !planned.ok()) {
      spdlog::warn("scheduler: cannot plan {}: {}", workspace.id, planned.message());
      ++stats.failed_workspaces;
      continue;
    }
    ++stats.workspaces;
    if (batch.size() >= kBatchSize) OKRBOT_RETURN_IF_ERROR(Flush(&batch, &stats));
  }
  OKRBOT_RETURN_IF_ERROR(Flush(&batch, &stats));
  return stats;
}

Status Planner::Flush(std::vector<Job>* batch, PlanStats* stats) {
  if (batch->empty()) return Status::Ok();
  auto created = store_->EnqueueJobs(*batch);
  if (!created.ok()) return created.status();
  stats->created += *created;
  // Keys another process created between our read and this write.
  stats->existing += static_cast<int>(batch->size()) - *created;
  batch->clear();
  return Status::Ok();
}

Status Planner::PlanWorkspace(const Workspace& workspace, Seconds now, PlanStats* stats,
                              std::vector<Job>* batch) {
  WorkspaceData data;
  data.workspace = workspace;
  auto today = LocalDate(IsKnownZone(workspace.default_tz) ? workspace.default_tz : "UTC", now);
  if (!today.ok()) return today.status();
  data.cycle = FormatCycle(CycleContaining(*today, workspace.fiscal_year_start_month));
  auto users = store_->ListUsers(workspace.id);
  if (!users.ok()) return users.status();
  for (auto& user : *users) data.users.emplace(user.id, std::move(user));
  auto reminders = store_->ListReminders(workspace.id);
  if (!reminders.ok()) return reminders.status();
  data.reminders = std::move(*reminders);
  ObjectiveFilter filter;
  filter.cycle = data.cycle;
  auto objectives = store_->ListObjectives(workspace.id, filter);
  if (!objectives.ok()) return objectives.status();
  for (auto& objective : *objectives) data.objectives.emplace(objective.number, objective);
  auto krs = store_->ListKeyResults(workspace.id, KeyResultFilter{});
  if (!krs.ok()) return krs.status();
  for (auto& kr : *krs) {
    if (data.objectives.count(kr.objective) == 0) continue;
    data.krs_by_objective[kr.objective].push_back(kr);
    data.krs.push_back(std::move(kr));
  }
  // Posts planned in the last months exist already: skip building them again.
  auto keys = store_->ListJobKeys(workspace.id, now - kExistingKeysWindow);
  if (!keys.ok()) return keys.status();
  std::set<std::string> existing(keys->begin(), keys->end());
  return Pass(store_, std::move(data), std::move(existing), now, stats, batch).Run();
}

}  // namespace okrbot
