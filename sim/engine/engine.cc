#include "engine/engine.h"

#include <algorithm>

#include "engine/request_machine.h"

namespace ccsim {

namespace {

// ---- Rule: a row's waiter sleeps on one lock at a time ------------------------
// In PostgreSQL the first waiter for a locked row takes the row's tuple lock
// and sleeps on the lockers' transactions, one after another in the order
// they locked it (a multixact's members); a later waiter whose request
// conflicts sleeps on that tuple lock. Each sleep is a wait of its own,
// with its own deadlock check and lock_timeout counted from when it began
// (World::deadlock_timers): a waiter that gets the tuple lock (the waiter
// ahead left, or locked the row and let the tuple lock go) sleeps again on
// the row's lockers, and one whose locker ended while another still holds
// the row sleeps again on that one.
void promote_waits(World& w) {
  if (!w.deadlock_timers) return;
  for (Session& s : w.sessions) {
    if (!s.cursor || !s.cursor->waiting) continue;
    Cursor& c = *s.cursor;
    if (!c.behind && !c.sleeps_on) continue;  // not a row lock's wait
    if (c.behind && w.store.queued_behind(c.wait_row, c.txn)) continue;
    TxnId next = w.store.first_blocker(c.wait_row, c.txn).value_or(TxnId{});
    if (!next || (!c.behind && next == c.sleeps_on)) continue;
    c.behind = false;
    c.sleeps_on = next;
    c.wait_since_us = w.now_us;
    c.wait_number = ++w.waits_begun;
    c.deadlock_checked = false;
  }
}

}  // namespace

void step(World& w, RequestId r, Log* log) {
  Executor sql(w, log);
  RequestMachine(w, sql, log).step(r);
  promote_waits(w);
}

namespace {

// The timers of session i's waiting statement, in PostgreSQL's order for
// one session.
template <typename F>
void timers_of(const World& w, size_t i, F&& each) {
  const Session& s = w.sessions[i];
  if (!s.cursor || !s.cursor->waiting) return;
  const Cursor& c = *s.cursor;
  RequestId r{static_cast<uint32_t>(i)};
  if (!c.deadlock_checked)
    each(WaitTimer{r, c.wait_since_us + 1000 * s.timeouts.deadlock_ms, TimerKind::kDeadlockCheck});
  if (s.timeouts.lock_ms > 0 && !c.safe_snapshot_wait)
    each(WaitTimer{r, c.wait_since_us + 1000 * s.timeouts.lock_ms, TimerKind::kLockTimeout});
  if (s.timeouts.statement_ms > 0)
    each(WaitTimer{r, s.statement_since_us + 1000 * s.timeouts.statement_ms,
                   TimerKind::kStatementTimeout});
}

}  // namespace

std::optional<WaitTimer> next_timer(const World& w) {
  std::optional<WaitTimer> best;
  uint64_t best_number = 0;
  for (size_t i = 0; i < w.sessions.size(); ++i)
    timers_of(w, i, [&](const WaitTimer& t) {
      uint64_t number = w.sessions[i].cursor->wait_number;
      if (!best || t.due_us < best->due_us || (t.due_us == best->due_us && number < best_number)) {
        best = t;
        best_number = number;
      }
    });
  return best;
}

namespace {

bool fire(World& w, const WaitTimer& t, Log* log) {
  Executor sql(w, log);
  RequestMachine machine(w, sql, log);
  if (t.kind != TimerKind::kDeadlockCheck)
    return sql.cancel_statement(t.request, t.kind == TimerKind::kLockTimeout
                                               ? Executor::Cancel::kLockTimeout
                                               : Executor::Cancel::kStatementTimeout);
  // A timeout due at the same moment is handled after the check (ProcSleep
  // runs CheckDeadLock, then CHECK_FOR_INTERRUPTS): a waiter the check
  // finds in a deadlock fails with the timeout's error instead.
  std::optional<TimerKind> also;
  timers_of(w, t.request.value, [&](const WaitTimer& o) {
    if (!also && o.kind != TimerKind::kDeadlockCheck && o.due_us == t.due_us) also = o.kind;
  });
  return sql.deadlock_check(
      t.request, also ? std::optional<bool>(*also == TimerKind::kLockTimeout) : std::nullopt);
}

}  // namespace

bool fire_timer(World& w, const WaitTimer& t, Log* log) {
  w.now_us = std::max(w.now_us, t.due_us);
  bool ended = fire(w, t, log);
  promote_waits(w);
  return ended;
}

bool cancel_wait(World& w, RequestId r, Log* log) {
  Executor sql(w, log);
  RequestMachine machine(w, sql, log);
  bool ended = sql.cancel_statement(r, Executor::Cancel::kUserRequest);
  promote_waits(w);
  return ended;
}

void run_setup(World& w, const Program& setup, Log* log) {
  // Setup runs as a throwaway request 0 before the scenario's requests exist
  // (REQUIRES: w.requests is empty); each statement autocommits. Its
  // transactions are committed and never waited on, so no later request can
  // be confused with it.
  Request q;
  q.name = "setup";
  q.program = std::make_shared<Program>(setup);
  w.requests.insert(w.requests.begin(), q);
  w.sessions.insert(w.sessions.begin(), Session{});
  RequestId r{0};
  while (w.requests[0].state == RunState::kReady) step(w, r, log);
  Request done = w.requests[0];
  w.requests.erase(w.requests.begin());
  w.sessions.erase(w.sessions.begin());
  w.store.disown_all();
  if (done.fate == Fate::kAborted && !setup.steps.empty()) {
    const Step& failed = setup.steps[std::min(done.pc, setup.steps.size() - 1)];
    throw SetupFailure(SqlError(done.sqlstate, done.error),
                       SourcePos{setup.file, failed.line, failed.column});
  }
}

}  // namespace ccsim
