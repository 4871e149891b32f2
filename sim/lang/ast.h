// The step language's abstract syntax: expressions, SQL statements and
// application actions, and a Program (the steps of one view).
//
// Pure data. Nodes are immutable once parsed and shared between copies of a
// World through shared_ptr<const ...>, so copying a World never copies a
// program. Positions point into the file the step was read from.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/sql.h"
#include "core/value.h"

namespace ccsim {

// ---- expressions -----------------------------------------------------------

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;
struct Step;

enum class ExprKind {
  kLiteral,
  kColumn,
  kParam,
  kNeg,
  kNot,
  kBinary,
  kIsNull,
  kIsNotNull,
  kAdvisory,
  kSubquery,
  kCoalesce,        // coalesce(lhs, rhs): lhs unless it is NULL (more arguments nest in rhs)
  kCurrentSetting,  // current_setting('name'): a setting's value as text
  // nextval('name') or currval('name') (currval set): a sequence's next
  // value, or the one this session's last nextval of it returned (name:
  // the sequence). Volatile: computed where it stands, never folded.
  kSequence,
  kDefault,  // DEFAULT, as a value of VALUES or SET: the column's default
  // CASE WHEN c THEN r ... [ELSE e] END: lhs a kWhen (c, r), rhs the next
  // arm's kCase (continued) or the ELSE (may be null). A simple CASE x WHEN
  // v THEN ... is read as WHEN x = v.
  kCase,
  kWhen,      // one arm of a CASE: lhs its condition, rhs its result
  kGreatest,  // greatest(a, b, ...): as coalesce, later arguments nest to the right
  kLeast,
  kCast,  // lhs::type or CAST(lhs AS type): the type in cast_to
  // lhs IS [NOT] DISTINCT FROM rhs: PostgreSQL's = operator (op is kEq),
  // NULL-safe: two NULLs are not distinct, a NULL and a value are; never NULL.
  kIsDistinct,
  kIsNotDistinct,
  // nullif(lhs, rhs): NULL when lhs = rhs (PostgreSQL's = operator: op is
  // kEq), else lhs, as the operator's left operand's type.
  kNullIf,
  // lower(lhs) or upper(lhs) (name): a text with its ASCII letters in that
  // case, as under the C locale; NULL for NULL.
  kCaseFold,
  // A numeric or text function (name): abs(lhs), round(lhs [, rhs]),
  // floor(lhs), ceil(lhs), ceiling(lhs), length(lhs), char_length(lhs),
  // character_length(lhs). Strict: NULL for a NULL argument.
  kFunction,
  // lhs [NOT] LIKE | ILIKE rhs (the pattern, a backslash its escape): name is
  // PostgreSQL's operator, ~~, !~~, ~~* or !~~*.
  kLike,
  // lhs IS [NOT] TRUE | FALSE | UNKNOWN (a boolean test): name is what
  // follows IS ("TRUE", "NOT FALSE", ...). Never NULL: a NULL is UNKNOWN.
  kBoolTest
};
// A boolean test's name read once: whether it says NOT, and what it tests
// for ("TRUE", "FALSE" or "UNKNOWN").
struct BoolTestParts {
  bool negated = false;
  std::string_view what;
};
BoolTestParts bool_test_parts(const std::string& name);
// What `x IS <name>` answers for x's truth value (nullopt: NULL).
bool bool_test(const std::string& name, std::optional<bool> x);

// An aggregate in a select list: count(*), count(col), sum, min or max.
enum class AggKind { kCountStar, kCount, kSum, kMin, kMax };
struct Aggregate {
  AggKind kind = AggKind::kCountStar;
  std::string column;  // empty for count(*)
  bool operator==(const Aggregate&) const = default;
};
const char* to_sql(AggKind k);  // "count", "sum", ...: also the result column's name

// The advisory-lock functions: the lock forms (xact or session level, the
// try forms, each exclusive or shared), pg_advisory_unlock[_shared](key)
// and pg_advisory_unlock_all().
struct AdvisoryCall {
  enum class Kind { kLock, kUnlock, kUnlockAll };
  Kind kind = Kind::kLock;
  bool session = false;   // pg_advisory_lock: held to the session's end or its unlock
  bool try_only = false;  // pg_try_...: never waits, returns whether it got the lock
  bool shared = false;    // ..._shared: a ShareLock, else an ExclusiveLock
  // The function's name: "pg_try_advisory_xact_lock", "pg_advisory_unlock"...
  std::string function() const;
  bool operator==(const AdvisoryCall&) const = default;
};

// Binary operators: arithmetic, comparison and the logical connectives.
// kConcat (||) comes last: the arithmetic ones are those up to kMod, the
// comparisons kEq..kGe.
enum class BinOp { kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr, kConcat };
// The operator as SQL writes it: "+", "<>", "AND".
const char* op_sql(BinOp op);
// LIKE's operator (ExprKind::kLike's name, ~~ ...) as SQL writes it: "LIKE",
// "NOT LIKE", "ILIKE" or "NOT ILIKE".
const char* like_sql(const std::string& op);

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Value literal;  // kLiteral
  // kLiteral: DATE 'text' or TIMESTAMP 'text', read as that type when the
  // statement runs (an invalid one fails then, 22007 or 22008).
  std::optional<ColumnType> typed;
  // kLiteral: a number written with a point (1.50, 3.): a numeric, even
  // when it is whole (3. is an int64_t 3 that PostgreSQL types numeric).
  bool decimal_literal = false;
  // kColumn: column; kParam: parameter without ':'; kSubquery: table;
  // kCurrentSetting: the setting
  std::string name;
  bool excluded = false;  // kColumn: EXCLUDED.name, the row ON CONFLICT DO UPDATE proposed
  bool currval = false;   // kSequence: currval, else nextval
  // kColumn: a column of a MERGE source of several rows, in the printer's
  // copy of the statement (MergeStmt::printed) alone.
  bool source = false;
  BinOp op = BinOp::kAdd;
  // kBinary: both; kNeg, kNot, kIsNull, kIsNotNull: lhs; kAdvisory: the key
  // (lhs), and the second int key of the two-key form (rhs, else null);
  // kSubquery: lhs its select item over its table's row (null with an
  // aggregate), rhs its WHERE (may be null).
  ExprPtr lhs, rhs;
  AdvisoryCall call;  // kAdvisory: a lock function called in a WHERE, once per row it reaches
  // kSubquery: (SELECT item FROM name [WHERE rhs]), uncorrelated, one value:
  // NULL without a row, 21000 with more than one.
  std::optional<Aggregate> aggregate;
  // kSubquery: EXISTS (SELECT item FROM name [WHERE rhs]): true when the
  // subquery finds a row, never NULL; its item is read, never used.
  bool exists = false;
  // kSubquery with ORDER BY, LIMIT or a locking clause (the one-statement
  // queue pick, WHERE id = (SELECT id ... FOR UPDATE SKIP LOCKED LIMIT 1)):
  // the subquery as a SELECT of its own (its WHERE rhs, its table name),
  // which the statement runs before its own scan (engine/executor.cc).
  std::shared_ptr<const Step> initplan;
  // kBinary kOr: the ORs an IN list of two or more values became (PostgreSQL
  // plans it as one `= ANY (array)`, not as an OR); kNot: the NOT a NOT IN
  // became (PostgreSQL's `<> ALL`, whose comparisons are <>).
  bool in_list = false;
  // kBinary kEq: x IN (SELECT col FROM t ... LIMIT 1), which PostgreSQL
  // joins to the subquery's one row; read as x = (SELECT ...), a top-level
  // condition of a WHERE on a key column only (validate.cc).
  bool in_subquery = false;
  // kCast: the type converted to (its name PostgreSQL's: int4, varchar ...).
  std::shared_ptr<const Column> cast_to;
  // kCoalesce, kGreatest, kLeast, kCase: a node for a later argument (arm)
  // of the same call (they nest to the right), not one written inside
  // another.
  bool continued = false;
  int line = 0, column = 0;
  // How deep the tree below this node goes (1: a leaf). The parser bounds
  // it, so that the recursive walks over an expression stay in the stack.
  int height = 1;
};

