#include "lang/ast.h"

#include <algorithm>

namespace ccsim {

const char* to_sql(AggKind k) {
  switch (k) {
    case AggKind::kCountStar:
    case AggKind::kCount:
      return "count";
    case AggKind::kSum:
      return "sum";
    case AggKind::kMin:
      return "min";
    case AggKind::kMax:
      return "max";
  }
  return "?";
}

const char* op_sql(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
      return "+";
    case BinOp::kSub:
      return "-";
    case BinOp::kMul:
      return "*";
    case BinOp::kDiv:
      return "/";
    case BinOp::kMod:
      return "%";
    case BinOp::kEq:
      return "=";
    case BinOp::kNe:
      return "<>";
    case BinOp::kLt:
      return "<";
    case BinOp::kLe:
      return "<=";
    case BinOp::kGt:
      return ">";
    case BinOp::kGe:
      return ">=";
    case BinOp::kAnd:
      return "AND";
    case BinOp::kOr:
      return "OR";
    case BinOp::kConcat:
      return "||";
  }
  return "?";
}

const char* like_sql(const std::string& op) {
  if (op == "~~") return "LIKE";
  if (op == "!~~") return "NOT LIKE";
  if (op == "~~*") return "ILIKE";
  return "NOT ILIKE";
}

std::string AdvisoryCall::function() const {
  if (kind == Kind::kUnlockAll) return "pg_advisory_unlock_all";
  const char* mode = shared ? "_shared" : "";
  if (kind == Kind::kUnlock) return std::string("pg_advisory_unlock") + mode;
  return std::string(try_only ? "pg_try_advisory" : "pg_advisory") + (session ? "" : "_xact") +
         "_lock" + mode;
}

std::string cast_sql(const Column& c) {
  switch (c.type) {
    case ColumnType::kSmallInt:
      return "smallint";
    case ColumnType::kInt:
      return "int";
    case ColumnType::kBigInt:
      return "bigint";
    case ColumnType::kText:
      return c.blank_padded        ? "char(" + std::to_string(c.max_length) + ")"
             : c.max_length > 0    ? "varchar(" + std::to_string(c.max_length) + ")"
             : c.name == "varchar" ? "varchar"
                                   : "text";
    case ColumnType::kNumeric:
      return c.precision > 0
                 ? "numeric(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")"
                 : "numeric";
    case ColumnType::kBool:
      return "boolean";
    case ColumnType::kUuid:
      return "uuid";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kTimestamp:
      return "timestamp";
    case ColumnType::kTimestampTz:
      return "timestamptz";
  }
  return "text";
}

std::string order_sql(const OrderBy& o) {
  std::string out = o.descending ? " DESC" : "";
  if (!o.index_order()) out += o.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return out;
}

std::string limit_and_lock_sql(const SelectStmt& s) {
  std::string out;
  if (s.limit) out += " LIMIT " + std::to_string(*s.limit);
  if (s.offset) out += " OFFSET " + std::to_string(s.offset);
  if (s.lock) out += std::string(" ") + to_sql(*s.lock);
  if (s.wait == WaitPolicy::kNoWait) out += " NOWAIT";
  if (s.wait == WaitPolicy::kSkipLocked) out += " SKIP LOCKED";
  return out;
}

