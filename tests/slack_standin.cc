#include "tests/slack_standin.h"

#include "adapters/common/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace okrbot::testing {
namespace {

using json = nlohmann::json;

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Arg(const json& args, const char* key) {
  if (!args.is_object()) return "";
  auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : "";
}

// `view` may arrive as an object (JSON body) or as JSON text (form body).
bool HasView(const json& args) {
  if (!args.is_object() || !args.contains("view")) return false;
  const json& view = args["view"];
  if (view.is_object()) return true;
  if (!view.is_string()) return false;
  return json::parse(view.get<std::string>(), nullptr, false).is_object();
}

json Error(const std::string& error) { return {{"ok", false}, {"error", error}}; }

}  // namespace

std::string RecordedCall::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

SlackStandIn::SlackStandIn() : server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_timeout(1);  // idle connections must not delay shutdown long
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    RecordedCall call;
    call.path = req.path;
    if (StartsWith(req.path, "/response/")) {
      call.method = "response_url";
    } else {
      call.method = req.matches.size() > 1 ? req.matches[1].str() : "";
    }
    for (const auto& [key, value] : req.headers) call.headers.emplace_back(key, value);
    std::string auth = req.get_header_value("Authorization");
    if (StartsWith(auth, "Bearer ")) call.token = auth.substr(7);
    call.content_type = req.get_header_value("Content-Type");
    call.body = req.body;
    if (StartsWith(call.content_type, "application/json")) {
      json parsed = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_discarded()) call.args = std::move(parsed);
    } else if (StartsWith(call.content_type, "application/x-www-form-urlencoded")) {
      call.args = json::object();
      for (const auto& [key, value] : req.params) call.args[key] = value;
    }
    Reply reply = Handle(std::move(call));
    res.status = reply.status;
    if (reply.retry_after) res.set_header("Retry-After", std::to_string(*reply.retry_after));
    res.set_content(reply.body, reply.content_type.c_str());
  };
  server_->Post(R"(/api/([^/?]+))", handler);
  server_->Post(R"(/response/.*)", handler);
  port_ = BindWithFullBacklog(*server_, "127.0.0.1", 0);
  if (port_ <= 0) {
    std::fprintf(stderr, "SlackStandIn: cannot bind a port on 127.0.0.1\n");
    std::abort();
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() only works once the server runs; wait for that so the destructor cannot hang.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

SlackStandIn::~SlackStandIn() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  server_->stop();
  thread_.join();
}

std::string SlackStandIn::ApiBase() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/api";
}

std::string SlackStandIn::ResponseUrl(const std::string& id) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/response/" + id;
}

void SlackStandIn::SetValidTokens(std::vector<std::string> tokens) {
  std::lock_guard<std::mutex> lock(mu_);
  valid_tokens_ = std::set<std::string>(tokens.begin(), tokens.end());
}

void SlackStandIn::SetUser(const std::string& id, const std::string& name, const std::string& tz,
                           bool is_admin) {
  std::lock_guard<std::mutex> lock(mu_);
  users_[id] = User{name, tz, is_admin};
}

void SlackStandIn::SetUserEmail(const std::string& id, const std::string& email) {
  std::lock_guard<std::mutex> lock(mu_);
  emails_[Lower(email)] = id;
}

void SlackStandIn::SetOAuth(const std::string& client_id, const std::string& client_secret,
                            const std::string& code, nlohmann::json install) {
  std::lock_guard<std::mutex> lock(mu_);
  oauth_client_id_ = client_id;
  oauth_client_secret_ = client_secret;
  oauth_code_ = code;
  oauth_install_ = install.is_object() ? std::move(install) : json::object();
}

void SlackStandIn::SetAnswer(const std::string& method, nlohmann::json answer) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_[method] = std::move(answer);
}

void SlackStandIn::FailNext(const std::string& method, int http_status, int times,
                            std::optional<int> retry_after_seconds, std::string body) {
  if (times <= 0) return;
  if (body.empty()) {
    body = http_status == 429 ? Error("ratelimited").dump() : "stand-in failure";
  }
  std::lock_guard<std::mutex> lock(mu_);
  failures_[method].push_back(Failure{http_status, times, retry_after_seconds, std::move(body)});
}

void SlackStandIn::ClearFailures() {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.clear();
}

void SlackStandIn::SetDelay(const std::string& method, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (delay.count() <= 0) {
    delays_.erase(method);
  } else {
    delays_[method] = delay;
  }
}

