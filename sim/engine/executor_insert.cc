// The executor's INSERT: evaluating its rows, the unique key, and
// ON CONFLICT (DO NOTHING and DO UPDATE). The rest is in executor.cc.
#include "engine/executor.h"

#include <algorithm>

#include "engine/row_rules.h"
#include "lang/eval.h"
#include "lang/typing.h"

namespace ccsim {

// Evaluates the rows of an INSERT into cursor c (defaults for the columns it
// leaves out) and makes c the statement in progress.
void Executor::start_insert(RequestId r, const Step& st, const InsertStmt& ins, Cursor& c) {
  const Request& q = w_.requests[r.value];
  Store& s = w_.store;
  const Table& t = s.table(statement_table(ins.table));
  std::function<Value(const Expr&)> sequence = [&](const Expr& e) {
    return sequence_value(r, e.name, e.currval);
  };
  EvalEnv params{nullptr, nullptr, &q.vars, nullptr, true};
  params.subqueries = &c.subqueries;
  params.tables = &tables_;
  params.sequence = &sequence;
  if (ins.where) {
    // ---- Rule: INSERT ... SELECT values WHERE cond --------------------------------
    // The WHERE is the one-time filter of PostgreSQL's Result: checked as
    // the statement starts (its subqueries run then); when it is not true
    // no row is made and the values' own subqueries never run.
    if (ins.on_conflict) arbiters(t, *ins.on_conflict);  // planned: 42P10 first
    run_subqueries(r, c, st, ins.where.get());
    if (eval_pred(*ins.where, params) != true) return;
  }
  run_subqueries(r, c, st);
  size_t targets = ins.columns.empty() ? t.columns.size() : ins.columns.size();
  for (const auto& exprs : ins.rows) {
    if (exprs.size() > targets)
      throw SqlError("42601", "INSERT has more expressions than target columns");
    if (!ins.columns.empty() && exprs.size() < targets)
      throw SqlError("42601", "INSERT has more target columns than expressions");
    // A serial column left out or given DEFAULT holds 0 until the row's
    // turn (advance_insert, serial_cells).
    Row row;
    for (const Column& col : t.columns)
      row.push_back(col.serial ? Value{int64_t{0}} : col.default_value.value_or(Null{}));
    for (size_t i = 0; i < exprs.size(); ++i) {
      size_t col = ins.columns.empty() ? i : column_named(t, ins.columns[i]);
      if (exprs[i]->kind == ExprKind::kDefault || overridden(ins, t.columns[col])) continue;
      row[col] = assigned_value(*exprs[i], t.columns[col], params);
    }
    c.inserts.push_back(std::move(row));
  }
  if (ins.on_conflict) arbiters(t, *ins.on_conflict);  // 42P10 before any row
}

namespace {

// The serial columns of row `k` of an INSERT whose values come from their
// sequence: those it leaves out, and those it gives DEFAULT.
std::vector<size_t> serial_cells(const Table& t, const InsertStmt& ins, size_t k) {
  std::vector<size_t> out;
  // MERGE inserts its one row once per source row it did not match.
  const std::vector<ExprPtr>& exprs = ins.rows[std::min(k, ins.rows.size() - 1)];
  for (size_t col = 0; col < t.columns.size(); ++col) {
    if (!t.columns[col].serial) continue;
    std::optional<size_t> given;
    if (ins.columns.empty()) {
      if (col < exprs.size()) given = col;
    } else {
      for (size_t i = 0; i < ins.columns.size(); ++i)
        if (t.column_index(ins.columns[i]) == static_cast<int>(col)) given = i;
    }
    if (!given || exprs[*given]->kind == ExprKind::kDefault || overridden(ins, t.columns[col]))
      out.push_back(col);
  }
  return out;
}

}  // namespace

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
  if (VersionId made = c.key_pending) {  // woken: DO UPDATE's new key's other writer ended
    if (!index_new_key(r, tid, made, waiting)) return false;
    c.key_pending = VersionId{};
    c.out.push_back(made);
    ++c.rowcount;
    ++c.next;
  }
  if (VersionId tried = c.upsert_locking) {  // woken: DO UPDATE's lock was granted
    c.upsert_locking = VersionId{};
    const Version& was = s.version(tried);
    if (!snapshot_per_statement(s.txn(c.txn).isolation) && was.xmax && was.xmax != c.txn &&
        s.committed(was.xmax))
      throw SqlError("40001", was.next || was.moved
                                  ? "could not serialize access due to concurrent update"
                                  : "could not serialize access due to concurrent delete");
  }
  while (c.next < c.inserts.size()) {
    // ---- Rule: a serial column's value is taken when its row is inserted ------
    // PostgreSQL forms and inserts the rows of VALUES one at a time, taking
    // each one's nextval as it forms it: before the row's NOT NULL columns
    // and key are checked, so a row left out by ON CONFLICT, or one that
    // fails, uses its value up too, and the rows before it were inserted
    // (and may have waited) first.
    if (c.serials_taken == c.next) {
      for (size_t col : serial_cells(s.table(tid), ins, c.next))
        c.inserts[c.next][col] = next_serial(r, tid, col);
      ++c.serials_taken;
    }
    const Row& values = c.inserts[c.next];
    // ---- Rule: a row goes to its partition -----------------------------------
    // Routed before its constraints are checked (ExecFindPartition): a key
    // no partition takes fails with 23514.
    if (s.table(tid).partition_of(values) < 0)
      throw SqlError("23514", "no partition of relation \"" + ins.table + "\" found for row");
    check_not_null(s.table(tid), values);  // as the row is formed (ExecConstraints)
    if (ins.on_conflict) {
      std::vector<size_t> only = arbiters(s.table(tid), *ins.on_conflict);
      if (auto k = find_key_conflict(s, tid, values, c.txn, RowId{UINT32_MAX}, &only)) {
        if (k->unfinished) {
          *waiting = wait_for_writer(r, k->row);
          return false;
        }
        if (ins.on_conflict->do_update) {
          if (!upsert(r, tid, *ins.on_conflict, *k, waiting)) return false;
          ++c.next;
          continue;
        }
        const Version& holder = s.version(k->version);
        if (!snapshot_per_statement(s.txn(c.txn).isolation) && holder.xmin != c.txn &&
            !s.visible(holder, c.snapshot))
          throw SqlError("40001", "could not serialize access due to concurrent update");
        ++c.next;
        continue;
      }
    }
    RowId row;
    if (ins.on_conflict) {
      // Its arbiters were looked at above: the row goes in with every
      // index entry at once.
      s.ssi_insert_heap(c.txn, tid, values);
      if (auto other = unique_check(s, tid, values, c.txn, RowId{UINT32_MAX})) {
        *waiting = wait_for_writer(r, *other);
        return false;
      }
      s.ssi_insert_index(c.txn, tid, values);
      row = s.insert(tid, c.txn, values);
      s.lock(row, c.txn, LockMode::kUpdate, false);  // unfinished inserts hold their row
    } else if (!insert_entries(r, tid, values, waiting, row)) {
      return false;
    }
    queue_fk_checks(r, c, tid, nullptr, &values, true, s.row(row).newest);
    c.out.push_back(s.row(row).newest);  // written by this statement
    ++c.rowcount;
    ++c.next;
  }
  return true;
}

