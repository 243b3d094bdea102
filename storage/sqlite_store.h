// SqliteStore: the embedded Store, one SQLite database file (or ":memory:" for tests). The
// Store methods are SqlStore's (storage/sql_store.h: the contract every engine shares); this
// file holds what only SQLite does: its connections, group commit and PRAGMAs.
//
// Contract (in addition to storage/store.h and storage/sql_store.h):
// - Open() opens or creates the file and sets the connection PRAGMAs (journal_mode=WAL,
//   synchronous=FULL so an acknowledged write survives kill -9, foreign_keys=ON, busy_timeout).
//   Open() does not touch the schema: callers run Migrate() (`okrbot migrate`, and
//   `okrbot serve` on start).
// - Migrate() applies each missing step of the built-in migration list in its own
//   transaction, recorded in the `schema_migrations` table.
// - Errors: SQLITE_BUSY/LOCKED beyond the busy timeout, a full disk (SQLITE_FULL), a read-only
//   file (SQLITE_READONLY) and I/O errors -> kUnavailable, with a message saying which;
//   uniqueness violations
//   -> kAlreadyExists; other constraint violations (CHECK, NOT NULL, foreign key, NaN values)
//   -> kInvalidArgument; a file that cannot be opened -> kUnavailable. Nothing throws.
//
// Thread-safety: all methods may be called concurrently from any thread.
// - Writes are group-committed. Every write goes through one private entry point, RunWrite(body):
//   callers queue their bodies; the first in the queue leads, runs BEGIN IMMEDIATE, each queued
//   body inside its own SAVEPOINT (ROLLBACK TO on failure, so a failing write is undone alone),
//   one COMMIT, and then answers every caller. A caller returns only after the COMMIT that holds
//   its write returned, i.e. after the WAL was fsynced (synchronous=FULL): an acknowledged write
//   survives kill -9, and concurrent writers share one fsync. Bodies only issue statements on
//   the connection they are given and never begin or end transactions themselves. If the
//   COMMIT fails, or SQLite abandons the transaction (I/O error, disk full), every write of the
//   batch fails with that reason and none of them is stored.
// - Reads run on a small pool of read-only connections (Options::max_readers), each body in
//   one read transaction, so it sees one consistent snapshot and never waits for a commit.
//   ":memory:" databases (one connection only) read on the writer connection between batches.
// - Statements are prepared once per connection (a cache keyed by the core's constant Sql) and
//   bind their parameters natively.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/sql_store.h"

namespace okrbot {

namespace sqlite_internal {
class Connection;  // defined in sqlite_store.cc: the sqlite3 handle and its statement cache
}  // namespace sqlite_internal

class SqliteStore final : public SqlStore {
 public:
  struct Options {
    // How long a statement waits for another connection's lock before kUnavailable.
    std::chrono::milliseconds busy_timeout{5000};
    // Read connections opened on demand and kept; 0 reads on the writer connection.
    int max_readers = 8;
  };

  // Opens (creating if needed) the database at `path`; ":memory:" is a private in-memory
  // database that lives as long as the returned store.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const Options& options);

  // The version Migrate() brings a database to.
  static int LatestSchemaVersion();

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  // Test-only: the value of one connection PRAGMA set by Open() ("journal_mode",
  // "synchronous", "foreign_keys" or "busy_timeout"), read on the store's own connection.
  Result<std::string> PragmaForTesting(const std::string& name);

  // Writes accepted so far and the transactions that committed them (fewer when group commit
  // batched concurrent writes).
  struct WriteStats {
    int64_t writes = 0;
    int64_t transactions = 0;
  };
  WriteStats WriteStatsForTesting();

 protected:
  // The only way to change the database: runs `body` inside a transaction, group-committed with
  // concurrent writes (see the header comment for why every write funnels through here).
  Status RunWrite(SqlBody body) override;
  // Runs `body`, which only reads, on a read connection (or the writer for ":memory:").
  Status RunRead(SqlBody body) override;

 private:
  struct PendingWrite;
  // Writes committed in one transaction at most; the rest wait for the next batch.
  static constexpr size_t kMaxBatch = 256;

  SqliteStore(std::string path, Options options,
              std::unique_ptr<sqlite_internal::Connection> writer);

  void CommitBatch(const std::vector<PendingWrite*>& batch);
  Status ReadOnWriter(SqlBody body);

  const std::string path_;
  const Options options_;
  const bool readers_share_writer_;

  std::mutex queue_mutex_;
  std::deque<PendingWrite*> queue_;  // guarded by queue_mutex_; the front one leads
  WriteStats write_stats_;           // guarded by queue_mutex_

  std::mutex writer_mutex_;
  std::unique_ptr<sqlite_internal::Connection> writer_;  // guarded by writer_mutex_

  std::mutex readers_mutex_;
  std::condition_variable readers_free_;
  std::vector<std::unique_ptr<sqlite_internal::Connection>> idle_readers_;  // readers_mutex_
  int open_readers_ = 0;                                                    // readers_mutex_
};

}  // namespace okrbot
