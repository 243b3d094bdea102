#include "bot/reply.h"

#include "core/text_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace okrbot {

namespace {

Block MakeBlock(BlockKind kind, std::string text = "") {
  Block b;
  b.kind = kind;
  b.text = std::move(text);
  return b;
}

}  // namespace

Reply& Reply::Header(std::string text) {
  blocks.push_back(MakeBlock(BlockKind::kHeader, std::move(text)));
  return *this;
}
Reply& Reply::Text(std::string text) {
  blocks.push_back(MakeBlock(BlockKind::kText, std::move(text)));
  return *this;
}
Reply& Reply::Context(std::string text) {
  blocks.push_back(MakeBlock(BlockKind::kContext, std::move(text)));
  return *this;
}
Reply& Reply::Fields(std::vector<std::pair<std::string, std::string>> fields) {
  Block b = MakeBlock(BlockKind::kFields);
  b.fields = std::move(fields);
  blocks.push_back(std::move(b));
  return *this;
}
Reply& Reply::Progress(std::string label, double progress) {
  Block b = MakeBlock(BlockKind::kProgress, std::move(label));
  b.progress = progress;
  blocks.push_back(std::move(b));
  return *this;
}
Reply& Reply::List(std::vector<std::string> items) {
  Block b = MakeBlock(BlockKind::kList);
  b.items = std::move(items);
  blocks.push_back(std::move(b));
  return *this;
}
Reply& Reply::Actions(std::vector<Button> buttons) {
  Block b = MakeBlock(BlockKind::kActions);
  b.buttons = std::move(buttons);
  blocks.push_back(std::move(b));
  return *this;
}
Reply& Reply::Inputs(std::vector<Input> inputs) {
  Block b = MakeBlock(BlockKind::kInputs);
  b.inputs = std::move(inputs);
  blocks.push_back(std::move(b));
  return *this;
}
Reply& Reply::Divider() {
  blocks.push_back(MakeBlock(BlockKind::kDivider));
  return *this;
}
Reply& Reply::Image(std::string title, std::string description, std::string svg, int width,
                    int height) {
  Block b = MakeBlock(BlockKind::kImage, std::move(title));
  b.description = std::move(description);
  b.svg = std::move(svg);
  b.width = width;
  b.height = height;
  blocks.push_back(std::move(b));
  return *this;
}

std::string Reply::Summary() const {
  for (const auto& block : blocks) {
    if ((block.kind == BlockKind::kHeader || block.kind == BlockKind::kText) &&
        !block.text.empty()) {
      return block.text;
    }
  }
  return "okrbot";
}

std::string ImageText(const Block& image) {
  if (image.description.empty()) return image.text;
  if (image.text.empty()) return image.description;
  return image.text + ": " + image.description;
}

std::string ProgressBar(double progress, int width) {
  static const char* const kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  if (std::isnan(progress)) progress = 0;
  progress = std::clamp(progress, 0.0, 1.0);
  int total_eighths = static_cast<int>(std::lround(progress * width * 8));
  int full = total_eighths / 8;
  int partial = total_eighths % 8;
  std::string bar;
  for (int i = 0; i < full; ++i) bar += "█";
  int used = full;
  if (partial > 0) {
    bar += kEighths[partial];
    ++used;
  }
  for (int i = used; i < width; ++i) bar += "░";
  bar += " " + std::to_string(static_cast<int>(std::lround(progress * 100))) + "%";
  return bar;
}

