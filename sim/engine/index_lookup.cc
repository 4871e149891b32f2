#include "engine/index_lookup.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ccsim {

namespace {

// Whether x's type is numeric as PostgreSQL parses it: a number written
// with a point, or arithmetic with one.
bool numeric_valued(const Expr& x) {
  if (x.kind == ExprKind::kLiteral)
    return x.decimal_literal || std::holds_alternative<Decimal>(x.literal);
  if (x.kind == ExprKind::kNeg) return numeric_valued(*x.lhs);
  if (x.kind == ExprKind::kBinary && x.op <= BinOp::kMod)
    return numeric_valued(*x.lhs) || numeric_valued(*x.rhs);
  return false;
}

// When e compares column `key` of t with a value (constants, parameters and
// scalar subqueries only: column_free): that value, with *op the comparison
// turned so that the key is on the left; else null. A numeric value beside
// an int or bigint key is no index condition (int4 = numeric is not in the
// integer index's operator family): null too.
const Expr* key_compare(const Table& t, const Expr& e, const std::string& key, BinOp* op) {
  if (e.kind != ExprKind::kBinary || e.op < BinOp::kEq || e.op > BinOp::kGe) return nullptr;
  const Expr* l = e.lhs.get();
  const Expr* r = e.rhs.get();
  BinOp o = e.op;
  if (l->kind != ExprKind::kColumn || l->name != key || l->excluded) {
    std::swap(l, r);
    o = o == BinOp::kLt   ? BinOp::kGt
        : o == BinOp::kGt ? BinOp::kLt
        : o == BinOp::kLe ? BinOp::kGe
        : o == BinOp::kGe ? BinOp::kLe
                          : o;
  }
  if (l->kind != ExprKind::kColumn || l->name != key || l->excluded || !column_free(*r))
    return nullptr;
  if (numeric_valued(*r))
    if (int i = t.column_index(key); i >= 0) {
      ColumnType ct = t.columns[static_cast<size_t>(i)].type;
      if (ct == ColumnType::kInt || ct == ColumnType::kBigInt) return nullptr;
    }
  *op = o;
  return r;
}

// The planner's default selectivities for a table without statistics
// (PostgreSQL's selfuncs.h): = 0.005, <> 0.995, an inequality 1/3, IS NULL
// 0.005; AND multiplies, OR adds less the overlap. A comparison that names
// no column is evaluated once, before the scan: it filters no row here.
double selectivity(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNot:
      return 1.0 - selectivity(*e.lhs);
    case ExprKind::kIsNull:
      return column_free(e) ? 1.0 : 0.005;
    case ExprKind::kIsNotNull:
      return column_free(e) ? 1.0 : 0.995;
    // IS DISTINCT FROM: the complement of =; IS NOT DISTINCT FROM (NOT of
    // it) then is ='s own.
    case ExprKind::kIsDistinct:
      return column_free(e) ? 1.0 : 0.995;
    case ExprKind::kIsNotDistinct:
      return column_free(e) ? 1.0 : 0.005;
    case ExprKind::kColumn:
      return 0.5;  // a boolean column alone
    case ExprKind::kAdvisory:
      return 1.0 / 3.0;  // a boolean function without an estimator (a try form alone)
    case ExprKind::kBinary: {
      if (e.op == BinOp::kAnd) return selectivity(*e.lhs) * selectivity(*e.rhs);
      if (e.op == BinOp::kOr) {
        double a = selectivity(*e.lhs), b = selectivity(*e.rhs);
        return a + b - a * b;
      }
      if (column_free(e)) return 1.0;
      if (e.op == BinOp::kEq) return 0.005;
      if (e.op == BinOp::kNe) return 0.995;
      return 1.0 / 3.0;
    }
    default:
      return 1.0;
  }
}

// The values of an IN list (the ORs it became).
int in_list_values(const Expr& e) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kOr && e.in_list)
    return in_list_values(*e.lhs) + in_list_values(*e.rhs);
  return 1;
}

