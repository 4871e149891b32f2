// Which rows a statement finds through a table's unique indexes (the
// primary key's and each UNIQUE's), and in which order, as PostgreSQL's
// planner chooses: for SERIALIZABLE's predicate locks an index scan locks
// the index page and the tuples it fetched, a sequential scan the whole
// relation.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "core/value.h"
#include "lang/ast.h"
#include "lang/eval.h"
#include "store/store.h"

namespace ccsim {

// The key values the WHERE looks up through the primary key (key = value,
// alone or ANDed with more; key IN (...) or an OR of such lookups), or
// nothing when the table is scanned.
// A value compared with a key may be a scalar subquery: looked up with its
// value from `subqueries` (PostgreSQL's InitPlan, run before the index scan);
// not computed, the WHERE is no lookup.
std::optional<std::vector<Value>> index_lookup(const Table& t, const Expr* where, const Vars& vars,
                                               const SubqueryValues* subqueries = nullptr);
// The value `val`, compared with column `column`, as an index condition
// reads it (a text read as a date key's date ...), or nothing when it is none.
std::optional<Value> compared_value(const Table& t, const Expr& val, int column, const Vars& vars,
                                    const SubqueryValues* subqueries = nullptr);
// The partitions a scan of partitioned table t with this WHERE reads, in
// order (PostgreSQL's pruning; index_lookup.cc says which conditions
// prune); {0} for a plain table.
std::vector<uint32_t> partitions_read(const Table& t, const Expr* where, const Vars& vars,
                                      const SubqueryValues* subqueries = nullptr);
// For a key of several columns: the key, when the WHERE pins all of it.
std::optional<Row> composite_key_lookup(const Table& t, const Expr* where, const Vars& vars,
                                        const SubqueryValues* subqueries = nullptr);
// The values the WHERE's ANDed equalities give every one of `columns`, or
// nothing when one is not pinned so.
std::optional<Row> pinned_key(const Table& t, const std::vector<int>& columns, const Expr* where,
                              const Vars& vars, const SubqueryValues* subqueries = nullptr);
// The first unique index besides the primary key's (Table::uniques) whose
// columns the WHERE pins, and their values.
std::optional<std::pair<size_t, Row>> unique_lookup(const Table& t, const Expr* where,
                                                    const Vars& vars,
                                                    const SubqueryValues* subqueries = nullptr);

// True when PostgreSQL's planner reads `SELECT ... WHERE ... ORDER BY key
// LIMIT n` by walking the primary key's index in order (and stopping after
// n rows), rather than scanning and sorting the table. `rows` is how many
// rows the table holds. The planner's choice is estimated from its costs for
// a table never analysed (see the .cc): the usual `ORDER BY id LIMIT 1` is
// an index walk, a LIMIT near the rows the WHERE is expected to keep is not.
bool ordered_key_scan(const Table& t, const SelectStmt& sel, size_t rows);
// True when PostgreSQL answers sel's aggregates, all min(col) or max(col)
// of the first column of a unique index (the primary key's or another), by
// walking that index for each (one row, the WHERE applied).
bool minmax_key_walk(const Table& t, const SelectStmt& sel, const Expr* where, size_t rows);
// The index minmax_key_walk walks: the first whose first column is the
// first aggregate's (empty when none is).
std::vector<int> minmax_index(const Table& t, const SelectStmt& sel);
// Whether sel, a SELECT without a locking clause, reads no column (in its
// output, `where` or ORDER BY) outside `index` (table columns): an
// index-only scan of it.
bool covers(const Table& t, const SelectStmt& sel, const Expr* where,
            const std::vector<int>& index);
// Whether that index-only scan reads no heap tuple: the table is of one
// page and all-visible (Table::all_visible). At SERIALIZABLE it then locks
// the heap page, not each tuple.
bool index_only(const Table& t, const SelectStmt& sel, const Expr* where,
                const std::vector<int>& index);

// How PostgreSQL's planner reads a table for a WHERE, as far as its
// unique indexes go (the primary key's and each UNIQUE's): a sequential
// scan (kNone), a bitmap scan (rows in line-pointer order) or a plain
// index scan (rows in the index's order), whichever its costs for a table
// never analysed make cheapest (see the .cc), with the conditions the
// index scans apply. `rows` is how many rows the table holds; `limit`, a
// LIMIT without ORDER BY. An index pinned whole by equalities (one row at
// most, whose order does not matter) and a WHERE no index has a condition
// of are kNone.
enum class KeyScan { kNone, kBitmap, kIndex };
struct KeyScanPlan {
  KeyScan kind = KeyScan::kNone;
  // The index conditions of the scan taken: a row meets them when, for
  // each entry (one per index scan a BitmapAnd intersects), it meets every
  // condition of one of its arms (a BitmapOr's arms; one arm otherwise).
  std::vector<std::vector<std::vector<const Expr*>>> conditions;
  // A plain index scan's row order: the table's columns to sort by (the
  // values of its IN lists' columns, then the index's columns).
  std::vector<int> order;
};
KeyScanPlan key_scan(const Table& t, const Expr* where, size_t rows,
                     std::optional<int64_t> limit = std::nullopt);
// Whether a WHERE that pins a unique index (index_lookup,
// composite_key_lookup, unique_lookup) is looked up in it: always for a
// table the planner never measured; for a measured one (Table::measured)
// when the lookup costs less than the sequential scan, which on a table
// of one page it never does.
bool lookup_planned(const Table& t, const Expr* where, size_t rows);
// The same for a foreign key's check of a key of `columns` columns in
// referenced table t.
bool key_check_planned(const Table& t, size_t columns);

// True when the WHERE's ANDed conditions pin a one-column primary key with
// = (a lookup of one key). index_lookup's keys from an IN list or an OR
// are read as key_scan plans them instead: through the index with all its
// conditions, or the whole table.
bool key_pinned(const Table& t, const Expr* where);
// The WHERE's ANDed comparisons of `column` with a value (=, <, <=, >, >=):
// where a walk of an index on it starts and stops.
std::vector<const Expr*> walk_bounds(const Table& t, const Expr* where, size_t column);
// True when the WHERE's scalar subquery gives the value of an index scan's
// key (an equality on the primary key's or a unique index's columns, or a
// range or IN list of the key read by an index scan): PostgreSQL computes
// that InitPlan when the scan starts, before it finds any row.
bool index_key_subquery(const Table& t, const Expr* where, size_t rows);

}  // namespace ccsim
