// The in-memory row store: tables, row versions, transactions, snapshots and
// row locks, modelled on PostgreSQL 15's heap and lock manager.
//
// The store never blocks, never reads a clock and never prints. A request
// that must wait is *enqueued* on a row's lock queue and the caller (engine/)
// decides what waiting means. The store is a value: copying it copies the
// whole database state, which is how the explorer branches.
//
// Invariants:
//  - Each row is a chain of versions; Row::newest is the newest version,
//    committed or written by the one active transaction that holds the row's
//    lock (writers always hold a conflicting row lock, so there is at most one).
//  - A transaction's locks are released only when it ends (commit or abort).
//  - Lock queues are FIFO: on release, waiters are granted in queue order and
//    granting stops at the first waiter that still conflicts.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/sql.h"
#include "core/value.h"

namespace ccsim {

// A foreign key of the referencing table: its columns hold a key of
// `parent` (its primary key's columns, in `parent_columns`' order) or NULL.
// Named as PostgreSQL names it: table_column[_column...]_fkey.
struct ForeignKey {
  std::string name;
  std::vector<int> columns;
  TableId parent;
  std::vector<int> parent_columns;
  // The parent's unique index whose columns parent_columns are: 0 its
  // primary key's, k > 0 Table::uniques[k - 1].
  size_t parent_index = 0;
  FkAction on_delete = FkAction::kNoAction, on_update = FkAction::kNoAction;
  // DEFERRABLE [INITIALLY DEFERRED]: which checks SET CONSTRAINTS may move
  // to COMMIT (the check of a row written, NO ACTION's), and whether they
  // are there unless it says otherwise.
  bool deferrable = false, initially_deferred = false;
  // Whether `n` names this key or one of its partitions' clones.
  bool named(const std::string& n) const {
    if (name == n) return true;
    for (const auto& clone : part_names)
      if (clone.second == n) return true;
    return false;
  }
  // ADD ... NOT VALID: the rows there before it were not checked (VALIDATE
  // CONSTRAINT checks them); new writes are checked either way.
  bool not_valid = false;
  // A partitioned parent: each of its partitions' own constraint, which a
  // delete or key change there names (PostgreSQL clones the key once per
  // referenced partition: t_col_fkey1, t_col_fkey2 ...), by partition name.
  std::vector<std::pair<std::string, std::string>> part_names;
  // The order keys were made in, over every table (1 the first): the order
  // PostgreSQL fires their triggers on a row (by the triggers' names, whose
  // numbers are their OIDs), so a write that breaks two reports the older.
  uint32_t made = 0;
  bool operator==(const ForeignKey&) const = default;
};

// A UNIQUE constraint besides the primary key, and its index (as by_key:
// for each value of its columns, every row any of whose versions ever had
// it, in heap order). A row with NULL in any of its columns is not listed:
// NULLs are distinct.
struct Expr;
struct UniqueKey {
  std::string name;          // the constraint's (and index's) name
  std::vector<int> columns;  // in the constraint's order
  std::map<Row, std::vector<RowId>> rows;
  // A partial index (CREATE UNIQUE INDEX ... WHERE pred): only the row
  // versions pred holds for are in it (engine/row_rules.h, in_index), so
  // only they conflict. Its columns are no key columns (no foreign key
  // may reference them, and changing one takes FOR NO KEY UPDATE); pred's
  // columns make an UPDATE that changes one non-HOT. Null: every row.
  std::shared_ptr<const Expr> predicate;
  std::vector<int> predicate_columns;
  // Made by a constraint (PRIMARY KEY, UNIQUE), which ON CONFLICT ON
  // CONSTRAINT can name; false for CREATE UNIQUE INDEX, which it cannot.
  bool constraint = true;
  bool operator==(const UniqueKey&) const = default;
};

// A btree index that enforces nothing (CREATE INDEX, in a setup), as
// Django makes one for each foreign key: the planner may scan it (a
// bitmap scan of an equality, engine/index_lookup.cc), and an UPDATE that
// changes one of its columns is not HOT (new entries in every index).
struct PlainIndex {
  std::string name;
  std::vector<int> columns;  // in the index's order
  // Its operator class is text_pattern_ops, varchar_pattern_ops or
  // bpchar_pattern_ops (Django's "_like" index): equalities read it as any
  // btree index; LIKE on its first column is refused (lang/validate.cc).
  bool pattern_ops = false;
  // A partial index's predicate and the columns it reads (UniqueKey's).
  std::shared_ptr<const Expr> predicate;
  std::vector<int> predicate_columns;
  bool operator==(const PlainIndex&) const = default;
};

// A CHECK constraint: a new row version for which its condition is false
// (not NULL) fails with 23514. The condition is the parser's (lang/ast.h),
// shared by every copy of the world.
struct CheckConstraint {
  std::string name;
  std::shared_ptr<const Expr> condition;
  bool operator==(const CheckConstraint&) const = default;
};

// A partition of a partitioned table (CREATE TABLE ... PARTITION BY LIST or
// RANGE (column)): the key values it holds. ccsim keeps a partitioned table's
// rows in the table itself; each row belongs to the partition its key picks,
// which is what names the relation in row-level errors, orders a scan (the
// partitions in bound order, as PostgreSQL's Append reads them) and keys
// SERIALIZABLE's SIREAD locks (each partition is its own relation there).
struct Partition {
  std::string name;
  // Its own index of each of the table's unique indexes (the primary key's
  // first, then Table::uniques'), which a 23505 names: name_pkey,
  // name_col_key.
  std::vector<std::string> index_names;
  bool is_default = false;
  std::vector<Value> values;  // LIST: the values (NULL among them: the NULL key)
  // RANGE: FROM (lo) TO (hi), lo included, hi not; none: MINVALUE / MAXVALUE.
  std::optional<Value> lo, hi;
  bool operator==(const Partition&) const = default;
};
struct PartitionScheme {
  int column = -1;               // the partition key's column
  bool range = false;            // RANGE; otherwise LIST
  std::vector<Partition> parts;  // in PostgreSQL's bound order, a DEFAULT last
  bool operator==(const PartitionScheme&) const = default;
};

struct Table {
  std::string name;
  std::string key_name;  // the primary key's constraint (and index) name: name_pkey unless named
  std::vector<Column> columns;
  std::vector<ForeignKey> foreign_keys;  // the keys this table's rows must find
  std::vector<RowId> rows;               // in insertion order
  bool dropped = false;
  // pg_class's reltuples and relpages, which the planner sizes the table
  // by (engine/index_lookup.cc, table_size): reltuples is -1 until VACUUM,
  // ANALYZE or an index built over its rows measures it (its live rows
  // then, and relpages the pages it filled).
  double reltuples = -1;
  double relpages = 0;
  // pg_class's relallvisible: the pages the visibility map held all-visible
  // when it was last measured (all of them or none here), by which the
  // planner weighs an index-only scan.
  double relallvisible = 0;
  // Whether the planner knows the table's size (measured()).
  bool measured() const { return reltuples >= 0; }
  // VACUUM set its pages all-visible in the visibility map, and no row has
  // been written since (an insert, update or delete clears it, committed
  // or not): an index-only scan then reads no heap tuple (executor.cc,
  // serializable_read).
  bool all_visible = false;
  // The primary key's index: for each key, every row any of whose versions
  // ever had it, in heap order. A row whose key changed stays listed under
  // the old key too; lookups check the row's newest version, so a stale
  // entry is only skipped, and no row with the key is ever missing.
  std::map<Row, std::vector<RowId>> by_key;
  // The other unique indexes, in the order PostgreSQL made them (after the
  // primary key's, which it makes first): the order their 23505 is met.
  std::vector<UniqueKey> uniques;
  // Its plain indexes, in the order they were made.
  std::vector<PlainIndex> plain_indexes;
  // Its CHECK constraints, by name: the order PostgreSQL tests them in
  // (CheckConstraintFetch sorts them), so the first false one is named.
  std::vector<CheckConstraint> checks;
  // The last value each serial column's sequence gave (0: none yet), by
  // column; empty when the table has no serial column.
  std::vector<int64_t> sequences;
  // PARTITION BY: its partitions (none: a plain table).
  std::optional<PartitionScheme> partitioning;
  // The heap pages its rows fill, each row's first version laid in the
  // last page while it fits (a row takes its tuple's bytes: Store::insert),
  // and the bytes that page has left. Later versions are taken to fit
  // where their row's did (HOT pruning makes room on a small table's page).
  uint32_t heap_pages = 0;
  uint32_t page_free = 0;

