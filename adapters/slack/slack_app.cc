#include "adapters/slack/slack_app.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <nlohmann/json.hpp>

#include "adapters/common/form.h"
#include "adapters/slack/block_kit.h"
#include "bot/text_render.h"
#include "core/ids.h"
#include "core/metric.h"
#include "core/text_util.h"

namespace okrbot::slack {
namespace {

using nlohmann::json;

constexpr char kStatePurpose[] = "slack-install";
constexpr char kCheckInCallback[] = "checkin";

void Json(httplib::Response& response, const json& body, int status = 200) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                       "application/json; charset=utf-8");
}

void Text(httplib::Response& response, int status, const std::string& text) {
  response.status = status;
  response.set_content(text + "\n", "text/plain; charset=utf-8");
}

void Html(httplib::Response& response, int status, const std::string& title,
          const std::string& message) {
  response.status = status;
  response.set_content("<!doctype html><meta charset=utf-8><title>okrbot</title><h1>" +
                           EscapeMarkup(title) + "</h1><p>" + EscapeMarkup(message) + "</p>\n",
                       "text/html; charset=utf-8");
}

SlackAnswer Answered(json body) { return SlackAnswer{200, std::move(body), ""}; }

SlackAnswer Refused(int status, std::string reason) {
  return SlackAnswer{status, nullptr, std::move(reason)};
}

