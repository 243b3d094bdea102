// MattermostStandIn: a local stand-in of the Mattermost REST API (v4) for tests.
//
// A real httplib::Server on 127.0.0.1 (a free port chosen by the kernel), run on its own
// thread from construction until destruction. Point the code under test at Url()
// ("http://127.0.0.1:PORT", e.g. as MATTERMOST_URL).
//
// Every request under /api/v4/ is recorded before it is answered (also the ones answered with a
// scripted failure or an error): see MattermostCall. JSON bodies are parsed into `body`.
//
// Endpoints and default answers, shaped like Mattermost's:
//   GET  /api/v4/users/me              "users/me": 200 {"id": kBotUserId, "username": "okrbot",
//                                      "is_bot": true}
//   GET  /api/v4/users/username/{u}    "users/username": 200 {"id", "username"} for a user added
//                                      with AddUser, else 404
//   GET  /api/v4/users/email/{e}       "users/email": 200 {"id", "username", "email"} for an
//                                      email given to AddUserEmail (any case), else 404
//   POST /api/v4/channels/direct       "channels/direct": body ["<id>", "<id>"], two Mattermost
//                                      ids (26 of a-z0-9), else 400; 201 {"id", "type": "D",
//                                      "name": "<a>__<b>"}; the same pair always gets the same
//                                      channel, which the bot may then post to
//   POST /api/v4/posts                 "posts": body {"channel_id", "message"}; 201 with the
//                                      post {"id", "channel_id", "message", "user_id",
//                                      "create_at"}. An empty message or channel_id -> 400; a
//                                      channel that is neither a direct channel created here
//                                      nor added with AddChannel -> 403 (as Mattermost answers
//                                      when the bot is not a member)
//   anything else under /api/v4/       404
// Errors are Mattermost's JSON {"id", "message", "detailed_error", "request_id",
// "status_code"}. With SetValidTokens, every endpoint needs `Authorization: Bearer <one of
// them>`: otherwise 401 api.context.session_expired.app_error.
// Scripted trouble: FailNext answers the next `times` requests of an endpoint ("*" = any) with
// the given HTTP status, optionally with Retry-After and/or X-Ratelimit-Reset headers (a 429
// also gets X-Ratelimit-Limit and X-Ratelimit-Remaining: 0); the default body is "limit
// exceeded" (text/plain) for 429 and a Mattermost JSON error otherwise. Several FailNext for one
// endpoint queue up in order.
//
// Thread-safety: all methods may be called from any thread while the server runs.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
}  // namespace httplib

namespace okrbot::testing {

struct MattermostCall {
  std::string http_method;  // "GET", "POST"
  std::string endpoint;     // "users/me", "users/username", "channels/direct", "posts", "" (other)
  std::string path;         // "/api/v4/posts"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string token;    // from "Authorization: Bearer ..."; empty when absent
  nlohmann::json body;  // parsed JSON body; null when none or not JSON
  std::string raw_body;

  // The first header of that name (case-insensitive), or "".
  std::string Header(const std::string& name) const;
};

class MattermostStandIn {
 public:
  static constexpr char kBotUserId[] = "okrbot0bot0user0id00000001";

  // Starts the server; aborts the process when no port can be bound.
  MattermostStandIn();
  ~MattermostStandIn();
  MattermostStandIn(const MattermostStandIn&) = delete;
  MattermostStandIn& operator=(const MattermostStandIn&) = delete;

  int port() const { return port_; }
  std::string Url() const;  // "http://127.0.0.1:PORT"

  // Configuration (any time).
  void SetValidTokens(std::vector<std::string> tokens);  // empty: any token, or none, is fine
  void AddUser(const std::string& username, const std::string& id);
  void AddUserEmail(const std::string& email, const std::string& id);
  void AddChannel(const std::string& channel_id);
  void FailNext(const std::string& endpoint, int http_status, int times,
                std::optional<int> retry_after_seconds = {},
                std::optional<int> ratelimit_reset_seconds = {}, std::string body = "");

  // What was received, oldest first; "" means every endpoint.
  std::vector<MattermostCall> Calls(const std::string& endpoint = "") const;
  int CallCount(const std::string& endpoint = "") const;
  void ClearCalls();
  // The posts created so far as (channel id, message), oldest first.
  std::vector<std::pair<std::string, std::string>> Posts() const;
  // The direct channel between the bot and `user_id`, or "" when none was created.
  std::string DirectChannelWithBot(const std::string& user_id) const;

 private:
  struct Failure {
    int http_status = 500;
    int times = 0;
    std::optional<int> retry_after;
    std::optional<int> ratelimit_reset;
    std::string body;
  };
  struct Answer {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
  };

  Answer Handle(MattermostCall call);
  Answer Route(const MattermostCall& call);  // called with mu_ held

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::vector<MattermostCall> calls_;
  std::set<std::string> valid_tokens_;
  std::map<std::string, std::string> users_;            // username -> id
  std::map<std::string, std::string> emails_;           // lower-cased email -> id
  std::set<std::string> channels_;                      // channels the bot may post to
  std::map<std::string, std::string> direct_channels_;  // "a__b" (sorted) -> channel id
  std::vector<std::pair<std::string, std::string>> posts_;
  std::map<std::string, std::deque<Failure>> failures_;  // queued per endpoint
  long long counter_ = 0;
};

}  // namespace okrbot::testing