// The operators the filter evaluates per row (cpu_operator_cost each). An
// IN list of n values is one `= ANY (array)`: half of n comparisons on
// average, or for 9 values and more a hash probe and one comparison (its
// hash table is built once: in_list_startup).
double operators(const Expr* e) {
  if (!e || column_free(*e)) return 0;
  if (e->kind == ExprKind::kBinary && e->op == BinOp::kOr && e->in_list) {
    int n = in_list_values(*e);
    return n >= 9 ? 2 : 0.5 * n;
  }
  // An advisory-lock function costs as one operator (its procost is 1).
  int own = (e->kind == ExprKind::kBinary && e->op != BinOp::kAnd && e->op != BinOp::kOr) ||
            e->kind == ExprKind::kAdvisory || e->kind == ExprKind::kIsDistinct ||
            e->kind == ExprKind::kIsNotDistinct;
  return own + operators(e->lhs.get()) + operators(e->rhs.get());
}

// The hash tables of the IN lists of 9 values or more, built once per
// statement (cpu_operator_cost per value).
double in_list_startup(const Expr* e) {
  if (!e || column_free(*e)) return 0;
  if (e->kind == ExprKind::kBinary && e->op == BinOp::kOr && e->in_list) {
    int n = in_list_values(*e);
    return n >= 9 ? 0.0025 * n : 0;
  }
  return in_list_startup(e->lhs.get()) + in_list_startup(e->rhs.get());
}

// The estimated rows and pages of a table never vacuumed or analysed (the
// shape of every table a scenario creates): at least 10 pages (the
// planner's guess for a new table) of (8192 - 24) / (width + 28) rows each.
struct TableSize {
  double pages, rows;
};
double column_width(const Column& c);
TableSize table_size(const Table& t, size_t rows) {
  double width = 28;
  for (const Column& c : t.columns) width += column_width(c);
  const double per_page = std::floor((8192 - 24) / width);
  const double pages = std::max(10.0, std::ceil(static_cast<double>(rows) / per_page));
  return {pages, per_page * pages};
}

// PostgreSQL's average width of a column without statistics
// (get_typavgwidth): fixed-size types their size, varchar(n) from its
// longest value in UTF-8, any other text 32 bytes.
double column_width(const Column& c) {
  switch (c.type) {
    case ColumnType::kInt:
      return 4;
    case ColumnType::kBigInt:
      return 8;
    case ColumnType::kBool:
      return 1;
    case ColumnType::kDate:
      return 4;
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
      return 8;
    case ColumnType::kNumeric:
      return 32;
    case ColumnType::kText:
      break;
  }
  if (c.max_length <= 0) return 32;
  double max = static_cast<double>(c.max_length) * 4 + 4;
  if (max <= 32) return max;
  return max < 1000 ? 32 + std::floor((max - 32) / 2) : 32 + (1000 - 32) / 2;
}

// ---- Rule: an unknown literal looked up in an integer key -----------------------
// A quoted literal ('1') beside an int, bigint or numeric key is read as the
// key's type, as the WHERE reads it. True when v can be looked up (read, if
// it was such a literal); false leaves the lookup to the WHERE: a text that
// does not read as one, or any other text, whose error the WHERE gives.
// ---- Rule: a numeric beside an integer key is no index condition ---------------
// int4 = numeric is not an operator of the integer index's family, so
// PostgreSQL compares such a value in a filter (a sequential scan): left to
// the WHERE. A number looked up in a numeric(p, s) key is put at the key's
// scale, as the key's values are stored (one that does not fit matches none).
bool integer_key(const Expr& val, Value& v, const Column& c) {
  const ColumnType ct = c.type;
  if ((ct == ColumnType::kInt || ct == ColumnType::kBigInt) &&
      (std::holds_alternative<Decimal>(v) || val.decimal_literal))
    return false;
  if (ct == ColumnType::kNumeric && c.precision > 0 && is_number(v)) {
    if (std::optional<Value> at = exactly_at_scale(v, c.scale)) v = *at;
    return true;
  }
  if (!std::holds_alternative<std::string>(v) ||
      !(ct == ColumnType::kInt || ct == ColumnType::kBigInt || ct == ColumnType::kNumeric))
    return true;
  if (!is_unknown_literal(val)) return false;
  try {
    v = number_input(std::get<std::string>(v), ct);
    return integer_key(val, v, c);
  } catch (const SqlError&) {
    return false;
  }
}

}  // namespace