void Send(httplib::Response& response, const SlackAnswer& answer) {
  if (answer.status == 200) {
    Json(response, answer.body);
  } else {
    Text(response, answer.status, answer.reason);
  }
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Reply PlainReply(const std::string& text, bool is_error) {
  Reply r;
  r.is_error = is_error;
  r.Text(text);
  return r;
}

// The blocks of the message a button was pressed in (null when the payload has none).
json MessageBlocks(const json& payload) {
  auto message = payload.find("message");
  if (message == payload.end() || !message->is_object()) return nullptr;
  auto blocks = message->find("blocks");
  if (blocks == message->end() || !blocks->is_array()) return nullptr;
  return *blocks;
}

// "KR3|C123|1700000000.000100|1" -> parts (kr, channel, ts, ephemeral flag).
std::vector<std::string> SplitMetadata(const std::string& metadata) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t bar = metadata.find('|', start);
    parts.push_back(metadata.substr(start, bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  parts.resize(5);
  return parts;
}

}  // namespace

SlackApp::SlackApp(SlackAppOptions options, Store* store, Bot* bot, SlackClient* client,
                   const SecretBox* secret_box, const Clock* clock, Metrics* metrics)
    : options_(std::move(options)),
      store_(store),
      bot_(bot),
      client_(client),
      secret_box_(secret_box),
      clock_(clock),
      metrics_(metrics),
      verifier_(options_.signing_secret, clock),
      state_issuer_(
          options_.client_secret.empty() ? options_.signing_secret : options_.client_secret, clock),
      tokens_(store, secret_box, options_.bot_token),
      background_(options_.background_threads) {}

SlackApp::~SlackApp() { background_.Shutdown(); }

void SlackApp::Register(HttpServer* server) {
  server->Post("/slack/commands", [this](const httplib::Request& request, const std::string& body,
                                         httplib::Response& response) {
    if (VerifyOrRefuse(request, body, response)) HandleCommand(body, response);
  });
  server->Post("/slack/interactions", [this](const httplib::Request& request,
                                             const std::string& body, httplib::Response& response) {
    if (VerifyOrRefuse(request, body, response)) HandleInteraction(body, response);
  });
  server->Post("/slack/events", [this](const httplib::Request& request, const std::string& body,
                                       httplib::Response& response) {
    if (VerifyOrRefuse(request, body, response)) HandleEvent(body, response);
  });
  server->Get("/slack/install",
              [this](const httplib::Request& request, httplib::Response& response) {
                HandleInstall(request, response);
              });
  server->Get("/slack/oauth/callback",
              [this](const httplib::Request& request, httplib::Response& response) {
                HandleOAuthCallback(request, response);
              });
}

void SlackApp::HandleCommand(const std::string& body, httplib::Response& response) {
  auto form = ParseForm(body);
  if (!form.ok()) return Send(response, Refused(400, "malformed form body"));
  Send(response, AnswerCommand(*form));
}

void SlackApp::HandleInteraction(const std::string& body, httplib::Response& response) {
  auto form = ParseForm(body);
  if (!form.ok() || form->count("payload") == 0) {
    return Send(response, Refused(400, "expected a payload form field"));
  }
  json payload = json::parse((*form)["payload"], nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return Send(response, Refused(400, "payload is not JSON"));
  }
  Send(response, AnswerInteraction(payload));
}

void SlackApp::HandleEvent(const std::string& body, httplib::Response& response) {
  json envelope = json::parse(body, nullptr, false);
  if (envelope.is_discarded() || !envelope.is_object()) {
    return Send(response, Refused(400, "body is not JSON"));
  }
  Send(response, AnswerEvent(envelope));
}

SlackAnswer SlackApp::AnswerEnvelope(const std::string& type, const json& payload) {
  if (!payload.is_object()) return Refused(400, "envelope payload is not an object");
  if (type == "slash_commands") {
    std::map<std::string, std::string> fields;
    for (const auto& [key, value] : payload.items()) {
      if (value.is_string()) fields.emplace(key, value.get<std::string>());
    }
    return AnswerCommand(fields);
  }
  if (type == "interactive") return AnswerInteraction(payload);
  if (type == "events_api") return AnswerEvent(payload);
  return Refused(400, "unknown envelope type " + type);
}

bool SlackApp::VerifyOrRefuse(const httplib::Request& request, const std::string& body,
                              httplib::Response& response) {
  Status verified = verifier_.Verify(request.get_header_value("X-Slack-Request-Timestamp"),
                                     request.get_header_value("X-Slack-Signature"), body);
  if (verified.ok()) return true;
  spdlog::warn("slack: refused {} from {}: {}", request.path, request.remote_addr,
               verified.message());
  Text(response, 401, "request signature could not be verified");
  return false;
}

Result<std::pair<std::string, std::string>> SlackApp::WorkspaceAndToken(
    const std::string& team_id, const std::string& enterprise_id) {
  if (team_id.empty()) return Status::InvalidArgument("The request names no team.");
  (void)enterprise_id;  // kept on the installation; the workspace is the team
  std::string workspace_id = "slack:" + team_id;
  if (tokens_.single_workspace()) {
    auto ws = bot_->EnsureWorkspace(workspace_id, "slack", team_id);
    if (!ws.ok()) return ws.status();
    // A signed request means the app is installed there again (single-token mode has no
    // OAuth callback to say so): bring an uninstalled workspace back.
    if (!ws->installed) {
      Workspace reinstalled = *ws;
      reinstalled.installed = true;
      OKRBOT_RETURN_IF_ERROR(store_->UpsertWorkspace(reinstalled));
    }
  }
  auto token = tokens_.TokenFor(workspace_id);
  if (!token.ok()) return token.status();
  return std::make_pair(workspace_id, *token);
}

Actor SlackApp::MakeActor(const std::string& workspace_id, const std::string& token,
                          const std::string& user_id, const std::string& fallback_name,
                          bool may_wait) {
  Actor actor;
  actor.workspace_id = workspace_id;
  actor.user_id = user_id;
  actor.display_name = fallback_name;
  std::string key = workspace_id + "|" + user_id;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = user_cache_.find(key);
    if (it != user_cache_.end() && it->second.expires > now) {
      actor.display_name = it->second.display_name;
      actor.tz = it->second.tz;
      actor.platform_admin = it->second.is_admin;
      return actor;
    }
  }
  if (!may_wait) {
    background_.Submit([this, workspace_id, token, user_id, fallback_name] {
      (void)MakeActor(workspace_id, token, user_id, fallback_name, /*may_wait=*/true);
    });
    // Until the profile is known, the stored one (refreshed by earlier commands) stands.
    actor.display_name.clear();
    return actor;
  }
  auto info = client_->UsersInfo(token, user_id);
  metrics_->CountPlatformCall("slack", info.ok() ? "ok" : "error");
  if (!info.ok()) {
    // The command still runs; the name and zone are refreshed on a later command.
    spdlog::warn("slack: users.info for {} failed: {}", user_id, info.status().message());
    return actor;
  }
  CachedUser cached;
  cached.display_name = !info->display_name.empty() ? info->display_name
                        : !info->real_name.empty()  ? info->real_name
                                                    : info->name;
  if (cached.display_name.empty()) cached.display_name = fallback_name;
  cached.tz = info->tz;
  cached.is_admin = info->is_admin || info->is_owner;
  cached.expires = now + options_.user_cache_ttl;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    user_cache_[key] = cached;
  }
  actor.display_name = cached.display_name;
  actor.tz = cached.tz;
  actor.platform_admin = cached.is_admin;
  return actor;
}