  // The partition a row with these values belongs in: its index in
  // partitioning->parts; -1 when none takes it (0 for a plain table).
  int partition_of(const Row& values) const;
  // The relation a row-level error names for a row with these values: its
  // partition's name (a partitioned table's), else the table's.
  const std::string& relation_of(const Row& values) const;
  // Returns the index of a column, or -1 when the table has none of that name.
  int column_index(const std::string& column) const;
  // Returns the indexes of the primary-key columns (empty when there is none).
  std::vector<int> key_columns() const;
  // The same without building the list, for the planner's questions asked
  // at every statement: how many there are, and the one column of a key of
  // one column (-1 when the key has none or several).
  size_t key_column_count() const;
  int single_key_column() const;
  // Returns the primary key's values in `values` (empty without a key).
  Row key_of(const Row& values) const;
  // True when column c is in the primary key or a unique index that is not
  // partial: changing it makes an UPDATE take FOR UPDATE (PostgreSQL's key
  // columns).
  bool key_column(size_t c) const;
  // True when column c is in any index (a key column's, a plain index's, a
  // partial one's or its predicate's): changing it makes an UPDATE non-HOT.
  bool indexed(size_t c) const;
  // True when the table has any index (its primary key's, a unique one, a
  // plain one).
  bool has_index() const;
  // True when indexed() says yes for more columns than key_column(): the
  // table has a plain index or a partial unique one.
  bool more_indexed() const;
};

struct Version {
  VersionId id;
  RowId row;
  Row values;
  TxnId xmin;      // the transaction that created this version
  TxnId xmax;      // the transaction that replaced or deleted it; 0 while live
  VersionId next;  // the version that replaced it; 0 when deleted or newest
  VersionId prev;  // the version this one replaced; 0 for a row's first version
  // The UPDATE that replaced it was a key update (HEAP_KEYS_UPDATED), which
  // FOR KEY SHARE conflicts with: it changed a unique index's column, or its
  // transaction held FOR UPDATE on the row (PostgreSQL keeps the stronger
  // of one transaction's two locks, compute_new_xmax_infomask).
  bool key_updated = false;
  // Deleted by an UPDATE that moved the row to another partition (a new
  // row there): a later locker fails instead of following it. Read only
  // while the version is deleted (xmax set, no next).
  bool moved = false;
};

struct RowLock {
  TxnId txn;
  LockMode mode;
  bool hold = true;  // queue entries only: false = wait for the holders to end, take nothing
  // Queue entries only: when the wait began, counted over every row
  // (Store::end wakes the waiters for a transaction's end in that order).
  uint64_t since = 0;
};

struct RowState {
  TableId table;
  VersionId newest;
  std::vector<RowLock> holders;  // granted locks, one entry per transaction
  std::vector<RowLock> queue;    // waiting lockers, FIFO
};

enum class TxnState { kActive, kCommitted, kAborted };

// ---- serializable snapshot isolation (SSI) -------------------------------
// PostgreSQL's SERIALIZABLE (src/backend/storage/lmgr/predicate.c, modelled
// in store/ssi.cc): reads leave SIREAD locks; a write that meets another
// serializable transaction's SIREAD lock, or a read that meets a version a
// concurrent one wrote, is a rw-conflict reader -> writer. A transaction
// with a conflict in and a conflict out (a pivot) is a dangerous structure;
// when the transaction at its end commits first, one of them fails with
// 40001. State kept per serializable transaction:
struct Sxact {
  bool registered = false;  // took its snapshot: SSI tracks it
  bool released = false;    // rolled back or cleaned up: no longer tracked
  bool doomed = false;      // marked to fail at its next statement or COMMIT
  bool did_write = false;
  // SXACT_FLAG_READ_ONLY: declared READ ONLY, or committed without writing.
  bool read_only = false;
  // A declared READ ONLY one: every writable transaction that could make it
  // unsafe ended without doing so (ro_safe: it stops being tracked at its
  // next read), or one did (ro_unsafe).
  bool ro_safe = false, ro_unsafe = false;
  bool conflict_out = false;                 // committed with a conflict out to an earlier commit
  uint64_t prepare_seq = 0, commit_seq = 0;  // SSI's own commit sequence
  uint64_t last_commit_before_snapshot = 0;
  uint64_t earliest_out_conflict_commit = 0;
  uint64_t xmin = 0;             // its snapshot's xmin
  uint64_t finished_before = 0;  // the next xid when it ended
};

// What a SIREAD lock covers. Tables are one heap page in ccsim, so a page
// lock covers the table's rows like a relation lock (but not new rows).
enum class SireadKind { kRelation, kPage, kIndexPage, kTuple };
struct Siread {
  TxnId owner;
  SireadKind kind = SireadKind::kRelation;
  TableId table;
  VersionId tuple;  // kTuple
  // The partition of a partitioned table (its index in Table::partitioning),
  // each a relation of its own with its own heap and index pages; 0 else.
  uint32_t part = 0;
};

// A snapshot sees every transaction that committed at or before commit
// sequence number `seq`, plus the changes of its own transaction.
struct Snapshot {
  uint64_t seq = 0;
  TxnId self;
};

// A savepoint's mark in its transaction: how long the undo log was, and the
// row locks held then with their strengths. Rolling back to it undoes the
// later writes and releases (or weakens back) the locks taken since, as
// PostgreSQL does when a subtransaction aborts.
// A DROP or CREATE TABLE by a transaction (none for setup's): undone if the
// transaction, or its subtransaction, rolls back.
struct DdlRecord {
  TxnId txn;
  TableId table;
  bool created = false;  // CREATE TABLE; else DROP TABLE (kind kTable)
  // ALTER TABLE's foreign keys: one added, or one NOT VALID validated
  // (`constraint` names it); undone as the tables are.
  enum class Kind : uint8_t { kTable, kAddForeignKey, kValidateForeignKey };
  Kind kind = Kind::kTable;
  std::string constraint;
  bool operator==(const DdlRecord&) const = default;
};

struct SavepointMark {
  size_t undo = 0;
  size_t ddl = 0;  // how many DDL records the store had (Store::ddl)
  std::vector<std::pair<RowId, LockMode>> locks;
  bool operator==(const SavepointMark&) const = default;
};

struct Txn {
  TxnId id;
  RequestId owner;
  Isolation isolation = Isolation::kReadCommitted;
  TxnState state = TxnState::kActive;
  uint64_t commit_seq = 0;
  std::optional<Snapshot> snapshot;  // REPEATABLE READ / SERIALIZABLE: taken at first statement
  std::vector<std::pair<RowId, VersionId>> undo;  // (row, newest before our write), in order
  std::vector<RowId> locked;                      // rows we hold locks on, in order taken
  uint64_t xid = 0;  // assigned at its first write or row lock, as PostgreSQL does
  // BEGIN ... READ ONLY: writes fail with 25006. DEFERRABLE: with SERIALIZABLE
  // READ ONLY, its snapshot waits to be safe (Store::safe_snapshot_pending).
  bool read_only = false;
  bool deferrable = false;
  // A statement took a snapshot (PostgreSQL's FirstSnapshotSet): SET
  // TRANSACTION can no longer change the level.
  bool snapshot_taken = false;
  Sxact ssi;  // SERIALIZABLE only
  // Not a transaction: the holder of its owner's session-level advisory
  // locks, which outlive the owner's transactions (begin_session_holder).
  bool session_holder = false;
};

// ---- lock conflicts ---------------------------------------------------------
// PostgreSQL's row-level lock conflict table (docs: "Row-Level Locks"):
//                 KEY SHARE  SHARE  NO KEY UPDATE  UPDATE
//   KEY SHARE                                        X
//   SHARE                           X                X
//   NO KEY UPDATE             X     X                X
//   UPDATE           X        X     X                X
// An UPDATE that changes no key column takes NO KEY UPDATE; one that changes a
// key column, and DELETE, take UPDATE.
bool conflicts(LockMode a, LockMode b);

// kDeadlock: a table lock request that PostgreSQL's lock manager refuses at
// once, without waiting (a waiter it would have to pass waits for it).
enum class LockResult { kGranted, kEnqueued, kUnavailable, kDeadlock };

class Store {
 public:
  // ---- schema ---------------------------------------------------------------
  // Creates a table. REQUIRES: no live table of that name.
  // by: the transaction that creates it (none: setup's), whose rollback
  // takes it away again.
  TableId create_table(const std::string& name, std::vector<Column> columns,
                       const std::string& key_name = "", TxnId by = {});
  // Gives table t a foreign key. REQUIRES: its parent is a live table.
  void add_foreign_key(TableId t, ForeignKey fk) {
    fk.made = ++foreign_keys_made_;
    tables_[t.value].foreign_keys.push_back(std::move(fk));
  }
  // Names the constraint table t's key k has for a new partition of its parent.
  void name_partition_clone(TableId t, size_t k, std::string part, std::string name) {
    tables_[t.value].foreign_keys[k].part_names.emplace_back(std::move(part), std::move(name));
  }
  // ALTER TABLE's: by transaction `by` (0: none, a setup's), undone if it
  // rolls back (or back past a savepoint set before).
  void alter_add_foreign_key(TableId t, ForeignKey fk, TxnId by);
  void validate_foreign_key(TableId t, size_t k, TxnId by);
  // Gives table t its partitions (PARTITION BY; a setup's, not undone).
  void set_partitioning(TableId t, std::optional<PartitionScheme> p) {
    tables_[t.value].partitioning = std::move(p);
    digest_schema();
  }
  void set_checks(TableId t, std::vector<CheckConstraint> checks) {
    tables_[t.value].checks = std::move(checks);
  }
  // by: the transaction that drops it (none: setup's), whose rollback brings
  // it back.
  void drop_table(TableId t, TxnId by = {});
  // VACUUM, ANALYZE or an index build measured table t: `pages` pages
  // holding `tuples` live rows (Table::reltuples, relpages). Kept on
  // rollback, as PostgreSQL updates pg_class in place.
  // VACUUM (`vacuum`) also sets its pages all-visible (Table::all_visible).
  void measure(TableId t, double pages, double tuples, bool vacuum) {
    // VACUUM truncates the heap's empty pages at its end: all of them when
    // no row is left.
    if (vacuum && tuples == 0) pages = tables_[t.value].heap_pages = tables_[t.value].page_free = 0;
    tables_[t.value].relpages = pages;
    tables_[t.value].reltuples = tuples;
    if (vacuum) tables_[t.value].all_visible = true;
    tables_[t.value].relallvisible = tables_[t.value].all_visible ? pages : 0;
  }
  // True when a live table's foreign key refers to table t (t's own
  // keys to itself among them).
  bool referenced(TableId t) const;
  // Returns the live table of that name, if any.
  std::optional<TableId> find_table(const std::string& name) const;
  // A digest of the live tables' names and columns (names, types, lengths,
  // precisions): equal digests, the same types for a statement's parse
  // analysis (Executor::analyze). Never 0.
  uint64_t schema_digest() const { return schema_digest_; }
  // The table a statement of transaction t locks by that name: the live one,
  // or one another transaction dropped and has not ended (its lock is what
  // the statement waits for; once granted, the table is gone or back). A
  // table another transaction created and has not ended is not seen: its
  // catalog rows are not committed.
  std::optional<TableId> find_table_for_lock(const std::string& name, TxnId t) const;
  // Whether a transaction other than t created table `tid` and has not ended.
  bool created_by_other(TableId tid, TxnId t) const;
  // The live table of that name that transaction t sees: not one another
  // transaction created and has not ended.
  std::optional<TableId> find_visible_table(const std::string& name, TxnId t) const;
  // The DROP and CREATE TABLEs transactions made, in order.
  const std::vector<DdlRecord>& ddl() const { return ddl_; }
  const Table& table(TableId t) const { return tables_[t.value]; }
  size_t table_count() const { return tables_.size(); }

