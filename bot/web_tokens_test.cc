#include "bot/web_tokens.h"

#include <gtest/gtest.h>

#include <set>

namespace okrbot {
namespace {

TEST(WebTokensTest, SecretsAreUrlSafeAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string secret = NewSecret();
    EXPECT_EQ(secret.size(), 64u);
    EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos) << secret;
    EXPECT_TRUE(seen.insert(secret).second) << "a repeated secret: " << secret;
  }
}

TEST(WebTokensTest, Sha256HexMatchesTheStandardVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(WebTokensTest, SecretsEqualComparesWholeStrings) {
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
  EXPECT_FALSE(SecretsEqual("", "a"));
}

}  // namespace
}  // namespace okrbot
