// PostgresStore: the Store on PostgreSQL, for several `okrbot serve` replicas sharing one
// database (SPEC §5). Selected by OKRBOT_DB=postgresql://... (storage/open_store.h). The Store
// methods are SqlStore's (storage/sql_store.h); this file holds what only PostgreSQL does: the
// connection pool, retries and advisory-lock migration.
//
// Contract (in addition to storage/store.h and storage/sql_store.h; the conformance suite checks
// both engines):
// - Open() only checks the URL (libpq's own parser, so every libpq URI and keyword form works);
//   connections are made on demand, at most `pool_size` at a time, and reused. A database that
//   is down makes calls fail with kUnavailable, never blocks a caller beyond `acquire_timeout`
//   plus libpq's connect_timeout (default 5 s, the URL may set its own), and is used again as
//   soon as it answers: a connection that broke is dropped with every idle one (they shared the
//   same fate), and a call whose transaction never reached COMMIT is retried once on a fresh
//   connection.
// - Migrate() holds a PostgreSQL advisory lock for the whole migration in one transaction (DDL
//   is transactional here), so replicas starting together migrate once and the others wait,
//   then find nothing to do.
// - Every statement is a constant text with $n parameters, prepared once per connection.
// - Isolation: READ COMMITTED plus explicit locks where an invariant needs them: new numbers
//   are max + 1 under a per-(table, workspace) transaction advisory lock; a check-in locks its
//   key result row (FOR UPDATE) so the newest check-in always wins `current`; jobs are claimed
//   with FOR UPDATE SKIP LOCKED, so concurrent claimers in any number of processes never get
//   the same job while its lease holds. Deadlocks and serialization failures are retried (up to
//   5 attempts) and then kUnavailable.
// - PostgreSQL text cannot hold NUL bytes or invalid UTF-8: such text is kInvalidArgument and
//   nothing is stored (the chat platforms never send either).
// - Errors: unique violations -> kAlreadyExists; other constraint and data errors ->
//   kInvalidArgument; connection failures, shutdowns, too many connections, a full pool, a
//   full disk (53100) and a read-only server (25006, e.g. a standby after a failover) ->
//   kUnavailable; an undefined table -> kFailedPrecondition ("run okrbot migrate").
//
// Thread-safety: all methods may be called concurrently from any thread; each call uses one
// pooled connection at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/sql_store.h"

namespace okrbot {

namespace pg_internal {
class Connection;  // defined in postgres_store.cc: a PGconn and its prepared statements
}  // namespace pg_internal

class PostgresStore final : public SqlStore {
 public:
  struct Options {
    int pool_size = 8;  // connections per process (OKRBOT_DB_POOL)
    // How long a call waits for a free pooled connection before kUnavailable.
    std::chrono::milliseconds acquire_timeout{10000};
    // libpq connect_timeout unless the URL sets one.
    int connect_timeout_seconds = 5;
  };

  // Checks `url` (postgresql://... or a libpq keyword string); connects lazily.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url);
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url,
                                                     const Options& options);

  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;
  ~PostgresStore() override;

  // Connections open right now (idle or in use), for tests of the pool.
  int OpenConnectionsForTesting();

 protected:
  // Runs `body` inside one transaction (BEGIN / body / COMMIT, ROLLBACK on failure), retrying
  // deadlocks, serialization failures and connections that broke before COMMIT.
  Status RunWrite(SqlBody body) override;
  // Runs `body`, which only reads, outside an explicit transaction (retried once on a fresh
  // connection when the pooled one turned out broken).
  Status RunRead(SqlBody body) override;

 private:
  using Connection = pg_internal::Connection;

  PostgresStore(std::string url, const Options& options);

  Result<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> connection);

  const std::string url_;
  const Options options_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  int open_ = 0;                                   // guarded by mutex_: idle + in use
};

}  // namespace okrbot
