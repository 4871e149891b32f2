#include "lang/typing.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "store/store.h"

namespace ccsim {

const char* sql_type_name(SqlType t) {
  switch (t) {
    case SqlType::kUnknown:
      return "unknown";
    case SqlType::kSmallInt:
      return "smallint";
    case SqlType::kInt:
      return "integer";
    case SqlType::kBigInt:
      return "bigint";
    case SqlType::kNumeric:
      return "numeric";
    case SqlType::kText:
      return "text";
    case SqlType::kVarchar:
      return "character varying";
    case SqlType::kBpchar:
      return "character";
    case SqlType::kBool:
      return "boolean";
    case SqlType::kUuid:
      return "uuid";
    case SqlType::kDate:
      return "date";
    case SqlType::kTimestamp:
      return "timestamp without time zone";
    case SqlType::kTimestampTz:
      return "timestamp with time zone";
    case SqlType::kVoid:
      return "void";
  }
  return "unknown";
}

std::optional<ColumnType> column_type_of(SqlType t) {
  switch (t) {
    case SqlType::kSmallInt:
      return ColumnType::kSmallInt;
    case SqlType::kInt:
      return ColumnType::kInt;
    case SqlType::kBigInt:
      return ColumnType::kBigInt;
    case SqlType::kNumeric:
      return ColumnType::kNumeric;
    case SqlType::kText:
    case SqlType::kVarchar:
    case SqlType::kBpchar:
      return ColumnType::kText;
    case SqlType::kBool:
      return ColumnType::kBool;
    case SqlType::kUuid:
      return ColumnType::kUuid;
    case SqlType::kDate:
      return ColumnType::kDate;
    case SqlType::kTimestamp:
      return ColumnType::kTimestamp;
    case SqlType::kTimestampTz:
      return ColumnType::kTimestampTz;
    case SqlType::kUnknown:
    case SqlType::kVoid:
      return std::nullopt;
  }
  return std::nullopt;
}

SqlType sql_type_of(const Column& c) {
  switch (c.type) {
    case ColumnType::kSmallInt:
      return SqlType::kSmallInt;
    case ColumnType::kInt:
      return SqlType::kInt;
    case ColumnType::kBigInt:
      return SqlType::kBigInt;
    case ColumnType::kText:
      return c.blank_padded     ? SqlType::kBpchar
             : c.max_length > 0 ? SqlType::kVarchar
                                : SqlType::kText;
    case ColumnType::kNumeric:
      return SqlType::kNumeric;
    case ColumnType::kBool:
      return SqlType::kBool;
    case ColumnType::kUuid:
      return SqlType::kUuid;
    case ColumnType::kDate:
      return SqlType::kDate;
    case ColumnType::kTimestamp:
      return SqlType::kTimestamp;
    case ColumnType::kTimestampTz:
      return SqlType::kTimestampTz;
  }
  return SqlType::kUnknown;
}

namespace {

bool number(SqlType t) {
  return t == SqlType::kSmallInt || t == SqlType::kInt || t == SqlType::kBigInt ||
         t == SqlType::kNumeric;
}
// int or smallint, which PostgreSQL converts to int implicitly where an int
// is taken (date + integer, round's digits).
bool int4_or_less(SqlType t) {
  return t == SqlType::kInt || t == SqlType::kSmallInt;
}
bool text_like(SqlType t) {
  return t == SqlType::kText || t == SqlType::kVarchar || t == SqlType::kBpchar;
}
bool datetime(SqlType t) {
  return t == SqlType::kDate || t == SqlType::kTimestamp || t == SqlType::kTimestampTz;
}

// PostgreSQL's type categories (pg_type.typcategory), which decide whether
// two types have a common one.
char category(SqlType t) {
  if (number(t)) return 'N';
  if (text_like(t)) return 'S';
  if (t == SqlType::kBool) return 'B';
  if (t == SqlType::kUuid) return 'U';
  if (datetime(t)) return 'D';
  if (t == SqlType::kVoid) return 'P';
  return 'X';
}

// The ColumnType a literal of type t is read as.
ColumnType column_type(SqlType t) {
  return column_type_of(t).value_or(ColumnType::kText);
}

// The wider of two numbers' types (int < bigint < numeric), or of two
// datetimes' (date < timestamp < timestamptz): the one both convert to.
SqlType wider(SqlType a, SqlType b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

// A quoted literal without a type (not NULL: NULL reads as any type).
bool quoted(const Expr& e) {
  return is_unknown_literal(e);
}

}  // namespace

std::optional<std::string> cast_refusal(SqlType from, const Column& to) {
  SqlType t = sql_type_of(to);
  if (from == SqlType::kUnknown || text_like(from) || text_like(t)) return std::nullopt;
  if ((number(from) && number(t)) || (datetime(from) && datetime(t)) || from == t)
    return std::nullopt;
  if ((from == SqlType::kInt && t == SqlType::kBool) ||
      (from == SqlType::kBool && t == SqlType::kInt))
    return std::nullopt;
  return std::string("cannot cast type ") + sql_type_name(from) + " to " + sql_type_name(t);
}

namespace {

// Whether e names a column of the statement's row (a scalar subquery's
// are its own: uncorrelated).
bool has_column(const Expr& e) {
  if (e.kind == ExprKind::kColumn) return true;
  if (e.kind == ExprKind::kSubquery) return false;
  return (e.lhs && has_column(*e.lhs)) || (e.rhs && has_column(*e.rhs));
}

// ---- Rule: select_common_type ---------------------------------------------------
// The first type that is not unknown, widened within its category (int <
// bigint < numeric, date < timestamp < timestamptz; text stays text); all
// unknown is text. Nothing when a type is not known, or when two
// categories differ: then *mismatch (if given) holds the two types.
std::optional<SqlType> common_type(const std::vector<std::optional<SqlType>>& types,
                                   std::pair<SqlType, SqlType>* mismatch) {
  std::optional<SqlType> common = types[0];
  for (size_t i = 1; i < types.size(); ++i) {
    if (!common || !types[i]) return std::nullopt;
    SqlType n = *types[i];
    if (n == SqlType::kUnknown || n == *common) continue;
    if (*common == SqlType::kUnknown) {
      common = n;
    } else if (category(n) != category(*common) || category(n) == 'P') {
      if (mismatch) *mismatch = {*common, n};
      return std::nullopt;
    } else if (!text_like(*common)) {
      common = wider(*common, n);
    }
  }
  if (!common) return std::nullopt;
  if (*common == SqlType::kUnknown) common = SqlType::kText;
  return common;
}

// ---- Rule: parse analysis types every expression -----------------------------
// As PostgreSQL's transformExpr: children first, left to right, then the
// operator or function the operands' types choose; a quoted literal takes
// the type it meets and is read as that type there and then.
class Typer {
 public:
  Typer(const TypingEnv& env, bool raise) : env_(env), raise_(raise) {}

  std::optional<SqlType> expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral:
        return literal(e);
      case ExprKind::kColumn:
        return column(e);
      case ExprKind::kParam:
        return param(e);
      case ExprKind::kNeg:
        return negated(e);
      case ExprKind::kNot:
        if (e.in_list) return in_list(*e.lhs, "<>");  // NOT IN
        boolean(expr(*e.lhs), *e.lhs, "NOT");
        return SqlType::kBool;
      case ExprKind::kIsNull:
      case ExprKind::kIsNotNull:
        expr(*e.lhs);
        return SqlType::kBool;
      case ExprKind::kBoolTest:  // 42804 "argument of IS TRUE must be type boolean"
        boolean(expr(*e.lhs), *e.lhs, ("IS " + e.name).c_str());
        return SqlType::kBool;
      case ExprKind::kIsDistinct:
      case ExprKind::kIsNotDistinct: {  // the = operator's types (42883 names =)
        std::optional<SqlType> l = expr(*e.lhs), r = expr(*e.rhs);
        if (l && r) compare(l, r, *e.lhs, *e.rhs, "=");
        return SqlType::kBool;
      }
      case ExprKind::kNullIf:
        return nullif(e);
      case ExprKind::kBinary:
        return binary(e);
      case ExprKind::kCoalesce:
        return coalesce(e);
      case ExprKind::kGreatest:
      case ExprKind::kLeast:
        return min_max(e);
      case ExprKind::kCase:
        return case_type(e);
      case ExprKind::kWhen:
        return std::nullopt;  // typed by its CASE
      case ExprKind::kCast:
        return cast(e);
      case ExprKind::kCurrentSetting:
        return SqlType::kText;
      case ExprKind::kSequence:
        return SqlType::kBigInt;
      case ExprKind::kCaseFold:
        return case_fold(e);
      case ExprKind::kFunction:
        return function(e);
      case ExprKind::kLike:
        return like(e);
      case ExprKind::kAdvisory:
        return advisory(e);
      case ExprKind::kSubquery:
        return subquery(e);
      case ExprKind::kDefault:
        return std::nullopt;  // the column's own default: always assignable
    }
    return std::nullopt;
  }

