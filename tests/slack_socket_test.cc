// Slack over Socket Mode end to end: the real server (OkrbotServer, as `okrbot serve` runs it)
// with SLACK_APP_TOKEN and no signing secret, the Web API stand-in answering
// apps.connections.open with the TLS Socket Mode stand-in's URL. The key scenarios of
// tests/slack_test.cc (commands, check-in modal, App Home, single workspace) over envelopes.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "cli/server.h"
#include "storage/open_store.h"
#include "tests/postgres_server.h"
#include "tests/slack_socket_standin.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A single-workspace Socket Mode server on loopback, trusting the stand-in's test CA.
Config SocketModeConfig(const std::string& api_base, int sockets) {
  Config config;
  config.listen = "127.0.0.1:0";
  config.scheduler = false;
  config.slack_app_token = "xapp-1-A1-test";
  config.slack_bot_token = "xoxb-single-token";
  config.slack_api_base = api_base;
  config.slack_ca_file = SlackSocketStandIn::CaFile();
  config.slack_sockets = sockets;
  return config;
}

class SlackSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://" + dir_.File("okrbot.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    slack_.SetAnswer("apps.connections.open", {{"ok", true}, {"url", socket_.Url()}});
    slack_.SetUser("UALICE", "alice", "Europe/Berlin");
    Config config = SocketModeConfig(slack_.ApiBase(), 2);
    config.log_level = "info";
    config.slack_command_budget_ms = budget_ms_;
    ASSERT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config).message();
    server_ = std::make_unique<OkrbotServer>(config, store_.get(), &clock_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(socket_.WaitForOpen(2, 5s));
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  // Sends an envelope on the newest open connection and returns its ack's payload (null when
  // the ack has none); fails the test when no ack comes within 3 s.
  json Envelope(const std::string& type, const json& payload, std::string id = "", int retry = 0) {
    auto open = socket_.OpenConnections();
    EXPECT_FALSE(open.empty());
    if (open.empty()) return json();
    auto sent = std::chrono::steady_clock::now();
    id = socket_.SendEnvelope(open.back(), type, payload, id, retry);
    auto ack = socket_.WaitForAck(id, 3s);
    EXPECT_TRUE(ack) << "no ack for " << id;
    if (!ack) return json();
    EXPECT_LT(ack->at - sent, 3s);
    acked_.push_back(id);
    return ack->has_payload ? ack->payload : json();
  }

  json Command(const std::string& text, const std::string& team = "T1", std::string id = "",
               int retry = 0, std::string trigger = "") {
    if (trigger.empty()) trigger = "1.2." + std::to_string(++triggers_);
    return Envelope("slash_commands",
                    {{"token", "legacy"},
                     {"team_id", team},
                     {"channel_id", "C1"},
                     {"user_id", "UALICE"},
                     {"user_name", "alice"},
                     {"command", "/okr"},
                     {"text", text},
                     {"response_url", slack_.ResponseUrl("r1")},
                     {"trigger_id", trigger}},
                    id, retry);
  }

  std::string CommandText(const std::string& text) {
    json answer = Command(text);
    return answer.is_object() ? answer.value("text", "") : "";
  }

  TempDir dir_;
  int triggers_ = 0;
  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};
  SlackStandIn slack_;
  SlackSocketStandIn socket_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<OkrbotServer> server_;
  std::vector<std::string> acked_;
  int budget_ms_ = 2500;
};

class SlackSocketSlowTest : public SlackSocketTest {
 protected:
  void SetUp() override {
    budget_ms_ = 100;
    slack_.SetDelay("users.info", 600ms);
    SlackSocketTest::SetUp();
  }
};

TEST_F(SlackSocketSlowTest, ASlowCommandIsAckedThenAnsweredThroughResponseUrl) {
  auto start = std::chrono::steady_clock::now();
  json ack = Command("help");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(ack.value("text", ""), "Working on it…") << ack.dump();
  ASSERT_TRUE(slack_.WaitForCalls("response_url", 1));
  auto posted = slack_.Calls("response_url")[0];
  EXPECT_FALSE(posted.args.value("text", "").empty()) << posted.body;
}

TEST_F(SlackSocketTest, CommandsAreAnsweredInTheAckPayload) {
  EXPECT_EQ(slack_.Calls("apps.connections.open")[0].token, "xapp-1-A1-test");
  json created = Command("objective add \"Delight our customers\" team:support");
  EXPECT_EQ(created["response_type"], "ephemeral");
  EXPECT_NE(created.value("text", "").find("O1"), std::string::npos) << created.dump();
  CommandText("kr add O1 \"Increase our NPS from 55 to 70\"");
  EXPECT_NE(CommandText("list").find("O1 Delight our customers"), std::string::npos);
  EXPECT_EQ(Command("list public:yes")["response_type"], "in_channel");
  EXPECT_TRUE(store_->GetWorkspace("slack:T1")->installed) << "single workspace, no OAuth";
}

TEST_F(SlackSocketTest, AReSentCommandEnvelopeRunsOnce) {
  Command("objective add \"Delight our customers\"", "T1", "env-add", 0, "trigger-add");
  Command("objective add \"Delight our customers\"", "T1", "env-add", 1, "trigger-add");
  // Slack re-sends it on the other connection after a reconnect.
  auto open = socket_.OpenConnections();
  socket_.Reset(open.back());
  ASSERT_TRUE(socket_.WaitForAccepted(3, 5s));
  ASSERT_TRUE(socket_.WaitForOpen(2, 5s));
  Command("objective add \"Delight our customers\"", "T1", "env-add", 2, "trigger-add");
  EXPECT_EQ(store_->ListObjectives("slack:T1", {})->size(), 1u);
}

