// Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) as okrbot's sealed secrets, OAuth
// states and JSON Web Tokens use them.
//
// Contract: decoding is strict: only the canonical encoding decodes (no whitespace, no stray
// padding, unused trailing bits zero), so no two texts decode to the same bytes. Decoders
// return false on any deviation and leave `out` unspecified. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace okrbot {

std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string* out);

std::string Base64UrlEncode(std::string_view bytes);
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace okrbot
