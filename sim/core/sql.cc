#include "core/sql.h"

#include <cctype>
#include <cmath>

namespace ccsim {

const char* to_sql(Isolation iso) {
  switch (iso) {
    case Isolation::kReadCommitted:
      return "READ COMMITTED";
    case Isolation::kRepeatableRead:
      return "REPEATABLE READ";
    case Isolation::kSerializable:
      return "SERIALIZABLE";
    case Isolation::kReadUncommitted:
      return "READ UNCOMMITTED";
  }
  return "?";
}

const char* option_name(Isolation iso) {
  switch (iso) {
    case Isolation::kReadCommitted:
      return "read-committed";
    case Isolation::kRepeatableRead:
      return "repeatable-read";
    case Isolation::kSerializable:
      return "serializable";
    case Isolation::kReadUncommitted:
      return "read-uncommitted";
  }
  return "?";
}

std::optional<Isolation> isolation_named(const std::string& name) {
  for (Isolation i :
       {Isolation::kReadCommitted, Isolation::kRepeatableRead, Isolation::kSerializable})
    if (name == option_name(i)) return i;
  return std::nullopt;
}

const char* to_sql(FkAction a) {
  switch (a) {
    case FkAction::kNoAction:
      return "NO ACTION";
    case FkAction::kRestrict:
      return "RESTRICT";
    case FkAction::kCascade:
      return "CASCADE";
    case FkAction::kSetNull:
      return "SET NULL";
    case FkAction::kSetDefault:
      return "SET DEFAULT";
  }
  return "NO ACTION";
}

const char* to_sql(LockMode m) {
  switch (m) {
    case LockMode::kKeyShare:
      return "FOR KEY SHARE";
    case LockMode::kShare:
      return "FOR SHARE";
    case LockMode::kNoKeyUpdate:
      return "FOR NO KEY UPDATE";
    case LockMode::kUpdate:
      return "FOR UPDATE";
    case LockMode::kAccessShare:
      return "ACCESS SHARE";
    case LockMode::kRowShare:
      return "ROW SHARE";
    case LockMode::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShareTable:
      return "SHARE";
    case LockMode::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive:
      return "EXCLUSIVE";
    case LockMode::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "?";
}

std::optional<LockMode> table_mode_named(const std::string& words) {
  for (int m = static_cast<int>(LockMode::kAccessShare);
       m <= static_cast<int>(LockMode::kAccessExclusive); ++m)
    if (words == to_sql(static_cast<LockMode>(m))) return static_cast<LockMode>(m);
  return std::nullopt;
}

const char* datetime_type_name(ColumnType t) {
  switch (t) {
    case ColumnType::kDate:
      return "date";
    case ColumnType::kTimestamp:
      return "timestamp without time zone";
    case ColumnType::kTimestampTz:
      return "timestamp with time zone";
    default:
      return "";
  }
}

const char* datetime_keyword(ColumnType t) {
  switch (t) {
    case ColumnType::kDate:
      return "DATE";
    case ColumnType::kTimestamp:
      return "TIMESTAMP";
    case ColumnType::kTimestampTz:
      return "TIMESTAMPTZ";
    default:
      return "";
  }
}

std::optional<int64_t> setting_ms(const std::string& text, int64_t min_ms) {
  size_t i = 0;
  auto space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  space();
  size_t start = i;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == start) return std::nullopt;
  double number = 0;
  try {
    size_t used = 0;
    number = std::stod(text.substr(start, i - start), &used);
    if (used != i - start) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  space();
  std::string unit = text.substr(i);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1},        {"us", 0.001},  {"ms", 1},      {"s", 1000},
      {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
  for (const auto& [name, scale] : kUnits)
    if (unit == name) {
      double ms = std::rint(number * scale);  // as PostgreSQL rounds: half to even
      if (ms < static_cast<double>(min_ms) || ms > 2147483647) return std::nullopt;
      return static_cast<int64_t>(ms);
    }
  return std::nullopt;
}

}  // namespace ccsim
