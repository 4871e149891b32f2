#include "engine/executor.h"

#include <algorithm>
#include <functional>

#include "core/datestyle.h"
#include "engine/aggregate.h"
#include "engine/describe.h"
#include "engine/index_lookup.h"
#include "engine/row_rules.h"
#include "lang/typing.h"

namespace ccsim {

namespace {

// A result column's type when it prints in the DateStyle (a datetime).
std::optional<ColumnType> printed_datetime(std::optional<SqlType> t) {
  std::optional<ColumnType> c = t ? column_type_of(*t) : std::nullopt;
  return c && is_datetime(*c) ? c : std::nullopt;
}

std::optional<ColumnType> printed_datetime(const Column& c) {
  return is_datetime(c.type) ? std::optional(c.type) : std::nullopt;
}

// Returns the lock a row-changing statement may take: an UPDATE that assigns
// a key column (one of a unique index: the primary key's or another, as
// PostgreSQL's key columns are) and DELETE take FOR UPDATE; any other UPDATE takes FOR NO KEY
// UPDATE. (An UPDATE that assigns a key column takes FOR UPDATE only on rows
// whose key value it changes: Executor::update_lock.)
LockMode write_lock(const Table& t, const UpdateStmt& u) {
  for (const Assignment& a : u.sets) {
    int i = t.column_index(a.column);
    if (i >= 0 && t.key_column(static_cast<size_t>(i))) return LockMode::kUpdate;
    if (t.partitioning && i == t.partitioning->column) return LockMode::kUpdate;  // update_lock
  }
  return LockMode::kNoKeyUpdate;
}
LockMode write_lock(const Table& t, const StepBody& body) {
  if (auto* u = std::get_if<UpdateStmt>(&body)) return write_lock(t, *u);
  return LockMode::kUpdate;
}

// True when e calls an advisory-lock function.
bool has_advisory(const Expr* e) {
  return e && (e->kind == ExprKind::kAdvisory || has_advisory(e->lhs.get()) ||
               has_advisory(e->rhs.get()));
}

// Adds to out the operands of e's top AND (e itself when it is no AND) that
// read no column of the row and call no lock function: the planner's
// one-time filters.
void one_time_filters(const Expr* e, std::vector<const Expr*>& out) {
  if (!e) return;
  if (e->kind == ExprKind::kBinary && e->op == BinOp::kAnd) {
    one_time_filters(e->lhs.get(), out);
    one_time_filters(e->rhs.get(), out);
    return;
  }
  if (column_free(*e) && !has_advisory(e)) out.push_back(e);
}

// Adds e's scalar subqueries to out, in the order they are written.
void subqueries_of_expr(const Expr& e, std::vector<const Expr*>& out) {
  if (e.kind == ExprKind::kSubquery) {
    out.push_back(&e);
    return;
  }
  if (e.lhs) subqueries_of_expr(*e.lhs, out);
  if (e.rhs) subqueries_of_expr(*e.rhs, out);
}
void subqueries_of(const ExprPtr& e, std::vector<const Expr*>& out) {
  if (e) subqueries_of_expr(*e, out);
}

// The scalar subqueries of a data statement.
std::vector<const Expr*> subqueries_of(const StepBody& body) {
  std::vector<const Expr*> out;
  if (auto* sel = std::get_if<SelectStmt>(&body)) {
    for (const ExprPtr& e : sel->items) subqueries_of(e, out);
    subqueries_of(sel->where, out);
  }
  if (auto* values = std::get_if<SelectValuesStmt>(&body))
    for (const ExprPtr& e : values->items) subqueries_of(e, out);
  if (auto* upd = std::get_if<UpdateStmt>(&body)) {
    for (const Assignment& a : upd->sets) subqueries_of(a.value, out);
    subqueries_of(upd->where, out);
  }
  if (auto* del = std::get_if<DeleteStmt>(&body)) subqueries_of(del->where, out);
  if (auto* merge = std::get_if<MergeStmt>(&body))
    merge->each_expr([&](const ExprPtr& e) { subqueries_of(e, out); });
  if (auto* ins = std::get_if<InsertStmt>(&body)) {
    for (const auto& row : ins->rows)
      for (const ExprPtr& x : row) subqueries_of(x, out);
    subqueries_of(ins->where, out);
    if (ins->on_conflict) {
      for (const Assignment& a : ins->on_conflict->sets) subqueries_of(a.value, out);
      subqueries_of(ins->on_conflict->where, out);
    }
  }
  return out;
}

// The subquery with ORDER BY, LIMIT or a locking clause a statement runs
// first (null when it has none; lang/validate.cc allows one, in the WHERE).
const Expr* initplan_of(const StepBody& body) {
  for (const Expr* e : subqueries_of(body))
    if (e->initplan) return e;
  return nullptr;
}

// Thrown out of a WHERE's evaluation when a lock function in it must wait.
struct AdvisoryWait {};

struct Target {
  const std::string& table;
  const ExprPtr& where;
};

// Returns the table and WHERE of a SELECT, UPDATE or DELETE.
Target target_of(const StepBody& body) {
  if (auto* sel = std::get_if<SelectStmt>(&body)) return {sel->table, sel->where};
  if (auto* upd = std::get_if<UpdateStmt>(&body)) return {upd->table, upd->where};
  if (auto* merge = std::get_if<MergeStmt>(&body))
    return {merge->table, merge->later.empty() ? merge->on : merge->on_any};
  const auto& del = std::get<DeleteStmt>(body);
  return {del.table, del.where};
}

// Puts versions in the order a bitmap scan meets them: by the line pointer
// that leads to each, the head of its row's HOT chain (the first version
// since a column of a unique index last changed, as an update that changes
// no indexed column stays on the chain).
void order_by_line(const Store& s, const Table& t, std::vector<VersionId>& versions) {
  auto head = [&](VersionId v) {
    for (VersionId p = s.version(v).prev;
         p && !changes_index(t, s.version(p).values, s.version(v).values); p = s.version(p).prev)
      v = p;
    return v;
  };
  std::vector<std::pair<VersionId, VersionId>> keyed;
  for (VersionId v : versions) keyed.emplace_back(head(v), v);
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) versions[i] = keyed[i].second;
}

// A plain scan of a unique index meets rows in the index's order (each IN
// list's values in turn first: KeyScanPlan::order): sorts `items` by the
// values of the version `version_of` gives each.
template <typename T, typename F>
void order_rows(const Store& s, const std::vector<int>& order, std::vector<T>& items,
                F version_of) {
  std::stable_sort(items.begin(), items.end(), [&](const T& a, const T& b) {
    const Row& x = s.version(version_of(a)).values;
    const Row& y = s.version(version_of(b)).values;
    for (int k : order) {
      const auto c = static_cast<size_t>(k);
      if (x[c] < y[c]) return true;
      if (y[c] < x[c]) return false;
    }
    return false;
  });
}

// The LIMIT the planner weighs a scan's paths by: one without ORDER BY.
std::optional<int64_t> scan_limit(const SelectStmt* sel) {
  if (!sel || sel->order_by) return std::nullopt;
  return sel->planned_rows();
}

}  // namespace

// ---- Rule: what a SERIALIZABLE statement reads (SIREAD locks) --------------
// PostgreSQL looks a row up through the primary key's index when the WHERE
// pins the key (key = value, alone or ANDed with more), walks the index in
// order for `ORDER BY key LIMIT n` when its planner finds that cheaper
// (ordered_key_scan), and otherwise scans the whole table. An index lookup
// or walk locks the index page and the tuples it fetched; a sequential scan
// locks the relation.
void Executor::serializable_read(RequestId r, TableId tid, const ExprPtr& where,
                                 const SelectStmt* sel, const Snapshot& snap, const Cursor* c,
                                 const KeyScanPlan* planned) {
  Store& s = w_.store;
  const Request& q = w_.requests[r.value];
  TxnId txn = w_.sessions[r.value].txn;
  if (s.txn(txn).isolation != Isolation::kSerializable) return;
  const Table& t = s.table(tid);
  const SubqueryValues* computed = c ? &c->subqueries : nullptr;
  // A measured table may be read sequentially, pinned key or not.
  const bool lookups = lookup_planned(t, where.get(), t.rows.size());
  std::optional<std::vector<Value>> keys;
  if (lookups) keys = index_lookup(t, where.get(), q.vars, computed);
  if (keys && !key_pinned(t, where.get())) keys.reset();  // an IN list or OR: key_scan, below
  KeyScanPlan own_plan;  // the scan's plan, when the caller has none
  std::vector<RowId> looked_up;
  std::vector<VersionId> read;
  auto visible = [&](RowId row) {
    for (VersionId v = s.row(row).newest; v; v = s.version(v).prev)
      if (s.visible(s.version(v), snap)) return v;
    return VersionId{};
  };
  // What a read through the key's index finds: each row with an index
  // entry that `meets` (a key any of its versions had), and the version
  // the snapshot sees if it meets it too.
  auto index_read = [&](auto&& meets) {
    for (RowId row : t.rows) {
      bool match = false;
      for (VersionId v = s.row(row).newest; v && !match; v = s.version(v).prev) match = meets(v);
      if (!match) continue;
      looked_up.push_back(row);
      if (VersionId v = visible(row); v && meets(v)) read.push_back(v);
    }
  };
  // A walk of the key's index in order (descending or not): it meets each
  // index entry in key order, one per key any version of a row had (a key
  // update leaves the old entry and makes a new one), and fetches its heap
  // tuple: an entry whose version the snapshot does not see (a concurrent
  // key update's new key, say) is passed over once its writer is checked
  // (CheckForSerializableConflictOut); the one whose key the visible version
  // has returns the row. It stops once `limit` rows passed the WHERE; a row
  // SKIP LOCKED passes over was fetched but does not count.
  // An index on another column `k` (min() and max()) leaves out NULLs.
  auto walk = [&](bool descending, int64_t limit, size_t k) {
    std::vector<std::pair<Value, RowId>> order;
    for (RowId row : t.rows) {
      // A row whose insert was rolled back has no version left: nothing to
      // fetch or lock.
      const size_t first = order.size();
      for (VersionId v = s.row(row).newest; v; v = s.version(v).prev) {
        const Value& key = s.version(v).values[k];
        if (is_null(key)) continue;
        bool listed = false;
        for (size_t i = first; i < order.size() && !listed; ++i) listed = order[i].first == key;
        if (!listed) order.emplace_back(key, row);
      }
    }
    std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
      return descending ? b.first < a.first : a.first < b.first;
    });
    // The entries the walk never reaches: outside its index conditions.
    const std::vector<const Expr*> bounds = walk_bounds(t, where.get(), k);
    Row entry(t.columns.size());
    auto reached = [&](const Value& key) {
      entry[k] = key;
      EvalEnv env{&t, &entry, &q.vars, nullptr, true};
      if (c) env.subqueries = &c->subqueries;
      env.tables = &tables_;
      return std::all_of(bounds.begin(), bounds.end(),
                         [&](const Expr* b) { return eval_pred(*b, env) == true; });
    };
    int64_t kept = 0;
    for (const auto& [key, row] : order) {
      if (kept >= limit) break;
      if (!reached(key)) continue;
      looked_up.push_back(row);
      VersionId v = visible(row);
      if (!v || s.version(v).values[k] != key) continue;  // not the entry of the version seen
      read.push_back(v);
      EvalEnv env{&t, &s.version(v).values, &q.vars, nullptr, true};
      if (c) env.subqueries = &c->subqueries;
      env.tables = &tables_;
      if (where && eval_pred(*where, env) != true) continue;
      if (sel && sel->lock && sel->wait == WaitPolicy::kSkipLocked &&
          !s.blockers(row, txn, *sel->lock).empty())
        continue;
      ++kept;
    }
  };
  // The index a lookup or walk reads: an index-only scan of it (index_only)
  // locks the heap page rather than the tuples.
  std::vector<int> through;
  if (keys) {
    size_t k = static_cast<size_t>(t.key_columns()[0]);
    through = t.key_columns();
    index_read([&](VersionId v) {
      return std::find(keys->begin(), keys->end(), s.version(v).values[k]) != keys->end();
    });
  } else if (std::optional<Row> key =
                 lookups ? composite_key_lookup(t, where.get(), q.vars, computed) : std::nullopt) {
    // A whole key of several columns.
    through = t.key_columns();
    index_read([&](VersionId v) { return t.key_of(s.version(v).values) == *key; });
    keys.emplace();  // an index read
  } else if (auto u = lookups ? unique_lookup(t, where.get(), q.vars, computed) : std::nullopt) {
    // A unique index besides the primary key's, pinned whole.
    const std::vector<int>& cols = t.uniques[u->first].columns;
    through = cols;
    index_read([&](VersionId v) {
      const Row& values = s.version(v).values;
      for (size_t i = 0; i < cols.size(); ++i)
        if (is_null(u->second[i]) || values[static_cast<size_t>(cols[i])] != u->second[i])
          return false;
      return in_index(t, u->first + 1, values);  // a partial index lists some versions only
    });
    keys.emplace();  // an index read
  } else if (sel && ordered_key_scan(t, *sel, t.rows.size())) {
    walk(sel->order_by->descending, *sel->fetched(), static_cast<size_t>(t.key_columns()[0]));
    through = t.key_columns();
    keys.emplace();  // an index read
  } else if (sel && minmax_key_walk(t, *sel, where.get(), t.rows.size())) {
    // min(col) and max(col): a walk of one row from the end each names.
    for (const Aggregate& a : sel->aggregates)
      walk(a.kind == AggKind::kMax, 1, static_cast<size_t>(t.column_index(a.column)));
    through = minmax_index(t, *sel);
    keys.emplace();  // an index read
  } else if (const KeyScanPlan& plan =
                 planned ? *planned
                         : (own_plan = key_scan(t, where.get(), t.rows.size(), scan_limit(sel)));
             plan.kind != KeyScan::kNone) {
    // A scan of a unique index (or a bitmap of several), bitmap or plain:
    // the index page, and each row whose index entry (a key any of its
    // versions had) meets the scan's index conditions, with the version the snapshot sees if it
    // meets them too (the heap fetch finds it, PredicateLockTID locks it; the rest of the WHERE is
    // checked after).
    auto meets = [&](VersionId v) {
      EvalEnv env{&t, &s.version(v).values, &q.vars, nullptr, true};
      env.subqueries = computed;
      return std::all_of(plan.conditions.begin(), plan.conditions.end(), [&](const auto& arms) {
        return std::any_of(arms.begin(), arms.end(), [&](const auto& arm) {
          return std::all_of(arm.begin(), arm.end(),
                             [&](const Expr* e) { return eval_pred(*e, env) == true; });
        });
      });
    };
    const std::optional<int64_t> limit = scan_limit(sel);
    if (plan.kind == KeyScan::kIndex && limit) {
      // A plain index scan under a LIMIT stops once it has its rows: it
      // fetched those it met in the index's order up to there. (A bitmap scan
      // fetches the whole of its one page first.)
      std::vector<RowId> order;
      for (RowId row : t.rows)
        for (VersionId v = s.row(row).newest; v; v = s.version(v).prev)
          if (meets(v)) {
            order.push_back(row);
            break;
          }
      auto key_version = [&](RowId row) {
        VersionId v = visible(row);
        return v ? v : s.row(row).newest;
      };
      order_rows(s, plan.order, order, key_version);
      int64_t kept = 0;
      for (RowId row : order) {
        if (kept >= *limit) break;
        looked_up.push_back(row);
        VersionId v = visible(row);
        if (!v || !meets(v)) continue;
        read.push_back(v);
        EvalEnv env{&t, &s.version(v).values, &q.vars, nullptr, true};
        env.subqueries = computed;
        env.tables = &tables_;
        if (where && eval_pred(*where, env) != true) continue;
        if (sel->lock && sel->wait == WaitPolicy::kSkipLocked &&
            !s.blockers(row, txn, *sel->lock).empty())
          continue;
        ++kept;
      }
    } else {
      index_read(meets);
    }
    keys.emplace();  // an index read
  }
  const std::vector<uint32_t> parts = partitions_read(t, where.get(), q.vars, computed);
  const bool heapless =
      sel && !through.empty() && !t.partitioning && index_only(t, *sel, where.get(), through);
  s.ssi_read(txn, tid, keys.has_value(), looked_up, read, std::nullopt, &parts, heapless);
}

