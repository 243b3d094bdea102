// Slack end to end: the real server on loopback (OkrbotServer, as `okrbot serve` runs it) with
// a local Slack Web API stand-in, driven by correctly signed requests.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "adapters/common/form.h"
#include "adapters/slack/slack_signature.h"
#include "cli/server.h"
#include "storage/open_store.h"
#include "tests/log_capture.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

using nlohmann::json;

// Sends raw bytes and returns what the server answered before closing or 2 s of silence.
std::string RawExchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      answer.append(buf, static_cast<size_t>(n));
      if (answer.find("\r\n\r\n") != std::string::npos) break;
    }
  }
  close(fd);
  return answer;
}

// Raw sockets that complete one keep-alive request and then sit idle, holding server workers.
std::vector<int> OpenIdleKeepAliveConnections(int port, int count) {
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd);
      continue;
    }
    std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
    if (write(fd, request.data(), request.size()) < 0) {
      close(fd);
      continue;
    }
    char buf[512];
    if (read(fd, buf, sizeof buf) <= 0) {
      close(fd);
      continue;
    }
    fds.push_back(fd);
  }
  return fds;
}

constexpr char kSigningSecret[] = "test-signing-secret";
constexpr char kSecretKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const bool kSlackSecretsForbidden = [] {
  for (const char* secret :
       {kSigningSecret, kSecretKey, "xoxb-single-token", "client-secret", "xoxb-T1-installed"}) {
    ForbidInLogs(secret);
  }
  return true;
}();

class SlackTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(/*single_workspace=*/true); }

  void Start(bool single_workspace) {
    auto store = OpenStore("sqlite://" + dir_.File("okrbot.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    Config config;
    config.listen = "127.0.0.1:0";
    config.log_level = "trace";
    config.http_threads = 32;
    config.slack_signing_secret = kSigningSecret;
    config.slack_api_base = slack_.ApiBase();
    config.secret_key = kSecretKey;
    config.slack_authorize_url = "https://slack.example/oauth/v2/authorize";
    if (single_workspace) {
      config.slack_bot_token = "xoxb-single-token";
    } else {
      config.slack_client_id = "123.456";
      config.slack_client_secret = "client-secret";
    }
    config.slack_command_budget_ms = budget_ms_;
    server_ = std::make_unique<OkrbotServer>(config, store_.get(), &clock_);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
    slack_.SetUser("UALICE", "alice", "Europe/Berlin");
    slack_.SetUser("UBOB", "bob", "America/New_York");
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }

  std::string Timestamp(int offset_seconds = 0) const {
    return std::to_string(clock_.Now().time_since_epoch().count() + offset_seconds);
  }

  httplib::Headers Signed(const std::string& body, const std::string& ts) const {
    SlackSignatureVerifier signer(kSigningSecret, &clock_);
    return {{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", signer.Sign(ts, body)}};
  }

  httplib::Result PostSigned(
      const std::string& path, const std::string& body,
      const std::string& content_type = "application/x-www-form-urlencoded") {
    return client_->Post(path.c_str(), Signed(body, Timestamp()), body, content_type.c_str());
  }

  // A slash command as Slack sends it; returns the parsed JSON answer.
  json Command(const std::string& text, const std::string& user = "UALICE",
               const std::string& team = "T1", int* status = nullptr) {
    std::string body = FormEncode({{"token", "legacy"},
                                   {"team_id", team},
                                   {"team_domain", "acme"},
                                   {"channel_id", "C1"},
                                   {"user_id", user},
                                   {"user_name", user == "UALICE" ? "alice" : "bob"},
                                   {"command", "/okr"},
                                   {"text", text},
                                   {"response_url", slack_.ResponseUrl("r1")},
                                   // Slack gives every invocation its own trigger id.
                                   {"trigger_id", "1.2." + std::to_string(++triggers_)}});
    auto res = PostSigned("/slack/commands", body);
    EXPECT_TRUE(res);
    if (!res) return json();
    if (status != nullptr) *status = res->status;
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body, nullptr, false);
  }

  std::string CommandText(const std::string& text, const std::string& user = "UALICE",
                          const std::string& team = "T1") {
    json answer = Command(text, user, team);
    return answer.is_object() ? answer.value("text", "") : "";
  }

  httplib::Result Interaction(const json& payload) {
    return PostSigned("/slack/interactions", FormEncode({{"payload", payload.dump()}}));
  }

  size_t CheckIns(const std::string& workspace, int64_t kr) {
    auto list = store_->ListCheckIns(workspace, kr, 0);
    return list.ok() ? list->size() : 0;
  }

  void SeedOkrs() {
    CommandText("objective add \"Delight our customers\"");
    CommandText("kr add O1 \"Increase our NPS from 55 to 70\"");
  }

  TempDir dir_;
  int triggers_ = 0;
  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};  // 2026-11-02 09:00 UTC
  SlackStandIn slack_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<OkrbotServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int budget_ms_ = 2500;
};

TEST_F(SlackTest, EverySubcommandAnswersInSlackShape) {
  json created = Command("objective add \"Delight our customers\" team:support");
  EXPECT_EQ(created["response_type"], "ephemeral");
  EXPECT_NE(created["text"].get<std::string>().find("Created O1: Delight our customers"),
            std::string::npos);
  ASSERT_TRUE(created["blocks"].is_array());
  EXPECT_EQ(created["blocks"][0]["type"], "header");

  struct Step {
    std::string command;
    std::string expected;
  };
  std::vector<Step> steps = {
      {"kr add O1 \"Increase our NPS from 55 to 70\" owner:<@UBOB|bob>", "Added KR1 to O1"},
      {"kr add O1 \"Launch the new help center\"", "binary"},
      {"help", "/okr objective add"},
      {"help update", "Usage: /okr update"},
      {"list", "O1 Delight our customers"},
      {"show O1", "O1: Delight our customers"},
      {"show KR1", "Metric: 55 → 70 (increase)"},
      {"tree", "Alignment tree"},
      {"initiative add KR1 \"Run 50 customer interviews\"", "Added I1 to KR1"},
      {"initiative done I1", "I1 done"},
      {"edit KR1 to:75", "target: 70 → 75"},
      {"review", "KR2 · binary"},
      {"keep KR2", "Kept KR2 as written"},
      {"stale", "Nothing is stale"},
      {"remind checkin monday 10:00", "every Monday at 10:00"},
      {"remind digest #okrs friday 16:00 tz:Europe/Berlin", "Digest to #okrs"},
      {"remind show", "Digest to #okrs: Friday 16:00"},
      {"snooze KR2 1w", "Snoozed KR2 until 2026-11-09"},
      {"away until:2026-12-24", "away until 2026-12-24"},
      {"away off", "Welcome back"},
      {"todo", "What needs you now"},
      {"tz Asia/Tokyo", "Asia/Tokyo"},
      {"archive KR2", "Archived KR2"},
      {"remind off", "Reminders are off"},
      {"frobnicate", "`frobnicate` is not a command I know"},
  };
  for (const auto& step : steps) {
    std::string text = CommandText(step.command);
    EXPECT_NE(text.find(step.expected), std::string::npos) << step.command << "\n" << text;
  }
  json update = Command("update KR1 62 confidence:high new flow", "UBOB");
  EXPECT_NE(update["text"].get<std::string>().find("KR1 updated: 62"), std::string::npos);
  json summary = Command("summary");
  EXPECT_EQ(summary["response_type"], "in_channel") << "summary goes to the channel";
  EXPECT_EQ(Command("list public:yes")["response_type"], "in_channel");
  EXPECT_EQ(CheckIns("slack:T1", 1), 1u);
}

TEST_F(SlackTest, UsersInfoGivesNameAndZoneAndIsCached) {
  CommandText("list");
  CommandText("list");
  CommandText("todo");
  EXPECT_EQ(slack_.CallCount("users.info"), 1);
  auto calls = slack_.Calls("users.info");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].token, "xoxb-single-token");
  auto user = store_->GetUser("slack:T1", "UALICE");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->tz, "Europe/Berlin");
  EXPECT_EQ(user->display_name.empty(), false);
}