  // ---- transactions ---------------------------------------------------------
  TxnId begin(RequestId owner, Isolation iso, bool read_only = false, bool deferrable = false);
  // SET TRANSACTION: t's modes, before its first snapshot (the level) or at
  // any time (READ ONLY); the executor checks which PostgreSQL allows.
  void set_modes(TxnId t, Isolation iso, bool read_only, bool deferrable);
  // Returns a holder for owner's session-level advisory locks: a transaction
  // that never commits, reads or writes, and ends only when the session
  // does. Its locks and those of owner's transactions never conflict: they
  // are one backend's (same_backend).
  TxnId begin_session_holder(RequestId owner);
  // True when a and b are the same transaction, or one of them is the
  // session holder of the other's owner.
  bool same_backend(TxnId a, TxnId b) const;
  const Txn& txn(TxnId t) const { return txns_[t.value - 1]; }
  // Returns the snapshot a statement of `t` reads with: a new one per
  // statement at READ COMMITTED; at REPEATABLE READ and above the one taken
  // by the transaction's first statement.
  Snapshot statement_snapshot(TxnId t);
  // Returns what t's next statement would see, changing nothing: its
  // snapshot once taken, otherwise one taken now (for pictures of a
  // transaction's view).
  Snapshot view_snapshot(TxnId t) const;
  // Returns a snapshot of t that sees every commit so far, at any level (what
  // PostgreSQL's foreign-key checks read with where they must see new rows).
  Snapshot latest_snapshot(TxnId t) const { return Snapshot{commit_seq_, t}; }
  // Marks every transaction so far as run by no request (kNoRequest): what
  // setup statements committed belongs to no request of the run.
  void disown_all();
  // Ends a transaction, releasing its locks. On abort its writes are undone.
  // Returns the waiting transactions that were granted a lock as a result,
  // in grant order.
  std::vector<TxnId> end(TxnId t, bool commit);
  // Where t stands now, for a savepoint.
  SavepointMark mark(TxnId t) const;
  // Rolls t back to a mark (see SavepointMark). Returns the waiting
  // transactions granted a lock as a result, in grant order.
  std::vector<TxnId> rollback_to(TxnId t, const SavepointMark& m);