// Returns the expression as SQL text, fully parenthesised where needed.
std::string to_sql(const Expr& e);
// nextval('name') or currval('name') as PostgreSQL reads it back: a name with
// anything but lower-case letters, digits and _ in double quotes inside.
std::string sequence_sql(const std::string& name, bool currval);
// A cast's type as SQL writes it: int, varchar(5), numeric(10,2) ...
std::string cast_sql(const Column& type);

// ---- statements -------------------------------------------------------------

struct BeginStmt {
  std::optional<Isolation> isolation;  // none: the run's default level
  // READ ONLY: no writes (25006); at SERIALIZABLE, SSI's read-only rules.
  // DEFERRABLE (with SERIALIZABLE READ ONLY): its first snapshot waits
  // until it is safe. PostgreSQL accepts DEFERRABLE anywhere and ignores it
  // elsewhere.
  bool read_only = false;
  bool deferrable = false;
};
struct CommitStmt {};
struct RollbackStmt {};
// SAVEPOINT name, ROLLBACK TO [SAVEPOINT] name, RELEASE [SAVEPOINT] name: a
// subtransaction, as a nested transaction.atomic() opens one.
struct SavepointStmt {
  enum class Kind { kSavepoint, kRollbackTo, kRelease };
  Kind kind = Kind::kSavepoint;
  std::string name;
};

