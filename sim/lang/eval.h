// Evaluation of step-language expressions with PostgreSQL's rules: integer
// arithmetic that raises on overflow (22003) and division by zero (22012),
// NULL propagation, and three-valued logic in predicates.
//
// Pure functions of their inputs. Errors are thrown as SqlError carrying the
// SQLSTATE PostgreSQL would report.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "lang/ast.h"

namespace ccsim {

struct Table;
enum class SqlType : uint8_t;

// Where a value came from: one column of one row version that a SELECT read.
// Values carry their reads through INTO, LET and :params, so the
// lost-update check can follow what a write was based on.
struct RowRead {
  TableId table;
  RowId row;
  VersionId version;
  std::string column;
  auto operator<=>(const RowRead&) const = default;
};

// A request's variable: its value and the row versions it was computed from.
struct Var {
  Value value;
  std::vector<RowRead> from;
  bool operator==(const Var&) const = default;
};

// A request's variables by name, sorted, in one flat array: a request holds
// a handful, and the explorer copies every request's at every move, so one
// allocation beats a tree of nodes. The map operations the engine uses.
class Vars {
 public:
  using value_type = std::pair<std::string, Var>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  Vars() = default;
  Vars(std::initializer_list<value_type> init) {
    for (const value_type& v : init) (*this)[v.first] = v.second;
  }

  // Returns the variable of that name, or end().
  iterator find(std::string_view name);
  const_iterator find(std::string_view name) const;
  // Returns the variable of that name, adding an empty one when missing.
  Var& operator[](std::string_view name);
  size_t count(std::string_view name) const { return find(name) != end(); }
  iterator begin() { return v_.begin(); }
  iterator end() { return v_.end(); }
  const_iterator begin() const { return v_.begin(); }
  const_iterator end() const { return v_.end(); }
  size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  bool operator==(const Vars&) const = default;

