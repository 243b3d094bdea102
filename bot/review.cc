#include "bot/review.h"
#include "core/text_util.h"

#include <cstddef>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "core/metric.h"

namespace okrbot {
namespace {

// How much of a KR's own text is quoted back in a finding; long pastes are cut, not echoed.
constexpr size_t kQuoteLimit = 120;
constexpr size_t kOutcomeLimit = 200;
// How many themes a question names ("customers and speed").
constexpr size_t kThemesNamed = 2;

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpaceOrControl(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }

// Text safe to put between double quotes in a chat message or a copy-pasteable command: one line,
// no double quotes, and cut (on a UTF-8 character boundary) when long.
std::string Quotable(std::string_view text, size_t limit) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (IsSpaceOrControl(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c == '"' ? '\'' : c;
  }
  if (out.size() <= limit) return out;
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "\xE2\x80\xA6";  // …
}

std::string Quoted(std::string_view text) { return "\"" + Quotable(text, kQuoteLimit) + "\""; }

// Whitespace-separated words with surrounding punctuation (and emoji) removed, original case kept:
// "(Schedule" -> "Schedule", "$1m." -> "$1m".
std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpaceOrControl(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSpaceOrControl(text[i])) ++i;
    std::string_view word = text.substr(start, i - start);
    while (!word.empty() && !IsAsciiAlnum(word.front()) && word.front() != '$') {
      word.remove_prefix(1);
    }
    while (!word.empty() && !IsAsciiAlnum(word.back()) && word.back() != '%') word.remove_suffix(1);
    if (!word.empty()) words.emplace_back(word);
  }
  return words;
}

std::vector<std::string> LowercaseAll(const std::vector<std::string>& words) {
  std::vector<std::string> lower;
  lower.reserve(words.size());
  for (const std::string& word : words) lower.push_back(AsciiLower(word));
  return lower;
}

// Words that may come before the verb of a KR: "We will schedule ...", "To conduct ...".
constexpr std::string_view kLeadingWords[] = {"we",    "we'll",  "i",    "i'll", "to",   "will",
                                              "shall", "should", "must", "also", "then", "and",
                                              "let's", "lets",   "us",   "team", "our"};
constexpr size_t kMaxLeadingWords = 4;

bool IsLeadingWord(std::string_view word) {
  for (std::string_view leading : kLeadingWords) {
    if (leading == word) return true;
  }
  return false;
}

size_t MainVerbIndex(const std::vector<std::string>& lower_words) {
  size_t index = 0;
  while (index < lower_words.size() && index < kMaxLeadingWords &&
         IsLeadingWord(lower_words[index])) {
    ++index;
  }
  return index;
}

// "schedule" matches "schedule" and "scheduling"; "run" matches "running". Third-person forms are
// left out on purpose: "Calls answered within 2 minutes" is not the verb "call".
bool IsVerbForm(std::string_view word, std::string_view verb) {
  if (word == verb) return true;
  if (!word.ends_with("ing") || verb.empty()) return false;
  std::string_view stem = word.substr(0, word.size() - 3);
  if (stem == verb) return true;
  if (verb.ends_with('e') && stem == verb.substr(0, verb.size() - 1)) return true;
  return stem.size() == verb.size() + 1 && stem.starts_with(verb) && stem.back() == verb.back();
}

// A table entry split into lowercase words once per review, since an entry may be a phrase
// ("roll out", "set up").
struct Phrase {
  std::string entry;  // as written in the table, for messages
  std::vector<std::string> words;
};

std::vector<Phrase> Phrases(const std::vector<std::string>& table) {
  std::vector<Phrase> phrases;
  for (const std::string& entry : table) {
    Phrase phrase{entry, LowercaseAll(SplitWords(entry))};
    if (!phrase.words.empty()) phrases.push_back(std::move(phrase));
  }
  return phrases;
}

// Whether `phrase` matches the words starting at `index`; its last word may carry "-ing".
bool MatchesAt(const std::vector<std::string>& lower_words, size_t index, const Phrase& phrase) {
  const std::vector<std::string>& words = phrase.words;
  if (index + words.size() > lower_words.size()) return false;
  for (size_t k = 0; k + 1 < words.size(); ++k) {
    if (lower_words[index + k] != words[k]) return false;
  }
  return IsVerbForm(lower_words[index + words.size() - 1], words.back());
}