// ---- Rule: a scalar subquery is computed once, with the statement's snapshot -
// (SELECT item FROM t [WHERE ...]) is PostgreSQL's InitPlan: run once, when
// the statement first needs it, reading with the statement's snapshot (at
// SERIALIZABLE it takes SIREAD locks and meets concurrent writers like any
// read). No row: NULL; more than one: 21000. ccsim runs it when the scan
// that needs it finds its first row (an INSERT: at once); a re-check at READ
// COMMITTED keeps its value, as PostgreSQL keeps an InitPlan's.
void Executor::run_subqueries(RequestId r, Cursor& c, const Step& st, const Expr* within) {
  if (!st.subqueries) return;
  Store& s = w_.store;
  const Request& q = w_.requests[r.value];
  std::vector<const Expr*> inside;
  if (within) subqueries_of_expr(*within, inside);
  for (const Expr* e : subqueries_of(st.body)) {
    if (e->initplan) continue;  // run before the statement (picked)
    if (within && std::find(inside.begin(), inside.end(), e) == inside.end()) continue;
    if (std::any_of(c.subqueries.begin(), c.subqueries.end(),
                    [&](const auto& done) { return done.first == e; }))
      continue;  // run already
    TableId tid = table_named(s, e->name);
    std::vector<VersionId> kept;
    for (VersionId v : s.scan(tid, c.snapshot)) {
      EvalEnv env{&s.table(tid), &s.version(v).values, &q.vars, nullptr, true};
      if (!e->rhs || eval_pred(*e->rhs, env) == true) kept.push_back(v);
    }
    SelectStmt probe;  // what serializable_read asks of a select list: its aggregate
    if (e->aggregate) probe.aggregates = {*e->aggregate};
    if (e->exists) probe.limit = 1;  // EXISTS stops at its first row, planned so
    serializable_read(r, tid, e->rhs, &probe, c.snapshot);
    Value value{Null{}};
    if (e->exists) {
      value = !kept.empty();
    } else if (e->aggregate) {
      SelectStmt sel;
      sel.table = e->name;
      sel.aggregates = {*e->aggregate};
      SqlAnswer a;
      aggregate_answer(s, tid, sel, kept, false, &a);
      value = a.rows[0][0];
    } else if (kept.size() > 1) {
      throw SqlError("21000", "more than one row returned by a subquery used as an expression");
    } else if (kept.size() == 1) {
      EvalEnv env{&s.table(tid), &s.version(kept[0]).values, &q.vars, nullptr, true};
      value = eval_value(*e->lhs, env);
    }
    c.subqueries.emplace_back(e, std::move(value));
  }
}

// Puts a SELECT's rows in its ORDER BY's order. NULLs go first or last as
// each key says (PostgreSQL's default: NULLS LAST ascending, NULLS FIRST
// descending), whatever the direction of the values.
// Later columns order the rows the earlier ones tie; rows that tie on all
// keep the scan's order.
void sort_candidates(const Store& s, const Table& t, const SelectStmt& sel,
                     std::vector<VersionId>& rows) {
  struct Key {
    size_t col;
    bool descending;
    bool nulls_first;
  };
  std::vector<Key> keys;
  for (size_t i = 0; i <= sel.order_then.size(); ++i) {
    const OrderBy& o = i == 0 ? *sel.order_by : sel.order_then[i - 1];
    keys.push_back({column_named(t, o.column), o.descending, o.nulls_first});
  }
  // -1, 0 or 1: x before, tied with or after y under key k.
  auto compare = [](const Key& k, const Value& x, const Value& y) {
    if (is_null(x) || is_null(y)) {
      if (is_null(x) == is_null(y)) return 0;
      return is_null(x) == k.nulls_first ? -1 : 1;
    }
    if (x < y) return k.descending ? 1 : -1;
    if (y < x) return k.descending ? -1 : 1;
    return 0;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](VersionId a, VersionId b) {
    for (const Key& k : keys)
      if (int c = compare(k, s.version(a).values[k.col], s.version(b).values[k.col])) return c < 0;
    return false;
  });
}

// Starts a data statement (SELECT, UPDATE, INSERT, DELETE) in a cursor.
void Executor::start_statement(RequestId r, const Step& st) {
  Session& session = w_.sessions[r.value];
  Store& s = w_.store;
  if (!session.txn) session.txn = s.begin(r, default_level(r));  // autocommit: one statement
  auto* ins = std::get_if<InsertStmt>(&st.body);
  // Built in its place in the session: an error on the way leaves it to the
  // rollback that follows every error (RequestMachine::fail).
  Cursor& c = session.cursor.emplace();
  c.txn = session.txn;
  c.snapshot = s.statement_snapshot(session.txn);
  if (ins) {
    start_insert(r, st, *ins, c);
    return;
  }
  if (const Expr* pick = st.subqueries ? initplan_of(st.body) : nullptr) {
    c.initplan = true;
    open_scan(r, *pick->initplan, c);
    return;
  }
  open_scan(r, st, c);
}

// ---- Rule: a subquery that picks a row runs before its statement ----------------
// WHERE id = (SELECT id FROM jobs WHERE ... ORDER BY id LIMIT 1 FOR UPDATE
// SKIP LOCKED) is PostgreSQL's InitPlan giving the index scan its key: it
// runs as the scan starts, with the statement's snapshot, as the SELECT it
// is (it locks, waits, re-checks and skips as a locking SELECT does); the
// statement then reads with the same snapshot and that value. Its second
// row is an error (21000), after it was locked, as ExecSetParamPlan fetches
// it. (Where it may run later or never, lang/validate.cc refuses it.)
void Executor::picked(RequestId r, const Step& st, const Expr& pick) {
  Session& session = w_.sessions[r.value];
  Store& s = w_.store;
  const Cursor& c = *session.cursor;
  if (c.out.size() > 1)
    throw SqlError("21000", "more than one row returned by a subquery used as an expression");
  Value value{Null{}};
  if (!c.out.empty()) {
    EvalEnv env{&s.table(table_named(s, pick.name)), &s.version(c.out[0]).values,
                &w_.requests[r.value].vars, nullptr, true};
    value = eval_value(*pick.lhs, env);
  }
  Cursor next;
  next.txn = c.txn;
  next.snapshot = c.snapshot;
  next.subqueries.emplace_back(&pick, std::move(value));
  session.cursor = std::move(next);
  open_scan(r, st, *session.cursor);
}

// Opens the scan of a SELECT, UPDATE or DELETE in cursor c: the rows its
// snapshot matches, in the planner's order.
void Executor::open_scan(RequestId r, const Step& st, Cursor& c) {
  Store& s = w_.store;
  const Request& q = w_.requests[r.value];
  const auto* sel = std::get_if<SelectStmt>(&st.body);
  auto [tname, where] = target_of(st.body);
  TableId tid = statement_table(tname);
  const Table& t = s.table(tid);
  // Scalar subqueries run when the scan finds its first row: one the WHERE
  // reads (before the scan's own SIREAD locks), else one it keeps. One
  // that gives an index scan its key runs as the scan starts, rows or not.
  const bool subqueries = st.subqueries && !subqueries_of(st.body).empty();
  bool ran = false;
  // ---- Rule: a part of the WHERE that reads no row is checked once, first -------
  // Each operand of the WHERE's top AND that reads no column of the row
  // and calls no lock function (EXISTS (...), (SELECT count(*) ...) > 0,
  // :flag = 1) is taken out of the scan by the planner and checked once,
  // as the statement starts (a gating Result's One-Time Filter, or no scan
  // at all for a constant false), in the order written: each one's
  // subqueries run just before it is checked, rows or not, and once one
  // is not true the rest are not checked (their subqueries never run) and
  // the scan never starts, so no row is read, locked or SIREAD-locked. The
  // WHERE's other subqueries run as below.
  std::vector<const Expr*> gates;
  one_time_filters(where.get(), gates);
  bool gated_off = false;
  if (!gates.empty()) {
    EvalEnv env{&t, nullptr, &q.vars, nullptr, true};
    env.subqueries = &c.subqueries;
    env.tables = &tables_;
    for (const Expr* g : gates) {
      if (subqueries && has_subquery(g)) run_subqueries(r, c, st, g);
      if (eval_pred(*g, env) != true) {
        gated_off = true;
        break;
      }
    }
  }
  if (subqueries && !ran && !gated_off && has_subquery(where.get()) &&
      (index_key_subquery(t, where.get(), t.rows.size()) || !s.scan(tid, c.snapshot).empty())) {
    run_subqueries(r, c, st);
    ran = true;
  }
  // ---- Rule: a MERGE source of several rows prunes no partition ------------------
  // Its values are not constants of the plan (the hash join reads them), so
  // every partition of the target is scanned, and at SERIALIZABLE read.
  static const ExprPtr kNoWhere;
  const auto* merge = std::get_if<MergeStmt>(&st.body);
  const ExprPtr& planned = merge && !merge->later.empty() ? kNoWhere : where;
  const KeyScanPlan plan = key_scan(t, planned.get(), t.rows.size(), scan_limit(sel));
  if (!gated_off) {
    serializable_read(r, tid, planned, sel, c.snapshot, &c, &plan);
    // The rows the snapshot sees, then those its WHERE keeps, in place.
    s.scan_into(tid, c.snapshot, c.candidates);
  } else {
    c.candidates.clear();
  }
  if (where && !gated_off) {
    size_t kept = 0;
    for (VersionId v : c.candidates) {
      EvalEnv env{&t, &s.version(v).values, &q.vars, nullptr, true};
      env.subqueries = &c.subqueries;
      env.tables = &tables_;
      if (eval_pred(*where, env) == true) c.candidates[kept++] = v;
    }
    c.candidates.resize(kept);
  }
  switch (plan.kind) {
    case KeyScan::kBitmap:
      order_by_line(s, t, c.candidates);
      break;
    case KeyScan::kIndex:
      order_rows(s, plan.order, c.candidates, [](VersionId v) { return v; });
      break;
    case KeyScan::kNone:
      break;
  }
  // ---- Rule: a partitioned table is read partition by partition --------------
  // PostgreSQL's Append reads its partitions in bound order (store.h:
  // PartitionScheme), each in its own heap (or index) order.
  if (t.partitioning)
    std::stable_sort(c.candidates.begin(), c.candidates.end(), [&](VersionId a, VersionId b) {
      return t.partition_of(s.version(a).values) < t.partition_of(s.version(b).values);
    });
  if (subqueries && !ran && !c.candidates.empty()) run_subqueries(r, c, st);
  // ---- Rule: MERGE joins a source of several rows by hashing ------------------
  // Each target row the scan keeps, with each source row whose ON it
  // matches, the last written first (the hash table's bucket list): a
  // target row is taken once per such source row (ast.h: MergeStmt).
  if (merge && !merge->later.empty()) {
    if (t.measured())
      throw SqlError("0A000",
                     "a MERGE source of several rows into a table whose size the planner knows "
                     "(VACUUM, ANALYZE or an index built over its rows measured it) is not "
                     "modelled: PostgreSQL then hashes the smaller side, by the table's size");
    std::vector<VersionId> pairs;
    for (VersionId v : c.candidates)
      for (size_t k = merge->rows(); k-- > 0;) {
        EvalEnv env{&t, &s.version(v).values, &q.vars, nullptr, true};
        env.subqueries = &c.subqueries;
        env.tables = &tables_;
        if (eval_pred(*merge->row(k).on, env) != true) continue;
        pairs.push_back(v);
        c.merge_rows.push_back(static_cast<uint32_t>(k));
      }
    c.candidates = std::move(pairs);
  }
  // ---- Rule: a lock function in the WHERE of a sorted SELECT ------------------
  // When the planner scans and sorts (no index walk, ordered_key_scan), the
  // scan's filter runs over every row before the sort hands the first one
  // on: the WHERE's advisory locks are taken on all the rows it keeps,
  // LIMIT or not. The cursor does that first (advisory_phase 1).
  if (sel && sel->order_by && has_advisory(where.get()) &&
      !ordered_key_scan(t, *sel, t.rows.size()))
    c.advisory_phase = 1;
  else if (sel && sel->order_by)
    sort_candidates(s, t, *sel, c.candidates);
  if (sel && !sel->lock && !has_advisory(where.get())) {
    // A plain SELECT takes no row locks: its result is what the snapshot sees.
    c.out = c.candidates;
    if (sel->limit && c.out.size() > static_cast<size_t>(*sel->fetched()))
      c.out.resize(static_cast<size_t>(*sel->fetched()));
    c.next = c.candidates.size();
  }
}

// ---- Rule: advisory locks ------------------------------------------------------
// An advisory lock is an exclusive lock on a bigint key, queued FIFO and
// deadlocking like a row lock. pg_advisory_xact_lock holds it to the end of
// the transaction; pg_advisory_lock to the session's pg_advisory_unlock, as
// many times as it was taken (or the session's end), whatever the
// transaction does. A session's own locks never block it, at either level.
// The try forms never wait and return whether they got the lock. A
// statement that takes one takes a snapshot like any other (the first of a
// REPEATABLE READ transaction fixes the transaction's). The wait is the
// transaction's (so deadlock checks see it); a session-level lock it waited
// for is handed to the session's holder when granted.

