#include "core/cycle.h"

#include <algorithm>
#include <cctype>

namespace okrbot {
namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

bool ParseCycle(const std::string& text, Cycle* out) {
  std::string s;
  for (unsigned char c : text) s.push_back(static_cast<char>(std::toupper(c)));
  std::string year_part;
  std::string quarter_part;
  if (s.size() == 7 && (s[4] == '-' || s[4] == ' ') && s[5] == 'Q') {  // 2026-Q4
    year_part = s.substr(0, 4);
    quarter_part = s.substr(6, 1);
  } else if (s.size() == 6 && s[4] == 'Q') {  // 2026Q4
    year_part = s.substr(0, 4);
    quarter_part = s.substr(5, 1);
  } else if (s.size() == 7 && s[0] == 'Q' && (s[2] == '-' || s[2] == ' ')) {  // Q4-2026
    quarter_part = s.substr(1, 1);
    year_part = s.substr(3, 4);
  } else {
    return false;
  }
  if (!AllDigits(year_part) || !AllDigits(quarter_part)) return false;
  int year = std::stoi(year_part);
  int quarter = std::stoi(quarter_part);
  if (quarter < 1 || quarter > 4 || year < 1970 || year > 9998) return false;
  *out = Cycle{year, quarter};
  return true;
}

std::string FormatCycle(const Cycle& cycle) {
  return std::to_string(cycle.year) + "-Q" + std::to_string(cycle.quarter);
}

Days CycleFirstDay(const Cycle& cycle, int fiscal_start_month) {
  int start = std::clamp(fiscal_start_month, 1, 12);
  date::year_month first{date::year{cycle.year}, date::month{static_cast<unsigned>(start)}};
  first += date::months{(cycle.quarter - 1) * 3};
  return Days(first / date::day{1});
}

Days CycleLastDay(const Cycle& cycle, int fiscal_start_month) {
  return CycleFirstDay(NextCycle(cycle), fiscal_start_month) - date::days{1};
}

Cycle CycleContaining(Days day, int fiscal_start_month) {
  int start = std::clamp(fiscal_start_month, 1, 12);
  date::year_month_day ymd{day};
  int months_since = (static_cast<int>(ymd.year()) * 12 +
                      static_cast<int>(static_cast<unsigned>(ymd.month())) - 1) -
                     (start - 1);
  int fiscal_year = months_since / 12;  // non-negative for any year we accept
  int quarter = (months_since % 12) / 3 + 1;
  return Cycle{fiscal_year, quarter};
}

Cycle NextCycle(const Cycle& cycle) {
  if (cycle.quarter == 4) return Cycle{cycle.year + 1, 1};
  return Cycle{cycle.year, cycle.quarter + 1};
}

double CycleElapsedFraction(const Cycle& cycle, int fiscal_start_month, Seconds now) {
  auto first = Seconds(CycleFirstDay(cycle, fiscal_start_month));
  auto end = Seconds(CycleLastDay(cycle, fiscal_start_month) + date::days{1});
  if (now <= first) return 0.0;
  if (now >= end) return 1.0;
  return static_cast<double>((now - first).count()) / static_cast<double>((end - first).count());
}

}  // namespace okrbot
