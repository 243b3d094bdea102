// Check-ins: `update` from a command, and the check-in a form or button records.
// Session methods behind Bot (bot/session.h); thread-compatible like the Session.

#include <cmath>

#include "bot/checkin_form.h"
#include "bot/session.h"
#include "core/metric.h"
#include "core/scoring.h"
#include "core/text_util.h"

namespace okrbot::bot_internal {

Reply Session::Update() {
  CheckInInput input;
  input.kr = cmd_.args[0].text;
  input.value = cmd_.args[1].text;
  std::vector<Token> tail = cmd_.tail;
  if (AsciiLower(input.value) == "not" && !tail.empty() &&
      AsciiLower(tail.front().text) == "done") {
    tail.erase(tail.begin());
    input.value = "not done";
  }
  input.confidence = cmd_.get("confidence");
  if (cmd_.has("confidence") && input.confidence.empty()) input.confidence = " ";
  input.note = Join(tail);
  return RecordCheckIn(input);
}

Reply Session::RecordCheckIn(const CheckInInput& input) {
  Ref ref;
  if (!ParseRef(input.kr, &ref) || ref.kind != RefKind::kKeyResult) {
    return Error("`" + input.kr + "` is not a key result id like KR1.");
  }
  auto kr = LoadKeyResult(ref.number);
  if (!kr.ok()) return NotFound(ref);
  if (kr->archived) return Error(KeyResultRef(kr->number) + " is archived; it takes no check-ins.");
  auto objective = LoadObjective(kr->objective);
  if (!objective.ok()) return Failure(objective.status());
  if (!MayChangeKr(*kr, *objective)) {
    return Error("Only " + UserLabel(kr->owner) +
                 " (the owner), the objective's owner or an "
                 "admin can update " +
                 KeyResultRef(kr->number) + ".");
  }
  std::string typed = Trim(input.value);
  std::string raw = AsciiLower(typed);
  double value = 0;
  if (input.exact_value) {
    value = *input.exact_value;
  } else if (raw == "done" || raw == "not done" || raw == "yes" || raw == "no") {
    if (kr->direction != Direction::kBinary) {
      return Error(KeyResultRef(kr->number) + " is measured by a number (" + MetricText(*kr) +
                   "): give a value like 62 or +5.");
    }
    value = (raw == "done" || raw == "yes") ? 1 : 0;
  } else {
    if (!ParseNumber(typed, &value)) {
      return Error("`" + typed +
                   "` is not a value: give a number like 62, a change "
                   "like +5 or -2, or done / not done for a yes/no key result.");
    }
    bool relative = typed[0] == '+' || typed[0] == '-';
    if (relative) {
      // "-2" means "two less" only as a change; an absolute negative value is rare in OKRs.
      double sign = typed[0] == '-' ? -1 : 1;
      value = kr->current.value_or(kr->baseline.value_or(0)) + sign * std::fabs(value);
    }
    if (kr->direction == Direction::kBinary && value != 0 && value != 1) {
      return Error(KeyResultRef(kr->number) + " is a yes/no key result: answer done or not done.");
    }
  }
  CheckIn c;
  c.workspace_id = ws_.id;
  c.kr = kr->number;
  c.value = value;
  c.author = actor_.user_id;
  c.at = now_;
  if (!input.confidence.empty()) {
    int confidence;
    if (!ParseConfidence(input.confidence, &confidence)) {
      return Error("`confidence:` is 0–100, or high, medium or low.");
    }
    c.confidence = confidence;
  }
  // Forms allow line breaks; a check-in note is one line.
  c.note = input.note;
  for (char& ch : c.note) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  c.note = Trim(c.note);
  if (Status s = CheckText("The note", c.note, limits_.max_note_bytes, true); !s.ok()) {
    return Error(s.message());
  }
  std::optional<double> previous = kr->current;
  c.request_id = actor_.request_id;
  auto recorded = store_->RecordCheckIn(c);
  if (!recorded.ok() && recorded.status().code() == StatusCode::kAlreadyExists &&
      !c.request_id.empty()) {
    Reply repeat = Error(kAlreadyReceived);
    repeat.repeated = true;
    return repeat;
  }
  if (!recorded.ok()) return Failure(recorded.status());
  if (on_checkin_) on_checkin_();
  KeyResult after = *kr;
  after.current = value;
  double progress = KeyResultProgress(after);
  Reply r = Ok();
  r.Header(KeyResultRef(kr->number) + " updated: " + CurrentText(after));
  r.Text(kr->text);
  r.Progress("Progress", progress);
  std::string delta = "first check-in";
  if (previous) {
    double d = value - *previous;
    delta = (d >= 0 ? "+" : "−") + FormatValue(std::fabs(d), kr->unit) + " since last check-in";
  }
  r.Fields({{"Score", ScoreText(progress)},
            {"Change", delta},
            {"Status", PaceStatusName(ComputePace(progress, Elapsed(*objective), objective->type))},
            {"Confidence", ConfidenceText(c.confidence)}});
  if (!c.note.empty()) r.Context("Note: " + c.note);
  return r;
}

}  // namespace okrbot::bot_internal
