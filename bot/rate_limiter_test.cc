#include "bot/rate_limiter.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};
};

TEST_F(RateLimiterTest, AMinutesWorthAtOnceThenOneEveryFewSeconds) {
  RateLimiter limiter(&clock_, 30);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(limiter.Take("alice"), std::nullopt) << i;
  auto wait = limiter.Take("alice");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, std::chrono::seconds(2));  // 30 a minute: one every 2 s
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(limiter.Take("alice"), std::chrono::seconds(1));
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(limiter.Take("alice"), std::nullopt);
  EXPECT_TRUE(limiter.Take("alice"));
  // Others are not affected.
  EXPECT_EQ(limiter.Take("bob"), std::nullopt);
  // A full minute refills the bucket, and no further.
  clock_.Advance(std::chrono::minutes(10));
  for (int i = 0; i < 30; ++i) EXPECT_EQ(limiter.Take("alice"), std::nullopt) << i;
  EXPECT_TRUE(limiter.Take("alice"));
}

TEST_F(RateLimiterTest, SlowRatesAskForLongerWaits) {
  RateLimiter limiter(&clock_, 1);
  EXPECT_EQ(limiter.Take("alice"), std::nullopt);
  EXPECT_EQ(limiter.Take("alice"), std::chrono::seconds(60));
  clock_.Advance(std::chrono::seconds(45));
  EXPECT_EQ(limiter.Take("alice"), std::chrono::seconds(15));
}

TEST_F(RateLimiterTest, RefusedAttemptsDoNotCount) {
  RateLimiter limiter(&clock_, 60);
  for (int i = 0; i < 60; ++i) ASSERT_EQ(limiter.Take("alice"), std::nullopt);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.Take("alice"));  // hammering
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(limiter.Take("alice"), std::nullopt);  // one per second, hammering or not
}

TEST_F(RateLimiterTest, ZeroMeansUnlimited) {
  RateLimiter limiter(&clock_, 0);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(limiter.Take("alice"), std::nullopt);
  EXPECT_EQ(limiter.KeysForTesting(), 0u);
}

TEST_F(RateLimiterTest, AClockSteppingBackDoesNotEmptyOrOverfillTheBucket) {
  RateLimiter limiter(&clock_, 60);
  for (int i = 0; i < 60; ++i) ASSERT_EQ(limiter.Take("alice"), std::nullopt);
  clock_.Advance(std::chrono::seconds(-3600));
  EXPECT_TRUE(limiter.Take("alice"));
  clock_.Advance(std::chrono::seconds(3601));
  EXPECT_EQ(limiter.Take("alice"), std::nullopt);
}

TEST_F(RateLimiterTest, MemoryStaysBoundedByForgettingIdleKeysFirst) {
  RateLimiter limiter(&clock_, 10, /*max_keys=*/100);
  for (int i = 0; i < 99; ++i) ASSERT_EQ(limiter.Take("user" + std::to_string(i)), std::nullopt);
  clock_.Advance(std::chrono::seconds(61));  // the users' buckets are full again: idle
  for (int i = 0; i < 10; ++i) ASSERT_EQ(limiter.Take("busy"), std::nullopt);
  EXPECT_EQ(limiter.KeysForTesting(), 100u);
  ASSERT_EQ(limiter.Take("newcomer"), std::nullopt);  // at the bound: the idle ones go
  EXPECT_EQ(limiter.KeysForTesting(), 2u);
  EXPECT_TRUE(limiter.Take("busy"));  // the busy one was kept, and is still limited
  // Without idle keys, new keys still get in and the count stays at the bound.
  for (int i = 0; i < 1000; ++i) limiter.Take("flood" + std::to_string(i));
  EXPECT_LE(limiter.KeysForTesting(), 100u);
}

}  // namespace
}  // namespace okrbot
