// Import and export of OKRs (`okrbot import FILE`, `okrbot export --format json|csv`).
//
// Contract:
// - ExportJson writes every workspace (or one) with its users, objectives, key results,
//   check-ins, initiatives, edit history and reminders. ImportJson of that document into an
//   empty store reproduces it exactly: export → import → export gives the same text.
// - ImportJson validates the whole document before writing anything (format, types, references
//   between rows, numbers already taken in the target store); a bad file changes nothing.
// - ExportCsv writes one row per key result (for spreadsheets; not meant for import).
// Thread-safe as the Store is.
#pragma once

#include <string>

#include "core/status.h"
#include "storage/store.h"

namespace okrbot {

struct ImportStats {
  int workspaces = 0;
  int objectives = 0;
  int key_results = 0;
  int checkins = 0;
};

Result<std::string> ExportJson(Store* store, const std::string& workspace_id = "");
Result<std::string> ExportCsv(Store* store, const std::string& workspace_id = "");
Result<ImportStats> ImportJson(Store* store, const std::string& json);

}  // namespace okrbot
