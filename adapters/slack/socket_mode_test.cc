// SocketModeClient against the TLS Socket Mode stand-in (tests/slack_socket_standin.h) and the
// Web API stand-in for apps.connections.open, with a scripted handler.
#include "adapters/slack/socket_mode.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "storage/open_store.h"
#include "tests/slack_socket_standin.h"
#include "tests/slack_standin.h"

namespace okrbot::slack {
namespace {

using nlohmann::json;
using okrbot::testing::SlackSocketStandIn;
using okrbot::testing::SlackStandIn;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

class FixedClock : public Clock {
 public:
  Seconds Now() const override { return Seconds(std::chrono::seconds(1700000000)); }
};

std::string TempDir() {
  char tmpl[] = "/tmp/okrbot-socket-test-XXXXXX";
  return mkdtemp(tmpl);
}

class SocketModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.SetAnswer("apps.connections.open", {{"ok", true}, {"url", socket_.Url()}});
    SlackClientOptions client_options;
    client_options.api_base = api_.ApiBase();
    client_options.max_attempts = 1;
    client_options.connect_timeout = 1000ms;
    client_options.read_timeout = 1000ms;
    client_ = std::make_unique<SlackClient>(client_options);
    options_.app_token = "xapp-1-test";
    options_.sockets = 1;
    options_.ca_file = SlackSocketStandIn::CaFile();
    options_.base_backoff = 200ms;
    options_.max_backoff = 2000ms;
    options_.jitter = [] { return 0.0; };
  }

  void TearDown() override {
    for (auto& c : clients_) c->Stop();
  }

  Store* OpenTestStore() {
    auto store = OpenStore("sqlite://" + TempDir() + "/okrbot.db");
    EXPECT_TRUE(store.ok());
    EXPECT_TRUE((*store)->Migrate().ok());
    stores_.push_back(std::move(*store));
    return stores_.back().get();
  }

  // Counts per envelope id; answers a command with its text, others with null.
  SocketModeClient* StartClient(Store* store = nullptr) {
    clients_.push_back(std::make_unique<SocketModeClient>(
        options_, client_.get(), store, &clock_,
        [this](const std::string& type, const json& payload) -> SlackAnswer {
          std::lock_guard<std::mutex> lock(mu_);
          std::string key = type + ":" + payload.value("text", payload.value("id", ""));
          ++handled_[key];
          if (fail_next_ > 0) {
            --fail_next_;
            return {503, nullptr, "storage unavailable"};
          }
          if (type == "slash_commands") {
            return {
                200,
                {{"response_type", "ephemeral"}, {"text", "you said " + payload.value("text", "")}},
                ""};
          }
          return {200, nullptr, ""};
        }));
    clients_.back()->Start();
    return clients_.back().get();
  }

  void WaitForAcks(size_t count) {
    for (auto deadline = Steady::now() + 3s; Steady::now() < deadline;) {
      if (socket_.Acks().size() >= count) return;
      std::this_thread::sleep_for(10ms);
    }
  }

  int Handled(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return handled_[key];
  }

  SlackStandIn api_;
  SlackSocketStandIn socket_;
  std::unique_ptr<SlackClient> client_;
  SocketModeOptions options_;
  FixedClock clock_;
  std::vector<std::unique_ptr<Store>> stores_;
  std::vector<std::unique_ptr<SocketModeClient>> clients_;
  std::mutex mu_;
  std::map<std::string, int> handled_;
  int fail_next_ = 0;
};

TEST(SocketModeBackoffTest, IsCappedExponentialWithJitter) {
  SocketModeOptions o;
  o.base_backoff = 1000ms;
  o.max_backoff = 30000ms;
  EXPECT_EQ(SocketModeClient::Backoff(o, 1, 0.0), 500ms);
  EXPECT_EQ(SocketModeClient::Backoff(o, 1, 1.0), 1000ms);
  EXPECT_EQ(SocketModeClient::Backoff(o, 3, 1.0), 4000ms);
  EXPECT_EQ(SocketModeClient::Backoff(o, 10, 1.0), 30000ms);
  EXPECT_EQ(SocketModeClient::Backoff(o, 10, 0.5), 22500ms);
  EXPECT_EQ(SocketModeClient::Backoff(o, 2, 7.0), 2000ms);  // jitter clamped
}

