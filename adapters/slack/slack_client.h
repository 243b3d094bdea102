// SlackClient: the Slack Web API as okrbot uses it (chat.*, conversations.open, users.info,
// views.*, auth.test, oauth.v2.access) plus POSTs to slash-command response_urls.
//
// Contract
//   - Every call is an HTTP POST to {api_base}/{method}. The token travels only in the
//     `Authorization: Bearer` header. Arguments are a JSON body (`application/json;
//     charset=utf-8`), except for the methods Slack does not read JSON for (oauth.v2.access and
//     the read methods users.info, users.lookupByEmail, conversations.info, ...; see
//     UsesFormEncoding), which get `application/x-www-form-urlencoded` (objects and arrays are
//     sent as JSON text, as Slack expects). oauth.v2.access sends client_id/client_secret as
//     form fields and no Authorization header.
//   - Retries, all within one call and at most `max_attempts` HTTP requests in total:
//       HTTP 429, or 2xx with {"ok":false,"error":"ratelimited"}: waits the Retry-After header
//         (seconds; 1 s when missing or unreadable) and tries again. A Retry-After above
//         `max_retry_after` is not waited for: the call fails at once with kUnavailable and
//         SlackCallStats::retry_after tells the caller (a job dispatcher) when to try again.
//       HTTP 5xx, connection errors, timeouts and 2xx bodies that are not Slack JSON: waits
//         min(max_backoff, base_backoff * 2^(n-1)) * (0.5 + 0.5 * jitter()) after the n-th
//         attempt and tries again.
//     When the attempts are used up the call fails with kUnavailable (retry_after still set when
//     the last answer was a rate limit). A timed-out request may have reached Slack, so a retried
//     chat.postMessage can, rarely, post twice; that is the price of not losing messages.
//   - Not retried: other HTTP 4xx (and 3xx) -> kInvalidArgument; {"ok":false,"error":E} ->
//     kPermissionDenied for token/permission errors (invalid_auth, not_authed, account_inactive,
//     token_revoked, token_expired, missing_scope, no_permission, not_allowed_token_type,
//     invalid_client_id, bad_client_secret, ...), kFailedPrecondition for every other E
//     (channel_not_found, invalid_code, ...). The Status message names the method and E.
//   - Status messages and SlackCallStats never contain the token, client secret, OAuth code or
//     a response_url (which is itself a credential); anything echoed by the server is redacted.
//   - Expected failures are Status values; no exception escapes (JSON errors are caught here).
//
// Thread-safety: a SlackClient is safe to use from many threads at once; all methods are const.
// Connections are kept alive in a small mutex-protected pool per origin (scheme://host:port):
// a call borrows an idle httplib::Client (or makes one), and gives it back afterwards unless the
// request failed at the transport level. The injected `sleep` and `jitter` functions are called
// from the calling threads and must themselves be thread-safe (the defaults are).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace okrbot {

struct SlackClientOptions {
  // "https://slack.com/api"; tests use "http://127.0.0.1:PORT/api". Scheme http or https, host,
  // optional port, optional path prefix. A malformed value makes every call kInvalidArgument.
  std::string api_base = "https://slack.com/api";
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{5000};  // also used as the write timeout
  int max_attempts = 4;                          // HTTP requests per call, at least 1
  std::chrono::milliseconds base_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  std::chrono::seconds max_retry_after{60};
  // How waiting is done; empty means std::this_thread::sleep_for. Tests record instead.
  std::function<void(std::chrono::milliseconds)> sleep;
  // A number in [0, 1] (clamped); empty means uniformly random.
  std::function<double()> jitter;
};

// What happened during one call, for metrics, logs and rescheduling. Reset by every call that
// is given one; filled in on success and on failure.
struct SlackCallStats {
  int attempts = 0;                     // HTTP requests sent
  int http_status = 0;                  // of the last answer; 0 when none arrived
  std::string slack_error;              // Slack's "error" of the last failed answer, if any
  std::chrono::seconds retry_after{0};  // last Retry-After Slack asked for; 0 if none
  std::chrono::milliseconds waited{0};  // total passed to `sleep` between attempts
};

