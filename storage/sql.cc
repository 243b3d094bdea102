#include "storage/sql.h"

#include <cmath>

namespace okrbot {

SqlParams& SqlParams::Add(const Value& value) {
  if (size_ == kMaxParams) {
    Fail(Status::Internal("A statement has more than " + std::to_string(kMaxParams) +
                          " parameters."));
    return *this;
  }
  values_[static_cast<size_t>(size_++)] = value;
  return *this;
}

SqlParams& SqlParams::Real(double value, const char* what) {
  // SQLite would store NaN as NULL and PostgreSQL as NaN; neither reads back as the model.
  if (std::isnan(value)) {
    Fail(Status::InvalidArgument(std::string("The value for ") + what + " is not a number."));
  }
  return Add({Kind::kReal, 0, value, {}});
}

SqlParams& SqlParams::Date(Days value, const char* what) {
  // Refuse days that would not read back (years outside 0000..9999).
  std::string text = FormatDate(value);
  Days parsed;
  if (!ParseDate(text, &parsed) || parsed != value) {
    Fail(Status::InvalidArgument(std::string("The date for ") + what + " is out of range."));
  }
  return Text(std::move(text));
}

std::optional<int64_t> SqlRow::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<double> SqlRow::OptionalReal(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Real(column);
}

std::optional<Seconds> SqlRow::OptionalTime(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Time(column);
}

Status SqlRow::OptionalDate(int column, std::optional<Days>* out) const {
  if (IsNull(column)) {
    out->reset();
    return Status::Ok();
  }
  Days day;
  std::string text = String(column);
  if (!ParseDate(text, &day)) {
    return Status::Internal("Stored date '" + text + "' is not YYYY-MM-DD.");
  }
  *out = day;
  return Status::Ok();
}

}  // namespace okrbot
