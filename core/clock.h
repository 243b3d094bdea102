// Clock: the only way okrbot reads the time, so that tests (and `run-due --now`) can set it.
//
// SystemClock reads the real UTC time. FakeClock holds a settable instant; it is thread-safe
// (an atomic) so a test can advance it while a server thread reads it.
#pragma once

#include <atomic>
#include <chrono>

namespace okrbot {

using Seconds = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Seconds Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Seconds Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Seconds start) : now_(start.time_since_epoch().count()) {}
  Seconds Now() const override { return Seconds(std::chrono::seconds(now_.load())); }
  void Set(Seconds t) { now_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::seconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<long long> now_;
};

// Parses "2026-12-07T09:00:00Z" (also with an offset like +01:00, or without seconds).
bool ParseIsoInstant(const std::string& text, Seconds* out);
// Formats as "2026-12-07T09:00:00Z".
std::string FormatIsoInstant(Seconds t);

}  // namespace okrbot
