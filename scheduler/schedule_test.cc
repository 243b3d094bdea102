#include "scheduler/schedule.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <vector>

namespace okrbot {
namespace {

constexpr int kSunday = 0;
constexpr int kMonday = 1;
constexpr int kFriday = 5;

int At(int hour, int minute) { return hour * 60 + minute; }

Seconds T(const std::string& s) {
  Seconds t;
  EXPECT_TRUE(ParseIsoInstant(s, &t)) << s;
  return t;
}

Days D(const std::string& s) {
  Days d;
  EXPECT_TRUE(ParseDate(s, &d)) << s;
  return d;
}

// Results as text, so that a failure prints the instant (or the error) readably.
std::string Str(const Result<Seconds>& r) {
  return r.ok() ? FormatIsoInstant(*r) : "error: " + r.status().ToString();
}
std::string Str(const Result<Days>& r) {
  return r.ok() ? FormatDate(*r) : "error: " + r.status().ToString();
}

TEST(ScheduleTest, BerlinMondayTenInSummerAndWinter) {
  // Summer: CEST, UTC+2.
  EXPECT_EQ(Str(LocalToUtc("Europe/Berlin", D("2026-07-06"), At(10, 0))), "2026-07-06T08:00:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore("Europe/Berlin", kMonday, At(10, 0),
                                           T("2026-07-08T12:00:00Z"))),
            "2026-07-06T08:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter("Europe/Berlin", kMonday, At(10, 0),
                                          T("2026-07-08T12:00:00Z"))),
            "2026-07-13T08:00:00Z");
  // Winter: CET, UTC+1.
  EXPECT_EQ(Str(LocalToUtc("Europe/Berlin", D("2026-01-05"), At(10, 0))), "2026-01-05T09:00:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore("Europe/Berlin", kMonday, At(10, 0),
                                           T("2026-01-07T12:00:00Z"))),
            "2026-01-05T09:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter("Europe/Berlin", kMonday, At(10, 0),
                                          T("2026-01-07T12:00:00Z"))),
            "2026-01-12T09:00:00Z");
}

TEST(ScheduleTest, OccurrenceExactlyAtNowCountsAsAtOrBefore) {
  const Seconds sent = T("2026-07-06T08:00:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore("Europe/Berlin", kMonday, At(10, 0), sent)),
            "2026-07-06T08:00:00Z");
  // One second earlier, this week's slot is still ahead: the previous week's is the latest.
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore("Europe/Berlin", kMonday, At(10, 0),
                                           sent - std::chrono::seconds(1))),
            "2026-06-29T08:00:00Z");
}

TEST(ScheduleTest, NextOccurrenceAtTheExactInstantIsTheFollowingWeek) {
  const Seconds sent = T("2026-07-06T08:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter("Europe/Berlin", kMonday, At(10, 0), sent)),
            "2026-07-13T08:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter("Europe/Berlin", kMonday, At(10, 0),
                                          sent - std::chrono::seconds(1))),
            "2026-07-06T08:00:00Z");
}

TEST(ScheduleTest, SpringForwardGapIsSentWhenTheGapEnds) {
  const std::string ny = "America/New_York";
  // 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist; it is sent at 03:00 EDT.
  EXPECT_EQ(Str(LocalToUtc(ny, D("2026-03-08"), At(2, 30))), "2026-03-08T07:00:00Z");
  EXPECT_EQ(Str(LocalToUtc(ny, D("2026-03-08"), At(2, 0))), "2026-03-08T07:00:00Z");
  EXPECT_EQ(Str(LocalToUtc(ny, D("2026-03-08"), At(1, 59))), "2026-03-08T06:59:00Z");
  EXPECT_EQ(Str(LocalToUtc(ny, D("2026-03-08"), At(3, 0))), "2026-03-08T07:00:00Z");

  // The Sunday 02:30 slot across the change: EST, the gap, then EDT.
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(ny, kSunday, At(2, 30), T("2026-03-08T06:59:59Z"))),
            "2026-03-01T07:30:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(ny, kSunday, At(2, 30), T("2026-03-08T07:00:00Z"))),
            "2026-03-08T07:00:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(ny, kSunday, At(2, 30), T("2026-03-08T12:00:00Z"))),
            "2026-03-08T07:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter(ny, kSunday, At(2, 30), T("2026-03-01T07:30:00Z"))),
            "2026-03-08T07:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter(ny, kSunday, At(2, 30), T("2026-03-08T07:00:00Z"))),
            "2026-03-15T06:30:00Z");
}

