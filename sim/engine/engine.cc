#include "engine/engine.h"

#include <algorithm>

#include "engine/describe.h"

namespace ccsim {

namespace {

enum class Progress { kDone, kBlocked };

// True when the caller wants the narration (events), not only the
// observations the checks read (writes and transaction ends).
bool narrating(const Log* log) {
  return log && log->narrate;
}

// Appends an event when narrating; returns it so callers can add details.
// `text` makes the narration: it is not called (nor its words built) when
// nobody reads them, as when the explorer moves.
template <class Text>
Event* emit(Log* log, EventKind kind, RequestId r, size_t step, Text&& text,
            std::vector<RequestId> others = {}, std::string sqlstate = {}) {
  if (!narrating(log)) return nullptr;
  Event e;
  e.kind = kind;
  e.request = r;
  e.step = step;
  e.text = text();
  e.others = std::move(others);
  e.sqlstate = std::move(sqlstate);
  log->events.push_back(std::move(e));
  return &log->events.back();
}

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

const Step& current(const World& w, RequestId r) {
  const Request& q = w.requests[r.value];
  return q.program->steps[q.pc];
}

void advance_and_finish(World& w, RequestId r, EventKind kind, std::vector<RequestId> others,
                        Log* log);
void finish_if_returned(World& w, RequestId r, Log* log);

// Hands each granted mutex to its waiter: its ACQUIRE completes.
void wake_mutex_waiters(World& w, const std::vector<size_t>& granted, RequestId by, Log* log) {
  for (size_t g : granted) {
    RequestId waiter{static_cast<uint32_t>(g)};
    Request& wq = w.requests[g];
    if (wq.state != RunState::kBlocked || !wq.mutex_wait) continue;
    wq.mutex_wait = false;
    wq.state = RunState::kReady;
    emit(log, EventKind::kResume, waiter, wq.pc,
         [&] {
           return std::string("(resumes after " + w.requests[by.value].name + " released it) " +
                              wq.program->steps[wq.pc].text + " -> acquired");
         },
         {by});
    ++wq.pc;
    finish_if_returned(w, waiter, log);
  }
}

// ---- Rule: a request's mutexes end with it ---------------------------------
// A request that ends, however it ends, leaves its `with lock:` blocks and
// releases what it holds. A crash kills the process: its in-process mutexes
// die with it, but a global one (held outside the process) stays held.
void release_mutexes(World& w, RequestId r, bool keep_global, Log* log) {
  wake_mutex_waiters(w, w.mutexes.release_all(r.value, keep_global), r, log);
}

// A step that succeeds with a WARNING, as PostgreSQL's BEGIN inside a
// transaction (25001) and COMMIT outside one (25P01) do.
void warn(Log* log, RequestId r, size_t step, const std::string& text, const std::string& warning) {
  if (Event* e = emit(log, EventKind::kStep, r, step,
                      [&] { return std::string(text + " -> WARNING: " + warning); }))
    e->message = warning;
}

// Ends request r's open transaction and wakes the statements its locks held up.
void end_txn(World& w, RequestId r, bool commit, const std::string& text, Log* log) {
  Request& q = w.requests[r.value];
  TxnId t = q.txn;
  if (!t) return;
  q.txn = TxnId{};
  q.in_block = false;
  std::vector<TxnId> granted = w.store.end(t, commit);
  if (log) log->txn_ends.push_back(TxnObs{t, r, commit});
  emit(log, commit ? EventKind::kCommit : EventKind::kRollback, r, q.pc,
       [&] { return std::string(text); });
  for (TxnId g : granted) {
    RequestId waiter = w.owner(g);
    Request& wq = w.requests[waiter.value];
    if (wq.state != RunState::kBlocked || !wq.cursor) continue;
    wq.cursor->waiting = false;
    wq.state = RunState::kReady;
    advance_and_finish(w, waiter, EventKind::kResume, {r}, log);
  }
}

void restart(World& w, RequestId r, const std::string& why, Log* log);

void abort_request(World& w, RequestId r, const SqlError& e, Log* log) {
  Request& q = w.requests[r.value];
  q.cursor.reset();
  if (q.continue_on_error) {
    // ---- Rule: an error in a session (SQLSTATE 25P02 afterwards) ----------
    // The error rolls the transaction back at once, releasing its locks, but
    // a transaction block stays open in a failed state: every command but
    // COMMIT and ROLLBACK fails with "current transaction is aborted, commands
    // ignored until end of transaction block" until one of them ends it.
    if (Event* ev = emit(
            log, EventKind::kError, r, q.pc,
            [&] {
              return std::string(current(w, r).text + " -> ERROR: " + e.what() + " (SQLSTATE " +
                                 e.sqlstate() + ")");
            },
            {}, e.sqlstate()))
      ev->message = e.what();
    bool block = q.in_block;
    if (q.txn) {
      w.store.cancel_wait(q.txn);
      end_txn(w, r, false, "ROLLBACK (the error aborts the transaction)", log);
    }
    q.in_block = q.failed_block = block;
    q.state = RunState::kReady;
    ++q.pc;
    finish_if_returned(w, r, log);
    return;
  }
  if (Event* ev = emit(
          log, EventKind::kError, r, q.pc,
          [&] {
            return std::string(current(w, r).text + " -> ERROR: " + e.what() + " (SQLSTATE " +
                               e.sqlstate() + ")");
          },
          {}, e.sqlstate()))
    ev->message = e.what();
  if (q.txn) {
    w.store.cancel_wait(q.txn);
    end_txn(w, r, false, "ROLLBACK (the error aborts the transaction)", log);
  }
  if (w.restart.restarts_on(e.sqlstate())) {
    restart(w, r, "SQLSTATE " + e.sqlstate(), log);
    return;
  }
  q.state = RunState::kDone;
  q.fate = Fate::kAborted;
  q.sqlstate = e.sqlstate();
  q.error = e.what();
  release_mutexes(w, r, false, log);
}

void give_up(World& w, RequestId r, const std::string& why, Log* log) {
  Request& q = w.requests[r.value];
  q.state = RunState::kDone;
  q.fate = Fate::kGaveUp;
  q.error = why;
  q.cursor.reset();
  emit(log, EventKind::kGaveUp, r, q.pc, [&] { return std::string("gives up: " + why); });
  if (q.txn) end_txn(w, r, false, "ROLLBACK (the request gave up)", log);
  release_mutexes(w, r, false, log);
}

// ---- Rule: restart the whole request (restart policy) -----------------------
// The view raised (an error the policy names, or a RESTART IF that held); a
// retry wrapper around it calls it again from the top with the arguments it
// was sent: a new transaction, fresh reads, nothing kept from the failed try.
// After restart.max restarts the request gives up.
void restart(World& w, RequestId r, const std::string& why, Log* log) {
  Request& q = w.requests[r.value];
  if (q.restarts >= w.restart.max) {
    give_up(w, r,
            why + " after " + std::to_string(w.restart.max) +
                (w.restart.max == 1 ? " restart" : " restarts") + " (restart.max)",
            log);
    return;
  }
  ++q.restarts;
  // The restart is narrated first: what it releases wakes others after it.
  emit(log, EventKind::kRestart, r, q.pc, [&] {
    return std::string(why + ": restarts from step 1 (restart " + std::to_string(q.restarts) +
                       " of " + std::to_string(w.restart.max) + ")");
  });
  if (q.txn) {
    w.store.cancel_wait(q.txn);
    end_txn(w, r, false, "ROLLBACK (the request restarts)", log);
  }
  q.cursor.reset();
  q.pc = 0;
  q.vars = *q.initial;
  q.retries.clear();
  q.in_block = q.failed_block = false;
  q.state = RunState::kReady;
  release_mutexes(w, r, false, log);
}

// ---- Rule: an injected crash ---------------------------------------------------
// The worker process dies where the request stands. Its connection drops, so
// PostgreSQL rolls back the open transaction; what it already committed (an
// autocommit UPDATE of a lock row) stays. In-process mutexes die with it.
void crash(World& w, RequestId r, Log* log) {
  Request& q = w.requests[r.value];
  q.state = RunState::kDone;
  q.fate = Fate::kCrashed;
  q.error = "its process died before step " + std::to_string(q.pc + 1);
  emit(log, EventKind::kCrash, r, q.pc,
       [&] { return std::string("crashes: " + q.error + " (injected fault)"); });
  if (q.txn) end_txn(w, r, false, "ROLLBACK (the connection closed)", log);
  release_mutexes(w, r, true, log);
}

Progress block(World& w, RequestId r, RowId row, LockMode mode, Log* log) {
  Request& q = w.requests[r.value];
  Cursor& c = *q.cursor;
  // ---- Rule: deadlock (SQLSTATE 40P01) ---------------------------------------
  // A waiter whose wait closes a cycle in the waits-for graph is aborted with
  // "deadlock detected"; the other members of the cycle keep waiting.
  if (w.store.in_deadlock(c.txn)) {
    w.store.cancel_wait(c.txn);
    throw SqlError("40P01", "deadlock detected");
  }
  c.waiting = true;
  c.wait_row = row;
  q.state = RunState::kBlocked;
  c.waited_for.clear();
  for (TxnId t : w.store.blockers(row, c.txn, mode)) c.waited_for.push_back(w.owner(t));
  emit(
      log, EventKind::kWait, r, q.pc,
      [&] {
        return std::string(current(w, r).text + " -> waits: " + row_label(w.store, row) +
                           " is locked by " + names(w, c.waited_for));
      },
      c.waited_for);
  return Progress::kBlocked;
}

// Returns true when e reads column `name` of the row it is evaluated on.
bool names_column(const Expr& e, const std::string& name) {
  if (e.kind == ExprKind::kColumn && e.name == name) return true;
  return (e.lhs && names_column(*e.lhs, name)) || (e.rhs && names_column(*e.rhs, name));
}

// Returns the lock a row-changing statement takes: UPDATE of a key column and
// DELETE take FOR UPDATE; any other UPDATE takes FOR NO KEY UPDATE.
LockMode write_lock(const Table& t, const StepBody& body) {
  if (auto* u = std::get_if<UpdateStmt>(&body)) {
    for (const Assignment& a : u->sets) {
      int i = t.column_index(a.column);
      if (i >= 0 && t.columns[static_cast<size_t>(i)].primary_key) return LockMode::kUpdate;
    }
    return LockMode::kNoKeyUpdate;
  }
  return LockMode::kUpdate;
}

void check_not_null(const Table& t, const Row& row) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].not_null && is_null(row[i]))
      throw SqlError("23502", "null value in column \"" + t.columns[i].name + "\" of relation \"" +
                                  t.name + "\" violates not-null constraint");
}