struct OrderBy {
  std::string column;
  bool descending = false;
  // NULLS FIRST: NULLs before every value. PostgreSQL's default is NULLS
  // FIRST descending and NULLS LAST ascending, the order a btree index
  // walks in; the other one is a sort (ordered_key_scan).
  bool nulls_first = false;
  // The order an index walks: NULLs where the direction puts them.
  bool index_order() const { return nulls_first == descending; }
};

// length, char_length or character_length (ExprKind::kFunction): a text's
// characters, an int; the other functions there are numbers'.
inline bool counts_characters(const std::string& function) {
  return function == "length" || function == "char_length" || function == "character_length";
}
// The functions (ExprKind::kFunction) of a text that give an int: those
// above and hashtext.
inline bool text_to_int(const std::string& function) {
  return counts_characters(function) || function == "hashtext";
}

// " DESC", " NULLS FIRST", ...: what follows the column in SQL ("" for the default).
std::string order_sql(const OrderBy& o);

struct SelectStmt {
  std::vector<std::string> columns;  // empty means * (or the aggregates, when there are)
  // A select list of expressions (SELECT 1 AS a, points + 10, id AS key):
  // each row's values, named as PostgreSQL names them. Empty for a list of
  // columns alone; otherwise `columns` holds the columns the items read.
  std::vector<ExprPtr> items;
  std::vector<std::string> names;
  std::vector<Aggregate> aggregates;  // one result row over the rows the WHERE keeps
  std::string table;
  ExprPtr where;  // may be null
  std::optional<OrderBy> order_by;
  // ORDER BY's later columns, which order the rows the ones before tie;
  // such a sort is never an index walk (ordered_key_scan).
  std::vector<OrderBy> order_then;
  std::optional<int64_t> limit;
  // OFFSET n: the first n rows the statement would return are fetched (and
  // locked, under a locking clause: PostgreSQL's LockRows runs below its
  // Limit) but not returned.
  int64_t offset = 0;
  std::optional<LockMode> lock;
  WaitPolicy wait = WaitPolicy::kWait;
  std::vector<std::string> into;  // parameter names; empty when no INTO
  // The rows a LIMIT lets the scan fetch: LIMIT's count and the OFFSET's
  // rows before it (the planner's offset + count), none at all for LIMIT 0
  // (ExecLimit returns at once); no bound without LIMIT.
  std::optional<int64_t> fetched() const {
    if (!limit) return std::nullopt;
    return *limit == 0 ? 0 : *limit + offset;
  }
  // The rows the planner expects the scan to deliver under a LIMIT: its
  // count (at least 1, as preprocess_limit forces it) and the OFFSET's.
  std::optional<int64_t> planned_rows() const {
    if (!limit) return std::nullopt;
    return std::max<int64_t>(*limit, 1) + offset;
  }
};

// A SELECT's LIMIT and locking clause as SQL text (" LIMIT 1 FOR UPDATE
// SKIP LOCKED"; empty without them).
std::string limit_and_lock_sql(const SelectStmt& s);

struct Assignment {
  std::string column;
  ExprPtr value;
};
// RETURNING * | expr [AS name], ... [INTO :v, ...] after an INSERT, UPDATE
// or DELETE: one row per row written, read from the row as written (the new
// row; DELETE's the row removed), as PostgreSQL returns them. INTO assigns
// the first row's values, as a SELECT's INTO does.
struct Returning {
  bool star = false;  // RETURNING *: every column, in table order
  std::vector<ExprPtr> items;
  std::vector<std::string> names;
  std::vector<std::string> into;
};

