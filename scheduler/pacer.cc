#include "scheduler/pacer.h"

#include <algorithm>
#include <cmath>

namespace okrbot {
namespace {

constexpr std::chrono::seconds kWindow{60};

Seconds SecondsFromNow(Seconds now, double seconds) {
  return now + std::chrono::seconds(static_cast<long long>(std::ceil(std::max(seconds, 0.0))));
}

}  // namespace

void Pacer::Refill(Bucket* bucket, double per_second, double capacity, Seconds now) {
  double elapsed = static_cast<double>((now - bucket->refilled_at).count());
  bucket->tokens = std::min(capacity, bucket->tokens + std::max(elapsed, 0.0) * per_second);
  bucket->refilled_at = now;
}

void Pacer::Pause(const std::string& workspace_id, Seconds until) {
  Workspace& workspace = workspaces_[workspace_id];
  workspace.paused_until = std::max(workspace.paused_until, until);
  workspace.held_until = std::max(workspace.held_until, until);
}

std::optional<Seconds> Pacer::HeldUntil(const std::string& workspace_id, Seconds now) const {
  auto it = workspaces_.find(workspace_id);
  if (it == workspaces_.end() || it->second.held_until <= now) return std::nullopt;
  return it->second.held_until;
}

std::optional<Seconds> Pacer::PausedUntil(const std::string& workspace_id, Seconds now) const {
  auto it = workspaces_.find(workspace_id);
  if (it == workspaces_.end() || it->second.paused_until <= now) return std::nullopt;
  return it->second.paused_until;
}

std::vector<std::string> Pacer::HeldWorkspaces(Seconds now,
                                               std::optional<Seconds>* earliest) const {
  std::vector<std::string> held;
  for (const auto& [id, workspace] : workspaces_) {
    if (workspace.held_until <= now) continue;
    held.push_back(id);
    *earliest = *earliest ? std::min(**earliest, workspace.held_until) : workspace.held_until;
  }
  return held;
}

std::optional<Seconds> Pacer::CeilingFreeAt(Workspace* workspace, const PaceLimits& limits,
                                            Seconds now) {
  std::optional<Seconds> free_at;
  auto later = [&](Seconds at) { free_at = free_at ? std::max(*free_at, at) : at; };
  while (!workspace->last_minute.empty() && workspace->last_minute.front() + kWindow <= now) {
    workspace->last_minute.pop_front();
  }
  if (static_cast<int>(workspace->last_minute.size()) >= limits.workspace_per_minute) {
    later(workspace->last_minute.front() + kWindow);
  }
  const double per_second = std::max(limits.workspace_per_minute / 60.0, 1e-6);
  Refill(&workspace->burst, per_second, limits.workspace_burst, now);
  if (workspace->burst.tokens < 1.0) {
    later(SecondsFromNow(now, (1.0 - workspace->burst.tokens) / per_second));
  }
  return free_at;
}

std::optional<Pacer::Hold> Pacer::TryTake(const std::string& workspace_id,
                                          const std::string& channel, const PaceLimits& limits,
                                          Seconds now) {
  auto [ws, created] = workspaces_.try_emplace(workspace_id);
  Workspace& workspace = ws->second;
  if (created) {
    workspace.burst.tokens = limits.workspace_burst;
    workspace.burst.refilled_at = now;
  }
  if (workspace.held_until > now) return Hold{workspace.held_until, true};
  if (auto free_at = CeilingFreeAt(&workspace, limits, now)) {
    workspace.held_until = *free_at;
    return Hold{*free_at, true};
  }
  auto [channel_it, new_channel] = channels_.try_emplace({workspace_id, channel});
  Bucket& bucket = channel_it->second;
  if (new_channel) {
    bucket.tokens = limits.channel_burst;
    bucket.refilled_at = now;
  }
  Refill(&bucket, limits.channel_per_second, limits.channel_burst, now);
  if (bucket.tokens < 1.0) {
    return Hold{
        SecondsFromNow(now, (1.0 - bucket.tokens) / std::max(limits.channel_per_second, 1e-6)),
        false};
  }
  bucket.tokens -= 1.0;
  workspace.burst.tokens -= 1.0;
  workspace.last_minute.push_back(now);
  if (channels_.size() > sweep_above_) ForgetIdleChannels(limits, now);
  return std::nullopt;
}

void Pacer::ForgetIdleChannels(const PaceLimits& limits, Seconds now) {
  // A bucket that would be full again by now holds no information: a new one starts full.
  double refill_seconds = limits.channel_burst / std::max(limits.channel_per_second, 1e-6);
  auto idle_since = now - std::chrono::seconds(static_cast<long long>(std::ceil(refill_seconds)));
  std::erase_if(channels_,
                [&](const auto& entry) { return entry.second.refilled_at <= idle_since; });
  // Sweep again only when the live buckets have doubled: amortised O(1) per post even when every
  // channel is busy.
  sweep_above_ = std::max<size_t>(10000, 2 * channels_.size());
}

}  // namespace okrbot
