// Spreadsheet import of a plan (`okrbot import plan.csv --workspace ID`, and later
// POST /api/v1/import): a CSV with a header row and one row per key result, the objective's
// columns repeated on each of its rows.
//
// Contract:
// - Columns are recognised by their header, case-insensitively and ignoring spaces, '_' and
//   '-' ("Key Result", "KR", "key_result" are the same): objective, key result, owner
//   (an email, a @handle or a display name), objective owner, team, cycle / quarter
//   ("2026-Q1", "Q1 2026"), start / baseline, target, current, unit, due (YYYY-MM-DD; gives the
//   cycle when there is no cycle column). PlanImportOptions::map names the field of any other
//   header (or "ignore"); a mapping wins over the built-in names. Objective and key result
//   columns are required; other unknown columns are listed in the report and ignored.
// - Every row is checked with the rules of the chat commands (text limits, numbers, cycles,
//   units, KRs per objective, objectives per cycle) before anything is written; a row that
//   cannot be read is reported with its row number (the header is row 1, as a spreadsheet
//   shows it) and why. When any row is bad, or on a dry run, nothing is stored.
// - Idempotent: an objective is the same when its cycle and title (case-insensitive) match an
//   existing one (archived ones too); a key result when its objective and text match. Those are
//   left as they are; only what is missing is created, so running the same file twice creates
//   nothing the second time. `current` becomes a first check-in of a key result created now.
// - Owners by email are matched through the UserDirectory (each address asked once per import)
//   and stored as users of the workspace; names match existing users by id or display name.
// - Writes happen only after the whole file validated, each through the Store's own
//   transactions (objective, key result, check-in). Should the database fail in the middle, the
//   report says so and running the file again finishes the job without duplicates.
// - File-level problems (not CSV, no header, no objective or key result column, an unknown
//   workspace or field, a file over the size limits) are a Status error; row problems are in the
//   report. Thread-safe as the Store is (the directory is used from the calling thread only).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/bot.h"
#include "bot/user_directory.h"
#include "core/clock.h"
#include "core/status.h"
#include "storage/store.h"

namespace okrbot {

struct PlanImportOptions {
  std::string workspace_id;
  // header (as written in the file, case-insensitive) -> field name: objective, kr, owner,
  // objective_owner, team, cycle, start, target, current, unit, due, ignore.
  std::map<std::string, std::string> map;
  bool dry_run = false;
  std::string author = "import";  // created_by of the new rows and author of check-ins
  BotLimits limits;
  size_t max_bytes = 10 << 20;  // larger files are refused
  int max_rows = 20000;
};

struct PlanRowError {
  int row = 0;  // as a spreadsheet numbers it: the header is row 1
  std::string message;
};

struct PlannedKeyResult {
  int row = 0;
  std::string text;
  std::string owner;  // user id ("" = none)
  std::optional<double> baseline, target, current;
  std::string unit;
  int64_t number = 0;   // KR<number> when it exists (or once created)
  bool exists = false;  // matched an existing key result: left unchanged
};

struct PlannedObjective {
  int row = 0;  // first row that names it
  std::string title, cycle, team, owner;
  int64_t number = 0;   // O<number> when it exists (or once created)
  bool exists = false;  // matched an existing objective
  std::vector<PlannedKeyResult> key_results;
};

struct PlanImportReport {
  bool dry_run = false;
  bool written = false;  // true when this run stored what it planned (possibly nothing new)
  std::vector<PlanRowError> errors;
  std::vector<std::string> ignored_columns;
  std::vector<PlannedObjective> objectives;
  int rows = 0;
  int objectives_created = 0, key_results_created = 0, checkins_created = 0, users_added = 0;
  int objectives_existing = 0, key_results_existing = 0;
  std::string write_error;  // set when the database failed during the write phase

  bool ok() const { return errors.empty() && write_error.empty(); }
  // What would be (or was) created, objective by objective, then every bad row.
  std::string Text() const;
};

// Parses `field` ("Key Result", "kr", ...) into the canonical field name, or "" when unknown.
std::string PlanFieldName(const std::string& header);

// `directory` may be null: then an email owner is a row error saying the platform cannot be
// asked. `clock` dates the check-ins and picks the cycle of rows without one.
Result<PlanImportReport> ImportPlan(Store* store, const Clock* clock, UserDirectory* directory,
                                    const std::string& csv, const PlanImportOptions& options);

}  // namespace okrbot
