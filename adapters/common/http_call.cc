#include "adapters/common/http_call.h"

#include <algorithm>

#include "adapters/common/url.h"

namespace okrbot {
namespace {

constexpr long long kMaxRetryAfterSeconds = 24 * 3600;

std::chrono::seconds RetryAfter(const httplib::Response& response) {
  long long seconds = ParseWholeSeconds(response.get_header_value("Retry-After")).value_or(-1);
  if (seconds < 0) {
    seconds = ParseWholeSeconds(response.get_header_value("X-Ratelimit-Reset")).value_or(-1);
  }
  return std::chrono::seconds(std::clamp<long long>(seconds, 1, kMaxRetryAfterSeconds));
}

}  // namespace

Result<HttpAnswer> SendHttp(const std::string& label, const HttpCall& call) {
  httplib::Client client(call.origin);
  if (!client.is_valid()) return Status::FailedPrecondition(label + ": cannot use " + call.origin);
  client.set_connection_timeout(call.connect_timeout);
  client.set_read_timeout(call.read_timeout);
  client.set_write_timeout(call.read_timeout);
  client.set_tcp_nodelay(true);
  client.set_follow_location(false);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  client.enable_server_certificate_verification(true);
#endif
  httplib::Result res = call.method == "GET" ? client.Get(call.path, call.headers)
                        : call.method == "PUT"
                            ? client.Put(call.path, call.headers, call.body, call.content_type)
                            : client.Post(call.path, call.headers, call.body, call.content_type);
  if (!res) {
    return Status::Unavailable(label + " failed: connection " + httplib::to_string(res.error()));
  }
  HttpAnswer answer;
  answer.status = res->status;
  answer.body = std::move(res->body);
  answer.json = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (answer.status == 429) answer.retry_after = RetryAfter(*res);
  return answer;
}

Status HttpFailure(const std::string& label, const HttpAnswer& answer, const std::string& detail) {
  if (answer.status == 429) {
    return Status::Unavailable(label + " is rate limited; retry after " +
                               std::to_string(answer.retry_after.count()) + " s");
  }
  std::string message = label + " failed (HTTP " + std::to_string(answer.status) +
                        (detail.empty() ? "" : ", " + detail) + ")";
  if (answer.status >= 500 || answer.status == 408) return Status::Unavailable(message);
  if (answer.status == 401 || answer.status == 403) return Status::PermissionDenied(message);
  if (answer.status == 404) return Status::FailedPrecondition(message);
  return Status::InvalidArgument(message);
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), "[redacted]");
      pos += 10;
    }
  }
  return text;
}

}  // namespace okrbot
