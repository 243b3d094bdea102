// The okrbot binary as operators and scripts use it: exit codes, persistence across restarts,
// import/export, check-config, and `serve` answering its health endpoints.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "bot/secret_box.h"
#include "storage/open_store.h"
#include "tests/test_util.h"

namespace okrbot::testing {
namespace {

// A key as `openssl rand -hex 32` makes it (production refuses predictable ones).
constexpr char kStrongKey[] = "5d2a9f7c1e8b3d6a0f4c7e9b2a5d8f1c3e6b9a0d2f5c8e1b4a7d0f3c6e9b2a5d";

class CliTest : public ::testing::Test {
 protected:
  std::string Db() const { return "sqlite://" + dir_.File("okrbot.db"); }
  ProcessResult Okrbot(std::vector<std::string> args, const std::string& input = "",
                       std::vector<std::string> env = {}) {
    args.insert(args.begin(), OkrbotBinary());
    env.insert(env.begin(), "OKRBOT_DB=" + Db());  // a test may name another database
    return RunProcess(args, input, env);
  }
  TempDir dir_;
};

TEST_F(CliTest, VersionAndHelp) {
  auto version = Okrbot({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("okrbot 0.", 0), 0u) << version.out;
  auto help = Okrbot({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd : {"serve", "console", "import", "export", "migrate", "check-config"}) {
    EXPECT_NE(help.out.find(cmd), std::string::npos) << cmd;
  }
}

TEST_F(CliTest, UsageErrorsExitWithTwoAndSayWhy) {
  auto unknown = Okrbot({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command `frobnicate`"), std::string::npos);
  auto bad_option = Okrbot({"export", "--format", "xml"});
  EXPECT_EQ(bad_option.exit_code, 2);
  EXPECT_NE(bad_option.err.find("json or csv"), std::string::npos);
  auto bad_db_flag = Okrbot({"--db", "mysql://x", "migrate"});
  EXPECT_EQ(bad_db_flag.exit_code, 2);
  EXPECT_NE(bad_db_flag.err.find("OKRBOT_DB must be"), std::string::npos) << bad_db_flag.err;
  auto no_file = Okrbot({"import"});
  EXPECT_EQ(no_file.exit_code, 2);
}

TEST_F(CliTest, CheckConfigNamesTheProblem) {
  auto ok = Okrbot({"check-config"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("slack: not configured"), std::string::npos);
  auto weak = Okrbot({"check-config"}, "", {"OKRBOT_SECRET_KEY=abc"});
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("OKRBOT_SECRET_KEY must be 64 hex characters"), std::string::npos);
  auto production = Okrbot({"check-config"}, "", {"OKRBOT_ENV=production"});
  EXPECT_EQ(production.exit_code, 2);
  EXPECT_NE(production.err.find("required in production"), std::string::npos);
  auto listen = Okrbot({"check-config", "--listen", "nonsense"});
  EXPECT_EQ(listen.exit_code, 2);
  WriteFile(dir_.File("config.json"),
            R"({"SLACK_SIGNING_SECRET": "s3cr3t", "OKRBOT_SCHEDULER": "off"})");
  auto file = Okrbot({"--config", dir_.File("config.json"), "check-config"});
  EXPECT_EQ(file.exit_code, 0) << file.err;
  EXPECT_NE(file.out.find("slack: configured"), std::string::npos);
  EXPECT_EQ(file.out.find("s3cr3t"), std::string::npos) << "secrets are never printed";
  WriteFile(dir_.File("broken.json"), "{nope");
  EXPECT_EQ(Okrbot({"--config", dir_.File("broken.json"), "check-config"}).exit_code, 2);

  auto teams_half = Okrbot({"check-config"}, "", {"TEAMS_APP_ID=app-1"});
  EXPECT_EQ(teams_half.exit_code, 2);
  EXPECT_NE(teams_half.err.find("TEAMS_APP_PASSWORD"), std::string::npos) << teams_half.err;
  auto teams = Okrbot({"check-config"}, "", {"TEAMS_APP_ID=app-1", "TEAMS_APP_PASSWORD=pw-secret"});
  EXPECT_EQ(teams.exit_code, 0) << teams.err;
  EXPECT_NE(teams.out.find("teams: configured"), std::string::npos) << teams.out;
  EXPECT_EQ(teams.out.find("pw-secret"), std::string::npos) << "secrets are never printed";
  auto local = Okrbot({"check-config"}, "", {"TEAMS_AUTH=off"});
  EXPECT_NE(local.out.find("TEAMS_AUTH=off"), std::string::npos) << local.out;
  auto unsafe = Okrbot(
      {"check-config"}, "",
      {"TEAMS_AUTH=off", "OKRBOT_ENV=production", "OKRBOT_SECRET_KEY=" + std::string(kStrongKey)});
  EXPECT_EQ(unsafe.exit_code, 2);
  EXPECT_NE(unsafe.err.find("local development only"), std::string::npos) << unsafe.err;
}

TEST_F(CliTest, CheckConfigExplainsSlackTokensInTheWrongPlace) {
  auto socket =
      Okrbot({"check-config"}, "", {"SLACK_APP_TOKEN=xapp-1-A1-abc", "SLACK_BOT_TOKEN=xoxb-1-abc"});
  EXPECT_EQ(socket.exit_code, 0) << socket.err;
  EXPECT_NE(socket.out.find("Socket Mode (2 connections"), std::string::npos) << socket.out;
  EXPECT_EQ(socket.out.find("xapp-1-A1-abc"), std::string::npos) << "secrets are never printed";
  auto bot_as_app = Okrbot({"check-config"}, "", {"SLACK_APP_TOKEN=xoxb-1-abc"});
  EXPECT_EQ(bot_as_app.exit_code, 2);
  EXPECT_NE(bot_as_app.err.find("holds a bot token (xoxb-)"), std::string::npos) << bot_as_app.err;
  EXPECT_NE(bot_as_app.err.find("goes in SLACK_BOT_TOKEN"), std::string::npos) << bot_as_app.err;
  auto app_as_bot =
      Okrbot({"check-config"}, "", {"SLACK_SIGNING_SECRET=s", "SLACK_BOT_TOKEN=xapp-1-A1-abc"});
  EXPECT_EQ(app_as_bot.exit_code, 2);
  EXPECT_NE(app_as_bot.err.find("put it in SLACK_APP_TOKEN"), std::string::npos) << app_as_bot.err;
  auto user = Okrbot({"check-config"}, "", {"SLACK_APP_TOKEN=xoxp-1-abc"});
  EXPECT_NE(user.err.find("a user token (xoxp-)"), std::string::npos) << user.err;
  auto no_bot = Okrbot({"check-config"}, "", {"SLACK_APP_TOKEN=xapp-1-A1-abc"});
  EXPECT_EQ(no_bot.exit_code, 2);
  EXPECT_NE(no_bot.err.find("also needs SLACK_BOT_TOKEN"), std::string::npos) << no_bot.err;
  auto sockets =
      Okrbot({"check-config"}, "",
             {"SLACK_APP_TOKEN=xapp-1-A1-abc", "SLACK_BOT_TOKEN=xoxb-1", "OKRBOT_SLACK_SOCKETS=0"});
  EXPECT_EQ(sockets.exit_code, 2);
  EXPECT_NE(sockets.err.find("OKRBOT_SLACK_SOCKETS"), std::string::npos) << sockets.err;
}

TEST_F(CliTest, ReplicaSettingsAreCheckedAndTheFakeClockIsRefusedInProduction) {
  for (const std::string bad : {"OKRBOT_DB_POOL=0", "OKRBOT_DB_POOL=65", "OKRBOT_DB_POOL=many",
                                "OKRBOT_SCHEDULER_INTERVAL=0", "OKRBOT_JOB_LEASE=1"}) {
    auto refused = Okrbot({"check-config"}, "", {bad});
    EXPECT_EQ(refused.exit_code, 2) << bad;
    EXPECT_NE(refused.err.find(bad.substr(0, bad.find('='))), std::string::npos) << refused.err;
  }
  auto fine = Okrbot({"check-config"}, "",
                     {"OKRBOT_DB_POOL=4", "OKRBOT_SCHEDULER_INTERVAL=5", "OKRBOT_JOB_LEASE=300"});
  EXPECT_EQ(fine.exit_code, 0) << fine.err;
  auto fake_clock = Okrbot({"check-config"}, "",
                           {"OKRBOT_FAKE_CLOCK_FILE=/tmp/now", "OKRBOT_ENV=production",
                            "OKRBOT_SECRET_KEY=" + std::string(kStrongKey)});
  EXPECT_EQ(fake_clock.exit_code, 2);
  EXPECT_NE(fake_clock.err.find("tests only"), std::string::npos) << fake_clock.err;
}

TEST_F(CliTest, RunDueReadsTheFakeClockFile) {
  WriteFile(dir_.File("now"), "2026-10-05T14:00:00Z\n");
  auto pass = Okrbot({"run-due"}, "", {"OKRBOT_FAKE_CLOCK_FILE=" + dir_.File("now")});
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  auto jobs = Okrbot({"jobs"});
  EXPECT_EQ(jobs.exit_code, 0);
  WriteFile(dir_.File("now"), "not a time");
  auto unreadable = Okrbot({"run-due"}, "", {"OKRBOT_FAKE_CLOCK_FILE=" + dir_.File("now")});
  EXPECT_EQ(unreadable.exit_code, 0) << "an unreadable file falls back to the system clock";
}

TEST_F(CliTest, CheckConfigSaysWhenPostgresDoesNotAnswer) {
  auto unreachable =
      Okrbot({"check-config"}, "", {"OKRBOT_DB=postgresql://okrbot:hunter2@127.0.0.1:1/okrbot"});
  EXPECT_EQ(unreachable.exit_code, 0) << "the configuration itself is fine";
  EXPECT_NE(unreachable.out.find("warning: the database does not answer"), std::string::npos)
      << unreachable.out;
  EXPECT_EQ(unreachable.out.find("hunter2"), std::string::npos) << "no password in output";
}

TEST_F(CliTest, DataSurvivesARestart) {
  auto first = Okrbot({"console", "--user", "alice"},
                      "/okr objective add \"Delight customers\"\n"
                      "/okr kr add O1 \"Increase NPS from 55 to 70\"\n"
                      "/okr update KR1 61\n");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("KR1 updated: 61"), std::string::npos) << first.out;
  auto second = Okrbot({"console", "--user", "bob"}, "/okr show KR1\n");
  EXPECT_NE(second.out.find("Current: 61"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("by @alice"), std::string::npos);
  auto migrate = Okrbot({"migrate"});
  EXPECT_EQ(migrate.exit_code, 0);
  EXPECT_NE(migrate.out.find("database schema at version"), std::string::npos);
}

TEST_F(CliTest, StatsShowsRowsPerTableAndTheDatabaseSize) {
  Okrbot(
      {"console", "--user", "alice"},
      "/okr objective add \"Delight customers\"\n/okr kr add O1 \"Increase NPS from 55 to 70\"\n");
  auto stats = Okrbot({"stats"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("objectives: 1 row(s)"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("key_results: 1 row(s)"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("seen_events: 0 row(s)"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("database size: "), std::string::npos) << stats.out;
  EXPECT_EQ(Okrbot({"stats", "extra"}).exit_code, 2);
}

TEST_F(CliTest, SessionsListsAndRevokesSignedInDashboardBrowsers) {
  auto console = Okrbot({"console", "--user", "alice"}, "/okr dashboard\n",
                        {"OKRBOT_PUBLIC_URL=https://okr.example.com/"});
  EXPECT_NE(console.out.find("https://okr.example.com/app/login?t="), std::string::npos)
      << console.out << console.err;
  auto none = Okrbot({"sessions"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("no signed-in dashboard sessions"), std::string::npos);
  int64_t id = 0;
  {
    auto store = OpenStore(Db());
    ASSERT_TRUE(store.ok());
    WebSession session;
    session.token_hash = std::string(64, 'c');
    session.workspace_id = "console:local";
    session.user_id = "alice";
    session.csrf_token = "csrf";
    session.created_at = Seconds(std::chrono::seconds(1793610000));
    session.expires_at = Seconds(std::chrono::seconds(4102444800));  // 2100
    auto created = (*store)->CreateWebSession(session);
    ASSERT_TRUE(created.ok());
    id = created->id;
  }
  auto listed = Okrbot({"sessions", "--workspace", "console:local"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(std::to_string(id) + "  console:local  alice"), std::string::npos)
      << listed.out;
  auto revoked = Okrbot({"sessions", "revoke", std::to_string(id)});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("signed out"), std::string::npos);
  EXPECT_NE(Okrbot({"sessions"}).out.find("no signed-in"), std::string::npos);
  auto unknown = Okrbot({"sessions", "revoke", "98765"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("okrbot sessions"), std::string::npos);
  EXPECT_EQ(Okrbot({"sessions", "revoke", "x1"}).exit_code, 2);
  auto bad_url = Okrbot({"check-config"}, "", {"OKRBOT_PUBLIC_URL=okr.example.com/app"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_NE(bad_url.err.find("OKRBOT_PUBLIC_URL"), std::string::npos) << bad_url.err;
}

TEST_F(CliTest, ExportImportRoundTripThroughFiles) {
  Okrbot({"console", "--user", "alice"},
         "objective add \"Grow\"\nkr add O1 \"Increase ARR from $1m to $1.2m\"\nupdate KR1 1.1m\n");
  auto exported = Okrbot({"export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  WriteFile(dir_.File("export.json"), exported.out);
  TempDir other;
  std::vector<std::string> env = {"OKRBOT_DB=sqlite://" + other.File("copy.db")};
  auto imported = RunProcess({OkrbotBinary(), "import", dir_.File("export.json")}, "", env);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("imported 1 workspace(s), 1 objective(s), 1 key result(s), "
                              "1 check-in(s)"),
            std::string::npos)
      << imported.out;
  auto again = RunProcess({OkrbotBinary(), "export"}, "", env);
  EXPECT_EQ(again.out, exported.out);
  auto twice = RunProcess({OkrbotBinary(), "import", dir_.File("export.json")}, "", env);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("nothing was imported"), std::string::npos);
  auto csv = Okrbot({"export", "--format", "csv"});
  EXPECT_NE(csv.out.find("KR1,Increase ARR from $1m to $1.2m"), std::string::npos) << csv.out;
  WriteFile(dir_.File("garbage.json"), "not json");
  auto garbage = Okrbot({"import", dir_.File("garbage.json")});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_NE(garbage.err.find("not valid JSON"), std::string::npos);
}

TEST_F(CliTest, ServeAnswersHealthAndStopsOnSigterm) {
  int port = FreeLoopbackPort();
  ChildGuard server(
      StartProcess({OkrbotBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
                   {"OKRBOT_DB=" + Db()}));
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto health = client.Get("/healthz");
  while (!health && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    health = client.Get("/healthz");
  }
  ASSERT_TRUE(health) << "server did not come up";
  EXPECT_EQ(health->status, 200);
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("okrbot_http_requests_total"), std::string::npos);
  auto slack = client.Post("/slack/commands", "text=list", "application/x-www-form-urlencoded");
  ASSERT_TRUE(slack);
  EXPECT_EQ(slack->status, 404) << "a platform that is not configured answers 404";
  auto mattermost =
      client.Post("/mattermost/commands", "text=list", "application/x-www-form-urlencoded");
  ASSERT_TRUE(mattermost);
  EXPECT_EQ(mattermost->status, 404);
  client.stop();  // close the keep-alive connection so shutdown need not wait for it
  kill(server.child().pid, SIGTERM);
  int status = server.Wait();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  char buf[4096];
  std::string out;
  ssize_t n;
  while ((n = read(server.child().stdout_fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  EXPECT_NE(out.find("listening on 127.0.0.1:" + std::to_string(port)), std::string::npos) << out;
  EXPECT_NE(out.find("slack: not configured"), std::string::npos);
}

}  // namespace
}  // namespace okrbot::testing

namespace okrbot::testing {
namespace {

constexpr char kOldKey[] = "8f3a1c9e2b7d4f6a0c5e8b1d3f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a";
constexpr char kNewKey[] = "1b9e7c5a3f0d2e4c6a8b0f1d3c5e7a9b2d4f6e8c0a1b3d5f7e9c2a4b6d8f0e1c";

TEST_F(CliTest, RotateKeyReSealsEveryTokenAndCanBeRunAgain) {
  {
    auto store = OpenStore(Db());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Migrate().ok());
    auto old_box = SecretBox::FromHexKey(kOldKey);
    ASSERT_TRUE(old_box.ok());
    for (const char* team : {"T1", "T2"}) {
      Workspace workspace;
      workspace.id = std::string("slack:") + team;
      workspace.platform = "slack";
      workspace.name = team;
      ASSERT_TRUE((*store)->UpsertWorkspace(workspace).ok());
      Installation installation;
      installation.workspace_id = workspace.id;
      installation.platform = "slack";
      installation.team_id = team;
      installation.bot_token_sealed = old_box->Seal(std::string("xoxb-token-of-") + team);
      ASSERT_TRUE((*store)->UpsertInstallation(installation).ok());
    }
  }
  const std::string key_file = dir_.File("new.key");
  WriteFile(key_file, std::string(kNewKey) + "\n");
  const std::string old_env = std::string("OKRBOT_SECRET_KEY=") + kOldKey;

  auto rotated = Okrbot({"rotate-key", "--new-key-file", key_file}, "", {old_env});
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("rotated 2 token(s); 0 already under the new key; 0 failed"),
            std::string::npos)
      << rotated.out;
  for (const std::string& text : {rotated.out, rotated.err}) {
    EXPECT_EQ(text.find(kNewKey), std::string::npos);
    EXPECT_EQ(text.find(kOldKey), std::string::npos);
    EXPECT_EQ(text.find("xoxb-token"), std::string::npos);
  }
  {
    auto store = OpenStore(Db());
    ASSERT_TRUE(store.ok());
    auto new_box = SecretBox::FromHexKey(kNewKey);
    auto old_box = SecretBox::FromHexKey(kOldKey);
    auto installation = (*store)->GetInstallation("slack:T2");
    ASSERT_TRUE(installation.ok());
    EXPECT_EQ(new_box->Open(installation->bot_token_sealed).value(), "xoxb-token-of-T2");
    EXPECT_FALSE(old_box->Open(installation->bot_token_sealed).ok());
  }
  // Running it again (say after an interruption) finds nothing left to do.
  auto again = Okrbot({"rotate-key", "--new-key-file", key_file}, "", {old_env});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("rotated 0 token(s); 2 already under the new key"), std::string::npos)
      << again.out;
  // A wrong current key opens nothing: every token is left as it is, and the exit code says so.
  const std::string other_file = dir_.File("other.key");
  WriteFile(other_file, std::string(kOldKey) + "\n");
  auto wrong = Okrbot({"rotate-key", "--new-key-file", other_file}, "",
                      {"OKRBOT_SECRET_KEY="
                       "2c4e6a8b0d1f3e5c7a9b1d3f5e7c9a0b2d4f6e8a1c3b5d7f9e0a2c4b6d8f1e3a"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("opens with neither key"), std::string::npos) << wrong.err;
}

TEST_F(CliTest, RotateKeyRefusesMissingOrWeakKeys) {
  const std::string old_env = std::string("OKRBOT_SECRET_KEY=") + kOldKey;
  auto no_file = Okrbot({"rotate-key"}, "", {old_env});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("--new-key-file"), std::string::npos);
  const std::string weak_file = dir_.File("weak.key");
  WriteFile(weak_file, std::string(64, '0'));
  auto weak = Okrbot({"rotate-key", "--new-key-file", weak_file}, "", {old_env});
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("too predictable"), std::string::npos) << weak.err;
  auto no_current = Okrbot({"rotate-key", "--new-key-file", weak_file});
  EXPECT_EQ(no_current.exit_code, 2);
  EXPECT_NE(no_current.err.find("needs the current key"), std::string::npos);
}

TEST_F(CliTest, ProductionRefusesPredictableKeys) {
  for (const std::string& weak :
       {std::string(64, 'a'),
        std::string("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        std::string("deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef")}) {
    auto refused =
        Okrbot({"check-config"}, "", {"OKRBOT_ENV=production", "OKRBOT_SECRET_KEY=" + weak});
    EXPECT_EQ(refused.exit_code, 2) << weak;
    EXPECT_NE(refused.err.find("too predictable for production"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.err.find(weak), std::string::npos);  // never echoed
  }
  auto strong = Okrbot({"check-config"}, "",
                       {"OKRBOT_ENV=production", std::string("OKRBOT_SECRET_KEY=") + kOldKey});
  EXPECT_EQ(strong.err.find("too predictable"), std::string::npos) << strong.err;
}

}  // namespace
}  // namespace okrbot::testing