TEST_F(SocketModeTest, OpensWithTheAppTokenAndAcksEveryEnvelopeWithItsId) {
  StartClient();
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  auto calls = api_.Calls("apps.connections.open");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].token, "xapp-1-test");

  auto sent = Steady::now();
  std::string command = socket_.SendEnvelope(1, "slash_commands", {{"text", "help"}});
  auto ack = socket_.WaitForAck(command, 3s);
  ASSERT_TRUE(ack);
  EXPECT_LT(ack->at - sent, 3s);
  ASSERT_TRUE(ack->has_payload);
  EXPECT_EQ(ack->payload["text"], "you said help");

  std::string event = socket_.SendEnvelope(1, "events_api", {{"id", "Ev1"}});
  ack = socket_.WaitForAck(event, 3s);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->has_payload);
  EXPECT_EQ(Handled("events_api:Ev1"), 1);
}

TEST_F(SocketModeTest, AFailedEnvelopeIsNotAckedAndItsResendIsProcessed) {
  Store* store = OpenTestStore();
  StartClient(store);
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  fail_next_ = 1;
  socket_.SendEnvelope(1, "slash_commands", {{"text", "flaky"}}, "env-flaky", 0);
  EXPECT_FALSE(socket_.WaitForAck("env-flaky", 500ms));
  socket_.SendEnvelope(1, "slash_commands", {{"text", "flaky"}}, "env-flaky", 1);
  auto ack = socket_.WaitForAck("env-flaky", 3s);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->payload["text"], "you said flaky");
  EXPECT_EQ(Handled("slash_commands:flaky"), 2);
}

TEST_F(SocketModeTest, AReSentEnvelopeIsProcessedOnceAlsoByAnotherReplica) {
  Store* store = OpenTestStore();
  SocketModeClient* first = StartClient(store);
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  socket_.SendEnvelope(1, "slash_commands", {{"text", "once"}}, "env-once", 0);
  ASSERT_TRUE(socket_.WaitForAck("env-once", 3s));
  // Same connection, a retry.
  socket_.SendEnvelope(1, "slash_commands", {{"text", "once"}}, "env-once", 1);
  WaitForAcks(2);
  // After a reconnect, to another replica sharing the database.
  first->Stop();
  StartClient(store);
  ASSERT_TRUE(socket_.WaitForAccepted(2, 5s));
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  socket_.SendEnvelope(2, "slash_commands", {{"text", "once"}}, "env-once", 2);
  WaitForAcks(3);
  auto acks = socket_.Acks();
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[2].connection, 2);
  EXPECT_EQ(Handled("slash_commands:once"), 1);
  EXPECT_EQ(clients_.back()->stats().duplicates, 1);
}

TEST_F(SocketModeTest, ADisconnectWarningOpensTheNewLinkBeforeClosingTheOld) {
  StartClient();
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  socket_.Disconnect(1, "warning");
  ASSERT_TRUE(socket_.WaitForAccepted(2, 5s));
  ASSERT_TRUE(socket_.WaitForClosed(1, 5s));
  auto connections = socket_.Connections();
  ASSERT_GE(connections.size(), 2u);
  EXPECT_TRUE(connections[0].closed_by_client);
  EXPECT_LT(connections[1].opened, *connections[0].closed);
  EXPECT_EQ(socket_.LongestGapSinceFirstOpen(), 0ms);
  std::string id = socket_.SendEnvelope(2, "slash_commands", {{"text", "after refresh"}});
  ASSERT_TRUE(socket_.WaitForAck(id, 3s));
  socket_.Disconnect(2, "refresh_requested");
  ASSERT_TRUE(socket_.WaitForClosed(2, 5s));
  EXPECT_EQ(socket_.LongestGapSinceFirstOpen(), 0ms);
  EXPECT_TRUE(clients_.back()->stats().backoffs.empty());
}

TEST_F(SocketModeTest, ATcpResetIsReplacedWithinTheBackoff) {
  StartClient();
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  auto reset = Steady::now();
  socket_.Reset(1);
  ASSERT_TRUE(socket_.WaitForAccepted(2, 5s));
  auto delay = socket_.Connections()[1].opened - reset;
  auto stats = clients_.back()->stats();
  ASSERT_EQ(stats.backoffs.size(), 1u);
  EXPECT_EQ(stats.backoffs[0], 100ms);  // base 200 ms, jitter 0: half
  EXPECT_GE(delay, 100ms);
  EXPECT_LT(delay, 1500ms);
}

TEST_F(SocketModeTest, RatelimitedTwiceThenConnects) {
  api_.FailNext("apps.connections.open", 429, 2);
  StartClient();
  ASSERT_TRUE(socket_.WaitForOpen(1, 10s));
  EXPECT_EQ(api_.CallCount("apps.connections.open"), 3);
  auto stats = clients_.back()->stats();
  EXPECT_EQ(stats.open_failures, 2);
  ASSERT_EQ(stats.backoffs.size(), 2u);
  for (auto b : stats.backoffs) {
    EXPECT_GE(b, 100ms);   // at least the backoff ...
    EXPECT_LE(b, 2000ms);  // ... and Retry-After, capped by max_backoff
  }
}

