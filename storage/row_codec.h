// Row encodings shared by the Store backends, so SQLite and PostgreSQL store the same values
// the same way (and an export from one reads like one from the other).
//
// Contract: EncodeStringList writes a JSON array of strings; bytes >= 0x80 pass through
// untouched, so any std::string round-trips exactly through DecodeStringList. DecodeStringList
// also reads the rest of JSON string syntax (so a hand-edited row still reads) and returns false
// on anything that is not an array of strings. Job states are stored by name ("pending",
// "sent", "dead"). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace okrbot {

std::string EncodeStringList(const std::vector<std::string>& items);
bool DecodeStringList(std::string_view text, std::vector<std::string>* items);

const char* JobStateName(JobState state);
bool ParseJobState(const std::string& text, JobState* out);

// kInvalidArgument when the id is empty: every row belongs to a workspace.
Status CheckWorkspaceId(const std::string& workspace_id);

}  // namespace okrbot