  // ---- rows -----------------------------------------------------------------
  const Version& version(VersionId v) const { return versions_[v.value - 1]; }
  // The version the next insert or update will make.
  VersionId next_version() const { return VersionId{static_cast<uint32_t>(versions_.size() + 1)}; }
  const RowState& row(RowId r) const { return rows_[r.value]; }
  // Returns true when snapshot s sees version v.
  bool visible(const Version& v, const Snapshot& s) const;
  // Returns the versions of table t that s sees, in heap order (the order
  // they were written, as a sequential scan of one page returns them).
  std::vector<VersionId> scan(TableId t, const Snapshot& s) const;
  // The same versions, appended to out (whose storage a caller may keep).
  void scan_into(TableId t, const Snapshot& s, std::vector<VersionId>& out) const;
  // Returns the newest committed version of a row that is not deleted, or 0.
  VersionId newest_committed(RowId r) const;
  // Returns true when version v's creator committed.
  bool committed(TxnId t) const { return t && txn(t).state == TxnState::kCommitted; }
  // Whether each link from version `from` to its later version `to` is an
  // UPDATE that committed and kept the key (Version::key_updated unset):
  // what FOR KEY SHARE on `from` meets as it locks the row's later versions
  // too (heap_lock_updated_tuple). REQUIRES: `to` is `from` or follows it.
  bool key_kept(VersionId from, VersionId to) const {
    for (VersionId v = from; v != to;) {
      VersionId next = version(v).next;
      if (!next || !committed(version(next).xmin) || version(v).key_updated) return false;
      v = next;
    }
    return true;
  }

