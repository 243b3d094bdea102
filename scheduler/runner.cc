#include "scheduler/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace okrbot {

void SchedulerRunner::EnableRetention(Store* store, RetentionOptions options) {
  retention_store_ = store;
  retention_ = options;
}

Result<PassStats> SchedulerRunner::RunPass() {
  PassStats stats;
  const Seconds now = clock_->Now();
  if (retention_store_ != nullptr &&
      (!last_pruned_ || now - *last_pruned_ >= std::chrono::hours(24))) {
    auto pruned = retention_store_->Prune(now - retention_.seen_events, now - retention_.jobs);
    if (pruned.ok()) {
      last_pruned_ = now;
      stats.pruned = *pruned;
      if (pruned->seen_events > 0 || pruned->jobs > 0) {
        spdlog::info("scheduler: retention pruned {} seen event(s) and {} finished job(s)",
                     pruned->seen_events, pruned->jobs);
      }
    } else {
      spdlog::warn("scheduler: retention failed (tried again next pass): {}",
                   pruned.status().message());
    }
  }
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
    stats.dispatched.expired += d.expired;
    if (d.next_wake) stats.dispatched.WakeBy(*d.next_wake);
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
      std::chrono::seconds wait = interval_;
      if (stats.ok() && stats->dispatched.next_wake) {
        auto until = *stats->dispatched.next_wake - clock_->Now();
        wait = std::clamp<std::chrono::seconds>(until, std::chrono::seconds(1), interval_);
      }
      if (!stats.ok()) {
        // The database may be down; the next pass tries again.
        spdlog::warn("scheduler: pass failed: {}", stats.status().message());
      } else if (stats->planned.created > 0 || stats->dispatched.claimed > 0) {
        spdlog::info("scheduler: planned {} new, sent {}, retried {}, dead {}",
                     stats->planned.created, stats->dispatched.sent, stats->dispatched.retried,
                     stats->dispatched.dead);
      }
      lock.lock();
      wake_.wait_for(lock, wait, [this] { return stopping_; });
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
