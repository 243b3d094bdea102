#include "bot/base64.h"

#include <cstdint>

namespace okrbot {
namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr char kBase64UrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t group = uint32_t{Bytes(bytes)[i]} << 16 | uint32_t{Bytes(bytes)[i + 1]} << 8 |
                     uint32_t{Bytes(bytes)[i + 2]};
    out.push_back(kBase64Alphabet[(group >> 18) & 63]);
    out.push_back(kBase64Alphabet[(group >> 12) & 63]);
    out.push_back(kBase64Alphabet[(group >> 6) & 63]);
    out.push_back(kBase64Alphabet[group & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = uint32_t{Bytes(bytes)[i]} << 16;
    if (rest == 2) group |= uint32_t{Bytes(bytes)[i + 1]} << 8;
    out.push_back(kBase64Alphabet[(group >> 18) & 63]);
    out.push_back(kBase64Alphabet[(group >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(group >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// Strict: padded, no whitespace, and the unused low bits of the last character must be zero.
// Accepting only the canonical encoding means no two sealed strings open to the same value.
bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  out->clear();
  out->reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last_group = i + 4 == text.size();
    const int a = Base64Value(text[i]);
    const int b = Base64Value(text[i + 1]);
    if (a < 0 || b < 0) return false;
    if (last_group && text[i + 2] == '=') {
      if (text[i + 3] != '=' || (b & 0x0F) != 0) return false;
      out->push_back(static_cast<char>(a << 2 | b >> 4));
      return true;
    }
    const int c = Base64Value(text[i + 2]);
    if (c < 0) return false;
    if (last_group && text[i + 3] == '=') {
      if ((c & 0x03) != 0) return false;
      out->push_back(static_cast<char>(a << 2 | b >> 4));
      out->push_back(static_cast<char>((b & 0x0F) << 4 | c >> 2));
      return true;
    }
    const int d = Base64Value(text[i + 3]);
    if (d < 0) return false;
    out->push_back(static_cast<char>(a << 2 | b >> 4));
    out->push_back(static_cast<char>((b & 0x0F) << 4 | c >> 2));
    out->push_back(static_cast<char>((c & 0x03) << 6 | d));
  }
  return true;
}

// Unpadded base64url (RFC 4648 §5): safe in a query string without escaping.
std::string Base64UrlEncode(std::string_view text) {
  const unsigned char* bytes = Bytes(text);
  const size_t size = text.size();
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64UrlAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kBase64UrlAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

// Strict: only the canonical encoding (unused trailing bits zero) decodes.
bool Base64UrlDecode(std::string_view text, std::string* out) {
  if (text.size() % 4 == 1) return false;
  out->clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = Base64UrlValue(c);
    if (value < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return (buffer & ((1u << bits) - 1)) == 0;
}

}  // namespace okrbot
