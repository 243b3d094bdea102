// RateLimiter: token buckets keyed by name ("this person", "this workspace"), so one noisy
// person or workspace cannot take the server from everyone else.
//
// Contract:
// - Each key may take `per_minute` actions at once (a minute's worth), and regains them at
//   `per_minute` a minute (1/60 of an action per second, counted in whole seconds of the Clock).
// - Take() either takes one action from the key's bucket and answers nullopt, or takes nothing
//   and answers how long to wait (whole seconds, at least 1) before one is available.
// - per_minute 0 means unlimited: Take() always answers nullopt and keeps no state.
// - Memory stays bounded: once `max_keys` keys are known, keys whose bucket is full again (idle
//   for a minute) are forgotten; if none is idle, an arbitrary one is (it starts over full).
// - Limits are per process: with several replicas, each one counts what it serves.
// Thread-safe (one mutex; a Take is a map lookup and a little arithmetic).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace okrbot {

class RateLimiter {
 public:
  RateLimiter(const Clock* clock, int per_minute, size_t max_keys = 100000);

  std::optional<std::chrono::seconds> Take(const std::string& key);

  int per_minute() const { return per_minute_; }
  size_t KeysForTesting();

 private:
  struct Bucket {
    int64_t units = 0;  // 60 units = one action
    Seconds updated;
  };
  void Refill(Bucket* bucket, Seconds now) const;
  void ForgetIdle(Seconds now);  // mu_ held

  const Clock* clock_;
  const int per_minute_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
  Seconds last_sweep_{};                             // guarded by mu_
};

}  // namespace okrbot
