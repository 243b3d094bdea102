// Mattermost end to end: the slash-command route on a real HttpServer on loopback (with a
// SQLite store and the Bot), and scheduled posts through the REST client against a local
// Mattermost stand-in, also driven by the Dispatcher.
#include <gtest/gtest.h>

#include <httplib.h>
#include <atomic>

#include <chrono>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "adapters/common/form.h"
#include "adapters/common/http_server.h"
#include "adapters/mattermost/mattermost_app.h"
#include "adapters/mattermost/mattermost_client.h"
#include "adapters/mattermost/mattermost_deliverer.h"
#include "bot/bot.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "scheduler/dispatcher.h"
#include "storage/open_store.h"
#include "tests/log_capture.h"
#include "tests/mattermost_standin.h"

namespace okrbot::testing {
namespace {

using json = nlohmann::json;
using mattermost::MattermostApp;
using mattermost::MattermostAppOptions;
using mattermost::MattermostCallStats;
using mattermost::MattermostClient;
using mattermost::MattermostClientOptions;
using mattermost::MattermostDeliverer;
using Outcome = DeliveryResult::Outcome;

constexpr char kCommandToken[] = "mm-command-token-0123456789";
constexpr char kTeam[] = "team0000000000000000000001";
constexpr char kOtherTeam[] = "team0000000000000000000002";
constexpr char kAlice[] = "alice000000000000000000001";
constexpr char kBob[] = "bob00000000000000000000001";
constexpr char kChannel[] = "channel0000000000000000001";
constexpr char kBotToken[] = "mm-bot-token-secret";
const bool kMattermostSecretsForbidden = [] {
  ForbidInLogs(kCommandToken);
  ForbidInLogs(kBotToken);
  return true;
}();

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- the slash command route -------------------------------------------------------------

class MattermostAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite://:memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    bot_ = std::make_unique<Bot>(store_.get(), &clock_);
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    server_ = std::make_unique<HttpServer>(options, &metrics_);
    app_ = std::make_unique<MattermostApp>(MattermostAppOptions{kCommandToken}, store_.get(),
                                           bot_.get(), &clock_, &metrics_);
    app_->Register(server_.get());
    ASSERT_TRUE(server_->Bind());
    serving_ = std::thread([this] { server_->Run(); });
    while (!server_->IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    client_.reset();
    server_->Stop();
    if (serving_.joinable()) serving_.join();
  }

  // The form Mattermost sends for a custom slash command.
  static std::string CommandBody(const std::string& text, const std::string& user = kAlice,
                                 const std::string& team = kTeam,
                                 const std::string& token = kCommandToken) {
    static std::atomic<int> triggers{0};
    std::vector<std::pair<std::string, std::string>> fields;
    if (!token.empty()) fields.emplace_back("token", token);
    fields.insert(fields.end(), {{"team_id", team},
                                 {"team_domain", "acme"},
                                 {"channel_id", kChannel},
                                 {"channel_name", "town-square"},
                                 {"user_id", user},
                                 {"user_name", user == kAlice ? "alice" : "bob"},
                                 {"command", "/okr"},
                                 {"text", text},
                                 {"response_url", "http://127.0.0.1:1/hooks/commands/x"},
                                 // Mattermost gives each command its own trigger id.
                                 {"trigger_id", "trigger-" + std::to_string(++triggers)}});
    return FormEncode(fields);
  }

  httplib::Result Post(const std::string& body, const httplib::Headers& headers = {}) {
    return client_->Post("/mattermost/commands", headers, body,
                         "application/x-www-form-urlencoded");
  }

  // Runs a command and returns the parsed JSON answer (expects HTTP 200).
  json Command(const std::string& text, const std::string& user = kAlice,
               const std::string& team = kTeam) {
    auto res = Post(CommandBody(text, user, team));
    EXPECT_TRUE(res);
    if (!res) return json();
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type").rfind("application/json", 0), 0u);
    return json::parse(res->body, nullptr, false);
  }

  std::string CommandText(const std::string& text, const std::string& user = kAlice,
                          const std::string& team = kTeam) {
    json answer = Command(text, user, team);
    return answer.is_object() ? answer.value("text", "") : "";
  }

  size_t CheckIns(const std::string& workspace, int64_t kr) {
    auto list = store_->ListCheckIns(workspace, kr, 0);
    return list.ok() ? list->size() : 0;
  }