// How many times session r holds key at session level in the mode (0: not).
int64_t& Executor::session_count(RequestId r, AdvisoryKey key, bool shared) {
  auto& held = w_.sessions[r.value].advisory_held;
  for (AdvisoryHeld& h : held)
    if (h.key == key && h.shared == shared) return h.count;
  held.push_back(AdvisoryHeld{key, shared, 0});
  return held.back().count;
}

void Executor::settle_session_lock(RequestId r, RowId row, bool shared, bool kept) {
  Session& session = w_.sessions[r.value];
  if (!session.session_locks) session.session_locks = w_.store.begin_session_holder(r);
  w_.store.hand_over(row, session.txn, session.session_locks, Store::advisory_mode(shared), kept);
  ++session_count(r, *w_.store.advisory_key(row), shared);
}

std::optional<Value> Executor::take_advisory(RequestId r, Cursor& c, const AdvisoryCall& call,
                                             AdvisoryKey key, RowId* wait) {
  Store& s = w_.store;
  Session& session = w_.sessions[r.value];
  RowId row = s.advisory_row(key);
  const LockMode mode = Store::advisory_mode(call.shared);
  Value got_it = call.try_only ? Value{true} : Value{std::string()};
  if (call.session && session.session_locks && s.holds(row, session.session_locks, mode)) {
    ++session_count(r, key, call.shared);
    return got_it;
  }
  bool had = s.holds(row, c.txn, mode);
  switch (s.lock(row, c.txn, mode, !call.try_only)) {
    case LockResult::kUnavailable:
      return Value{false};
    case LockResult::kDeadlock:  // ProcSleep's: a waiter it would pass waits for it
      throw SqlError("40P01", "deadlock detected");
    case LockResult::kEnqueued:
      c.advisory_wait = true;
      c.advisory_session = call.session;
      c.advisory_shared = call.shared;
      *wait = row;
      return std::nullopt;
    case LockResult::kGranted:
      break;
  }
  if (call.session) settle_session_lock(r, row, call.shared, had);
  return got_it;
}

// pg_advisory_unlock[_shared]: false (and a WARNING) when the session does
// not hold the key at session level in that mode; a transaction-level lock
// is not its to release.
bool Executor::unlock_advisory(RequestId r, AdvisoryKey key, bool shared) {
  Session& session = w_.sessions[r.value];
  int64_t& n = session_count(r, key, shared);
  const bool held = n > 0;
  if (held && --n == 0)
    let_in(r, w_.store.release(w_.store.advisory_row(key), session.session_locks,
                               Store::advisory_mode(shared)));
  std::erase_if(session.advisory_held, [](const AdvisoryHeld& h) { return h.count == 0; });
  return held;
}

void Executor::unlock_all_advisory(RequestId r) {
  Session& session = w_.sessions[r.value];
  std::vector<TxnId> granted;
  for (const AdvisoryHeld& h : session.advisory_held) {
    std::vector<TxnId> g = w_.store.release(w_.store.advisory_row(h.key), session.session_locks);
    granted.insert(granted.end(), g.begin(), g.end());
  }
  session.advisory_held.clear();
  let_in(r, std::move(granted));
}

SqlAnswer Executor::advisory_lock(RequestId r, const AdvisoryStmt& adv, const Step& st) {
  Session& session = w_.sessions[r.value];
  Store& s = w_.store;
  if (!session.txn) session.txn = s.begin(r, default_level(r));  // autocommit
  Cursor& c = session.cursor.emplace();
  c.txn = session.txn;
  c.snapshot = s.statement_snapshot(session.txn);
  SqlAnswer a;
  if (!advisory_calls(r, adv, &a)) return a;
  return complete(r, st);
}

// Makes the statement's calls from the cursor's next on, in order, each
// answer kept in the cursor: void ('') for a lock taken and for
// pg_advisory_unlock_all, whether a try form got its lock or an unlock
// found it held, NULL for a NULL key. False when a call must wait (*waiting
// says for whom); the rest run once it has its lock (advance()).
bool Executor::advisory_calls(RequestId r, const AdvisoryStmt& adv, SqlAnswer* waiting) {
  Cursor& c = *w_.sessions[r.value].cursor;
  const Request& q = w_.requests[r.value];
  EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
  for (; c.next < adv.items.size(); ++c.next) {
    const AdvisoryItem& item = adv.items[c.next];
    std::optional<AdvisoryKey> k;
    if (item.key2) {
      Value first = eval_value(*item.key, env);
      k = advisory_pair(item.call, *item.key, std::move(first), *item.key2,
                        eval_value(*item.key2, env));
    } else if (item.key) {
      Value key = advisory_key(*item.key, eval_value(*item.key, env));
      if (!is_null(key) && !std::holds_alternative<int64_t>(key))
        throw SqlError("22P02",
                       "invalid input syntax for type bigint: \"" + to_display(key) + "\"");
      if (!is_null(key)) k = AdvisoryKey{std::get<int64_t>(key)};
    }
    Value answer{Null{}};
    switch (item.call.kind) {
      case AdvisoryCall::Kind::kUnlockAll:
        unlock_all_advisory(r);
        answer = std::string();
        break;
      case AdvisoryCall::Kind::kUnlock:
        if (k) answer = unlock_advisory(r, *k, item.call.shared);
        break;
      case AdvisoryCall::Kind::kLock:
        if (!k) break;
        RowId wait;
        std::optional<Value> got = take_advisory(r, c, item.call, *k, &wait);
        if (!got) {
          *waiting = block(r, wait, Store::advisory_mode(item.call.shared));
          // ---- Rule: a call's WARNING is sent before a later call waits ---
          // PostgreSQL sends a notice as it is raised: an unlock of a lock
          // not held, earlier in the statement, warns before the wait.
          waiting->warning = advisory_warnings(adv, c);
          return false;
        }
        answer = std::move(*got);
        break;
    }
    c.advisory_answers.push_back(std::move(answer));
  }
  return true;
}

// The WARNINGs of the answers not yet warned of: one per unlock of a lock
// not held, in call order.
std::string Executor::advisory_warnings(const AdvisoryStmt& adv, Cursor& c) const {
  std::string out;
  for (; c.advisory_warned < c.advisory_answers.size(); ++c.advisory_warned) {
    const AdvisoryCall& call = adv.items[c.advisory_warned].call;
    if (call.kind == AdvisoryCall::Kind::kUnlock &&
        c.advisory_answers[c.advisory_warned] == Value{false})
      out += std::string(out.empty() ? "" : "\n") + "you don't own a lock of type " +
             (call.shared ? "ShareLock" : "ExclusiveLock");
  }
  return out;
}

// The level of a transaction session r begins without naming one: its
// default_transaction_isolation, else the run's.
Isolation Executor::default_level(RequestId r) const {
  return w_.sessions[r.value].timeouts.isolation.value_or(w_.default_isolation);
}

// A setting as SHOW and current_setting print it: an isolation level in
// lower case, a time in its largest whole unit (1s, 10ms).
std::optional<std::string> Executor::setting(RequestId r, const std::string& name) const {
  const Session& session = w_.sessions[r.value];
  auto level = [](Isolation iso) {
    std::string text = to_sql(iso);
    for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
  };
  std::string key = name;
  for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (key == "default_transaction_isolation") return level(default_level(r));
  if (key == "transaction_isolation")
    return level(session.txn ? w_.store.txn(session.txn).isolation : default_level(r));
  if (key == "transaction_read_only")
    return session.txn && w_.store.txn(session.txn).read_only ? "on" : "off";
  if (key == "datestyle") return datestyle_text(current_datestyle());
  if (is_time_setting(key)) {
    int64_t ms = session.timeouts.named(key);
    if (ms == 0) return "0";  // off
    for (auto [unit, size] :
         {std::pair{"d", 86'400'000}, {"h", 3'600'000}, {"min", 60'000}, {"s", 1'000}})
      if (ms != 0 && ms % size == 0) return std::to_string(ms / size) + unit;
    return std::to_string(ms) + "ms";
  }
  return std::nullopt;
}

// ---- Rule: LOCK TABLE ------------------------------------------------------------
// Locks the tables in the order named (the cursor's next is the one to
// lock), each in ACCESS EXCLUSIVE mode: a lock row of the table's own,
// queued in FIFO order and in the waits-for graph like a row lock. It
// takes no snapshot and no xid. NOWAIT: 55P03 instead of a wait.
bool Executor::lock_tables(RequestId r, const LockTableStmt& lock, SqlAnswer* waiting) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  for (; c.next < lock.tables.size(); ++c.next) {
    const std::string& name = lock.tables[c.next];
    std::optional<TableId> tid = s.find_table_for_lock(name, c.txn);
    if (!tid) throw SqlError("42P01", "relation \"" + name + "\" does not exist");
    if (!table_lock(r, s.table_lock_row(*tid), lock.mode, waiting, lock.nowait ? &name : nullptr))
      return false;
    if (lock.utility == "ALTER TABLE") refuse_pending_checks(r, *tid, "ALTER TABLE");
  }
  // A table dropped while this waited for it is gone (42P01 once granted).
  for (const std::string& name : lock.tables) table_named(s, name);
  return true;
}

// ---- Rule: the table locks a statement takes (World::table_locks) -------------
// In the order PostgreSQL's parse analysis opens the tables: the statement's
// own table (ROW EXCLUSIVE for a write, ROW SHARE for a locking SELECT,
// ACCESS SHARE for any other), then its scalar subqueries' (ACCESS SHARE);
// DROP TABLE takes ACCESS EXCLUSIVE on each table, CREATE TABLE SHARE ROW
// EXCLUSIVE on each table its foreign keys reference. A table no one can
// see is left out: the statement fails on it with 42P01 as before.
std::vector<std::pair<TableId, LockMode>> Executor::statement_table_locks(const Step& st,
                                                                          TxnId txn) const {
  std::vector<std::pair<TableId, LockMode>> out;
  const Store& s = w_.store;
  auto add = [&](const std::string& name, LockMode mode) {
    if (std::optional<TableId> t = s.find_table_for_lock(name, txn)) out.emplace_back(*t, mode);
  };
  std::vector<const Expr*> subqueries;
  if (auto* sel = std::get_if<SelectStmt>(&st.body)) {
    add(sel->table, sel->lock ? LockMode::kRowShare : LockMode::kAccessShare);
    subqueries = subqueries_of(st.body);
  } else if (auto* upd = std::get_if<UpdateStmt>(&st.body)) {
    add(upd->table, LockMode::kRowExclusive);
    subqueries_of(upd->where, subqueries);  // the WHERE is analysed before SET
    for (const Assignment& a : upd->sets) subqueries_of(a.value, subqueries);
  } else if (auto* del = std::get_if<DeleteStmt>(&st.body)) {
    add(del->table, LockMode::kRowExclusive);
    subqueries = subqueries_of(st.body);
  } else if (auto* merge = std::get_if<MergeStmt>(&st.body)) {
    add(merge->table, LockMode::kRowExclusive);
  } else if (auto* ins = std::get_if<InsertStmt>(&st.body)) {
    add(ins->table, LockMode::kRowExclusive);
    subqueries = subqueries_of(st.body);
  } else if (std::holds_alternative<SelectValuesStmt>(st.body)) {
    subqueries = subqueries_of(st.body);
  } else if (auto* drop = std::get_if<DropTableStmt>(&st.body)) {
    for (const std::string& name : drop->tables) add(name, LockMode::kAccessExclusive);
  } else if (auto* alter = std::get_if<AlterForeignKeyStmt>(&st.body)) {
    // ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on the table, then on the table
    // it references; VALIDATE: SHARE UPDATE EXCLUSIVE, then ROW SHARE on
    // the referenced table (ATExecValidateConstraint).
    if (alter->add) {
      add(alter->table, LockMode::kShareRowExclusive);
      add(alter->add->table, LockMode::kShareRowExclusive);
    } else {
      add(alter->table, LockMode::kShareUpdateExclusive);
      if (std::optional<TableId> t = s.find_table_for_lock(alter->table, txn))
        for (const ForeignKey& fk : s.table(*t).foreign_keys)
          if (fk.name == alter->validate && fk.parent != *t)
            out.emplace_back(fk.parent, LockMode::kRowShare);
    }
  } else if (auto* create = std::get_if<CreateTableStmt>(&st.body)) {
    // ---- Rule: two transactions create one name --------------------------
    // A table another transaction created and has not ended is not seen, so
    // this one goes on to create its own, and PostgreSQL's insert into the
    // catalog's unique index waits for that transaction: modelled as a wait
    // for the ACCESS EXCLUSIVE lock its creator holds (ddl() then decides).
    std::optional<TableId> same = s.find_table(create->table);
    if (same && s.created_by_other(*same, txn)) {
      out.emplace_back(*same, LockMode::kAccessExclusive);
      same.reset();
    }
    if (!create->if_not_exists || !same)
      for (const ForeignKeyDef& fk : create->foreign_keys)
        if (fk.table != create->table) add(fk.table, LockMode::kShareRowExclusive);
  }
  for (const Expr* e : subqueries)  // a locking subquery's table in ROW SHARE, as a SELECT's
    add(e->name, e->initplan && std::get<SelectStmt>(e->initplan->body).lock
                     ? LockMode::kRowShare
                     : LockMode::kAccessShare);
  return out;
}

// Asks for a table lock for r's statement: true when held, false when it
// waits (*waiting says for whom). ProcSleep's deadlock is 40P01 at once;
// with nowait (the table's name), 55P03 instead of a wait.
bool Executor::table_lock(RequestId r, RowId row, LockMode mode, SqlAnswer* waiting,
                          const std::string* nowait) {
  switch (w_.store.lock(row, w_.sessions[r.value].cursor->txn, mode, !nowait, false)) {
    case LockResult::kUnavailable:
      throw SqlError("55P03", "could not obtain lock on relation \"" + *nowait + "\"");
    case LockResult::kDeadlock:
      throw SqlError("40P01", "deadlock detected");
    case LockResult::kEnqueued:
      *waiting = block(r, row, mode);
      return false;
    case LockResult::kGranted:
      break;
  }
  return true;
}

// Takes the cursor's table locks from table_next on; false when one must
// wait (*waiting says for whom).
bool Executor::take_table_locks(RequestId r, SqlAnswer* waiting) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  for (; c.table_next < c.table_locks.size(); ++c.table_next) {
    auto [tid, mode] = c.table_locks[c.table_next];
    if (c.table_next == 1) altered_table_locked(r, c.table_locks.front().first);
    if (!table_lock(r, s.table_lock_row(tid), mode, waiting)) return false;
  }
  if (c.table_locks.size() == 1) altered_table_locked(r, c.table_locks.front().first);
  c.table_phase = false;
  return true;
}

