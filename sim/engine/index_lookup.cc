#include "engine/index_lookup.h"
#include "engine/row_rules.h"

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
      if (ct == ColumnType::kSmallInt || ct == ColumnType::kInt || ct == ColumnType::kBigInt)
        return nullptr;
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
    // A boolean test without statistics (booltestsel): IS UNKNOWN as IS
    // NULL; IS TRUE and IS NOT FALSE as the operand itself, IS FALSE and IS
    // NOT TRUE as its complement.
    case ExprKind::kBoolTest: {
      if (column_free(e)) return 1.0;
      const auto [negated, what] = bool_test_parts(e.name);
      if (what == "UNKNOWN") return negated ? 0.995 : 0.005;
      const double s = selectivity(*e.lhs);
      return (what == "TRUE") != negated ? s : 1.0 - s;
    }
    // IS DISTINCT FROM: the complement of =; IS NOT DISTINCT FROM (NOT of
    // it) then is ='s own.
    case ExprKind::kIsDistinct:
      return column_free(e) ? 1.0 : 0.995;
    case ExprKind::kIsNotDistinct:
      return column_free(e) ? 1.0 : 0.005;
    // LIKE without statistics: DEFAULT_MATCH_SEL, and its complement.
    case ExprKind::kLike:
      return column_free(e) ? 1.0 : e.name.front() == '!' ? 0.995 : 0.005;
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
            e->kind == ExprKind::kIsNotDistinct || e->kind == ExprKind::kLike;
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

// ---- Rule: the planner sizes a table by pg_class, or guesses ---------------------
// estimate_rel_size (table_block_relation_estimate_size): the table's
// pages now (Table::heap_pages, its rows' tuples laid in order); while it
// was never measured (reltuples -1: no VACUUM, ANALYZE or index
// built over its rows) at least 10 pages (the planner's guess for a new
// table), each full of (8192 - 24) / (width + 28) rows of the planner's
// average width; once measured, the pages it has, each holding as many
// rows as the measure found per page (a table measured empty and written
// since: full pages again). A measured table of one page is read
// sequentially where an index costs at least two random pages (8), as
// EXPLAIN shows after CREATE INDEX over rows, VACUUM or ANALYZE
// (tests/specs/measured_tables.spec). ANALYZE's column statistics are not
// modelled: the shares of the rows each condition keeps stay the defaults.
struct TableSize {
  double pages, rows;
};
double column_width(const Column& c);
double rows_per_page(const Table& t) {
  double width = 28;
  for (const Column& c : t.columns) width += column_width(c);
  return std::floor((8192 - 24) / width);
}
TableSize table_size(const Table& t) {
  const double per_page = rows_per_page(t);
  const double filled = t.heap_pages;
  if (!t.measured()) {
    const double pages = std::max(10.0, filled);
    return {pages, per_page * pages};
  }
  if (filled == 0) return {0, 0};
  const double density = t.relpages > 0 ? t.reltuples / t.relpages : per_page;
  return {filled, std::rint(density * filled)};
}