  // Returns the rows that may hold key `key` now (Table::by_key), or null.
  const std::vector<RowId>* rows_with_key(TableId t, const Row& key) const;
  // Adds a unique index besides the primary key (CREATE TABLE's UNIQUE).
  // REQUIRES: the table holds no row yet.
  void add_unique(TableId t, std::string name, std::vector<int> columns);
  // Gives a table that may hold rows a unique index (primary: its primary
  // key, named key_name, whose columns become NOT NULL; else one more of
  // Table::uniques) and lists every version of every row in it, as the
  // indexes list a row under each key it ever had. REQUIRES: the table has
  // no primary key when `primary`; the caller checked the rows.
  // A partial one (CREATE UNIQUE INDEX ... WHERE) takes its predicate
  // (UniqueKey::predicate); `constraint` is false for CREATE UNIQUE INDEX.
  void add_index(TableId t, std::string name, const std::vector<int>& columns, bool primary,
                 std::shared_ptr<const Expr> predicate = nullptr,
                 std::vector<int> predicate_columns = {}, bool constraint = true);
  // Gives a table a plain index (Table::plain_indexes), which lists no rows:
  // the planner and the HOT rule read its columns only.
  void add_plain_index(TableId t, std::string name, const std::vector<int>& columns,
                       bool pattern_ops, std::shared_ptr<const Expr> predicate = nullptr,
                       std::vector<int> predicate_columns = {});