TEST(ScheduleTest, FallBackRepeatIsSentOnceAtTheFirstOccurrence) {
  const std::string ny = "America/New_York";
  // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens at 05:30Z and at 06:30Z.
  EXPECT_EQ(Str(LocalToUtc(ny, D("2026-11-01"), At(1, 30))), "2026-11-01T05:30:00Z");

  // During the second 01:30 (EST) the latest send instant is still the EDT one.
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(ny, kSunday, At(1, 30), T("2026-11-01T06:30:00Z"))),
            "2026-11-01T05:30:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(ny, kSunday, At(1, 30), T("2026-11-01T06:45:00Z"))),
            "2026-11-01T05:30:00Z");

  // Walking the slot forward visits 2026-11-01 exactly once.
  std::vector<std::string> sent;
  Seconds t = T("2026-10-20T00:00:00Z");
  for (int i = 0; i < 3; ++i) {
    Result<Seconds> next = NextWeeklyOccurrenceAfter(ny, kSunday, At(1, 30), t);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    sent.push_back(FormatIsoInstant(*next));
    t = *next;
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"2026-10-25T05:30:00Z", "2026-11-01T05:30:00Z",
                                            "2026-11-08T06:30:00Z"}));
}

TEST(ScheduleTest, NewYorkMondayTenForFourteenWeeksAcrossFallBack) {
  const std::string ny = "America/New_York";
  const std::vector<std::string> expected = {
      "2026-10-05T14:00:00Z", "2026-10-12T14:00:00Z", "2026-10-19T14:00:00Z",
      "2026-10-26T14:00:00Z", "2026-11-02T15:00:00Z", "2026-11-09T15:00:00Z",
      "2026-11-16T15:00:00Z", "2026-11-23T15:00:00Z", "2026-11-30T15:00:00Z",
      "2026-12-07T15:00:00Z", "2026-12-14T15:00:00Z", "2026-12-21T15:00:00Z",
      "2026-12-28T15:00:00Z", "2027-01-04T15:00:00Z",
  };
  Result<Seconds> previous =
      WeeklyOccurrenceAtOrBefore(ny, kMonday, At(10, 0), T("2026-10-05T00:00:00Z"));
  ASSERT_EQ(Str(previous), "2026-09-28T14:00:00Z");
  Seconds t = *previous;
  Days monday = D("2026-10-05");
  for (const std::string& want : expected) {
    SCOPED_TRACE(want);
    EXPECT_EQ(Str(LocalToUtc(ny, monday, At(10, 0))), want);
    Result<Seconds> next = NextWeeklyOccurrenceAfter(ny, kMonday, At(10, 0), t);
    ASSERT_EQ(Str(next), want);
    EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(ny, kMonday, At(10, 0), *next)), want);
    EXPECT_EQ(
        Str(WeeklyOccurrenceAtOrBefore(ny, kMonday, At(10, 0), *next - std::chrono::seconds(1))),
        FormatIsoInstant(t));
    EXPECT_EQ(Str(LocalDate(ny, *next)), FormatDate(monday));
    t = *next;
    monday += date::days{7};
  }
}

TEST(ScheduleTest, KiritimatiMondayStartsOnSundayUtc) {
  const std::string zone = "Pacific/Kiritimati";  // UTC+14, no DST
  EXPECT_EQ(Str(LocalToUtc(zone, D("2026-07-06"), At(10, 0))), "2026-07-05T20:00:00Z");
  EXPECT_EQ(Str(LocalToUtc(zone, D("2026-07-06"), At(0, 30))), "2026-07-05T10:30:00Z");
  // Sunday 21:00Z is already Monday 11:00 there: this Monday's slot has been sent.
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(zone, kMonday, At(10, 0), T("2026-07-05T21:00:00Z"))),
            "2026-07-05T20:00:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(zone, kMonday, At(10, 0), T("2026-07-05T19:59:59Z"))),
            "2026-06-28T20:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter(zone, kMonday, At(10, 0), T("2026-07-05T12:00:00Z"))),
            "2026-07-05T20:00:00Z");
}

