// HTML text for the web dashboard's server-rendered pages.
//
// Contract: EscapeHtml makes any bytes safe as HTML text and as a double- or single-quoted
// attribute value: & < > " ' are written as entities, invalid UTF-8 becomes U+FFFD and control
// characters other than tab and newline are dropped, so user text can never open a tag, end an
// attribute or smuggle a script. Every piece of user text on a page goes through it.
// Pure functions, thread-safe.
#pragma once

#include <string>

namespace okrbot::web {

std::string EscapeHtml(const std::string& text);
void AppendEscaped(const std::string& text, std::string* out);

}  // namespace okrbot::web
