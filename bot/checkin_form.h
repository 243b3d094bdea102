// The check-in controls and form, shared by every adapter (Slack modal, Teams Adaptive Card,
// console): what a check-in asks for, how its inputs are checked, and the ids adapters route
// button presses and submissions by.
//
// Contract: ValidateCheckInInput checks only the shape of what a person typed (a number or
// done/not done, a confidence, a note length) so a form can show errors next to each input;
// Bot::SubmitCheckIn re-checks everything against the KR and stores nothing on any error.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/reply.h"
#include "core/model.h"

namespace okrbot {

// Button actions; the button value is the KR reference ("KR3").
inline constexpr char kActionCheckInUpdate[] = "checkin.update";      // open the form
inline constexpr char kActionCheckInNoChange[] = "checkin.nochange";  // same value again
inline constexpr char kActionCheckInSnooze[] = "checkin.snooze";      // snooze one week

// Form input ids.
inline constexpr char kInputValue[] = "value";
inline constexpr char kInputConfidence[] = "confidence";
inline constexpr char kInputNote[] = "note";

struct CheckInInput {
  std::string kr;          // "KR3"
  std::string value;       // "62", "+5", "-2", "done", "not done"
  std::string confidence;  // "" = not given; 0-100, high, medium, low
  std::string note;        // free text, stored as typed
  // Set by buttons such as "No change": the exact value to record (`value` is then ignored),
  // so nothing is lost to display rounding.
  std::optional<double> exact_value;
};

struct FieldError {
  std::string field;  // kInputValue, kInputConfidence or kInputNote
  std::string message;
};

// "high" -> 80, "medium" -> 50, "low" -> 20, "0".."100" (optionally with %).
bool ParseConfidence(const std::string& text, int* out);

std::vector<FieldError> ValidateCheckInInput(const CheckInInput& input, size_t max_note_bytes);

// Adds the Update / No change / Snooze 1 week buttons for `kr`.
void AppendCheckInButtons(Reply* reply, const KeyResult& kr);

// The form: the KR, its current value and target, and inputs for value, confidence and note
// (the value prefilled with the current value).
Reply CheckInForm(const KeyResult& kr);

}  // namespace okrbot
