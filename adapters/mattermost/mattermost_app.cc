#include "adapters/mattermost/mattermost_app.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/common/form.h"
#include "adapters/common/markdown.h"
#include "core/text_util.h"

namespace okrbot::mattermost {
namespace {

using nlohmann::json;

constexpr char kCommandsPath[] = "/mattermost/commands";
constexpr size_t kMaxIdBytes = 64;

void Json(httplib::Response& response, const json& body) {
  response.status = 200;
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                       "application/json; charset=utf-8");
}

void Text(httplib::Response& response, int status, const std::string& text) {
  response.status = status;
  response.set_content(text + "\n", "text/plain; charset=utf-8");
}

// Mattermost ids are 26 lower-case letters and digits; anything id-like is accepted, but
// nothing that could break the '|'-separated job keys or the logs.
bool IsValidId(const std::string& id) {
  return !id.empty() && id.size() <= kMaxIdBytes && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace

json CommandResponse(const Reply& reply) {
  return {{"response_type", reply.visibility == Visibility::kChannel ? "in_channel" : "ephemeral"},
          {"text", RenderMarkdown(reply)}};
}

MattermostApp::MattermostApp(MattermostAppOptions options, Store* store, Bot* bot,
                             const Clock* clock, Metrics* metrics)
    : options_(std::move(options)), store_(store), bot_(bot), clock_(clock), metrics_(metrics) {}

void MattermostApp::Register(HttpServer* server) {
  server->Post(kCommandsPath,
               [this](const httplib::Request& request, const std::string& body,
                      httplib::Response& response) { HandleCommand(request, body, response); });
}

bool MattermostApp::TokenMatches(const std::string& token) const {
  const std::string& expected = options_.command_token;
  if (expected.empty() || token.size() != expected.size()) return false;
  return CRYPTO_memcmp(token.data(), expected.data(), expected.size()) == 0;
}

void MattermostApp::HandleCommand(const httplib::Request& request, const std::string& body,
                                  httplib::Response& response) {
  auto form = ParseForm(body);
  if (!form.ok()) {
    spdlog::warn("mattermost: refused {} from {}: malformed form body", kCommandsPath,
                 request.remote_addr);
    Text(response, 400, "malformed form body");
    return;
  }
  auto field = [&](const char* key) {
    auto it = form->find(key);
    return it == form->end() ? std::string() : it->second;
  };
  std::string token = field("token");
  if (token.empty()) {
    std::string authorization = request.get_header_value("Authorization");
    if (authorization.rfind("Token ", 0) == 0) token = authorization.substr(6);
  }
  if (!TokenMatches(token)) {
    spdlog::warn("mattermost: refused {} from {}: {}", kCommandsPath, request.remote_addr,
                 token.empty() ? "no command token" : "wrong command token");
    Text(response, 401, "the command token is missing or wrong");
    return;
  }
  std::string team_id = field("team_id");
  std::string user_id = field("user_id");
  if (!IsValidId(team_id) || !IsValidId(user_id)) {
    Text(response, 400, "team_id and user_id are required (letters, digits, _ and -)");
    return;
  }
  std::string workspace_id = "mattermost:" + team_id;
  std::string team_name = field("team_domain");
  Status ensured =
      bot_->EnsureWorkspace(workspace_id, "mattermost", team_name.empty() ? team_id : team_name)
          .status();
  if (!ensured.ok()) {
    spdlog::error("mattermost: cannot set up {}: {}", workspace_id, ensured.ToString());
    Reply sorry;
    sorry.is_error = true;
    sorry.Text(kDatabaseUnavailable);
    Json(response, CommandResponse(sorry));
    return;
  }
  Actor actor;
  actor.workspace_id = workspace_id;
  actor.user_id = user_id;
  // The name is only for display; one that the core would not store is left out.
  std::string user_name = field("user_name");
  if (user_name.size() <= bot_->limits().max_name_bytes && IsValidUtf8(user_name) &&
      !HasControlCharacters(user_name)) {
    actor.display_name = user_name;
  }
  actor.request_id = field("trigger_id");
  Reply reply = bot_->Handle(actor, field("text"));
  if (reply.repeated) {
    Text(response, 403, "this request was already received");
    return;
  }
  Json(response, CommandResponse(reply));
}

}  // namespace okrbot::mattermost
