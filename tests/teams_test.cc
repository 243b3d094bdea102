// Microsoft Teams end to end: the Bot Framework messaging endpoint (POST /teams/messages) on a
// real HttpServer on loopback (with a SQLite store and the Bot), its token checks against a
// local stand-in of the Bot Framework's OpenID metadata and keys, and the replies and scheduled
// posts that go out through the connector stand-in, also driven by the Dispatcher.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/common/http_server.h"
#include "adapters/teams/adaptive_card.h"
#include "adapters/teams/teams_app.h"
#include "adapters/teams/teams_auth.h"
#include "adapters/teams/teams_client.h"
#include "adapters/teams/teams_deliverer.h"
#include "bot/bot.h"
#include "bot/checkin_form.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "scheduler/dispatcher.h"
#include "storage/open_store.h"
#include "tests/jwt_signer.h"
#include "tests/log_capture.h"
#include "tests/silent_listener.h"
#include "tests/teams_standin.h"

namespace okrbot::testing {
namespace {

using json = nlohmann::json;
using teams::TeamsApp;
using teams::TeamsAppOptions;
using teams::TeamsAuthenticator;
using teams::TeamsAuthOptions;
using teams::TeamsClient;
using teams::TeamsClientOptions;
using teams::TeamsDeliverer;
using Outcome = DeliveryResult::Outcome;

constexpr char kAppId[] = "app-123";
constexpr char kAppPassword[] = "secret-xyz";
const bool kTeamsSecretsForbidden = [] {
  ForbidInLogs(kAppPassword);
  ForbidInLogs("standin-bot-token-");  // every bearer token the login stand-in issues
  return true;
}();
constexpr char kBotId[] = "28:app-123";
constexpr char kIssuer[] = "https://api.botframework.com";
constexpr char kTenant[] = "tenant-1";
constexpr char kWorkspace[] = "teams:tenant-1";
constexpr char kAlice[] = "aad-alice";  // okrbot's user id: the AAD object id
constexpr char kAliceTeamsId[] = "29:alice";
constexpr char kPersonalChat[] = "a:alice-chat";
constexpr char kTeam[] = "19:team-1@thread.tacv2";
constexpr char kChannel[] = "19:general@thread.tacv2";
// A message in a team channel arrives in the conversation of its thread.
constexpr char kChannelThread[] = "19:general@thread.tacv2;messageid=1793609000000";
constexpr char kCardContentType[] = "application/vnd.microsoft.card.adaptive";
constexpr std::chrono::seconds kRefetchInterval{30};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

json Jwks(const std::vector<json>& keys) { return {{"keys", keys}}; }

// Every TextBlock text and FactSet fact of a card (or any part of one), one per line, in order.
void CollectText(const json& element, std::string* out) {
  if (element.is_object()) {
    std::string type = element.value("type", "");
    if (type == "TextBlock") *out += element.value("text", "") + "\n";
    if (type == "FactSet" && element.contains("facts")) {
      for (const json& fact : element["facts"]) {
        *out += fact.value("title", "") + " " + fact.value("value", "") + "\n";
      }
      return;
    }
  }
  if (element.is_object() || element.is_array()) {
    for (const json& child : element) CollectText(child, out);
  }
}

// The card a message activity carries (attachments[0].content), or null.
json CardOf(const json& activity) {
  if (!activity.is_object() || !activity.contains("attachments") ||
      !activity["attachments"].is_array() || activity["attachments"].empty()) {
    return json();
  }
  const json& attachment = activity["attachments"][0];
  if (attachment.value("contentType", "") != kCardContentType) return json();
  return attachment.value("content", json());
}

std::string CardText(const json& card) {
  std::string text;
  CollectText(card, &text);
  return text;
}

// The card's elements of one type ("Input.Text", "Action.Submit"), in order, at any depth.
void FindElements(const json& element, const std::string& type, std::vector<json>* out) {
  if (element.is_object() && element.value("type", "") == type) out->push_back(element);
  if (element.is_object() || element.is_array()) {
    for (const json& child : element) FindElements(child, type, out);
  }
}

std::vector<json> Elements(const json& card, const std::string& type) {
  std::vector<json> found;
  FindElements(card, type, &found);
  return found;
}

// The check-in prompt a scheduled post carries (what the planner would put in a job).
Reply CheckInPrompt() {
  Reply reply;
  reply.Header("Weekly check-in").Text("KR1 Increase our NPS from 55 to 70");
  reply.Actions({{"Update", kActionCheckInUpdate, "KR1", true},
                 {"No change", kActionCheckInNoChange, "KR1", false}});
  return reply;
}

// --- the fixture: okrbot's Teams endpoint against the stand-in ------------------------------

class TeamsEndToEndTest : public ::testing::Test {
 protected:
  // RSA key generation is slow under sanitizers: the keys are made once and shared by every
  // Teams test.
  static void SetUpTestSuite() {
    if (key_ == nullptr) key_ = new TestRsaKey("bf-key-1");
    if (stranger_key_ == nullptr) stranger_key_ = new TestRsaKey("stranger-key");
    if (rotated_key_ == nullptr) rotated_key_ = new TestRsaKey("bf-key-2");
  }

  void SetUp() override {
    teams_.SetAppCredentials(kAppId, kAppPassword);
    teams_.SetJwks(Jwks({key_->Jwk({"msteams"})}));
    auto store = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    bot_ = std::make_unique<Bot>(store_.get(), &clock_);
    client_ = MakeClient(kAppId, kAppPassword);
    TeamsAuthOptions auth_options;
    auth_options.app_id = kAppId;
    auth_options.openid_url = teams_.OpenIdUrl();
    auth_options.min_refetch_interval = kRefetchInterval;
    auth_options.timeout = std::chrono::milliseconds(2000);
    auth_ = std::make_unique<TeamsAuthenticator>(auth_options, &clock_);
    Serve(client_.get(), auth_.get());
  }

  void TearDown() override { StopServing(); }

  std::unique_ptr<TeamsClient> MakeClient(const std::string& app_id,
                                          const std::string& app_password) {
    TeamsClientOptions options;
    options.app_id = app_id;
    options.app_password = app_password;
    options.token_url = teams_.TokenUrl();
    options.connect_timeout = std::chrono::milliseconds(2000);
    options.read_timeout = std::chrono::milliseconds(2000);
    return std::make_unique<TeamsClient>(options, &clock_);
  }

