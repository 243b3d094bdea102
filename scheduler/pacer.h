// Pacer: when a scheduled post may go out under the platform's limits — per channel (a token
// bucket: `channel_per_second` with `channel_burst`), per workspace (at most
// `workspace_per_minute` in any 60 s, and at most `workspace_burst` at once), and pauses after a
// 429 that apply only to the workspace and API method that were refused.
//
// Contract: TryTake(now) either takes a slot for the post and returns nullopt, or takes nothing
// and returns the earliest instant worth trying again. Time is whole seconds, given by the
// caller (the Dispatcher's Clock), so tests run at any pace without sleeping. Memory stays
// bounded: idle channels' buckets are forgotten once full again.
// Thread-compatible: one Dispatcher (one thread) owns a Pacer.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/clock.h"
#include "scheduler/delivery_policy.h"

namespace okrbot {

class Pacer {
 public:
  std::optional<Seconds> TryTake(const std::string& workspace_id, const std::string& channel,
                                 const std::string& method, const PaceLimits& limits, Seconds now);

  // The platform said "wait": `method` of `workspace_id` is paused until `until`.
  void Pause(const std::string& workspace_id, const std::string& method, Seconds until);

  // Until when the workspace can send nothing at all (its ceiling is reached, or `method` is
  // paused); nullopt when it can send now. Used to leave its jobs unclaimed meanwhile.
  std::optional<Seconds> WorkspaceBlockedUntil(const std::string& workspace_id,
                                               const std::string& method, const PaceLimits& limits,
                                               Seconds now);

 private:
  struct Bucket {
    double tokens = 0;
    Seconds refilled_at{};
  };
  struct Workspace {
    Bucket burst;
    std::deque<Seconds> last_minute;  // send instants within the last 60 s, oldest first
  };
  static void Refill(Bucket* bucket, double per_second, double capacity, Seconds now);
  void ForgetIdleChannels(const PaceLimits& limits, Seconds now);

  std::map<std::string, Workspace> workspaces_;
  std::map<std::pair<std::string, std::string>, Bucket> channels_;
  std::map<std::pair<std::string, std::string>, Seconds> paused_until_;
};

}  // namespace okrbot