// ---- Rule: unique primary key (SQLSTATE 23505) ------------------------------
// A row whose key equals that of a live row fails with "duplicate key value
// violates unique constraint". When the other row was written by a transaction
// that has not finished, PostgreSQL waits for it first: if it commits, the
// error follows; if it rolls back, the insert goes on.
// Returns the row to wait on, or nothing when the key is free.
std::optional<RowId> key_conflict(World& w, TableId tid, const Row& values, TxnId self,
                                  RowId except) {
  const Table& t = w.store.table(tid);
  std::vector<int> keys = t.key_columns();
  if (keys.empty()) return std::nullopt;
  for (RowId rr : t.rows) {
    if (rr == except) continue;
    VersionId vid = w.store.row(rr).newest;
    if (!vid) continue;
    const Version& v = w.store.version(vid);
    bool same = std::all_of(keys.begin(), keys.end(), [&](int k) {
      return v.values[static_cast<size_t>(k)] == values[static_cast<size_t>(k)];
    });
    if (!same) continue;
    const Txn& creator = w.store.txn(v.xmin);
    if (creator.state == TxnState::kAborted) continue;
    bool unfinished_creator = creator.state == TxnState::kActive && v.xmin != self;
    bool unfinished_deleter =
        v.xmax && v.xmax != self && w.store.txn(v.xmax).state == TxnState::kActive;
    if (unfinished_creator || unfinished_deleter) return rr;
    if (v.xmax && (v.xmax == self || w.store.committed(v.xmax))) continue;  // deleted
    throw SqlError("23505",
                   "duplicate key value violates unique constraint \"" + t.name + "_pkey\"");
  }
  return std::nullopt;
}

