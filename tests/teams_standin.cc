#include "tests/teams_standin.h"
#include "core/text_util.h"

#include "adapters/common/form.h"
#include "adapters/common/http_server.h"

#include <httplib.h>

#include <cstdio>
#include <cstdlib>

namespace okrbot::testing {
namespace {

using json = nlohmann::json;

constexpr char kIssuer[] = "https://api.botframework.com";
constexpr char kServicePrefix[] = "amer";

// %XX-decodes one path segment; a malformed escape is kept as it is ('+' stays '+').
std::string PercentDecode(const std::string& segment) {
  std::string out;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size() && HexDigitValue(segment[i + 1]) >= 0 &&
        HexDigitValue(segment[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(HexDigitValue(segment[i + 1]) * 16 + HexDigitValue(segment[i + 2])));
      i += 2;
    } else {
      out.push_back(segment[i]);
    }
  }
  return out;
}

// "/amer/v3/conversations/a%3Ax/activities" -> {"amer", "v3", "conversations", "a%3Ax", ...}
// (still encoded, so an encoded '/' cannot split an id).
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

json ConnectorError(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

std::string Arg(const json& body, const char* key) {
  if (!body.is_object()) return "";
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

TeamsStandIn::TeamsStandIn() : server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(8); };
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_timeout(1);  // idle connections must not delay shutdown long
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    // req.path is already decoded; route on the target as sent so ids are decoded exactly once.
    std::string raw_path = req.target.substr(0, req.target.find('?'));
    std::vector<std::string> segments = Segments(raw_path);
    Answer answer;
    if (req.method == "GET" && raw_path == "/openid") {
      std::lock_guard<std::mutex> lock(mu_);
      answer = TakeFailure("openid").value_or(
          Answer{200,
                 {{"issuer", kIssuer},
                  {"jwks_uri", Url() + "/keys"},
                  {"id_token_signing_alg_values_supported", {"RS256"}}},
                 {}});
    } else if (req.method == "GET" && raw_path == "/keys") {
      std::lock_guard<std::mutex> lock(mu_);
      ++key_fetches_;
      answer = TakeFailure("keys").value_or(Answer{200, jwks_, {}});
    } else if (req.method == "POST" && raw_path == "/token") {
      answer = Token(req.body);
    } else {
      if (!segments.empty() && segments[0] == kServicePrefix) segments.erase(segments.begin());
      TeamsCall call;
      call.http_method = req.method;
      call.path = raw_path;
      call.authorization = req.get_header_value("Authorization");
      json parsed = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_discarded()) call.body = std::move(parsed);
      const size_t n = segments.size();
      const bool conversations = n >= 2 && segments[0] == "v3" && segments[1] == "conversations";
      if (conversations && n == 2 && req.method == "POST") {
        call.endpoint = "create";
      } else if (conversations && (n == 4 || n == 5) && segments[3] == "activities") {
        call.conversation_id = PercentDecode(segments[2]);
        if (n == 5) call.activity_id = PercentDecode(segments[4]);
        if (req.method == "POST") call.endpoint = "send";
        if (req.method == "PUT" && n == 5) call.endpoint = "update";
      } else if (conversations && n == 5 && segments[3] == "members" && req.method == "GET") {
        call.conversation_id = PercentDecode(segments[2]);
        call.activity_id = PercentDecode(segments[4]);  // the member id
        call.endpoint = "member";
      }
      std::lock_guard<std::mutex> lock(mu_);
      answer = Connector(&call);
      call.status = answer.status;
      call.answered_id = answer.status == 200 ? Arg(answer.body, "id") : "";
      calls_.push_back(std::move(call));
    }
    res.status = answer.status;
    for (const auto& [key, value] : answer.headers) res.set_header(key, value);
    res.set_content(answer.body.dump(), "application/json; charset=utf-8");
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Put(".*", handler);
  port_ = BindWithFullBacklog(*server_, "127.0.0.1", 0);
  if (port_ <= 0) {
    std::fprintf(stderr, "TeamsStandIn: cannot bind a port on 127.0.0.1\n");
    std::abort();
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() only works once the server runs; wait for that so the destructor cannot hang.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TeamsStandIn::~TeamsStandIn() {
  server_->stop();
  thread_.join();
}

std::string TeamsStandIn::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void TeamsStandIn::SetJwks(json jwks) {
  std::lock_guard<std::mutex> lock(mu_);
  jwks_ = std::move(jwks);
}

void TeamsStandIn::SetAppCredentials(const std::string& app_id, const std::string& app_password) {
  std::lock_guard<std::mutex> lock(mu_);
  app_id_ = app_id;
  app_password_ = app_password;
}

void TeamsStandIn::RevokeIssuedTokens() {
  std::lock_guard<std::mutex> lock(mu_);
  issued_tokens_.clear();
}

void TeamsStandIn::FailNext(const std::string& endpoint, int http_status, int times,
                            std::optional<int> retry_after_seconds) {
  if (times <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  failures_[endpoint].push_back(Failure{http_status, times, retry_after_seconds});
}

std::vector<TeamsCall> TeamsStandIn::Calls(const std::string& endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TeamsCall> out;
  for (const TeamsCall& call : calls_) {
    if (endpoint.empty() || call.endpoint == endpoint) out.push_back(call);
  }
  return out;
}

int TeamsStandIn::CallCount(const std::string& endpoint) const {
  return static_cast<int>(Calls(endpoint).size());
}

void TeamsStandIn::ClearCalls() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.clear();
}

bool TeamsStandIn::WaitForCalls(size_t count, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (calls_.size() >= count) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

int TeamsStandIn::KeyFetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return key_fetches_;
}

int TeamsStandIn::TokenRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_requests_;
}

std::map<std::string, std::string> TeamsStandIn::LastTokenRequest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_token_request_;
}

