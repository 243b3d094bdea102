// Metric parsing: baseline, target, unit and direction from the words of a key result.
//
// Contract: ParseMetric never fails; it reports what it could find. "Increase our NPS from 55
// to 70" -> increase 55 -> 70; "Reduce customer complaints by 20%" -> decrease, relative 20%,
// no baseline; "Maintain 7-day avg. customer rating of 4.5/5" -> maintain-at-least 4.5, unit
// "/5"; "Improve total reply time by 50% from avg. 2 minutes" -> decrease 2 -> 1 min (a time:
// lower is better); "$1.2m ARR" -> target 1200000 unit "$"; "10k weekly active users" -> 10000.
// A text with no number at all is binary. Pure function, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/model.h"

namespace okrbot {

struct ParsedMetric {
  bool has_number = false;                // any measurable number in the text
  std::optional<double> baseline;         // "from 55"
  std::optional<double> target;           // "to 70"; computed from a relative change when possible
  std::optional<double> relative_change;  // "by 20%" -> 20 (percent), "up 50" -> 50
  bool relative_is_percent = false;
  std::string unit;  // "%", "$", "min", "/5", "ms", "users", ... ("" when none)
  Direction direction = Direction::kIncrease;
};

ParsedMetric ParseMetric(const std::string& text);

// Parses a number as a user types it: "70", "-2.5", "1,200", "1.2m", "10k", "$3", "90%",
// "4.5/5" (-> 4.5). Returns false when `text` is not a number.
bool ParseNumber(const std::string& text, double* out);

// Formats a value for display with its unit: 70 "%" -> "70%", 1200000 "$" -> "$1.2M",
// 2 "min" -> "2 min", 4.5 "/5" -> "4.5/5".
std::string FormatValue(double value, const std::string& unit);

}  // namespace okrbot