// PostgreSQL's average width of a column without statistics
// (get_typavgwidth): fixed-size types their size, varchar(n) from its
// longest value in UTF-8, any other text 32 bytes.
double column_width(const Column& c) {
  switch (c.type) {
    case ColumnType::kSmallInt:
      return 2;
    case ColumnType::kInt:
      return 4;
    case ColumnType::kBigInt:
      return 8;
    case ColumnType::kBool:
      return 1;
    case ColumnType::kUuid:
      return 16;
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
  if ((ct == ColumnType::kSmallInt || ct == ColumnType::kInt || ct == ColumnType::kBigInt) &&
      (std::holds_alternative<Decimal>(v) || val.decimal_literal))
    return false;
  if (ct == ColumnType::kNumeric && c.precision > 0 && is_number(v)) {
    if (std::optional<Value> at = exactly_at_scale(v, c.scale)) v = *at;
    return true;
  }
  if (!std::holds_alternative<std::string>(v) ||
      !(ct == ColumnType::kSmallInt || ct == ColumnType::kInt || ct == ColumnType::kBigInt ||
        ct == ColumnType::kNumeric))
    return true;
  if (!is_unknown_literal(val)) return false;
  try {
    v = number_input(std::get<std::string>(v), ct);
    return integer_key(val, v, c);
  } catch (const SqlError&) {
    return false;
  }
}

// ---- Rule: a uuid key is looked up as a uuid --------------------------------------
// A quoted literal beside a uuid key is read as one ('{A0EE...}' finds
// 'a0ee...'); one that is not a uuid leaves the lookup to the WHERE's
// error. (A text that is no literal has no = with a uuid: parse analysis
// refuses it first.)
bool uuid_key(Value& v, const Column& c) {
  if (c.type != ColumnType::kUuid || !std::holds_alternative<std::string>(v)) return true;
  try {
    v = uuid_value(std::get<std::string>(v));
    return true;
  } catch (const SqlError&) {
    return false;
  }
}

// ---- Rule: a character(n) key is looked up blank-padded ------------------------
// A quoted literal beside a char(n) key is read as one (padded to n, as the
// key's values are stored); a text (a :param, a text column's value) makes
// the key a text, compared in a filter: left to the WHERE.
bool bpchar_key(const Expr& val, Value& v, const Column& c) {
  if (!c.blank_padded || !std::holds_alternative<std::string>(v)) return true;
  if (!is_unknown_literal(val)) return false;
  try {
    v = fit(v, c, true);
    return true;
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
// - the index walk: its descent to start (0.0025 for each halving of R
//   rows, and 0.125), then 40 for the heap's 10 pages fetched at random,
//   4 for each index page past the metapage (none while the table never
//   held a row, one after), and R * (0.015 + 0.0025 * operators) for all R
//   rows, of which LIMIT n needs the share n / M, where M = R *
//   selectivity(f) is the rows f is expected to keep.
// A table the planner has measured has its own pages and R (table_size):
// the walk fetches those pages at random, Mackert and Lohman's estimate.
// The cheaper wins. These reproduce EXPLAIN's costs on PostgreSQL 15 for
// tables of up to a few hundred rows (checked with EXPLAIN for LIMIT 1 to 6
// over several column types; tests/verify/ordered_key_scan.toml checks what
// each plan locks against a real server).
namespace {

KeyScanPlan plan_scan(const Table& t, const Expr* where, size_t rows, std::optional<int64_t> limit,
                      double* total);
double pages_fetched(double tuples, double pages);

// The walk of the key's index against scanning and sorting, for `WHERE
// where ORDER BY key LIMIT limit` (ordered_key_scan, above). The scan is
// the cheapest of the WHERE's paths (key_scan's: sequential, or through an
// index, as a bitmap scan of a plain index's equality is).
bool walk_cheaper(const Table& t, const Expr* where, int64_t limit, size_t rows, bool index_only) {
  const double index_pages = rows == 0 ? 0 : 1;
  const auto [pages, r] = table_size(t);
  const double ops = operators(where);
  const double m = std::max(1.0, std::rint(r * (where ? selectivity(*where) : 1.0)));
  const double n = static_cast<double>(limit);
  const double share = std::min(1.0, n / m);
  const double sorted = 2 * n < m ? 0.005 * m * std::log2(std::max(2.0, 2 * n))
                                  : 0.005 * m * std::log2(std::max(2.0, m));
  double scan = pages + r * (0.01 + 0.0025 * ops);
  if (where) plan_scan(t, where, rows, std::nullopt, &scan);
  const double scan_and_sort = scan + sorted + 0.0025 * m * share;
  const double descent = (r > 1 ? std::ceil(std::log2(r)) * 0.0025 : 0) + 50 * 0.0025;
  // An index-only walk fetches only the heap pages not all-visible.
  const double visible = index_only && pages > 0 ? std::min(1.0, t.relallvisible / pages) : 0;
  const double heap = std::ceil(pages_fetched(r, pages) * (1 - visible));
  const double walk = descent + (4 * heap + 4 * index_pages + r * (0.015 + 0.0025 * ops)) * share;
  return walk < scan_and_sort;
}

}  // namespace

bool ordered_key_scan(const Table& t, const SelectStmt& sel, size_t rows) {
  if (!sel.order_by || !sel.limit || !sel.order_then.empty()) return false;
  // A btree index holds NULLs last: walked forward it gives NULLS LAST, walked
  // backward NULLS FIRST. The other placement is a sort, even on a NOT NULL
  // key (PostgreSQL's pathkeys compare the NULLS clause, not the column).
  if (!sel.order_by->index_order()) return false;
  const int key = t.single_key_column();
  if (key < 0 || sel.order_by->column != t.columns[static_cast<size_t>(key)].name) return false;
  return walk_cheaper(t, sel.where.get(), *sel.planned_rows(), rows,
                      covers(t, sel, sel.where.get(), {key}));
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
      if (!u.predicate && u.columns.front() == c) return true;
    for (const PlainIndex& p : t.plain_indexes)
      if (!p.predicate && p.columns.front() == c) return true;
    return false;
  };
  for (const Aggregate& a : sel.aggregates)
    if ((a.kind != AggKind::kMin && a.kind != AggKind::kMax) || !leads(a.column)) return false;
  return walk_cheaper(t, where, 1, rows, covers(t, sel, where, minmax_index(t, sel)));
}

std::vector<int> minmax_index(const Table& t, const SelectStmt& sel) {
  const int c = sel.aggregates.empty() ? -1 : t.column_index(sel.aggregates.front().column);
  if (c < 0) return {};
  if (t.single_key_column() == c) return {c};
  for (const UniqueKey& u : t.uniques)
    if (!u.predicate && u.columns.front() == c) return u.columns;
  for (const PlainIndex& p : t.plain_indexes)
    if (!p.predicate && p.columns.front() == c) return p.columns;
  return {};
}

// ---- Rule: an index-only scan reads no heap tuple of an all-visible table -------
// A SELECT without a locking clause whose every column (its output, its
// WHERE, its ORDER BY) is a column of the index it walks or looks up is an
// index-only scan. The planner weighs it without the heap pages pg_class
// calls all-visible (Table::relallvisible, which VACUUM sets), and while
// the visibility map still holds the table all-visible (Table::all_visible:
// no row written since) the scan reads no heap tuple: at SERIALIZABLE it
// locks the heap page instead of each tuple (PredicateLockPage in
// IndexOnlyNext). Modelled for a table of one page (a larger one keeps its
// tuple locks), for lookups and walks of a unique index and for min() and
// max() (tests/specs/measured_tables.spec); a plain index scan of
// key_scan's is weighed and locks as one that reads the heap.

bool covers(const Table& t, const SelectStmt& sel, const Expr* where,
            const std::vector<int>& index) {
  if (sel.lock || index.empty()) return false;
  std::vector<std::string> read;
  if (!sel.items.empty() || (sel.aggregates.empty() && !sel.columns.empty())) {
    read = sel.columns;
  } else if (!sel.aggregates.empty()) {
    for (const Aggregate& a : sel.aggregates)
      if (!a.column.empty()) read.push_back(a.column);
  } else {
    for (const Column& c : t.columns) read.push_back(c.name);
  }
  if (where) column_names(*where, read);
  if (sel.order_by) read.push_back(sel.order_by->column);
  for (const OrderBy& o : sel.order_then) read.push_back(o.column);
  return std::all_of(read.begin(), read.end(), [&](const std::string& name) {
    const int c = t.column_index(name);
    return c >= 0 && std::find(index.begin(), index.end(), c) != index.end();
  });
}

bool index_only(const Table& t, const SelectStmt& sel, const Expr* where,
                const std::vector<int>& index) {
  return t.all_visible && t.heap_pages <= 1 && covers(t, sel, where, index);
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
  if (!val || op != BinOp::kEq) return std::nullopt;
  std::optional<Value> v = compared_value(t, *val, key_column, vars, subqueries);
  if (!v) return std::nullopt;
  return std::vector<Value>{*v};
}

// The value `val` (compared with column `column`) as the key's index reads
// it, or nothing when it is no index condition.
std::optional<Value> compared_value(const Table& t, const Expr& val, int column, const Vars& vars,
                                    const SubqueryValues* subqueries) {
  if (!subqueries_computed(val, subqueries)) return std::nullopt;
  EvalEnv env{nullptr, nullptr, &vars, nullptr, true};
  env.subqueries = subqueries;
  Value v = eval_value(val, env);
  // A text looked up in a date or timestamp key is read as one (as the
  // WHERE reads it); one that is not leaves the lookup to the WHERE's error.
  ColumnType ct = t.columns[static_cast<size_t>(column)].type;
  // A typed literal of another type is compared as the higher of the two:
  // left to the WHERE.
  if (val.kind == ExprKind::kLiteral && val.typed && *val.typed != ct) return std::nullopt;
  if (is_datetime(ct) && std::holds_alternative<std::string>(v)) {
    try {
      v = datetime_value(std::get<std::string>(v), ct);
    } catch (const SqlError&) {
      return std::nullopt;
    }
  }
  if (!integer_key(val, v, t.columns[static_cast<size_t>(column)])) return std::nullopt;
  if (!bpchar_key(val, v, t.columns[static_cast<size_t>(column)])) return std::nullopt;
  if (!uuid_key(v, t.columns[static_cast<size_t>(column)])) return std::nullopt;
  return v;
}

// ---- Rule: a scan of a partitioned table reads only the partitions its WHERE
// may find rows in (PostgreSQL's partition pruning) -------------------------
// key = v and key IS NULL keep the partitions that take that value (the
// DEFAULT partition only when no other takes it); key < v, <=, > and >=
// keep a RANGE partition whose bounds meet it (read as the bounds'
// comparisons read them, not as whole numbers: FROM (1) TO (10) meets
// key > 9), a LIST partition holding a value that meets it, and the
// DEFAULT partition; AND keeps what both arms keep, OR (an IN list among
// them) what either does. Any other condition prunes nothing.
std::vector<uint32_t> partitions_read(const Table& t, const Expr* where, const Vars& vars,
                                      const SubqueryValues* subqueries) {
  if (!t.partitioning) return {0};
  const PartitionScheme& ps = *t.partitioning;
  const std::string& key = t.columns[static_cast<size_t>(ps.column)].name;
  using Kept = std::vector<bool>;  // by partition; nothing: every partition
  auto taking = [&](const Value& v) {
    Row row(t.columns.size());
    row[static_cast<size_t>(ps.column)] = v;
    Kept kept(ps.parts.size(), false);
    if (int k = t.partition_of(row); k >= 0) kept[static_cast<size_t>(k)] = true;
    return kept;
  };
  auto kept = [&](const Expr& e, auto&& self) -> std::optional<Kept> {
    if (e.kind == ExprKind::kBinary && (e.op == BinOp::kAnd || e.op == BinOp::kOr)) {
      std::optional<Kept> a = self(*e.lhs, self), b = self(*e.rhs, self);
      if (e.op == BinOp::kOr && (!a || !b)) return std::nullopt;
      if (!a || !b) return a ? a : b;
      for (size_t k = 0; k < a->size(); ++k)
        (*a)[k] = e.op == BinOp::kAnd ? (*a)[k] && (*b)[k] : (*a)[k] || (*b)[k];
      return a;
    }
    if (e.kind == ExprKind::kIsNull && e.lhs && e.lhs->kind == ExprKind::kColumn &&
        e.lhs->name == key && !e.lhs->excluded)
      return taking(Null{});
    BinOp op;
    const Expr* val = key_compare(t, e, key, &op);
    if (!val || op == BinOp::kNe) return std::nullopt;
    std::optional<Value> v = compared_value(t, *val, ps.column, vars, subqueries);
    if (!v || is_null(*v)) return std::nullopt;
    if (op == BinOp::kEq) return taking(*v);
    auto meets = [&](const Value& x) {
      auto c = compare_sql(x, *v);
      return op == BinOp::kLt   ? c < 0
             : op == BinOp::kLe ? c <= 0
             : op == BinOp::kGt ? c > 0
                                : c >= 0;
    };
    Kept out(ps.parts.size(), true);
    for (size_t k = 0; k < out.size(); ++k) {
      const Partition& p = ps.parts[k];
      if (p.is_default) continue;
      if (!ps.range)
        out[k] = std::any_of(p.values.begin(), p.values.end(),
                             [&](const Value& x) { return !is_null(x) && meets(x); });
      else if (op == BinOp::kLt || op == BinOp::kLe)
        out[k] =
            !p.lo || (op == BinOp::kLt ? compare_sql(*p.lo, *v) < 0 : compare_sql(*p.lo, *v) <= 0);
      else
        out[k] = !p.hi || compare_sql(*v, *p.hi) < 0;
    }
    return out;
  };
  std::optional<Kept> k = where ? kept(*where, kept) : std::nullopt;
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < ps.parts.size(); ++i)
    if (!k || (*k)[i]) out.push_back(i);
  return out;
}

namespace {

// Whether e is an IN list of values for column `key`.
bool key_in_list(const Table& t, const Expr& e, const std::string& key) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kOr && e.in_list)
    return key_in_list(t, *e.lhs, key) && key_in_list(t, *e.rhs, key);
  BinOp op;
  return key_compare(t, e, key, &op) && op == BinOp::kEq;
}