SlackAnswer SlackApp::AnswerCommand(const std::map<std::string, std::string>& fields) {
  auto field = [&](const char* key) {
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  };
  std::string team_id = field("team_id");
  std::string user_id = field("user_id");
  if (team_id.empty() || user_id.empty()) {
    return Refused(400, "team_id and user_id are required");
  }
  auto workspace = WorkspaceAndToken(team_id, field("enterprise_id"));
  if (!workspace.ok()) {
    std::string message =
        workspace.status().code() == StatusCode::kNotFound
            ? "okrbot is not installed in this workspace. Ask an admin to install it "
              "(the /slack/install page of your okrbot server)."
            : kDatabaseUnavailable;
    return Answered(CommandResponse(PlainReply(message, true)));
  }
  const std::string workspace_id = workspace->first;
  const std::string token = workspace->second;
  std::string text = field("text");
  std::string response_url = field("response_url");
  std::string user_name = field("user_name");
  std::string trigger_id = field("trigger_id");

  // The work runs in the background pool; if it misses the budget, Slack gets an
  // acknowledgement now and the answer later through response_url.
  struct Shared {
    std::mutex mu;
    std::condition_variable done_cv;
    bool done = false;
    bool handler_gave_up = false;
    Reply reply;
  };
  auto shared = std::make_shared<Shared>();
  bool submitted = background_.Submit(
      [this, shared, workspace_id, token, user_id, user_name, text, response_url, trigger_id] {
        Actor actor = MakeActor(workspace_id, token, user_id, user_name);
        actor.request_id = trigger_id;
        Reply reply = bot_->Handle(actor, text);
        bool late = false;
        {
          std::lock_guard<std::mutex> lock(shared->mu);
          if (shared->handler_gave_up) {
            late = true;
          } else {
            shared->reply = std::move(reply);
            shared->done = true;
          }
        }
        if (!late) {
          shared->done_cv.notify_one();
          return;
        }
        if (reply.repeated) return;  // a replay: nothing to post
        json payload = CommandResponse(reply);
        payload["replace_original"] = false;
        auto posted = client_->PostResponseUrl(response_url, payload);
        metrics_->CountPlatformCall("slack", posted.ok() ? "ok" : "error");
      });
  if (!submitted) {
    return Refused(503, "shutting down");
  }
  std::unique_lock<std::mutex> lock(shared->mu);
  if (!shared->done_cv.wait_for(lock, options_.command_budget, [&] { return shared->done; })) {
    shared->handler_gave_up = true;
    return Answered({{"response_type", "ephemeral"}, {"text", "Working on it…"}});
  }
  if (shared->reply.repeated) {
    return Refused(403, "this request was already received");
  }
  return Answered(CommandResponse(shared->reply));
}

