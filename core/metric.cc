#include "core/metric.h"
#include "core/text_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

namespace okrbot {
namespace {

// Nobody types a number longer than this; refusing early keeps every scan cheap on hostile input.
constexpr size_t kMaxNumberLength = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }

// Only ASCII is folded: the tables are English, and leaving other bytes alone keeps arbitrary
// (even invalid) UTF-8 intact instead of mangling it.
template <typename Table>
bool InTable(const Table& table, std::string_view word) {
  for (std::string_view entry : table) {
    if (entry == word) return true;
  }
  return false;
}

// "complaints" -> "complaint"; good enough to match the plural of a table word.
std::string_view Singular(std::string_view word) {
  if (word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's') {
    word.remove_suffix(1);
  }
  return word;
}

constexpr std::string_view kCurrencySymbols[] = {"$", "\xE2\x82\xAC" /* € */, "\xC2\xA3" /* £ */};

bool IsCurrency(std::string_view unit) { return InTable(kCurrencySymbols, unit); }

struct UnitAlias {
  std::string_view word;
  std::string_view unit;
};

// Words that name the unit of the number before them, mapped to the canonical unit string.
constexpr UnitAlias kUnitAliases[] = {
    {"%", "%"},
    {"percent", "%"},
    {"pct", "%"},
    {"ms", "ms"},
    {"msec", "ms"},
    {"millisecond", "ms"},
    {"milliseconds", "ms"},
    {"s", "s"},
    {"sec", "s"},
    {"secs", "s"},
    {"second", "s"},
    {"seconds", "s"},
    {"min", "min"},
    {"mins", "min"},
    {"minute", "min"},
    {"minutes", "min"},
    {"h", "h"},
    {"hr", "h"},
    {"hrs", "h"},
    {"hour", "h"},
    {"hours", "h"},
    {"d", "days"},
    {"day", "days"},
    {"days", "days"},
    {"wk", "weeks"},
    {"wks", "weeks"},
    {"week", "weeks"},
    {"weeks", "weeks"},
    {"pts", "pts"},
    {"point", "pts"},
    {"points", "pts"},
    {"pp", "pp"},
    {"usd", "$"},
    {"dollars", "$"},
    {"eur", "\xE2\x82\xAC"},
    {"euros", "\xE2\x82\xAC"},
    {"gbp", "\xC2\xA3"},
};

std::string_view UnitForWord(std::string_view word) {
  for (const UnitAlias& alias : kUnitAliases) {
    if (alias.word == word) return alias.unit;
  }
  return {};
}

constexpr std::string_view kTimeUnits[] = {"ms", "s", "min", "h", "days", "weeks"};

bool IsTimeUnit(std::string_view unit) { return InTable(kTimeUnits, unit); }

// What one token says about a number, before its neighbours are looked at.
struct NumberParts {
  double value = 0;
  std::string unit;            // "%", "$", "/5", "min", ... or ""
  bool explicit_plus = false;  // "+5": a change, not a level
  bool plain_integer = false;  // digits only (a year or a day of the month looks like this)
};

bool ConsumePrefix(std::string_view* text, std::string_view prefix) {
  if (text->substr(0, prefix.size()) != prefix) return false;
  text->remove_prefix(prefix.size());
  return true;
}

// Scans [sign][currency][sign]digits[,ddd...][.digits][k|m|b|bn|time unit][%|/denominator].
// The whole of `text` must be consumed: "5x5", "1.2.3" and "7-day" are not numbers.
bool ScanNumber(std::string_view text, NumberParts* out) {
  if (text.empty() || text.size() > kMaxNumberLength) return false;
  NumberParts parts;
  bool negative = false;
  bool has_sign = false;
  auto consume_sign = [&] {
    if (has_sign || text.empty() || (text[0] != '+' && text[0] != '-')) return;
    has_sign = true;
    negative = text[0] == '-';
    parts.explicit_plus = text[0] == '+';
    text.remove_prefix(1);
  };
  consume_sign();
  for (std::string_view symbol : kCurrencySymbols) {
    if (ConsumePrefix(&text, symbol)) {
      parts.unit = symbol;
      break;
    }
  }
  consume_sign();

  // Digits, with optional thousands separators that must group by exactly three.
  std::string digits;
  size_t i = 0;
  size_t group_length = 0;
  bool grouped = false;
  while (i < text.size()) {
    if (IsDigit(text[i])) {
      digits += text[i++];
      ++group_length;
    } else if (text[i] == ',' && !digits.empty() && i + 1 < text.size() && IsDigit(text[i + 1])) {
      if (grouped ? group_length != 3 : group_length > 3) return false;
      grouped = true;
      group_length = 0;
      ++i;
    } else {
      break;
    }
  }
  if (grouped && group_length != 3) return false;
  bool has_fraction = false;
  if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
    has_fraction = true;
    digits += text[i++];
    while (i < text.size() && IsDigit(text[i])) digits += text[i++];
  }
  if (digits.empty()) return false;
  text.remove_prefix(i);

