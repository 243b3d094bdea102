// The Slack adapter: the HTTP routes of SPEC §4 for Slack, and how a Slack request becomes a
// neutral command and a neutral reply becomes Block Kit.
//
// Routes (registered on an HttpServer only when Slack is configured):
//   POST /slack/commands      signed slash commands; answered within Slack's 3-second window,
//                             or acknowledged and completed through response_url
//   POST /slack/interactions  check-in buttons (Update opens a modal, No change, Snooze) and the
//                             modal submission (field errors as response_action: errors)
//   POST /slack/events        url_verification, app_home_opened, app_uninstalled,
//                             tokens_revoked; retries de-duplicated by event_id
//   GET  /slack/install       OAuth v2 install (signed, expiring state)
//   GET  /slack/oauth/callback
// Every POST is verified (v0 HMAC-SHA256, 5-minute window) before anything else: 401 and
// nothing stored otherwise. Workspaces are "slack:<team_id>". Single-workspace mode
// (SLACK_BOT_TOKEN) accepts any team whose requests are signed with the app's secret; OAuth
// mode answers teams without an installation with an install hint and stores nothing.
// Bot tokens are stored sealed with AES-256-GCM (never in clear); OAuth installs are refused
// without OKRBOT_SECRET_KEY.
// The handlers are transport-neutral (Answer*): the HTTP routes call them after verifying the
// signature, and Socket Mode (socket_mode.h; the socket is authenticated by the app token, so
// there is no signature) calls AnswerEnvelope with each envelope's payload. Both get the same
// SlackAnswer: status 200 with the JSON body (the HTTP response body, or an envelope ack's
// payload; null means none), 4xx when the request is wrong or a repeat (nothing more to do),
// 5xx when it should be tried again later (HTTP: Slack retries; Socket Mode: no ack).
// Thread-safe: handlers run concurrently on the server's workers.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/common/http_server.h"
#include "adapters/common/signed_state.h"
#include "adapters/common/worker_pool.h"
#include "adapters/slack/slack_client.h"
#include "adapters/slack/slack_signature.h"
#include "adapters/slack/slack_tokens.h"
#include "bot/bot.h"
#include "bot/secret_box.h"
#include "core/metrics.h"
#include "storage/store.h"

namespace okrbot::slack {

struct SlackAppOptions {
  std::string signing_secret;
  std::string bot_token;  // single-workspace mode when set
  std::string client_id;
  std::string client_secret;
  std::string authorize_url = "https://slack.com/oauth/v2/authorize";
  std::string bot_scopes = "commands,chat:write,im:write,users:read,users:read.email";
  // Slack allows 3 s; past this the command is acknowledged and finished via response_url.
  std::chrono::milliseconds command_budget{2500};
  std::chrono::seconds user_cache_ttl{3600};
  // Each HTTP thread waits on the command it handed off, so serve sizes this like the HTTP
  // pool: fewer threads would queue commands (and shrink group-commit batches).
  int background_threads = 32;
};

struct SlackAnswer {
  int status = 200;
  nlohmann::json body;  // with status 200
  std::string reason;   // otherwise: plain text for logs and HTTP
};

class SlackApp {
 public:
  // `secret_box` may be null (then OAuth installs are refused). Pointers must outlive the app.
  SlackApp(SlackAppOptions options, Store* store, Bot* bot, SlackClient* client,
           const SecretBox* secret_box, const Clock* clock, Metrics* metrics);
  ~SlackApp();

  void Register(HttpServer* server);

  // A slash command's fields (the form of POST /slack/commands; Socket Mode's payload).
  SlackAnswer AnswerCommand(const std::map<std::string, std::string>& fields);
  // An interaction payload (block_actions, view_submission).
  SlackAnswer AnswerInteraction(const nlohmann::json& payload);
  // An Events API body (url_verification or event_callback).
  SlackAnswer AnswerEvent(const nlohmann::json& envelope);
  // A Socket Mode envelope of `type` slash_commands, interactive or events_api; other types are
  // answered 400.
  SlackAnswer AnswerEnvelope(const std::string& type, const nlohmann::json& payload);

 private:
  struct Context {
    std::string workspace_id;
    std::string token;
    Actor actor;
  };
  struct CachedUser {
    std::string display_name;
    std::string tz;
    bool is_admin = false;
    std::chrono::steady_clock::time_point expires;
  };

  bool VerifyOrRefuse(const httplib::Request& request, const std::string& body,
                      httplib::Response& response);
  // Finds the installation (or single-workspace token) for a team; NotFound when not installed.
  Result<std::pair<std::string, std::string>> WorkspaceAndToken(const std::string& team_id,
                                                                const std::string& enterprise_id);
  // The actor with display name, time zone and admin flag from users.info (cached).
  // With `may_wait` false (interactions: Slack's trigger_id expires in 3 s) a cache miss does
  // not call Slack; the profile is refreshed in the background instead.
  Actor MakeActor(const std::string& workspace_id, const std::string& token,
                  const std::string& user_id, const std::string& fallback_name,
                  bool may_wait = true);

  void HandleCommand(const std::string& body, httplib::Response& response);
  void HandleInteraction(const std::string& body, httplib::Response& response);
  void HandleEvent(const std::string& body, httplib::Response& response);
  void HandleInstall(const httplib::Request& request, httplib::Response& response);
  void HandleOAuthCallback(const httplib::Request& request, httplib::Response& response);

  // Shows a check-in result where the button was pressed. In a shared message (a weekly
  // prompt listing several KRs, a public `show`) only the pressed KR's buttons are replaced by
  // the outcome, using the message's blocks (`original`, null when unknown); errors are shown
  // only to the person who pressed.
  void ShowResult(const Context& context, const std::string& kr_ref, const std::string& channel,
                  const std::string& ts, bool ephemeral, const std::string& response_url,
                  const nlohmann::json& original, const Reply& reply);
  // The blocks of messages whose Update button opened a modal, until the modal is submitted.
  void RememberMessage(const std::string& channel, const std::string& ts, nlohmann::json blocks);
  nlohmann::json RecallMessage(const std::string& channel, const std::string& ts);
  void PublishHome(const Context& context);

  SlackAppOptions options_;
  Store* store_;
  Bot* bot_;
  SlackClient* client_;
  const SecretBox* secret_box_;
  const Clock* clock_;
  Metrics* metrics_;
  SlackSignatureVerifier verifier_;
  SignedStateIssuer state_issuer_;
  SlackTokens tokens_;
  std::mutex cache_mu_;
  std::map<std::string, CachedUser> user_cache_;  // key: workspace_id + "|" + user_id
  struct RememberedMessage {
    nlohmann::json blocks;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, RememberedMessage> messages_;  // key: channel + "|" + ts
  WorkerPool background_;                              // last: drained before the rest goes
};

}  // namespace okrbot::slack