SlackAnswer SlackApp::AnswerInteraction(const json& payload) {
  if (!payload.is_object()) return Refused(400, "payload is not JSON");
  std::string type = Str(payload, "type");
  json user = payload.value("user", json::object());
  json team = payload.value("team", json::object());
  std::string user_id = user.is_object() ? Str(user, "id") : "";
  std::string team_id = team.is_object() ? Str(team, "id") : "";
  if (team_id.empty() && user.is_object()) team_id = Str(user, "team_id");
  if (user_id.empty() || team_id.empty()) {
    return Refused(400, "payload names no user or team");
  }
  auto workspace = WorkspaceAndToken(team_id, "");
  if (!workspace.ok()) {
    return Refused(workspace.status().code() == StatusCode::kNotFound ? 403 : 503,
                   "workspace not installed");
  }
  Context context{workspace->first, workspace->second, {}};
  context.actor = MakeActor(context.workspace_id, context.token, user_id,
                            user.is_object() ? Str(user, "username") : "", /*may_wait=*/false);
  context.actor.request_id = Str(payload, "trigger_id");

  if (type == "block_actions") {
    json actions = payload.value("actions", json::array());
    if (!actions.is_array() || actions.empty() || !actions[0].is_object()) {
      return Refused(400, "no action");
    }
    std::string action = Str(actions[0], "action_id");
    std::string kr_text = Str(actions[0], "value");
    json container = payload.value("container", json::object());
    std::string channel = container.is_object() ? Str(container, "channel_id") : "";
    std::string ts = container.is_object() ? Str(container, "message_ts") : "";
    bool ephemeral = container.is_object() && container.value("is_ephemeral", false);
    std::string response_url = Str(payload, "response_url");
    Ref ref;
    if (!ParseRef(kr_text, &ref) || ref.kind != RefKind::kKeyResult) {
      return Refused(400, "the action names no key result");
    }
    if (action != kActionCheckInUpdate && action != kActionCheckInNoChange &&
        action != kActionCheckInSnooze) {
      return Refused(400, "unknown action");
    }
    Reply reply = bot_->PressCheckInButton(context.actor, action, kr_text);
    if (reply.repeated) {
      return Refused(403, "this request was already received");
    }
    if (action == kActionCheckInUpdate && !reply.is_error) {
      std::string metadata = KeyResultRef(ref.number) + "|" + channel + "|" + ts + "|" +
                             (ephemeral ? "1" : "0") + "|" + response_url;
      RememberMessage(channel, ts, MessageBlocks(payload));
      json view = ModalView(reply, kCheckInCallback, metadata, "Save");
      auto opened = client_->ViewsOpen(context.token, Str(payload, "trigger_id"), view);
      metrics_->CountPlatformCall("slack", opened.ok() ? "ok" : "error");
      return Answered({});
    }
    ShowResult(context, KeyResultRef(ref.number), channel, ts, ephemeral, response_url,
               MessageBlocks(payload), reply);
    return Answered({});
  }

  if (type == "view_submission") {
    json view = payload.value("view", json::object());
    if (!view.is_object() || Str(view, "callback_id") != kCheckInCallback) {
      return Refused(400, "unknown view");
    }
    auto parts = SplitMetadata(Str(view, "private_metadata"));
    json values = view.value("state", json::object()).value("values", json::object());
    auto input_value = [&](const char* id) -> std::string {
      if (!values.is_object() || !values.contains(id) || !values[id].is_object()) return "";
      const json& block = values[id];
      if (!block.contains(id) || !block[id].is_object()) return "";
      const json& element = block[id];
      return element.contains("value") && element["value"].is_string()
                 ? element["value"].get<std::string>()
                 : "";
    };
    CheckInInput input{parts[0], input_value(kInputValue), input_value(kInputConfidence),
                       input_value(kInputNote), std::nullopt};
    auto errors = ValidateCheckInInput(input, bot_->limits().max_note_bytes);
    if (!errors.empty()) {
      json by_block = json::object();
      for (const auto& e : errors) by_block[e.field] = e.message;
      return Answered({{"response_action", "errors"}, {"errors", by_block}});
    }
    Reply reply = bot_->SubmitCheckIn(context.actor, input);
    if (reply.repeated) {
      return Refused(403, "this request was already received");
    }
    if (reply.is_error) {
      // The KR itself refused the value (wrong kind, permission): show it on the value input.
      return Answered(
          {{"response_action", "errors"}, {"errors", {{kInputValue, reply.Summary()}}}});
    }
    ShowResult(context, parts[0], parts[1], parts[2], parts[3] == "1", parts[4],
               RecallMessage(parts[1], parts[2]), reply);
    return Answered({});
  }
  return Answered({});  // other interaction types are acknowledged and ignored
}

void SlackApp::RememberMessage(const std::string& channel, const std::string& ts,
                               nlohmann::json blocks) {
  if (channel.empty() || ts.empty() || !blocks.is_array()) return;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(cache_mu_);
  std::erase_if(messages_, [&](const auto& entry) { return entry.second.expires < now; });
  if (messages_.size() >= 10000) return;  // bounded: a miss only loses the in-place update
  messages_[channel + "|" + ts] = {std::move(blocks), now + std::chrono::hours(1)};
}

nlohmann::json SlackApp::RecallMessage(const std::string& channel, const std::string& ts) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto it = messages_.find(channel + "|" + ts);
  if (it == messages_.end()) return nullptr;
  json blocks = std::move(it->second.blocks);
  messages_.erase(it);
  return blocks;
}

