// The command grammar of SPEC §2, shared by every platform.
//
// Contract: ParseCommand turns the text after `/okr` (a leading "/okr" or "okr" is accepted and
// ignored) into a subcommand, positional arguments and `key:value` options, checking only the
// shape: known subcommand, allowed options, argument count. Meaning (IDs exist, numbers parse,
// permissions) is the bot's job. On any mistake the outcome names what is wrong and points at
// the subcommand's spec, whose usage line the reply shows. The command table is static data;
// everything here is thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "bot/tokenizer.h"

namespace okrbot {

struct CommandSpec {
  std::string name;     // "kr add"
  std::string usage;    // "/okr kr add <O> \"<text>\" [owner:@u] ..."
  std::string summary;  // one line for `help`
  std::vector<std::string> examples;
  std::vector<std::string> options;  // allowed option keys
  int min_args = 0;
  int max_args = 0;             // -1 = unlimited
  bool free_text_tail = false;  // extra words (and unknown key:value) are a note
};

const std::vector<CommandSpec>& CommandTable();
// By full name ("kr add") or by its first word when that is unique ("stale").
const CommandSpec* FindCommand(const std::string& name);

struct ParsedCommand {
  const CommandSpec* spec = nullptr;
  std::vector<Token> args;  // positional, after the subcommand words
  std::map<std::string, std::string> options;
  std::vector<Token> tail;  // free text for commands that take a note
  bool has(const std::string& key) const { return options.count(key) != 0; }
  std::string get(const std::string& key) const {
    auto it = options.find(key);
    return it == options.end() ? std::string() : it->second;
  }
};

struct ParseOutcome {
  bool ok = false;
  ParsedCommand command;              // when ok
  std::string error;                  // when !ok: what is wrong, in words a user can act on
  const CommandSpec* spec = nullptr;  // the subcommand concerned, if known (for its usage line)
};

ParseOutcome ParseCommand(const std::string& text);

// True for commands that only read (help, list, show, tree, review, stale, todo, remind show,
// admin list): running one twice changes nothing, so replays of them need no record.
bool IsReadOnly(const ParsedCommand& command);

}  // namespace okrbot