  // The kinds above with state of their own, each in a frame of its own
  // (expr recurses once per operator of a chain: its own frame stays small).
  [[gnu::noinline]] std::optional<SqlType> literal(const Expr& e) {
    if (e.typed) {
      if (raise_) datetime_value(std::get<std::string>(e.literal), *e.typed);
      return *e.typed == ColumnType::kDate        ? SqlType::kDate
             : *e.typed == ColumnType::kTimestamp ? SqlType::kTimestamp
                                                  : SqlType::kTimestampTz;
    }
    if (std::holds_alternative<bool>(e.literal)) return SqlType::kBool;
    if (e.decimal_literal || std::holds_alternative<Decimal>(e.literal)) return SqlType::kNumeric;
    if (auto* v = std::get_if<int64_t>(&e.literal))  // int4 when it fits, as the lexer types it
      return *v >= std::numeric_limits<int32_t>::min() && *v <= std::numeric_limits<int32_t>::max()
                 ? SqlType::kInt
                 : SqlType::kBigInt;
    return SqlType::kUnknown;  // 'text' and NULL
  }
  [[gnu::noinline]] std::optional<SqlType> column(const Expr& e) {
    if (!env_.table) return std::nullopt;
    int i = env_.table->column_index(e.name);
    if (i < 0) {
      if (raise_) throw SqlError("42703", "column \"" + e.name + "\" does not exist");
      return std::nullopt;
    }
    return sql_type_of(env_.table->columns[static_cast<size_t>(i)]);
  }
  [[gnu::noinline]] std::optional<SqlType> param(const Expr& e) {
    if (!env_.vars) return std::nullopt;
    auto it = env_.vars->find(e.name);
    if (it == env_.vars->end()) {
      if (raise_) throw SqlError("42P02", "parameter :" + e.name + " has no value yet");
      return std::nullopt;
    }
    // As the printer sends it: $n::int8, ::numeric, ::bool, ::text, or NULL.
    const Value& v = it->second.value;
    if (std::holds_alternative<int64_t>(v)) return SqlType::kBigInt;
    if (std::holds_alternative<Decimal>(v)) return SqlType::kNumeric;
    if (std::holds_alternative<bool>(v)) return SqlType::kBool;
    if (std::holds_alternative<std::string>(v)) return SqlType::kText;
    return SqlType::kUnknown;
  }
  [[gnu::noinline]] std::optional<SqlType> negated(const Expr& e) {
    std::optional<SqlType> t = expr(*e.lhs);
    if (!t || number(*t)) return t;
    if (*t == SqlType::kUnknown) return fail("42725", "operator is not unique: - unknown");
    return fail("42883", std::string("operator does not exist: - ") + sql_type_name(*t));
  }
  // ---- Rule: a cast exists or not (42846); a literal is read by it --------------
  [[gnu::noinline]] std::optional<SqlType> cast(const Expr& e) {
    std::optional<SqlType> from = expr(*e.lhs);
    SqlType to = sql_type_of(*e.cast_to);
    if (!from) return to;
    if (*from == SqlType::kUnknown) {
      if (raise_ && quoted(*e.lhs)) cast_value(e.lhs->literal, from, *e.cast_to);
      return to;
    }
    if (std::optional<std::string> why = cast_refusal(*from, *e.cast_to)) fail("42846", *why);
    return to;
  }

  // lower(x), upper(x): a text (a quoted literal is read as one); in a frame
  // of its own, as each kind with state, so a deep chain stays in the stack.
  [[gnu::noinline]] std::optional<SqlType> case_fold(const Expr& e) {
    std::optional<SqlType> a = expr(*e.lhs);
    if (a && !text_like(*a) && *a != SqlType::kUnknown)
      fail("42883", "function " + e.name + "(" + sql_type_name(*a) + ") does not exist");
    return SqlType::kText;
  }

  // ---- Rule: the numeric and text functions (42883) ---------------------------------
  // PostgreSQL has abs, round, floor, ceil and ceiling for double precision
  // and numeric (abs also for int and bigint, which it keeps), round(numeric,
  // int), and length for texts. An int or bigint argument of round, floor or
  // ceil, and a quoted literal or NULL given to any but round(x, n), makes
  // the double precision one (its preferred type): refused, as ccsim has no
  // double precision. A type none takes is 42883, named by the arguments'
  // types.
  [[gnu::noinline]] std::optional<SqlType> function(const Expr& e) {
    std::optional<SqlType> a = expr(*e.lhs);
    std::optional<SqlType> n = e.rhs ? expr(*e.rhs) : std::nullopt;
    if (!a || (e.rhs && !n))
      return text_to_int(e.name) ? std::optional<SqlType>(SqlType::kInt) : std::nullopt;
    auto missing = [&]() {
      return fail("42883", "function " + e.name + "(" + sql_type_name(*a) +
                               (e.rhs ? std::string(", ") + sql_type_name(*n) : "") +
                               ") does not exist");
    };
    if (text_to_int(e.name)) {
      if (!text_like(*a) && *a != SqlType::kUnknown) return missing();
      return SqlType::kInt;
    }
    if (e.rhs) {  // round(numeric, integer)
      if (!(number(*a) || *a == SqlType::kUnknown) ||
          !(*n == SqlType::kInt || *n == SqlType::kSmallInt || *n == SqlType::kUnknown))
        return missing();
      read(*e.lhs, SqlType::kNumeric);
      read(*e.rhs, SqlType::kInt);
      return SqlType::kNumeric;
    }
    if (!number(*a) && *a != SqlType::kUnknown) return missing();
    if (*a == SqlType::kNumeric || (e.name == "abs" && *a != SqlType::kUnknown)) return a;
    return refuse(e,
                  e.name + "(" +
                      (*a == SqlType::kUnknown ? "a quoted literal or NULL" : sql_type_name(*a)) +
                      ") is PostgreSQL's " + e.name +
                      "(double precision), which is not modelled; give it a numeric "
                      "(::numeric)");
  }

  // ---- Rule: LIKE takes texts (42883) -------------------------------------------
  // text, varchar and char(n) on either side, or a quoted literal (read as
  // a text); anything else has no ~~ operator.
  [[gnu::noinline]] std::optional<SqlType> like(const Expr& e) {
    std::optional<SqlType> l = expr(*e.lhs), r = expr(*e.rhs);
    auto texts = [](SqlType t) { return text_like(t) || t == SqlType::kUnknown; };
    if (l && r && (!texts(*l) || !texts(*r)))
      fail("42883", std::string("operator does not exist: ") + sql_type_name(*l) + " " + e.name +
                        " " + sql_type_name(*r));
    return SqlType::kBool;
  }

  // ---- Rule: nullif is typed by its = operator ----------------------------------
  // Its result is the operator's left operand, as the operator takes it: a
  // quoted literal read as the other side's type (two: text), an int or a
  // bigint beside a numeric made numeric (there is no int = numeric); a
  // cross-type operator (int = bigint, date = timestamp) keeps the left; a
  // varchar is compared (and returned) as a text.
  std::optional<SqlType> nullif(const Expr& e) {
    std::optional<SqlType> l = expr(*e.lhs), r = expr(*e.rhs);
    if (l && r) compare(l, r, *e.lhs, *e.rhs, "=");
    if (!l) return std::nullopt;
    SqlType left = *l;
    if (left == SqlType::kUnknown) left = !r ? SqlType::kText : *r;
    if (left == SqlType::kUnknown || left == SqlType::kVarchar) return SqlType::kText;
    if (r && number(left) && *r == SqlType::kNumeric) return SqlType::kNumeric;
    return left;
  }