// ---- Rule: a row goes into the heap, then into each unique index in turn ------
// As PostgreSQL inserts a row: the heap tuple (invisible to others until
// commit, its inserter holding it), then its entry in each unique index in
// the order the indexes were made, each checked for an equal key first
// (23505; an unfinished writer of one is waited for, the row's entries in
// the indexes before already made: another inserter of one of those keys
// waits for this transaction). Before its first entry nothing can tell the
// heap tuple is there, so the row is written just before that entry (a
// wait at the first index shows no lock of its own). Returns false while
// it waits; `row` is the row once every entry is made.
bool Executor::insert_entries(RequestId r, TableId tid, const Row& values, SqlAnswer* waiting,
                              RowId& row) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  if (!c.insert_pending && c.indexed == 0) s.ssi_insert_heap(c.txn, tid, values);
  auto write_row = [&] {
    c.insert_pending = s.insert(tid, c.txn, values, false);
    s.lock(*c.insert_pending, c.txn, LockMode::kUpdate,
           false);  // unfinished inserts hold their row
  };
  const Table& t = s.table(tid);
  for (; c.indexed <= t.uniques.size(); ++c.indexed) {
    if (index_columns(t, c.indexed).empty()) continue;
    const std::vector<size_t> only{c.indexed};
    RowId self = c.insert_pending.value_or(RowId{UINT32_MAX});
    if (auto k = find_key_conflict(s, tid, values, c.txn, self, &only)) {
      if (k->unfinished) {
        *waiting = wait_for_writer(r, k->row);
        return false;
      }
      s.ssi_insert_index(c.txn, tid, values);  // a serialization failure comes first (unique_check)
      throw SqlError("23505", "duplicate key value violates unique constraint \"" +
                                  index_name(t, c.indexed, values) + "\"");
    }
    if (!c.insert_pending) write_row();
    s.ssi_insert_index(c.txn, tid, values);
    s.index_row(*c.insert_pending, c.indexed);
  }
  if (!c.insert_pending) write_row();  // a table without a unique index
  row = *c.insert_pending;
  c.insert_pending.reset();
  c.indexed = 0;
  return true;
}

