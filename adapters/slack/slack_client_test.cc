// SlackClient against the local Slack stand-in: request shapes, parsed answers, and the retry,
// rate-limit and error rules of the header contract. No test really waits for a backoff: the
// client's sleep is injected and recorded.
#include "adapters/slack/slack_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/log_capture.h"
#include "tests/slack_standin.h"

namespace okrbot {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RecordedCall;
using testing::SlackStandIn;

constexpr char kToken[] = "xoxb-secret-token-4242";
const bool kClientSecretsForbidden = (testing::ForbidInLogs(kToken), true);

class SlackClientTest : public ::testing::Test {
 protected:
  SlackClientOptions Options() {
    SlackClientOptions options;
    options.api_base = slack_.ApiBase();
    options.connect_timeout = milliseconds(2000);
    options.read_timeout = milliseconds(3000);
    options.sleep = [this](milliseconds d) {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(d);
    };
    options.jitter = [] { return 1.0; };
    return options;
  }
  std::vector<milliseconds> Sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }
  RecordedCall OnlyCall(const std::string& method) {
    std::vector<RecordedCall> calls = slack_.Calls(method);
    EXPECT_EQ(calls.size(), 1u) << method;
    return calls.empty() ? RecordedCall() : calls.front();
  }

  SlackStandIn slack_;  // declared first: outlives the clients made in the tests
  std::mutex mu_;
  std::vector<milliseconds> sleeps_;
};

// ---- typed helpers: request shape and parsed answer ----

TEST_F(SlackClientTest, PostMessageSendsJsonWithBearerToken) {
  SlackClient client(Options());
  json blocks =
      json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "*Hi*"}}}}});
  auto posted = client.PostMessage(kToken, "C123", blocks, "Hi");
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(posted->channel, "C123");
  EXPECT_EQ(posted->ts, "1700000000.000100");

  RecordedCall call = OnlyCall("chat.postMessage");
  EXPECT_EQ(call.path, "/api/chat.postMessage");
  EXPECT_EQ(call.Header("Authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(call.token, kToken);
  EXPECT_EQ(call.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(call.args["channel"], "C123");
  EXPECT_EQ(call.args["text"], "Hi");
  EXPECT_EQ(call.args["blocks"], blocks);
  EXPECT_EQ(call.body.find(kToken), std::string::npos) << "token only in the header";

  // Text only: no blocks field; a user ID as channel answers with the DM channel.
  auto second = client.PostMessage(kToken, "U7", json(), "plain");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->channel, "DU7");
  EXPECT_EQ(second->ts, "1700000000.000200");
  EXPECT_FALSE(slack_.Calls("chat.postMessage")[1].args.contains("blocks"));
}

TEST_F(SlackClientTest, PostEphemeralAndUpdateMessage) {
  SlackClient client(Options());
  auto ephemeral = client.PostEphemeral(kToken, "C1", "U2", json::array(), "only you");
  ASSERT_TRUE(ephemeral.ok()) << ephemeral.status().ToString();
  EXPECT_FALSE(ephemeral->empty());
  RecordedCall e = OnlyCall("chat.postEphemeral");
  EXPECT_EQ(e.args["channel"], "C1");
  EXPECT_EQ(e.args["user"], "U2");
  EXPECT_EQ(e.args["text"], "only you");

  json blocks = json::array({{{"type", "divider"}}});
  auto updated = client.UpdateMessage(kToken, "C1", "1700000000.000100", blocks, "new text");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->channel, "C1");
  EXPECT_EQ(updated->ts, "1700000000.000100");
  RecordedCall u = OnlyCall("chat.update");
  EXPECT_EQ(u.args["ts"], "1700000000.000100");
  EXPECT_EQ(u.args["blocks"], blocks);
  EXPECT_EQ(u.args["text"], "new text");
}

