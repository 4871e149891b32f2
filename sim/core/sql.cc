#include "core/sql.h"

namespace ccsim {

const char* to_sql(Isolation iso) {
  switch (iso) {
    case Isolation::kReadCommitted:
      return "READ COMMITTED";
    case Isolation::kRepeatableRead:
      return "REPEATABLE READ";
    case Isolation::kSerializable:
      return "SERIALIZABLE";
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
  }
  return "?";
}

std::optional<Isolation> isolation_named(const std::string& name) {
  for (Isolation i :
       {Isolation::kReadCommitted, Isolation::kRepeatableRead, Isolation::kSerializable})
    if (name == option_name(i)) return i;
  return std::nullopt;
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
  }
  return "?";
}

}  // namespace ccsim
