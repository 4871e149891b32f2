// The simulated world: the application (requests, mutexes, policies) plus
// the simulated database: the store and each request's session on it.
//
// A World is a value: copy it to branch. It holds no pointers into itself;
// programs are shared immutable data. Nothing here blocks, prints or reads a
// clock.
#pragma once

#include <optional>
#include <vector>

#include "engine/app.h"
#include "lang/ast.h"
#include "store/store.h"

namespace ccsim {

// A statement in progress. It lives across steps only while the statement
// waits for a row lock; when the lock is granted it resumes where it stopped.
// A foreign-key check a write left for the end of its statement, as
// PostgreSQL's RI triggers fire after the statement's rows are written
// (engine/foreign_keys.cc). `parent`: a referenced key went away (a DELETE
// or key UPDATE of the referenced table), and no row of `table` may still
// hold `key` (NO ACTION, RESTRICT), or those that do are deleted or
// changed (CASCADE, SET NULL, SET DEFAULT); otherwise a row of `table` now
// holds `key`, which the referenced table must have.
struct FkCheck {
  uint32_t table = 0;  // the referencing table
  uint32_t fk = 0;     // which of its foreign keys
  Row key;
  bool parent = false;
  // `parent`: the key's action (RESTRICT: a row that holds the key again
  // does not count), and for an ON UPDATE action the referenced row's new
  // key (CASCADE gives it to the referencing rows).
  FkAction action = FkAction::kNoAction;
  Row new_key;
  // The partition of the row written (the referencing one's, or with
  // `parent` the referenced one's), which its 23503 names; 0 for a plain table.
  uint32_t part = 0;
  // Not `parent`: the version written, which the check skips once its own
  // transaction deleted or replaced it (RI_FKey_check's liveness test).
  VersionId made;
  // Its constraint is deferred (SET CONSTRAINTS, INITIALLY DEFERRED): it
  // runs at COMMIT, not at the statement's end.
  bool deferred = false;
  bool operator==(const FkCheck&) const = default;
};

struct Cursor {
  TxnId txn;
  Snapshot snapshot;
  std::vector<VersionId> candidates;  // rows the statement's snapshot matched, in order
  std::vector<Row> inserts;           // INSERT: evaluated rows still to insert
  size_t next = 0;                    // next candidate or insert row
  // INSERT: how many rows have their serial columns' values (taken from the
  // sequence when the row's turn comes, as PostgreSQL inserts row by row).
  size_t serials_taken = 0;
  // UPDATE of a table with a serial column: the values its projection took
  // for candidate projected_at - 1 (0: none), one per SET assignment (NULL
  // where it takes none).
  std::vector<Value> projection;
  size_t projected_at = 0;
  std::vector<VersionId> out;  // SELECT: result rows (versions), in order
  int64_t rowcount = 0;
  bool waiting = false;
  RowId wait_row;
  // The wait is a SERIALIZABLE READ ONLY DEFERRABLE transaction's for a
  // safe snapshot (no row: the statement has not begun).
  bool safe_snapshot_wait = false;
  // The foreign-key checks left, the next to run, whether they began, the
  // version a waiting check saw and the snapshot it reads with.
  std::vector<FkCheck> fk_checks;
  size_t fk_next = 0;
  bool fk_started = false;
  VersionId fk_seen;
  Snapshot fk_snapshot;
  bool fk_table_wait = false;  // the check waits for its table's lock
  // A CASCADE, SET NULL or SET DEFAULT: the referencing rows its query
  // found, and the next to delete or change.
  std::vector<VersionId> fk_rows;
  size_t fk_row = 0;
  // Outside a transaction block: the checks of deferred constraints, run
  // once the others have (the statement's own COMMIT fires them).
  std::vector<FkCheck> fk_later;
  // With deadlock timers (World::deadlock_timers): when this wait began, in
  // the world's virtual microseconds and in the order waits began, and
  // whether its deadlock check has run (PostgreSQL runs it once per wait).
  int64_t wait_since_us = 0;
  uint64_t wait_number = 0;
  bool deadlock_checked = false;
  // The wait is for a row's tuple lock, behind a waiter queued ahead with a
  // conflicting request (Store::queued_behind): once none is left, a new
  // wait begins, for the row's holders (promote_waits).
  bool behind = false;
  // Otherwise, the row's holder it sleeps on (Store::first_blocker): when
  // that one ends and another still holds the row, a new wait begins.
  TxnId sleeps_on;
  // The statement's scalar subqueries and their values, once computed.
  std::vector<std::pair<const Expr*, Value>> subqueries;
  // The cursor runs the statement's subquery that picks a row first (one
  // with ORDER BY, LIMIT or a locking clause: Executor::picked).
  bool initplan = false;
  // Advisory locks a WHERE takes (ExprKind::kAdvisory), for the candidate at
  // `next`: the answers of the calls its WHERE already made, in call order,
  // and whether the wait is for a call's lock (of a session-level call)
  // rather than the row's.
  std::vector<Value> advisory_answers;
  size_t advisory_at = 0;  // the candidate the answers are for
  // 1: a sorted SELECT runs its WHERE's calls over every row before sorting
  // (executor.cc); 2: it has, and sorted them.
  int advisory_phase = 0;
  bool advisory_wait = false;
  bool advisory_session = false;
  // An AdvisoryStmt's answers whose WARNING was sent (when a later call
  // waited). Not in the state's key: a cursor kept across steps waits, and
  // then every answer before the wait was warned of.
  size_t advisory_warned = 0;
  bool advisory_shared = false;  // the call that waits asked for a SHARE lock
  // An UPDATE that changed a unique index's column wrote this version and
  // waits, before its index entries, for a writer of the same key to end.
  VersionId key_pending;
  // ON CONFLICT DO UPDATE waits for the lock of the row holding the key:
  // the version it tried to lock (engine/executor_insert.cc, upsert).
  VersionId upsert_locking;
  // A plain INSERT's row in the heap whose index entries are being made,
  // and the first unique index it is not listed in yet (0 the primary
  // key's): it waits there for an unfinished writer of the same key.
  std::optional<RowId> insert_pending;
  size_t indexed = 0;
  // The table locks the statement takes before it runs (World::table_locks),
  // in order, and the next to take; table_phase while it takes them.
  std::vector<std::pair<TableId, LockMode>> table_locks;
  size_t table_next = 0;
  bool table_phase = false;
  // CREATE TABLE: it waited for another transaction creating a table of its
  // name (statement_table_locks).
  bool create_waited = false;
  // FOR KEY SHARE waits on a version a non-key UPDATE replaced: the wait is
  // for a later version's lock (heap_lock_updated_tuple), not this one's.
  bool key_share_chain = false;
  // MERGE: how many rows it matched were deleted or no longer matched when
  // it came to lock them (each a WHEN NOT MATCHED for its source row); and,
  // once the scan is done, whether it inserts that action's rows
  // (`inserts`, at `next`), and which action.
  size_t merge_unmatched = 0;
  bool merge_inserting = false;
  size_t merge_action = 0;
  // MERGE with a source of several rows: the source row each entry of
  // `candidates` is paired with (a target row once per source row it
  // matched), and the rows the statement changed so far.
  std::vector<uint32_t> merge_rows;
  std::vector<RowId> merge_changed;
};

// The times a session can SET (SetStmt), in milliseconds: how long a lock
// wait lasts before its deadlock check, and before lock_timeout cancels the
// statement; how long a statement runs before statement_timeout cancels it.
// 0: never.
struct Timeouts {
  int64_t deadlock_ms = time_setting_default_ms("deadlock_timeout");
  int64_t lock_ms = time_setting_default_ms("lock_timeout");
  int64_t statement_ms = time_setting_default_ms("statement_timeout");
  // Also SET like the times, and kept or undone with them: the session's
  // default_transaction_isolation (none: the run's, World::default_isolation).
  std::optional<Isolation> isolation;
  // The field for a SetStmt's name (deadlock_timeout, lock_timeout or
  // statement_timeout).
  int64_t& named(const std::string& name) { return *field(this, name); }
  int64_t named(const std::string& name) const { return *field(this, name); }