  // Creates a row with its first version. Returns the row. indexed = false:
  // listed in no index yet (index_row lists it, one index at a time).
  RowId insert(TableId t, TxnId by, Row values, bool indexed = true);
  // The bytes a row with these values takes on a heap page (store.cc).
  static size_t tuple_bytes(const Table& t, const Row& values);
  // Lists row r's newest version in unique index `index` of its table
  // (0 the primary key's, 1.. Table::uniques).
  void index_row(RowId r, size_t index);
  // Replaces the newest version of r. REQUIRES: `by` holds a conflicting lock
  // on r. Returns the new version; with `indexed` false it is listed in no
  // index under a new key yet (index_row lists it, one index at a time).
  VersionId update(RowId r, TxnId by, Row values, bool indexed = true, bool key_update = false);
  // Deletes the newest version of r. REQUIRES: `by` holds an UPDATE lock on r.
  void remove(RowId r, TxnId by, bool moved = false);

  // ---- row locks --------------------------------------------------------------
  // Asks for a row lock. kGranted: held (or already held as strong). With
  // enqueue = true a conflicting request joins the row's FIFO queue
  // (kEnqueued); with enqueue = false it is not queued (kUnavailable), as
  // NOWAIT and SKIP LOCKED need.
  // take_xid: a row lock assigns t an xid first, as heap_lock_tuple does;
  // a table lock does not.
  // A table mode (a table's lock row) follows PostgreSQL's lock manager
  // instead (lock_table_mode).
  LockResult lock(RowId r, TxnId t, LockMode mode, bool enqueue, bool take_xid = true);
  // Queues t behind the holders of r that conflict with `mode` without taking
  // a lock when granted: "wait until they end", as an INSERT does on a key
  // that an unfinished transaction wrote. Returns false when nothing conflicts.
  bool wait_for_holders(RowId r, TxnId t, LockMode mode);
  // Gives up t's locks on r (pg_advisory_unlock_all), or its lock in one
  // mode (pg_advisory_unlock[_shared]). Returns the waiting transactions
  // granted a lock as a result, in grant order.
  std::vector<TxnId> release(RowId r, TxnId t, std::optional<LockMode> mode = std::nullopt);
  // Hands the lock in `mode` that `from` holds on r to `to` (a session
  // holder taking the lock its owner's transaction waited for); `from`
  // keeps its own lock when it held one before (kept = true).
  void hand_over(RowId r, TxnId from, TxnId to, LockMode mode, bool kept);
  // Returns true when t holds a lock on r at least as strong as `mode`; for
  // a lock manager's mode (manager_lock), that very mode.
  bool holds(RowId r, TxnId t, LockMode mode) const;
  // Returns the transactions holding locks on r that conflict with `mode`.
  std::vector<TxnId> blockers(RowId r, TxnId t, LockMode mode) const;
  // What a table lock request waits for: the holders it conflicts with,
  // then the waiters queued before it whose requests it conflicts with.
  std::vector<TxnId> table_waits_on(RowId r, TxnId t, LockMode mode) const;
  // Returns the row `t` waits on, if any.
  std::optional<RowId> waiting_on(TxnId t) const;
  // True when t waits on row r behind a waiter queued ahead of it whose
  // request conflicts with its own: in PostgreSQL, t waits for the tuple
  // lock that waiter holds (or waits for), not yet for the row's lockers.
  // A wait that takes nothing (hold = false: an INSERT waiting for a key's
  // writer) is never behind, and a waiter that takes nothing holds up no one.
  bool queued_behind(RowId r, TxnId t) const;
  // The holder of r that t, queued on r, sleeps on: the first, in the order
  // they took their locks, whose lock conflicts with t's request (PostgreSQL
  // waits for a multixact's members one after another, in member order).
  // Nothing when t is not queued on r or nothing conflicts.
  std::optional<TxnId> first_blocker(RowId r, TxnId t) const;
  // PostgreSQL's deadlock check for waiting transaction t (deadlock.c):
  // kHard when a cycle of waits through t cannot be undone; kSoft when every
  // cycle passed through a waiter queued behind a conflicting waiter on a
  // table's lock, and reordering those queues undid them (done here, and
  // the waiters that reordering let in are appended to `granted`).
  enum class Deadlock { kNone, kSoft, kHard };
  Deadlock check_deadlock(TxnId t, std::vector<TxnId>& granted);
  // Removes t from every lock queue (a waiter that is aborted); returns the
  // table lock waiters that its request alone held up, now granted.
  std::vector<TxnId> cancel_wait(TxnId t);
  // ---- sequences -------------------------------------------------------------
  // CREATE SEQUENCE's sequence: nextval moves it outside any transaction
  // (a ROLLBACK never gives a number back), and nothing waits on it.
  struct Sequence {
    std::string name;
    int64_t last = 1;     // last_value: the next nextval's when not called
    bool called = false;  // is_called: nextval returns last + increment
    int64_t increment = 1;
    int64_t min = 1, max = INT64_MAX;
    bool cycle = false;
    bool operator==(const Sequence&) const = default;
  };
  // The sequence of that name, if any.
  std::optional<size_t> find_sequence(const std::string& name) const;
  void create_sequence(Sequence s) { sequences_.push_back(std::move(s)); }
  void drop_sequence(size_t i) { sequences_.erase(sequences_.begin() + static_cast<long>(i)); }
  // nextval: the sequence's next value (2200H past its bound without CYCLE).
  int64_t nextval(size_t i);
  const std::vector<Sequence>& sequences() const { return sequences_; }

