#include "adapters/mattermost/mattermost_client.h"

#include "adapters/common/http_call.h"
#include "adapters/common/url.h"

#include <algorithm>
#include <charconv>

#include "adapters/common/form.h"

namespace okrbot::mattermost {
namespace {

using json = nlohmann::json;

constexpr char kUrlShape[] =
    "MATTERMOST_URL must look like https://chat.example.com (http or https, host, optional port "
    "and path)";

// Splits MATTERMOST_URL into the origin httplib connects to and the path prefix of the API.
Status SplitUrl(const std::string& url, std::string* origin, std::string* prefix) {
  if (url.empty()) return Status::InvalidArgument("MATTERMOST_URL is not set");
  HttpUrl parsed;
  // The API lives under the server's base path; a query or fragment has no place there.
  if (!ParseHttpUrl(url, &parsed) || url.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument(kUrlShape);
  }
  std::string path = parsed.path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  *origin = parsed.origin;
  *prefix = path;
  return Status::Ok();
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

bool IsMattermostId(const std::string& text) {
  return text.size() == 26 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

MattermostClient::MattermostClient(MattermostClientOptions options) : options_(std::move(options)) {
  url_status_ = SplitUrl(options_.url, &origin_, &prefix_);
  if (!url_status_.ok()) {
    url_status_ = Status::FailedPrecondition(url_status_.message());
  }
}

Status MattermostClient::CheckUrl(const std::string& url) {
  std::string origin;
  std::string prefix;
  return SplitUrl(url, &origin, &prefix);
}

Result<json> MattermostClient::Send(const std::string& label, const std::string& method,
                                    const std::string& path, const std::string& body,
                                    MattermostCallStats* stats_out) const {
  MattermostCallStats local;
  MattermostCallStats& stats = stats_out != nullptr ? *stats_out : local;
  stats = MattermostCallStats();
  if (!url_status_.ok()) return url_status_;
  if (options_.bot_token.empty()) {
    return Status::FailedPrecondition("MATTERMOST_BOT_TOKEN is not set");
  }
  const std::string what = "Mattermost " + label;
  HttpCall call;
  call.method = method;
  call.origin = origin_;
  call.path = prefix_ + path;
  call.headers = {{"Authorization", "Bearer " + options_.bot_token},
                  {"User-Agent", "okrbot"},
                  {"Accept", "application/json"}};
  call.body = body;
  call.connect_timeout = options_.connect_timeout;
  call.read_timeout = options_.read_timeout;
  auto answer = SendHttp(what, call);
  if (!answer.ok()) return answer.status();
  stats.http_status = answer->status;
  if (answer->ok()) {
    if (answer->json.is_discarded()) {
      return Status::Unavailable(what + " answered HTTP " + std::to_string(answer->status) +
                                 " without JSON");
    }
    return std::move(answer->json);
  }
  // Mattermost's errors: {"id": "api.context.session_expired.app_error", "message": "...",
  // "status_code": 401, ...}.
  const std::vector<std::string> secrets = {options_.bot_token};
  stats.error_id = Redact(Str(answer->json, "id").substr(0, 100), secrets);
  std::string detail = Str(answer->json, "message").substr(0, 200);
  if (!stats.error_id.empty()) detail = stats.error_id + (detail.empty() ? "" : ": " + detail);
  stats.retry_after = answer->retry_after;
  Status failure = HttpFailure(what, *answer, detail);
  return Status(failure.code(), Redact(failure.message(), secrets));
}

Result<std::string> MattermostClient::BotUserId(MattermostCallStats* stats) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!bot_user_id_.empty()) {
      if (stats != nullptr) *stats = MattermostCallStats();
      return bot_user_id_;
    }
  }
  auto answer = Send("users/me", "GET", "/api/v4/users/me", "", stats);
  if (!answer.ok()) return answer.status();
  std::string id = Str(*answer, "id");
  if (id.empty()) return Status::Unavailable("Mattermost users/me answered without an id");
  std::lock_guard<std::mutex> lock(mu_);
  bot_user_id_ = id;
  return id;
}

Result<std::string> MattermostClient::UserIdByUsername(const std::string& username,
                                                       MattermostCallStats* stats) const {
  if (username.empty()) return Status::InvalidArgument("No Mattermost username given");
  auto answer =
      Send("users/username", "GET", "/api/v4/users/username/" + UrlEncode(username), "", stats);
  if (!answer.ok()) return answer.status();
  std::string id = Str(*answer, "id");
  if (id.empty()) return Status::Unavailable("Mattermost users/username answered without an id");
  return id;
}

Result<std::pair<std::string, std::string>> MattermostClient::UserByEmail(
    const std::string& email, MattermostCallStats* stats) const {
  if (email.empty()) return Status::InvalidArgument("No email given");
  auto answer = Send("users/email", "GET", "/api/v4/users/email/" + UrlEncode(email), "", stats);
  if (!answer.ok()) return answer.status();
  std::string id = Str(*answer, "id");
  if (id.empty()) return Status::Unavailable("Mattermost users/email answered without an id");
  return std::make_pair(id, Str(*answer, "username"));
}

Result<std::string> MattermostClient::DirectChannel(const std::string& bot_user_id,
                                                    const std::string& user_id,
                                                    MattermostCallStats* stats) const {
  json ids = json::array({bot_user_id, user_id});
  auto answer = Send("channels/direct", "POST", "/api/v4/channels/direct",
                     ids.dump(-1, ' ', false, json::error_handler_t::replace), stats);
  if (!answer.ok()) return answer.status();
  std::string id = Str(*answer, "id");
  if (id.empty()) return Status::Unavailable("Mattermost channels/direct answered without an id");
  return id;
}

Status MattermostClient::CreatePost(const std::string& channel_id, const std::string& message,
                                    MattermostCallStats* stats) const {
  json post = {{"channel_id", channel_id}, {"message", message}};
  auto answer = Send("posts", "POST", "/api/v4/posts",
                     post.dump(-1, ' ', false, json::error_handler_t::replace), stats);
  if (!answer.ok()) return answer.status();
  if (Str(*answer, "id").empty()) {
    return Status::Unavailable("Mattermost posts answered without an id");
  }
  return Status::Ok();
}

}  // namespace okrbot::mattermost
