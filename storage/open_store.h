// OpenStore: turns an OKRBOT_DB value into a Store.
//
// Accepted forms:
//   sqlite://./okrbot.db       SQLite file, relative to the working directory
//   sqlite:///abs/path.db      SQLite file, absolute path
//   sqlite://:memory:          private in-memory SQLite database (tests)
//   ./okrbot.db, /abs/path.db  a bare path (no scheme) is a SQLite file too
//   postgresql://... postgres://...  PostgreSQL (storage/postgres_store.h): any libpq URI
// Anything else with a scheme, and the empty string, is kInvalidArgument naming these forms.
//
// The returned store is opened but not migrated: callers run Migrate() (`okrbot serve` does on
// start, `okrbot migrate` on request). Both functions are thread-safe (no shared state).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "storage/store.h"

namespace okrbot {

enum class StoreBackend { kSqlite, kPostgres };

// Where a store lives, parsed from an OKRBOT_DB value without opening anything (for
// `okrbot check-config`).
struct StoreLocation {
  StoreBackend backend = StoreBackend::kSqlite;
  std::string sqlite_path;   // kSqlite: the file path, or ":memory:"
  std::string postgres_url;  // kPostgres: the URL unchanged (libpq parses it)
};

Result<StoreLocation> ParseStoreUrl(const std::string& url);

struct OpenStoreOptions {
  int postgres_pool_size = 8;  // OKRBOT_DB_POOL: PostgreSQL connections per process
};

Result<std::unique_ptr<Store>> OpenStore(const std::string& url);
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const OpenStoreOptions& options);

}  // namespace okrbot