std::vector<RecordedCall> SlackStandIn::Calls(const std::string& method) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RecordedCall> out;
  for (const RecordedCall& call : calls_) {
    if (method.empty() || call.method == method) out.push_back(call);
  }
  return out;
}

int SlackStandIn::CallCount(const std::string& method) const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(std::count_if(calls_.begin(), calls_.end(), [&](const RecordedCall& c) {
    return method.empty() || c.method == method;
  }));
}

bool SlackStandIn::WaitForCalls(const std::string& method, int count,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return calls_changed_.wait_for(lock, timeout, [&] {
    return std::count_if(calls_.begin(), calls_.end(), [&](const RecordedCall& c) {
             return method.empty() || c.method == method;
           }) >= count;
  });
}

void SlackStandIn::ClearCalls() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.clear();
}

SlackStandIn::Reply SlackStandIn::Handle(RecordedCall call) {
  std::unique_lock<std::mutex> lock(mu_);
  const std::string method = call.method;
  const std::string token = call.token;
  const json args = call.args;
  calls_.push_back(std::move(call));
  calls_changed_.notify_all();

  auto delay = delays_.find(method);
  if (delay == delays_.end()) delay = delays_.find("*");
  if (delay != delays_.end()) {
    std::chrono::milliseconds wait = delay->second;
    stopping_cv_.wait_for(lock, wait, [this] { return stopping_; });
  }

  for (const std::string& key : {method, std::string("*")}) {
    auto it = failures_.find(key);
    if (it == failures_.end() || it->second.empty()) continue;
    Failure& failure = it->second.front();
    Reply reply;
    reply.status = failure.http_status;
    reply.body = failure.body;
    reply.retry_after = failure.retry_after;
    if (json::parse(reply.body, nullptr, false).is_discarded()) reply.content_type = "text/plain";
    if (--failure.times <= 0) it->second.pop_front();
    return reply;
  }

  Reply reply;
  if (method == "response_url") {
    reply.body = "ok";
    reply.content_type = "text/plain";
    return reply;
  }
  json answer;
  if (method != "oauth.v2.access" && !valid_tokens_.empty() && token.empty()) {
    answer = Error("not_authed");
  } else if (method != "oauth.v2.access" && !valid_tokens_.empty() &&
             valid_tokens_.count(token) == 0) {
    answer = Error("invalid_auth");
  } else if (auto custom = answers_.find(method); custom != answers_.end()) {
    answer = custom->second;
  } else {
    answer = Answer(method, args);
  }
  reply.body = answer.dump();
  return reply;
}

std::string SlackStandIn::NextTs() {
  ts_counter_ += 100;
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%lld.%06lld", 1700000000LL + ts_counter_ / 1000000,
                ts_counter_ % 1000000);
  return buffer;
}

