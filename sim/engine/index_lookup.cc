#include "engine/index_lookup.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ccsim {

namespace {

// Returns true when e names no column: a constant or parameters only.
bool column_free(const Expr& e) {
  // An advisory-lock call is volatile: evaluated for every row, never once.
  if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kAdvisory) return false;
  return (!e.lhs || column_free(*e.lhs)) && (!e.rhs || column_free(*e.rhs));
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

// The operators the filter evaluates per row (cpu_operator_cost each).
int operators(const Expr* e) {
  if (!e || column_free(*e)) return 0;
  // An advisory-lock function costs as one operator (its procost is 1).
  int own = (e->kind == ExprKind::kBinary && e->op != BinOp::kAnd && e->op != BinOp::kOr) ||
            e->kind == ExprKind::kAdvisory;
  return own + operators(e->lhs.get()) + operators(e->rhs.get());
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
bool ordered_key_scan(const Table& t, const SelectStmt& sel, size_t rows) {
  const double index_pages = rows == 0 ? 0 : 1;
  std::vector<int> keys = t.key_columns();
  if (!sel.order_by || !sel.limit || keys.size() != 1) return false;
  if (sel.order_by->column != t.columns[static_cast<size_t>(keys[0])].name) return false;
  double width = 28;
  for (const Column& c : t.columns) width += column_width(c);
  const double per_page = std::floor((8192 - 24) / width);
  const double pages = std::max(10.0, std::ceil(static_cast<double>(rows) / per_page));
  const double r = per_page * pages;
  const double ops = operators(sel.where.get());
  const double m = std::max(1.0, std::rint(r * (sel.where ? selectivity(*sel.where) : 1.0)));
  const double n = static_cast<double>(*sel.limit);
  const double share = std::min(1.0, n / m);
  const double sorted = 2 * n < m ? 0.005 * m * std::log2(std::max(2.0, 2 * n))
                                  : 0.005 * m * std::log2(std::max(2.0, m));
  const double scan_and_sort = pages + r * (0.01 + 0.0025 * ops) + sorted + 0.0025 * m * share;
  const double walk = 0.15 + (40 + 4 * index_pages + r * (0.015 + 0.0025 * ops)) * share;
  return walk < scan_and_sort;
}

// ---- Rule: what a SERIALIZABLE statement reads (SIREAD locks) --------------
// PostgreSQL looks rows up through the primary key's index when the WHERE
// pins the key (key = value, alone or ANDed with more; key IN (...) or an OR
// of such lookups, each key looked up), and otherwise scans the whole table.
// An index lookup locks the index page and the tuples it fetched; a
// sequential scan locks the relation. Returns the keys' values when the
// index is used.
std::optional<std::vector<Value>> index_lookup(const Table& t, const Expr* where,
                                               const Vars& vars) {
  std::vector<int> keys = t.key_columns();
  if (!where || keys.size() != 1) return std::nullopt;
  const std::string& key = t.columns[static_cast<size_t>(keys[0])].name;
  if (where->kind == ExprKind::kBinary && where->op == BinOp::kAnd) {
    if (auto v = index_lookup(t, where->lhs.get(), vars)) return v;
    return index_lookup(t, where->rhs.get(), vars);
  }
  if (where->kind == ExprKind::kBinary && where->op == BinOp::kOr) {
    auto a = index_lookup(t, where->lhs.get(), vars);
    auto b = index_lookup(t, where->rhs.get(), vars);
    if (!a || !b) return std::nullopt;
    a->insert(a->end(), b->begin(), b->end());
    return a;
  }
  if (where->kind != ExprKind::kBinary || where->op != BinOp::kEq) return std::nullopt;
  const Expr* col = where->lhs.get();
  const Expr* val = where->rhs.get();
  if (col->kind != ExprKind::kColumn) std::swap(col, val);
  if (col->kind != ExprKind::kColumn || col->name != key || !column_free(*val)) return std::nullopt;
  EvalEnv env{nullptr, nullptr, &vars, nullptr, true};
  Value v = eval_value(*val, env);
  // A text looked up in a date or timestamp key is read as one (as the
  // WHERE reads it); one that is not leaves the lookup to the WHERE's error.
  ColumnType ct = t.columns[static_cast<size_t>(keys[0])].type;
  if ((ct == ColumnType::kDate || ct == ColumnType::kTimestamp) &&
      std::holds_alternative<std::string>(v)) {
    try {
      v = datetime_value(std::get<std::string>(v), ct);
    } catch (const SqlError&) {
      return std::nullopt;
    }
  }
  return std::vector<Value>{v};
}

}  // namespace ccsim
