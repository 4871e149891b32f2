// Which rows a statement finds through the primary key's index, as
// PostgreSQL's planner does for SERIALIZABLE's predicate locks: an index
// lookup locks the index page and the tuples it fetched, a sequential scan
// the whole relation.
#pragma once

#include <optional>
#include <vector>

#include "core/value.h"
#include "lang/ast.h"
#include "lang/eval.h"
#include "store/store.h"

namespace ccsim {

// The key values the WHERE looks up through the primary key (key = value,
// alone or ANDed with more; key IN (...) or an OR of such lookups), or
// nothing when the table is scanned.
std::optional<std::vector<Value>> index_lookup(const Table& t, const Expr* where, const Vars& vars);

}  // namespace ccsim