  // ---- Rule: a condition is a boolean (42804) ---------------------------------
  // AND, OR, NOT and WHERE take a boolean; a quoted literal is read as one
  // (22P02), NULL is one; anything else is refused by name.
  void boolean(std::optional<SqlType> t, const Expr& e, const char* context) {
    if (!t || *t == SqlType::kBool) return;
    if (*t == SqlType::kUnknown) {
      if (raise_ && quoted(e)) read(e, SqlType::kBool);
      return;
    }
    fail("42804", std::string("argument of ") + context + " must be type boolean, not type " +
                      sql_type_name(*t));
  }

  // ---- Rule: assignment to a column (42804) ------------------------------------
  // A value of the column's category is converted (numbers among numbers,
  // datetimes among datetimes); anything is converted to text; a quoted
  // literal is read as the column's type (22P02, 22001, 22003); anything
  // else is refused: column "v" is of type integer but expression is of
  // type text.
  void assign(const Expr& e, std::optional<SqlType> t, const Column& c) {
    if (e.kind == ExprKind::kDefault || !t) return;
    if (*t == SqlType::kUnknown) {
      if (raise_ && quoted(e)) fit(e.literal, c, true);
      return;
    }
    SqlType ct = sql_type_of(c);
    bool ok = text_like(ct) || (number(ct) && number(*t)) ||
              (ct == SqlType::kBool && *t == SqlType::kBool) || (datetime(ct) && datetime(*t)) ||
              (ct == SqlType::kUuid && *t == SqlType::kUuid);
    if (!ok)
      fail("42804", "column \"" + c.name + "\" is of type " + sql_type_name(ct) +
                        " but expression is of type " + sql_type_name(*t));
  }

 private:
  std::nullopt_t fail(const char* sqlstate, const std::string& message) {
    if (raise_) throw SqlError(sqlstate, message);
    return std::nullopt;
  }
  // A refusal: what ccsim does not model, about e.
 public:
  std::nullopt_t refuse(const Expr& e, const std::string& message) {
    if (raise_ && env_.refused_at) *env_.refused_at = &e;
    return fail("0A000", message);
  }

 private:
  // Reads quoted literal e as type t (the type's input function): 22P02,
  // 22007, 22008 when it does not read.
  void read(const Expr& e, SqlType t) {
    if (!raise_ || !quoted(e)) return;
    const std::string& text = std::get<std::string>(e.literal);
    if (t == SqlType::kBool) {
      if (!boolean_text(text))
        throw SqlError("22P02", "invalid input syntax for type boolean: \"" + text + "\"");
    } else if (number(t)) {
      number_input(text, column_type(t));
    } else if (datetime(t)) {
      datetime_value(text, column_type(t));
    } else if (t == SqlType::kUuid) {
      uuid_value(text);
    }
  }

  // ---- Rule: an IN list is typed as a whole (transformAExprIn) ----------------
  // Its left side, then every item, then the comparisons: when two or more
  // items have no column and a common type with the left side, they are
  // read as that type and compared as one = ANY (ARRAY[...]) (<> ALL for
  // NOT IN); the items with a column, or all items when there is no such
  // type, are compared one by one, naming = (<>) in their errors.
  std::optional<SqlType> in_list(const Expr& group, const char* op) {
    std::vector<const Expr*> comparisons;
    const Expr* at = &group;
    while (at->kind == ExprKind::kBinary && at->op == BinOp::kOr && at->in_list) {
      comparisons.push_back(at->rhs.get());
      at = at->lhs.get();
    }
    comparisons.push_back(at);
    std::reverse(comparisons.begin(), comparisons.end());
    const Expr& x = *comparisons.front()->lhs;
    std::optional<SqlType> lt = expr(x);
    std::vector<std::optional<SqlType>> types;
    std::vector<bool> column;
    for (const Expr* c : comparisons) {
      types.push_back(expr(*c->rhs));
      column.push_back(has_column(*c->rhs));
    }
    std::vector<size_t> one_by_one;
    if (std::count(column.begin(), column.end(), false) >= 2) {
      std::vector<std::optional<SqlType>> all{lt};
      for (size_t k = 0; k < comparisons.size(); ++k)
        if (!column[k]) all.push_back(types[k]);
      if (std::optional<SqlType> common = common_type(all, nullptr)) {
        for (size_t k = 0; k < comparisons.size(); ++k)
          if (!column[k]) read(*comparisons[k]->rhs, *common);
        read(x, *common);
        for (size_t k = 0; k < comparisons.size(); ++k)
          if (column[k]) one_by_one.push_back(k);
      } else {
        for (size_t k = 0; k < comparisons.size(); ++k) one_by_one.push_back(k);
      }
    } else {
      for (size_t k = 0; k < comparisons.size(); ++k) one_by_one.push_back(k);
    }
    for (size_t k : one_by_one) compare(lt, types[k], x, *comparisons[k]->rhs, op);
    return SqlType::kBool;
  }

  // ---- Rule: comparisons within a category (42883) -------------------------
  // Numbers with numbers, texts with texts, booleans, datetimes; a quoted
  // literal is read as the other side's type.
  void compare(std::optional<SqlType> l, std::optional<SqlType> r, const Expr& lhs, const Expr& rhs,
               const char* op) {
    if (!l || !r) return;
    if (*l == SqlType::kUnknown && *r == SqlType::kUnknown) return;
    if (*l == SqlType::kUnknown && *r != SqlType::kVoid) return read(lhs, *r);
    if (*r == SqlType::kUnknown && *l != SqlType::kVoid) return read(rhs, *l);
    if (category(*l) == category(*r) && category(*l) != 'P') return;
    fail("42883", std::string("operator does not exist: ") + sql_type_name(*l) + " " + op + " " +
                      sql_type_name(*r));
  }

  std::optional<SqlType> binary(const Expr& e) {
    if (e.op == BinOp::kOr && e.in_list) return in_list(e, "=");
    if (e.op == BinOp::kAnd || e.op == BinOp::kOr) {
      const char* name = e.op == BinOp::kAnd ? "AND" : "OR";
      boolean(expr(*e.lhs), *e.lhs, name);
      boolean(expr(*e.rhs), *e.rhs, name);
      return SqlType::kBool;
    }
    std::optional<SqlType> l = expr(*e.lhs), r = expr(*e.rhs);
    if (!l || !r) return e.op > BinOp::kMod ? std::optional(SqlType::kBool) : std::nullopt;
    auto missing = [&] {
      return fail("42883", std::string("operator does not exist: ") + sql_type_name(*l) + " " +
                               op_sql(e.op) + " " + sql_type_name(*r));
    };
    if (e.op == BinOp::kConcat) {
      // ---- Rule: || wants a text on one side (42883) ----------------------------
      // text || anything and anything || text; two quoted literals are texts.
      bool lt = text_like(*l) || *l == SqlType::kUnknown;
      bool rt = text_like(*r) || *r == SqlType::kUnknown;
      if (lt || rt) return SqlType::kText;
      return missing();
    }
    if (e.op >= BinOp::kEq) {
      compare(l, r, *e.lhs, *e.rhs, op_sql(e.op));
      return SqlType::kBool;
    }
    // ---- Rule: arithmetic (42883, 42725) ------------------------------------------
    // Numbers give the wider type; date + integer and date - integer a
    // date, date - date an integer; a quoted literal beside a number is
    // read as that number's type, beside a date (after -) as a date.
    if (*l == SqlType::kUnknown && *r == SqlType::kUnknown)
      return fail("42725",
                  std::string("operator is not unique: unknown ") + op_sql(e.op) + " unknown");
    if (number(*l) && number(*r)) {
      // A numeric quotient's scale comes from the operands' digits
      // (select_div_scale), which ccsim does not model.
      if ((e.op == BinOp::kDiv || e.op == BinOp::kMod) && wider(*l, *r) == SqlType::kNumeric)
        return refuse(e, std::string(e.op == BinOp::kDiv ? "division" : "remainder") +
                             " of a numeric is not modelled: PostgreSQL chooses the quotient's "
                             "digits after the point");
      return wider(*l, *r);
    }
    const bool quotient = e.op == BinOp::kDiv || e.op == BinOp::kMod;
    if (number(*l) && *r == SqlType::kUnknown) {
      read(*e.rhs, *l);
      if (quotient && *l == SqlType::kNumeric)
        return refuse(e,
                      "division of a numeric is not modelled: PostgreSQL chooses the "
                      "quotient's digits after the point");
      return l;
    }
    if (*l == SqlType::kUnknown && number(*r)) {
      read(*e.lhs, *r);
      if (quotient && *r == SqlType::kNumeric)
        return refuse(e,
                      "division of a numeric is not modelled: PostgreSQL chooses the "
                      "quotient's digits after the point");
      return r;
    }
    if (e.op == BinOp::kAdd) {
      if ((*l == SqlType::kDate && int4_or_less(*r)) || (int4_or_less(*l) && *r == SqlType::kDate))
        return SqlType::kDate;
      if ((*l == SqlType::kDate && *r == SqlType::kUnknown) ||
          (*l == SqlType::kUnknown && *r == SqlType::kDate))
        return fail("42725", std::string("operator is not unique: ") + sql_type_name(*l) + " + " +
                                 sql_type_name(*r));
    }
    if (e.op == BinOp::kSub && *l == SqlType::kDate) {
      if (int4_or_less(*r)) return SqlType::kDate;
      if (*r == SqlType::kDate) return SqlType::kInt;
      if (*r == SqlType::kUnknown) {
        read(*e.rhs, SqlType::kDate);
        return SqlType::kInt;
      }
    }
    if (e.op == BinOp::kSub && *l == SqlType::kUnknown && *r == SqlType::kDate) {
      read(*e.lhs, SqlType::kDate);
      return SqlType::kInt;
    }
    // 'x' - text is jsonb - text (the literal read as a jsonb): not modelled.
    if (e.op == BinOp::kSub && *l == SqlType::kUnknown && text_like(*r))
      return refuse(e, std::string("unknown - ") + sql_type_name(*r) +
                           " is jsonb's - operator (the left side read as a jsonb), which is not "
                           "modelled");
    // A timestamp with a quoted literal or another timestamp means an
    // interval, which ccsim does not model.
    bool timestamp = *l == SqlType::kTimestamp || *l == SqlType::kTimestampTz ||
                     *r == SqlType::kTimestamp || *r == SqlType::kTimestampTz;
    const bool two_datetimes = datetime(*l) && datetime(*r);  // + of two has no operator
    if (timestamp && (e.op == BinOp::kSub || (e.op == BinOp::kAdd && !two_datetimes)) &&
        (datetime(*l) || *l == SqlType::kUnknown) && (datetime(*r) || *r == SqlType::kUnknown))
      return refuse(e, std::string("an interval (") + sql_type_name(*l) + " " + op_sql(e.op) + " " +
                           sql_type_name(*r) + ") is not modelled");
    return missing();
  }