  // ---- advisory locks ---------------------------------------------------------
  // An advisory lock's key is a row without versions in a table no
  // statement can name (its name is empty: PostgreSQL refuses "" as a name),
  // made at the key's first use. It is locked in PostgreSQL's modes for
  // advisory locks, EXCLUSIVE and SHARE (kExclusive, kShare), by the lock
  // manager's rules (lock_table_mode): it queues, deadlocks and ends with
  // its transaction as a table's lock does.
  RowId advisory_row(AdvisoryKey key);
  // The mode of an advisory lock: SHARE for the _shared functions, else EXCLUSIVE.
  static LockMode advisory_mode(bool shared) {
    return shared ? LockMode::kShareTable : LockMode::kExclusive;
  }
  // The key of an advisory lock's row; nothing for any other row.
  std::optional<AdvisoryKey> advisory_key(RowId r) const;
  // True for the advisory locks' table (never shown with the tables).
  bool is_advisory(TableId t) const { return advisory_table_ && *advisory_table_ == t; }
  // True for a lock of PostgreSQL's lock manager: a table's or an advisory
  // key's (both rows of that table), not a row's.
  bool manager_lock(RowId r) const;
  // ---- table locks (LOCK TABLE) ---------------------------------------------
  // A table's lock is a row of the same hidden table, made at its first
  // use, locked in the eight table modes: it queues, deadlocks and ends
  // with its transaction like an advisory lock.
  RowId table_lock_row(TableId t);
  // ---- sequences (serial columns) -------------------------------------------
  // nextval of column c's sequence: 1, 2, ... whatever becomes of the
  // transaction that asked (PostgreSQL's sequences are not transactional).
  // Past the column type's largest value: SqlError 2200H.
  int64_t next_serial(TableId t, size_t c);
  // The table whose lock row r is; nothing for any other row.
  std::optional<TableId> locked_table(RowId r) const;
  size_t row_count() const { return rows_.size(); }
  size_t version_count() const { return versions_.size(); }
  size_t txn_count() const { return txns_.size(); }

  // ---- SERIALIZABLE (store/ssi.cc) ------------------------------------------
  // Each throws SqlError 40001 where PostgreSQL would; each does nothing for
  // a transaction below SERIALIZABLE.
  // A statement of t read `table`: with the primary-key index (`index`, the
  // rows whose key it looked up) or a sequential scan (every row). Checks the
  // versions it passed for concurrent writers and takes SIREAD locks on what
  // it read (`read`: the versions it saw that the lookup matched). `scan`:
  // the snapshot the statement read with, when not the transaction's (a
  // foreign key's check reads with the latest one).
  // `parts`: the partitions the scan reads (a partitioned table's, after
  // pruning; null: all of them, or the plain table).
  // `index_only`: an index-only scan of an all-visible table, which locks
  // the heap page of each entry it returns instead of the tuple
  // (PredicateLockPage in IndexOnlyNext).
  void ssi_read(TxnId t, TableId table, bool index, const std::vector<RowId>& looked_up,
                const std::vector<VersionId>& read,
                const std::optional<Snapshot>& scan = std::nullopt,
                const std::vector<uint32_t>* parts = nullptr, bool index_only = false);
  // t is about to replace or delete version `old` of row r;
  // `subtransaction`: inside a savepoint (which may roll back).
  void ssi_write(TxnId t, RowId r, VersionId old, bool subtransaction);
  // t is about to insert into `table`: the heap (before the key check) and,
  // when the table has a primary key, its index (after).
  // `values`: the new row's, which pick its partition.
  void ssi_insert_heap(TxnId t, TableId table, const Row& values);
  void ssi_insert_index(TxnId t, TableId table, const Row& values);
  // t is about to commit: fails when t was doomed, dooms a pivot t completes.
  void ssi_precommit(TxnId t);
  // ---- SERIALIZABLE READ ONLY DEFERRABLE (GetSafeSnapshot) ---------------
  // True when t is such a transaction whose snapshot, taken, is not known
  // safe yet: writable serializable transactions it overlaps are still
  // running, and none has made it unsafe. Its statement waits; each end of
  // a transaction may settle it.
  bool safe_snapshot_pending(TxnId t) const;
  // The transactions t's pending snapshot waits for.
  std::vector<TxnId> safe_snapshot_blockers(TxnId t) const;
  // Settles t's snapshot once it is no longer pending: an unsafe one is
  // dropped and a new one taken (which may be pending again: returns
  // whether it is); a safe one is kept, and SSI stops tracking t.
  bool settle_safe_snapshot(TxnId t);
  const std::vector<std::pair<TxnId, TxnId>>& rw_conflicts() const { return rw_; }
  // Possibly unsafe conflicts (writer, read-only): a declared READ ONLY
  // serializable transaction and the writable ones it overlaps.
  const std::vector<std::pair<TxnId, TxnId>>& unsafe_pairs() const { return unsafe_; }
  const std::vector<Siread>& sireads() const { return siread_; }
  // SSI's counters, for the explorer's state key (only their order matters).
  struct SsiCounters {
    uint64_t next_xid = 0, ssi_seq = 0, global_xmin = 0;
    int global_xmin_count = 0;
  };
  SsiCounters ssi_counters() const {
    return {next_xid_, ssi_seq_, global_xmin_, global_xmin_count_};
  }
  // True when transaction t is SERIALIZABLE and SSI still tracks it.
  bool ssi_tracks(TxnId t) const { return ssi_tracked(t); }