// ---- Rule: ORDER BY key LIMIT n walks the index --------------------------------
// The planner's two ways to answer `WHERE f ORDER BY key LIMIT n`, costed
// as PostgreSQL 15 costs them for a table never vacuumed or analysed (the
// shape of every table a scenario creates):
// - its size: at least 10 pages (the planner's guess for a new table) of
//   (8192 - 24) / (width + 28) rows each, R rows in all;
// - scan and sort: 10 + R * (0.01 + 0.0025 * operators in f), plus the top-n
//   sort's comparisons, all paid before the first row;
// - the index walk: 0.15 to start, then 40 for the heap's 10 pages fetched
//   at random, 4 for each index page past the metapage (none while the
//   table never held a row, one after), and R * (0.015 + 0.0025 *
//   operators) for all R rows, of which LIMIT n needs the share n / M,
//   where M = R * selectivity(f) is the rows f is expected to keep.
// The cheaper wins. These reproduce EXPLAIN's costs on PostgreSQL 15 for
// tables of up to a few hundred rows (checked with EXPLAIN for LIMIT 1 to 6
// over several column types; tests/verify/ordered_key_scan.toml checks what
// each plan locks against a real server).
namespace {

// The walk of the key's index against scanning and sorting, for `WHERE
// where ORDER BY key LIMIT limit` (ordered_key_scan, above).
bool walk_cheaper(const Table& t, const Expr* where, int64_t limit, size_t rows) {
  const double index_pages = rows == 0 ? 0 : 1;
  const auto [pages, r] = table_size(t, rows);
  const double ops = operators(where);
  const double m = std::max(1.0, std::rint(r * (where ? selectivity(*where) : 1.0)));
  const double n = static_cast<double>(limit);
  const double share = std::min(1.0, n / m);
  const double sorted = 2 * n < m ? 0.005 * m * std::log2(std::max(2.0, 2 * n))
                                  : 0.005 * m * std::log2(std::max(2.0, m));
  const double scan_and_sort = pages + r * (0.01 + 0.0025 * ops) + sorted + 0.0025 * m * share;
  const double walk = 0.15 + (40 + 4 * index_pages + r * (0.015 + 0.0025 * ops)) * share;
  return walk < scan_and_sort;
}

}  // namespace

bool ordered_key_scan(const Table& t, const SelectStmt& sel, size_t rows) {
  if (!sel.order_by || !sel.limit) return false;
  const int key = t.single_key_column();
  if (key < 0 || sel.order_by->column != t.columns[static_cast<size_t>(key)].name) return false;
  return walk_cheaper(t, sel.where.get(), *sel.limit, rows);
}

// ---- Rule: min() and max() of an index's first column walk the index ------------
// PostgreSQL answers a select list whose aggregates are all min(col) or
// max(col), each col the first column of a unique index (the primary
// key's or another), by a walk of that index for each (planagg.c:
// `SELECT col FROM t WHERE col IS NOT NULL AND ... ORDER BY col [DESC]
// LIMIT 1`), when that walk costs less than scanning the table (as
// ordered_key_scan decides).
bool minmax_key_walk(const Table& t, const SelectStmt& sel, const Expr* where, size_t rows) {
  if (sel.aggregates.empty()) return false;
  const int key = t.single_key_column();
  auto leads = [&](const std::string& column) {
    int c = t.column_index(column);
    if (c < 0) return false;
    if (key == c) return true;
    for (const UniqueKey& u : t.uniques)
      if (u.columns.front() == c) return true;
    return false;
  };
  for (const Aggregate& a : sel.aggregates)
    if ((a.kind != AggKind::kMin && a.kind != AggKind::kMax) || !leads(a.column)) return false;
  return walk_cheaper(t, where, 1, rows);
}

