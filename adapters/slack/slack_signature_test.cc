#include "adapters/slack/slack_signature.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

namespace okrbot {
namespace {

// Slack's published example (https://api.slack.com/authentication/verifying-requests-from-slack).
constexpr char kSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr char kTimestamp[] = "1531420618";
constexpr long long kTimestampSeconds = 1531420618;
constexpr char kBody[] =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
constexpr char kSignature[] = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

Seconds At(long long unix_seconds) { return Seconds(std::chrono::seconds(unix_seconds)); }

class SlackSignatureTest : public ::testing::Test {
 protected:
  FakeClock clock_{At(kTimestampSeconds + 10)};
  SlackSignatureVerifier verifier_{kSecret, &clock_};

  // Expects a refusal with `code` whose message contains `fragment` and leaks nothing secret.
  void ExpectRefused(const Status& status, std::string_view fragment,
                     StatusCode code = StatusCode::kPermissionDenied) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), code) << status.ToString();
    EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find(kSecret), std::string::npos);
    EXPECT_EQ(status.message().find(kSignature + 3), std::string::npos);
  }
};

TEST_F(SlackSignatureTest, SignsSlacksPublishedExample) {
  EXPECT_EQ(verifier_.Sign(kTimestamp, kBody), kSignature);
}

TEST_F(SlackSignatureTest, VerifiesSlacksPublishedExample) {
  Status status = verifier_.Verify(kTimestamp, kSignature, kBody);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(SlackSignatureTest, AcceptsTheEdgesOfTheWindow) {
  clock_.Set(At(kTimestampSeconds + 300));
  EXPECT_TRUE(verifier_.Verify(kTimestamp, kSignature, kBody).ok());
  clock_.Set(At(kTimestampSeconds - 300));
  EXPECT_TRUE(verifier_.Verify(kTimestamp, kSignature, kBody).ok());
}

TEST_F(SlackSignatureTest, RefusesAStaleRequest) {
  clock_.Set(At(kTimestampSeconds + 301));
  ExpectRefused(verifier_.Verify(kTimestamp, kSignature, kBody), "old");
  clock_.Set(At(kTimestampSeconds + 86400));
  ExpectRefused(verifier_.Verify(kTimestamp, kSignature, kBody), "old");
}

TEST_F(SlackSignatureTest, RefusesARequestFromTheFuture) {
  clock_.Set(At(kTimestampSeconds - 301));
  ExpectRefused(verifier_.Verify(kTimestamp, kSignature, kBody), "future");
}

TEST_F(SlackSignatureTest, HonoursACustomWindow) {
  SlackSignatureVerifier strict(kSecret, &clock_, std::chrono::seconds(5));
  ExpectRefused(strict.Verify(kTimestamp, kSignature, kBody), "5 s old");
  clock_.Set(At(kTimestampSeconds + 5));
  EXPECT_TRUE(strict.Verify(kTimestamp, kSignature, kBody).ok());
}

TEST_F(SlackSignatureTest, RefusesATamperedBody) {
  std::string body = kBody;
  body.replace(body.find("roadrunner"), 10, "wileecoyot");
  ExpectRefused(verifier_.Verify(kTimestamp, kSignature, body), "does not match");
  ExpectRefused(verifier_.Verify(kTimestamp, kSignature, std::string(kBody) + "&x=1"),
                "does not match");
  ExpectRefused(verifier_.Verify(kTimestamp, kSignature, ""), "does not match");
}

TEST_F(SlackSignatureTest, RefusesATamperedTimestampOrSignature) {
  ExpectRefused(verifier_.Verify("1531420619", kSignature, kBody), "does not match");
  for (size_t i = 3; i < sizeof(kSignature) - 1; ++i) {
    std::string signature = kSignature;
    signature[i] = signature[i] == '0' ? '1' : '0';
    ExpectRefused(verifier_.Verify(kTimestamp, signature, kBody), "does not match");
  }
  // Slack sends lower-case hex; the comparison is exact.
  std::string upper = kSignature;
  for (size_t i = 3; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  ExpectRefused(verifier_.Verify(kTimestamp, upper, kBody), "does not match");
}

TEST_F(SlackSignatureTest, RefusesTheWrongSecret) {
  SlackSignatureVerifier other("8f742231b10e8888abcd99yyyzzz85a6", &clock_);
  ExpectRefused(other.Verify(kTimestamp, kSignature, kBody), "does not match");
  EXPECT_NE(other.Sign(kTimestamp, kBody), kSignature);
}

TEST_F(SlackSignatureTest, RefusesMissingHeaders) {
  ExpectRefused(verifier_.Verify("", kSignature, kBody), "X-Slack-Request-Timestamp");
  ExpectRefused(verifier_.Verify(kTimestamp, "", kBody), "X-Slack-Signature");
  ExpectRefused(verifier_.Verify("", "", kBody), "X-Slack-Request-Timestamp");
}

TEST_F(SlackSignatureTest, RefusesANonNumericTimestamp) {
  for (std::string_view timestamp :
       {"abc", "1531420618.5", " 1531420618", "1531420618 ", "-1531420618", "+1531420618",
        "0x5B47A0CA", "99999999999999999999999999"}) {
    ExpectRefused(verifier_.Verify(timestamp, kSignature, kBody), "not a number");
  }
}

TEST_F(SlackSignatureTest, RefusesAnotherVersionPrefix) {
  std::string v1 = kSignature;
  v1[1] = '1';
  ExpectRefused(verifier_.Verify(kTimestamp, v1, kBody), "v0=");
  ExpectRefused(verifier_.Verify(kTimestamp, kSignature + 3, kBody), "v0=");
  ExpectRefused(verifier_.Verify(kTimestamp, "V0=abc", kBody), "v0=");
}

TEST_F(SlackSignatureTest, RefusesTheWrongLength) {
  std::string signature = kSignature;
  ExpectRefused(verifier_.Verify(kTimestamp, signature.substr(0, signature.size() - 1), kBody),
                "wrong length");
  ExpectRefused(verifier_.Verify(kTimestamp, signature + "0", kBody), "wrong length");
  ExpectRefused(verifier_.Verify(kTimestamp, "v0=", kBody), "wrong length");
}

TEST_F(SlackSignatureTest, AnEmptySecretRefusesEverything) {
  SlackSignatureVerifier empty("", &clock_);
  std::string forged = empty.Sign(kTimestamp, kBody);
  ExpectRefused(empty.Verify(kTimestamp, forged, kBody), "empty", StatusCode::kFailedPrecondition);
}

TEST_F(SlackSignatureTest, SignsBinaryAndLargeBodies) {
  std::string body(1 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7);
  std::string signature = verifier_.Sign(kTimestamp, body);
  ASSERT_EQ(signature.size(), 67u);
  EXPECT_TRUE(verifier_.Verify(kTimestamp, signature, body).ok());
  body[body.size() / 2] ^= 1;
  EXPECT_FALSE(verifier_.Verify(kTimestamp, signature, body).ok());
}

TEST_F(SlackSignatureTest, SurvivesAMove) {
  SlackSignatureVerifier moved = std::move(verifier_);
  EXPECT_TRUE(moved.Verify(kTimestamp, kSignature, kBody).ok());
}

TEST_F(SlackSignatureTest, VerifiesConcurrently) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  std::string tampered = std::string(kBody) + "&extra=1";
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        if (verifier_.Verify(kTimestamp, kSignature, kBody).ok()) ++accepted;
        if (!verifier_.Verify(kTimestamp, kSignature, tampered).ok()) ++refused;
        if (verifier_.Sign(kTimestamp, kBody) != kSignature) --accepted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kThreads * kRounds);
  EXPECT_EQ(refused.load(), kThreads * kRounds);
}

}  // namespace
}  // namespace okrbot
