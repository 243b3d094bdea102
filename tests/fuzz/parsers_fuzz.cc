// libFuzzer target: the small parsers every command and form field goes through — the command
// grammar (tokenizer included), metric text ("from 55 to 70"), numbers, ids, cycles, dates,
// confidence and ISO instants. Each must answer or refuse without crashing, and what it accepts
// must survive a round trip through its formatter where one exists.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bot/checkin_form.h"
#include "bot/command.h"
#include "bot/tokenizer.h"
#include "core/clock.h"
#include "core/cycle.h"
#include "core/ids.h"
#include "core/metric.h"
#include "core/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)okrbot::Tokenize(text);
  (void)okrbot::ParseCommand(text);
  (void)okrbot::ParseMetric(text);
  double number = 0;
  (void)okrbot::ParseNumber(text, &number);
  okrbot::Ref ref;
  if (okrbot::ParseRef(text, &ref)) {
    okrbot::Ref again;
    if (!okrbot::ParseRef(okrbot::FormatRef(ref), &again) || again.kind != ref.kind ||
        again.number != ref.number) {
      std::abort();  // a formatted id must read back as itself
    }
  }
  okrbot::Cycle cycle;
  if (okrbot::ParseCycle(text, &cycle)) {
    okrbot::Cycle again;
    if (!okrbot::ParseCycle(okrbot::FormatCycle(cycle), &again)) std::abort();
  }
  okrbot::Days day;
  (void)okrbot::ParseDate(text, &day);
  int confidence = 0;
  if (okrbot::ParseConfidence(text, &confidence) && (confidence < 0 || confidence > 100)) {
    std::abort();
  }
  okrbot::Seconds instant;
  (void)okrbot::ParseIsoInstant(text, &instant);
  return 0;
}