  // Starts a TeamsApp on a fresh HttpServer; `auth` null is TEAMS_AUTH=off.
  void Serve(TeamsClient* client, TeamsAuthenticator* auth) {
    TeamsAppOptions options;
    options.reply_attempts = 3;
    options.max_retry_wait = std::chrono::milliseconds(50);
    app_ = std::make_unique<TeamsApp>(options, store_.get(), bot_.get(), client, auth, &clock_,
                                      &metrics_);
    HttpServerOptions server_options;
    server_options.host = "127.0.0.1";
    server_options.port = 0;
    server_options.threads = 4;
    server_ = std::make_unique<HttpServer>(server_options, &metrics_);
    app_->Register(server_.get());
    ASSERT_TRUE(server_->Bind());
    serving_ = std::thread([this] { server_->Run(); });
    while (!server_->IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    http_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    http_->set_read_timeout(10, 0);
  }

  void StopServing() {
    http_.reset();
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
    if (app_) app_->Drain();  // every queued reply is sent before the store goes away
  }

  long long Now() const { return clock_.Now().time_since_epoch().count(); }

  // The claims the Bot Framework puts in a token for okrbot's app, valid now.
  json Claims() const {
    return {{"iss", kIssuer},
            {"aud", kAppId},
            {"exp", Now() + 3600},
            {"nbf", Now() - 60},
            {"serviceurl", teams_.ServiceUrl()}};
  }
  json ClaimsWith(const std::string& key, json value) const {
    json claims = Claims();
    claims[key] = std::move(value);
    return claims;
  }
  std::string ValidToken() const { return key_->Sign(Claims()); }

  // A message Alice types in her 1:1 chat with okrbot, as the connector POSTs it.
  json Message(const std::string& text) {
    return {{"type", "message"},
            {"id", "m-" + std::to_string(++activities_)},
            {"timestamp", "2026-11-02T09:00:00.000Z"},
            {"channelId", "msteams"},
            {"serviceUrl", teams_.ServiceUrl()},
            {"from", {{"id", kAliceTeamsId}, {"aadObjectId", kAlice}, {"name", "Alice"}}},
            {"recipient", {{"id", kBotId}, {"name", "okrbot"}}},
            {"conversation",
             {{"id", kPersonalChat}, {"conversationType", "personal"}, {"tenantId", kTenant}}},
            {"channelData", {{"tenant", {{"id", kTenant}}}}},
            {"text", text}};
  }

  // The same from another person of the tenant (or of another tenant).
  json MessageFrom(const std::string& text, const std::string& aad_id, const std::string& name,
                   const std::string& tenant = kTenant) {
    json activity = Message(text);
    activity["from"] = {{"id", "29:" + name}, {"aadObjectId", aad_id}, {"name", name}};
    activity["conversation"]["id"] = "a:" + name + "-chat";
    activity["conversation"]["tenantId"] = tenant;
    activity["channelData"]["tenant"]["id"] = tenant;
    return activity;
  }

  // "@okrbot <text>" typed in the General channel of a team.
  json ChannelMessage(const std::string& text) {
    json activity = Message("<at>okrbot</at> " + text);
    activity["conversation"] = {{"id", kChannelThread},
                                {"conversationType", "channel"},
                                {"isGroup", true},
                                {"tenantId", kTenant}};
    activity["channelData"] = {{"tenant", {{"id", kTenant}}},
                               {"team", {{"id", kTeam}, {"name", "Product"}}},
                               {"channel", {{"id", kChannel}, {"name", "General"}}}};
    activity["entities"] = json::array({{{"type", "mention"},
                                         {"text", "<at>okrbot</at>"},
                                         {"mentioned", {{"id", kBotId}, {"name", "okrbot"}}}}});
    return activity;
  }

  // What Teams sends when Alice presses an Action.Submit button of the card `card_id`: the
  // button's data (merged with the card's inputs) as `value`, and no text.
  json Submit(const json& data, const std::string& card_id) {
    json activity = Message("");
    activity.erase("text");
    activity["replyToId"] = card_id;
    activity["value"] = data;
    return activity;
  }

  httplib::Result Post(const json& activity, const std::string& token) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return http_->Post("/teams/messages", headers, activity.dump(), "application/json");
  }

  // Posts `activity` with a valid token, expects 200, and returns the connector call okrbot
  // made in answer (the next one the stand-in records); an empty call when none came.
  TeamsCall Exchange(const json& activity) {
    size_t before = teams_.Calls().size();
    auto res = Post(activity, ValidToken());
    EXPECT_TRUE(res);
    if (!res) return TeamsCall();
    EXPECT_EQ(res->status, 200) << res->body;
    if (!teams_.WaitForCalls(before + 1)) {
      ADD_FAILURE() << "okrbot did not answer " << activity.dump();
      return TeamsCall();
    }
    return teams_.Calls()[before];
  }

  // Alice types `text` in her chat; returns the text of the card okrbot replies with, after
  // checking the reply is threaded under her message in that chat.
  std::string Say(const std::string& text) {
    json message = Message(text);
    TeamsCall reply = Exchange(message);
    EXPECT_EQ(reply.endpoint, "send") << text;
    EXPECT_EQ(reply.conversation_id, kPersonalChat) << text;
    EXPECT_EQ(reply.activity_id, message["id"]) << text;
    EXPECT_EQ(reply.path.rfind("/amer/v3/conversations/", 0), 0u) << reply.path;
    last_card_ = CardOf(reply.body);
    EXPECT_TRUE(last_card_.is_object()) << text << ": " << reply.body.dump();
    return CardText(last_card_);
  }

  // Objective O1 with KR1 (NPS 55 -> 70) owned by Alice, checked in at 62.
  void CreateKr1() {
    ASSERT_TRUE(Contains(Say("objective add \"Delight our customers\""), "O1"));
    ASSERT_TRUE(Contains(Say("kr add O1 \"Increase our NPS from 55 to 70\""), "KR1"));
    ASSERT_TRUE(Contains(Say("update KR1 62"), "62"));
  }

  // KR1 of the tenant's workspace as stored (a default KeyResult, and a failure, when missing).
  KeyResult Kr1() {
    auto kr = store_->GetKeyResult(kWorkspace, 1);
    EXPECT_TRUE(kr.ok()) << "KR1 is not stored";
    return kr.ok() ? *kr : KeyResult();
  }

  bool NoWorkspaces() {
    auto workspaces = store_->ListWorkspaces();
    return workspaces.ok() && workspaces->empty();
  }

  std::vector<CheckIn> CheckIns(const std::string& workspace = kWorkspace, int64_t kr = 1) {
    auto list = store_->ListCheckIns(workspace, kr, 0);
    return list.ok() ? *list : std::vector<CheckIn>();
  }

  json StoredReference(const std::string& target, const std::string& workspace = kWorkspace) {
    auto ref = store_->GetConversationRef(workspace, target);
    if (!ref.ok()) return json();
    return json::parse(ref->reference, nullptr, false);
  }

  static Job MakeJob(const std::string& target, const std::string& period = "2026-W45") {
    Job job;
    job.key = std::string(kWorkspace) + "|checkin|" + target + "|" + period;
    job.workspace_id = kWorkspace;
    job.kind = "checkin";
    job.target = target;
    job.payload = ReplyToJson(CheckInPrompt());
    return job;
  }

  static TestRsaKey* key_;           // the Bot Framework's signing key, in the JWKS
  static TestRsaKey* stranger_key_;  // a key the JWKS never lists
  static TestRsaKey* rotated_key_;   // published later (key rollover)

  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};  // Mon 2026-11-02 09:00 UTC
  Metrics metrics_;
  TeamsStandIn teams_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
  std::unique_ptr<TeamsClient> client_;
  std::unique_ptr<TeamsClient> local_client_;  // TEAMS_AUTH=off
  std::unique_ptr<TeamsAuthenticator> auth_;
  std::unique_ptr<TeamsApp> app_;
  std::unique_ptr<HttpServer> server_;
  std::thread serving_;
  std::unique_ptr<httplib::Client> http_;
  int activities_ = 0;
  json last_card_;
};

TestRsaKey* TeamsEndToEndTest::key_ = nullptr;
TestRsaKey* TeamsEndToEndTest::stranger_key_ = nullptr;
TestRsaKey* TeamsEndToEndTest::rotated_key_ = nullptr;

// The suites share the fixture; the names only group the tests.
class TeamsCommandTest : public TeamsEndToEndTest {};
class TeamsCardTest : public TeamsEndToEndTest {};
class TeamsAuthTest : public TeamsEndToEndTest {};
class TeamsActivityTest : public TeamsEndToEndTest {};
class TeamsDeliveryTest : public TeamsEndToEndTest {};

// --- commands --------------------------------------------------------------------------------

TEST_F(TeamsCommandTest, EveryCommandIsAnsweredWithACardThreadedUnderTheMessage) {
  struct Step {
    std::string command;
    std::vector<std::string> expected;
  };
  const std::vector<Step> steps = {
      {"help", {"okrbot: your OKRs", "/okr objective add", "/okr remind digest"}},
      {"objective add \"Delight our customers\"", {"Created O1: Delight our customers"}},
      {"kr add O1 \"Increase our NPS from 55 to 70\"", {"Added KR1 to O1", "55 → 70"}},
      {"update KR1 62 confidence:high new onboarding flow",
       {"KR1 updated: 62", "Confidence 80% (high)", "new onboarding flow"}},
      {"list", {"O1 Delight our customers", "KR1 Increase our NPS from 55 to 70 — 62 / 70"}},
      {"show KR1", {"KR1: Increase our NPS from 55 to 70", "Current 62", "Owner @Alice"}},
      {"tree", {"Alignment tree", "O1 Delight our customers"}},
      {"initiative add KR1 \"Run 20 customer interviews\"", {"Added I1 to KR1"}},
      {"edit KR1 to:75", {"Edited KR1", "target: 70 → 75"}},
      {"review", {"OKR review", "No findings"}},  // NPS measures delight (issue 18)
      {"stale", {"Nothing is stale"}},
      {"summary", {"OKR summary so far · 2026-Q4", "O1 Delight our customers"}},
      {"tz Europe/Berlin", {"Your time zone is now Europe/Berlin"}},
      {"snooze KR1 1w", {"Snoozed KR1 until 2026-11-09"}},
      {"away until:2026-12-24", {"You are away until 2026-12-24"}},
      {"remind show", {"Check-in prompt: Monday 10:00"}},
      {"todo", {"What needs you now"}},
      {"archive KR1", {"Archived KR1"}},
  };
  for (const Step& step : steps) {
    std::string text = Say(step.command);
    for (const std::string& expected : step.expected) {
      EXPECT_TRUE(Contains(text, expected)) << step.command << "\n" << text;
    }
    EXPECT_FALSE(last_card_["body"][0].contains("color")) << step.command << " is no error";
  }
  std::string unknown = Say("frobnicate");
  EXPECT_TRUE(Contains(unknown, "`frobnicate` is not a command I know")) << unknown;
  EXPECT_TRUE(Contains(unknown, "/okr help")) << "the error points at the commands\n" << unknown;
  EXPECT_EQ(last_card_["body"][0]["color"], "Attention");

  // What the commands did is in the store, in the tenant's workspace, as Alice's.
  auto workspace = store_->GetWorkspace(kWorkspace);
  ASSERT_TRUE(workspace.ok());
  EXPECT_EQ(workspace->platform, "teams");
  auto kr = store_->GetKeyResult(kWorkspace, 1);
  ASSERT_TRUE(kr.ok());
  EXPECT_EQ(kr->current, 62.0);
  EXPECT_EQ(kr->target, 75.0);
  EXPECT_EQ(kr->owner, kAlice);
  EXPECT_TRUE(kr->archived);
  EXPECT_TRUE(kr->snoozed_until.has_value());
  ASSERT_EQ(CheckIns().size(), 1u);
  EXPECT_EQ(CheckIns()[0].confidence, 80);
  EXPECT_EQ(CheckIns()[0].author, kAlice);
  auto alice = store_->GetUser(kWorkspace, kAlice);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->display_name, "Alice");
  EXPECT_EQ(alice->tz_override, "Europe/Berlin");
  EXPECT_TRUE(alice->away_until.has_value());
  auto initiatives = store_->ListInitiatives(kWorkspace, 1);
  ASSERT_TRUE(initiatives.ok());
  EXPECT_EQ(initiatives->size(), 1u);
  // Every reply was made with the bot token, fetched once.
  for (const TeamsCall& call : teams_.Calls()) {
    EXPECT_EQ(call.authorization, "Bearer standin-bot-token-1") << call.path;
  }
  EXPECT_EQ(teams_.TokenRequests(), 1);
}

