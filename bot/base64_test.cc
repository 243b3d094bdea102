#include "bot/base64.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64Test, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    std::string piece = all.substr(0, n);
    std::string back;
    ASSERT_TRUE(Base64Decode(Base64Encode(piece), &back));
    EXPECT_EQ(back, piece);
    ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(piece), &back));
    EXPECT_EQ(back, piece);
  }
}

TEST(Base64Test, RefusesNonCanonicalText) {
  std::string out;
  EXPECT_FALSE(Base64Decode("Zg=", &out));      // wrong length
  EXPECT_FALSE(Base64Decode("Zh==", &out));     // unused bits set
  EXPECT_FALSE(Base64Decode("Zm 9v", &out));    // whitespace
  EXPECT_FALSE(Base64Decode("-_8=", &out));     // url alphabet in standard base64
  EXPECT_FALSE(Base64UrlDecode("Zg==", &out));  // padding in base64url
  EXPECT_FALSE(Base64UrlDecode("Zh", &out));    // unused bits set
  EXPECT_FALSE(Base64UrlDecode("Z", &out));     // impossible length
  EXPECT_FALSE(Base64UrlDecode("+/8", &out));   // standard alphabet in base64url
}

}  // namespace
}  // namespace okrbot
