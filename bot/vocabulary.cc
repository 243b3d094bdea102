#include "bot/vocabulary.h"

#include <libstemmer.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "bot/review_vocabulary_data.h"
#include "core/text_util.h"

namespace okrbot {
namespace {

// Longer "words" are pasted identifiers or junk; stemming them tells nothing.
constexpr size_t kMaxStemmedWordBytes = 64;

// One sb_stemmer per thread: a handle keeps state between calls and is not thread-safe.
class ThreadStemmer {
 public:
  ThreadStemmer() : stemmer_(sb_stemmer_new("english", nullptr)) {}
  ~ThreadStemmer() {
    if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
  }
  ThreadStemmer(const ThreadStemmer&) = delete;
  ThreadStemmer& operator=(const ThreadStemmer&) = delete;

  std::string Stem(std::string_view word) {
    if (stemmer_ == nullptr) return std::string(word);  // out of memory: match words as written
    const sb_symbol* stem = sb_stemmer_stem(
        stemmer_, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (stem == nullptr) return std::string(word);
    return std::string(reinterpret_cast<const char*>(stem),
                       static_cast<size_t>(sb_stemmer_length(stemmer_)));
  }

 private:
  sb_stemmer* stemmer_;
};

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordByte(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Lowercase runs of letters and digits: "First-response time (FRT)" -> first, response, time,
// frt. Punctuation separates words, so "DAU/WAU" is two words and "crash-free" is "crash free".
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && IsWordByte(text[i])) ++i;
    if (i > start) words.push_back(AsciiLower(text.substr(start, i - start)));
  }
  return words;
}

bool CarriesMeaning(std::string_view word, const StopWords& stop_words) {
  bool has_letter = false;
  for (char c : word) has_letter = has_letter || !IsAsciiDigit(c);
  return has_letter && word.size() >= 2 && !stop_words.Contains(word);
}

std::string Location(std::string_view source, int line) {
  return "review vocabulary " + std::string(source) + " line " + std::to_string(line) + ": ";
}

std::vector<std::string> SplitTerms(std::string_view list) {
  std::vector<std::string> terms;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string term = Trim(list.substr(start, comma - start));
    if (!term.empty()) terms.push_back(std::move(term));
    start = comma + 1;
  }
  return terms;
}

}  // namespace

std::string StemWord(std::string_view lowercase_word) {
  if (lowercase_word.size() > kMaxStemmedWordBytes) return std::string(lowercase_word);
  for (char c : lowercase_word) {
    if (static_cast<unsigned char>(c) >= 0x80) return std::string(lowercase_word);
  }
  thread_local ThreadStemmer stemmer;
  return stemmer.Stem(lowercase_word);
}

StopWords::StopWords(const std::vector<std::string>& words) {
  for (const std::string& word : words) words_.insert(AsciiLower(word));
}

bool StopWords::Contains(std::string_view word) const {
  auto has = [&](std::string_view w) { return words_.contains(std::string(w)); };
  if (has(word)) return true;
  // Inflections of a stop word ("increases", "reduced") are stop words too; "-ing" forms are not
  // stripped, since "rating" is not "rate" and "meeting" is not "meet".
  if (word.ends_with('s') && has(word.substr(0, word.size() - 1))) return true;
  if (word.ends_with("es") && has(word.substr(0, word.size() - 2))) return true;
  if (word.ends_with('d') && has(word.substr(0, word.size() - 1))) return true;
  return word.ends_with("ed") && has(word.substr(0, word.size() - 2));
}