TEST_F(SlackTest, ForgedStaleOrUnsignedRequestsAreRefusedAndStoreNothing) {
  std::string body = FormEncode({{"team_id", "T1"},
                                 {"user_id", "UALICE"},
                                 {"command", "/okr"},
                                 {"text", "objective add \"Forged\""}});
  auto forged = client_->Post("/slack/commands",
                              {{"X-Slack-Request-Timestamp", Timestamp()},
                               {"X-Slack-Signature", "v0=" + std::string(64, 'a')}},
                              body, "application/x-www-form-urlencoded");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto stale = client_->Post("/slack/commands", Signed(body, Timestamp(-301)), body,
                             "application/x-www-form-urlencoded");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 401);
  auto unsigned_request =
      client_->Post("/slack/commands", body, "application/x-www-form-urlencoded");
  ASSERT_TRUE(unsigned_request);
  EXPECT_EQ(unsigned_request->status, 401);
  auto tampered_headers = Signed(body, Timestamp());
  auto tampered = client_->Post("/slack/commands", tampered_headers, body + "x",
                                "application/x-www-form-urlencoded");
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 401);
  for (const char* path : {"/slack/interactions", "/slack/events"}) {
    auto res = client_->Post(path, "{}", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << path;
  }
  EXPECT_TRUE(store_->ListWorkspaces()->empty()) << "nothing from a refused request is stored";
}

TEST_F(SlackTest, OversizedBodiesAndBrokenPayloadsAreRefused) {
  // The server answers 413 from the declared length, before reading (or storing) the body.
  std::string answer = RawExchange(server_->port(),
                                   "POST /slack/commands HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Type: application/x-www-form-urlencoded\r\n"
                                   "Content-Length: 2097152\r\n\r\ntext=aaaa");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  // Interaction payloads above 8 KiB are normal and must not be refused.
  SeedOkrs();
  json big_payload = {
      {"type", "block_actions"},
      {"user", {{"id", "UALICE"}, {"team_id", "T1"}}},
      {"team", {{"id", "T1"}}},
      {"actions", json::array({{{"action_id", "checkin.snooze"}, {"value", "KR1"}}})},
      {"container", {{"channel_id", "C1"}, {"message_ts", "1.2"}}},
      {"padding", std::string(20000, 'p')}};
  auto big = Interaction(big_payload);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 200) << big->body;
  auto broken = PostSigned("/slack/interactions", "payload=%7Bnot-json");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400);
  auto no_payload = PostSigned("/slack/interactions", "other=1");
  ASSERT_TRUE(no_payload);
  EXPECT_EQ(no_payload->status, 400);
  auto bad_form = PostSigned("/slack/commands", "text=%ZZ");
  ASSERT_TRUE(bad_form);
  EXPECT_EQ(bad_form->status, 400);
  auto bad_event = PostSigned("/slack/events", "{oops", "application/json");
  ASSERT_TRUE(bad_event);
  EXPECT_EQ(bad_event->status, 400);
}

TEST_F(SlackTest, AnotherWorkspaceCannotReadOrWriteTheFirstOnesKrs) {
  SeedOkrs();
  CommandText("update KR1 60");
  for (const char* command : {"show KR1", "update KR1 99", "list O1", "edit KR1 to:1"}) {
    json answer = Command(command, "UALICE", "T2");
    std::string text = answer.value("text", "");
    EXPECT_EQ(text.find("Delight our customers"), std::string::npos) << command;
    EXPECT_EQ(text.find("Increase our NPS"), std::string::npos) << command;
  }
  EXPECT_EQ(CheckIns("slack:T1", 1), 1u);
  EXPECT_EQ(store_->GetKeyResult("slack:T1", 1)->target, 70.0);
  json payload = {{"type", "block_actions"},
                  {"user", {{"id", "UALICE"}, {"team_id", "T2"}}},
                  {"team", {{"id", "T2"}}},
                  {"trigger_id", "t"},
                  {"actions", json::array({{{"action_id", "checkin.nochange"}, {"value", "KR1"}}})},
                  {"container", {{"channel_id", "C1"}, {"message_ts", "1.2"}}}};
  ASSERT_TRUE(Interaction(payload));
  EXPECT_EQ(CheckIns("slack:T1", 1), 1u);
}

