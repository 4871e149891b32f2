#include "engine/request_machine.h"

#include <algorithm>

namespace ccsim {

namespace {

// Returns "A", "A and B", "A, B and C".
std::string names_of(const Application& app, const std::vector<RequestId>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += (i + 1 == ids.size()) ? " and " : ", ";
    out += app.requests[ids[i].value].name;
  }
  return out.empty() ? "nobody" : out;
}

// Returns a result for people: "1 row: (1, 100)", "2 rows: ...", "0 rows".
std::string rows_text(const std::vector<Row>& rows) {
  std::string out = std::to_string(rows.size()) + (rows.size() == 1 ? " row" : " rows");
  for (size_t i = 0; i < rows.size() && i < 5; ++i) {
    out += i ? ", (" : ": (";
    for (size_t c = 0; c < rows[i].size(); ++c) out += (c ? ", " : "") + to_sql(rows[i][c]);
    out += ")";
  }
  if (rows.size() > 5) out += ", ...";
  return out;
}

// The parameters a SELECT's (an advisory lock's, a RETURNING's) INTO
// assigns, or null.
const std::vector<std::string>* into_of(const Step& st) {
  if (auto* sel = std::get_if<SelectStmt>(&st.body)) return &sel->into;
  if (auto* adv = std::get_if<AdvisoryStmt>(&st.body)) return &adv->into;
  if (auto* values = std::get_if<SelectValuesStmt>(&st.body)) return &values->into;
  if (const Returning* r = returning_of(st)) return &r->into;
  return nullptr;
}

// The result of a statement, as the trace narrates it after " -> ".
std::string result_text(const Step& st, const SqlAnswer& a) {
  if (auto* adv = std::get_if<AdvisoryStmt>(&st.body);
      adv && adv->into.empty() && adv->items.size() == 1) {
    const AdvisoryCall& call = adv->items.front().call;
    if (call.kind == AdvisoryCall::Kind::kUnlockAll) return "unlocked";
    return call.try_only || call.kind == AdvisoryCall::Kind::kUnlock ? rows_text(a.rows) : "locked";
  }
  if (const std::vector<std::string>* into = into_of(st)) {
    if (into->empty()) return rows_text(a.rows);
    std::string out;
    for (size_t i = 0; i < into->size(); ++i) {
      Value v = a.rows.empty() || i >= a.rows[0].size() ? Value{Null{}} : a.rows[0][i];
      out += (i ? ", :" : ":") + (*into)[i] + " = " + to_sql(v);
    }
    return a.rows.empty() ? "no row; " + out : out;
  }
  if (std::holds_alternative<UpdateStmt>(st.body)) return "UPDATE " + std::to_string(a.rowcount);
  if (std::holds_alternative<DeleteStmt>(st.body)) return "DELETE " + std::to_string(a.rowcount);
  if (std::holds_alternative<MergeStmt>(st.body)) return "MERGE " + std::to_string(a.rowcount);
  return "INSERT 0 " + std::to_string(a.rowcount);
}

// How a completed statement is narrated: its event's kind, its text, and a
// WARNING PostgreSQL would print (25001 BEGIN in a block, 25P01 COMMIT
// outside one). A COMMIT or ROLLBACK that ends a block is that event itself.
struct Narration {
  std::optional<EventKind> kind;
  std::string text;
  std::string warning;
  bool notice = false;  // `warning` is NOTICEs, one per line
};

Narration narrate(const Step& st, const SqlAnswer& a) {
  Narration n;
  if (auto* begin = std::get_if<BeginStmt>(&st.body)) {
    if (a.block_before) {
      n.text = "BEGIN";
      n.warning = "there is already a transaction in progress";
    } else {
      n.text = std::string("BEGIN (") + to_sql(a.level) + (begin->read_only ? ", READ ONLY" : "") +
               (begin->deferrable ? ", DEFERRABLE" : "") + ")";
    }
  } else if (std::holds_alternative<CommitStmt>(st.body) ||
             std::holds_alternative<RollbackStmt>(st.body)) {
    bool commit = std::holds_alternative<CommitStmt>(st.body);
    if (a.failed_before) {
      n.text = st.text + " -> ROLLBACK (the transaction had failed)";
    } else if (!a.block_before) {
      n.text = st.text;
      n.warning = "there is no transaction in progress";
    } else {
      n.kind = commit ? EventKind::kCommit : EventKind::kRollback;
      n.text = commit ? "COMMIT" : "ROLLBACK";
    }
  } else if (auto* create = std::get_if<CreateTableStmt>(&st.body)) {
    n.text = "CREATE TABLE " + create->table;
    n.warning = a.warning, n.notice = a.notice;
  } else if (auto* drop = std::get_if<DropTableStmt>(&st.body)) {
    n.text = "DROP TABLE";
    for (size_t i = 0; i < drop->tables.size(); ++i) n.text += (i ? ", " : " ") + drop->tables[i];
    n.warning = a.warning, n.notice = a.notice;
  } else if (std::holds_alternative<SavepointStmt>(st.body) ||
             std::holds_alternative<SequenceStmt>(st.body) ||
             std::holds_alternative<LockTableStmt>(st.body) ||
             std::holds_alternative<AddIndexStmt>(st.body) ||
             std::holds_alternative<AlterForeignKeyStmt>(st.body)) {
    n.text = st.text;
  } else if (std::holds_alternative<SetStmt>(st.body)) {
    n.text = st.text + " -> " + (a.note.empty() ? "SET" : a.note);
    n.warning = a.warning;  // SET LOCAL outside a transaction block
  } else {
    n.text = st.text + " -> " + result_text(st, a);
    n.warning = a.warning;
  }
  return n;
}

}  // namespace