// Words after which an "-ing" word is a verb ("Hiring 3 engineers", "Hosting a meetup") rather
// than the name of a metric ("Training completion rate", "Meeting attendance").
constexpr std::string_view kVerbObjectStarts[] = {"a",         "an",   "the",   "our",    "all",
                                                  "every",     "each", "daily", "weekly", "monthly",
                                                  "quarterly", "new",  "more",  "two",    "three"};

bool IsGerundNoun(const std::vector<std::string>& lower_words, size_t index, const Phrase& phrase) {
  size_t last = index + phrase.words.size() - 1;
  if (lower_words[last] == phrase.words.back()) return false;  // not an "-ing" form
  if (last + 1 >= lower_words.size()) return true;
  const std::string& next = lower_words[last + 1];
  double number = 0;
  if (ParseNumber(next, &number)) return false;
  for (std::string_view start : kVerbObjectStarts) {
    if (start == next) return false;
  }
  return true;
}

// The first table entry that occurs in the text, if any.
std::optional<std::string> FirstTableEntry(const std::vector<std::string>& lower_words,
                                           const std::vector<Phrase>& table) {
  for (size_t i = 0; i < lower_words.size(); ++i) {
    for (const Phrase& phrase : table) {
      if (MatchesAt(lower_words, i, phrase)) return phrase.entry;
    }
  }
  return std::nullopt;
}

std::string Article(std::string_view word) {
  char first = word.empty() ? 'x' : static_cast<char>(word.front() | 0x20);
  bool vowel = first == 'a' || first == 'e' || first == 'i' || first == 'o' || first == 'u';
  return vowel ? "an" : "a";
}

std::string Plural(const std::string& noun) {
  if (noun.empty() || noun.back() == 's') return noun;
  if (noun.size() > 1 && noun.back() == 'y' &&
      std::string_view("aeiou").find(noun[noun.size() - 2]) == std::string::npos) {
    return noun.substr(0, noun.size() - 1) + "ies";
  }
  return noun + "s";
}

std::string Singular(const std::string& noun) {
  if (noun.size() > 3 && noun.back() == 's' && noun[noun.size() - 2] != 's') {
    return noun.substr(0, noun.size() - 1);
  }
  return noun;
}

std::string Join(const std::vector<std::string>& words, size_t begin, size_t end) {
  std::string joined;
  for (size_t i = begin; i < end && i < words.size(); ++i) {
    if (!joined.empty()) joined += ' ';
    joined += words[i];
  }
  return joined;
}

// The outcome rewrite of an activity KR, from a few known shapes. Returns "" when the text has
// none of them (the caller then falls back to a generic suggestion).
//
// Tables of the shapes: the meeting-like nouns an activity books or holds, the verbs that book
// something, and what a cadence word means as a period to look back on.
constexpr std::string_view kMeetingNouns[] = {
    "call",  "calls",  "meeting",  "meetings",  "session", "sessions", "demo",     "demos",
    "visit", "visits", "check-in", "check-ins", "sync",    "syncs",    "workshop", "workshops"};
constexpr std::string_view kBookingVerbs[] = {"schedule", "book", "arrange", "plan"};

struct CadencePeriod {
  std::string_view cadence;
  std::string_view period;
};
constexpr CadencePeriod kCadencePeriods[] = {
    {"daily", "day"},
    {"weekly", "calendar week"},
    {"biweekly", "two weeks"},
    {"fortnightly", "two weeks"},
    {"monthly", "calendar month"},
    {"quarterly", "calendar quarter"},
    {"yearly", "calendar year"},
    {"annual", "calendar year"},
};

template <typename Table>
bool InTable(const Table& table, std::string_view word) {
  for (std::string_view entry : table) {
    if (entry == word) return true;
  }
  return false;
}

