// application/x-www-form-urlencoded bodies, as Slack and Mattermost send slash commands.
//
// Contract:
//   - ParseForm splits on '&', then on the first '=' of each pair; '+' means space and %XX
//     (upper- or lower-case hex) is decoded, in keys and values alike. Empty pairs ("a=1&&b=2")
//     are skipped; a pair without '=' has the value "". A key that appears more than once keeps
//     its FIRST value: later copies are ignored, so appending "&user_id=..." to a body cannot
//     override what the platform put first. A malformed escape ("%G1", "%4", a trailing "%")
//     anywhere in the body fails the whole parse with kInvalidArgument; nothing partial is
//     returned. Decoded text may hold any bytes (NUL, invalid UTF-8): callers validate it.
//     Runs in time linear in the body size (plus the map insertions).
//   - UrlEncode keeps the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and writes every
//     other byte as %XX with upper-case hex; a space becomes %20, never '+'.
//   - FormEncode joins UrlEncode(key) "=" UrlEncode(value) with '&', in the order given.
//     ParseForm(FormEncode(fields)) gives the fields back (first value of each key).
//
// Thread-safety: pure functions, safe to call from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace okrbot {

Result<std::map<std::string, std::string>> ParseForm(std::string_view body);

std::string UrlEncode(std::string_view text);

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace okrbot