  FakeClock clock_{Seconds(std::chrono::seconds(1793610000))};  // 2026-11-02 09:00 UTC
  Metrics metrics_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Bot> bot_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<MattermostApp> app_;
  std::thread serving_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(MattermostAppTest, CommandsAnswerWithMarkdownInMattermostShape) {
  struct Step {
    std::string command;
    std::string expected;
  };
  std::vector<Step> steps = {
      {"help", "/okr objective add"},
      {"objective add \"Delight our customers\"", "Created O1: Delight our customers"},
      {"kr add O1 \"Increase our NPS from 55 to 70\"", "Added KR1 to O1"},
      {"update KR1 62 confidence:high new onboarding flow", "KR1 updated: 62"},
      {"list", "O1 Delight our customers"},
      {"show KR1", "**Metric:** 55 → 70 (increase)"},
      {"frobnicate", "\\`frobnicate\\` is not a command I know"},
  };
  for (const auto& step : steps) {
    json answer = Command(step.command);
    ASSERT_TRUE(answer.is_object()) << step.command;
    EXPECT_EQ(answer["response_type"], "ephemeral") << step.command;
    EXPECT_FALSE(answer.contains("blocks")) << "Mattermost gets Markdown text only";
    std::string text = answer.value("text", "");
    EXPECT_TRUE(Contains(text, step.expected)) << step.command << "\n" << text;
  }
  json summary = Command("summary");
  EXPECT_EQ(summary["response_type"], "in_channel") << "summary goes to the channel";
  EXPECT_EQ(Command("list public:yes")["response_type"], "in_channel");
  EXPECT_EQ(CheckIns("mattermost:" + std::string(kTeam), 1), 1u);

  auto workspace = store_->GetWorkspace("mattermost:" + std::string(kTeam));
  ASSERT_TRUE(workspace.ok());
  EXPECT_EQ(workspace->platform, "mattermost");
  EXPECT_EQ(workspace->name, "acme");
  auto alice = store_->GetUser(workspace->id, kAlice);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->display_name, "alice");
}

TEST_F(MattermostAppTest, MarkdownBoldUsesDoubleStarsAndHeadersUseHashes) {
  CommandText("objective add \"Delight our customers\"");
  CommandText("kr add O1 \"Increase our NPS from 55 to 70\"");
  std::string shown = CommandText("show KR1");
  EXPECT_TRUE(Contains(shown, "**Metric:**")) << shown;
  EXPECT_FALSE(Contains(shown, "\n*Metric:*")) << "not Slack's single-star mrkdwn\n" << shown;
  EXPECT_TRUE(Contains(shown, "#### ")) << shown;
  EXPECT_TRUE(Contains(shown, "%`")) << "progress as an inline code bar\n" << shown;
}

TEST_F(MattermostAppTest, PeoplesTextIsEscapedAndCannotPingTheChannel) {
  std::string created = CommandText("objective add \"Ship *it* [now](http://x) @channel\"");
  EXPECT_TRUE(Contains(created, "Ship \\*it\\* \\[now\\](http://x) @\u200Bchannel")) << created;
  EXPECT_FALSE(Contains(created, "@channel")) << created;
  std::string listed = CommandText("list");
  EXPECT_FALSE(Contains(listed, "@channel")) << listed;
}

TEST_F(MattermostAppTest, WrongOrMissingTokenIsRefusedAndNothingIsStored) {
  const std::string add = "objective add \"Forged\"";
  for (const std::string& token :
       {std::string("wrong"), std::string(kCommandToken).substr(0, 26) + "x",
        std::string(kCommandToken) + "x", std::string()}) {
    auto res = Post(CommandBody(add, kAlice, kTeam, token));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << "token \"" << token << "\"";
    EXPECT_FALSE(Contains(res->body, kCommandToken));
  }
  // A wrong token in the header does not help either.
  auto header_only =
      Post(CommandBody(add, kAlice, kTeam, ""), {{"Authorization", "Token not-the-token"}});
  ASSERT_TRUE(header_only);
  EXPECT_EQ(header_only->status, 401);
  auto listed = store_->ListWorkspaces();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty()) << "nothing from a refused request is stored";
}