// ---- Rule: SELECT without FROM ------------------------------------------------
// One row of values, computed with the statement's snapshot (its scalar
// subqueries read with it), in the session's transaction or an autocommit
// one of its own.
SqlAnswer Executor::select_values(RequestId r, const SelectValuesStmt& values, const Step& st) {
  Session& session = w_.sessions[r.value];
  Store& s = w_.store;
  if (!session.txn) session.txn = s.begin(r, default_level(r));  // autocommit
  session.cursor = Cursor{};
  Cursor& c = *session.cursor;
  c.txn = session.txn;
  // SHOW takes no snapshot (PlannedStmtRequiresSnapshot): at REPEATABLE
  // READ the transaction's is still the first query's, and SET TRANSACTION
  // may still change the level.
  if (!values.show) c.snapshot = s.statement_snapshot(session.txn);
  run_subqueries(r, c, st);
  std::function<std::optional<std::string>(const std::string&)> read_setting =
      [&](const std::string& name) { return setting(r, name); };
  std::function<Value(const Expr&)> sequence = [&](const Expr& e) {
    return sequence_value(r, e.name, e.currval);
  };
  EvalEnv env{nullptr, nullptr, &w_.requests[r.value].vars, nullptr, true};
  env.subqueries = &c.subqueries;
  env.tables = &tables_;
  env.setting = &read_setting;
  env.sequence = &sequence;
  Row row;
  for (const ExprPtr& e : values.items) row.push_back(eval_value(*e, env));
  SqlAnswer a = complete(r, st);
  a.has_rows = true;
  a.columns = values.names;
  if (narrating(log_)) {
    TypingEnv types{nullptr, env.vars, &tables_};
    for (const ExprPtr& e : values.items)
      a.datetimes.push_back(printed_datetime(type_of(*e, types)));
  }
  a.rows = {std::move(row)};
  a.rowcount = 1;
  return a;
}

// ---- Rule: deadlock (SQLSTATE 40P01) ---------------------------------------
// A waiter whose deadlock check finds a cycle through it in the waits-for
// graph is aborted with "deadlock detected"; the other members of the cycle
// keep waiting. Without deadlock timers that is the waiter that closes the
// cycle, at once; with them, the first whose check runs while the cycle
// exists (World::deadlock_timers).
SqlAnswer Executor::block(RequestId r, RowId row, LockMode mode) {
  Cursor& c = *w_.sessions[r.value].cursor;
  if (!w_.deadlock_timers) {
    std::vector<TxnId> granted;
    switch (w_.store.check_deadlock(c.txn, granted)) {
      case Store::Deadlock::kHard:  // its rollback leaves the queue (rollback())
        throw SqlError("40P01", "deadlock detected");
      case Store::Deadlock::kSoft:  // woken once r is taken to wait (waiting())
        let_in(r, std::move(granted));
        break;
      case Store::Deadlock::kNone:
        break;
    }
  }
  c.waiting = true;
  c.wait_row = row;
  if (w_.deadlock_timers) {
    c.wait_since_us = w_.now_us;
    c.wait_number = ++w_.waits_begun;
    c.deadlock_checked = false;
    // A row's waiter behind another waits for its tuple lock first (an
    // advisory or table lock is one lock: no second wait).
    const bool row_lock = !w_.store.advisory_key(row) && !w_.store.locked_table(row);
    c.behind = row_lock && w_.store.queued_behind(row, c.txn);
    c.sleeps_on =
        row_lock && !c.behind ? w_.store.first_blocker(row, c.txn).value_or(TxnId{}) : TxnId{};
  }
  SqlAnswer a;
  a.kind = SqlAnswer::Kind::kWaiting;
  for (TxnId t : is_table_mode(mode) ? w_.store.table_waits_on(row, c.txn, mode)
                                     : w_.store.blockers(row, c.txn, mode))
    a.holders.push_back(w_.owner(t));
  if (narrating(log_)) {
    a.waits_on = row_label(w_.store, row) + " is locked by " + names(w_, a.holders);
    if (w_.store.advisory_key(row)) a.lock_label = row_label(w_.store, row);
    if (w_.store.locked_table(row)) a.lock_label = "lock on " + row_label(w_.store, row);
  }
  return a;
}

// Runs the WHERE's advisory-lock calls for the candidate at c.next (see
// advance()): whether the WHERE keeps the row, or nothing when a call must
// wait (then *waiting says on what). resumed: a call's lock was just granted.
std::optional<bool> Executor::advisory_filter(RequestId r, Cursor& c, TableId tid,
                                              const ExprPtr& where, bool resumed,
                                              SqlAnswer* waiting) {
  if (c.advisory_at != c.next) {
    c.advisory_answers.clear();
    c.advisory_at = c.next;
  }
  if (resumed && c.advisory_wait) {  // the call that waited has its lock
    if (c.advisory_session) settle_session_lock(r, c.wait_row, c.advisory_shared, false);
    c.advisory_answers.emplace_back(std::in_place_type<std::string>);
    c.advisory_wait = false;
  }
  size_t calls = 0;
  std::optional<RowId> wait;
  std::function<Value(const Expr&, AdvisoryKey)> take = [&](const Expr& e, AdvisoryKey key) {
    size_t i = calls++;
    if (i < c.advisory_answers.size()) return c.advisory_answers[i];
    RowId at;
    std::optional<Value> got = take_advisory(r, c, e.call, key, &at);
    if (!got) {
      wait = at;
      throw AdvisoryWait{};
    }
    c.advisory_answers.push_back(*got);
    return *got;
  };
  const Store& s = w_.store;
  // A key's first lock adds the store's advisory table, which may move the
  // tables: the WHERE reads a copy of this one's columns.
  Table shape;
  shape.name = s.table(tid).name;
  shape.columns = s.table(tid).columns;
  EvalEnv env{&shape, &s.version(c.candidates[c.next]).values, &w_.requests[r.value].vars, nullptr,
              true};
  env.advisory = &take;
  env.subqueries = &c.subqueries;
  env.tables = &tables_;
  try {
    return eval_pred(*where, env) == true;
  } catch (const AdvisoryWait&) {
    *waiting = block(r, *wait, Store::advisory_mode(c.advisory_shared));
    return std::nullopt;
  }
}

Value Executor::column_default(RequestId r, TableId tid, size_t c) {
  const Column& col = w_.store.table(tid).columns[c];
  if (col.serial) return next_serial(r, tid, c);
  return col.default_value.value_or(Null{});
}

Value Executor::next_serial(RequestId r, TableId tid, size_t c) {
  Store& s = w_.store;
  const Column& col = s.table(tid).columns[c];
  if (col.sequence.empty()) return Value{s.next_serial(tid, c)};
  return fit(sequence_value(r, col.sequence, false), col, false);
}

// ---- Rule: SET serial_col = DEFAULT takes nextval as PostgreSQL projects ----
// PostgreSQL computes an UPDATE's new row (its SET list, nextval included)
// when the scan reaches a row its WHERE keeps, before locking it; when the
// row turns out to have been changed meanwhile (READ COMMITTED), the
// re-check that still keeps it computes the new row again: a second nextval.
// So a serial DEFAULT takes its value when the row is first reached
// (project_serials, kept in the cursor) and a new one when the row was
// followed to a newer version; every value taken is used up.
// SET col = nextval('s') (or currval) draws the same way.
void Executor::project_serials(RequestId r, TableId tid, const UpdateStmt& upd) {
  const Table& t = w_.store.table(tid);
  const bool draws = std::any_of(upd.sets.begin(), upd.sets.end(), [](const Assignment& a) {
    return a.value->kind == ExprKind::kSequence;
  });
  if (t.sequences.empty() && !draws) return;  // no serial column, no nextval
  Cursor& c = *w_.sessions[r.value].cursor;
  if (c.projected_at == c.next + 1) return;
  c.projection.clear();
  for (const Assignment& a : upd.sets) {
    size_t i = column_named(t, a.column);
    bool serial = a.value->kind == ExprKind::kDefault && t.columns[i].serial;
    c.projection.push_back(a.value->kind == ExprKind::kSequence
                               ? sequence_value(r, a.value->name, a.value->currval)
                           : serial ? column_default(r, tid, i)
                                    : Value{Null{}});
  }
  c.projected_at = c.next + 1;
}

Value Executor::set_value(RequestId r, TableId tid, const UpdateStmt& upd, size_t k,
                          const EvalEnv& env) {
  const Table& t = w_.store.table(tid);
  const Assignment& a = upd.sets[k];
  size_t i = column_named(t, a.column);
  if (a.value->kind == ExprKind::kSequence)  // drawn by project_serials: a bigint
    return fit(w_.sessions[r.value].cursor->projection.at(k), t.columns[i], false);
  if (a.value->kind != ExprKind::kDefault) return assigned_value(*a.value, t.columns[i], env);
  if (!t.columns[i].serial) return column_default(r, tid, i);
  return w_.sessions[r.value].cursor->projection.at(k);  // taken by project_serials
}

// The lock an UPDATE that assigns a key column takes on the row whose
// version `found` it reached: FOR UPDATE when the new key differs from the
// found one, else FOR NO KEY UPDATE.
LockMode Executor::update_lock(RequestId r, TableId tid, const UpdateStmt& upd, VersionId found) {
  const Store& s = w_.store;
  const Table& t = s.table(tid);
  const Row& before = s.version(found).values;
  Cursor& c = *w_.sessions[r.value].cursor;
  for (size_t k = 0; k < upd.sets.size(); ++k) {
    size_t i = column_named(t, upd.sets[k].column);
    const bool partition_key = t.partitioning && static_cast<int>(i) == t.partitioning->column;
    if (!t.key_column(i) && !partition_key) continue;
    EvalEnv env{&t, &before, &w_.requests[r.value].vars, nullptr, true};
    env.subqueries = &c.subqueries;
    env.tables = &tables_;
    Value now = set_value(r, tid, upd, k, env);
    if (t.key_column(i) && now != before[i]) return LockMode::kUpdate;
    if (partition_key) {  // a move to another partition deletes the row there
      Row moved = before;
      moved[i] = std::move(now);
      if (t.partition_of(moved) != t.partition_of(before)) return LockMode::kUpdate;
    }
  }
  return LockMode::kNoKeyUpdate;
}

// ---- Rule: FOR KEY SHARE follows a non-key UPDATE -----------------------------
// FOR KEY SHARE on a version an UPDATE that changed no key replaced
// (committed or not) is granted on the version the statement sees, and
// PostgreSQL then locks the row's later versions too
// (heap_lock_updated_tuple), waiting for a conflicting lock there whatever
// the wait policy: when a later version was deleted, had its key changed or
// was locked FOR UPDATE by a transaction still running, SKIP LOCKED and
// NOWAIT wait for it rather than skip or fail
// (tests/specs/key_share_skip_locked_chain.spec, key_share_chain_wait.spec).
// A lock on the row that conflicts can only be on a later version then.
// An UPDATE by a transaction that held FOR UPDATE on the row counts as a
// key update, whatever it changed (Version::key_updated:
// tests/specs/key_share_after_for_update.spec).
// True when the lock walks that chain, whatever its wait policy.
bool Executor::key_share_follows_chain(const SelectStmt* sel, LockMode mode, VersionId seen) const {
  if (!sel || mode != LockMode::kKeyShare) return false;
  const Store& s = w_.store;
  return s.version(seen).next && !s.version(seen).key_updated;
}

// The rules for a row a write or a lock found changed since the version
// its scan saw, once it holds the row (the caller's rule: READ COMMITTED
// re-checks the newest version). False when the row was deleted: skip it.
// ---- Rule: above READ COMMITTED a changed row is 40001 -------------------------
// It says "delete" only when the version found was itself deleted; one an
// UPDATE replaced says "update" though a later version was deleted
// (heap_update looks at the found version's own successor link). A locking
// SELECT (lock_only) says "update" for a delete too, as PostgreSQL's
// ExecLockRows does.
// ---- Rule: a row another transaction moved to another partition ------------
// An UPDATE that moved the row deleted it here and inserted it in its new
// partition, leaving no link to follow: a READ COMMITTED statement that
// meets it fails (40001) instead of skipping it, for a lock, an UPDATE or a
// DELETE alike (heapam_tuple_lock).
// ---- Rule: a deleted row keeps no lock -----------------------------------------
// heap_update, heap_delete and heap_lock_tuple that find the row deleted
// return TM_Deleted and let go of the tuple lock they waited with: the
// statement skips the row holding nothing on it, so the waiters queued
// behind it go on at once instead of waiting for this transaction's end
// (tests/specs/deleted_row_waiters.spec). A row that is still there but no
// longer matches stays locked.
bool Executor::changed_row_goes_on(RequestId r, RowId row, VersionId seen, VersionId newest,
                                   bool deleted, bool lock_only) {
  Store& s = w_.store;
  const TxnId txn = w_.sessions[r.value].cursor->txn;
  const bool moved = deleted && s.version(newest).moved;
  if (!snapshot_per_statement(s.txn(txn).isolation))
    throw SqlError("40001", deleted && newest == seen && !lock_only && !moved
                                ? "could not serialize access due to concurrent delete"
                                : "could not serialize access due to concurrent update");
  if (moved)
    throw SqlError("40001",
                   "tuple to be locked was already moved to another partition due to "
                   "concurrent update");
  if (deleted) {
    if (s.version(newest).xmax != txn) let_in(r, s.release(row, txn));
    return false;
  }
  fail_stale_waiters(r, row);
  return true;
}

