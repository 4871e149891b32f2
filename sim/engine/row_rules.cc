#include "engine/row_rules.h"

#include <algorithm>

#include "lang/eval.h"

namespace ccsim {

// ---- Rule: names resolve when the statement runs (42P01, 42703) -----------
// Programs are checked against the schema before they run, but a DROP TABLE
// in a program can still remove a table a later step names; PostgreSQL then
// fails with "relation does not exist", and so does the engine.
TableId table_named(const Store& s, const std::string& name) {
  auto t = s.find_table(name);
  if (!t) throw SqlError("42P01", "relation \"" + name + "\" does not exist");
  return *t;
}

size_t column_named(const Table& t, const std::string& name) {
  int i = t.column_index(name);
  if (i < 0)
    throw SqlError("42703",
                   "column \"" + name + "\" of relation \"" + t.name + "\" does not exist");
  return static_cast<size_t>(i);
}

// True when e reads column `name` of the row it is evaluated on.
bool names_column(const Expr& e, const std::string& name) {
  if (e.kind == ExprKind::kColumn && !e.excluded && e.name == name) return true;
  return (e.lhs && names_column(*e.lhs, name)) || (e.rhs && names_column(*e.rhs, name));
}

// ---- Rule: a new row meets its table's constraints (23502, 23514) -------------
// As ExecConstraints: the NOT NULL columns first, in column order, then
// the CHECK constraints in name order; a condition that is NULL passes.
// Checked on every row an INSERT forms and every new version an UPDATE
// (or ON CONFLICT DO UPDATE) makes, after a READ COMMITTED re-check.
void check_not_null(const Table& t, const Row& row) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].not_null && is_null(row[i]))
      throw SqlError("23502", "null value in column \"" + t.columns[i].name + "\" of relation \"" +
                                  t.relation_of(row) + "\" violates not-null constraint");
  for (const CheckConstraint& c : t.checks) {
    EvalEnv env{&t, &row, nullptr, nullptr};
    if (eval_pred(*c.condition, env) == false)
      throw SqlError("23514", "new row for relation \"" + t.relation_of(row) +
                                  "\" violates check constraint \"" + c.name + "\"");
  }
}

// ---- Rule: unique keys (SQLSTATE 23505) ---------------------------------------
// A row whose key equals that of a live row fails with "duplicate key value
// violates unique constraint". When the other row was written by a transaction
// that has not finished, PostgreSQL waits for it first: if it commits, the
// error follows; if it rolls back, the insert goes on. The primary key's
// index is checked first, then the other unique indexes in the order they
// were made, as PostgreSQL inserts a row's index entries; a key with a NULL
// in it is equal to no other.
bool changes_key(const Table& t, const Row& before, const Row& after) {
  for (size_t c = 0; c < t.columns.size(); ++c)
    if (before[c] != after[c] && t.key_column(c)) return true;
  return false;
}

bool changes_index(const Table& t, const Row& before, const Row& after) {
  for (size_t c = 0; c < t.columns.size(); ++c)
    if (before[c] != after[c] && t.indexed(c)) return true;
  return false;
}

std::vector<int> index_columns(const Table& t, size_t index) {
  return index == 0 ? t.key_columns() : t.uniques[index - 1].columns;
}

bool in_index(const Table& t, size_t index, const Row& values) {
  if (index == 0 || !t.uniques[index - 1].predicate) return true;
  EvalEnv env{&t, &values, nullptr, nullptr};
  return eval_pred(*t.uniques[index - 1].predicate, env) == true;
}

const std::string& index_name(const Table& t, size_t index) {
  return index == 0 ? t.key_name : t.uniques[index - 1].name;
}

const std::string& index_name(const Table& t, size_t index, const Row& row) {
  int k = t.partition_of(row);
  if (!t.partitioning || k < 0) return index_name(t, index);
  return t.partitioning->parts[static_cast<size_t>(k)].index_names.at(index);
}