// A condition of the WHERE's ANDed ones on a column of the key (`column`:
// its place in the key): an IN list of `values` values (one `= ANY`), or a
// comparison `op` with the key on the left (=, <, <=, >, >=).
struct KeyQual {
  const Expr* e = nullptr;
  size_t column = 0;
  int values = 0;
  BinOp op = BinOp::kEq;
};

void key_quals_of(const Table& t, const Expr& e, const std::string& key, size_t column,
                  std::vector<KeyQual>& out) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kAnd) {
    key_quals_of(t, *e.lhs, key, column, out);
    key_quals_of(t, *e.rhs, key, column, out);
    return;
  }
  BinOp op;
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kOr && e.in_list && key_in_list(t, e, key))
    out.push_back({&e, column, in_list_values(e), BinOp::kEq});
  else if (key_compare(t, e, key, &op) && op != BinOp::kNe)
    out.push_back({&e, column, 0, op});
}

// Whether the WHERE's ANDed conditions hold `key = value`.
bool pins(const Table& t, const Expr& e, const std::string& key) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kAnd)
    return pins(t, *e.lhs, key) || pins(t, *e.rhs, key);
  BinOp op;
  return key_compare(t, e, key, &op) && op == BinOp::kEq;
}

// The WHERE's conditions on an index's columns (`columns`, of the table),
// column by column: the index conditions a scan of the index can take.
std::vector<KeyQual> key_quals(const Table& t, const Expr& where, const std::vector<int>& columns) {
  std::vector<KeyQual> out;
  for (size_t i = 0; i < columns.size(); ++i)
    key_quals_of(t, where, t.columns[static_cast<size_t>(columns[i])].name, i, out);
  return out;
}