TEST(ScheduleTest, AucklandMondayStartsOnSundayUtcInSummer) {
  const std::string zone = "Pacific/Auckland";
  // NZ summer (NZDT, UTC+13).
  EXPECT_EQ(Str(LocalToUtc(zone, D("2026-01-05"), At(10, 0))), "2026-01-04T21:00:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(zone, kMonday, At(10, 0), T("2026-01-04T21:00:00Z"))),
            "2026-01-04T21:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter(zone, kMonday, At(10, 0), T("2026-01-04T20:00:00Z"))),
            "2026-01-04T21:00:00Z");
  // NZ winter (NZST, UTC+12).
  EXPECT_EQ(Str(LocalToUtc(zone, D("2026-07-06"), At(10, 0))), "2026-07-05T22:00:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(zone, kMonday, At(10, 0), T("2026-07-06T00:00:00Z"))),
            "2026-07-05T22:00:00Z");
}

TEST(ScheduleTest, KolkataHalfHourOffset) {
  const std::string zone = "Asia/Kolkata";  // UTC+05:30
  EXPECT_EQ(Str(LocalToUtc(zone, D("2026-07-06"), At(10, 0))), "2026-07-06T04:30:00Z");
  EXPECT_EQ(Str(LocalToUtc(zone, D("2026-07-06"), At(3, 0))), "2026-07-05T21:30:00Z");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(zone, kMonday, At(10, 0), T("2026-07-09T00:00:00Z"))),
            "2026-07-06T04:30:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter(zone, kMonday, At(10, 0), T("2026-07-06T04:30:00Z"))),
            "2026-07-13T04:30:00Z");
}

TEST(ScheduleTest, SkippedLocalDayIsSentWhenTheGapEnds) {
  // Samoa skipped Friday 2011-12-30 (UTC-10 to UTC+14 at local midnight, 10:00Z).
  const std::string zone = "Pacific/Apia";
  EXPECT_EQ(Str(LocalToUtc(zone, D("2011-12-30"), At(10, 0))), "2011-12-30T10:00:00Z");
  EXPECT_EQ(Str(LocalDate(zone, T("2011-12-30T10:00:00Z"))), "2011-12-31");
  EXPECT_EQ(Str(WeeklyOccurrenceAtOrBefore(zone, kFriday, At(10, 0), T("2011-12-30T12:00:00Z"))),
            "2011-12-30T10:00:00Z");
  EXPECT_EQ(Str(NextWeeklyOccurrenceAfter(zone, kFriday, At(10, 0), T("2011-12-30T10:00:00Z"))),
            "2012-01-05T20:00:00Z");
}

TEST(ScheduleTest, LocalDateNearMidnight) {
  // UTC+14.
  EXPECT_EQ(Str(LocalDate("Pacific/Kiritimati", T("2026-07-05T09:59:59Z"))), "2026-07-05");
  EXPECT_EQ(Str(LocalDate("Pacific/Kiritimati", T("2026-07-05T10:00:00Z"))), "2026-07-06");
  EXPECT_EQ(Str(LocalDate("Pacific/Kiritimati", T("2026-12-31T10:00:00Z"))), "2027-01-01");
  // UTC-10.
  EXPECT_EQ(Str(LocalDate("Pacific/Honolulu", T("2026-07-06T09:59:59Z"))), "2026-07-05");
  EXPECT_EQ(Str(LocalDate("Pacific/Honolulu", T("2026-07-06T10:00:00Z"))), "2026-07-06");
  EXPECT_EQ(Str(LocalDate("Pacific/Honolulu", T("2027-01-01T09:59:59Z"))), "2026-12-31");
  // UTC itself.
  EXPECT_EQ(Str(LocalDate("UTC", T("2026-07-05T23:59:59Z"))), "2026-07-05");
  EXPECT_EQ(Str(LocalDate("UTC", T("2026-07-06T00:00:00Z"))), "2026-07-06");
}

