// ReadCsv: the one CSV reader of okrbot (spreadsheet import, data-source cells).
//
// Contract: rows are numbered as a spreadsheet shows them (the first line is row 1, blank lines
// count, the LF of a CRLF does not); blank lines are left out of the result. A UTF-8 BOM is
// skipped. A broken file (an unterminated quote, a stray quote) or more than max_rows rows is
// an InvalidArgument naming the row. Pure function: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace okrbot {

struct CsvRecord {
  int row = 0;  // 1-based, as a spreadsheet numbers it
  std::vector<std::string> cells;
};

// delimiter 0: detected from the first line (',' or ';' as European spreadsheets write, or a
// tab, whichever occurs most outside quotes).
Result<std::vector<CsvRecord>> ReadCsv(std::string_view text, int max_rows, char delimiter = 0);

}  // namespace okrbot