TEST_F(TeamsCommandTest, CardsFollowTeamsShape) {
  json message = Message("help");
  TeamsCall reply = Exchange(message);
  EXPECT_EQ(reply.http_method, "POST");
  EXPECT_EQ(reply.path,
            "/amer/v3/conversations/a%3Aalice-chat/activities/" + message["id"].get<std::string>())
      << "ids are percent-encoded under the service URL's /amer prefix";
  EXPECT_EQ(reply.body["type"], "message");
  EXPECT_TRUE(Contains(reply.body.value("summary", ""), "okrbot")) << reply.body.dump();
  ASSERT_EQ(reply.body["attachments"].size(), 1u);
  EXPECT_EQ(reply.body["attachments"][0]["contentType"], kCardContentType);
  json card = CardOf(reply.body);
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["version"], "1.4");
  EXPECT_TRUE(Contains(card.value("fallbackText", ""), "objective add"));
}

TEST_F(TeamsCommandTest, MentioningTheBotInAChannelRunsTheCommand) {
  CreateKr1();
  json message = ChannelMessage("list");
  TeamsCall reply = Exchange(message);
  EXPECT_EQ(reply.endpoint, "send");
  EXPECT_EQ(reply.conversation_id, kChannelThread) << "the reply goes to the channel thread";
  EXPECT_EQ(reply.activity_id, message["id"]);
  std::string text = CardText(CardOf(reply.body));
  EXPECT_TRUE(Contains(text, "O1 Delight our customers")) << text;
  EXPECT_FALSE(Contains(text, "not a command")) << "the mention was removed\n" << text;

  // A mention the entities do not describe (an older client) is removed too.
  json bare = ChannelMessage("show KR1");
  bare.erase("entities");
  std::string shown = CardText(CardOf(Exchange(bare).body));
  EXPECT_TRUE(Contains(shown, "KR1: Increase our NPS from 55 to 70")) << shown;
}

TEST_F(TeamsCommandTest, MentioningAPersonMakesThemTheOwner) {
  json message = Message("objective add \"Ship the mobile app\" owner:<at>Bob</at>");
  message["entities"] = json::array(
      {{{"type", "mention"},
        {"text", "<at>Bob</at>"},
        {"mentioned", {{"id", "29:bob"}, {"aadObjectId", "aad-bob"}, {"name", "Bob"}}}}});
  std::string text = CardText(CardOf(Exchange(message).body));
  EXPECT_TRUE(Contains(text, "Created O1: Ship the mobile app")) << text;
  auto objective = store_->GetObjective(kWorkspace, 1);
  ASSERT_TRUE(objective.ok());
  EXPECT_EQ(objective->owner, "aad-bob") << "Bob's AAD object id, as when Bob writes himself";
  EXPECT_EQ(objective->created_by, kAlice);
  // So when Bob writes himself, the objective is his: as its owner he may add key results.
  TeamsCall added = Exchange(
      MessageFrom("kr add O1 \"Raise app store rating from 3.9 to 4.5\"", "aad-bob", "bob"));
  std::string added_text = CardText(CardOf(added.body));
  EXPECT_TRUE(Contains(added_text, "Added KR1 to O1")) << added_text;
  EXPECT_EQ(Kr1().owner, "aad-bob");
}

TEST_F(TeamsCommandTest, AMentionWithoutAnAadIdIsLookedUpAndTheOwnerCanBePrompted) {
  // Teams mentions usually carry only the "29:..." id: okrbot asks the conversation's members.
  teams_.AddMember("29:carol", "Carol", "aad-carol");
  json message = Message("objective add \"Grow the partner channel\" owner:<at>Carol</at>");
  message["entities"] = json::array({{{"type", "mention"},
                                      {"text", "<at>Carol</at>"},
                                      {"mentioned", {{"id", "29:carol"}, {"name", "Carol"}}}}});
  size_t before = teams_.Calls().size();
  ASSERT_EQ(Post(message, ValidToken())->status, 200);
  ASSERT_TRUE(teams_.WaitForCalls(before + 2));
  std::vector<TeamsCall> calls = teams_.Calls();
  EXPECT_EQ(calls[before].endpoint, "member");
  EXPECT_EQ(calls[before].activity_id, "29:carol");
  EXPECT_TRUE(Contains(CardText(CardOf(calls[before + 1].body)), "Created O1"))
      << calls[before + 1].body.dump();
  EXPECT_EQ(store_->GetObjective(kWorkspace, 1)->owner, "aad-carol");
  // Carol never wrote to okrbot, yet her prompts can reach her: a 1:1 chat can be opened.
  auto ref = store_->GetConversationRef(kWorkspace, "aad-carol");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(json::parse(ref->reference)["userId"], "29:carol");
}

// The same activity delivered twice (the connector re-sends, or a captured token is replayed
// within its hour): the command runs once, and the repeat is refused (403) without a second
// card in the chat.
TEST_F(TeamsCommandTest, TheSameActivityTwiceRunsOnce) {
  Say("objective add \"Delight our customers\"");
  Say("kr add O1 \"Increase our NPS from 55 to 70\"");
  for (const char* command : {"update KR1 +5", "objective add \"Grow\""}) {
    json message = Message(command);
    TeamsCall first = Exchange(message);
    EXPECT_FALSE(Contains(CardText(CardOf(first.body)), "changes nothing")) << first.body.dump();
    const int calls_before = teams_.CallCount();
    auto again = Post(message, ValidToken());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 403) << command << ": " << again->body;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(teams_.CallCount(), calls_before) << command << ": nothing posted for the repeat";
  }
  EXPECT_EQ(CheckIns().size(), 1u);
  EXPECT_EQ(store_->GetKeyResult(kWorkspace, 1)->current, 60.0);
}

