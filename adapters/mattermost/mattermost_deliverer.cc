#include "adapters/mattermost/mattermost_deliverer.h"

#include "adapters/common/markdown.h"

namespace okrbot::mattermost {
namespace {

DeliveryResult FromStatus(const Status& status, const MattermostCallStats& stats) {
  return DeliveryResultFromStatus(status, stats.retry_after);
}

DeliveryResult Permanent(const std::string& error) { return PermanentDeliveryFailure(error); }

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