RequestMachine::RequestMachine(Application& app, SqlBackend& sql, Log* log)
    : app_(app), sql_(sql), log_(log) {
  sql_.machine = this;
}

// ---- Rule: a request's mutexes end with it ---------------------------------
// A request that ends, however it ends, leaves its `with lock:` blocks and
// releases what it holds. A crash kills the process: its in-process mutexes
// die with it, but a global one (held outside the process) stays held.
void RequestMachine::release_mutexes(RequestId r, bool keep_global) {
  wake_mutex_waiters(app_.mutexes.release_all(r.value, keep_global), r);
}

// Hands each granted mutex to its waiter: its ACQUIRE completes.
void RequestMachine::wake_mutex_waiters(const std::vector<size_t>& granted, RequestId by) {
  for (size_t g : granted) {
    RequestId waiter{static_cast<uint32_t>(g)};
    Request& wq = app_.requests[g];
    if (wq.state != RunState::kBlocked || !wq.mutex_wait) continue;
    wq.mutex_wait = false;
    wq.waiting_for.clear();
    wq.state = RunState::kReady;
    emit(log_, EventKind::kResume, waiter, wq.pc,
         [&] {
           return "(resumes after " + app_.requests[by.value].name + " released it) " +
                  wq.program->steps[wq.pc].text + " -> acquired";
         },
         {by});
    ++wq.pc;
    finish_if_returned(waiter);
  }
}

