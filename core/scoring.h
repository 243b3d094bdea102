// Scoring (SPEC §1): progress 0.0–1.0 from baseline to target for every direction, clamped;
// objective score = weighted mean of its KRs; colour bands; pace-based status.
//
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "core/model.h"

namespace okrbot {

// Progress of `kr` at `value` (its current value when empty). A KR without a check-in scores 0;
// a binary KR scores 1 when value >= 1 (done) else 0; a KR without a target scores 0.
double KeyResultProgress(const KeyResult& kr, std::optional<double> value = std::nullopt);

// Weighted mean of the KRs' progress (archived KRs ignored); 0 when there are none.
double ObjectiveScore(const std::vector<KeyResult>& krs);

enum class Band { kRed, kYellow, kGreen };
Band ScoreBand(double score);  // >= 0.7 green, >= 0.4 yellow, else red
const char* BandName(Band band);

enum class PaceStatus { kOnTrack, kAtRisk, kOffTrack };
const char* PaceStatusName(PaceStatus status);  // "on track", "at risk", "off track"

// Status from progress against the time elapsed in the cycle. Stretch goals are expected to
// reach 0.7, committed goals 1.0, so the expected progress is elapsed × that.
PaceStatus ComputePace(double progress, double elapsed_fraction, GoalType type);

// Success for the type: stretch >= 0.7, committed >= 1.0 (with a small tolerance).
bool IsSuccess(double score, GoalType type);

// True when no check-in happened within cadence + grace (counting from creation when none).
// Archived and snoozed (until a day after now) KRs are never stale.
bool IsStale(const KeyResult& kr, Seconds now, int grace_days = 3);

}  // namespace okrbot
