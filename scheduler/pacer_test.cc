#include "scheduler/pacer.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

using std::chrono::seconds;

const Seconds kStart{seconds(1800000000)};

TEST(PacerTest, AChannelGetsItsBurstThenOnePostASecond) {
  Pacer pacer;
  PaceLimits limits;  // 1/s, burst 3
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(pacer.TryTake("slack:T1", "#okrs", limits, kStart));
  auto wait = pacer.TryTake("slack:T1", "#okrs", limits, kStart);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->until, kStart + seconds(1));
  EXPECT_FALSE(wait->whole_workspace) << "only the channel is busy";
  EXPECT_FALSE(pacer.TryTake("slack:T1", "UANA", limits, kStart)) << "another channel";
  EXPECT_FALSE(pacer.TryTake("slack:T1", "#okrs", limits, kStart + seconds(1)));
}

TEST(PacerTest, AWorkspaceNeverExceedsItsCeilingInAnySixtySeconds) {
  Pacer pacer;
  PaceLimits limits;
  limits.workspace_per_minute = 10;
  limits.workspace_burst = 4;
  std::vector<Seconds> sent;
  for (int second = 0; second < 300; ++second) {
    for (int person = 0; person < 20; ++person) {
      std::string channel = "U" + std::to_string(second * 100 + person);
      if (!pacer.TryTake("slack:T1", channel, limits, kStart + seconds(second))) {
        sent.push_back(kStart + seconds(second));
      }
    }
  }
  for (size_t i = 0; i < sent.size(); ++i) {
    size_t in_window = 0;
    for (size_t j = i; j < sent.size() && sent[j] < sent[i] + seconds(60); ++j) ++in_window;
    ASSERT_LE(in_window, 10u) << "60 s from post " << i;
  }
  EXPECT_GE(sent.size(), 45u) << "and it does send at that pace";
}

TEST(PacerTest, APauseHoldsOnlyThatWorkspace) {
  Pacer pacer;
  PaceLimits limits;
  pacer.Pause("slack:T1", kStart + seconds(30));
  auto wait = pacer.TryTake("slack:T1", "U1", limits, kStart);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->until, kStart + seconds(30));
  EXPECT_TRUE(wait->whole_workspace);
  EXPECT_EQ(pacer.PausedUntil("slack:T1", kStart), kStart + seconds(30));
  std::optional<Seconds> earliest;
  EXPECT_EQ(pacer.HeldWorkspaces(kStart, &earliest), std::vector<std::string>{"slack:T1"});
  EXPECT_EQ(earliest, kStart + seconds(30));
  EXPECT_FALSE(pacer.TryTake("slack:T2", "U1", limits, kStart)) << "other workspace";
  EXPECT_FALSE(pacer.HeldUntil("slack:T1", kStart + seconds(30)));
  EXPECT_FALSE(pacer.TryTake("slack:T1", "U1", limits, kStart + seconds(30)));
}

}  // namespace
}  // namespace okrbot
