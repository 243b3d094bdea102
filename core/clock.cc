#include "core/clock.h"

#include <date/date.h>

#include <string>

namespace okrbot {

Seconds SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

namespace {

// Reads exactly `digits` decimal digits at `*at`.
bool ReadDigits(const std::string& text, size_t* at, int digits, int* out) {
  if (*at + static_cast<size_t>(digits) > text.size()) return false;
  int value = 0;
  for (int i = 0; i < digits; ++i) {
    char c = text[*at + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *at += static_cast<size_t>(digits);
  *out = value;
  return true;
}

bool ReadChar(const std::string& text, size_t* at, char expected) {
  if (*at >= text.size() || text[*at] != expected) return false;
  ++*at;
  return true;
}

}  // namespace

// Hand-written rather than date::parse: on some malformed inputs ("2026-02-29") date::parse
// converts a NaN seconds field to an integer, which is undefined behaviour (found by fuzzing).
bool ParseIsoInstant(const std::string& text, Seconds* out) {
  size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, &at, 4, &year) || !ReadChar(text, &at, '-') ||
      !ReadDigits(text, &at, 2, &month) || !ReadChar(text, &at, '-') ||
      !ReadDigits(text, &at, 2, &day)) {
    return false;
  }
  const bool space = at < text.size() && text[at] == ' ';
  if (!ReadChar(text, &at, space ? ' ' : 'T') || !ReadDigits(text, &at, 2, &hour) ||
      !ReadChar(text, &at, ':') || !ReadDigits(text, &at, 2, &minute)) {
    return false;
  }
  const bool has_seconds = ReadChar(text, &at, ':');
  if (has_seconds && !ReadDigits(text, &at, 2, &second)) return false;
  if (space && !has_seconds) return false;  // "2026-12-07 09:00:00" only with seconds
  int offset_minutes = 0;
  if (at < text.size()) {
    if (space) return false;  // the space form has no zone
    if (text[at] == 'Z') {
      ++at;
    } else if (text[at] == '+' || text[at] == '-') {
      const int sign = text[at] == '-' ? -1 : 1;
      ++at;
      int offset_hours = 0, offset_mins = 0;
      if (!ReadDigits(text, &at, 2, &offset_hours) || !ReadChar(text, &at, ':') ||
          !ReadDigits(text, &at, 2, &offset_mins) || offset_hours > 23 || offset_mins > 59) {
        return false;
      }
      offset_minutes = sign * (offset_hours * 60 + offset_mins);
    } else {
      return false;
    }
  }
  if (at != text.size() || hour > 23 || minute > 59 || second > 59) return false;
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return false;
  *out = Seconds(date::sys_days(ymd)) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second) - std::chrono::minutes(offset_minutes);
  return true;
}

std::string FormatIsoInstant(Seconds t) { return date::format("%FT%TZ", t); }

}  // namespace okrbot
