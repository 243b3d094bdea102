#include "adapters/web/html.h"

#include "core/text_util.h"

namespace okrbot::web {

void AppendEscaped(const std::string& original, std::string* out) {
  std::string repaired;
  std::string_view text = original;
  if (!IsValidUtf8(original)) {
    repaired = ReplaceInvalidUtf8(original);
    text = repaired;
  }
  out->reserve(out->size() + text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') break;
        if (c == 0x7F) break;
        out->push_back(c);
    }
  }
}

std::string EscapeHtml(const std::string& text) {
  std::string out;
  AppendEscaped(text, &out);
  return out;
}

}  // namespace okrbot::web