// The indexes the planner can scan: the primary key's, then each UNIQUE's,
// in the order they were made, then each plain index's (CREATE INDEX) in
// the order they were made.
std::vector<std::vector<int>> scan_indexes(const Table& t) {
  std::vector<std::vector<int>> out;
  if (std::vector<int> key = t.key_columns(); !key.empty()) out.push_back(std::move(key));
  // A partial index is left out: one a WHERE implies the predicate of is
  // looked up when pinned (unique_lookup) and refused otherwise
  // (lang/validate.cc).
  for (const UniqueKey& u : t.uniques)
    if (!u.predicate) out.push_back(u.columns);
  for (const PlainIndex& p : t.plain_indexes)
    if (!p.predicate) out.push_back(p.columns);
  return out;
}

// How many of scan_indexes(t) are unique (the first ones).
size_t unique_scan_indexes(const Table& t) {
  return (t.key_column_count() > 0 ? 1 : 0) +
         static_cast<size_t>(std::count_if(t.uniques.begin(), t.uniques.end(),
                                           [](const UniqueKey& u) { return !u.predicate; }));
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

// ---- Rule: the planner's three ways through a table's unique indexes ------------
// Without ORDER BY, rows come back in the order the scan meets them:
// - a sequential scan meets each row's visible version where it lies: an
//   updated row after the rows written before its update;
// - a bitmap scan of a unique index (the primary key's or a UNIQUE's),
//   or of several ANDed or ORed, visits the heap in
//   line-pointer order, where an updated row is found at the head of its
//   HOT chain: the version it had before its last key change (every
//   non-key update is HOT here, a table being one page) (order_by_line);
// - a plain index scan walks the index: rows in the index's order, each
//   IN list's values in turn (btree sorts an `= ANY` array and walks the
//   index once per combination of the lists' values).
// PostgreSQL 15 costs the three for a table never vacuumed or analysed
// (every scenario's table) and takes the cheapest:
// - the index: btcostestimate and genericcostestimate, for an index of one
//   leaf page (two pages with the metapage, one before any row) and as
//   many entries as the table's estimated R rows. The entries a scan passes
//   are those its boundary conditions keep (the columns from the first on,
//   up to the first without an equality or IN list); an IN list of n values
//   makes n scans (`= ANY`) of that share each, the lists of all columns
//   multiplied. An equality keeps 1/R of the rows of a column that is a
//   unique index of its own and 1/200 of another's (fewer when the table
//   has fewer rows); an IN list n times that; a bound 1/3; bounds on both
//   sides 0.005;
// - the plain index scan: that, plus a random page (Mackert-Lohman over
//   the table's pages) and cpu_tuple_cost for each row the index
//   conditions keep, and the rest of the WHERE on those rows;
// - the bitmap scan: the index, then the heap's pages, each random page
//   cheaper the more of them are fetched, and the whole WHERE on each row;
// - the sequential scan: its pages plus R times the WHERE's cost per row.
// An IN list on a later column of an index is an index condition of one
// plain index scan and left to the filter of another (build_index_paths
// makes both). An OR whose every arm has conditions on an index is a
// BitmapOr (an index scan per arm, the WHERE's other conditions on that
// index with it); bitmaps of different conditions may be ANDed; the bitmap
// scan takes the cheapest of these (choose_bitmap_and). The paths are
// weighed as add_path does: one whose total is within 1% of another's
// loses to it when it starts later; then the cheapest total wins. A LIMIT
// without ORDER BY weighs each by the share of its rows LIMIT reads. A
// condition on a later key column alone (`b = 1` on (a, b)) passes every
// entry of the index, cheaper than the sequential scan on a narrow table
// only (EXPLAIN: Bitmap Index Scan on c_pkey, Index Cond: (b = 1)).
// At SERIALIZABLE both index scans lock the index page and the rows found
// through it, not the relation. Checked against EXPLAIN and isolationtester
// on PostgreSQL 15 (tests/specs/scan_order.spec, index_scan_order.spec,
// bitmap_or.spec, unique_index_scans.spec, ssi_later_key_column.spec, and
// the scan shapes of scripts/random-specs --shapes).

struct PathCost {
  double startup = 0, total = 0;
};

// Mackert and Lohman's estimate of the pages of a relation of `pages`
// pages that fetching `tuples` tuples at random reads (index_pages_fetched,
// with the cache larger than any table here).
double pages_fetched(double tuples, double pages) {
  const double t = pages > 1 ? pages : 1;
  const double p = 2 * t * tuples / (2 * t + tuples);
  return p >= t ? t : std::ceil(p);
}

// clamp_row_est: a row estimate, rounded, at least 1.
double row_estimate(double rows) {
  return rows <= 1 ? 1 : std::rint(rows);
}

// The share of the rows the conditions on one column of an index keep.
double column_share(const std::vector<KeyQual>& quals, size_t column, double equal) {
  double share = 1;
  bool lower = false, upper = false;
  for (const KeyQual& q : quals) {
    if (q.column != column) continue;
    if (q.values) {
      // `= ANY`: the values' shares summed (scalararraysel), while that
      // stays a share.
      const double sum = q.values * equal;
      share *= sum <= 1 ? sum : 1 - std::pow(1 - equal, q.values);
    } else if (q.op == BinOp::kEq) {
      share *= equal;
    } else {
      (q.op == BinOp::kGt || q.op == BinOp::kGe ? lower : upper) = true;
    }
  }
  if (lower && upper) return share * 0.005;
  return lower || upper ? share / 3 : share;
}

// An equality's share of a column's rows: 1/R for a column that is a
// unique index of its own (the primary key's or a UNIQUE's), else the
// planner's default 200 distinct values (fewer when the table has fewer
// rows).
double equal_share(const Table& t, int column, double r) {
  bool unique = t.single_key_column() == column;
  for (const UniqueKey& u : t.uniques)
    unique |= !u.predicate && u.columns.size() == 1 && u.columns[0] == column;
  r = std::max(r, 1.0);  // a measured table may be estimated empty
  return unique ? 1 / r : 1 / std::min(200.0, r);
}

// The share of the rows condition e keeps, as the planner estimates it:
// a comparison or IN list of a column with values as column_share does,
// others as selectivity().
double clause_share(const Table& t, const Expr& e, double r) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kAnd)
    return clause_share(t, *e.lhs, r) * clause_share(t, *e.rhs, r);
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kOr && !e.in_list) {
    const double a = clause_share(t, *e.lhs, r), b = clause_share(t, *e.rhs, r);
    return a + b - a * b;
  }
  if (e.kind == ExprKind::kNot) return 1 - clause_share(t, *e.lhs, r);
  for (size_t c = 0; c < t.columns.size(); ++c) {
    std::vector<KeyQual> quals;
    key_quals_of(t, e, t.columns[c].name, 0, quals);
    if (quals.size() == 1) return column_share(quals, 0, equal_share(t, static_cast<int>(c), r));
  }
  return selectivity(e);
}