TEST_F(TeamsCommandTest, TeamsHtmlEntitiesAreDecoded) {
  std::string text = Say("objective add &quot;R&amp;D &lt;3 customers&quot;");
  EXPECT_TRUE(Contains(text, "Created O1: R&D <3 customers")) << text;
}

// --- check-in cards --------------------------------------------------------------------------

TEST_F(TeamsCardTest, CheckInThroughTheCardFormIsRecordedInPlace) {
  CreateKr1();
  // Update on a check-in prompt: the form, as a reply.
  json pressed = Submit({{"okrbot", "checkin.update"}, {"kr", "KR1"}}, "card-1");
  TeamsCall form_reply = Exchange(pressed);
  EXPECT_EQ(form_reply.endpoint, "send");
  EXPECT_EQ(form_reply.conversation_id, kPersonalChat);
  EXPECT_EQ(form_reply.activity_id, pressed["id"]);
  json form = CardOf(form_reply.body);
  std::vector<json> inputs = Elements(form, "Input.Text");
  ASSERT_EQ(inputs.size(), 3u) << form.dump();
  EXPECT_EQ(inputs[0]["id"], "value");
  EXPECT_EQ(inputs[0]["value"], "62") << "prefilled with the current value";
  EXPECT_EQ(inputs[1]["id"], "confidence");
  EXPECT_EQ(inputs[2]["id"], "note");
  std::vector<json> actions = Elements(form, "Action.Submit");
  ASSERT_EQ(actions.size(), 1u) << form.dump();
  EXPECT_EQ(actions[0]["title"], "Save");
  EXPECT_EQ(actions[0]["data"], json({{"okrbot", "checkin.submit"}, {"kr", "KR1"}}));
  const std::string form_id = form_reply.answered_id;
  ASSERT_FALSE(form_id.empty());

  // Save: the form card becomes the recorded check-in.
  TeamsCall saved = Exchange(Submit({{"okrbot", "checkin.submit"},
                                     {"kr", "KR1"},
                                     {"value", "65"},
                                     {"confidence", "high"},
                                     {"note", "good week"}},
                                    form_id));
  EXPECT_EQ(saved.endpoint, "update");
  EXPECT_EQ(saved.http_method, "PUT");
  EXPECT_EQ(saved.conversation_id, kPersonalChat);
  EXPECT_EQ(saved.activity_id, form_id);
  std::string recorded = CardText(CardOf(saved.body));
  EXPECT_TRUE(Contains(recorded, "KR1 updated: 65")) << recorded;
  EXPECT_TRUE(Elements(CardOf(saved.body), "Input.Text").empty()) << "no form any more";
  std::vector<CheckIn> checkins = CheckIns();
  ASSERT_EQ(checkins.size(), 2u);
  EXPECT_EQ(checkins[0].value, 65.0);
  EXPECT_EQ(checkins[0].confidence, 80);
  EXPECT_EQ(checkins[0].note, "good week");
  EXPECT_EQ(checkins[0].author, kAlice);
  EXPECT_EQ(Kr1().current, 65.0);

  // A value that is not a number: the form again, with what was typed and what to fix.
  TeamsCall refused = Exchange(Submit(
      {{"okrbot", "checkin.submit"}, {"kr", "KR1"}, {"value", "abc"}, {"note", "hm"}}, form_id));
  EXPECT_EQ(refused.endpoint, "update");
  EXPECT_EQ(refused.activity_id, form_id);
  json again = CardOf(refused.body);
  std::string again_text = CardText(again);
  EXPECT_TRUE(Contains(again_text, "⚠")) << again_text;
  std::vector<json> again_inputs = Elements(again, "Input.Text");
  ASSERT_EQ(again_inputs.size(), 3u);
  EXPECT_EQ(again_inputs[0]["value"], "abc");
  EXPECT_EQ(again_inputs[2]["value"], "hm");
  EXPECT_EQ(Elements(again, "Action.Submit").size(), 1u) << "Save is still there";
  EXPECT_EQ(CheckIns().size(), 2u) << "nothing stored";

  // No change: the current value again, as a reply.
  json same = Submit({{"okrbot", "checkin.nochange"}, {"kr", "KR1"}}, "card-2");
  TeamsCall unchanged = Exchange(same);
  EXPECT_EQ(unchanged.endpoint, "send");
  EXPECT_EQ(unchanged.activity_id, same["id"]);
  EXPECT_TRUE(Contains(CardText(CardOf(unchanged.body)), "65"));
  checkins = CheckIns();
  ASSERT_EQ(checkins.size(), 3u);
  EXPECT_EQ(checkins[0].value, 65.0);

  // Snooze: a week without prompts for KR1.
  TeamsCall snoozed = Exchange(Submit({{"okrbot", "checkin.snooze"}, {"kr", "KR1"}}, "card-3"));
  std::string snoozed_text = CardText(CardOf(snoozed.body));
  EXPECT_TRUE(Contains(snoozed_text, "Snoozed KR1 until 2026-11-09")) << snoozed_text;
  EXPECT_TRUE(Kr1().snoozed_until.has_value());

  // Something that is not one of okrbot's cards.
  TeamsCall foreign = Exchange(Submit({{"choice", "pizza"}}, "card-4"));
  std::string foreign_text = CardText(CardOf(foreign.body));
  EXPECT_TRUE(Contains(foreign_text, "not one of okrbot's")) << foreign_text;
  EXPECT_EQ(CheckIns().size(), 3u);
}

TEST_F(TeamsCardTest, ARecordedCheckInIsRepliedWhenTheCardCannotBeReplaced) {
  CreateKr1();
  teams_.FailNext("update", 404, 1);  // the form was deleted meanwhile
  json saved = Submit({{"okrbot", "checkin.submit"}, {"kr", "KR1"}, {"value", "66"}}, "gone-card");
  size_t before = teams_.Calls().size();
  ASSERT_EQ(Post(saved, ValidToken())->status, 200);
  ASSERT_TRUE(teams_.WaitForCalls(before + 2));
  std::vector<TeamsCall> calls = teams_.Calls();
  EXPECT_EQ(calls[before].endpoint, "update");
  EXPECT_EQ(calls[before].status, 404);
  EXPECT_EQ(calls[before + 1].endpoint, "send");
  EXPECT_EQ(calls[before + 1].activity_id, saved["id"]);
  EXPECT_TRUE(Contains(CardText(CardOf(calls[before + 1].body)), "KR1 updated: 66"));
  EXPECT_EQ(CheckIns().size(), 2u);
}