 private:
  std::vector<value_type> v_;  // sorted by name
};

// A statement's scalar subqueries and their values, once computed.
using SubqueryValues = std::vector<std::pair<const Expr*, Value>>;

// Looks a table up by name for a subquery's types (null when there is none).
using TableFinder = std::function<const Table*(const std::string&)>;

struct EvalEnv {
  const Table* table = nullptr;  // for column references; null outside a row
  const Row* row = nullptr;
  const Vars* vars = nullptr;
  std::vector<RowRead>* reads = nullptr;  // when set, collects the reads of the params used
  // True when the expression is part of a SQL statement: its :params are
  // sent to the server, which refuses a text with a NUL byte (22021).
  bool in_sql = false;
  const Row* excluded = nullptr;  // ON CONFLICT DO UPDATE: the row proposed (EXCLUDED)
  // Takes the advisory lock a kAdvisory call asks for (engine/executor.cc),
  // given its key. Without it a call answers as if it got the lock (void,
  // or true for a try form): what a row the call has not reached yet would
  // see.
  const std::function<Value(const Expr&, AdvisoryKey key)>* advisory = nullptr;
  // Computes nextval or currval (a kSequence) on the store and the
  // session (engine/executor.cc).
  const std::function<Value(const Expr&)>* sequence = nullptr;
  // The values of the statement's scalar subqueries, computed before its
  // rows are read (engine/executor.cc): a kSubquery reads its own here.
  const SubqueryValues* subqueries = nullptr;
  // A setting's value as current_setting('name') reads it, or nothing for a
  // setting ccsim does not know (engine/executor.cc).
  const std::function<std::optional<std::string>(const std::string&)>* setting = nullptr;
  // The tables a scalar subquery reads, for the types of its values (an int
  // that overflows as an int, lang/typing.h); without it a subquery's
  // value counts as a bigint.
  const TableFinder* tables = nullptr;
};

// Returns the value of an arithmetic expression.
Value eval_value(const Expr& e, const EvalEnv& env);
// True when every scalar subquery e holds has its value in `values`.
bool subqueries_computed(const Expr& e, const SubqueryValues* values);

// Returns the truth of a predicate: true, false, or nullopt for SQL's unknown.
// AND and OR stop at the first operand that decides them, left to right,
// as PostgreSQL's executor does: false AND 1/0 = 1 is false.
std::optional<bool> eval_pred(const Expr& e, const EvalEnv& env);

// The value of binary operator e (arithmetic or ||) over operand values a
// and b, already computed from e.lhs and e.rhs (whose forms and types
// still decide how: an unknown literal, an int's overflow, a date).
Value binary_value(const Expr& e, Value a, Value b, const EvalEnv& env);
// v, the value of x, as a text: without trailing blanks when x is a
// character(n) (bpchar's cast to text); any other value as it is.
Value bpchar_as_text(const Expr& x, Value v, const EvalEnv& env);
// The truth of comparison e over operand values a and b, likewise.
std::optional<bool> comparison_value(const Expr& e, Value a, Value b, const EvalEnv& env);
// The value `call` (coalesce, greatest, least or CASE) gives when it
// chooses argument (result) `arg`, of value v: as the call's common type,
// a quoted literal read as it, a date as a timestamp beside one.
Value argument_value(const Expr& call, const Expr& arg, Value v, const EvalEnv& env);
// a [NOT] [I]LIKE b of the two computed operands (ExprKind::kLike): 22025
// for a pattern whose lone trailing backslash the match reaches.
Value like_value(const Expr& e, Value a, Value b, const EvalEnv& env);
// abs, round, floor, ceil, ceiling, length, char_length or
// character_length (ExprKind::kFunction, e.name) of its computed arguments
// (b: round's digits, or Null when it has none): NULL for a NULL argument.
Value function_value(const Expr& e, Value a, Value b, const EvalEnv& env);
// nullif(a, b) of the two computed arguments (ExprKind::kNullIf).
Value nullif_value(const Expr& call, Value a, Value b, const EvalEnv& env);
// The value of greatest or least `call` over its arguments and their values.
Value min_max_value(const Expr& call, std::vector<std::pair<const Expr*, Value>> args,
                    const EvalEnv& env);
// Value v converted by an explicit cast to type `to` (cast_to of a kCast),
// v being of type `from` as PostgreSQL's parser types it (a quoted
// literal or a text is read by the type's input function): numbers round
// and overflow (22003), a varchar(n) is cut to n characters, an int is a
// boolean (0 is false), a boolean an int (1, 0). The casts PostgreSQL has
// not are refused before (lang/typing.h).
Value cast_value(const Value& v, std::optional<SqlType> from, const Column& to);
// The value of unary minus e over its operand's value v.
Value negated_value(const Expr& e, const Value& v, const EvalEnv& env);

// Returns v checked and converted for storing in a column of type t
// (int is int4: 22003 when out of range; 22P02 / 42804 on a type mismatch).
// `unknown`: v is an unknown literal's text, which takes the column's type.
Value coerce(const Value& v, ColumnType t, const std::string& column, bool unknown);

// Whether e is an unknown literal: a quoted text without a type, which
// PostgreSQL types by what it meets ('12' beside an int is 12).
bool is_unknown_literal(const Expr& e);
// True when e names no column of the row: constants, parameters and scalar
// subqueries (which read their own table), computed once per statement as
// PostgreSQL computes an InitPlan (an advisory-lock call is volatile:
// evaluated for every row).
bool column_free(const Expr& e);
// True when e holds a scalar subquery.
bool has_subquery(const Expr* e);

// Returns an integer's text read as int, bigint or numeric would read it
// (spaces around, a sign, digits): 22P02 when it is not one, 22003 when out
// of range; 0A000 for a numeric ccsim's whole numbers cannot hold.
int64_t integer_text(const std::string& text, ColumnType t);
// As integer_text, but numeric reads a fraction too (1.50: a Decimal; 22P02
// when not a number, 0A000 past Decimal's digits).
Value number_input(const std::string& text, ColumnType t);
// An advisory-lock function's key v, computed from `key`: a quoted literal
// without a type is read as the type the function takes there, a bigint
// or, in the two-key form, an int (integer_text); anything else as is.
Value advisory_key(const Expr& key, Value v, ColumnType t = ColumnType::kBigInt);
// The lock the two-key form pg_advisory_lock(int, int) names, from its
// arguments' values v and v2 (written as key and key2): nothing when one
// is NULL (the functions are strict); 42883 for a value that is not an
// integer (PostgreSQL has no such function), 22003 past an int.
std::optional<AdvisoryKey> advisory_pair(const AdvisoryCall& call, const Expr& key, Value v,
                                         const Expr& key2, Value v2);

// Returns a date or timestamp's text as the column stores it (canonical ISO
// form); 22007 or 22008 when it is not one.
Value datetime_value(const std::string& text, ColumnType t);
// Returns a uuid's text as the column stores it (PostgreSQL's output:
// lowercase, 8-4-4-4-12); 22P02 when it is not one.
std::string uuid_value(const std::string& text);
// A stored timestamp's canonical text rounded to p digits after the seconds'
// point, as a timestamp(p) column stores it (eval.cc).
std::string round_timestamp(const std::string& text, int p);

// 42804 when e, assigned to column c of a date or timestamp type, is a text
// that is no literal (a text column, a :param, which travels as text, a
// ||): PostgreSQL has no assignment from text to those types.
void check_assignment(const Expr& e, const Column& c, const EvalEnv& env);

// The value expression e gives column c in an INSERT or an UPDATE's SET:
// check_assignment(), then e's value, a character(n) one taken as text
// by a text or varchar column (its trailing blanks dropped, as the
// assignment cast does), then fit().
Value assigned_value(const Expr& e, const Column& c, const EvalEnv& env);

// Returns v as column c stores it: coerce()d, and for varchar(n) at most n
// characters (22001, unless what is past n is only spaces: cut off, as
// PostgreSQL does).
Value fit(const Value& v, const Column& c, bool unknown);

}  // namespace ccsim
