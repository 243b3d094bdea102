// The database stops taking writes under a running `okrbot serve` (issue 8): people get a clear
// answer and nothing changes, /readyz fails with the reason, and both recover by themselves
// when the database takes writes again.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>

#include "adapters/slack/slack_signature.h"
#include "bot/bot.h"
#include "core/clock.h"
#include "storage/open_store.h"
#include "tests/slack_standin.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr char kSigningSecret[] = "database-fault-signing-secret";

class SignedSlackClient {
 public:
  explicit SignedSlackClient(int port)
      : http_("127.0.0.1", port), signer_(kSigningSecret, &clock_) {
    http_.set_read_timeout(10, 0);
  }
  httplib::Result Command(const std::string& text) {
    std::string body = "team_id=TFAULT&user_id=UOWNER&user_name=owner&command=%2Fokr&text=" + text +
                       "&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr";
    std::string timestamp = std::to_string(std::time(nullptr));
    return http_.Post("/slack/commands",
                      {{"X-Slack-Request-Timestamp", timestamp},
                       {"X-Slack-Signature", signer_.Sign(timestamp, body)}},
                      body, "application/x-www-form-urlencoded");
  }
  httplib::Result Get(const std::string& path) { return http_.Get(path); }

 private:
  httplib::Client http_;
  SystemClock clock_;
  SlackSignatureVerifier signer_;
};

// The disk stops taking bytes: a file-size limit of 0 set on the running server (prlimit) fails
// every write to the database files with EFBIG, as a full disk fails them with ENOSPC.
TEST(DatabaseFaultTest, DiskTakingNoBytesGivesClearAnswersFailsReadinessAndRecovers) {
  TempDir dir;
  const std::string db = "sqlite://" + dir.File("okrbot.db");
  {
    auto store = OpenStore(db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Migrate().ok());
    FakeClock clock(Seconds(std::chrono::seconds(std::time(nullptr))));
    Bot bot(store->get(), &clock);
    ASSERT_TRUE(bot.EnsureWorkspace("slack:TFAULT", "slack", "Fault").ok());
    Actor admin{"slack:TFAULT", "UOWNER", "owner", "", true};
    ASSERT_FALSE(bot.Handle(admin, "objective add \"Survive a full disk\"").is_error);
    ASSERT_FALSE(
        bot.Handle(admin, "kr add O1 \"Increase uptime from 0 to 100\" owner:<@UOWNER>").is_error);
  }
  SlackStandIn slack;
  const int port = FreeLoopbackPort();
  ChildGuard server(StartProcess(
      {OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
      {"OKRBOT_DB=" + db, std::string("SLACK_SIGNING_SECRET=") + kSigningSecret,
       "SLACK_BOT_TOKEN=xoxb-fault", "SLACK_API_BASE=" + slack.ApiBase(), "OKRBOT_SCHEDULER=off"}));
  SignedSlackClient client(port);
  auto give_up = SteadyClock::now() + std::chrono::seconds(20);
  while (true) {
    auto ready = client.Get("/readyz");
    if (ready && ready->status == 200) break;
    ASSERT_LT(SteadyClock::now(), give_up) << "okrbot serve did not become ready";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  struct rlimit original {};
  ASSERT_EQ(::prlimit(server.child().pid, RLIMIT_FSIZE, nullptr, &original), 0);
  struct rlimit full = original;
  full.rlim_cur = 0;
  ASSERT_EQ(::prlimit(server.child().pid, RLIMIT_FSIZE, &full, nullptr), 0);

  auto refused = client.Command("update+KR1+42");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 200);
  EXPECT_NE(refused->body.find("nothing was changed"), std::string::npos) << refused->body;
  EXPECT_EQ(refused->body.find(" updated: "), std::string::npos) << refused->body;
  auto list = client.Command("list");  // reads still answer
  ASSERT_TRUE(list);
  EXPECT_NE(list->body.find("Survive a full disk"), std::string::npos) << list->body;
  auto not_ready = client.Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("could not be read or written"), std::string::npos)
      << not_ready->body;

  ASSERT_EQ(::prlimit(server.child().pid, RLIMIT_FSIZE, &original, nullptr), 0);
  give_up = SteadyClock::now() + std::chrono::seconds(5);
  int readiness = 0;
  while (SteadyClock::now() < give_up) {  // no user write: the probe alone brings it back
    auto ready = client.Get("/readyz");
    readiness = ready ? ready->status : 0;
    if (readiness == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(readiness, 200);
  auto accepted = client.Command("update+KR1+43");
  ASSERT_TRUE(accepted);
  EXPECT_NE(accepted->body.find(" updated: "), std::string::npos) << accepted->body;

  kill(server.child().pid, SIGTERM);
  server.Wait();
  auto store = OpenStore(db);
  ASSERT_TRUE(store.ok());
  auto checkins = (*store)->ListCheckIns("slack:TFAULT", 1, 0);
  ASSERT_TRUE(checkins.ok());
  ASSERT_EQ(checkins->size(), 1u) << "the refused update must not be stored";
  EXPECT_EQ((*checkins)[0].value, 43);
}

}  // namespace
}  // namespace okrbot::testing