TEST_F(TeamsCardTest, ActionExecuteIsAnsweredInTheInvokeResponse) {
  CreateKr1();
  const int calls_before = teams_.CallCount();
  auto invoke = [&](const json& data) {
    json activity = Message("");
    activity.erase("text");
    activity["type"] = "invoke";
    activity["name"] = "adaptiveCard/action";
    activity["value"] = {{"action", {{"type", "Action.Execute"}, {"data", data}}},
                         {"trigger", "manual"}};
    return Post(activity, ValidToken());
  };
  auto opened = invoke({{"okrbot", "checkin.update"}, {"kr", "KR1"}});
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status, 200);
  json answer = json::parse(opened->body, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << opened->body;
  EXPECT_EQ(answer["statusCode"], 200);
  EXPECT_EQ(answer["type"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(answer["value"]["type"], "AdaptiveCard");
  EXPECT_EQ(Elements(answer["value"], "Input.Text").size(), 3u) << opened->body;
  EXPECT_EQ(Elements(answer["value"], "Action.Submit")[0]["data"]["okrbot"], "checkin.submit");

  auto saved = invoke({{"okrbot", "checkin.submit"}, {"kr", "KR1"}, {"value", "70"}});
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->status, 200);
  json recorded = json::parse(saved->body, nullptr, false);
  EXPECT_TRUE(Contains(CardText(recorded["value"]), "KR1 updated: 70")) << saved->body;
  EXPECT_EQ(Kr1().current, 70.0);

  json other = Message("");
  other["type"] = "invoke";
  other["name"] = "composeExtension/query";
  auto unsupported = Post(other, ValidToken());
  ASSERT_TRUE(unsupported);
  EXPECT_EQ(unsupported->status, 501);
  EXPECT_EQ(teams_.CallCount(), calls_before) << "invokes are answered in the HTTP response";
}

// --- authentication --------------------------------------------------------------------------

TEST_F(TeamsAuthTest, RefusedTokensAre401AndChangeNothing) {
  const std::string forged_serviceurl = "https://smba.trafficmanager.net/emea/";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no token", ""},
      {"not a JWT", "not-a-jwt"},
      {"wrong issuer", key_->Sign(ClaimsWith("iss", "https://sts.windows.net/evil/"))},
      {"wrong audience", key_->Sign(ClaimsWith("aud", "another-app"))},
      {"expired 6 minutes ago", key_->Sign(ClaimsWith("exp", Now() - 360))},
      {"valid only in 10 minutes", key_->Sign(ClaimsWith("nbf", Now() + 600))},
      {"signed by a key not in the JWKS", stranger_key_->Sign(Claims())},
      {"an unknown key using the known kid", stranger_key_->Sign(Claims(), {{"kid", "bf-key-1"}})},
      {"for another service URL", key_->Sign(ClaimsWith("serviceurl", forged_serviceurl))},
      {"alg none", UnsignedToken(Claims(), key_->kid())},
      {"HS256 keyed with the public key", SignHs256(Claims(), key_->PublicKeyPem(), key_->kid())},
  };
  for (const auto& [what, token] : cases) {
    auto res = Post(Message("objective add \"Forged\""), token);
    ASSERT_TRUE(res) << what;
    EXPECT_EQ(res->status, 401) << what << ": " << res->body;
    EXPECT_TRUE(token.empty() || !Contains(res->body, token)) << what;
  }
  // Not a Bearer token.
  auto basic = http_->Post("/teams/messages", {{"Authorization", "Basic YXBwOnNlY3JldA=="}},
                           Message("list").dump(), "application/json");
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
  // A genuine token, but the activity points the replies somewhere else.
  json redirected = Message("list");
  redirected["serviceUrl"] = "http://127.0.0.1:1/amer/";
  EXPECT_EQ(Post(redirected, ValidToken())->status, 401);

  app_->Drain();  // anything a refused request might have queued is sent by now
  EXPECT_EQ(teams_.CallCount(), 0) << "no reply to a refused activity";
  EXPECT_TRUE(NoWorkspaces()) << "nothing from a refused activity is stored";
}

TEST_F(TeamsAuthTest, TokensWithinFiveMinutesOfClockSkewAreAccepted) {
  std::string expired_recently = key_->Sign(ClaimsWith("exp", Now() - 120));
  auto res = Post(Message("objective add \"Late but fine\""), expired_recently);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  std::string early = key_->Sign(ClaimsWith("nbf", Now() + 120));
  EXPECT_EQ(Post(Message("list"), early)->status, 200);
  EXPECT_TRUE(store_->GetObjective(kWorkspace, 1).ok());
  EXPECT_TRUE(teams_.WaitForCalls(2));
}

TEST_F(TeamsAuthTest, KeysNotEndorsedForTeamsAreRefused) {
  teams_.SetJwks(Jwks({key_->Jwk({"skype"})}));  // before okrbot fetches them
  auto res = Post(Message("objective add \"Via Skype\""), ValidToken());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(teams_.KeyFetches(), 1);
  EXPECT_TRUE(NoWorkspaces());
}

TEST_F(TeamsAuthTest, RotatedKeysAreFetchedButForgedKidsCannotMakeOkrbotHammerMicrosoft) {
  EXPECT_EQ(Post(Message("list"), ValidToken())->status, 200);
  EXPECT_EQ(teams_.KeyFetches(), 1);
  EXPECT_EQ(Post(Message("list"), ValidToken())->status, 200);
  EXPECT_EQ(teams_.KeyFetches(), 1) << "the keys are cached";

  // Microsoft publishes a new key and starts signing with it.
  teams_.SetJwks(Jwks({key_->Jwk({"msteams"}), rotated_key_->Jwk({"msteams"})}));
  clock_.Advance(kRefetchInterval);
  auto rotated = Post(Message("list"), rotated_key_->Sign(Claims()));
  ASSERT_TRUE(rotated);
  EXPECT_EQ(rotated->status, 200) << "an unknown kid makes okrbot fetch the keys again";
  EXPECT_EQ(teams_.KeyFetches(), 2);

  // A flood of made-up kids: at most one fetch per min_refetch_interval.
  for (int i = 0; i < 5; ++i) {
    std::string forged = stranger_key_->Sign(Claims(), {{"kid", "forged-" + std::to_string(i)}});
    EXPECT_EQ(Post(Message("list"), forged)->status, 401);
  }
  EXPECT_EQ(teams_.KeyFetches(), 2);
  clock_.Advance(kRefetchInterval);
  for (int i = 5; i < 10; ++i) {
    std::string forged = stranger_key_->Sign(Claims(), {{"kid", "forged-" + std::to_string(i)}});
    EXPECT_EQ(Post(Message("list"), forged)->status, 401);
  }
  EXPECT_EQ(teams_.KeyFetches(), 3);
  EXPECT_EQ(Post(Message("list"), ValidToken())->status, 200) << "the known keys still work";
}

TEST_F(TeamsAuthTest, UnreachableKeysAre503SoTheConnectorRetries) {
  teams_.FailNext("keys", 500, 1);
  auto res = Post(Message("objective add \"Try later\""), ValidToken());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_TRUE(NoWorkspaces());
  clock_.Advance(kRefetchInterval);
  EXPECT_EQ(Post(Message("objective add \"Try later\""), ValidToken())->status, 200);
  EXPECT_TRUE(store_->GetObjective(kWorkspace, 1).ok());
}

// --- bad input and tenants -------------------------------------------------------------------