void SlackApp::ShowResult(const Context& context, const std::string& kr_ref,
                          const std::string& channel, const std::string& ts, bool ephemeral,
                          const std::string& response_url, const json& original,
                          const Reply& reply) {
  background_.Submit([this, context, kr_ref, channel, ts, ephemeral, response_url, original,
                      reply] {
    bool ok = false;
    if (reply.is_error || ephemeral || channel.empty() || ts.empty()) {
      // Only the person who pressed sees it; their own ephemeral message may be replaced.
      if (!response_url.empty()) {
        json payload = CommandResponse(reply);
        payload["response_type"] = "ephemeral";
        payload["replace_original"] = ephemeral && !reply.is_error;
        ok = client_->PostResponseUrl(response_url, payload).ok();
      } else if (!channel.empty()) {
        ok = client_
                 ->PostEphemeral(context.token, channel, context.actor.user_id, RenderBlocks(reply),
                                 FallbackText(reply))
                 .ok();
      }
    } else {
      json blocks = RenderBlocks(reply);
      std::string text = FallbackText(reply);
      if (original.is_array()) {
        // Keep the message; swap the pressed KR's buttons for the outcome.
        json outcome = {
            {"type", "context"},
            {"elements",
             json::array({{{"type", "mrkdwn"}, {"text", EscapeMrkdwn("✅ " + reply.Summary())}}})}};
        blocks = json::array();
        for (const auto& block : original) {
          bool pressed = block.is_object() && block.value("type", "") == "actions" &&
                         block.contains("elements") && block["elements"].is_array() &&
                         !block["elements"].empty() && block["elements"][0].is_object() &&
                         block["elements"][0].value("value", "") == kr_ref;
          blocks.push_back(pressed ? outcome : block);
        }
        text = reply.Summary();
      }
      ok = client_->UpdateMessage(context.token, channel, ts, blocks, text).ok();
    }
    metrics_->CountPlatformCall("slack", ok ? "ok" : "error");
  });
}

void SlackApp::PublishHome(const Context& context) {
  Reply home;
  home.Header("Your OKRs");
  Reply todo = bot_->Handle(context.actor, "todo");
  Reply mine = bot_->Handle(context.actor, "list mine");
  for (auto* part : {&todo, &mine}) {
    for (auto& block : part->blocks) home.blocks.push_back(block);
    home.Divider();
  }
  home.Context("Type /okr help in any channel for all commands.");
  auto published = client_->ViewsPublish(context.token, context.actor.user_id, HomeView(home));
  metrics_->CountPlatformCall("slack", published.ok() ? "ok" : "error");
}

SlackAnswer SlackApp::AnswerEvent(const json& envelope) {
  if (!envelope.is_object()) return Refused(400, "body is not JSON");
  std::string type = Str(envelope, "type");
  if (type == "url_verification") {
    return Answered({{"challenge", Str(envelope, "challenge")}});
  }
  if (type != "event_callback") {
    return Answered({});
  }
  std::string team_id = Str(envelope, "team_id");
  std::string event_id = Str(envelope, "event_id");
  json event = envelope.value("event", json::object());
  if (team_id.empty() || event_id.empty() || !event.is_object()) {
    return Refused(400, "event_callback needs team_id, event_id and event");
  }
  std::string workspace_id = "slack:" + team_id;
  std::string event_type = Str(event, "type");
  if (event_type == "app_uninstalled" || event_type == "tokens_revoked") {
    // Handled before it is marked seen, so a failure here is retried by Slack; repeating it is
    // harmless.
    Status stored = Status::Ok();
    auto ws = store_->GetWorkspace(workspace_id);
    if (ws.ok() && ws->installed) {
      Workspace updated = *ws;
      updated.installed = false;
      stored = store_->UpsertWorkspace(updated);
    }
    auto installation = store_->GetInstallation(workspace_id);
    if (stored.ok() && installation.ok() && !installation->bot_token_sealed.empty()) {
      Installation updated = *installation;
      updated.bot_token_sealed.clear();
      updated.updated_at = clock_->Now();
      stored = store_->UpsertInstallation(updated);
    }
    if (!stored.ok()) {
      return Refused(503, "storage unavailable");
    }
    (void)store_->MarkEventSeen(workspace_id, event_id, clock_->Now());
    spdlog::info("slack: {} uninstalled ({}); no more posts there", workspace_id, event_type);
    return Answered({});
  }
  auto first = store_->MarkEventSeen(workspace_id, event_id, clock_->Now());
  if (!first.ok()) {
    return Refused(503, "storage unavailable");  // Slack retries later
  }
  if (!*first) {
    return Answered({});  // a retry of an event already handled
  }
  if (event_type == "app_home_opened" && Str(event, "tab") != "messages") {
    auto workspace = WorkspaceAndToken(team_id, "");
    std::string user_id = Str(event, "user");
    if (workspace.ok() && !user_id.empty()) {
      Context context{workspace->first, workspace->second, {}};
      background_.Submit([this, context, user_id]() mutable {
        context.actor = MakeActor(context.workspace_id, context.token, user_id, "");
        PublishHome(context);
      });
    }
  }
  return Answered({});
}

