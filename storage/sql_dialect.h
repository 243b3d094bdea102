// SqlDialect: what differs between SQLite and PostgreSQL in how the SQL core's statements are
// spelled and run — and nothing else. The core (storage/sql_store.cc) writes each statement once,
// with `$1`..`$n` placeholders and `{marker}`s; TranslateSql turns that text into the engine's.
//
// Contract:
// - Placeholders: `$n` stays `$n` for PostgreSQL and becomes `?n` for SQLite (numbered, so one
//   parameter may appear several times in both).
// - `{name}` is replaced by the engine's spelling from the marker table in sql_dialect.cc, where
//   each SQLite spelling stands beside its PostgreSQL twin with the reason they differ.
//   `{name:arg}` replaces each `%` of the spelling by `arg` (e.g. `{json_elements:$2}`). An
//   unknown marker, or one the engine has no spelling for, is kInternal.
// - Text outside markers and placeholders is copied unchanged (statements hold no `$` or `{`
//   in string literals).
// - SqlDialect's flags say where the core's logic (not only its spelling) must differ.
//
// Thread-safety: pure functions and constants; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace okrbot {

enum class SqlEngine { kSqlite, kPostgres };

struct SqlDialect {
  SqlEngine engine;
  // PostgreSQL runs many writing transactions at once (replicas, a connection pool), so number
  // assignment takes an advisory lock, batch inserts go in key order (no deadlocks), jobs are
  // claimed with FOR UPDATE SKIP LOCKED and migrations run under one advisory lock. SQLite has
  // one writer (BEGIN IMMEDIATE), which serializes all of that already.
  bool concurrent_writers;
  // "No limit" as a LIMIT parameter: NULL for PostgreSQL, -1 for SQLite.
  bool no_limit_is_null;
};

inline constexpr SqlDialect kSqliteDialect{SqlEngine::kSqlite, /*concurrent_writers=*/false,
                                           /*no_limit_is_null=*/false};
inline constexpr SqlDialect kPostgresDialect{SqlEngine::kPostgres, /*concurrent_writers=*/true,
                                             /*no_limit_is_null=*/true};

// The statement `text` as `engine` spells it (see the contract above).
Result<std::string> TranslateSql(SqlEngine engine, std::string_view text);

}  // namespace okrbot
