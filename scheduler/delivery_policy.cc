#include "scheduler/delivery_policy.h"

namespace okrbot {

std::chrono::seconds LifeOf(const std::string& kind, const PostLives& lives) {
  if (kind == "summary") return lives.summary;
  if (kind == "digest" || kind == "halfway") return lives.digest;
  return lives.prompt;
}

const std::vector<std::string>& QuietGroupOf(const std::string& kind) {
  static const std::vector<std::string> kPersonal = {"checkin", "followup"};
  static const std::vector<std::string> kDigest = {"digest"};
  static const std::vector<std::string> kNudges = {"stale", "escalate", "quality"};
  static const std::vector<std::string> kNone;
  if (kind == "digest") return kDigest;
  if (IsNudge(kind)) return kNudges;
  for (const std::string& personal : kPersonal) {
    if (kind == personal) return kPersonal;
  }
  return kNone;
}

bool IsNudge(const std::string& kind) {
  return kind == "stale" || kind == "escalate" || kind == "quality";
}

PaceLimits DefaultPaceLimits(const std::string& platform) {
  PaceLimits limits;
  if (platform == "teams") {
    limits.workspace_per_minute = 3000;
    limits.workspace_burst = 50;
  } else if (platform == "mattermost") {
    limits.workspace_per_minute = 600;
    limits.workspace_burst = 100;
  }
  return limits;
}

}  // namespace okrbot