struct UpdateStmt {
  std::string table;
  std::vector<Assignment> sets;
  ExprPtr where;
  std::optional<Returning> returning;
};
// INSERT ... ON CONFLICT [(col, ...)] DO NOTHING | DO UPDATE SET ... [WHERE
// ...]: a row whose key another live row holds is left out, or that row is
// updated (engine/executor_insert.cc).
struct OnConflict {
  std::vector<std::string> target;  // the conflict target's columns; empty: any key
  // ON CONFLICT (cols) WHERE pred: a partial unique index on cols is an
  // arbiter when pred implies its predicate (row_rules.cc, arbiters).
  ExprPtr target_where;
  std::string constraint;  // ON CONFLICT ON CONSTRAINT name: that index's
  bool do_update = false;
  std::vector<Assignment> sets;  // DO UPDATE; EXCLUDED.col reads the proposed row
  ExprPtr where;                 // DO UPDATE ... WHERE: rows it does not hold for stay
};
struct InsertStmt {
  std::string table;
  std::vector<std::string> columns;  // empty means all, in table order
  std::vector<std::vector<ExprPtr>> rows;
  // INSERT ... SELECT values WHERE cond (one row, no FROM): the row is
  // inserted only when cond holds, checked once as the statement starts
  // (PostgreSQL's one-time filter); may be null.
  ExprPtr where;
  std::optional<OnConflict> on_conflict;
  std::optional<Returning> returning;
  // OVERRIDING SYSTEM VALUE: a GENERATED ALWAYS identity column takes the
  // value given; OVERRIDING USER VALUE: every identity column takes its
  // sequence's next value whatever is given (lang/typing.h, overridden).
  enum class Overriding : uint8_t { kNone, kSystem, kUser };
  Overriding overriding = Overriding::kNone;
};
struct DeleteStmt {
  std::string table;
  ExprPtr where;
  std::optional<Returning> returning;
};

// MERGE INTO t [[AS] x] USING (SELECT v [AS a], ...) [AS] s ON cond
// WHEN [NOT] MATCHED [AND cond] THEN ...: PostgreSQL 15's MERGE over a
// source of one row of constants (a SELECT without FROM, or VALUES with one
// row). The parser puts the source's values where its columns are read
// (s.a becomes the constant, a text one typed text as the subquery types
// it), so `on` and the actions read the target's columns alone. The
// statement reads the target's rows `on` keeps (as an UPDATE's WHERE
// would) and gives each the first WHEN MATCHED action whose condition holds;
// without one, the first WHEN NOT MATCHED action's (engine/executor.cc).
struct MergeAction {
  enum class Kind { kUpdate, kDelete, kInsert, kNothing };
  Kind kind = Kind::kNothing;
  bool matched = true;  // WHEN MATCHED; else WHEN NOT MATCHED
  ExprPtr condition;    // WHEN ... AND condition; may be null
  // kUpdate: the target and the SET list (no WHERE); kInsert: the target,
  // its column list and one row (INSERT DEFAULT VALUES: every column DEFAULT).
  UpdateStmt update;
  InsertStmt insert;
};
// A source of several rows (USING (VALUES (...), (...)) s (names), of
// constants): `on` and `actions` are the first row's, and `later` holds the
// same ON and actions with each later row's values in place, one MergeStmt
// per row. PostgreSQL joins them with a hash join when ON compares a target
// column with a source column and no unique index is used (validate.cc
// refuses the rest): the target's rows in scan order, each with the source
// rows it matches, the last written first (the hash table's bucket lists).
// A row the statement already changed is 21000 (engine/executor.cc).
struct MergeStmt {
  std::string table;
  ExprPtr on;
  std::vector<MergeAction> actions;  // in the order written
  std::vector<MergeStmt> later;      // the source's later rows (above)
  // With `later`: the scan's condition (each row's ON, OR-ed), and what the
  // printer writes: the source's rows and column names, and ON and the
  // actions once more with each source column read as ccsim_source.name.
  ExprPtr on_any;
  std::vector<std::vector<ExprPtr>> source_rows;
  std::vector<std::string> source_names;
  std::shared_ptr<const MergeStmt> printed;
  bool any_matched() const;  // a WHEN MATCHED action (of any kind)
  // The statement for source row k (0 the first).
  const MergeStmt& row(size_t k) const { return k == 0 ? *this : later[k - 1]; }
  size_t rows() const { return later.size() + 1; }
  // Calls f with each expression the statement holds: ON, then each
  // action's condition and its SET values or its row's values, for each
  // source row.
  template <typename F>
  void each_expr(F&& f) const {
    for (size_t k = 0; k < rows(); ++k) {
      const MergeStmt& m = row(k);
      f(m.on);
      for (const MergeAction& a : m.actions) {
        if (a.condition) f(a.condition);
        for (const Assignment& set : a.update.sets) f(set.value);
        for (const auto& r : a.insert.rows)
          for (const ExprPtr& e : r) f(e);
      }
    }
  }
};

