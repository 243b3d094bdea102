#include "bot/posts.h"

#include "bot/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>

#include "bot/checkin_form.h"
#include "core/cycle.h"
#include "core/metric.h"
#include "core/scoring.h"

namespace okrbot {
namespace {

// Staleness grace (SPEC §3: cadence + 3 days) and how many KRs "moved most" names.
constexpr int kStaleGraceDays = 3;
constexpr size_t kMovedMostShown = 3;
constexpr long long kSecondsPerDay = 86400;

std::string Mention(const std::string& user_id) {
  return user_id.empty() ? std::string("no owner") : "@" + user_id;
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

// "0.47"
std::string ScoreText(double score) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", score);
  return buf;
}

// "+0.12", "−0.05"
std::string SignedScoreText(double delta) {
  return (delta < 0 ? "−" : "+") + ScoreText(std::fabs(delta));
}

std::string PercentText(double fraction) {
  return std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%";
}

// "1 key result", "3 key results"
std::string CountText(size_t count, const std::string& singular, const std::string& plural) {
  return std::to_string(count) + " " + (count == 1 ? singular : plural);
}

std::string DaysText(long long days) { return CountText(static_cast<size_t>(days), "day", "days"); }

long long WholeDaysBetween(Seconds from, Seconds to) {
  long long seconds = (to - from).count();
  return seconds <= 0 ? 0 : seconds / kSecondsPerDay;
}

std::string AgoText(Seconds then, Seconds now) {
  long long seconds = std::max<long long>(0, (now - then).count());
  if (seconds < 3600) return "just now";
  if (seconds < kSecondsPerDay) return std::to_string(seconds / 3600) + " h ago";
  return DaysText(seconds / kSecondsPerDay) + " ago";
}

// A value of `kr` as a person reads it: "62", "$1.2M", "done".
std::string ValueText(const KeyResult& kr, double value) {
  if (kr.direction == Direction::kBinary) return value >= 1 ? "done" : "not done";
  return FormatValue(value, kr.unit);
}

std::string CurrentText(const KeyResult& kr) {
  return kr.current ? ValueText(kr, *kr.current) : "no check-in yet";
}

// "70 (from 55)", "1 min (down from 2 min)", "at least 4.5/5", "done".
std::string TargetText(const KeyResult& kr) {
  if (kr.direction == Direction::kBinary) return "done";
  if (!kr.target) return "not set";
  std::string target = FormatValue(*kr.target, kr.unit);
  switch (kr.direction) {
    case Direction::kMaintainAtLeast:
      return "at least " + target;
    case Direction::kMaintainAtMost:
      return "at most " + target;
    case Direction::kDecrease:
      return kr.baseline ? target + " (down from " + FormatValue(*kr.baseline, kr.unit) + ")"
                         : target + " (lower is better)";
    case Direction::kIncrease:
      return kr.baseline ? target + " (from " + FormatValue(*kr.baseline, kr.unit) + ")" : target;
    case Direction::kBinary:
      break;
  }
  return target;
}

std::string LastCheckInText(const KeyResult& kr, Seconds now) {
  return kr.last_checkin_at ? AgoText(*kr.last_checkin_at, now) : "never";
}

// Where the cycle stands at `now`: the elapsed fraction and the week ("week 7 of 13").
struct CyclePosition {
  double elapsed = 0;
  int week = 1;
  int weeks = 13;
};

std::optional<CyclePosition> PositionInCycle(const std::string& cycle_text, int fiscal_start_month,
                                             Seconds now) {
  Cycle cycle;
  if (!ParseCycle(cycle_text, &cycle)) return std::nullopt;
  Days first = CycleFirstDay(cycle, fiscal_start_month);
  int total_days = static_cast<int>((CycleLastDay(cycle, fiscal_start_month) - first).count()) + 1;
  CyclePosition position;
  position.elapsed = CycleElapsedFraction(cycle, fiscal_start_month, now);
  position.weeks = std::max(1, (total_days + 3) / 7);  // a quarter of 90–92 days has 13 weeks
  int day_index = static_cast<int>((date::floor<date::days>(now) - first).count());
  position.week = std::clamp(day_index / 7 + 1, 1, position.weeks);
  return position;
}

double ExpectedProgress(double elapsed, GoalType type) {
  return std::clamp(elapsed, 0.0, 1.0) * (type == GoalType::kStretch ? 0.7 : 1.0);
}

// "at risk (52% expected by now)"
std::string PaceText(double progress, double elapsed, GoalType type) {
  return std::string(PaceStatusName(ComputePace(progress, elapsed, type))) + " (" +
         PercentText(ExpectedProgress(elapsed, type)) + " expected by now)";
}

const std::vector<KeyResult>& KeyResultsOf(
    const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective, int64_t objective) {
  static const std::vector<KeyResult> kNone;
  auto it = krs_by_objective.find(objective);
  return it == krs_by_objective.end() ? kNone : it->second;
}

std::vector<const KeyResult*> ActiveKeyResults(const std::vector<KeyResult>& krs) {
  std::vector<const KeyResult*> active;
  for (const KeyResult& kr : krs) {
    if (!kr.archived) active.push_back(&kr);
  }
  return active;
}

std::vector<const Objective*> ActiveObjectives(const std::vector<Objective>& objectives) {
  std::vector<const Objective*> active;
  for (const Objective& objective : objectives) {
    if (!objective.archived) active.push_back(&objective);
  }
  return active;
}

std::string KeepOrEditText(const KeyResult& kr) {
  std::string ref = KeyResultRef(kr.number);
  return "Keep it as written: /okr keep " + ref +
         " (these nudges stop) · or reword it: /okr edit " + ref + " title:\"<new wording>\"";
}

// The binary / activity findings of `kr` with their suggested rewrites, for the first prompt.
void AppendQualityHint(Reply* reply, const KeyResult& kr) {
  bool any = false;
  for (const Finding& finding : ReviewKeyResult(kr)) {
    if (finding.rule != "binary" && finding.rule != "activity") continue;
    reply->Text("💡 " + finding.message);
    if (!finding.suggestion.empty()) reply->Text("Suggestion: " + finding.suggestion);
    any = true;
  }
  if (any) reply->Context(KeepOrEditText(kr));
}

// "no check-in for 12 days" / "no check-in since it was created 12 days ago"
std::string QuietText(const KeyResult& kr, Seconds now) {
  if (kr.last_checkin_at) {
    return "no check-in for " + DaysText(WholeDaysBetween(*kr.last_checkin_at, now));
  }
  return "no check-in since it was created " + DaysText(WholeDaysBetween(kr.created_at, now)) +
         " ago";
}

// "weekly (every 7 days)"
std::string CadenceText(Cadence cadence) {
  return std::string(CadenceName(cadence)) + " (every " + DaysText(CadenceDays(cadence)) + ")";
}

// The later of two check-ins by time (then by id, for check-ins in the same second).
bool IsLater(const CheckIn& a, const CheckIn& b) {
  return a.at != b.at ? a.at > b.at : a.id > b.id;
}

struct Move {
  const KeyResult* kr = nullptr;
  double delta = 0;
  std::string from;
  std::string to;
};

}  // namespace

Reply CheckInPrompt(const User& owner, const std::vector<KeyResult>& due_krs,
                    const std::map<int64_t, Objective>& objectives_by_number, Seconds now,
                    int fiscal_start_month, bool follow_up,
                    const std::set<int64_t>& with_quality_hint) {
  Reply reply;
  reply.visibility = Visibility::kPrivate;
  std::vector<const KeyResult*> krs = ActiveKeyResults(due_krs);
  std::string name = owner.display_name.empty() ? Mention(owner.id) : owner.display_name;
  reply.Header(follow_up ? "Reminder: weekly check-in" : "Weekly check-in");
  if (krs.empty()) {
    reply.Text("Hi " + name + ", nothing is due this week: your key results are up to date. ✅");
    return reply;
  }
  std::string due =
      CountText(krs.size(), "key result", "key results") + (krs.size() == 1 ? " is" : " are");
  if (follow_up) {
    reply.Text("Hi " + name + ", a gentle reminder: " + due +
               " still waiting for this week's check-in. It takes a few seconds: press Update, or "
               "No change if nothing moved. I won't ask again this week.");
  } else {
    reply.Text("Hi " + name + ", time for your weekly check-in: " + due +
               " due. Press Update to enter the new value, your confidence and a note, No "
               "change if nothing moved, or Snooze 1 week.");
  }
  for (const KeyResult* kr : krs) {
    reply.Divider();
    reply.Text(KeyResultRef(kr->number) + " " + kr->text);
    double progress = KeyResultProgress(*kr);
    std::vector<std::pair<std::string, std::string>> fields = {
        {"Now", CurrentText(*kr)},
        {"Target", TargetText(*kr)},
        {"Last check-in", LastCheckInText(*kr, now)}};
    auto objective = objectives_by_number.find(kr->objective);
    if (objective != objectives_by_number.end()) {
      reply.Context(ObjectiveRef(objective->second.number) + " " + objective->second.title);
      if (auto position = PositionInCycle(objective->second.cycle, fiscal_start_month, now)) {
        fields.emplace_back("Pace", PaceText(progress, position->elapsed, objective->second.type));
      }
    }
    reply.Fields(std::move(fields));
    reply.Progress("Progress", progress);
    if (with_quality_hint.contains(kr->number) && !kr->quality_kept) AppendQualityHint(&reply, *kr);
    AppendCheckInButtons(&reply, *kr);
  }
  reply.Context("Or type it: /okr update <KR> <value> [confidence:<0-100|high|medium|low>] [note]");
  return reply;
}

Reply StaleNudge(const KeyResult& kr, const Objective& objective, Seconds now,
                 bool to_objective_owner) {
  Reply reply;
  reply.visibility = Visibility::kPrivate;
  std::string ref = KeyResultRef(kr.number);
  std::string objective_line = ObjectiveRef(objective.number) + " " + Quoted(objective.title);
  std::string quiet = QuietText(kr, now);
  std::string cadence = CadenceText(kr.cadence);
  if (!to_objective_owner) {
    reply.Header(ref + " is waiting for a check-in");
    reply.Text(ref + " " + Quoted(kr.text) + " has had " + quiet + "; it is checked in " + cadence +
               ".");
    reply.Context(objective_line);
    reply.Fields({{"Now", CurrentText(kr)}, {"Target", TargetText(kr)}});
    reply.Progress("Progress", KeyResultProgress(kr));
    AppendCheckInButtons(&reply, kr);
    reply.Context("Nothing changed? Press No change. Out of office? /okr away until:<date>. " +
                  std::string("No longer relevant? /okr archive ") + ref + ".");
    return reply;
  }
  reply.Header(ref + " has gone quiet");
  reply.Text(ref + " " + Quoted(kr.text) + " under your objective " + objective_line + " has had " +
             quiet + "; it is checked in " + cadence + ".");
  if (kr.owner.empty()) {
    reply.Text("It has no owner, so nobody is asked for its check-in. Give it one: /okr edit " +
               ref + " owner:@someone");
  } else if (kr.owner == objective.owner) {
    reply.Text("You own this key result too.");
  } else {
    reply.Text("Its owner is " + Mention(kr.owner) + ", who has had a reminder. A quick word may " +
               "help: are they blocked, or has the key result stopped mattering?");
  }
  reply.Fields(
      {{"Owner", Mention(kr.owner)}, {"Now", CurrentText(kr)}, {"Target", TargetText(kr)}});
  reply.Progress("Progress", KeyResultProgress(kr));
  reply.Context("You are told because you own " + ObjectiveRef(objective.number) +
                ". You may check in yourself: /okr update " + ref +
                " <value>, snooze it: /okr snooze " + ref + " 1w, or archive it: /okr archive " +
                ref + ".");
  return reply;
}

Reply QualityNudge(const KeyResult& kr, const std::vector<Finding>& findings) {
  Reply reply;
  reply.visibility = Visibility::kPrivate;
  std::string ref = KeyResultRef(kr.number);
  reply.Header("A suggestion for " + ref);
  reply.Text(ref + " " + Quoted(kr.text));
  if (findings.empty()) {
    reply.Text("Nothing to suggest: it reads as a measurable outcome. 👍");
    return reply;
  }
  for (const Finding& finding : findings) {
    reply.Text("💡 " + finding.message);
    if (!finding.suggestion.empty()) reply.Text("Suggestion: " + finding.suggestion);
  }
  reply.Context(KeepOrEditText(kr));
  reply.Context("The review explains; it never blocks. You can check in on " + ref + " as it is.");
  return reply;
}

Reply ChannelDigest(const std::string& cycle, const std::vector<Objective>& objectives,
                    const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective,
                    const std::map<int64_t, std::vector<CheckIn>>& checkins_by_kr,
                    Seconds period_start, const std::set<std::string>& away_users, Seconds now,
                    int fiscal_start_month) {
  Reply reply;
  reply.visibility = Visibility::kChannel;
  reply.Header("OKR digest · " + cycle);
  std::vector<const Objective*> active = ActiveObjectives(objectives);
  if (active.empty()) {
    reply.Text("No objectives in " + cycle + " yet. Create one: /okr objective add \"<title>\"");
    return reply;
  }
  std::optional<CyclePosition> position = PositionInCycle(cycle, fiscal_start_month, now);
  if (position) {
    reply.Context("Week " + std::to_string(position->week) + " of " +
                  std::to_string(position->weeks) + " · " + PercentText(position->elapsed) +
                  " of the cycle has passed");
  }

  std::vector<ProgressRow> rows;
  for (const Objective* objective : active) {
    const std::vector<KeyResult>& all = KeyResultsOf(krs_by_objective, objective->number);
    double score = ObjectiveScore(all);
    PaceStatus pace =
        position ? ComputePace(score, position->elapsed, objective->type) : PaceStatus::kOnTrack;
    rows.push_back({ObjectiveRef(objective->number) + " " + objective->title, score, pace});
  }
  AppendChart(&reply, ProgressChart("Objectives · " + cycle, rows));

  std::set<std::string> authors;
  size_t checkin_count = 0;
  std::vector<Move> moves;
  std::vector<std::string> stale;
  std::vector<std::string> long_stale;
  std::map<std::string, std::vector<std::string>> away_krs;  // owner -> KR refs
  for (const Objective* objective : active) {
    std::vector<const KeyResult*> krs =
        ActiveKeyResults(KeyResultsOf(krs_by_objective, objective->number));
    std::string label = ObjectiveRef(objective->number) + " " + objective->title;
    double score = ObjectiveScore(KeyResultsOf(krs_by_objective, objective->number));
    if (krs.empty()) {
      label += " · no key results yet";
    } else {
      label += " · " + ScoreText(score);
      if (position) {
        label +=
            " · " +
            std::string(PaceStatusName(ComputePace(score, position->elapsed, objective->type)));
      }
    }
    reply.Progress(label, score);

    for (const KeyResult* kr : krs) {
      std::string ref = KeyResultRef(kr->number);
      if (away_users.contains(kr->owner)) {
        away_krs[kr->owner].push_back(ref);
      } else if (IsStale(*kr, now, kStaleGraceDays)) {
        Seconds since = kr->last_checkin_at.value_or(kr->created_at);
        std::string line = ref + " " + kr->text + " · " + Mention(kr->owner) + " · " +
                           QuietText(*kr, now) + " (" + CadenceName(kr->cadence) + ")";
        bool twice_cadence = WholeDaysBetween(since, now) >= 2LL * CadenceDays(kr->cadence);
        (twice_cadence ? long_stale : stale).push_back(std::move(line));
      }

      auto checkins = checkins_by_kr.find(kr->number);
      if (checkins == checkins_by_kr.end()) continue;
      const CheckIn* before = nullptr;
      const CheckIn* latest = nullptr;
      for (const CheckIn& checkin : checkins->second) {
        if (checkin.at <= period_start) {
          if (before == nullptr || IsLater(checkin, *before)) before = &checkin;
          continue;
        }
        ++checkin_count;
        const std::string& author = checkin.author.empty() ? kr->owner : checkin.author;
        if (!author.empty()) authors.insert(author);
        if (latest == nullptr || IsLater(checkin, *latest)) latest = &checkin;
      }
      if (latest == nullptr) continue;
      double from = before ? KeyResultProgress(*kr, before->value) : 0.0;
      double delta = KeyResultProgress(*kr, latest->value) - from;
      if (std::lround(delta * 100) <= 0) continue;  // would show as +0.00 or less
      moves.push_back({kr, delta, before ? ValueText(*kr, before->value) : "no check-in",
                       ValueText(*kr, latest->value)});
    }
  }

  if (authors.empty()) {
    reply.Text("Nobody checked in this week.");
  } else {
    std::string names;
    for (const std::string& author : authors)
      names += (names.empty() ? "" : ", ") + Mention(author);
    reply.Text("Checked in this week: " + names + " (" +
               CountText(checkin_count, "check-in", "check-ins") + ")");
  }

  if (!moves.empty()) {
    std::stable_sort(moves.begin(), moves.end(), [](const Move& a, const Move& b) {
      if (a.delta != b.delta) return a.delta > b.delta;
      return a.kr->number < b.kr->number;
    });
    if (moves.size() > kMovedMostShown) moves.resize(kMovedMostShown);
    std::vector<std::string> lines;
    for (const Move& move : moves) {
      lines.push_back(KeyResultRef(move.kr->number) + " " + move.kr->text + " · " +
                      SignedScoreText(move.delta) + " (" + move.from + " → " + move.to + ") · " +
                      Mention(move.kr->owner));
    }
    reply.Text("Moved most:");
    reply.List(std::move(lines));
  }

  if (stale.empty() && long_stale.empty()) {
    reply.Text("Nothing is stale: every key result has a recent check-in. 🎉");
  }
  if (!stale.empty()) {
    reply.Text("Stale (no check-in within the cadence plus 3 days):");
    reply.List(std::move(stale));
  }
  if (!long_stale.empty()) {
    reply.Text("No check-in for twice the cadence or longer:");
    reply.List(std::move(long_stale));
  }
  if (!away_krs.empty()) {
    std::vector<std::string> lines;
    for (const auto& [owner, refs] : away_krs) {
      std::string joined;
      for (const std::string& ref : refs) joined += (joined.empty() ? "" : ", ") + ref;
      lines.push_back(Mention(owner) + " is away (" + joined + ")");
    }
    reply.Text("Away, so not counted as stale:");
    reply.List(std::move(lines));
  }
  reply.Context("Check in with /okr update <KR> <value> · details with /okr list");
  return reply;
}

Reply HalfwayReminder(const std::string& cycle, const std::vector<Objective>& objectives,
                      const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective,
                      Seconds now, int fiscal_start_month) {
  Reply reply;
  reply.visibility = Visibility::kChannel;
  reply.Header("Halfway through " + cycle);
  std::vector<const Objective*> active = ActiveObjectives(objectives);
  if (active.empty()) {
    reply.Text("No objectives in " + cycle + " to check at the halfway mark.");
    return reply;
  }
  std::optional<CyclePosition> position = PositionInCycle(cycle, fiscal_start_month, now);
  double elapsed = position ? position->elapsed : 0.5;  // the post is sent at halfway
  std::string week = position ? "Week " + std::to_string(position->week) + " of " +
                                    std::to_string(position->weeks) + ": "
                              : "";
  reply.Text(week + "half of " + cycle +
             " is behind us. Here is each objective against the pace expected by now (stretch "
             "goals aim for 0.7, committed goals for 1.0).");
  std::vector<std::string> off_track;
  std::vector<std::string> at_risk;
  for (const Objective* objective : active) {
    const std::vector<KeyResult>& all_krs = KeyResultsOf(krs_by_objective, objective->number);
    std::vector<const KeyResult*> krs = ActiveKeyResults(all_krs);
    double score = ObjectiveScore(all_krs);
    double expected = ExpectedProgress(elapsed, objective->type);
    std::string label = ObjectiveRef(objective->number) + " " + objective->title;
    if (krs.empty()) {
      label += " · no key results yet";
    } else {
      label += " · " + ScoreText(score) + " (" + ScoreText(expected) + " expected) · " +
               PaceStatusName(ComputePace(score, elapsed, objective->type));
    }
    reply.Progress(label, score);
    for (const KeyResult* kr : krs) {
      double progress = KeyResultProgress(*kr);
      PaceStatus pace = ComputePace(progress, elapsed, objective->type);
      if (pace == PaceStatus::kOnTrack) continue;
      std::string line = KeyResultRef(kr->number) + " " + kr->text + " · " + ScoreText(progress) +
                         " (" + ScoreText(expected) + " expected) · " + Mention(kr->owner);
      (pace == PaceStatus::kOffTrack ? off_track : at_risk).push_back(std::move(line));
    }
  }
  if (off_track.empty() && at_risk.empty()) {
    reply.Text("Every key result is on track. 🎯");
  }
  if (!off_track.empty()) {
    reply.Text("Off track:");
    reply.List(std::move(off_track));
  }
  if (!at_risk.empty()) {
    reply.Text("At risk:");
    reply.List(std::move(at_risk));
  }
  reply.Context(
      "Halfway is the time to adjust: record what moved (/okr update <KR> <value>), put effort "
      "where it is off track, and talk about targets that no longer fit.");
  return reply;
}

Reply CycleSummary(const std::string& cycle, const std::vector<Objective>& objectives,
                   const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective) {
  Reply reply;
  reply.visibility = Visibility::kChannel;
  reply.Header("OKR summary · " + cycle);
  Cycle parsed;
  std::string next = ParseCycle(cycle, &parsed) ? FormatCycle(NextCycle(parsed)) : "";
  std::string draft = next.empty()
                          ? std::string("Time to draft the next cycle.")
                          : "Time to draft " + next + ": /okr objective add \"...\" cycle:" + next;
  std::vector<const Objective*> active = ActiveObjectives(objectives);
  if (active.empty()) {
    reply.Text("No objectives in " + cycle + ", so there is nothing to score.");
    reply.Context(draft);
    return reply;
  }
  std::vector<double> scores;
  for (const Objective* objective : active) {
    for (const KeyResult* kr :
         ActiveKeyResults(KeyResultsOf(krs_by_objective, objective->number))) {
      scores.push_back(KeyResultProgress(*kr));
    }
  }
  AppendChart(&reply, ScoreDistributionChart(cycle, scores));
  size_t kr_count = 0;
  size_t reached = 0;
  size_t at_one = 0;
  size_t stretch_count = 0;
  size_t stretch_at_one = 0;
  size_t below_03 = 0;
  size_t objectives_met = 0;
  size_t findings_count = 0;
  for (const Objective* objective : active) {
    const std::vector<KeyResult>& all_krs = KeyResultsOf(krs_by_objective, objective->number);
    std::vector<const KeyResult*> krs = ActiveKeyResults(all_krs);
    double score = ObjectiveScore(all_krs);
    bool met = !krs.empty() && IsSuccess(score, objective->type);
    if (met) ++objectives_met;
    reply.Progress(ObjectiveRef(objective->number) + " " + objective->title + " · " +
                       GoalTypeName(objective->type) + " · " + ScoreText(score) +
                       (met ? " · goal met" : ""),
                   score);
    std::vector<std::string> lines;
    for (const KeyResult* kr : krs) {
      double progress = KeyResultProgress(*kr);
      ++kr_count;
      if (progress + 1e-9 >= 0.7) ++reached;
      if (progress + 1e-9 >= 1.0) ++at_one;
      if (objective->type == GoalType::kStretch) {
        ++stretch_count;
        if (progress + 1e-9 >= 1.0) ++stretch_at_one;
      }
      if (progress < 0.3) ++below_03;
      lines.push_back(KeyResultRef(kr->number) + " " + kr->text + " — " + ScoreText(progress) +
                      " · " + Mention(kr->owner));
    }
    if (lines.empty()) lines.push_back("no key results");
    reply.List(std::move(lines));
    findings_count += ReviewObjective(*objective, all_krs).size();
  }
  reply.Fields(
      {{"Key results at 0.7 or more", std::to_string(reached) + " of " + std::to_string(kr_count)},
       {"Objectives that met their goal",
        std::to_string(objectives_met) + " of " + std::to_string(active.size())},
       {"Quality findings", std::to_string(findings_count)}});
  std::vector<std::string> remarks;
  if (kr_count == 0) {
    remarks.push_back("No key results were set, so there is nothing to calibrate.");
  } else if (stretch_count > 0 && stretch_at_one == stretch_count) {
    // Committed goals are meant to reach 1.0; only stretch goals that all did were too easy.
    remarks.push_back(
        std::string(at_one == kr_count ? "Every key result"
                                       : "Every key result of a stretch objective") +
        " reached 1.0: the targets may have been too easy. Stretch further next cycle.");
  } else if (below_03 * 2 > kr_count) {
    remarks.push_back(
        "Most key results are below 0.3: the targets may have been too hard, or some were "
        "abandoned. Fewer, sharper key results next cycle?");
  } else {
    remarks.push_back(
        "Calibration looks healthy: stretch goals landing around 0.6–0.7 are the sweet spot, "
        "committed goals should reach 1.0.");
  }
  if (findings_count > 0) {
    remarks.push_back(CountText(findings_count, "quality finding", "quality findings") +
                      ": /okr review lists them with suggested rewrites.");
  }
  reply.List(std::move(remarks));
  reply.Context(draft);
  return reply;
}

Reply CycleSummary(const std::string& cycle, const std::vector<Objective>& objectives,
                   const std::map<int64_t, std::vector<KeyResult>>& krs_by_objective, Seconds now,
                   int fiscal_start_month) {
  Cycle parsed;
  if (!ParseCycle(cycle, &parsed)) return CycleSummary(cycle, objectives, krs_by_objective);
  Days today = date::floor<date::days>(now);
  Days first_day = CycleFirstDay(parsed, fiscal_start_month);
  Days last_day = CycleLastDay(parsed, fiscal_start_month);
  if (today > last_day) return CycleSummary(cycle, objectives, krs_by_objective);

  Reply reply;
  reply.visibility = Visibility::kChannel;
  reply.Header("OKR summary so far · " + cycle);
  double elapsed = CycleElapsedFraction(parsed, fiscal_start_month, now);
  long long total_days = (last_day - first_day).count() + 1;
  long long days_left = (last_day - today).count() + 1;  // today counts: the day is not over
  std::string where;
  if (today < first_day) {
    where =
        cycle + " has not started yet: it begins in " + DaysText((first_day - today).count()) + ".";
  } else {
    where =
        cycle + " is " + PercentText(elapsed) + " through: day " +
        std::to_string((today - first_day).count() + 1) + " of " + std::to_string(total_days) +
        ", " +
        (days_left == 1 ? std::string("today is the last day") : DaysText(days_left) + " left") +
        ".";
  }
  reply.Text(where +
             " This is an interim report: each key result is judged against the pace expected by "
             "now (stretch objectives aim for 0.7 by the end, committed ones for 1.0).");
  std::vector<const Objective*> active = ActiveObjectives(objectives);
  if (active.empty()) {
    reply.Text("No objectives in " + cycle + " yet. Create one: /okr objective add \"<title>\"");
    return reply;
  }
  std::map<PaceStatus, size_t> by_pace;
  size_t kr_count = 0;
  size_t findings_count = 0;
  for (const Objective* objective : active) {
    const std::vector<KeyResult>& all_krs = KeyResultsOf(krs_by_objective, objective->number);
    std::vector<const KeyResult*> krs = ActiveKeyResults(all_krs);
    double score = ObjectiveScore(all_krs);
    double expected = ExpectedProgress(elapsed, objective->type);
    std::string label = ObjectiveRef(objective->number) + " " + objective->title + " · " +
                        GoalTypeName(objective->type) + " · ";
    if (krs.empty()) {
      label += "no key results yet";
    } else {
      label += ScoreText(score) + " (" + ScoreText(expected) + " expected by now) · " +
               PaceStatusName(ComputePace(score, elapsed, objective->type));
    }
    reply.Progress(label, score);
    std::vector<std::string> lines;
    for (const KeyResult* kr : krs) {
      double progress = KeyResultProgress(*kr);
      PaceStatus pace = ComputePace(progress, elapsed, objective->type);
      ++by_pace[pace];
      ++kr_count;
      lines.push_back(KeyResultRef(kr->number) + " " + kr->text + " — " + ScoreText(progress) +
                      " · " + PaceStatusName(pace) + " · " + Mention(kr->owner));
    }
    if (lines.empty()) lines.push_back("no key results");
    reply.List(std::move(lines));
    findings_count += ReviewObjective(*objective, all_krs).size();
  }
  auto share = [&](PaceStatus pace) {
    return std::to_string(by_pace[pace]) + " of " + std::to_string(kr_count);
  };
  reply.Fields({{"On track", share(PaceStatus::kOnTrack)},
                {"At risk", share(PaceStatus::kAtRisk)},
                {"Off track", share(PaceStatus::kOffTrack)},
                {"Quality findings", std::to_string(findings_count)}});
  if (findings_count > 0) {
    reply.Text(CountText(findings_count, "quality finding", "quality findings") +
               ": /okr review lists them with suggested rewrites.");
  }
  reply.Context(
      "Record what moved: /okr update <KR> <value>. The final summary, with scores "
      "against 0.7 and 1.0 and calibration, comes after the cycle ends on " +
      date::format("%F", last_day) + ".");
  return reply;
}

}  // namespace okrbot