Progress advance_insert(World& w, RequestId r, const InsertStmt& ins, Log* log) {
  Request& q = w.requests[r.value];
  Cursor& c = *q.cursor;
  TableId tid = table_named(w.store, ins.table);
  while (c.next < c.inserts.size()) {
    const Row& values = c.inserts[c.next];
    w.store.ssi_insert_heap(c.txn, tid);
    if (auto other = key_conflict(w, tid, values, c.txn, RowId{UINT32_MAX})) {
      w.store.wait_for_holders(*other, c.txn, LockMode::kKeyShare);
      return block(w, r, *other, LockMode::kKeyShare, log);
    }
    w.store.ssi_insert_index(c.txn, tid);
    RowId row = w.store.insert(tid, c.txn, values);
    w.store.lock(row, c.txn, LockMode::kUpdate, false);  // unfinished inserts hold their row
    ++c.rowcount;
    ++c.next;
  }
  return Progress::kDone;
}

struct Target {
  const std::string& table;
  const ExprPtr& where;
};

// Returns the table and WHERE of a SELECT, UPDATE or DELETE.
Target target_of(const StepBody& body) {
  if (auto* sel = std::get_if<SelectStmt>(&body)) return {sel->table, sel->where};
  if (auto* upd = std::get_if<UpdateStmt>(&body)) return {upd->table, upd->where};
  const auto& del = std::get<DeleteStmt>(body);
  return {del.table, del.where};
}