// ---- Rule: an error ends a web request; a session goes on ----------------------
// The error rolls the transaction back at once, releasing its locks. A web
// request ends there (aborted), unless its restart policy names the SQLSTATE.
// A connection (an isolation-tester session) goes on: a transaction block
// stays open in a failed state, where every command but COMMIT and ROLLBACK
// fails with 25P02 "current transaction is aborted, commands ignored until
// end of transaction block" until one of them ends it.
void RequestMachine::fail(RequestId r, const std::string& sqlstate, const std::string& message,
                          const std::string& warning) {
  Request& q = app_.requests[r.value];
  q.waiting_for.clear();
  const Step& st = q.program->steps[q.pc];
  if (Event* ev = emit(
          log_, EventKind::kError, r, q.pc,
          [&] {
            return st.text + (warning.empty() ? "" : " -> WARNING: " + warning) +
                   " -> ERROR: " + message + " (SQLSTATE " + sqlstate + ")";
          },
          {}, sqlstate)) {
    ev->message = message;
    ev->warned = warning;
  }
  // ---- Rule: CATCH (the view's except) ---------------------------------------
  // The error ends the statement's transaction as it would end it on a
  // connection that goes on (a failed block, or back to the savepoint);
  // the request goes on past the CATCH's skip.
  const Step* next = q.pc + 1 < q.program->steps.size() ? &q.program->steps[q.pc + 1] : nullptr;
  const auto* handler = next ? std::get_if<CatchAction>(&next->body) : nullptr;
  if (handler && std::find(handler->sqlstates.begin(), handler->sqlstates.end(), sqlstate) !=
                     handler->sqlstates.end()) {
    sql_.rollback(r, "ROLLBACK (the error aborts the transaction)", true);
    const size_t to = q.pc + 2 + static_cast<size_t>(handler->count);
    emit(log_, EventKind::kStep, r, q.pc + 1, [&] {
      return next->text + " -> caught" +
             (handler->count ? ": skips " + std::to_string(handler->count) +
                                   (handler->count == 1 ? " step" : " steps")
                             : std::string());
    });
    q.state = RunState::kReady;
    q.pc = to;
    finish_if_returned(r);
    return;
  }
  if (q.continue_on_error) {
    sql_.rollback(r, "ROLLBACK (the error aborts the transaction)", true);
    q.state = RunState::kReady;
    ++q.pc;
    finish_if_returned(r);
    return;
  }
  sql_.rollback(r, "ROLLBACK (the error aborts the transaction)", false);
  if (app_.restart.restarts_on(sqlstate)) {
    restart(r, "SQLSTATE " + sqlstate);
    return;
  }
  q.state = RunState::kDone;
  q.fate = Fate::kAborted;
  q.sqlstate = sqlstate;
  q.error = message;
  release_mutexes(r, false);
}

void RequestMachine::give_up(RequestId r, const std::string& why) {
  Request& q = app_.requests[r.value];
  q.state = RunState::kDone;
  q.fate = Fate::kGaveUp;
  q.error = why;
  q.waiting_for.clear();
  emit(log_, EventKind::kGaveUp, r, q.pc, [&] { return "gives up: " + why; });
  sql_.rollback(r, "ROLLBACK (the request gave up)", false);
  release_mutexes(r, false);
}

// ---- Rule: restart the whole request (restart policy) -----------------------
// The view raised (an error the policy names, or a RESTART IF that held); a
// retry wrapper around it calls it again from the top with the arguments it
// was sent: a new transaction, fresh reads, nothing kept from the failed try.
// After restart.max restarts the request gives up.
void RequestMachine::restart(RequestId r, const std::string& why) {
  Request& q = app_.requests[r.value];
  if (q.restarts >= app_.restart.max) {
    give_up(r, why + " after " + std::to_string(app_.restart.max) +
                   (app_.restart.max == 1 ? " restart" : " restarts") + " (restart.max)");
    return;
  }
  ++q.restarts;
  // The restart is narrated first: what it releases wakes others after it.
  emit(log_, EventKind::kRestart, r, q.pc, [&] {
    return why + ": restarts from step 1 (restart " + std::to_string(q.restarts) + " of " +
           std::to_string(app_.restart.max) + ")";
  });
  sql_.rollback(r, "ROLLBACK (the request restarts)", false);
  q.pc = 0;
  q.vars = *q.initial;
  q.retries.clear();
  q.waiting_for.clear();
  q.state = RunState::kReady;
  release_mutexes(r, false);
}

// ---- Rule: an injected crash ---------------------------------------------------
// The worker process dies where the request stands. Its connection drops, so
// PostgreSQL rolls back the open transaction; what it already committed (an
// autocommit UPDATE of a lock row) stays. In-process mutexes die with it.
void RequestMachine::crash(RequestId r) {
  Request& q = app_.requests[r.value];
  q.state = RunState::kDone;
  q.fate = Fate::kCrashed;
  q.error = "its process died before step " + std::to_string(q.pc + 1);
  emit(log_, EventKind::kCrash, r, q.pc,
       [&] { return "crashes: " + q.error + " (injected fault)"; });
  sql_.close(r);
  release_mutexes(r, true);
}

