#include "bot/tokenizer.h"

#include <cctype>

namespace okrbot {
namespace {

// Byte length of a whitespace character at `pos` (ASCII or Unicode space), 0 if none.
size_t SpaceLength(const std::string& s, size_t pos) {
  unsigned char c = static_cast<unsigned char>(s[pos]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return 1;
  auto at = [&](size_t i) -> unsigned char {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
  };
  if (c == 0xC2 && at(pos + 1) == 0xA0) return 2;  // no-break space
  if (c == 0xE2 && at(pos + 1) == 0x80 && (at(pos + 2) <= 0x8A || at(pos + 2) == 0xAF)) {
    return 3;  // U+2000..U+200A, U+202F
  }
  if (c == 0xE3 && at(pos + 1) == 0x80 && at(pos + 2) == 0x80) return 3;  // ideographic space
  return 0;
}

enum class QuoteKind { kNone, kStraight, kCurlyOpen, kLowOpen, kCurlyClose };

// Recognises a quote character at `pos`; sets `length` to its byte length.
QuoteKind QuoteAt(const std::string& s, size_t pos, size_t* length) {
  if (s[pos] == '"') {
    *length = 1;
    return QuoteKind::kStraight;
  }
  if (pos + 2 < s.size() && static_cast<unsigned char>(s[pos]) == 0xE2 &&
      static_cast<unsigned char>(s[pos + 1]) == 0x80) {
    *length = 3;
    switch (static_cast<unsigned char>(s[pos + 2])) {
      case 0x9C:
        return QuoteKind::kCurlyOpen;  // “
      case 0x9D:
        return QuoteKind::kCurlyClose;  // ”
      case 0x9E:
        return QuoteKind::kLowOpen;  // „
      default:
        break;
    }
  }
  *length = 0;
  return QuoteKind::kNone;
}

bool Closes(QuoteKind open, QuoteKind candidate) {
  if (open == QuoteKind::kStraight) return candidate == QuoteKind::kStraight;
  // Curly quotes are typed inconsistently across keyboards and auto-correct: accept any curly
  // quote (or a straight one) as the end of a curly-quoted string.
  return candidate == QuoteKind::kCurlyOpen || candidate == QuoteKind::kCurlyClose ||
         candidate == QuoteKind::kStraight;
}

// "owner:@bob" -> key "owner". Keys are short words; "https://..." is not an option.
bool SplitOption(const std::string& text, std::string* key, std::string* value) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 20) return false;
  for (size_t i = 0; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isalpha(c) && c != '_' && c != '-') return false;
  }
  if (text.compare(colon, 3, "://") == 0) return false;
  key->clear();
  for (size_t i = 0; i < colon; ++i) {
    key->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
  }
  *value = text.substr(colon + 1);
  return true;
}

}  // namespace

std::string Token::Original() const {
  std::string value = text;
  if (quoted || (value.find(' ') != std::string::npos)) value = "\"" + value + "\"";
  return is_option() ? key + ":" + value : value;
}

Result<std::vector<Token>> Tokenize(const std::string& input) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (pos < input.size()) {
    if (size_t space = SpaceLength(input, pos)) {
      pos += space;
      continue;
    }
    Token token;
    std::string raw;  // text before any quote, used to detect `key:`
    bool saw_quote = false;
    bool quote_at_start = true;
    while (pos < input.size() && SpaceLength(input, pos) == 0) {
      size_t quote_length = 0;
      QuoteKind open = QuoteAt(input, pos, &quote_length);
      if (open == QuoteKind::kNone || open == QuoteKind::kCurlyClose) {
        raw.push_back(input[pos]);
        ++pos;
        quote_at_start = false;
        continue;
      }
      if (!raw.empty()) quote_at_start = false;
      saw_quote = true;
      pos += quote_length;
      bool closed = false;
      while (pos < input.size()) {
        size_t close_length = 0;
        QuoteKind candidate = QuoteAt(input, pos, &close_length);
        if (candidate != QuoteKind::kNone && Closes(open, candidate)) {
          pos += close_length;
          closed = true;
          break;
        }
        raw.push_back(input[pos]);
        ++pos;
      }
      if (!closed) {
        return Status::InvalidArgument(
            "A quote is not closed: put the text between a pair of quotes, like \"Grow revenue\".");
      }
      // A key:"value" token keeps going only until the closing quote.
      if (pos < input.size() && SpaceLength(input, pos) == 0) quote_at_start = false;
    }
    std::string key;
    std::string value;
    // Split `key:value` only on the unquoted prefix, so "a:b" inside quotes stays text.
    size_t first_quote_free = raw.size();
    if (saw_quote && quote_at_start) first_quote_free = 0;
    if (first_quote_free > 0 && SplitOption(raw, &key, &value)) {
      token.key = key;
      token.text = value;
      token.quoted = saw_quote;
    } else {
      token.text = raw;
      token.quoted = saw_quote && quote_at_start;
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace okrbot
