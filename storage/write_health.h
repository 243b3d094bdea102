// WriteHealth: whether the database is taking writes, for readiness (/readyz) — a database
// that answers reads but refuses every write (disk full, read-only after a failover, I/O
// errors) must take the replica out of service, and put it back once writes work again.
//
// Contract:
// - Record(status) after every write: a write that failed with kUnavailable (the database
//   could not take it) makes the store unhealthy with that status; any write that succeeds
//   makes it healthy again. Other failures (bad input, not found) say nothing about health,
//   and neither does contention (a message starting with kDatabaseBusy: a lock held too long,
//   a full pool, repeated serialization failures): taking every replica out of service under
//   load would only move the load.
// - Failure() is ok while healthy, else the failure recorded last.
// - TakeProbeTurn(now) is true at most once per `probe_interval` while unhealthy: Ping() then
//   tries a small write of its own, so readiness recovers without user traffic.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "core/status.h"

namespace okrbot {

// How the stores begin the message of a write that failed for contention, not refusal.
inline constexpr char kDatabaseBusy[] = "The database is busy";

class WriteHealth {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit WriteHealth(std::chrono::milliseconds probe_interval = std::chrono::seconds(1))
      : probe_interval_(probe_interval) {}

  void Record(const Status& write);
  Status Failure() const;
  bool TakeProbeTurn(TimePoint now);

 private:
  const std::chrono::milliseconds probe_interval_;
  mutable std::mutex mu_;
  Status failure_;  // ok while healthy
  std::optional<TimePoint> last_probe_;
};

}  // namespace okrbot
