#include "adapters/teams/teams_app.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "adapters/common/url.h"
#include "bot/checkin_form.h"
#include "core/text_util.h"

namespace okrbot::teams {
namespace {

using json = nlohmann::json;

constexpr char kMessagesPath[] = "/teams/messages";
constexpr size_t kMaxIdBytes = 256;

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& Obj(const json& j, const char* key) {
  static const json kEmpty = json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

// Printable ASCII without '|' (job keys and conversation-reference keys are '|'-separated).
bool IsSafeId(const std::string& id) {
  return !id.empty() && id.size() <= kMaxIdBytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '|'; });
}

void Text(httplib::Response& response, int status, const std::string& text) {
  response.status = status;
  response.set_content(text + "\n", "text/plain; charset=utf-8");
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  size_t pos = 0;
  while ((pos = text->find(from, pos)) != std::string::npos) {
    text->replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Teams sends message text HTML-escaped.
std::string DecodeEntities(std::string text) {
  ReplaceAll(&text, "&nbsp;", " ");
  ReplaceAll(&text, "&lt;", "<");
  ReplaceAll(&text, "&gt;", ">");
  ReplaceAll(&text, "&quot;", "\"");
  ReplaceAll(&text, "&#39;", "'");
  ReplaceAll(&text, "&amp;", "&");
  return text;
}

// Removes every "<at>...</at>" span (a mention of the bot the entities did not describe).
std::string RemoveAtTags(std::string text) {
  size_t start;
  while ((start = text.find("<at>")) != std::string::npos) {
    size_t end = text.find("</at>", start);
    if (end == std::string::npos) break;
    text.erase(start, end + 5 - start);
  }
  return text;
}

Reply Plain(const std::string& text, bool is_error) {
  Reply reply;
  reply.is_error = is_error;
  reply.Text(text);
  return reply;
}

}  // namespace

struct TeamsApp::Activity {
  std::string type;
  std::string name;  // of an invoke
  std::string id;
  std::string reply_to_id;
  std::string channel_id;  // "msteams", "emulator", ...
  std::string service_url;
  std::string conversation_id;
  std::string conversation_type;  // "personal", "channel", "groupChat"
  std::string tenant_id;
  std::string team_id;
  std::string channel;        // channelData.channel.id in a team channel
  std::string bot_id;         // recipient.id
  std::string user_teams_id;  // from.id ("29:...")
  std::string action;         // installationUpdate: "add" / "remove"
  std::string text;
  json value;
  json entities;
  json members_added;
  Actor actor;

  // Where channel posts go: the team channel, or the group chat itself.
  std::string ChannelTarget() const {
    if (!channel.empty()) return channel;
    if (conversation_type == "groupChat" || conversation_type == "channel") return conversation_id;
    return "";
  }
};

TeamsApp::TeamsApp(TeamsAppOptions options, Store* store, Bot* bot, TeamsClient* client,
                   TeamsAuthenticator* auth, const Clock* clock, Metrics* metrics)
    : options_(options),
      store_(store),
      bot_(bot),
      client_(client),
      auth_(auth),
      clock_(clock),
      metrics_(metrics),
      background_(std::make_unique<WorkerPool>(std::max(1, options.reply_threads))) {}

TeamsApp::~TeamsApp() { Drain(); }

void TeamsApp::Drain() {
  if (background_) background_->Shutdown();
}

void TeamsApp::Register(HttpServer* server) {
  server->Post(kMessagesPath,
               [this](const httplib::Request& request, const std::string& body,
                      httplib::Response& response) { HandleActivity(request, body, response); });
}

void TeamsApp::HandleActivity(const httplib::Request& request, const std::string& body,
                              httplib::Response& response) {
  json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    Text(response, 400, "the body is not a JSON activity");
    return;
  }
  Activity a;
  a.type = Str(root, "type");
  a.name = Str(root, "name");
  a.id = Str(root, "id");
  a.reply_to_id = Str(root, "replyToId");
  a.channel_id = Str(root, "channelId");
  a.service_url = Str(root, "serviceUrl");
  const json& conversation = Obj(root, "conversation");
  a.conversation_id = Str(conversation, "id");
  a.conversation_type = Str(conversation, "conversationType");
  const json& from = Obj(root, "from");
  a.user_teams_id = Str(from, "id");
  a.bot_id = Str(Obj(root, "recipient"), "id");
  const json& channel_data = Obj(root, "channelData");
  a.tenant_id = Str(Obj(channel_data, "tenant"), "id");
  if (a.tenant_id.empty()) a.tenant_id = Str(conversation, "tenantId");
  a.team_id = Str(Obj(channel_data, "team"), "id");
  a.channel = Str(Obj(channel_data, "channel"), "id");
  a.action = Str(root, "action");
  a.text = Str(root, "text");
  if (root.contains("value")) a.value = root["value"];
  if (root.contains("entities") && root["entities"].is_array()) a.entities = root["entities"];
  if (root.contains("membersAdded") && root["membersAdded"].is_array()) {
    a.members_added = root["membersAdded"];
  }

  if (a.type.empty() || a.channel_id.empty() || a.service_url.empty() ||
      a.conversation_id.empty() || a.user_teams_id.empty()) {
    Text(response, 400, "an activity needs type, channelId, serviceUrl, conversation.id, from.id");
    return;
  }
  if (auth_ != nullptr) {
    Status authentic =
        auth_->Authenticate(request.get_header_value("Authorization"), a.channel_id, a.service_url);
    if (!authentic.ok()) {
      bool unavailable = authentic.code() == StatusCode::kUnavailable;
      spdlog::warn("teams: refused {} from {}: {}", kMessagesPath, request.remote_addr,
                   authentic.message());
      Text(response, unavailable ? 503 : 401,
           unavailable ? "cannot check the token just now" : "unauthorized");
      return;
    }
  }
  if (a.tenant_id.empty() && auth_ == nullptr) a.tenant_id = "local";
  a.actor.user_id = Str(from, "aadObjectId");
  if (a.actor.user_id.empty()) a.actor.user_id = a.user_teams_id;
  HttpUrl service;
  if (!IsSafeId(a.tenant_id) || !IsSafeId(a.actor.user_id) || !IsSafeId(a.user_teams_id) ||
      !IsSafeId(a.conversation_id) || (!a.bot_id.empty() && !IsSafeId(a.bot_id)) ||
      (!a.channel.empty() && !IsSafeId(a.channel)) ||
      (!a.team_id.empty() && !IsSafeId(a.team_id)) || !ParseHttpUrl(a.service_url, &service)) {
    Text(response, 400, "the activity's tenant, user, conversation or serviceUrl is not valid");
    return;
  }
  a.actor.workspace_id = "teams:" + a.tenant_id;
  if (!a.id.empty()) a.actor.request_id = a.conversation_id + "/" + a.id;
  std::string name = Str(from, "name");
  if (name.size() <= bot_->limits().max_name_bytes && IsValidUtf8(name) &&
      !HasControlCharacters(name)) {
    a.actor.display_name = name;
  }
  a.actor.tz = Str(root, "localTimezone");
  for (const json& entity : a.entities) {
    if (Str(entity, "type") == "clientInfo" && !Str(entity, "timezone").empty()) {
      a.actor.tz = Str(entity, "timezone");
    }
  }
  if (a.actor.tz.size() > 64) a.actor.tz.clear();

  Status ensured = bot_->EnsureWorkspace(a.actor.workspace_id, "teams", a.tenant_id).status();
  if (!ensured.ok()) {
    spdlog::error("teams: cannot set up {}: {}", a.actor.workspace_id, ensured.ToString());
    Text(response, 503, "storage unavailable");
    return;
  }

  response.status = 200;
  if (a.type == "message") {
    Remember(a);
    if (!HandleMessage(a)) Text(response, 403, "this activity was already received");
    return;
  }
  if (a.type == "invoke") {
    if (a.name != "adaptiveCard/action") {
      Text(response, 501, "okrbot does not handle invoke " + a.name.substr(0, 60));
      return;
    }
    Remember(a);
    SubmitData data;
    Reply reply;
    CardSubmit submit;
    bool has_submit = false;
    bool replaces = false;
    json data_json = Obj(Obj(a.value, "action"), "data");
    if (!ParseSubmitData(data_json, &data)) {
      reply = Plain("That card is not one of okrbot's, or it is from an older version.", true);
    } else {
      HandleSubmit(a, data, &reply, &submit, &has_submit, &replaces);
    }
    json invoke = {{"statusCode", 200},
                   {"type", "application/vnd.microsoft.card.adaptive"},
                   {"value", AdaptiveCard(reply, has_submit ? &submit : nullptr)}};
    response.set_content(Dump(invoke), "application/json; charset=utf-8");
    return;
  }
  if (a.type == "conversationUpdate") {
    HandleConversationUpdate(a);
    return;
  }
  if (a.type == "installationUpdate") {
    HandleInstallationUpdate(a);
    return;
  }
  // typing, messageReaction, ...: nothing to do.
}

bool TeamsApp::HandleMessage(const Activity& a) {
  if (a.value.is_object() && (a.text.empty() || a.value.contains(kDataAction))) {
    SubmitData data;
    Reply reply;
    CardSubmit submit;
    bool has_submit = false;
    bool replaces = false;
    if (!ParseSubmitData(a.value, &data)) {
      reply = Plain("That card is not one of okrbot's, or it is from an older version.", true);
    } else {
      HandleSubmit(a, data, &reply, &submit, &has_submit, &replaces);
    }
    if (reply.repeated) return false;  // a re-delivery: the first one was answered
    Send(a, MessageActivity(reply, has_submit ? &submit : nullptr), replaces);
    return true;
  }
  std::string text = a.text;
  for (const json& entity : a.entities) {
    if (Str(entity, "type") != "mention") continue;
    const json& mentioned = Obj(entity, "mentioned");
    std::string shown = Str(entity, "text");
    if (shown.empty()) continue;
    std::string id = Str(mentioned, "id");
    if (id == a.bot_id) {
      ReplaceAll(&text, shown, "");
      continue;
    }
    std::string person = PersonMentioned(a, mentioned);
    if (IsSafeId(person)) ReplaceAll(&text, shown, "<@" + person + ">");
  }
  text = Trim(DecodeEntities(RemoveAtTags(text)));
  std::string here = a.ChannelTarget();
  if (!here.empty()) {
    // Only the whole word: "#here" -> "#19:...@thread.tacv2".
    size_t pos = 0;
    while ((pos = text.find("#here", pos)) != std::string::npos) {
      bool starts = pos == 0 || text[pos - 1] == ' ';
      bool ends = pos + 5 == text.size() || text[pos + 5] == ' ';
      if (starts && ends) {
        text.replace(pos, 5, "#" + here);
        pos += here.size() + 1;
      } else {
        pos += 5;
      }
    }
  }
  Actor actor = a.actor;
  actor.shared_answer = a.conversation_type != "personal";
  Reply reply = text.empty() ? Bot::Welcome() : bot_->Handle(actor, text);
  if (reply.repeated) return false;  // a re-delivery: the first one was answered
  Send(a, MessageActivity(reply), /*replace=*/false);
  return true;
}

std::string TeamsApp::PersonMentioned(const Activity& a, const json& mentioned) {
  std::string teams_id = Str(mentioned, "id");
  std::string person = Str(mentioned, "aadObjectId");
  if (person.empty() && IsSafeId(teams_id)) {
    // Teams mentions usually carry only the "29:..." id; people are known by their Azure AD
    // object id, which the conversation's member list gives.
    auto member = client_->GetMember(a.service_url, a.conversation_id, teams_id);
    if (member.ok()) person = Str(*member, "aadObjectId");
    if (!member.ok()) {
      spdlog::warn("teams: cannot look up a mentioned person: {}", member.status().message());
    }
  }
  if (person.empty()) person = teams_id;
  if (!IsSafeId(person) || !IsSafeId(teams_id)) return person;
  // Enough to open a 1:1 chat with them later, so their prompts reach them before they ever
  // write to okrbot (never replaces a reference they made themselves).
  auto existing = store_->GetConversationRef(a.actor.workspace_id, person);
  if (!existing.ok() && existing.status().code() == StatusCode::kNotFound) {
    json reference = {{"serviceUrl", a.service_url}, {"botId", a.bot_id},    {"userId", teams_id},
                      {"tenantId", a.tenant_id},     {"conversationId", ""}, {"removed", false}};
    (void)store_->PutConversationRef(
        ConversationRef{a.actor.workspace_id, person, Dump(reference), clock_->Now()});
  }
  return person;
}

void TeamsApp::HandleSubmit(const Activity& a, const SubmitData& data, Reply* reply,
                            CardSubmit* submit, bool* has_submit, bool* replaces_card) {
  *has_submit = false;
  *replaces_card = false;
  if (data.action != kActionCheckInSubmit) {
    *reply = bot_->PressCheckInButton(a.actor, data.action, data.kr);
    if (data.action == kActionCheckInUpdate && !reply->is_error) {
      submit->kr = data.kr;
      *has_submit = true;
    }
    return;
  }
  CheckInInput input{data.kr, data.value, data.confidence, data.note, std::nullopt};
  std::vector<FieldError> errors = ValidateCheckInInput(input, bot_->limits().max_note_bytes);
  Reply recorded;
  if (errors.empty()) {
    recorded = bot_->SubmitCheckIn(a.actor, input);
    if (!recorded.is_error) {
      *reply = recorded;
      *replaces_card = true;  // the form becomes the recorded check-in
      return;
    }
  }
  // Show the form again with what was typed and what to fix.
  Reply form = bot_->PressCheckInButton(a.actor, kActionCheckInUpdate, data.kr);
  if (form.is_error) {
    *reply = form;
    return;
  }
  Reply again;
  for (Block& block : form.blocks) {
    if (block.kind == BlockKind::kInputs) {
      if (errors.empty()) again.Context("⚠ " + recorded.Summary());
      for (const FieldError& error : errors) again.Context("⚠ " + error.message);
      for (Input& in : block.inputs) {
        if (in.id == kInputValue) in.initial = data.value;
        if (in.id == kInputConfidence) in.initial = data.confidence;
        if (in.id == kInputNote) in.initial = data.note;
      }
    }
    again.blocks.push_back(block);
  }
  again.is_error = true;
  *reply = again;
  submit->kr = data.kr;
  *has_submit = true;
  *replaces_card = true;
}

void TeamsApp::HandleConversationUpdate(const Activity& a) {
  bool bot_added = false;
  for (const json& member : a.members_added) {
    if (!a.bot_id.empty() && Str(member, "id") == a.bot_id) bot_added = true;
  }
  if (!bot_added) return;
  Remember(a);
  MarkRemoved(a, false);
  spdlog::info("teams: added to a {} conversation in {}",
               a.conversation_type.empty() ? "team" : a.conversation_type, a.actor.workspace_id);
  Activity greeting = a;
  greeting.id.clear();  // a new message, not a reply to the system event
  Send(greeting, MessageActivity(Bot::Welcome()), /*replace=*/false);
}

void TeamsApp::HandleInstallationUpdate(const Activity& a) {
  if (a.action.rfind("remove", 0) == 0) {
    MarkRemoved(a, true);
    spdlog::info("teams: removed from a conversation in {}; no more posts there",
                 a.actor.workspace_id);
  } else if (a.action.rfind("add", 0) == 0) {
    Remember(a);
    MarkRemoved(a, false);
  }
}

void TeamsApp::Remember(const Activity& a) {
  auto put = [&](const std::string& target, const json& reference, bool keep_existing) {
    auto existing = store_->GetConversationRef(a.actor.workspace_id, target);
    std::string text = Dump(reference);
    if (existing.ok() && (keep_existing || existing->reference == text)) return;
    ConversationRef ref{a.actor.workspace_id, target, text, clock_->Now()};
    if (Status s = store_->PutConversationRef(ref); !s.ok()) {
      spdlog::warn("teams: cannot store the conversation reference: {}", s.message());
    }
  };
  json person = {{"serviceUrl", a.service_url}, {"botId", a.bot_id},    {"userId", a.user_teams_id},
                 {"tenantId", a.tenant_id},     {"conversationId", ""}, {"removed", false}};
  if (a.conversation_type == "personal") {
    person["conversationId"] = a.conversation_id;
    put(a.actor.user_id, person, /*keep_existing=*/false);
  } else {
    // Seen in a channel: enough to open a 1:1 chat later, but never replaces a personal one.
    put(a.actor.user_id, person, /*keep_existing=*/true);
    std::string channel = a.ChannelTarget();
    if (!channel.empty()) {
      put("#" + channel,
          {{"serviceUrl", a.service_url},
           {"botId", a.bot_id},
           {"tenantId", a.tenant_id},
           {"conversationId", channel},
           {"teamId", a.team_id}},
          /*keep_existing=*/false);
    }
  }
}

void TeamsApp::MarkRemoved(const Activity& a, bool removed) {
  std::string target = a.conversation_type == "personal" ? a.actor.user_id
                       : !a.team_id.empty()              ? "team:" + a.team_id
                                                         : "#" + a.ChannelTarget();
  if (target == "#") return;
  json reference = json::object();
  auto existing = store_->GetConversationRef(a.actor.workspace_id, target);
  if (existing.ok()) {
    json parsed = json::parse(existing->reference, nullptr, false);
    if (parsed.is_object()) reference = parsed;
  }
  if (reference.value("removed", false) == removed && existing.ok()) return;
  reference["removed"] = removed;
  ConversationRef ref{a.actor.workspace_id, target, Dump(reference), clock_->Now()};
  if (Status s = store_->PutConversationRef(ref); !s.ok()) {
    spdlog::warn("teams: cannot record the installation change: {}", s.message());
  }
}

void TeamsApp::Send(const Activity& a, json card_activity, bool replace) {
  std::string service_url = a.service_url;
  std::string conversation = a.conversation_id;
  std::string reply_to = a.id;
  std::string card_id = a.reply_to_id;  // the message whose button was pressed
  bool update = replace && !card_id.empty();
  background_->Submit([this, service_url, conversation, reply_to, card_id, update,
                       activity = std::move(card_activity)] {
    Status result;
    for (int attempt = 1; attempt <= options_.reply_attempts; ++attempt) {
      TeamsCallStats stats;
      if (update) {
        result = client_->UpdateActivity(service_url, conversation, card_id, activity, &stats);
      } else if (!reply_to.empty()) {
        result = client_->ReplyToActivity(service_url, conversation, reply_to, activity, &stats)
                     .status();
      } else {
        result = client_->SendToConversation(service_url, conversation, activity, &stats).status();
      }
      if (metrics_ != nullptr) metrics_->CountPlatformCall("teams", result.ok() ? "ok" : "error");
      if (result.ok() || result.code() != StatusCode::kUnavailable) break;
      if (attempt == options_.reply_attempts) break;
      auto wait = stats.retry_after.count() > 0
                      ? std::chrono::duration_cast<std::chrono::milliseconds>(stats.retry_after)
                      : std::chrono::milliseconds(200 * attempt);
      std::this_thread::sleep_for(std::min(wait, options_.max_retry_wait));
    }
    if (!result.ok() && update) {
      // The card could not be replaced (deleted, too old): say it as a reply instead.
      auto sent = reply_to.empty()
                      ? client_->SendToConversation(service_url, conversation, activity)
                      : client_->ReplyToActivity(service_url, conversation, reply_to, activity);
      result = sent.status();
    }
    if (!result.ok())
      spdlog::warn("teams: could not answer in a conversation: {}", result.message());
  });
}

}  // namespace okrbot::teams