  // A time unit glued to the number ("200ms", "2min") is checked before the magnitude suffixes
  // so that "ms" is not read as "million" followed by garbage.
  bool has_suffix = false;
  std::string lower_rest = AsciiLower(text);
  std::string_view glued_unit = UnitForWord(lower_rest);
  if (!text.empty() && IsAlpha(text[0]) && !glued_unit.empty() && parts.unit.empty()) {
    parts.unit = glued_unit;
    text = {};
    has_suffix = true;
  } else if (!text.empty()) {
    // Scaling through the exponent keeps "1.2m" exactly 1200000 (no 1.2 * 1e6 rounding).
    std::string_view exponent;
    if (lower_rest.starts_with("bn")) {
      exponent = "e9";
      text.remove_prefix(2);
    } else if (lower_rest[0] == 'b') {
      exponent = "e9";
      text.remove_prefix(1);
    } else if (lower_rest[0] == 'm') {
      exponent = "e6";
      text.remove_prefix(1);
    } else if (lower_rest[0] == 'k') {
      exponent = "e3";
      text.remove_prefix(1);
    }
    if (!exponent.empty()) {
      if (!text.empty() && IsAlnum(text[0])) return false;
      digits += exponent;
      has_suffix = true;
    }
  }

  double value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
    return false;
  }

  if (!text.empty() && text[0] == '%') {
    if (!parts.unit.empty()) return false;
    parts.unit = "%";
    text.remove_prefix(1);
  } else if (!text.empty() && text[0] == '/') {
    // "4.5/5" is a rating out of 5; "24/7" (more than the whole) and "1/2/2026" are not.
    std::string_view denominator = text.substr(1);
    if (denominator.empty() || !parts.unit.empty() || has_sign || has_suffix) return false;
    double whole = 0;
    auto [denominator_end, denominator_error] =
        std::from_chars(denominator.data(), denominator.data() + denominator.size(), whole,
                        std::chars_format::fixed);
    if (denominator_error != std::errc() ||
        denominator_end != denominator.data() + denominator.size() || !IsDigit(denominator[0]) ||
        !(whole > 0) || value > whole) {
      return false;
    }
    parts.unit = "/" + std::string(denominator);
    text = {};
  }
  if (!text.empty()) return false;

  parts.value = negative ? -value : value;
  parts.plain_integer = !has_sign && !grouped && !has_fraction && !has_suffix && parts.unit.empty();
  *out = std::move(parts);
  return true;
}

// ---------------------------------------------------------------------------------------------
// ParseMetric: the text is split into tokens; each number then takes a role from the words just
// before it ("from", "to", "by", "under", ...), and the roles decide baseline, target, relative
// change and direction.

enum class Role { kNone, kFrom, kTo, kRelative, kAtMost, kAtLeast };