// The share of the rows the whole WHERE keeps (the relation's row
// estimate): its ANDed conditions on each column together (a range's two
// bounds at once), the rest as clause_share does.
double where_share(const Table& t, const Expr& where, double r) {
  double share = 1;
  std::vector<const Expr*> used;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    std::vector<KeyQual> quals;
    key_quals_of(t, where, t.columns[c].name, 0, quals);
    if (quals.empty()) continue;
    share *= column_share(quals, 0, equal_share(t, static_cast<int>(c), r));
    for (const KeyQual& q : quals) used.push_back(q.e);
  }
  std::vector<const Expr*> todo{&where};
  while (!todo.empty()) {
    const Expr* e = todo.back();
    todo.pop_back();
    if (e->kind == ExprKind::kBinary && e->op == BinOp::kAnd) {
      todo.push_back(e->lhs.get());
      todo.push_back(e->rhs.get());
    } else if (std::find(used.begin(), used.end(), e) == used.end()) {
      share *= clause_share(t, *e, r);
    }
  }
  return share;
}

// A bitmap heap scan's costs, its bitmap costing `node` and keeping the
// share `kept` of the rows: the heap's pages, each random page cheaper the
// more of them are fetched, and the whole WHERE rechecked on every row.
PathCost bitmap_heap_cost(const Table& t, const Expr& where, double node, double kept) {
  const auto [pages, r] = table_size(t);
  const double fetched = row_estimate(kept * r);
  const double heap_pages = pages_fetched(fetched, pages);
  const double per_page = heap_pages >= 2 ? 4 - 3 * std::sqrt(heap_pages / pages) : 4;
  PathCost c;
  c.startup = node + in_list_startup(&where);
  c.total = c.startup + heap_pages * per_page + (0.01 + 0.0025 * operators(&where)) * fetched;
  return c;
}

// The plain index scan's costs with index conditions `quals` (the rule
// above), and those of its bitmap (bitmap_heap_cost makes the bitmap
// scan's of them).
struct IndexPathCosts {
  PathCost plain;
  double node = 0;         // the bitmap's index part, by which the planner ranks them
  double selectivity = 0;  // the share of the rows the conditions keep
};
IndexPathCosts index_path_costs(const Table& t, const Expr& where, size_t rows,
                                const std::vector<int>& columns_of,
                                const std::vector<KeyQual>& quals, double where_share) {
  const TableSize size = table_size(t);
  const double pages = size.pages, r = size.rows;
  const size_t columns = columns_of.size();
  auto equal = [&](size_t c) { return equal_share(t, columns_of[c], r); };
  double kept = 1, scans = 1;
  for (size_t c = 0; c < columns; ++c) kept *= column_share(quals, c, equal(c));
  for (const KeyQual& q : quals)
    if (q.values > 1) scans *= q.values;
  // The boundary conditions: the entries the scans pass.
  double boundary = 1, boundary_scans = 1;
  bool list = false, equal_last = false;
  size_t last = columns;  // the last column with boundary conditions
  for (size_t c = 0; c < columns; ++c) {
    if (c > 0 && !equal_last) break;
    bool any = false, equals = false;
    for (const KeyQual& q : quals) {
      if (q.column != c) continue;
      any = true;
      equals |= q.values > 0 || q.op == BinOp::kEq;
      if (q.values) list = true;
      if (q.values > 1) boundary_scans *= q.values;
    }
    if (!any) break;
    boundary *= column_share(quals, c, equal(c));
    last = c;
    equal_last = equals;
  }
  double tuples =
      last == columns - 1 && equal_last && !list ? 1 : std::rint(boundary * r / boundary_scans);
  if (tuples <= 0) tuples = std::rint(kept * r / scans);
  tuples = std::clamp(tuples, 1.0, r);
  const double index_pages = rows == 0 ? 1 : 2;
  const double leaf_pages = index_pages > 1 && r > 1 ? std::ceil(tuples * index_pages / r) : 1;
  double index = (scans > 1 ? pages_fetched(leaf_pages * scans, index_pages) : leaf_pages) * 4;
  index += tuples * scans * (0.005 + 0.0025 * static_cast<double>(quals.size()));
  double startup = 0;
  if (r > 1) {
    const double descent = std::ceil(std::log(r) / std::log(2.0)) * 0.0025;
    startup += descent;
    index += scans * descent;
  }
  startup += 50 * 0.0025;  // a tree of one level
  index += scans * 50 * 0.0025;

  IndexPathCosts out;
  out.selectivity = kept;
  const double fetched = row_estimate(kept * r);
  // The rest of the WHERE filters the rows a plain index scan fetched.
  double filter_ops = operators(&where), filter_startup = in_list_startup(&where);
  for (const KeyQual& q : quals) {
    filter_ops -= operators(q.e);
    filter_startup -= in_list_startup(q.e);
  }
  out.plain.startup = startup + filter_startup;
  out.plain.total = index + filter_startup + pages_fetched(fetched, pages) * 4 +
                    (0.01 + 0.0025 * filter_ops) * fetched;
  out.node = index + 0.1 * 0.0025 * row_estimate(where_share * r);
  return out;
}

