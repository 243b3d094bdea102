#include "core/cycle.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

Days D(const std::string& s) {
  Days d;
  EXPECT_TRUE(ParseDate(s, &d)) << s;
  return d;
}

TEST(CycleTest, ParsesTheFormsPeopleType) {
  Cycle c;
  ASSERT_TRUE(ParseCycle("2026-Q4", &c));
  EXPECT_EQ(c, (Cycle{2026, 4}));
  ASSERT_TRUE(ParseCycle("2026q1", &c));
  EXPECT_EQ(c, (Cycle{2026, 1}));
  ASSERT_TRUE(ParseCycle("Q3-2027", &c));
  EXPECT_EQ(c, (Cycle{2027, 3}));
  EXPECT_FALSE(ParseCycle("2026-Q5", &c));
  EXPECT_FALSE(ParseCycle("2026-Q0", &c));
  EXPECT_FALSE(ParseCycle("26-Q1", &c));
  EXPECT_FALSE(ParseCycle("", &c));
  EXPECT_EQ(FormatCycle({2026, 4}), "2026-Q4");
}

TEST(CycleTest, CalendarQuarterBoundaries) {
  EXPECT_EQ(CycleFirstDay({2026, 4}, 1), D("2026-10-01"));
  EXPECT_EQ(CycleLastDay({2026, 4}, 1), D("2026-12-31"));
  EXPECT_EQ(CycleLastDay({2028, 1}, 1), D("2028-03-31"));
  EXPECT_EQ(CycleContaining(D("2026-11-24"), 1), (Cycle{2026, 4}));
  EXPECT_EQ(CycleContaining(D("2027-01-01"), 1), (Cycle{2027, 1}));
}

TEST(CycleTest, FiscalYearStartingInApril) {
  EXPECT_EQ(CycleFirstDay({2026, 1}, 4), D("2026-04-01"));
  EXPECT_EQ(CycleLastDay({2026, 4}, 4), D("2027-03-31"));
  EXPECT_EQ(CycleContaining(D("2027-02-10"), 4), (Cycle{2026, 4}));
  EXPECT_EQ(CycleContaining(D("2026-04-01"), 4), (Cycle{2026, 1}));
  EXPECT_EQ(CycleContaining(D("2026-03-31"), 4), (Cycle{2025, 4}));
}

TEST(CycleTest, ElapsedFraction) {
  Cycle q4{2026, 4};
  EXPECT_DOUBLE_EQ(CycleElapsedFraction(q4, 1, Seconds(D("2026-09-30"))), 0.0);
  EXPECT_DOUBLE_EQ(CycleElapsedFraction(q4, 1, Seconds(D("2027-01-01"))), 1.0);
  double mid = CycleElapsedFraction(q4, 1, Seconds(D("2026-11-16")));
  EXPECT_NEAR(mid, 46.0 / 92.0, 1e-9);
}

}  // namespace
}  // namespace okrbot
