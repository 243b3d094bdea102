// Pacer: when a scheduled post may go out under the platform's limits — per channel (a token
// bucket: `channel_per_second` with `channel_burst`), per workspace (at most
// `workspace_per_minute` in any 60 s, and at most `workspace_burst` at once), and pauses after a
// 429, which hold only the workspace that was refused (scheduled posts use one API method per
// platform, so that is also the method that was refused).
//
// Contract: TryTake(now) either takes a slot for the post and returns nullopt, or takes nothing
// and returns a Hold: the earliest instant worth trying again, and whether the whole workspace
// is held (ceiling reached, or paused) or only this channel. A held workspace stays listed by
// HeldWorkspaces until then, so its posts can be left unclaimed. Time is whole seconds, given by
// the caller (the Dispatcher's Clock), so tests run at any pace without sleeping. Memory stays
// bounded: idle channels' buckets are forgotten once full again.
// Thread-compatible: one Dispatcher (one thread) owns a Pacer.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "scheduler/delivery_policy.h"

namespace okrbot {

class Pacer {
 public:
  struct Hold {
    Seconds until;
    bool whole_workspace;
  };

  std::optional<Hold> TryTake(const std::string& workspace_id, const std::string& channel,
                              const PaceLimits& limits, Seconds now);

  // The platform said "wait" (429 Retry-After): the workspace is held until `until`.
  void Pause(const std::string& workspace_id, Seconds until);

  // Until when the workspace is held as a whole; nullopt when it is not (any more).
  std::optional<Seconds> HeldUntil(const std::string& workspace_id, Seconds now) const;
  // When the workspace's last 429 pause ends, if it has not ended yet.
  std::optional<Seconds> PausedUntil(const std::string& workspace_id, Seconds now) const;
  // The workspaces held at `now`; `earliest` gets the soonest instant one of them is free.
  std::vector<std::string> HeldWorkspaces(Seconds now, std::optional<Seconds>* earliest) const;

 private:
  struct Bucket {
    double tokens = 0;
    Seconds refilled_at{};
  };
  struct Workspace {
    Bucket burst;
    std::deque<Seconds> last_minute;  // send instants within the last 60 s, oldest first
    Seconds held_until{};             // ceiling reached or paused: nothing goes before this
    Seconds paused_until{};           // the last 429's Retry-After
  };
  static void Refill(Bucket* bucket, double per_second, double capacity, Seconds now);
  // When the workspace's own limits let its next post go (nullopt: now).
  static std::optional<Seconds> CeilingFreeAt(Workspace* workspace, const PaceLimits& limits,
                                              Seconds now);
  void ForgetIdleChannels(const PaceLimits& limits, Seconds now);

  std::map<std::string, Workspace> workspaces_;
  std::map<std::pair<std::string, std::string>, Bucket> channels_;
  size_t sweep_above_ = 10000;  // channel buckets kept before idle ones are dropped
};

}  // namespace okrbot
