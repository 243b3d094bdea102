#include "scheduler/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace okrbot {
namespace {

std::string PlatformOf(const std::string& workspace_id) {
  return workspace_id.substr(0, workspace_id.find(':'));
}

// "24 h", "3 days", "90 min": for the reasons recorded on dead jobs.
std::string DescribeDuration(std::chrono::seconds duration) {
  long long seconds = duration.count();
  if (seconds % 86400 == 0 && seconds >= 2 * 86400)
    return std::to_string(seconds / 86400) + " days";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + " h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds) + " s";
}

}  // namespace

DeliveryResult DeliveryResultFromStatus(const Status& status, std::chrono::seconds retry_after) {
  DeliveryResult result;
  result.error = status.message();
  if (retry_after.count() > 0) {
    result.outcome = DeliveryResult::Outcome::kRetry;
    result.retry_after = retry_after;
    return result;
  }
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
      result.outcome = DeliveryResult::Outcome::kPermanentFailure;
      break;
    default:
      result.outcome = DeliveryResult::Outcome::kRetry;
  }
  return result;
}

DeliveryResult PermanentDeliveryFailure(const std::string& error) {
  DeliveryResult result;
  result.outcome = DeliveryResult::Outcome::kPermanentFailure;
  result.error = error;
  return result;
}

Dispatcher::Dispatcher(Store* store, const Clock* clock, DispatcherOptions options,
                       std::function<double()> jitter, Metrics* metrics)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      jitter_(std::move(jitter)),
      metrics_(metrics) {}

void Dispatcher::RegisterPlatform(const std::string& platform, Deliverer* deliverer) {
  deliverers_[platform] = deliverer;
}

Seconds Dispatcher::NextAttemptAt(int attempts, std::chrono::seconds retry_after) {
  double exponent = std::min(attempts - 1, 20);
  double backoff = static_cast<double>(options_.base_backoff.count()) * std::pow(2.0, exponent);
  backoff = std::min(backoff, static_cast<double>(options_.max_backoff.count()));
  // Full jitter between half and all of the backoff spreads retries of many jobs apart.
  double jitter = jitter_ ? std::clamp(jitter_(), 0.0, 1.0) : 0.5;
  auto wait = std::chrono::seconds(static_cast<long long>(backoff * (0.5 + 0.5 * jitter)));
  wait = std::max(wait, retry_after);
  return clock_->Now() + wait;
}

const PaceLimits& Dispatcher::LimitsFor(const std::string& platform) {
  if (auto it = options_.pace.find(platform); it != options_.pace.end()) return it->second;
  auto [it, inserted] = default_limits_.try_emplace(platform);
  if (inserted) it->second = DefaultPaceLimits(platform);
  return it->second;
}

std::vector<std::string> Dispatcher::BlockedWorkspaces(Seconds now, DispatchStats* stats) {
  std::vector<std::string> blocked;
  for (auto it = blocked_until_.begin(); it != blocked_until_.end();) {
    if (it->second <= now) {
      it = blocked_until_.erase(it);
      continue;
    }
    blocked.push_back(it->first);
    stats->next_wake = stats->next_wake ? std::min(*stats->next_wake, it->second) : it->second;
    ++it;
  }
  return blocked;
}

void Dispatcher::PutBack(const Job& job, Seconds at, DispatchStats* stats) {
  (void)store_->ReleaseJob(job.id, at);
  ++stats->deferred;
  stats->next_wake = stats->next_wake ? std::min(*stats->next_wake, at) : at;
}

void Dispatcher::Dead(const Job& job, const std::string& error, Seconds now, DispatchStats* stats) {
  (void)store_->MarkJobFailed(job.id, error, now, true);
  spdlog::warn("scheduler: job {} dead: {}", job.key, error);
  ++stats->dead;
  if (metrics_ != nullptr) metrics_->CountJob("dead");
}