// Ends request r when it has run its last step. A request that returns with
// its transaction still open is rolled back, as PostgreSQL does when the
// connection closes; a session (continue_on_error) keeps its connection, and
// with it the open transaction and its locks.
void RequestMachine::finish_if_returned(RequestId r) {
  Request& q = app_.requests[r.value];
  if (q.state != RunState::kReady || q.pc < q.program->steps.size()) return;
  q.state = RunState::kDone;
  if (!q.continue_on_error && sql_.in_transaction(r)) {
    q.fate = Fate::kAborted;
    q.error =
        "returned with its transaction still open; PostgreSQL rolls it back when the connection "
        "closes";
    sql_.rollback(r, "ROLLBACK (" + q.error + ")", false);
    release_mutexes(r, false);
    return;
  }
  q.fate = Fate::kCommitted;
  emit(log_, EventKind::kFinish, r, q.pc, [] { return std::string("returns"); });
  release_mutexes(r, false);
}

// Returns true (and ends the request) when its client drops this click.
bool RequestMachine::dropped_by_client(RequestId r) {
  Request& q = app_.requests[r.value];
  auto policy = app_.clients.find(q.client);
  if (policy == app_.clients.end() || !policy->second.debounce) return false;
  for (const Request& other : app_.requests) {
    if (&other == &q || other.client != q.client) continue;
    if (other.sent && other.fate == Fate::kRunning) {
      q.state = RunState::kDone;
      q.fate = Fate::kDropped;
      emit(log_, EventKind::kDropped, r, 0, [&] {
        return "click ignored: " + q.client + "'s button is disabled while " + other.name +
               " is in flight; the request is never sent";
      });
      return true;
    }
  }
  return false;
}

void RequestMachine::answer(RequestId r, const SqlAnswer& a) {
  Request& q = app_.requests[r.value];
  const Step& st = q.program->steps[q.pc];
  switch (a.kind) {
    case SqlAnswer::Kind::kWaiting:
      q.state = RunState::kBlocked;
      q.waiting_for = a.holders;
      if (Event* e = emit(
              log_, EventKind::kWait, r, q.pc, [&] { return st.text + " -> waits: " + a.waits_on; },
              a.holders)) {
        e->mutex = a.lock_label;
        e->message = a.warning;  // sent before the wait (an earlier call's)
      }
      sql_.waiting(r);
      return;
    case SqlAnswer::Kind::kError:
      fail(r, a.sqlstate, a.message, a.warning);
      finish_if_returned(r);
      return;
    case SqlAnswer::Kind::kDone:
      break;
  }
  const bool resumed = q.state == RunState::kBlocked;
  q.state = RunState::kReady;
  q.waiting_for.clear();
  // What a statement assigns: INTO from its first row (NULL when it has
  // none), and :rowcount; in place, so a variable keeps its storage from
  // one statement to the next.
  if (const std::vector<std::string>* into = into_of(st)) {
    for (size_t i = 0; i < into->size(); ++i) {
      Var& v = q.vars[(*into)[i]];
      const bool got = !a.rows.empty() && i < a.rows[0].size();
      v.value = got ? a.rows[0][i] : Value{Null{}};
      if (got && i < a.first_row_reads.size())
        v.from = a.first_row_reads[i];
      else
        v.from.clear();
    }
  }
  if (a.rowcount >= 0) {
    Var& v = q.vars["rowcount"];
    v.value = a.rowcount;
    v.from.clear();
  }
  if (narrating(log_)) {  // the words cost more than the step: only for a reader
    Narration n = narrate(st, a);
    EventKind kind = n.kind.value_or(resumed ? EventKind::kResume : EventKind::kStep);
    auto text = [&] {
      std::string out = n.text;
      if (!n.warning.empty()) out += (n.notice ? " -> NOTICE: " : " -> WARNING: ") + n.warning;
      if (resumed) out = "(resumes after " + names_of(app_, a.released_by) + " ended) " + out;
      return out;
    };
    Event* e = emit(log_, kind, r, q.pc, text, a.released_by);
    e->resumed = resumed;
    if (!n.warning.empty()) e->message = n.warning, e->notice = n.notice;
    if (a.has_rows) {
      e->has_rows = true;
      e->columns = a.columns;
      e->datetimes = a.datetimes;
      e->rows = a.rows;
    } else if (a.rowcount >= 0) {
      e->rowcount = a.rowcount;
    }
  }
  ++q.pc;
  sql_.finish(r);
  finish_if_returned(r);
}

