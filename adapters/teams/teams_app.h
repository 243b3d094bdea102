// The Microsoft Teams adapter: the Bot Framework messaging endpoint of SPEC §4, and how
// activities become neutral commands and neutral replies become Adaptive Cards.
//
// Route (registered on an HttpServer only when Teams is configured):
//   POST /teams/messages  Bot Framework activities (JSON).
// Contract:
// - Authentication first (TeamsAuthenticator) unless the app was built with auth off
//   (TEAMS_AUTH=off, local development only; the server logs a warning at start). Refused
//   tokens get 401 and change nothing; when the signing keys cannot be fetched, 503.
// - A body that is not a JSON object, or an activity without type, channelId, serviceUrl,
//   conversation.id or from.id, gets 400. Ids must be printable, without '|' (it separates job
//   keys), at most 256 bytes.
// - The workspace is "teams:<tenant id>" (channelData.tenant.id or conversation.tenantId;
//   "teams:local" when auth is off and the activity names no tenant), created on first use.
//   The person is from.aadObjectId (falling back to from.id), displayed as from.name, with the
//   time zone from the clientInfo entity or localTimezone when it is a known IANA zone.
// - Activities:
//     message (text)      the command, after removing the bot's <at>mention</at>; other
//                         mentions become <@id> so `owner:@Bob` works; `#here` in a channel
//                         becomes that channel (for `remind digest #here friday 16:00`). The
//                         answer is a threaded reply with an Adaptive Card.
//     message (value)     an Action.Submit from one of okrbot's cards: the check-in buttons
//                         (Update answers with the check-in form card; No change / Snooze with
//                         the outcome) and the form's Save (the form card is replaced by the
//                         recorded check-in, or shown again with what to fix).
//     invoke adaptiveCard/action   the same, for Action.Execute; the answer is the card in the
//                         invoke response.
//     conversationUpdate  okrbot added: the conversation is remembered and greeted.
//     installationUpdate  remove: no more scheduled posts to that person or team; add: again.
//     anything else       200, ignored.
//   Every activity from a person refreshes the stored conversation reference used for
//   scheduled posts (ConversationRef, target = the person's id or "#<channel id>").
// - The HTTP answer (200, or the invoke response) is sent before replies go out: replies are
//   posted through the connector on background workers, retried on 429/5xx up to 3 times.
// Thread-safe: handlers run concurrently on the server's workers.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "adapters/common/http_server.h"
#include "adapters/common/worker_pool.h"
#include "adapters/teams/adaptive_card.h"
#include "adapters/teams/teams_auth.h"
#include "adapters/teams/teams_client.h"
#include "bot/bot.h"
#include "bot/reply.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "storage/store.h"

namespace okrbot::teams {

struct TeamsAppOptions {
  int reply_threads = 2;
  int reply_attempts = 3;
  std::chrono::milliseconds max_retry_wait{5000};
};

class TeamsApp {
 public:
  // Pointers must outlive the app; `auth` null means TEAMS_AUTH=off. `metrics` may be null.
  TeamsApp(TeamsAppOptions options, Store* store, Bot* bot, TeamsClient* client,
           TeamsAuthenticator* auth, const Clock* clock, Metrics* metrics);
  ~TeamsApp();

  void Register(HttpServer* server);
  // Sends every queued reply, then stops the workers (before the store goes away).
  void Drain();

 private:
  struct Activity;  // the parts of an activity okrbot uses, checked

  void HandleActivity(const httplib::Request& request, const std::string& body,
                      httplib::Response& response);
  // False when the activity was received before (a re-delivery or replay): nothing is posted.
  bool HandleMessage(const Activity& activity);
  // Action.Submit / Action.Execute data; returns what to show and whether it replaces the card.
  void HandleSubmit(const Activity& activity, const SubmitData& data, Reply* reply,
                    CardSubmit* submit, bool* has_submit, bool* replaces_card);
  // The person id (Azure AD object id) a mention entity's "mentioned" names, looked up in the
  // conversation's members when the entity lacks it; remembers how to reach them.
  std::string PersonMentioned(const Activity& activity, const nlohmann::json& mentioned);
  void HandleConversationUpdate(const Activity& activity);
  void HandleInstallationUpdate(const Activity& activity);
  void Remember(const Activity& activity);
  void MarkRemoved(const Activity& activity, bool removed);

  // Posts `card_activity` as a reply (or, with `replace`, in place of the card the person
  // pressed) on a background worker, with retries.
  void Send(const Activity& activity, nlohmann::json card_activity, bool replace);

  TeamsAppOptions options_;
  Store* store_;
  Bot* bot_;
  TeamsClient* client_;
  TeamsAuthenticator* auth_;
  const Clock* clock_;
  Metrics* metrics_;
  std::unique_ptr<WorkerPool> background_;
};

}  // namespace okrbot::teams
