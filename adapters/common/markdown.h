// Markdown rendering of the neutral Reply model (bot/reply.h), for platforms whose messages are
// Markdown text: Mattermost posts and slash-command answers (and, later, Teams text messages).
//
// Contract:
// - Every block becomes Markdown, blocks separated by a blank line:
//     header    "#### text"
//     text      the text as a paragraph
//     fields    one "**Name:** value" line per field
//     progress  "label `███████░░░ 70%`" (ProgressBar of bot/reply.h)
//     list      one "- item" line per item
//     context   "_text_"
//     divider   "---"
//     actions   only the check-in buttons of bot/checkin_form.h have a Markdown equivalent: each
//               key result named by one gets a single hint "Reply with `/okr update KR3 <value>`"
//               (once per KR in the whole reply); other buttons are left out
//     inputs    left out (a text message cannot hold a form)
//   Blocks with nothing to show are skipped.
// - Text is plain in a Reply, so all of it is escaped: the Markdown punctuation * _ ` ~ [ ] < > #
//   | \ gets a backslash (an underscore between two letters or digits, as in snake_case or
//   @user_name, is left alone because it cannot start or end emphasis there). A line of the
//   output that would start a list or a setext heading or rule ("- x", "+ x", "1. x", "2) x",
//   "-", "===") has that mark escaped; "-5" and "0.47" are not marks and stay as they are.
//   Nothing people type can add links, images, code, headings, quotes or tables.
// - Channel-wide mentions are neutralised: "@channel", "@all" and "@here" (any case) get a
//   zero-width space (U+200B) after the "@", so posting a reply never notifies a whole channel.
//   Mentions of single people ("@alice") are kept.
// - The result is at most `max_bytes` bytes (Mattermost's default post limit is 16383
//   characters): a longer reply is cut at a line boundary and ends with a note saying so.
//
// Thread-safety: pure functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>

#include "bot/reply.h"

namespace okrbot {

inline constexpr size_t kMarkdownMaxBytes = 16000;

std::string RenderMarkdown(const Reply& reply, size_t max_bytes = kMarkdownMaxBytes);

// Escapes one piece of plain text as described above (also used for single lines such as
// headers, after line breaks have been replaced).
std::string EscapeMarkdown(const std::string& text);

}  // namespace okrbot
