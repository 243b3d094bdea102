// The Mattermost adapter: the route of SPEC §4 for Mattermost, and how a Mattermost custom
// slash command becomes a neutral command and a neutral reply becomes Markdown.
//
// Route (registered on an HttpServer only when MATTERMOST_COMMAND_TOKEN is set):
//   POST /mattermost/commands  a custom slash command (`/okr`, request method POST). The form
//                              body carries token, team_id, team_domain, channel_id,
//                              channel_name, user_id, user_name, command, text, response_url and
//                              trigger_id.
// Contract:
// - A body that is not a valid form gets 400. Then the command's token (the form field `token`,
//   or when that is absent the `Authorization: Token <token>` header Mattermost also sends) is
//   compared with MATTERMOST_COMMAND_TOKEN in constant time (CRYPTO_memcmp after a length
//   check): missing or different -> 401, nothing stored, logged without the token. An app
//   built with an empty token refuses everything. Then team_id and user_id are required
//   (letters, digits, '_' and '-', at most 64 bytes): otherwise 400.
// - The workspace is "mattermost:<team_id>", created on first use (named after team_domain).
//   The actor is user_id, displayed as user_name; Mattermost sends no time zone (people set
//   one with `/okr tz`) and no roles (workspace admins come from `/okr admin`).
// - The answer is Mattermost's slash-command JSON (Slack-compatible): {"response_type":
//   "ephemeral" | "in_channel", "text": RenderMarkdown(reply)}. Errors and personal answers
//   are ephemeral; `summary` and `public:yes` are in_channel. A workspace the database cannot
//   create gets an ephemeral apology (HTTP 200, so Mattermost shows it).
// - Commands run synchronously on the server's worker: Mattermost waits for the answer.
// Thread-safe: handlers run concurrently on the server's workers; the app has no mutable state.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "adapters/common/http_server.h"
#include "bot/bot.h"
#include "bot/reply.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "storage/store.h"

namespace okrbot::mattermost {

struct MattermostAppOptions {
  std::string command_token;  // MATTERMOST_COMMAND_TOKEN, the slash command's token
};

// The JSON answer to a slash command: response_type and the reply as Markdown.
nlohmann::json CommandResponse(const Reply& reply);

class MattermostApp {
 public:
  // Pointers must outlive the app. Commands go through `bot`; `store`, `clock` and `metrics`
  // are taken for symmetry with the other adapters and are not used today (the HttpServer
  // already counts requests by route and status); they may be null.
  MattermostApp(MattermostAppOptions options, Store* store, Bot* bot, const Clock* clock,
                Metrics* metrics);

  void Register(HttpServer* server);

 private:
  void HandleCommand(const httplib::Request& request, const std::string& body,
                     httplib::Response& response);
  // True when `token` is the configured one (constant time for equal lengths).
  bool TokenMatches(const std::string& token) const;

  MattermostAppOptions options_;
  [[maybe_unused]] Store* store_;
  Bot* bot_;
  [[maybe_unused]] const Clock* clock_;
  [[maybe_unused]] Metrics* metrics_;
};

}  // namespace okrbot::mattermost