std::optional<KeyConflict> find_key_conflict(const Store& s, TableId tid, const Row& values,
                                             TxnId self, RowId except,
                                             const std::vector<size_t>* only) {
  const Table& t = s.table(tid);
  for (size_t index = 0; index <= t.uniques.size(); ++index) {
    if (only && std::find(only->begin(), only->end(), index) == only->end()) continue;
    std::vector<int> keys = index_columns(t, index);
    if (keys.empty()) continue;
    Row key;
    for (int k : keys) key.push_back(values[static_cast<size_t>(k)]);
    if (std::any_of(key.begin(), key.end(), [](const Value& v) { return is_null(v); })) continue;
    if (!in_index(t, index, values)) continue;  // a partial index the row is not in
    const std::vector<RowId>* rows = nullptr;
    if (index == 0) {
      rows = s.rows_with_key(tid, key);
    } else {
      auto it = t.uniques[index - 1].rows.find(key);
      if (it != t.uniques[index - 1].rows.end()) rows = &it->second;
    }
    if (!rows) continue;
    auto same_key = [&](const Version& v) {
      return std::all_of(keys.begin(), keys.end(),
                         [&](int k) {
                           return v.values[static_cast<size_t>(k)] ==
                                  values[static_cast<size_t>(k)];
                         }) &&
             in_index(t, index, v.values);
    };
    for (RowId rr : *rows) {
      if (rr == except) continue;
      // The row's newest version with this key. When a later version changed
      // the key, PostgreSQL's index still leads to this one under the old key,
      // and it counts until the transaction that changed the key (its xmax)
      // commits: while that transaction runs, the key is waited on.
      VersionId vid = s.row(rr).newest;
      while (vid && !same_key(s.version(vid))) vid = s.version(vid).prev;
      if (!vid) continue;
      const Version& v = s.version(vid);
      const Txn& creator = s.txn(v.xmin);
      if (creator.state == TxnState::kAborted) continue;
      bool unfinished_creator = creator.state == TxnState::kActive && v.xmin != self;
      bool unfinished_deleter =
          v.xmax && v.xmax != self && s.txn(v.xmax).state == TxnState::kActive;
      if (unfinished_creator || unfinished_deleter) return KeyConflict{rr, vid, true, index};
      if (v.xmax && (v.xmax == self || s.committed(v.xmax))) continue;  // deleted
      return KeyConflict{rr, vid, false, index};
    }
  }
  return std::nullopt;
}

std::optional<RowId> key_conflict(const Store& s, TableId tid, const Row& values, TxnId self,
                                  RowId except) {
  auto k = find_key_conflict(s, tid, values, self, except);
  if (!k) return std::nullopt;
  if (k->unfinished) return k->row;
  throw SqlError("23505", "duplicate key value violates unique constraint \"" +
                              index_name(s.table(tid), k->index, values) + "\"");
}

// ---- Rule: the conflict target names a unique key (42P10) ------------------
// ON CONFLICT (cols) must name exactly the columns of a unique index (the
// primary key's or another), in any order: that index is the arbiter, a
// partial one only when the target's WHERE implies its predicate
// (implies); ON CONSTRAINT names a constraint's (not a CREATE UNIQUE
// INDEX's). Without a target (DO NOTHING) every unique index is one.
std::vector<size_t> arbiters(const Table& t, const OnConflict& oc) {
  std::vector<size_t> out;
  // ON CONSTRAINT name: the unique index of that name; a foreign key's name
  // has none (42809); any other name is no constraint of the table (42704).
  if (!oc.constraint.empty()) {
    // A unique index made by CREATE UNIQUE INDEX is no constraint.
    for (size_t index = 0; index <= t.uniques.size(); ++index)
      if (!index_columns(t, index).empty() && index_name(t, index) == oc.constraint &&
          (index == 0 || t.uniques[index - 1].constraint))
        return {index};
    for (const ForeignKey& fk : t.foreign_keys)
      if (fk.name == oc.constraint)
        throw SqlError("42809", "constraint in ON CONFLICT clause has no associated index");
    throw SqlError("42704", "constraint \"" + oc.constraint + "\" for table \"" + t.name +
                                "\" does not exist");
  }
  std::vector<int> named;
  for (const std::string& col : oc.target) named.push_back(static_cast<int>(column_named(t, col)));
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  for (size_t index = 0; index <= t.uniques.size(); ++index) {
    std::vector<int> cols = index_columns(t, index);
    std::sort(cols.begin(), cols.end());
    if (cols.empty() || (!oc.target.empty() && cols != named)) continue;
    // A partial index arbitrates a target whose WHERE implies its predicate.
    const Expr* predicate = index == 0 ? nullptr : t.uniques[index - 1].predicate.get();
    if (!oc.target.empty() && predicate && !implies(oc.target_where.get(), *predicate)) continue;
    out.push_back(index);
  }
  if (!oc.target.empty() && out.empty())
    throw SqlError("42P10",
                   "there is no unique or exclusion constraint matching the ON CONFLICT "
                   "specification");
  return out;
}

// ---- Rule: a serialization failure before a unique violation ---------------
// At SERIALIZABLE, PostgreSQL checks the index page for rw-conflicts just
// before it reports a duplicate key (_bt_check_unique calls
// CheckForSerializableConflictIn), so a transaction that read the key and
// lost the race fails with 40001, which a retry can fix, rather than 23505.
std::optional<RowId> unique_check(Store& s, TableId tid, const Row& values, TxnId self,
                                  RowId except) {
  try {
    return key_conflict(s, tid, values, self, except);
  } catch (const SqlError& e) {
    if (e.sqlstate() == "23505") s.ssi_insert_index(self, tid, values);  // may throw 40001
    throw;
  }
}

}  // namespace ccsim