TEST_F(SlackTest, CheckInThroughButtonModalAndSubmission) {
  SeedOkrs();
  CommandText("update KR1 60");
  json show = Command("show KR1");
  bool has_update_button = false;
  for (const auto& block : show["blocks"]) {
    if (block["type"] == "actions" && block["elements"][0]["action_id"] == "checkin.update") {
      has_update_button = true;
    }
  }
  EXPECT_TRUE(has_update_button) << show.dump();

  json press = CheckInUpdatePress(slack_.ResponseUrl("press"));
  auto pressed = Interaction(press);
  ASSERT_TRUE(pressed);
  EXPECT_EQ(pressed->status, 200);
  ASSERT_EQ(slack_.CallCount("views.open"), 1);
  json view = slack_.Calls("views.open")[0].args["view"];
  if (view.is_string()) view = json::parse(view.get<std::string>());
  EXPECT_EQ(slack_.Calls("views.open")[0].args["trigger_id"], "trigger-1");
  EXPECT_EQ(view["callback_id"], "checkin");
  std::string metadata = view["private_metadata"];
  EXPECT_EQ(metadata.rfind("KR1|D1|1700.1|0|", 0), 0u) << metadata;

  auto submission = [&](const std::string& value, const std::string& confidence) {
    return CheckInModalSubmission(metadata, value, confidence);
  };
  auto invalid = Interaction(submission("lots", "200"));
  ASSERT_TRUE(invalid);
  json errors = json::parse(invalid->body);
  EXPECT_EQ(errors["response_action"], "errors");
  EXPECT_TRUE(errors["errors"].contains("value"));
  EXPECT_TRUE(errors["errors"].contains("confidence"));
  EXPECT_EQ(CheckIns("slack:T1", 1), 1u) << "an invalid submission stores nothing";

  auto binary_word = Interaction(submission("done", ""));
  ASSERT_TRUE(binary_word);
  EXPECT_NE(binary_word->body.find("measured by a number"), std::string::npos) << binary_word->body;

  auto valid = Interaction(submission("64", "high"));
  ASSERT_TRUE(valid);
  EXPECT_EQ(valid->status, 200);
  EXPECT_TRUE(valid->body.empty() || valid->body == "null" || valid->body == "{}") << valid->body;
  ASSERT_TRUE(slack_.WaitForCalls("chat.update", 1));
  auto update = slack_.Calls("chat.update")[0];
  EXPECT_EQ(update.args["channel"], "D1");
  EXPECT_EQ(update.args["ts"], "1700.1");
  EXPECT_NE(update.args["text"].get<std::string>().find("KR1 updated: 64"), std::string::npos);
  auto stored = store_->ListCheckIns("slack:T1", 1, 0).value();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].value, 64);
  EXPECT_EQ(stored[0].confidence, 80);
  EXPECT_EQ(stored[0].note, "shipped");

  json no_change = press;
  no_change["actions"][0]["action_id"] = "checkin.nochange";
  no_change["trigger_id"] = "trigger-2";
  ASSERT_TRUE(Interaction(no_change));
  ASSERT_TRUE(slack_.WaitForCalls("chat.update", 2));
  EXPECT_EQ(CheckIns("slack:T1", 1), 3u);
  json snooze = press;
  snooze["actions"][0]["action_id"] = "checkin.snooze";
  snooze["trigger_id"] = "trigger-3";
  ASSERT_TRUE(Interaction(snooze));
  ASSERT_TRUE(slack_.WaitForCalls("chat.update", 3));
  EXPECT_TRUE(store_->GetKeyResult("slack:T1", 1)->snoozed_until.has_value());
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("okrbot_checkins_recorded_total 3"), std::string::npos)
      << "the /okr update and both form check-ins are counted";
  EXPECT_NE(metrics->body.find("route=\"/slack/interactions\",status=\"200\""), std::string::npos);
}