void RequestMachine::step(RequestId r) {
  Request& q = app_.requests[r.value];
  if (q.pc >= q.program->steps.size()) {  // an empty program: nothing to run but the return
    finish_if_returned(r);
    return;
  }
  if (!q.sent) {
    if (dropped_by_client(r)) return;
    q.sent = true;
  }
  if (q.steps_taken++ >= app_.steps_per_request_max) {
    give_up(r, "took more than " + std::to_string(app_.steps_per_request_max) +
                   " steps (steps_per_request_max)");
    return;
  }
  if (app_.crash && app_.crash->request == q.name && app_.crash->step == q.pc) {
    crash(r);
    return;
  }
  const Step& st = q.program->steps[q.pc];
  try {
    // One handler per kind of step; SQL goes to the backend.
    bool goes_on = std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, RestartAction>)
            return restart_if(r, body);
          else if constexpr (std::is_same_v<T, AcquireAction>)
            return acquire(r, st, body);
          else if constexpr (std::is_same_v<T, ReleaseAction>)
            return release(r, st, body);
          else if constexpr (std::is_same_v<T, LetAction>)
            return let(r, st, body);
          else if constexpr (std::is_same_v<T, RetryAction>)
            return retry(r, body);
          else if constexpr (std::is_same_v<T, SkipAction>)
            return skip(r, body);
          else if constexpr (std::is_same_v<T, CatchAction>)
            return no_error(r);
          else
            return run_sql(r, st);
        },
        st.body);
    if (!goes_on) return;
  } catch (const SqlError& e) {
    fail(r, e.sqlstate(), e.what());
    return;
  }
  finish_if_returned(r);
}

// RESTART IF pred: the request starts over when pred holds.
bool RequestMachine::restart_if(RequestId r, const RestartAction& rs) {
  Request& q = app_.requests[r.value];
  EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
  auto cond = [&] { return to_sql(*rs.condition); };
  if (eval_pred(*rs.condition, env) == true) {
    restart(r, cond() + " holds");
    return false;
  }
  emit(log_, EventKind::kStep, r, q.pc, [&] { return cond() + " is false: goes on"; });
  ++q.pc;
  return true;
}

// ACQUIRE [GLOBAL] MUTEX name: taken, or the request waits its turn (FIFO).
bool RequestMachine::acquire(RequestId r, const Step& st, const AcquireAction& acq) {
  Request& q = app_.requests[r.value];
  std::string key = Mutexes::key(acq.mutex, acq.global, q.process);
  if (app_.mutexes.acquire(key, r.value)) {
    emit(log_, EventKind::kStep, r, q.pc,
         [&] { return st.text + " -> acquired (" + Mutexes::label(key) + ")"; });
    ++q.pc;
    return true;
  }
  RequestId holder{static_cast<uint32_t>(*app_.mutexes.holder(key))};
  q.state = RunState::kBlocked;
  q.mutex_wait = true;
  q.waiting_for = {holder};
  if (Event* e = emit(log_, EventKind::kWait, r, q.pc,
                      [&] {
                        return st.text + " -> waits: " + Mutexes::label(key) + " is held by " +
                               app_.requests[holder.value].name;
                      },
                      {holder}))
    e->mutex = Mutexes::label(key);
  return false;
}

