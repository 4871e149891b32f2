#include "explore/identity.h"

#include <algorithm>
#include <set>

#include "engine/frame.h"

namespace ccsim {

namespace {

constexpr const char* kId = "request_id";

bool is_id(const ExprPtr& e) {
  return e && e->kind == ExprKind::kParam && e->name == kId;
}
bool is_null(const ExprPtr& e) {
  return e && e->kind == ExprKind::kLiteral && std::holds_alternative<Null>(e->literal);
}
bool uses_id(const ExprPtr& e) {
  return e && (is_id(e) || uses_id(e->lhs) || uses_id(e->rhs));
}

// The analysis: first where :request_id is stored, then whether every use
// of it and of those columns is one the renaming keeps.
class Analysis {
 public:
  explicit Analysis(const World& w) : w_(w) {}

  IdentityColumns run() {
    IdentityColumns out;
    out.columns.assign(w_.store.table_count(), {});
    std::set<const Program*> programs;
    for (const Request& q : w_.requests) programs.insert(q.program.get());
    // Pass 1: the columns :request_id is written to.
    for (const Program* p : programs)
      for (const Step& s : p->steps) stored_in(s);
    if (!ok_ || ids_.empty()) return out;
    // Pass 2: every use, of the parameter and of the columns.
    for (const Program* p : programs)
      for (const Step& s : p->steps) check(s);
    if (!ok_) return out;
    // The data before any request runs holds no identity, and no such
    // column is part of a key (an index orders by value).
    for (const auto& [t, c] : ids_) {
      const Table& table = w_.store.table(t);
      if (table.indexed(static_cast<size_t>(c))) return out;
      for (RowId r : table.rows)
        for (VersionId v = w_.store.row(r).newest; v; v = w_.store.version(v).prev)
          if (!std::holds_alternative<Null>(w_.store.version(v).values[static_cast<size_t>(c)]))
            return out;
      out.columns[t.value].push_back(c);
    }
    for (auto& cols : out.columns) std::sort(cols.begin(), cols.end());
    out.usable = true;
    return out;
  }

 private:
  std::optional<TableId> table_of(const std::string& name) {
    std::optional<TableId> t = w_.store.find_table(name);
    return t;
  }
  bool identity(const std::optional<TableId>& t, const std::string& column) const {
    if (!t) return false;
    int c = w_.store.table(*t).column_index(column);
    return c >= 0 && ids_.count({*t, c});
  }
  void note(const std::optional<TableId>& t, const std::string& column) {
    if (!t) {
      ok_ = false;
      return;
    }
    int c = w_.store.table(*t).column_index(column);
    if (c < 0) {
      ok_ = false;
      return;
    }
    ids_.insert({*t, c});
  }

  void stored_in(const Step& s) {
    if (auto* u = std::get_if<UpdateStmt>(&s.body)) {
      for (const Assignment& a : u->sets)
        if (is_id(a.value)) note(table_of(u->table), a.column);
    } else if (auto* ins = std::get_if<InsertStmt>(&s.body)) {
      std::optional<TableId> t = table_of(ins->table);
      for (const auto& row : ins->rows)
        for (size_t k = 0; k < row.size(); ++k) {
          if (!is_id(row[k])) continue;
          if (!ins->columns.empty()) {
            note(t, ins->columns[k]);
          } else if (t && k < w_.store.table(*t).columns.size()) {
            note(t, w_.store.table(*t).columns[k].name);
          } else {
            ok_ = false;
          }
        }
      if (ins->on_conflict)
        for (const Assignment& a : ins->on_conflict->sets)
          if (is_id(a.value)) note(t, a.column);
    } else if (std::holds_alternative<CreateTableStmt>(s.body) ||
               std::holds_alternative<DropTableStmt>(s.body)) {
      ok_ = false;  // tables that come and go: not analysed
    }
  }

