// The executor's INSERT: evaluating its rows, the unique key, and
// ON CONFLICT DO NOTHING. The rest is in executor.cc.
#include "engine/executor.h"

#include <algorithm>

#include "engine/row_rules.h"
#include "lang/eval.h"

namespace ccsim {

// Evaluates the rows of an INSERT into cursor c (defaults for the columns it
// leaves out) and makes c the statement in progress.
void Executor::start_insert(RequestId r, const InsertStmt& ins, Cursor c) {
  const Request& q = w_.requests[r.value];
  Store& s = w_.store;
  EvalEnv params{nullptr, nullptr, &q.vars, nullptr, true};
  const Table& t = s.table(table_named(s, ins.table));
  size_t targets = ins.columns.empty() ? t.columns.size() : ins.columns.size();
  for (const auto& exprs : ins.rows) {
    if (exprs.size() > targets)
      throw SqlError("42601", "INSERT has more expressions than target columns");
    if (!ins.columns.empty() && exprs.size() < targets)
      throw SqlError("42601", "INSERT has more target columns than expressions");
    Row row;
    for (const Column& col : t.columns) row.push_back(col.default_value.value_or(Null{}));
    for (size_t i = 0; i < exprs.size(); ++i) {
      size_t col = ins.columns.empty() ? i : column_named(t, ins.columns[i]);
      row[col] = fit(eval_value(*exprs[i], params), t.columns[col]);
    }
    check_not_null(t, row);
    c.inserts.push_back(std::move(row));
  }
  // ---- Rule: the conflict target names a unique key (42P10) ------------------
  // ON CONFLICT (cols) must name exactly the columns of a unique index; the
  // primary key is ccsim's only one.
  if (ins.on_conflict && !ins.on_conflict->target.empty()) {
    std::vector<int> key = t.key_columns();
    std::vector<int> named;
    for (const std::string& col : ins.on_conflict->target)
      named.push_back(static_cast<int>(column_named(t, col)));
    std::sort(key.begin(), key.end());
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    if (key.empty() || key != named)
      throw SqlError("42P10",
                     "there is no unique or exclusion constraint matching the ON CONFLICT "
                     "specification");
  }
  w_.sessions[r.value].cursor = std::move(c);
}

// ---- Rule: ON CONFLICT DO NOTHING ------------------------------------------
// A row whose key a live row holds is left out instead of failing with 23505
// (also a key an earlier row of the same statement took). As for a plain
// INSERT, a key held by a transaction that has not finished is waited for
// first. At REPEATABLE READ and SERIALIZABLE the row holding the key must be
// visible to the transaction's snapshot, or its own: otherwise the statement
// fails with 40001 "could not serialize access due to concurrent update"
// (ExecCheckTIDVisible). A left-out row is not written, so it meets no
// SERIALIZABLE write check.
bool Executor::advance_insert(RequestId r, const InsertStmt& ins, SqlAnswer* waiting) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  TableId tid = table_named(s, ins.table);
  while (c.next < c.inserts.size()) {
    const Row& values = c.inserts[c.next];
    if (ins.on_conflict) {
      if (auto k = find_key_conflict(s, tid, values, c.txn, RowId{UINT32_MAX})) {
        if (k->unfinished) {
          s.wait_for_holders(k->row, c.txn, LockMode::kKeyShare);
          *waiting = block(r, k->row, LockMode::kKeyShare);
          return false;
        }
        const Version& holder = s.version(k->version);
        if (s.txn(c.txn).isolation != Isolation::kReadCommitted && holder.xmin != c.txn &&
            !s.visible(holder, c.snapshot))
          throw SqlError("40001", "could not serialize access due to concurrent update");
        ++c.next;
        continue;
      }
    }
    s.ssi_insert_heap(c.txn, tid);
    if (auto other = unique_check(s, tid, values, c.txn, RowId{UINT32_MAX})) {
      s.wait_for_holders(*other, c.txn, LockMode::kKeyShare);
      *waiting = block(r, *other, LockMode::kKeyShare);
      return false;
    }
    s.ssi_insert_index(c.txn, tid);
    RowId row = s.insert(tid, c.txn, values);
    s.lock(row, c.txn, LockMode::kUpdate, false);  // unfinished inserts hold their row
    ++c.rowcount;
    ++c.next;
  }
  return true;
}

}  // namespace ccsim