TEST_F(SlackSocketTest, CheckInModalWithValidationErrorsInTheAck) {
  CommandText("objective add \"Delight our customers\"");
  CommandText("kr add O1 \"Increase our NPS from 55 to 70\"");
  CommandText("update KR1 60");
  json press = CheckInUpdatePress(slack_.ResponseUrl("press"));
  Envelope("interactive", press);
  ASSERT_TRUE(slack_.WaitForCalls("views.open", 1));
  json view = slack_.Calls("views.open")[0].args["view"];
  if (view.is_string()) view = json::parse(view.get<std::string>());
  std::string metadata = view["private_metadata"];
  auto submission = [&](const std::string& value, const std::string& confidence) {
    return CheckInModalSubmission(metadata, value, confidence);
  };
  json errors = Envelope("interactive", submission("lots", "200"));
  EXPECT_EQ(errors["response_action"], "errors") << errors.dump();
  EXPECT_TRUE(errors["errors"].contains("value"));
  EXPECT_TRUE(errors["errors"].contains("confidence"));
  EXPECT_EQ(store_->ListCheckIns("slack:T1", 1, 0)->size(), 1u);
  json valid = Envelope("interactive", submission("64", "high"));
  EXPECT_TRUE(valid.is_null() || valid.empty()) << valid.dump();
  ASSERT_TRUE(slack_.WaitForCalls("chat.update", 1));
  auto stored = store_->ListCheckIns("slack:T1", 1, 0).value();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].value, 64);
}

TEST_F(SlackSocketTest, AppHomeEventPublishesTheHomeTabOnce) {
  CommandText("objective add \"Delight our customers\"");
  json home = {{"type", "event_callback"},
               {"team_id", "T1"},
               {"event_id", "Ev1"},
               {"event", {{"type", "app_home_opened"}, {"user", "UALICE"}, {"tab", "home"}}}};
  EXPECT_TRUE(Envelope("events_api", home).is_null());
  EXPECT_TRUE(Envelope("events_api", home).is_null());  // a new envelope, the same event
  ASSERT_TRUE(slack_.WaitForCalls("views.publish", 1));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(slack_.CallCount("views.publish"), 1);
  EXPECT_NE(slack_.Calls("views.publish")[0].body.find("Delight our customers"), std::string::npos);
}

TEST_F(SlackSocketTest, RefreshKeepsAConnectionOpenAndHttpRoutesNeedASecret) {
  auto open = socket_.OpenConnections();
  socket_.Disconnect(open.front(), "refresh_requested");
  ASSERT_TRUE(socket_.WaitForClosed(open.front(), 5s));
  ASSERT_TRUE(socket_.WaitForOpen(2, 5s));
  EXPECT_EQ(socket_.LongestGapSinceFirstOpen(), 0ms);
  EXPECT_FALSE(CommandText("help").empty());
  httplib::Client http("127.0.0.1", server_->port());
  auto unsigned_post =
      http.Post("/slack/commands", "text=help", "application/x-www-form-urlencoded");
  ASSERT_TRUE(unsigned_post);
  EXPECT_EQ(unsigned_post->status, 401);
  auto before = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1500ms);
  server_.reset();
}

// Two replicas on one PostgreSQL database, each with its own connection: Slack may re-send an
// envelope to the other one, which must not run it again.
TEST(SlackSocketReplicasTest, AnEnvelopeReSentToAnotherReplicaRunsOnce) {
  std::string error;
  auto postgres = PostgresServer::Start(&error);
  ASSERT_NE(postgres, nullptr) << "this test needs PostgreSQL: " << error;
  std::string url = postgres->FreshSchemaUrl();
  SlackStandIn slack;
  SlackSocketStandIn socket;
  slack.SetAnswer("apps.connections.open", {{"ok", true}, {"url", socket.Url()}});
  FakeClock clock{Seconds(std::chrono::seconds(1793610000))};
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<std::unique_ptr<OkrbotServer>> replicas;
  for (int i = 0; i < 2; ++i) {
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->Migrate().ok());
    stores.push_back(std::move(*store));
    Config config = SocketModeConfig(slack.ApiBase(), 1);
    replicas.push_back(std::make_unique<OkrbotServer>(config, stores.back().get(), &clock));
    ASSERT_TRUE(replicas.back()->Start().ok());
    ASSERT_TRUE(socket.WaitForOpen(i + 1, 5s));
  }
  json command = {{"team_id", "T1"},       {"user_id", "UALICE"},
                  {"user_name", "alice"},  {"channel_id", "C1"},
                  {"command", "/okr"},     {"text", "objective add \"Delight our customers\""},
                  {"trigger_id", "1.2.3"}, {"response_url", slack.ResponseUrl("r")}};
  auto open = socket.OpenConnections();
  ASSERT_EQ(open.size(), 2u);
  socket.SendEnvelope(open[0], "slash_commands", command, "env-replicas", 0);
  auto first = socket.WaitForAck("env-replicas", 3s);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->has_payload);
  socket.SendEnvelope(open[1], "slash_commands", command, "env-replicas", 1);
  for (auto deadline = std::chrono::steady_clock::now() + 3s;
       std::chrono::steady_clock::now() < deadline && socket.AckCount() < 2;) {
    std::this_thread::sleep_for(10ms);
  }
  auto acks = socket.Acks();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1].connection, open[1]);
  EXPECT_FALSE(acks[1].has_payload) << "a duplicate is acknowledged, not answered again";
  EXPECT_EQ(stores[0]->ListObjectives("slack:T1", {})->size(), 1u);
  EXPECT_EQ(replicas[1]->slack_socket()->stats().duplicates, 1);
  for (auto& replica : replicas) replica->Stop();
}

}  // namespace
}  // namespace okrbot::testing