Result<Vocabulary> Vocabulary::Parse(std::string_view text, std::string_view source) {
  Vocabulary vocabulary;
  VocabularyTheme* theme = nullptr;
  int line_number = 0;
  std::istringstream lines{std::string(text)};
  std::string raw;
  while (std::getline(lines, raw)) {
    ++line_number;
    std::string line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t key_end = line.find_first_of(" \t");
    std::string key = line.substr(0, key_end);
    std::string value = key_end == std::string::npos ? "" : Trim(line.substr(key_end));
    if (value.empty()) {
      return Status::InvalidArgument(Location(source, line_number) + "\"" + key +
                                     "\" needs a value after a tab.");
    }
    if (key == "theme") {
      theme = vocabulary.ThemeNamed(AsciiLower(value));
    } else if (key == "alias") {
      size_t split = value.find_first_of(" \t");
      if (split == std::string::npos) {
        return Status::InvalidArgument(Location(source, line_number) +
                                       "an alias is WORD<TAB>LONG FORM, e.g. \"frt\tfirst "
                                       "response time\".");
      }
      std::vector<std::string> short_form = Words(value.substr(0, split));
      if (short_form.size() != 1) {
        return Status::InvalidArgument(Location(source, line_number) +
                                       "the short form of an alias is one word.");
      }
      vocabulary.aliases_[StemWord(short_form.front())] = Trim(value.substr(split));
    } else if (key == "measures" || key == "example" || key == "terms") {
      if (theme == nullptr) {
        return Status::InvalidArgument(Location(source, line_number) + "\"" + key +
                                       "\" comes before any \"theme\" line.");
      }
      if (key == "measures") {
        theme->measures = value;
      } else if (key == "example") {
        theme->example = value;
      } else {
        for (std::string& term : SplitTerms(value)) theme->terms.push_back(std::move(term));
      }
    } else {
      return Status::InvalidArgument(Location(source, line_number) + "unknown key \"" + key +
                                     "\" (expected theme, measures, example, terms or alias).");
    }
  }
  vocabulary.Reindex();
  return vocabulary;
}

Result<Vocabulary> Vocabulary::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("Cannot read the review vocabulary " + path + ".");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path);
}

const Vocabulary& Vocabulary::BuiltIn() {
  static const Vocabulary* const kBuiltIn = [] {
    Result<Vocabulary> parsed = Parse(kBuiltInReviewVocabulary, "bot/review_vocabulary.tsv");
    // A malformed built-in file fails VocabularyTest.BuiltInParses; at run time the review then
    // asks no "does it measure" question rather than stopping the bot.
    return new Vocabulary(parsed.ok() ? std::move(*parsed) : Vocabulary());
  }();
  return *kBuiltIn;
}

namespace {

struct DefaultVocabulary {
  Vocabulary vocabulary;
  Status status;
};

const DefaultVocabulary& TheDefault() {
  static const DefaultVocabulary* const kDefault = [] {
    auto* loaded = new DefaultVocabulary{Vocabulary::BuiltIn(), Status::Ok()};
    const char* path = std::getenv(kReviewVocabularyVariable);
    if (path != nullptr && *path != '\0') {
      Result<Vocabulary> extra = Vocabulary::LoadFile(path);
      if (extra.ok()) {
        loaded->vocabulary.Merge(*extra);
      } else {
        loaded->status = extra.status();
      }
    }
    return loaded;
  }();
  return *kDefault;
}

}  // namespace

const Vocabulary& Vocabulary::Default() { return TheDefault().vocabulary; }

Status Vocabulary::DefaultStatus() { return TheDefault().status; }

VocabularyTheme* Vocabulary::ThemeNamed(std::string_view name) {
  for (VocabularyTheme& theme : themes_) {
    if (theme.name == name) return &theme;
  }
  themes_.push_back(VocabularyTheme{std::string(name), "", "", {}});
  return &themes_.back();
}

const VocabularyTheme* Vocabulary::FindTheme(std::string_view name) const {
  for (const VocabularyTheme& theme : themes_) {
    if (theme.name == name) return &theme;
  }
  return nullptr;
}

void Vocabulary::Add(std::string_view name, const std::vector<std::string>& terms) {
  std::string theme_name = AsciiLower(Trim(name));
  if (theme_name.empty()) return;
  VocabularyTheme* theme = ThemeNamed(theme_name);
  for (const std::string& term : terms) {
    std::string trimmed = Trim(term);
    if (!trimmed.empty()) theme->terms.push_back(std::move(trimmed));
  }
  Reindex();
}

