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

// True when `after` changes a column of a unique index (the primary key's
// or another): PostgreSQL's update locks the row FOR UPDATE (a key update).
bool changes_key(const Table& t, const Row& before, const Row& after);
// True when `after` changes a column of any index (changes_key's, a plain
// index's, a partial index's or one its predicate reads): PostgreSQL's
// update is then not HOT and makes new entries in every index.
bool changes_index(const Table& t, const Row& before, const Row& after);

// A table's unique indexes are numbered: 0 its primary key's (no columns
// without one), then 1.. its other unique indexes (Table::uniques).
std::vector<int> index_columns(const Table& t, size_t index);
// Whether a row version with these values is in unique index `index` (0
// the primary key's, 1.. Table::uniques): always, but for a partial index
// only where its predicate is true.
bool in_index(const Table& t, size_t index, const Row& values);

const std::string& index_name(const Table& t, size_t index);
// The same for a row with these values: a partitioned table's partition's
// own index (Partition::index_names).
const std::string& index_name(const Table& t, size_t index, const Row& row);

// A live row whose key in a unique index equals that of `values` (other
// than row `except`), the first in index order: its newest version with
// that key (older than the row's newest when an unfinished transaction
// changed the key), and whether a transaction that has not finished
// created or deleted it (then PostgreSQL waits for that transaction).
struct KeyConflict {
  RowId row;
  VersionId version;
  bool unfinished;
  size_t index;  // the unique index it was met in
};
// `only`: look in these indexes alone (ON CONFLICT's arbiters); null: all.
std::optional<KeyConflict> find_key_conflict(const Store& s, TableId tid, const Row& values,
                                             TxnId self, RowId except,
                                             const std::vector<size_t>* only = nullptr);

// The row to wait on before the key can be known free, or nothing when it is
// free; 23505 when a finished transaction's live row holds it.
std::optional<RowId> key_conflict(const Store& s, TableId tid, const Row& values, TxnId self,
                                  RowId except);

// ON CONFLICT's arbiter indexes: the unique index whose columns its target
// names, or without a target every one. 42P10 when none matches.
std::vector<size_t> arbiters(const Table& t, const OnConflict& oc);

// key_conflict, but at SERIALIZABLE a transaction that read the key and lost
// the race fails with 40001 rather than 23505.
std::optional<RowId> unique_check(Store& s, TableId tid, const Row& values, TxnId self,
                                  RowId except);

}  // namespace ccsim
