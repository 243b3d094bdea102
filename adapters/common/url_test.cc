#include "adapters/common/url.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(UrlTest, SplitsOriginAndPath) {
  HttpUrl url;
  ASSERT_TRUE(ParseHttpUrl("https://slack.com/api", &url));
  EXPECT_EQ(url.origin, "https://slack.com");
  EXPECT_EQ(url.path, "/api");
  ASSERT_TRUE(ParseHttpUrl("http://127.0.0.1:8080", &url));
  EXPECT_EQ(url.origin, "http://127.0.0.1:8080");
  EXPECT_EQ(url.path, "");
  ASSERT_TRUE(ParseHttpUrl("http://[::1]:3000/response/x?y=z#frag", &url));
  EXPECT_EQ(url.origin, "http://[::1]:3000");
  EXPECT_EQ(url.path, "/response/x?y=z") << "the query stays, the fragment goes";
}

TEST(UrlTest, RefusesWhatIsNotAPlainHttpUrl) {
  HttpUrl url;
  for (const char* bad :
       {"", "slack.com/api", "ftp://x", "https://", "https://user@host/", "https://host:0/",
        "https://host:99999/", "https://ho st/", "https://:80/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad, &url)) << bad;
  }
}

TEST(UrlTest, WholeSecondsFromHeaders) {
  EXPECT_EQ(ParseWholeSeconds("120"), 120);
  EXPECT_EQ(ParseWholeSeconds(" 7 "), 7);
  EXPECT_EQ(ParseWholeSeconds("0"), 0);
  EXPECT_FALSE(ParseWholeSeconds("").has_value());
  EXPECT_FALSE(ParseWholeSeconds("-1").has_value());
  EXPECT_FALSE(ParseWholeSeconds("Wed, 21 Oct 2026 07:28:00 GMT").has_value());
  EXPECT_FALSE(ParseWholeSeconds("1.5").has_value());
}

}  // namespace
}  // namespace okrbot