  // ---- Rule: a call's arguments have a common type (42804) ----------------------
  // As select_common_type: the first type that is not unknown, widened
  // within its category (int < bigint < numeric, date < timestamp <
  // timestamptz; text stays text); a type of another category is refused
  // naming the call (COALESCE, GREATEST, LEAST, CASE); all unknown is
  // text. Quoted literals are then read as that type, in `args`' order.
  std::optional<SqlType> common(const std::vector<const Expr*>& args,
                                const std::vector<std::optional<SqlType>>& types,
                                const char* context) {
    std::pair<SqlType, SqlType> mismatch;
    std::optional<SqlType> common = common_type(types, &mismatch);
    if (!common) {
      if (mismatch.first == SqlType::kUnknown) return std::nullopt;  // a type not known
      return fail("42804", std::string(context) + " types " + sql_type_name(mismatch.first) +
                               " and " + sql_type_name(mismatch.second) + " cannot be matched");
    }
    for (const Expr* a : args)
      if (a) read(*a, *common);
    return common;
  }

  // The arguments of one coalesce, greatest or least call, in order (later
  // ones nest to the right).
  static std::vector<const Expr*> arguments(const Expr& e) {
    std::vector<const Expr*> args;
    const Expr* at = &e;
    for (; at->kind == e.kind && (at == &e || at->continued); at = at->rhs.get())
      args.push_back(at->lhs.get());
    args.push_back(at);
    return args;
  }

  std::optional<SqlType> coalesce(const Expr& e) {
    std::vector<const Expr*> args = arguments(e);
    std::vector<std::optional<SqlType>> types;
    for (const Expr* a : args) types.push_back(expr(*a));
    return common(args, types, "COALESCE");
  }

  std::optional<SqlType> min_max(const Expr& e) {
    std::vector<const Expr*> args = arguments(e);
    std::vector<std::optional<SqlType>> types;
    for (const Expr* a : args) types.push_back(expr(*a));
    return common(args, types, e.kind == ExprKind::kGreatest ? "GREATEST" : "LEAST");
  }

  // ---- Rule: CASE's conditions are booleans, its results one type ---------------
  // As transformCaseExpr: each arm's condition (42804 "argument of
  // CASE/WHEN must be type boolean"), then its result; then the ELSE; the
  // common type is chosen with the ELSE first (NULL without one), and
  // quoted literals read as it, the ELSE's first.
  std::optional<SqlType> case_type(const Expr& e) {
    std::vector<const Expr*> results{nullptr};
    std::vector<std::optional<SqlType>> types{SqlType::kUnknown};
    const Expr* at = &e;
    for (;;) {
      const Expr& arm = *at->lhs;
      boolean(expr(*arm.lhs), *arm.lhs, "CASE/WHEN");
      results.push_back(arm.rhs.get());
      types.push_back(expr(*arm.rhs));
      const Expr* next = at->rhs.get();
      if (next && next->kind == ExprKind::kCase && next->continued) {
        at = next;
        continue;
      }
      if (next) {
        results[0] = next;
        types[0] = expr(*next);
      }
      break;
    }
    return common(results, types, "CASE");
  }

  // ---- Rule: an advisory-lock function takes a bigint (42883) ------------------
  // An int or bigint key, a quoted literal read as a bigint (22P02), or
  // NULL; any other type has no such function. The two-key form takes two
  // ints: a bigint there has no such function either. The lock forms
  // return void, the try forms a boolean.
  std::optional<SqlType> advisory(const Expr& e) { return advisory(e.call, *e.lhs, e.rhs.get()); }

 public:
  std::optional<SqlType> advisory(const AdvisoryCall& call, const Expr& key, const Expr* key2) {
    SqlType result = call.try_only ? SqlType::kBool : SqlType::kVoid;
    if (key2) {
      std::optional<SqlType> k = expr(key), k2 = expr(*key2);
      bool fits = true;
      for (std::pair<const Expr*, std::optional<SqlType>> arg : {std::pair{&key, k}, {key2, k2}}) {
        if (arg.second == SqlType::kUnknown && raise_ && quoted(*arg.first))
          integer_text(std::get<std::string>(arg.first->literal), ColumnType::kInt);
        fits =
            fits && (!arg.second || int4_or_less(*arg.second) || *arg.second == SqlType::kUnknown);
      }
      if (!fits && k && k2)
        fail("42883", "function " + call.function() + "(" + sql_type_name(*k) + ", " +
                          sql_type_name(*k2) + ") does not exist");
      return result;
    }
    std::optional<SqlType> k = expr(key);
    if (!k || int4_or_less(*k) || *k == SqlType::kBigInt) return result;
    if (*k == SqlType::kUnknown) {
      if (raise_ && quoted(key))
        integer_text(std::get<std::string>(key.literal), ColumnType::kBigInt);
      return result;
    }
    fail("42883", "function " + call.function() + "(" + sql_type_name(*k) + ") does not exist");
    return result;
  }

 private:
  const Table* table_named(const std::string& name) const {
    if (name.empty()) return env_.table;
    return env_.tables ? (*env_.tables)(name) : nullptr;
  }

  [[gnu::noinline]] std::optional<SqlType> subquery(const Expr& e) {
    const Table* t = table_named(e.name);
    if (!t) return std::nullopt;
    if (e.aggregate)
      return aggregate(*e.aggregate, *t);  // its WHERE: the statement's (analyze_values)
    // ---- Rule: a scalar subquery is a SELECT of its own --------------------------
    // Its select item, then its WHERE, typed over its own table.
    TypingEnv inner = env_;
    inner.table = t;
    Typer sub(inner, raise_);
    std::optional<SqlType> item = sub.expr(*e.lhs);
    if (e.rhs) sub.boolean(sub.expr(*e.rhs), *e.rhs, "WHERE");
    return e.exists ? std::optional(SqlType::kBool) : item;
  }