struct Token {
  std::string word;  // lowercase, edge punctuation removed
  bool is_number = false;
  NumberParts number;
  Role role = Role::kNone;
  Role threshold = Role::kNone;  // kAtMost / kAtLeast when a comparison precedes the number
};

// Bytes at or below space, and DEL, separate tokens; that covers tabs, newlines and the other
// control characters a pasted text may carry.
bool IsSeparator(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }

bool StartsWithCurrency(std::string_view piece) {
  for (std::string_view symbol : kCurrencySymbols) {
    if (piece.starts_with(symbol)) return true;
  }
  return false;
}

// Removes quotes, brackets, emoji and sentence punctuation around a token, keeping what can start
// a number ("-2", "+5", ".5", "$3", "€3") and "#" (so that "#1" stays recognisable as a rank).
std::string_view StripEdges(std::string_view piece) {
  while (!piece.empty() && !StartsWithCurrency(piece)) {
    char c = piece.front();
    bool starts_number = (c == '+' || c == '-' || c == '.') && piece.size() > 1 &&
                         (IsDigit(piece[1]) || piece[1] == '$');
    if (IsAlnum(c) || c == '#' || starts_number) break;
    piece.remove_prefix(1);
  }
  while (!piece.empty() && !IsAlnum(piece.back()) && piece.back() != '%') piece.remove_suffix(1);
  return piece;
}

constexpr std::string_view kComparisonWords[] = {
    "<",  "<=", "\xE2\x89\xA4" /* ≤ */, ">", ">=", "\xE2\x89\xA5" /* ≥ */,
    "->", "=>", "\xE2\x86\x92" /* → */, "="};

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSeparator(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSeparator(text[i])) ++i;
    std::string_view piece = text.substr(start, i - start);
    if (piece.empty()) continue;
    Token token;
    if (InTable(kComparisonWords, piece) || piece == "%") {
      token.word = std::string(piece);
      tokens.push_back(std::move(token));
      continue;
    }
    // "<200ms" / ">99%": the comparison is glued to the number.
    if (piece.starts_with("<=") || piece.starts_with("\xE2\x89\xA4")) {
      token.threshold = Role::kAtMost;
    } else if (piece.starts_with(">=") || piece.starts_with("\xE2\x89\xA5")) {
      token.threshold = Role::kAtLeast;
    } else if (piece.starts_with("<")) {
      token.threshold = Role::kAtMost;
    } else if (piece.starts_with(">")) {
      token.threshold = Role::kAtLeast;
    }
    piece = StripEdges(piece);
    if (piece.empty()) continue;
    token.word = AsciiLower(piece);
    token.is_number = piece.front() != '#' && ScanNumber(piece, &token.number);
    if (!token.is_number && token.word.size() > 1 && token.word.back() == 'x') {
      // "3x" is a growth multiple: a relative change of +200%.
      NumberParts multiple;
      if (ScanNumber(piece.substr(0, piece.size() - 1), &multiple) && multiple.unit.empty() &&
          multiple.value > 1) {
        token.is_number = true;
        token.number.value = (multiple.value - 1) * 100;
        token.number.unit = "%";
        token.number.explicit_plus = true;
      }
    }
    if (!token.is_number) token.threshold = Role::kNone;
    tokens.push_back(std::move(token));
  }
  return tokens;
}

constexpr std::string_view kMonths[] = {
    "january",   "february", "march",    "april",    "may",  "june", "july", "august",
    "september", "october",  "november", "december", "jan",  "feb",  "mar",  "apr",
    "jun",       "jul",      "aug",      "sep",      "sept", "oct",  "nov",  "dec"};
constexpr std::string_view kPeriods[] = {"q1", "q2", "q3", "q4", "h1", "h2", "fy", "cy"};
// Words after which a bare 1900..2100 is a year ("by 2026", "in 2026", "until 2027").
constexpr std::string_view kYearPrepositions[] = {
    "by",      "in",         "since", "until", "till",  "before", "after", "during",
    "through", "throughout", "end",   "eoy",   "early", "late",   "mid",   "year",
    "fy",      "cy",         "q1",    "q2",    "q3",    "q4",     "h1",    "h2"};
