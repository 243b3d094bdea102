#include "adapters/mattermost/mattermost_deliverer.h"

#include "adapters/common/markdown.h"

namespace okrbot::mattermost {
namespace {

DeliveryResult FromStatus(const Status& status, const MattermostCallStats& stats) {
  DeliveryResult result;
  result.error = status.message();
  if (stats.retry_after.count() > 0) {
    result.outcome = DeliveryResult::Outcome::kRetry;
    result.retry_after = stats.retry_after;
    return result;
  }
  switch (status.code()) {
    case StatusCode::kPermissionDenied:    // 401/403: bad token, bot not in the channel
    case StatusCode::kFailedPrecondition:  // 404, or MATTERMOST_URL / _BOT_TOKEN missing
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:  // other 4xx: the request itself is wrong
      result.outcome = DeliveryResult::Outcome::kPermanentFailure;
      break;
    default:  // kUnavailable: 5xx, 408, timeouts, connection errors, answers without JSON
      result.outcome = DeliveryResult::Outcome::kRetry;
  }
  return result;
}

DeliveryResult Permanent(const std::string& error) {
  DeliveryResult result;
  result.outcome = DeliveryResult::Outcome::kPermanentFailure;
  result.error = error;
  return result;
}

}  // namespace

DeliveryResult MattermostDeliverer::Deliver(const Job& job, const Reply& reply) {
  MattermostCallStats stats;
  std::string channel;
  if (!job.target.empty() && job.target[0] == '#') {
    channel = job.target.substr(1);
    if (!IsMattermostId(channel)) {
      return Permanent("Mattermost needs the channel id, not \"" + job.target.substr(0, 80) +
                       "\": set it with /okr remind digest #<channel id> ...");
    }
  } else {
    if (job.target.empty()) return Permanent("the post names no user");
    std::string user_id = job.target;
    if (!IsMattermostId(user_id)) {
      std::string username = user_id[0] == '@' ? user_id.substr(1) : user_id;
      auto found = client_->UserIdByUsername(username, &stats);
      if (!found.ok()) return FromStatus(found.status(), stats);
      user_id = *found;
    }
    auto bot = client_->BotUserId(&stats);
    if (!bot.ok()) return FromStatus(bot.status(), stats);
    auto dm = client_->DirectChannel(*bot, user_id, &stats);
    if (!dm.ok()) return FromStatus(dm.status(), stats);
    channel = *dm;
  }
  Status posted = client_->CreatePost(channel, RenderMarkdown(reply), &stats);
  if (!posted.ok()) return FromStatus(posted, stats);
  return DeliveryResult{};
}

}  // namespace okrbot::mattermost