// FOREIGN KEY (columns) REFERENCES table (ref_columns), or a column's
// REFERENCES table [(column)] [ON DELETE action] [ON UPDATE action]. No
// ref_columns means the referenced table's primary key.
struct ForeignKeyDef {
  std::string name;  // CONSTRAINT name; empty: PostgreSQL's table_column_fkey
  std::vector<std::string> columns;
  std::string table;
  std::vector<std::string> ref_columns;
  FkAction on_delete = FkAction::kNoAction, on_update = FkAction::kNoAction;
  // DEFERRABLE, and INITIALLY DEFERRED (which implies it): the check of a
  // row written, and NO ACTION's, can wait for COMMIT (SET CONSTRAINTS).
  bool deferrable = false, initially_deferred = false;
};
// UNIQUE (columns) or a column's UNIQUE, with CONSTRAINT name before
// either: a unique index besides the primary key.
struct UniqueDef {
  std::string name;  // CONSTRAINT name; empty: PostgreSQL's table_column[_column...]_key
  std::vector<std::string> columns;
};
// CHECK (condition), a column's or the table's, with CONSTRAINT name
// before either; named by the parser as PostgreSQL names it when not
// (table_column_check when the condition reads one column, else
// table_check; a number after a name already taken).
struct CheckDef {
  std::string name;
  ExprPtr condition;
};
// A partition's bound: FOR VALUES IN (v, ...) | FROM (lo) TO (hi) | DEFAULT,
// each value a constant (MINVALUE and MAXVALUE: none).
struct PartitionBoundDef {
  bool is_default = false;
  bool range = false;
  std::vector<Value> values;  // IN
  std::optional<Value> lo, hi;
};
struct CreateTableStmt {
  std::string table;
  std::vector<Column> columns;
  std::vector<ForeignKeyDef> foreign_keys;
  std::vector<UniqueDef> uniques;  // in the order written
  std::vector<CheckDef> checks;    // in the order written
  std::string key_name;            // CONSTRAINT name PRIMARY KEY; empty: table_pkey
  bool if_not_exists = false;      // an existing table is no error: nothing happens
  // PARTITION BY LIST | RANGE (column): a partitioned table, whose rows go
  // to its partitions (store/store.h: Partition).
  std::string partition_by;  // the key's column; empty: not partitioned
  bool partition_range = false;
  // CREATE TABLE t PARTITION OF parent FOR VALUES ...: a partition of
  // `partition_of`, with its columns. With `attach`, ALTER TABLE parent
  // ATTACH PARTITION t FOR VALUES ...: the existing table t becomes one.
  std::string partition_of;
  bool attach = false;
  PartitionBoundDef bound;
  // CREATE TABLE t [(names)] AS SELECT items [FROM generate_series(...) g]
  // | VALUES (...), ... [WITH [NO] DATA]: `columns` are the query's (named
  // and typed as PostgreSQL names and types them) and `as_rows` its rows,
  // which the statement inserts (none WITH NO DATA).
  bool as_query = false;
  std::vector<std::vector<ExprPtr>> as_rows;
};
// ALTER TABLE t ADD [CONSTRAINT name] PRIMARY KEY (cols) | UNIQUE (cols),
// and CREATE UNIQUE INDEX [name] ON t (cols): a unique index made on a
// table that may hold rows, as a setup fills a table first and indexes it
// after. Modelled in a setup's autocommitted statements only (validate.h
// refuses them in a request or a session), where no other transaction is
// open: the rows are checked (23502, 23505) and indexed at once.
struct AddIndexStmt {
  std::string table;
  UniqueDef index;         // its name (empty: PostgreSQL's) and columns
  bool primary = false;    // PRIMARY KEY: the columns become NOT NULL
  bool statement = false;  // CREATE [UNIQUE] INDEX (its messages and default name differ)
  // CREATE INDEX without UNIQUE: a plain index (store.h's PlainIndex).
  bool unique = true;
  // A plain index's columns take text_pattern_ops, varchar_pattern_ops or
  // bpchar_pattern_ops (PlainIndex::pattern_ops): each column's, as
  // written ("" for none).
  bool pattern_ops = false;
  std::vector<std::string> opclasses;
  // CREATE [UNIQUE] INDEX ... WHERE pred: a partial index, which lists
  // only the rows pred holds for (store.h: UniqueKey::predicate).
  ExprPtr predicate;
};
// ALTER TABLE t ADD [CONSTRAINT name] FOREIGN KEY (cols) REFERENCES p
// [(cols)] [NOT VALID], and ALTER TABLE t VALIDATE CONSTRAINT name: a
// foreign key added to a table that may hold rows, in a setup or in a
// session's transaction (which holds SHARE ROW EXCLUSIVE on both tables
// until it ends; a rollback removes the key). NOT VALID leaves the rows
// already there unchecked until VALIDATE checks them (SHARE UPDATE
// EXCLUSIVE on the table, ROW SHARE on the referenced one), the zero-
// downtime way to add one.
struct AlterForeignKeyStmt {
  std::string table;
  std::optional<ForeignKeyDef> add;  // ADD ... FOREIGN KEY; none: VALIDATE CONSTRAINT
  bool not_valid = false;
  std::string validate;  // VALIDATE CONSTRAINT's name
};
// CREATE SEQUENCE [IF NOT EXISTS] name [INCREMENT [BY] n] [MINVALUE n | NO
// MINVALUE] [MAXVALUE n | NO MAXVALUE] [START [WITH] n] [CACHE 1] [[NO]
// CYCLE], or DROP SEQUENCE [IF EXISTS] name (drop). Made in a setup,
// dropped in a teardown: neither is a step of a request.
// Where CREATE and DROP SEQUENCE are modelled: why one elsewhere is refused.
inline constexpr const char* kSequenceWhere =
    "CREATE SEQUENCE and DROP SEQUENCE are modelled in a setup (and a spec's teardown) "
    "only: a sequence made or dropped while requests run is not";
