#include "storage/sql_dialect.h"

#include <cctype>

namespace okrbot {

namespace {

// The dialect table: every spelling that differs, SQLite beside PostgreSQL, and why. A null
// spelling means the core never sends that marker to the engine (see SqlDialect's flags).
struct Spelling {
  std::string_view marker;
  const char* sqlite;
  const char* postgres;
};

constexpr Spelling kSpellings[] = {
    // Row locks: SQLite has none; its one writer (BEGIN IMMEDIATE) already keeps every other
    // writer out, so the newest check-in wins `current` without them.
    {"for_update", "", " FOR UPDATE"},
    // The id of an inserted row: SQLite reads sqlite3_last_insert_rowid() instead of stepping
    // through a result row.
    {"returning_id", "", " RETURNING id"},
    // The elements of a JSON array of strings (one parameter, so the statement text is fixed).
    {"json_elements", "SELECT value FROM json_each(%)", "SELECT json_array_elements_text(%::json)"},
    // Text order by bytes: SQLite's default (BINARY); PostgreSQL would follow the locale.
    {"byte_order", "", " COLLATE \"C\""},
    // An ORDER BY column the planner must not walk an index for: `+number` stops SQLite from
    // scanning the whole workspace in key order to skip a sort (sorting the few listed rows is
    // cheaper); PostgreSQL's planner weighs that itself.
    {"unindexed", "+%", "%"},
    {"max", "MAX(%)", "GREATEST(%)"},
    // The size of the database for `okrbot stats`: SQLite's file is its pages; PostgreSQL knows
    // its own size. Only SQLite keeps a free list (pages of deleted rows, reused by new ones).
    {"database_bytes", "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
     "SELECT pg_database_size(current_database())"},
    {"free_bytes",
     "SELECT freelist_count * page_size FROM pragma_freelist_count(), pragma_page_size()",
     "SELECT CAST(0 AS BIGINT)"},
    {"unix_now", "CAST(strftime('%s', 'now') AS INTEGER)",
     "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)"},
    // Number assignment (max + 1) under a per-(table, workspace) transaction lock; SQLite's
    // single writer needs none.
    {"number_lock", nullptr, "SELECT pg_advisory_xact_lock(hashtext($1))"},
    // Held for the whole migration, so replicas starting together migrate once (key "okrb").
    {"migration_lock", nullptr, "SELECT pg_advisory_xact_lock(1869312610)"},
    {"create_migrations_table",
     "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at "
     "INTEGER NOT NULL)",
     "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at "
     "BIGINT NOT NULL)"},
    // A row when the table exists.
    {"migrations_table_exists",
     "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
     "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL"},
};

Result<std::string_view> SpellingOf(SqlEngine engine, std::string_view marker) {
  for (const Spelling& spelling : kSpellings) {
    if (spelling.marker != marker) continue;
    const char* text = engine == SqlEngine::kSqlite ? spelling.sqlite : spelling.postgres;
    if (text == nullptr) break;
    return std::string_view(text);
  }
  return Status::Internal("The SQL marker {" + std::string(marker) + "} has no spelling for " +
                          (engine == SqlEngine::kSqlite ? "SQLite." : "PostgreSQL."));
}

// Replaces every {marker} / {marker:arg}.
Result<std::string> ExpandMarkers(SqlEngine engine, std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find('{', pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      return Status::Internal("Unclosed SQL marker in: " + std::string(text));
    }
    out.append(text.substr(pos, open - pos));
    std::string_view inside = text.substr(open + 1, close - open - 1);
    size_t colon = inside.find(':');
    std::string_view name = inside.substr(0, colon);
    Result<std::string_view> spelling = SpellingOf(engine, name);
    if (!spelling.ok()) return spelling.status();
    if (colon == std::string_view::npos) {
      out.append(*spelling);
    } else {
      std::string_view arg = inside.substr(colon + 1);
      for (char c : *spelling) {
        if (c == '%') {
          out.append(arg);
        } else {
          out += c;
        }
      }
    }
    pos = close + 1;
  }
  return out;
}

}  // namespace

Result<std::string> TranslateSql(SqlEngine engine, std::string_view text) {
  Result<std::string> expanded = ExpandMarkers(engine, text);
  if (!expanded.ok() || engine == SqlEngine::kPostgres) return expanded;
  std::string& sql = expanded.value();
  // SQLite's numbered form of a placeholder is ?n ($n would be a named parameter there).
  for (size_t i = 0; i + 1 < sql.size(); ++i) {
    if (sql[i] == '$' && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) sql[i] = '?';
  }
  return expanded;
}

}  // namespace okrbot