// Goes on with request r's statement from its cursor. Returns true when it
// is done; false when it must wait (then *waiting says on what).
bool Executor::advance(RequestId r, const Step& st, SqlAnswer* waiting, bool resumed) {
  // COMMIT and SET CONSTRAINTS ... IMMEDIATE: a deferred check waited.
  if (std::holds_alternative<CommitStmt>(st.body) || std::holds_alternative<SetStmt>(st.body))
    return check_foreign_keys(r, waiting, resumed);
  if (auto* ins = std::get_if<InsertStmt>(&st.body))
    return advance_insert(r, *ins, waiting) && check_foreign_keys(r, waiting, resumed);
  const auto* merge = std::get_if<MergeStmt>(&st.body);
  if (merge && w_.sessions[r.value].cursor->merge_inserting)
    return advance_insert(r, merge->actions[w_.sessions[r.value].cursor->merge_action].insert,
                          waiting) &&
           check_foreign_keys(r, waiting, resumed);
  if (auto* lock = std::get_if<LockTableStmt>(&st.body)) {  // woken: one table is locked
    ++w_.sessions[r.value].cursor->next;
    return lock_tables(r, *lock, waiting);
  }
  if (auto* adv = std::get_if<AdvisoryStmt>(&st.body)) {  // woken: the call's lock is granted
    Cursor& c = *w_.sessions[r.value].cursor;
    if (c.advisory_session) settle_session_lock(r, c.wait_row, c.advisory_shared, false);
    c.advisory_wait = false;
    c.advisory_answers.emplace_back(std::in_place_type<std::string>);
    ++c.next;
    return advisory_calls(r, *adv, waiting);
  }
  // The subquery that picks the row first (this call runs st's own scan;
  // the one it makes runs the subquery's).
  if (const Expr* pick = w_.sessions[r.value].cursor->initplan ? initplan_of(st.body) : nullptr) {
    if (!advance(r, *pick->initplan, waiting, resumed)) return false;
    picked(r, st, *pick);
    resumed = false;
  }
  const Request& q = w_.requests[r.value];
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  const auto* sel = std::get_if<SelectStmt>(&st.body);
  const UpdateStmt* upd = std::get_if<UpdateStmt>(&st.body);
  auto [tname, where] = target_of(st.body);
  TableId tid = table_named(s, tname);
  LockMode stmt_mode =
      sel ? sel->lock.value_or(LockMode::kKeyShare) : write_lock(s.table(tid), st.body);
  WaitPolicy policy = sel ? sel->wait : WaitPolicy::kWait;
  Isolation iso = s.txn(c.txn).isolation;
  const bool advisory_where = has_advisory(where.get());

  if (c.advisory_phase == 1) {  // scan and sort: the filter over every row first
    while (c.next < c.candidates.size()) {
      std::optional<bool> keep = advisory_filter(r, c, tid, where, resumed, waiting);
      if (!keep) return false;
      resumed = false;
      if (*keep) c.out.push_back(c.candidates[c.next]);
      ++c.next;
    }
    c.candidates = std::move(c.out);
    c.out.clear();
    sort_candidates(s, s.table(tid), *sel, c.candidates);
    c.next = 0;
    c.advisory_phase = 2;
  }

  if (VersionId made = c.key_pending) {  // woken: the key's other writer ended
    if (!index_new_key(r, tid, made, waiting)) return false;
    c.key_pending = VersionId{};
    if (upd && upd->returning) c.out.push_back(made);
    ++c.rowcount;
    ++c.next;
    resumed = false;
  }
  while (c.next < c.candidates.size()) {
    if (sel && sel->limit && c.rowcount >= *sel->fetched()) break;
    if (c.initplan && c.rowcount >= 2) break;  // a subquery's second row is an error
    VersionId seen = c.candidates[c.next];
    RowId row = s.version(seen).row;
    // MERGE: the statement for the source row this entry is paired with.
    const MergeStmt* arm =
        merge && !c.merge_rows.empty() ? &merge->row(c.merge_rows[c.next]) : merge;
    const ExprPtr& recheck = arm ? arm->on : where;
    if (advisory_where && c.advisory_phase == 0) {
      // ---- Rule: advisory locks in a WHERE -------------------------------------
      // A lock function in a WHERE runs for each row the scan reaches that
      // the rest of the WHERE keeps, on the version the snapshot saw, before
      // the row is locked or returned (PostgreSQL evaluates it as a filter,
      // row by row). It can wait there, mid-statement, with the snapshot
      // taken; once it has its lock the row goes on as any other, locked
      // and re-checked as the rules below say (a re-check does not call it
      // again). A row a try form did not get the lock for is left out.
      bool call_woken = resumed && c.advisory_wait;  // not the row's lock
      std::optional<bool> keep = advisory_filter(r, c, tid, where, resumed, waiting);
      if (!keep) return false;
      if (call_woken) resumed = false;
      if (!*keep) {
        ++c.next;
        continue;
      }
    }
    if (sel && !sel->lock) {  // a plain SELECT (a lock function in its WHERE): the version seen
      c.out.push_back(seen);
      ++c.rowcount;
      ++c.next;
      continue;
    }
    // ---- Rule: a lock already held is held ------------------------------------
    // A transaction that already holds a lock on the row at least this strong
    // gets it at once on the version it sees, whatever happened to the row
    // since (heap_lock_tuple: "we effectively hold the desired lock already"):
    // no wait, no re-check, no 40001.
    // (A lock just granted after a wait was not held before: that row is
    // checked as usual.)
    // ---- Rule: an UPDATE's lock follows the key's value ------------------------
    // PostgreSQL's heap_update compares the new row with the version found:
    // FOR UPDATE when a key column's value changes, FOR NO KEY UPDATE
    // otherwise (SET id = id changes no key), so FOR KEY SHARE is not
    // blocked by an UPDATE that leaves the key as it was.
    // ---- Rule: MERGE gives a row it matched its first WHEN MATCHED action ----
    // The first whose AND condition holds on the version the scan found,
    // before any lock (ExecMergeMatched): none, or DO NOTHING, leaves the
    // row as it is, unlocked. UPDATE locks and writes as an UPDATE does,
    // DELETE as a DELETE.
    // The action for version v (its UPDATE in upd); false for none.
    auto pick = [&](VersionId v) {
      const MergeAction* act = matched_action(r, *arm, s.version(v).values);
      upd = act && act->kind == MergeAction::Kind::kUpdate ? &act->update : nullptr;
      return act != nullptr;
    };
    if (merge) {
      if (!pick(seen)) {
        ++c.next;
        continue;
      }
      stmt_mode = upd ? write_lock(s.table(tid), *upd) : LockMode::kUpdate;
    }
    if (upd) project_serials(r, tid, *upd);
    LockMode mode =
        upd && stmt_mode == LockMode::kUpdate ? update_lock(r, tid, *upd, seen) : stmt_mode;
    // ---- Rule: an UPDATE forms and checks its new row before it locks --------
    // PostgreSQL computes the SET list from the version the scan found
    // (coercing each value to its column) and tests NOT NULL and CHECK on
    // the new row (ExecConstraints) before heap_update takes or waits for
    // the row's lock: such an error comes at once, without waiting for a
    // transaction that holds the row. After a wait, a READ COMMITTED
    // statement that follows the row to a newer version forms and checks the
    // row again (below).
    // Only where it can change the answer: when the lock is not granted at
    // once on the version found (the check after the lock, on that same
    // row, gives the same error otherwise).
    if (upd && !resumed && (s.row(row).newest != seen || !s.blockers(row, c.txn, mode).empty())) {
      const Table& t = s.table(tid);
      const Row& before = s.version(seen).values;
      Row after = before;
      for (size_t k = 0; k < upd->sets.size(); ++k) {
        EvalEnv env{&t, &before, &q.vars, nullptr, true};
        env.subqueries = &c.subqueries;
        env.tables = &tables_;
        after[column_named(t, upd->sets[k].column)] = set_value(r, tid, *upd, k, env);
      }
      // A row that moves to another partition is checked as the insert
      // into it, after the delete here (ExecCrossPartitionUpdate).
      if (!t.partitioning || t.partition_of(after) == t.partition_of(before))
        check_not_null(t, after);
    }
    // ---- Rule: MERGE changes a row once ----------------------------------------
    // A second source row whose action would change a target row this
    // statement already changed is an error, before any wait: when the
    // statement changed the version the scan found (TM_SelfModified), or a
    // later one it followed a committed update to and updated. One it
    // deleted there is gone to the lock that follows the chain (the dirty
    // snapshot sees it dead): the source row goes to WHEN NOT MATCHED.
    if (arm && !c.merge_rows.empty() &&
        std::find(c.merge_changed.begin(), c.merge_changed.end(), row) != c.merge_changed.end()) {
      const Version& last = s.version(s.row(row).newest);
      if (s.version(seen).xmax == c.txn || last.xmax != c.txn || last.next)
        throw SqlError("21000", "MERGE command cannot affect row a second time");
      ++c.merge_unmatched;
      ++c.next;
      continue;
    }
    bool held = sel && !resumed && s.holds(row, c.txn, mode);
    bool waited = resumed;
    resumed = false;
    const bool chain = key_share_follows_chain(sel, mode, seen);
    // ---- Rule: a version a committed transaction replaced fails at once ------
    // At REPEATABLE READ and above, when the version the snapshot found was
    // replaced or deleted by a transaction that has committed, heap_update,
    // heap_delete and heap_lock_tuple report that before they look at who
    // holds the row now: 40001 at once, without waiting for a later writer,
    // and for NOWAIT and SKIP LOCKED too (not 55P03, not a skipped row).
    // FOR KEY SHARE beside a committed update that kept the key goes on
    // along the chain (the rule below).
    if (!snapshot_per_statement(iso) && !held && !waited && !chain) {
      const Version& found = s.version(seen);
      if (found.xmax && found.xmax != c.txn && s.committed(found.xmax))
        throw SqlError("40001", !found.next && !sel && !found.moved
                                    ? "could not serialize access due to concurrent delete"
                                    : "could not serialize access due to concurrent update");
    }
    LockResult got = s.lock(row, c.txn, mode, policy == WaitPolicy::kWait || chain);
    if (got == LockResult::kUnavailable) {
      // ---- Rule: NOWAIT (SQLSTATE 55P03) and SKIP LOCKED --------------------
      // NOWAIT fails at once on a row another transaction has locked in a
      // conflicting mode; SKIP LOCKED leaves such a row out of the result.
      if (policy == WaitPolicy::kNoWait)
        throw SqlError("55P03", "could not obtain lock on row in relation \"" +
                                    s.table(tid).relation_of(s.version(seen).values) + "\"");
      ++c.next;
      continue;
    }
    if (got == LockResult::kEnqueued) {
      c.key_share_chain = chain;
      *waiting = block(r, row, mode);
      return false;
    }

    // ---- Rule: a lock granted beside an uncommitted change ------------------
    // FOR KEY SHARE does not conflict with the FOR NO KEY UPDATE a non-key
    // UPDATE holds, so it is granted while that UPDATE is uncommitted. The
    // statement then works on the newest committed version and never sees
    // the uncommitted one (PostgreSQL's heap_lock_tuple locks the version it
    // was given: no dirty read, and no 40001 until the UPDATE commits).
    VersionId newest = s.row(row).newest;
    while (newest != seen && s.version(newest).xmin != c.txn &&
           !s.committed(s.version(newest).xmin))
      newest = s.version(newest).prev;
    // Deleted, not replaced: a version with xmax and no successor.
    bool deleted = s.version(newest).xmax && !s.version(newest).next;
    VersionId target = seen;
    // ---- Rule: FOR KEY SHARE beside a committed non-key UPDATE ---------------
    // When the version the statement saw was replaced by a committed UPDATE
    // that changed no key column, FOR KEY SHARE (which does not conflict with
    // that UPDATE's FOR NO KEY UPDATE) is taken on the version seen, and the
    // statement returns it: no 40001 at REPEATABLE READ, no following to the
    // new version at READ COMMITTED. When the lock was granted at once, or
    // after a wait in that walk of later versions (the version seen was
    // itself replaced by a non-key UPDATE: tests/specs/key_share_chain_wait.spec);
    // after waiting for a holder of the version seen, the rules below apply
    // (tests/specs/key_share_committed_update.spec).
    // Every later version counts, as heap_lock_updated_tuple walks the
    // chain: a committed key change or delete anywhere in it is a change.
    if (sel && mode == LockMode::kKeyShare && (!waited || c.key_share_chain) && !held &&
        newest != seen && !deleted) {
      if (s.key_kept(seen, newest)) newest = seen;
    }
    if (!held && (newest != seen || deleted)) {
      // ---- Rule: a row changed since the statement's snapshot ----------------
      // READ COMMITTED: the statement follows the row to its newest committed
      // version, re-checks its WHERE against it (EvalPlanQual), skips the row
      // when it was deleted (letting go of the lock: changed_row_goes_on) or no longer
      // matches (keeping it), and
      // otherwise works on the newest version: SET sees the other's change.
      // REPEATABLE READ and above: the row was changed by a transaction the
      // snapshot does not see, so the statement fails with SQLSTATE 40001
      // "could not serialize access due to concurrent update".
      // ---- Rule: MERGE's row deleted or no longer matched -------------------
      // Its source row goes to WHEN NOT MATCHED instead (ExecMerge), once
      // the scan is done (below).
      if (!changed_row_goes_on(r, row, seen, newest, deleted, sel != nullptr)) {
        if (merge) ++c.merge_unmatched;
        ++c.next;
        continue;
      }
      if (recheck && !w_.faults.no_where_recheck) {
        EvalEnv env{&s.table(tid), &s.version(newest).values, &q.vars, nullptr, true};
        env.subqueries = &c.subqueries;
        env.tables = &tables_;
        if (eval_pred(*recheck, env) != true) {
          if (merge) ++c.merge_unmatched;
          ++c.next;
          continue;
        }
      }
      target = newest;
      if (merge) {
        // ---- Rule: MERGE picks its action again on the newer version --------
        // From the first WHEN MATCHED (lmerge_matched), holding the lock
        // it took; DO NOTHING or none keeps the lock and writes nothing.
        if (!pick(newest)) {
          ++c.next;
          continue;
        }
        LockMode need = upd ? write_lock(s.table(tid), *upd) : LockMode::kUpdate;
        if (upd && need == LockMode::kUpdate) need = update_lock(r, tid, *upd, newest);
        if (!s.holds(row, c.txn, need) && s.lock(row, c.txn, need, false) != LockResult::kGranted)
          throw SqlError("0A000",
                         "a MERGE action that needs a stronger lock than the one it waited "
                         "for, on a row another transaction holds, is not modelled");
      }
    }

    if (sel) {
      c.out.push_back(target);
    } else if (upd) {
      const Table& t = s.table(tid);
      Row before = s.version(target).values;
      Row after = before;
      std::vector<ColumnChange> changes;  // for the checks that read the log
      // Followed to a newer version: the re-check computed the row anew.
      if (target != seen) c.projected_at = 0, project_serials(r, tid, *upd);
      for (size_t k = 0; k < upd->sets.size(); ++k) {
        const Assignment& a = upd->sets[k];
        size_t i = column_named(t, a.column);
        std::vector<RowRead> from;
        EvalEnv env{&t, &before, &q.vars, log_ ? &from : nullptr, true};
        env.subqueries = &c.subqueries;
        env.tables = &tables_;
        after[i] = set_value(r, tid, *upd, k, env);
        if (log_)
          changes.push_back(ColumnChange{a.column, before[i], after[i], std::move(from),
                                         names_column(*a.value, a.column)});
      }
      const int to = t.partitioning ? t.partition_of(after) : 0;
      if (t.partitioning && to != t.partition_of(before)) {
        // ---- Rule: an UPDATE that moves a row to another partition ----------
        // The new key belongs in another partition: PostgreSQL deletes the
        // row here (FOR UPDATE's lock, update_lock) and inserts the new row
        // through the partitioned table, where no partition may take it
        // (23514), then checks it as any insert (NOT NULL, CHECK, each
        // unique index in turn, waiting for an unfinished writer of its key).
        // (A foreign key from or to the table refuses such an UPDATE where
        // it is written, validate.cc; one a session added on the way is
        // refused here.)
        if (!t.foreign_keys.empty() || s.referenced(tid))
          throw SqlError("0A000",
                         "moving a row between partitions of a table with a foreign key is "
                         "not modelled");
        s.ssi_write(c.txn, row, target, !w_.sessions[r.value].savepoints.empty());
        s.remove(row, c.txn, true);
        if (!c.merge_rows.empty()) c.merge_changed.push_back(row);
        if (log_)
          log_->writes.push_back(
              WriteObs{r, c.txn, tid, row, target, VersionId{}, {}, log_->events.size()});
        if (to < 0)
          throw SqlError("23514", "no partition of relation \"" + t.name + "\" found for row");
        check_not_null(t, after);
        s.ssi_insert_heap(c.txn, tid, after);
        RowId moved_to = s.insert(tid, c.txn, std::move(after), false);
        s.lock(moved_to, c.txn, LockMode::kUpdate, false);  // unfinished inserts hold their row
        VersionId made = s.row(moved_to).newest;
        if (!index_new_key(r, tid, made, waiting)) {
          c.key_pending = made;
          return false;
        }
        if (upd->returning) c.out.push_back(made);
        ++c.rowcount;
        ++c.next;
        continue;
      }
      check_not_null(t, after);
      // A new key, or a new value of a plain index's column, makes new
      // index entries (the update cannot be HOT): once the new version is
      // written, it is checked for uniqueness (waiting for an unfinished
      // writer of the same key), and at SERIALIZABLE it writes to the
      // index page, where readers of the index meet it (_bt_doinsert).
      const bool key_change = mode == LockMode::kUpdate && changes_key(t, before, after);
      const bool new_key = key_change || (t.more_indexed() && changes_index(t, before, after));
      queue_fk_checks(r, c, tid, &before, &after, s.version(target).xmin == c.txn,
                      s.next_version());
      s.ssi_write(c.txn, row, target, !w_.sessions[r.value].savepoints.empty());
      const bool key_update = key_change || s.holds(row, c.txn, LockMode::kUpdate);
      VersionId made = s.update(row, c.txn, std::move(after), !new_key, key_update);
      if (!c.merge_rows.empty()) c.merge_changed.push_back(row);
      if (log_)
        log_->writes.push_back(
            WriteObs{r, c.txn, tid, row, target, made, std::move(changes), log_->events.size()});
      if (new_key && !index_new_key(r, tid, made, waiting)) {
        c.key_pending = made;
        return false;
      }
      if (upd->returning) c.out.push_back(made);
    } else {
      queue_fk_checks(r, c, tid, &s.version(target).values, nullptr, false, VersionId{});
      s.ssi_write(c.txn, row, target, !w_.sessions[r.value].savepoints.empty());
      s.remove(row, c.txn);
      if (!c.merge_rows.empty()) c.merge_changed.push_back(row);
      if (auto* del = std::get_if<DeleteStmt>(&st.body); del && del->returning)
        c.out.push_back(target);  // the row removed
      if (log_)
        log_->writes.push_back(
            WriteObs{r, c.txn, tid, row, target, VersionId{}, {}, log_->events.size()});
    }
    ++c.rowcount;
    ++c.next;
  }
  // ---- Rule: OFFSET drops rows it fetched ----------------------------------------
  // The first OFFSET rows were fetched (and, under a locking clause, locked
  // and re-checked: the Limit above PostgreSQL's LockRows skips them), and
  // are not returned.
  if (sel && sel->offset) {
    const size_t dropped = std::min(c.out.size(), static_cast<size_t>(sel->offset));
    c.out.erase(c.out.begin(), c.out.begin() + static_cast<std::ptrdiff_t>(dropped));
  }
  if (merge) {
    // ---- Rule: WHEN NOT MATCHED ----------------------------------------------
    // The source row that matched no target row, and each row it matched
    // that was deleted or no longer matches by the time it was locked, runs
    // the first WHEN NOT MATCHED action whose condition holds: an INSERT
    // as a plain INSERT (no ON CONFLICT: a key another transaction took
    // meanwhile waits for it, then fails with 23505).
    // (PostgreSQL runs it as the join reaches that row; here after the
    // scan, which is the same for the one row a key lookup finds.)
    const size_t unmatched = c.merge_unmatched + (c.candidates.empty() ? 1 : 0);
    if (unmatched > 0)
      if (std::optional<size_t> k = not_matched_action(r, *merge)) {
        c.merge_action = *k;
        c.merge_inserting = true;
        c.next = 0;
        for (size_t i = 0; i < unmatched; ++i) start_insert(r, st, merge->actions[*k].insert, c);
        return advance_insert(r, merge->actions[*k].insert, waiting) &&
               check_foreign_keys(r, waiting, false);
      }
  }
  return sel || check_foreign_keys(r, waiting, resumed);
}