void Vocabulary::Merge(const Vocabulary& other) {
  for (const VocabularyTheme& extra : other.themes_) {
    VocabularyTheme* theme = ThemeNamed(extra.name);
    if (!extra.measures.empty()) theme->measures = extra.measures;
    if (!extra.example.empty()) theme->example = extra.example;
    theme->terms.insert(theme->terms.end(), extra.terms.begin(), extra.terms.end());
  }
  for (const auto& [short_form, long_form] : other.aliases_) aliases_[short_form] = long_form;
  Reindex();
}

void Vocabulary::Reindex() {
  alias_stems_.clear();
  for (const auto& [short_form, long_form] : aliases_) {
    std::vector<std::string> stems;
    for (const std::string& word : Words(long_form)) stems.push_back(StemWord(word));
    alias_stems_[short_form] = std::move(stems);
  }
  terms_by_first_stem_.clear();
  for (size_t theme = 0; theme < themes_.size(); ++theme) {
    for (const std::string& term : themes_[theme].terms) {
      std::vector<std::string> stems = StemsOf(term);
      if (stems.empty()) continue;
      std::string first = stems.front();
      terms_by_first_stem_[first].push_back(IndexedTerm{theme, std::move(stems)});
    }
  }
}

std::vector<std::string> Vocabulary::StemsOf(std::string_view text) const {
  std::vector<std::string> stems;
  for (const std::string& word : Words(text)) {
    std::string stem = StemWord(word);
    auto alias = alias_stems_.find(stem);
    if (alias == alias_stems_.end()) {
      stems.push_back(std::move(stem));
    } else {
      stems.insert(stems.end(), alias->second.begin(), alias->second.end());
    }
  }
  return stems;
}

VocabularyReading Vocabulary::Read(std::string_view text, const StopWords& stop_words) const {
  struct Token {
    std::string stem;
    bool meaningful = false;
  };
  std::vector<Token> tokens;
  for (const std::string& word : Words(text)) {
    std::string stem = StemWord(word);
    auto alias = alias_stems_.find(stem);
    if (alias == alias_stems_.end()) {
      tokens.push_back({std::move(stem), CarriesMeaning(word, stop_words)});
      continue;
    }
    // "FRT" reads as "first response time": each word of the long form counts as written.
    for (const std::string& long_form_stem : alias->second) {
      tokens.push_back({long_form_stem, CarriesMeaning(long_form_stem, stop_words)});
    }
  }

  VocabularyReading reading;
  std::vector<bool> known(tokens.size(), false);
  std::unordered_set<size_t> themes_seen;
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto candidates = terms_by_first_stem_.find(tokens[i].stem);
    if (candidates == terms_by_first_stem_.end()) continue;
    for (const IndexedTerm& term : candidates->second) {
      size_t length = term.stems.size();
      if (i + length > tokens.size()) continue;
      // A one-word term counts only where the word carries meaning, so that the term "grow"
      // would not make every "Grow NPS" key result a growth metric.
      if (length == 1 && !tokens[i].meaningful) continue;
      bool matches = true;
      for (size_t k = 1; k < length && matches; ++k) matches = tokens[i + k].stem == term.stems[k];
      if (!matches) continue;
      for (size_t k = 0; k < length; ++k) known[i + k] = true;
      if (themes_seen.insert(term.theme).second) reading.themes.push_back(term.theme);
    }
  }

  std::unordered_set<std::string> stems_seen;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!tokens[i].meaningful) continue;
    ++reading.content_words;
    if (known[i]) ++reading.known_words;
    if (stems_seen.insert(tokens[i].stem).second) reading.content_stems.push_back(tokens[i].stem);
  }
  return reading;
}

}  // namespace okrbot
