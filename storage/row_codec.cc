#include "storage/row_codec.h"

#include <cstdint>

namespace okrbot {

// Lists are stored as JSON arrays of strings. Bytes >= 0x80 pass through untouched, so any
// std::string round-trips exactly (and valid UTF-8 yields valid JSON).
std::string EncodeStringList(const std::vector<std::string>& items) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      unsigned char byte = static_cast<unsigned char>(c);
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (byte < 0x20) {
            out += "\\u00";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
          } else {
            out += c;
          }
      }
    }
    out += '"';
  }
  out += ']';
  return out;
}

namespace {

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    *out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out += static_cast<char>(0xc0 | (code_point >> 6));
    *out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    *out += static_cast<char>(0xe0 | (code_point >> 12));
    *out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | (code_point >> 18));
    *out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    *out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

}  // namespace

// Reads a JSON array of strings (what EncodeStringList writes, plus the rest of JSON string
// syntax so that a hand-edited row still reads). False on anything else.
bool DecodeStringList(std::string_view text, std::vector<std::string>* items) {
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t')) {
      ++pos;
    }
  };
  auto read_hex4 = [&](uint32_t* value) {
    if (pos + 4 > text.size()) return false;
    *value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text[pos++];
      *value <<= 4;
      if (c >= '0' && c <= '9') {
        *value |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        *value |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        *value |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  };
  items->clear();
  skip_space();
  if (pos >= text.size() || text[pos++] != '[') return false;
  skip_space();
  if (pos < text.size() && text[pos] == ']') {
    ++pos;
    skip_space();
    return pos == text.size();
  }
  while (true) {
    skip_space();
    if (pos >= text.size() || text[pos++] != '"') return false;
    std::string item;
    while (true) {
      if (pos >= text.size()) return false;
      char c = text[pos++];
      if (c == '"') break;
      if (c != '\\') {
        item += c;
        continue;
      }
      if (pos >= text.size()) return false;
      char escape = text[pos++];
      switch (escape) {
        case '"':
          item += '"';
          break;
        case '\\':
          item += '\\';
          break;
        case '/':
          item += '/';
          break;
        case 'n':
          item += '\n';
          break;
        case 'r':
          item += '\r';
          break;
        case 't':
          item += '\t';
          break;
        case 'b':
          item += '\b';
          break;
        case 'f':
          item += '\f';
          break;
        case 'u': {
          uint32_t code_point = 0;
          if (!read_hex4(&code_point)) return false;
          if (code_point >= 0xd800 && code_point < 0xdc00 && pos + 1 < text.size() &&
              text[pos] == '\\' && text[pos + 1] == 'u') {
            pos += 2;
            uint32_t low = 0;
            if (!read_hex4(&low) || low < 0xdc00 || low > 0xdfff) return false;
            code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(code_point, &item);
          break;
        }
        default:
          return false;
      }
    }
    items->push_back(std::move(item));
    skip_space();
    if (pos >= text.size()) return false;
    char separator = text[pos++];
    if (separator == ']') break;
    if (separator != ',') return false;
  }
  skip_space();
  return pos == text.size();
}

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kPending:
      return "pending";
    case JobState::kSent:
      return "sent";
    case JobState::kDead:
      return "dead";
  }
  return "pending";
}

bool ParseJobState(const std::string& text, JobState* out) {
  for (JobState state : {JobState::kPending, JobState::kSent, JobState::kDead}) {
    if (text == JobStateName(state)) {
      *out = state;
      return true;
    }
  }
  return false;
}

Status CheckWorkspaceId(const std::string& workspace_id) {
  if (workspace_id.empty()) return Status::InvalidArgument("The workspace id is empty.");
  return Status::Ok();
}

}  // namespace okrbot
