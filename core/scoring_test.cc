#include "core/scoring.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

KeyResult Kr(Direction d, std::optional<double> from, std::optional<double> to) {
  KeyResult kr;
  kr.direction = d;
  kr.baseline = from;
  kr.target = to;
  return kr;
}

TEST(ScoringTest, IncreaseFromBaselineToTarget) {
  auto kr = Kr(Direction::kIncrease, 55, 70);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 55), 0.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 62.5), 0.5);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 70), 1.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 90), 1.0) << "clamped above";
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 40), 0.0) << "clamped below";
}

TEST(ScoringTest, IncreaseWithoutBaselineCountsFromZero) {
  auto kr = Kr(Direction::kIncrease, std::nullopt, 40);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 10), 0.25);
}

TEST(ScoringTest, DecreaseFromBaselineDownToTarget) {
  auto kr = Kr(Direction::kDecrease, 5, 3);  // churn 5% -> 3%
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 5), 0.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 4), 0.5);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 3), 1.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 1), 1.0) << "clamped";
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 8), 0.0) << "worse than baseline";
}

TEST(ScoringTest, MaintainAtLeastAndAtMost) {
  auto at_least = Kr(Direction::kMaintainAtLeast, std::nullopt, 4.5);
  EXPECT_DOUBLE_EQ(KeyResultProgress(at_least, 4.7), 1.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(at_least, 4.5), 1.0);
  EXPECT_NEAR(KeyResultProgress(at_least, 3.6), 0.8, 1e-9);
  auto at_most = Kr(Direction::kMaintainAtMost, std::nullopt, 200);
  EXPECT_DOUBLE_EQ(KeyResultProgress(at_most, 150), 1.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(at_most, 400), 0.5);
}

TEST(ScoringTest, BinaryIsZeroOrOne) {
  auto kr = Kr(Direction::kBinary, std::nullopt, std::nullopt);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 0), 0.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr, 1), 1.0);
  EXPECT_DOUBLE_EQ(KeyResultProgress(kr), 0.0) << "no check-in yet";
}

TEST(ScoringTest, ObjectiveIsWeightedMeanAndIgnoresArchived) {
  auto a = Kr(Direction::kIncrease, 0, 10);
  a.current = 10;  // 1.0
  auto b = Kr(Direction::kBinary, std::nullopt, std::nullopt);
  b.current = 0;  // 0.0
  EXPECT_DOUBLE_EQ(ObjectiveScore({a, b}), 0.5);
  a.weight = 3;
  EXPECT_DOUBLE_EQ(ObjectiveScore({a, b}), 0.75);
  b.archived = true;
  EXPECT_DOUBLE_EQ(ObjectiveScore({a, b}), 1.0);
  EXPECT_DOUBLE_EQ(ObjectiveScore({}), 0.0);
}

TEST(ScoringTest, BandsAndSuccess) {
  EXPECT_EQ(ScoreBand(0.7), Band::kGreen);
  EXPECT_EQ(ScoreBand(0.69), Band::kYellow);
  EXPECT_EQ(ScoreBand(0.4), Band::kYellow);
  EXPECT_EQ(ScoreBand(0.39), Band::kRed);
  EXPECT_TRUE(IsSuccess(0.7, GoalType::kStretch));
  EXPECT_FALSE(IsSuccess(0.7, GoalType::kCommitted));
  EXPECT_TRUE(IsSuccess(1.0, GoalType::kCommitted));
}

TEST(ScoringTest, PaceAgainstElapsedTime) {
  EXPECT_EQ(ComputePace(0.5, 0.5, GoalType::kCommitted), PaceStatus::kOnTrack);
  EXPECT_EQ(ComputePace(0.3, 0.5, GoalType::kCommitted), PaceStatus::kAtRisk);
  EXPECT_EQ(ComputePace(0.1, 0.5, GoalType::kCommitted), PaceStatus::kOffTrack);
  // A stretch goal is expected to reach only 0.7 by the end.
  EXPECT_EQ(ComputePace(0.3, 0.5, GoalType::kStretch), PaceStatus::kOnTrack);
  EXPECT_EQ(ComputePace(0.0, 0.05, GoalType::kCommitted), PaceStatus::kOnTrack);
}

TEST(ScoringTest, StaleAfterCadencePlusGrace) {
  KeyResult kr;
  Days start;
  ASSERT_TRUE(ParseDate("2026-10-01", &start));
  kr.created_at = Seconds(start);
  EXPECT_FALSE(IsStale(kr, Seconds(start + date::days{10})));
  EXPECT_TRUE(IsStale(kr, Seconds(start + date::days{11})));
  kr.last_checkin_at = Seconds(start + date::days{9});
  EXPECT_FALSE(IsStale(kr, Seconds(start + date::days{11})));
  kr.cadence = Cadence::kMonthly;
  kr.last_checkin_at.reset();
  EXPECT_FALSE(IsStale(kr, Seconds(start + date::days{30})));
  EXPECT_TRUE(IsStale(kr, Seconds(start + date::days{34})));
  kr.snoozed_until = start + date::days{40};
  EXPECT_FALSE(IsStale(kr, Seconds(start + date::days{34})));
  kr.archived = true;
  kr.snoozed_until.reset();
  EXPECT_FALSE(IsStale(kr, Seconds(start + date::days{90})));
}

}  // namespace
}  // namespace okrbot
