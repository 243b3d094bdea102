// Small text checks used wherever outside text enters the core.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace okrbot {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(const std::string& text);
// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string ReplaceInvalidUtf8(const std::string& text);
// `text` as XML 1.0 and HTML allow it in a document: invalid UTF-8 and the characters XML forbids
// even escaped (C0 controls other than tab, newline and CR; U+FFFE, U+FFFF) become U+FFFD.
std::string ReplaceMarkupForbidden(const std::string& text);
// ReplaceMarkupForbidden, then & < > " ' as entities: safe as the text of an SVG, XML or HTML
// element and inside a quoted attribute, so user text can never open a tag or end an attribute.
// The one escape of every page and chart okrbot writes.
std::string EscapeMarkup(const std::string& text);
// Decodes the code point of valid UTF-8 at `i` (from ReplaceInvalidUtf8); `*length` its bytes.
uint32_t DecodeUtf8At(std::string_view text, size_t i, size_t* length);
// C0 controls (incl. NUL, tab, newline), DEL and C1 controls (U+0080..U+009F).
bool HasControlCharacters(const std::string& text);
// Without leading and trailing ASCII whitespace.
std::string Trim(std::string_view text);
// With A-Z turned into a-z; every other byte (UTF-8 included) unchanged, whatever the locale.
std::string AsciiLower(std::string_view text);
// True when `a` and `b` differ at most in the case of A-Z (no allocation, whatever the locale).
bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b);
// Reads 1 to 18 ASCII digits and nothing else (no sign, space or prefix), as HTTP's
// Content-Length must be; false otherwise.
bool ParsePlainDecimal(std::string_view text, uint64_t* value);
// 0-15 for 0-9, a-f and A-F; -1 for any other byte.
int HexDigitValue(char c);

}  // namespace okrbot
