// The console adapter: the bot on stdin/stdout, for trying okrbot without a chat platform and
// for driving it from scripts and tests (`okrbot console --user alice`).
//
// Contract: every input line is one command ("/okr update KR1 62"; the "/okr" is optional).
// Each answer is the plain-text rendering of the reply followed by one empty line; error
// replies start with "error: " and channel-visible ones with "[posted to channel]". Blank lines
// and lines starting with '#' are skipped. Meta-commands for demos and tests:
//   :user NAME      act as another person of the same workspace
//   :admin on|off   act as a workspace admin (as a platform admin would)
//   :quit           stop (end of input also stops)
// Not thread-safe: one console session per thread.
#pragma once

#include <iosfwd>
#include <string>

#include "bot/bot.h"

namespace okrbot {

struct ConsoleOptions {
  std::string workspace_id = "console:local";
  std::string user = "me";
  std::string tz;  // empty: UTC unless the person sets `/okr tz`
  bool admin = false;
  bool interactive = false;  // print a prompt before each line
};

// Runs until end of input or ":quit". Returns the number of commands answered with an error.
int RunConsole(Bot* bot, const ConsoleOptions& options, std::istream& in, std::ostream& out);

}  // namespace okrbot