// Goes on with request r's statement from its cursor until it is done or must wait.
Progress advance(World& w, RequestId r, Log* log) {
  Request& q = w.requests[r.value];
  const Step& st = current(w, r);
  if (auto* ins = std::get_if<InsertStmt>(&st.body)) return advance_insert(w, r, *ins, log);

  Cursor& c = *q.cursor;
  Store& s = w.store;
  const auto* sel = std::get_if<SelectStmt>(&st.body);
  const auto* upd = std::get_if<UpdateStmt>(&st.body);
  auto [tname, where] = target_of(st.body);
  TableId tid = table_named(s, tname);
  LockMode mode = sel ? *sel->lock : write_lock(s.table(tid), st.body);
  WaitPolicy policy = sel ? sel->wait : WaitPolicy::kWait;
  Isolation iso = s.txn(c.txn).isolation;

  while (c.next < c.candidates.size()) {
    if (sel && sel->limit && c.rowcount >= *sel->limit) break;
    VersionId seen = c.candidates[c.next];
    RowId row = s.version(seen).row;
    LockResult got = s.lock(row, c.txn, mode, policy == WaitPolicy::kWait);
    if (got == LockResult::kUnavailable) {
      // ---- Rule: NOWAIT (SQLSTATE 55P03) and SKIP LOCKED --------------------
      // NOWAIT fails at once on a row another transaction has locked in a
      // conflicting mode; SKIP LOCKED leaves such a row out of the result.
      if (policy == WaitPolicy::kNoWait)
        throw SqlError("55P03", "could not obtain lock on row in relation \"" + tname + "\"");
      ++c.next;
      continue;
    }
    if (got == LockResult::kEnqueued) return block(w, r, row, mode, log);

    VersionId newest = s.row(row).newest;
    bool deleted = static_cast<bool>(s.version(newest).xmax);
    VersionId target = seen;
    if (newest != seen || deleted) {
      // ---- Rule: a row changed since the statement's snapshot ----------------
      // READ COMMITTED: the statement follows the row to its newest committed
      // version, re-checks its WHERE against it (EvalPlanQual), skips the row
      // when it was deleted or no longer matches (keeping the lock), and
      // otherwise works on the newest version: SET sees the other's change.
      // REPEATABLE READ and above: the row was changed by a transaction the
      // snapshot does not see, so the statement fails with SQLSTATE 40001
      // "could not serialize access due to concurrent update".
      if (iso != Isolation::kReadCommitted)
        throw SqlError("40001", deleted ? "could not serialize access due to concurrent delete"
                                        : "could not serialize access due to concurrent update");
      if (deleted) {
        ++c.next;
        continue;
      }
      if (where && !w.faults.no_where_recheck) {
        EvalEnv env{&s.table(tid), &s.version(newest).values, &q.vars, nullptr};
        if (eval_pred(*where, env) != true) {
          ++c.next;
          continue;
        }
      }
      target = newest;
    }

    if (sel) {
      c.out.push_back(target);
    } else if (upd) {
      const Table& t = s.table(tid);
      Row before = s.version(target).values;
      Row after = before;
      std::vector<ColumnChange> changes;
      for (const Assignment& a : upd->sets) {
        size_t i = column_named(t, a.column);
        std::vector<Origin> from;
        EvalEnv env{&t, &before, &q.vars, &from};
        after[i] = coerce(eval_value(*a.value, env), t.columns[i].type, a.column);
        changes.push_back(ColumnChange{a.column, before[i], after[i], std::move(from),
                                       names_column(*a.value, a.column)});
      }
      check_not_null(t, after);
      if (mode == LockMode::kUpdate) key_conflict(w, tid, after, c.txn, row);
      s.ssi_write(c.txn, row, target);
      VersionId made = s.update(row, c.txn, std::move(after));
      if (log)
        log->writes.push_back(WriteObs{r, c.txn, tid, row, target, made, std::move(changes)});
    } else {
      s.ssi_write(c.txn, row, target);
      s.remove(row, c.txn);
      if (log) log->writes.push_back(WriteObs{r, c.txn, tid, row, target, VersionId{}, {}});
    }
    ++c.rowcount;
    ++c.next;
  }
  return Progress::kDone;
}