const MergeAction* Executor::matched_action(RequestId r, const MergeStmt& m, const Row& row) {
  const Cursor& c = *w_.sessions[r.value].cursor;
  const Table& t = w_.store.table(table_named(w_.store, m.table));
  for (const MergeAction& a : m.actions) {
    if (!a.matched) continue;
    if (a.condition) {
      EvalEnv env{&t, &row, &w_.requests[r.value].vars, nullptr, true};
      env.subqueries = &c.subqueries;
      env.tables = &tables_;
      if (eval_pred(*a.condition, env) != true) continue;
    }
    return a.kind == MergeAction::Kind::kNothing ? nullptr : &a;
  }
  return nullptr;
}

std::optional<size_t> Executor::not_matched_action(RequestId r, const MergeStmt& m) {
  for (size_t k = 0; k < m.actions.size(); ++k) {
    const MergeAction& a = m.actions[k];
    if (a.matched) continue;
    if (a.condition) {
      EvalEnv env{nullptr, nullptr, &w_.requests[r.value].vars, nullptr, true};
      env.tables = &tables_;
      if (eval_pred(*a.condition, env) != true) continue;
    }
    if (a.kind == MergeAction::Kind::kNothing) return std::nullopt;
    return k;
  }
  return std::nullopt;
}

// ---- Rule: an updated key waits for its other unfinished writer -------------
// The index entries of version `made` (an UPDATE's, which changed a unique
// index's column), made as PostgreSQL makes them after the heap tuple: in
// each unique index in turn, in the order the indexes were made, each
// checked for an equal key first. A live row with the same key fails the
// statement with 23505; one an unfinished transaction wrote is waited for,
// the new version's entries in the indexes before already made and none
// in this one or after: another writer of its new key finds nothing there
// to wait for (Cursor::indexed: where it waits). Returns false while it
// waits.
bool Executor::index_new_key(RequestId r, TableId tid, VersionId made, SqlAnswer* waiting) {
  Store& s = w_.store;
  Cursor& c = *w_.sessions[r.value].cursor;
  const TxnId txn = w_.sessions[r.value].txn;
  const Table& t = s.table(tid);
  const RowId row = s.version(made).row;
  for (; c.indexed <= t.uniques.size(); ++c.indexed) {
    if (index_columns(t, c.indexed).empty()) continue;
    const std::vector<size_t> only{c.indexed};
    if (auto k = find_key_conflict(s, tid, s.version(made).values, txn, row, &only)) {
      if (k->unfinished) {
        *waiting = wait_for_writer(r, k->row);
        return false;
      }
      s.ssi_insert_index(txn, tid, s.version(made).values);  // a serialization failure comes first
      throw SqlError("23505", "duplicate key value violates unique constraint \"" +
                                  index_name(t, c.indexed, s.version(made).values) + "\"");
    }
    s.index_row(row, c.indexed);
  }
  c.indexed = 0;
  s.ssi_insert_index(txn, tid, s.version(made).values);
  return true;
}

// Completes request r's statement: its answer (the rows a SELECT returns,
// with the versions its first row was read from, or the rows written). A
// statement outside a block commits when the machine has taken the answer
// (finish()); at SERIALIZABLE that commit can fail, so its check comes first.
SqlAnswer Executor::complete(RequestId r, const Step& st) {
  Session& session = w_.sessions[r.value];
  if (!session.in_block) w_.store.ssi_precommit(session.txn);  // autocommit: the commit can fail
  // The statement is over: its cursor goes when the answer is made (or
  // fails), read in place until then.
  struct Done {
    std::optional<Cursor>& cursor;
    ~Done() { cursor.reset(); }
  } done{session.cursor};
  const Cursor& c = *session.cursor;
  SqlAnswer a;
  if (auto* adv = std::get_if<AdvisoryStmt>(&st.body)) {
    // One column per call, named after its function; an unlock of a lock
    // not held warns.
    a.has_rows = true;
    a.rows.emplace_back();
    for (size_t i = 0; i < adv->items.size(); ++i) {
      a.columns.push_back(adv->items[i].call.function());
      a.rows[0].push_back(c.advisory_answers[i]);
    }
    a.warning = advisory_warnings(*adv, *session.cursor);
    a.rowcount = 1;
    return a;
  }
  if (auto* sel = std::get_if<SelectStmt>(&st.body); sel && !sel->aggregates.empty()) {
    aggregate_answer(w_.store, table_named(w_.store, sel->table), *sel, c.out, narrating(log_), &a);
  } else if (sel && !sel->items.empty()) {
    select_items_answer(r, *sel, c, &a);
  } else if (sel) {
    TableId tid = table_named(w_.store, sel->table);
    const Table& t = w_.store.table(tid);
    // The j-th column the SELECT names (all the table's for *).
    const size_t width = sel->columns.empty() ? t.columns.size() : sel->columns.size();
    auto column = [&](size_t j) {
      return sel->columns.empty() ? j : column_named(t, sel->columns[j]);
    };
    a.has_rows = true;
    const bool narrate = narrating(log_);
    if (narrate)
      for (size_t j = 0; j < width; ++j) {
        a.columns.push_back(t.columns[column(j)].name);
        a.datetimes.push_back(printed_datetime(t.columns[column(j)]));
      }
    // Every row when narrating; otherwise only the first, which INTO reads.
    size_t keep =
        narrate ? c.out.size() : std::min<size_t>(c.out.size(), sel->into.empty() ? 0 : 1);
    if (keep == 0 && !narrate)  // 42703 for a column it lacks, whether or not a row came
      for (size_t j = 0; j < width; ++j) column(j);
    a.rows.reserve(keep);
    for (size_t k = 0; k < keep; ++k) {
      const Version& ver = w_.store.version(c.out[k]);
      Row& row = a.rows.emplace_back();
      row.reserve(width);
      if (k == 0) a.first_row_reads.reserve(width);
      for (size_t j = 0; j < width; ++j) {
        const size_t i = column(j);
        row.push_back(ver.values[i]);
        if (k == 0) a.first_row_reads.push_back({RowRead{tid, ver.row, ver.id, t.columns[i].name}});
      }
    }
    a.rowcount = static_cast<int64_t>(c.out.size());
  } else if (auto* lock = std::get_if<LockTableStmt>(&st.body)) {
    a.rowcount = -1;  // no row count: :rowcount keeps its value
    if (!lock->utility.empty() && lock->utility != "ALTER TABLE")
      for (const std::string& name : lock->tables)
        measure(table_named(w_.store, name), false,
                lock->utility.rfind("VACUUM", 0) == 0 &&
                    lock->utility.find("FULL") == std::string::npos,
                w_.sessions[r.value].txn);
  } else {
    a.rowcount = c.rowcount;
    const std::string* table = nullptr;
    if (const Returning* ret = returning_of(st, &table))
      returning_answer(r, *table, *ret, c.out, &a);
  }
  return a;
}

// ---- Rule: a select list of expressions is computed on every row returned -------
// Each row the SELECT returns (after its WHERE, locks and LIMIT) gives the
// items' values, computed on the version returned; an error in any row
// fails the statement, also when only the first row is kept (INTO).
void Executor::select_items_answer(RequestId r, const SelectStmt& sel, const Cursor& c,
                                   SqlAnswer* a) {
  TableId tid = table_named(w_.store, sel.table);
  const Table& t = w_.store.table(tid);
  a->has_rows = true;
  const bool narrate = narrating(log_);
  EvalEnv env{&t, nullptr, &w_.requests[r.value].vars, nullptr, true};
  env.subqueries = &c.subqueries;
  env.tables = &tables_;
  if (narrate) {
    a->columns = sel.names;
    TypingEnv types{&t, env.vars, &tables_};
    for (const ExprPtr& e : sel.items) a->datetimes.push_back(printed_datetime(type_of(*e, types)));
  }
  for (size_t k = 0; k < c.out.size(); ++k) {
    const Version& ver = w_.store.version(c.out[k]);
    env.row = &ver.values;
    Row row;
    for (const ExprPtr& e : sel.items) row.push_back(eval_value(*e, env));
    if (k == 0)
      for (const ExprPtr& e : sel.items) {
        std::vector<std::string> names;
        column_names(*e, names);
        std::vector<RowRead> reads;
        for (std::string& name : names)
          reads.push_back(RowRead{tid, ver.row, ver.id, std::move(name)});
        a->first_row_reads.push_back(std::move(reads));
      }
    if (narrate || (k == 0 && !sel.into.empty())) a->rows.push_back(std::move(row));
  }
  a->rowcount = static_cast<int64_t>(c.out.size());
}

// ---- Rule: RETURNING reads the rows as written ----------------------------------
// One row per row the statement wrote, in the order it wrote them: an
// INSERT's and an UPDATE's new rows, a DELETE's removed ones (an ON
// CONFLICT DO NOTHING row left out returns nothing). Every row when
// narrating; otherwise only the first, which INTO reads.
void Executor::returning_answer(RequestId r, const std::string& table, const Returning& ret,
                                const std::vector<VersionId>& written, SqlAnswer* a) {
  TableId tid = table_named(w_.store, table);
  const Table& t = w_.store.table(tid);
  a->has_rows = true;
  const bool narrate = narrating(log_);
  if (narrate) {
    if (ret.star) {
      for (const Column& col : t.columns) {
        a->columns.push_back(col.name);
        a->datetimes.push_back(printed_datetime(col));
      }
    } else {
      a->columns = ret.names;
      TypingEnv types{&t, &w_.requests[r.value].vars, &tables_};
      for (const ExprPtr& e : ret.items)
        a->datetimes.push_back(printed_datetime(type_of(*e, types)));
    }
  }
  // Every row's items are computed, so that an error in any row fails the
  // statement whether or not a log keeps the rows.
  for (size_t k = 0; k < written.size(); ++k) {
    const Version& ver = w_.store.version(written[k]);
    bool keep = narrate || (k == 0 && !ret.into.empty());
    if (ret.star) {
      if (keep) a->rows.push_back(ver.values);
      continue;
    }
    EvalEnv env{&t, &ver.values, &w_.requests[r.value].vars, nullptr, true};
    Row row;
    for (const ExprPtr& e : ret.items) row.push_back(eval_value(*e, env));
    if (keep) a->rows.push_back(std::move(row));
  }
}