 public:
  // ---- Rule: the aggregates' argument types (42883) --------------------------------
  // count of anything is a bigint; sum of int a bigint, of bigint or numeric
  // a numeric, of anything else no function; min and max of a number, a
  // text or a datetime its type, of a boolean or a uuid no function.
  std::optional<SqlType> aggregate(const Aggregate& a, const Table& t) {
    if (a.kind == AggKind::kCountStar || a.kind == AggKind::kCount) return SqlType::kBigInt;
    int i = t.column_index(a.column);
    if (i < 0) return std::nullopt;
    SqlType c = sql_type_of(t.columns[static_cast<size_t>(i)]);
    if (a.kind == AggKind::kSum) {
      if (int4_or_less(c)) return SqlType::kBigInt;
      if (c == SqlType::kBigInt || c == SqlType::kNumeric) return SqlType::kNumeric;
    } else if (c != SqlType::kBool && c != SqlType::kUuid) {
      return c;
    }
    return fail("42883", std::string("function ") + to_sql(a.kind) + "(" + sql_type_name(c) +
                             ") does not exist");
  }

 private:
  const TypingEnv& env_;
  bool raise_;
};

// The column a VALUES item k of an INSERT goes to, or null.
const Column* insert_column(const InsertStmt& ins, const Table& t, size_t k) {
  int i = ins.columns.empty()      ? static_cast<int>(k)
          : k < ins.columns.size() ? t.column_index(ins.columns[k])
                                   : -1;
  if (i < 0 || static_cast<size_t>(i) >= t.columns.size()) return nullptr;
  return &t.columns[static_cast<size_t>(i)];
}

const Column* column_named(const Table& t, const std::string& name) {
  int i = t.column_index(name);
  return i < 0 ? nullptr : &t.columns[static_cast<size_t>(i)];
}

}  // namespace

std::optional<SqlType> type_of(const Expr& e, const TypingEnv& env) {
  return Typer(env, false).expr(e);
}

bool overridden(const InsertStmt& ins, const Column& c) {
  return ins.overriding == InsertStmt::Overriding::kUser && c.identity != Column::Identity::kNone;
}

namespace {

// ---- Rule: a GENERATED ALWAYS identity column takes no value it is given ----
// PostgreSQL's rewriter (rewriteTargetListIU), after parse analysis and
// before planning, whether or not a row is ever made: an INSERT that gives
// such a column anything but DEFAULT, without OVERRIDING SYSTEM VALUE, and
// an UPDATE (ON CONFLICT's, MERGE's) that sets it to anything but DEFAULT
// fail with 428C9, naming the first such column in the table's order.
void refuse_identity_values(const StepBody& body, const Table& t) {
  auto always = [&](size_t i) { return t.columns[i].identity == Column::Identity::kAlways; };
  auto inserted = [&](const InsertStmt& ins) {
    if (ins.overriding != InsertStmt::Overriding::kNone) return;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (!always(i)) continue;
      for (const auto& row : ins.rows)
        for (size_t k = 0; k < row.size(); ++k)
          if (insert_column(ins, t, k) == &t.columns[i] && row[k]->kind != ExprKind::kDefault)
            throw SqlError("428C9", "cannot insert a non-DEFAULT value into column \"" +
                                        t.columns[i].name + "\"");
    }
  };
  auto updated = [&](const std::vector<Assignment>& sets) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (!always(i)) continue;
      for (const Assignment& a : sets)
        if (a.column == t.columns[i].name && a.value && a.value->kind != ExprKind::kDefault)
          throw SqlError("428C9",
                         "column \"" + t.columns[i].name + "\" can only be updated to DEFAULT");
    }
  };
  if (auto* merge = std::get_if<MergeStmt>(&body)) {
    for (const MergeAction& a : merge->actions) {
      if (a.kind == MergeAction::Kind::kInsert) inserted(a.insert);
      if (a.kind == MergeAction::Kind::kUpdate) updated(a.update.sets);
    }
  } else if (auto* upd = std::get_if<UpdateStmt>(&body)) {
    updated(upd->sets);
  } else if (auto* ins = std::get_if<InsertStmt>(&body)) {
    inserted(*ins);
    if (ins->on_conflict) updated(ins->on_conflict->sets);
  }
}

void analyze_clauses(const StepBody& body, const Table& t, const TypingEnv& outer);

}  // namespace

void analyze_statement(const StepBody& body, const Table& t, const TypingEnv& outer) {
  analyze_clauses(body, t, outer);
  if (std::any_of(t.columns.begin(), t.columns.end(),
                  [](const Column& c) { return c.identity == Column::Identity::kAlways; }))
    refuse_identity_values(body, t);
}

namespace {

void analyze_clauses(const StepBody& body, const Table& t, const TypingEnv& outer) {
  TypingEnv env = outer;
  env.table = &t;
  Typer typer(env, true);
  auto where = [&](const ExprPtr& w) {
    if (w) typer.boolean(typer.expr(*w), *w, "WHERE");
  };
  auto returning = [&](const std::optional<Returning>& r) {
    if (r)
      for (const ExprPtr& e : r->items) typer.expr(*e);
  };
  auto sets = [&](const std::vector<Assignment>& assignments) {
    for (const Assignment& a : assignments)
      if (const Column* c = column_named(t, a.column); c && a.value)
        typer.assign(*a.value, typer.expr(*a.value), *c);
  };
  auto values = [&](const InsertStmt& ins) {
    for (const auto& row : ins.rows) {
      std::vector<std::optional<SqlType>> types;
      for (const ExprPtr& e : row) types.push_back(typer.expr(*e));
      // INSERT ... SELECT: the SELECT's WHERE, then the row's assignment.
      if (ins.where) typer.boolean(typer.expr(*ins.where), *ins.where, "WHERE");
      for (size_t k = 0; k < row.size(); ++k)
        if (const Column* c = insert_column(ins, t, k)) typer.assign(*row[k], types[k], *c);
    }
  };
  // In the order PostgreSQL's parser reads the clauses (transformSelectStmt,
  // transformUpdateStmt, transformInsertStmt, transformDeleteStmt,
  // transformMergeStmt: the join condition, then each action's condition
  // and its list).
  if (auto* merge = std::get_if<MergeStmt>(&body)) {
    // ---- Rule: MERGE's join condition is boolean ------------------------------
    // PostgreSQL 15 does not check it (transformMergeStmt does not coerce
    // it) and runs an integer one as true when it is not 0: not modelled.
    for (size_t k = 0; k < merge->rows(); ++k) {
      const MergeStmt& m = merge->row(k);
      if (m.on)
        if (std::optional<SqlType> on = typer.expr(*m.on);
            on && *on != SqlType::kBool && *on != SqlType::kUnknown)
          typer.refuse(*m.on, std::string("a MERGE join condition of type ") + sql_type_name(*on) +
                                  " is not modelled; write a boolean condition (PostgreSQL "
                                  "15 does not check that it is one)");
      for (const MergeAction& a : m.actions) {
        if (a.condition) typer.boolean(typer.expr(*a.condition), *a.condition, "WHEN");
        sets(a.update.sets);
        values(a.insert);
      }
    }
    return;
  }
  if (auto* sel = std::get_if<SelectStmt>(&body)) {
    for (const ExprPtr& e : sel->items) typer.expr(*e);
    for (const Aggregate& a : sel->aggregates) typer.aggregate(a, t);
    where(sel->where);
  } else if (auto* upd = std::get_if<UpdateStmt>(&body)) {
    where(upd->where);
    returning(upd->returning);
    sets(upd->sets);
  } else if (auto* del = std::get_if<DeleteStmt>(&body)) {
    where(del->where);
    returning(del->returning);
  } else if (auto* ins = std::get_if<InsertStmt>(&body)) {
    values(*ins);
    if (ins->on_conflict) {
      sets(ins->on_conflict->sets);
      where(ins->on_conflict->where);
    }
    returning(ins->returning);
  }
}

}  // namespace

void analyze_advisory(const AdvisoryStmt& adv, const TypingEnv& env) {
  Typer typer(env, true);
  for (const AdvisoryItem& item : adv.items)
    if (item.key) typer.advisory(item.call, *item.key, item.key2.get());
}

