#include "bot/csv_reader.h"

// CSV is read with libcsv (Debian libcsv-dev, LGPL): a small, maintained C parser that handles
// quoted fields, doubled quotes, embedded newlines and CR/LF/CRLF line ends, and reports an
// unterminated quote (CSV_STRICT_FINI) instead of guessing. Spreadsheet exports are exactly
// where hand-written splitting on ',' goes wrong.
#include <csv.h>

namespace okrbot {
namespace {

struct CsvState {
  std::vector<CsvRecord> records;
  std::vector<std::string> fields;
  int row = 0;
  bool last_was_cr = false;
  int max_rows = 0;
  bool too_many = false;
};

void OnField(void* data, size_t len, void* state_ptr) {
  auto* state = static_cast<CsvState*>(state_ptr);
  state->fields.emplace_back(static_cast<const char*>(data), len);
}

void OnRecord(int terminator, void* state_ptr) {
  auto* state = static_cast<CsvState*>(state_ptr);
  // CSV_REPALL_NL reports every line end, so blank lines keep their row number as a spreadsheet
  // shows it; the LF of a CRLF is not a row of its own.
  bool cr_lf_tail = state->fields.empty() && terminator == '\n' && state->last_was_cr;
  state->last_was_cr = terminator == '\r';
  if (cr_lf_tail) return;
  ++state->row;
  if (static_cast<int>(state->records.size()) > state->max_rows) {
    state->too_many = true;
  } else if (!state->fields.empty()) {
    state->records.push_back({state->row, std::move(state->fields)});
  }
  state->fields.clear();
}

// The delimiter of the header line: ',' or ';' (European spreadsheets) or a tab, whichever
// occurs most outside quotes.
unsigned char DetectDelimiter(std::string_view text) {
  int counts[3] = {0, 0, 0};
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    if (c == ',') ++counts[0];
    if (c == ';') ++counts[1];
    if (c == '\t') ++counts[2];
  }
  if (counts[1] > counts[0] && counts[1] >= counts[2]) return ';';
  if (counts[2] > counts[0] && counts[2] > counts[1]) return '\t';
  return ',';
}

int OnlySpace(unsigned char c) { return c == ' ' ? 1 : 0; }

}  // namespace

Result<std::vector<CsvRecord>> ReadCsv(std::string_view text, int max_rows, char delimiter) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI) != 0) {
    return Status::Internal("Cannot start the CSV parser.");
  }
  unsigned char used = delimiter ? static_cast<unsigned char>(delimiter) : DetectDelimiter(text);
  csv_set_delim(&parser, used);
  if (used == '\t') csv_set_space_func(&parser, OnlySpace);
  CsvState state;
  state.max_rows = max_rows;
  size_t parsed = csv_parse(&parser, text.data(), text.size(), OnField, OnRecord, &state);
  int fini = parsed == text.size() ? csv_fini(&parser, OnField, OnRecord, &state) : -1;
  int error = csv_error(&parser);
  csv_free(&parser);
  if (parsed != text.size() || fini != 0) {
    return Status::InvalidArgument(
        std::string("The file is not readable CSV (") + csv_strerror(error) + ") near row " +
        std::to_string(state.row + 1) +
        ": a quoted field may be missing its closing quote, or a quote inside a field is not "
        "doubled.");
  }
  if (state.too_many) {
    return Status::InvalidArgument("The file has more than " + std::to_string(max_rows) +
                                   " rows; split it into smaller files.");
  }
  return std::move(state.records);
}

}  // namespace okrbot
