// Secrets are never logged: every test binary that links this captures all that spdlog writes
// during the run, and fails at the end if
// any string registered with ForbidInLogs appears in it — signing secrets, bot tokens, client
// secrets, the token-encryption key, bearer tokens the stand-ins issue. Servers that set their
// own level (OkrbotServer does, from Config) are run at trace by the suites.
//
// Processes the tests start (okrbot serve in the CLI, crash and replica tests) log to their own
// stderr, which this does not see. Thread-safe.
#pragma once

#include <string>

namespace okrbot::testing {

void ForbidInLogs(const std::string& secret);

}  // namespace okrbot::testing