// add_path's fuzzy comparison of two paths' costs.
enum class Fuzzy { kDifferent, kBetter1, kBetter2, kEqual };
Fuzzy compare_fuzzily(const PathCost& a, const PathCost& b, double fuzz, bool startup_counts) {
  if (a.total > b.total * fuzz)
    return startup_counts && b.startup > a.startup * fuzz ? Fuzzy::kDifferent : Fuzzy::kBetter2;
  if (b.total > a.total * fuzz)
    return startup_counts && a.startup > b.startup * fuzz ? Fuzzy::kDifferent : Fuzzy::kBetter1;
  if (a.startup > b.startup * fuzz) return Fuzzy::kBetter2;
  if (b.startup > a.startup * fuzz) return Fuzzy::kBetter1;
  return Fuzzy::kEqual;
}

using Conditions = std::vector<std::vector<std::vector<const Expr*>>>;  // KeyScanPlan::conditions

struct ScanPath {
  PathCost cost;
  KeyScan kind = KeyScan::kNone;
  Conditions conditions;
  std::vector<int> order;  // a plain index scan's (KeyScanPlan::order)
};

// A bitmap of index scans: the cost of making it, the share of the rows
// it keeps, the WHERE's conditions it uses, and what a row must meet.
struct BitmapPath {
  double node = 0, selectivity = 0;
  std::vector<const Expr*> clauses;
  Conditions conditions;
};

std::vector<const Expr*> exprs_of(const std::vector<KeyQual>& quals) {
  std::vector<const Expr*> out;
  for (const KeyQual& q : quals) out.push_back(q.e);
  return out;
}

// The arms of an OR (not an IN list), nested ORs flattened.
void or_arms(const Expr& e, std::vector<const Expr*>& out) {
  if (e.kind == ExprKind::kBinary && e.op == BinOp::kOr && !e.in_list) {
    or_arms(*e.lhs, out);
    or_arms(*e.rhs, out);
  } else {
    out.push_back(&e);
  }
}

// The WHERE's ANDed conditions that are ORs (not IN lists).
void or_conditions(const Expr& e, std::vector<const Expr*>& out) {
  if (e.kind != ExprKind::kBinary) return;
  if (e.op == BinOp::kAnd) {
    or_conditions(*e.lhs, out);
    or_conditions(*e.rhs, out);
  } else if (e.op == BinOp::kOr && !e.in_list) {
    out.push_back(&e);
  }
}

// The index scans build_index_paths makes for conditions `quals` (those
// of `own` among them: one at least must be used): without the IN lists on
// later columns (left to the filter), and with them when there are any.
std::vector<std::vector<KeyQual>> index_paths(const std::vector<KeyQual>& quals,
                                              const std::vector<KeyQual>& own) {
  auto uses_own = [&](const std::vector<KeyQual>& qs) {
    return std::any_of(qs.begin(), qs.end(), [&](const KeyQual& q) {
      return std::any_of(own.begin(), own.end(), [&](const KeyQual& o) { return o.e == q.e; });
    });
  };
  std::vector<KeyQual> leading;
  for (const KeyQual& q : quals)
    if (!q.values || q.column == 0) leading.push_back(q);
  std::vector<std::vector<KeyQual>> out;
  if (!leading.empty() && uses_own(leading)) out.push_back(leading);
  if (leading.size() < quals.size() && uses_own(quals)) out.push_back(quals);
  return out;
}

// choose_bitmap_and: of paths with the same conditions the cheaper; then,
// ranked by the cost of their bitmaps (and their selectivity on a tie),
// each as the leader of an AND of the later ones that use none of its
// conditions and make the heap scan cheaper (`and_them`); the cheapest
// heap scan wins.
BitmapPath choose_bitmap(const Table& t, const Expr& where, const std::vector<BitmapPath>& paths,
                         bool and_them) {
  std::vector<BitmapPath> kept;
  auto same = [](std::vector<const Expr*> a, std::vector<const Expr*> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
  };
  for (const BitmapPath& p : paths) {
    auto it = std::find_if(kept.begin(), kept.end(),
                           [&](const BitmapPath& k) { return same(k.clauses, p.clauses); });
    if (it == kept.end())
      kept.push_back(p);
    else if (p.node < it->node)
      *it = p;
  }
  std::stable_sort(kept.begin(), kept.end(), [](const BitmapPath& a, const BitmapPath& b) {
    return a.node < b.node || (a.node == b.node && a.selectivity < b.selectivity);
  });
  BitmapPath best;
  double best_cost = 0;
  for (size_t i = 0; i < kept.size(); ++i) {
    BitmapPath group = kept[i];
    double cost = bitmap_heap_cost(t, where, group.node, group.selectivity).total;
    for (size_t j = i + 1; and_them && j < kept.size(); ++j) {
      const BitmapPath& next = kept[j];
      if (std::any_of(next.clauses.begin(), next.clauses.end(), [&](const Expr* e) {
            return std::find(group.clauses.begin(), group.clauses.end(), e) != group.clauses.end();
          }))
        continue;
      // cost_bitmap_and_node: the bitmaps' costs and 100 operators for each
      // intersection; the selectivities multiplied.
      const double node = group.node + next.node + 100 * 0.0025;
      const double selectivity = group.selectivity * next.selectivity;
      const double with = bitmap_heap_cost(t, where, node, selectivity).total;
      if (with < cost) {
        cost = with;
        group.node = node;
        group.selectivity = selectivity;
        group.clauses.insert(group.clauses.end(), next.clauses.begin(), next.clauses.end());
        group.conditions.insert(group.conditions.end(), next.conditions.begin(),
                                next.conditions.end());
      }
    }
    if (i == 0 || cost < best_cost) {
      best = std::move(group);
      best_cost = cost;
    }
  }
  return best;
}