// Completes request r's statement: assigns INTO and :rowcount, narrates the
// result, moves to the next step and commits when outside BEGIN.
void finish_statement(World& w, RequestId r, EventKind kind, std::vector<RequestId> others,
                      Log* log) {
  Request& q = w.requests[r.value];
  if (!q.in_block) w.store.ssi_precommit(q.txn);  // autocommit: the commit can fail
  Cursor c = std::move(*q.cursor);
  q.cursor.reset();
  const Step& st = current(w, r);
  const bool narrate = narrating(log);
  std::string result;  // the narration of the result, when narrating
  std::vector<std::string> col_names;
  std::vector<Row> result_rows;
  if (auto* sel = std::get_if<SelectStmt>(&st.body)) {
    TableId tid = table_named(w.store, sel->table);
    const Table& t = w.store.table(tid);
    std::vector<int> cols;
    if (sel->columns.empty())
      for (size_t i = 0; i < t.columns.size(); ++i) cols.push_back(static_cast<int>(i));
    else
      for (const std::string& n : sel->columns)
        cols.push_back(static_cast<int>(column_named(t, n)));
    if (narrate) {
      for (int i : cols) col_names.push_back(t.columns[static_cast<size_t>(i)].name);
      for (VersionId v : c.out) {
        Row row;
        for (int i : cols) row.push_back(w.store.version(v).values[static_cast<size_t>(i)]);
        result_rows.push_back(std::move(row));
      }
    }
    c.rowcount = static_cast<int64_t>(c.out.size());
    if (!sel->into.empty()) {
      for (size_t i = 0; i < sel->into.size(); ++i) {
        Var v;
        if (!c.out.empty()) {
          const Version& ver = w.store.version(c.out.front());
          size_t col = static_cast<size_t>(cols[i]);
          v.value = ver.values[col];
          v.from.push_back(Origin{tid, ver.row, ver.id, t.columns[col].name});
        }
        if (narrate) result += (i ? ", :" : ":") + sel->into[i] + " = " + to_sql(v.value);
        q.vars[sel->into[i]] = std::move(v);
      }
      if (c.out.empty()) result = "no row; " + result;
    } else if (narrate) {
      result = rows_text(w.store, c.out, cols);
    }
  } else if (std::holds_alternative<UpdateStmt>(st.body)) {
    if (narrate) result = "UPDATE " + std::to_string(c.rowcount);
  } else if (std::holds_alternative<DeleteStmt>(st.body)) {
    if (narrate) result = "DELETE " + std::to_string(c.rowcount);
  } else if (narrate) {
    result = "INSERT 0 " + std::to_string(c.rowcount);
  }
  q.vars["rowcount"] = Var{c.rowcount, {}};
  auto text = [&] {
    std::string out = st.text + " -> " + result;
    if (kind == EventKind::kResume) out = "(resumes after " + names(w, others) + " ended) " + out;
    return out;
  };
  if (Event* e = emit(log, kind, r, q.pc, text, others)) {
    if (std::holds_alternative<SelectStmt>(st.body)) {
      e->has_rows = true;
      e->columns = std::move(col_names);
      e->rows = std::move(result_rows);
    } else {
      e->rowcount = c.rowcount;
    }
  }
  ++q.pc;
  if (!q.in_block) end_txn(w, r, true, "COMMIT (autocommit)", log);
}

// Ends request r when it has run its last step. A request that returns with
// its transaction still open is rolled back, as PostgreSQL does when the
// connection closes; a session (continue_on_error) keeps its connection, and
// with it the open transaction and its locks.
void finish_if_returned(World& w, RequestId r, Log* log) {
  Request& q = w.requests[r.value];
  if (q.state != RunState::kReady || q.pc < q.program->steps.size()) return;
  q.state = RunState::kDone;
  if (q.txn && !q.continue_on_error) {
    q.fate = Fate::kAborted;
    q.error =
        "returned with its transaction still open; PostgreSQL rolls it back when the connection "
        "closes";
    end_txn(w, r, false, "ROLLBACK (" + q.error + ")", log);
    release_mutexes(w, r, false, log);
    return;
  }
  q.fate = Fate::kCommitted;
  emit(log, EventKind::kFinish, r, q.pc, [&] { return std::string("returns"); });
  release_mutexes(w, r, false, log);
}

void advance_and_finish(World& w, RequestId r, EventKind kind, std::vector<RequestId> others,
                        Log* log) {
  try {
    if (advance(w, r, log) == Progress::kBlocked) return;
    finish_statement(w, r, kind, std::move(others), log);
  } catch (const SqlError& e) {
    abort_request(w, r, e, log);
  }
  finish_if_returned(w, r, log);
}

// Returns true when e names no column: a constant or parameters only.
bool column_free(const Expr& e) {
  if (e.kind == ExprKind::kColumn) return false;
  return (!e.lhs || column_free(*e.lhs)) && (!e.rhs || column_free(*e.rhs));
}

