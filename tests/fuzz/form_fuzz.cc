// libFuzzer target: application/x-www-form-urlencoded bodies (Slack commands and interactions,
// Mattermost commands). Decoding must refuse or succeed without crashing, and what it decodes
// must come back unchanged through FormEncode and ParseForm (the contract in form.h).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/common/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto form = okrbot::ParseForm(body);
  if (!form.ok()) return 0;
  std::vector<std::pair<std::string, std::string>> fields(form->begin(), form->end());
  auto again = okrbot::ParseForm(okrbot::FormEncode(fields));
  if (!again.ok() || *again != *form) std::abort();
  return 0;
}
