#include "engine/index_lookup.h"

#include <utility>

namespace ccsim {

namespace {

// Returns true when e names no column: a constant or parameters only.
bool column_free(const Expr& e) {
  if (e.kind == ExprKind::kColumn) return false;
  return (!e.lhs || column_free(*e.lhs)) && (!e.rhs || column_free(*e.rhs));
}

}  // namespace

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
  return std::vector<Value>{eval_value(*val, env)};
}

}  // namespace ccsim
