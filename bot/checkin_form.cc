#include "bot/checkin_form.h"

#include <cctype>

#include "core/metric.h"
#include "core/text_util.h"

namespace okrbot {
namespace {}  // namespace

bool ParseConfidence(const std::string& text, int* out) {
  std::string t = AsciiLower(Trim(text));
  if (t == "high") {
    *out = 80;
    return true;
  }
  if (t == "medium" || t == "med") {
    *out = 50;
    return true;
  }
  if (t == "low") {
    *out = 20;
    return true;
  }
  if (!t.empty() && t.back() == '%') t.pop_back();
  if (t.empty() || t.size() > 3) return false;
  for (unsigned char c : t) {
    if (!std::isdigit(c)) return false;
  }
  int v = std::stoi(t);
  if (v > 100) return false;
  *out = v;
  return true;
}

std::vector<FieldError> ValidateCheckInInput(const CheckInInput& input, size_t max_note_bytes) {
  std::vector<FieldError> errors;
  std::string value = AsciiLower(Trim(input.value));
  double number;
  bool is_word = value == "done" || value == "not done" || value == "yes" || value == "no";
  if (value.empty()) {
    errors.push_back({kInputValue, "Enter the new value, e.g. 62, +5 or done."});
  } else if (!is_word && !ParseNumber(value, &number)) {
    errors.push_back({kInputValue, "\"" + input.value +
                                       "\" is not a number (e.g. 62, +5, -2) "
                                       "or done / not done."});
  }
  int confidence;
  if (!Trim(input.confidence).empty() && !ParseConfidence(input.confidence, &confidence)) {
    errors.push_back({kInputConfidence, "Confidence is 0–100, or high, medium or low."});
  }
  if (!IsValidUtf8(input.note) || HasControlCharacters(input.note)) {
    // Forms allow line breaks in the note; the bot stores notes on one line.
    bool only_newlines = IsValidUtf8(input.note);
    for (unsigned char c : input.note) {
      if (c < 0x20 && c != '\n' && c != '\r') only_newlines = false;
    }
    if (!only_newlines)
      errors.push_back({kInputNote, "The note contains characters I can't store."});
  }
  if (input.note.size() > max_note_bytes) {
    errors.push_back({kInputNote, "The note is too long (at most " +
                                      std::to_string(max_note_bytes) + " bytes)."});
  }
  return errors;
}

void AppendCheckInButtons(Reply* reply, const KeyResult& kr) {
  std::string ref = KeyResultRef(kr.number);
  reply->Actions({{"Update", kActionCheckInUpdate, ref, true},
                  {"No change", kActionCheckInNoChange, ref, false},
                  {"Snooze 1 week", kActionCheckInSnooze, ref, false}});
}

Reply CheckInForm(const KeyResult& kr) {
  Reply form;
  form.Header("Check in on " + KeyResultRef(kr.number));
  form.Text(kr.text);
  std::string now = kr.current ? FormatValue(*kr.current, kr.unit) : "no check-in yet";
  if (kr.direction == Direction::kBinary && kr.current)
    now = *kr.current >= 1 ? "done" : "not done";
  std::string target = kr.direction == Direction::kBinary ? "done"
                       : kr.target                        ? FormatValue(*kr.target, kr.unit)
                                                          : "not set";
  form.Fields({{"Now", now}, {"Target", target}});
  std::string initial;
  if (kr.current && kr.direction != Direction::kBinary) initial = FormatValue(*kr.current, "");
  form.Inputs(
      {{kInputValue, kr.direction == Direction::kBinary ? "Done? (done / not done)" : "New value",
        kr.direction == Direction::kBinary ? "done" : "e.g. 62 or +5", initial, false},
       {kInputConfidence, "Confidence (0–100, high, medium, low)", "high", "", false},
       {kInputNote, "Note (optional)", "What moved it?", "", true}});
  return form;
}

}  // namespace okrbot