TEST_F(TeamsActivityTest, MalformedActivitiesAre400) {
  const std::string token = ValidToken();
  httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  auto not_json = http_->Post("/teams/messages", headers, "{not json", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  auto array = http_->Post("/teams/messages", headers, "[1,2]", "application/json");
  ASSERT_TRUE(array);
  EXPECT_EQ(array->status, 400);

  json no_service_url = Message("list");
  no_service_url.erase("serviceUrl");
  EXPECT_EQ(Post(no_service_url, token)->status, 400);
  json no_conversation = Message("list");
  no_conversation.erase("conversation");
  EXPECT_EQ(Post(no_conversation, token)->status, 400);
  json no_tenant = Message("list");
  no_tenant.erase("channelData");
  no_tenant["conversation"].erase("tenantId");
  EXPECT_EQ(Post(no_tenant, token)->status, 400) << "with authentication on, a tenant is needed";
  json piped_tenant = Message("list");
  piped_tenant["channelData"]["tenant"]["id"] = "tenant-1|checkin";
  EXPECT_EQ(Post(piped_tenant, token)->status, 400) << "'|' would break job keys";
  json piped_user = Message("list");
  piped_user["from"]["aadObjectId"] = "aad|alice";
  EXPECT_EQ(Post(piped_user, token)->status, 400);

  app_->Drain();
  EXPECT_EQ(teams_.CallCount(), 0);
  EXPECT_TRUE(NoWorkspaces());
}

TEST_F(TeamsActivityTest, AnotherTenantCannotSeeOrUpdateTheFirstTenantsKrs) {
  CreateKr1();
  for (const char* command : {"show KR1", "update KR1 99", "list", "edit KR1 to:1"}) {
    json message = MessageFrom(command, "aad-mallory", "mallory", "tenant-2");
    std::string text = CardText(CardOf(Exchange(message).body));
    EXPECT_FALSE(Contains(text, "Increase our NPS")) << command << "\n" << text;
    EXPECT_FALSE(Contains(text, "Delight our customers")) << command << "\n" << text;
  }
  std::string shown = CardText(
      CardOf(Exchange(MessageFrom("show KR1", "aad-mallory", "mallory", "tenant-2")).body));
  EXPECT_TRUE(Contains(shown, "There is no key result KR1 in this workspace")) << shown;
  json pressed = MessageFrom("", "aad-mallory", "mallory", "tenant-2");
  pressed.erase("text");
  pressed["value"] = {{"okrbot", "checkin.nochange"}, {"kr", "KR1"}};
  std::string refused = CardText(CardOf(Exchange(pressed).body));
  EXPECT_TRUE(Contains(refused, "There is no key result KR1 in this workspace")) << refused;
  EXPECT_EQ(CheckIns().size(), 1u);
  EXPECT_EQ(Kr1().current, 62.0);
  EXPECT_EQ(Kr1().target, 70.0);
  EXPECT_TRUE(store_->GetWorkspace("teams:tenant-2").ok());
}

// --- installation and conversation references --------------------------------------------

TEST_F(TeamsActivityTest, AddingOkrbotGreetsAndRemembersTheChat) {
  json added = Message("");
  added.erase("text");
  added["type"] = "conversationUpdate";
  added["membersAdded"] = json::array({{{"id", kBotId}}});
  TeamsCall greeting = Exchange(added);
  EXPECT_EQ(greeting.endpoint, "send");
  EXPECT_EQ(greeting.conversation_id, kPersonalChat);
  EXPECT_EQ(greeting.activity_id, "") << "a new message, not a reply to the system event";
  std::string text = CardText(CardOf(greeting.body));
  EXPECT_TRUE(Contains(text, "Hi, I'm okrbot")) << text;
  json ref = StoredReference(kAlice);
  ASSERT_TRUE(ref.is_object());
  EXPECT_EQ(ref["conversationId"], kPersonalChat);
  EXPECT_EQ(ref["serviceUrl"], teams_.ServiceUrl());
  EXPECT_EQ(ref["userId"], kAliceTeamsId);
  EXPECT_EQ(ref["botId"], kBotId);
  EXPECT_EQ(ref["removed"], false);

  // Someone else joining a chat okrbot is in is no reason to greet.
  json other = added;
  other["id"] = "m-other";
  other["membersAdded"] = json::array({{{"id", "29:carol"}}});
  ASSERT_EQ(Post(other, ValidToken())->status, 200);
  app_->Drain();
  EXPECT_EQ(teams_.CallCount(), 1);
}

TEST_F(TeamsActivityTest, RemovingOkrbotStopsScheduledPostsUntilItIsAddedAgain) {
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  Say("list");
  EXPECT_EQ(deliverer.Deliver(MakeJob(kAlice), CheckInPrompt()).outcome, Outcome::kSent);

  auto installation = [&](const std::string& action) {
    json update = Message("");
    update.erase("text");
    update["type"] = "installationUpdate";
    update["action"] = action;
    auto res = Post(update, ValidToken());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  };
  installation("remove");
  EXPECT_EQ(StoredReference(kAlice)["removed"], true);
  const int calls = teams_.CallCount();
  DeliveryResult removed = deliverer.Deliver(MakeJob(kAlice), CheckInPrompt());
  EXPECT_EQ(removed.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(removed.error, "removed")) << removed.error;
  EXPECT_EQ(teams_.CallCount(), calls) << "nothing is posted to a chat okrbot was removed from";

  installation("add");
  EXPECT_EQ(StoredReference(kAlice)["removed"], false);
  EXPECT_EQ(deliverer.Deliver(MakeJob(kAlice), CheckInPrompt()).outcome, Outcome::kSent);
  EXPECT_EQ(teams_.Calls().back().conversation_id, kPersonalChat);
}

TEST_F(TeamsActivityTest, RemovingOkrbotFromATeamStopsItsChannelPosts) {
  Exchange(ChannelMessage("list"));  // okrbot knows the General channel of the team
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  const std::string general = std::string("#") + kChannel;
  EXPECT_EQ(deliverer.Deliver(MakeJob(general), CheckInPrompt()).outcome, Outcome::kSent);

  auto installation = [&](const std::string& action) {
    json update = ChannelMessage("");
    update.erase("text");
    update.erase("entities");
    update["type"] = "installationUpdate";
    update["action"] = action;
    update["conversation"]["id"] = kChannel;
    auto res = Post(update, ValidToken());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  };
  installation("remove");
  DeliveryResult removed = deliverer.Deliver(MakeJob(general), CheckInPrompt());
  EXPECT_EQ(removed.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(removed.error, "removed")) << removed.error;
  installation("add");
  EXPECT_EQ(deliverer.Deliver(MakeJob(general), CheckInPrompt()).outcome, Outcome::kSent);
  EXPECT_EQ(teams_.Calls().back().conversation_id, kChannel);
}

TEST_F(TeamsActivityTest, TheTimeZoneTeamsReportsIsRemembered) {
  json message = Message("list");
  message["entities"] = json::array({{{"type", "clientInfo"},
                                      {"locale", "en-US"},
                                      {"country", "US"},
                                      {"platform", "Web"},
                                      {"timezone", "America/New_York"}}});
  Exchange(message);
  auto alice = store_->GetUser(kWorkspace, kAlice);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->tz, "America/New_York");
  json unknown_zone = Message("list");
  unknown_zone["localTimezone"] = "Mars/Olympus_Mons";
  Exchange(unknown_zone);
  alice = store_->GetUser(kWorkspace, kAlice);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->tz, "America/New_York") << "a zone this machine does not know is ignored";
  json travelling = Message("list");
  travelling["localTimezone"] = "Asia/Tokyo";
  Exchange(travelling);
  alice = store_->GetUser(kWorkspace, kAlice);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->tz, "Asia/Tokyo");
}

// --- scheduled posts -------------------------------------------------------------------------

TEST_F(TeamsDeliveryTest, ScheduledPostsGoToThePersonalChatWithACachedBotToken) {
  Say("list");  // Alice has talked to okrbot: her chat is known
  teams_.ClearCalls();
  const std::string workspace = kWorkspace;
  for (const char* period : {"2026-W45", "2026-W46"}) {
    Job job = MakeJob(kAlice, period);
    // A prompt and a nudge: two prompts to one person would be 24 h apart (the quiet gap).
    if (std::string(period) == "2026-W46") {
      job.kind = "stale";
      job.key = std::string(kWorkspace) + "|stale|KR1|" + period;
    }
    job.due_at = job.next_attempt_at = job.created_at = clock_.Now();
    ASSERT_TRUE(store_->EnqueueJob(job).ok());
  }
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  Dispatcher dispatcher(
      store_.get(), &clock_, DispatcherOptions{}, [] { return 0.0; }, &metrics_);
  dispatcher.RegisterPlatform("teams", &deliverer);
  DispatchStats stats = dispatcher.RunOnce();
  EXPECT_EQ(stats.claimed, 2);
  EXPECT_EQ(stats.sent, 2);
  std::vector<TeamsCall> posts = teams_.Calls("send");
  ASSERT_EQ(posts.size(), 2u);
  for (const TeamsCall& post : posts) {
    EXPECT_EQ(post.http_method, "POST");
    EXPECT_EQ(post.conversation_id, kPersonalChat);
    EXPECT_EQ(post.activity_id, "") << "a new message in the chat";
    EXPECT_EQ(post.authorization, "Bearer standin-bot-token-1");
    json card = CardOf(post.body);
    EXPECT_TRUE(Contains(CardText(card), "Weekly check-in"));
    std::vector<json> buttons = Elements(card, "Action.Submit");
    ASSERT_EQ(buttons.size(), 2u);
    EXPECT_EQ(buttons[0]["data"], json({{"okrbot", "checkin.update"}, {"kr", "KR1"}}));
  }
  EXPECT_EQ(teams_.TokenRequests(), 1) << "one token for the reply and both posts";
  auto form = teams_.LastTokenRequest();
  EXPECT_EQ(form["grant_type"], "client_credentials");
  EXPECT_EQ(form["client_id"], kAppId);
  EXPECT_EQ(form["client_secret"], kAppPassword);
  EXPECT_EQ(form["scope"], "https://api.botframework.com/.default");

  // An hour later the token has expired: a new one is fetched.
  clock_.Advance(std::chrono::hours(1));
  TeamsDeliverer later(client_.get(), store_.get(), &clock_);
  EXPECT_EQ(later.Deliver(MakeJob(kAlice), CheckInPrompt()).outcome, Outcome::kSent);
  EXPECT_EQ(teams_.TokenRequests(), 2);
  EXPECT_EQ(teams_.Calls("send").back().authorization, "Bearer standin-bot-token-2");
}

