#include "adapters/teams/teams_client.h"

#include "adapters/common/form.h"
#include "adapters/common/http_call.h"
#include "adapters/common/url.h"

namespace okrbot::teams {
namespace {

using json = nlohmann::json;

// Tokens are refreshed this long before Microsoft says they expire, so a token never runs out
// between being read here and being checked by the connector.
constexpr std::chrono::seconds kTokenMargin{300};

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The connector's errors: {"error": {"code": "BadSyntax", "message": "..."}}; the identity
// platform's: {"error": "invalid_client", "error_description": "..."}.
std::string ErrorDetail(const json& answer) {
  if (!answer.is_object()) return "";
  auto error = answer.find("error");
  if (error == answer.end()) return "";
  if (error->is_object()) {
    std::string code = Str(*error, "code");
    std::string message = Str(*error, "message").substr(0, 200);
    return code + (message.empty() ? "" : (code.empty() ? "" : ": ") + message);
  }
  if (error->is_string()) {
    std::string description = Str(answer, "error_description").substr(0, 200);
    return error->get<std::string>() + (description.empty() ? "" : ": " + description);
  }
  return "";
}

}  // namespace

TeamsClient::TeamsClient(TeamsClientOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

Result<std::string> TeamsClient::Token(bool refresh, TeamsCallStats* stats) {
  if (options_.app_id.empty()) return std::string();
  std::lock_guard<std::mutex> lock(mu_);
  Seconds now = clock_->Now();
  if (!refresh && !token_.empty() && now < token_expires_at_) return token_;
  HttpUrl url;
  if (!ParseHttpUrl(options_.token_url, &url)) {
    return Status::FailedPrecondition("TEAMS_TOKEN_URL is not an http(s) URL");
  }
  HttpCall call;
  call.method = "POST";
  call.origin = url.origin;
  call.path = url.path;
  call.content_type = "application/x-www-form-urlencoded";
  call.body = FormEncode({{"grant_type", "client_credentials"},
                          {"client_id", options_.app_id},
                          {"client_secret", options_.app_password},
                          {"scope", options_.scope}});
  call.headers = {{"Accept", "application/json"}, {"User-Agent", "okrbot"}};
  call.connect_timeout = options_.connect_timeout;
  call.read_timeout = options_.read_timeout;
  const std::string label = "Teams bot token";
  auto answer = SendHttp(label, call);
  if (!answer.ok()) return answer.status();
  if (stats != nullptr) {
    stats->http_status = answer->status;
    stats->retry_after = answer->retry_after;
  }
  const std::vector<std::string> secrets = {options_.app_password};
  if (!answer->ok()) {
    Status failure = HttpFailure(label, *answer, ErrorDetail(answer->json));
    // invalid_client (a wrong or expired secret) is answered with 400/401: no retry helps.
    if (answer->status == 400) failure = Status::PermissionDenied(failure.message());
    return Status(failure.code(), Redact(failure.message(), secrets));
  }
  std::string token = Str(answer->json, "access_token");
  long long seconds = 0;
  if (answer->json.is_object() && answer->json.contains("expires_in")) {
    const json& expires_in = answer->json["expires_in"];
    if (expires_in.is_number_integer()) seconds = expires_in.get<long long>();
    if (expires_in.is_string()) {
      seconds = ParseWholeSeconds(expires_in.get<std::string>()).value_or(0);
    }
  }
  if (token.empty() || seconds <= 0) {
    return Status::Unavailable(label + " answer has no access_token or expires_in");
  }
  token_ = token;
  token_expires_at_ = now + std::chrono::seconds(seconds) - kTokenMargin;
  return token_;
}

Result<json> TeamsClient::Send(const std::string& label, const std::string& method,
                               const std::string& service_url, const std::string& path,
                               const json& body, TeamsCallStats* stats_out) {
  TeamsCallStats local;
  TeamsCallStats& stats = stats_out != nullptr ? *stats_out : local;
  stats = TeamsCallStats();
  const std::string what = "Teams " + label;
  HttpUrl url;
  if (!ParseHttpUrl(service_url, &url) || service_url.find_first_of("?#") != std::string::npos) {
    return Status::FailedPrecondition(what + ": the conversation's serviceUrl is not usable");
  }
  std::string prefix = url.path;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto token = Token(/*refresh=*/attempt > 0, &stats);
    if (!token.ok()) return token.status();
    HttpCall call;
    call.method = method;
    call.origin = url.origin;
    call.path = prefix + path;
    call.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    call.headers = {{"Accept", "application/json"}, {"User-Agent", "okrbot"}};
    if (!token->empty()) call.headers.emplace("Authorization", "Bearer " + *token);
    call.connect_timeout = options_.connect_timeout;
    call.read_timeout = options_.read_timeout;
    auto answer = SendHttp(what, call);
    if (!answer.ok()) return answer.status();
    stats.http_status = answer->status;
    stats.retry_after = answer->retry_after;
    if (answer->ok()) {
      // Updates may answer 200 with an empty body; that is success too.
      return answer->json.is_discarded() ? json::object() : std::move(answer->json);
    }
    // A token the connector no longer accepts (rotated secret): fetch a new one once.
    if (answer->status == 401 && attempt == 0 && !options_.app_id.empty()) continue;
    Status failure = HttpFailure(what, *answer, ErrorDetail(answer->json));
    return Status(failure.code(), Redact(failure.message(), {options_.app_password, *token}));
  }
  return Status::PermissionDenied(what + " refused the bot token");
}

Result<std::string> TeamsClient::SendToConversation(const std::string& service_url,
                                                    const std::string& conversation_id,
                                                    const json& activity, TeamsCallStats* stats) {
  auto answer =
      Send("send", "POST", service_url,
           "/v3/conversations/" + UrlEncode(conversation_id) + "/activities", activity, stats);
  if (!answer.ok()) return answer.status();
  return Str(*answer, "id");
}

Result<std::string> TeamsClient::ReplyToActivity(const std::string& service_url,
                                                 const std::string& conversation_id,
                                                 const std::string& reply_to_id,
                                                 const json& activity, TeamsCallStats* stats) {
  auto answer = Send(
      "reply", "POST", service_url,
      "/v3/conversations/" + UrlEncode(conversation_id) + "/activities/" + UrlEncode(reply_to_id),
      activity, stats);
  if (!answer.ok()) return answer.status();
  return Str(*answer, "id");
}

Status TeamsClient::UpdateActivity(const std::string& service_url,
                                   const std::string& conversation_id,
                                   const std::string& activity_id, const json& activity,
                                   TeamsCallStats* stats) {
  auto answer = Send(
      "update", "PUT", service_url,
      "/v3/conversations/" + UrlEncode(conversation_id) + "/activities/" + UrlEncode(activity_id),
      activity, stats);
  return answer.ok() ? Status::Ok() : answer.status();
}

Result<json> TeamsClient::GetMember(const std::string& service_url,
                                    const std::string& conversation_id,
                                    const std::string& member_id, TeamsCallStats* stats) {
  return Send(
      "get member", "GET", service_url,
      "/v3/conversations/" + UrlEncode(conversation_id) + "/members/" + UrlEncode(member_id),
      json(), stats);
}

Result<std::string> TeamsClient::CreateConversation(const std::string& service_url,
                                                    const std::string& bot_id,
                                                    const std::string& user_id,
                                                    const std::string& tenant_id,
                                                    TeamsCallStats* stats) {
  json body = {{"isGroup", false},
               {"bot", {{"id", bot_id}}},
               {"members", json::array({{{"id", user_id}}})},
               {"tenantId", tenant_id},
               {"channelData", {{"tenant", {{"id", tenant_id}}}}}};
  auto answer = Send("create conversation", "POST", service_url, "/v3/conversations", body, stats);
  if (!answer.ok()) return answer.status();
  std::string id = Str(*answer, "id");
  if (id.empty()) return Status::Unavailable("Teams create conversation answered without an id");
  return id;
}

}  // namespace okrbot::teams