struct SequenceStmt {
  std::string name;
  bool drop = false;
  bool if_exists = false;  // DROP's IF EXISTS, or CREATE's IF NOT EXISTS
  int64_t increment = 1;
  std::optional<int64_t> min, max, start;
  bool cycle = false;
};

struct DropTableStmt {
  std::vector<std::string> tables;  // DROP TABLE a, b: all or none
  bool if_exists = false;           // DROP TABLE IF EXISTS: a missing table is no error
  // DROP TABLE ... CASCADE: as without it where no other table's foreign
  // key refers to one dropped (dropping such a key is not modelled: 0A000);
  // RESTRICT is the default.
  bool cascade = false;
};

// LOCK [TABLE] t[, ...] [IN mode MODE] [NOWAIT]: table locks
// held to the end of the transaction block, taken in the order named.
// VACUUM and ANALYZE are read as their table locks too (utility names the
// command): they change no row any statement can see, so what a schedule
// can observe of them is that they wait for, and hold up, the tables'
// other lockers (SHARE UPDATE EXCLUSIVE; VACUUM FULL's ACCESS EXCLUSIVE).
struct LockTableStmt {
  std::vector<std::string> tables;
  LockMode mode = LockMode::kAccessExclusive;  // IN ... MODE; the default
  bool nowait = false;                         // 55P03 at once instead of waiting
  // Empty for LOCK TABLE; else the command as PostgreSQL is sent it
  // ("VACUUM", "VACUUM FULL FREEZE ANALYZE", "ANALYZE"). VACUUM runs only
  // outside a transaction block, in a transaction of its own; ANALYZE in
  // either, holding its lock to the end of the transaction.
  std::string utility;
  // ALTER TABLE t SET (parameter = value, ...) for the storage parameters
  // that change no answer ccsim models (parallel_workers,
  // autovacuum_enabled): its SHARE UPDATE EXCLUSIVE lock, held to the end
  // of the transaction; utility is "ALTER TABLE" and this its SET (...).
  std::string options;
  bool vacuum() const { return utility.starts_with("VACUUM"); }
};

// SET [LOCAL] name = '...' for the settings that change an answer (specs
// only, with the deadlock timers of engine/world.h):
// - deadlock_timeout: how long a session waits for a lock before
//   PostgreSQL checks it for a deadlock. In a spec it chooses the victim (the
//   waiter whose timer fires first while the cycle exists); in a scenario it
//   changes nothing: each step comes after the previous waiter's check, so
//   the waiter that closes a cycle is its victim (docs/verify.md).
// - lock_timeout: a lock wait that lasts this long is cancelled (55P03).
// - statement_timeout: a statement that lasts this long is cancelled (57014).
//   Both are 0 (never) by default; a scenario refuses them (its steps have
//   no clock).
// force_parallel_mode is read and changes no answer. LOCAL: only to the end
// of the transaction.
// The times SET and RESET change (deadlock_timeout, lock_timeout,
// statement_timeout), and a session's default for each in milliseconds
// (1 s, and 0: off).
bool is_time_setting(const std::string& name);
int64_t time_setting_default_ms(const std::string& name);
// The settings SHOW and current_setting read: the times and the isolation
// levels (transaction_isolation, default_transaction_isolation); and their
// names as a message lists them.
bool is_readable_setting(const std::string& name);
// ---- Rule: the planner's settings change no plan ccsim models -----------------
// enable_seqscan, random_page_cost and the like steer PostgreSQL's choice
// of plan. ccsim's plans are fixed (an equality on a unique index's
// columns looks the rows up in it, a min, max or ORDER BY on the key walks
// it, anything else reads the whole table), which is what PostgreSQL
// picks for the small tables a lesson or a spec holds; SET and RESET of
// them are read and change nothing. Where PostgreSQL would plan otherwise,
// the rows and waits are the same, and at SERIALIZABLE the predicate locks
// can differ. Which value each takes: a boolean or a number.
enum class PlannerSetting { kNone, kBoolean, kNumber };
PlannerSetting planner_setting(const std::string& name);
extern const char* const kReadableSettings;