TEST_F(TeamsDeliveryTest, APersonOnlySeenInAChannelGetsAChatOpenedFirst) {
  json bob = ChannelMessage("list");
  bob["from"] = {{"id", "29:bob"}, {"aadObjectId", "aad-bob"}, {"name", "Bob"}};
  Exchange(bob);
  EXPECT_EQ(StoredReference("aad-bob")["conversationId"], "");
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  teams_.FailNext("create", 429, 1, 45);
  DeliveryResult limited = deliverer.Deliver(MakeJob("aad-bob"), CheckInPrompt());
  EXPECT_EQ(limited.outcome, Outcome::kRetry);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(45));
  EXPECT_EQ(StoredReference("aad-bob")["conversationId"], "");
  teams_.ClearCalls();

  DeliveryResult result = deliverer.Deliver(MakeJob("aad-bob"), CheckInPrompt());
  EXPECT_EQ(result.outcome, Outcome::kSent) << result.error;
  std::vector<TeamsCall> calls = teams_.Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].endpoint, "create");
  EXPECT_EQ(calls[0].path, "/amer/v3/conversations");
  EXPECT_EQ(calls[0].body["bot"]["id"], kBotId);
  EXPECT_EQ(calls[0].body["members"][0]["id"], "29:bob");
  EXPECT_EQ(calls[0].body["tenantId"], kTenant);
  const std::string chat = calls[0].answered_id;
  EXPECT_EQ(calls[1].endpoint, "send");
  EXPECT_EQ(calls[1].conversation_id, chat);
  EXPECT_EQ(StoredReference("aad-bob")["conversationId"], chat) << "remembered for next time";

  EXPECT_EQ(deliverer.Deliver(MakeJob("aad-bob", "2026-W46"), CheckInPrompt()).outcome,
            Outcome::kSent);
  EXPECT_EQ(teams_.CallCount("create"), 1);
  EXPECT_EQ(teams_.Calls().back().conversation_id, chat);

  // Alice's personal chat is not forgotten when she writes in a channel.
  Say("list");
  Exchange(ChannelMessage("list"));
  EXPECT_EQ(StoredReference(kAlice)["conversationId"], kPersonalChat);
}

TEST_F(TeamsDeliveryTest, ADashboardLinkIsOnlyGivenInAOneToOneChat) {
  std::string text = CardText(CardOf(Exchange(ChannelMessage("dashboard")).body));
  EXPECT_TRUE(Contains(text, "1:1 chat")) << text;
  EXPECT_FALSE(Contains(text, "/app/login")) << text;
}

TEST_F(TeamsDeliveryTest, ADigestSetUpWithHereIsPostedToThatChannel) {
  CreateKr1();
  TeamsCall answer = Exchange(ChannelMessage("remind digest #here friday 16:00"));
  std::string text = CardText(CardOf(answer.body));
  EXPECT_TRUE(Contains(text, std::string("Digest to #") + kChannel)) << text;
  auto reminders = store_->ListReminders(kWorkspace);
  ASSERT_TRUE(reminders.ok());
  std::string channel;
  for (const Reminder& reminder : *reminders) {
    if (reminder.kind == "digest") channel = reminder.channel;
  }
  EXPECT_EQ(channel, kChannel) << "the channel id, not the thread";

  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  Job digest = MakeJob("#" + channel);
  digest.kind = "digest";
  DeliveryResult result = deliverer.Deliver(digest, CheckInPrompt());
  EXPECT_EQ(result.outcome, Outcome::kSent) << result.error;
  TeamsCall post = teams_.Calls().back();
  EXPECT_EQ(post.endpoint, "send");
  EXPECT_EQ(post.conversation_id, kChannel);
  EXPECT_EQ(post.activity_id, "") << "a new post in the channel";
  EXPECT_EQ(post.path, "/amer/v3/conversations/19%3Ageneral%40thread.tacv2/activities");

  // A channel okrbot never saw cannot be posted to; the error says what to do.
  DeliveryResult unknown = deliverer.Deliver(MakeJob("#19:random@thread.tacv2"), CheckInPrompt());
  EXPECT_EQ(unknown.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(unknown.error, "remind digest #here")) << unknown.error;
}

TEST_F(TeamsDeliveryTest, ChartsAreCardImagesOrTheirText) {
  Say("list");
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  Reply digest;
  digest.Header("OKR digest");
  digest.Image("Objectives · 2026-Q4", "O1 at 0.33, on track.", "<svg/>", 600, 120);
  ASSERT_EQ(deliverer.Deliver(MakeJob(kAlice), digest).outcome, Outcome::kSent);
  nlohmann::json body = CardOf(teams_.Calls().back().body)["body"];
  EXPECT_EQ(body[1]["type"], "TextBlock") << body.dump();
  digest.blocks.back().image_url =
      "https://okr.example.com/charts/" + std::string(64, 'a') + ".png";
  ASSERT_EQ(deliverer.Deliver(MakeJob(kAlice), digest).outcome, Outcome::kSent);
  body = CardOf(teams_.Calls().back().body)["body"];
  EXPECT_EQ(body[1]["type"], "Image") << body.dump();
  EXPECT_EQ(body[1]["url"], digest.blocks.back().image_url);
  EXPECT_EQ(body[1]["altText"], "Objectives · 2026-Q4: O1 at 0.33, on track.");
}

TEST_F(TeamsDeliveryTest, DeliveryFailuresAreRetriedOrGivenUp) {
  Say("list");
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  teams_.FailNext("send", 429, 1, 30);
  DeliveryResult limited = deliverer.Deliver(MakeJob(kAlice), CheckInPrompt());
  EXPECT_EQ(limited.outcome, Outcome::kRetry);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(30));
  teams_.FailNext("send", 500, 1);
  DeliveryResult failed = deliverer.Deliver(MakeJob(kAlice), CheckInPrompt());
  EXPECT_EQ(failed.outcome, Outcome::kRetry);
  EXPECT_EQ(failed.retry_after, std::chrono::seconds(0)) << "the dispatcher's backoff applies";
  teams_.FailNext("send", 403, 1);
  DeliveryResult forbidden = deliverer.Deliver(MakeJob(kAlice), CheckInPrompt());
  EXPECT_EQ(forbidden.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(forbidden.error, "403")) << forbidden.error;
  teams_.FailNext("send", 404, 1);
  EXPECT_EQ(deliverer.Deliver(MakeJob(kAlice), CheckInPrompt()).outcome,
            Outcome::kPermanentFailure);
  EXPECT_EQ(deliverer.Deliver(MakeJob(kAlice), CheckInPrompt()).outcome, Outcome::kSent);

  DeliveryResult stranger = deliverer.Deliver(MakeJob("aad-stranger"), CheckInPrompt());
  EXPECT_EQ(stranger.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(stranger.error, "open a chat with okrbot")) << stranger.error;
}

TEST_F(TeamsDeliveryTest, AWrongAppPasswordIsAPermanentFailureThatNeverShowsThePassword) {
  Say("list");
  auto wrong = MakeClient(kAppId, "wrong-password-1234");
  TeamsDeliverer deliverer(wrong.get(), store_.get(), &clock_);
  const int calls = teams_.CallCount();
  DeliveryResult result = deliverer.Deliver(MakeJob(kAlice), CheckInPrompt());
  EXPECT_EQ(result.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(result.error, "invalid_client")) << result.error;
  EXPECT_FALSE(Contains(result.error, "wrong-password-1234")) << result.error;
  EXPECT_EQ(teams_.CallCount(), calls) << "no post without a token";

  // The identity platform having trouble is worth another try.
  auto fresh = MakeClient(kAppId, kAppPassword);
  TeamsDeliverer right(fresh.get(), store_.get(), &clock_);
  teams_.FailNext("token", 503, 1);
  EXPECT_EQ(right.Deliver(MakeJob(kAlice), CheckInPrompt()).outcome, Outcome::kRetry);
  EXPECT_EQ(right.Deliver(MakeJob(kAlice), CheckInPrompt()).outcome, Outcome::kSent);
}

