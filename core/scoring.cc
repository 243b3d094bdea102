#include "core/scoring.h"

#include <algorithm>
#include <cmath>

namespace okrbot {
namespace {

double Clamp01(double x) {
  if (std::isnan(x)) return 0.0;
  return std::clamp(x, 0.0, 1.0);
}

}  // namespace

double KeyResultProgress(const KeyResult& kr, std::optional<double> value) {
  std::optional<double> v = value ? value : kr.current;
  if (!v) return 0.0;
  if (kr.direction == Direction::kBinary) return *v >= 1.0 ? 1.0 : 0.0;
  if (!kr.target) return 0.0;
  double target = *kr.target;
  switch (kr.direction) {
    case Direction::kIncrease: {
      double baseline = kr.baseline.value_or(0.0);
      if (target <= baseline) return *v >= target ? 1.0 : 0.0;
      return Clamp01((*v - baseline) / (target - baseline));
    }
    case Direction::kDecrease: {
      if (!kr.baseline || *kr.baseline <= target) return *v <= target ? 1.0 : 0.0;
      return Clamp01((*kr.baseline - *v) / (*kr.baseline - target));
    }
    case Direction::kMaintainAtLeast:
      if (*v >= target) return 1.0;
      return target > 0 ? Clamp01(*v / target) : 0.0;
    case Direction::kMaintainAtMost:
      if (*v <= target) return 1.0;
      return *v > 0 ? Clamp01(target / *v) : 0.0;
    case Direction::kBinary:
      break;
  }
  return 0.0;
}

double ObjectiveScore(const std::vector<KeyResult>& krs) {
  double weighted = 0;
  double total_weight = 0;
  for (const auto& kr : krs) {
    if (kr.archived) continue;
    double weight = kr.weight > 0 ? kr.weight : 1.0;
    weighted += weight * KeyResultProgress(kr);
    total_weight += weight;
  }
  return total_weight > 0 ? weighted / total_weight : 0.0;
}

Band ScoreBand(double score) {
  if (score >= 0.7) return Band::kGreen;
  if (score >= 0.4) return Band::kYellow;
  return Band::kRed;
}

const char* BandName(Band band) {
  switch (band) {
    case Band::kGreen:
      return "green";
    case Band::kYellow:
      return "yellow";
    case Band::kRed:
      return "red";
  }
  return "red";
}

const char* PaceStatusName(PaceStatus status) {
  switch (status) {
    case PaceStatus::kOnTrack:
      return "on track";
    case PaceStatus::kAtRisk:
      return "at risk";
    case PaceStatus::kOffTrack:
      return "off track";
  }
  return "on track";
}

PaceStatus ComputePace(double progress, double elapsed_fraction, GoalType type) {
  double expected = Clamp01(elapsed_fraction) * (type == GoalType::kStretch ? 0.7 : 1.0);
  if (progress >= expected - 0.1) return PaceStatus::kOnTrack;
  if (progress >= expected - 0.25) return PaceStatus::kAtRisk;
  return PaceStatus::kOffTrack;
}

bool IsSuccess(double score, GoalType type) {
  return score + 1e-9 >= (type == GoalType::kStretch ? 0.7 : 1.0);
}

bool IsStale(const KeyResult& kr, Seconds now, int grace_days) {
  if (kr.archived) return false;
  if (kr.snoozed_until && now < Seconds(*kr.snoozed_until + date::days{1})) return false;
  Seconds since = kr.last_checkin_at.value_or(kr.created_at);
  auto allowed = date::days{CadenceDays(kr.cadence) + grace_days};
  return now - since > allowed;
}

}  // namespace okrbot
