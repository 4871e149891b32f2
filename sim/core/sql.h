// The SQL vocabulary every layer shares: isolation levels, row-lock
// strengths, column types and definitions, and the error PostgreSQL would
// raise (with its SQLSTATE). The store, the step language and the
// PostgreSQL edge all speak it; it depends on nothing else in ccsim.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "core/value.h"

namespace ccsim {

// READ UNCOMMITTED is PostgreSQL's READ COMMITTED in all but its name: a
// level of its own for SHOW and for SET TRANSACTION's checks, a snapshot
// per statement like READ COMMITTED (no dirty reads). Not a run's level.
enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable, kReadUncommitted };
// True for the levels that take a snapshot per statement (READ COMMITTED
// and READ UNCOMMITTED); false for those whose first snapshot is the
// transaction's (REPEATABLE READ, SERIALIZABLE).
inline bool snapshot_per_statement(Isolation iso) {
  return iso == Isolation::kReadCommitted || iso == Isolation::kReadUncommitted;
}
// "READ COMMITTED", ...: as SQL writes it.
const char* to_sql(Isolation iso);
// "read-committed", "repeatable-read", "serializable": the command-line and TOML spelling.
const char* option_name(Isolation iso);
// Returns the level of that option name, if it is one.
std::optional<Isolation> isolation_named(const std::string& name);

// Row-level lock strengths, weakest first (PostgreSQL's order).
// A row's lock strengths (FOR KEY SHARE .. FOR UPDATE), weakest first; then a
// table's eight modes (LOCK TABLE, and the lock every statement takes on
// its tables), weakest first. A row mode never meets a table mode.
enum class LockMode {
  kKeyShare,
  kShare,
  kNoKeyUpdate,
  kUpdate,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShareTable,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive
};
inline bool is_table_mode(LockMode m) {
  return m >= LockMode::kAccessShare;
}
const char* to_sql(LockMode m);  // "FOR UPDATE", ..., "ACCESS SHARE", ...
// A table mode from its words ("ROW EXCLUSIVE"); nothing for other words.
std::optional<LockMode> table_mode_named(const std::string& words);

// What a foreign key does to the referencing rows when their referenced
// row is deleted or its key changes (ON DELETE / ON UPDATE): NO ACTION and
// RESTRICT only check that none is left; CASCADE deletes them (or, on an
// update, gives them the new key); SET NULL and SET DEFAULT set their key
// columns.
enum class FkAction : uint8_t { kNoAction, kRestrict, kCascade, kSetNull, kSetDefault };
const char* to_sql(FkAction a);  // "NO ACTION", "RESTRICT", "CASCADE", ...

// What a locking SELECT does when a row is locked: wait, fail (NOWAIT), or
// leave the row out (SKIP LOCKED).
enum class WaitPolicy { kWait, kNoWait, kSkipLocked };

// int is PostgreSQL's int4; kBool is boolean (also bool). numeric holds a whole number as an
// int64_t and one with a fraction as a Decimal (core/value.h); no division is allowed where a
// numeric may reach it (lang/validate.cc), so its values print as PostgreSQL's do.
// kDate and kTimestamp (without time zone) hold their value as canonical
// ISO text ('2024-01-31', '2024-01-31 10:00:00'), which orders as the
// instants do (years 1 to 9999). kTimestampTz (timestamp with time zone)
// holds an instant as PostgreSQL prints it with TimeZone UTC and DateStyle
// ISO ('2024-01-31 10:00:00+00'): ccsim's sessions run in UTC, and verify
// and load set their connections' TimeZone to match. The three datetime
// types come last, in the order a comparison promotes them (a date beside
// a timestamp is read as one, a timestamp beside a timestamptz as one).
enum class ColumnType {
  kSmallInt,
  kInt,
  kBigInt,
  kText,
  kNumeric,
  kBool,
  kUuid,
  kDate,
  kTimestamp,
  kTimestampTz
};

inline bool is_datetime(ColumnType t) {
  return t >= ColumnType::kDate;
}
// PostgreSQL's name of a datetime type, as its messages say it
// ("timestamp with time zone"); "" for the others.
const char* datetime_type_name(ColumnType t);
// The keyword that makes a typed literal of a datetime type, as ccsim
// prints one: DATE, TIMESTAMP or TIMESTAMPTZ.
const char* datetime_keyword(ColumnType t);

// A column of a table, as CREATE TABLE declares it.
struct Column {
  std::string name;
  ColumnType type = ColumnType::kInt;
  bool primary_key = false;
  bool not_null = false;
  // DEFAULT: what an INSERT that leaves the column out stores (a constant;
  // none means NULL).
  std::optional<Value> default_value;
  // varchar(n) (a text column): at most n characters; 0 for no limit.
  int64_t max_length = 0;
  // character(n) (a text column with max_length n): every value stored
  // padded with blanks to n characters, which comparisons, lower() and ||
  // do not see (PostgreSQL's bpchar).
  bool blank_padded = false;
  // numeric(p, s) (a numeric column): p digits in all, s of them after the
  // point; every value stored is rounded to s digits (half away from
  // zero). precision 0: plain numeric, whose values keep their own scale.
  int precision = 0;
  int scale = 0;
  // timestamp(p) or timestamptz(p): every value stored is rounded to p
  // digits after the seconds' point (lang/eval.h, fit); -1: not given (6).
  int time_precision = -1;
  // serial (an int column) or bigserial (a bigint one): NOT NULL, and its
  // default is the next value of the column's own sequence (table_column_seq),
  // which no rollback gives back (store.h, Store::next_serial).
  bool serial = false;
  // DEFAULT nextval('s'): the next value of CREATE SEQUENCE's sequence s
  // (serial is set too, and the column is not made NOT NULL).
  std::string sequence = {};
  // GENERATED BY DEFAULT AS IDENTITY takes its values as serial does (serial
  // is set too); GENERATED ALWAYS also refuses a value an INSERT or UPDATE
  // gives it (428C9) unless the INSERT says OVERRIDING SYSTEM VALUE.
  enum class Identity : uint8_t { kNone, kByDefault, kAlways };
  Identity identity = Identity::kNone;
  bool operator==(const Column&) const = default;
};

// A duration setting (deadlock_timeout) as PostgreSQL reads one: a number,
// fractions allowed, and an optional unit (us, ms, s, min, h, d; none means
// milliseconds), rounded to whole milliseconds (half to even, as
// PostgreSQL rounds). Nothing when the text is not
// such a duration or falls outside min_ms to 2147483647 ms.
std::optional<int64_t> setting_ms(const std::string& text, int64_t min_ms = 1);

// An error PostgreSQL would raise for the statement, with its SQLSTATE.
class SqlError : public std::runtime_error {
 public:
  SqlError(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // A WARNING the statement sent before it failed (SET CONSTRAINTS outside
  // a block warns, then looks its names up).
  SqlError&& warned(std::string warning) && {
    warning_ = std::move(warning);
    return std::move(*this);
  }
  const std::string& warning() const { return warning_; }

 private:
  std::string sqlstate_;
  std::string warning_;
};

}  // namespace ccsim
