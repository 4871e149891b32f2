// Which rows a statement finds through the primary key's index, as
// PostgreSQL's planner does for SERIALIZABLE's predicate locks: an index
// lookup locks the index page and the tuples it fetched, a sequential scan
// the whole relation.
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

// True when PostgreSQL scans the table through a bitmap of its primary
// key's index for this WHERE (an IN list or a range of keys, or `a = value`
// on the first column of a key of several, when cheaper than a sequential
// scan): rows then come in line-pointer order.
bool bitmap_key_scan(const Table& t, const Expr* where, size_t rows);
// True when the WHERE's only condition on the key is an IN list and the
// planner reads the whole table for it (a wide table: bitmap_key_scan).
bool in_list_reads_table(const Table& t, const Expr* where, size_t rows);
// True when the WHERE's scalar subquery gives the value of an index scan's
// key (an equality on the primary key's or a unique index's columns, or a
// range or IN list of the key read by a bitmap scan): PostgreSQL computes
// that InitPlan when the scan starts, before it finds any row.
bool index_key_subquery(const Table& t, const Expr* where, size_t rows);
// The conditions of the WHERE (ANDed) that a scan of the primary key's
// index applies: an IN list or comparisons of the key (of its first column,
// for a key of several) with values. Empty without a key.
std::vector<const Expr*> key_index_quals(const Table& t, const Expr* where);

}  // namespace ccsim