struct PostedMessage {
  std::string channel;  // the conversation ID Slack answered with ("D..." when posted to a user)
  std::string ts;       // message timestamp, the message's ID within the channel
};

struct SlackUser {
  std::string id;
  std::string name;          // the legacy handle
  std::string real_name;     // user.real_name, else profile.real_name
  std::string display_name;  // profile.display_name (may be empty)
  std::string tz;            // IANA zone, e.g. "Europe/Berlin" (may be empty)
  bool is_admin = false;
  bool is_owner = false;
  bool is_bot = false;
  bool deleted = false;
};

struct SlackAuthInfo {
  std::string team_id;
  std::string user_id;  // the bot user's ID for a bot token
  std::string bot_id;   // empty for user tokens
};

struct SlackInstall {
  std::string team_id;
  std::string team_name;
  std::string enterprise_id;  // empty when not an Enterprise Grid install
  std::string access_token;   // the bot token (xoxb-...)
  std::string bot_user_id;
  std::string scope;
  std::string authed_user_id;  // who installed the app
  std::string app_id;
};

class SlackClient {
 public:
  explicit SlackClient(SlackClientOptions options = {});
  ~SlackClient();
  SlackClient(const SlackClient&) = delete;
  SlackClient& operator=(const SlackClient&) = delete;

  // Checks an api_base value as the constructor would (for check-config).
  static Status CheckApiBase(const std::string& api_base);
  // True for the methods sent form-encoded rather than as JSON.
  static bool UsesFormEncoding(const std::string& method);

  // Calls `method` with `args` (a JSON object; null means no arguments). Returns Slack's whole
  // answer (an object with "ok": true) on success. `token` may be empty (no Authorization).
  Result<nlohmann::json> Call(const std::string& method, const std::string& token,
                              const nlohmann::json& args, SlackCallStats* stats = nullptr) const;

  // chat.postMessage. `blocks` is a JSON array (null or empty: text only); `text` is the
  // notification/fallback text.
  Result<PostedMessage> PostMessage(const std::string& token, const std::string& channel,
                                    const nlohmann::json& blocks, const std::string& text,
                                    SlackCallStats* stats = nullptr) const;
  // chat.postEphemeral; returns the message_ts.
  Result<std::string> PostEphemeral(const std::string& token, const std::string& channel,
                                    const std::string& user, const nlohmann::json& blocks,
                                    const std::string& text, SlackCallStats* stats = nullptr) const;
  // chat.update of the message (channel, ts).
  Result<PostedMessage> UpdateMessage(const std::string& token, const std::string& channel,
                                      const std::string& ts, const nlohmann::json& blocks,
                                      const std::string& text,
                                      SlackCallStats* stats = nullptr) const;
  // users.info.
  Result<SlackUser> UsersInfo(const std::string& token, const std::string& user_id,
                              SlackCallStats* stats = nullptr) const;
  // views.open of a modal; returns the view ID.
  Result<std::string> ViewsOpen(const std::string& token, const std::string& trigger_id,
                                const nlohmann::json& view, SlackCallStats* stats = nullptr) const;
  // views.publish of a Home tab; returns the view ID.
  Result<std::string> ViewsPublish(const std::string& token, const std::string& user_id,
                                   const nlohmann::json& view,
                                   SlackCallStats* stats = nullptr) const;
  // auth.test.
  Result<SlackAuthInfo> AuthTest(const std::string& token, SlackCallStats* stats = nullptr) const;
  // oauth.v2.access: exchanges the code of the OAuth redirect for the bot token.
  // `redirect_uri` is sent only when not empty.
  Result<SlackInstall> OAuthV2Access(const std::string& client_id, const std::string& client_secret,
                                     const std::string& code, const std::string& redirect_uri,
                                     SlackCallStats* stats = nullptr) const;
  // POSTs `payload` as JSON to a slash command's response_url (a full http(s) URL), with the
  // same retry rules. Any 2xx is success unless the body is JSON with "ok": false.
  Status PostResponseUrl(const std::string& url, const nlohmann::json& payload,
                         SlackCallStats* stats = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace okrbot