TEST(ScheduleTest, UnknownZonesAreInvalidArgument) {
  EXPECT_TRUE(IsKnownZone("UTC"));
  EXPECT_TRUE(IsKnownZone("Europe/Berlin"));
  EXPECT_TRUE(IsKnownZone("America/New_York"));
  const std::vector<std::string> unknown = {"",
                                            "Mars/Olympus_Mons",
                                            "Europe/Berlinn",
                                            "europe/berlin",
                                            "../../etc/passwd",
                                            "Europe/Berlin " + std::string(60, 'x')};
  for (const std::string& tz : unknown) {
    SCOPED_TRACE(tz);
    EXPECT_FALSE(IsKnownZone(tz));
    EXPECT_EQ(LocalDate(tz, T("2026-07-06T00:00:00Z")).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(LocalToUtc(tz, D("2026-07-06"), At(10, 0)).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(WeeklyOccurrenceAtOrBefore(tz, kMonday, At(10, 0), T("2026-07-06T00:00:00Z"))
                  .status()
                  .code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(NextWeeklyOccurrenceAfter(tz, kMonday, At(10, 0), T("2026-07-06T00:00:00Z"))
                  .status()
                  .code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(LocalDate("Mars/Olympus_Mons", T("2026-07-06T00:00:00Z")).status().message(),
            "`Mars/Olympus_Mons` is not a time zone I know: use an IANA name like Europe/Berlin.");
}

TEST(ScheduleTest, InvalidSlotsAndOutOfRangeTimesAreInvalidArgument) {
  const Seconds now = T("2026-07-06T00:00:00Z");
  for (int weekday : {-1, 7}) {
    EXPECT_EQ(WeeklyOccurrenceAtOrBefore("UTC", weekday, At(10, 0), now).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(NextWeeklyOccurrenceAfter("UTC", weekday, At(10, 0), now).status().code(),
              StatusCode::kInvalidArgument);
  }
  for (int minute : {-1, 24 * 60}) {
    EXPECT_EQ(LocalToUtc("UTC", D("2026-07-06"), minute).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(WeeklyOccurrenceAtOrBefore("UTC", kMonday, minute, now).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(Str(LocalToUtc("UTC", D("2026-07-06"), At(23, 59))), "2026-07-06T23:59:00Z");
  EXPECT_EQ(Str(LocalToUtc("UTC", D("2026-07-06"), 0)), "2026-07-06T00:00:00Z");

  const Seconds far_future{std::chrono::seconds(std::numeric_limits<int64_t>::max())};
  const Seconds far_past{std::chrono::seconds(std::numeric_limits<int64_t>::min())};
  for (Seconds t : {far_future, far_past}) {
    EXPECT_EQ(LocalDate("UTC", t).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(WeeklyOccurrenceAtOrBefore("Pacific/Kiritimati", kMonday, 0, t).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(NextWeeklyOccurrenceAfter("Pacific/Kiritimati", kMonday, 0, t).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(LocalToUtc("UTC", Days{date::days{std::numeric_limits<int>::max()}}, 0).status().code(),
            StatusCode::kInvalidArgument);
  // The edges of the supported range still work.
  EXPECT_EQ(Str(LocalDate("UTC", T("9999-12-31T23:59:59Z"))), "9999-12-31");
  EXPECT_EQ(Str(LocalDate("UTC", T("0001-01-01T00:00:00Z"))), "0001-01-01");
  EXPECT_TRUE(
      WeeklyOccurrenceAtOrBefore("Pacific/Kiritimati", kMonday, 0, T("0001-01-01T00:00:00Z")).ok());
  EXPECT_TRUE(
      NextWeeklyOccurrenceAfter("Pacific/Honolulu", kMonday, At(23, 59), T("9999-12-31T23:59:59Z"))
          .ok());
}

TEST(ScheduleTest, IsoWeekKeysAtYearBoundaries) {
  EXPECT_EQ(IsoWeekKey(D("2026-11-02")), "2026-W45");
  EXPECT_EQ(IsoWeekKey(D("2026-12-31")), "2026-W53");
  EXPECT_EQ(IsoWeekKey(D("2027-01-01")), "2026-W53");
  EXPECT_EQ(IsoWeekKey(D("2027-01-03")), "2026-W53");
  EXPECT_EQ(IsoWeekKey(D("2027-01-04")), "2027-W01");
  EXPECT_EQ(IsoWeekKey(D("2024-12-29")), "2024-W52");
  EXPECT_EQ(IsoWeekKey(D("2024-12-30")), "2025-W01");
  EXPECT_EQ(IsoWeekKey(D("2025-12-29")), "2026-W01");  // 2026-01-01 is a Thursday
  EXPECT_EQ(IsoWeekKey(D("2021-01-03")), "2020-W53");
  EXPECT_EQ(IsoWeekKey(D("2021-01-04")), "2021-W01");
}

TEST(ScheduleTest, Holidays) {
  const std::vector<Days> holidays = {D("2026-12-25"), D("2026-01-01"), D("2026-12-24")};
  EXPECT_TRUE(IsHoliday(holidays, D("2026-12-24")));
  EXPECT_TRUE(IsHoliday(holidays, D("2026-01-01")));
  EXPECT_FALSE(IsHoliday(holidays, D("2026-12-26")));
  EXPECT_FALSE(IsHoliday({}, D("2026-12-25")));
}

}  // namespace
}  // namespace okrbot
