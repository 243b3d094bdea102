#include "bot/rate_limiter.h"

#include <algorithm>

namespace okrbot {
namespace {

constexpr int64_t kUnitsPerAction = 60;

}  // namespace

RateLimiter::RateLimiter(const Clock* clock, int per_minute, size_t max_keys)
    : clock_(clock),
      per_minute_(std::max(0, per_minute)),
      max_keys_(std::max<size_t>(1, max_keys)) {}

void RateLimiter::Refill(Bucket* bucket, Seconds now) const {
  const int64_t capacity = int64_t{per_minute_} * kUnitsPerAction;
  // A clock that steps back refills nothing, rather than emptying the bucket.
  const int64_t elapsed = std::max<int64_t>(0, (now - bucket->updated).count());
  bucket->units = std::min(capacity, bucket->units + elapsed * per_minute_);
  bucket->updated = std::max(bucket->updated, now);
}

std::optional<std::chrono::seconds> RateLimiter::Take(const std::string& key) {
  if (per_minute_ == 0) return std::nullopt;
  const Seconds now = clock_->Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto found = buckets_.find(key);
  if (found == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // At most one sweep per second; if nothing was idle, some key is forgotten (it starts
      // over with a full bucket), so memory stays bounded whatever arrives.
      if (now > last_sweep_) {
        last_sweep_ = now;
        ForgetIdle(now);
      }
      if (buckets_.size() >= max_keys_) buckets_.erase(buckets_.begin());
    }
    Bucket full;
    full.units = int64_t{per_minute_} * kUnitsPerAction;
    full.updated = now;
    found = buckets_.emplace(key, full).first;
  }
  Bucket& bucket = found->second;
  Refill(&bucket, now);
  if (bucket.units >= kUnitsPerAction) {
    bucket.units -= kUnitsPerAction;
    return std::nullopt;
  }
  const int64_t missing = kUnitsPerAction - bucket.units;
  return std::chrono::seconds((missing + per_minute_ - 1) / per_minute_);
}

void RateLimiter::ForgetIdle(Seconds now) {
  const int64_t capacity = int64_t{per_minute_} * kUnitsPerAction;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Bucket refilled = it->second;
    Refill(&refilled, now);
    if (refilled.units >= capacity) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t RateLimiter::KeysForTesting() {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace okrbot
