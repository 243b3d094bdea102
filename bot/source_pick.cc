#include "bot/source_pick.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bot/csv_reader.h"

namespace okrbot {
namespace {

constexpr int kMaxCsvRow = 1000000;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

Result<double> CheckRange(double value) {
  if (!std::isfinite(value)) {
    return Status::InvalidArgument("The value is not a finite number (NaN or infinite).");
  }
  if (std::fabs(value) > kMaxSourceValue) {
    return Status::InvalidArgument("The value is out of range (more than 1e15 either way).");
  }
  return value;
}

// A whole text that is one number; spreadsheet decorations are read as people write them.
bool ParseDecoratedNumber(std::string_view text, double* out) {
  text = Trim(text);
  for (std::string_view currency : {"$", "€", "£"}) {
    if (text.substr(0, currency.size()) == currency) {
      text = Trim(text.substr(currency.size()));
      break;
    }
  }
  if (!text.empty() && text.back() == '%') text = Trim(text.substr(0, text.size() - 1));
  std::string digits;
  bool commas = text.find(',') != std::string_view::npos;
  if (commas) {
    // Only thousands separators: groups of three digits before any decimal point.
    size_t point = text.find('.');
    std::string_view whole = text.substr(0, point);
    size_t group = 0;
    bool seen_comma = false;
    for (size_t i = whole.size(); i-- > 0;) {
      char c = whole[i];
      if (c == ',') {
        if (group != 3) return false;
        group = 0;
        seen_comma = true;
      } else {
        ++group;
      }
    }
    if (seen_comma && (group == 0 || group > 3)) return false;
    for (char c : text) {
      if (c != ',') digits += c;
    }
  } else {
    digits = std::string(text);
  }
  if (digits.empty()) return false;
  if (digits.front() == '+') digits.erase(0, 1);
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    // from_chars reads "nan" and "inf"; those are reported as not finite below.
    return false;
  }
  *out = value;
  return true;
}

Result<double> NumberFromText(const std::string& text, const std::string& where) {
  std::string lower;
  for (char c : Trim(text)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "nan" || lower == "+inf" || lower == "-inf" || lower == "inf") {
    return CheckRange(std::nan(""));
  }
  double value = 0;
  if (!ParseDecoratedNumber(text, &value)) {
    std::string shown = text.size() > 40 ? text.substr(0, 40) + "…" : text;
    return Status::InvalidArgument(where + " holds \"" + shown + "\", which is not a number.");
  }
  return CheckRange(value);
}

Result<double> PickJson(const SourcePick& pick, const std::string& body) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded()) return Status::InvalidArgument("The answer is not valid JSON.");
  nlohmann::json::json_pointer pointer(pick.text);  // checked by ParseSourcePick
  if (!document.contains(pointer)) {
    return Status::InvalidArgument("The answer has nothing at " + pick.text + ".");
  }
  const nlohmann::json& value = document.at(pointer);
  if (value.is_number()) return CheckRange(value.get<double>());
  if (value.is_string()) return NumberFromText(value.get<std::string>(), pick.text);
  return Status::InvalidArgument(pick.text + " is " + std::string(value.type_name()) +
                                 ", not a number.");
}

std::string CellName(int column, int row) {
  std::string letters;
  for (int c = column + 1; c > 0; c = (c - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  }
  return letters + std::to_string(row + 1);
}

Result<double> PickCsv(const SourcePick& pick, const std::string& body) {
  // A 1 MiB body cannot hold more rows than bytes.
  auto records = ReadCsv(body, static_cast<int>(body.size()) + 1, ',');
  if (!records.ok()) return Status::InvalidArgument("The answer: " + records.status().message());
  const std::string cell = CellName(pick.column, pick.row);
  const int want_row = pick.row + 1;  // CsvRecord rows are 1-based, as B7 is
  auto record = std::find_if(records->begin(), records->end(),
                             [&](const CsvRecord& r) { return r.row == want_row; });
  if (record == records->end() || pick.column >= static_cast<int>(record->cells.size())) {
    return Status::InvalidArgument("The CSV has no cell " + cell + ".");
  }
  const std::string& text = record->cells[pick.column];
  if (Trim(text).empty()) return Status::InvalidArgument("Cell " + cell + " is empty.");
  return NumberFromText(text, "Cell " + cell);
}

}  // namespace

Result<SourcePick> ParseSourcePick(const std::string& text) {
  const Status usage = Status::InvalidArgument(
      "`pick:` is a JSON pointer such as /data/result/0/value/1 or a spreadsheet cell such "
      "as B7.");
  SourcePick pick;
  pick.text = text;
  if (text.empty() || text.size() > 300) return usage;
  if (text[0] == '/') {
    try {
      nlohmann::json::json_pointer pointer(text);
      (void)pointer;
    } catch (const nlohmann::json::exception&) {
      return usage;
    }
    pick.kind = SourcePick::Kind::kJsonPointer;
    return pick;
  }
  size_t i = 0;
  int column = 0;
  while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
    column = column * 26 + (std::toupper(static_cast<unsigned char>(text[i])) - 'A' + 1);
    ++i;
  }
  if (i == 0 || i > 3 || i == text.size() || text[i] == '0') return usage;
  int row = 0;
  for (size_t j = i; j < text.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(text[j]))) return usage;
    row = row * 10 + (text[j] - '0');
    if (row > kMaxCsvRow) return usage;
  }
  pick.kind = SourcePick::Kind::kCsvCell;
  pick.column = column - 1;
  pick.row = row - 1;
  pick.text = CellName(pick.column, pick.row);
  return pick;
}

Result<double> PickValue(const SourcePick& pick, const std::string& body) {
  return pick.kind == SourcePick::Kind::kJsonPointer ? PickJson(pick, body) : PickCsv(pick, body);
}

Result<std::chrono::seconds> ParseSourceEvery(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty() || lower == "6h") return kDefaultSourceEvery;
  if (lower == "1h") return std::chrono::seconds(3600);
  if (lower == "1d" || lower == "24h") return std::chrono::seconds(24 * 3600);
  return Status::InvalidArgument("`every:` is 1h, 6h or 1d.");
}

}  // namespace okrbot