TEST_F(MattermostAppTest, TheTokenMayComeInTheAuthorizationHeader) {
  auto res = Post(CommandBody("objective add \"Delight our customers\"", kAlice, kTeam, ""),
                  {{"Authorization", std::string("Token ") + kCommandToken}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Contains(res->body, "Created O1"));
}

TEST_F(MattermostAppTest, AnAppWithoutATokenRefusesEverything) {
  MattermostApp unconfigured(MattermostAppOptions{""}, store_.get(), bot_.get(), &clock_,
                             &metrics_);
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  HttpServer server(options, &metrics_);
  unconfigured.Register(&server);
  ASSERT_TRUE(server.Bind());
  std::thread serving([&] { server.Run(); });
  while (!server.IsRunning()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Post("/mattermost/commands", CommandBody("list", kAlice, kTeam, ""),
                         "application/x-www-form-urlencoded");
  server.Stop();
  serving.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(MattermostAppTest, BrokenFormsAndMissingIdsAre400) {
  auto broken = Post("token=" + std::string(kCommandToken) + "&text=%ZZ");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400);
  auto no_team =
      Post(FormEncode({{"token", kCommandToken}, {"user_id", kAlice}, {"text", "list"}}));
  ASSERT_TRUE(no_team);
  EXPECT_EQ(no_team->status, 400);
  auto no_user = Post(FormEncode({{"token", kCommandToken}, {"team_id", kTeam}, {"text", "list"}}));
  ASSERT_TRUE(no_user);
  EXPECT_EQ(no_user->status, 400);
  auto odd_user = Post(CommandBody("list", "alice|checkin", kTeam));
  ASSERT_TRUE(odd_user);
  EXPECT_EQ(odd_user->status, 400) << "ids that could break job keys are refused";
  EXPECT_TRUE(store_->ListWorkspaces()->empty());
}

TEST_F(MattermostAppTest, AnotherTeamCannotReadOrWriteTheFirstTeamsKrs) {
  CommandText("objective add \"Delight our customers\"");
  CommandText("kr add O1 \"Increase our NPS from 55 to 70\"");
  CommandText("update KR1 60");
  for (const char* command : {"show KR1", "update KR1 99", "list O1", "edit KR1 to:1", "list"}) {
    std::string text = CommandText(command, kAlice, kOtherTeam);
    EXPECT_FALSE(Contains(text, "Delight our customers")) << command << "\n" << text;
    EXPECT_FALSE(Contains(text, "Increase our NPS")) << command << "\n" << text;
  }
  const std::string first = "mattermost:" + std::string(kTeam);
  EXPECT_EQ(CheckIns(first, 1), 1u);
  EXPECT_EQ(store_->GetKeyResult(first, 1)->target, 70.0);
  EXPECT_TRUE(store_->GetWorkspace("mattermost:" + std::string(kOtherTeam)).ok());
}

// --- scheduled posts -----------------------------------------------------------------------

class MattermostDelivererTest : public ::testing::Test {
 protected:
  MattermostDelivererTest() {
    mm_.SetValidTokens({kBotToken});
    client_ = MakeClient(mm_.Url(), kBotToken);
    deliverer_ = std::make_unique<MattermostDeliverer>(client_.get());
  }

  static std::unique_ptr<MattermostClient> MakeClient(const std::string& url,
                                                      const std::string& token) {
    MattermostClientOptions options;
    options.url = url;
    options.bot_token = token;
    options.connect_timeout = std::chrono::milliseconds(2000);
    options.read_timeout = std::chrono::milliseconds(2000);
    return std::make_unique<MattermostClient>(options);
  }

  static Job MakeJob(const std::string& target) {
    Job job;
    job.key = "mattermost:" + std::string(kTeam) + "|checkin|" + target + "|2026-W45";
    job.workspace_id = "mattermost:" + std::string(kTeam);
    job.kind = "checkin";
    job.target = target;
    return job;
  }

  static Reply Prompt() {
    Reply reply;
    reply.Header("Weekly check-in").Text("KR1 Increase NPS from 55 to 70");
    reply.Actions({{"Update", kActionCheckInUpdate, "KR1", true},
                   {"No change", kActionCheckInNoChange, "KR1", false}});
    return reply;
  }

  MattermostStandIn mm_;
  std::unique_ptr<MattermostClient> client_;
  std::unique_ptr<MattermostDeliverer> deliverer_;
};

TEST_F(MattermostDelivererTest, DirectMessageOpensTheDirectChannelThenPosts) {
  DeliveryResult result = deliverer_->Deliver(MakeJob(kAlice), Prompt());
  EXPECT_EQ(result.outcome, Outcome::kSent) << result.error;
  ASSERT_EQ(mm_.CallCount("users/me"), 1);
  auto direct = mm_.Calls("channels/direct");
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_EQ(direct[0].body, json::array({MattermostStandIn::kBotUserId, kAlice}));
  auto posts = mm_.Calls("posts");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].token, kBotToken);
  EXPECT_EQ(posts[0].Header("Authorization"), std::string("Bearer ") + kBotToken);
  EXPECT_EQ(posts[0].body["channel_id"], mm_.DirectChannelWithBot(kAlice));
  std::string message = posts[0].body["message"];
  EXPECT_EQ(message,
            "#### Weekly check-in\n\nKR1 Increase NPS from 55 to 70\n\n"
            "Reply with `/okr update KR1 <value>`");
  // The bot's own id is asked for once.
  EXPECT_EQ(deliverer_->Deliver(MakeJob(kAlice), Prompt()).outcome, Outcome::kSent);
  EXPECT_EQ(mm_.CallCount("users/me"), 1);
  EXPECT_EQ(mm_.Posts().size(), 2u);
}

