// kill -9 during a burst of updates loses no acknowledged check-in (SPEC §5 storage contract).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <httplib.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/slack/slack_signature.h"
#include "bot/bot.h"
#include "core/clock.h"
#include "storage/open_store.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

TEST(CrashTest, KillNineLosesNoAcknowledgedCheckIn) {
  signal(SIGPIPE, SIG_IGN);  // the writer may hit the killed child's closed pipe
  TempDir dir;
  std::vector<std::string> env = {"OKRBOT_DB=sqlite://" + dir.File("okrbot.db")};
  auto setup = RunProcess({OkrbotBinary(), "console", "--user", "alice"},
                          "objective add \"Crash safety\"\n"
                          "kr add O1 \"Increase acknowledged writes from 0 to 100000\"\n",
                          env);
  ASSERT_EQ(setup.exit_code, 0) << setup.err;

  ChildGuard guard(StartProcess({OkrbotBinary(), "console", "--user", "alice"}, env));
  const Child& child = guard.child();
  constexpr int kUpdates = 5000;
  std::thread writer([&] {
    for (int i = 1; i <= kUpdates; ++i) {
      std::string line = "update KR1 " + std::to_string(i) + "\n";
      if (write(child.stdin_fd, line.data(), line.size()) < 0) break;  // the child died
    }
  });
  // Read replies until enough check-ins are acknowledged, then kill mid-burst.
  std::set<int> acknowledged;
  std::string buffer;
  char chunk[4096];
  const std::string marker = "KR1 updated: ";
  while (acknowledged.size() < 300) {
    ssize_t n = read(child.stdout_fd, chunk, sizeof chunk);
    if (n <= 0) break;  // console ended early: asserted below, after the writer is joined
    buffer.append(chunk, static_cast<size_t>(n));
    size_t pos;
    while ((pos = buffer.find(marker)) != std::string::npos) {
      size_t end = buffer.find('\n', pos);
      if (end == std::string::npos) break;
      acknowledged.insert(std::stoi(buffer.substr(pos + marker.size(), end - pos - marker.size())));
      buffer.erase(0, end + 1);
    }
  }
  kill(child.pid, SIGKILL);
  int status = guard.Wait();
  writer.join();
  ASSERT_GE(acknowledged.size(), 300u) << "console ended before the kill";
  ASSERT_TRUE(WIFSIGNALED(status));

  auto exported = RunProcess({OkrbotBinary(), "export"}, "", env);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto doc = nlohmann::json::parse(exported.out);
  std::set<int> stored;
  for (const auto& c : doc["workspaces"][0]["checkins"]) {
    double value = c["value"].get<double>();
    ASSERT_EQ(value, static_cast<int>(value)) << "a check-in is whole, never half-written";
    ASSERT_EQ(c["author"], "alice");
    stored.insert(static_cast<int>(value));
  }
  for (int v : acknowledged)
    EXPECT_TRUE(stored.count(v)) << "acknowledged check-in " << v << " lost";
  EXPECT_LT(stored.size(), static_cast<size_t>(kUpdates)) << "the kill came mid-burst";
  // The KR's current value is the newest stored check-in.
  int newest = *stored.rbegin();
  auto show = RunProcess({OkrbotBinary(), "console", "--user", "alice"}, "show KR1\n", env);
  std::string shown;
  for (char c : show.out) {
    if (c != ',') shown += c;  // values print with thousands separators
  }
  EXPECT_NE(shown.find("Current: " + std::to_string(newest) + "\n"), std::string::npos) << show.out;
}

}  // namespace
}  // namespace okrbot::testing