TEST_F(SocketModeTest, ServerErrorsAndUntrustedCertificatesAreRetried) {
  api_.FailNext("apps.connections.open", 503, 1);
  options_.ca_file = "/dev/null/none";  // nothing trusts the stand-in's certificate
  SocketModeClient* client = StartClient();
  for (auto deadline = Steady::now() + 5s; Steady::now() < deadline;) {
    if (client->stats().backoffs.size() >= 3) break;
    std::this_thread::sleep_for(20ms);
  }
  auto stats = client->stats();
  EXPECT_GE(stats.backoffs.size(), 3u);
  EXPECT_EQ(stats.hellos, 0);
  ASSERT_GE(stats.backoffs.size(), 3u);
  EXPECT_LT(stats.backoffs[0], stats.backoffs[2]);  // exponential
}

TEST_F(SocketModeTest, APingTimeoutReplacesTheLink) {
  options_.idle_timeout = 600ms;
  StartClient();
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  socket_.Freeze(1);
  ASSERT_TRUE(socket_.WaitForAccepted(2, 3s));
  ASSERT_TRUE(socket_.WaitForOpen(1, 2s));
  std::string id = socket_.SendEnvelope(2, "slash_commands", {{"text", "alive"}});
  EXPECT_TRUE(socket_.WaitForAck(id, 3s));
}

TEST_F(SocketModeTest, LinkDisabledStopsAndTooManyWebsocketsBacksOff) {
  StartClient();
  ASSERT_TRUE(socket_.WaitForOpen(1, 5s));
  socket_.Disconnect(1, "too_many_websockets");
  std::this_thread::sleep_for(200ms);
  socket_.Reset(1);
  ASSERT_TRUE(socket_.WaitForAccepted(2, 5s));
  EXPECT_EQ(clients_.back()->stats().backoffs.size(), 1u);
  socket_.Disconnect(2, "link_disabled");
  ASSERT_TRUE(socket_.WaitForClosed(2, 3s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(socket_.Connections().size(), 2u);
  EXPECT_TRUE(clients_.back()->stats().link_disabled);
}

TEST_F(SocketModeTest, KeepsTwoLinksAndShutsDownWithinOneSecond) {
  options_.sockets = 2;
  SocketModeClient* client = StartClient();
  ASSERT_TRUE(socket_.WaitForOpen(2, 5s));
  for (auto deadline = Steady::now() + 2s; Steady::now() < deadline;) {
    if (client->stats().open_links == 2) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(client->stats().open_links, 2);
  auto before = Steady::now();
  client->Stop();
  EXPECT_LT(Steady::now() - before, 1s);
  for (const auto& c : socket_.Connections()) {
    ASSERT_TRUE(socket_.WaitForClosed(c.id, 1s));
  }
  for (const auto& c : socket_.Connections()) EXPECT_TRUE(c.closed_by_client);
}

TEST(EnvelopeDeduperTest, ClaimsAcrossReplicasAndReleasesFailures) {
  auto store = OpenStore("sqlite://" + TempDir() + "/okrbot.db");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());
  FixedClock clock;
  EnvelopeDeduper a(store->get(), &clock), b(store->get(), &clock);
  using Claim = EnvelopeDeduper::Claim;
  EXPECT_EQ(a.Begin("E1", 0), Claim::kProcess);
  EXPECT_EQ(a.Begin("E1", 0), Claim::kInFlight);
  EXPECT_EQ(b.Begin("E1", 1), Claim::kDuplicate);  // still running on a, not failed
  a.Succeeded("E1");
  EXPECT_EQ(a.Begin("E1", 1), Claim::kDuplicate);
  EXPECT_EQ(b.Begin("E1", 2), Claim::kDuplicate);

  EXPECT_EQ(a.Begin("E2", 0), Claim::kProcess);
  a.Failed("E2", 0);
  EXPECT_EQ(b.Begin("E2", 1), Claim::kProcess);  // the resend after a failure
  b.Succeeded("E2");
  EXPECT_EQ(a.Begin("E2", 2), Claim::kDuplicate);

  EnvelopeDeduper memory(nullptr, &clock);
  EXPECT_EQ(memory.Begin("E3", 0), Claim::kProcess);
  memory.Succeeded("E3");
  EXPECT_EQ(memory.Begin("E3", 1), Claim::kDuplicate);
}

}  // namespace
}  // namespace okrbot::slack