TEST_F(SlackClientTest, UsersInfoIsFormEncodedAndParsed) {
  slack_.SetUser("U9", "alice", "America/New_York", /*is_admin=*/true);
  SlackClient client(Options());
  auto user = client.UsersInfo(kToken, "U9");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->id, "U9");
  EXPECT_EQ(user->name, "alice");
  EXPECT_EQ(user->real_name, "alice");
  EXPECT_EQ(user->display_name, "alice");
  EXPECT_EQ(user->tz, "America/New_York");
  EXPECT_TRUE(user->is_admin);
  EXPECT_FALSE(user->is_owner);
  EXPECT_FALSE(user->deleted);
  RecordedCall call = OnlyCall("users.info");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(call.args["user"], "U9");
  EXPECT_EQ(call.token, kToken);

  auto other = client.UsersInfo(kToken, "UBOB");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->name, "ubob");
  EXPECT_EQ(other->tz, "Europe/Berlin");
  EXPECT_FALSE(other->is_admin);
}

TEST_F(SlackClientTest, ViewsOpenAndPublish) {
  SlackClient client(Options());
  json modal = {{"type", "modal"}, {"title", {{"type", "plain_text"}, {"text", "Check in"}}}};
  auto opened = client.ViewsOpen(kToken, "trigger-1", modal);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "V1");
  RecordedCall open = OnlyCall("views.open");
  EXPECT_EQ(open.args["trigger_id"], "trigger-1");
  EXPECT_EQ(open.args["view"], modal);

  json home = {{"type", "home"}, {"blocks", json::array()}};
  auto published = client.ViewsPublish(kToken, "U5", home);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(*published, "V2");
  RecordedCall publish = OnlyCall("views.publish");
  EXPECT_EQ(publish.args["user_id"], "U5");
  EXPECT_EQ(publish.args["view"], home);
}

TEST_F(SlackClientTest, AuthTest) {
  SlackClient client(Options());
  auto auth = client.AuthTest(kToken);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->team_id, "T1");
  EXPECT_EQ(auth->user_id, "UBOT");
  EXPECT_EQ(auth->bot_id, "B1");
  EXPECT_EQ(OnlyCall("auth.test").token, kToken);
}