  // A condition over table t: an identity column only in `col IS [NOT]
  // NULL` or `col = / <> :request_id`, and :request_id only there.
  void condition(const ExprPtr& e, const std::optional<TableId>& t) {
    if (!e) return;
    if (e->kind == ExprKind::kSubquery) {  // over its own table; its ORDER BY reads a column too
      std::optional<TableId> inner = table_of(e->name);
      if (e->initplan)
        if (const auto& order = std::get<SelectStmt>(e->initplan->body).order_by)
          if (identity(inner, order->column)) ok_ = false;
      condition(e->lhs, inner);
      condition(e->rhs, inner);
      return;
    }
    auto id_column = [&](const ExprPtr& x) {
      return x && x->kind == ExprKind::kColumn && identity(t, x->name);
    };
    if ((e->kind == ExprKind::kIsNull || e->kind == ExprKind::kIsNotNull) && id_column(e->lhs))
      return;
    if (e->kind == ExprKind::kBinary && (e->op == BinOp::kEq || e->op == BinOp::kNe) &&
        ((id_column(e->lhs) && is_id(e->rhs)) || (is_id(e->lhs) && id_column(e->rhs))))
      return;
    if (is_id(e) || id_column(e)) {
      ok_ = false;
      return;
    }
    condition(e->lhs, t);
    condition(e->rhs, t);
  }

  void check(const Step& s) {
    // RETURNING reads the rows written: as a SELECT of them, never an
    // identity column (nor * over a table with one).
    const std::string* table = nullptr;
    if (const Returning* ret = returning_of(s, &table)) {
      std::optional<TableId> t = table_of(*table);
      bool any = t && std::any_of(ids_.begin(), ids_.end(),
                                  [&](const auto& id) { return id.first == *t; });
      if (ret->star && any) ok_ = false;
      for (const ExprPtr& e : ret->items) ok_ &= !uses_id(e) && !reads_identity(e, t);
    }
    if (auto* sel = std::get_if<SelectStmt>(&s.body)) {
      std::optional<TableId> t = table_of(sel->table);
      bool any = t && std::any_of(ids_.begin(), ids_.end(),
                                  [&](const auto& id) { return id.first == *t; });
      if (any && sel->columns.empty() && sel->items.empty() && sel->aggregates.empty())
        ok_ = false;  // SELECT *
      for (const ExprPtr& e : sel->items) ok_ &= !uses_id(e) && !reads_identity(e, t);
      for (const std::string& c : sel->columns) ok_ &= !identity(t, c);
      for (const Aggregate& a : sel->aggregates) ok_ &= !identity(t, a.column);
      if (sel->order_by) ok_ &= !identity(t, sel->order_by->column);
      for (const OrderBy& o : sel->order_then) ok_ &= !identity(t, o.column);
      condition(sel->where, t);
    } else if (auto* u = std::get_if<UpdateStmt>(&s.body)) {
      std::optional<TableId> t = table_of(u->table);
      for (const Assignment& a : u->sets) {
        if (identity(t, a.column))
          ok_ &= is_id(a.value) || is_null(a.value);
        else
          ok_ &= !uses_id(a.value) && !reads_identity(a.value, t);
      }
      condition(u->where, t);
    } else if (auto* ins = std::get_if<InsertStmt>(&s.body)) {
      std::optional<TableId> t = table_of(ins->table);
      for (const auto& row : ins->rows)
        for (size_t k = 0; k < row.size(); ++k) {
          std::string column = !ins->columns.empty() ? ins->columns[k]
                               : t && k < w_.store.table(*t).columns.size()
                                   ? w_.store.table(*t).columns[k].name
                                   : std::string();
          if (identity(t, column))
            ok_ &= is_id(row[k]) || is_null(row[k]);
          else
            ok_ &= !uses_id(row[k]);
        }
      // A column left out gets NULL or its DEFAULT: a constant there is
      // not a request's id, so such a column is not one to rename.
      if (t && !ins->columns.empty())
        for (const Column& col : w_.store.table(*t).columns)
          if (identity(t, col.name) && col.default_value && !is_null(*col.default_value) &&
              std::find(ins->columns.begin(), ins->columns.end(), col.name) == ins->columns.end())
            ok_ = false;
      condition(ins->where, std::nullopt);  // reads no row of t: its subqueries' own
      // ON CONFLICT DO UPDATE is an UPDATE of the row holding the key.
      if (ins->on_conflict) {
        for (const Assignment& a : ins->on_conflict->sets) {
          if (identity(t, a.column))
            ok_ &= is_id(a.value) || is_null(a.value);
          else
            ok_ &= !uses_id(a.value) && !reads_identity(a.value, t);
        }
        condition(ins->on_conflict->where, t);
      }
    } else if (auto* d = std::get_if<DeleteStmt>(&s.body)) {
      condition(d->where, table_of(d->table));
    } else if (std::holds_alternative<MergeStmt>(s.body)) {
      ok_ = false;  // its actions read and write by rules of their own: not analysed
    } else if (auto* let = std::get_if<LetAction>(&s.body)) {
      ok_ &= !uses_id(let->value);
    } else if (auto* retry = std::get_if<RetryAction>(&s.body)) {
      ok_ &= !uses_id(retry->condition);
    } else if (auto* rs = std::get_if<RestartAction>(&s.body)) {
      ok_ &= !uses_id(rs->condition);
    } else if (auto* adv = std::get_if<AdvisoryStmt>(&s.body)) {
      for (const AdvisoryItem& item : adv->items)
        ok_ &= !uses_id(item.key) &&
               !uses_id(item.key2);  // a lock named by a request's id: not renamed
    } else if (auto* values = std::get_if<SelectValuesStmt>(&s.body)) {
      // A scalar subquery reads rows by any rule: not renamed.
      for (const ExprPtr& e : values->items) ok_ &= !uses_id(e) && !has_subquery(e);
    } else if (auto* k = std::get_if<SkipAction>(&s.body)) {
      ok_ &= !uses_id(k->condition);
    }
  }