struct SetStmt {
  std::string name;  // "transaction" for SET TRANSACTION, "constraints" for SET CONSTRAINTS
  std::string value;
  int64_t ms = 0;  // the value in milliseconds
  bool local = false;
  bool reset = false;  // RESET name, or SET name TO DEFAULT: ms is the session's default
  // SET TRANSACTION: the modes it names (the others stay as they are).
  std::optional<Isolation> isolation;
  std::optional<bool> read_only, deferrable;
  // SET CONSTRAINTS {ALL | name[, ...]} {DEFERRED | IMMEDIATE}: the names
  // (none: ALL) and whether they are deferred.
  std::vector<std::string> constraints;
  bool defer = false;
};

// SELECT pg_advisory_xact_lock(key)[, ...] [INTO :v[, ...]]: the
// advisory-lock functions as a statement of their own (AdvisoryCall), one
// column each, called in order. A transaction-level lock is held to the end
// of the transaction (an autocommitted one is released at once); a
// session-level one until pg_advisory_unlock (as many times as it was
// taken) or the session's end. The plain forms wait in the key's queue
// like a table's lock (deadlocks included) and return void; the try forms
// never wait and return whether they got it.
struct AdvisoryItem {
  AdvisoryCall call;
  ExprPtr key;   // null for pg_advisory_unlock_all()
  ExprPtr key2;  // the two-key form's second int key (the first is key), else null
};
struct AdvisoryStmt {
  std::vector<AdvisoryItem> items;  // one or more
  std::vector<std::string> into;
};

// SELECT expr [AS name][, ...] [INTO :v, ...] -- a SELECT without FROM: one
// row of values (constants, parameters, scalar subqueries, coalesce,
// current_setting). Each column is named as PostgreSQL names it.
struct SelectValuesStmt {
  std::vector<ExprPtr> items;
  std::vector<std::string> names;
  std::vector<std::string> into;
  bool show = false;  // SHOW name: a utility statement, which takes no snapshot
};

// ---- application actions ----------------------------------------------------

// LET :var = expr -- compute a value in the application (calculate_points).
struct LetAction {
  std::string var;
  ExprPtr value;
};

// RETRY WHILE pred MAX n -- if pred holds, run the previous step again; after
// n retries with pred still holding, the request gives up.
struct RetryAction {
  ExprPtr condition;
  int64_t max = 0;
};

// RESTART IF pred -- if pred holds, the request starts over from its first
// step with its arguments as they were sent (the view raises, and the retry
// wrapper around it calls it again). Bounded by the mitigation's restart.max.
struct RestartAction {
  ExprPtr condition;
};

// SKIP n IF pred / SKIP n UNLESS pred -- an `if` in the view: the next n
// steps are passed over when pred holds (IF), or when it does not hold
// (UNLESS: false or NULL, as Python's `if` treats None). SKIP n alone always
// skips (the end of an `if` branch, a `return`). A skip only jumps forward,
// at most to the program's end.
struct SkipAction {
  ExprPtr condition;  // null: always
  int64_t count = 0;
  bool unless = false;
};

// CATCH sqlstate[, sqlstate...] SKIP n -- an `except` around the SQL step
// just before: when that step fails with one of these SQLSTATEs the request
// does not end; it goes on n steps past the CATCH. When the step succeeds
// the CATCH is a step that does nothing. The failed statement's
// transaction is rolled back as PostgreSQL rolls it back: inside BEGIN the
// block stays open and failed (25P02) until ROLLBACK, or until ROLLBACK TO
// the savepoint it was made under.
struct CatchAction {
  std::vector<std::string> sqlstates;
  int64_t count = 0;
};