DispatchStats Dispatcher::RunOnce() {
  DispatchStats stats;
  Seconds now = clock_->Now();
  std::vector<std::string> blocked = BlockedWorkspaces(now, &stats);
  auto claimed = store_->ClaimDueJobs(now, options_.batch_size, options_.lease, blocked);
  if (!claimed.ok()) {
    spdlog::warn("scheduler: cannot claim jobs: {}", claimed.status().message());
    return stats;
  }
  stats.claimed = static_cast<int>(claimed->size());
  auto count = [&](const char* outcome) {
    if (metrics_ != nullptr) metrics_->CountJob(outcome);
  };
  for (const Job& job : *claimed) {
    // Slow deliveries must not outlive the lease (another process would send the same post):
    // past half of it, the rest goes back untried.
    if (clock_->Now() - now > options_.lease / 2) {
      PutBack(job, job.next_attempt_at, &stats);
      continue;
    }
    const std::string platform = PlatformOf(job.workspace_id);
    auto it = deliverers_.find(platform);
    if (it == deliverers_.end()) {
      // This process cannot post there (platform not configured here): leave it for later.
      (void)store_->ReleaseJob(job.id, now + std::chrono::minutes(5));
      ++stats.deferred;
      continue;
    }
    if (blocked_until_.count(job.workspace_id) != 0) {
      // The workspace reached its ceiling earlier in this batch: the job keeps its place. After
      // a 429 it waits out the Retry-After in the outbox too, so another process (or the next
      // `run-due`) honours it as well.
      Seconds at = job.next_attempt_at;
      if (auto paused = retry_after_until_.find(job.workspace_id);
          paused != retry_after_until_.end() && paused->second > now) {
        at = std::max(at, paused->second);
      }
      PutBack(job, at, &stats);
      continue;
    }
    const std::chrono::seconds life = LifeOf(job.kind, options_.lives);
    const Seconds life_ends = job.ready_at + life;
    const int tries = job.attempts - 1;  // the claim counted this one
    if (now >= life_ends) {
      std::string why = tries == 0
                            ? "expired unsent: not delivered within its life of " +
                                  DescribeDuration(life) + " (okrbot was not running, or paced)"
                            : "expired after " + std::to_string(tries) +
                                  " attempt(s) within its life of " + DescribeDuration(life) +
                                  ": " + job.last_error;
      Dead(job, why, now, &stats);
      ++stats.expired;
      continue;
    }
    auto workspace = store_->GetWorkspace(job.workspace_id);
    if (workspace.ok() && !workspace->installed) {
      Dead(job, "workspace uninstalled", now, &stats);
      continue;
    }
    auto reply = ReplyFromJson(job.payload);
    if (!reply.ok()) {
      Dead(job, "payload is not a reply: " + reply.status().message(), now, &stats);
      continue;
    }
    const std::vector<std::string>& quiet_group = QuietGroupOf(job.kind);
    if (!quiet_group.empty()) {
      auto last = store_->LastJobSentAt(job.workspace_id, job.target, quiet_group);
      if (last.ok() && last->has_value() && now < **last + options_.quiet_gap) {
        Seconds gap_ends = **last + options_.quiet_gap;
        if (gap_ends >= life_ends) {
          Dead(job,
               "not sent: " + job.target + " got a " +
                   (job.kind == "digest" ? "digest" : "prompt") + " less than " +
                   DescribeDuration(options_.quiet_gap) +
                   " before, and this post's life ends before that gap does",
               now, &stats);
        } else {
          PutBack(job, gap_ends, &stats);
        }
        continue;
      }
    }
    const PaceLimits& limits = LimitsFor(platform);
    const std::string method = it->second->Method();
    if (auto wait = pacer_.TryTake(job.workspace_id, job.target, method, limits, now)) {
      if (auto until = pacer_.WorkspaceBlockedUntil(job.workspace_id, method, limits, now)) {
        blocked_until_[job.workspace_id] = *until;
        PutBack(job, job.next_attempt_at, &stats);
        stats.next_wake = stats.next_wake ? std::min(*stats.next_wake, *until) : *until;
      } else {
        PutBack(job, *wait, &stats);  // only this channel is busy
      }
      continue;
    }
    DeliveryResult result = it->second->Deliver(job, *reply);
    if (result.outcome == DeliveryResult::Outcome::kSent) {
      Status marked = store_->MarkJobSent(job.id, clock_->Now());
      if (!marked.ok()) {
        // The lease expires and the job is sent again: one repeat, never a loss.
        spdlog::warn("scheduler: job {} delivered but not marked sent: {}", job.key,
                     marked.message());
      }
      ++stats.sent;
      count("sent");
      continue;
    }
    count("failed");
    if (result.outcome == DeliveryResult::Outcome::kPermanentFailure) {
      Dead(job, result.error, now, &stats);
      continue;
    }
    if (result.retry_after.count() > 0) {
      // Only this workspace's method waits; other workspaces and other methods go on.
      Seconds until = now + result.retry_after;
      pacer_.Pause(job.workspace_id, result.method.empty() ? method : result.method, until);
      blocked_until_[job.workspace_id] = std::max(blocked_until_[job.workspace_id], until);
      retry_after_until_[job.workspace_id] = until;
    }
    if (options_.max_attempts > 0 && job.attempts >= options_.max_attempts) {
      Dead(job, "gave up after " + std::to_string(job.attempts) + " attempt(s): " + result.error,
           now, &stats);
      continue;
    }
    Seconds retry_at =
        result.retry_after.count() > 0 ? now + result.retry_after : NextAttemptAt(job.attempts, {});
    retry_at = std::min(retry_at, life_ends);
    (void)store_->MarkJobFailed(job.id, result.error, retry_at, false);
    stats.next_wake = stats.next_wake ? std::min(*stats.next_wake, retry_at) : retry_at;
    ++stats.retried;
    count("retried");
  }
  return stats;
}

}  // namespace okrbot
