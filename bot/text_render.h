// Plain-text rendering of a neutral Reply, used by the console adapter and by logs.
//
// Contract: every block is visible in the text (headers, fields as "Name: value", progress as a
// Unicode bar, list items as "• ", buttons as "[Label]", inputs as "<label>"). Pure, thread-safe.
#pragma once

#include <string>

#include "bot/reply.h"

namespace okrbot {

std::string RenderPlainText(const Reply& reply);

}  // namespace okrbot