// ---- Rule: what a SERIALIZABLE statement reads (SIREAD locks) --------------
// PostgreSQL looks rows up through the primary key's index when the WHERE
// pins the key (key = value, alone or ANDed with more; key IN (...) or an OR
// of such lookups, each key looked up), and otherwise scans the whole table.
// An index lookup locks the index page and the tuples it fetched; a
// sequential scan locks the relation. Returns the keys' values when the
// index is used.
std::optional<std::vector<Value>> index_lookup(const Table& t, const Expr* where, const Vars& vars,
                                               const SubqueryValues* subqueries) {
  const int key_column = t.single_key_column();
  if (!where || key_column < 0) return std::nullopt;
  const std::string& key = t.columns[static_cast<size_t>(key_column)].name;
  if (where->kind == ExprKind::kBinary && where->op == BinOp::kAnd) {
    if (auto v = index_lookup(t, where->lhs.get(), vars, subqueries)) return v;
    return index_lookup(t, where->rhs.get(), vars, subqueries);
  }
  if (where->kind == ExprKind::kBinary && where->op == BinOp::kOr) {
    auto a = index_lookup(t, where->lhs.get(), vars, subqueries);
    auto b = index_lookup(t, where->rhs.get(), vars, subqueries);
    if (!a || !b) return std::nullopt;
    a->insert(a->end(), b->begin(), b->end());
    return a;
  }
  BinOp op;
  const Expr* val = key_compare(t, *where, key, &op);
  if (!val || op != BinOp::kEq || !subqueries_computed(*val, subqueries)) return std::nullopt;
  EvalEnv env{nullptr, nullptr, &vars, nullptr, true};
  env.subqueries = subqueries;
  Value v = eval_value(*val, env);
  // A text looked up in a date or timestamp key is read as one (as the
  // WHERE reads it); one that is not leaves the lookup to the WHERE's error.
  ColumnType ct = t.columns[static_cast<size_t>(key_column)].type;
  // A typed literal of another type is compared as the higher of the two:
  // left to the WHERE.
  if (val->kind == ExprKind::kLiteral && val->typed && *val->typed != ct) return std::nullopt;
  if (is_datetime(ct) && std::holds_alternative<std::string>(v)) {
    try {
      v = datetime_value(std::get<std::string>(v), ct);
    } catch (const SqlError&) {
      return std::nullopt;
    }
  }
  if (!integer_key(*val, v, t.columns[static_cast<size_t>(key_column)])) return std::nullopt;
  return std::vector<Value>{v};
}

namespace {

// Whether e is an IN list of values for column `key`.
bool key_in_list(const Table& t, const Expr& e, const std::string& key) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kOr && e.in_list)
    return key_in_list(t, *e.lhs, key) && key_in_list(t, *e.rhs, key);
  BinOp op;
  return key_compare(t, e, key, &op) && op == BinOp::kEq;
}

// What the ANDed conditions of a WHERE ask of the key's index.
struct KeyQuals {
  int values = 0;  // an IN list's values
  int lists = 0;   // IN lists on the key
  int bounds = 0;  // <, <=, >, >= on the key
  bool lower = false, upper = false;
  bool equal = false;  // key = value
};
void key_quals(const Table& t, const Expr& e, const std::string& key, KeyQuals& q) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kAnd) {
    key_quals(t, *e.lhs, key, q);
    key_quals(t, *e.rhs, key, q);
    return;
  }
  BinOp op;
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kOr && e.in_list && key_in_list(t, e, key)) {
    ++q.lists;
    q.values = in_list_values(e);
  } else if (key_compare(t, e, key, &op) && op != BinOp::kNe) {
    q.equal |= op == BinOp::kEq;
    q.lower |= op == BinOp::kGt || op == BinOp::kGe;
    q.upper |= op == BinOp::kLt || op == BinOp::kLe;
    q.bounds += op != BinOp::kEq;
  }
}

void collect_key_quals(const Table& t, const Expr& e, const std::string& key,
                       std::vector<const Expr*>& out) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kAnd) {
    collect_key_quals(t, *e.lhs, key, out);
    collect_key_quals(t, *e.rhs, key, out);
    return;
  }
  BinOp op;
  if ((e.kind == ExprKind::kBinary && e.op == BinOp::kOr && e.in_list && key_in_list(t, e, key)) ||
      (key_compare(t, e, key, &op) && op != BinOp::kNe))
    out.push_back(&e);
}