TEST_F(MattermostDelivererTest, ChannelIdTargetsArePostedDirectly) {
  mm_.AddChannel(kChannel);
  DeliveryResult result = deliverer_->Deliver(MakeJob(std::string("#") + kChannel), Prompt());
  EXPECT_EQ(result.outcome, Outcome::kSent) << result.error;
  EXPECT_EQ(mm_.CallCount("channels/direct"), 0);
  EXPECT_EQ(mm_.CallCount("users/me"), 0);
  ASSERT_EQ(mm_.Posts().size(), 1u);
  EXPECT_EQ(mm_.Posts()[0].first, kChannel);
}

TEST_F(MattermostDelivererTest, ChannelNamesAreRefusedForGoodWithAHint) {
  DeliveryResult result = deliverer_->Deliver(MakeJob("#okrs"), Prompt());
  EXPECT_EQ(result.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(result.error, "channel id")) << result.error;
  EXPECT_EQ(mm_.CallCount(), 0);
  // A channel id the bot may not post to is refused by Mattermost (403): permanent too.
  DeliveryResult refused = deliverer_->Deliver(MakeJob("#unknown0000000000000000001"), Prompt());
  EXPECT_EQ(refused.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(refused.error, "HTTP 403")) << refused.error;
}

TEST_F(MattermostDelivererTest, UsernameTargetsAreLookedUp) {
  mm_.AddUser("bob", kBob);
  EXPECT_EQ(deliverer_->Deliver(MakeJob("bob"), Prompt()).outcome, Outcome::kSent);
  ASSERT_EQ(mm_.CallCount("users/username"), 1);
  EXPECT_EQ(mm_.Calls("users/username")[0].path, "/api/v4/users/username/bob");
  EXPECT_EQ(mm_.Calls("channels/direct")[0].body[1], kBob);
  DeliveryResult unknown = deliverer_->Deliver(MakeJob("carol"), Prompt());
  EXPECT_EQ(unknown.outcome, Outcome::kPermanentFailure) << "404: no such user";
}

TEST_F(MattermostDelivererTest, RateLimitsAreRetriedAfterWhatMattermostAsks) {
  mm_.AddChannel(kChannel);
  const std::string target = std::string("#") + kChannel;
  mm_.FailNext("posts", 429, 1, 30);
  DeliveryResult limited = deliverer_->Deliver(MakeJob(target), Prompt());
  EXPECT_EQ(limited.outcome, Outcome::kRetry);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(30));
  mm_.FailNext("posts", 429, 1, std::nullopt, 12);
  EXPECT_EQ(deliverer_->Deliver(MakeJob(target), Prompt()).retry_after, std::chrono::seconds(12))
      << "X-Ratelimit-Reset when there is no Retry-After";
  mm_.FailNext("posts", 429, 1);
  DeliveryResult bare = deliverer_->Deliver(MakeJob(target), Prompt());
  EXPECT_EQ(bare.outcome, Outcome::kRetry);
  EXPECT_EQ(bare.retry_after, std::chrono::seconds(1));
  EXPECT_EQ(mm_.CallCount("posts"), 3) << "one request per attempt, no waiting in the client";
  EXPECT_TRUE(mm_.Posts().empty());
}