// Called with mu_ held.
nlohmann::json SlackStandIn::Answer(const std::string& method, const nlohmann::json& args) {
  if (method == "chat.postMessage") {
    std::string channel = Arg(args, "channel");
    if (channel.empty()) return Error("channel_not_found");
    if (channel[0] == 'U' || channel[0] == 'W') channel = "D" + channel;
    std::string ts = NextTs();
    json message = {{"type", "message"},
                    {"text", Arg(args, "text")},
                    {"user", "UBOT"},
                    {"bot_id", "B1"},
                    {"ts", ts}};
    if (args.contains("blocks")) message["blocks"] = args["blocks"];
    return {{"ok", true}, {"channel", channel}, {"ts", ts}, {"message", message}};
  }
  if (method == "chat.postEphemeral") {
    if (Arg(args, "channel").empty()) return Error("channel_not_found");
    if (Arg(args, "user").empty()) return Error("user_not_in_channel");
    return {{"ok", true}, {"message_ts", NextTs()}};
  }
  if (method == "chat.update") {
    if (Arg(args, "channel").empty()) return Error("channel_not_found");
    if (Arg(args, "ts").empty()) return Error("message_not_found");
    return {{"ok", true},
            {"channel", Arg(args, "channel")},
            {"ts", Arg(args, "ts")},
            {"text", Arg(args, "text")},
            {"message", {{"text", Arg(args, "text")}, {"user", "UBOT"}}}};
  }
  if (method == "conversations.open") {
    std::string users = Arg(args, "users");
    if (users.empty()) return Error("users_list_not_supplied");
    std::string first = users.substr(0, users.find(','));
    return {{"ok", true}, {"channel", {{"id", "D" + first}}}};
  }
  if (method == "users.info") {
    std::string id = Arg(args, "user");
    if (id.empty()) return Error("user_not_found");
    User user{Lower(id), "Europe/Berlin", false};
    if (auto it = users_.find(id); it != users_.end()) user = it->second;
    return {{"ok", true},
            {"user",
             {{"id", id},
              {"name", user.name},
              {"real_name", user.name},
              {"tz", user.tz},
              {"is_admin", user.is_admin},
              {"is_owner", false},
              {"is_bot", false},
              {"deleted", false},
              {"profile", {{"display_name", user.name}, {"real_name", user.name}}}}}};
  }
  if (method == "users.lookupByEmail") {
    auto it = emails_.find(Lower(Arg(args, "email")));
    if (it == emails_.end()) return Error("users_not_found");
    std::string name = Lower(it->second);
    if (auto u = users_.find(it->second); u != users_.end()) name = u->second.name;
    return {{"ok", true},
            {"user",
             {{"id", it->second},
              {"name", name},
              {"real_name", name},
              {"profile", {{"email", it->first}, {"display_name", name}}}}}};
  }
  if (method == "views.open" || method == "views.publish") {
    const char* target = method == "views.open" ? "trigger_id" : "user_id";
    if (Arg(args, target).empty() || !HasView(args)) return Error("invalid_arguments");
    std::string id = "V" + std::to_string(++view_counter_);
    return {{"ok", true}, {"view", {{"id", id}, {"team_id", "T1"}}}};
  }
  if (method == "auth.test") {
    return {{"ok", true},          {"url", "https://okrbot-test.slack.com/"},
            {"team", "Test Team"}, {"user", "okrbot"},
            {"team_id", "T1"},     {"user_id", "UBOT"},
            {"bot_id", "B1"},      {"is_enterprise_install", false}};
  }
  if (method == "oauth.v2.access") {
    if (oauth_client_id_.empty() || Arg(args, "client_id") != oauth_client_id_) {
      return Error("invalid_client_id");
    }
    if (Arg(args, "client_secret") != oauth_client_secret_) return Error("bad_client_secret");
    if (oauth_code_.empty() || Arg(args, "code") != oauth_code_) return Error("invalid_code");
    oauth_code_.clear();  // a code works once
    json answer = {{"ok", true},
                   {"access_token", "xoxb-T1-installed"},
                   {"token_type", "bot"},
                   {"scope", "commands,chat:write,im:write,users:read"},
                   {"bot_user_id", "UBOT"},
                   {"app_id", "A1"},
                   {"team", {{"id", "T1"}, {"name", "Test Team"}}},
                   {"enterprise", nullptr},
                   {"authed_user", {{"id", "U1"}}},
                   {"is_enterprise_install", false}};
    answer.update(oauth_install_);
    return answer;
  }
  return Error("unknown_method");
}

nlohmann::json CheckInUpdatePress(const std::string& response_url, const std::string& kr) {
  using nlohmann::json;
  return {{"type", "block_actions"},
          {"user", {{"id", "UALICE"}, {"username", "alice"}, {"team_id", "T1"}}},
          {"team", {{"id", "T1"}}},
          {"trigger_id", "trigger-1"},
          {"response_url", response_url},
          {"actions", json::array({{{"action_id", "checkin.update"}, {"value", kr}}})},
          {"container",
           {{"type", "message"},
            {"channel_id", "D1"},
            {"message_ts", "1700.1"},
            {"is_ephemeral", false}}}};
}

nlohmann::json CheckInModalSubmission(const std::string& metadata, const std::string& value,
                                      const std::string& confidence) {
  using nlohmann::json;
  auto input = [](const std::string& text) {
    return json{{"type", "plain_text_input"}, {"value", text}};
  };
  return {{"type", "view_submission"},
          {"user", {{"id", "UALICE"}, {"team_id", "T1"}}},
          {"team", {{"id", "T1"}}},
          {"trigger_id", "trigger-s-" + value},
          {"view",
           {{"callback_id", "checkin"},
            {"private_metadata", metadata},
            {"state",
             {{"values",
               {{"value", {{"value", input(value)}}},
                {"confidence", {{"confidence", input(confidence)}}},
                {"note", {{"note", input("shipped")}}}}}}}}}};
}

}  // namespace okrbot::testing
