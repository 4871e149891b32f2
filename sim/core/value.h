// SQL values: NULL, 64-bit integers, text and booleans.
//
// Pure value types with total ordering for sorting and comparisons; the
// three-valued logic of SQL lives in lang/eval, not here.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ccsim {

struct Null {
  auto operator<=>(const Null&) const = default;
};

using Value = std::variant<Null, int64_t, std::string, bool>;
using Row = std::vector<Value>;

inline bool is_null(const Value& v) {
  return std::holds_alternative<Null>(v);
}

// Returns the value as SQL would print it in a literal: NULL, 42, 'it''s', true.
std::string to_sql(const Value& v);

// Returns the value as a result cell: NULL, 42, it's (no quotes), t or f (as
// PostgreSQL prints a boolean).
std::string to_display(const Value& v);

}  // namespace ccsim
