#include "storage/sql_dialect.h"

#include <gtest/gtest.h>

#include <cmath>

#include "storage/sql.h"

namespace okrbot {
namespace {

std::string Translated(SqlEngine engine, std::string_view text) {
  Result<std::string> sql = TranslateSql(engine, text);
  EXPECT_TRUE(sql.ok()) << sql.status().ToString();
  return sql.ok() ? *sql : "";
}

TEST(SqlDialectTest, PlaceholdersAreNumberedInBothEngines) {
  constexpr std::string_view kText = "SELECT a FROM t WHERE b = $1 AND (c = $12 OR d = $1)";
  EXPECT_EQ(Translated(SqlEngine::kPostgres, kText), kText);
  EXPECT_EQ(Translated(SqlEngine::kSqlite, kText),
            "SELECT a FROM t WHERE b = ?1 AND (c = ?12 OR d = ?1)");
  EXPECT_EQ(Translated(SqlEngine::kSqlite, "SELECT '$' || x"), "SELECT '$' || x");
}

TEST(SqlDialectTest, MarkersTakeEachEnginesSpelling) {
  EXPECT_EQ(Translated(SqlEngine::kSqlite, "SELECT x FROM t WHERE k = $1{for_update}"),
            "SELECT x FROM t WHERE k = ?1");
  EXPECT_EQ(Translated(SqlEngine::kPostgres, "SELECT x FROM t WHERE k = $1{for_update}"),
            "SELECT x FROM t WHERE k = $1 FOR UPDATE");
  EXPECT_EQ(Translated(SqlEngine::kSqlite, "x IN ({json_elements:$2})"),
            "x IN (SELECT value FROM json_each(?2))");
  EXPECT_EQ(Translated(SqlEngine::kPostgres, "x IN ({json_elements:$2})"),
            "x IN (SELECT json_array_elements_text($2::json))");
  EXPECT_EQ(Translated(SqlEngine::kSqlite, "ORDER BY {unindexed:number}"), "ORDER BY +number");
  EXPECT_EQ(Translated(SqlEngine::kPostgres, "ORDER BY {unindexed:number}"), "ORDER BY number");
  EXPECT_EQ(Translated(SqlEngine::kPostgres, "SET a = {max:a - 1, 0}"),
            "SET a = GREATEST(a - 1, 0)");
  EXPECT_EQ(Translated(SqlEngine::kSqlite, "VALUES ($1, {unix_now})"),
            "VALUES (?1, CAST(strftime('%s', 'now') AS INTEGER))");
}

TEST(SqlDialectTest, UnknownOrUnspelledMarkersAreRefused) {
  EXPECT_EQ(TranslateSql(SqlEngine::kSqlite, "SELECT {nonsense}").status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(TranslateSql(SqlEngine::kSqlite, "{number_lock}").status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(TranslateSql(SqlEngine::kPostgres, "SELECT {for_update").status().code(),
            StatusCode::kInternal);
  EXPECT_TRUE(TranslateSql(SqlEngine::kPostgres, "{number_lock}").ok());
}

TEST(SqlParamsTest, RefusesValuesThatWouldNotReadBack) {
  SqlParams params;
  params.Real(1.5, "weight").Real(std::nan(""), "weight");
  EXPECT_EQ(params.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(params.status().message(), "The value for weight is not a number.");

  SqlParams dates;
  dates.Date(Days(date::year(10000) / 1 / 1), "away_until");
  EXPECT_EQ(dates.status().message(), "The date for away_until is out of range.");
}

TEST(SqlParamsTest, OwnedTextOutlivesItsTemporary) {
  SqlParams params;
  params.Text(std::string(100, 'x')).Text("view").Int(7).Null().Bool(true);
  ASSERT_EQ(params.size(), 5);
  EXPECT_EQ(params[0].text, std::string(100, 'x'));
  EXPECT_EQ(params[1].text, "view");
  EXPECT_EQ(params[2].integer, 7);
  EXPECT_EQ(params[3].kind, SqlParams::Kind::kNull);
  EXPECT_EQ(params[4].integer, 1);
  EXPECT_TRUE(params.status().ok());
}

}  // namespace
}  // namespace okrbot