 private:
  template <typename T>
  static auto field(T* t, const std::string& name) -> decltype(&t->lock_ms) {
    return name == "lock_timeout"        ? &t->lock_ms
           : name == "statement_timeout" ? &t->statement_ms
                                         : &t->deadlock_ms;
  }
};

// A request's connection to the simulated database: its open transaction
// and the statement in progress. What a real server keeps per connection.
// A key a session holds at session level, in one mode, `count` times.
struct AdvisoryHeld {
  AdvisoryKey key;
  bool shared = false;
  int64_t count = 0;
  bool operator==(const AdvisoryHeld&) const = default;
};

// SET CONSTRAINTS in a transaction: ALL's mode (none: each key's own), then
// each name set since, and whether it is deferred.
struct ConstraintModes {
  std::optional<bool> all;
  std::vector<std::pair<std::string, bool>> named;
  bool operator==(const ConstraintModes&) const = default;
};

// A deferred foreign-key check, and the firing that ran it (0: not yet; a
// ROLLBACK TO a savepoint before that firing makes it pending again, as
// AfterTriggerEndSubXact does).
struct DeferredCheck {
  FkCheck check;
  uint32_t fired = 0;
  bool operator==(const DeferredCheck&) const = default;
};

struct Session {
  TxnId txn;              // the open transaction, explicit or autocommit
  bool in_block = false;  // inside BEGIN ... COMMIT
  // Inside BEGIN after an error (a session that goes on after errors): only
  // COMMIT and ROLLBACK work.
  bool failed_block = false;
  std::optional<Cursor> cursor;
  // The open savepoints, innermost last: their names, marks, and the
  // settings a ROLLBACK TO puts back (READ ONLY among them: SET TRANSACTION
  // READ ONLY inside the savepoint is undone, as PostgreSQL's GUC is).
  struct Savepoint {
    std::string name;
    SavepointMark mark;
    Timeouts timeouts, kept;
    bool read_only = false;
    // The deferred checks then (Session::deferred), the firings so far, and
    // SET CONSTRAINTS' state: what a ROLLBACK TO puts back.
    size_t deferred = 0;
    uint32_t firings = 0;
    ConstraintModes modes;
  };
  std::vector<Savepoint> savepoints;
  // SET's times (with deadlock timers only): those in effect; those the
  // transaction's end leaves (without SET LOCAL's); and, once the open
  // transaction set one, `kept` as it began, which a rollback puts back.
  Timeouts timeouts, kept;
  std::optional<Timeouts> kept_before;
  // When the statement in progress began (World::now_us): statement_timeout.
  int64_t statement_since_us = 0;
  // Session-level advisory locks: their holder (Store::begin_session_holder,
  // made at the first) and how many times each key is held in each mode, in
  // the order first taken. They outlive transactions; the session's end
  // releases them.
  TxnId session_locks;
  std::vector<AdvisoryHeld> advisory_held;
  // Each sequence's value the session's last nextval of it returned
  // (currval), in the order first called; a transaction's end keeps them.
  std::vector<std::pair<std::string, int64_t>> currvals;
  // The open transaction's deferred foreign-key checks, in the order
  // queued; how many firings ran (COMMIT or SET CONSTRAINTS ... IMMEDIATE
  // each one); SET CONSTRAINTS' state; and whether a COMMIT is running
  // them (an error then ends the transaction, not the statement).
  std::vector<DeferredCheck> deferred;
  uint32_t firings = 0;
  ConstraintModes modes;
  bool committing = false;
};

// Deliberate departures from PostgreSQL, to prove that `ccsim verify` notices
// them. Never set outside tests and --inject-fault.
struct Faults {
  bool no_where_recheck = false;  // a waiting UPDATE does not re-check its WHERE
};

struct World : Application {
  Store store;
  std::vector<Session> sessions;  // one per request, by index
  Faults faults;
  Isolation default_isolation = Isolation::kReadCommitted;
  // ---- Rule: deadlock timers ------------------------------------------------
  // false (scenarios): the waiter whose wait closes a cycle is aborted at
  // once. Each step of a scenario comes after the previous waiter's
  // deadlock_timeout has passed, as `ccsim verify` paces them, so the earlier
  // waiters' checks found no cycle yet and the closer's check is the first
  // to find it.
  // true (specs, whose steps come at once, as isolationtester sends them):
  // every waiter waits; its check runs when its deadlock_timeout has passed
  // since its wait began (fire_timer), and only a waiter whose
  // check finds a cycle through it is aborted. now_us is the virtual clock,
  // in microseconds.
  bool deadlock_timers = false;
  // ---- Rule: the table locks statements take ----------------------------------
  // Every PostgreSQL statement locks its tables (ACCESS SHARE for a SELECT,
  // ROW SHARE for a locking one, ROW EXCLUSIVE for a write, ACCESS EXCLUSIVE
  // for DROP TABLE) to the end of its transaction. Those modes conflict only
  // with the stronger ones LOCK TABLE, DROP TABLE, ALTER TABLE and a new
  // foreign key take,
  // so ccsim takes them only in a world whose programs have one of those
  // (uses_table_locks): elsewhere they would change nothing.
  bool table_locks = false;
  // ---- Rule: each step the tester sends takes a moment --------------------
  // On the server the steps between two waits take some time (a fraction
  // of a millisecond each), so timers set a whole number of milliseconds
  // after different steps are never due at once: the one counted from the
  // later step is due later (a lock_timeout of 3.5 s set before two steps
  // fires after a 1 s deadlock check set 2.5 s later, after them). The
  // spec runner moves the clock on by kStepMicros for every step it sends,
  // which orders such timers as the server does and moves no timer past
  // another a millisecond or more away (a permutation has far fewer than
  // 1000 steps).
  static constexpr int64_t kStepMicros = 1;
  int64_t now_us = 0;
  uint64_t waits_begun = 0;

  // Returns the request that owns transaction t.
  RequestId owner(TxnId t) const { return store.txn(t).owner; }
  // Adds a request (and its session) at the end; returns its id.
  RequestId add(Request q);
};

// True when p takes a table lock that the locks of other statements can
// conflict with: LOCK TABLE, DROP TABLE, or CREATE TABLE with a foreign key
// (World::table_locks).
bool uses_table_locks(const Program& p);

}  // namespace ccsim
