// Cycles: calendar quarters by default ("2026-Q4"), or fiscal quarters when a workspace sets
// its fiscal-year start month.
//
// Convention: fiscal year N starts on the first day of `start_month` in calendar year N, so with
// start month 4, "2026-Q1" is April–June 2026 and "2026-Q4" is January–March 2027. With the
// default start month 1 the cycles are calendar quarters. Pure functions, thread-safe.
#pragma once

#include <string>

#include "core/model.h"

namespace okrbot {

struct Cycle {
  int year = 0;     // fiscal year
  int quarter = 0;  // 1..4
  bool operator==(const Cycle&) const = default;
};

// Accepts "2026-Q4", "2026q4", "Q4-2026", "Q4 2026" (case-insensitive).
bool ParseCycle(const std::string& text, Cycle* out);
std::string FormatCycle(const Cycle& cycle);  // "2026-Q4"

Days CycleFirstDay(const Cycle& cycle, int fiscal_start_month);
Days CycleLastDay(const Cycle& cycle, int fiscal_start_month);  // inclusive
Cycle CycleContaining(Days day, int fiscal_start_month);
Cycle NextCycle(const Cycle& cycle);

// Fraction of the cycle elapsed at `now` (0 before the first day, 1 after the last), using UTC
// days.
double CycleElapsedFraction(const Cycle& cycle, int fiscal_start_month, Seconds now);

}  // namespace okrbot
