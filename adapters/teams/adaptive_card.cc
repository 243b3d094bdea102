#include "adapters/teams/adaptive_card.h"

#include <utility>

#include "bot/checkin_form.h"
#include "bot/text_render.h"

namespace okrbot::teams {
namespace {

using nlohmann::json;

constexpr char kSchema[] = "http://adaptivecards.io/schemas/adaptive-card.json";
constexpr char kCardContentType[] = "application/vnd.microsoft.card.adaptive";
constexpr char kShortenedNote[] = "(Shortened: the full answer is too long for one Teams message.)";
constexpr size_t kMaxFallbackBytes = 1000;
constexpr size_t kMaxSummaryBytes = 1000;
// A header kept on its own in a shortened card is cut to this, so the card always fits.
constexpr size_t kMaxKeptHeaderBytes = 1000;
constexpr int kMaxMultilineChars = 1000;

// Serialises without throwing: invalid UTF-8 becomes U+FFFD instead of a type_error.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence, marking the cut.
std::string Cut(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max - 3;  // room for "…"
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "…";
}

json TextBlock(const std::string& text) {
  return {{"type", "TextBlock"}, {"text", text}, {"wrap", true}};
}

json SubmitAction(const std::string& title, const std::string& action, const std::string& kr) {
  return {{"type", "Action.Submit"},
          {"title", title},
          {"data", {{kDataAction, action}, {kDataKr, kr}}}};
}

json SaveActionSet(const CardSubmit& submit) {
  json save = SubmitAction(submit.title, submit.action, submit.kr);
  save["style"] = "positive";
  return {{"type", "ActionSet"}, {"actions", json::array({std::move(save)})}};
}

void AppendBlock(const Block& block, json* body) {
  switch (block.kind) {
    case BlockKind::kHeader:
      if (block.text.empty()) break;
      body->push_back(TextBlock(block.text));
      body->back()["weight"] = "Bolder";
      body->back()["size"] = "Medium";
      break;
    case BlockKind::kText:
      if (!block.text.empty()) body->push_back(TextBlock(block.text));
      break;
    case BlockKind::kImage:
      if (block.image_url.empty()) {
        body->push_back(TextBlock(ImageText(block)));
        body->back()["isSubtle"] = true;
        body->back()["size"] = "Small";
      } else {
        body->push_back({{"type", "Image"},
                         {"url", block.image_url},
                         {"altText", ImageText(block)},
                         {"size", "Stretch"}});
      }
      break;
    case BlockKind::kContext:
      if (block.text.empty()) break;
      body->push_back(TextBlock(block.text));
      body->back()["isSubtle"] = true;
      body->back()["size"] = "Small";
      break;
    case BlockKind::kFields: {
      json facts = json::array();
      for (const auto& [name, value] : block.fields) {
        facts.push_back({{"title", name}, {"value", value}});
      }
      if (!facts.empty()) body->push_back({{"type", "FactSet"}, {"facts", std::move(facts)}});
      break;
    }
    case BlockKind::kProgress: {
      if (!block.text.empty()) body->push_back(TextBlock(block.text));
      json bar = TextBlock(ProgressBar(block.progress));
      bar["fontType"] = "Monospace";
      if (!block.text.empty()) bar["spacing"] = "None";  // the bar belongs to its label
      body->push_back(std::move(bar));
      break;
    }
    case BlockKind::kList:
      // One TextBlock per item rather than one joined text, so shortening can drop whole items
      // from the end of a long list and keep the rest.
      for (size_t i = 0; i < block.items.size(); ++i) {
        json item = TextBlock("• " + block.items[i]);
        if (i > 0) item["spacing"] = "None";
        body->push_back(std::move(item));
      }
      break;
    case BlockKind::kActions: {
      json actions = json::array();
      for (const auto& button : block.buttons) {
        json action = SubmitAction(button.label, button.action, button.value);
        if (button.primary) action["style"] = "positive";
        actions.push_back(std::move(action));
      }
      if (!actions.empty()) {
        body->push_back({{"type", "ActionSet"}, {"actions", std::move(actions)}});
      }
      break;
    }
    case BlockKind::kInputs:
      for (const auto& input : block.inputs) {
        json element = {{"type", "Input.Text"}, {"id", input.id}, {"isMultiline", input.multiline}};
        if (!input.label.empty()) element["label"] = input.label;
        if (!input.placeholder.empty()) element["placeholder"] = input.placeholder;
        if (!input.initial.empty()) element["value"] = input.initial;
        if (input.multiline) element["maxLength"] = kMaxMultilineChars;
        body->push_back(std::move(element));
      }
      break;
    case BlockKind::kDivider:
      break;  // RenderBody marks the next element instead: a card has no divider element
  }
}

// The card body. `*keep` is set to the number of leading elements shortening must keep: up to
// and including the first header (0 without one).
json RenderBody(const Reply& reply, const CardSubmit* submit, size_t* keep) {
  // The Save button goes after the last inputs block, so it is below every input it submits.
  size_t last_inputs = reply.blocks.size();
  for (size_t i = 0; i < reply.blocks.size(); ++i) {
    if (reply.blocks[i].kind == BlockKind::kInputs && !reply.blocks[i].inputs.empty()) {
      last_inputs = i;
    }
  }
  json body = json::array();
  bool separator_pending = false;
  bool seen_header = false;
  *keep = 0;
  for (size_t i = 0; i < reply.blocks.size(); ++i) {
    const Block& block = reply.blocks[i];
    if (block.kind == BlockKind::kDivider) {
      separator_pending = true;
      continue;
    }
    size_t start = body.size();
    AppendBlock(block, &body);
    if (submit != nullptr && i == last_inputs) body.push_back(SaveActionSet(*submit));
    if (body.size() == start) continue;  // nothing to show: a pending divider waits
    if (separator_pending) {
      body[start]["separator"] = true;
      separator_pending = false;
    }
    if (block.kind == BlockKind::kHeader && !seen_header) {
      seen_header = true;
      *keep = start + 1;
    }
  }
  return body;
}

json ShortenedNote() {
  json note = TextBlock(kShortenedNote);
  note["isSubtle"] = true;
  return note;
}

// Drops body elements from the end (never the first `keep`) until the card with the shortened
// note fits in kMaxCardBytes. Sizes are added up per element: an array's compact dump is "[",
// its elements' dumps joined by ",", then "]", so the card is serialised only once here.
void Shorten(json* card, size_t keep) {
  json body = std::move((*card)["body"]);
  (*card)["body"] = json::array();
  const json note = ShortenedNote();
  size_t used = Dump(*card).size() + Dump(note).size();
  size_t fitting = 0;
  for (; fitting < body.size(); ++fitting) {
    size_t size = Dump(body[fitting]).size() + 1;  // + the comma before the next element
    if (used + size > kMaxCardBytes) break;
    used += size;
  }
  json kept = json::array();
  if (fitting >= keep) {
    for (size_t i = 0; i < fitting; ++i) kept.push_back(std::move(body[i]));
  } else {
    // Even the elements up to the first header are too long: keep just that header, cut.
    json header = std::move(body[keep - 1]);
    auto text = header.find("text");
    if (text != header.end() && text->is_string()) {
      *text = Cut(text->get<std::string>(), kMaxKeptHeaderBytes);
    }
    kept.push_back(std::move(header));
  }
  kept.push_back(note);
  (*card)["body"] = std::move(kept);
}

std::string OptionalString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

json AdaptiveCard(const Reply& reply, const CardSubmit* submit) {
  size_t keep = 0;
  json body = RenderBody(reply, submit, &keep);
  if (reply.is_error) {
    for (auto& element : body) {
      if (element["type"] == "TextBlock") {
        element["color"] = "Attention";
        break;
      }
    }
  }
  json card = {{"$schema", kSchema},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"fallbackText", Cut(RenderPlainText(reply), kMaxFallbackBytes)},
               {"body", std::move(body)}};
  if (Dump(card).size() > kMaxCardBytes) Shorten(&card, keep);
  return card;
}

json MessageActivity(const Reply& reply, const CardSubmit* submit) {
  json attachment = {{"contentType", kCardContentType}, {"content", AdaptiveCard(reply, submit)}};
  return {{"type", "message"},
          {"summary", Cut(reply.Summary(), kMaxSummaryBytes)},
          {"attachments", json::array({std::move(attachment)})}};
}

bool ParseSubmitData(const json& value, SubmitData* out) {
  if (!value.is_object()) return false;
  auto action = value.find(kDataAction);
  if (action == value.end() || !action->is_string()) return false;
  SubmitData data;
  data.action = action->get<std::string>();
  data.kr = OptionalString(value, kDataKr);
  data.value = OptionalString(value, kInputValue);
  data.confidence = OptionalString(value, kInputConfidence);
  data.note = OptionalString(value, kInputNote);
  *out = std::move(data);
  return true;
}

}  // namespace okrbot::teams
