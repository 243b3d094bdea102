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

void DispatchStats::WakeBy(Seconds at) { next_wake = next_wake ? std::min(*next_wake, at) : at; }

void Dispatcher::PutBack(const Job& job, Seconds at, DispatchStats* stats) {
  (void)store_->ReleaseJob(job.id, at);
  ++stats->deferred;
  stats->WakeBy(at);
}

bool Dispatcher::Installed(const std::string& workspace_id, std::map<std::string, bool>* seen) {
  auto [it, inserted] = seen->try_emplace(workspace_id, true);
  if (inserted) {
    auto workspace = store_->GetWorkspace(workspace_id);
    it->second = !workspace.ok() || workspace->installed;
  }
  return it->second;
}

void Dispatcher::Dead(const Job& job, const std::string& error, Seconds now, DispatchStats* stats) {
  (void)store_->MarkJobFailed(job.id, error, now, true);
  spdlog::warn("scheduler: job {} dead: {}", job.key, error);
  ++stats->dead;
  if (metrics_ != nullptr) metrics_->CountJob("dead");
}

std::optional<Seconds> Dispatcher::QuietGapEnds(const Job& job) {
  const std::vector<std::string>& group = QuietGroupOf(job.kind);
  if (group.empty()) return std::nullopt;
  auto last = store_->LastJobSentAt(job.workspace_id, job.target, group);
  if (!last.ok() || !last->has_value()) return std::nullopt;
  return **last + options_.quiet_gap;
}

Seconds Dispatcher::LifeEnds(const Job& job, std::optional<Seconds> gap_ends) const {
  Seconds from = job.ready_at;
  if (gap_ends && IsNudge(job.kind)) from = std::max(from, *gap_ends);
  return from + LifeOf(job.kind, options_.lives);
}

void Dispatcher::Expired(const Job& job, Seconds now, DispatchStats* stats) {
  const std::string life = DescribeDuration(LifeOf(job.kind, options_.lives));
  const int tries = job.attempts - 1;  // the claim counted this one
  Dead(job,
       tries == 0 ? "expired unsent: not delivered within its life of " + life +
                        " (okrbot was not running, or paced)"
                  : "expired after " + std::to_string(tries) + " attempt(s) within its life of " +
                        life + ": " + job.last_error,
       now, stats);
  ++stats->expired;
}

