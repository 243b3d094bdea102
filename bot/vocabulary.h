// The review's vocabulary (docs/okr-review.md): outcome themes ("customers", "speed") and the
// words and metrics that measure them ("NPS", "churn", "first-response time"), so that the
// review knows that "Increase NPS from 55 to 70" measures "Delight our customers".
//
// Contract: a Vocabulary is a value. The built-in one is bot/review_vocabulary.tsv, embedded at
// build time and parsed once; Default() adds the operator's file named by
// OKRBOT_REVIEW_VOCABULARY. Words are lowercased and reduced with the Snowball English stemmer
// (libstemmer), and abbreviations are read as their long form ("frt" -> "first response time")
// before they are matched, so "customers" matches the term "customer" and "EU" matches "europe".
// Every term is stemmed once, when it is added; reading a text stems only its own words.
//
// Thread-safety: const methods may be called from any number of threads at once (each thread
// stems with its own stemmer). Add and Merge need exclusive access, as for any value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"

namespace okrbot {

// The environment variable naming the operator's vocabulary file (README, Configuration).
inline constexpr const char* kReviewVocabularyVariable = "OKRBOT_REVIEW_VOCABULARY";

struct VocabularyTheme {
  std::string name;      // "speed"
  std::string measures;  // what its key results measure, for findings: "a time (...)"
  std::string example;   // a key result a person would write: "Cut ... from <now> to <target>"
  std::vector<std::string> terms;  // words and phrases as written: "first response time"
};

// Words a reading leaves out ("the", "increase"): lowercase, as written in ReviewRules. A word
// is left out when it is one of them, or one of them with "s", "es", "d" or "ed" added.
class StopWords {
 public:
  StopWords() = default;
  explicit StopWords(const std::vector<std::string>& words);
  bool Contains(std::string_view lowercase_word) const;

 private:
  std::unordered_set<std::string> words_;
};

// What the vocabulary finds in one text (an objective's title or a KR's text).
struct VocabularyReading {
  // Distinct stems of the words that carry meaning (not stop words, numbers or single letters),
  // in order of appearance.
  std::vector<std::string> content_stems;
  size_t content_words = 0;  // how many such words the text has
  size_t known_words = 0;    // how many of them are part of a theme's term
  // Indexes into Vocabulary::themes() of the themes whose terms occur, in order of appearance.
  std::vector<size_t> themes;
};

class Vocabulary {
 public:
  // An empty vocabulary: no themes, no aliases.
  Vocabulary() = default;

  // The file format of bot/review_vocabulary.tsv (described at its top and in
  // docs/okr-review.md). A malformed line fails with InvalidArgument naming `source` and the
  // line number.
  static Result<Vocabulary> Parse(std::string_view text, std::string_view source);
  static Result<Vocabulary> LoadFile(const std::string& path);

  // bot/review_vocabulary.tsv as built in; parsed on first use.
  static const Vocabulary& BuiltIn();
  // BuiltIn() with the file named by OKRBOT_REVIEW_VOCABULARY merged in, read on first use. A
  // file that cannot be read or parsed is left out; DefaultStatus() then says why.
  static const Vocabulary& Default();
  static Status DefaultStatus();

  // Adds `terms` (words or phrases) to the theme `name`, creating it when it is new. This is how
  // a workspace's own terms join the built-in ones for its reviews.
  void Add(std::string_view name, const std::vector<std::string>& terms);
  // Adds every theme and alias of `other`: terms of a theme already here join it, and its
  // `measures` and `example` replace these when `other` sets them.
  void Merge(const Vocabulary& other);

  const std::vector<VocabularyTheme>& themes() const { return themes_; }
  const VocabularyTheme* FindTheme(std::string_view name) const;

  VocabularyReading Read(std::string_view text, const StopWords& stop_words) const;

 private:
  struct IndexedTerm {
    size_t theme = 0;
    std::vector<std::string> stems;  // aliases expanded
  };
  VocabularyTheme* ThemeNamed(std::string_view name);
  // Rebuilds the term index from themes_ and aliases_: an alias may be added after the terms
  // that use it.
  void Reindex();
  std::vector<std::string> StemsOf(std::string_view text) const;

  std::vector<VocabularyTheme> themes_;
  std::unordered_map<std::string, std::string> aliases_;  // stem of the short form -> long form
  std::unordered_map<std::string, std::vector<std::string>> alias_stems_;
  std::unordered_map<std::string, std::vector<IndexedTerm>> terms_by_first_stem_;
};

// The Snowball English stem of a lowercase word ("customers" -> "custom", "retained" ->
// "retain"); a word with bytes outside ASCII, or longer than 64 bytes, is returned unchanged.
std::string StemWord(std::string_view lowercase_word);

}  // namespace okrbot
