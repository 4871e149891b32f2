// The simulated SQL backend: runs each request's statements over the store
// of a World, through that request's Session, as PostgreSQL 15 would - the
// request machine's backend in the simulator (engine/request_machine.h).
//
// A statement either completes, waits for a row lock, or fails with a
// SQLSTATE. A waiting statement keeps a cursor in its session; when the
// transaction holding it ends, the executor resumes the waiter's statement
// at once (as PostgreSQL's waiting backend wakes) and hands its answer to
// the machine, inside the step that ended the holder.
//
// Synchronous and pure: no clocks, threads, I/O or global state.
#pragma once

#include <string_view>

#include "engine/log.h"
#include "engine/request_machine.h"
#include "engine/world.h"

namespace ccsim {

struct KeyScanPlan;

struct KeyConflict;

class Executor : public SqlBackend {
 public:
  // Runs statements over w's store; narrates to `log` (may be null).
  Executor(World& w, Log* log)
      : w_(w), log_(log), tables_([this](const std::string& name) -> const Table* {
          std::optional<TableId> t = w_.store.find_table(name);
          return t ? &w_.store.table(*t) : nullptr;
        }) {}
  Executor(const Executor&) = delete;  // tables_ refers to this one
  Executor& operator=(const Executor&) = delete;

  std::optional<SqlAnswer> run(RequestId r, const Step& st, const Vars& vars) override;
  void finish(RequestId r) override;
  void waiting(RequestId r) override;
  bool in_transaction(RequestId r) const override;
  void rollback(RequestId r, const std::string& why, bool in_session) override;
  void close(RequestId r) override;
  // Runs waiting request r's deadlock check (World::deadlock_timers): when
  // its wait is part of a cycle, its statement fails with 40P01 (and its
  // transaction's end wakes whom it held up); returns whether it did.
  // timeout_too: a lock_timeout (true) or statement_timeout (false) due at
  // the same moment, whose error it fails with instead.
  bool deadlock_check(RequestId r, std::optional<bool> timeout_too = std::nullopt);
  // Why a waiting statement is cancelled, and the error it fails with.
  enum class Cancel {
    kLockTimeout,       // 55P03 canceling statement due to lock timeout
    kStatementTimeout,  // 57014 canceling statement due to statement timeout
    kUserRequest,       // 57014 canceling statement due to user request (PQcancel)
  };
  // Cancels waiting request r's statement. Returns whether r was waiting.
  bool cancel_statement(RequestId r, Cancel why);

