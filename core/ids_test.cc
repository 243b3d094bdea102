#include "core/ids.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

TEST(IdsTest, AcceptsEveryDocumentedSpelling) {
  Ref r;
  for (const char* s : {"KR3", "kr3", "kr-3", "Kr-3"}) {
    ASSERT_TRUE(ParseRef(s, &r)) << s;
    EXPECT_EQ(r.kind, RefKind::kKeyResult);
    EXPECT_EQ(r.number, 3);
  }
  for (const char* s : {"O1", "o1", "o-1"}) {
    ASSERT_TRUE(ParseRef(s, &r)) << s;
    EXPECT_EQ(r.kind, RefKind::kObjective);
    EXPECT_EQ(r.number, 1);
  }
  ASSERT_TRUE(ParseRef("i-12", &r));
  EXPECT_EQ(r.kind, RefKind::kInitiative);
  EXPECT_EQ(FormatRef(r), "I12");
}

TEST(IdsTest, RejectsLookalikes) {
  Ref r;
  for (const char* s : {"", "O", "KR", "KR-", "KR0", "KR01", "X1", "KR1a", "O 1", "kr--1",
                        "KR9999999999", "O-1-2", "1"}) {
    EXPECT_FALSE(ParseRef(s, &r)) << s;
  }
}

}  // namespace
}  // namespace okrbot