// Whether a comparison in the WHERE (through AND and OR) gives one of
// `columns` a value holding a scalar subquery, with = when equal_only.
bool subquery_compared(const Table& t, const Expr& e, const std::vector<int>& columns,
                       bool equal_only) {
  if (e.kind == ExprKind::kBinary && (e.op == BinOp::kAnd || e.op == BinOp::kOr))
    return subquery_compared(t, *e.lhs, columns, equal_only) ||
           subquery_compared(t, *e.rhs, columns, equal_only);
  for (int c : columns) {
    BinOp op;
    const Expr* val = key_compare(t, e, t.columns[static_cast<size_t>(c)].name, &op);
    if (val && (op == BinOp::kEq || !equal_only) && has_subquery(val)) return true;
  }
  return false;
}

}  // namespace

bool index_key_subquery(const Table& t, const Expr* where, size_t rows) {
  if (!where) return false;
  // An equality on the primary key's or a unique index's columns: an index
  // scan, whatever the costs.
  if (subquery_compared(t, *where, t.key_columns(), true)) return true;
  for (const UniqueKey& u : t.uniques)
    if (subquery_compared(t, *where, u.columns, true)) return true;
  // A range or an IN list of the key: when the planner takes the bitmap scan.
  return subquery_compared(t, *where, t.key_columns(), false) && bitmap_key_scan(t, where, rows);
}

bool in_list_reads_table(const Table& t, const Expr* where, size_t rows) {
  const int key = t.single_key_column();
  if (!where || key < 0) return false;
  KeyQuals q;
  key_quals(t, *where, t.columns[static_cast<size_t>(key)].name, q);
  return !q.equal && q.lists == 1 && q.bounds == 0 && !bitmap_key_scan(t, where, rows);
}

std::vector<const Expr*> key_index_quals(const Table& t, const Expr* where) {
  std::vector<const Expr*> out;
  // A key of several columns: those on each of its columns (leading_key_scan).
  if (where)
    for (int k : t.key_columns())
      collect_key_quals(t, *where, t.columns[static_cast<size_t>(k)].name, out);
  return out;
}

