// The quality review (SPEC §1): explains and warns about how OKRs are written; never blocks.
//
// Contract: ReviewKeyResult / ReviewObjective are pure functions of their inputs and the rule
// tables (ReviewRules, data that is easy to extend). Each finding has a stable rule id, a
// severity, a message a person understands, and a suggested rewrite or next step. A good KR
// ("Increase our CSAT from 82% to 90%") yields no finding. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "bot/vocabulary.h"
#include "core/model.h"

namespace okrbot {

enum class Severity { kInfo, kWarning };
const char* SeverityName(Severity s);  // "info", "warning"

struct Finding {
  std::string rule;  // "binary", "activity", "no-baseline", "no-target", "too-many-krs",
                     // "no-owner", "not-measuring-objective"
  Severity severity = Severity::kWarning;
  std::string subject;  // "KR3" or "O1"
  std::string message;
  std::string suggestion;
};

// The data the rules use. Default() holds the built-in English tables.
struct ReviewRules {
  std::vector<std::string> activity_verbs;  // "schedule", "undertake", "conduct", ...
  std::vector<std::string> binary_words;    // "launch", "deliver", "release", "good", ...
  std::vector<std::string> stop_words;      // ignored when matching objective terms
  int max_krs_per_objective = 5;
  static const ReviewRules& Default();
};

// Findings about one KR on its own (binary, activity, no-baseline, no-target, no-owner).
// A KR whose owner answered `keep` (quality_kept) still gets findings; callers decide whether
// to nudge.
std::vector<Finding> ReviewKeyResult(const KeyResult& kr,
                                     const ReviewRules& rules = ReviewRules::Default());

// Findings about an objective and its (non-archived) KRs: too-many-krs, no-owner,
// not-measuring-objective (asked as a question, severity info), plus every KR's findings.
// not-measuring-objective is asked only when the objective's words name a theme of
// `vocabulary` (at least half of its meaningful words are the vocabulary's) and no KR shares a
// word or a theme with it; it names the theme and suggests that theme's example KR. A
// workspace's own terms are passed as a copy of Vocabulary::Default() with Add() applied.
std::vector<Finding> ReviewObjective(const Objective& objective, const std::vector<KeyResult>& krs,
                                     const ReviewRules& rules = ReviewRules::Default(),
                                     const Vocabulary& vocabulary = Vocabulary::Default());

}  // namespace okrbot
