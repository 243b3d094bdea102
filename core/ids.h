// Short per-workspace references: objectives O1, key results KR1, initiatives I1.
//
// Accepted forms are case-insensitive with an optional dash: "O1", "o1", "o-1", "KR3", "kr-3",
// "Kr3", "I2", "i-2". Numbers are 1..999999999. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace okrbot {

enum class RefKind { kObjective, kKeyResult, kInitiative };

struct Ref {
  RefKind kind = RefKind::kObjective;
  int64_t number = 0;
};

bool ParseRef(const std::string& text, Ref* out);
std::string FormatRef(const Ref& ref);  // canonical "O1" / "KR3" / "I2"

}  // namespace okrbot
