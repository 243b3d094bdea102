// The vocabulary the SQL core (storage/sql_store.h) speaks to an engine: a constant statement
// (Sql), its typed parameters (SqlParams), a result row (SqlRow) and a connection
// (SqlConnection). SQLAlchemy Core / jOOQ in miniature: a query is written once, with `$1`..`$n`
// placeholders and `{marker}`s that the engine's dialect (storage/sql_dialect.h) spells out.
//
// Contract:
// - A Sql is a constant statement with static storage duration (a function-local static or a
//   static table): engines translate and prepare it once per connection, keyed by its address,
//   so its text must never be built from values.
// - SqlParams holds the parameters in placeholder order ($1 first). Text(std::string_view) only
//   refers to the caller's bytes, which must outlive the statement's run; Text(std::string&&)
//   keeps its own copy. Values that cannot round-trip are refused while adding (NaN reals, dates
//   outside 0000..9999) and the statement then fails with that status without running.
//   Times travel as Unix seconds, dates as YYYY-MM-DD text, bools as the engine's boolean.
// - SqlRow reads the columns of the current row by index (0 first); a row is valid only inside
//   the callback that receives it. Reading a NULL column as a non-optional value gives 0 / "".
// - SqlConnection runs statements on one engine connection inside the transaction (or read
//   snapshot) that its store opened; bodies never begin or end transactions themselves.
//
// Thread-safety: Sql and the free functions are immutable and thread-safe. SqlParams, SqlRow
// and SqlConnection are not: each belongs to the one thread running the body that uses it.
#pragma once

#include <array>
#include <cstdint>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/model.h"
#include "core/status.h"

namespace okrbot {

// A non-owning reference to a callable, for callbacks that run before the call returns (a
// std::function would allocate for every capture list larger than two pointers).
template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
                                        std::is_invocable_r_v<R, F&, Args...>>>
  FunctionRef(F&& callable)  // NOLINT(google-explicit-constructor)
      : object_(const_cast<void*>(static_cast<const void*>(&callable))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

// A constant statement (see the contract above).
class Sql {
 public:
  explicit Sql(std::string text) : text_(std::move(text)) {}
  Sql(const Sql&) = delete;
  Sql& operator=(const Sql&) = delete;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class SqlParams {
 public:
  enum class Kind { kNull, kInt, kBool, kReal, kText };
  struct Value {
    Kind kind;
    int64_t integer;        // kInt, kBool (0 or 1)
    double real;            // kReal
    std::string_view text;  // kText
  };
  // The most parameters one statement takes (key_results has 18 columns).
  static constexpr int kMaxParams = 24;

  SqlParams() = default;
  SqlParams(const SqlParams&) = delete;
  SqlParams& operator=(const SqlParams&) = delete;

  SqlParams& Text(std::string_view value) { return Add({Kind::kText, 0, 0, value}); }
  SqlParams& Text(const char* value) { return Text(std::string_view(value)); }
  SqlParams& Text(const std::string& value) { return Text(std::string_view(value)); }
  SqlParams& Text(std::string&& value) {
    owned_.push_front(std::move(value));
    return Text(std::string_view(owned_.front()));
  }
  SqlParams& Int(int64_t value) { return Add({Kind::kInt, value, 0, {}}); }
  SqlParams& Bool(bool value) { return Add({Kind::kBool, value ? 1 : 0, 0, {}}); }
  // `what` names the value in the message when it is refused.
  SqlParams& Real(double value, const char* what);
  SqlParams& Null() { return Add({Kind::kNull, 0, 0, {}}); }
  SqlParams& Time(Seconds value) { return Int(value.time_since_epoch().count()); }
  SqlParams& Date(Days value, const char* what);
  SqlParams& OptionalInt(const std::optional<int64_t>& value) {
    return value ? Int(*value) : Null();
  }
  SqlParams& OptionalReal(const std::optional<double>& value, const char* what) {
    return value ? Real(*value, what) : Null();
  }
  SqlParams& OptionalTime(const std::optional<Seconds>& value) {
    return value ? Time(*value) : Null();
  }
  SqlParams& OptionalDate(const std::optional<Days>& value, const char* what) {
    return value ? Date(*value, what) : Null();
  }
  // Fails the statement with `status` (validation done by the caller while adding).
  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
  }

  const Status& status() const { return status_; }
  int size() const { return size_; }
  const Value& operator[](int index) const { return values_[static_cast<size_t>(index)]; }

 private:
  SqlParams& Add(const Value& value);

  std::array<Value, kMaxParams> values_;
  int size_ = 0;
  std::forward_list<std::string> owned_;  // nodes never move, so views into them stay valid
  Status status_;
};

// One result row. Engines implement the column readers; the typed helpers build on them.
class SqlRow {
 public:
  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
  virtual double Real(int column) const = 0;
  virtual bool Bool(int column) const = 0;
  virtual std::string_view Text(int column) const = 0;

  std::string String(int column) const { return std::string(Text(column)); }
  Seconds Time(int column) const { return Seconds(std::chrono::seconds(Int(column))); }
  std::optional<int64_t> OptionalInt(int column) const;
  std::optional<double> OptionalReal(int column) const;
  std::optional<Seconds> OptionalTime(int column) const;
  // kInternal when the stored text is not YYYY-MM-DD.
  Status OptionalDate(int column, std::optional<Days>* out) const;

 protected:
  ~SqlRow() = default;
};

using SqlRowReader = FunctionRef<Status(const SqlRow&)>;

class SqlConnection {
 public:
  // Runs `sql`, calling `each_row` for every row in order; stops at the first failure.
  virtual Status Query(const Sql& sql, const SqlParams& params, SqlRowReader each_row) = 0;
  // Runs `sql` and returns how many rows it inserted, updated or deleted.
  virtual Result<int64_t> Execute(const Sql& sql, const SqlParams& params) = 0;
  // Runs an INSERT that ends in `{returning_id}` and returns the id of the new row.
  virtual Result<int64_t> InsertReturningId(const Sql& sql, const SqlParams& params) = 0;
  // Runs constant multi-statement text without parameters (migration DDL), untranslated.
  virtual Status ExecuteScript(const char* sql) = 0;

 protected:
  ~SqlConnection() = default;
};

using SqlBody = FunctionRef<Status(SqlConnection&)>;

}  // namespace okrbot