// A plain index scan's row order over `index` with conditions `quals`
// (KeyScanPlan::order).
std::vector<int> scan_order(const std::vector<int>& index, const std::vector<KeyQual>& quals) {
  std::vector<int> order;
  for (size_t c = 0; c < index.size(); ++c)
    if (std::any_of(quals.begin(), quals.end(),
                    [&](const KeyQual& q) { return q.values && q.column == c; }))
      order.push_back(index[c]);
  order.insert(order.end(), index.begin(), index.end());
  return order;
}

// The paths add_path keeps of these, offered in order.
std::vector<ScanPath> kept_paths(const std::vector<ScanPath>& offered, bool startup_counts) {
  std::vector<ScanPath> kept;
  for (const ScanPath& p : offered) {
    bool accept = true;
    for (auto it = kept.begin(); it != kept.end();) {
      Fuzzy c = compare_fuzzily(p.cost, it->cost, 1.01, startup_counts);
      // The same within the fuzz: the new one replaces the old only when
      // it is cheaper at all.
      if (c == Fuzzy::kEqual)
        c = compare_fuzzily(p.cost, it->cost, 1.0000000001, false) == Fuzzy::kBetter1
                ? Fuzzy::kBetter1
                : Fuzzy::kBetter2;
      if (c == Fuzzy::kBetter2) {
        accept = false;
        break;
      }
      it = c == Fuzzy::kBetter1 ? kept.erase(it) : it + 1;
    }
    if (accept) kept.push_back(p);
  }
  return kept;
}

// The cheapest in total (the earlier start on a tie).
const ScanPath& cheapest(const std::vector<ScanPath>& paths) {
  const ScanPath* best = &paths.front();
  for (const ScanPath& p : paths)
    if (p.cost.total < best->cost.total ||
        (p.cost.total == best->cost.total && p.cost.startup < best->cost.startup))
      best = &p;
  return *best;
}

}  // namespace

KeyScanPlan key_scan(const Table& t, const Expr* where, size_t rows, std::optional<int64_t> limit) {
  return plan_scan(t, where, rows, limit, nullptr);
}

bool lookup_planned(const Table& t, const Expr* where, size_t rows) {
  return !t.measured() || key_scan(t, where, rows).kind != KeyScan::kNone;
}

// A foreign key's check, `SELECT 1 FROM parent WHERE key = $1 FOR KEY
// SHARE`: one row through the unique index (one leaf page, its descent,
// the row's heap page) against the sequential scan with `columns`
// equalities on each row; the scan wins a tie within add_path's 1%, as it
// starts sooner.
bool key_check_planned(const Table& t, size_t columns) {
  if (!t.measured()) return true;
  const auto [pages, r] = table_size(t);
  const double k = static_cast<double>(columns);
  const double descent = (r > 1 ? std::ceil(std::log2(r)) * 0.0025 : 0) + 50 * 0.0025;
  const double index = 4 + 0.005 + 0.0025 * k + descent + pages_fetched(1, pages) * 4 + 0.01;
  const double seq = pages + r * (0.01 + 0.0025 * k);
  return index * 1.01 < seq;
}