// ---- Rule: what a SERIALIZABLE statement reads (SIREAD locks) --------------
// PostgreSQL looks a row up through the primary key's index when the WHERE
// pins the key (key = value, alone or ANDed with more), and otherwise scans
// the whole table. An index lookup locks the index page and the tuples it
// fetched; a sequential scan locks the relation. Returns the key's value when
// the index is used.
std::optional<Value> index_lookup(const Table& t, const Expr* where, const Vars& vars) {
  std::vector<int> keys = t.key_columns();
  if (!where || keys.size() != 1) return std::nullopt;
  const std::string& key = t.columns[static_cast<size_t>(keys[0])].name;
  if (where->kind == ExprKind::kBinary && where->op == BinOp::kAnd) {
    if (auto v = index_lookup(t, where->lhs.get(), vars)) return v;
    return index_lookup(t, where->rhs.get(), vars);
  }
  if (where->kind != ExprKind::kBinary || where->op != BinOp::kEq) return std::nullopt;
  const Expr* col = where->lhs.get();
  const Expr* val = where->rhs.get();
  if (col->kind != ExprKind::kColumn) std::swap(col, val);
  if (col->kind != ExprKind::kColumn || col->name != key || !column_free(*val)) return std::nullopt;
  EvalEnv env{nullptr, nullptr, &vars, nullptr};
  return eval_value(*val, env);
}

void serializable_read(World& w, RequestId r, TableId tid, const ExprPtr& where,
                       const Snapshot& snap) {
  Store& s = w.store;
  const Request& q = w.requests[r.value];
  if (s.txn(q.txn).isolation != Isolation::kSerializable) return;
  const Table& t = s.table(tid);
  std::optional<Value> key = index_lookup(t, where.get(), q.vars);
  std::vector<RowId> looked_up;
  std::vector<VersionId> read;
  if (key) {
    size_t k = static_cast<size_t>(t.key_columns()[0]);
    for (RowId row : t.rows) {
      bool match = false;
      for (VersionId v = s.row(row).newest; v && !match; v = s.version(v).prev)
        match = s.version(v).values[k] == *key;
      if (!match) continue;
      looked_up.push_back(row);
      for (VersionId v = s.row(row).newest; v; v = s.version(v).prev)
        if (s.visible(s.version(v), snap)) {
          if (s.version(v).values[k] == *key) read.push_back(v);
          break;
        }
    }
  }
  s.ssi_read(q.txn, tid, key.has_value(), looked_up, read);
}

// Starts a data statement (SELECT, UPDATE, INSERT, DELETE) in a cursor.
void start_statement(World& w, RequestId r) {
  Request& q = w.requests[r.value];
  const Step& st = current(w, r);
  Store& s = w.store;
  if (!q.txn) q.txn = s.begin(r, w.default_isolation);  // autocommit: one statement
  Cursor c;
  c.txn = q.txn;
  c.snapshot = s.statement_snapshot(q.txn);
  EvalEnv params{nullptr, nullptr, &q.vars, nullptr};
  if (auto* ins = std::get_if<InsertStmt>(&st.body)) {
    const Table& t = s.table(table_named(s, ins->table));
    size_t targets = ins->columns.empty() ? t.columns.size() : ins->columns.size();
    for (const auto& exprs : ins->rows) {
      if (exprs.size() > targets)
        throw SqlError("42601", "INSERT has more expressions than target columns");
      if (!ins->columns.empty() && exprs.size() < targets)
        throw SqlError("42601", "INSERT has more target columns than expressions");
      Row row(t.columns.size(), Null{});
      for (size_t i = 0; i < exprs.size(); ++i) {
        size_t col = ins->columns.empty() ? i : column_named(t, ins->columns[i]);
        row[col] = coerce(eval_value(*exprs[i], params), t.columns[col].type, t.columns[col].name);
      }
      check_not_null(t, row);
      c.inserts.push_back(std::move(row));
    }
    q.cursor = std::move(c);
    return;
  }
  const auto* sel = std::get_if<SelectStmt>(&st.body);
  auto [tname, where] = target_of(st.body);
  TableId tid = table_named(s, tname);
  const Table& t = s.table(tid);
  serializable_read(w, r, tid, where, c.snapshot);
  for (VersionId v : s.scan(tid, c.snapshot)) {
    EvalEnv env{&t, &s.version(v).values, &q.vars, nullptr};
    if (!where || eval_pred(*where, env) == true) c.candidates.push_back(v);
  }
  if (sel && sel->order_by) {
    size_t col = column_named(t, sel->order_by->column);
    bool desc = sel->order_by->descending;
    // PostgreSQL's default order treats NULL as larger than any value: NULLS
    // LAST ascending, NULLS FIRST descending.
    auto ascending = [](const Value& x, const Value& y) {
      if (is_null(x) != is_null(y)) return is_null(y);
      return x < y;
    };
    std::stable_sort(c.candidates.begin(), c.candidates.end(), [&](VersionId a, VersionId b) {
      const Value& x = s.version(a).values[col];
      const Value& y = s.version(b).values[col];
      return desc ? ascending(y, x) : ascending(x, y);
    });
  }
  if (sel && !sel->lock) {
    // A plain SELECT takes no row locks: its result is what the snapshot sees.
    c.out = c.candidates;
    if (sel->limit && c.out.size() > static_cast<size_t>(*sel->limit))
      c.out.resize(static_cast<size_t>(*sel->limit));
    c.next = c.candidates.size();
  }
  q.cursor = std::move(c);
}