TEST_F(SlackTest, AButtonInAMultiKrPromptUpdatesOnlyItsOwnKr) {
  SeedOkrs();
  CommandText("kr add O1 \"Increase CSAT from 82% to 90%\"");
  CommandText("update KR1 60");
  auto actions = [](const std::string& kr) {
    return json{
        {"type", "actions"},
        {"elements",
         json::array({{{"type", "button"}, {"action_id", "checkin.update"}, {"value", kr}},
                      {{"type", "button"}, {"action_id", "checkin.nochange"}, {"value", kr}}})}};
  };
  json prompt_blocks = json::array(
      {{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", "Weekly check-in"}}}},
       actions("KR1"),
       actions("KR2")});
  json press = {{"type", "block_actions"},
                {"user", {{"id", "UALICE"}, {"team_id", "T1"}}},
                {"team", {{"id", "T1"}}},
                {"response_url", slack_.ResponseUrl("multi")},
                {"actions", json::array({{{"action_id", "checkin.nochange"}, {"value", "KR1"}}})},
                {"container", {{"channel_id", "D1"}, {"message_ts", "1800.1"}}},
                {"message", {{"ts", "1800.1"}, {"blocks", prompt_blocks}}}};
  ASSERT_TRUE(Interaction(press));
  ASSERT_TRUE(slack_.WaitForCalls("chat.update", 1));
  json blocks = slack_.Calls("chat.update")[0].args["blocks"];
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0]["type"], "header");
  EXPECT_EQ(blocks[1]["type"], "context") << "KR1's buttons became the outcome";
  EXPECT_NE(blocks[1]["elements"][0]["text"].get<std::string>().find("KR1 updated"),
            std::string::npos);
  EXPECT_EQ(blocks[2], actions("KR2")) << "KR2 can still be checked in from the same message";

  // Someone who may not update KR1 gets a private answer; the shared message stays as it is.
  json stranger = press;
  stranger["user"] = {{"id", "UBOB"}, {"team_id", "T1"}};
  ASSERT_TRUE(Interaction(stranger));
  ASSERT_TRUE(slack_.WaitForCalls("response_url", 1));
  auto answer = slack_.Calls("response_url")[0].args;
  EXPECT_EQ(answer["response_type"], "ephemeral");
  EXPECT_EQ(answer["replace_original"], false);
  EXPECT_NE(answer["text"].get<std::string>().find("Only"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(slack_.CallCount("chat.update"), 1);
}

// An attacker who captured one signed command replays it within Slack's 5-minute window: the
// signature is valid, but the command runs once.
TEST_F(SlackTest, AReplayedSignedCommandRunsOnce) {
  Command("objective add \"Delight our customers\"");
  Command("kr add O1 \"Increase our NPS from 55 to 70\"");
  std::string body = FormEncode({{"team_id", "T1"},
                                 {"user_id", "UALICE"},
                                 {"user_name", "alice"},
                                 {"command", "/okr"},
                                 {"text", "update KR1 +5"},
                                 {"response_url", slack_.ResponseUrl("r1")},
                                 {"trigger_id", "captured.1"}});
  auto original = PostSigned("/slack/commands", body);
  ASSERT_TRUE(original);
  EXPECT_NE(original->body.find("KR1 updated"), std::string::npos) << original->body;
  auto replayed = PostSigned("/slack/commands", body);
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->status, 403) << replayed->body;
  EXPECT_EQ(CheckIns("slack:T1", 1), 1u);
  std::string archive = FormEncode({{"team_id", "T1"},
                                    {"user_id", "UALICE"},
                                    {"user_name", "alice"},
                                    {"command", "/okr"},
                                    {"text", "objective add \"Grow\""},
                                    {"response_url", slack_.ResponseUrl("r2")},
                                    {"trigger_id", "captured.2"}});
  ASSERT_TRUE(PostSigned("/slack/commands", archive));
  auto replayed_write = PostSigned("/slack/commands", archive);
  ASSERT_TRUE(replayed_write);
  EXPECT_EQ(replayed_write->status, 403) << "any change, not only check-ins";
  EXPECT_EQ(store_->ListObjectives("slack:T1", {})->size(), 2u);
}