void analyze_values(const SelectValuesStmt& values, const TypingEnv& env) {
  Typer typer(env, true);
  for (const ExprPtr& e : values.items) typer.expr(*e);
  // A select list over aggregates shares one WHERE (parser.cc,
  // aggregate_values), typed after the list as the statement's own.
  std::vector<const Expr*> wheres;
  std::vector<const Expr*> stack;
  for (const ExprPtr& e : values.items) stack.push_back(e.get());
  while (!stack.empty()) {
    const Expr* e = stack.back();
    stack.pop_back();
    if (e->kind == ExprKind::kSubquery && e->aggregate) {
      if (e->rhs && std::find(wheres.begin(), wheres.end(), e->rhs.get()) == wheres.end()) {
        TypingEnv inner = env;
        inner.table = env.tables ? (*env.tables)(e->name) : nullptr;
        if (inner.table) {
          Typer sub(inner, true);
          sub.boolean(sub.expr(*e->rhs), *e->rhs, "WHERE");
        }
        wheres.push_back(e->rhs.get());
      }
      continue;
    }
    if (e->rhs) stack.push_back(e->rhs.get());
    if (e->lhs) stack.push_back(e->lhs.get());
  }
}

namespace {

// ---- Rule: the planner computes constant parts first (eval_const_expressions) --
// Before a row is read, every part of an expression made of constants
// (literals, and parameters, which an unnamed statement's custom plan
// treats as constants) is computed, bottom up and left to right, and its
// error fails the statement: UPDATE t SET v = v + 1/0 WHERE id = 5 fails
// with no row 5. AND stops at a constant false (OR at a true), dropping
// what follows uncomputed; a constant true (false) operand is dropped;
// COALESCE stops at its first constant that is not NULL; a strict operator
// with a NULL constant operand is NULL without being called. A scalar
// subquery left in an expression is planned after it: its item, then its
// WHERE. Columns, DEFAULT, current_setting (stable) and the advisory-lock
// functions (volatile) are not constants; || with a non-text operand and
// comparisons across date, timestamp and timestamptz are stable and are
// not computed either.
class Folder {
 public:
  explicit Folder(const TypingEnv& env, bool leaves_only = false)
      : env_(env), leaves_only_(leaves_only) {
    eval_.table = env.table;  // for types only: a constant reads no column
    eval_.vars = env.vars;
    eval_.in_sql = true;
    eval_.tables = env.tables;
  }

  // Folds one expression of a list (a target list, a WHERE, ...), assigned
  // to a column or not; end() closes the list.
  void item(const Expr* e, const Column* column = nullptr) {
    if (!e) return;
    std::optional<Value> v = fold(*e);
    // A constant assigned to a column is converted there and then, when
    // the conversion is immutable.
    if (v && column && e->kind != ExprKind::kDefault && immutable_assignment(*e, *column))
      fit(*v, *column, is_unknown_literal(*e));
  }
  // Ends a list: the subqueries left in it are planned.
  void end() {
    if (subs_.empty()) return;
    std::vector<const Expr*> subs = std::move(subs_);
    subs_.clear();
    for (const Expr* q : subs) subquery(*q);
  }
  void group(const Expr* e) {
    item(e);
    end();
  }

 private:
  using Folded = std::optional<Value>;  // engaged: a constant, with its value

  // Dispatches by kind, each kind with state in a frame of its own: fold
  // recurses once per operator of a chain (up to the parser's 2000).
  Folded fold(const Expr& e) {
    if (leaves_only_ && e.kind != ExprKind::kLiteral && e.kind != ExprKind::kParam)
      return std::nullopt;
    switch (e.kind) {
      case ExprKind::kLiteral:
      case ExprKind::kParam:
        return leaf(e);
      case ExprKind::kColumn:
      case ExprKind::kDefault:
      case ExprKind::kCurrentSetting:
      case ExprKind::kSequence:  // volatile: computed where it stands
      case ExprKind::kWhen:      // folded by its CASE
        return std::nullopt;
      case ExprKind::kCaseFold:  // computed when the row is: it cannot fail on a text
        fold(*e.lhs);
        return std::nullopt;
      case ExprKind::kFunction:
        return function(e);
      case ExprKind::kSubquery:
        if (!e.aggregate) subs_.push_back(&e);  // an aggregate is no subquery of its own
        return std::nullopt;
      case ExprKind::kAdvisory:
      case ExprKind::kNeg:
      case ExprKind::kNot:
      case ExprKind::kIsNull:
      case ExprKind::kIsNotNull:
      case ExprKind::kBoolTest:
      case ExprKind::kCast:
        return unary(e);
      case ExprKind::kCoalesce:
        return coalesce(e);
      case ExprKind::kGreatest:
      case ExprKind::kLeast:
        return min_max(e);
      case ExprKind::kCase:
        return case_fold(e);
      case ExprKind::kBinary:
        if (e.op == BinOp::kAnd || e.op == BinOp::kOr) return boolean(e);
        return strict(e);
      case ExprKind::kIsDistinct:
      case ExprKind::kIsNotDistinct:
        return distinct(e);
      case ExprKind::kNullIf:
        return nullif_fold(e);
      case ExprKind::kLike:
        return strict(e);
    }
    return std::nullopt;
  }

  // nullif: a NULL constant on either side makes it its first argument
  // (NULL never equals); two other constants are computed when the =
  // operator is immutable, as eval_const_expressions does.
  [[gnu::noinline]] Folded nullif_fold(const Expr& e) {
    size_t mark = subs_.size();
    Folded l = fold(*e.lhs);
    Folded r = fold(*e.rhs);
    if ((l && is_null(*l)) || (r && is_null(*r))) {
      if (!l) return std::nullopt;  // the first argument stays, computed per row
      subs_.resize(mark);
      return nullif_value(e, std::move(*l), Value{Null{}}, eval_);
    }
    if (!l || !r || !immutable(e)) return std::nullopt;
    subs_.resize(mark);
    return nullif_value(e, std::move(*l), std::move(*r), eval_);
  }

  // IS [NOT] DISTINCT FROM is not strict: computed only when both sides
  // are constants (two NULLs are not distinct, one NULL is; else the =
  // operator, when immutable), as eval_const_expressions does.
  [[gnu::noinline]] Folded distinct(const Expr& e) {
    size_t mark = subs_.size();
    Folded l = fold(*e.lhs);
    Folded r = fold(*e.rhs);
    if (!l || !r) return std::nullopt;
    bool same = false;
    if (is_null(*l) || is_null(*r)) {
      same = is_null(*l) && is_null(*r);
    } else {
      if (!immutable(e)) return std::nullopt;
      same = comparison_value(e, std::move(*l), std::move(*r), eval_) == true;
    }
    subs_.resize(mark);
    return Value{same == (e.kind == ExprKind::kIsNotDistinct)};
  }

  [[gnu::noinline]] Folded leaf(const Expr& e) { return eval_value(e, eval_); }

  // One operand: an advisory lock's key (strict: a NULL key is NULL, the
  // lock never taken; the two-key form's second key is its rhs), -, NOT,
  // IS [NOT] NULL, a cast.
  [[gnu::noinline]] Folded unary(const Expr& e) {
    size_t mark = subs_.size();
    Folded v = fold(*e.lhs);
    if (e.kind == ExprKind::kAdvisory && e.rhs) {
      Folded v2 = fold(*e.rhs);
      if (!(v && is_null(*v)) && !(v2 && is_null(*v2))) return std::nullopt;
      subs_.resize(mark);
      return Value{Null{}};
    }
    if (!v) return std::nullopt;
    switch (e.kind) {
      case ExprKind::kAdvisory:
        if (!is_null(*v)) return std::nullopt;
        subs_.resize(mark);
        return Value{Null{}};
      case ExprKind::kNeg:
        return negated_value(e, *v, eval_);
      case ExprKind::kNot: {
        std::optional<bool> b = truth(*e.lhs, *v);
        return b ? Value{!*b} : Value{Null{}};
      }
      case ExprKind::kIsNull:
      case ExprKind::kIsNotNull:
        subs_.resize(mark);
        return Value{is_null(*v) == (e.kind == ExprKind::kIsNull)};
      case ExprKind::kBoolTest: {
        std::optional<bool> b = truth(*e.lhs, *v);
        subs_.resize(mark);
        return Value{bool_test(e.name, b)};
      }
      default:
        return cast(e, std::move(*v));
    }
  }

