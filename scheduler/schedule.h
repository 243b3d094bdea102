// Schedule: the pure time maths of the scheduler, "what is due when" (SPEC §3).
//
// A weekly slot is a local weekday and a wall-clock time (minute of the day) in an IANA time
// zone: "Monday 10:00 in Europe/Berlin". These functions turn slots into UTC send instants and
// UTC instants into local calendar days. They read nothing but the time zone database: no
// clock, no store, no I/O beyond the database's own lazy loading.
//
// Contract:
//   - Zones are IANA names ("Europe/Berlin", "America/New_York", "UTC"), matched exactly
//     (case-sensitive) against the system tzdata. An unknown or empty zone is
//     kInvalidArgument; date/tz exceptions never escape these functions. A tzdata that cannot
//     be read at all is kInternal.
//   - `weekday` is 0 = Sunday .. 6 = Saturday, `minute_of_day` is 0..1439 (as in Reminder);
//     other values are kInvalidArgument. Instants and days outside the years 0001..9999 are
//     kInvalidArgument.
//   - Wall-clock rule at daylight-saving changes, applied everywhere a slot becomes an
//     instant:
//       * a local time that does not exist (the spring-forward gap, e.g. 02:30 on 2026-03-08
//         in America/New_York) is sent at the first instant after the gap: the instant the
//         gap ends (03:00 EDT = 07:00Z), which is also the sys_info begin of the new offset;
//       * a local time that happens twice (the fall-back repeat, e.g. 01:30 on 2026-11-01 in
//         America/New_York) is sent once, at the earlier occurrence (01:30 EDT = 05:30Z).
//     With this rule the send instant of a slot never moves backwards as the local day moves
//     forwards, and consecutive weekly send instants are always distinct.
//   - The system tzdata ("fat" binary files) lists transitions up to 2037; later instants use
//     the last listed offset (e.g. no more DST in America/New_York after 2037).
//
// Thread-safety: every function is a pure function of its arguments and the (immutable, lazily
// and thread-safely loaded) time zone database; all are safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/model.h"
#include "core/status.h"

namespace okrbot {

// True if `tz` names a zone in the time zone database. Never throws.
bool IsKnownZone(const std::string& tz);

// The calendar day in `tz` at `instant`, e.g. 2026-11-01T23:30Z is 2026-11-02 in
// Pacific/Kiritimati (UTC+14) and still 2026-11-01 in Pacific/Honolulu (UTC-10).
Result<Days> LocalDate(const std::string& tz, Seconds instant);

// The UTC instant of the wall-clock time `minute_of_day` on `local_day` in `tz`, following the
// gap and repeat rule above.
Result<Seconds> LocalToUtc(const std::string& tz, Days local_day, int minute_of_day);

// The latest send instant of the weekly slot (`weekday`, `minute_of_day` in `tz`) that is
// <= `now`; a slot sent exactly at `now` counts. Used to find the current period's post,
// which also catches up a missed one exactly once.
Result<Seconds> WeeklyOccurrenceAtOrBefore(const std::string& tz, int weekday, int minute_of_day,
                                           Seconds now);

// The first send instant of the same weekly slot strictly after `after`; at exactly a send
// instant this is the following week's.
Result<Seconds> NextWeeklyOccurrenceAfter(const std::string& tz, int weekday, int minute_of_day,
                                          Seconds after);

// The ISO 8601 week of `day` as "2026-W45": the week-numbering year (which differs from the
// calendar year around New Year) and the week number 01..53. 2026-12-31 and 2027-01-01 are
// "2026-W53"; 2024-12-30 is "2025-W01". Years are written with at least four digits.
std::string IsoWeekKey(Days day);

// True if `day` is one of `holidays` (any order, duplicates allowed).
bool IsHoliday(const std::vector<Days>& holidays, Days day);

}  // namespace okrbot
