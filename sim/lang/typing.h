// What PostgreSQL does to a statement before it reads a row: parse analysis
// types every expression (and fails on an operator the operands' types do
// not have, a condition that is no boolean, a value a column cannot take),
// then the planner computes the statement's constant parts
// (eval_const_expressions), so that 1/0 fails the statement even when no row
// reaches it. Both raise the SqlError PostgreSQL raises, in its order.
//
// Pure functions of the statement, the tables' columns and the request's
// variables.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/sql.h"
#include "lang/ast.h"
#include "lang/eval.h"

namespace ccsim {

// The types an expression's value can have, as PostgreSQL's parser knows
// them. kUnknown is a quoted literal or NULL before anything types it;
// kVoid what pg_advisory_lock returns.
enum class SqlType : uint8_t {
  kUnknown,
  kSmallInt,
  kInt,
  kBigInt,
  kNumeric,
  kText,
  kVarchar,
  kBpchar,  // character(n)
  kBool,
  kUuid,
  kDate,
  kTimestamp,
  kTimestampTz,
  kVoid
};

// PostgreSQL's name of the type in its messages: "integer", "character
// varying", "timestamp without time zone", "unknown".
const char* sql_type_name(SqlType t);
SqlType sql_type_of(const Column& c);
// The column type holding values of type t (varchar's is text); nothing
// for unknown and void.
std::optional<ColumnType> column_type_of(SqlType t);

struct TypingEnv {
  const Table* table = nullptr;  // the statement's table: its columns
  const Vars* vars = nullptr;    // parameters, typed as they travel (bigint, numeric, text...)
  const TableFinder* tables = nullptr;  // the tables scalar subqueries read
  // When set, receives the expression a refusal (0A000: not modelled) is
  // about, for its place in the source.
  const Expr** refused_at = nullptr;
};

// Why PostgreSQL has no cast from `from` to `to` ("cannot cast type
// boolean to bigint", 42846), or nothing when it has one: numbers among
// themselves, int and boolean both ways, datetimes among themselves, and
// anything from or to a text.
std::optional<std::string> cast_refusal(SqlType from, const Column& to);

// The type PostgreSQL's parser gives e, or nothing where ccsim cannot tell
// (a subquery's table unknown, a combination the parser refuses). Never
// throws.
std::optional<SqlType> type_of(const Expr& e, const TypingEnv& env);

// ---- parse analysis ---------------------------------------------------------------
// Types a data statement on table t (SELECT, UPDATE, INSERT, DELETE) clause
// by clause in the order PostgreSQL's parser does, reading its quoted
// literals with the types they meet, and throws the first error it raises:
// 42883 (no such operator or function), 42725 (an ambiguous one), 42804
// (a condition that is no boolean, a value of the wrong type for its
// column, COALESCE of types that do not match), 22P02/22007/22008 (a
// literal its type cannot read), 22001 (a literal too long for its column).
// Then it refuses a value given to a GENERATED ALWAYS identity column
// (428C9), as PostgreSQL's rewriter does next.
void analyze_statement(const StepBody& body, const Table& t, const TypingEnv& env);
// The same for SELECT without FROM, and for the advisory-lock functions'
// keys (SELECT pg_advisory_lock(key), typed before any lock is taken).
void analyze_values(const SelectValuesStmt& values, const TypingEnv& env);
void analyze_advisory(const AdvisoryStmt& adv, const TypingEnv& env);
// True when the INSERT gives column c its sequence's next value whatever
// value it names (OVERRIDING USER VALUE on an identity column): that value
// is neither planned nor computed.
bool overridden(const InsertStmt& ins, const Column& c);

// ---- planning ---------------------------------------------------------------------
// Computes the constant parts of a data statement on table t as the
// planner's eval_const_expressions does before the statement reads a row,
// and throws the error one of them raises (22012, 22003, 22008...). An AND
// that meets a constant false (an OR a true) and a COALESCE that meets a
// constant value stop there: what follows is not computed; a strict
// operator with a NULL constant operand is NULL without computing the
// other. Parameters are constants, as they are in the custom plan
// PostgreSQL makes for an unnamed statement; a constant assigned to a
// column is converted to its type there and then (22003, 22001). Call
// after analyze_statement.
// folds false (Step::folds): the statement has no constant part with an
// operator and no subquery, and only the constants assigned to columns are
// converted.
void plan_statement(const StepBody& body, const Table& t, const TypingEnv& env, bool folds = true);
void plan_values(const SelectValuesStmt& values, const TypingEnv& env);
void plan_advisory(const AdvisoryStmt& adv, const TypingEnv& env);

}  // namespace ccsim
