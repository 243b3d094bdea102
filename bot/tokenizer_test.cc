#include "bot/tokenizer.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

std::vector<Token> Tok(const std::string& s) {
  auto r = Tokenize(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<Token>{};
}

TEST(TokenizerTest, SplitsWordsQuotesAndOptions) {
  auto t = Tok(R"(objective add "Delight our customers" owner:@bob cycle:2026-Q4)");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].text, "objective");
  EXPECT_EQ(t[2].text, "Delight our customers");
  EXPECT_TRUE(t[2].quoted);
  EXPECT_FALSE(t[2].is_option());
  EXPECT_EQ(t[3].key, "owner");
  EXPECT_EQ(t[3].text, "@bob");
  EXPECT_EQ(t[4].key, "cycle");
  EXPECT_EQ(t[4].text, "2026-Q4");
}

TEST(TokenizerTest, CurlyQuotesAsTypedOnPhones) {
  auto t = Tok("kr add O1 \xE2\x80\x9CIncrease NPS from 55 to 70\xE2\x80\x9D");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[3].text, "Increase NPS from 55 to 70");
  auto low =
      Tok("objective add \xE2\x80\x9E"
          "Kunden begeistern\xE2\x80\x9C");
  ASSERT_EQ(low.size(), 3u);
  EXPECT_EQ(low[2].text, "Kunden begeistern");
}

TEST(TokenizerTest, QuotedOptionValue) {
  auto t = Tok(R"(edit KR1 title:"Increase NPS from 50 to 70" unit:%)");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[2].key, "title");
  EXPECT_EQ(t[2].text, "Increase NPS from 50 to 70");
  EXPECT_EQ(t[3].key, "unit");
  EXPECT_EQ(t[3].text, "%");
}

TEST(TokenizerTest, ColonInsideQuotesIsText) {
  auto t = Tok(R"(objective add "Ratio: 3 to 1")");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_FALSE(t[2].is_option());
  EXPECT_EQ(t[2].text, "Ratio: 3 to 1");
}

TEST(TokenizerTest, UrlsAndTimesAreNotOptions) {
  auto t = Tok("update KR1 5 see https://example.com at 10:30");
  EXPECT_FALSE(t[4].is_option());
  EXPECT_FALSE(t[6].is_option());
}

TEST(TokenizerTest, UnicodeSpacesSeparate) {
  auto t =
      Tok("list\xC2\xA0mine\xE3\x80\x80"
          "cycle:2026-Q4");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].text, "mine");
}

TEST(TokenizerTest, UnterminatedQuoteIsAnError) {
  auto r = Tokenize(R"(objective add "Grow revenue)");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("quote"), std::string::npos);
}

TEST(TokenizerTest, EmptyQuotedStringIsAToken) {
  auto t = Tok(R"(objective add "")");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[2].text, "");
  EXPECT_TRUE(t[2].quoted);
}

}  // namespace
}  // namespace okrbot
