#include "adapters/common/signed_state.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace okrbot {
namespace {

constexpr char kKey[] = "slack-client-secret-3f9a";
constexpr char kPurpose[] = "slack-install";
constexpr long long kStart = 1780000000;

Seconds At(long long unix_seconds) { return Seconds(std::chrono::seconds(unix_seconds)); }

class SignedStateTest : public ::testing::Test {
 protected:
  FakeClock clock_{At(kStart)};
  SignedStateIssuer issuer_{kKey, &clock_};

  void ExpectRefused(const Status& status, std::string_view fragment) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.ToString();
    EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("/slack/install"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find(kKey), std::string::npos);
  }
};

TEST_F(SignedStateTest, AcceptsAFreshState) {
  std::string state = issuer_.Issue(kPurpose);
  Status status = issuer_.Check(state, kPurpose);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(SignedStateTest, IsUrlSafeAndFixedLength) {
  std::string state = issuer_.Issue(kPurpose);
  EXPECT_EQ(state.size(), 76u);
  EXPECT_EQ(state[32], '.');
  EXPECT_EQ(
      state.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos);
}

TEST_F(SignedStateTest, EveryStateIsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(issuer_.Issue(kPurpose));
  EXPECT_EQ(seen.size(), 200u);
}

TEST_F(SignedStateTest, IsValidForExactlyTheTtl) {
  std::string state = issuer_.Issue(kPurpose);
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_TRUE(issuer_.Check(state, kPurpose).ok());
  clock_.Advance(std::chrono::seconds(1));
  Status status = issuer_.Check(state, kPurpose);
  ExpectRefused(status, "expired");
  EXPECT_EQ(status.message(), "The install link expired; start again from /slack/install.");
}

TEST_F(SignedStateTest, RefusesAnExpiredState) {
  std::string state = issuer_.Issue(kPurpose);
  clock_.Advance(std::chrono::hours(24 * 365));
  ExpectRefused(issuer_.Check(state, kPurpose), "expired");
}

TEST_F(SignedStateTest, HonoursACustomTtl) {
  SignedStateIssuer short_lived(kKey, &clock_, std::chrono::seconds(30));
  std::string state = short_lived.Issue(kPurpose);
  clock_.Advance(std::chrono::seconds(31));
  ExpectRefused(short_lived.Check(state, kPurpose), "expired");
}

TEST_F(SignedStateTest, RefusesATamperedState) {
  const std::string state = issuer_.Issue(kPurpose);
  for (size_t i = 0; i < state.size(); ++i) {
    for (char replacement : {'A', 'B', 'z', '0', '-', '_', '.', '%', '\0'}) {
      if (replacement == state[i]) continue;
      std::string altered = state;
      altered[i] = replacement;
      Status status = issuer_.Check(altered, kPurpose);
      ASSERT_FALSE(status.ok()) << "position " << i << " -> " << replacement;
      EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
    }
  }
  ExpectRefused(issuer_.Check(state + "A", kPurpose), "not valid");
  ExpectRefused(issuer_.Check(state.substr(0, state.size() - 1), kPurpose), "not valid");
}

// Pushing the expiry forward is the obvious attack; the MAC covers it.
TEST_F(SignedStateTest, RefusesAnExtendedExpiry) {
  const std::string state = issuer_.Issue(kPurpose);
  clock_.Advance(std::chrono::hours(1));
  std::string extended = state;
  extended[5] = extended[5] == 'A' ? 'B' : 'A';  // inside the big-endian expiry bytes
  ExpectRefused(issuer_.Check(extended, kPurpose), "altered");
}

TEST_F(SignedStateTest, RefusesAnotherPurpose) {
  std::string state = issuer_.Issue(kPurpose);
  ExpectRefused(issuer_.Check(state, "mattermost-install"), "another purpose");
  ExpectRefused(issuer_.Check(state, ""), "another purpose");
  ExpectRefused(issuer_.Check(state, "slack-install|"), "another purpose");
  EXPECT_TRUE(issuer_.Check(issuer_.Issue(""), "").ok());
}

TEST_F(SignedStateTest, RefusesAnotherKey) {
  SignedStateIssuer other("another-secret", &clock_);
  ExpectRefused(other.Check(issuer_.Issue(kPurpose), kPurpose), "altered");
  ExpectRefused(issuer_.Check(other.Issue(kPurpose), kPurpose), "altered");
}

TEST_F(SignedStateTest, RefusesGarbageAndEmpty) {
  std::string right_shape(32, 'A');
  right_shape += '.';
  right_shape += std::string(43, 'A');
  std::string binary(76, '\xFF');
  for (std::string_view garbage :
       {std::string_view(""), std::string_view("."), std::string_view("abc"),
        std::string_view("a.b"), std::string_view(right_shape), std::string_view(binary),
        std::string_view("../../etc/passwd"),
        std::string_view(
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")}) {
    ExpectRefused(issuer_.Check(garbage, kPurpose), "not valid");
  }
}

TEST_F(SignedStateTest, AnEmptyKeyRefusesEverything) {
  SignedStateIssuer keyless("", &clock_);
  Status status = keyless.Check(keyless.Issue(kPurpose), kPurpose);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
}

TEST_F(SignedStateTest, IssuesAndChecksConcurrently) {
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, &failures, t] {
      for (int i = 0; i < 200; ++i) {
        std::string state = issuer_.Issue(kPurpose);
        if (!issuer_.Check(state, kPurpose).ok()) ++failures[t];
        if (issuer_.Check(state, "other").ok()) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(failures[t], 0) << t;
}

}  // namespace
}  // namespace okrbot
