// Scheduled posts to Mattermost: the Dispatcher's Deliverer for workspaces "mattermost:<team>".
//
// Contract: the Reply is rendered as Markdown (adapters/common/markdown.h) and posted as the bot
// account (MATTERMOST_BOT_TOKEN). A user target gets a direct message: the bot's own user id
// (users/me, cached by the client), then channels/direct, then posts. A user target that is not
// a Mattermost id (an owner written as `owner:@bob` before bob ever used /okr) is looked up as a
// username first. A channel target "#<channel id>" is posted to directly; "#name" is refused at
// once, because Mattermost posts need the channel id (`remind digest #<channel id> ...`).
// Outcomes, like the Slack deliverer's: a 429 -> retry after its Retry-After (or
// X-Ratelimit-Reset); 5xx, timeouts, connection errors -> retry with the dispatcher's backoff;
// a refused token or channel (401, 403), an unknown user or channel (404), a request Mattermost
// calls malformed (other 4xx), a channel name instead of an id, or a missing MATTERMOST_URL /
// MATTERMOST_BOT_TOKEN -> permanent failure (dead-lettered; `okrbot jobs retry` sends it again
// once fixed). The client never waits, so the dispatcher is never blocked. Thread-safe.
#pragma once

#include "adapters/mattermost/mattermost_client.h"
#include "scheduler/dispatcher.h"

namespace okrbot::mattermost {

class MattermostDeliverer final : public Deliverer {
 public:
  // `client` must outlive the deliverer.
  explicit MattermostDeliverer(const MattermostClient* client) : client_(client) {}
  DeliveryResult Deliver(const Job& job, const Reply& reply) override;

 private:
  const MattermostClient* client_;
};

}  // namespace okrbot::mattermost
