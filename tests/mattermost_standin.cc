#include "tests/mattermost_standin.h"

#include "adapters/common/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace okrbot::testing {
namespace {

using json = nlohmann::json;

constexpr char kApiPrefix[] = "/api/v4/";

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool IsId(const json& value) {
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return s.size() == 26 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

std::string Arg(const json& body, const char* key) {
  if (!body.is_object()) return "";
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string ErrorBody(const std::string& id, const std::string& message, int status) {
  return json{{"id", id},
              {"message", message},
              {"detailed_error", ""},
              {"request_id", "standinrequest"},
              {"status_code", status}}
      .dump();
}

// "users/me", "users/username", "channels/direct", "posts", or "" for anything else.
std::string EndpointOf(const std::string& method, const std::string& path) {
  if (!StartsWith(path, kApiPrefix)) return "";
  std::string rest = path.substr(sizeof(kApiPrefix) - 1);
  if (method == "GET" && rest == "users/me") return "users/me";
  if (method == "GET" && StartsWith(rest, "users/username/")) return "users/username";
  if (method == "GET" && StartsWith(rest, "users/email/")) return "users/email";
  if (method == "POST" && rest == "channels/direct") return "channels/direct";
  if (method == "POST" && rest == "posts") return "posts";
  return "";
}

// A 26-character id from a counter ("<prefix>000...0042").
std::string MakeId(const std::string& prefix, long long n) {
  std::string digits = std::to_string(n);
  return prefix + std::string(26 - prefix.size() - digits.size(), '0') + digits;
}

}  // namespace

std::string MattermostCall::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

MattermostStandIn::MattermostStandIn() : server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(8); };
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_timeout(1);  // idle connections must not delay shutdown long
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    MattermostCall call;
    call.http_method = req.method;
    call.path = req.path;
    call.endpoint = EndpointOf(req.method, req.path);
    for (const auto& [key, value] : req.headers) call.headers.emplace_back(key, value);
    std::string auth = req.get_header_value("Authorization");
    if (StartsWith(auth, "Bearer ")) call.token = auth.substr(7);
    call.raw_body = req.body;
    json parsed = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) call.body = std::move(parsed);
    Answer answer = Handle(std::move(call));
    res.status = answer.status;
    for (const auto& [key, value] : answer.headers) res.set_header(key, value);
    res.set_content(answer.body, answer.content_type.c_str());
  };
  server_->Get(R"(/api/v4/.*)", handler);
  server_->Post(R"(/api/v4/.*)", handler);
  port_ = BindWithFullBacklog(*server_, "127.0.0.1", 0);
  if (port_ <= 0) {
    std::fprintf(stderr, "MattermostStandIn: cannot bind a port on 127.0.0.1\n");
    std::abort();
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() only works once the server runs; wait for that so the destructor cannot hang.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

MattermostStandIn::~MattermostStandIn() {
  server_->stop();
  thread_.join();
}

std::string MattermostStandIn::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void MattermostStandIn::SetValidTokens(std::vector<std::string> tokens) {
  std::lock_guard<std::mutex> lock(mu_);
  valid_tokens_ = std::set<std::string>(tokens.begin(), tokens.end());
}

void MattermostStandIn::AddUser(const std::string& username, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  users_[username] = id;
}

void MattermostStandIn::AddUserEmail(const std::string& email, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string lower = email;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  emails_[lower] = id;
}

void MattermostStandIn::AddChannel(const std::string& channel_id) {
  std::lock_guard<std::mutex> lock(mu_);
  channels_.insert(channel_id);
}

void MattermostStandIn::FailNext(const std::string& endpoint, int http_status, int times,
                                 std::optional<int> retry_after_seconds,
                                 std::optional<int> ratelimit_reset_seconds, std::string body) {
  if (times <= 0) return;
  if (body.empty()) {
    body = http_status == 429 ? "limit exceeded\n"
                              : ErrorBody("standin.failure", "stand-in failure", http_status);
  }
  std::lock_guard<std::mutex> lock(mu_);
  failures_[endpoint].push_back(
      Failure{http_status, times, retry_after_seconds, ratelimit_reset_seconds, std::move(body)});
}

std::vector<MattermostCall> MattermostStandIn::Calls(const std::string& endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<MattermostCall> out;
  for (const MattermostCall& call : calls_) {
    if (endpoint.empty() || call.endpoint == endpoint) out.push_back(call);
  }
  return out;
}

int MattermostStandIn::CallCount(const std::string& endpoint) const {
  return static_cast<int>(Calls(endpoint).size());
}

void MattermostStandIn::ClearCalls() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.clear();
}

std::vector<std::pair<std::string, std::string>> MattermostStandIn::Posts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return posts_;
}