  Folded cast(const Expr& e, Value v) {
    std::optional<SqlType> from =
        is_unknown_literal(*e.lhs) ? std::optional(SqlType::kUnknown) : type_of(*e.lhs, env_);
    SqlType to = sql_type_of(*e.cast_to);
    // A datetime's text (DateStyle), a text's datetime, and a move to or
    // from timestamptz (TimeZone) are stable: converted per row.
    if (from && *from != SqlType::kUnknown && *from != to &&
        ((datetime(*from) &&
          (text_like(to) || to == SqlType::kTimestampTz || *from == SqlType::kTimestampTz)) ||
         (text_like(*from) && datetime(to))))
      return std::nullopt;
    return cast_value(v, from, *e.cast_to);
  }

  // greatest, least: every argument folded; computed when all are constants.
  [[gnu::noinline]] Folded min_max(const Expr& e) {
    std::vector<std::pair<const Expr*, Value>> args;
    bool open = false;
    const Expr* at = &e;
    for (;; at = at->rhs.get()) {
      const bool more = at->kind == e.kind && (at == &e || at->continued);
      const Expr* arg = more ? at->lhs.get() : at;
      Folded v = fold(*arg);
      if (v)
        args.emplace_back(arg, std::move(*v));
      else
        open = true;
      if (!more) break;
    }
    if (open) return std::nullopt;
    return min_max_value(e, std::move(args), eval_);
  }

  // CASE: an arm whose condition is a constant false or NULL is dropped
  // (its result not computed); a constant true ends the CASE (its result
  // is the value, later arms and the ELSE dropped); other arms' results are
  // folded. With no arm left the CASE is its ELSE (or that result).
  [[gnu::noinline]] Folded case_fold(const Expr& e) {
    bool kept = false;
    const Expr* at = &e;
    const Expr* chosen = nullptr;
    Folded value;
    for (;;) {
      const Expr& arm = *at->lhs;
      Folded c = fold(*arm.lhs);
      std::optional<bool> holds = c ? truth(*arm.lhs, *c) : std::nullopt;
      const bool always = holds && *holds;
      if (!c || always) {
        Folded r = fold(*arm.rhs);
        if (always) {  // a constant true: the value
          chosen = arm.rhs.get();
          value = std::move(r);
          break;
        }
        kept = true;
      }
      const Expr* next = at->rhs.get();
      if (next && next->kind == ExprKind::kCase && next->continued) {
        at = next;
        continue;
      }
      chosen = next;
      value = next ? fold(*next) : Folded{Value{Null{}}};
      break;
    }
    if (kept || !value) return std::nullopt;
    return chosen ? argument_value(e, *chosen, std::move(*value), eval_) : *value;
  }

  std::optional<bool> truth(const Expr& x, const Value& v) {
    if (is_null(v)) return std::nullopt;
    if (auto* b = std::get_if<bool>(&v)) return *b;
    if (auto* text = std::get_if<std::string>(&v); text && is_unknown_literal(x))
      return boolean_text(*text);
    return std::nullopt;
  }

  // abs, round, floor, ceil, length: immutable and strict, so computed when
  // every argument is a constant (abs(-2147483648::int) fails here).
  [[gnu::noinline]] Folded function(const Expr& e) {
    size_t mark = subs_.size();
    Folded a = fold(*e.lhs);
    Folded b = e.rhs ? fold(*e.rhs) : Folded{Value{}};
    if ((a && is_null(*a)) || (e.rhs && b && is_null(*b))) {
      subs_.resize(mark);
      return Value{Null{}};
    }
    if (!a || !b) return std::nullopt;
    return function_value(e, std::move(*a), std::move(*b), eval_);
  }

  // An operator: both operands folded, then computed when both are
  // constants and the operator is immutable (LIKE's always is: a pattern
  // error of two constants is raised here).
  [[gnu::noinline]] Folded strict(const Expr& e) {
    size_t mark = subs_.size();
    Folded l = fold(*e.lhs);
    Folded r = fold(*e.rhs);
    if ((l && is_null(*l)) || (r && is_null(*r))) {
      subs_.resize(mark);
      return Value{Null{}};
    }
    if (l && r && e.kind == ExprKind::kLike)
      return like_value(e, std::move(*l), std::move(*r), eval_);
    if (!l || !r || !immutable(e)) return std::nullopt;
    if (e.op >= BinOp::kEq && e.op != BinOp::kConcat) {
      std::optional<bool> c = comparison_value(e, std::move(*l), std::move(*r), eval_);
      return c ? Value{*c} : Value{Null{}};
    }
    return binary_value(e, std::move(*l), std::move(*r), eval_);
  }

  // Whether assigning e to column c is an immutable conversion, which the
  // planner computes: a datetime written as text (date_out reads DateStyle)
  // or moved across time zones (to or from timestamptz) is stable, and is
  // converted only when a row is written.
  bool immutable_assignment(const Expr& e, const Column& c) {
    // A :param (bigint, numeric, boolean or text) and an untyped literal
    // convert immutably (a quoted one was read at parse time).
    if (e.kind == ExprKind::kParam || (e.kind == ExprKind::kLiteral && !e.typed)) return true;
    std::optional<SqlType> from = type_of(e, env_);
    if (!from) return false;
    SqlType to = sql_type_of(c);
    if (!datetime(*from) || *from == to) return true;
    if (text_like(to)) return false;
    return *from != SqlType::kTimestampTz && to != SqlType::kTimestampTz;
  }

  bool immutable(const Expr& e) {
    std::optional<SqlType> l = type_of(*e.lhs, env_), r = type_of(*e.rhs, env_);
    if (!l || !r) return false;
    auto text = [](SqlType t) { return text_like(t) || t == SqlType::kUnknown; };
    // anytextcat is a stable SQL function, inlined as x::text || y: the
    // cast is immutable for numbers and booleans, stable for datetimes
    // (their output reads DateStyle and TimeZone).
    if (e.op == BinOp::kConcat) return (text(*l) || !datetime(*l)) && (text(*r) || !datetime(*r));
    if (e.op >= BinOp::kEq) {
      bool ltz = *l == SqlType::kTimestampTz, rtz = *r == SqlType::kTimestampTz;
      auto other = [](SqlType t) { return t == SqlType::kDate || t == SqlType::kTimestamp; };
      return !((ltz && other(*r)) || (rtz && other(*l)));
    }
    return true;
  }

  // The operands of a chain of one connective, flattened left to right as
  // PostgreSQL flattens nested ANDs (ORs). An IN list (parser.cc, in_list)
  // is an OR of its comparisons, except that two or more items without a
  // column become one = ANY (ARRAY[...]) first, all of whose items are
  // computed; the items with a column stay comparisons of their own.
  struct Operand {
    const Expr* e = nullptr;       // an operand
    std::vector<const Expr*> any;  // or: the = ANY's comparisons
  };

  void flatten(const Expr& e, BinOp op, std::vector<Operand>& out) {
    if (e.kind == ExprKind::kBinary && e.op == op && !(op == BinOp::kOr && e.in_list)) {
      flatten(*e.lhs, op, out);
      flatten(*e.rhs, op, out);
      return;
    }
    if (op == BinOp::kOr && e.kind == ExprKind::kBinary && e.op == BinOp::kOr && e.in_list) {
      std::vector<const Expr*> comparisons;  // x = item, in the list's order
      const Expr* at = &e;
      while (at->kind == ExprKind::kBinary && at->op == BinOp::kOr && at->in_list) {
        comparisons.push_back(at->rhs.get());
        at = at->lhs.get();
      }
      comparisons.push_back(at);
      std::reverse(comparisons.begin(), comparisons.end());
      Operand any;
      std::vector<Operand> columns;
      for (const Expr* c : comparisons) {
        if (has_column(*c->rhs))
          columns.push_back(Operand{c, {}});
        else
          any.any.push_back(c);
      }
      if (any.any.size() < 2) {
        for (const Expr* c : comparisons) out.push_back(Operand{c, {}});
        return;
      }
      out.push_back(std::move(any));
      for (Operand& c : columns) out.push_back(std::move(c));
      return;
    }
    out.push_back(Operand{&e, {}});
  }