 private:
  SqlAnswer execute(RequestId r, const Step& st);
  // a: the answer so far (a transaction block's state), which a wait or a
  // DDL statement's answer is written into.
  SqlAnswer execute_locked(RequestId r, const Step& st, SqlAnswer& a);
  void refuse_read_only_write(RequestId r, const Step& st, bool dml);
  // Parse analysis and planning of a data statement (lang/typing.h): its
  // type errors and its constants' errors, before any row is read.
  void analyze(RequestId r, const Step& st);
  std::vector<std::pair<TableId, LockMode>> statement_table_locks(const Step& st, TxnId txn) const;
  bool take_table_locks(RequestId r, SqlAnswer* waiting);
  bool table_lock(RequestId r, RowId row, LockMode mode, SqlAnswer* waiting,
                  const std::string* nowait = nullptr);
  bool fk_table_lock(RequestId r, TableId t, SqlAnswer* waiting, LockMode mode);
  void start_statement(RequestId r, const Step& st);
  void open_scan(RequestId r, const Step& st, Cursor& c);
  // The subquery `pick` that runs before statement st has run in r's
  // cursor: its value, and st's own scan with the same snapshot.
  void picked(RequestId r, const Step& st, const Expr& pick);
  void start_insert(RequestId r, const Step& st, const InsertStmt& ins, Cursor& c);
  // resumed: its lock on the row it waited for was just granted.
  bool advance(RequestId r, const Step& st, SqlAnswer* waiting, bool resumed = false);
  LockMode update_lock(RequestId r, TableId tid, const UpdateStmt& upd, VersionId found);
  // MERGE's first WHEN MATCHED action whose condition holds on `row` (null
  // for none or DO NOTHING), and the index of its first WHEN NOT MATCHED
  // action whose condition holds (none for none or DO NOTHING).
  const MergeAction* matched_action(RequestId r, const MergeStmt& m, const Row& row);
  std::optional<size_t> not_matched_action(RequestId r, const MergeStmt& m);
  // DEFAULT for column c of table t: its DEFAULT constant, NULL without one,
  // or a serial column's next value (taken from its sequence now).
  Value column_default(RequestId r, TableId t, size_t c);
  // A serial column's next value: its own sequence's, or for DEFAULT
  // nextval('s') s's, which sets r's currval of s (22003 past the column's type).
  Value next_serial(RequestId r, TableId t, size_t c);
  // The rows RETURNING gives for the versions a statement wrote.
  void select_items_answer(RequestId r, const SelectStmt& sel, const Cursor& c, SqlAnswer* a);
  void returning_answer(RequestId r, const std::string& table, const Returning& ret,
                        const std::vector<VersionId>& written, SqlAnswer* a);
  // The value the UPDATE's k-th assignment gives its column in a row read
  // through env: DEFAULT is the column's default (a serial column's, the
  // value project_serials took).
  Value set_value(RequestId r, TableId tid, const UpdateStmt& upd, size_t k, const EvalEnv& env);
  // An UPDATE's serial DEFAULTs for the candidate at the cursor's next, taken
  // once when the row is first reached (PostgreSQL's projection), one entry
  // per assignment (NULL for the others).
  void project_serials(RequestId r, TableId tid, const UpdateStmt& upd);
  bool key_share_follows_chain(const SelectStmt* sel, LockMode mode, VersionId seen) const;
  bool advance_insert(RequestId r, const InsertStmt& ins, SqlAnswer* waiting);
  SqlAnswer wait_for_writer(RequestId r, RowId row);
  bool upsert(RequestId r, TableId tid, const OnConflict& oc, const KeyConflict& k,
              SqlAnswer* waiting);
  SqlAnswer block(RequestId r, RowId row, LockMode mode);
  // A SERIALIZABLE READ ONLY DEFERRABLE transaction's first snapshot: waits
  // while it is not known safe (Store::safe_snapshot_pending).
  SqlAnswer wait_for_safe_snapshot(RequestId r);
  void wake_safe_snapshots(RequestId by);
  SqlAnswer advisory_lock(RequestId r, const AdvisoryStmt& adv, const Step& st);
  bool advisory_calls(RequestId r, const AdvisoryStmt& adv, SqlAnswer* waiting);
  void set_transaction(RequestId r, const SetStmt& set, SqlAnswer* a);
  Isolation default_level(RequestId r) const;
  SqlAnswer select_values(RequestId r, const SelectValuesStmt& values, const Step& st);
  bool lock_tables(RequestId r, const LockTableStmt& lock, SqlAnswer* waiting);
  std::string advisory_warnings(const AdvisoryStmt& adv, Cursor& c) const;
  std::optional<std::string> setting(RequestId r, const std::string& name) const;
  // Advisory locks (executor.cc): takes the lock `call` asks for on key for
  // c's transaction. Returns its answer (void, or whether a try form got
  // it); nothing when it must wait (then *wait is the key's row).
  std::optional<Value> take_advisory(RequestId r, Cursor& c, const AdvisoryCall& call,
                                     AdvisoryKey key, RowId* wait);
  // Hands the lock (SHARE when shared, else EXCLUSIVE) r's transaction got
  // on an advisory row to r's session holder, counting it (kept: the
  // transaction held it before, and keeps it).
  void settle_session_lock(RequestId r, RowId row, bool shared, bool kept);
  int64_t& session_count(RequestId r, AdvisoryKey key, bool shared);
  std::optional<bool> advisory_filter(RequestId r, Cursor& c, TableId tid, const ExprPtr& where,
                                      bool resumed, SqlAnswer* waiting);
  bool unlock_advisory(RequestId r, AdvisoryKey key, bool shared);
  void unlock_all_advisory(RequestId r);
  SqlAnswer complete(RequestId r, const Step& st);
  // `planned`: the statement's key_scan, when its caller has it already.
  void serializable_read(RequestId r, TableId tid, const ExprPtr& where, const SelectStmt* sel,
                         const Snapshot& snap, const Cursor* c = nullptr,
                         const KeyScanPlan* planned = nullptr);
  // Computes the statement's scalar subqueries into c (executor.cc).
  // Runs the statement's scalar subqueries not run yet (only those inside
  // `within` when given) with the cursor's snapshot, into c.subqueries.
  void run_subqueries(RequestId r, Cursor& c, const Step& st, const Expr* within = nullptr);
  void end_txn(RequestId r, bool commit, std::string_view text, bool narrate_end);
  void savepoint(RequestId r, const SavepointStmt& sp);
  // create_waited: a CREATE TABLE waited for another transaction creating
  // a table of its name (Cursor::create_waited).
  // Returns the NOTICEs it raised, one per line ("skipping").
  std::string ddl(RequestId r, const Step& st, bool create_waited);
  std::string sequence_ddl(const SequenceStmt& q);
  // nextval (or currval) of sequence `name` for request r.
  Value sequence_value(RequestId r, const std::string& name, bool currval);
  // A plain INSERT's row and its index entries (executor_insert.cc); false
  // while it waits.
  bool insert_entries(RequestId r, TableId tid, const Row& values, SqlAnswer* waiting, RowId& row);
  // An UPDATE's new key's index entries (executor.cc); false while it waits.
  bool index_new_key(RequestId r, TableId tid, VersionId made, SqlAnswer* waiting);
  // Makes CREATE TABLE's unique indexes besides its primary key's.
  void add_uniques(const CreateTableStmt& create, TableId made);
  void add_index(RequestId r, const AddIndexStmt& add);
  void partition_by(const CreateTableStmt& create, TableId made);
  void add_partition(const CreateTableStmt& c);
  std::string free_constraint_name(const std::string& base,
                                   const std::vector<std::string>& also = {}) const;
  void name_partition_clones(const Table& child, ForeignKey& fk) const;
  void alter_foreign_key(RequestId r, const AlterForeignKeyStmt& alter);
  // 23503 for the first row of table t (a fresh snapshot's) whose key has
  // no referenced row: what ADD FOREIGN KEY and VALIDATE CONSTRAINT check.
  void check_existing_rows(RequestId r, TableId t, const ForeignKey& fk) const;
  // Whether a live table or index has the name; the name PostgreSQL gives
  // a new index of `table` on `columns` (joined by _) with `label`.
  bool relation_named(const std::string& name) const;
  std::string free_index_name(const std::string& table, const std::string& columns,
                              const std::string& label) const;
  std::vector<ForeignKey> foreign_keys(const CreateTableStmt& create) const;
  // Foreign keys (engine/foreign_keys.cc): the checks a written row needs
  // (before: null for an INSERT; after: null for a DELETE), queued in c;
  // running them at the end of the statement (false: it must wait).
  void queue_fk_checks(RequestId r, Cursor& c, TableId tid, const Row* before, const Row* after,
                       bool own_row, VersionId made);
  // True when fk's checks wait for COMMIT in r's transaction now.
  // `clone`: the partition's clone of fk the check runs as, or empty.
  bool deferred_now(RequestId r, const ForeignKey& fk, const std::string& clone) const;
  // Opens a cursor that runs r's pending deferred checks (all, or only
  // those no longer deferred): false while one waits.
  bool fire_deferred(RequestId r, SqlAnswer* waiting, bool all);
  // The answer of a COMMIT or SET CONSTRAINTS once its checks have run.
  SqlAnswer deferred_fired(RequestId r, const Step& st);
  void set_constraints(RequestId r, const SetStmt& set, SqlAnswer* a);
  // ROLLBACK TO sp (or an error inside it): the deferred checks and SET
  // CONSTRAINTS as they were.
  static void undo_deferred(Session& session, const Session::Savepoint& sp);
  bool check_foreign_keys(RequestId r, SqlAnswer* waiting, bool resumed);
  bool referenced_row_found(RequestId r, const FkCheck& k, SqlAnswer* waiting, bool resumed);
  bool referencing_rows_gone(RequestId r, const FkCheck& k, SqlAnswer* waiting, bool resumed);
  bool referencing_rows_changed(RequestId r, const FkCheck& k, SqlAnswer* waiting, bool resumed);
  // A row a statement holds that changed since the version its scan saw:
  // 40001 above READ COMMITTED, false when deleted (its lock let go).
  bool changed_row_goes_on(RequestId r, RowId row, VersionId seen, VersionId newest, bool deleted,
                           bool lock_only);
  void referencing_read(TxnId txn, const FkCheck& k, const Snapshot& snap);
  // Locks a statement let go of before its end (ROLLBACK TO, an advisory
  // unlock, a deleted row skipped, a soft deadlock undone): the waiters
  // granted them, woken once its answer is in (who let go, what was granted).
  std::vector<std::pair<RequestId, std::vector<TxnId>>> woken_;
  void let_in(RequestId r, std::vector<TxnId> granted);
  void check_foreign_key_name(RequestId r, TableId first) const;
  // 55006 when r's transaction has deferred checks pending on table t
  // (CheckTableNotInUse): `command` is DROP TABLE or ALTER TABLE.
  void refuse_pending_checks(RequestId r, TableId t, const char* command) const;
  // VACUUM, ANALYZE or (index_build) an index made over its rows measured
  // table t (Table::reltuples, relpages). `vacuum`: a VACUUM (not FULL),
  // run by transaction `self` (none in a setup), which also sets the table
  // all-visible when no other transaction runs.
  void measure(TableId t, bool index_build = false, bool vacuum = false, TxnId self = {});
  // ALTER TABLE's checks once it holds its table's lock: pending checks,
  // then a foreign key's name.
  void altered_table_locked(RequestId r, TableId first) const;
  // Waiters to fail with 40001 once r's answer is in (fail_stale_waiters()).
  std::vector<std::pair<RequestId, RequestId>> stale_;
  void fail_stale_waiters(RequestId r, RowId row);
  void wake(const std::vector<TxnId>& granted, RequestId by);
  void resume(RequestId waiter, RequestId by);

  World& w_;
  Log* log_;
  // The tables by name, for the types of scalar subqueries' values
  // (EvalEnv::tables).
  TableFinder tables_;
  // The table analyze() found for the statement's table name (that very
  // string), which starting the statement then needs again.
  const std::string* analyzed_name_ = nullptr;
  TableId analyzed_table_;
  TableId statement_table(const std::string& name) const;
  // COMMIT and ROLLBACK steps answered but not yet ended (finish() ends them).
  struct Ending {
    RequestId r;
    bool commit;
  };
  std::vector<Ending> ending_;
};

// A setup statement that failed, with where it stands in its file.
class SetupFailure : public SqlError {
 public:
  SetupFailure(const SqlError& e, SourcePos pos)
      : SqlError(e.sqlstate(), e.what()), pos_(std::move(pos)) {}
  const SourcePos& pos() const { return pos_; }

 private:
  SourcePos pos_;
};

}  // namespace ccsim
