// SQL values: NULL, 64-bit integers, text, booleans and numerics with a
// fraction.
//
// Pure value types with total ordering for sorting and comparisons; the
// three-valued logic of SQL lives in lang/eval, not here.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ccsim {

struct Null {
  auto operator<=>(const Null&) const = default;
};

// A numeric with digits after its point, as PostgreSQL keeps one: the
// value is units / 10^scale, and the scale is part of the value (1.5 and
// 1.50 print differently). A numeric without a fraction is an int64_t,
// however it was typed, so the scale here is 1 to kMaxScale. At most
// kMaxDigits digits in all: more is refused as not modelled (0A000).
struct Decimal {
  static constexpr int kMaxScale = 30;
  static constexpr int kMaxDigits = 38;
  Decimal() = default;
  Decimal(__int128 units, int scale_)
      : lo(static_cast<uint64_t>(units)), hi(static_cast<int64_t>(units >> 64)), scale(scale_) {}
  __int128 units() const {
    return static_cast<__int128>((static_cast<unsigned __int128>(static_cast<uint64_t>(hi)) << 64) |
                                 lo);
  }
  // The units in two halves, so that a Value stays 8-byte aligned and 40
  // bytes (an __int128 member would make every Value 48).
  uint64_t lo = 0;
  int64_t hi = 0;
  int scale = 1;
  // Equal when they print the same (a unique key compares numerics by
  // value: compare_sql); ordered by value, then by scale.
  friend bool operator==(const Decimal&, const Decimal&) = default;
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);
};

using Value = std::variant<Null, int64_t, std::string, bool, Decimal>;
using Row = std::vector<Value>;

inline bool is_null(const Value& v) {
  return std::holds_alternative<Null>(v);
}

// Returns the value as SQL would print it in a literal: NULL, 42, 'it''s', true, 1.50.
std::string to_sql(const Value& v);

// Returns the value as a result cell: NULL, 42, it's (no quotes), t or f (as
// PostgreSQL prints a boolean), 1.50.
std::string to_display(const Value& v);

// ---- numerics ----------------------------------------------------------------
// The text of a numeric: -0.50.
std::string decimal_text(const Decimal& d);
// True for a whole number or a Decimal.
inline bool is_number(const Value& v) {
  return std::holds_alternative<int64_t>(v) || std::holds_alternative<Decimal>(v);
}
// A number's value at the given scale (0..kMaxScale), rounded half away
// from zero as PostgreSQL rounds a numeric; nothing past kMaxDigits.
std::optional<__int128> units_at(const Value& number, int scale);
// The value units / 10^scale as ccsim keeps it: an int64_t when scale is
// 0 and it fits, else a Decimal (nothing past kMaxDigits).
std::optional<Value> number_value(__int128 units, int scale);
// A number at the given scale when that loses no digit (7 at scale 2 is
// 7.00, 1.50 at scale 0 is nothing): what a numeric(p, s) column holds
// equal to it.
std::optional<Value> exactly_at_scale(const Value& number, int scale);
// The scale of a number: 0 for a whole number.
inline int scale_of(const Value& number) {
  const Decimal* d = std::get_if<Decimal>(&number);
  return d ? d->scale : 0;
}
// Reads numeric input text as numeric_in does: spaces around, a sign,
// digits with at most one point (1.50, -.5, 3.), no exponent. The scale is
// the digits after the point (1.50 keeps 2; 3. is 3). Nothing when the
// text is not such a number or does not fit (kMaxDigits, kMaxScale).
std::optional<Value> numeric_text(const std::string& text);

// Orders two values as SQL compares them: numbers by value (an int64_t
// beside a Decimal too), anything else as Value orders.
std::weak_ordering compare_sql(const Value& a, const Value& b);

}  // namespace ccsim
