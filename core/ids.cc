#include "core/ids.h"

#include <cctype>

#include "core/model.h"

namespace okrbot {

bool ParseRef(const std::string& text, Ref* out) {
  std::string lower;
  for (unsigned char c : text) lower.push_back(static_cast<char>(std::tolower(c)));
  size_t prefix = 0;
  RefKind kind;
  if (lower.rfind("kr", 0) == 0) {
    kind = RefKind::kKeyResult;
    prefix = 2;
  } else if (lower.rfind("o", 0) == 0) {
    kind = RefKind::kObjective;
    prefix = 1;
  } else if (lower.rfind("i", 0) == 0) {
    kind = RefKind::kInitiative;
    prefix = 1;
  } else {
    return false;
  }
  if (prefix < lower.size() && lower[prefix] == '-') ++prefix;
  std::string digits = lower.substr(prefix);
  if (digits.empty() || digits.size() > 9 || digits[0] == '0') return false;
  for (unsigned char c : digits) {
    if (!std::isdigit(c)) return false;
  }
  *out = Ref{kind, std::stoll(digits)};
  return true;
}

std::string FormatRef(const Ref& ref) {
  switch (ref.kind) {
    case RefKind::kObjective:
      return ObjectiveRef(ref.number);
    case RefKind::kKeyResult:
      return KeyResultRef(ref.number);
    case RefKind::kInitiative:
      return InitiativeRef(ref.number);
  }
  return "";
}

}  // namespace okrbot