DispatchStats Dispatcher::RunOnce() {
  DispatchStats stats;
  Seconds now = clock_->Now();
  // Held workspaces' posts stay unclaimed: they keep their place and crowd out nobody.
  std::vector<std::string> held = pacer_.HeldWorkspaces(now, &stats.next_wake);
  auto claimed = store_->ClaimDueJobs(now, options_.batch_size, options_.lease, held);
  if (!claimed.ok()) {
    spdlog::warn("scheduler: cannot claim jobs: {}", claimed.status().message());
    return stats;
  }
  stats.claimed = static_cast<int>(claimed->size());
  auto count = [&](const char* outcome) {
    if (metrics_ != nullptr) metrics_->CountJob(outcome);
  };
  std::map<std::string, bool> installed;             // one workspace read per batch, not per post
  std::vector<bool> merged(claimed->size(), false);  // went out inside an earlier nudge DM
  for (size_t index = 0; index < claimed->size(); ++index) {
    if (merged[index]) continue;
    const Job& job = (*claimed)[index];
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
    if (pacer_.HeldUntil(job.workspace_id, now)) {
      // The workspace was held earlier in this batch: the job keeps its place. After a 429 it
      // waits out the Retry-After in the outbox too, so another process (or the next `run-due`)
      // honours it as well.
      Seconds at = std::max(job.next_attempt_at,
                            pacer_.PausedUntil(job.workspace_id, now).value_or(Seconds{}));
      PutBack(job, at, &stats);
      continue;
    }
    const std::optional<Seconds> gap_ends = QuietGapEnds(job);
    const Seconds life_ends = LifeEnds(job, gap_ends);
    if (now >= life_ends) {
      Expired(job, now, &stats);
      continue;
    }
    if (!Installed(job.workspace_id, &installed)) {
      Dead(job, "workspace uninstalled", now, &stats);
      continue;
    }
    auto reply = ReplyFromJson(job.payload);
    if (!reply.ok()) {
      Dead(job, "payload is not a reply: " + reply.status().message(), now, &stats);
      continue;
    }
    if (gap_ends && now < *gap_ends) {
      if (*gap_ends >= life_ends) {
        Dead(job,
             "not sent: " + job.target + " got a " + (job.kind == "digest" ? "digest" : "prompt") +
                 " less than " + DescribeDuration(options_.quiet_gap) +
                 " before, and this post's life ends before that gap does",
             now, &stats);
      } else {
        PutBack(job, *gap_ends, &stats);
      }
      continue;
    }
    if (auto hold = pacer_.TryTake(job.workspace_id, job.target, LimitsFor(platform), now)) {
      if (hold->whole_workspace) {
        PutBack(job, job.next_attempt_at, &stats);  // keeps its place in due-time order
        stats.WakeBy(hold->until);
      } else {
        PutBack(job, hold->until, &stats);  // only this channel is busy
      }
      continue;
    }
    // One person's nudges in this batch go out as one DM, and share its fate.
    std::vector<const Job*> group = {&job};
    if (IsNudge(job.kind)) {
      for (size_t other = index + 1; other < claimed->size(); ++other) {
        const Job& next = (*claimed)[other];
        if (merged[other] || !IsNudge(next.kind) || next.workspace_id != job.workspace_id ||
            next.target != job.target) {
          continue;
        }
        merged[other] = true;
        if (now >= LifeEnds(next, gap_ends)) {
          Expired(next, now, &stats);
          continue;
        }
        auto more = ReplyFromJson(next.payload);
        if (!more.ok()) {
          Dead(next, "payload is not a reply: " + more.status().message(), now, &stats);
          continue;
        }
        reply->Divider();
        for (Block& block : more->blocks) reply->blocks.push_back(std::move(block));
        group.push_back(&next);
      }
    }
    if (reply_hook_) reply_hook_(job.workspace_id, &*reply);
    DeliveryResult result = it->second->Deliver(job, *reply);
    if (result.outcome == DeliveryResult::Outcome::kSent) {
      for (const Job* sent : group) {
        Status marked = store_->MarkJobSent(sent->id, clock_->Now());
        if (!marked.ok()) {
          // The lease expires and the job is sent again: one repeat, never a loss.
          spdlog::warn("scheduler: job {} delivered but not marked sent: {}", sent->key,
                       marked.message());
        }
        ++stats.sent;
        count("sent");
      }
      stats.merged += static_cast<int>(group.size()) - 1;
      continue;
    }
    for (const Job* failed : group) {
      count("failed");
      if (result.outcome == DeliveryResult::Outcome::kPermanentFailure) {
        Dead(*failed, result.error, now, &stats);
      } else if (options_.max_attempts > 0 && failed->attempts >= options_.max_attempts) {
        Dead(*failed,
             "gave up after " + std::to_string(failed->attempts) + " attempt(s): " + result.error,
             now, &stats);
      } else {
        Seconds retry_at = result.retry_after.count() > 0 ? now + result.retry_after
                                                          : NextAttemptAt(failed->attempts, {});
        retry_at = std::min(retry_at, LifeEnds(*failed, gap_ends));
        (void)store_->MarkJobFailed(failed->id, result.error, retry_at, false);
        stats.WakeBy(retry_at);
        ++stats.retried;
        count("retried");
      }
    }
    if (result.retry_after.count() > 0) {
      // Only this workspace waits; other workspaces go on.
      pacer_.Pause(job.workspace_id, now + result.retry_after);
    }
  }
  return stats;
}

}  // namespace okrbot
