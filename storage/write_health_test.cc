#include "storage/write_health.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

using std::chrono::milliseconds;

TEST(WriteHealthTest, AnUnavailableWriteMakesItUnhealthyUntilAWriteSucceeds) {
  WriteHealth health;
  EXPECT_TRUE(health.Failure().ok());
  health.Record(Status::Unavailable("The database disk is full."));
  EXPECT_EQ(health.Failure().code(), StatusCode::kUnavailable);
  EXPECT_EQ(health.Failure().message(), "The database disk is full.");
  health.Record(Status::Ok());
  EXPECT_TRUE(health.Failure().ok());
}

TEST(WriteHealthTest, BadInputSaysNothingAboutTheDatabase) {
  WriteHealth health;
  health.Record(Status::InvalidArgument("too long"));
  health.Record(Status::AlreadyExists("KR1"));
  EXPECT_TRUE(health.Failure().ok());
  health.Record(Status::Unavailable("read-only"));
  health.Record(Status::NotFound("KR9"));
  EXPECT_EQ(health.Failure().message(), "read-only");
}

TEST(WriteHealthTest, ContentionIsNotARefusal) {
  WriteHealth health;
  health.Record(
      Status::Unavailable(std::string(kDatabaseBusy) + ": all 4 connections stayed busy"));
  EXPECT_TRUE(health.Failure().ok());
  health.Record(Status::Unavailable("The database disk is full; nothing was written."));
  health.Record(Status::Unavailable(std::string(kDatabaseBusy) + " (locked by another writer)"));
  EXPECT_EQ(health.Failure().message(), "The database disk is full; nothing was written.")
      << "contention neither sets nor clears a refusal";
}

TEST(WriteHealthTest, ProbesAtMostOncePerIntervalAndOnlyWhileUnhealthy) {
  WriteHealth health(milliseconds(1000));
  const WriteHealth::TimePoint start{};
  EXPECT_FALSE(health.TakeProbeTurn(start));  // healthy: nothing to probe
  health.Record(Status::Unavailable("disk full"));
  EXPECT_TRUE(health.TakeProbeTurn(start));
  EXPECT_FALSE(health.TakeProbeTurn(start + milliseconds(999)));
  EXPECT_TRUE(health.TakeProbeTurn(start + milliseconds(1000)));
  health.Record(Status::Ok());
  EXPECT_FALSE(health.TakeProbeTurn(start + milliseconds(5000)));
  health.Record(Status::Unavailable("disk full again"));
  EXPECT_TRUE(health.TakeProbeTurn(start + milliseconds(5001)));  // a new outage probes at once
}

}  // namespace
}  // namespace okrbot
