// One outbound HTTP request with a JSON answer, as the platform REST clients (Mattermost, Teams
// connector, Microsoft identity) make it, and the one mapping from HTTP failures to Status that
// lets the job dispatcher decide between "retry later" and "give up".
//
// Contract:
// - SendHttp makes exactly one request (no retries, no redirects, no waiting) with the given
//   timeouts; https origins verify the server certificate. A connection error or timeout is
//   kUnavailable "<label> failed: connection ...". Any HTTP answer is returned as is, with its
//   body parsed as JSON when it is JSON (HttpAnswer::json is discarded otherwise) and the
//   Retry-After (else X-Ratelimit-Reset) header of a 429 in retry_after (1 s .. 24 h, 1 s when
//   absent or unreadable).
// - HttpFailure maps an answer that is not 2xx to a Status:
//       429                                kUnavailable ("<label> is rate limited; retry after N
//       s") 5xx, 408                           kUnavailable 401, 403 kPermissionDenied 404
//       kFailedPrecondition other                              kInvalidArgument
//   with `detail` (the platform's own error text) appended.
// - Redact removes every occurrence of a secret (tokens echoed back by a server) from a text.
// Pure functions apart from the network; thread-safe.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace okrbot {

struct HttpCall {
  std::string method = "GET";  // GET, POST, PUT
  std::string origin;          // "https://host:port" (see ParseHttpUrl)
  std::string path;            // with any query
  httplib::Headers headers;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{5000};  // also the write timeout
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  nlohmann::json json;  // discarded when the body is not JSON
  std::chrono::seconds retry_after{0};
  bool ok() const { return status >= 200 && status < 300; }
};

Result<HttpAnswer> SendHttp(const std::string& label, const HttpCall& call);

Status HttpFailure(const std::string& label, const HttpAnswer& answer, const std::string& detail);

std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace okrbot
