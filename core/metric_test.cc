#include "core/metric.h"

#include <gtest/gtest.h>

#include <string>

namespace okrbot {
namespace {

// The expected reading of one KR text; unset optionals mean "must not be set".
struct Expected {
  Direction direction;
  std::optional<double> baseline;
  std::optional<double> target;
  std::string unit;
};

void ExpectMetric(const std::string& text, const Expected& expected) {
  SCOPED_TRACE(text);
  ParsedMetric metric = ParseMetric(text);
  EXPECT_TRUE(metric.has_number);
  EXPECT_EQ(DirectionName(metric.direction), std::string(DirectionName(expected.direction)));
  ASSERT_EQ(metric.baseline.has_value(), expected.baseline.has_value());
  if (expected.baseline) {
    EXPECT_DOUBLE_EQ(*metric.baseline, *expected.baseline);
  }
  ASSERT_EQ(metric.target.has_value(), expected.target.has_value());
  if (expected.target) {
    EXPECT_DOUBLE_EQ(*metric.target, *expected.target);
  }
  EXPECT_EQ(metric.unit, expected.unit);
}

TEST(ParseMetricTest, FromBaselineToTarget) {
  ExpectMetric("Increase our NPS from 55 to 70", {Direction::kIncrease, 55, 70, ""});
  ExpectMetric("Improve our Customer Retention Rate from 80% to 90%",
               {Direction::kIncrease, 80, 90, "%"});
  ExpectMetric("Increase our CSAT from 82% to 90%", {Direction::kIncrease, 82, 90, "%"});
  ExpectMetric("Reduce time to first response from 4h to 2h", {Direction::kDecrease, 4, 2, "h"});
  ExpectMetric("Grow MRR $50k -> $80k", {Direction::kIncrease, 50000, 80000, "$"});
}

TEST(ParseMetricTest, NumbersDecideDirectionOverTheVerb) {
  ExpectMetric("Reduce churn from 5% to 3%", {Direction::kDecrease, 5, 3, "%"});
  // Whatever the verb says, going from 3 to 5 is an increase.
  ExpectMetric("Reduce wait from 3 to 5", {Direction::kIncrease, 3, 5, ""});
}

TEST(ParseMetricTest, RelativeChangeWithoutBaseline) {
  ParsedMetric metric = ParseMetric("Reduce customer complaints by 20%");
  EXPECT_TRUE(metric.has_number);
  EXPECT_EQ(metric.direction, Direction::kDecrease);
  ASSERT_TRUE(metric.relative_change.has_value());
  EXPECT_DOUBLE_EQ(*metric.relative_change, 20);
  EXPECT_TRUE(metric.relative_is_percent);
  EXPECT_FALSE(metric.baseline.has_value());
  EXPECT_FALSE(metric.target.has_value());

  metric = ParseMetric("NPS up 50 over previous quarter");
  EXPECT_TRUE(metric.has_number);
  EXPECT_EQ(metric.direction, Direction::kIncrease);
  ASSERT_TRUE(metric.relative_change.has_value());
  EXPECT_DOUBLE_EQ(*metric.relative_change, 50);
  EXPECT_FALSE(metric.relative_is_percent);
  EXPECT_FALSE(metric.baseline.has_value());
  EXPECT_FALSE(metric.target.has_value());

  metric = ParseMetric("Grow weekly sign-ups +15%");
  ASSERT_TRUE(metric.relative_change.has_value());
  EXPECT_DOUBLE_EQ(*metric.relative_change, 15);
  EXPECT_EQ(metric.direction, Direction::kIncrease);
}

TEST(ParseMetricTest, RelativeChangeWithBaselineComputesTarget) {
  ExpectMetric("Increase revenue by 20% from $1m", {Direction::kIncrease, 1000000, 1200000, "$"});
  // A time is better smaller even though the verb only says "improve".
  ExpectMetric("Improve total reply time by 50% from avg. 2 minutes",
               {Direction::kDecrease, 2, 1, "min"});
  ExpectMetric("Increase NPS by 10 points from 40", {Direction::kIncrease, 40, 50, ""});
  ParsedMetric metric = ParseMetric("Increase revenue by 20% from $1m");
  ASSERT_TRUE(metric.relative_change.has_value());
  EXPECT_DOUBLE_EQ(*metric.relative_change, 20);
  EXPECT_TRUE(metric.relative_is_percent);
}

TEST(ParseMetricTest, MaintainAtLeast) {
  // "7-day" is part of the metric's name, not its number.
  ExpectMetric("Maintain 7-day avg. customer rating of 4.5/5",
               {Direction::kMaintainAtLeast, std::nullopt, 4.5, "/5"});
  ExpectMetric("Keep uptime at least 99.9%",
               {Direction::kMaintainAtLeast, std::nullopt, 99.9, "%"});
  ExpectMetric("Maintain 7 day avg. customer rating of 4.5/5",
               {Direction::kMaintainAtLeast, std::nullopt, 4.5, "/5"});
  ExpectMetric("Maintain a rating of 4.5 out of 5",
               {Direction::kMaintainAtLeast, std::nullopt, 4.5, "/5"});
}

TEST(ParseMetricTest, MaintainAtMost) {
  for (const char* text : {"Keep p95 latency under 200 ms", "Keep p95 latency below 200 ms",
                           "Keep p95 latency at most 200 ms", "Keep p95 latency under 200ms",
                           "p95 latency < 200 ms", "Keep p95 latency no more than 200 ms"}) {
    ExpectMetric(text, {Direction::kMaintainAtMost, std::nullopt, 200, "ms"});
  }
  ExpectMetric("Maintain churn at 2%", {Direction::kMaintainAtMost, std::nullopt, 2, "%"});
}

TEST(ParseMetricTest, TargetOnly) {
  ExpectMetric("$1.2m ARR", {Direction::kIncrease, std::nullopt, 1200000, "$"});
  ExpectMetric("Reach $1.2m ARR", {Direction::kIncrease, std::nullopt, 1200000, "$"});
  ExpectMetric("$1.2 million ARR", {Direction::kIncrease, std::nullopt, 1200000, "$"});
  // Count nouns are not units: only the fixed table of units is recognised.
  ExpectMetric("10k weekly active users", {Direction::kIncrease, std::nullopt, 10000, ""});
  ExpectMetric("Grow activation to 40%", {Direction::kIncrease, std::nullopt, 40, "%"});
  ExpectMetric("Reduce first response time to under 2 hours",
               {Direction::kDecrease, std::nullopt, 2, "h"});
  ExpectMetric("Grow activation to an average of 40%",
               {Direction::kIncrease, std::nullopt, 40, "%"});
}

TEST(ParseMetricTest, ActivitiesStillHaveNumbers) {
  ExpectMetric("Schedule 95% of new customer onboarding calls within 5 days of signing",
               {Direction::kIncrease, std::nullopt, 95, "%"});
  ExpectMetric("Conduct 50 phone interviews with top customers",
               {Direction::kIncrease, std::nullopt, 50, ""});
  // Many tickets is not the goal here; only a neutral verb lets "tickets" mean lower-is-better.
  ExpectMetric("Resolve 90% of tickets within 2 hours",
               {Direction::kIncrease, std::nullopt, 90, "%"});
}

TEST(ParseMetricTest, BaselineOnlyHasNoTarget) {
  ExpectMetric("Improve reply time from 2 minutes", {Direction::kDecrease, 2, std::nullopt, "min"});
}

TEST(ParseMetricTest, TextWithoutNumberIsBinary) {
  for (const char* text : {"Deliver good customer service", "Launch the new help center", "",
                           "Ship v2 in Q3", "Launch v2 by Q3 2026", "Offer 24/7 support by 2026",
                           "Roll out the 7-day trial", "Become the #1 app in our category",
                           "Publish the roadmap by March 31", "Go live before end of 2026",
                           "Run 1:1s with every report", "Improve onboarding in H2 2025"}) {
    SCOPED_TRACE(text);
    ParsedMetric metric = ParseMetric(text);
    EXPECT_FALSE(metric.has_number);
    EXPECT_EQ(metric.direction, Direction::kBinary);
    EXPECT_FALSE(metric.target.has_value());
    EXPECT_FALSE(metric.baseline.has_value());
    EXPECT_FALSE(metric.relative_change.has_value());
  }
}

TEST(ParseMetricTest, YearsAreIgnoredButTheRealMetricIsKept) {
  ExpectMetric("Increase active users from 1500 to 2000 by end of 2026",
               {Direction::kIncrease, 1500, 2000, ""});
  ExpectMetric("Reach 40% activation by 2026", {Direction::kIncrease, std::nullopt, 40, "%"});
}

TEST(ParseMetricTest, SurvivesHostileInput) {
  std::string noise;
  for (int i = 0; i < 400; ++i) {
    noise += "\xF0\x9F\x9A\x80 from to by \x01\x7f\xff\xfe 7-day 24/7 $ % -> ";
  }
  ASSERT_GT(noise.size(), 10000u);
  ParsedMetric metric = ParseMetric(noise);
  EXPECT_FALSE(metric.has_number);

  std::string numbers;
  for (int i = 0; i < 2000; ++i) numbers += "from 1 to 2 ";
  metric = ParseMetric(numbers);
  EXPECT_TRUE(metric.has_number);
  EXPECT_DOUBLE_EQ(*metric.target, 2);

  std::string digits(10000, '9');
  metric = ParseMetric("Reach " + digits + " users");
  EXPECT_FALSE(metric.has_number);

  // Every byte value, alone and glued to numbers.
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) {
    all_bytes += static_cast<char>(c);
    all_bytes += "5";
    all_bytes += static_cast<char>(c);
    all_bytes += ' ';
  }
  ParseMetric(all_bytes);
  ParseMetric(
      "\xE2\x82\xAC"
      "5m \xC2\xA3 \xE2\x89\xA4 3 \xE2\x86\x92");
  ExpectMetric("\xF0\x9F\x9A\x80 Increase NPS from 55 to 70 \xF0\x9F\x8E\x89",
               {Direction::kIncrease, 55, 70, ""});
}

TEST(ParseNumberTest, AcceptsWhatPeopleType) {
  struct Case {
    const char* text;
    double value;
  };
  for (const Case& c : {Case{"70", 70},
                        Case{"-2.5", -2.5},
                        Case{"+5", 5},
                        Case{"1,200", 1200},
                        Case{"1.2m", 1200000},
                        Case{"1.2M", 1200000},
                        Case{"10k", 10000},
                        Case{"10K", 10000},
                        Case{"2b", 2e9},
                        Case{"2bn", 2e9},
                        Case{"$3", 3},
                        Case{"90%", 90},
                        Case{"4.5/5", 4.5},
                        Case{" 42 ", 42},
                        Case{"0.5", 0.5},
                        Case{".5", 0.5},
                        Case{"12,345,678", 12345678},
                        Case{"-$3", -3},
                        Case{"200ms", 200},
                        Case{"$1.2m", 1200000}}) {
    SCOPED_TRACE(c.text);
    double value = -1;
    ASSERT_TRUE(ParseNumber(c.text, &value));
    EXPECT_DOUBLE_EQ(value, c.value);
  }
}

TEST(ParseNumberTest, RejectsWhatIsNotANumber) {
  for (const char* text : {"",      " ",        "abc",  "5x5", "1.2.3", "nan",
                           "inf",   "-inf",     "NaN",  "1e5", "1,2",   "1234,567",
                           "12,34", "7-day",    "24/7", "5/0", "Q3",    "v2",
                           "$",     "%",        "-",    "+",   ".",     "10kk",
                           "1.2mm", "1/2/2026", "0x10", "5 5", "$5%",   "\xF0\x9F\x9A\x80"}) {
    SCOPED_TRACE(text);
    double value = 123;
    EXPECT_FALSE(ParseNumber(text, &value));
    EXPECT_EQ(value, 123);  // untouched on failure
  }
  double value = 0;
  EXPECT_FALSE(ParseNumber(std::string(65, '1'), &value));
  EXPECT_TRUE(ParseNumber(std::string(64, '1'), &value));
  EXPECT_FALSE(ParseNumber(std::string(10000, '9'), &value));
}

TEST(FormatValueTest, ShowsUnitsTheWayPeopleWriteThem) {
  EXPECT_EQ(FormatValue(70, "%"), "70%");
  EXPECT_EQ(FormatValue(1200000, "$"), "$1.2M");
  EXPECT_EQ(FormatValue(2, "min"), "2 min");
  EXPECT_EQ(FormatValue(4.5, "/5"), "4.5/5");
  EXPECT_EQ(FormatValue(55, ""), "55");
  EXPECT_EQ(FormatValue(0.5, ""), "0.5");
  EXPECT_EQ(FormatValue(12345.678, ""), "12,345.68");
  EXPECT_EQ(FormatValue(10000, "users"), "10,000 users");
  EXPECT_EQ(FormatValue(200, "ms"), "200 ms");
  EXPECT_EQ(FormatValue(70.0, ""), "70");
  EXPECT_EQ(FormatValue(2.50, "h"), "2.5 h");
  EXPECT_EQ(FormatValue(0, "%"), "0%");
  EXPECT_EQ(FormatValue(-0.0, ""), "0");
  EXPECT_EQ(FormatValue(-1234.5, ""), "-1,234.5");
  EXPECT_EQ(FormatValue(0.001, ""), "0.001");
}

TEST(FormatValueTest, MoneyIsAbbreviatedFromAMillion) {
  EXPECT_EQ(FormatValue(3, "$"), "$3");
  EXPECT_EQ(FormatValue(12500, "$"), "$12,500");
  EXPECT_EQ(FormatValue(1000000, "$"), "$1M");
  EXPECT_EQ(FormatValue(1250000, "$"), "$1.25M");
  EXPECT_EQ(FormatValue(2e9, "$"), "$2B");
  EXPECT_EQ(FormatValue(999999999, "$"), "$1B");
  EXPECT_EQ(FormatValue(-1500000, "$"), "-$1.5M");
}

TEST(FormatValueTest, NeverBreaksOnExtremes) {
  EXPECT_EQ(FormatValue(std::nan(""), "%"), "n/a");
  EXPECT_EQ(FormatValue(HUGE_VAL, ""), "n/a");
  EXPECT_FALSE(FormatValue(1.7e308, "").empty());
  EXPECT_EQ(FormatValue(1e-12, ""), "0");
}

TEST(FormatValueTest, RoundTripsThroughParseNumber) {
  for (double value : {70.0, 1200000.0, 0.5, 12345.0, 4.5}) {
    double parsed = 0;
    ASSERT_TRUE(ParseNumber(FormatValue(value, ""), &parsed));
    EXPECT_DOUBLE_EQ(parsed, value);
  }
}

}  // namespace
}  // namespace okrbot
