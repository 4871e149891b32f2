// The rules about tables, columns and keys that several of the executor's
// statements share (engine/executor.cc, engine/executor_insert.cc).
#pragma once
#include <optional>
#include <string>

#include "lang/ast.h"
#include "store/store.h"

namespace ccsim {

// The table or column of that name, or 42P01 / 42703 as PostgreSQL raises them.
TableId table_named(const Store& s, const std::string& name);
size_t column_named(const Table& t, const std::string& name);

// Whether e reads column `name` of the row it is evaluated on.
bool names_column(const Expr& e, const std::string& name);

// 23502 when a NOT NULL column of the row is NULL.
void check_not_null(const Table& t, const Row& row);

// A live row whose key equals that of `values` (other than row `except`):
// its newest version with that key (older than the row's newest when an
// unfinished transaction changed the key), and whether a transaction that has not finished
// created or deleted it (then PostgreSQL waits for that transaction).
struct KeyConflict {
  RowId row;
  VersionId version;
  bool unfinished;
};
std::optional<KeyConflict> find_key_conflict(const Store& s, TableId tid, const Row& values,
                                             TxnId self, RowId except);

// The row to wait on before the key can be known free, or nothing when it is
// free; 23505 when a finished transaction's live row holds it.
std::optional<RowId> key_conflict(const Store& s, TableId tid, const Row& values, TxnId self,
                                  RowId except);

// key_conflict, but at SERIALIZABLE a transaction that read the key and lost
// the race fails with 40001 rather than 23505.
std::optional<RowId> unique_check(Store& s, TableId tid, const Row& values, TxnId self,
                                  RowId except);

}  // namespace ccsim
