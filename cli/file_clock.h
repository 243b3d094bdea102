// FileClock: a Clock that reads "now" from a file (OKRBOT_FAKE_CLOCK_FILE), for tests that
// drive several okrbot processes through simulated time together (the multi-replica quarter).
//
// Contract: Now() reads the file on every call; it holds one ISO-8601 instant such as
// "2026-10-05T14:00:00Z" (surrounding whitespace ignored). When the file is missing or does not
// parse, Now() returns the last instant it read (or the system time before the first good
// read), so a test that rewrites the file never makes time jump to the epoch. Tests should
// replace the file atomically (write elsewhere, then rename). Refused in production by
// ValidateConfig. Thread-safe.
#pragma once

#include <atomic>
#include <string>

#include "core/clock.h"

namespace okrbot {

class FileClock final : public Clock {
 public:
  explicit FileClock(std::string path);
  Seconds Now() const override;

 private:
  std::string path_;
  mutable std::atomic<long long> last_;
};

// The clock a command runs on: a FileClock when `fake_clock_file` is set (tests), else the
// system clock. Both objects live in the caller's `ClockChoice`.
struct ClockChoice {
  explicit ClockChoice(const std::string& fake_clock_file)
      : file(fake_clock_file),
        clock(fake_clock_file.empty() ? static_cast<const Clock*>(&system) : &file) {}
  SystemClock system;
  FileClock file;
  const Clock* clock;
};

}  // namespace okrbot
