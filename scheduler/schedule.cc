#include "scheduler/schedule.h"

#include <date/date.h>
#include <date/iso_week.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>

namespace okrbot {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr size_t kMaxZoneName = 64;  // the same bound as `/okr tz` and `remind digest`
constexpr date::days kWeek{7};
constexpr Days kFirstDay{date::year{1} / date::January / 1};
constexpr Days kLastDay{date::year{9999} / date::December / 31};

bool InRange(Days day) { return day >= kFirstDay && day <= kLastDay; }
bool InRange(Seconds t) { return t >= kFirstDay && t < kLastDay + date::days{1}; }

Status OutOfRange() {
  return Status::InvalidArgument("Dates and times must be within the years 0001 to 9999.");
}

Status CheckMinuteOfDay(int minute_of_day) {
  if (minute_of_day < 0 || minute_of_day >= kMinutesPerDay) {
    return Status::InvalidArgument("The time of day must be between 00:00 and 23:59.");
  }
  return Status::Ok();
}

Status CheckSlot(int weekday, int minute_of_day) {
  if (weekday < 0 || weekday > 6) {
    return Status::InvalidArgument("The weekday must be 0 (Sunday) to 6 (Saturday).");
  }
  return CheckMinuteOfDay(minute_of_day);
}

// The zone named `tz`; date/tz reports unknown names (and an unreadable database) by throwing.
Result<const date::time_zone*> FindZone(const std::string& tz) {
  try {
    date::get_tzdb();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("The time zone database cannot be read: ") + e.what());
  }
  const Status unknown = Status::InvalidArgument(
      "`" + tz + "` is not a time zone I know: use an IANA name like Europe/Berlin.");
  if (tz.empty() || tz.size() > kMaxZoneName) return unknown;
  try {
    const date::time_zone* zone = date::locate_zone(tz);
    if (zone == nullptr) return unknown;
    return zone;
  } catch (const std::exception&) {
    return unknown;
  }
}

Status TimeZoneFailure(const std::exception& e) {
  return Status::Internal(std::string("Time zone conversion failed: ") + e.what());
}

// The local calendar day at `t`. May throw (date/tz).
Days LocalDay(const date::time_zone& zone, Seconds t) {
  return Days{date::floor<date::days>(zone.to_local(t)).time_since_epoch()};
}

// The send instant of `minute_of_day` on `local_day`: a time in a gap is sent when the gap ends,
// a repeated time at its first occurrence. May throw (date/tz).
Seconds SendInstant(const date::time_zone& zone, Days local_day, int minute_of_day) {
  const date::local_seconds local =
      date::local_days{local_day.time_since_epoch()} + std::chrono::minutes{minute_of_day};
  const date::local_info info = zone.get_info(local);
  if (info.result == date::local_info::nonexistent) return info.second.begin;
  return zone.to_sys(local, date::choose::earliest);
}

// The local day whose slot send instant is the latest one <= `now`. May throw (date/tz).
Days LatestSlotDay(const date::time_zone& zone, int weekday, int minute_of_day, Seconds now) {
  const Days today = LocalDay(zone, now);
  const int back = (static_cast<int>(date::weekday{today}.c_encoding()) - weekday + 7) % 7;
  Days day = today - date::days{back};
  // Send instants grow with the local day, so this ends with S(day) <= now < S(day + 1 week).
  // Each loop runs at most once in practice (a slot later today; a time shifted by a DST change).
  while (SendInstant(zone, day, minute_of_day) > now) day -= kWeek;
  while (SendInstant(zone, day + kWeek, minute_of_day) <= now) day += kWeek;
  return day;
}

}  // namespace

bool IsKnownZone(const std::string& tz) { return FindZone(tz).ok(); }

Result<Days> LocalDate(const std::string& tz, Seconds instant) {
  if (!InRange(instant)) return OutOfRange();
  Result<const date::time_zone*> zone = FindZone(tz);
  if (!zone.ok()) return zone.status();
  try {
    return LocalDay(**zone, instant);
  } catch (const std::exception& e) {
    return TimeZoneFailure(e);
  }
}

Result<Seconds> LocalToUtc(const std::string& tz, Days local_day, int minute_of_day) {
  OKRBOT_RETURN_IF_ERROR(CheckMinuteOfDay(minute_of_day));
  if (!InRange(local_day)) return OutOfRange();
  Result<const date::time_zone*> zone = FindZone(tz);
  if (!zone.ok()) return zone.status();
  try {
    return SendInstant(**zone, local_day, minute_of_day);
  } catch (const std::exception& e) {
    return TimeZoneFailure(e);
  }
}

Result<Seconds> WeeklyOccurrenceAtOrBefore(const std::string& tz, int weekday, int minute_of_day,
                                           Seconds now) {
  OKRBOT_RETURN_IF_ERROR(CheckSlot(weekday, minute_of_day));
  if (!InRange(now)) return OutOfRange();
  Result<const date::time_zone*> zone = FindZone(tz);
  if (!zone.ok()) return zone.status();
  try {
    return SendInstant(**zone, LatestSlotDay(**zone, weekday, minute_of_day, now), minute_of_day);
  } catch (const std::exception& e) {
    return TimeZoneFailure(e);
  }
}

Result<Seconds> NextWeeklyOccurrenceAfter(const std::string& tz, int weekday, int minute_of_day,
                                          Seconds after) {
  OKRBOT_RETURN_IF_ERROR(CheckSlot(weekday, minute_of_day));
  if (!InRange(after)) return OutOfRange();
  Result<const date::time_zone*> zone = FindZone(tz);
  if (!zone.ok()) return zone.status();
  try {
    const Days latest = LatestSlotDay(**zone, weekday, minute_of_day, after);
    return SendInstant(**zone, latest + kWeek, minute_of_day);
  } catch (const std::exception& e) {
    return TimeZoneFailure(e);
  }
}

std::string IsoWeekKey(Days day) {
  const iso_week::year_weeknum_weekday ywd{day};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-W%02u", static_cast<int>(ywd.year()),
                static_cast<unsigned>(ywd.weeknum()));
  return buf;
}

bool IsHoliday(const std::vector<Days>& holidays, Days day) {
  return std::find(holidays.begin(), holidays.end(), day) != holidays.end();
}

}  // namespace okrbot
