// SlackStandIn: a local stand-in of the Slack Web API for tests.
//
// A real httplib::Server on 127.0.0.1 (a free port chosen by the kernel), run on its own
// thread from construction until destruction. Point the code under test at ApiBase()
// ("http://127.0.0.1:PORT/api", e.g. as SLACK_API_BASE) and at ResponseUrl(id).
//
// Every request is recorded before it is answered (also the ones answered with a scripted
// failure or an error): see RecordedCall. JSON bodies are parsed into `args`; form bodies
// (application/x-www-form-urlencoded) become an object of strings.
//
// Default answers, shaped like Slack's (HTTP 200):
//   chat.postMessage   {"ok":true,"channel":C,"ts":TS,"message":{...}}; TS increases per message
//                      ("1700000000.000100", "1700000000.000200", ...); a channel "U..." (a user)
//                      answers with the DM channel "D...". No channel -> channel_not_found.
//   chat.postEphemeral {"ok":true,"message_ts":TS}; needs channel and user.
//   chat.update        {"ok":true,"channel":C,"ts":TS,"text":...}; needs channel and ts.
//   conversations.open {"ok":true,"channel":{"id":"D"+user}} for users=<user>.
//   users.info         {"ok":true,"user":{"id","name","real_name","tz","is_admin","is_owner",
//                      "is_bot","deleted","profile":{"display_name","real_name"}}}; by default
//                      name = lower-cased id and tz "Europe/Berlin"; SetUser changes that.
//   users.lookupByEmail {"ok":true,"user":{"id","name","real_name","profile":{"email",...}}}
//                      for an email given to SetUserEmail, else users_not_found.
//   views.open / views.publish  {"ok":true,"view":{"id":"V1",...}} (V1, V2, ...); need
//                      trigger_id resp. user_id, and view.
//   auth.test          {"ok":true,"team_id":"T1","user_id":"UBOT","bot_id":"B1",...}.
//   oauth.v2.access    checks the form fields client_id, client_secret and code against SetOAuth
//                      (invalid_client_id, bad_client_secret, invalid_code); a code works once.
//                      On success Slack's OAuth v2 answer: access_token "xoxb-T1-installed",
//                      token_type "bot", scope, bot_user_id "UBOT", app_id "A1",
//                      team {"id":"T1","name":"Test Team"}, enterprise null,
//                      authed_user {"id":"U1"}, is_enterprise_install false; the `install`
//                      object given to SetOAuth overrides top-level fields.
//   anything else      {"ok":false,"error":"unknown_method"}.
// With SetValidTokens, every method but oauth.v2.access needs `Authorization: Bearer <one of
// them>`: none -> not_authed, another -> invalid_auth. SetAnswer replaces the default answer of
// a method (still HTTP 200).
// Response URLs: any POST under /response/ is recorded (method "response_url") and answered
// "ok" (text/plain).
// Scripted trouble: FailNext answers the next `times` requests of a method with the given HTTP
// status (and Retry-After, and body; the default body is {"ok":false,"error":"ratelimited"} for
// 429 and "stand-in failure" otherwise); several FailNext for one method queue up in order.
// ClearFailures drops what FailNext queued. SetDelay makes every request of a method wait first,
// for timeout tests; the destructor cuts such waits short. The method "*" matches any method in
// FailNext and SetDelay.
//
// Thread-safety: all methods may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <condition_variable>
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

struct RecordedCall {
  std::string method;  // "chat.postMessage"; "response_url" for POSTs under /response/
  std::string path;    // "/api/chat.postMessage", "/response/abc"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string token;         // from "Authorization: Bearer ..."; empty when absent
  std::string content_type;  // as sent
  nlohmann::json args;       // parsed JSON body or form fields; null when neither
  std::string body;          // raw body

  // The first header of that name (case-insensitive), or "".
  std::string Header(const std::string& name) const;
};

class SlackStandIn {
 public:
  // Starts the server; aborts the process when no port can be bound.
  SlackStandIn();
  ~SlackStandIn();
  SlackStandIn(const SlackStandIn&) = delete;
  SlackStandIn& operator=(const SlackStandIn&) = delete;

  int port() const { return port_; }
  std::string ApiBase() const;                           // "http://127.0.0.1:PORT/api"
  std::string ResponseUrl(const std::string& id) const;  // "http://127.0.0.1:PORT/response/<id>"

  // Configuration (any time).
  void SetValidTokens(std::vector<std::string> tokens);  // empty: any token, or none, is fine
  void SetUser(const std::string& id, const std::string& name, const std::string& tz,
               bool is_admin = false);
  // users.lookupByEmail answers with user `id` for `email` (any case); unknown emails get
  // {"ok":false,"error":"users_not_found"}.
  void SetUserEmail(const std::string& id, const std::string& email);
  void SetOAuth(const std::string& client_id, const std::string& client_secret,
                const std::string& code, nlohmann::json install = nlohmann::json::object());
  void SetAnswer(const std::string& method, nlohmann::json answer);
  void FailNext(const std::string& method, int http_status, int times,
                std::optional<int> retry_after_seconds = {}, std::string body = "");
  void SetDelay(const std::string& method, std::chrono::milliseconds delay);  // 0: no delay
  void ClearFailures();  // drops every queued FailNext: the platform is back

  // What was received, oldest first; "" means every method.
  std::vector<RecordedCall> Calls(const std::string& method = "") const;
  int CallCount(const std::string& method = "") const;
  // Waits until at least `count` calls of `method` ("" = any) arrived; false on timeout.
  bool WaitForCalls(const std::string& method, int count,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  void ClearCalls();

 private:
  struct Failure {
    int http_status = 500;
    int times = 0;
    std::optional<int> retry_after;
    std::string body;
  };
  struct User {
    std::string name;
    std::string tz;
    bool is_admin = false;
  };
  struct Reply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json; charset=utf-8";
    std::optional<int> retry_after;
  };

  Reply Handle(RecordedCall call);
  nlohmann::json Answer(const std::string& method, const nlohmann::json& args);
  std::string NextTs();

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable calls_changed_;
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
  std::vector<RecordedCall> calls_;
  std::set<std::string> valid_tokens_;
  std::map<std::string, User> users_;
  std::map<std::string, std::string> emails_;  // lower-cased email -> user id
  std::map<std::string, nlohmann::json> answers_;
  std::map<std::string, std::deque<Failure>> failures_;  // queued per method
  std::map<std::string, std::chrono::milliseconds> delays_;
  std::string oauth_client_id_;
  std::string oauth_client_secret_;
  std::string oauth_code_;
  nlohmann::json oauth_install_ = nlohmann::json::object();
  long long ts_counter_ = 0;
  int view_counter_ = 0;
};

// The block_actions payload of Alice (UALICE, team T1) pressing Update on KR`kr`'s check-in
// prompt in her DM, answered through `response_url`: the same press over HTTP and Socket Mode.
nlohmann::json CheckInUpdatePress(const std::string& response_url, const std::string& kr = "KR1");

// Alice submitting the check-in modal whose private_metadata is `metadata`, with the note
// "shipped": the same submission over HTTP and Socket Mode.
nlohmann::json CheckInModalSubmission(const std::string& metadata, const std::string& value,
                                      const std::string& confidence);

}  // namespace okrbot::testing
