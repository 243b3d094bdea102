#include "adapters/slack/slack_deliverer.h"

#include <gtest/gtest.h>

#include "storage/open_store.h"
#include "tests/slack_standin.h"

namespace okrbot::slack {
namespace {

using Outcome = DeliveryResult::Outcome;

class SlackDelivererTest : public ::testing::Test {
 protected:
  SlackDelivererTest() {
    SlackClientOptions options;
    options.api_base = slack_.ApiBase();
    options.max_attempts = 1;
    options.sleep = [](std::chrono::milliseconds) {};
    client_ = std::make_unique<SlackClient>(options);
    auto store = OpenStore("sqlite://:memory:");
    store_ = std::move(*store);
    EXPECT_TRUE(store_->Migrate().ok());
    tokens_ = std::make_unique<SlackTokens>(store_.get(), nullptr, "xoxb-test");
    deliverer_ = std::make_unique<SlackDeliverer>(client_.get(), tokens_.get());
  }

  Job MakeJob(const std::string& target) {
    Job job;
    job.key = "slack:T1|checkin|" + target + "|2026-W45";
    job.workspace_id = "slack:T1";
    job.target = target;
    return job;
  }

  Reply Prompt() {
    Reply reply;
    reply.Header("Weekly check-in").Text("KR1 Increase NPS from 55 to 70");
    return reply;
  }

  okrbot::testing::SlackStandIn slack_;
  std::unique_ptr<SlackClient> client_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SlackTokens> tokens_;
  std::unique_ptr<SlackDeliverer> deliverer_;
};

TEST_F(SlackDelivererTest, DirectMessagePostsToTheUserIdWithoutOpeningAConversation) {
  DeliveryResult result = deliverer_->Deliver(MakeJob("UBOB"), Prompt());
  EXPECT_EQ(result.outcome, Outcome::kSent) << result.error;
  EXPECT_EQ(slack_.CallCount("conversations.open"), 0);
  auto posts = slack_.Calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].args["channel"], "UBOB");
  EXPECT_EQ(posts[0].token, "xoxb-test");
  EXPECT_EQ(posts[0].args["blocks"][0]["type"], "header");
  EXPECT_NE(posts[0].args["text"].get<std::string>().find("Weekly check-in"), std::string::npos);
}

TEST_F(SlackDelivererTest, ChannelTargetsArePostedDirectly) {
  EXPECT_EQ(deliverer_->Deliver(MakeJob("#okrs"), Prompt()).outcome, Outcome::kSent);
  EXPECT_EQ(slack_.CallCount("conversations.open"), 0);
  EXPECT_EQ(slack_.Calls("chat.postMessage")[0].args["channel"], "okrs");
}

TEST_F(SlackDelivererTest, RateLimitsAndServerErrorsAreRetried) {
  slack_.FailNext("chat.postMessage", 429, 1, 30);
  DeliveryResult limited = deliverer_->Deliver(MakeJob("#okrs"), Prompt());
  EXPECT_EQ(limited.outcome, Outcome::kRetry);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(30));
  slack_.FailNext("chat.postMessage", 500, 1);
  EXPECT_EQ(deliverer_->Deliver(MakeJob("#okrs"), Prompt()).outcome, Outcome::kRetry);
  EXPECT_EQ(deliverer_->Deliver(MakeJob("#okrs"), Prompt()).outcome, Outcome::kSent);
}

TEST_F(SlackDelivererTest, RevokedTokensAndMissingInstallsArePermanent) {
  slack_.SetValidTokens({"xoxb-other"});
  DeliveryResult revoked = deliverer_->Deliver(MakeJob("#okrs"), Prompt());
  EXPECT_EQ(revoked.outcome, Outcome::kPermanentFailure);
  EXPECT_EQ(revoked.error, "invalid_auth");
  SlackTokens oauth_tokens(store_.get(), nullptr, "");
  SlackDeliverer oauth(client_.get(), &oauth_tokens);
  EXPECT_EQ(oauth.Deliver(MakeJob("#okrs"), Prompt()).outcome, Outcome::kPermanentFailure);
}

}  // namespace
}  // namespace okrbot::slack