std::string sequence_sql(const std::string& name, bool currval) {
  // regclass's input folds a name outside double quotes to lower case.
  const bool folded = std::none_of(name.begin(), name.end(), [](char c) {
    return !(std::islower(static_cast<unsigned char>(c)) ||
             std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  });
  return std::string(currval ? "currval(" : "nextval(") +
         to_sql(Value{folded ? name : "\"" + name + "\""}) + ")";
}

std::string to_sql(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kCast:
      return "(" + to_sql(*e.lhs) + ")::" + cast_sql(*e.cast_to);
    case ExprKind::kAdvisory:
      return e.call.function() + "(" + to_sql(*e.lhs) + (e.rhs ? ", " + to_sql(*e.rhs) : "") + ")";
    case ExprKind::kCoalesce:
    case ExprKind::kGreatest:
    case ExprKind::kLeast: {
      std::string out = e.kind == ExprKind::kCoalesce   ? "coalesce("
                        : e.kind == ExprKind::kGreatest ? "greatest("
                                                        : "least(";
      const Expr* at = &e;
      for (; at->kind == e.kind && (at == &e || at->continued); at = at->rhs.get())
        out += to_sql(*at->lhs) + ", ";
      return out + to_sql(*at) + ")";
    }
    case ExprKind::kCase: {
      std::string out = "CASE";
      const Expr* at = &e;
      for (; at && at->kind == ExprKind::kCase && (at == &e || at->continued); at = at->rhs.get())
        out += " WHEN " + to_sql(*at->lhs->lhs) + " THEN " + to_sql(*at->lhs->rhs);
      return out + (at ? " ELSE " + to_sql(*at) : "") + " END";
    }
    case ExprKind::kWhen:
      return "WHEN " + to_sql(*e.lhs) + " THEN " + to_sql(*e.rhs);
    case ExprKind::kNullIf:
      return "nullif(" + to_sql(*e.lhs) + ", " + to_sql(*e.rhs) + ")";
    case ExprKind::kCaseFold:
      return e.name + "(" + to_sql(*e.lhs) + ")";
    case ExprKind::kFunction:
      return e.name + "(" + to_sql(*e.lhs) + (e.rhs ? ", " + to_sql(*e.rhs) : "") + ")";
    case ExprKind::kCurrentSetting:
      return "current_setting(" + to_sql(Value{e.name}) + ")";
    case ExprKind::kSequence:
      return sequence_sql(e.name, e.currval);
    case ExprKind::kDefault:
      return "DEFAULT";
    case ExprKind::kSubquery: {
      std::string item = e.aggregate
                             ? std::string(to_sql(e.aggregate->kind)) + "(" +
                                   (e.aggregate->column.empty() ? "*" : e.aggregate->column) + ")"
                             : to_sql(*e.lhs);
      std::string out = std::string(e.exists ? "EXISTS " : "") + "(SELECT " + item + " FROM " +
                        e.name + (e.rhs ? " WHERE " + to_sql(*e.rhs) : "");
      if (e.initplan) {
        const auto& plan = std::get<SelectStmt>(e.initplan->body);
        if (plan.order_by) out += " ORDER BY " + plan.order_by->column + order_sql(*plan.order_by);
        out += limit_and_lock_sql(plan);
      }
      return out + ")";
    }
    case ExprKind::kLiteral:
      if (e.typed) return datetime_keyword(*e.typed) + (" " + to_sql(e.literal));
      if (e.decimal_literal && std::holds_alternative<int64_t>(e.literal))
        return to_sql(e.literal) + ".";  // 3.: numeric, not int
      return to_sql(e.literal);
    case ExprKind::kColumn:
      return (e.excluded ? "EXCLUDED." : "") + e.name;
    case ExprKind::kParam:
      return ":" + e.name;
    case ExprKind::kNeg:
      return "-" + to_sql(*e.lhs);
    case ExprKind::kNot:
      return "NOT " + to_sql(*e.lhs);
    case ExprKind::kIsNull:
      return to_sql(*e.lhs) + " IS NULL";
    case ExprKind::kIsNotNull:
      return to_sql(*e.lhs) + " IS NOT NULL";
    case ExprKind::kBoolTest:
      return to_sql(*e.lhs) + " IS " + e.name;
    case ExprKind::kBinary:
    case ExprKind::kIsDistinct:
    case ExprKind::kIsNotDistinct:
    case ExprKind::kLike: {
      auto side = [](const Expr& x) {
        return x.kind == ExprKind::kBinary ? "(" + to_sql(x) + ")" : to_sql(x);
      };
      const char* op = e.kind == ExprKind::kIsDistinct      ? "IS DISTINCT FROM"
                       : e.kind == ExprKind::kIsNotDistinct ? "IS NOT DISTINCT FROM"
                       : e.kind == ExprKind::kLike          ? like_sql(e.name)
                       : e.in_subquery                      ? "IN"
                                                            : op_sql(e.op);
      return side(*e.lhs) + " " + op + " " + side(*e.rhs);
    }
  }
  return "?";
}

SourcePos step_position(const Step& s, const std::string& file, int column) {
  SourcePos p{file, s.line, column};
  for (const auto& [starts_at, line] : s.wraps)
    if (column >= starts_at) p = SourcePos{file, line, column - starts_at + 1};
  return p;
}

