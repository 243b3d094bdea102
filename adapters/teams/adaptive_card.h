// Adaptive Card rendering of the neutral Reply model (bot/reply.h) for Microsoft Teams messages,
// and the parsing of what a card's Action.Submit sends back.
//
// Contract:
// - AdaptiveCard builds a version 1.4 card; every block becomes body elements:
//     header    TextBlock, weight Bolder, size Medium
//     text      TextBlock
//     context   TextBlock, isSubtle, size Small
//     fields    FactSet (title = name, value = value)
//     progress  TextBlock with the label, then a Monospace TextBlock with ProgressBar (bar + %)
//     list      one TextBlock "• item" per item, spacing None after the first
//     divider   the next element gets "separator": true (a trailing divider shows nothing)
//     actions   ActionSet of Action.Submit: title = label, data = {kDataAction: action,
//               kDataKr: value}; a primary button has style "positive"
//     inputs    one Input.Text per input (id, label, placeholder, value = initial when set,
//               isMultiline; multiline inputs take at most 1000 characters). With a CardSubmit,
//               a "positive" Save Action.Submit follows the last inputs block; without one the
//               inputs are still rendered (the caller supplies the way to submit them).
//   Every TextBlock wraps. Blocks with nothing to show (empty text, no fields, ...) are skipped.
//   An error reply colours its first TextBlock "Attention".
// - Text is plain in a Reply and is put in as it is; strings must be valid UTF-8 (the core
//   guarantees it) and serialising replaces anything invalid instead of throwing.
// - The card's fallbackText is RenderPlainText (bot/text_render.h), at most 1000 bytes.
// - Teams refuses messages over about 28 KB, so a card whose JSON would exceed kMaxCardBytes
//   loses body elements from the end (never the first header) and ends with a TextBlock saying
//   it was shortened.
// - ParseSubmitData reads the activity `value` a Submit produces: Teams merges the action's data
//   with the card's inputs, so it holds kDataAction, kDataKr and the input ids of
//   bot/checkin_form.h.
//
// Thread-safety: pure functions, safe to call from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

#include "bot/reply.h"

namespace okrbot::teams {

// Keys of the data object every Action.Submit carries (Teams sends it back as the activity's
// `value`).
inline constexpr char kDataAction[] = "okrbot";  // the Button::action, or kActionCheckInSubmit
inline constexpr char kDataKr[] = "kr";          // the Button::value ("KR3")
inline constexpr char kActionCheckInSubmit[] = "checkin.submit";  // the form's Save button

// Serialised cards stay below this many bytes, leaving room under Teams' ~28 KB message limit
// for the activity around the card.
inline constexpr size_t kMaxCardBytes = 24000;

// What a card with inputs submits: a Save button with this data.
struct CardSubmit {
  std::string title = "Save";
  std::string action = kActionCheckInSubmit;
  std::string kr;  // put in data[kDataKr]
};

// The Adaptive Card ("$schema" http://adaptivecards.io/schemas/adaptive-card.json,
// "type": "AdaptiveCard", "version": "1.4").
nlohmann::json AdaptiveCard(const Reply& reply, const CardSubmit* submit = nullptr);

// A Bot Framework message activity carrying the card: {"type": "message", "summary":
// reply.Summary() (the notification text, at most 1000 bytes), "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": card}]}.
nlohmann::json MessageActivity(const Reply& reply, const CardSubmit* submit = nullptr);

// What came back from an Action.Submit (the activity's `value` object). Strings only; a missing
// or non-string field is "".
struct SubmitData {
  std::string action;                   // value[kDataAction]
  std::string kr;                       // value[kDataKr]
  std::string value, confidence, note;  // the inputs "value", "confidence", "note"
};

// False (and `out` untouched) when `value` is not an object or has no string kDataAction.
bool ParseSubmitData(const nlohmann::json& value, SubmitData* out);

}  // namespace okrbot::teams
