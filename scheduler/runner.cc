#include "scheduler/runner.h"

#include <spdlog/spdlog.h>

namespace okrbot {

Result<PassStats> SchedulerRunner::RunPass() {
  PassStats stats;
  auto planned = planner_->PlanAll(clock_->Now());
  if (planned.ok()) {
    stats.planned = *planned;
  } else {
    // Posts planned earlier (and retries) still go out.
    spdlog::warn("scheduler: planning failed: {}", planned.status().message());
  }
  for (int round = 0; round < max_rounds_; ++round) {
    DispatchStats d = dispatcher_->RunOnce();
    stats.dispatched.claimed += d.claimed;
    stats.dispatched.sent += d.sent;
    stats.dispatched.retried += d.retried;
    stats.dispatched.dead += d.dead;
    stats.dispatched.deferred += d.deferred;
    // Deferred jobs wait for a later time; claiming again now would only spin.
    if (d.claimed == 0 || d.claimed == d.deferred) break;
  }
  if (!planned.ok() && stats.dispatched.claimed == 0) return planned.status();
  return stats;
}

void SchedulerRunner::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_.joinable()) return;
  stopping_ = false;
  loop_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto stats = RunPass();
      if (!stats.ok()) {
        // The database may be down; the next pass tries again.
        spdlog::warn("scheduler: pass failed: {}", stats.status().message());
      } else if (stats->planned.created > 0 || stats->dispatched.claimed > 0) {
        spdlog::info("scheduler: planned {} new, sent {}, retried {}, dead {}",
                     stats->planned.created, stats->dispatched.sent, stats->dispatched.retried,
                     stats->dispatched.dead);
      }
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void SchedulerRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
}

}  // namespace okrbot
