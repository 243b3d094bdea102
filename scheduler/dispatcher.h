// Dispatcher: sends the outbox (the Store's jobs) through each platform's Deliverer.
//
// Contract:
// - RunOnce claims due jobs with a lease (so several processes can run it at once), delivers
//   each, and records the outcome: sent; retried later with capped exponential backoff and
//   jitter; or dead. A post is dead when the platform refuses it for good (channel gone, app
//   uninstalled), or when its useful life (scheduler/delivery_policy.h: prompts 24 h, digests
//   3 days, summaries 7 days, from Job::ready_at) has passed — then with the last error it met.
// - A 429's Retry-After pauses only that workspace (scheduled posts use one API method per
//   platform), and the workspace's other posts wait for it untried. Jobs of a workspace at its
//   ceiling (or paused) are not claimed until it has room, so they keep their place in due-time
//   order and crowd out nobody else.
// - Pacing (scheduler/pacer.h): per channel (each DM is one) and per workspace, with the
//   platform's figures from `pace` (DefaultPaceLimits when a platform is not listed).
// - Quiet gap: a check-in prompt or follow-up is never sent within `quiet_gap` of the last one
//   sent to that person, a nudge (stale, escalate, quality) never within it of the last nudge,
//   nor a digest within it of the channel's last digest: it waits until the gap is over. A
//   held prompt or digest dies if its life ends first (the next week's covers it); a held nudge
//   keeps its whole life after the gap. One person's nudges claimed together go out as one DM
//   (the first one's target and kind; the others' blocks after a divider) and share its fate.
// - Delivery is at least once: a process that dies between "delivered" and "marked sent" leaves
//   the lease to expire and the job is sent again — at most that one message repeats, none is
//   skipped. Two processes may each pass the quiet-gap check for one person at the same moment;
//   the planner's keys keep that to posts of different kinds.
// Thread-compatible: one RunOnce at a time per Dispatcher (processes may each run their own).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/reply.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/model.h"
#include "scheduler/delivery_policy.h"
#include "scheduler/pacer.h"
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
  std::chrono::seconds base_backoff{30};
  // Short enough that posts go out soon after a platform comes back, well inside their life.
  std::chrono::seconds max_backoff{std::chrono::minutes(30)};
  PostLives lives;
  std::chrono::seconds quiet_gap{std::chrono::hours(24)};
  int max_attempts = 0;                    // a cap on attempts besides the life (0 = none)
  std::map<std::string, PaceLimits> pace;  // by platform; missing: DefaultPaceLimits
};

struct DispatchStats {
  int claimed = 0;
  int sent = 0;
  int retried = 0;
  int dead = 0;
  int deferred = 0;  // over a rate limit or inside a quiet gap: put back untried
  int expired = 0;   // dead because their life ended (also counted in `dead`)
  int merged = 0;    // nudges sent inside another nudge's DM (also counted in `sent`)
  // The earliest instant a job put back becomes sendable (the runner wakes then).
  std::optional<Seconds> next_wake;
  void WakeBy(Seconds at);  // next_wake = the earlier of it and `at`
};

class Dispatcher {
 public:
  // `jitter` returns a value in [0, 1); `metrics` may be null.
  Dispatcher(Store* store, const Clock* clock, DispatcherOptions options,
             std::function<double()> jitter, Metrics* metrics);

  // Jobs of workspaces "<platform>:..." go to `deliverer`; jobs of a platform without one wait.
  void RegisterPlatform(const std::string& platform, Deliverer* deliverer);
  // Runs on every reply just before it is delivered (serve gives chart images their public URL
  // here, adapters/common/chart_images.h). Set before the first RunOnce.
  void SetReplyHook(std::function<void(const std::string& workspace_id, Reply*)> hook) {
    reply_hook_ = std::move(hook);
  }

  // Delivers what is due now; call repeatedly until it claims nothing to drain the outbox.
  DispatchStats RunOnce();

  // When attempt number `attempts` (1-based) failed: the next try.
  Seconds NextAttemptAt(int attempts, std::chrono::seconds retry_after);

 private:
  const PaceLimits& LimitsFor(const std::string& platform);
  // Whether the workspace is installed, read once per batch into `seen`.
  bool Installed(const std::string& workspace_id, std::map<std::string, bool>* seen);
  // Puts the job back untried until `at` (its attempt not counted).
  void PutBack(const Job& job, Seconds at, DispatchStats* stats);
  void Dead(const Job& job, const std::string& error, Seconds now, DispatchStats* stats);
  // Dead because its life ended, with how many attempts it had and the last error.
  void Expired(const Job& job, Seconds now, DispatchStats* stats);
  // When the quiet gap of the job's kind ends for its target; none without an earlier post.
  std::optional<Seconds> QuietGapEnds(const Job& job);
  // The end of the job's life: from ready_at, or for a nudge from the gap's end if later.
  Seconds LifeEnds(const Job& job, std::optional<Seconds> gap_ends) const;

  Store* store_;
  const Clock* clock_;
  DispatcherOptions options_;
  std::function<void(const std::string&, Reply*)> reply_hook_;
  std::function<double()> jitter_;
  Metrics* metrics_;
  std::map<std::string, Deliverer*> deliverers_;
  Pacer pacer_;
  std::map<std::string, PaceLimits> default_limits_;
};

}  // namespace okrbot