 private:
  void assign_xid(TxnId t) {
    if (!mut(t).xid) mut(t).xid = next_xid_++;
  }
  bool ssi_tracked(TxnId t) const;
  bool ssi_concurrent(TxnId other, const Snapshot& s) const;
  void ssi_register(Txn& x);
  void ssi_end(TxnId t, bool commit);
  void ssi_cleanup();
  void ssi_count_xmin(uint64_t xmin);
  void ssi_release(TxnId t);
  void ssi_drop(TxnId t);
  void ssi_end_read_only(TxnId t, bool commit);
  void ssi_check_doomed(TxnId t) const;
  void ssi_conflict_in(TxnId writer, SireadKind kind, TableId table, VersionId tuple,
                       uint32_t part);
  void ssi_flag(TxnId reader, TxnId writer, TxnId me);
  bool ssi_dangerous(TxnId reader, TxnId writer) const;
  void ssi_lock(TxnId t, SireadKind kind, TableId table, VersionId tuple, uint32_t part);
  // The partition a row with these values is in (0 for a plain table).
  uint32_t ssi_part(TableId table, const Row& values) const;

  // Grants r's waiters that can go now, in order; `since` gets each one's
  // RowLock::since when given.
  void grant_waiters(RowId r, std::vector<TxnId>& granted, std::vector<uint64_t>* since = nullptr);
  // The waiters that the releases of one end let in from its rows, merged
  // in the order their waits began, at `at` in the granted list (end()).
  struct WokenRows {
    std::vector<std::pair<uint64_t, TxnId>> waiters;
    size_t at = SIZE_MAX;
    void merge_into(std::vector<TxnId>& granted) const;
  };
  void grant_row_waiters(RowId r, const std::vector<TxnId>& granted, WokenRows& woken);
  Txn& mut(TxnId t) { return txns_[t.value - 1]; }

  void digest_schema();

  std::vector<Table> tables_;
  std::vector<Sequence> sequences_;  // in the order made
  uint64_t schema_digest_ = 1;
  std::vector<RowState> rows_;
  std::vector<Version> versions_;
  std::vector<Txn> txns_;
  uint64_t commit_seq_ = 0;
  uint64_t wait_seq_ = 0;           // RowLock::since of the last wait begun
  uint64_t next_xid_ = 3;           // PostgreSQL's first normal xid
  uint32_t foreign_keys_made_ = 0;  // ForeignKey::made of the latest key
  uint64_t ssi_seq_ = 0;            // LastSxactCommitSeqNo
  uint64_t global_xmin_ = 0;
  int global_xmin_count_ = 0;
  std::vector<std::pair<TxnId, TxnId>> rw_;      // rw-conflicts (reader, writer)
  std::vector<std::pair<TxnId, TxnId>> unsafe_;  // possibly unsafe (writer, read-only)
  RowId hidden_lock_row();
  std::optional<TableId> advisory_table_;
  std::vector<std::pair<AdvisoryKey, RowId>> advisory_;  // key -> its row, by first use
  friend class DeadlockSearch;
  LockResult lock_table_mode(RowId r, TxnId t, LockMode mode, bool enqueue);
  // Undoes t's DROP and CREATE TABLEs among the records from `from` on.
  void undo_ddl(TxnId t, size_t from);
  void grant_table_waiters(RowId r, std::vector<TxnId>& granted);
  std::vector<std::pair<TableId, RowId>> table_locks_;
  std::vector<DdlRecord> ddl_;  // DROP and CREATE TABLE of transactions, in order  // table -> its
                                // lock row, by first use
  std::vector<Siread> siread_;
};

}  // namespace ccsim
