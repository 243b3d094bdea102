#include "scheduler/pacer.h"

#include <algorithm>
#include <cmath>

namespace okrbot {
namespace {

constexpr std::chrono::seconds kWindow{60};
constexpr size_t kForgetAbove = 10000;  // channel buckets kept before idle ones are dropped

Seconds SecondsFromNow(Seconds now, double seconds) {
  return now + std::chrono::seconds(static_cast<long long>(std::ceil(std::max(seconds, 0.0))));
}

}  // namespace

void Pacer::Refill(Bucket* bucket, double per_second, double capacity, Seconds now) {
  double elapsed = static_cast<double>((now - bucket->refilled_at).count());
  bucket->tokens = std::min(capacity, bucket->tokens + std::max(elapsed, 0.0) * per_second);
  bucket->refilled_at = now;
}

void Pacer::Pause(const std::string& workspace_id, const std::string& method, Seconds until) {
  Seconds& paused = paused_until_[{workspace_id, method}];
  paused = std::max(paused, until);
}

std::optional<Seconds> Pacer::WorkspaceBlockedUntil(const std::string& workspace_id,
                                                    const std::string& method,
                                                    const PaceLimits& limits, Seconds now) {
  std::optional<Seconds> blocked;
  if (auto paused = paused_until_.find({workspace_id, method}); paused != paused_until_.end()) {
    if (paused->second > now) {
      blocked = paused->second;
    } else {
      paused_until_.erase(paused);
    }
  }
  auto it = workspaces_.find(workspace_id);
  if (it == workspaces_.end()) return blocked;
  Workspace& workspace = it->second;
  while (!workspace.last_minute.empty() && workspace.last_minute.front() + kWindow <= now) {
    workspace.last_minute.pop_front();
  }
  auto later = [&](Seconds at) { blocked = blocked ? std::max(*blocked, at) : at; };
  if (static_cast<int>(workspace.last_minute.size()) >= limits.workspace_per_minute) {
    later(workspace.last_minute.front() + kWindow);
  }
  Refill(&workspace.burst, limits.workspace_per_minute / 60.0, limits.workspace_burst, now);
  if (workspace.burst.tokens < 1.0) {
    later(SecondsFromNow(
        now, (1.0 - workspace.burst.tokens) / std::max(limits.workspace_per_minute / 60.0, 1e-6)));
  }
  return blocked;
}

std::optional<Seconds> Pacer::TryTake(const std::string& workspace_id, const std::string& channel,
                                      const std::string& method, const PaceLimits& limits,
                                      Seconds now) {
  auto [ws, created] = workspaces_.try_emplace(workspace_id);
  if (created) {
    ws->second.burst.tokens = limits.workspace_burst;
    ws->second.burst.refilled_at = now;
  }
  if (auto blocked = WorkspaceBlockedUntil(workspace_id, method, limits, now)) return blocked;
  auto [channel_it, new_channel] = channels_.try_emplace({workspace_id, channel});
  Bucket& bucket = channel_it->second;
  if (new_channel) {
    bucket.tokens = limits.channel_burst;
    bucket.refilled_at = now;
  }
  Refill(&bucket, limits.channel_per_second, limits.channel_burst, now);
  if (bucket.tokens < 1.0) {
    return SecondsFromNow(now, (1.0 - bucket.tokens) / std::max(limits.channel_per_second, 1e-6));
  }
  bucket.tokens -= 1.0;
  ws->second.burst.tokens -= 1.0;
  ws->second.last_minute.push_back(now);
  if (channels_.size() > kForgetAbove) ForgetIdleChannels(limits, now);
  return std::nullopt;
}

void Pacer::ForgetIdleChannels(const PaceLimits& limits, Seconds now) {
  // A bucket that would be full again by now holds no information: a new one starts full.
  double refill_seconds = limits.channel_burst / std::max(limits.channel_per_second, 1e-6);
  auto idle_since = now - std::chrono::seconds(static_cast<long long>(std::ceil(refill_seconds)));
  std::erase_if(channels_,
                [&](const auto& entry) { return entry.second.refilled_at <= idle_since; });
}

}  // namespace okrbot
