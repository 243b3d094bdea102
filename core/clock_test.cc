#include "core/clock.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

std::string Parsed(const std::string& text) {
  Seconds t;
  if (!ParseIsoInstant(text, &t)) return "refused";
  return FormatIsoInstant(t);
}

TEST(ParseIsoInstantTest, ReadsTheFormsPeopleAndConfigsUse) {
  EXPECT_EQ(Parsed("2026-12-07T09:00:00Z"), "2026-12-07T09:00:00Z");
  EXPECT_EQ(Parsed("2026-12-07T09:00Z"), "2026-12-07T09:00:00Z");
  EXPECT_EQ(Parsed("2026-12-07T10:30:15+01:00"), "2026-12-07T09:30:15Z");
  EXPECT_EQ(Parsed("2026-12-07T04:00-05:00"), "2026-12-07T09:00:00Z");
  EXPECT_EQ(Parsed("2026-12-07T09:00:00"), "2026-12-07T09:00:00Z");  // read as UTC
  EXPECT_EQ(Parsed("2026-12-07 09:00:00"), "2026-12-07T09:00:00Z");
  EXPECT_EQ(Parsed("2028-02-29T00:00:00Z"), "2028-02-29T00:00:00Z");  // a leap day
  EXPECT_EQ(Parsed("2026-12-31T23:30:00-01:00"), "2027-01-01T00:30:00Z");
}

TEST(ParseIsoInstantTest, RefusesWhatIsNotAnInstant) {
  for (const char* text : {"",
                           "2026-12-07",
                           "2026-02-29",
                           "2026-02-29T00:00:00Z",
                           "2026-13-01T00:00:00Z",
                           "2026-12-32T00:00:00Z",
                           "2026-12-07T24:00:00Z",
                           "2026-12-07T09:60:00Z",
                           "2026-12-07T09:00:61Z",
                           "2026-12-07T09:00:00+25:00",
                           "2026-12-07T09:00:00+0100",
                           "2026-12-07T09:00:00ZZ",
                           "2026-12-07T09:00:00 ",
                           " 2026-12-07T09:00:00Z",
                           "2026-12-07 09:00",
                           "2026-12-07 09:00:00Z",
                           "26-12-07T09:00:00Z",
                           "2026-1-07T09:00:00Z",
                           "2026-12-07T9:00:00Z",
                           "2026-12-07T09:00:00.5Z",
                           "２０２６-12-07T09:00:00Z",
                           "2026-12-07t09:00:00z"}) {
    EXPECT_EQ(Parsed(text), "refused") << text;
  }
}

}  // namespace
}  // namespace okrbot