TEST_F(MattermostDelivererTest, ServerErrorsAndLostConnectionsAreRetried) {
  mm_.AddChannel(kChannel);
  const std::string target = std::string("#") + kChannel;
  mm_.FailNext("posts", 500, 1);
  DeliveryResult failed = deliverer_->Deliver(MakeJob(target), Prompt());
  EXPECT_EQ(failed.outcome, Outcome::kRetry);
  EXPECT_EQ(failed.retry_after, std::chrono::seconds(0)) << "the dispatcher's backoff applies";
  mm_.FailNext("users/me", 503, 1);
  EXPECT_EQ(deliverer_->Deliver(MakeJob(kAlice), Prompt()).outcome, Outcome::kRetry);
  mm_.FailNext("posts", 200, 1, std::nullopt, std::nullopt, "<html>proxy</html>");
  EXPECT_EQ(deliverer_->Deliver(MakeJob(target), Prompt()).outcome, Outcome::kRetry);
  EXPECT_EQ(deliverer_->Deliver(MakeJob(target), Prompt()).outcome, Outcome::kSent);

  int closed_port = 0;
  {
    MattermostStandIn gone;
    closed_port = gone.port();
  }
  auto unreachable = MakeClient("http://127.0.0.1:" + std::to_string(closed_port), kBotToken);
  MattermostDeliverer deliverer(unreachable.get());
  EXPECT_EQ(deliverer.Deliver(MakeJob(target), Prompt()).outcome, Outcome::kRetry);
}

TEST_F(MattermostDelivererTest, RefusedTokensAreAPermanentFailureWithoutTheToken) {
  mm_.SetValidTokens({"another-token"});
  DeliveryResult revoked = deliverer_->Deliver(MakeJob(kAlice), Prompt());
  EXPECT_EQ(revoked.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(revoked.error, "HTTP 401")) << revoked.error;
  EXPECT_TRUE(Contains(revoked.error, "api.context.session_expired.app_error")) << revoked.error;
  EXPECT_FALSE(Contains(revoked.error, kBotToken));
  // Even when the server echoes the token back, it never reaches logs or `okrbot jobs`.
  mm_.SetValidTokens({});
  mm_.FailNext("users/me", 403, 1, std::nullopt, std::nullopt,
               json{{"id", "echo"}, {"message", std::string("bad token ") + kBotToken}}.dump());
  DeliveryResult echoed = deliverer_->Deliver(MakeJob(kAlice), Prompt());
  EXPECT_EQ(echoed.outcome, Outcome::kPermanentFailure);
  EXPECT_FALSE(Contains(echoed.error, kBotToken)) << echoed.error;
  EXPECT_TRUE(Contains(echoed.error, "[redacted]")) << echoed.error;
}

TEST_F(MattermostDelivererTest, MissingConfigurationIsPermanent) {
  auto no_url = MakeClient("", kBotToken);
  EXPECT_EQ(MattermostDeliverer(no_url.get()).Deliver(MakeJob(kAlice), Prompt()).outcome,
            Outcome::kPermanentFailure);
  auto no_token = MakeClient(mm_.Url(), "");
  DeliveryResult result = MattermostDeliverer(no_token.get()).Deliver(MakeJob(kAlice), Prompt());
  EXPECT_EQ(result.outcome, Outcome::kPermanentFailure);
  EXPECT_TRUE(Contains(result.error, "MATTERMOST_BOT_TOKEN")) << result.error;
  EXPECT_EQ(mm_.CallCount(), 0);
}

TEST_F(MattermostDelivererTest, ClientMapsStatusCodes) {
  MattermostCallStats stats;
  mm_.FailNext("users/me", 404, 1);
  EXPECT_EQ(client_->BotUserId(&stats).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stats.http_status, 404);
  EXPECT_EQ(stats.error_id, "standin.failure");
  mm_.FailNext("users/me", 400, 1);
  EXPECT_EQ(client_->BotUserId().status().code(), StatusCode::kInvalidArgument);
  mm_.FailNext("users/me", 408, 1);
  EXPECT_EQ(client_->BotUserId().status().code(), StatusCode::kUnavailable);
  mm_.FailNext("users/me", 403, 1);
  EXPECT_EQ(client_->BotUserId().status().code(), StatusCode::kPermissionDenied);
  auto id = client_->BotUserId(&stats);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, MattermostStandIn::kBotUserId);
  EXPECT_EQ(stats.http_status, 200);
  EXPECT_TRUE(client_->CreatePost("", "hi").code() == StatusCode::kInvalidArgument);
}