constexpr std::string_view kYearBoundaries[] = {"end", "start", "beginning", "middle", "rest"};

// "7 day", "12 month": a count with a singular time word is an adjective inside a metric's name.
constexpr std::string_view kNameSingulars[] = {"second", "minute", "hour", "day",
                                               "week",   "month",  "year"};

const std::string& WordAt(const std::vector<Token>& tokens, size_t index) {
  static const std::string* const kEmpty = new std::string();
  return index < tokens.size() ? tokens[index].word : *kEmpty;
}

// Folds "million", "%", "minutes", "out of 5" after a number into it, and drops numbers that are
// years or days of a month: those are deadlines, not metrics.
void AttachUnitsAndDropDates(std::vector<Token>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token& token = tokens[i];
    if (!token.is_number) continue;
    size_t next = i + 1;
    const std::string& after = WordAt(tokens, next);
    double scale = after == "thousand"                                       ? 1e3
                   : (after == "million" || after == "mn" || after == "mio") ? 1e6
                   : (after == "billion" || after == "bn")                   ? 1e9
                                                                             : 0;
    if (scale != 0 && !(token.number.unit.starts_with("/") || token.number.unit == "%")) {
      token.number.value *= scale;
      token.number.plain_integer = false;
      ++next;
    }
    if (token.number.plain_integer && token.number.value != 1 &&
        InTable(kNameSingulars, WordAt(tokens, next))) {
      token.is_number = false;  // "7 day average" names the metric, like "7-day average"
      continue;
    }
    if (token.number.unit.empty() && next < tokens.size()) {
      const std::string& unit_word = tokens[next].word;
      if (unit_word == "out" && WordAt(tokens, next + 1) == "of" && next + 2 < tokens.size() &&
          tokens[next + 2].is_number && tokens[next + 2].number.unit.empty() &&
          tokens[next + 2].number.value >= token.number.value) {
        token.number.unit = "/" + tokens[next + 2].word;
        tokens[next + 2].is_number = false;  // the 5 of "out of 5" is part of this number
      } else if (unit_word == "per" && WordAt(tokens, next + 1) == "cent") {
        token.number.unit = "%";
      } else if (!tokens[next].is_number) {
        token.number.unit = UnitForWord(unit_word);
      }
      if (!token.number.unit.empty()) token.number.plain_integer = false;
    }
    if (!token.number.plain_integer) continue;
    double value = token.number.value;
    const std::string& before = i > 0 ? tokens[i - 1].word : WordAt(tokens, tokens.size());
    bool next_to_month_or_period = InTable(kMonths, before) || InTable(kPeriods, before) ||
                                   InTable(kMonths, after) || InTable(kPeriods, after);
    bool is_year = value >= 1900 && value <= 2100 &&
                   (next_to_month_or_period || InTable(kYearPrepositions, before) ||
                    (before == "of" && i >= 2 && InTable(kYearBoundaries, tokens[i - 2].word)));
    bool is_day_of_month =
        value >= 1 && value <= 31 && (InTable(kMonths, before) || InTable(kMonths, after));
    if (is_year || is_day_of_month) token.is_number = false;
  }
}

// Words skipped when looking for the word that gives a number its role: "from avg. 2 minutes",
// "to an average of 1".
constexpr std::string_view kFillerWords[] = {
    "a",      "an",      "the",           "avg", "average", "about",     "around",
    "approx", "roughly", "approximately", "~",   "current", "currently", "only",
    "just",   "our",     "their",         "its", "of",      "nearly",    "almost"};
constexpr std::string_view kTargetWords[] = {
    "to",        "reach",  "reaching", "reached", "hit", "hitting", "achieve",
    "achieving", "attain", "target",   "=",       "->",  "=>",      "\xE2\x86\x92"};
