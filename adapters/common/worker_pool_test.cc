#include "adapters/common/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>

namespace okrbot {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskBeforeShutdownReturns) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(3);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(pool.Submit([&] { done.fetch_add(1); }));
  }  // destructor drains
  EXPECT_EQ(done.load(), 100);
}

TEST(WorkerPoolTest, RefusesWorkAfterShutdown) {
  WorkerPool pool(1);
  pool.Shutdown();
  bool ran = false;
  EXPECT_FALSE(pool.Submit([&] { ran = true; }));
  EXPECT_FALSE(ran);
  pool.Shutdown();  // twice is fine
}

}  // namespace
}  // namespace okrbot
