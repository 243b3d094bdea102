#include "adapters/common/markdown.h"

#include <set>
#include <vector>

#include "bot/checkin_form.h"
#include "core/text_util.h"

namespace okrbot {
namespace {

constexpr char kZeroWidthSpace[] = "\u200B";
constexpr char kCutNote[] = "_…more than fits in one message: narrow it down, e.g. /okr list mine_";

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// True when the '@' at line[at] starts "@channel", "@all" or "@here" as a whole word (not in
// the middle of a word such as an e-mail address).
bool IsChannelWideMention(const std::string& line, size_t at) {
  if (at > 0 && (IsAsciiAlnum(line[at - 1]) || line[at - 1] == '_')) return false;
  size_t end = at + 1;
  while (end < line.size() && IsAsciiLetter(line[end])) ++end;
  if (end < line.size() && (IsAsciiAlnum(line[end]) || line[end] == '_' || line[end] == '-')) {
    return false;  // "@all_hands", "@here2": someone's name
  }
  std::string word;
  for (size_t i = at + 1; i < end; ++i) word += AsciiLower(line[i]);
  return word == "channel" || word == "all" || word == "here";
}

// True when the '&' at line[at] could start an HTML entity ("&amp;", "&#64;").
bool StartsEntity(const std::string& line, size_t at) {
  for (size_t i = at + 1; i < line.size() && i <= at + 32; ++i) {
    char c = line[i];
    if (c == ';') return i > at + 1;
    if (!IsAsciiAlnum(c) && c != '#') return false;
  }
  return false;
}

// True when line[i] ends a list marker or a setext underline (space, tab or end of line).
bool EndsMarker(const std::string& line, size_t i) {
  return i >= line.size() || line[i] == ' ' || line[i] == '\t';
}

// Escapes one line (no '\n' inside). `at_line_start`: the line begins a line of the output, so
// the marks that only mean something there are escaped too.
std::string EscapeLine(const std::string& line, bool at_line_start = true) {
  std::string out;
  out.reserve(line.size() + line.size() / 8);
  size_t i = 0;
  if (at_line_start) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) out += line[i++];
    // Bullets ("- x", "+ x"), setext underlines and rules ("-", "===", "---"), and ordered-list
    // numbers ("1. x", "1) x"); '*', '#' and '>' are escaped everywhere below. "-5" or "0.47"
    // are not markers and stay as they are.
    if (i < line.size() && (line[i] == '-' || line[i] == '+' || line[i] == '=') &&
        (EndsMarker(line, i + 1) || line[i + 1] == line[i])) {
      out += '\\';
      out += line[i++];
    } else {
      size_t digits = i;
      while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
      if (digits > i && digits - i <= 9 && digits < line.size() &&
          (line[digits] == '.' || line[digits] == ')') && EndsMarker(line, digits + 1)) {
        out.append(line, i, digits - i);
        out += '\\';
        out += line[digits];
        i = digits + 1;
      }
    }
  }
  for (; i < line.size(); ++i) {
    char c = line[i];
    switch (c) {
      case '_':
        // Between two letters or digits an underscore can neither open nor close emphasis.
        if (i > 0 && i + 1 < line.size() && IsAsciiAlnum(line[i - 1]) &&
            IsAsciiAlnum(line[i + 1])) {
          out += c;
        } else {
          out += "\\_";
        }
        break;
      case '*':
      case '`':
      case '~':
      case '[':
      case ']':
      case '<':
      case '>':
      case '#':
      case '|':
      case '\\':
        out += '\\';
        out += c;
        break;
      case '&':
        if (StartsEntity(line, i)) out += '\\';
        out += c;
        break;
      case '@':
        out += c;
        if (IsChannelWideMention(line, i)) out += kZeroWidthSpace;
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t newline = text.find('\n', start);
    lines.push_back(text.substr(start, newline - start));
    if (newline == std::string::npos) break;
    start = newline + 1;
  }
  return lines;
}

// Headers, field names and labels are one line: line breaks become spaces.
std::string OneLine(const std::string& text) {
  std::string out = Trim(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// Escapes `text` and indents its continuation lines by `indent` (for list items).
// `first_at_line_start`: false when the text follows a label on its first line.
std::string EscapeIndented(const std::string& text, const std::string& indent,
                           bool first_at_line_start = true) {
  std::string out;
  bool first = true;
  for (const std::string& line : SplitLines(text)) {
    if (!first) out += "\n" + indent;
    out += EscapeLine(line, !first || first_at_line_start);
    first = false;
  }
  return out;
}

// "KR3": the only button values a hint may quote (they come from the bot, but the hint sits in
// a code span and must not be able to close it).
bool IsPlainRef(const std::string& value) {
  if (value.empty() || value.size() > 32) return false;
  for (char c : value) {
    if (!IsAsciiAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsCheckInAction(const std::string& action) {
  return action == kActionCheckInUpdate || action == kActionCheckInNoChange ||
         action == kActionCheckInSnooze;
}

// The Markdown of one block, or "" when it has nothing to show.
std::string RenderBlock(const Block& block, std::set<std::string>* hinted) {
  switch (block.kind) {
    case BlockKind::kHeader: {
      std::string text = OneLine(block.text);
      return text.empty() ? "" : "#### " + EscapeLine(text, /*at_line_start=*/false);
    }
    case BlockKind::kText:
      return Trim(block.text).empty() ? "" : EscapeMarkdown(block.text);
    case BlockKind::kContext: {
      std::string out;
      for (const std::string& line : SplitLines(block.text)) {
        std::string text = Trim(line);
        if (text.empty()) continue;
        out += (out.empty() ? "_" : "\n_") + EscapeLine(text, /*at_line_start=*/false) + "_";
      }
      return out;
    }
    case BlockKind::kFields: {
      std::string out;
      for (const auto& [name, value] : block.fields) {
        std::string label = OneLine(name);
        std::string line = label.empty()
                               ? EscapeMarkdown(value)
                               : "**" + EscapeLine(label, /*at_line_start=*/false) + ":** " +
                                     EscapeIndented(value, "", /*first_at_line_start=*/false);
        out += (out.empty() ? "" : "\n") + line;
      }
      return out;
    }
    case BlockKind::kProgress: {
      std::string label = OneLine(block.text);
      return (label.empty() ? "" : EscapeLine(label) + " ") + "`" + ProgressBar(block.progress) +
             "`";
    }
    case BlockKind::kList: {
      std::string out;
      for (const std::string& item : block.items) {
        if (Trim(item).empty()) continue;
        out += (out.empty() ? "- " : "\n- ") + EscapeIndented(item, "  ");
      }
      return out;
    }
    case BlockKind::kActions: {
      std::string out;
      for (const Button& button : block.buttons) {
        if (!IsCheckInAction(button.action) || !IsPlainRef(button.value)) continue;
        if (!hinted->insert(button.value).second) continue;
        out += (out.empty() ? "" : "\n") + std::string("Reply with `/okr update ") + button.value +
               " <value>`";
      }
      return out;
    }
    case BlockKind::kInputs:
      return "";
    case BlockKind::kDivider:
      return "---";
    case BlockKind::kImage: {
      std::string alt = EscapeLine(OneLine(ImageText(block)), /*at_line_start=*/false);
      // Mattermost shows a Markdown image inline (its image proxy fetches the public URL).
      if (block.image_url.empty()) return "_" + alt + "_";
      return "![" + alt + "](" + block.image_url + ")";
    }
  }
  return "";
}

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence.
std::string CutUtf8(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

std::string EscapeMarkdown(const std::string& text) { return EscapeIndented(text, ""); }

std::string RenderMarkdown(const Reply& reply, size_t max_bytes) {
  std::set<std::string> hinted;
  std::string out;
  for (const Block& block : reply.blocks) {
    std::string part = RenderBlock(block, &hinted);
    if (part.empty()) continue;
    out += (out.empty() ? "" : "\n\n") + part;
  }
  if (out.size() <= max_bytes) return out;
  const std::string note = std::string("\n\n") + kCutNote;
  if (max_bytes <= note.size()) return CutUtf8(out, max_bytes);
  std::string kept = CutUtf8(out, max_bytes - note.size());
  size_t line_end = kept.rfind('\n');
  if (line_end != std::string::npos && line_end > 0) kept.resize(line_end);
  while (!kept.empty() && kept.back() == '\n') kept.pop_back();
  return kept + note;
}

}  // namespace okrbot
