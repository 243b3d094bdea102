// DeliveryPolicy: how long each kind of scheduled post is worth sending, which posts count as
// prompts for the 24 h quiet rule, and the platforms' published posting limits (SPEC §3).
//
// Contract:
// - A post's life counts from Job::ready_at (its due time, or when a late pass planned it, or an
//   operator's retry). Check-in prompts, follow-ups and nudges live 24 h, digests (and the
//   halfway post beside them) 3 days, summaries 7 days; other kinds live as long as a prompt.
//   Past its life a post is dead, with the last error it met.
// - Check-in prompts and their follow-ups to one person, and digests to one channel, are never
//   sent within `quiet_gap` (24 h) of the previous one of that group. Nudges (stale, escalate,
//   quality) are about one KR each and go once per episode (their keys), so they are not held
//   behind a prompt: holding them would drop the second KR's nudge, not merge it.
// - Pace limits: Slack allows about 1 message per second per channel with short bursts and a
//   workspace-wide ceiling of several hundred per minute (we use 300); Teams documents 50
//   requests/s per app and tenant (3,000/min) and 7 per second per conversation; Mattermost's
//   server rate limit, when an admin turns it on, defaults to 10/s per token with a burst of 100
//   (600/min). Each figure is configurable (cli/config.h).
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace okrbot {

struct PostLives {
  std::chrono::seconds prompt{std::chrono::hours(24)};
  std::chrono::seconds digest{std::chrono::hours(24 * 3)};
  std::chrono::seconds summary{std::chrono::hours(24 * 7)};
};

// The life of a post of `kind`.
std::chrono::seconds LifeOf(const std::string& kind, const PostLives& lives);

// The kinds that share one person's (or one channel's) 24 h quiet gap with `kind`; empty for
// kinds that do not (summary, halfway: one each per cycle, never noise). Prompts and follow-ups
// share one gap; nudges (stale, escalate, quality) share another.
const std::vector<std::string>& QuietGroupOf(const std::string& kind);

// Nudges (stale, escalate, quality): one person's nudges that are due together go out as one
// DM, and a nudge held by the quiet gap keeps its whole life after the gap ends (the KR it
// names is still stale then), where a held prompt is dead because the next week's covers it.
bool IsNudge(const std::string& kind);

struct PaceLimits {
  double channel_per_second = 1.0;  // each DM is a channel of its own
  double channel_burst = 3;
  int workspace_per_minute = 300;  // the ceiling over any 60 s
  double workspace_burst = 20;     // most posts of a workspace in one instant
};

// The documented limits of `platform` ("slack", "teams", "mattermost"); Slack's for others.
PaceLimits DefaultPaceLimits(const std::string& platform);

}  // namespace okrbot