namespace {

// Notes e's :params and whether planning folds a part of it; returns
// whether e is a constant (reads nothing of a row or the server's state:
// literals and :params, with operators between them). One walk, bottom up.
bool facts_of(const Expr* e, Step& s) {
  if (!e) return true;
  if (e->kind == ExprKind::kParam &&
      std::find(s.params.begin(), s.params.end(), e->name) == s.params.end())
    s.params.push_back(e->name);
  bool l = facts_of(e->lhs.get(), s), r = facts_of(e->rhs.get(), s);
  switch (e->kind) {
    case ExprKind::kColumn:
    case ExprKind::kAdvisory:
    case ExprKind::kDefault:
    case ExprKind::kCurrentSetting:
    case ExprKind::kSequence:
      return false;
    case ExprKind::kSubquery:
      s.folds = s.subqueries = true;
      return false;
    case ExprKind::kLiteral:
    case ExprKind::kParam:
      return true;
    default:
      if (l && r) s.folds = true;  // an operator over constants
      return l && r;
  }
}

}  // namespace

void statement_facts(Step& s) {
  auto each = [&](const std::vector<ExprPtr>& es) {
    for (const ExprPtr& e : es) facts_of(e.get(), s);
  };
  auto assigned = [&](const Expr* e) {
    if (e && (e->kind == ExprKind::kLiteral || e->kind == ExprKind::kParam))
      s.assigns_constant = true;
    facts_of(e, s);
  };
  auto sets = [&](const std::vector<Assignment>& as) {
    for (const Assignment& a : as) assigned(a.value.get());
  };
  auto returning = [&](const std::optional<Returning>& r) {
    if (r) each(r->items);
  };
  if (auto* sel = std::get_if<SelectStmt>(&s.body)) {
    each(sel->items);
    facts_of(sel->where.get(), s);
  } else if (auto* upd = std::get_if<UpdateStmt>(&s.body)) {
    sets(upd->sets);
    facts_of(upd->where.get(), s);
    returning(upd->returning);
  } else if (auto* del = std::get_if<DeleteStmt>(&s.body)) {
    facts_of(del->where.get(), s);
    returning(del->returning);
  } else if (auto* ins = std::get_if<InsertStmt>(&s.body)) {
    for (const auto& row : ins->rows)
      for (const ExprPtr& e : row) assigned(e.get());
    facts_of(ins->where.get(), s);
    if (ins->on_conflict) {
      sets(ins->on_conflict->sets);
      facts_of(ins->on_conflict->where.get(), s);
    }
    returning(ins->returning);
  } else if (auto* values = std::get_if<SelectValuesStmt>(&s.body)) {
    each(values->items);
  } else if (auto* adv = std::get_if<AdvisoryStmt>(&s.body)) {
    for (const AdvisoryItem& item : adv->items) {
      facts_of(item.key.get(), s);
      facts_of(item.key2.get(), s);
    }
  } else if (auto* merge = std::get_if<MergeStmt>(&s.body)) {
    for (size_t k = 0; k < merge->rows(); ++k) {
      const MergeStmt& m = merge->row(k);
      facts_of(m.on.get(), s);
      for (const MergeAction& a : m.actions) {
        facts_of(a.condition.get(), s);
        sets(a.update.sets);
        for (const auto& row : a.insert.rows)
          for (const ExprPtr& e : row) assigned(e.get());
      }
    }
  }
}

bool MergeStmt::any_matched() const {
  return std::any_of(actions.begin(), actions.end(),
                     [](const MergeAction& a) { return a.matched; });
}

bool is_sql(const Step& s) {
  return !std::holds_alternative<LetAction>(s.body) &&
         !std::holds_alternative<RetryAction>(s.body) &&
         !std::holds_alternative<RestartAction>(s.body) &&
         !std::holds_alternative<SkipAction>(s.body) &&
         !std::holds_alternative<CatchAction>(s.body) &&
         !std::holds_alternative<AcquireAction>(s.body) &&
         !std::holds_alternative<ReleaseAction>(s.body);
}

const Returning* returning_of(const Step& s, const std::string** table) {
  return std::visit(
      [&](const auto& b) -> const Returning* {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, UpdateStmt> || std::is_same_v<T, InsertStmt> ||
                      std::is_same_v<T, DeleteStmt>) {
          if (!b.returning) return nullptr;
          if (table) *table = &b.table;
          return &*b.returning;
        }
        return nullptr;
      },
      s.body);
}

bool is_time_setting(const std::string& name) {
  return name == "deadlock_timeout" || name == "lock_timeout" || name == "statement_timeout";
}

int64_t time_setting_default_ms(const std::string& name) {
  return name == "deadlock_timeout" ? 1000 : 0;
}

