#include "adapters/slack/block_kit.h"

#include "bot/text_render.h"

namespace okrbot::slack {
namespace {

using nlohmann::json;

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence, marking the cut.
std::string Cut(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max - 3;  // room for "…"
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "…";
}

json PlainText(const std::string& text, size_t max) {
  return {{"type", "plain_text"}, {"text", Cut(text.empty() ? " " : text, max)}, {"emoji", true}};
}

json Mrkdwn(const std::string& text) {
  return {{"type", "mrkdwn"}, {"text", Cut(EscapeMrkdwn(text.empty() ? " " : text), 3000)}};
}

json Section(const std::string& text) { return {{"type", "section"}, {"text", Mrkdwn(text)}}; }

void AppendBlock(const Block& block, json* out) {
  switch (block.kind) {
    case BlockKind::kHeader:
      out->push_back({{"type", "header"}, {"text", PlainText(block.text, 150)}});
      break;
    case BlockKind::kText:
      out->push_back(Section(block.text));
      break;
    case BlockKind::kContext:
      out->push_back({{"type", "context"}, {"elements", json::array({Mrkdwn(block.text)})}});
      break;
    case BlockKind::kFields: {
      for (size_t i = 0; i < block.fields.size(); i += 10) {
        json fields = json::array();
        for (size_t j = i; j < block.fields.size() && j < i + 10; ++j) {
          const auto& [name, value] = block.fields[j];
          fields.push_back(
              {{"type", "mrkdwn"},
               {"text", Cut("*" + EscapeMrkdwn(name) + "*\n" + EscapeMrkdwn(value), 2000)}});
        }
        out->push_back({{"type", "section"}, {"fields", fields}});
      }
      break;
    }
    case BlockKind::kProgress:
      out->push_back(
          Section((block.text.empty() ? "" : block.text + "\n") + ProgressBar(block.progress)));
      break;
    case BlockKind::kList: {
      // One section per ~3000 chars of items, so long lists stay readable.
      std::string chunk;
      for (const auto& item : block.items) {
        std::string line = "• " + item;
        if (!chunk.empty() && chunk.size() + line.size() + 1 > 2900) {
          out->push_back(Section(chunk));
          chunk.clear();
        }
        chunk += (chunk.empty() ? "" : "\n") + line;
      }
      if (!chunk.empty()) out->push_back(Section(chunk));
      break;
    }
    case BlockKind::kActions: {
      json elements = json::array();
      for (const auto& button : block.buttons) {
        json b = {{"type", "button"},
                  {"text", PlainText(button.label, 75)},
                  {"action_id", button.action},
                  {"value", Cut(button.value, 2000)}};
        if (button.primary) b["style"] = "primary";
        elements.push_back(std::move(b));
      }
      if (!elements.empty()) out->push_back({{"type", "actions"}, {"elements", elements}});
      break;
    }
    case BlockKind::kInputs:
      for (const auto& input : block.inputs) {
        json element = {
            {"type", "plain_text_input"}, {"action_id", input.id}, {"multiline", input.multiline}};
        if (!input.placeholder.empty()) element["placeholder"] = PlainText(input.placeholder, 150);
        if (!input.initial.empty()) element["initial_value"] = input.initial;
        out->push_back({{"type", "input"},
                        {"block_id", input.id},
                        {"label", PlainText(input.label, 2000)},
                        {"optional", input.id != "value"},
                        {"element", element}});
      }
      break;
    case BlockKind::kDivider:
      out->push_back({{"type", "divider"}});
      break;
    case BlockKind::kImage:
      // Slack fetches image_url itself; without okrbot's public URL the text alternative stands.
      if (block.image_url.empty()) {
        out->push_back(
            {{"type", "context"}, {"elements", json::array({Mrkdwn(ImageText(block))})}});
      } else {
        out->push_back({{"type", "image"},
                        {"image_url", block.image_url},
                        {"alt_text", Cut(ImageText(block), 2000)},
                        {"title", PlainText(block.text, 2000)}});
      }
      break;
  }
}

}  // namespace

std::string EscapeMrkdwn(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

json RenderBlocks(const Reply& reply, size_t max_blocks) {
  json blocks = json::array();
  for (const auto& block : reply.blocks) AppendBlock(block, &blocks);
  if (blocks.size() > max_blocks) {
    json cut = json::array();
    for (size_t i = 0; i + 1 < max_blocks; ++i) cut.push_back(blocks[i]);
    cut.push_back({{"type", "context"},
                   {"elements", json::array({Mrkdwn("…more than fits in one message: narrow it "
                                                    "down, e.g. /okr list mine")})}});
    return cut;
  }
  return blocks;
}

std::string FallbackText(const Reply& reply) { return Cut(RenderPlainText(reply), 3000); }

json CommandResponse(const Reply& reply) {
  return {{"response_type", reply.visibility == Visibility::kChannel ? "in_channel" : "ephemeral"},
          {"text", FallbackText(reply)},
          {"blocks", RenderBlocks(reply)}};
}

json ModalView(const Reply& form, const std::string& callback_id,
               const std::string& private_metadata, const std::string& submit_label) {
  std::string title = "okrbot";
  for (const auto& b : form.blocks) {
    if (b.kind == BlockKind::kHeader) {
      title = b.text;
      break;
    }
  }
  Reply body = form;
  std::erase_if(body.blocks, [](const Block& b) { return b.kind == BlockKind::kHeader; });
  return {{"type", "modal"},
          {"callback_id", callback_id},
          {"private_metadata", Cut(private_metadata, 3000)},
          {"title", PlainText(title, 24)},
          {"submit", PlainText(submit_label, 24)},
          {"close", PlainText("Cancel", 24)},
          {"blocks", RenderBlocks(body, 100)}};
}

json HomeView(const Reply& content) {
  return {{"type", "home"}, {"blocks", RenderBlocks(content, 100)}};
}

}  // namespace okrbot::slack