// Returns true (and ends the request) when its client drops this click.
bool dropped_by_client(World& w, RequestId r, Log* log) {
  Request& q = w.requests[r.value];
  auto policy = w.clients.find(q.client);
  if (policy == w.clients.end() || !policy->second.debounce) return false;
  for (const Request& other : w.requests) {
    if (&other == &q || other.client != q.client) continue;
    if (other.sent && other.fate == Fate::kRunning) {
      q.state = RunState::kDone;
      q.fate = Fate::kDropped;
      emit(log, EventKind::kDropped, r, 0, [&] {
        return std::string("click ignored: " + q.client + "'s button is disabled while " +
                           other.name + " is in flight; the request is never sent");
      });
      return true;
    }
  }
  return false;
}

}  // namespace

void step(World& w, RequestId r, Log* log) {
  Request& q = w.requests[r.value];
  if (q.pc >= q.program->steps.size()) {  // an empty program: nothing to run but the return
    finish_if_returned(w, r, log);
    return;
  }
  if (!q.sent) {
    if (dropped_by_client(w, r, log)) return;
    q.sent = true;
  }
  if (q.steps_taken++ >= w.steps_per_request_max) {
    give_up(w, r,
            "took more than " + std::to_string(w.steps_per_request_max) +
                " steps (steps_per_request_max)",
            log);
    return;
  }
  if (w.crash && w.crash->request == q.name && w.crash->step == q.pc) {
    crash(w, r, log);
    return;
  }
  const Step& st = current(w, r);
  size_t at = q.pc;
  try {
    if (auto* rs = std::get_if<RestartAction>(&st.body)) {
      EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
      auto cond = [&] { return to_sql(*rs->condition); };
      if (eval_pred(*rs->condition, env) == true) {
        restart(w, r, cond() + " holds", log);
        return;
      }
      emit(log, EventKind::kStep, r, at,
           [&] { return std::string(cond() + " is false: goes on"); });
      ++q.pc;
    } else if (auto* acq = std::get_if<AcquireAction>(&st.body)) {
      std::string key = Mutexes::key(acq->mutex, acq->global, q.process);
      if (w.mutexes.acquire(key, r.value)) {
        emit(log, EventKind::kStep, r, at,
             [&] { return std::string(st.text + " -> acquired (" + Mutexes::label(key) + ")"); });
        ++q.pc;
      } else {
        RequestId holder{static_cast<uint32_t>(*w.mutexes.holder(key))};
        q.state = RunState::kBlocked;
        q.mutex_wait = true;
        if (Event* e = emit(log, EventKind::kWait, r, at,
                            [&] {
                              return std::string(st.text + " -> waits: " + Mutexes::label(key) +
                                                 " is held by " + w.requests[holder.value].name);
                            },
                            {holder}))
          e->mutex = Mutexes::label(key);
        return;
      }
    } else if (auto* rel = std::get_if<ReleaseAction>(&st.body)) {
      std::string held;
      for (const std::string& key : w.mutexes.held_by(r.value))
        if (key.substr(key.rfind('/') + 1) == rel->mutex) held = key;
      if (held.empty()) {
        emit(log, EventKind::kStep, r, at,
             [&] { return std::string(st.text + " -> not held: nothing to release"); });
        ++q.pc;
      } else {
        emit(log, EventKind::kStep, r, at, [&] { return std::string(st.text + " -> released"); });
        ++q.pc;
        std::optional<size_t> next = w.mutexes.release(held, r.value);
        if (next) wake_mutex_waiters(w, {*next}, r, log);
      }
    } else if (auto* let = std::get_if<LetAction>(&st.body)) {
      Var v;
      EvalEnv env{nullptr, nullptr, &q.vars, &v.from};
      v.value = eval_value(*let->value, env);
      emit(log, EventKind::kStep, r, at,
           [&] { return std::string(st.text + " -> :" + let->var + " = " + to_sql(v.value)); });
      q.vars[let->var] = std::move(v);
      ++q.pc;
    } else if (auto* retry = std::get_if<RetryAction>(&st.body)) {
      EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
      auto cond = [&] { return to_sql(*retry->condition); };
      if (eval_pred(*retry->condition, env) == true) {
        int64_t& used = q.retries[at];
        if (used >= retry->max) {
          give_up(w, r, "still " + cond() + " after " + std::to_string(retry->max) + " retries",
                  log);
          return;
        }
        ++used;
        ++q.retries_total;
        emit(log, EventKind::kRetry, r, at, [&] {
          return std::string(cond() + " holds: runs step " + std::to_string(at) + " again (retry " +
                             std::to_string(used) + " of " + std::to_string(retry->max) + ")");
        });
        q.pc = at - 1;
      } else {
        q.retries.erase(at);
        emit(log, EventKind::kStep, r, at,
             [&] { return std::string(cond() + " is false: goes on"); });
        ++q.pc;
      }
    } else if (q.failed_block && !std::holds_alternative<CommitStmt>(st.body) &&
               !std::holds_alternative<RollbackStmt>(st.body)) {
      throw SqlError(
          "25P02",
          "current transaction is aborted, commands ignored until end of transaction block");
    } else if (auto* begin = std::get_if<BeginStmt>(&st.body)) {
      if (q.in_block) {
        warn(log, r, at, "BEGIN", "there is already a transaction in progress");
      } else {
        Isolation iso = begin->isolation.value_or(w.default_isolation);
        q.txn = w.store.begin(r, iso);
        q.in_block = true;
        emit(log, EventKind::kStep, r, at,
             [&] { return std::string(std::string("BEGIN (") + to_sql(iso) + ")"); });
      }
      ++q.pc;
    } else if (std::holds_alternative<CommitStmt>(st.body) ||
               std::holds_alternative<RollbackStmt>(st.body)) {
      bool commit = std::holds_alternative<CommitStmt>(st.body);
      if (q.failed_block) {
        q.in_block = q.failed_block = false;
        emit(log, EventKind::kStep, r, at,
             [&] { return std::string(st.text + " -> ROLLBACK (the transaction had failed)"); });
      } else if (!q.in_block) {
        warn(log, r, at, st.text, "there is no transaction in progress");
      } else {
        if (commit) w.store.ssi_precommit(q.txn);
        end_txn(w, r, commit, commit ? "COMMIT" : "ROLLBACK", log);
      }
      ++q.pc;
    } else if (auto* set = std::get_if<SetStmt>(&st.body)) {
      emit(log, EventKind::kStep, r, at, [&] {
        return std::string(st.text + " -> SET (" + set->name + " changes nothing in ccsim)");
      });
      ++q.pc;
    } else if (auto* create = std::get_if<CreateTableStmt>(&st.body)) {
      std::vector<Column> cols;
      for (const ColumnDef& d : create->columns)
        cols.push_back(Column{d.name, d.type, d.primary_key, d.not_null});
      if (w.store.find_table(create->table))
        throw SqlError("42P07", "relation \"" + create->table + "\" already exists");
      w.store.create_table(create->table, std::move(cols));
      emit(log, EventKind::kStep, r, at,
           [&] { return std::string("CREATE TABLE " + create->table); });
      ++q.pc;
    } else if (auto* drop = std::get_if<DropTableStmt>(&st.body)) {
      auto tid = w.store.find_table(drop->table);
      if (!tid) throw SqlError("42P01", "table \"" + drop->table + "\" does not exist");
      w.store.drop_table(*tid);
      emit(log, EventKind::kStep, r, at, [&] { return std::string("DROP TABLE " + drop->table); });
      ++q.pc;
    } else {
      start_statement(w, r);
      advance_and_finish(w, r, EventKind::kStep, {}, log);
      return;
    }
  } catch (const SqlError& e) {
    abort_request(w, r, e, log);
    return;
  }
  finish_if_returned(w, r, log);
}

void run_setup(World& w, const Program& setup) {
  // Setup runs as a throwaway request 0 before the scenario's requests exist
  // (REQUIRES: w.requests is empty); each statement autocommits. Its
  // transactions are committed and never waited on, so no later request can
  // be confused with it.
  Request q;
  q.name = "setup";
  q.program = std::make_shared<Program>(setup);
  w.requests.insert(w.requests.begin(), q);
  RequestId r{0};
  while (w.requests[0].state == RunState::kReady) step(w, r, nullptr);
  Request done = w.requests[0];
  w.requests.erase(w.requests.begin());
  w.store.disown_all();
  if (done.fate == Fate::kAborted && !setup.steps.empty()) {
    const Step& failed = setup.steps[std::min(done.pc, setup.steps.size() - 1)];
    throw SetupFailure(SqlError(done.sqlstate, done.error),
                       SourcePos{setup.file, failed.line, failed.column});
  }
}

}  // namespace ccsim