std::string Sparkline(const std::vector<double>& values) {
  static const char* const kLevels[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  if (values.empty()) return "";
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  std::string out;
  for (double v : values) {
    int level = 3;
    if (*hi > *lo) level = static_cast<int>(std::lround((v - *lo) / (*hi - *lo) * 7));
    out += kLevels[std::clamp(level, 0, 7)];
  }
  return out;
}

namespace {

const char* KindName(BlockKind kind) {
  switch (kind) {
    case BlockKind::kHeader:
      return "header";
    case BlockKind::kText:
      return "text";
    case BlockKind::kFields:
      return "fields";
    case BlockKind::kProgress:
      return "progress";
    case BlockKind::kList:
      return "list";
    case BlockKind::kActions:
      return "actions";
    case BlockKind::kInputs:
      return "inputs";
    case BlockKind::kDivider:
      return "divider";
    case BlockKind::kContext:
      return "context";
    case BlockKind::kImage:
      return "image";
  }
  return "text";
}

bool KindFromName(const std::string& name, BlockKind* out) {
  for (BlockKind k :
       {BlockKind::kHeader, BlockKind::kText, BlockKind::kFields, BlockKind::kProgress,
        BlockKind::kList, BlockKind::kActions, BlockKind::kInputs, BlockKind::kDivider,
        BlockKind::kContext, BlockKind::kImage}) {
    if (name == KindName(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

}  // namespace

namespace {

// Appends `text` as a JSON string. Scheduled posts are serialised by the thousand, so this writes
// directly instead of building a json tree; invalid UTF-8 becomes U+FFFD, as nlohmann's
// replace handler would do.
void AppendJsonString(const std::string& text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string& safe = IsValidUtf8(text) ? text : ReplaceInvalidUtf8(text);
  out->push_back('"');
  for (char c : safe) {
    unsigned char byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (byte < 0x20) {
          *out += "\\u00";
          out->push_back(kHex[byte >> 4]);
          out->push_back(kHex[byte & 0xF]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendNumber(double value, std::string* out) {
  if (!std::isfinite(value)) value = 0;  // JSON has no NaN/Inf; progress is clamped anyway
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, result.ptr);
}

void AppendField(const char* name, const std::string& value, std::string* out) {
  out->push_back('"');
  *out += name;
  *out += "\":";
  AppendJsonString(value, out);
}

}  // namespace

std::string ReplyToJson(const Reply& reply) {
  std::string out;
  out.reserve(256);
  out += "{\"visibility\":";
  out += reply.visibility == Visibility::kChannel ? "\"channel\"" : "\"private\"";
  out += ",\"is_error\":";
  out += reply.is_error ? "true" : "false";
  out += ",\"blocks\":[";
  for (size_t i = 0; i < reply.blocks.size(); ++i) {
    const Block& b = reply.blocks[i];
    if (i > 0) out.push_back(',');
    out += "{\"kind\":\"";
    out += KindName(b.kind);
    out.push_back('"');
    if (!b.text.empty()) {
      out.push_back(',');
      AppendField("text", b.text, &out);
    }
    if (b.kind == BlockKind::kProgress) {
      out += ",\"progress\":";
      AppendNumber(b.progress, &out);
    }
    if (b.kind == BlockKind::kImage) {
      out.push_back(',');
      AppendField("description", b.description, &out);
      out.push_back(',');
      AppendField("svg", b.svg, &out);
      out += ",\"width\":" + std::to_string(b.width) + ",\"height\":" + std::to_string(b.height);
    }
    if (!b.fields.empty()) {
      out += ",\"fields\":[";
      for (size_t f = 0; f < b.fields.size(); ++f) {
        if (f > 0) out.push_back(',');
        out.push_back('[');
        AppendJsonString(b.fields[f].first, &out);
        out.push_back(',');
        AppendJsonString(b.fields[f].second, &out);
        out.push_back(']');
      }
      out.push_back(']');
    }
    if (!b.items.empty()) {
      out += ",\"items\":[";
      for (size_t k = 0; k < b.items.size(); ++k) {
        if (k > 0) out.push_back(',');
        AppendJsonString(b.items[k], &out);
      }
      out.push_back(']');
    }
    if (!b.buttons.empty()) {
      out += ",\"buttons\":[";
      for (size_t k = 0; k < b.buttons.size(); ++k) {
        const Button& btn = b.buttons[k];
        if (k > 0) out.push_back(',');
        out.push_back('{');
        AppendField("label", btn.label, &out);
        out.push_back(',');
        AppendField("action", btn.action, &out);
        out.push_back(',');
        AppendField("value", btn.value, &out);
        out += ",\"primary\":";
        out += btn.primary ? "true" : "false";
        out.push_back('}');
      }
      out.push_back(']');
    }
    if (!b.inputs.empty()) {
      out += ",\"inputs\":[";
      for (size_t k = 0; k < b.inputs.size(); ++k) {
        const Input& in = b.inputs[k];
        if (k > 0) out.push_back(',');
        out.push_back('{');
        AppendField("id", in.id, &out);
        out.push_back(',');
        AppendField("label", in.label, &out);
        out.push_back(',');
        AppendField("placeholder", in.placeholder, &out);
        out.push_back(',');
        AppendField("initial", in.initial, &out);
        out += ",\"multiline\":";
        out += in.multiline ? "true" : "false";
        out.push_back('}');
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  out += "]}";
  return out;
}

Result<Reply> ReplyFromJson(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("reply is not JSON");
  try {
    Reply reply;
    reply.visibility =
        j.value("visibility", "private") == "channel" ? Visibility::kChannel : Visibility::kPrivate;
    reply.is_error = j.value("is_error", false);
    for (const auto& jb : j.value("blocks", nlohmann::json::array())) {
      Block b;
      if (!KindFromName(jb.value("kind", ""), &b.kind)) {
        return Status::InvalidArgument("unknown block kind in reply");
      }
      b.text = jb.value("text", "");
      b.progress = jb.value("progress", 0.0);
      b.description = jb.value("description", "");
      b.svg = jb.value("svg", "");
      b.width = jb.value("width", 0);
      b.height = jb.value("height", 0);
      for (const auto& f : jb.value("fields", nlohmann::json::array())) {
        b.fields.emplace_back(f.at(0).get<std::string>(), f.at(1).get<std::string>());
      }
      for (const auto& item : jb.value("items", nlohmann::json::array())) {
        b.items.push_back(item.get<std::string>());
      }
      for (const auto& jbtn : jb.value("buttons", nlohmann::json::array())) {
        b.buttons.push_back({jbtn.value("label", ""), jbtn.value("action", ""),
                             jbtn.value("value", ""), jbtn.value("primary", false)});
      }
      for (const auto& jin : jb.value("inputs", nlohmann::json::array())) {
        b.inputs.push_back({jin.value("id", ""), jin.value("label", ""),
                            jin.value("placeholder", ""), jin.value("initial", ""),
                            jin.value("multiline", false)});
      }
      reply.blocks.push_back(std::move(b));
    }
    return reply;
  } catch (const nlohmann::json::exception& e) {  // library boundary: wrong types inside
    return Status::InvalidArgument(std::string("reply JSON has the wrong shape: ") + e.what());
  }
}

}  // namespace okrbot
