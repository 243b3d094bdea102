#include "adapters/teams/teams_auth.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/common/http_call.h"
#include "adapters/common/url.h"

namespace okrbot::teams {
namespace {

using json = nlohmann::json;

constexpr char kDefaultIssuer[] = "https://api.botframework.com";

Result<json> FetchJson(const std::string& label, const std::string& url_text,
                       std::chrono::milliseconds timeout) {
  HttpUrl url;
  if (!ParseHttpUrl(url_text, &url)) {
    return Status::FailedPrecondition(label + " URL is not an http(s) URL: " + url_text);
  }
  HttpCall call;
  call.origin = url.origin;
  call.path = url.path.empty() ? "/" : url.path;
  call.headers = {{"Accept", "application/json"}, {"User-Agent", "okrbot"}};
  call.connect_timeout = timeout;
  call.read_timeout = timeout;
  auto answer = SendHttp(label, call);
  if (!answer.ok()) return answer.status();
  if (!answer->ok()) return HttpFailure(label, *answer, "");
  if (!answer->json.is_object()) return Status::Unavailable(label + " is not a JSON object");
  return std::move(answer->json);
}

}  // namespace

TeamsAuthenticator::TeamsAuthenticator(TeamsAuthOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

Status TeamsAuthenticator::FetchKeysLocked(Seconds now) {
  attempted_ = true;
  attempted_at_ = now;
  auto metadata = FetchJson("Bot Framework OpenID metadata", options_.openid_url, options_.timeout);
  if (!metadata.ok()) return metadata.status();
  auto jwks_uri = metadata->find("jwks_uri");
  if (jwks_uri == metadata->end() || !jwks_uri->is_string()) {
    return Status::Unavailable("Bot Framework OpenID metadata has no jwks_uri");
  }
  auto jwks =
      FetchJson("Bot Framework signing keys", jwks_uri->get<std::string>(), options_.timeout);
  if (!jwks.ok()) return jwks.status();
  auto keys = ParseJwks(jwks->dump());
  if (!keys.ok()) return Status::Unavailable(keys.status().message());
  if (keys->empty()) return Status::Unavailable("Bot Framework signing keys: no usable RSA key");
  auto issuer = metadata->find("issuer");
  issuer_ = issuer != metadata->end() && issuer->is_string() ? issuer->get<std::string>()
                                                             : kDefaultIssuer;
  keys_ = std::move(*keys);
  fetched_at_ = now;
  return Status::Ok();
}

Status TeamsAuthenticator::Authenticate(const std::string& authorization_header,
                                        const std::string& channel_id,
                                        const std::string& service_url) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization_header.size() <= kBearer.size() ||
      authorization_header.compare(0, kBearer.size(), kBearer) != 0) {
    return Status::PermissionDenied("no Bearer token");
  }
  auto token = ParseJwt(std::string_view(authorization_header).substr(kBearer.size()));
  if (!token.ok()) return token.status();
  if (token->alg != "RS256")
    return Status::PermissionDenied("unsupported alg " + token->alg.substr(0, 20));

  std::lock_guard<std::mutex> lock(mu_);
  Seconds now = clock_->Now();
  auto find_key = [&]() -> const JsonWebKey* {
    auto it = std::find_if(keys_.begin(), keys_.end(),
                           [&](const JsonWebKey& key) { return key.kid == token->kid; });
    return it == keys_.end() ? nullptr : &*it;
  };
  bool stale = keys_.empty() || now - fetched_at_ >= options_.max_key_age;
  bool may_refetch = !attempted_ || now - attempted_at_ >= options_.min_refetch_interval;
  if ((stale || find_key() == nullptr) && may_refetch) {
    Status fetched = FetchKeysLocked(now);
    if (!fetched.ok()) {
      spdlog::warn("teams: cannot fetch the Bot Framework signing keys: {}", fetched.message());
      if (keys_.empty()) return Status::Unavailable("signing keys unavailable");
    }
  }
  if (keys_.empty()) return Status::Unavailable("signing keys unavailable");
  const JsonWebKey* key = find_key();
  if (key == nullptr) return Status::PermissionDenied("unknown signing key");
  JwtExpectations expect;
  expect.issuers = {issuer_};
  expect.audience = options_.app_id;
  expect.channel_id = channel_id;
  expect.service_url = service_url;
  expect.now = now;
  return VerifyJwt(*token, *key, expect);
}

}  // namespace okrbot::teams