size_t FindMeetingNoun(const std::vector<std::string>& lower_words, size_t from) {
  for (size_t i = from; i < lower_words.size(); ++i) {
    if (InTable(kMeetingNouns, lower_words[i])) return i;
  }
  return lower_words.size();
}

// "Schedule 95% of new customer onboarding calls within 5 days of signing"
//   -> "95% of new customers have an onboarding date within 5 days of signing"
std::string BookedShareOutcome(const std::vector<std::string>& words,
                               const std::vector<std::string>& lower, size_t verb) {
  if (!InTable(kBookingVerbs, lower[verb]) || verb + 3 >= words.size() || lower[verb + 2] != "of") {
    return "";
  }
  double share = 0;
  if (!ParseNumber(words[verb + 1], &share)) return "";
  size_t noun = FindMeetingNoun(lower, verb + 3);
  size_t who_begin = verb + 3;
  if (noun >= words.size() || noun == who_begin || noun + 1 >= words.size()) return "";
  std::vector<std::string> who(words.begin() + who_begin, words.begin() + noun);
  std::string kind = Singular(lower[noun]);
  if (who.size() >= 2) {
    kind = who.back();
    who.pop_back();
  }
  who.back() = Plural(who.back());
  return words[verb + 1] + " of " + Join(who, 0, who.size()) + " have " + Article(kind) + " " +
         kind + " date " + Join(words, noun + 1, words.size());
}

// "Undertake monthly review call with all accounts over $1m"
//   -> "All accounts over $1m had a review in the last calendar month"
std::string RecurringMeetingOutcome(const std::vector<std::string>& words,
                                    const std::vector<std::string>& lower, size_t verb) {
  if (verb + 1 >= words.size()) return "";
  std::string_view period;
  for (const CadencePeriod& entry : kCadencePeriods) {
    if (entry.cadence == lower[verb + 1]) period = entry.period;
  }
  if (period.empty()) return "";
  size_t noun = FindMeetingNoun(lower, verb + 2);
  if (noun + 2 >= words.size() || lower[noun + 1] != "with") return "";
  std::string kind = noun > verb + 2 ? Join(lower, verb + 2, noun) : Singular(lower[noun]);
  std::string who = Join(words, noun + 2, words.size());
  if (IsAsciiAlpha(who[0])) who[0] = static_cast<char>(who[0] & ~0x20);
  return who + " had " + Article(kind) + " " + kind + " in the last " + std::string(period);
}

std::string KrCommandRef(const KeyResult& kr) {
  return kr.number > 0 ? KeyResultRef(kr.number) : std::string("<KR>");
}

constexpr std::string_view kKeepHint = "answer `keep` to stop these nudges";

Finding MakeFinding(std::string rule, Severity severity, std::string subject, std::string message,
                    std::string suggestion) {
  Finding finding;
  finding.rule = std::move(rule);
  finding.severity = severity;
  finding.subject = std::move(subject);
  finding.message = std::move(message);
  finding.suggestion = std::move(suggestion);
  return finding;
}

Finding BinaryFinding(const KeyResult& kr, const std::vector<std::string>& lower_words,
                      bool scored_as_binary, const ReviewRules& rules) {
  std::string subject = KeyResultRef(kr.number);
  std::string reason;
  if (scored_as_binary) {
    reason = "it is scored as done / not done";
  } else if (std::optional<std::string> word =
                 FirstTableEntry(lower_words, Phrases(rules.binary_words))) {
    reason = "it has no number (\"" + *word + "\" either happens or not)";
  } else {
    reason = "it has no number to measure";
  }
  std::string message = subject + " " + Quoted(kr.text) + " can only be judged done / not done " +
                        "at the end of the cycle: " + reason +
                        ", so weekly check-ins can't show progress. If a yes/no result is what " +
                        "you mean, " + std::string(kKeepHint) + ".";
  std::string suggestion = "What would show that " + Quoted(kr.text) +
                           " worked? Measure that instead, e.g. \"Increase <metric> from "
                           "<baseline> to <target>\".";
  return MakeFinding("binary", Severity::kWarning, std::move(subject), std::move(message),
                     std::move(suggestion));
}