// ---- Rule: a bitmap scan of the key's index returns rows in line order ---------
// Without ORDER BY, rows come back in the order the scan meets them. A
// sequential scan meets each row's visible version where it lies: an
// updated row after the rows written before its update. A bitmap scan of
// the primary key's index visits the heap in line-pointer order, where an
// updated row is found at the head of its HOT chain: the version it had
// before its last key change (every non-key update is HOT here, a table
// being one page). PostgreSQL 15 plans `key IN (...)` and key ranges as a
// bitmap scan when its costs say so, for a table never vacuumed or
// analysed (every scenario's table):
// - the index scan: genericcostestimate and btcostestimate for an index of
//   one leaf page (two pages with the metapage, one before any row) and
//   as many entries as the table's estimated R rows; an IN list of n
//   values is n index scans (`= ANY`) of R / n... rows each; a bound on
//   the key keeps 1/3 of the rows, two bounds 0.005 of them; an equality
//   keeps 1/R: then a plain index scan fetches at most one row, and the
//   order does not matter;
// - the heap: cost_bitmap_heap_scan, Mackert-Lohman over the table's
//   pages, each random page cheaper the more of them are fetched;
// - the sequential scan: its pages plus R times the WHERE's cost per row.
// The bitmap scan wins when it is cheaper by more than add_path's 1%.
// Other shapes (an OR of equalities, an IN list beside a bound) are left to
// the sequential scan's order; a key of several columns: leading_key_scan. Checked
// against EXPLAIN on PostgreSQL 15 (tests/engine/scan_order_test.cc).
namespace {

// Whether a bitmap scan of the key's index, its index conditions keeping
// the share `sel` of the table's estimated rows over `scans` index scans
// with `quals` conditions each, costs less than a sequential scan with the
// same WHERE (the rule above). `visited`: the share of the index's entries
// the scans pass (their boundary conditions'), when that is more than sel.
bool bitmap_cheaper(const Table& t, const Expr* where, size_t rows, double sel, double scans,
                    double quals, double visited) {
  const auto [pages, r] = table_size(t, rows);
  const double index_pages = rows == 0 ? 1 : 2;
  double tuples = std::clamp(std::rint(visited * r / scans), 1.0, r);
  const double leaf_pages = index_pages > 1 && r > 1 ? std::ceil(tuples * index_pages / r) : 1;
  double index = 0;
  if (scans > 1) {
    const double n = leaf_pages * scans;
    index = std::ceil(std::min(2 * index_pages * n / (2 * index_pages + n), index_pages)) * 4;
  } else {
    index = leaf_pages * 4;
  }
  index += tuples * scans * (0.005 + 0.0025 * quals);
  if (r > 1) index += scans * std::ceil(std::log2(r)) * 0.0025;
  index += scans * 50 * 0.0025;
  const double fetched = std::max(1.0, std::rint(sel * r));
  index += 0.1 * 0.0025 * fetched;
  double heap_pages = 2 * pages * fetched / (2 * pages + fetched);
  heap_pages = heap_pages >= pages ? pages : std::ceil(heap_pages);
  const double per_page = heap_pages >= 2 ? 4 - 3 * std::sqrt(heap_pages / pages) : 4;
  const double per_row = 0.01 + 0.0025 * operators(where);
  const double startup = in_list_startup(where);
  const double bitmap = startup + index + heap_pages * per_page + per_row * fetched;
  const double seq = startup + pages + r * per_row;
  return bitmap * 1.01 < seq;
}

// ---- Rule: the columns of a key of several columns ---------------------------------
// Comparisons with values on the first column of a key (a, b, ...) (`a =
// 1`, `a > 1`, `a >= 1 AND a < 3`, `a IN (1, 2)`), with or without more on
// its later columns (`a = 1 AND b > 1`), short of the whole key pinned
// (composite_key_lookup), are index conditions of a bitmap scan of the
// key's index when that is cheaper than the sequential scan. Each keeps the
// planner's default share of the rows (an equality 0.005, a bound 1/3, two
// bounds on one column 0.005), multiplied; for a table never vacuumed or
// analysed (at least 10 pages) the scan wins for these (EXPLAIN on
// PostgreSQL 15: Bitmap Index Scan on m_pkey, Index Cond: (a = 1), (a > 1),
// ((a = 1) AND (b > 1))). `a IN (...)` is one index scan per value (Index
// Cond: (a = ANY (...))). Conditions on later columns alone (`b = 1`) are
// index conditions too, of a scan that passes every entry of the index
// (btcostestimate: only the boundary conditions, on the columns from the
// first up to the first without an equality, narrow the entries passed):
// cheaper than the sequential scan on a narrow table (c (a int, b int, v
// int): Bitmap Index Scan on c_pkey, Index Cond: (b = 1)), not on a wider
// one (m above, with a text column: Seq Scan). At SERIALIZABLE the scan
// locks the index page and the rows found, not the relation. An IN list on
// a later column (`a = 1 AND b IN (...)`, a plain Index Scan in key order)
// is left to the sequential scan (not modelled).
bool leading_key_scan(const Table& t, const Expr* where, size_t rows) {
  const std::vector<int> keys = t.key_columns();
  double sel = 1, scans = 1, visited = 1;
  bool boundary = true;  // the columns so far narrow the entries passed
  int quals = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    KeyQuals q;
    key_quals(t, *where, t.columns[static_cast<size_t>(keys[i])].name, q);
    if (i == 0 && q.lists == 1 && !q.equal && q.bounds == 0) {
      // `a IN (...)`: one index scan per value (= ANY), each value 0.005
      sel = visited = 1 - std::pow(1 - 0.005, q.values);
      scans = q.values > 1 ? q.values : 1;
      quals = 1;
      continue;
    }
    if (q.lists) return false;
    const double share = q.equal    ? 0.005
                         : q.bounds ? (q.lower && q.upper ? 0.005 : 1.0 / 3.0)
                                    : 1.0;
    sel *= share;
    if (boundary) visited *= share;
    boundary = boundary && q.equal;
    quals += (q.equal ? 1 : 0) + q.bounds;
  }
  if (quals == 0) return false;  // no condition on the key's columns
  return bitmap_cheaper(t, where, rows, sel, scans, quals, visited);
}

}  // namespace