  // x = ANY (ARRAY[items]): x, then every item, computed; constant when all are.
  Folded any(const std::vector<const Expr*>& comparisons) {
    Folded x = fold(*comparisons.front()->lhs);
    std::vector<Folded> items;
    for (const Expr* c : comparisons) items.push_back(fold(*c->rhs));
    if (!x) return std::nullopt;
    for (const Folded& v : items)
      if (!v) return std::nullopt;
    bool unknown = false;
    for (size_t k = 0; k < comparisons.size(); ++k) {
      std::optional<bool> c = comparison_value(*comparisons[k], *x, *items[k], eval_);
      if (c && *c) return Value{true};
      unknown |= !c;
    }
    return unknown ? Value{Null{}} : Value{false};
  }

  [[gnu::noinline]] Folded boolean(const Expr& e) {
    std::vector<Operand> operands;
    flatten(e, e.op, operands);
    const bool decides = e.op == BinOp::kOr;  // true decides OR, false AND
    size_t mark = subs_.size();
    bool null = false, open = false;
    for (const Operand& o : operands) {
      Folded v = o.any.empty() ? fold(*o.e) : any(o.any);
      if (!v) {
        open = true;
        continue;
      }
      std::optional<bool> b = o.any.empty() ? truth(*o.e, *v) : truth(*o.any.front(), *v);
      if (!b) {
        null = true;
      } else if (*b == decides) {
        subs_.resize(mark);
        return Value{decides};
      }
    }
    if (open) return std::nullopt;
    return null ? Value{Null{}} : Value{!decides};
  }

  // COALESCE: its arguments in order; NULL constants dropped; the first
  // other constant ends it (the value itself when nothing came before).
  [[gnu::noinline]] Folded coalesce(const Expr& e) {
    size_t mark = subs_.size();
    bool open = false;
    const Expr* at = &e;
    for (;;) {
      const bool more = at == &e || (at->kind == ExprKind::kCoalesce && at->continued);
      const Expr* arg = more ? at->lhs.get() : at;
      Folded v = fold(*arg);
      if (v && !is_null(*v)) {
        if (open) return std::nullopt;
        subs_.resize(mark);
        return argument_value(e, *arg, std::move(*v), eval_);
      }
      if (!v) open = true;
      if (!more) break;
      at = at->rhs.get();
    }
    if (open) return std::nullopt;
    subs_.resize(mark);
    return Value{Null{}};
  }

  // A scalar subquery is planned as a query of its own: its item, then its
  // WHERE, over its own table.
  void subquery(const Expr& q) {
    TypingEnv inner = env_;
    inner.table = env_.tables ? (*env_.tables)(q.name) : nullptr;
    if (!inner.table) return;
    Folder sub(inner);
    if (!q.exists) sub.group(q.lhs.get());  // EXISTS's item is dropped unplanned
    sub.group(q.rhs.get());
  }

  const TypingEnv& env_;
  bool leaves_only_;
  EvalEnv eval_;
  std::vector<const Expr*> subs_;
};

// Folds an assignment list in the order of the table's columns: PostgreSQL's
// rewriter sorts an UPDATE's SET list (and a single VALUES row) that way
// before planning.
template <typename Each>
void by_attribute(Folder& folder, const Table& t, size_t n, const Each& each) {
  if (n == 1) {  // one: no order to find
    const auto [name, e] = each(0);
    if (int i = e ? t.column_index(*name) : -1; i >= 0)
      folder.item(e, &t.columns[static_cast<size_t>(i)]);
    folder.end();
    return;
  }
  for (size_t i = 0; i < t.columns.size(); ++i)
    for (size_t k = 0; k < n; ++k)
      if (const auto [name, e] = each(k); e && *name == t.columns[i].name)
        folder.item(e, &t.columns[i]);
  folder.end();
}

}  // namespace

void plan_statement(const StepBody& body, const Table& t, const TypingEnv& outer, bool folds) {
  TypingEnv env = outer;
  env.table = &t;
  Folder folder(env, !folds);
  auto returning = [&](const std::optional<Returning>& r) {
    if (!r) return;
    for (const ExprPtr& e : r->items) folder.item(e.get());
    folder.end();
  };
  auto sets = [&](const std::vector<Assignment>& assignments) {
    by_attribute(folder, t, assignments.size(), [&](size_t k) {
      return std::pair{&assignments[k].column, assignments[k].value.get()};
    });
  };
  // MERGE: each action's list (its SET in the table's column order, its
  // row), then the join condition and the actions' conditions.
  if (auto* given = std::get_if<MergeStmt>(&body)) {
    // A source of several rows is not folded into the statement: its
    // columns are values the plan reads, as the printer's copy has them.
    const MergeStmt* merge = given->printed ? given->printed.get() : given;
    // The source's rows are computed first: a text that is no number, where
    // the column's type is a number, fails before anything runs.
    for (const auto& row : given->source_rows)
      for (const ExprPtr& v : row) folder.group(v.get());
    static const std::string none;
    for (const MergeAction& a : merge->actions) {
      sets(a.update.sets);
      for (const auto& row : a.insert.rows)
        by_attribute(folder, t, row.size(), [&](size_t k) {
          const Column* c = insert_column(a.insert, t, k);
          return std::pair{c ? &c->name : &none, c ? row[k].get() : nullptr};
        });
    }
    folder.group(merge->on.get());
    for (const MergeAction& a : merge->actions) folder.group(a.condition.get());
    return;
  }
  // In the order subquery_planner preprocesses them: the target list, RETURNING,
  // the WHERE, ON CONFLICT's SET and WHERE, then a multi-row VALUES list.
  if (auto* sel = std::get_if<SelectStmt>(&body)) {
    for (const ExprPtr& e : sel->items) folder.item(e.get());
    folder.end();
    folder.group(sel->where.get());
  } else if (auto* upd = std::get_if<UpdateStmt>(&body)) {
    sets(upd->sets);
    returning(upd->returning);
    folder.group(upd->where.get());
  } else if (auto* del = std::get_if<DeleteStmt>(&body)) {
    returning(del->returning);
    folder.group(del->where.get());
  } else if (auto* ins = std::get_if<InsertStmt>(&body)) {
    if (ins->rows.size() == 1) {
      const std::vector<ExprPtr>& row = ins->rows[0];
      static const std::string none;
      by_attribute(folder, t, row.size(), [&](size_t k) {
        const Column* c = insert_column(*ins, t, k);
        return std::pair{c ? &c->name : &none, c && !overridden(*ins, *c) ? row[k].get() : nullptr};
      });
    }
    folder.group(ins->where.get());  // INSERT ... SELECT's WHERE, after its row
    returning(ins->returning);
    if (ins->on_conflict) {
      sets(ins->on_conflict->sets);
      folder.group(ins->on_conflict->where.get());
    }
    if (ins->rows.size() > 1) {
      for (const auto& row : ins->rows)
        for (size_t k = 0; k < row.size(); ++k)
          if (const Column* c = insert_column(*ins, t, k); !c || !overridden(*ins, *c))
            folder.item(row[k].get(), c);
      folder.end();
    }
  }
}

void plan_advisory(const AdvisoryStmt& adv, const TypingEnv& env) {
  Folder folder(env);
  for (const AdvisoryItem& item : adv.items) {
    folder.item(item.key.get());
    folder.item(item.key2.get());
  }
  folder.end();
}

void plan_values(const SelectValuesStmt& values, const TypingEnv& env) {
  Folder folder(env);
  for (const ExprPtr& e : values.items) folder.item(e.get());
  folder.end();
  // The aggregates' shared WHERE, over their table (analyze_values).
  std::vector<const Expr*> stack, wheres;
  for (const ExprPtr& e : values.items) stack.push_back(e.get());
  while (!stack.empty()) {
    const Expr* e = stack.back();
    stack.pop_back();
    if (e->kind == ExprKind::kSubquery && e->aggregate) {
      if (e->rhs && std::find(wheres.begin(), wheres.end(), e->rhs.get()) == wheres.end()) {
        TypingEnv inner = env;
        inner.table = env.tables ? (*env.tables)(e->name) : nullptr;
        if (inner.table) Folder(inner).group(e->rhs.get());
        wheres.push_back(e->rhs.get());
      }
      continue;
    }
    if (e->rhs) stack.push_back(e->rhs.get());
    if (e->lhs) stack.push_back(e->lhs.get());
  }
}

}  // namespace ccsim