constexpr std::string_view kArrows[] = {"->", "=>", "\xE2\x86\x92"};
constexpr std::string_view kAtMostWords[] = {"under",   "below", "beneath", "within",      "max",
                                             "maximum", "<",     "<=",      "\xE2\x89\xA4"};
constexpr std::string_view kAtLeastWords[] = {"over",      "above",  "exceed",      "exceeds",
                                              "exceeding", "beyond", "min",         "minimum",
                                              ">",         ">=",     "\xE2\x89\xA5"};
constexpr std::string_view kSmallerWords[] = {"less", "fewer", "lower", "shorter"};
constexpr std::string_view kBiggerWords[] = {"more", "greater", "higher", "longer"};
// "sign up 500 users" is not "up 500".
constexpr std::string_view kPhrasalUpVerbs[] = {"sign",  "set",  "pick",  "follow", "back",
                                                "start", "spin", "stand", "scale",  "ramp"};

// The nearest words before token `index` (nearest first), fillers skipped; stops at a number.
std::vector<std::string_view> WordsBefore(const std::vector<Token>& tokens, size_t index) {
  constexpr size_t kWanted = 3;
  constexpr size_t kMaxFillers = 3;
  std::vector<std::string_view> words;
  size_t fillers = 0;
  for (size_t j = index; j > 0 && words.size() < kWanted;) {
    --j;
    if (tokens[j].is_number) break;
    if (words.empty() && fillers < kMaxFillers && InTable(kFillerWords, tokens[j].word)) {
      ++fillers;
      continue;
    }
    words.push_back(tokens[j].word);
  }
  return words;
}

// Which comparison, if any, `words` (nearest first) end with, and how many words it used.
Role ComparisonBefore(const std::vector<std::string_view>& words, size_t* used) {
  auto at = [&](size_t k) { return k < words.size() ? words[k] : std::string_view(); };
  *used = 1;
  if (InTable(kAtMostWords, at(0))) return Role::kAtMost;
  if (InTable(kAtLeastWords, at(0))) return Role::kAtLeast;
  *used = 2;
  if (at(0) == "most" && at(1) == "at") return Role::kAtMost;
  if (at(0) == "least" && at(1) == "at") return Role::kAtLeast;
  if (at(0) == "than") {
    bool negated = at(2) == "no";
    *used = negated ? 3 : 2;
    if (InTable(kSmallerWords, at(1))) return negated ? Role::kAtLeast : Role::kAtMost;
    if (InTable(kBiggerWords, at(1))) return negated ? Role::kAtMost : Role::kAtLeast;
  }
  *used = 0;
  return Role::kNone;
}

void AssignRoles(std::vector<Token>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token& token = tokens[i];
    if (!token.is_number) continue;
    std::vector<std::string_view> words = WordsBefore(tokens, i);
    std::string_view nearest = words.empty() ? std::string_view() : words[0];
    size_t used = 0;
    Role comparison = ComparisonBefore(words, &used);
    if (comparison != Role::kNone) token.threshold = comparison;
    if (nearest == "from") {
      token.role = Role::kFrom;
    } else if (InTable(kTargetWords, nearest)) {
      token.role = Role::kTo;
      // "55 -> 70": the number before the arrow is where it starts.
      if (InTable(kArrows, nearest) && i >= 2 && tokens[i - 1].word == nearest &&
          tokens[i - 2].is_number && tokens[i - 2].role == Role::kNone) {
        tokens[i - 2].role = Role::kFrom;
      }
    } else if (nearest == "by") {
      token.role = Role::kRelative;
    } else if ((nearest == "up" || nearest == "down") &&
               !(words.size() > 1 && InTable(kPhrasalUpVerbs, words[1]))) {
      token.role = Role::kRelative;
    } else if (comparison != Role::kNone) {
      // "to under 2 hours" is a target that also says which side of it is good.
      bool is_target = used < words.size() && InTable(kTargetWords, words[used]);
      token.role = is_target ? Role::kTo : comparison;
    } else if (token.number.explicit_plus) {
      token.role = Role::kRelative;
    } else if (token.threshold != Role::kNone) {
      token.role = token.threshold;
    }
  }
}

