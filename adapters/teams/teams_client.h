// TeamsClient: the Bot Framework connector REST API (v3) and the Microsoft identity platform's
// client-credentials flow, as okrbot's replies and scheduled posts use them.
//
// Contract
//   - Every call goes to the activity's `serviceUrl` (e.g. "https://smba.trafficmanager.net/
//     amer/"), which the caller took from a verified activity or a stored conversation
//     reference. Conversation and activity ids are percent-encoded into the path.
//   - Authorization: with an app id and password the client gets a bot token with the
//     client-credentials grant (POST token_url, form client_id / client_secret / scope /
//     grant_type) and sends it as `Authorization: Bearer`. The token is cached until 5 minutes
//     before its `expires_in` and fetched again on a 401 from the connector (once per call).
//     Without an app id (TEAMS_AUTH=off local development against the Agents Playground) no
//     Authorization header is sent.
//   - One HTTP request per call (plus the token request when needed), never a wait: the
//     caller retries. Failures are mapped by HttpFailure (adapters/common/http_call.h): 429 and
//     5xx are kUnavailable with TeamsCallStats::retry_after for a 429; 401/403 kPermissionDenied
//     (wrong app password, bot removed from the conversation); 404 kFailedPrecondition;
//     other 4xx kInvalidArgument. Messages never contain the password or the token.
// Thread-safety: safe from many threads (the cached token is guarded by a mutex).
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/status.h"

namespace okrbot::teams {

struct TeamsClientOptions {
  std::string app_id;        // TEAMS_APP_ID; empty = send no Authorization (local development)
  std::string app_password;  // TEAMS_APP_PASSWORD (the app registration's client secret)
  // TEAMS_TOKEN_URL; multi-tenant bots use the botframework.com tenant, single-tenant ones
  // their own tenant id in place of it.
  std::string token_url = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token";
  std::string scope = "https://api.botframework.com/.default";  // TEAMS_TOKEN_SCOPE
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
};

struct TeamsCallStats {
  int http_status = 0;                  // of the last answer; 0 when none arrived
  std::chrono::seconds retry_after{0};  // how long a 429 asked to wait; 0 otherwise
};

class TeamsClient {
 public:
  // `clock` decides token expiry; it must outlive the client.
  TeamsClient(TeamsClientOptions options, const Clock* clock);
  TeamsClient(const TeamsClient&) = delete;
  TeamsClient& operator=(const TeamsClient&) = delete;

  // POST /v3/conversations/{conversation}/activities: a new message; returns its activity id
  // ("" when the connector answered without one).
  Result<std::string> SendToConversation(const std::string& service_url,
                                         const std::string& conversation_id,
                                         const nlohmann::json& activity,
                                         TeamsCallStats* stats = nullptr);
  // POST /v3/conversations/{conversation}/activities/{reply_to}: a reply in the same thread.
  Result<std::string> ReplyToActivity(const std::string& service_url,
                                      const std::string& conversation_id,
                                      const std::string& reply_to_id,
                                      const nlohmann::json& activity,
                                      TeamsCallStats* stats = nullptr);
  // PUT /v3/conversations/{conversation}/activities/{activity}: replaces a message the bot sent
  // (the check-in card after it was submitted).
  Status UpdateActivity(const std::string& service_url, const std::string& conversation_id,
                        const std::string& activity_id, const nlohmann::json& activity,
                        TeamsCallStats* stats = nullptr);
  // POST /v3/conversations: the 1:1 conversation between the bot and `user_id` ("29:..."), in
  // `tenant_id`; returns its conversation id (Teams answers with the existing one if any).
  Result<std::string> CreateConversation(const std::string& service_url, const std::string& bot_id,
                                         const std::string& user_id, const std::string& tenant_id,
                                         TeamsCallStats* stats = nullptr);

  // GET /v3/conversations/{conversation}/members/{member}: one member of a conversation
  // ({"id": "29:...", "name", "aadObjectId", ...}), to learn who a mention names.
  Result<nlohmann::json> GetMember(const std::string& service_url,
                                   const std::string& conversation_id, const std::string& member_id,
                                   TeamsCallStats* stats = nullptr);

  const std::string& app_id() const { return options_.app_id; }

 private:
  Result<nlohmann::json> Send(const std::string& label, const std::string& method,
                              const std::string& service_url, const std::string& path,
                              const nlohmann::json& body, TeamsCallStats* stats);
  // The cached bot token, fetched when missing or about to expire ("" without an app id).
  Result<std::string> Token(bool refresh, TeamsCallStats* stats);

  TeamsClientOptions options_;
  const Clock* clock_;
  std::mutex mu_;
  std::string token_;  // guarded by mu_
  Seconds token_expires_at_{};
};

}  // namespace okrbot::teams