// RELEASE MUTEX name frees the one mutex of that name the request holds
// (the per-process one when it holds a global one of the same name too);
// its first waiter takes it.
bool RequestMachine::release(RequestId r, const Step& st, const ReleaseAction& rel) {
  Request& q = app_.requests[r.value];
  std::string held;
  for (const std::string& key : app_.mutexes.held_by(r.value))
    if (key.substr(key.rfind('/') + 1) == rel.mutex) held = key;
  const size_t at = q.pc++;
  if (held.empty()) {
    emit(log_, EventKind::kStep, r, at,
         [&] { return st.text + " -> not held: nothing to release"; });
    return true;
  }
  emit(log_, EventKind::kStep, r, at, [&] { return st.text + " -> released"; });
  if (std::optional<size_t> next = app_.mutexes.release(held, r.value))
    wake_mutex_waiters({*next}, r);
  return true;
}

// LET :var = expr: computed in the application; the value keeps the reads
// it was computed from.
bool RequestMachine::let(RequestId r, const Step& st, const LetAction& let) {
  Request& q = app_.requests[r.value];
  Var v;
  EvalEnv env{nullptr, nullptr, &q.vars, &v.from};
  v.value = eval_value(*let.value, env);
  emit(log_, EventKind::kStep, r, q.pc,
       [&] { return st.text + " -> :" + let.var + " = " + to_sql(v.value); });
  q.vars[let.var] = std::move(v);
  ++q.pc;
  return true;
}

// RETRY WHILE pred MAX n: while pred holds, the step before runs again, at
// most n times in a row; then the request gives up.
bool RequestMachine::retry(RequestId r, const RetryAction& retry) {
  Request& q = app_.requests[r.value];
  const size_t at = q.pc;
  EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
  auto cond = [&] { return to_sql(*retry.condition); };
  if (eval_pred(*retry.condition, env) != true) {
    q.set_retries_at(at, 0);
    emit(log_, EventKind::kStep, r, at, [&] { return cond() + " is false: goes on"; });
    ++q.pc;
    return true;
  }
  int64_t used = q.retries_at(at);
  if (used >= retry.max) {
    give_up(r, "still " + cond() + " after " + std::to_string(retry.max) + " retries");
    return false;
  }
  q.set_retries_at(at, ++used);
  ++q.retries_total;
  emit(log_, EventKind::kRetry, r, at, [&] {
    return cond() + " holds: runs step " + std::to_string(at) + " again (retry " +
           std::to_string(used) + " of " + std::to_string(retry.max) + ")";
  });
  q.pc = at - 1;
  return true;
}

// SKIP n IF|UNLESS pred: the next n steps are passed over, or not.
bool RequestMachine::skip(RequestId r, const SkipAction& k) {
  Request& q = app_.requests[r.value];
  const size_t at = q.pc;
  EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
  const bool holds = !k.condition || eval_pred(*k.condition, env) == true;
  const bool skips = holds != k.unless;
  emit(log_, EventKind::kStep, r, at, [&] {
    std::string n = std::to_string(k.count) + (k.count == 1 ? " step" : " steps");
    if (!k.condition) return "skips " + n;
    return to_sql(*k.condition) + (holds ? " holds" : " does not hold") +
           (skips ? ": skips " + n : ": goes on");
  });
  q.pc = at + 1 + (skips ? static_cast<size_t>(k.count) : 0);
  return true;
}

// CATCH reached after the step before it succeeded: nothing to handle.
bool RequestMachine::no_error(RequestId r) {
  Request& q = app_.requests[r.value];
  emit(log_, EventKind::kStep, r, q.pc, [&] { return std::string("no error to catch: goes on"); });
  ++q.pc;
  return true;
}

// A SQL statement: the backend runs it; its answer comes now or later.
bool RequestMachine::run_sql(RequestId r, const Step& st) {
  Request& q = app_.requests[r.value];
  if (std::optional<SqlAnswer> a = sql_.run(r, st, q.vars)) answer(r, *a);
  return false;  // answer() has finished what there is to finish
}

}  // namespace ccsim