enum class Verb { kNone, kUp, kDown, kMaintain, kNeutral };

constexpr std::string_view kUpVerbs[] = {
    "increase", "grow",     "raise",   "boost",   "expand", "double", "triple",
    "gain",     "reach",    "achieve", "hit",     "up",     "higher", "accelerate",
    "maximise", "maximize", "exceed",  "acquire", "win",    "add",    "attain"};
constexpr std::string_view kDownVerbs[] = {
    "reduce",   "decrease", "cut",  "lower",   "lessen",    "shrink", "drop", "minimise",
    "minimize", "fewer",    "down", "decline", "eliminate", "halve",  "trim", "slash"};
constexpr std::string_view kMaintainVerbs[] = {"maintain", "keep",    "stay",
                                               "remain",   "sustain", "preserve"};
// Verbs that say "better" without saying which way better is.
constexpr std::string_view kNeutralVerbs[] = {"improve", "optimise", "optimize", "better",
                                              "enhance"};
// Metrics where a smaller number is the good news.
constexpr std::string_view kLowerIsBetterWords[] = {
    "time",         "latency", "churn",    "complaint", "cost",     "error",      "bug",
    "defect",       "ticket",  "incident", "outage",    "downtime", "attrition",  "turnover",
    "delay",        "backlog", "spend",    "spending",  "expense",  "escalation", "refund",
    "cancellation", "mttr",    "bounce",   "wait",      "waiting",  "duration",   "cac"};

// "increase" also matches "increases", "increased", "increasing".
bool IsFormOf(std::string_view word, std::string_view base) {
  if (word.starts_with(base)) {
    std::string_view ending = word.substr(base.size());
    return ending.empty() || ending == "s" || ending == "es" || ending == "ed" || ending == "ing" ||
           (base.ends_with('e') && ending == "d");
  }
  // "reduce" -> "reducing"
  return base.ends_with('e') && word.size() == base.size() + 2 && word.ends_with("ing") &&
         word.starts_with(base.substr(0, base.size() - 1));
}

template <typename Table>
bool IsFormOfAny(const Table& table, std::string_view word) {
  for (std::string_view base : table) {
    if (IsFormOf(word, base)) return true;
  }
  return false;
}

Verb FirstVerb(const std::vector<Token>& tokens) {
  for (const Token& token : tokens) {
    if (token.is_number || token.word.empty()) continue;
    if (IsFormOfAny(kUpVerbs, token.word)) return Verb::kUp;
    if (IsFormOfAny(kDownVerbs, token.word)) return Verb::kDown;
    if (IsFormOfAny(kMaintainVerbs, token.word)) return Verb::kMaintain;
    if (IsFormOfAny(kNeutralVerbs, token.word)) return Verb::kNeutral;
  }
  return Verb::kNone;
}

bool MentionsLowerIsBetter(const std::vector<Token>& tokens) {
  for (const Token& token : tokens) {
    if (!token.is_number && InTable(kLowerIsBetterWords, Singular(token.word))) return true;
  }
  return false;
}

// A number of minutes is always better smaller; "reply time" only when the verb does not say
// which way to go ("improve", "maintain") — "Resolve 90% of tickets" must not become a decrease.
bool LowerIsBetter(const std::string& unit, Verb verb, const std::vector<Token>& tokens) {
  if (IsTimeUnit(unit)) return true;
  return (verb == Verb::kNeutral || verb == Verb::kMaintain) && MentionsLowerIsBetter(tokens);
}

// Direction of a change ("by 20%", "from 2 minutes"): only up or down make sense.
Direction ChangeDirection(Verb verb, bool lower_is_better) {
  if (verb == Verb::kUp) return Direction::kIncrease;
  if (verb == Verb::kDown) return Direction::kDecrease;
  return lower_is_better ? Direction::kDecrease : Direction::kIncrease;
}

