// Words for the trace: how rows, results and request lists are named in
// narration. Shared by the engine's events and the reports so a row is
// called the same everywhere (docs/trace_format.md).
#pragma once

#include <string>
#include <vector>

#include "engine/world.h"

namespace ccsim {

// Returns "auth_user(id=1)": the table and the row's key (or its row number
// when the table has no primary key).
std::string row_label(const Store& s, RowId r);

// Returns "A", "A and B", "A, B and C".
std::string names(const World& w, const std::vector<RequestId>& ids);

// Returns a SELECT result: "1 row: (1, 100)", "2 rows: (1, 100), (2, 50)", "0 rows".
std::string rows_text(const Store& s, const std::vector<VersionId>& rows,
                      const std::vector<int>& cols);

}  // namespace ccsim
