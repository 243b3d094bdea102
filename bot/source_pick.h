// What a data source (issue 22, `/okr kr source`) reads out of the answer it fetched, and how
// often: the pure half of data sources, shared by the command (which checks what a person
// typed) and the scheduler (which reads fetched bodies).
//
// Contract:
// - ParseSourcePick reads `pick:`: a JSON pointer (RFC 6901, starts with "/", e.g.
//   "/data/result/0/value/1") or a spreadsheet cell ("B7": column letters A..ZZZ, row from 1).
//   Anything else is kInvalidArgument with what a pick looks like.
// - PickValue applies a pick to a fetched body. JSON: the pointed-at value must be a number or
//   a string holding one (Prometheus sends "0.953"). CSV (RFC 4180, parsed with libcsv): the
//   cell must hold a number, optionally with a trailing % or a leading $ € £ and thousands
//   commas ("1,234.5"). Not found, not a number, NaN or infinite, or |value| > 1e15 is
//   kInvalidArgument with the reason in words an owner can act on.
// - ParseSourceEvery reads `every:` — "1h", "6h" or "1d" — into seconds (default 6 h).
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "core/status.h"

namespace okrbot {

inline constexpr double kMaxSourceValue = 1e15;
inline constexpr std::chrono::seconds kDefaultSourceEvery{6 * 3600};

struct SourcePick {
  enum class Kind { kJsonPointer, kCsvCell };
  Kind kind = Kind::kJsonPointer;
  std::string text;  // as typed: "/data/result/0/value/1" or "B7"
  int column = 0;    // CSV: 0 = A
  int row = 0;       // CSV: 0 = row 1
};

Result<SourcePick> ParseSourcePick(const std::string& text);

Result<double> PickValue(const SourcePick& pick, const std::string& body);

Result<std::chrono::seconds> ParseSourceEvery(const std::string& text);

}  // namespace okrbot