// ---- Rule: a key's unfinished writer is waited for ----------------------------
// PostgreSQL waits for the transaction that wrote the row holding the key
// (inserted, updated or deleted it) to end. An insert, a delete or a key
// update holds FOR UPDATE, which FOR KEY SHARE waits for; a non-key UPDATE
// holds FOR NO KEY UPDATE, which only FOR SHARE and stronger wait for.
SqlAnswer Executor::wait_for_writer(RequestId r, RowId row) {
  Store& s = w_.store;
  TxnId t = w_.sessions[r.value].txn;
  LockMode mode = LockMode::kKeyShare;
  if (!s.wait_for_holders(row, t, mode)) {
    mode = LockMode::kShare;
    s.wait_for_holders(row, t, mode);
  }
  return block(r, row, mode);
}

// ---- Rule: ON CONFLICT DO UPDATE ---------------------------------------------
// The row holding the key is locked as an UPDATE locks it (FOR UPDATE when SET
// changes a key column, else FOR NO KEY UPDATE), waiting like one. Once
// locked, its newest version is the one updated: at READ COMMITTED whatever
// committed meanwhile (and a row deleted meanwhile frees the key: the row is
// inserted after all); at REPEATABLE READ and SERIALIZABLE a version the
// snapshot cannot see is 40001, and so is a wait after which the version
// it tried to lock was replaced or deleted ("concurrent update" or
// "concurrent delete", whatever the key is now: ExecOnConflictUpdate's
// TM_Updated and TM_Deleted). WHERE and SET read that version's columns
// and EXCLUDED's; a row WHERE does not hold for stays as it is, locked. A row
// this statement already inserted or updated is 21000.
bool Executor::upsert(RequestId r, TableId tid, const OnConflict& oc, const KeyConflict& k,
                      SqlAnswer* waiting) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  const Request& q = w_.requests[r.value];
  const Table& t = s.table(tid);
  if (std::find(c.out.begin(), c.out.end(), k.version) != c.out.end())
    throw SqlError("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time");
  LockMode mode = LockMode::kNoKeyUpdate;
  for (const Assignment& a : oc.sets)
    if (t.key_column(column_named(t, a.column))) mode = LockMode::kUpdate;
  if (s.lock(k.row, c.txn, mode, true) == LockResult::kEnqueued) {
    c.upsert_locking = k.version;
    *waiting = block(r, k.row, mode);
    return false;
  }
  VersionId target = s.row(k.row).newest;
  const Version& v = s.version(target);
  if (!snapshot_per_statement(s.txn(c.txn).isolation) && v.xmin != c.txn &&
      !s.visible(v, c.snapshot))
    throw SqlError("40001", "could not serialize access due to concurrent update");
  Row before = v.values;
  const Row& proposed = c.inserts[c.next];
  if (oc.where) {
    EvalEnv env{&t, &before, &q.vars, nullptr, true};
    env.excluded = &proposed;
    env.subqueries = &c.subqueries;
    env.tables = &tables_;
    if (eval_pred(*oc.where, env) != true) return true;
  }
  Row after = before;
  std::vector<ColumnChange> changes;
  for (const Assignment& a : oc.sets) {
    size_t i = column_named(t, a.column);
    std::vector<RowRead> from;
    EvalEnv env{&t, &before, &q.vars, &from, true};
    env.excluded = &proposed;
    env.subqueries = &c.subqueries;
    env.tables = &tables_;
    // DEFAULT: a serial column's next value is taken here, once the row is
    // locked (ExecOnConflictUpdate projects after its lock and WHERE).
    after[i] = a.value->kind == ExprKind::kDefault ? column_default(r, tid, i)
                                                   : assigned_value(*a.value, t.columns[i], env);
    changes.push_back(ColumnChange{a.column, before[i], after[i], std::move(from),
                                   names_column(*a.value, a.column)});
  }
  // A partitioned table's DO UPDATE may not move the row to another
  // partition (ExecUpdateAct refuses it for ON CONFLICT).
  if (t.partitioning && t.partition_of(after) != t.partition_of(before))
    throw SqlError("0A000", "invalid ON UPDATE specification");
  check_not_null(t, after);
  // A new key is a new index entry, as in an UPDATE (Executor::advance).
  const bool key_change = mode == LockMode::kUpdate && changes_key(t, before, after);
  const bool new_key = key_change || (t.more_indexed() && changes_index(t, before, after));
  queue_fk_checks(r, c, tid, &before, &after, v.xmin == c.txn, s.next_version());
  s.ssi_write(c.txn, k.row, target, !w_.sessions[r.value].savepoints.empty());
  const bool key_update = key_change || s.holds(k.row, c.txn, LockMode::kUpdate);
  VersionId made = s.update(k.row, c.txn, std::move(after), !new_key, key_update);
  if (log_)
    log_->writes.push_back(
        WriteObs{r, c.txn, tid, k.row, target, made, std::move(changes), log_->events.size()});
  if (new_key && !index_new_key(r, tid, made, waiting)) {
    c.key_pending = made;
    return false;
  }
  c.out.push_back(made);
  ++c.rowcount;
  return true;
}

}  // namespace ccsim