void SlackApp::HandleInstall(const httplib::Request& request, httplib::Response& response) {
  (void)request;
  if (options_.client_id.empty() || options_.client_secret.empty()) {
    Html(response, 404, "Install is not configured",
         "This okrbot server runs in single-workspace mode (SLACK_BOT_TOKEN).");
    return;
  }
  std::string url = options_.authorize_url + "?client_id=" + UrlEncode(options_.client_id) +
                    "&scope=" + UrlEncode(options_.bot_scopes) +
                    "&state=" + UrlEncode(state_issuer_.Issue(kStatePurpose));
  response.status = 302;
  response.set_header("Location", url);
  response.set_header("Cache-Control", "no-store");
}

void SlackApp::HandleOAuthCallback(const httplib::Request& request, httplib::Response& response) {
  if (options_.client_id.empty() || options_.client_secret.empty()) {
    Html(response, 404, "Install is not configured",
         "Set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET.");
    return;
  }
  if (request.has_param("error")) {
    Html(response, 200, "Installation cancelled", "Nothing was installed.");
    return;
  }
  Status state = state_issuer_.Check(request.get_param_value("state"), kStatePurpose);
  if (!state.ok()) {
    Html(response, 403, "This install link is not valid", state.message());
    return;
  }
  std::string code = request.get_param_value("code");
  if (code.empty()) {
    Html(response, 400, "No code", "Slack did not send an authorization code.");
    return;
  }
  if (secret_box_ == nullptr) {
    Html(response, 500, "okrbot cannot store tokens safely",
         "Set OKRBOT_SECRET_KEY (openssl rand -hex 32) and restart, then install again.");
    return;
  }
  auto install = client_->OAuthV2Access(options_.client_id, options_.client_secret, code, "");
  metrics_->CountPlatformCall("slack", install.ok() ? "ok" : "error");
  if (!install.ok()) {
    Html(response, 502, "Slack refused the installation", install.status().message());
    return;
  }
  std::string workspace_id = "slack:" + install->team_id;
  Installation installation;
  installation.workspace_id = workspace_id;
  installation.platform = "slack";
  installation.team_id = install->team_id;
  installation.enterprise_id = install->enterprise_id;
  installation.bot_token_sealed = secret_box_->Seal(install->access_token);
  installation.bot_user_id = install->bot_user_id;
  installation.scopes = install->scope;
  installation.installer = install->authed_user_id;
  installation.installed_at = clock_->Now();
  installation.updated_at = clock_->Now();
  auto previous = store_->GetInstallation(workspace_id);
  if (previous.ok()) installation.installed_at = previous->installed_at;
  Status saved = bot_->EnsureWorkspace(workspace_id, "slack", install->team_name).status();
  if (saved.ok()) {
    auto ws = store_->GetWorkspace(workspace_id);
    if (ws.ok() && (!ws->installed || ws->name != install->team_name)) {
      Workspace updated = *ws;
      updated.installed = true;  // a reinstall brings the workspace back
      if (!install->team_name.empty()) updated.name = install->team_name;
      saved = store_->UpsertWorkspace(updated);
    }
  }
  if (saved.ok()) saved = store_->UpsertInstallation(installation);
  if (!saved.ok()) {
    Html(response, 503, "okrbot could not save the installation", "Please try again.");
    return;
  }
  spdlog::info("slack: installed in {} ({}) by {}", workspace_id, install->team_name,
               install->authed_user_id);
  Html(response, 200, "okrbot is installed",
       "okrbot is now in " + install->team_name + ". Type /okr help in Slack to start.");
}

}  // namespace okrbot::slack