std::string MattermostStandIn::DirectChannelWithBot(const std::string& user_id) const {
  std::string a = kBotUserId;
  std::string b = user_id;
  if (b < a) std::swap(a, b);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = direct_channels_.find(a + "__" + b);
  return it == direct_channels_.end() ? "" : it->second;
}

MattermostStandIn::Answer MattermostStandIn::Handle(MattermostCall call) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(call);
  for (const std::string& key : {call.endpoint, std::string("*")}) {
    auto it = failures_.find(key);
    if (it == failures_.end() || it->second.empty()) continue;
    Failure& failure = it->second.front();
    Answer answer;
    answer.status = failure.http_status;
    answer.body = failure.body;
    if (json::parse(answer.body, nullptr, false).is_discarded()) answer.content_type = "text/plain";
    if (failure.retry_after) {
      answer.headers.emplace_back("Retry-After", std::to_string(*failure.retry_after));
    }
    if (failure.http_status == 429) {
      answer.headers.emplace_back("X-Ratelimit-Limit", "10");
      answer.headers.emplace_back("X-Ratelimit-Remaining", "0");
    }
    if (failure.ratelimit_reset) {
      answer.headers.emplace_back("X-Ratelimit-Reset", std::to_string(*failure.ratelimit_reset));
    }
    if (--failure.times <= 0) it->second.pop_front();
    return answer;
  }
  if (!valid_tokens_.empty() && valid_tokens_.count(call.token) == 0) {
    return Answer{401,
                  ErrorBody("api.context.session_expired.app_error",
                            "Invalid or expired session, please login again.", 401),
                  "application/json",
                  {}};
  }
  return Route(call);
}

MattermostStandIn::Answer MattermostStandIn::Route(const MattermostCall& call) {
  auto error = [](int status, const std::string& id, const std::string& message) {
    return Answer{status, ErrorBody(id, message, status), "application/json", {}};
  };
  auto created = [](const json& body) { return Answer{201, body.dump(), "application/json", {}}; };
  if (call.endpoint == "users/me") {
    return Answer{200,
                  json{{"id", kBotUserId}, {"username", "okrbot"}, {"is_bot", true}}.dump(),
                  "application/json",
                  {}};
  }
  if (call.endpoint == "users/username") {
    std::string username = call.path.substr(call.path.rfind('/') + 1);
    auto it = users_.find(username);
    if (it == users_.end()) {
      return error(404, "app.user.missing_account.const", "Unable to find the user.");
    }
    return Answer{
        200, json{{"id", it->second}, {"username", username}}.dump(), "application/json", {}};
  }
  if (call.endpoint == "users/email") {
    std::string email = call.path.substr(call.path.rfind('/') + 1);
    for (size_t at; (at = email.find("%40")) != std::string::npos;) email.replace(at, 3, "@");
    for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = emails_.find(email);
    if (it == emails_.end()) {
      return error(404, "app.user.missing_account.const", "Unable to find the user.");
    }
    return Answer{
        200,
        json{{"id", it->second}, {"username", "user-" + it->second}, {"email", email}}.dump(),
        "application/json",
        {}};
  }
  if (call.endpoint == "channels/direct") {
    const json& ids = call.body;
    if (!ids.is_array() || ids.size() != 2 || !IsId(ids[0]) || !IsId(ids[1])) {
      return error(400, "api.context.invalid_body_param.app_error",
                   "Invalid or missing user_ids in request body.");
    }
    std::string a = ids[0].get<std::string>();
    std::string b = ids[1].get<std::string>();
    if (b < a) std::swap(a, b);
    std::string name = a + "__" + b;
    auto [it, inserted] = direct_channels_.try_emplace(name, "");
    if (inserted) it->second = MakeId("dm", ++counter_);
    channels_.insert(it->second);
    return created({{"id", it->second}, {"type", "D"}, {"name", name}});
  }
  if (call.endpoint == "posts") {
    std::string channel = Arg(call.body, "channel_id");
    std::string message = Arg(call.body, "message");
    if (channel.empty()) {
      return error(400, "api.context.invalid_body_param.app_error",
                   "Invalid or missing channel_id in request body.");
    }
    if (message.empty()) {
      return error(400, "model.post.is_valid.msg.app_error", "Invalid message.");
    }
    if (channels_.count(channel) == 0) {
      return error(403, "api.context.permissions.app_error",
                   "You do not have the appropriate permissions.");
    }
    posts_.emplace_back(channel, message);
    return created({{"id", MakeId("post", ++counter_)},
                    {"channel_id", channel},
                    {"message", message},
                    {"user_id", kBotUserId},
                    {"create_at", 1793610000000LL}});
  }
  return error(404, "api.context.404.app_error", "Sorry, we could not find the page.");
}

}  // namespace okrbot::testing
