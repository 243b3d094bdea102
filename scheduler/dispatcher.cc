#include "scheduler/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace okrbot {
namespace {

std::string PlatformOf(const std::string& workspace_id) {
  return workspace_id.substr(0, workspace_id.find(':'));
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
      options_(options),
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

bool Dispatcher::TakeToken(const std::string& workspace_id, Seconds now, Seconds* available_at) {
  auto [it, inserted] = buckets_.try_emplace(workspace_id);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = options_.burst;
    bucket.refilled_at = now;
  }
  double elapsed = static_cast<double>((now - bucket.refilled_at).count());
  bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.posts_per_second);
  bucket.refilled_at = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return true;
  }
  double wait = (1.0 - bucket.tokens) / std::max(options_.posts_per_second, 1e-6);
  *available_at = now + std::chrono::seconds(static_cast<long long>(std::ceil(wait)));
  return false;
}

DispatchStats Dispatcher::RunOnce() {
  DispatchStats stats;
  Seconds now = clock_->Now();
  auto claimed = store_->ClaimDueJobs(now, options_.batch_size, options_.lease);
  if (!claimed.ok()) {
    spdlog::warn("scheduler: cannot claim jobs: {}", claimed.status().message());
    return stats;
  }
  stats.claimed = static_cast<int>(claimed->size());
  for (const Job& job : *claimed) {
    // Slow deliveries must not outlive the lease (another process would send the same post):
    // past half of it, the rest goes back untried.
    if (clock_->Now() - now > options_.lease / 2) {
      (void)store_->ReleaseJob(job.id, clock_->Now());
      ++stats.deferred;
      continue;
    }
    auto count = [&](const char* outcome) {
      if (metrics_ != nullptr) metrics_->CountJob(outcome);
    };
    auto it = deliverers_.find(PlatformOf(job.workspace_id));
    if (it == deliverers_.end()) {
      // This process cannot post there (platform not configured here): leave it for later.
      (void)store_->ReleaseJob(job.id, now + std::chrono::minutes(5));
      ++stats.deferred;
      continue;
    }
    Seconds available_at;
    if (!TakeToken(job.workspace_id, now, &available_at)) {
      // Over the workspace's rate: back in the queue untried, so a long queue never dies of it.
      (void)store_->ReleaseJob(job.id, available_at);
      ++stats.deferred;
      continue;
    }
    auto workspace = store_->GetWorkspace(job.workspace_id);
    if (workspace.ok() && !workspace->installed) {
      (void)store_->MarkJobFailed(job.id, "workspace uninstalled", now, true);
      ++stats.dead;
      count("dead");
      continue;
    }
    auto reply = ReplyFromJson(job.payload);
    if (!reply.ok()) {
      (void)store_->MarkJobFailed(job.id, "payload is not a reply: " + reply.status().message(),
                                  now, true);
      ++stats.dead;
      count("dead");
      continue;
    }
    DeliveryResult result = it->second->Deliver(job, *reply);
    if (result.outcome == DeliveryResult::Outcome::kSent) {
      Status marked = store_->MarkJobSent(job.id);
      if (!marked.ok()) {
        // The lease expires and the job is sent again: one repeat, never a loss.
        spdlog::warn("scheduler: job {} delivered but not marked sent: {}", job.key,
                     marked.message());
      }
      ++stats.sent;
      count("sent");
      continue;
    }
    bool dead = result.outcome == DeliveryResult::Outcome::kPermanentFailure ||
                job.attempts >= options_.max_attempts;
    Seconds retry_at = dead ? now : NextAttemptAt(job.attempts, result.retry_after);
    (void)store_->MarkJobFailed(job.id, result.error, retry_at, dead);
    if (dead) {
      spdlog::warn("scheduler: job {} dead after {} attempt(s): {}", job.key, job.attempts,
                   result.error);
      ++stats.dead;
      count("dead");
    } else {
      ++stats.retried;
      count("retried");
    }
    count("failed");
  }
  return stats;
}

}  // namespace okrbot