Finding ActivityFinding(const KeyResult& kr, const std::vector<std::string>& words,
                        const std::vector<std::string>& lower, size_t verb,
                        const std::string& verb_entry) {
  std::string subject = KeyResultRef(kr.number);
  std::string outcome = BookedShareOutcome(words, lower, verb);
  if (outcome.empty()) outcome = RecurringMeetingOutcome(words, lower, verb);
  std::string message = subject + " " + Quoted(kr.text) + " describes an activity (\"" +
                        verb_entry +
                        "\"), not the outcome it should produce: doing it doesn't show that "
                        "anything changed. Activities belong in initiatives. If this is what you "
                        "mean, " +
                        std::string(kKeepHint) + ".";
  std::string initiative = "track " + Quoted(kr.text) + " as an initiative: /okr initiative add " +
                           KrCommandRef(kr) + " " + Quoted(kr.text);
  std::string suggestion;
  if (!outcome.empty()) {
    suggestion = "Write the outcome instead: \"" + Quotable(outcome, kOutcomeLimit) + "\", and " +
                 initiative;
  } else {
    suggestion =
        "Describe the result this activity should produce, e.g. \"<outcome metric> from X to "
        "Y\", and " +
        initiative;
  }
  return MakeFinding("activity", Severity::kWarning, std::move(subject), std::move(message),
                     std::move(suggestion));
}

Finding NoBaselineFinding(const KeyResult& kr, const ParsedMetric& metric) {
  std::string subject = KeyResultRef(kr.number);
  std::string change =
      FormatValue(*metric.relative_change, metric.relative_is_percent ? "%" : metric.unit);
  std::string message = change + " from what? " + subject + " " + Quoted(kr.text) +
                        " describes a change without its starting value, so nobody can tell "
                        "where it started or how far along it is.";
  std::string suggestion =
      metric.relative_is_percent
          ? "Say the starting value (\"from X to Y\"), e.g. /okr edit " + KrCommandRef(kr) +
                " from:<value today>, so the " + change + " becomes a target."
          : "Say the starting value (\"from X to Y\", or /okr edit " + KrCommandRef(kr) +
                " from:<value today>) or give a percentage.";
  return MakeFinding("no-baseline", Severity::kWarning, std::move(subject), std::move(message),
                     std::move(suggestion));
}

Finding NoTargetFinding(const KeyResult& kr, const ParsedMetric& metric,
                        std::optional<double> baseline) {
  std::string subject = KeyResultRef(kr.number);
  std::string unit = metric.unit.empty() ? kr.unit : metric.unit;
  std::string start = baseline ? " starts at " + FormatValue(*baseline, unit) + " but" : "";
  std::string message = subject + " " + Quoted(kr.text) + start +
                        " has no target, so there is nothing to measure progress against.";
  std::string suggestion =
      "Say where it should end: " +
      (baseline ? "\"from " + FormatValue(*baseline, unit) + " to <target>\"" : "\"to <target>\"") +
      ", or /okr edit " + KrCommandRef(kr) + " to:<target>.";
  return MakeFinding("no-target", Severity::kWarning, std::move(subject), std::move(message),
                     std::move(suggestion));
}

// "speed", "customers and speed"; "a time", "how customers feel ..., or a time".
std::string JoinedThemes(const Vocabulary& vocabulary, const std::vector<size_t>& themes,
                         bool measures) {
  std::string joined;
  for (size_t k = 0; k < themes.size() && k < kThemesNamed; ++k) {
    const VocabularyTheme& theme = vocabulary.themes()[themes[k]];
    std::string part =
        measures ? (theme.measures.empty() ? "anything about " + theme.name : theme.measures)
                 : theme.name;
    if (k > 0) joined += measures ? ", or " : " and ";
    joined += part;
  }
  return joined;
}

