#include "core/model.h"

#include <cctype>
#include <sstream>

namespace okrbot {

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kIncrease:
      return "increase";
    case Direction::kDecrease:
      return "decrease";
    case Direction::kMaintainAtLeast:
      return "maintain-at-least";
    case Direction::kMaintainAtMost:
      return "maintain-at-most";
    case Direction::kBinary:
      return "binary";
  }
  return "increase";
}

bool ParseDirection(const std::string& text, Direction* out) {
  for (Direction d : {Direction::kIncrease, Direction::kDecrease, Direction::kMaintainAtLeast,
                      Direction::kMaintainAtMost, Direction::kBinary}) {
    if (text == DirectionName(d)) {
      *out = d;
      return true;
    }
  }
  return false;
}

const char* CadenceName(Cadence c) {
  switch (c) {
    case Cadence::kWeekly:
      return "weekly";
    case Cadence::kBiweekly:
      return "biweekly";
    case Cadence::kMonthly:
      return "monthly";
  }
  return "weekly";
}

bool ParseCadence(const std::string& text, Cadence* out) {
  for (Cadence c : {Cadence::kWeekly, Cadence::kBiweekly, Cadence::kMonthly}) {
    if (text == CadenceName(c)) {
      *out = c;
      return true;
    }
  }
  return false;
}

int CadenceDays(Cadence c) {
  switch (c) {
    case Cadence::kWeekly:
      return 7;
    case Cadence::kBiweekly:
      return 14;
    case Cadence::kMonthly:
      return 30;
  }
  return 7;
}

const char* GoalTypeName(GoalType t) { return t == GoalType::kStretch ? "stretch" : "committed"; }

bool ParseGoalType(const std::string& text, GoalType* out) {
  if (text == "stretch" || text == "aspirational") {
    *out = GoalType::kStretch;
    return true;
  }
  if (text == "committed") {
    *out = GoalType::kCommitted;
    return true;
  }
  return false;
}

std::string FormatDate(Days day) { return date::format("%F", day); }

bool ParseDate(const std::string& text, Days* out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  int y = std::stoi(text.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
  if (!ymd.ok()) return false;
  *out = Days(ymd);
  return true;
}

std::string ObjectiveRef(int64_t number) { return "O" + std::to_string(number); }
std::string KeyResultRef(int64_t number) { return "KR" + std::to_string(number); }
std::string InitiativeRef(int64_t number) { return "I" + std::to_string(number); }

}  // namespace okrbot
