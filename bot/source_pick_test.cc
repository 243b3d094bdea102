#include "bot/source_pick.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

Result<double> Pick(const std::string& pick, const std::string& body) {
  auto parsed = ParseSourcePick(pick);
  if (!parsed.ok()) return parsed.status();
  return PickValue(*parsed, body);
}

// The shape of a Prometheus instant query (GET /api/v1/query?query=...).
constexpr char kPrometheus[] = R"({"status":"success","data":{"resultType":"vector","result":[
  {"metric":{"job":"helpdesk"},"value":[1796630400.123,"0.953"]}]}})";

// A published Google Sheet (File > Share > Publish to web > CSV).
constexpr char kSheet[] =
    "Metric,Q4 target,Current\r\n"
    "CSAT,90%,86.5%\r\n"
    "\"Revenue, net\",\"$1,200,000\",\"$1,034,250.50\"\r\n"
    "Tickets,,\r\n"
    "Median reply (h),2,\"3.5\"\r\n";

TEST(SourcePickTest, ReadsAPrometheusInstantQueryValueSentAsAString) {
  auto value = Pick("/data/result/0/value/1", kPrometheus);
  ASSERT_TRUE(value.ok()) << value.status().message();
  EXPECT_DOUBLE_EQ(*value, 0.953);
}

TEST(SourcePickTest, ReadsPlainJsonNumbers) {
  auto value = Pick("/metrics/csat", R"({"metrics":{"csat":87.25,"name":"x"}})");
  ASSERT_TRUE(value.ok());
  EXPECT_DOUBLE_EQ(*value, 87.25);
  EXPECT_DOUBLE_EQ(*Pick("/a~1b/0", R"({"a/b":[-3]})"), -3);
}

TEST(SourcePickTest, ExplainsJsonThatHoldsNoNumberThere) {
  EXPECT_NE(Pick("/metrics/nps", R"({"metrics":{}})").status().message().find("nothing at"),
            std::string::npos);
  EXPECT_NE(Pick("/name", R"({"name":"high"})").status().message().find("not a number"),
            std::string::npos);
  EXPECT_NE(Pick("/x", R"({"x":true})").status().message().find("boolean"), std::string::npos);
  EXPECT_NE(Pick("/x", "<html>").status().message().find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(Pick("/data/result/5/value/1", kPrometheus).ok());
}

TEST(SourcePickTest, RefusesNonFiniteAndOutOfRangeValues) {
  for (const char* body : {R"({"x":"NaN"})", R"({"x":"+Inf"})", R"({"x":"-Inf"})", R"({"x":1e300})",
                           R"({"x":"2e15"})", R"({"x":-1e16})"}) {
    auto value = Pick("/x", body);
    ASSERT_FALSE(value.ok()) << body;
    EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(Pick("/x", R"({"x":1e15})").ok());
}

TEST(SourcePickTest, ReadsSpreadsheetCellsWithTheirDecorations) {
  EXPECT_DOUBLE_EQ(*Pick("C2", kSheet), 86.5);
  EXPECT_DOUBLE_EQ(*Pick("B2", kSheet), 90);
  EXPECT_DOUBLE_EQ(*Pick("c3", kSheet), 1034250.5);
  EXPECT_DOUBLE_EQ(*Pick("C5", kSheet), 3.5);
  EXPECT_DOUBLE_EQ(*Pick("B5", kSheet), 2);
}

TEST(SourcePickTest, ExplainsCellsThatHoldNoNumber) {
  EXPECT_NE(Pick("B4", kSheet).status().message().find("Cell B4 is empty"), std::string::npos);
  EXPECT_NE(Pick("A2", kSheet).status().message().find("not a number"), std::string::npos);
  EXPECT_NE(Pick("Z2", kSheet).status().message().find("no cell Z2"), std::string::npos);
  EXPECT_NE(Pick("A99", kSheet).status().message().find("no cell A99"), std::string::npos);
  EXPECT_FALSE(Pick("A1", "1.2.3\n").ok());
  EXPECT_FALSE(Pick("A1", "\"12,34\"\n").ok()) << "a decimal comma is not a thousands separator";
}

TEST(SourcePickTest, ParsesPicks) {
  auto cell = ParseSourcePick("aa10");
  ASSERT_TRUE(cell.ok());
  EXPECT_EQ(cell->kind, SourcePick::Kind::kCsvCell);
  EXPECT_EQ(cell->column, 26);
  EXPECT_EQ(cell->row, 9);
  EXPECT_EQ(cell->text, "AA10");
  for (const char* bad :
       {"", "B", "7", "B0", "B07", "ABCD1", "B7x", "data/result", "/a~2", "B1000001"}) {
    auto parsed = ParseSourcePick(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("JSON pointer"), std::string::npos);
  }
}

TEST(SourcePickTest, ReadsTheCadence) {
  EXPECT_EQ(*ParseSourceEvery(""), std::chrono::hours(6));
  EXPECT_EQ(*ParseSourceEvery("1h"), std::chrono::hours(1));
  EXPECT_EQ(*ParseSourceEvery("6H"), std::chrono::hours(6));
  EXPECT_EQ(*ParseSourceEvery("1d"), std::chrono::hours(24));
  for (const char* bad : {"5m", "2h", "1w", "0", "-1h"}) EXPECT_FALSE(ParseSourceEvery(bad).ok());
}

}  // namespace
}  // namespace okrbot
