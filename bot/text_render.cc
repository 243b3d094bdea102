#include "bot/text_render.h"

namespace okrbot {

std::string RenderPlainText(const Reply& reply) {
  std::string out;
  auto line = [&out](const std::string& s) {
    out += s;
    out += '\n';
  };
  for (const auto& block : reply.blocks) {
    switch (block.kind) {
      case BlockKind::kHeader:
        line("== " + block.text + " ==");
        break;
      case BlockKind::kText:
        line(block.text);
        break;
      case BlockKind::kContext:
        line("  " + block.text);
        break;
      case BlockKind::kFields:
        for (const auto& [name, value] : block.fields) line(name + ": " + value);
        break;
      case BlockKind::kProgress:
        line((block.text.empty() ? "" : block.text + "  ") + ProgressBar(block.progress));
        break;
      case BlockKind::kList:
        for (const auto& item : block.items) line("• " + item);
        break;
      case BlockKind::kActions: {
        std::string buttons;
        for (const auto& b : block.buttons)
          buttons += (buttons.empty() ? "[" : " [") + b.label + "]";
        line(buttons);
        break;
      }
      case BlockKind::kInputs:
        for (const auto& in : block.inputs) line("<" + in.label + ">");
        break;
      case BlockKind::kDivider:
        line("---");
        break;
      case BlockKind::kImage:
        line("[Chart] " + ImageText(block));
        break;
    }
  }
  return out;
}

}  // namespace okrbot
