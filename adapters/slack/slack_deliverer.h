// Scheduled posts to Slack: the Dispatcher's Deliverer for workspaces "slack:<team>".
//
// Contract: a user target gets a direct message (conversations.open, then chat.postMessage);
// "#name" or a channel id is posted to directly. The Reply is rendered as Block Kit with a
// plain-text fallback. Outcomes: Slack's 429 -> retry after its Retry-After; 5xx, timeouts,
// connection errors -> retry; revoked or missing tokens, unknown or archived channels ->
// permanent failure. Use a SlackClient that does not wait on 429 itself (max_attempts 1), so the
// dispatcher schedules the retry instead of blocking. Thread-safe.
#pragma once

#include "adapters/slack/slack_client.h"
#include "adapters/slack/slack_tokens.h"
#include "scheduler/dispatcher.h"

namespace okrbot::slack {

class SlackDeliverer final : public Deliverer {
 public:
  SlackDeliverer(const SlackClient* client, const SlackTokens* tokens)
      : client_(client), tokens_(tokens) {}
  DeliveryResult Deliver(const Job& job, const Reply& reply) override;

 private:
  const SlackClient* client_;
  const SlackTokens* tokens_;
};

}  // namespace okrbot::slack
