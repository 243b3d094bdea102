// Dispatcher: sends the outbox (the Store's jobs) through each platform's Deliverer.
//
// Contract:
// - RunOnce claims due jobs with a lease (so several processes can run it at once), delivers
//   each, and records the outcome: sent; retry later with exponential backoff and jitter (or
//   the platform's Retry-After, whichever is later); or dead after `max_attempts` attempts or a
//   permanent refusal (e.g. the workspace uninstalled the app).
// - Delivery is at least once: a process that dies between "delivered" and "marked sent" leaves
//   the lease to expire and the job is sent again — at most that one message repeats, none is
//   skipped.
// - Per-workspace token buckets keep posting within platform rate limits; a job over the limit
//   is put back for when a token is available.
// Thread-compatible: one RunOnce at a time per Dispatcher (processes may each run their own).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "bot/reply.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/model.h"
#include "storage/store.h"

namespace okrbot {

struct DeliveryResult {
  enum class Outcome { kSent, kRetry, kPermanentFailure };
  Outcome outcome = Outcome::kSent;
  std::chrono::seconds retry_after{0};  // the platform asked to wait at least this long
  std::string error;                    // for logs and `okrbot jobs`; never a secret
};

// One chat platform's way of posting a scheduled reply. Implementations are thread-safe.
class Deliverer {
 public:
  virtual ~Deliverer() = default;
  // `job.target` is a user id (direct message) or "#channel" (a channel by name or id).
  virtual DeliveryResult Deliver(const Job& job, const Reply& reply) = 0;
};

// The usual reading of a platform REST call's Status (adapters/common/http_call.h): a
// Retry-After wins (retry then); kPermissionDenied, kFailedPrecondition, kNotFound and
// kInvalidArgument (refused token, unknown chat, malformed request) cannot succeed by
// repeating them and are permanent; anything else (5xx, timeouts, connection errors) is
// retried with backoff. `error` is recorded on the job.
DeliveryResult DeliveryResultFromStatus(const Status& status, std::chrono::seconds retry_after);
// A refusal decided before any call (nothing to post to).
DeliveryResult PermanentDeliveryFailure(const std::string& error);

struct DispatcherOptions {
  int batch_size = 100;
  std::chrono::seconds lease{120};
  int max_attempts = 8;
  std::chrono::seconds base_backoff{30};
  std::chrono::seconds max_backoff{std::chrono::hours(6)};
  // Per workspace: Slack allows about one message per second per channel with short bursts.
  double posts_per_second = 1.0;
  double burst = 20;
};

struct DispatchStats {
  int claimed = 0;
  int sent = 0;
  int retried = 0;
  int dead = 0;
  int deferred = 0;  // over the workspace's rate limit, put back
};

class Dispatcher {
 public:
  // `jitter` returns a value in [0, 1); `metrics` may be null.
  Dispatcher(Store* store, const Clock* clock, DispatcherOptions options,
             std::function<double()> jitter, Metrics* metrics);

  // Jobs of workspaces "<platform>:..." go to `deliverer`; jobs of a platform without one wait.
  void RegisterPlatform(const std::string& platform, Deliverer* deliverer);

  // Delivers what is due now; call repeatedly until it claims nothing to drain the outbox.
  DispatchStats RunOnce();

  // When attempt number `attempts` (1-based) failed: the next try.
  Seconds NextAttemptAt(int attempts, std::chrono::seconds retry_after);

 private:
  struct Bucket {
    double tokens = 0;
    Seconds refilled_at{};
  };
  bool TakeToken(const std::string& workspace_id, Seconds now, Seconds* available_at);

  Store* store_;
  const Clock* clock_;
  DispatcherOptions options_;
  std::function<double()> jitter_;
  Metrics* metrics_;
  std::map<std::string, Deliverer*> deliverers_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace okrbot