// The not-measuring-objective question, or nothing when the bot can't be confident: the
// objective's words must name a theme, and no KR may share a word or a theme with it.
std::optional<Finding> NotMeasuringFinding(const Objective& objective,
                                           const std::vector<const KeyResult*>& krs,
                                           const ReviewRules& rules, const Vocabulary& vocabulary) {
  if (krs.empty()) return std::nullopt;
  StopWords stop_words(rules.stop_words);
  VocabularyReading goal = vocabulary.Read(objective.title, stop_words);
  // An objective in words the bot doesn't know gets no question: a false alarm costs more than
  // a miss.
  if (goal.themes.empty() || goal.known_words * 2 < goal.content_words) return std::nullopt;
  std::unordered_set<std::string> goal_stems(goal.content_stems.begin(), goal.content_stems.end());
  std::unordered_set<size_t> goal_themes(goal.themes.begin(), goal.themes.end());
  for (const KeyResult* kr : krs) {
    VocabularyReading reading = vocabulary.Read(kr->text, stop_words);
    for (const std::string& stem : reading.content_stems) {
      if (goal_stems.contains(stem)) return std::nullopt;
    }
    for (size_t theme : reading.themes) {
      if (goal_themes.contains(theme)) return std::nullopt;
    }
  }
  std::string subject = ObjectiveRef(objective.number);
  const VocabularyTheme& first = vocabulary.themes()[goal.themes.front()];
  std::string example = first.example.empty()
                            ? "Increase <a measure of " + first.name + "> from <now> to <target>"
                            : first.example;
  return MakeFinding(
      "not-measuring-objective", Severity::kInfo, subject,
      "Do these key results measure " + subject + " " + Quoted(objective.title) + "? " + subject +
          " is about " + JoinedThemes(vocabulary, goal.themes, false) +
          "; none of its key results measures " + JoinedThemes(vocabulary, goal.themes, true) +
          ", so the objective could be met without them moving, or they could move without it "
          "being met.",
      "If they do, say how in a KR; if not, add a key result that measures it, e.g. \"" +
          Quotable(example, kOutcomeLimit) + "\".");
}

}  // namespace

const char* SeverityName(Severity s) { return s == Severity::kInfo ? "info" : "warning"; }

const ReviewRules& ReviewRules::Default() {
  static const ReviewRules* const kRules = [] {
    auto* rules = new ReviewRules();
    rules->activity_verbs = {
        "schedule", "undertake", "conduct",    "complete", "hold",   "run",   "organise",
        "organize", "send",      "implement",  "perform",  "attend", "host",  "create",
        "write",    "build",     "hire",       "do",       "make",   "call",  "meet",
        "publish",  "prepare",   "arrange",    "visit",    "train",  "draft", "set up",
        "develop",  "interview", "participate"};
    rules->binary_words = {"launch",    "deliver",   "release",     "ship",      "good",
                           "better",    "great",     "improve",     "ensure",    "finish",
                           "roll out",  "rollout",   "go live",     "introduce", "migrate",
                           "establish", "define",    "start",       "kick off",  "enable",
                           "support",   "excellent", "world-class", "best"};
    rules->stop_words = {
        // Articles, pronouns, prepositions, conjunctions.
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "from",
        "with", "without", "within", "into", "onto", "over", "under", "per", "via", "as", "is",
        "are", "be", "been", "was", "were", "will", "would", "should", "can", "could", "must", "we",
        "our", "ours", "us", "you", "your", "they", "their", "them", "it", "its", "this", "that",
        "these", "those", "all", "each", "every", "any", "some", "no", "not", "than", "then", "so",
        "up", "down", "out", "off", "about", "across", "after", "before", "during", "until",
        "while", "who", "whom", "which", "what", "when", "where", "how", "why", "more", "most",
        "less", "least", "fewer", "very", "just", "also", "only", "own", "other",
        // Direction and generic OKR verbs: sharing "increase" says nothing about the subject.
        "increase", "decrease", "improve", "reduce", "grow", "raise", "boost", "cut", "lower",
        "maintain", "keep", "reach", "achieve", "hit", "get", "make", "do", "have", "become",
        "deliver", "launch", "ship", "release", "ensure", "drive", "enable", "create", "build",
        "win", "start", "finish", "complete", "double",
        // Generic adjectives and measures.
        "new", "good", "better", "best", "great", "high", "higher", "low", "top", "key", "main",
        "first", "next", "last", "previous", "current", "total", "overall", "average", "avg",
        "rate", "level", "number", "score", "percent", "value", "target", "baseline",
        // Time words.
        "day", "days", "week", "weekly", "month", "monthly", "quarter", "quarterly", "year",
        "yearly", "annual", "q1", "q2", "q3", "q4", "h1", "h2", "today", "cycle"};
    return rules;
  }();
  return *kRules;
}