// The SQL statements, by kind: transaction control here, data statements
// through a cursor.
SqlAnswer Executor::execute(RequestId r, const Step& st) {
  Session& session = w_.sessions[r.value];
  session.statement_since_us = w_.now_us;
  // ---- Rule: a failed transaction block (SQLSTATE 25P02) ---------------------
  // ROLLBACK TO a savepoint also leaves it, as a nested atomic() block does.
  auto* savepoint = std::get_if<SavepointStmt>(&st.body);
  bool rollback_to = savepoint && savepoint->kind == SavepointStmt::Kind::kRollbackTo;
  if (session.failed_block && !std::holds_alternative<CommitStmt>(st.body) &&
      !std::holds_alternative<RollbackStmt>(st.body) && !rollback_to)
    throw SqlError(
        "25P02", "current transaction is aborted, commands ignored until end of transaction block");
  SqlAnswer a;
  a.block_before = session.in_block;
  a.failed_before = session.failed_block;
  if (auto* begin = std::get_if<BeginStmt>(&st.body)) {
    if (session.in_block) return a;  // BEGIN inside a transaction only warns (25001)
    a.level = begin->isolation.value_or(default_level(r));
    session.txn = w_.store.begin(r, a.level, begin->read_only, begin->deferrable);
    session.in_block = true;
    return a;
  }
  if (std::holds_alternative<CommitStmt>(st.body) ||
      std::holds_alternative<RollbackStmt>(st.body)) {
    bool commit = std::holds_alternative<CommitStmt>(st.body);
    if (session.failed_block) {
      session.failed_block = false;
      if (session.txn)
        ending_.push_back(Ending{r, false});  // a subtransaction failed: all of it ends now
      else
        session.in_block = false;
    } else if (session.in_block) {  // outside a block it only warns (25P01)
      if (commit && std::any_of(session.deferred.begin(), session.deferred.end(),
                                [](const DeferredCheck& d) { return !d.fired; })) {
        session.committing = true;  // an error from here on ends the block (rollback())
        if (!fire_deferred(r, &a, true)) return a;
      }
      if (commit) return deferred_fired(r, st);
      ending_.push_back(Ending{r, false});  // ended in finish(), once narrated
    }
    return a;
  }
  if (savepoint) {
    this->savepoint(r, *savepoint);
    return a;
  }
  if (auto* set = std::get_if<SetStmt>(&st.body)) {
    if (set->name == "transaction") {
      set_transaction(r, *set, &a);
      return a;
    }
    if (set->name == "constraints") {
      set_constraints(r, *set, &a);
      if (set->defer || !session.in_block) return a;
      if (!fire_deferred(r, &a, false)) return a;
      return deferred_fired(r, st);
    }
    // No answer changes (ast.h's planner_setting).
    if (set->name == "force_parallel_mode" || planner_setting(set->name) != PlannerSetting::kNone)
      return a;
    const bool level = set->name == "default_transaction_isolation";
    // A scenario has no timers: lock_timeout and statement_timeout are
    // refused there, deadlock_timeout changes nothing.
    if (!level && !w_.deadlock_timers) {
      a.note = "SET (in a scenario " + set->name + " changes nothing: each step comes after it)";
      return a;
    }
    // ---- Rule: SET LOCAL lasts to the end of the transaction ------------------
    // Outside a transaction block it only warns (its transaction ends with
    // it); a plain SET in a transaction is undone by its rollback.
    if (set->local && !session.in_block) {
      a.warning = "SET LOCAL can only be used in transaction blocks";
      return a;
    }
    if (session.txn && !session.kept_before) session.kept_before = session.kept;
    if (level) {  // the level of the transactions the session begins from now on
      session.timeouts.isolation = set->isolation;
      if (!set->local) session.kept.isolation = set->isolation;
      return a;
    }
    session.timeouts.named(set->name) = set->ms;
    if (!set->local) session.kept.named(set->name) = set->ms;
    return a;
  }
  const auto* values = std::get_if<SelectValuesStmt>(&st.body);
  const auto* lock = std::get_if<LockTableStmt>(&st.body);
  // LOCK TABLE takes no snapshot; ANALYZE does (a READ ONLY DEFERRABLE one waits).
  if (session.txn && w_.store.txn(session.txn).read_only && !(lock && lock->utility.empty()) &&
      !(values && values->show)) {
    // ---- Rule: a READ ONLY DEFERRABLE snapshot waits to be safe --------------
    // At SERIALIZABLE, the transaction's snapshot (taken by its first
    // statement that needs one, before the statement is even analysed)
    // waits until the writable serializable transactions it overlaps have
    // ended; if one of them made it unsafe, a new one is taken (GetSafeSnapshot).
    Store& s = w_.store;
    const Txn& x = s.txn(session.txn);
    if (x.deferrable && x.isolation == Isolation::kSerializable && !x.snapshot)
      s.statement_snapshot(session.txn);
    if (s.safe_snapshot_pending(session.txn)) return wait_for_safe_snapshot(r);
    refuse_read_only_write(r, st, false);
  }
  if (w_.table_locks && !std::holds_alternative<LockTableStmt>(st.body)) {
    Store& s = w_.store;
    if (!session.txn) session.txn = s.begin(r, default_level(r));  // autocommit
    std::vector<std::pair<TableId, LockMode>> locks = statement_table_locks(st, session.txn);
    if (!locks.empty()) {
      // ---- Rule: a statement's snapshot comes before its table locks -------
      // PostgreSQL takes a snapshot for parse analysis, which opens and locks
      // the tables: at REPEATABLE READ and SERIALIZABLE the transaction's
      // snapshot is fixed before a wait for a table lock (at READ COMMITTED
      // the statement reads with a new one taken after). CREATE and DROP
      // TABLE take theirs before they run (PortalRunUtility), which is
      // before their locks too.
      s.statement_snapshot(session.txn);
      session.cursor = Cursor{};
      Cursor& c = *session.cursor;
      c.txn = session.txn;
      c.table_locks = std::move(locks);
      c.table_phase = true;
      if (auto* create = std::get_if<CreateTableStmt>(&st.body))
        for (const auto& [tid, mode] : c.table_locks)
          c.create_waited |=
              mode == LockMode::kAccessExclusive && s.table(tid).name == create->table;
      if (!take_table_locks(r, &a)) return a;
    }
  }
  return execute_locked(r, st, a);
}