TEST(MattermostClientUrlTest, ChecksMattermostUrl) {
  for (const char* good :
       {"http://127.0.0.1:8065", "https://chat.example.com", "https://chat.example.com/",
        "https://example.com/chat/", "http://[::1]:8065"}) {
    EXPECT_TRUE(MattermostClient::CheckUrl(good).ok()) << good;
  }
  for (const char* bad :
       {"", "chat.example.com", "ftp://chat.example.com", "http://", "http://user@chat.example.com",
        "http://chat.example.com:99999", "http://chat.example.com:x", "http://chat example.com",
        "https://chat.example.com/?a=b"}) {
    EXPECT_EQ(MattermostClient::CheckUrl(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(mattermost::IsMattermostId(kAlice));
  EXPECT_FALSE(mattermost::IsMattermostId("alice"));
  EXPECT_FALSE(mattermost::IsMattermostId("ALICE000000000000000000001"));
}

TEST_F(MattermostDelivererTest, TheDispatcherSendsTheOutboxThroughMattermost) {
  auto opened = OpenStore("sqlite://:memory:");
  ASSERT_TRUE(opened.ok());
  std::unique_ptr<Store> store = std::move(*opened);
  ASSERT_TRUE(store->Migrate().ok());
  FakeClock clock{Seconds(std::chrono::seconds(1793610000))};
  Bot bot(store.get(), &clock);
  const std::string workspace = "mattermost:" + std::string(kTeam);
  ASSERT_TRUE(bot.EnsureWorkspace(workspace, "mattermost", "acme").ok());
  Job job = MakeJob(kAlice);
  job.payload = ReplyToJson(Prompt());
  job.due_at = job.next_attempt_at = job.created_at = clock.Now();
  ASSERT_TRUE(store->EnqueueJob(job).ok());
  Job limited = MakeJob(kBob);
  limited.payload = ReplyToJson(Prompt());
  limited.due_at = limited.next_attempt_at = limited.created_at = clock.Now();
  ASSERT_TRUE(store->EnqueueJob(limited).ok());

  Metrics metrics;
  Dispatcher dispatcher(
      store.get(), &clock, DispatcherOptions{}, [] { return 0.0; }, &metrics);
  dispatcher.RegisterPlatform("mattermost", deliverer_.get());
  mm_.FailNext("channels/direct", 429, 1, 600);  // the first DM channel is rate limited
  DispatchStats stats = dispatcher.RunOnce();
  EXPECT_EQ(stats.claimed, 2);
  EXPECT_EQ(stats.sent, 0);
  EXPECT_EQ(stats.retried, 1);
  EXPECT_EQ(stats.deferred, 1) << "the workspace waits out its Retry-After, untried";
  EXPECT_EQ(mm_.Posts().size(), 0u);
  JobFilter pending;
  pending.state = JobState::kPending;
  auto waiting = store->ListJobs(pending);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 2u);
  clock.Advance(std::chrono::seconds(300));
  EXPECT_EQ(dispatcher.RunOnce().claimed, 0) << "not claimed while the workspace is paused";
  clock.Advance(std::chrono::seconds(301));
  stats = dispatcher.RunOnce();
  EXPECT_EQ(stats.sent, 2);
  EXPECT_EQ(mm_.Posts().size(), 2u);
}


TEST_F(MattermostDelivererTest, ChartsArePostedAsImageLinksOrAsTheirText) {
  mm_.AddChannel(kChannel);
  Reply digest;
  digest.Header("OKR digest · 2026-Q4");
  digest.Image("Objectives · 2026-Q4", "O1 at 0.33, on track.", "<svg/>", 600, 120);
  ASSERT_EQ(deliverer_->Deliver(MakeJob(std::string("#") + kChannel), digest).outcome,
            Outcome::kSent);
  digest.blocks.back().image_url = "https://okr.example.com/charts/" + std::string(64, 'a') + ".png";
  ASSERT_EQ(deliverer_->Deliver(MakeJob(std::string("#") + kChannel), digest).outcome,
            Outcome::kSent);
  ASSERT_EQ(mm_.Posts().size(), 2u);
  auto posts = mm_.Calls("posts");
  std::string without = posts[0].body["message"];
  std::string with = posts[1].body["message"];
  EXPECT_NE(without.find("_Objectives · 2026-Q4: O1 at 0.33, on track._"), std::string::npos)
      << without;
  EXPECT_NE(with.find("![Objectives · 2026-Q4: O1 at 0.33, on track.](https://okr.example.com/"
                      "charts/"),
            std::string::npos)
      << with;
}

}  // namespace
}  // namespace okrbot::testing