void TeamsStandIn::ClearFailures() {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.clear();
}

std::optional<TeamsStandIn::Answer> TeamsStandIn::TakeFailure(const std::string& endpoint) {
  auto it = failures_.find(endpoint);
  if (it == failures_.end() || it->second.empty()) return std::nullopt;
  Failure& failure = it->second.front();
  Answer answer;
  answer.status = failure.http_status;
  if (endpoint == "token") {
    answer.body = {{"error", "temporarily_unavailable"},
                   {"error_description", "AADSTS50000: stand-in failure"}};
  } else {
    answer.body = ConnectorError(failure.http_status == 429 ? "TooManyRequests" : "ServiceError",
                                 "stand-in failure");
  }
  if (failure.retry_after) {
    answer.headers.emplace_back("Retry-After", std::to_string(*failure.retry_after));
  }
  if (--failure.times <= 0) it->second.pop_front();
  return answer;
}

TeamsStandIn::Answer TeamsStandIn::Token(const std::string& form_body) {
  auto form = ParseForm(form_body);
  std::lock_guard<std::mutex> lock(mu_);
  ++token_requests_;
  last_token_request_ = form.ok() ? *form : std::map<std::string, std::string>();
  if (auto failure = TakeFailure("token")) return *failure;
  auto field = [&](const char* key) {
    auto it = last_token_request_.find(key);
    return it == last_token_request_.end() ? std::string() : it->second;
  };
  if (field("grant_type") != "client_credentials") {
    return Answer{400,
                  {{"error", "unsupported_grant_type"},
                   {"error_description", "AADSTS70003: the grant type is not supported"}},
                  {}};
  }
  if (app_id_.empty() || field("client_id") != app_id_ || field("client_secret") != app_password_) {
    return Answer{401,
                  {{"error", "invalid_client"},
                   {"error_description", "AADSTS7000215: Invalid client secret provided for app '" +
                                             field("client_id") + "'."}},
                  {}};
  }
  std::string token = "standin-bot-token-" + std::to_string(++tokens_issued_);
  issued_tokens_.insert(token);
  return Answer{200,
                {{"token_type", "Bearer"},
                 {"expires_in", 3600},
                 {"ext_expires_in", 3600},
                 {"access_token", token}},
                {}};
}

void TeamsStandIn::AddMember(const std::string& teams_id, const std::string& name,
                             const std::string& aad_object_id) {
  std::lock_guard<std::mutex> lock(mu_);
  members_[teams_id] = {{"id", teams_id}, {"name", name}, {"aadObjectId", aad_object_id}};
}

TeamsStandIn::Answer TeamsStandIn::Connector(TeamsCall* call) {
  if (call->endpoint.empty()) {
    return Answer{404, ConnectorError("NotFound", "no such connector route"), {}};
  }
  if (auto failure = TakeFailure(call->endpoint)) return *failure;
  if (!app_id_.empty()) {
    const std::string bearer = "Bearer ";
    bool authorized = call->authorization.compare(0, bearer.size(), bearer) == 0 &&
                      issued_tokens_.count(call->authorization.substr(bearer.size())) != 0;
    if (!authorized) {
      return Answer{401, ConnectorError("Unauthorized", "Authorization has been denied."), {}};
    }
  }
  if (call->endpoint == "member") {
    auto it = members_.find(call->activity_id);
    if (it == members_.end()) {
      return Answer{404, ConnectorError("MemberNotFoundInConversation", "no such member"), {}};
    }
    return Answer{200, it->second, {}};
  }
  if (call->endpoint == "create") {
    std::string member;
    json members = call->body.is_object() ? call->body.value("members", json()) : json();
    if (members.is_array() && !members.empty()) member = Arg(members[0], "id");
    if (member.empty()) {
      return Answer{400, ConnectorError("BadArgument", "members[0].id is required"), {}};
    }
    auto [it, inserted] = conversations_.try_emplace(member, "");
    if (inserted) it->second = "a:conv-" + std::to_string(++counter_);
    return Answer{200, {{"id", it->second}}, {}};
  }
  if (!call->body.is_object() || Arg(call->body, "type").empty()) {
    return Answer{400, ConnectorError("BadSyntax", "the activity needs a type"), {}};
  }
  if (call->endpoint == "update") return Answer{200, {{"id", call->activity_id}}, {}};
  return Answer{200, {{"id", "act-" + std::to_string(++counter_)}}, {}};
}

}  // namespace okrbot::testing
