// TeamsStandIn: a local stand-in of the Microsoft side of a Teams bot for tests - the Bot
// Framework's OpenID metadata and signing keys, the Microsoft identity platform's token endpoint,
// and the Bot Framework connector REST API (v3) that replies and scheduled posts go to.
//
// A real httplib::Server on 127.0.0.1 (a free port chosen by the kernel), run on its own thread
// from construction until destruction. Point the code under test at:
//   OpenIdUrl()   "http://127.0.0.1:PORT/openid"  (TeamsAuthOptions::openid_url)
//   TokenUrl()    "http://127.0.0.1:PORT/token"   (TeamsClientOptions::token_url)
//   ServiceUrl()  "http://127.0.0.1:PORT/amer/"   (an activity's serviceUrl; like the real
//                 "https://smba.trafficmanager.net/amer/" it has a path prefix)
//
// Endpoints and default answers, shaped like Microsoft's:
//   GET  /openid    {"issuer": "https://api.botframework.com", "jwks_uri": "<Url()>/keys",
//                   "id_token_signing_alg_values_supported": ["RS256"]}
//   GET  /keys      the JWKS document given to SetJwks (default {"keys": []}); counted by
//                   KeyFetches()
//   POST /token     "token": a client-credentials form (grant_type=client_credentials, client_id,
//                   client_secret, scope). When client_id and client_secret match
//                   SetAppCredentials: 200 {"token_type": "Bearer", "expires_in": 3600,
//                   "access_token": "standin-bot-token-<n>"} with n = 1, 2, ... (a new token
//                   each time); otherwise (also before any SetAppCredentials) 401
//                   {"error": "invalid_client", "error_description": ...}. A wrong grant_type
//                   is 400 unsupported_grant_type. Counted by TokenRequests().
//   The connector, under ServiceUrl()'s "/amer" prefix or without it:
//   POST /v3/conversations                     "create": body {"bot": {"id"}, "members":
//                                              [{"id"}], ...}; 200 {"id": "a:conv-<n>"}, the
//                                              same member always getting the same id; a body
//                                              without members[0].id is 400 BadArgument
//   POST /v3/conversations/{c}/activities      "send": a new message; 200 {"id": "act-<n>"}
//   POST /v3/conversations/{c}/activities/{r}  "send" with activity_id r: a threaded reply
//   PUT  /v3/conversations/{c}/activities/{a}  "update": replaces activity a; 200 {"id": a}
//   GET  /v3/conversations/{c}/members/{m}     "member": a member added with AddMember, else 404
//   any other path or method                   404 {"error": {"code": "NotFound", ...}}
//   Conversation and activity ids are percent-decoded from the path. An activity body that is
//   not a JSON object with a "type" is 400 BadSyntax. While app credentials are set, every
//   connector call needs `Authorization: Bearer <a token /token issued>` (401 Unauthorized
//   otherwise); without them, no Authorization is needed (TEAMS_AUTH=off development).
//
// Every connector call (any request but /openid, /keys and /token) is recorded, with the status
// it gets, before the answer is sent - also the ones answered with a scripted failure or an
// error: see TeamsCall. Key and token requests are counted instead.
// Scripted trouble: FailNext answers the next `times` requests of an endpoint ("send", "update",
// "create", "token", "openid", "keys") with the given HTTP status, optionally with a
// Retry-After header, and a connector-shaped JSON error (identity-platform-shaped for "token").
// Several FailNext for one endpoint queue up in order; they come before the Authorization check.
//
// Thread-safety: all methods may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
}  // namespace httplib

namespace okrbot::testing {

// One request to the connector API.
struct TeamsCall {
  std::string http_method;      // "POST", "PUT"
  std::string endpoint;         // "send", "update", "create", or "" (anything else)
  std::string path;             // as received, still percent-encoded: "/amer/v3/conversations/.."
  std::string conversation_id;  // decoded; "" for "create"
  std::string activity_id;      // decoded: the replied-to activity ("send") or the replaced one
                                // ("update"); "" for a new message
  nlohmann::json body;          // parsed JSON body; null when none or not JSON
  std::string authorization;    // the Authorization header as sent; "" when absent
  int status = 0;               // what the stand-in answered
  std::string answered_id;      // the "id" of a 200 answer: new activity or conversation id
};

class TeamsStandIn {
 public:
  // Starts the server; aborts the process when no port can be bound.
  TeamsStandIn();
  ~TeamsStandIn();
  TeamsStandIn(const TeamsStandIn&) = delete;
  TeamsStandIn& operator=(const TeamsStandIn&) = delete;

  int port() const { return port_; }
  std::string Url() const;  // "http://127.0.0.1:PORT"
  std::string OpenIdUrl() const { return Url() + "/openid"; }
  std::string TokenUrl() const { return Url() + "/token"; }
  std::string ServiceUrl() const { return Url() + "/amer/"; }

  // Configuration (any time).
  void SetJwks(nlohmann::json jwks);
  // The app registration /token accepts. An empty app id: /token refuses everything and the
  // connector needs no Authorization.
  void SetAppCredentials(const std::string& app_id, const std::string& app_password);
  // Forgets every token issued so far (a rotated secret): the connector answers them 401.
  void RevokeIssuedTokens();
  // A conversation member GET /v3/conversations/{c}/members/{id} ("member") answers with
  // {"id", "name", "aadObjectId"}; unknown members are 404.
  void AddMember(const std::string& teams_id, const std::string& name,
                 const std::string& aad_object_id);
  void FailNext(const std::string& endpoint, int http_status, int times,
                std::optional<int> retry_after_seconds = {});
  void ClearFailures();  // drops every queued FailNext: the platform is back

  // Connector calls received, oldest first; "" means every endpoint.
  std::vector<TeamsCall> Calls(const std::string& endpoint = "") const;
  int CallCount(const std::string& endpoint = "") const;
  void ClearCalls();
  // Polls until at least `count` connector calls are recorded (replies are sent from background
  // workers); false when `timeout` passes first.
  bool WaitForCalls(size_t count,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

  int KeyFetches() const;     // GET /keys
  int TokenRequests() const;  // POST /token, granted or not
  // The form fields of the latest /token request (empty before any).
  std::map<std::string, std::string> LastTokenRequest() const;

 private:
  struct Failure {
    int http_status = 500;
    int times = 0;
    std::optional<int> retry_after;
  };
  struct Answer {
    int status = 200;
    nlohmann::json body;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  // A queued failure for `endpoint`, consumed; requires mu_ held.
  std::optional<Answer> TakeFailure(const std::string& endpoint);
  Answer Token(const std::string& form_body);
  Answer Connector(TeamsCall* call);  // requires mu_ held

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  nlohmann::json jwks_ = {{"keys", nlohmann::json::array()}};
  std::string app_id_;
  std::string app_password_;
  std::set<std::string> issued_tokens_;
  std::vector<TeamsCall> calls_;
  std::map<std::string, std::deque<Failure>> failures_;  // queued per endpoint
  std::map<std::string, std::string> conversations_;     // member id -> conversation id
  std::map<std::string, nlohmann::json> members_;        // teams id -> member
  std::map<std::string, std::string> last_token_request_;
  int key_fetches_ = 0;
  int token_requests_ = 0;
  int tokens_issued_ = 0;  // tokens are numbered 1, 2, ... in the order they were issued
  long long counter_ = 0;
};

}  // namespace okrbot::testing