// Direction of a single level ("to 40%", "under 200 ms", "rating of 4.5/5").
Direction LevelDirection(Verb verb, Role threshold, bool lower_is_better) {
  if (verb == Verb::kUp || verb == Verb::kDown || verb == Verb::kNeutral) {
    return ChangeDirection(verb, lower_is_better);
  }
  if (threshold == Role::kAtMost) return Direction::kMaintainAtMost;
  if (threshold == Role::kAtLeast) return Direction::kMaintainAtLeast;
  if (verb == Verb::kMaintain) {
    return lower_is_better ? Direction::kMaintainAtMost : Direction::kMaintainAtLeast;
  }
  return lower_is_better ? Direction::kDecrease : Direction::kIncrease;
}

// The percent change named by "double", "triple" or "halve" when that is the first direction word.
std::optional<double> MultiplierVerbChange(const std::vector<Token>& tokens) {
  for (const Token& token : tokens) {
    if (token.word.empty()) continue;
    if (IsFormOf(token.word, "double")) return 100;
    if (IsFormOf(token.word, "triple")) return 200;
    if (IsFormOf(token.word, "halve")) return -50;
    if (IsFormOfAny(kUpVerbs, token.word) || IsFormOfAny(kDownVerbs, token.word) ||
        IsFormOfAny(kMaintainVerbs, token.word) || IsFormOfAny(kNeutralVerbs, token.word)) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

const Token* FirstWithRole(const std::vector<Token>& tokens, Role role) {
  for (const Token& token : tokens) {
    if (token.is_number && token.role == role) return &token;
  }
  return nullptr;
}

const Token* FirstNumber(const std::vector<Token>& tokens) {
  for (const Token& token : tokens) {
    if (token.is_number) return &token;
  }
  return nullptr;
}

// Trims a number for display: at most two decimals (more for tiny values so they do not show as
// 0), no trailing zeros, thousands grouped with commas.
std::string FormatNumber(double value) {
  if (value == 0) return "0";
  // Enough for the integer digits of the largest double plus the decimals.
  char buffer[512];
  int precision = std::fabs(value) < 0.01 ? 6 : 2;
  auto [end, error] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed, precision);
  if (error != std::errc()) return "?";
  std::string text(buffer, end);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  bool negative = text.front() == '-';
  if (negative) text.erase(0, 1);
  if (text == "0") return "0";
  size_t integer_end = std::min(text.find('.'), text.size());
  std::string grouped;
  for (size_t i = 0; i < integer_end; ++i) {
    if (i > 0 && (integer_end - i) % 3 == 0) grouped += ',';
    grouped += text[i];
  }
  grouped += text.substr(integer_end);
  return negative ? "-" + grouped : grouped;
}

}  // namespace

bool ParseNumber(const std::string& text, double* out) {
  if (text.size() > kMaxNumberLength) return false;
  std::string_view trimmed = text;
  while (!trimmed.empty() && IsSeparator(trimmed.front())) trimmed.remove_prefix(1);
  while (!trimmed.empty() && IsSeparator(trimmed.back())) trimmed.remove_suffix(1);
  NumberParts parts;
  if (!ScanNumber(trimmed, &parts)) return false;
  *out = parts.value;
  return true;
}