TEST_F(SlackClientTest, GenericCallReturnsWholeAnswerAndChecksArguments) {
  SlackClient client(Options());
  auto answer = client.Call("auth.test", kToken, json());
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ((*answer)["url"], "https://okrbot-test.slack.com/");

  auto unknown = client.Call("frob.nicate", kToken, json::object());
  EXPECT_EQ(unknown.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(unknown.status().message().find("unknown_method"), std::string::npos);

  auto bad_args = client.Call("chat.postMessage", kToken, json::array({1, 2}));
  EXPECT_EQ(bad_args.status().code(), StatusCode::kInvalidArgument);
  auto bad_method = client.Call("../admin", kToken, json::object());
  EXPECT_EQ(bad_method.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(slack_.CallCount("chat.postMessage"), 0);
}

TEST_F(SlackClientTest, MalformedApiBaseFailsWithoutNetwork) {
  for (const char* base : {"ftp://slack.com/api", "slack.com/api", "http://", "http://h:0/api",
                           "http://h:99999/api", "https://user:pw@slack.com/api"}) {
    EXPECT_FALSE(SlackClient::CheckApiBase(base).ok()) << base;
    SlackClientOptions options = Options();
    options.api_base = base;
    SlackClient client(options);
    auto result = client.AuthTest(kToken);
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << base;
  }
  EXPECT_TRUE(SlackClient::CheckApiBase("https://slack.com/api").ok());
  EXPECT_TRUE(SlackClient::CheckApiBase("http://127.0.0.1:8080/api/").ok());
  EXPECT_TRUE(SlackClient::CheckApiBase("http://[::1]:8080").ok());
  EXPECT_TRUE(Sleeps().empty());
}

// ---- OAuth ----

TEST_F(SlackClientTest, OAuthV2AccessExchangesCode) {
  slack_.SetOAuth("cid.1", "client-secret-xyz", "code-abc");
  SlackClient client(Options());
  auto install = client.OAuthV2Access("cid.1", "client-secret-xyz", "code-abc",
                                      "https://okr.example.com/slack/oauth/callback");
  ASSERT_TRUE(install.ok()) << install.status().ToString();
  EXPECT_EQ(install->team_id, "T1");
  EXPECT_EQ(install->team_name, "Test Team");
  EXPECT_EQ(install->enterprise_id, "");
  EXPECT_EQ(install->access_token, "xoxb-T1-installed");
  EXPECT_EQ(install->bot_user_id, "UBOT");
  EXPECT_EQ(install->authed_user_id, "U1");
  EXPECT_EQ(install->app_id, "A1");
  EXPECT_NE(install->scope.find("chat:write"), std::string::npos);

  RecordedCall call = OnlyCall("oauth.v2.access");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(call.Header("Authorization"), "");
  EXPECT_EQ(call.args["client_id"], "cid.1");
  EXPECT_EQ(call.args["client_secret"], "client-secret-xyz");
  EXPECT_EQ(call.args["code"], "code-abc");
  EXPECT_EQ(call.args["redirect_uri"], "https://okr.example.com/slack/oauth/callback");
}

TEST_F(SlackClientTest, OAuthEnterpriseInstallOverride) {
  slack_.SetOAuth("cid", "sec", "c1",
                  {{"enterprise", {{"id", "E9"}, {"name", "Grid"}}}, {"access_token", "xoxb-E9"}});
  SlackClient client(Options());
  auto install = client.OAuthV2Access("cid", "sec", "c1", "");
  ASSERT_TRUE(install.ok()) << install.status().ToString();
  EXPECT_EQ(install->enterprise_id, "E9");
  EXPECT_EQ(install->access_token, "xoxb-E9");
  EXPECT_FALSE(OnlyCall("oauth.v2.access").args.contains("redirect_uri"));
}

TEST_F(SlackClientTest, OAuthInvalidCodeAndBadSecret) {
  slack_.SetOAuth("cid", "the-client-secret", "good-code");
  SlackClient client(Options());
  SlackCallStats stats;
  auto wrong_code = client.OAuthV2Access("cid", "the-client-secret", "bad-code-777", "", &stats);
  EXPECT_EQ(wrong_code.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stats.slack_error, "invalid_code");
  EXPECT_EQ(stats.attempts, 1);
  EXPECT_NE(wrong_code.status().message().find("invalid_code"), std::string::npos);
  EXPECT_EQ(wrong_code.status().message().find("bad-code-777"), std::string::npos);
  EXPECT_EQ(wrong_code.status().message().find("the-client-secret"), std::string::npos);

  auto bad_secret = client.OAuthV2Access("cid", "wrong-secret", "good-code", "", &stats);
  EXPECT_EQ(bad_secret.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(stats.slack_error, "bad_client_secret");

  ASSERT_TRUE(client.OAuthV2Access("cid", "the-client-secret", "good-code", "").ok());
  auto reused = client.OAuthV2Access("cid", "the-client-secret", "good-code", "", &stats);
  EXPECT_EQ(reused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stats.slack_error, "invalid_code") << "a code works once";
  EXPECT_TRUE(Sleeps().empty());
}

// ---- response_url ----

TEST_F(SlackClientTest, PostResponseUrl) {
  SlackClient client(Options());
  json payload = {{"response_type", "ephemeral"}, {"text", "Done: KR1 is at 62%"}};
  Status posted = client.PostResponseUrl(slack_.ResponseUrl("T1/123/abcsecret"), payload);
  ASSERT_TRUE(posted.ok()) << posted.ToString();
  RecordedCall call = OnlyCall("response_url");
  EXPECT_EQ(call.path, "/response/T1/123/abcsecret");
  EXPECT_EQ(call.args, payload);
  EXPECT_EQ(call.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(call.Header("Authorization"), "");

  // Same retry rules.
  slack_.FailNext("response_url", 503, 1);
  SlackCallStats stats;
  ASSERT_TRUE(client.PostResponseUrl(slack_.ResponseUrl("again"), payload, &stats).ok());
  EXPECT_EQ(stats.attempts, 2);
  EXPECT_EQ(Sleeps(), std::vector<milliseconds>{milliseconds(500)});

  // An expired URL is not retried, and the message does not reveal the URL.
  slack_.FailNext("response_url", 404, 1, {}, "expired_url");
  Status expired = client.PostResponseUrl(slack_.ResponseUrl("hooksecret99"), payload, &stats);
  EXPECT_EQ(expired.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(stats.slack_error, "expired_url");
  EXPECT_EQ(stats.attempts, 1);
  EXPECT_EQ(expired.message().find("hooksecret99"), std::string::npos) << expired.message();

  EXPECT_EQ(client.PostResponseUrl("not a url", payload).code(), StatusCode::kInvalidArgument);
}

// ---- rate limits ----

TEST_F(SlackClientTest, RateLimitWaitsRetryAfterThenSucceeds) {
  slack_.FailNext("chat.postMessage", 429, 1, 2);
  SlackClient client(Options());
  SlackCallStats stats;
  auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(Sleeps(), std::vector<milliseconds>{seconds(2)});
  EXPECT_EQ(slack_.CallCount("chat.postMessage"), 2);
  EXPECT_EQ(stats.attempts, 2);
  EXPECT_EQ(stats.http_status, 200);
  EXPECT_EQ(stats.retry_after, seconds(2));
  EXPECT_EQ(stats.waited, seconds(2));
}

TEST_F(SlackClientTest, RateLimitWithoutRetryAfterWaitsOneSecond) {
  slack_.FailNext("auth.test", 429, 1);
  SlackClient client(Options());
  ASSERT_TRUE(client.AuthTest(kToken).ok());
  EXPECT_EQ(Sleeps(), std::vector<milliseconds>{seconds(1)});
}

TEST_F(SlackClientTest, RetryAfterAboveMaximumIsReturnedNotWaited) {
  slack_.FailNext("chat.postMessage", 429, 1, 120);
  SlackClient client(Options());
  SlackCallStats stats;
  auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
  EXPECT_EQ(posted.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(stats.retry_after, seconds(120));
  EXPECT_EQ(stats.http_status, 429);
  EXPECT_EQ(stats.attempts, 1);
  EXPECT_TRUE(Sleeps().empty());
  EXPECT_EQ(slack_.CallCount("chat.postMessage"), 1);
  EXPECT_NE(posted.status().message().find("retry after 120 s"), std::string::npos);
}

TEST_F(SlackClientTest, OkFalseRatelimitedIsTreatedLike429) {
  slack_.FailNext("chat.postMessage", 200, 1, 3, R"({"ok":false,"error":"ratelimited"})");
  SlackClient client(Options());
  SlackCallStats stats;
  ASSERT_TRUE(client.PostMessage(kToken, "C1", json(), "hi", &stats).ok());
  EXPECT_EQ(Sleeps(), std::vector<milliseconds>{seconds(3)});
  EXPECT_EQ(stats.attempts, 2);
}

TEST_F(SlackClientTest, RateLimitedOnEveryAttemptReportsRetryAfter) {
  slack_.FailNext("chat.postMessage", 429, 10, 5);
  SlackClient client(Options());
  SlackCallStats stats;
  auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
  EXPECT_EQ(posted.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(stats.attempts, 4);
  EXPECT_EQ(stats.retry_after, seconds(5));
  EXPECT_EQ(Sleeps().size(), 3u);
}

// ---- server errors, timeouts, bad bodies ----

TEST_F(SlackClientTest, ServerErrorTwiceThenSuccess) {
  slack_.FailNext("chat.postMessage", 500, 2);
  SlackClient client(Options());
  SlackCallStats stats;
  auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(slack_.CallCount("chat.postMessage"), 3);
  EXPECT_EQ(Sleeps(), (std::vector<milliseconds>{milliseconds(500), milliseconds(1000)}));
  EXPECT_EQ(stats.attempts, 3);
  EXPECT_EQ(stats.retry_after, seconds(0));
}

TEST_F(SlackClientTest, ServerErrorForeverFailsAfterMaxAttempts) {
  slack_.FailNext("chat.postMessage", 503, 100);
  SlackClientOptions options = Options();
  options.jitter = [] { return 0.0; };  // the lower half of each backoff window
  SlackClient client(options);
  SlackCallStats stats;
  auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
  EXPECT_EQ(posted.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(posted.status().message().find("4 attempts"), std::string::npos)
      << posted.status().message();
  EXPECT_NE(posted.status().message().find("HTTP 503"), std::string::npos);
  EXPECT_EQ(slack_.CallCount("chat.postMessage"), 4);
  EXPECT_EQ(Sleeps(),
            (std::vector<milliseconds>{milliseconds(250), milliseconds(500), milliseconds(1000)}));
  EXPECT_EQ(stats.attempts, 4);
  EXPECT_EQ(stats.http_status, 503);
}

TEST_F(SlackClientTest, BackoffIsCappedAtMaxBackoff) {
  slack_.FailNext("auth.test", 500, 100);
  SlackClientOptions options = Options();
  options.max_attempts = 5;
  options.max_backoff = milliseconds(800);
  SlackClient client(options);
  EXPECT_EQ(client.AuthTest(kToken).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Sleeps(), (std::vector<milliseconds>{milliseconds(500), milliseconds(800),
                                                 milliseconds(800), milliseconds(800)}));
}

TEST_F(SlackClientTest, NonJsonBodyIsRetriedThenUnavailable) {
  slack_.FailNext("auth.test", 200, 100, {}, "<html>gateway says hi</html>");
  SlackClient client(Options());
  auto auth = client.AuthTest(kToken);
  EXPECT_EQ(auth.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(auth.status().message().find("not Slack JSON"), std::string::npos);
  EXPECT_EQ(slack_.CallCount("auth.test"), 4);
}

TEST_F(SlackClientTest, ReadTimeoutIsRetriedThenUnavailable) {
  slack_.SetDelay("auth.test", milliseconds(1500));
  SlackClientOptions options = Options();
  options.connect_timeout = milliseconds(200);
  options.read_timeout = milliseconds(200);
  options.max_attempts = 2;
  SlackClient client(options);
  SlackCallStats stats;
  auto start = std::chrono::steady_clock::now();
  auto auth = client.AuthTest(kToken, &stats);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(auth.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(stats.attempts, 2);
  EXPECT_EQ(stats.http_status, 0);
  EXPECT_LT(elapsed, milliseconds(1400)) << "gave up on the read timeout, not the delay";
  EXPECT_TRUE(slack_.WaitForCalls("auth.test", 2, seconds(2)));
  EXPECT_EQ(Sleeps().size(), 1u);

  // The pool recovers once the server is fast again.
  slack_.SetDelay("auth.test", milliseconds(0));
  EXPECT_TRUE(client.AuthTest(kToken).ok());
}

TEST_F(SlackClientTest, ConnectionRefusedIsRetriedThenUnavailable) {
  std::string dead_base;
  {
    SlackStandIn gone;
    dead_base = gone.ApiBase();
  }
  SlackClientOptions options = Options();
  options.api_base = dead_base;
  options.max_attempts = 3;
  SlackClient client(options);
  SlackCallStats stats;
  auto auth = client.AuthTest(kToken, &stats);
  EXPECT_EQ(auth.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(auth.status().message().find("connection failed"), std::string::npos)
      << auth.status().message();
  EXPECT_EQ(stats.attempts, 3);
  EXPECT_EQ(Sleeps().size(), 2u);
}

// ---- Slack errors ----

TEST_F(SlackClientTest, InvalidAuthIsPermissionDeniedAndNotRetried) {
  slack_.SetValidTokens({"xoxb-the-good-one"});
  SlackClient client(Options());
  SlackCallStats stats;
  auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
  EXPECT_EQ(posted.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(stats.slack_error, "invalid_auth");
  EXPECT_EQ(stats.attempts, 1);
  EXPECT_EQ(slack_.CallCount(), 1);
  EXPECT_TRUE(Sleeps().empty());

  auto none = client.AuthTest("", &stats);
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(stats.slack_error, "not_authed");
  EXPECT_TRUE(client.AuthTest("xoxb-the-good-one").ok());
}

TEST_F(SlackClientTest, SlackErrorCodes) {
  struct Case {
    const char* error;
    StatusCode code;
  };
  SlackClient client(Options());
  for (Case c : {Case{"channel_not_found", StatusCode::kFailedPrecondition},
                 Case{"not_in_channel", StatusCode::kFailedPrecondition},
                 Case{"account_inactive", StatusCode::kPermissionDenied},
                 Case{"token_revoked", StatusCode::kPermissionDenied},
                 Case{"missing_scope", StatusCode::kPermissionDenied}}) {
    slack_.FailNext("chat.postMessage", 200, 1, {},
                    json({{"ok", false}, {"error", c.error}}).dump());
    SlackCallStats stats;
    auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
    EXPECT_EQ(posted.status().code(), c.code) << c.error;
    EXPECT_NE(posted.status().message().find(c.error), std::string::npos);
    EXPECT_EQ(stats.slack_error, c.error);
    EXPECT_EQ(stats.attempts, 1) << c.error;
  }
  EXPECT_TRUE(Sleeps().empty());
}

TEST_F(SlackClientTest, Other4xxIsInvalidArgumentAndNotRetried) {
  slack_.FailNext("chat.postMessage", 400, 5, {}, R"({"ok":false,"error":"invalid_json"})");
  SlackClient client(Options());
  SlackCallStats stats;
  auto posted = client.PostMessage(kToken, "C1", json(), "hi", &stats);
  EXPECT_EQ(posted.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(stats.http_status, 400);
  EXPECT_EQ(stats.slack_error, "invalid_json");
  EXPECT_EQ(slack_.CallCount("chat.postMessage"), 1);
}

TEST_F(SlackClientTest, TokenNeverAppearsInStatusOrStats) {
  SlackClient client(Options());
  const std::string echo = std::string("bad token ") + kToken;
  std::vector<std::pair<Status, SlackCallStats>> outcomes;
  auto run = [&] {
    SlackCallStats stats;
    Status status = client.PostMessage(kToken, "C1", json(), "hi", &stats).status();
    outcomes.emplace_back(status, stats);
  };
  slack_.FailNext("chat.postMessage", 200, 1, {}, json({{"ok", false}, {"error", echo}}).dump());
  run();
  slack_.FailNext("chat.postMessage", 403, 1, {}, json({{"ok", false}, {"error", echo}}).dump());
  run();
  slack_.FailNext("chat.postMessage", 401, 1, {}, echo);
  run();
  slack_.FailNext("chat.postMessage", 500, 4, {}, echo);
  run();
  slack_.FailNext("chat.postMessage", 429, 1, 999, json({{"ok", false}, {"error", echo}}).dump());
  run();
  slack_.SetValidTokens({"xoxb-other"});
  run();
  ASSERT_EQ(outcomes.size(), 6u);
  for (const auto& [status, stats] : outcomes) {
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(status.ToString().find(kToken), std::string::npos) << status.ToString();
    EXPECT_EQ(stats.slack_error.find(kToken), std::string::npos) << stats.slack_error;
  }
}

// ---- threads ----

TEST_F(SlackClientTest, ConcurrentCallsFromEightThreads) {
  slack_.SetValidTokens({kToken});
  SlackClient client(Options());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 12;
  std::mutex mu;
  std::set<std::string> ts_seen;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto posted = client.PostMessage(kToken, "C" + std::to_string(t), json(), "n");
        auto user = client.UsersInfo(kToken, "U" + std::to_string(i));
        if (!posted.ok() || !user.ok() || posted->channel != "C" + std::to_string(t)) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        ts_seen.insert(posted->ts);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ts_seen.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(slack_.CallCount("chat.postMessage"), kThreads * kPerThread);
  EXPECT_EQ(slack_.CallCount("users.info"), kThreads * kPerThread);
}

// ---- the stand-in itself ----

TEST_F(SlackClientTest, StandInWaitsForCallsAndMatchesAnyMethod) {
  EXPECT_FALSE(slack_.WaitForCalls("auth.test", 1, milliseconds(20)));
  slack_.FailNext("*", 500, 1);
  slack_.SetAnswer("team.info", {{"ok", true}, {"team", {{"id", "T1"}}}});
  SlackClient client(Options());
  auto team = client.Call("team.info", kToken, json::object());
  ASSERT_TRUE(team.ok()) << team.status().ToString();
  EXPECT_EQ((*team)["team"]["id"], "T1");
  EXPECT_TRUE(slack_.WaitForCalls("team.info", 2, milliseconds(100)));
  EXPECT_EQ(Sleeps().size(), 1u);
  slack_.ClearCalls();
  EXPECT_EQ(slack_.CallCount(), 0);
}

}  // namespace
}  // namespace okrbot
