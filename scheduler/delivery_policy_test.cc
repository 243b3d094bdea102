#include "scheduler/delivery_policy.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

using std::chrono::hours;

TEST(DeliveryPolicyTest, EachKindOfPostHasItsLife) {
  PostLives lives;
  EXPECT_EQ(LifeOf("checkin", lives), hours(24));
  EXPECT_EQ(LifeOf("stale", lives), hours(24));
  EXPECT_EQ(LifeOf("digest", lives), hours(72));
  EXPECT_EQ(LifeOf("halfway", lives), hours(72));
  EXPECT_EQ(LifeOf("summary", lives), hours(168));
  lives.summary = hours(2);
  EXPECT_EQ(LifeOf("summary", lives), hours(2));
}

TEST(DeliveryPolicyTest, PromptsShareAQuietGapNudgesAnotherAndSummariesNone) {
  EXPECT_EQ(QuietGroupOf("checkin"), QuietGroupOf("followup"));
  EXPECT_EQ(QuietGroupOf("digest"), std::vector<std::string>{"digest"});
  EXPECT_TRUE(QuietGroupOf("summary").empty());
  EXPECT_EQ(QuietGroupOf("stale"), QuietGroupOf("escalate")) << "nudges share a gap of their own";
  EXPECT_NE(QuietGroupOf("stale"), QuietGroupOf("checkin"));
  EXPECT_TRUE(IsNudge("quality"));
  EXPECT_FALSE(IsNudge("checkin"));
}

TEST(DeliveryPolicyTest, PlatformsHaveTheirDocumentedCeilings) {
  EXPECT_EQ(DefaultPaceLimits("slack").workspace_per_minute, 300);
  EXPECT_EQ(DefaultPaceLimits("teams").workspace_per_minute, 3000);
  EXPECT_EQ(DefaultPaceLimits("mattermost").workspace_per_minute, 600);
  EXPECT_EQ(DefaultPaceLimits("slack").channel_per_second, 1.0);
}

}  // namespace
}  // namespace okrbot