namespace {

// key_scan's plan; *total (when given) becomes the chosen path's total
// cost where the paths were weighed (left alone otherwise: a sequential
// scan's, or a lookup of one row).
KeyScanPlan plan_scan(const Table& t, const Expr* where, size_t rows, std::optional<int64_t> limit,
                      double* total) {
  KeyScanPlan plan;
  if (!where) return plan;
  // The common case first, before anything is built: an equality on a
  // one-column key (one row at most, below).
  // A measured table weighs even those against its sequential scan
  // (table_size): plan_scan is lookup_planned's judge.
  const bool weigh_lookups = t.measured();
  if (const int k = t.single_key_column();
      !weigh_lookups && k >= 0 && pins(t, *where, t.columns[static_cast<size_t>(k)].name))
    return plan;
  const std::vector<std::vector<int>> indexes = scan_indexes(t);
  const size_t unique = unique_scan_indexes(t);
  std::vector<std::vector<KeyQual>> quals;
  for (const std::vector<int>& index : indexes) {
    quals.push_back(key_quals(t, *where, index));
    // A unique index pinned whole by equalities is a lookup of one row at
    // most (index_lookup, composite_key_lookup, unique_lookup): its order
    // does not matter. (A plain index's equalities are costed as any.)
    if (quals.size() > unique || weigh_lookups) continue;
    bool pinned = true;
    for (size_t c = 0; c < index.size(); ++c)
      pinned =
          pinned && std::any_of(quals.back().begin(), quals.back().end(), [&](const KeyQual& q) {
            return q.column == c && !q.values && q.op == BinOp::kEq;
          });
    if (pinned) return plan;
  }
  const auto [pages, r] = table_size(t);
  const double share = where_share(t, *where, r);
  std::vector<ScanPath> offered;
  const double seq_startup = in_list_startup(where);
  offered.push_back({{seq_startup, seq_startup + pages + r * (0.01 + 0.0025 * operators(where))},
                     KeyScan::kNone,
                     {},
                     {}});
  // The plain index scans of each index, then the bitmap scans: of each
  // index's conditions, and of each OR among the WHERE's conditions whose
  // every arm has some on an index (a BitmapOr: one index scan per arm,
  // with the WHERE's other conditions on that index, its bitmap the union
  // of theirs), ANDed where that pays (choose_bitmap).
  std::vector<BitmapPath> bitmaps;
  for (size_t i = 0; i < indexes.size(); ++i)
    for (const std::vector<KeyQual>& qs : index_paths(quals[i], quals[i])) {
      const IndexPathCosts c = index_path_costs(t, *where, rows, indexes[i], qs, share);
      offered.push_back({c.plain, KeyScan::kIndex, {{exprs_of(qs)}}, scan_order(indexes[i], qs)});
      bitmaps.push_back({c.node, c.selectivity, exprs_of(qs), {{exprs_of(qs)}}});
    }
  std::vector<const Expr*> ors;
  or_conditions(*where, ors);
  for (const Expr* o : ors) {
    std::vector<const Expr*> arms;
    or_arms(*o, arms);
    BitmapPath bitmap{0, 0, {o}, {{}}};
    for (const Expr* arm : arms) {
      std::vector<BitmapPath> candidates;
      for (size_t i = 0; i < indexes.size(); ++i) {
        const std::vector<KeyQual> own = key_quals(t, *arm, indexes[i]);
        std::vector<KeyQual> arm_quals = own;
        arm_quals.insert(arm_quals.end(), quals[i].begin(), quals[i].end());
        for (const std::vector<KeyQual>& qs : index_paths(arm_quals, own)) {
          const IndexPathCosts c = index_path_costs(t, *where, rows, indexes[i], qs, share);
          candidates.push_back({c.node, c.selectivity, exprs_of(qs), {{exprs_of(qs)}}});
        }
      }
      if (candidates.empty()) {
        bitmap.conditions.front().clear();
        break;
      }
      const BitmapPath chosen = choose_bitmap(t, *where, candidates, false);
      bitmap.node += chosen.node;
      bitmap.selectivity += chosen.selectivity;
      for (const Expr* e : chosen.clauses)
        if (e != o &&
            std::find(bitmap.clauses.begin(), bitmap.clauses.end(), e) == bitmap.clauses.end())
          bitmap.clauses.push_back(e);
      bitmap.conditions.front().push_back(chosen.conditions.front().front());
    }
    if (bitmap.conditions.front().empty()) continue;
    bitmap.selectivity = std::min(bitmap.selectivity, 1.0);
    bitmaps.push_back(std::move(bitmap));
  }
  if (offered.size() == 1 && bitmaps.empty()) return plan;
  if (!bitmaps.empty()) {
    BitmapPath b = choose_bitmap(t, *where, bitmaps, true);
    offered.push_back({bitmap_heap_cost(t, *where, b.node, b.selectivity),
                       KeyScan::kBitmap,
                       std::move(b.conditions),
                       {}});
  }
  std::vector<ScanPath> kept = kept_paths(offered, limit.has_value());
  // LIMIT n reads the share n / rows of each (create_limit_path), and the
  // upper relation weighs those again.
  const double base_rows = row_estimate(share * r);
  if (limit && static_cast<double>(*limit) < base_rows) {
    const double read = row_estimate(static_cast<double>(*limit)) / base_rows;
    for (ScanPath& p : kept) p.cost.total = p.cost.startup + (p.cost.total - p.cost.startup) * read;
    kept = kept_paths(kept, true);
  }
  const ScanPath& chosen = cheapest(kept);
  if (total) *total = std::min(*total, chosen.cost.total);
  plan.kind = chosen.kind;
  plan.conditions = chosen.conditions;
  plan.order = chosen.order;
  return plan;
}

}  // namespace

bool index_key_subquery(const Table& t, const Expr* where, size_t rows) {
  if (!where) return false;
  // An equality on the primary key's or a unique index's columns: an index
  // scan, whatever the costs.
  if (subquery_compared(t, *where, t.key_columns(), true)) return true;
  for (const UniqueKey& u : t.uniques)
    if ((!u.predicate || implies(where, *u.predicate)) &&
        subquery_compared(t, *where, u.columns, true))
      return true;
  // A range or an IN list of an index's columns: when the planner scans
  // an index.
  const std::vector<std::vector<int>> indexes = scan_indexes(t);
  return std::any_of(indexes.begin(), indexes.end(),
                     [&](const std::vector<int>& index) {
                       return subquery_compared(t, *where, index, false);
                     }) &&
         key_scan(t, where, rows).kind != KeyScan::kNone;
}

// ---- Rule: a walk of an index starts and stops at its index conditions -------
// A btree scan in order with `col > v` (or >=, <, <=, =) on the walked
// column begins at the first entry past the lower bound and ends at the
// upper one: the entries outside are never fetched. Those conditions are
// the WHERE's ANDed comparisons of the column with a value.
std::vector<const Expr*> walk_bounds(const Table& t, const Expr* where, size_t column) {
  std::vector<const Expr*> out;
  if (!where) return out;
  if (where->kind == ExprKind::kBinary && where->op == BinOp::kAnd) {
    out = walk_bounds(t, where->lhs.get(), column);
    std::vector<const Expr*> more = walk_bounds(t, where->rhs.get(), column);
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }
  BinOp op = BinOp::kEq;
  if (key_compare(t, *where, t.columns[column].name, &op) && op != BinOp::kNe) out.push_back(where);
  return out;
}

bool key_pinned(const Table& t, const Expr* where) {
  const int k = t.single_key_column();
  return where && k >= 0 && pins(t, *where, t.columns[static_cast<size_t>(k)].name);
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
    if (t.uniques[i].predicate && !implies(where, *t.uniques[i].predicate)) {
      continue;  // a partial index whose predicate the WHERE does not imply
    } else if (auto key = pinned_key(t, t.uniques[i].columns, where, vars, subqueries))
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
      if (!integer_key(*val, *found[i], c) || !bpchar_key(*val, *found[i], c) ||
          !uuid_key(*found[i], c))
        return std::nullopt;
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
