// SELECT count(*), count(col), sum(col), min(col), max(col): one result row
// over the rows the statement's WHERE kept, as PostgreSQL computes it.
#pragma once

#include <vector>

#include "engine/request_machine.h"
#include "lang/ast.h"
#include "store/store.h"

namespace ccsim {

// Fills a's columns (when narrating), its one row, the versions each value
// was computed from (for INTO) and its rowcount (1). `rows` are the versions
// the statement read, in order.
void aggregate_answer(const Store& s, TableId table, const SelectStmt& sel,
                      const std::vector<VersionId>& rows, bool narrate, SqlAnswer* a);

}  // namespace ccsim