bool bitmap_key_scan(const Table& t, const Expr* where, size_t rows) {
  if (!where) return false;
  if (t.key_column_count() >= 2) return leading_key_scan(t, where, rows);
  const int key = t.single_key_column();
  if (key < 0) return false;
  KeyQuals q;
  key_quals(t, *where, t.columns[static_cast<size_t>(key)].name, q);
  // An equality fetches one row at most: its order does not matter. No
  // index qual, or an IN list beside bounds or another list: not modelled.
  if (q.equal || q.lists > 1 || (q.lists == 0) == (q.bounds == 0)) return false;
  const int values = q.values, bounds = q.bounds;
  const bool lower = q.lower, upper = q.upper;
  const auto [pages, r] = table_size(t, rows);
  (void)pages;
  const double sel =
      values ? 1 - std::pow(1 - 1 / r, values) : (lower && upper ? 0.005 : 1.0 / 3.0);
  return bitmap_cheaper(t, where, rows, sel, values > 1 ? values : 1, values ? 1 : bounds, sel);
}

// The whole of a key of several columns, when the WHERE's ANDed conditions
// pin every column of it to a value (`a = 1 AND b = 2`): PostgreSQL looks
// that key up in the index, as it does a one-column key (index_lookup).
std::optional<Row> composite_key_lookup(const Table& t, const Expr* where, const Vars& vars,
                                        const SubqueryValues* subqueries) {
  if (t.key_column_count() < 2) return std::nullopt;
  return pinned_key(t, t.key_columns(), where, vars, subqueries);
}

// ---- Rule: a unique index pinned by equalities is looked up -------------------
// When the WHERE pins every column of a unique index besides the primary
// key's to a value, PostgreSQL's planner reads through that index (it
// expects one row), as through the primary key's.
std::optional<std::pair<size_t, Row>> unique_lookup(const Table& t, const Expr* where,
                                                    const Vars& vars,
                                                    const SubqueryValues* subqueries) {
  for (size_t i = 0; i < t.uniques.size(); ++i)
    if (auto key = pinned_key(t, t.uniques[i].columns, where, vars, subqueries))
      return std::make_pair(i, std::move(*key));
  return std::nullopt;
}

std::optional<Row> pinned_key(const Table& t, const std::vector<int>& keys, const Expr* where,
                              const Vars& vars, const SubqueryValues* subqueries) {
  if (!where || keys.empty()) return std::nullopt;
  std::vector<std::optional<Value>> found(keys.size());
  std::vector<const Expr*> todo{where};
  while (!todo.empty()) {
    const Expr* e = todo.back();
    todo.pop_back();
    if (e->kind != ExprKind::kBinary) continue;
    if (e->op == BinOp::kAnd) {
      todo.push_back(e->lhs.get());
      todo.push_back(e->rhs.get());
      continue;
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      const Column& c = t.columns[static_cast<size_t>(keys[i])];
      BinOp op;
      const Expr* val = key_compare(t, *e, c.name, &op);
      if (!val || op != BinOp::kEq || found[i]) continue;
      // A text compared with a date or timestamp key is left to the WHERE.
      if (is_datetime(c.type) || !subqueries_computed(*val, subqueries)) return std::nullopt;
      EvalEnv env{nullptr, nullptr, &vars, nullptr, true};
      env.subqueries = subqueries;
      found[i] = eval_value(*val, env);
      if (!integer_key(*val, *found[i], c)) return std::nullopt;
    }
  }
  Row key;
  for (auto& v : found) {
    if (!v) return std::nullopt;
    key.push_back(std::move(*v));
  }
  return key;
}

}  // namespace ccsim
