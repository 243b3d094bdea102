#include "adapters/mattermost/mattermost_client.h"

#include "adapters/common/url.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>

#include "adapters/common/form.h"

namespace okrbot::mattermost {
namespace {

using json = nlohmann::json;

constexpr char kUrlShape[] =
    "MATTERMOST_URL must look like https://chat.example.com (http or https, host, optional port "
    "and path)";
constexpr long long kMaxRetryAfterSeconds = 24 * 3600;

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

std::string Redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "[redacted]");
    pos += 10;
  }
  return text;
}

// A non-negative whole number of seconds, or -1 when `value` is not one.
long long ParseSeconds(const std::string& value) { return ParseWholeSeconds(value).value_or(-1); }

std::chrono::seconds RetryAfter(const httplib::Response& response) {
  long long seconds = ParseSeconds(response.get_header_value("Retry-After"));
  if (seconds < 0) seconds = ParseSeconds(response.get_header_value("X-Ratelimit-Reset"));
  return std::chrono::seconds(std::clamp<long long>(seconds, 1, kMaxRetryAfterSeconds));
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
  httplib::Client client(origin_);
  client.set_connection_timeout(options_.connect_timeout);
  client.set_read_timeout(options_.read_timeout);
  client.set_write_timeout(options_.read_timeout);
  httplib::Headers headers = {{"Authorization", "Bearer " + options_.bot_token},
                              {"User-Agent", "okrbot"},
                              {"Accept", "application/json"}};
  httplib::Result res = method == "GET"
                            ? client.Get(prefix_ + path, headers)
                            : client.Post(prefix_ + path, headers, body, "application/json");
  if (!res) {
    return Status::Unavailable(what + " failed: connection " + httplib::to_string(res.error()));
  }
  stats.http_status = res->status;
  json answer = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status >= 200 && res->status < 300) {
    if (answer.is_discarded()) {
      return Status::Unavailable(what + " answered HTTP " + std::to_string(res->status) +
                                 " without JSON");
    }
    return answer;
  }
  // Mattermost's errors: {"id": "api.context.session_expired.app_error", "message": "...",
  // "status_code": 401, ...}.
  stats.error_id = Redact(Str(answer, "id").substr(0, 100), options_.bot_token);
  std::string detail = Str(answer, "message").substr(0, 200);
  if (!stats.error_id.empty()) detail = stats.error_id + (detail.empty() ? "" : ": " + detail);
  std::string message = Redact(what + " failed (HTTP " + std::to_string(res->status) +
                                   (detail.empty() ? "" : ", " + detail) + ")",
                               options_.bot_token);
  if (res->status == 429) {
    stats.retry_after = RetryAfter(*res);
    return Status::Unavailable(what + " is rate limited; retry after " +
                               std::to_string(stats.retry_after.count()) + " s");
  }
  if (res->status >= 500 || res->status == 408) return Status::Unavailable(message);
  if (res->status == 401 || res->status == 403) return Status::PermissionDenied(message);
  if (res->status == 404) return Status::FailedPrecondition(message);
  return Status::InvalidArgument(message);
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