// ---- Rule: SET TRANSACTION sets the open transaction's modes --------------------
// Outside a transaction block it only warns. Inside one, PostgreSQL's check
// hooks (commands/variable.c) refuse with 25001 a change of the level once
// a statement took a snapshot or inside a savepoint, a change to READ WRITE
// of a READ ONLY transaction likewise, and [NOT] DEFERRABLE at all then;
// READ ONLY may come at any time. The modes it does not name stay.
void Executor::set_transaction(RequestId r, const SetStmt& set, SqlAnswer* a) {
  const Session& session = w_.sessions[r.value];
  if (!session.in_block) {
    a->warning = "SET TRANSACTION can only be used in transaction blocks";
    return;
  }
  const Txn& x = w_.store.txn(session.txn);
  const bool sub = !session.savepoints.empty();
  if (set.isolation && *set.isolation != x.isolation) {
    if (x.snapshot_taken)
      throw SqlError("25001", "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    if (sub)
      throw SqlError("25001",
                     "SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction");
  }
  if (set.read_only == false && x.read_only) {
    if (sub)
      throw SqlError("25001",
                     "cannot set transaction read-write mode inside a read-only transaction");
    if (x.snapshot_taken)
      throw SqlError("25001", "transaction read-write mode must be set before any query");
  }
  if (set.deferrable) {
    if (sub)
      throw SqlError("25001",
                     "SET TRANSACTION [NOT] DEFERRABLE cannot be called within a subtransaction");
    if (x.snapshot_taken)
      throw SqlError("25001", "SET TRANSACTION [NOT] DEFERRABLE must be called before any query");
  }
  w_.store.set_modes(session.txn, set.isolation.value_or(x.isolation),
                     set.read_only.value_or(x.read_only), set.deferrable.value_or(x.deferrable));
}

// A COMMIT: SERIALIZABLE's commit check, then the end (finish()). SET
// CONSTRAINTS: nothing more.
SqlAnswer Executor::deferred_fired(RequestId r, const Step& st) {
  Session& session = w_.sessions[r.value];
  session.cursor.reset();
  SqlAnswer a;
  a.block_before = true;
  if (!std::holds_alternative<CommitStmt>(st.body)) return a;
  session.committing = true;
  w_.store.ssi_precommit(session.txn);  // failing, it ends the block (rollback())
  ending_.push_back(Ending{r, true});   // ended in finish(), once narrated
  return a;
}

void Executor::undo_deferred(Session& session, const Session::Savepoint& sp) {
  session.deferred.resize(std::min(session.deferred.size(), sp.deferred));
  for (DeferredCheck& d : session.deferred)
    if (d.fired > sp.firings) d.fired = 0;
  session.modes = sp.modes;
}

// ---- Rule: a READ ONLY transaction does not write (SQLSTATE 25006) -------------
// DDL is refused before it runs (standard_ProcessUtility); a write or a
// locking SELECT when the executor starts: after its tables are found and
// locked. dml: which of the two to check.
void Executor::refuse_read_only_write(RequestId r, const Step& st, bool dml) {
  const Session& session = w_.sessions[r.value];
  Store& s = w_.store;
  if (!session.txn || !s.txn(session.txn).read_only) return;
  std::string command;
  if (!dml && std::holds_alternative<CreateTableStmt>(st.body)) command = "CREATE TABLE";
  if (!dml && std::holds_alternative<DropTableStmt>(st.body)) command = "DROP TABLE";
  if (!dml && std::holds_alternative<AlterForeignKeyStmt>(st.body)) command = "ALTER TABLE";
  if (auto* lock = std::get_if<LockTableStmt>(&st.body); !dml && lock && !lock->options.empty())
    command = "ALTER TABLE";
  if (dml && std::holds_alternative<InsertStmt>(st.body)) command = "INSERT";
  if (dml && std::holds_alternative<UpdateStmt>(st.body)) command = "UPDATE";
  if (dml && std::holds_alternative<DeleteStmt>(st.body)) command = "DELETE";
  // MERGE asks for the rights its actions need: with DO NOTHING alone it
  // writes nothing, and PostgreSQL lets it run.
  if (auto* merge = std::get_if<MergeStmt>(&st.body);
      dml && merge && std::any_of(merge->actions.begin(), merge->actions.end(), [](const auto& a) {
        return a.kind != MergeAction::Kind::kNothing;
      }))
    command = "MERGE";
  const auto* sel = std::get_if<SelectStmt>(&st.body);
  // A SELECT's row marks include its subquery's (the planner gathers them
  // all, the statement's own first): a plain SELECT over a locking
  // subquery is named by the subquery's mode.
  const Expr* pick = dml && sel && !sel->lock && st.subqueries ? initplan_of(st.body) : nullptr;
  const auto* picks = pick ? &std::get<SelectStmt>(pick->initplan->body) : nullptr;
  if (const SelectStmt* locks = sel && sel->lock ? sel : picks; dml && locks && locks->lock)
    command = std::string("SELECT ") + to_sql(*locks->lock);
  if (command.empty()) return;
  if (auto* ins = std::get_if<InsertStmt>(&st.body))
    table_named(s, ins->table);
  else if (dml)
    table_named(s, target_of(st.body).table);
  throw SqlError("25006", "cannot execute " + command + " in a read-only transaction");
}

// ---- Rule: a statement is analysed and planned before it reads a row -----------
// Once its tables are locked (parse analysis opens them), PostgreSQL types
// the statement and plans it: an operator the types do not have, a
// condition that is no boolean, a literal its type cannot read (all
// lang/typing.h's analyze_statement), then a constant part that fails
// (plan_statement: 1/0, an int past its range), fail the statement before
// any row is read or locked, and before a READ ONLY transaction refuses a
// write.
TableId Executor::statement_table(const std::string& name) const {
  if (analyzed_name_ == &name) return analyzed_table_;
  return table_named(w_.store, name);
}

void Executor::analyze(RequestId r, const Step& st) {
  const Store& s = w_.store;
  const std::string* table = nullptr;
  auto* values = std::get_if<SelectValuesStmt>(&st.body);
  auto* adv = std::get_if<AdvisoryStmt>(&st.body);
  if (auto* ins = std::get_if<InsertStmt>(&st.body))
    table = &ins->table;
  else if (std::holds_alternative<SelectStmt>(st.body) ||
           std::holds_alternative<UpdateStmt>(st.body) ||
           std::holds_alternative<DeleteStmt>(st.body) ||
           std::holds_alternative<MergeStmt>(st.body))
    table = &target_of(st.body).table;
  if (!table && !values && !adv) return;
  const Vars& vars = w_.requests[r.value].vars;
  TypingEnv env{nullptr, &vars, &tables_};
  const Table* t = nullptr;
  if (table) {
    analyzed_table_ = table_named(s, *table);
    analyzed_name_ = table;
    t = &s.table(analyzed_table_);
  }
  // Analysed once per schema and parameter types: the same step under the
  // same ones raises nothing new (Step::analysed).
  uint64_t signature = s.schema_digest();
  bool nul = false;  // a text parameter holding the byte 0
  for (const std::string& name : st.params) {
    auto it = vars.find(name);
    signature =
        (signature ^ (it == vars.end() ? 7 : it->second.value.index() + 1)) * 1099511628211ull;
    if (it != vars.end())
      if (auto* text = std::get_if<std::string>(&it->second.value))
        nul |= text->find('\0') != std::string::npos;
  }
  signature |= 1;
  if (st.analysed.get() != signature) {
    if (values)
      analyze_values(*values, env);
    else if (adv)
      analyze_advisory(*adv, env);
    else
      analyze_statement(st.body, *t, env);
    st.analysed.set(signature);
  }
  // ---- Rule: no NUL in a text sent to PostgreSQL (SQLSTATE 22021) ----------
  // Binding the parameters comes before planning: a text holding the byte
  // 0 fails the statement whether or not a row would read it.
  if (nul) throw SqlError("22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
  if (values)
    plan_values(*values, env);
  else if (adv)
    plan_advisory(*adv, env);
  else if (st.folds || st.assigns_constant)
    plan_statement(st.body, *t, env, st.folds);
}

// The rest of execute(), once the statement holds its table locks.
SqlAnswer Executor::execute_locked(RequestId r, const Step& st, SqlAnswer& a) {
  Session& session = w_.sessions[r.value];
  const bool create_waited = session.cursor && session.cursor->create_waited;
  session.cursor.reset();  // the table locks' cursor, if any
  analyze(r, st);
  if (!std::holds_alternative<LockTableStmt>(st.body)) refuse_read_only_write(r, st, true);
  if (std::holds_alternative<CreateTableStmt>(st.body) ||
      std::holds_alternative<DropTableStmt>(st.body) ||
      std::holds_alternative<SequenceStmt>(st.body) ||
      std::holds_alternative<AddIndexStmt>(st.body) ||
      std::holds_alternative<AlterForeignKeyStmt>(st.body)) {
    // A utility statement that needs a snapshot (PlannedStmtRequiresSnapshot):
    // the first of a REPEATABLE READ transaction fixes the transaction's.
    if (session.txn) w_.store.statement_snapshot(session.txn);
    a.warning = ddl(r, st, create_waited);
    a.notice = true;
    return std::move(a);
  }
  if (auto* adv = std::get_if<AdvisoryStmt>(&st.body)) return advisory_lock(r, *adv, st);
  if (auto* values = std::get_if<SelectValuesStmt>(&st.body)) return select_values(r, *values, st);
  if (auto* lock = std::get_if<LockTableStmt>(&st.body)) {
    // ---- Rule: LOCK TABLE only in a transaction block (SQLSTATE 25P01) ------
    // Outside one the lock would end with the statement: PostgreSQL refuses.
    if (lock->utility.empty() && !session.in_block)
      throw SqlError("25P01", "LOCK TABLE can only be used in transaction blocks");
    if (!lock->utility.empty()) {
      // ---- Rule: VACUUM only outside a transaction block (SQLSTATE 25001) ---
      // It commits as it goes (PreventInTransactionBlock), so an open block,
      // or a step's implicit one, refuses it; ANALYZE runs in either. Both
      // need a snapshot (PlannedStmtRequiresSnapshot): the first statement of
      // a REPEATABLE READ transaction fixes the transaction's.
      if (lock->vacuum() && session.in_block)
        throw SqlError("25001", "VACUUM cannot run inside a transaction block");
      if (!session.txn) session.txn = w_.store.begin(r, default_level(r));  // autocommit
      w_.store.statement_snapshot(session.txn);
    }
    session.cursor = Cursor{};
    session.cursor->txn = session.txn;
    if (!lock_tables(r, *lock, &a)) return std::move(a);
    return complete(r, st);
  }
  start_statement(r, st);
  if (!advance(r, st, &a)) return std::move(a);
  return complete(r, st);
}

std::optional<SqlAnswer> Executor::run(RequestId r, const Step& st, const Vars& vars) {
  (void)vars;  // the statement reads them from its request, also when it resumes
  try {
    return execute(r, st);
  } catch (const SqlError& e) {
    return SqlAnswer::error(e);
  }
}

// Resumes the statements of the transactions just granted locks, in order.
void Executor::wake(const std::vector<TxnId>& granted, RequestId by) {
  for (TxnId g : granted) {
    RequestId waiter = w_.owner(g);
    if (w_.requests[waiter.value].state != RunState::kBlocked || !w_.sessions[waiter.value].cursor)
      continue;
    resume(waiter, by);
  }
}

// Ends r's transaction and resumes the statements its locks held up, in the
// order their locks were granted.
void Executor::end_txn(RequestId r, bool commit, std::string_view text, bool narrate_end) {
  Session& session = w_.sessions[r.value];
  TxnId t = session.txn;
  if (!t) return;
  session.txn = TxnId{};
  session.in_block = false;
  session.savepoints.clear();
  session.deferred.clear();
  session.firings = 0;
  session.modes = ConstraintModes{};
  session.committing = false;
  // A setting the transaction made is kept at COMMIT (a SET LOCAL's
  // ends), undone at ROLLBACK.
  if (session.kept_before && !commit) session.kept = *session.kept_before;
  session.kept_before.reset();
  session.timeouts = session.kept;
  // Only a writer a READ ONLY DEFERRABLE snapshot waits for can settle one.
  const auto& unsafe = w_.store.unsafe_pairs();
  const bool settles =
      std::any_of(unsafe.begin(), unsafe.end(), [&](const auto& p) { return p.first == t; });
  std::vector<TxnId> granted = w_.store.end(t, commit);
  if (log_) log_->txn_ends.push_back(TxnObs{t, r, commit});
  if (narrate_end)
    emit(log_, commit ? EventKind::kCommit : EventKind::kRollback, r, w_.requests[r.value].pc,
         [&] { return std::string(text); });
  wake(granted, r);
  if (settles) wake_safe_snapshots(r);
}

SqlAnswer Executor::wait_for_safe_snapshot(RequestId r) {
  Session& session = w_.sessions[r.value];
  session.cursor = Cursor{};
  Cursor& c = *session.cursor;
  c.txn = session.txn;
  c.waiting = true;
  c.safe_snapshot_wait = true;
  c.deadlock_checked = true;  // not a lock: no deadlock check ever sees it
  SqlAnswer a;
  a.kind = SqlAnswer::Kind::kWaiting;
  for (TxnId t : w_.store.safe_snapshot_blockers(c.txn)) a.holders.push_back(w_.owner(t));
  if (narrating(log_))
    a.waits_on = "a safe snapshot (READ ONLY DEFERRABLE): " + names(w_, a.holders) +
                 " may still make it unsafe";
  return a;
}

// The transactions waiting for a safe snapshot that an end just settled:
// each goes on with its statement, or waits again for a new snapshot.
void Executor::wake_safe_snapshots(RequestId by) {
  for (size_t i = 0; i < w_.sessions.size(); ++i) {
    Session& ss = w_.sessions[i];
    if (!ss.cursor || !ss.cursor->safe_snapshot_wait) continue;
    if (w_.requests[i].state != RunState::kBlocked) continue;
    if (w_.store.safe_snapshot_pending(ss.txn)) continue;
    RequestId waiter{static_cast<uint32_t>(i)};
    ss.cursor.reset();
    const Request& q = w_.requests[i];
    const int64_t since = ss.statement_since_us;  // the statement goes on: its time too
    SqlAnswer a;
    try {
      a = w_.store.settle_safe_snapshot(ss.txn) ? wait_for_safe_snapshot(waiter)
                                                : execute(waiter, q.program->steps[q.pc]);
    } catch (const SqlError& e) {
      a = SqlAnswer::error(e);
    }
    w_.sessions[i].statement_since_us = since;
    a.released_by = {by};
    machine->answer(waiter, a);
  }
}

// A waiter's lock was granted: its statement goes on from its cursor, and
// the machine takes the answer (done, waiting again, or an error).
void Executor::resume(RequestId waiter, RequestId by) {
  Session& session = w_.sessions[waiter.value];
  session.cursor->waiting = false;
  const Request& q = w_.requests[waiter.value];
  const Step& st = q.program->steps[q.pc];
  SqlAnswer a;
  try {
    if (session.cursor->table_phase) {  // granted one of its table locks
      ++session.cursor->table_next;
      if (take_table_locks(waiter, &a)) {
        a = SqlAnswer{};
        a.block_before = session.in_block;
        a = execute_locked(waiter, st, a);
      }
    } else if (advance(waiter, st, &a, true)) {
      a = std::holds_alternative<CommitStmt>(st.body) || std::holds_alternative<SetStmt>(st.body)
              ? deferred_fired(waiter, st)
              : complete(waiter, st);
    }
  } catch (const SqlError& e) {
    a = SqlAnswer::error(e);
  }
  a.released_by = {by};
  machine->answer(waiter, a);
}

namespace {

SqlError timeout_error(bool lock) {
  return lock ? SqlError("55P03", "canceling statement due to lock timeout")
              : SqlError("57014", "canceling statement due to statement timeout");
}

SqlError cancel_error(Executor::Cancel why) {
  if (why == Executor::Cancel::kUserRequest)
    return SqlError("57014", "canceling statement due to user request");
  return timeout_error(why == Executor::Cancel::kLockTimeout);
}

}  // namespace

bool Executor::deadlock_check(RequestId r, std::optional<bool> timeout_too) {
  Session& session = w_.sessions[r.value];
  if (!session.cursor || !session.cursor->waiting) return false;
  Cursor& c = *session.cursor;
  c.deadlock_checked = true;
  std::vector<TxnId> granted;
  Store::Deadlock found = w_.store.check_deadlock(c.txn, granted);
  if (found != Store::Deadlock::kHard) {
    wake(granted, r);  // a soft deadlock undone: the waiters it let in go on
    return false;
  }
  c.waiting = false;  // its rollback leaves the queue (rollback())
  machine->answer(r, SqlAnswer::error(timeout_too ? timeout_error(*timeout_too)
                                                  : SqlError("40P01", "deadlock detected")));
  return true;
}

// ---- Rule: lock_timeout, statement_timeout and a client's cancel end the statement
// The cancelled statement fails like any error: its transaction (or its
// subtransaction) is aborted and leaves the lock queues, which may let the
// waiters behind it in.
bool Executor::cancel_statement(RequestId r, Cancel why) {
  Session& session = w_.sessions[r.value];
  if (!session.cursor || !session.cursor->waiting) return false;
  session.cursor->waiting = false;
  machine->answer(r, SqlAnswer::error(cancel_error(why)));
  return true;
}

// Keeps the waiters r's statement let in for waiting() or finish(), after
// any it let in before: one list per request, in grant order.
void Executor::let_in(RequestId r, std::vector<TxnId> granted) {
  if (granted.empty()) return;
  for (auto& [who, g] : woken_)
    if (who == r) {
      g.insert(g.end(), granted.begin(), granted.end());
      return;
    }
  woken_.emplace_back(r, std::move(granted));
}

// ---- Rule: waiters on a version another statement left for a newer one ------
// PostgreSQL queues lockers on the version each found (its tuple lock),
// not on the row. A READ COMMITTED statement granted the row after its
// writer committed goes on to the newest version (EvalPlanQual) and lets
// go of the old version's tuple lock. A REPEATABLE READ or SERIALIZABLE
// writer queued behind it, whose version that committed writer replaced,
// then fails at once with 40001 (heap_update sees TM_Updated before it
// looks at who locks the newer version) instead of
// waiting for the new holder's end (tests/specs/deleted_row_waiters.spec).
// That is an UPDATE's, a DELETE's or a MERGE's (heap_update, heap_delete).
// A locking SELECT that slept on the writer walks the row's later
// versions after the wait (heap_lock_updated_tuple) and waits for the new
// holder there, failing only once it ends: it stays queued, as does a
// READ COMMITTED waiter, which follows the row and waits for the new
// holder.
// The failures come once r's answer is in (waiting()).
void Executor::fail_stale_waiters(RequestId r, RowId row) {
  const Store& s = w_.store;
  for (const RowLock& q : s.row(row).queue) {
    if (!q.hold || q.mode == LockMode::kKeyShare || is_table_mode(q.mode)) continue;
    if (snapshot_per_statement(s.txn(q.txn).isolation)) continue;
    RequestId w = w_.owner(q.txn);
    const Session& ws = w_.sessions[w.value];
    if (!ws.cursor || !ws.cursor->waiting || ws.cursor->wait_row != row || ws.cursor->initplan)
      continue;
    const Request& wq = w_.requests[w.value];
    if (wq.pc >= wq.program->steps.size() ||
        std::holds_alternative<SelectStmt>(wq.program->steps[wq.pc].body))
      continue;
    const Cursor& wc = *ws.cursor;
    if (wc.next >= wc.candidates.size()) continue;
    const Version& found = s.version(wc.candidates[wc.next]);
    if (found.row != row || !found.xmax || found.xmax == q.txn || !s.committed(found.xmax))
      continue;
    stale_.emplace_back(r, w);
  }
}

// Wakes the waiters r's statement let in (woken_), once r's answer is in.
void Executor::waiting(RequestId r) {
  for (size_t i = 0; i < stale_.size();) {
    if (stale_[i].first != r) {
      ++i;
      continue;
    }
    RequestId w = stale_[i].second;
    stale_.erase(stale_.begin() + static_cast<std::ptrdiff_t>(i));
    Session& ws = w_.sessions[w.value];
    if (!ws.cursor || !ws.cursor->waiting) continue;  // gone on or ended meanwhile
    ws.cursor->waiting = false;
    machine->answer(w, SqlAnswer::error(SqlError(
                           "40001", "could not serialize access due to concurrent update")));
  }
  for (size_t i = 0; i < woken_.size(); ++i)
    if (woken_[i].first == r) {
      std::vector<TxnId> granted = std::move(woken_[i].second);
      woken_.erase(woken_.begin() + static_cast<std::ptrdiff_t>(i));
      wake(granted, r);
      return;
    }
}

void Executor::finish(RequestId r) {
  // What a ROLLBACK TO or an advisory unlock let go of, first: their
  // waiters took the locks during the statement.
  waiting(r);
  auto it = std::find_if(ending_.begin(), ending_.end(), [&](const Ending& e) { return e.r == r; });
  if (it != ending_.end()) {
    bool commit = it->commit;
    ending_.erase(it);
    end_txn(r, commit, "", false);  // the COMMIT or ROLLBACK step narrated it
    return;
  }
  const Session& session = w_.sessions[r.value];
  if (session.txn && !session.in_block) end_txn(r, true, "COMMIT (autocommit)", true);
}

bool Executor::in_transaction(RequestId r) const {
  return static_cast<bool>(w_.sessions[r.value].txn);
}

void Executor::rollback(RequestId r, const std::string& why, bool in_session) {
  Session& session = w_.sessions[r.value];
  waiting(r);  // what the failed statement let in before it failed goes on first
  session.cursor.reset();
  // A COMMIT whose deferred checks failed (or whose wait ended in an
  // error) ends the block: the transaction rolls back.
  if (session.committing) session.in_block = false;
  bool block = session.in_block;
  if (in_session && block && session.txn && !session.savepoints.empty()) {
    // An error inside a savepoint aborts the subtransaction only: back to
    // the innermost savepoint, the block failed until ROLLBACK TO or its end.
    std::vector<TxnId> granted = w_.store.cancel_wait(session.txn);
    session.failed_block = true;
    std::vector<TxnId> released = w_.store.rollback_to(session.txn, session.savepoints.back().mark);
    session.timeouts = session.savepoints.back().timeouts;
    session.kept = session.savepoints.back().kept;
    undo_deferred(session, session.savepoints.back());
    granted.insert(granted.end(), released.begin(), released.end());
    wake(granted, r);
    return;
  }
  if (session.txn) {
    wake(w_.store.cancel_wait(session.txn), r);
    end_txn(r, false, why, true);
  }
  session.in_block = session.failed_block = in_session && block;
}

void Executor::close(RequestId r) {
  Session& session = w_.sessions[r.value];
  session.cursor.reset();
  if (session.txn) end_txn(r, false, "ROLLBACK (the connection closed)", true);
  session.in_block = session.failed_block = false;
  session.currvals.clear();
  // The session's end releases its session-level advisory locks.
  if (session.session_locks) {
    std::vector<TxnId> granted = w_.store.end(session.session_locks, false);
    session.session_locks = TxnId{};
    session.advisory_held.clear();
    wake(granted, r);
  }
}

}  // namespace ccsim
