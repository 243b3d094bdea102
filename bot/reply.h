// The neutral reply model: what the bot says, as structure, for adapters to render into Slack
// Block Kit, Teams Adaptive Cards, Mattermost Markdown or plain text (bot/text_render.h).
//
// Contract: a Reply is a list of blocks plus who may see it. Text inside blocks is plain (no
// platform markup); emphasis comes from the block kind. ToJson/FromJson round-trip exactly (the
// scheduler stores replies as job payloads). Values; thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace okrbot {

enum class Visibility { kPrivate, kChannel };

struct Button {
  std::string label;
  std::string action;  // "checkin.update", "checkin.nochange", "checkin.snooze", ...
  std::string value;   // e.g. "KR3"
  bool primary = false;
};

struct Input {
  std::string id;  // "value", "confidence", "note"
  std::string label;
  std::string placeholder;
  std::string initial;
  bool multiline = false;
};

enum class BlockKind {
  kHeader,
  kText,
  kFields,
  kProgress,
  kList,
  kActions,
  kInputs,
  kDivider,
  kContext,
  // A chart (bot/chart.h): `text` is its title, `description` one sentence saying what it shows.
  // Adapters show the PNG of `svg` from okrbot's public URL (`image_url`, set by the adapter just
  // before rendering, adapters/common/chart_images.h); without one they show the text alone.
  kImage
};

struct Block {
  BlockKind kind = BlockKind::kText;
  std::string text;  // header / text / context; progress: its label
  std::vector<std::pair<std::string, std::string>> fields;  // kFields
  double progress = 0;                                      // kProgress: 0..1
  std::vector<std::string> items;                           // kList
  std::vector<Button> buttons;                              // kActions
  std::vector<Input> inputs;                                // kInputs
  std::string description;                                  // kImage
  std::string svg;                                          // kImage
  int width = 0;                                            // kImage, px
  int height = 0;                                           // kImage, px
  std::string image_url;                                    // kImage: set by adapters, never stored
};

struct Reply {
  Visibility visibility = Visibility::kPrivate;
  bool is_error = false;
  // The refusal of a request received before (Actor::request_id): adapters answer the platform
  // 403 and post nothing, so a replay or a re-delivery leaves no trace in the chat.
  bool repeated = false;
  std::vector<Block> blocks;

  Reply& Header(std::string text);
  Reply& Text(std::string text);
  Reply& Context(std::string text);
  Reply& Fields(std::vector<std::pair<std::string, std::string>> fields);
  Reply& Progress(std::string label, double progress);
  Reply& List(std::vector<std::string> items);
  Reply& Actions(std::vector<Button> buttons);
  Reply& Inputs(std::vector<Input> inputs);
  Reply& Divider();
  Reply& Image(std::string title, std::string description, std::string svg, int width, int height);
  // One line for notifications and fallbacks: the first header or text.
  std::string Summary() const;
};

// A chart's text alternative, "<title>: <description>" — what screen readers and platforms
// without the image get.
std::string ImageText(const Block& image);

// "███████░░░ 70%"-style bar, `width` cells, with eighth blocks for the fractional cell.
std::string ProgressBar(double progress, int width = 10);
// "▁▃▅▇" from a series (scaled between its min and max); empty series -> "".
std::string Sparkline(const std::vector<double>& values);

std::string ReplyToJson(const Reply& reply);
Result<Reply> ReplyFromJson(const std::string& json);

}  // namespace okrbot
