// Scheduled posts to Microsoft Teams: the Dispatcher's Deliverer for workspaces "teams:<tenant>".
//
// Contract: the Reply is rendered as an Adaptive Card message (adapters/teams/adaptive_card.h)
// and posted through the connector (TeamsClient) to the stored conversation reference of the
// job's target (ConversationRef, written by TeamsApp whenever a person or channel talks to the
// bot):
//   - a person: their 1:1 chat with the bot; when only a channel sighting is stored, the chat is
//     created first (POST /v3/conversations) and remembered.
//   - "#<channel id>": a new post in that team channel or group chat (`remind digest #here ...`
//     typed in the channel stores it).
// Outcomes: no reference yet (the person never talked to okrbot, or the channel was given by
// name), or okrbot was removed from that chat or team -> permanent failure with what to do;
// 429 -> retry after its Retry-After; 5xx, timeouts -> retry with backoff; 401/403/404/other 4xx
// -> permanent (DeliveryResultFromStatus). The client never waits. Thread-safe.
#pragma once

#include "adapters/teams/teams_client.h"
#include "scheduler/dispatcher.h"
#include "storage/store.h"

namespace okrbot::teams {

class TeamsDeliverer final : public Deliverer {
 public:
  // Pointers must outlive the deliverer.
  TeamsDeliverer(TeamsClient* client, Store* store, const Clock* clock)
      : client_(client), store_(store), clock_(clock) {}
  DeliveryResult Deliver(const Job& job, const Reply& reply) override;

 private:
  TeamsClient* client_;
  Store* store_;
  const Clock* clock_;
};

}  // namespace okrbot::teams
