#include "bot/clock.h"

#include <date/date.h>

#include <sstream>
#include <string>

namespace okrbot {

Seconds SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

bool ParseIsoInstant(const std::string& text, Seconds* out) {
  for (const char* format : {"%FT%TZ", "%FT%T%Ez", "%FT%RZ", "%FT%R%Ez", "%FT%T", "%F %T"}) {
    std::istringstream in(text);
    Seconds t;
    in >> date::parse(format, t);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      *out = t;
      return true;
    }
  }
  return false;
}

std::string FormatIsoInstant(Seconds t) { return date::format("%FT%TZ", t); }

}  // namespace okrbot