namespace okrbot::testing {
namespace {

constexpr char kCrashSigningSecret[] = "crash-test-signing-secret";

// The same through `okrbot serve` as Slack reaches it: eight clients send signed
// `/okr update` commands for eight KRs concurrently (so group commit batches them), the server is
// killed with SIGKILL mid-burst, and the database is then read directly.
TEST(CrashTest, KillNineDuringSignedHttpUpdatesLosesNoAcknowledgedCheckIn) {
  TempDir dir;
  const std::string db = "sqlite://" + dir.File("okrbot.db");
  constexpr int kOwners = 8;
  {
    auto store = OpenStore(db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Migrate().ok());
    FakeClock clock(Seconds(std::chrono::seconds(std::time(nullptr))));
    BotLimits unlimited;
    unlimited.user_commands_per_minute = 0;
    unlimited.workspace_commands_per_minute = 0;
    Bot bot(store->get(), &clock, unlimited);
    ASSERT_TRUE(bot.EnsureWorkspace("slack:TCRASH", "slack", "Crash").ok());
    Actor admin{"slack:TCRASH", "UADMIN", "Admin", "", true};
    ASSERT_FALSE(bot.Handle(admin, "objective add \"Survive crashes\"").is_error);
    for (int i = 0; i < kOwners; ++i) {
      std::string command =
          "kr add O1 \"Increase acknowledged writes from 0 to 1000000\" owner:<@U" +
          std::to_string(i) + ">";
      ASSERT_FALSE(bot.Handle(admin, command).is_error) << command;
    }
  }
  SlackStandIn slack;
  const int port = FreeLoopbackPort();
  ChildGuard server(StartProcess(
      {OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
      {"OKRBOT_DB=" + db, std::string("SLACK_SIGNING_SECRET=") + kCrashSigningSecret,
       "SLACK_BOT_TOKEN=xoxb-crash", "SLACK_API_BASE=" + slack.ApiBase(), "OKRBOT_SCHEDULER=off",
       "OKRBOT_USER_COMMANDS_PER_MINUTE=0", "OKRBOT_WORKSPACE_COMMANDS_PER_MINUTE=0"}));

  std::mutex mu;
  std::set<std::pair<int, int>> acknowledged;  // (KR number, value)
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int owner = 0; owner < kOwners; ++owner) {
    clients.emplace_back([&, owner] {
      SystemClock clock;
      SlackSignatureVerifier signer(kCrashSigningSecret, &clock);
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(0, 200000);
      const int kr = owner + 1;
      for (int value = 1; !stop.load(); ++value) {
        std::string body = "team_id=TCRASH&user_id=U" + std::to_string(owner) +
                           "&user_name=u&command=%2Fokr&text=update+KR" + std::to_string(kr) + "+" +
                           std::to_string(value) + "&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr";
        std::string timestamp = std::to_string(std::time(nullptr));
        auto answer = client.Post("/slack/commands",
                                  {{"X-Slack-Request-Timestamp", timestamp},
                                   {"X-Slack-Signature", signer.Sign(timestamp, body)}},
                                  body, "application/x-www-form-urlencoded");
        if (!answer) {  // not up yet, or killed
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          --value;
          continue;
        }
        if (answer->status == 200 && answer->body.find(" updated: ") != std::string::npos) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.insert({kr, value});
        }
      }
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acknowledged.size() >= 400) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(server.child().pid, SIGKILL);
  int status = server.Wait();
  stop = true;
  for (auto& client : clients) client.join();
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GE(acknowledged.size(), 400u) << "the server did not acknowledge enough updates";

  auto store = OpenStore(db);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());  // recovery from the WAL happens on open
  for (int kr = 1; kr <= kOwners; ++kr) {
    auto checkins = (*store)->ListCheckIns("slack:TCRASH", kr, 0);
    ASSERT_TRUE(checkins.ok());
    std::set<int> stored;
    for (const CheckIn& c : *checkins) stored.insert(static_cast<int>(c.value));
    for (const auto& [acknowledged_kr, value] : acknowledged) {
      if (acknowledged_kr == kr) {
        EXPECT_TRUE(stored.count(value))
            << "KR" << kr << " = " << value << " was acknowledged, then lost";
      }
    }
    // Nothing half-written: the KR's current value is its newest stored check-in.
    auto key_result = (*store)->GetKeyResult("slack:TCRASH", kr);
    ASSERT_TRUE(key_result.ok());
    if (!stored.empty()) {
      ASSERT_TRUE(key_result->current.has_value());
      EXPECT_EQ(static_cast<int>(*key_result->current), *stored.rbegin()) << "KR" << kr;
    }
  }
}

}  // namespace
}  // namespace okrbot::testing
