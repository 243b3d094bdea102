// The `okrbot` command line (SPEC §5): serve, console, import, export, migrate, check-config.
//
// Contract: RunCli returns the process exit code: 0 success, 2 usage or configuration error
// (with a message naming the problem on `err`), 1 anything else. Call from the main thread.
#pragma once

#include <iosfwd>

namespace okrbot {

int RunCli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace okrbot