TEST_F(SlackTest, EventsVerifyHomeRetriesAndUninstall) {
  auto challenge =
      PostSigned("/slack/events", R"({"type":"url_verification","challenge":"3eZbrw1aB"})",
                 "application/json");
  ASSERT_TRUE(challenge);
  EXPECT_EQ(json::parse(challenge->body)["challenge"], "3eZbrw1aB");
  SeedOkrs();
  json home = {{"type", "event_callback"},
               {"team_id", "T1"},
               {"event_id", "Ev1"},
               {"event", {{"type", "app_home_opened"}, {"user", "UALICE"}, {"tab", "home"}}}};
  std::string body = home.dump();
  auto first = PostSigned("/slack/events", body, "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto headers = Signed(body, Timestamp());
  headers.emplace("X-Slack-Retry-Num", "1");
  headers.emplace("X-Slack-Retry-Reason", "http_timeout");
  auto retry = client_->Post("/slack/events", headers, body, "application/json");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 200);
  ASSERT_TRUE(slack_.WaitForCalls("views.publish", 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(slack_.CallCount("views.publish"), 1) << "the retry was de-duplicated";
  auto published = slack_.Calls("views.publish")[0];
  EXPECT_EQ(published.args["user_id"], "UALICE");
  EXPECT_NE(published.body.find("Delight our customers"), std::string::npos);

  json uninstall = {{"type", "event_callback"},
                    {"team_id", "T1"},
                    {"event_id", "Ev2"},
                    {"event", {{"type", "app_uninstalled"}}}};
  ASSERT_TRUE(PostSigned("/slack/events", uninstall.dump(), "application/json"));
  EXPECT_FALSE(store_->GetWorkspace("slack:T1")->installed);
  // Reinstalled (single-token mode has no OAuth callback): a signed command brings it back.
  EXPECT_NE(CommandText("list").find("O1 Delight our customers"), std::string::npos);
  EXPECT_TRUE(store_->GetWorkspace("slack:T1")->installed);
}

TEST_F(SlackTest, SlowCommandsAreAcknowledgedThenAnsweredThroughResponseUrl) {
  server_->Stop();
  server_.reset();
  budget_ms_ = 100;
  slack_.SetDelay("users.info", std::chrono::milliseconds(600));
  Start(/*single_workspace=*/true);
  auto start = std::chrono::steady_clock::now();
  json ack = Command("help");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
  EXPECT_EQ(ack["text"], "Working on it…");
  ASSERT_TRUE(slack_.WaitForCalls("response_url", 1));
  auto late = slack_.Calls("response_url")[0];
  EXPECT_EQ(late.args["response_type"], "ephemeral");
  EXPECT_NE(late.args["text"].get<std::string>().find("/okr objective add"), std::string::npos);
}

class SlackOAuthTest : public SlackTest {
 protected:
  void SetUp() override { Start(/*single_workspace=*/false); }
};

TEST_F(SlackOAuthTest, UnknownTeamGetsAnInstallHintAndNothingIsStored) {
  json answer = Command("objective add \"Sneaky\"", "UALICE", "TUNKNOWN");
  EXPECT_NE(answer["text"].get<std::string>().find("not installed"), std::string::npos);
  EXPECT_TRUE(store_->ListWorkspaces()->empty());
}

TEST_F(SlackOAuthTest, InstallStoresAnEncryptedTokenAndReinstallUpdatesIt) {
  slack_.SetOAuth("123.456", "client-secret", "good-code",
                  {{"access_token", "xoxb-secret-bot-token-1"},
                   {"team", {{"id", "T9"}, {"name", "Initech"}}},
                   {"bot_user_id", "UBOT9"},
                   {"authed_user", {{"id", "UADMIN"}}},
                   {"scope", "commands,chat:write"}});
  auto install = client_->Get("/slack/install");
  ASSERT_TRUE(install);
  EXPECT_EQ(install->status, 302);
  std::string location = install->get_header_value("Location");
  EXPECT_EQ(location.rfind("https://slack.example/oauth/v2/authorize?client_id=123.456", 0), 0u)
      << location;
  std::string state = location.substr(location.find("state=") + 6);
  auto bad_state = client_->Get("/slack/oauth/callback?code=good-code&state=forged");
  ASSERT_TRUE(bad_state);
  EXPECT_EQ(bad_state->status, 403);
  auto callback = client_->Get(("/slack/oauth/callback?code=good-code&state=" + state).c_str());
  ASSERT_TRUE(callback);
  EXPECT_EQ(callback->status, 200) << callback->body;
  EXPECT_NE(callback->body.find("Initech"), std::string::npos);
  auto installation = store_->GetInstallation("slack:T9");
  ASSERT_TRUE(installation.ok());
  EXPECT_EQ(installation->bot_user_id, "UBOT9");
  EXPECT_EQ(installation->installer, "UADMIN");
  EXPECT_EQ(installation->bot_token_sealed.rfind("v1:", 0), 0u);
  EXPECT_EQ(installation->bot_token_sealed.find("xoxb"), std::string::npos);

  // The installed team can use the bot, with its own token.
  EXPECT_NE(CommandText("objective add \"Grow\"", "UALICE", "T9").find("Created O1"),
            std::string::npos);
  auto calls = slack_.Calls("users.info");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back().token, "xoxb-secret-bot-token-1");

  slack_.SetOAuth("123.456", "client-secret", "code-2",
                  {{"access_token", "xoxb-secret-bot-token-2"},
                   {"team", {{"id", "T9"}, {"name", "Initech"}}},
                   {"bot_user_id", "UBOT9"},
                   {"authed_user", {{"id", "UADMIN"}}},
                   {"scope", "commands,chat:write,users:read"}});
  std::string state2 = client_->Get("/slack/install")->get_header_value("Location");
  state2 = state2.substr(state2.find("state=") + 6);
  ASSERT_EQ(client_->Get(("/slack/oauth/callback?code=code-2&state=" + state2).c_str())->status,
            200);
  EXPECT_EQ(store_->GetInstallation("slack:T9")->scopes, "commands,chat:write,users:read");
  auto bad_code = client_->Get(("/slack/oauth/callback?code=wrong&state=" + state2).c_str());
  ASSERT_TRUE(bad_code);
  EXPECT_EQ(bad_code->status, 502);

  std::string db = ReadFile(dir_.File("okrbot.db")) + ReadFile(dir_.File("okrbot.db-wal"));
  EXPECT_EQ(db.find("xoxb-secret-bot-token"), std::string::npos)
      << "the database holds no bot token in clear text";

  json uninstall = {{"type", "event_callback"},
                    {"team_id", "T9"},
                    {"event_id", "EvU"},
                    {"event", {{"type", "tokens_revoked"}}}};
  ASSERT_TRUE(PostSigned("/slack/events", uninstall.dump(), "application/json"));
  EXPECT_EQ(store_->GetInstallation("slack:T9")->bot_token_sealed, "");
  EXPECT_NE(CommandText("list", "UALICE", "T9").find("not installed"), std::string::npos);
}

TEST_F(SlackTest, IdleKeepAliveConnectionsDoNotDelayANewClient) {
  SeedOkrs();
  CommandText("list");  // warm the users.info cache
  std::vector<int> idle = OpenIdleKeepAliveConnections(server_->port(), 20);
  ASSERT_EQ(idle.size(), 20u);
  httplib::Client fresh("127.0.0.1", server_->port());
  std::string body = FormEncode({{"team_id", "T1"},
                                 {"user_id", "UALICE"},
                                 {"command", "/okr"},
                                 {"text", "list"},
                                 {"response_url", slack_.ResponseUrl("k")}});
  auto start = std::chrono::steady_clock::now();
  auto res = fresh.Post("/slack/commands", Signed(body, Timestamp()), body,
                        "application/x-www-form-urlencoded");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(elapsed, std::chrono::milliseconds(100))
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
  for (int fd : idle) close(fd);
}

}  // namespace
}  // namespace okrbot::testing
