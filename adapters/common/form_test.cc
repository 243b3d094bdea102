#include "adapters/common/form.h"

#include <gtest/gtest.h>

#include <string>

namespace okrbot {
namespace {

// Slack's published slash-command example
// (https://api.slack.com/authentication/verifying-requests-from-slack).
constexpr std::string_view kSlackSlashCommandBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";

std::map<std::string, std::string> MustParse(std::string_view body) {
  auto parsed = ParseForm(body);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed.value() : std::map<std::string, std::string>{};
}

TEST(FormTest, ParsesSlackSlashCommandBody) {
  auto fields = MustParse(kSlackSlashCommandBody);
  EXPECT_EQ(fields.size(), 11u);
  EXPECT_EQ(fields["token"], "xyzz0WbapA4vBCDEFasx0q6G");
  EXPECT_EQ(fields["team_id"], "T1DC2JH3J");
  EXPECT_EQ(fields["user_name"], "roadrunner");
  EXPECT_EQ(fields["command"], "/webhook-collect");
  ASSERT_EQ(fields.count("text"), 1u);
  EXPECT_EQ(fields["text"], "");
  EXPECT_EQ(fields["response_url"],
            "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
  EXPECT_EQ(fields["trigger_id"], "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
}

TEST(FormTest, DecodesPlusAndEscapesInKeysAndValues) {
  auto fields = MustParse("text=update+KR1+62%20confidence%3Ahigh&my+key%3d=x%2by");
  EXPECT_EQ(fields["text"], "update KR1 62 confidence:high");
  EXPECT_EQ(fields["my key="], "x+y");
}

TEST(FormTest, AcceptsUpperAndLowerCaseHex) {
  auto fields = MustParse("a=%2f%2F%c3%A9");
  EXPECT_EQ(fields["a"], "//\xC3\xA9");
}

TEST(FormTest, FirstValueOfARepeatedKeyWins) {
  auto fields = MustParse("user_id=U1&text=hi&user_id=U2&user%5Fid=U3");
  EXPECT_EQ(fields["user_id"], "U1");
  EXPECT_EQ(fields.size(), 2u);
}

TEST(FormTest, SkipsEmptyPairsAndKeepsKeysWithoutEquals) {
  auto fields = MustParse("&&a=1&&flag&b=&=orphan&");
  EXPECT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields["a"], "1");
  ASSERT_EQ(fields.count("flag"), 1u);
  EXPECT_EQ(fields["flag"], "");
  EXPECT_EQ(fields["b"], "");
  EXPECT_EQ(fields[""], "orphan");  // an empty key is still a key, as in the WHATWG parser
}

TEST(FormTest, OnlyTheFirstEqualsSplits) {
  auto fields = MustParse("text=a=b==c");
  EXPECT_EQ(fields["text"], "a=b==c");
}

TEST(FormTest, EmptyBodyIsAnEmptyForm) {
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse("&").empty());
}

TEST(FormTest, KeepsOddUnicodeAndArbitraryBytes) {
  // U+1F3AF (emoji), a zero-width space, a right-to-left mark, a combining accent, and a raw
  // (not percent-encoded) UTF-8 sequence.
  auto fields = MustParse(
      "text=%F0%9F%8E%AF%E2%80%8Bgoal%E2%80%8F+e%CC%81&raw=\xC3\xA9t\xC3\xA9"
      "&bytes=%00%FF%fe%C0%AF");
  EXPECT_EQ(fields["text"], "\xF0\x9F\x8E\xAF\xE2\x80\x8Bgoal\xE2\x80\x8F e\xCC\x81");
  EXPECT_EQ(fields["raw"], "\xC3\xA9t\xC3\xA9");
  // NUL, invalid UTF-8 and an overlong '/' are passed through: UTF-8 is checked by the bot.
  EXPECT_EQ(fields["bytes"], std::string("\0\xFF\xFE\xC0\xAF", 5));
}

TEST(FormTest, RejectsMalformedEscapes) {
  for (std::string_view body : {"a=%G1", "a=%1G", "a=%4", "a=%", "a=1&b=%", "%zz=1", "a=%%41",
                                "a=%-1", "a=% 1", "ok=1&bad=%4"}) {
    auto parsed = ParseForm(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_NE(parsed.status().message().find("percent-escape"), std::string::npos);
  }
}

TEST(FormTest, ErrorPointsAtTheEscapeWithoutQuotingTheBody) {
  auto parsed = ParseForm("token=secret123&text=%Q");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("byte 21"), std::string::npos)
      << parsed.status().message();
  EXPECT_EQ(parsed.status().message().find("secret123"), std::string::npos);
}

// A quadratic parser would take minutes on these bodies; finishing at all shows it is linear.
TEST(FormTest, ParsesOneMebibyteBodies) {
  constexpr size_t kMiB = 1 << 20;

  std::string one_value = "text=";
  while (one_value.size() < kMiB) one_value += "%41+";
  auto fields = MustParse(one_value);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields["text"].size(), (kMiB - 5 + 3) / 4 * 2);
  EXPECT_EQ(fields["text"].substr(0, 4), "A A ");

  std::string many_pairs;
  size_t count = 0;
  while (many_pairs.size() < kMiB) many_pairs += "k" + std::to_string(count++) + "=v&";
  fields = MustParse(many_pairs);
  EXPECT_EQ(fields.size(), count);
  EXPECT_EQ(fields["k0"], "v");

  std::string separators(kMiB, '&');
  EXPECT_TRUE(MustParse(separators).empty());

  std::string bad = one_value + "%";
  EXPECT_FALSE(ParseForm(bad).ok());
}

TEST(FormTest, UrlEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UrlEncode(""), "");
  EXPECT_EQ(UrlEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(UrlEncode("a b+c&d=e/f?g#h%"), "a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25");
  EXPECT_EQ(UrlEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(UrlEncode(std::string("\0\xFF", 2)), "%00%FF");
  EXPECT_EQ(UrlEncode("https://hooks.slack.com/x"), "https%3A%2F%2Fhooks.slack.com%2Fx");
}

TEST(FormTest, FormEncodeJoinsPairsInOrder) {
  EXPECT_EQ(FormEncode({}), "");
  EXPECT_EQ(FormEncode({{"code", "a b"}, {"redirect_uri", "https://x/cb?y=1"}}),
            "code=a%20b&redirect_uri=https%3A%2F%2Fx%2Fcb%3Fy%3D1");
  EXPECT_EQ(FormEncode({{"", ""}, {"k", ""}}), "=&k=");
}

TEST(FormTest, FormEncodeRoundTripsThroughParseForm) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  std::vector<std::pair<std::string, std::string>> fields = {
      {"text", "update KR1 +5 confidence:high & more=yes %41"},
      {"emoji", "\xF0\x9F\x8E\xAF"},
      {every_byte, every_byte},
      {"empty", ""},
  };
  auto parsed = MustParse(FormEncode(fields));
  ASSERT_EQ(parsed.size(), fields.size());
  for (const auto& [key, value] : fields) EXPECT_EQ(parsed[key], value);
}

}  // namespace
}  // namespace okrbot