std::vector<Finding> ReviewKeyResult(const KeyResult& kr, const ReviewRules& rules) {
  std::vector<Finding> findings;
  ParsedMetric metric = ParseMetric(kr.text);
  std::vector<std::string> words = SplitWords(kr.text);
  std::vector<std::string> lower = LowercaseAll(words);

  // Options given with the KR (from:, to:) count as much as numbers in its text.
  bool scored_as_binary = kr.direction == Direction::kBinary;
  bool measurable =
      (metric.has_number || kr.target.has_value() || kr.baseline.has_value()) && !scored_as_binary;
  if (!measurable) findings.push_back(BinaryFinding(kr, lower, scored_as_binary, rules));

  size_t verb = MainVerbIndex(lower);
  for (const Phrase& phrase : Phrases(rules.activity_verbs)) {
    if (MatchesAt(lower, verb, phrase) && !IsGerundNoun(lower, verb, phrase)) {
      findings.push_back(ActivityFinding(kr, words, lower, verb, phrase.entry));
      break;
    }
  }

  if (measurable) {
    std::optional<double> baseline = kr.baseline ? kr.baseline : metric.baseline;
    bool has_target = metric.target.has_value() || kr.target.has_value();
    if (metric.relative_change && !baseline && !has_target) {
      findings.push_back(NoBaselineFinding(kr, metric));
    } else if (!has_target && !(metric.relative_change && baseline)) {
      findings.push_back(NoTargetFinding(kr, metric, baseline));
    }
  }

  if (kr.owner.empty()) {
    std::string subject = KeyResultRef(kr.number);
    findings.push_back(MakeFinding(
        "no-owner", Severity::kWarning, subject,
        subject + " " + Quoted(kr.text) +
            " has no owner, so nobody gets its weekly check-in and it will quietly go stale.",
        "Give it one owner: /okr edit " + KrCommandRef(kr) + " owner:@someone"));
  }
  return findings;
}

std::vector<Finding> ReviewObjective(const Objective& objective, const std::vector<KeyResult>& krs,
                                     const ReviewRules& rules, const Vocabulary& vocabulary) {
  std::vector<Finding> findings;
  std::string subject = ObjectiveRef(objective.number);
  std::string objective_command = objective.number > 0 ? subject : std::string("<O>");
  std::vector<const KeyResult*> active;
  for (const KeyResult& kr : krs) {
    if (!kr.archived) active.push_back(&kr);
  }

  if (objective.owner.empty()) {
    findings.push_back(
        MakeFinding("no-owner", Severity::kWarning, subject,
                    subject + " " + Quoted(objective.title) +
                        " has no owner: nobody is told when its key results go stale.",
                    "Give it one owner: /okr edit " + objective_command + " owner:@someone"));
  }

  if (static_cast<int>(active.size()) > rules.max_krs_per_objective) {
    findings.push_back(MakeFinding(
        "too-many-krs", Severity::kWarning, subject,
        subject + " has " + std::to_string(active.size()) + " key results; more than " +
            std::to_string(rules.max_krs_per_objective) +
            " spreads attention thin (1-3 is ideal for a small team).",
        "Keep the few that best show the objective is met; archive the rest (/okr archive "
        "<KR>) or turn them into initiatives (/okr initiative add <KR> \"...\")."));
  }

  if (std::optional<Finding> question = NotMeasuringFinding(objective, active, rules, vocabulary)) {
    findings.push_back(std::move(*question));
  }

  for (const KeyResult* kr : active) {
    std::vector<Finding> kr_findings = ReviewKeyResult(*kr, rules);
    for (Finding& finding : kr_findings) findings.push_back(std::move(finding));
  }
  return findings;
}

}  // namespace okrbot
