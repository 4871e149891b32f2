#include "core/value.h"

namespace ccsim {

std::string to_sql(const Value& v) {
  if (is_null(v)) return "NULL";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  std::string out = "'";
  for (char c : std::get<std::string>(v)) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string to_display(const Value& v) {
  if (is_null(v)) return "NULL";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "t" : "f";
  return std::get<std::string>(v);
}

}  // namespace ccsim