PlannerSetting planner_setting(const std::string& name) {
  for (const char* n : {"enable_seqscan",
                        "enable_indexscan",
                        "enable_indexonlyscan",
                        "enable_bitmapscan",
                        "enable_tidscan",
                        "enable_sort",
                        "enable_incremental_sort",
                        "enable_hashagg",
                        "enable_hashjoin",
                        "enable_mergejoin",
                        "enable_nestloop",
                        "enable_material",
                        "enable_memoize",
                        "enable_gathermerge",
                        "enable_parallel_append",
                        "enable_parallel_hash",
                        "enable_partition_pruning",
                        "enable_async_append",
                        "parallel_leader_participation",
                        "jit"})
    if (name == n) return PlannerSetting::kBoolean;
  for (const char* n : {"seq_page_cost", "random_page_cost", "cpu_tuple_cost",
                        "cpu_index_tuple_cost", "cpu_operator_cost", "parallel_setup_cost",
                        "parallel_tuple_cost", "min_parallel_table_scan_size",
                        "min_parallel_index_scan_size", "max_parallel_workers_per_gather"})
    if (name == n) return PlannerSetting::kNumber;
  return PlannerSetting::kNone;
}

bool is_readable_setting(const std::string& name) {
  return is_time_setting(name) || name == "transaction_isolation" ||
         name == "default_transaction_isolation" || name == "transaction_read_only" ||
         name == "datestyle";
}

const char* const kReadableSettings =
    "transaction_isolation, default_transaction_isolation, transaction_read_only, "
    "deadlock_timeout, lock_timeout, statement_timeout and DateStyle";

BoolTestParts bool_test_parts(const std::string& name) {
  const bool negated = name.compare(0, 4, "NOT ") == 0;
  return {negated, std::string_view(name).substr(negated ? 4 : 0)};
}

bool bool_test(const std::string& name, std::optional<bool> x) {
  const auto [negated, what] = bool_test_parts(name);
  const bool holds = what == "UNKNOWN" ? !x : what == "TRUE" ? x == true : x == false;
  return holds != negated;
}

void column_names(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == ExprKind::kSubquery) return;  // it reads its own table
  if (e.kind == ExprKind::kColumn && !e.excluded) out.push_back(e.name);
  if (e.lhs) column_names(*e.lhs, out);
  if (e.rhs) column_names(*e.rhs, out);
}

// ---- Rule: a partial index serves a WHERE that implies its predicate -------------
// PostgreSQL's predicate_implied_by proves much more (ranges, IS NOT NULL
// from a strict operator); ccsim takes the predicate's ANDed conditions
// each written among the WHERE's (= and <> either way round), and refuses
// where else a WHERE could imply it (lang/validate.cc).
namespace {

void conjuncts(const Expr* e, std::vector<const Expr*>& out) {
  if (!e) return;
  if (e->kind == ExprKind::kBinary && e->op == BinOp::kAnd) {
    conjuncts(e->lhs.get(), out);
    conjuncts(e->rhs.get(), out);
  } else {
    out.push_back(e);
  }
}

bool same_expr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.name != b.name || a.op != b.op || a.excluded != b.excluded ||
      a.in_list != b.in_list || a.typed != b.typed || a.decimal_literal != b.decimal_literal)
    return false;
  if (a.kind == ExprKind::kLiteral && !(a.literal == b.literal)) return false;
  if (a.kind == ExprKind::kCast && !(a.cast_to == b.cast_to)) return false;
  if (a.kind == ExprKind::kSubquery) return false;
  auto same = [](const ExprPtr& x, const ExprPtr& y) {
    return (!x && !y) || (x && y && same_expr(*x, *y));
  };
  if (same(a.lhs, b.lhs) && same(a.rhs, b.rhs)) return true;
  // a = b is b = a.
  return a.kind == ExprKind::kBinary && (a.op == BinOp::kEq || a.op == BinOp::kNe) &&
         same(a.lhs, b.rhs) && same(a.rhs, b.lhs);
}

// `column = literal` (either way round): the column's name and the literal.
const Expr* equality_literal(const Expr& e, std::string* column) {
  if (e.kind != ExprKind::kBinary || e.op != BinOp::kEq || !e.lhs || !e.rhs) return nullptr;
  const Expr* c = e.lhs.get();
  const Expr* v = e.rhs.get();
  if (c->kind != ExprKind::kColumn) std::swap(c, v);
  if (c->kind != ExprKind::kColumn || c->excluded || v->kind != ExprKind::kLiteral) return nullptr;
  *column = c->name;
  return v;
}

