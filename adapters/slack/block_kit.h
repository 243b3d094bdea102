// Block Kit rendering of the neutral Reply model (bot/reply.h) for Slack messages, modals and
// the App Home tab.
//
// Contract: every block kind is rendered within Slack's limits (header 150 chars, section text
// 3000, 10 fields per section, 50 blocks per message / 100 per modal or home view; longer
// content is cut with a visible "…"). Text from people is escaped (&, <, >) so nobody can
// inject mentions such as <!channel>. A plain-text fallback (`text`) always accompanies blocks.
// Pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "bot/reply.h"

namespace okrbot::slack {

nlohmann::json RenderBlocks(const Reply& reply, size_t max_blocks = 50);

// The plain-text fallback for notifications and clients without Block Kit.
std::string FallbackText(const Reply& reply);

// The JSON body of a slash command answer or response_url post: response_type ephemeral
// (private replies) or in_channel (summary, public:yes), text and blocks.
nlohmann::json CommandResponse(const Reply& reply);

// A modal view. `callback_id` routes the submission; `private_metadata` carries context
// (at most 3000 chars). Inputs become input blocks with block_id = action_id = the input id.
nlohmann::json ModalView(const Reply& form, const std::string& callback_id,
                         const std::string& private_metadata, const std::string& submit_label);

// The App Home tab view.
nlohmann::json HomeView(const Reply& content);

// Escapes &, < and > as Slack's mrkdwn requires.
std::string EscapeMrkdwn(const std::string& text);

}  // namespace okrbot::slack
