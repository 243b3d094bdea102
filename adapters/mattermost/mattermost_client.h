// MattermostClient: the Mattermost REST API (v4) as okrbot's scheduled posts use it.
//
// Contract
//   - Calls go to {url}/api/v4/... with the bot's personal access token in the
//     `Authorization: Bearer` header (and nowhere else). `url` is MATTERMOST_URL: scheme http or
//     https, host, optional port, optional path prefix for a server under a sub-path
//     ("https://example.com/chat"); a trailing '/' is ignored. A malformed or empty url, or an
//     empty token, makes every call fail with kFailedPrecondition naming the variable.
//   - One HTTP request per call, never a wait: the caller (the job dispatcher) reschedules.
//     Outcomes:
//       2xx with the expected JSON        success
//       429                               kUnavailable; MattermostCallStats::retry_after is the
//                                         Retry-After header, else X-Ratelimit-Reset (seconds),
//                                         else 1 s
//       5xx, 408, connection errors,
//       timeouts, 2xx that is not JSON    kUnavailable (retry_after 0: the caller's backoff)
//       401, 403                          kPermissionDenied (bad or revoked token, bot not
//                                         allowed in that channel)
//       404                               kFailedPrecondition (no such user or channel)
//       other 4xx                         kInvalidArgument (the request itself is wrong)
//     Status messages name the call and carry Mattermost's error id and message; they never
//     contain the token (anything echoed by the server is redacted).
//   - BotUserId() asks GET /api/v4/users/me once and caches the answer for the client's lifetime.
//   - Expected failures are Status values; no exception escapes.
//
// Channel targets: Mattermost posts need a channel id (26 characters, e.g.
// "4xp9fdt77pncbef59f4k1qe83o"), not a name. `remind digest` on Mattermost therefore takes the
// channel id: `/okr remind digest #4xp9fdt77pncbef59f4k1qe83o friday 16:00` (the id is shown
// in the channel's "View Info"). The bot account must be a member of that channel.
//
// Thread-safety: safe to use from many threads at once (each call uses its own connection;
// the cached bot user id is guarded by a mutex).
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace okrbot::mattermost {

struct MattermostClientOptions {
  std::string url;        // MATTERMOST_URL, e.g. "https://chat.example.com"
  std::string bot_token;  // MATTERMOST_BOT_TOKEN (a bot account's access token)
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{5000};  // also used as the write timeout
};

// What happened during one call, for logs and rescheduling. Reset by every call given one.
struct MattermostCallStats {
  int http_status = 0;                  // of the answer; 0 when none arrived
  std::string error_id;                 // Mattermost's error "id", e.g. "api.context..."
  std::chrono::seconds retry_after{0};  // how long a 429 asked to wait; 0 otherwise
};

// True for a Mattermost id: 26 characters of a-z and 0-9.
bool IsMattermostId(const std::string& text);

class MattermostClient {
 public:
  explicit MattermostClient(MattermostClientOptions options);
  MattermostClient(const MattermostClient&) = delete;
  MattermostClient& operator=(const MattermostClient&) = delete;

  // Checks a MATTERMOST_URL value as the constructor would (for check-config): kInvalidArgument
  // naming the problem.
  static Status CheckUrl(const std::string& url);

  // GET /api/v4/users/me: the bot account's user id (cached after the first success).
  Result<std::string> BotUserId(MattermostCallStats* stats = nullptr) const;
  // GET /api/v4/users/username/{username}: the user id of a username (without '@').
  Result<std::string> UserIdByUsername(const std::string& username,
                                       MattermostCallStats* stats = nullptr) const;
  // GET /api/v4/users/email/{email}: the user id and username of an email address (404, no such
  // user: kFailedPrecondition with http_status 404). Needs a bot allowed to see emails.
  Result<std::pair<std::string, std::string>> UserByEmail(
      const std::string& email, MattermostCallStats* stats = nullptr) const;
  // POST /api/v4/channels/direct ["<bot_user_id>", "<user_id>"]: the direct-message channel id
  // (Mattermost creates it on first use and returns the existing one afterwards).
  Result<std::string> DirectChannel(const std::string& bot_user_id, const std::string& user_id,
                                    MattermostCallStats* stats = nullptr) const;
  // POST /api/v4/posts {"channel_id", "message"}: posts `message` (Markdown) as the bot.
  Status CreatePost(const std::string& channel_id, const std::string& message,
                    MattermostCallStats* stats = nullptr) const;

 private:
  // One request; the parsed JSON answer of a 2xx, else a Status as described above.
  Result<nlohmann::json> Send(const std::string& label, const std::string& method,
                              const std::string& path, const std::string& body,
                              MattermostCallStats* stats) const;

  MattermostClientOptions options_;
  Status url_status_;
  std::string origin_;  // "https://chat.example.com:8065"
  std::string prefix_;  // "" or "/chat" (no trailing '/')
  mutable std::mutex mu_;
  mutable std::string bot_user_id_;  // guarded by mu_; "" until known
};

}  // namespace okrbot::mattermost