TEST_F(TeamsDeliveryTest, ATokenTheConnectorNoLongerAcceptsIsReplacedOnce) {
  Say("list");
  teams_.RevokeIssuedTokens();
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  const int calls = teams_.CallCount();
  DeliveryResult result = deliverer.Deliver(MakeJob(kAlice), CheckInPrompt());
  EXPECT_EQ(result.outcome, Outcome::kSent) << result.error;
  std::vector<TeamsCall> posts = teams_.Calls();
  ASSERT_EQ(posts.size(), static_cast<size_t>(calls) + 2);
  EXPECT_EQ(posts[calls].status, 401);
  EXPECT_EQ(posts[calls + 1].status, 200);
  EXPECT_EQ(posts[calls + 1].authorization, "Bearer standin-bot-token-2");
  EXPECT_EQ(teams_.TokenRequests(), 2);

  // A connector that refuses even a fresh token: permanent, after one more token only.
  teams_.FailNext("send", 401, 2);
  const int sends = teams_.CallCount("send");
  DeliveryResult refused = deliverer.Deliver(MakeJob(kAlice), CheckInPrompt());
  EXPECT_EQ(refused.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(refused.error, "401")) << refused.error;
  EXPECT_FALSE(Contains(refused.error, "standin-bot-token")) << refused.error;
  EXPECT_EQ(teams_.CallCount("send"), sends + 2);
  EXPECT_EQ(teams_.TokenRequests(), 3);
}

TEST_F(TeamsDeliveryTest, TheDispatcherRetriesARateLimitedPostAfterRetryAfter) {
  Say("list");
  Job job = MakeJob(kAlice);
  job.due_at = job.next_attempt_at = job.created_at = clock_.Now();
  ASSERT_TRUE(store_->EnqueueJob(job).ok());
  TeamsDeliverer deliverer(client_.get(), store_.get(), &clock_);
  Dispatcher dispatcher(
      store_.get(), &clock_, DispatcherOptions{}, [] { return 0.0; }, &metrics_);
  dispatcher.RegisterPlatform("teams", &deliverer);
  teams_.FailNext("send", 429, 1, 600);
  DispatchStats stats = dispatcher.RunOnce();
  EXPECT_EQ(stats.claimed, 1);
  EXPECT_EQ(stats.retried, 1);
  JobFilter pending;
  pending.state = JobState::kPending;
  auto waiting = store_->ListJobs(pending);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_GE(waiting->front().next_attempt_at, clock_.Now() + std::chrono::seconds(600));
  EXPECT_TRUE(Contains(waiting->front().last_error, "rate limited")) << waiting->front().last_error;
  clock_.Advance(std::chrono::seconds(601));
  stats = dispatcher.RunOnce();
  EXPECT_EQ(stats.sent, 1);
  EXPECT_EQ(teams_.Calls().back().status, 200);
  EXPECT_EQ(teams_.CallCount("send"), 3) << "the reply to `list`, the 429, the post";
}

// Microsoft is down for 15 minutes while a prompt is due, in each way it can be down: the
// token endpoint hung (timeouts) or refusing connections, the connector answering 500, 429
// with Retry-After, 503. The dispatcher runs every 30 s on a fake clock. The prompt waits,
// then goes out exactly once when Teams is back; it is never dead-lettered.
TEST_F(TeamsDeliveryTest, AFifteenMinuteOutageDelaysAPostWithoutLosingOrRepeatingIt) {
  Say("list");  // Alice's personal chat is known, and client_ holds a bot token
  Job job = MakeJob(kAlice);
  job.due_at = job.next_attempt_at = job.created_at = clock_.Now();
  ASSERT_TRUE(store_->EnqueueJob(job).ok());

  SilentListener hung;
  RefusingPort refusing;
  auto client_with_token_url = [&](const std::string& token_url) {
    TeamsClientOptions options;
    options.app_id = kAppId;
    options.app_password = kAppPassword;
    options.token_url = token_url;
    options.connect_timeout = std::chrono::milliseconds(300);
    options.read_timeout = std::chrono::milliseconds(300);
    return std::make_unique<TeamsClient>(options, &clock_);
  };
  auto hung_client =
      client_with_token_url("http://127.0.0.1:" + std::to_string(hung.port()) + "/token");
  auto refused_client =
      client_with_token_url("http://127.0.0.1:" + std::to_string(refusing.port()) + "/token");
  TeamsDeliverer through_hung(hung_client.get(), store_.get(), &clock_);
  TeamsDeliverer through_refused(refused_client.get(), store_.get(), &clock_);
  TeamsDeliverer normal(client_.get(), store_.get(), &clock_);
  Dispatcher dispatcher(
      store_.get(), &clock_, DispatcherOptions{}, [] { return 0.5; }, &metrics_);
  const size_t calls_before = teams_.Calls("send").size();

  for (int step = 0; step < 30; ++step) {
    teams_.ClearFailures();
    dispatcher.RegisterPlatform("teams", &normal);
    switch (step % 5) {
      case 0:
        dispatcher.RegisterPlatform("teams", &through_hung);
        break;
      case 1:
        dispatcher.RegisterPlatform("teams", &through_refused);
        break;
      case 2:
        teams_.FailNext("send", 500, 1000);
        break;
      case 3:
        teams_.FailNext("send", 429, 1000, 90);
        break;
      default:
        teams_.FailNext("send", 503, 1000);
        break;
    }
    DispatchStats stats = dispatcher.RunOnce();
    EXPECT_EQ(stats.sent, 0) << "step " << step;
    EXPECT_EQ(stats.dead, 0) << "step " << step;
    clock_.Advance(std::chrono::seconds(30));
  }

  teams_.ClearFailures();  // Teams is back
  dispatcher.RegisterPlatform("teams", &normal);
  int sent = 0;
  for (int minute = 0; minute < 120; ++minute) {
    DispatchStats stats = dispatcher.RunOnce();
    sent += stats.sent;
    EXPECT_EQ(stats.dead, 0);
    clock_.Advance(std::chrono::minutes(1));
  }
  EXPECT_EQ(sent, 1);
  auto sends = teams_.Calls("send");
  int delivered = 0;
  for (size_t i = calls_before; i < sends.size(); ++i) {
    if (sends[i].status == 200) ++delivered;
  }
  EXPECT_EQ(delivered, 1) << "the prompt reached Alice's chat exactly once";
  JobFilter done;
  done.state = JobState::kSent;
  auto jobs = store_->ListJobs(done);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_GT(jobs->front().attempts, 3);
}

TEST_F(TeamsDeliveryTest, AnInteractiveReplyIsRetriedAfterAServerError) {
  teams_.FailNext("send", 500, 1);
  teams_.FailNext("send", 429, 1, 1);  // waits at most max_retry_wait (50 ms), not a second
  json message = Message("objective add \"Survive a flaky connector\"");
  ASSERT_EQ(Post(message, ValidToken())->status, 200);
  ASSERT_TRUE(teams_.WaitForCalls(3));
  std::vector<TeamsCall> calls = teams_.Calls();
  ASSERT_EQ(calls.size(), 3u);
  for (const TeamsCall& call : calls) {
    EXPECT_EQ(call.endpoint, "send");
    EXPECT_EQ(call.activity_id, message["id"]);
  }
  EXPECT_EQ(calls[0].status, 500);
  EXPECT_EQ(calls[1].status, 429);
  EXPECT_EQ(calls[2].status, 200);
  EXPECT_TRUE(Contains(CardText(CardOf(calls[2].body)), "Created O1"));
}

// --- TEAMS_AUTH=off (local development with the Agents Playground) ----------------------------

TEST_F(TeamsAuthTest, WithAuthOffActivitiesNeedNoTokenAndRepliesCarryNone) {
  StopServing();
  teams_.SetAppCredentials("", "");  // the playground checks nothing
  local_client_ = MakeClient("", "");
  Serve(local_client_.get(), /*auth=*/nullptr);
  json message = Message("objective add \"Try it locally\"");
  message.erase("channelData");
  message["conversation"].erase("tenantId");
  auto res = Post(message, /*token=*/"");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  ASSERT_TRUE(teams_.WaitForCalls(1));
  TeamsCall reply = teams_.Calls()[0];
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.authorization, "") << "no bot token without an app id";
  EXPECT_EQ(reply.activity_id, message["id"]);
  EXPECT_TRUE(Contains(CardText(CardOf(reply.body)), "Created O1: Try it locally"));
  EXPECT_EQ(teams_.TokenRequests(), 0);
  EXPECT_TRUE(store_->GetObjective("teams:local", 1).ok()) << "no tenant: the local workspace";
}

}  // namespace
}  // namespace okrbot::testing