// ACQUIRE [GLOBAL] MUTEX name -- take an application mutex, waiting in FIFO
// order while another request holds it. A plain mutex lives in the request's
// server process (threading.Lock): requests in other processes do not see
// it. A GLOBAL one is shared by every process (a lock in Redis, say).
struct AcquireAction {
  std::string mutex;
  bool global = false;
};
// RELEASE MUTEX name -- give it back; the first waiter gets it.
struct ReleaseAction {
  std::string mutex;
};

using StepBody =
    std::variant<BeginStmt, CommitStmt, RollbackStmt, SavepointStmt, SelectStmt, UpdateStmt,
                 InsertStmt, DeleteStmt, MergeStmt, CreateTableStmt, DropTableStmt, SequenceStmt,
                 AddIndexStmt, AlterForeignKeyStmt, SetStmt, AdvisoryStmt, SelectValuesStmt,
                 LockTableStmt, LetAction, RetryAction, RestartAction, SkipAction, CatchAction,
                 AcquireAction, ReleaseAction>;

struct Step {
  StepBody body;
  std::string text;         // the step as written, trimmed, without its comment
  std::string note;         // the trailing "-- comment": the application code it models
  std::string source_line;  // the raw line, for pointing at a name in messages
  int line = 0, column = 0;
  // A statement read from several lines (a spec's step) is parsed as one
  // line; each later line's start is kept here as {column in that one line,
  // line in the file}, so a column the parser gave maps back into the file.
  std::vector<std::pair<int, int>> wraps;
  // A data statement's :params, each once (found when the step is parsed).
  std::vector<std::string> params;
  // Whether it has a constant part with an operator (1 + :x, 1/0) or a
  // scalar subquery, which planning computes (lang/typing.h); without
  // one, planning only converts the constants assigned to columns.
  bool folds = false;
  // Whether it has a scalar subquery anywhere (the executor looks for its
  // subqueries only then).
  bool subqueries = false;
  // Whether it assigns a literal or a :param to a column (SET, VALUES),
  // which planning converts to the column's type.
  bool assigns_constant = false;
  // The schema and parameter types under which it was last analysed
  // without an error (Executor::analyze): not analysed again under the
  // same ones. Shared by every world that runs the step.
  class Analysed {
   public:
    Analysed() = default;
    Analysed(const Analysed& o) : v_(o.get()) {}
    Analysed& operator=(const Analysed& o) {
      set(o.get());
      return *this;
    }
    uint64_t get() const { return v_.load(std::memory_order_relaxed); }
    void set(uint64_t v) const { v_.store(v, std::memory_order_relaxed); }

   private:
    mutable std::atomic<uint64_t> v_{0};
  } analysed;
  // A spec's data-modifying WITH query, run after the SELECT before it
  // (spec/spec_parser.cc): the two are one query, whose error replaces the
  // SELECT's rows, and which prints the SELECT's rows only.
  bool with_query = false;
};

// Finds a data statement's facts for its Step: its :params and whether
// planning folds anything (Step::params, Step::folds).
void statement_facts(Step& s);

// Where a column of step s (as its tokens and expressions count them) is in
// the file: on s.line, or on a later line for a statement over several.
SourcePos step_position(const Step& s, const std::string& file, int column);

// Returns true for steps that talk to the database (everything but actions).
bool is_sql(const Step& s);

struct Program {
  std::string file;  // where the steps were read from, for messages
  std::vector<Step> steps;
};
using ProgramPtr = std::shared_ptr<const Program>;

// The RETURNING clause of an INSERT, UPDATE or DELETE step, and that
// step's table; null otherwise.
const Returning* returning_of(const Step& s, const std::string** table = nullptr);

// Appends the names of the columns e reads of its row, in the order
// written (not EXCLUDED's, not inside a subquery, which reads its own table).
void column_names(const Expr& e, std::vector<std::string>& out);

// ---- partial indexes --------------------------------------------------------------
// Whether a WHERE's ANDed conditions imply a partial index's predicate, as
// far as ccsim tells: kImplied when each of the predicate's ANDed
// conditions is one of them, written the same (= and <> either way
// round); kNot when one is refuted (`col = 'a'` against `col = 'b'`) or
// reads a column the WHERE does not; kUnsure otherwise, where PostgreSQL's
// predicate_implied_by may prove more (a range, IS NOT NULL from a strict
// comparison).
enum class Implication { kImplied, kUnsure, kNot };
Implication implication(const Expr* where, const Expr& predicate);
inline bool implies(const Expr* where, const Expr& predicate) {
  return implication(where, predicate) == Implication::kImplied;
}

}  // namespace ccsim