ParsedMetric ParseMetric(const std::string& text) {
  std::vector<Token> tokens = Tokenize(text);
  AttachUnitsAndDropDates(tokens);
  AssignRoles(tokens);

  ParsedMetric metric;
  const Token* first = FirstNumber(tokens);
  if (first == nullptr) {
    // "Double the number of paying customers" is measurable even without a digit.
    if (std::optional<double> change = MultiplierVerbChange(tokens)) {
      metric.has_number = true;
      metric.relative_change = std::fabs(*change);
      metric.relative_is_percent = true;
      metric.direction = *change < 0 ? Direction::kDecrease : Direction::kIncrease;
      return metric;
    }
    metric.direction = Direction::kBinary;
    return metric;
  }
  metric.has_number = true;
  Verb verb = FirstVerb(tokens);
  const Token* from = FirstWithRole(tokens, Role::kFrom);
  const Token* to = FirstWithRole(tokens, Role::kTo);
  const Token* relative = FirstWithRole(tokens, Role::kRelative);

  if (from != nullptr && to != nullptr) {
    metric.baseline = from->number.value;
    metric.target = to->number.value;
    metric.unit = to->number.unit.empty() ? from->number.unit : to->number.unit;
    if (relative != nullptr) {
      metric.relative_change = std::fabs(relative->number.value);
      metric.relative_is_percent = relative->number.unit == "%";
    }
    bool lower_is_better = LowerIsBetter(metric.unit, verb, tokens);
    if (*metric.target > *metric.baseline) {
      metric.direction = Direction::kIncrease;
    } else if (*metric.target < *metric.baseline) {
      metric.direction = Direction::kDecrease;
    } else {
      metric.direction = lower_is_better ? Direction::kMaintainAtMost : Direction::kMaintainAtLeast;
    }
    return metric;
  }

  if (relative != nullptr) {
    double change = relative->number.value;
    metric.relative_change = std::fabs(change);
    metric.relative_is_percent = relative->number.unit == "%";
    if (from != nullptr) {
      metric.unit = from->number.unit;
    } else if (to != nullptr) {
      metric.unit = to->number.unit;
    } else if (!metric.relative_is_percent) {
      metric.unit = relative->number.unit;  // "up 50 points": the change is in the metric's unit
    }
    metric.direction = change < 0 ? Direction::kDecrease
                                  : ChangeDirection(verb, LowerIsBetter(metric.unit, verb, tokens));
    if (to != nullptr) {
      metric.target = to->number.value;
    } else if (from != nullptr) {
      double base = from->number.value;
      double step = metric.relative_is_percent ? base * *metric.relative_change / 100
                                               : *metric.relative_change;
      metric.baseline = base;
      metric.target = metric.direction == Direction::kDecrease ? base - step : base + step;
    }
    return metric;
  }

  if (to == nullptr && from != nullptr) {
    // Only a starting point ("from 2 minutes"): the target is missing, which the review flags.
    metric.baseline = from->number.value;
    metric.unit = from->number.unit;
    bool lower_is_better = LowerIsBetter(metric.unit, verb, tokens);
    metric.direction = verb == Verb::kMaintain ? LevelDirection(verb, Role::kNone, lower_is_better)
                                               : ChangeDirection(verb, lower_is_better);
    return metric;
  }

  // A single level: the explicit target if there is one, else the first number. A comparison only
  // counts when it is attached to that number: in "Schedule 95% of calls within 5 days" the
  // metric is the 95%, not the deadline.
  const Token* level = to != nullptr ? to : first;
  metric.target = level->number.value;
  metric.unit = level->number.unit;
  metric.direction =
      LevelDirection(verb, level->threshold, LowerIsBetter(metric.unit, verb, tokens));
  return metric;
}

std::string FormatValue(double value, const std::string& unit) {
  if (!std::isfinite(value)) return "n/a";
  if (IsCurrency(unit)) {
    std::string sign = value < 0 ? "-" : "";
    double amount = std::fabs(value);
    // Thresholds sit just below the round numbers so that 999,999,999 shows as $1B, not $1,000M.
    if (amount >= 999.995e6) return sign + unit + FormatNumber(amount / 1e9) + "B";
    if (amount >= 1e6) return sign + unit + FormatNumber(amount / 1e6) + "M";
    return sign + unit + FormatNumber(amount);
  }
  std::string number = FormatNumber(value);
  if (unit.empty()) return number;
  if (unit == "%" || unit.front() == '/') return number + unit;
  return number + " " + unit;
}

}  // namespace okrbot