// A condition as PostgreSQL's planner reads it before a proof
// (eval_const_expressions): `b = true` is b, `b = false` and `b <> true` are
// NOT b, NOT NOT b is b, and NOT (x = y) is x <> y: the condition left and
// whether it is negated.
struct Condition {
  const Expr* core;
  bool negated;
};

bool bool_literal(const Expr* e, bool* value) {
  if (!e || e->kind != ExprKind::kLiteral || e->typed) return false;
  const bool* b = std::get_if<bool>(&e->literal);
  if (!b) return false;
  *value = *b;
  return true;
}

Condition condition(const Expr* e) {
  bool negated = false;
  for (;;) {
    if (e->kind == ExprKind::kNot && e->lhs) {
      negated = !negated;
      e = e->lhs.get();
      continue;
    }
    bool value = false;
    if (e->kind == ExprKind::kBinary && (e->op == BinOp::kEq || e->op == BinOp::kNe) && e->lhs &&
        e->rhs) {
      const Expr* other = nullptr;
      if (bool_literal(e->rhs.get(), &value))
        other = e->lhs.get();
      else if (bool_literal(e->lhs.get(), &value))
        other = e->rhs.get();
      if (other && !bool_literal(other, &value)) {
        // b = true, b <> false: b; b = false, b <> true: NOT b.
        if (value != (e->op == BinOp::kEq)) negated = !negated;
        e = other;
        continue;
      }
    }
    return {e, negated};
  }
}

// Whether two conditions are the same once read as the planner reads them.
bool same_condition(const Expr& a, const Expr& b, bool opposite = false) {
  const Condition x = condition(&a), y = condition(&b);
  auto comparison = [](const Expr* e) {
    return e->kind == ExprKind::kBinary && (e->op == BinOp::kEq || e->op == BinOp::kNe);
  };
  if (comparison(x.core) && comparison(y.core)) {
    // x = y negated is x <> y: compare the sides, either way round.
    const bool sides =
        (same_expr(*x.core->lhs, *y.core->lhs) && same_expr(*x.core->rhs, *y.core->rhs)) ||
        (same_expr(*x.core->lhs, *y.core->rhs) && same_expr(*x.core->rhs, *y.core->lhs));
    const bool nx = x.negated != (x.core->op == BinOp::kNe);
    const bool ny = y.negated != (y.core->op == BinOp::kNe);
    return sides && ((nx == ny) != opposite);
  }
  return same_expr(*x.core, *y.core) && ((x.negated == y.negated) != opposite);
}

}  // namespace

Implication implication(const Expr* where, const Expr& predicate) {
  std::vector<const Expr*> have, need;
  conjuncts(where, have);
  conjuncts(&predicate, need);
  std::vector<std::string> read;
  if (where) column_names(*where, read);
  Implication out = Implication::kImplied;
  for (const Expr* n : need) {
    if (std::any_of(have.begin(), have.end(),
                    [&](const Expr* h) { return same_condition(*h, *n); }))
      continue;
    // `NOT b` in the WHERE, `b` in the predicate: refuted.
    if (std::any_of(have.begin(), have.end(),
                    [&](const Expr* h) { return same_condition(*h, *n, true); }))
      return Implication::kNot;
    // `col = 'a'` in the predicate, `col = 'b'` in the WHERE: refuted.
    std::string col, other;
    const Expr* value = equality_literal(*n, &col);
    const bool refuted = value && std::any_of(have.begin(), have.end(), [&](const Expr* h) {
                           const Expr* v = equality_literal(*h, &other);
                           return v && other == col && !is_null(v->literal) &&
                                  !is_null(value->literal) && v->typed == value->typed &&
                                  !(v->literal == value->literal);
                         });
    if (refuted) return Implication::kNot;
    // A condition on columns the WHERE reads too: PostgreSQL may prove it.
    std::vector<std::string> cols;
    column_names(*n, cols);
    const bool read_too =
        !cols.empty() && std::all_of(cols.begin(), cols.end(), [&](const std::string& c) {
          return std::find(read.begin(), read.end(), c) != read.end();
        });
    if (!read_too) return Implication::kNot;
    out = Implication::kUnsure;
  }
  return out;
}

}  // namespace ccsim
