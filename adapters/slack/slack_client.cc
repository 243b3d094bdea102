#include "adapters/slack/slack_client.h"

#include "adapters/common/http_call.h"

#include "adapters/common/url.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace okrbot {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Idle keep-alive connections kept per origin; more are closed after use.
constexpr size_t kMaxIdlePerOrigin = 16;

using Url = HttpUrl;

bool ParseUrl(const std::string& text, Url* out) { return ParseHttpUrl(text, out); }

std::string FormEscape(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FormEncode(const json& args) {
  std::string out;
  if (!args.is_object()) return out;
  for (const auto& [key, value] : args.items()) {
    if (value.is_null()) continue;
    if (!out.empty()) out += '&';
    out += FormEscape(key) + '=' +
           FormEscape(value.is_string() ? value.get<std::string>() : DumpJson(value));
  }
  return out;
}

// Slack's "error" string, cut to a sane length.
std::string ErrorOf(const json& body) {
  auto it = body.find("error");
  std::string error = it != body.end() && it->is_string() ? it->get<std::string>() : "";
  if (error.empty()) error = "unknown_error";
  if (error.size() > 100) error.resize(100);
  return error;
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Bool(const json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

const json& Obj(const json& j, const char* key) {
  static const json kEmpty = json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

bool IsPermissionError(const std::string& error) {
  static const std::set<std::string> kErrors = {
      "invalid_auth",
      "not_authed",
      "account_inactive",
      "token_revoked",
      "token_expired",
      "missing_scope",
      "no_permission",
      "not_allowed_token_type",
      "access_denied",
      "ekm_access_denied",
      "team_access_not_granted",
      "invalid_client_id",
      "bad_client_secret",
      "org_login_required",
      "two_factor_setup_required",
  };
  return kErrors.count(error) > 0;
}

// A missing or unreadable Retry-After means "wait a little": 1 s.
seconds ParseRetryAfter(const std::string& value) {
  return seconds(std::min<long long>(ParseWholeSeconds(value).value_or(1), 10'000'000));
}

double DefaultJitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

struct Request {
  std::string label;  // "chat.postMessage", or "response_url"
  std::string origin;
  std::string path;
  std::string token;  // bearer; empty for none
  std::string content_type;
  std::string body;
  std::vector<std::string> secrets;
  bool response_url = false;
};

struct Answer {
  bool arrived = false;
  httplib::Error error = httplib::Error::Unknown;
  int status = 0;
  std::string body;
  std::string retry_after;  // the header, if any
};

}  // namespace

struct SlackClient::Impl {
  explicit Impl(SlackClientOptions o) : options(std::move(o)) {
    if (options.max_attempts < 1) options.max_attempts = 1;
    if (!options.sleep) options.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
    if (!options.jitter) options.jitter = DefaultJitter;
    Url url;
    api_ok = ParseUrl(options.api_base, &url) && url.path.find('?') == std::string::npos;
    if (api_ok) {
      api_origin = url.origin;
      api_prefix = url.path;
      while (!api_prefix.empty() && api_prefix.back() == '/') api_prefix.pop_back();
    }
  }

  std::unique_ptr<httplib::Client> Acquire(const std::string& origin) const {
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = idle.find(origin);
      if (it != idle.end() && !it->second.empty()) {
        auto client = std::move(it->second.back());
        it->second.pop_back();
        return client;
      }
    }
    auto client = std::make_unique<httplib::Client>(origin);
    client->set_connection_timeout(options.connect_timeout);
    client->set_read_timeout(options.read_timeout);
    client->set_write_timeout(options.read_timeout);
    client->set_tcp_nodelay(true);
    client->set_keep_alive(true);
    client->set_follow_location(false);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    client->enable_server_certificate_verification(true);
#endif
    return client;
  }

  void Release(const std::string& origin, std::unique_ptr<httplib::Client> client) const {
    std::lock_guard<std::mutex> lock(mu);
    auto& list = idle[origin];
    if (list.size() < kMaxIdlePerOrigin) list.push_back(std::move(client));
  }

  Answer SendOnce(const Request& request) const {
    Answer answer;
    std::unique_ptr<httplib::Client> client = Acquire(request.origin);
    if (!client->is_valid()) {
      answer.error = httplib::Error::Connection;
      return answer;
    }
    httplib::Headers headers = {{"User-Agent", "okrbot"}, {"Accept", "application/json"}};
    if (!request.token.empty()) headers.emplace("Authorization", "Bearer " + request.token);
    httplib::Result res = client->Post(request.path, headers, request.body, request.content_type);
    if (!res) {
      answer.error = res.error();
      return answer;  // the client is dropped with its broken connection
    }
    answer.arrived = true;
    answer.error = httplib::Error::Success;
    answer.status = res->status;
    answer.body = std::move(res->body);
    answer.retry_after = res->get_header_value("Retry-After");
    Release(request.origin, std::move(client));
    return answer;
  }

  milliseconds Backoff(int attempt) const {
    double jitter = std::clamp(options.jitter(), 0.0, 1.0);
    double base = static_cast<double>(options.base_backoff.count());
    double cap = static_cast<double>(options.max_backoff.count());
    double delay = std::min(cap, base * static_cast<double>(1LL << std::min(attempt - 1, 30)));
    return milliseconds(static_cast<long long>(delay * (0.5 + 0.5 * jitter)));
  }

  Result<json> Execute(const Request& request, SlackCallStats* stats_out) const {
    SlackCallStats local;
    SlackCallStats& stats = stats_out != nullptr ? *stats_out : local;
    stats = SlackCallStats();
    const std::string what = "Slack " + request.label;
    auto fail = [&](StatusCode code, const std::string& message) -> Status {
      stats.slack_error = Redact(stats.slack_error, request.secrets);
      return Status(code, Redact(message, request.secrets));
    };
    std::string problem;
    for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
      stats.attempts = attempt;
      Answer answer = SendOnce(request);
      milliseconds wait{0};
      bool rate_limited = false;
      if (!answer.arrived) {
        stats.http_status = 0;
        problem = "connection failed: " + httplib::to_string(answer.error);
        wait = Backoff(attempt);
      } else {
        stats.http_status = answer.status;
        json body = json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
        if (answer.status == 429) {
          rate_limited = true;
          stats.slack_error = body.is_object() ? Str(body, "error") : "";
          if (stats.slack_error.empty()) stats.slack_error = "ratelimited";
        } else if (answer.status >= 500) {
          problem = "HTTP " + std::to_string(answer.status);
          wait = Backoff(attempt);
        } else if (answer.status < 200 || answer.status >= 300) {
          std::string detail;
          if (body.is_object() && body.contains("error")) {
            detail = ErrorOf(body);
          } else if (!answer.body.empty() && answer.body.size() <= 64 &&
                     answer.body.find_first_of("<{\n") == std::string::npos) {
            detail = answer.body;  // e.g. a response_url's "expired_url"
          }
          stats.slack_error = detail;
          return fail(StatusCode::kInvalidArgument,
                      what + " rejected the request (HTTP " + std::to_string(answer.status) +
                          (detail.empty() ? "" : ": " + detail) + ")");
        } else if (body.is_object() && body.contains("ok") && body["ok"].is_boolean()) {
          if (body["ok"].get<bool>()) return body;
          std::string error = ErrorOf(body);
          stats.slack_error = error;
          if (error == "ratelimited") {
            rate_limited = true;
          } else {
            return fail(IsPermissionError(error) ? StatusCode::kPermissionDenied
                                                 : StatusCode::kFailedPrecondition,
                        what + " failed: " + error);
          }
        } else if (request.response_url) {
          return body.is_discarded() ? json() : body;  // "ok" or any JSON without "ok"
        } else {
          problem = "answer is not Slack JSON (HTTP " + std::to_string(answer.status) + ")";
          wait = Backoff(attempt);
        }
        if (rate_limited) {
          stats.retry_after = ParseRetryAfter(answer.retry_after);
          if (stats.retry_after > options.max_retry_after) {
            return fail(StatusCode::kUnavailable, what + " is rate limited; retry after " +
                                                      std::to_string(stats.retry_after.count()) +
                                                      " s");
          }
          problem = "rate limited; retry after " + std::to_string(stats.retry_after.count()) + " s";
          wait = stats.retry_after;
        }
      }
      if (attempt == options.max_attempts) break;
      options.sleep(wait);
      stats.waited += wait;
    }
    return fail(StatusCode::kUnavailable,
                what + " unavailable after " + std::to_string(stats.attempts) + " attempt" +
                    (stats.attempts == 1 ? "" : "s") + " (" + problem + ")");
  }

  SlackClientOptions options;
  bool api_ok = false;
  std::string api_origin;
  std::string api_prefix;
  mutable std::mutex mu;
  mutable std::map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle;
};

SlackClient::SlackClient(SlackClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

SlackClient::~SlackClient() = default;

Status SlackClient::CheckApiBase(const std::string& api_base) {
  Url url;
  if (!ParseUrl(api_base, &url) || url.path.find('?') != std::string::npos) {
    return Status::InvalidArgument(
        "SLACK_API_BASE must look like https://slack.com/api (http or https, host, optional "
        "port and path)");
  }
  return Status::Ok();
}

bool SlackClient::UsesFormEncoding(const std::string& method) {
  static const std::set<std::string> kFormMethods = {
      "oauth.v2.access",
      "oauth.access",
      "oauth.v2.exchange",
      "openid.connect.token",
      "users.info",
      "users.list",
      "users.lookupByEmail",
      "users.getPresence",
      "users.profile.get",
      "conversations.info",
      "conversations.history",
      "conversations.members",
      "conversations.list",
      "conversations.replies",
      "team.info",
  };
  return kFormMethods.count(method) > 0;
}

Result<json> SlackClient::Call(const std::string& method, const std::string& token,
                               const json& args, SlackCallStats* stats) const {
  if (stats != nullptr) *stats = SlackCallStats();
  if (!impl_->api_ok) return CheckApiBase(impl_->options.api_base);
  if (method.empty() || method.find_first_of("/?#% ") != std::string::npos) {
    return Status::InvalidArgument("Slack method name \"" + method + "\" is not valid");
  }
  if (!args.is_null() && !args.is_object()) {
    return Status::InvalidArgument("Slack " + method + " arguments must be a JSON object");
  }
  Request request;
  request.label = method;
  request.origin = impl_->api_origin;
  request.path = impl_->api_prefix + "/" + method;
  request.token = token;
  request.secrets.push_back(token);
  if (args.is_object()) {
    for (const char* key : {"client_secret", "code", "token", "refresh_token"}) {
      request.secrets.push_back(Str(args, key));
    }
  }
  if (UsesFormEncoding(method)) {
    request.content_type = "application/x-www-form-urlencoded";
    request.body = FormEncode(args);
  } else {
    request.content_type = "application/json; charset=utf-8";
    request.body = args.is_object() ? DumpJson(args) : "{}";
  }
  return impl_->Execute(request, stats);
}

namespace {

json WithBlocks(json args, const json& blocks, const std::string& text) {
  if (blocks.is_array() && !blocks.empty()) args["blocks"] = blocks;
  if (!text.empty()) args["text"] = text;
  return args;
}

Status Unexpected(const std::string& method, const std::string& missing) {
  return Status::Internal("Slack " + method + " answered without " + missing);
}

}  // namespace

Result<PostedMessage> SlackClient::PostMessage(const std::string& token, const std::string& channel,
                                               const json& blocks, const std::string& text,
                                               SlackCallStats* stats) const {
  auto answer =
      Call("chat.postMessage", token, WithBlocks({{"channel", channel}}, blocks, text), stats);
  if (!answer.ok()) return answer.status();
  PostedMessage posted{Str(*answer, "channel"), Str(*answer, "ts")};
  if (posted.ts.empty()) return Unexpected("chat.postMessage", "ts");
  if (posted.channel.empty()) posted.channel = channel;
  return posted;
}

Result<std::string> SlackClient::PostEphemeral(const std::string& token, const std::string& channel,
                                               const std::string& user, const json& blocks,
                                               const std::string& text,
                                               SlackCallStats* stats) const {
  auto answer = Call("chat.postEphemeral", token,
                     WithBlocks({{"channel", channel}, {"user", user}}, blocks, text), stats);
  if (!answer.ok()) return answer.status();
  std::string ts = Str(*answer, "message_ts");
  if (ts.empty()) return Unexpected("chat.postEphemeral", "message_ts");
  return ts;
}

Result<PostedMessage> SlackClient::UpdateMessage(const std::string& token,
                                                 const std::string& channel, const std::string& ts,
                                                 const json& blocks, const std::string& text,
                                                 SlackCallStats* stats) const {
  json args = WithBlocks({{"channel", channel}, {"ts", ts}}, blocks, text);
  // An update with blocks replaces them; an explicit empty array clears them.
  if (blocks.is_array() && blocks.empty()) args["blocks"] = json::array();
  auto answer = Call("chat.update", token, args, stats);
  if (!answer.ok()) return answer.status();
  PostedMessage updated{Str(*answer, "channel"), Str(*answer, "ts")};
  if (updated.channel.empty()) updated.channel = channel;
  if (updated.ts.empty()) updated.ts = ts;
  return updated;
}

Result<SlackUser> SlackClient::UsersInfo(const std::string& token, const std::string& user_id,
                                         SlackCallStats* stats) const {
  auto answer = Call("users.info", token, {{"user", user_id}}, stats);
  if (!answer.ok()) return answer.status();
  const json& u = Obj(*answer, "user");
  const json& profile = Obj(u, "profile");
  SlackUser user;
  user.id = Str(u, "id");
  if (user.id.empty()) return Unexpected("users.info", "user.id");
  user.name = Str(u, "name");
  user.real_name = Str(u, "real_name");
  if (user.real_name.empty()) user.real_name = Str(profile, "real_name");
  user.display_name = Str(profile, "display_name");
  user.tz = Str(u, "tz");
  user.is_admin = Bool(u, "is_admin");
  user.is_owner = Bool(u, "is_owner");
  user.is_bot = Bool(u, "is_bot");
  user.deleted = Bool(u, "deleted");
  return user;
}

Result<std::string> SlackClient::ViewsOpen(const std::string& token, const std::string& trigger_id,
                                           const json& view, SlackCallStats* stats) const {
  auto answer = Call("views.open", token, {{"trigger_id", trigger_id}, {"view", view}}, stats);
  if (!answer.ok()) return answer.status();
  return Str(Obj(*answer, "view"), "id");
}

Result<std::string> SlackClient::ViewsPublish(const std::string& token, const std::string& user_id,
                                              const json& view, SlackCallStats* stats) const {
  auto answer = Call("views.publish", token, {{"user_id", user_id}, {"view", view}}, stats);
  if (!answer.ok()) return answer.status();
  return Str(Obj(*answer, "view"), "id");
}

Result<SlackAuthInfo> SlackClient::AuthTest(const std::string& token, SlackCallStats* stats) const {
  auto answer = Call("auth.test", token, json::object(), stats);
  if (!answer.ok()) return answer.status();
  SlackAuthInfo info{Str(*answer, "team_id"), Str(*answer, "user_id"), Str(*answer, "bot_id")};
  if (info.team_id.empty()) return Unexpected("auth.test", "team_id");
  return info;
}

Result<SlackInstall> SlackClient::OAuthV2Access(const std::string& client_id,
                                                const std::string& client_secret,
                                                const std::string& code,
                                                const std::string& redirect_uri,
                                                SlackCallStats* stats) const {
  json args = {{"client_id", client_id}, {"client_secret", client_secret}, {"code", code}};
  if (!redirect_uri.empty()) args["redirect_uri"] = redirect_uri;
  auto answer = Call("oauth.v2.access", "", args, stats);
  if (!answer.ok()) return answer.status();
  const json& a = *answer;
  SlackInstall install;
  install.team_id = Str(Obj(a, "team"), "id");
  install.team_name = Str(Obj(a, "team"), "name");
  install.enterprise_id = Str(Obj(a, "enterprise"), "id");
  install.access_token = Str(a, "access_token");
  install.bot_user_id = Str(a, "bot_user_id");
  install.scope = Str(a, "scope");
  install.authed_user_id = Str(Obj(a, "authed_user"), "id");
  install.app_id = Str(a, "app_id");
  if (install.access_token.empty()) return Unexpected("oauth.v2.access", "access_token");
  if (install.team_id.empty() && install.enterprise_id.empty()) {
    return Unexpected("oauth.v2.access", "team.id");
  }
  return install;
}

Status SlackClient::PostResponseUrl(const std::string& url, const json& payload,
                                    SlackCallStats* stats) const {
  if (stats != nullptr) *stats = SlackCallStats();
  Url parsed;
  if (!ParseUrl(url, &parsed)) {
    return Status::InvalidArgument("Slack response_url is not an http(s) URL");
  }
  Request request;
  request.label = "response_url";
  request.origin = parsed.origin;
  request.path = parsed.path.empty() ? "/" : parsed.path;
  request.content_type = "application/json; charset=utf-8";
  request.body = DumpJson(payload);
  request.secrets = {url};
  if (parsed.path.size() > 1) request.secrets.push_back(parsed.path);
  request.response_url = true;
  return impl_->Execute(request, stats).status();
}

}  // namespace okrbot
