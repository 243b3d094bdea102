// Tokenizer for chat commands: splits on whitespace, keeps "quoted strings" (straight or curly
// quotes “...” „...“) together, and splits `key:value` options (the value may be quoted:
// title:"New title").
//
// Contract: Tokenize returns kInvalidArgument for an unterminated quote, with a message that
// says so. Non-breaking and other Unicode spaces count as whitespace. Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace okrbot {

struct Token {
  std::string text;     // without the quotes
  bool quoted = false;  // the whole token was one quoted string
  std::string key;      // for `key:value` tokens: the lower-case key; text holds the value
  bool is_option() const { return !key.empty(); }
  std::string Original() const;  // as the user typed it (re-quoted when needed)
};

Result<std::vector<Token>> Tokenize(const std::string& input);

}  // namespace okrbot