  static bool has_subquery(const ExprPtr& e) {
    return e && (e->kind == ExprKind::kSubquery || has_subquery(e->lhs) || has_subquery(e->rhs));
  }

  bool reads_identity(const ExprPtr& e, const std::optional<TableId>& t) const {
    if (!e) return false;
    if (e->kind == ExprKind::kColumn && identity(t, e->name)) return true;
    return reads_identity(e->lhs, t) || reads_identity(e->rhs, t);
  }

  const World& w_;
  bool ok_ = true;
  std::set<std::pair<TableId, int>> ids_;
};

}  // namespace

bool IdentityColumns::holds_identity(size_t table, size_t column) const {
  if (!usable || table >= columns.size()) return false;
  const std::vector<int>& c = columns[table];
  return std::binary_search(c.begin(), c.end(), static_cast<int>(column));
}

IdentityColumns find_identity_columns(const World& initial) {
  return Analysis(initial).run();
}

bool rows_name_requests(const World& w, const IdentityColumns& ids,
                        const std::vector<uint32_t>& class_of) {
  if (!ids.usable) return false;
  std::vector<size_t> members(class_of.size(), 0);
  for (uint32_t c : class_of) ++members[c];
  for (const TableFrame& t : committed_tables(w)) {
    std::optional<TableId> id = w.store.find_table(t.name);
    if (!id || id->value >= ids.columns.size()) continue;
    for (int c : ids.columns[id->value])
      for (const Row& r : t.rows) {
        const int64_t* id = std::get_if<int64_t>(&r[static_cast<size_t>(c)]);
        if (!id || *id < 1 || static_cast<uint64_t>(*id) > class_of.size()) continue;
        if (members[class_of[static_cast<size_t>(*id - 1)]] > 1) return true;
      }
  }
  return false;
}

}  // namespace ccsim
