#include "core/status.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::NotFound("No key result KR9 in this workspace.");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: No key result KR9 in this workspace.");
}

Result<int> Half(int n) {
  if (n % 2 != 0) return Status::InvalidArgument("odd");
  return n / 2;
}

Status UsesMacro(int n, int* out) {
  auto r = Half(n);
  OKRBOT_RETURN_IF_ERROR(r.status());
  *out = *r;
  return Status::Ok();
}

TEST(ResultTest, HoldsValueOrStatus) {
  EXPECT_EQ(*Half(8), 4);
  EXPECT_EQ(Half(3).status().code(), StatusCode::kInvalidArgument);
  int out = 0;
  EXPECT_TRUE(UsesMacro(10, &out).ok());
  EXPECT_EQ(out, 5);
  EXPECT_FALSE(UsesMacro(7, &out).ok());
}

}  // namespace
}  // namespace okrbot
