#include "lang/eval.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/datestyle.h"
#include "core/text.h"
#include "lang/lexer.h"
#include "lang/typing.h"
#include "store/store.h"

namespace ccsim {

namespace {

// A character(n) value as a text: without its trailing blanks (all of
// them, for one of blanks only).
void trim_trailing_blanks(std::string& text) {
  text.resize(text.find_last_not_of(' ') + 1);  // npos + 1 is 0
}

const char* type_name(const Value& v) {
  if (std::holds_alternative<int64_t>(v)) return "integer";
  if (std::holds_alternative<std::string>(v)) return "text";
  if (std::holds_alternative<bool>(v)) return "boolean";
  if (std::holds_alternative<Decimal>(v)) return "numeric";
  return "unknown";
}

[[noreturn]] void too_many_digits() {
  throw SqlError("0A000", "a numeric of more than " + std::to_string(Decimal::kMaxDigits) +
                              " digits, or more than " + std::to_string(Decimal::kMaxScale) +
                              " after its point, is not modelled");
}

// ---- Rule: arithmetic on numerics with a fraction ------------------------------
// + and - give the larger scale of the two, * the sum of their scales
// (PostgreSQL's add_var, sub_var and mul_var keep every digit). / and % of
// a numeric with a fraction are not modelled: PostgreSQL chooses their
// scale from the operands' digits (select_div_scale).
Value decimal_arith(BinOp op, const Value& a, const Value& b) {
  const int sa = scale_of(a), sb = scale_of(b);
  if (op == BinOp::kDiv || op == BinOp::kMod)
    throw SqlError("0A000", std::string("the ") + (op == BinOp::kDiv ? "division" : "remainder") +
                                " of a numeric with a fraction is not modelled");
  const int s = op == BinOp::kMul ? sa + sb : std::max(sa, sb);
  std::optional<__int128> x = units_at(a, op == BinOp::kMul ? sa : s),
                          y = units_at(b, op == BinOp::kMul ? sb : s);
  __int128 r = 0;
  if (!x || !y || (op == BinOp::kAdd && __builtin_add_overflow(*x, *y, &r)) ||
      (op == BinOp::kSub && __builtin_sub_overflow(*x, *y, &r)) ||
      (op == BinOp::kMul && __builtin_mul_overflow(*x, *y, &r)))
    too_many_digits();
  std::optional<Value> v = number_value(r, s);
  if (!v) too_many_digits();
  return *v;
}

[[noreturn]] void overflow(bool int4) {
  throw SqlError("22003", int4 ? "integer out of range" : "bigint out of range");
}
[[noreturn]] void overflow_int2() {
  throw SqlError("22003", "smallint out of range");
}

// 64-bit integer arithmetic: past 64 bits "bigint out of range" (an int
// result past int4's range is binary_value's to refuse).
int64_t arith(BinOp op, int64_t a, int64_t b) {
  int64_t r = 0;
  switch (op) {
    case BinOp::kAdd:
      if (__builtin_add_overflow(a, b, &r)) overflow(false);
      return r;
    case BinOp::kSub:
      if (__builtin_sub_overflow(a, b, &r)) overflow(false);
      return r;
    case BinOp::kMul:
      if (__builtin_mul_overflow(a, b, &r)) overflow(false);
      return r;
    case BinOp::kDiv:
    case BinOp::kMod:
      if (b == 0) throw SqlError("22012", "division by zero");
      if (a == std::numeric_limits<int64_t>::min() && b == -1) {
        if (op == BinOp::kMod) return 0;
        overflow(false);
      }
      return op == BinOp::kDiv ? a / b : a % b;  // truncates toward zero, as PostgreSQL
    default:
      return 0;
  }
}

bool outside_int4(int64_t v) {
  return v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max();
}
bool outside_int2(int64_t v) {
  return v < std::numeric_limits<int16_t>::min() || v > std::numeric_limits<int16_t>::max();
}

TypingEnv typing_env(const EvalEnv& env) {
  return TypingEnv{env.table, env.vars, env.tables};
}

// ---- Rule: an int operation stays an int (22003) ---------------------------------
// In SQL, int (int4) with int or smallint, or with a quoted literal read as
// one, is computed as int4: a result past its range is "integer out of
// range", even where a bigint would hold it. smallint with smallint (or a
// quoted literal) is computed as int2: "smallint out of range". Asked only
// when the result is past int2's range; nothing for a wider operation.
std::optional<SqlType> narrow_operation(const Expr& e, const EvalEnv& env) {
  if (!env.in_sql) return std::nullopt;
  TypingEnv t = typing_env(env);
  std::optional<SqlType> l = type_of(*e.lhs, t), r = type_of(*e.rhs, t);
  if (!l || !r) return std::nullopt;
  auto narrow = [](SqlType x) {
    return x == SqlType::kInt || x == SqlType::kSmallInt || x == SqlType::kUnknown;
  };
  if (!narrow(*l) || !narrow(*r) || (*l == SqlType::kUnknown && *r == SqlType::kUnknown))
    return std::nullopt;
  return *l == SqlType::kInt || *r == SqlType::kInt ? SqlType::kInt : SqlType::kSmallInt;
}

// ---- Rule: date arithmetic -------------------------------------------------------
// date + integer and integer + date move the date by that many days, date -
// integer moves it back, date - date is the days between (a quoted literal
// beside - is read as a date). Past PostgreSQL's dates (4714 BC to 5874897
// AD) it is 22008 "date out of range"; outside the years 1 to 9999, which
// ccsim's dates hold, it is not modelled (0A000).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;  // days since 1970-01-01
}

std::string civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  auto pad = [](int64_t v, size_t width) {
    std::string digits = std::to_string(v);
    return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
  };
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
}

// A stored date ('YYYY-MM-DD') as days since 1970-01-01.
int64_t day_number(const std::string& date) {
  auto part = [&](size_t at, size_t n) {
    int64_t v = 0;
    for (size_t k = at; k < at + n && k < date.size(); ++k) v = v * 10 + (date[k] - '0');
    return v;
  };
  return days_from_civil(part(0, 4), part(5, 2), part(8, 2));
}

Value date_from_days(int64_t days) {
  // PostgreSQL's range, in days since 1970-01-01: Julian day 0 to 5874898-01-01.
  constexpr int64_t kFirst = -2440588, kEnd = 2147483494 - 2440588;
  if (days < kFirst || days >= kEnd) throw SqlError("22008", "date out of range");
  if (days < days_from_civil(1, 1, 1) || days > days_from_civil(9999, 12, 31))
    throw SqlError("0A000", "a date outside the years 1 to 9999 is not modelled");
  return civil_from_days(days);
}

std::optional<Value> date_arith(const Expr& e, const Value& a, const Value& b, const EvalEnv& env) {
  if (!env.in_sql || (e.op != BinOp::kAdd && e.op != BinOp::kSub)) return std::nullopt;
  TypingEnv t = typing_env(env);
  auto date_of = [&](const Expr& x, const Value& v, bool literal) -> std::optional<int64_t> {
    auto* text = std::get_if<std::string>(&v);
    if (!text) return std::nullopt;
    if (type_of(x, t) == SqlType::kDate) return day_number(*text);
    if (literal && is_unknown_literal(x))
      return day_number(std::get<std::string>(datetime_value(*text, ColumnType::kDate)));
    return std::nullopt;
  };
  const bool sub = e.op == BinOp::kSub;
  std::optional<int64_t> da = date_of(*e.lhs, a, sub), db = date_of(*e.rhs, b, sub);
  if (da && db && sub) return Value{*da - *db};
  if (da && !db)
    if (auto* n = std::get_if<int64_t>(&b)) return date_from_days(sub ? *da - *n : *da + *n);
  if (db && !da && !sub)
    if (auto* n = std::get_if<int64_t>(&a)) return date_from_days(*db + *n);
  return std::nullopt;
}

// ---- Rule: boolean input (22P02) ----------------------------------------------
// PostgreSQL reads t, true, y, yes, on, 1 and f, false, n, no, off, 0 (any
// case, spaces around, and any unique prefix of true, false, yes, no; on and
// off need two letters) as a boolean.
std::optional<bool> boolean_text(const std::string& text) {
  size_t a = text.find_first_not_of(" \t\n\r\f\v"), b = text.find_last_not_of(" \t\n\r\f\v");
  if (a == std::string::npos) return std::nullopt;
  std::string w = text.substr(a, b - a + 1);
  for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto prefix_of = [&](std::string_view full, size_t least) {
    return w.size() >= least && w.size() <= full.size() && full.substr(0, w.size()) == w;
  };
  if (prefix_of("true", 1) || prefix_of("yes", 1) || w == "on" || w == "1") return true;
  if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || w == "0") return false;
  return std::nullopt;
}

const char* integer_type_name(ColumnType t) {
  return t == ColumnType::kNumeric    ? "numeric"
         : t == ColumnType::kBigInt   ? "bigint"
         : t == ColumnType::kSmallInt ? "smallint"
                                      : "integer";
}

std::optional<ColumnType> static_type(const Expr& x, const EvalEnv& env);

// ---- Rule: a missing operator names its operands' types as PostgreSQL does ---
// "operator does not exist: text + integer": a column's or an expression's
// type by PostgreSQL's name for it, an unknown literal "unknown".
std::string operand_type(const Expr& x, const Value& v, const EvalEnv& env) {
  if (is_unknown_literal(x)) return "unknown";
  if (x.kind == ExprKind::kColumn && env.table) {
    int i = env.table->column_index(x.name);
    if (i >= 0 && env.table->columns[static_cast<size_t>(i)].blank_padded) return "character";
    if (i >= 0 && env.table->columns[static_cast<size_t>(i)].max_length > 0)
      return "character varying";
  }
  if (auto t = static_type(x, env)) {
    if (is_datetime(*t)) return datetime_type_name(*t);
    if (*t == ColumnType::kText) return "text";
    if (*t == ColumnType::kBool) return "boolean";
    if (*t == ColumnType::kUuid) return "uuid";
    return integer_type_name(*t);
  }
  return type_name(v);
}

std::string no_operator(const Expr& e, const Value& a, const Value& b, const EvalEnv& env) {
  return "operator does not exist: " + operand_type(*e.lhs, a, env) + " " + op_sql(e.op) + " " +
         operand_type(*e.rhs, b, env);
}

}  // namespace

// ---- Rule: integer input (22P02, 22003) ------------------------------------------
// int4in and int8in: spaces around, an optional sign, then digits; a value
// past the type's range is 22003 naming the text. numeric reads the same
// whole numbers; a fraction, an exponent, NaN or a value past bigint's range
// is not modelled (ccsim's numeric holds whole numbers in 64 bits).
int64_t integer_text(const std::string& text, ColumnType t) {
  const char* name = integer_type_name(t);
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  size_t i = 0;
  while (i < text.size() && space(text[i])) ++i;
  bool negative = i < text.size() && text[i] == '-';
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  size_t digits = i;
  unsigned __int128 magnitude = 0;
  bool past = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    magnitude = magnitude * 10 + static_cast<unsigned>(text[i] - '0');
    if (magnitude > (static_cast<unsigned __int128>(1) << 64)) past = true, magnitude = 0;
  }
  bool had_digits = i > digits;
  if (t == ColumnType::kNumeric && had_digits && i < text.size() &&
      (text[i] == 'e' || text[i] == 'E'))
    throw SqlError("0A000", "a numeric with an exponent (\"" + text + "\") is not modelled");
  while (i < text.size() && space(text[i])) ++i;
  if (!had_digits || i != text.size())
    throw SqlError("22P02",
                   std::string("invalid input syntax for type ") + name + ": \"" + text + "\"");
  unsigned __int128 limit = t == ColumnType::kSmallInt ? (static_cast<unsigned __int128>(1) << 15)
                            : t == ColumnType::kInt    ? (static_cast<unsigned __int128>(1) << 31)
                                                       : (static_cast<unsigned __int128>(1) << 63);
  if (past || magnitude > limit || (!negative && magnitude == limit)) {
    if (t == ColumnType::kNumeric)
      throw SqlError("0A000",
                     "a numeric past bigint's range (\"" + text +
                         "\") is not modelled; ccsim's numeric holds 64-bit whole numbers");
    throw SqlError("22003", "value \"" + text + "\" is out of range for type " + name);
  }
  return negative ? static_cast<int64_t>(-static_cast<__int128>(magnitude))
                  : static_cast<int64_t>(magnitude);
}

Value number_input(const std::string& text, ColumnType t) {
  if (t != ColumnType::kNumeric) return integer_text(text, t);
  if (std::optional<Value> v = numeric_text(text)) return *v;
  // Not read: a numeral too long for ccsim, or not a numeral at all
  // (integer_text names which: 22P02, or an exponent's 0A000).
  size_t i = text.find_first_not_of(" \t\n\r\f\v");
  size_t end = text.find_last_not_of(" \t\n\r\f\v");
  bool shape = i != std::string::npos;
  if (shape) {
    if (text[i] == '-' || text[i] == '+') ++i;
    bool point = false, digit = false;
    for (; i <= end && shape; ++i) {
      if (std::isdigit(static_cast<unsigned char>(text[i])))
        digit = true;
      else if (text[i] == '.' && !point)
        point = true;
      else
        shape = false;
    }
    shape = shape && digit;
  }
  if (!shape) integer_text(text, t);
  too_many_digits();
}

bool subqueries_computed(const Expr& e, const SubqueryValues* values) {
  if (e.kind == ExprKind::kSubquery)
    return values && std::any_of(values->begin(), values->end(),
                                 [&](const auto& v) { return v.first == &e; });
  return (!e.lhs || subqueries_computed(*e.lhs, values)) &&
         (!e.rhs || subqueries_computed(*e.rhs, values));
}

Value advisory_key(const Expr& key, Value v, ColumnType t) {
  // A quoted literal without a type is read as the integer the function
  // takes ('+1' is 1; 'x' is 22P02), as PostgreSQL resolves an unknown.
  if (auto* text = std::get_if<std::string>(&v);
      text && key.kind == ExprKind::kLiteral && !key.typed)
    return integer_text(*text, t);
  return v;
}

std::optional<AdvisoryKey> advisory_pair(const AdvisoryCall& call, const Expr& key, Value v,
                                         const Expr& key2, Value v2) {
  v = advisory_key(key, std::move(v), ColumnType::kInt);
  v2 = advisory_key(key2, std::move(v2), ColumnType::kInt);
  if (is_null(v) || is_null(v2)) return std::nullopt;
  const int64_t* a = std::get_if<int64_t>(&v);
  const int64_t* b = std::get_if<int64_t>(&v2);
  if (!a || !b)
    throw SqlError("42883", "function " + call.function() + "(" + type_name(v) + ", " +
                                type_name(v2) + ") does not exist");
  for (int64_t k : {*a, *b})
    if (k < INT32_MIN || k > INT32_MAX) throw SqlError("22003", "integer out of range");
  return AdvisoryKey::of_pair(static_cast<int32_t>(*a), static_cast<int32_t>(*b));
}

namespace {

// The integer type PostgreSQL gives x (int, bigint or numeric), which an
// unknown literal beside it takes: its static_type() when that is one,
// else bigint (a sum, a count, a subquery).
ColumnType integer_type(const Expr& x, const EvalEnv& env) {
  std::optional<ColumnType> t = static_type(x, env);
  return t == ColumnType::kSmallInt || t == ColumnType::kInt || t == ColumnType::kNumeric
             ? *t
             : ColumnType::kBigInt;
}

// An unknown literal (v, written as x) beside a number is read as the
// other side's number type.
void unknown_as_integer(Value& v, const Expr& x, const Value& other, const Expr& other_expr,
                        const EvalEnv& env) {
  if (!is_unknown_literal(x) || !is_number(other)) return;
  v = number_input(std::get<std::string>(v), std::holds_alternative<Decimal>(other)
                                                 ? ColumnType::kNumeric
                                                 : integer_type(other_expr, env));
}

}  // namespace

// A request holds a handful of variables: a scan that compares lengths
// first beats a binary search of string comparisons.
Vars::iterator Vars::find(std::string_view name) {
  for (auto it = v_.begin(); it != v_.end(); ++it)
    if (it->first.size() == name.size() && it->first == name) return it;
  return v_.end();
}

Vars::const_iterator Vars::find(std::string_view name) const {
  for (auto it = v_.begin(); it != v_.end(); ++it)
    if (it->first.size() == name.size() && it->first == name) return it;
  return v_.end();
}

Var& Vars::operator[](std::string_view name) {
  if (auto found = find(name); found != v_.end()) return found->second;
  auto it = std::lower_bound(v_.begin(), v_.end(), name,
                             [](const value_type& a, std::string_view n) { return a.first < n; });
  return v_.insert(it, value_type{std::string(name), Var{}})->second;
}

namespace {

// ---- Rule: a strict operator beside a NULL constant is NULL, uncomputed ------
// The planner folds v - NULL (or v - :p with :p NULL) to NULL, so the other
// side is never computed for a row: 7 / (i - g) - NULL raises nothing where
// i = g. A constant NULL: NULL, a :param holding NULL (a constant of the
// plan), or a strict operator over one.
bool null_constant(const Expr& e, const EvalEnv& env) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return !e.typed && std::holds_alternative<Null>(e.literal);
    case ExprKind::kParam: {
      if (!env.in_sql || !env.vars) return false;
      auto it = env.vars->find(e.name);
      return it != env.vars->end() && is_null(it->second.value);
    }
    case ExprKind::kNeg:
    case ExprKind::kNot:
    case ExprKind::kNullIf:  // nullif(NULL, x) is NULL; nullif(x, NULL) is x
    case ExprKind::kCaseFold:
      return null_constant(*e.lhs, env);
    case ExprKind::kLike:
      return null_constant(*e.lhs, env) || null_constant(*e.rhs, env);
    case ExprKind::kFunction:
      return null_constant(*e.lhs, env) || (e.rhs && null_constant(*e.rhs, env));
    case ExprKind::kBinary:
      return e.op != BinOp::kAnd && e.op != BinOp::kOr &&
             (null_constant(*e.lhs, env) || null_constant(*e.rhs, env));
    default:
      return false;
  }
}

bool simple(const Expr& e) {
  return e.kind == ExprKind::kLiteral || e.kind == ExprKind::kParam || e.kind == ExprKind::kColumn;
}

// Whether e's value is NULL without computing its operand that could fail:
// only asked when one side is more than a column, literal or parameter.
bool null_operand(const Expr& e, const EvalEnv& env) {
  if (simple(*e.lhs) && simple(*e.rhs)) return false;
  return (!simple(*e.lhs) && null_constant(*e.rhs, env)) ||
         (!simple(*e.rhs) && null_constant(*e.lhs, env));
}

}  // namespace

namespace {

// The calls with more state than an operator, each in a frame of its own:
// eval_value recurses once per operator of a chain (up to the parser's
// 2000), and its own frame stays small.
[[gnu::noinline]] Value coalesce_eval(const Expr& e, const EvalEnv& env) {
  // Its arguments in order (a call's later ones nest to the right).
  for (const Expr* at = &e;;) {
    Value v = eval_value(*at->lhs, env);
    if (!is_null(v)) return argument_value(e, *at->lhs, std::move(v), env);
    const Expr& rest = *at->rhs;
    if (rest.kind == ExprKind::kCoalesce && rest.continued) {
      at = &rest;
      continue;
    }
    Value last = eval_value(rest, env);
    return is_null(last) ? last : argument_value(e, rest, std::move(last), env);
  }
}

// ---- Rule: CASE chooses the first arm whose condition holds ------------
[[gnu::noinline]] Value case_eval(const Expr& e, const EvalEnv& env) {
  for (const Expr* at = &e;;) {
    const Expr& arm = *at->lhs;
    if (eval_pred(*arm.lhs, env) == true)
      return argument_value(e, *arm.rhs, eval_value(*arm.rhs, env), env);
    const Expr* next = at->rhs.get();
    if (next && next->kind == ExprKind::kCase && next->continued) {
      at = next;
      continue;
    }
    if (!next) return Null{};
    return argument_value(e, *next, eval_value(*next, env), env);
  }
}

[[gnu::noinline]] Value min_max_eval(const Expr& e, const EvalEnv& env) {
  std::vector<std::pair<const Expr*, Value>> args;
  const Expr* at = &e;
  for (; at->kind == e.kind && (at == &e || at->continued); at = at->rhs.get())
    args.emplace_back(at->lhs.get(), eval_value(*at->lhs, env));
  args.emplace_back(at, eval_value(*at, env));
  return min_max_value(e, std::move(args), env);
}

[[gnu::noinline]] Value cast_eval(const Expr& e, const EvalEnv& env) {
  Value v = eval_value(*e.lhs, env);
  if (is_null(v)) return v;
  std::optional<SqlType> from = is_unknown_literal(*e.lhs) ? std::optional(SqlType::kUnknown)
                                                           : type_of(*e.lhs, typing_env(env));
  return cast_value(v, from, *e.cast_to);
}

}  // namespace

namespace {

// ---- Rule: an advisory-lock function is strict and takes a bigint ------------
// or, in its two-key form, two ints: another key space. Out of line, as
// each of eval_value's cases with locals of its own: its frame is on the
// stack once per level of the expression, 2000 deep at most.
[[gnu::noinline]] Value advisory_eval(const Expr& e, const EvalEnv& env) {
  std::optional<AdvisoryKey> lock;
  if (e.rhs) {
    Value first = eval_value(*e.lhs, env);
    lock = advisory_pair(e.call, *e.lhs, std::move(first), *e.rhs, eval_value(*e.rhs, env));
    if (!lock) return Null{};
  } else {
    Value key = advisory_key(*e.lhs, eval_value(*e.lhs, env));
    if (is_null(key)) return Null{};
    if (!std::holds_alternative<int64_t>(key))
      throw SqlError("42883",
                     "function " + e.call.function() + "(" + type_name(key) + ") does not exist");
    lock = AdvisoryKey{std::get<int64_t>(key)};
  }
  if (env.advisory) return (*env.advisory)(e, *lock);
  return e.call.try_only ? Value{true} : Value{std::string()};
}

[[gnu::noinline]] Value sequence_eval(const Expr& e, const EvalEnv& env) {
  if (!env.sequence) throw SqlError("0A000", to_sql(e) + " is not modelled here");
  return (*env.sequence)(e);
}

}  // namespace

Value case_fold_value(const Expr& e, const EvalEnv& env);  // lower(x), upper(x): below

Value eval_value(const Expr& e, const EvalEnv& env) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      if (e.typed) return datetime_value(std::get<std::string>(e.literal), *e.typed);
      return e.literal;
    case ExprKind::kDefault:  // the executor puts the column's default in its place
      throw SqlError("42601", "DEFAULT is not allowed in this context");
    case ExprKind::kColumn: {
      int i = env.table ? env.table->column_index(e.name) : -1;
      const Row* row = e.excluded ? env.excluded : env.row;
      if (e.excluded && !row)
        throw SqlError("42P01", "missing FROM-clause entry for table \"excluded\"");
      if (i < 0 || !row) throw SqlError("42703", "column \"" + e.name + "\" does not exist");
      return (*row)[static_cast<size_t>(i)];
    }
    case ExprKind::kParam: {
      auto it = env.vars ? env.vars->find(e.name) : decltype(env.vars->end()){};
      if (!env.vars || it == env.vars->end())
        throw SqlError("42P02", "parameter :" + e.name + " has no value yet");
      if (env.reads)
        env.reads->insert(env.reads->end(), it->second.from.begin(), it->second.from.end());
      // ---- Rule: no NUL in a text sent to PostgreSQL (SQLSTATE 22021) -------
      // UTF8 text cannot hold the byte 0; the server refuses such a value.
      if (auto* text = std::get_if<std::string>(&it->second.value);
          env.in_sql && text && text->find('\0') != std::string::npos)
        throw SqlError("22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
      return it->second.value;
    }
    case ExprKind::kSubquery: {
      if (env.subqueries)
        for (const auto& [at, v] : *env.subqueries)
          if (at == &e) return v;
      throw SqlError("0A000", "a subquery is not modelled here: " + to_sql(e));
    }
    case ExprKind::kCoalesce:
      return coalesce_eval(e, env);
    case ExprKind::kCase:
      return case_eval(e, env);
    case ExprKind::kWhen:
      throw SqlError("XX000", "a CASE arm outside its CASE");
    case ExprKind::kGreatest:
    case ExprKind::kLeast:
      return min_max_eval(e, env);
    case ExprKind::kCast:
      return cast_eval(e, env);
    case ExprKind::kSequence:
      return sequence_eval(e, env);
    case ExprKind::kCurrentSetting: {
      std::optional<std::string> v = env.setting ? (*env.setting)(e.name) : std::nullopt;
      if (!v) throw SqlError("42704", "unrecognized configuration parameter \"" + e.name + "\"");
      return *v;
    }
    case ExprKind::kAdvisory:
      return advisory_eval(e, env);
    case ExprKind::kNeg:
      return negated_value(e, eval_value(*e.lhs, env), env);
    case ExprKind::kCaseFold:
      return case_fold_value(e, env);
    case ExprKind::kFunction: {
      // Strict: a NULL constant argument is NULL, the other uncomputed.
      if (null_constant(e, env)) return Null{};
      Value a = eval_value(*e.lhs, env);
      return function_value(e, std::move(a), e.rhs ? eval_value(*e.rhs, env) : Value{}, env);
    }
    case ExprKind::kLike: {
      // Strict: a NULL constant on either side is NULL, the other uncomputed.
      if (null_constant(*e.lhs, env) || null_constant(*e.rhs, env)) return Null{};
      Value a = eval_value(*e.lhs, env);
      return like_value(e, std::move(a), eval_value(*e.rhs, env), env);
    }
    case ExprKind::kNullIf: {
      // The planner makes nullif with a NULL constant on either side its
      // first argument: the other side is never computed.
      if (null_constant(*e.lhs, env)) return Null{};
      Value a = eval_value(*e.lhs, env);
      if (null_constant(*e.rhs, env)) return nullif_value(e, std::move(a), Null{}, env);
      return nullif_value(e, std::move(a), eval_value(*e.rhs, env), env);
    }
    case ExprKind::kBinary:
      if (e.op <= BinOp::kMod || e.op == BinOp::kConcat) {
        if (null_operand(e, env)) return Null{};
        // Two unknown literals leave PostgreSQL no operator to choose.
        if (e.op != BinOp::kConcat && is_unknown_literal(*e.lhs) && is_unknown_literal(*e.rhs))
          throw SqlError(
              "42725", std::string("operator is not unique: unknown ") + op_sql(e.op) + " unknown");
        Value a = eval_value(*e.lhs, env);
        return binary_value(e, std::move(a), eval_value(*e.rhs, env), env);
      }
      [[fallthrough]];
    default: {
      // A condition is a boolean value (NULL when unknown).
      std::optional<bool> p = eval_pred(e, env);
      return p ? Value{*p} : Value{Null{}};
    }
  }
}

Value argument_value(const Expr& call, const Expr& arg, Value v, const EvalEnv& env) {
  auto* text = std::get_if<std::string>(&v);
  if (!text || !env.in_sql) return v;
  // ---- Rule: a call's arguments take its common type ----------------------
  // coalesce(' 5', 1) is the int 5, coalesce(d, ts) a timestamp
  // (select_common_type, lang/typing.cc).
  const bool literal = is_unknown_literal(arg);
  std::optional<SqlType> common = type_of(call, typing_env(env));
  if (!literal) {
    std::optional<SqlType> own = type_of(arg, typing_env(env));
    if (!own || !common || own == common) return v;
    // A character(n) value taken as a text or varchar loses its trailing
    // blanks: CASE WHEN .. THEN c ELSE v END with v varchar (the ELSE's
    // type comes first) or coalesce(t, c) with t text.
    if (*own == SqlType::kBpchar && (*common == SqlType::kText || *common == SqlType::kVarchar)) {
      trim_trailing_blanks(*text);
      return v;
    }
    if (common == SqlType::kTimestamp) return datetime_value(*text, ColumnType::kTimestamp);
    if (common == SqlType::kTimestampTz) return datetime_value(*text, ColumnType::kTimestampTz);
    return v;
  }
  switch (common.value_or(SqlType::kText)) {
    case SqlType::kSmallInt:
      return number_input(*text, ColumnType::kSmallInt);
    case SqlType::kInt:
      return number_input(*text, ColumnType::kInt);
    case SqlType::kBigInt:
      return number_input(*text, ColumnType::kBigInt);
    case SqlType::kNumeric:
      return number_input(*text, ColumnType::kNumeric);
    case SqlType::kBool:
      if (std::optional<bool> b = boolean_text(*text)) return *b;
      throw SqlError("22P02", "invalid input syntax for type boolean: \"" + *text + "\"");
    case SqlType::kUuid:
      return uuid_value(*text);
    case SqlType::kDate:
      return datetime_value(*text, ColumnType::kDate);
    case SqlType::kTimestamp:
      return datetime_value(*text, ColumnType::kTimestamp);
    case SqlType::kTimestampTz:
      return datetime_value(*text, ColumnType::kTimestampTz);
    default:
      return v;
  }
}

Value nullif_value(const Expr& call, Value a, Value b, const EvalEnv& env) {
  // ---- Rule: nullif(a, b) is NULL when a = b, else a -----------------------
  // Both sides are computed; a NULL on either side is never equal. The
  // value is a as the = operator took it: a quoted literal read as b's
  // type, an integer beside a numeric made numeric.
  if (!is_null(a) && !is_null(b) && comparison_value(call, a, std::move(b), env) == true)
    return Null{};
  a = argument_value(call, *call.lhs, std::move(a), env);
  if (auto* i = std::get_if<int64_t>(&a); i && type_of(call, typing_env(env)) == SqlType::kNumeric)
    return Decimal(static_cast<__int128>(*i), 0);
  return a;
}

Value min_max_value(const Expr& call, std::vector<std::pair<const Expr*, Value>> args,
                    const EvalEnv& env) {
  // ---- Rule: greatest and least skip NULLs ---------------------------------
  // The largest (smallest) argument that is not NULL, as the call's common
  // type; NULL when all are.
  std::optional<Value> best;
  const bool greatest = call.kind == ExprKind::kGreatest;
  for (auto& [arg, v] : args) {
    if (is_null(v)) continue;
    Value x = argument_value(call, *arg, std::move(v), env);
    if (!best || (greatest ? compare_sql(x, *best) > 0 : compare_sql(x, *best) < 0))
      best = std::move(x);
  }
  return best ? std::move(*best) : Value{Null{}};
}

Value cast_value(const Value& v, std::optional<SqlType> from, const Column& to) {
  if (is_null(v)) return v;
  if (from)
    if (std::optional<std::string> why = cast_refusal(*from, to)) throw SqlError("42846", *why);
  if (is_datetime(to.type) && !std::holds_alternative<std::string>(v))
    throw SqlError("42846", std::string("cannot cast type ") + type_name(v) + " to " +
                                datetime_type_name(to.type));
  const bool text_in = std::holds_alternative<std::string>(v) &&
                       (!from || *from == SqlType::kUnknown || *from == SqlType::kText ||
                        *from == SqlType::kVarchar || *from == SqlType::kBpchar);
  switch (to.type) {
    case ColumnType::kSmallInt:
    case ColumnType::kInt:
    case ColumnType::kBigInt: {
      if (auto* b = std::get_if<bool>(&v)) return int64_t{*b ? 1 : 0};
      Value n = text_in ? Value{integer_text(std::get<std::string>(v), to.type)} : v;
      return coerce(n, to.type, to.name, false);  // rounds a numeric; 22003 past the range
    }
    case ColumnType::kNumeric: {
      Value n = text_in ? number_input(std::get<std::string>(v), ColumnType::kNumeric) : v;
      Column c = to;
      return fit(n, c, false);  // numeric(p, s): rounded, 22003 past p digits
    }
    case ColumnType::kText: {
      std::string text =
          std::holds_alternative<bool>(v) ? (std::get<bool>(v) ? "true" : "false") : to_display(v);
      if (from && (*from == SqlType::kDate || *from == SqlType::kTimestamp ||
                   *from == SqlType::kTimestampTz))  // date_out: the DateStyle's text
        text = datetime_text(text, *column_type_of(*from));
      if (from == SqlType::kBpchar && !to.blank_padded)  // bpchar to text: trimmed
        trim_trailing_blanks(text);
      size_t chars = 0;
      if (to.max_length > 0) {  // an explicit cast to varchar(n) or char(n) cuts, never fails
        size_t cut = text.size();
        for (size_t i = 0; i < text.size(); ++i)
          if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 &&
              ++chars == static_cast<size_t>(to.max_length) + 1)
            cut = i;
        text.resize(cut);
      }
      if (to.blank_padded && chars < static_cast<size_t>(to.max_length))
        text += std::string(static_cast<size_t>(to.max_length) - chars, ' ');
      return text;
    }
    case ColumnType::kBool:
      if (auto* i = std::get_if<int64_t>(&v)) return *i != 0;
      if (auto* text = std::get_if<std::string>(&v)) {
        if (std::optional<bool> b = boolean_text(*text)) return *b;
        throw SqlError("22P02", "invalid input syntax for type boolean: \"" + *text + "\"");
      }
      return v;
    case ColumnType::kUuid:
      if (auto* text = std::get_if<std::string>(&v)) return uuid_value(*text);
      throw SqlError("42846", std::string("cannot cast type ") + type_name(v) + " to uuid");
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
      // A text read by the type's input; a datetime's canonical text read
      // the same way converts it (a date to midnight, a timestamp to UTC).
      return datetime_value(std::get<std::string>(v), to.type);
  }
  return v;
}

Value negated_value(const Expr& e, const Value& v, const EvalEnv& env) {
  if (is_null(v)) return v;
  if (auto* d = std::get_if<Decimal>(&v)) return Decimal{-d->units(), d->scale};
  auto* i = std::get_if<int64_t>(&v);
  if (!i) throw SqlError("42883", std::string("operator does not exist: - ") + type_name(v));
  int64_t r = arith(BinOp::kSub, 0, *i);
  if (outside_int2(r) && env.in_sql) {
    std::optional<SqlType> t = type_of(*e.lhs, typing_env(env));
    if (t == SqlType::kSmallInt) overflow_int2();
    if (t == SqlType::kInt && outside_int4(r)) overflow(true);
  }
  return r;
}

// ---- Rule: character(n) does not see its trailing blanks ----------------------
// A char(n) value is stored blank-padded to n characters, but PostgreSQL's
// bpchar comparisons ignore trailing blanks, and a cast to text (which ||,
// lower and a comparison with a text take) removes them.
namespace {

bool blank_padded(const Expr& x, const EvalEnv& env) {
  switch (x.kind) {
    case ExprKind::kLiteral:
    case ExprKind::kParam:
      return false;
    case ExprKind::kColumn: {
      if (x.excluded || !env.table) break;
      int i = env.table->column_index(x.name);
      return i >= 0 && env.table->columns[static_cast<size_t>(i)].blank_padded;
    }
    case ExprKind::kCast:
      return x.cast_to->blank_padded;
    default:
      break;
  }
  return type_of(x, typing_env(env)) == SqlType::kBpchar;
}

void trim_blanks(Value& v) {
  if (auto* text = std::get_if<std::string>(&v)) trim_trailing_blanks(*text);
}

}  // namespace

Value bpchar_as_text(const Expr& x, Value v, const EvalEnv& env) {
  if (std::holds_alternative<std::string>(v) && blank_padded(x, env)) trim_blanks(v);
  return v;
}

namespace {

std::optional<ColumnType> datetime_of(const Expr& x, const EvalEnv& env);

// A datetime value of expression x as its cast to text writes it: in the
// DateStyle in force (core/datestyle.h); any other value as it is.
Value datetime_as_text(const Expr& x, Value v, const EvalEnv& env) {
  if (!std::holds_alternative<std::string>(v) ||
      (current_datestyle().style == DateStyle::Style::kIso && foreign_time_zone().empty()))
    return v;
  if (std::optional<ColumnType> t = datetime_of(x, env))
    return datetime_text(std::get<std::string>(v), *t);
  return v;
}

}  // namespace

Value assigned_value(const Expr& e, const Column& c, const EvalEnv& env) {
  check_assignment(e, c, env);
  Value v = eval_value(e, env);
  if (c.type == ColumnType::kText && !c.blank_padded) v = bpchar_as_text(e, std::move(v), env);
  if (c.type == ColumnType::kText) v = datetime_as_text(e, std::move(v), env);
  return fit(v, c, is_unknown_literal(e));
}

namespace {

// ---- Rule: || joins texts; a number beside a text is its digits ----------------
// NULL on either side is NULL; two numbers have no || (42883); a char(n) is
// cast to text (trimmed), a datetime written in the DateStyle. In a frame of
// its own: a deep chain of other operators through binary_value stays in
// the stack.
[[gnu::noinline]] Value concat_value(const Expr& e, Value a, Value b, const EvalEnv& env) {
  a = datetime_as_text(*e.lhs, bpchar_as_text(*e.lhs, std::move(a), env), env);
  b = datetime_as_text(*e.rhs, bpchar_as_text(*e.rhs, std::move(b), env), env);
  if (is_null(a) || is_null(b)) return Null{};
  if (!std::holds_alternative<std::string>(a) && !std::holds_alternative<std::string>(b))
    throw SqlError("42883", no_operator(e, a, b, env));
  auto text = [](const Value& v) {  // a boolean as its cast to text writes it
    if (auto* b = std::get_if<bool>(&v)) return std::string(*b ? "true" : "false");
    return to_display(v);
  };
  return text(a) + text(b);
}

}  // namespace

namespace {

// ---- Rule: LIKE matches %, _ and backslash as PostgreSQL's MatchText does ---
// % is any run of characters, _ one character (of UTF-8, not a byte), a
// backslash takes the next pattern character as itself; anything else matches
// itself, byte for byte. The search is PostgreSQL's: a % tries each later
// place in the text where the literal after it starts, and once a later %
// is reached, no earlier % tries again (a match of the rest there failed at
// every place, so none after an earlier % can succeed). So a pattern that
// ends with a lone backslash fails (22025) only when the search gets
// there, as on the server: 'xb' LIKE 'a\\' is false, 'ab' LIKE 'a%\\' an
// error.
[[noreturn]] void like_escape_at_end() {
  throw SqlError("22025", "LIKE pattern must not end with escape character");
}

bool like_match(std::string_view t, std::string_view p) {
  size_t ti = 0, pi = 0;
  // One character on (a byte that starts none counts as one).
  auto next_char = [&](size_t at) { return at + std::max<size_t>(1, utf8_length_at(t, at)); };
  // The innermost % reached: where the pattern after it starts (at its
  // first literal), the byte that literal starts with, and the place in the
  // text its match is being tried at.
  bool star = false;
  size_t star_p = 0, star_t = 0;
  char first = 0;
  // The next place at or after `from` where the literal after the % starts;
  // false when there is none (the whole LIKE is false).
  auto place = [&](size_t from) {
    while (from < t.size() && t[from] != first) from = next_char(from);
    if (from >= t.size()) return false;
    star_t = ti = from;
    pi = star_p;
    return true;
  };
  // The match at the current place failed: the innermost % tries its next
  // place, or the LIKE is false when no % was reached.
  auto retry = [&] { return star && place(next_char(star_t)); };
  for (;;) {
    if (ti >= t.size() || pi >= p.size()) {
      if (ti < t.size()) {  // the pattern ended before the text
        if (!retry()) return false;
        continue;
      }
      while (pi < p.size() && p[pi] == '%') ++pi;  // only %s may match nothing
      return pi >= p.size();
    }
    const char c = p[pi];
    if (c == '%') {
      ++pi;
      while (pi < p.size() && (p[pi] == '%' || p[pi] == '_')) {
        if (p[pi] == '_') {
          if (ti >= t.size()) return false;
          ti = next_char(ti);
        }
        ++pi;
      }
      if (pi >= p.size()) return true;  // a trailing % matches the rest
      if (p[pi] == '\\' && pi + 1 >= p.size()) like_escape_at_end();
      first = p[pi] == '\\' ? p[pi + 1] : p[pi];
      star = true;
      star_p = pi;
      if (!place(ti)) return false;
      continue;
    }
    if (c == '_') {
      ti = next_char(ti);
      ++pi;
      continue;
    }
    if (c == '\\') {
      if (++pi >= p.size()) like_escape_at_end();
    }
    if (p[pi] != t[ti]) {
      if (!retry()) return false;
      continue;
    }
    ++ti;
    ++pi;
  }
}

}  // namespace

// The text matched as it is stored (a char(n) with its trailing blanks, as
// PostgreSQL's bpchar ~~ text takes it); the pattern as a text (a char(n)
// one trimmed). ILIKE folds both to lower case first with lower(), as
// PostgreSQL does in a UTF-8 database.
[[gnu::noinline]] Value like_value(const Expr& e, Value a, Value b, const EvalEnv& env) {
  b = bpchar_as_text(*e.rhs, std::move(b), env);
  if (is_null(a) || is_null(b)) return Null{};
  auto *text = std::get_if<std::string>(&a), *pattern = std::get_if<std::string>(&b);
  if (!text || !pattern)
    throw SqlError("42883", std::string("operator does not exist: ") + type_name(a) + " " + e.name +
                                " " + type_name(b));
  const bool negated = e.name.front() == '!', folded = e.name.back() == '*';
  if (folded) {
    case_fold(*text, true);
    case_fold(*pattern, true);
  }
  return Value{like_match(*text, *pattern) != negated};
}

// ---- Rule: lower and upper take a text ------------------------------------------
// A char(n) is cast to text first (trimmed); PostgreSQL has no
// lower(integer) (42883). Letters change as in a database whose LC_CTYPE
// is C.UTF-8 (core/text.h), whatever the process's own locale. In a frame
// of its own (eval_value recurses).
[[gnu::noinline]] Value case_fold_value(const Expr& e, const EvalEnv& env) {
  Value v = bpchar_as_text(*e.lhs, eval_value(*e.lhs, env), env);
  if (is_null(v)) return v;
  auto* text = std::get_if<std::string>(&v);
  if (!text)
    throw SqlError("42883", "function " + e.name + "(" + type_name(v) + ") does not exist");
  case_fold(*text, e.name == "lower");
  return v;
}

// ---- Rule: the numeric and text functions --------------------------------------
// Typed before they run (lang/typing.cc: abs keeps an int, bigint or
// numeric; round, floor and ceil take a numeric, round(x, n) any number and
// an int; length a text), so here the values are the types'. A quoted
// literal is read as the type its argument takes: a numeric, round's
// digits an int.
namespace {

// PostgreSQL's NUMERIC_MAX_RESULT_SCALE: round(x, n) keeps n within it.
constexpr int64_t kMaxResultScale = 2000;

// The number units / 10^scale rounded to a multiple of 10^-digits
// (digits <= 0), half away from zero: a whole number.
Value round_left(__int128 units, int scale, int64_t digits) {
  __int128 step = 1;
  for (int64_t i = 0; i < scale - digits; ++i) {
    if (step > units && step > -units) return int64_t{0};  // past every digit
    step *= 10;
  }
  __int128 rest = units % step;
  units -= rest;
  if (2 * (rest < 0 ? -rest : rest) >= step) units += rest < 0 ? -step : step;
  for (int i = 0; i < scale; ++i) units /= 10;
  std::optional<Value> v = number_value(units, 0);
  if (!v) too_many_digits();
  return *v;
}

// ---- Rule: hashtext is PostgreSQL's hash_any of the text's bytes ------------------
// Bob Jenkins' lookup3 as PostgreSQL's hash_bytes computes it (little-endian
// words, all three seeded with 0x9e3779b9 + length + 3923095), read as an
// int4: the key `pg_advisory_xact_lock(hashtext('user:' || id))` locks.
uint32_t rotl(uint32_t x, int k) {
  return (x << k) | (x >> (32 - k));
}

int64_t hash_text(const std::string& text) {
  const auto* k = reinterpret_cast<const unsigned char*>(text.data());
  uint32_t len = static_cast<uint32_t>(text.size());
  uint32_t a = 0x9e3779b9u + len + 3923095u, b = a, c = a;
  auto word = [](const unsigned char* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  };
  while (len >= 12) {
    a += word(k);
    b += word(k + 4);
    c += word(k + 8);
    a -= c, a ^= rotl(c, 4), c += b;
    b -= a, b ^= rotl(a, 6), a += c;
    c -= b, c ^= rotl(b, 8), b += a;
    a -= c, a ^= rotl(c, 16), c += b;
    b -= a, b ^= rotl(a, 19), a += c;
    c -= b, c ^= rotl(b, 4), b += a;
    k += 12;
    len -= 12;
  }
  // The last 0 to 11 bytes: c's lowest byte stays clear.
  for (uint32_t i = 0; i < len; ++i) {
    uint32_t byte = k[i];
    if (i < 4)
      a += byte << (8 * i);
    else if (i < 8)
      b += byte << (8 * (i - 4));
    else
      c += byte << (8 * (i - 7));
  }
  c ^= b, c -= rotl(b, 14);
  a ^= c, a -= rotl(c, 11);
  b ^= a, b -= rotl(a, 25);
  c ^= b, c -= rotl(b, 16);
  a ^= c, a -= rotl(c, 4);
  b ^= a, b -= rotl(a, 14);
  c ^= b, c -= rotl(b, 24);
  return static_cast<int32_t>(c);
}

}  // namespace

Value function_value(const Expr& e, Value a, Value b, const EvalEnv& env) {
  if (is_null(a) || (e.rhs && is_null(b))) return Null{};
  if (e.name == "hashtext") {
    a = bpchar_as_text(*e.lhs, std::move(a), env);
    auto* text = std::get_if<std::string>(&a);
    if (!text)
      throw SqlError("42883",
                     std::string("function hashtext(") + type_name(a) + ") does not exist");
    return hash_text(*text);
  }
  if (counts_characters(e.name)) {
    a = bpchar_as_text(*e.lhs, std::move(a), env);
    auto* text = std::get_if<std::string>(&a);
    if (!text)
      throw SqlError("42883", "function " + e.name + "(" + type_name(a) + ") does not exist");
    int64_t n = 0;
    for (unsigned char c : *text) n += (c & 0xC0) != 0x80;
    return n;
  }
  if (std::holds_alternative<std::string>(a)) {  // a quoted literal: a numeric's input
    Column numeric;
    numeric.type = ColumnType::kNumeric;
    a = cast_value(a, SqlType::kUnknown, numeric);
  }
  if (!is_number(a))
    throw SqlError("42883", "function " + e.name + "(" + type_name(a) + ") does not exist");
  if (e.name == "abs") {
    bool negative = std::holds_alternative<int64_t>(a) ? std::get<int64_t>(a) < 0
                                                       : std::get<Decimal>(a).units() < 0;
    return negative ? negated_value(e, a, env) : a;
  }
  int64_t digits = 0;
  if (e.rhs) {
    if (std::holds_alternative<std::string>(b)) {
      Column integer;
      integer.type = ColumnType::kInt;
      b = cast_value(b, SqlType::kUnknown, integer);
    }
    const int64_t* n = std::get_if<int64_t>(&b);
    if (!n)
      throw SqlError("42883",
                     std::string("function round(numeric, ") + type_name(b) + ") does not exist");
    digits = std::clamp<int64_t>(*n, -kMaxResultScale, kMaxResultScale);
  }
  const int scale = scale_of(a);
  if (e.name == "round") {
    if (digits < 0) return round_left(*units_at(a, scale), scale, digits);
    if (digits > Decimal::kMaxScale) too_many_digits();
    std::optional<__int128> u = units_at(a, static_cast<int>(digits));
    std::optional<Value> v = u ? number_value(*u, static_cast<int>(digits)) : std::nullopt;
    if (!v) too_many_digits();
    return *v;
  }
  // floor, ceil and ceiling: the whole number below or above.
  if (scale == 0) return a;
  const Decimal& d = std::get<Decimal>(a);
  __int128 step = 1;
  for (int i = 0; i < d.scale; ++i) step *= 10;
  __int128 q = d.units() / step, rest = d.units() % step;
  if (e.name == "floor" && rest < 0) --q;
  if (e.name != "floor" && rest > 0) ++q;
  std::optional<Value> v = number_value(q, 0);
  if (!v) too_many_digits();
  return *v;
}

Value binary_value(const Expr& e, Value a, Value b, const EvalEnv& env) {
  if (e.op == BinOp::kConcat) return concat_value(e, std::move(a), std::move(b), env);
  unknown_as_integer(a, *e.lhs, b, *e.rhs, env);
  unknown_as_integer(b, *e.rhs, a, *e.lhs, env);
  if (is_null(a) || is_null(b)) return Null{};
  if (is_number(a) && is_number(b) &&
      (std::holds_alternative<Decimal>(a) || std::holds_alternative<Decimal>(b) ||
       e.lhs->decimal_literal || e.rhs->decimal_literal))
    return decimal_arith(e.op, a, b);
  auto *x = std::get_if<int64_t>(&a), *y = std::get_if<int64_t>(&b);
  if (x && y) {
    int64_t r = 0;
    bool fits = e.op == BinOp::kAdd   ? !__builtin_add_overflow(*x, *y, &r)
                : e.op == BinOp::kSub ? !__builtin_sub_overflow(*x, *y, &r)
                : e.op == BinOp::kMul ? !__builtin_mul_overflow(*x, *y, &r)
                                      : (r = arith(e.op, *x, *y), true);
    if (!fits) {
      // A whole numeric is held as an int64: past 64 bits it is still a
      // numeric, which has the digits.
      TypingEnv t = typing_env(env);
      if (env.in_sql &&
          (type_of(*e.lhs, t) == SqlType::kNumeric || type_of(*e.rhs, t) == SqlType::kNumeric))
        return decimal_arith(e.op, a, b);
      overflow(false);
    }
    if (outside_int2(r))
      if (std::optional<SqlType> narrow = narrow_operation(e, env)) {
        if (*narrow == SqlType::kSmallInt) overflow_int2();
        if (outside_int4(r)) overflow(true);
      }
    return r;
  }
  if (std::optional<Value> d = date_arith(e, a, b, env)) return *d;
  throw SqlError("42883", no_operator(e, a, b, env));
}

namespace {

// The datetime type of a comparison's side, when it has one: a date,
// timestamp or timestamptz column or typed literal, or an expression of
// such a type (date + 1, coalesce(d, ...)).
std::optional<ColumnType> datetime_of(const Expr& x, const EvalEnv& env) {
  if (x.kind == ExprKind::kLiteral) return x.typed;
  if (x.kind == ExprKind::kParam) return std::nullopt;  // a :param travels as text
  if (x.kind == ExprKind::kColumn) {
    if (x.excluded || !env.table) return std::nullopt;
    int i = env.table->column_index(x.name);
    if (i < 0) return std::nullopt;
    ColumnType ct = env.table->columns[static_cast<size_t>(i)].type;
    return is_datetime(ct) ? std::optional(ct) : std::nullopt;
  }
  std::optional<ColumnType> t =
      column_type_of(type_of(x, typing_env(env)).value_or(SqlType::kUnknown));
  return t && is_datetime(*t) ? t : std::nullopt;
}

// A comparison's values, its sides' datetime types known (datetime_of).
std::optional<bool> compare_typed(const Expr& e, Value a, Value b, const EvalEnv& env,
                                  std::optional<ColumnType> ta, std::optional<ColumnType> tb) {
  if (is_null(a) || is_null(b)) return std::nullopt;
  if (std::holds_alternative<std::string>(a) && std::holds_alternative<std::string>(b)) {
    // Two bpchars, or one and a quoted literal or a varchar (which the
    // operator's resolution casts to bpchar, an exact match on one side),
    // compare without trailing blanks; beside a text (a :param, ||, a text
    // column) texteq wins, text being the preferred type, and only the
    // bpchar is trimmed by its cast to text.
    const bool pa = blank_padded(*e.lhs, env), pb = blank_padded(*e.rhs, env);
    auto as_bpchar = [&](const Expr& x) {
      return is_unknown_literal(x) ||
             (x.kind != ExprKind::kParam && type_of(x, typing_env(env)) == SqlType::kVarchar);
    };
    if (pa || (pb && as_bpchar(*e.lhs))) trim_blanks(a);
    if (pb || (pa && as_bpchar(*e.rhs))) trim_blanks(b);
  }
  // A side of a datetime type (a date, timestamp or timestamptz column,
  // or a typed literal) types the other: a text is read as the type,
  // and of two datetime types the lower is promoted to the higher (a
  // date to midnight, a timestamp to that time in UTC), as PostgreSQL
  // compares them.
  // A quoted literal beside a boolean is read as one ('t', 'yes', ...),
  // as PostgreSQL types an unknown literal by the other side.
  auto as_boolean = [](Value& v, const Expr& x, const Value& other) {
    auto* text = std::get_if<std::string>(&v);
    if (!text || !std::holds_alternative<bool>(other) || x.kind != ExprKind::kLiteral) return;
    auto b = boolean_text(*text);
    if (!b) throw SqlError("22P02", "invalid input syntax for type boolean: \"" + *text + "\"");
    v = *b;
  };
  as_boolean(a, *e.lhs, b);
  as_boolean(b, *e.rhs, a);
  // A quoted literal beside a uuid is read as one ('{A0EE...}' is
  // 'a0ee...'), 22P02 when it is not.
  auto as_uuid = [&](Value& v, const Expr& x, const Value& other, const Expr& other_x) {
    if (!is_unknown_literal(x) || !std::holds_alternative<std::string>(v) ||
        !std::holds_alternative<std::string>(other) || is_unknown_literal(other_x))
      return;
    if (static_type(other_x, env) == ColumnType::kUuid) v = uuid_value(std::get<std::string>(v));
  };
  as_uuid(a, *e.lhs, b, *e.rhs);
  as_uuid(b, *e.rhs, a, *e.lhs);
  unknown_as_integer(a, *e.lhs, b, *e.rhs, env);
  unknown_as_integer(b, *e.rhs, a, *e.lhs, env);
  if (ta || tb) {
    ColumnType t = std::max(ta.value_or(ColumnType::kDate), tb.value_or(ColumnType::kDate));
    auto as_datetime = [&](Value& v, const Expr& x, std::optional<ColumnType> own) {
      bool typed_other = x.kind == ExprKind::kColumn && !own;  // a text column: left as is
      if (!typed_other && own != t && std::holds_alternative<std::string>(v))
        v = datetime_value(std::get<std::string>(v), t);
    };
    as_datetime(a, *e.lhs, ta);
    as_datetime(b, *e.rhs, tb);
  }
  if (a.index() != b.index() && !(is_number(a) && is_number(b)))
    throw SqlError("42883", no_operator(e, a, b, env));
  auto c = compare_sql(a, b);
  switch (e.op) {
    case BinOp::kEq:
      return c == 0;
    case BinOp::kNe:
      return c != 0;
    case BinOp::kLt:
      return c < 0;
    case BinOp::kLe:
      return c <= 0;
    case BinOp::kGt:
      return c > 0;
    case BinOp::kGe:
      return c >= 0;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<bool> comparison_value(const Expr& e, Value a, Value b, const EvalEnv& env) {
  return compare_typed(e, std::move(a), std::move(b), env, datetime_of(*e.lhs, env),
                       datetime_of(*e.rhs, env));
}

std::optional<bool> eval_pred(const Expr& e, const EvalEnv& env) {
  switch (e.kind) {
    case ExprKind::kNot: {
      auto v = eval_pred(*e.lhs, env);
      if (!v) return std::nullopt;
      return !*v;
    }
    case ExprKind::kIsNull:
      return is_null(eval_value(*e.lhs, env));
    case ExprKind::kIsNotNull:
      return !is_null(eval_value(*e.lhs, env));
    case ExprKind::kBoolTest:
      return bool_test(e.name, eval_pred(*e.lhs, env));
    case ExprKind::kIsDistinct:
    case ExprKind::kIsNotDistinct: {
      // ---- Rule: IS [NOT] DISTINCT FROM is = with NULL as a value ------------
      // Both sides are computed; two NULLs are not distinct, a NULL and a
      // value are, two values as = says. Never NULL.
      Value a = eval_value(*e.lhs, env);
      Value b = eval_value(*e.rhs, env);
      bool same = is_null(a) || is_null(b)
                      ? is_null(a) && is_null(b)
                      : comparison_value(e, std::move(a), std::move(b), env) == true;
      return same == (e.kind == ExprKind::kIsNotDistinct);
    }
    case ExprKind::kBinary: {
      if (e.op == BinOp::kAnd || e.op == BinOp::kOr) {
        // ---- Rule: AND and OR stop at their answer, left to right --------------
        // As PostgreSQL's executor: the right side is not computed once the
        // left decides (false for AND, true for OR), so its errors do not
        // happen; NULL decides nothing.
        bool dominant = e.op == BinOp::kOr;  // true wins OR, false wins AND
        auto a = eval_pred(*e.lhs, env);
        if (a && *a == dominant) return dominant;
        auto b = eval_pred(*e.rhs, env);
        if (b && *b == dominant) return dominant;
        if (!a || !b) return std::nullopt;
        return !dominant;
      }
      if (e.op < BinOp::kEq || e.op == BinOp::kConcat) break;
      if (null_operand(e, env)) return std::nullopt;
      std::optional<ColumnType> ta = datetime_of(*e.lhs, env), tb = datetime_of(*e.rhs, env);
      // ---- Rule: a date or timestamp beside a text that is no literal -----------
      // (a text column, a :param, which travels as text, a ||) has no
      // comparison operator: 42883, whatever the values (NULL too).
      if (ta || tb) {
        const Expr& other = ta ? *e.rhs : *e.lhs;
        if (!(ta && tb) && !is_unknown_literal(other) &&
            static_type(other, env) == ColumnType::kText)
          throw SqlError("42883", no_operator(e, Value{Null{}}, Value{Null{}}, env));
      }
      Value a = eval_value(*e.lhs, env);
      return compare_typed(e, std::move(a), eval_value(*e.rhs, env), env, ta, tb);
    }
    default:
      break;
  }
  Value v = eval_value(e, env);
  if (is_null(v)) return std::nullopt;
  if (auto* b = std::get_if<bool>(&v)) return *b;  // a boolean column or literal
  // A quoted literal where a condition stands is read as a boolean ('t').
  if (auto* text = std::get_if<std::string>(&v); text && is_unknown_literal(e)) {
    if (std::optional<bool> b = boolean_text(*text)) return *b;
    throw SqlError("22P02", "invalid input syntax for type boolean: \"" + *text + "\"");
  }
  throw SqlError("42804", std::string("argument of WHERE must be a condition, not type ") +
                              type_name(v) + ": " + to_sql(e));
}

// ---- Rule: date and timestamp input ---------------------------------------------
// 'YYYY-MM-DD', optionally followed (after a space or T) by HH:MM, HH:MM:SS
// or HH:MM:SS.ffffff, then optionally by a zone: Z, UTC or GMT, or an
// offset (+HH, +HHMM, +HH:MM[:SS], or with -), a space before it allowed. A date
// keeps only its day, a timestamp without a time is midnight; a timestamp
// without time zone ignores the zone, as PostgreSQL does, and a timestamp
// with time zone is moved by it to UTC (ccsim's session time zone; a text
// without a zone is read in it). Stored canonically as PostgreSQL prints
// them with DateStyle ISO: '2024-01-31', '2024-01-31 10:05:00' and
// '2024-01-31 10:05:00+00' (fractions without trailing zeros). A text of
// another shape is 22007, a field out of range (month 13, February 30th,
// hour 24) 22008, as PostgreSQL says; a zone named otherwise (PST,
// Europe/Paris) is 0A000: the names' offsets are not modelled.
namespace {

int days_in_month(int year, int month) {
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return days[month - 1];
}

// Moves a valid day by one day forward (+1) or back (-1).
void step_day(int& year, int& month, int& day, int by) {
  day += by;
  if (day < 1) {
    if (--month < 1) month = 12, --year;
    day = days_in_month(year, month);
  } else if (day > days_in_month(year, month)) {
    day = 1;
    if (++month > 12) month = 1, ++year;
  }
}

}  // namespace

// ---- Rule: timestamp(p) rounds to p digits after the seconds' point ------------
// As AdjustTimestampForTypmod: to the nearest, a half away from PostgreSQL's
// epoch (2000-01-01 00:00:00: later times round a half up, earlier ones
// down); a carry moves the seconds, minutes, hours and day on.
std::string round_timestamp(const std::string& text, int p) {
  // Canonical: 'YYYY-MM-DD HH:MM:SS[.f...]' then, with a time zone, '+00'.
  static const char shape[] = "dddd-dd-dd dd:dd:dd";
  if (text.size() < 19) return text;
  for (size_t k = 0; k < 19; ++k)
    if (shape[k] == 'd' ? !std::isdigit(static_cast<unsigned char>(text[k])) : text[k] != shape[k])
      return text;
  size_t dot = 19, end = 19;
  if (dot < text.size() && text[dot] == '.')
    for (end = dot + 1; end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]));)
      ++end;
  const std::string digits = end > dot ? text.substr(dot + 1, end - dot - 1) : "";
  if (digits.size() <= static_cast<size_t>(p)) return text;
  std::string kept = digits.substr(0, static_cast<size_t>(p));
  const std::string rest = digits.substr(static_cast<size_t>(p));
  bool half = rest[0] == '5' && rest.find_first_not_of('0', 1) == std::string::npos;
  bool up = rest[0] > '5' || (rest[0] == '5' && !half) || (half && text.compare(0, 4, "2000") >= 0);
  int year = std::stoi(text.substr(0, 4)), month = std::stoi(text.substr(5, 2)),
      day = std::stoi(text.substr(8, 2)), hour = std::stoi(text.substr(11, 2)),
      minute = std::stoi(text.substr(14, 2)), second = std::stoi(text.substr(17, 2));
  if (up) {
    int k = p - 1;
    for (; k >= 0 && kept[static_cast<size_t>(k)] == '9'; --k) kept[static_cast<size_t>(k)] = '0';
    if (k >= 0) {
      ++kept[static_cast<size_t>(k)];
    } else if (++second == 60) {  // the fraction carried into the seconds
      second = 0;
      if (++minute == 60) {
        minute = 0;
        if (++hour == 24) hour = 0, step_day(year, month, day, 1);
      }
    }
  }
  while (!kept.empty() && kept.back() == '0') kept.pop_back();
  char head[32];
  std::snprintf(head, sizeof head, "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute,
                second);
  return head + (kept.empty() ? "" : "." + kept) + text.substr(end);
}

Value datetime_value(const std::string& text, ColumnType t) {
  const char* type = t == ColumnType::kDate        ? "date"
                     : t == ColumnType::kTimestamp ? "timestamp"
                                                   : "timestamp with time zone";
  auto syntax = [&] {
    return SqlError("22007",
                    std::string("invalid input syntax for type ") + type + ": \"" + text + "\"");
  };
  size_t b = text.find_first_not_of(' '), e = text.find_last_not_of(' ');
  if (b == std::string::npos) throw syntax();
  std::string s = text.substr(b, e - b + 1);
  size_t at = 0;
  auto digits = [&](size_t n) {
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
      if (at >= s.size() || !std::isdigit(static_cast<unsigned char>(s[at]))) throw syntax();
      v = v * 10 + (s[at++] - '0');
    }
    return v;
  };
  auto sep = [&](char c) {
    if (at >= s.size() || s[at] != c) throw syntax();
    ++at;
  };
  int year = digits(4);
  sep('-');
  int month = digits(2);
  sep('-');
  int day = digits(2);
  int hour = 0, minute = 0, second = 0;
  int offset = 0;  // seconds east of UTC
  std::string fraction;
  // ---- a zone: after the date or the time, a space before it allowed ----
  // As PostgreSQL's DecodeTimezone: +H[H], then :M[M][:S[S]], or run
  // together as +HMM or +HHMM; at most 15 hours, 59 minutes, 59 seconds.
  auto zone = [&] {
    if (at < s.size() && s[at] == ' ') ++at;
    if (at >= s.size()) throw syntax();
    if (s[at] == '+' || s[at] == '-') {
      int sign = s[at++] == '-' ? -1 : 1;
      auto number = [&] {
        size_t from = at;
        long v = 0;
        while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])) && at - from < 9)
          v = v * 10 + (s[at++] - '0');
        if (at == from) throw syntax();
        return std::pair{v, at - from};
      };
      auto [h, width] = number();
      long m = 0, sec = 0;
      if (at < s.size() && s[at] == ':') {
        ++at;
        m = number().first;
        if (at < s.size() && s[at] == ':') ++at, sec = number().first;
      } else if (width > 2) {
        m = h % 100, h /= 100;
      }
      if (at != s.size()) throw syntax();
      if (h > 15 || m > 59 || sec > 59)
        throw SqlError("22008", "time zone displacement out of range: \"" + text + "\"");
      offset = sign * static_cast<int>(h * 3600 + m * 60 + sec);
      return;
    }
    std::string name = s.substr(at);
    if (!std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalpha(static_cast<unsigned char>(c)) || c == '/' || c == '_';
        }))
      throw syntax();
    if (!iequals(name, "Z") && !iequals(name, "UTC") && !iequals(name, "GMT"))
      throw SqlError("0A000", "the time zone \"" + name +
                                  "\" is not modelled; ccsim reads Z, UTC, GMT and offsets like "
                                  "+02:00 (\"" +
                                  text + "\")");
    at = s.size();
  };
  if (at < s.size() && (s[at] == '+' || s[at] == '-' ||
                        (s[at] == ' ' && at + 1 < s.size() &&
                         !std::isdigit(static_cast<unsigned char>(s[at + 1]))))) {
    zone();
  } else if (at < s.size()) {
    if (s[at] != ' ' && s[at] != 'T') throw syntax();
    ++at;
    hour = digits(2);
    sep(':');
    minute = digits(2);
    if (at < s.size() && s[at] == ':') {
      ++at;
      second = digits(2);
      if (at < s.size() && s[at] == '.') {
        ++at;
        while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])))
          fraction += s[at++];
        if (fraction.empty() || fraction.size() > 6) throw syntax();
      }
    }
    if (at < s.size()) zone();
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59)
    throw SqlError("22008", "date/time field value out of range: \"" + text + "\"");
  if (t == ColumnType::kTimestampTz && offset != 0) {
    int seconds = (hour * 60 + minute) * 60 + second - offset;
    if (seconds < 0) seconds += 24 * 3600, step_day(year, month, day, -1);
    if (seconds >= 24 * 3600) seconds -= 24 * 3600, step_day(year, month, day, 1);
    hour = seconds / 3600, minute = seconds / 60 % 60, second = seconds % 60;
    if (year < 1 || year > 9999)
      throw SqlError("0A000",
                     "a timestamp outside the years 1 to 9999 is not modelled: \"" + text + "\"");
  }
  auto pad = [](int v, size_t width) {
    std::string d = std::to_string(v);
    return std::string(width > d.size() ? width - d.size() : 0, '0') + d;
  };
  std::string r = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2);
  if (t == ColumnType::kDate) return r;
  r += " " + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) r += "." + fraction;
  if (t == ColumnType::kTimestampTz) r += "+00";
  return r;
}

// ---- Rule: uuid input (string_to_uuid) -----------------------------------------
// 32 hex digits in either case, optionally in braces, with one optional '-'
// after any group of four but the last; nothing else, not even a space
// (22P02). Stored as PostgreSQL prints one: lowercase, 8-4-4-4-12, whose
// text orders as the uuids' bytes do.
std::string uuid_value(const std::string& text) {
  auto bad = [&]() {
    return SqlError("22P02", "invalid input syntax for type uuid: \"" + text + "\"");
  };
  size_t i = 0;
  const bool braces = !text.empty() && text[0] == '{';
  if (braces) ++i;
  std::string out;
  out.reserve(36);
  for (int byte = 0; byte < 16; ++byte) {
    for (int half = 0; half < 2; ++half) {
      if (i >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i]))) throw bad();
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
    }
    if (byte == 3 || byte == 5 || byte == 7 || byte == 9) out += '-';
    if (i < text.size() && text[i] == '-' && byte % 2 == 1 && byte < 15) ++i;
  }
  if (braces && (i >= text.size() || text[i++] != '}')) throw bad();
  if (i != text.size()) throw bad();
  return out;
}

Value coerce(const Value& v, ColumnType t, const std::string& column, bool unknown) {
  if (is_null(v)) return v;
  // An unknown literal is read with the column's type; any other text
  // (a text column, a :param, which travels as $n::text) is not assigned
  // to a number or a boolean (42804), as PostgreSQL says.
  if (auto* text = std::get_if<std::string>(&v);
      text && (t == ColumnType::kSmallInt || t == ColumnType::kInt || t == ColumnType::kBigInt ||
               t == ColumnType::kNumeric || t == ColumnType::kBool)) {
    if (!unknown)
      throw SqlError("42804", "column \"" + column + "\" is of type " +
                                  (t == ColumnType::kBool ? "boolean" : integer_type_name(t)) +
                                  " but expression is of type text");
    if (t != ColumnType::kBool) return coerce(number_input(*text, t), t, column, false);
  }
  if (t == ColumnType::kUuid) {
    if (auto* text = std::get_if<std::string>(&v)) return uuid_value(*text);
    throw SqlError("42804", "column \"" + column + "\" is of type uuid but expression is of type " +
                                type_name(v));
  }
  if (is_datetime(t)) {
    if (auto* text = std::get_if<std::string>(&v)) return datetime_value(*text, t);
    throw SqlError("42804", "column \"" + column + "\" is of type " + datetime_type_name(t) +
                                " but expression is of type " + type_name(v));
  }
  if (t == ColumnType::kBool) {
    if (std::holds_alternative<bool>(v)) return v;
    if (auto* text = std::get_if<std::string>(&v)) {
      if (auto b = boolean_text(*text)) return *b;
      throw SqlError("22P02", "invalid input syntax for type boolean: \"" + *text + "\"");
    }
    throw SqlError("42804", "column \"" + column +
                                "\" is of type boolean but expression is of type " + type_name(v));
  }
  // ---- Rule: anything is assigned to a text column as its text ------------
  // PostgreSQL's assignment casts to text write the value as its output
  // function does: 10, 1.50, true.
  if (t == ColumnType::kText && !std::holds_alternative<std::string>(v)) {
    if (auto* b = std::get_if<bool>(&v)) return std::string(*b ? "true" : "false");
    return to_display(v);
  }
  if (std::holds_alternative<bool>(v))
    throw SqlError("42804", "column \"" + column + "\" is of type " + integer_type_name(t) +
                                " but expression is of type boolean");
  if (t == ColumnType::kText) return v;
  if (const Decimal* d = std::get_if<Decimal>(&v)) {
    if (t == ColumnType::kNumeric) return v;
    // ---- Rule: a numeric stored in an integer column is rounded ------------
    // Half away from zero, as numeric's cast to int4 and int8 rounds.
    std::optional<__int128> whole = units_at(*d, 0);
    const __int128 lo = t == ColumnType::kSmallInt ? std::numeric_limits<int16_t>::min()
                        : t == ColumnType::kInt    ? std::numeric_limits<int32_t>::min()
                                                   : std::numeric_limits<int64_t>::min();
    const __int128 hi = t == ColumnType::kSmallInt ? std::numeric_limits<int16_t>::max()
                        : t == ColumnType::kInt    ? std::numeric_limits<int32_t>::max()
                                                   : std::numeric_limits<int64_t>::max();
    if (!whole || *whole < lo || *whole > hi)
      throw SqlError("22003", std::string(integer_type_name(t)) + " out of range");
    return static_cast<int64_t>(*whole);
  }
  auto* i = std::get_if<int64_t>(&v);
  if (!i)
    throw SqlError("22P02", std::string("invalid input syntax for type ") + integer_type_name(t) +
                                ": \"" + std::get<std::string>(v) + "\"");
  if (t == ColumnType::kInt && outside_int4(*i)) overflow(true);
  if (t == ColumnType::kSmallInt && outside_int2(*i)) overflow_int2();
  return v;
}

namespace {

// The type PostgreSQL gives x while it parses, when ccsim can tell: a
// column's, a typed or a number literal's, a :param's value's, an
// arithmetic's (an unknown literal takes the other side's), a condition's
// boolean, || text; nothing for an unknown literal and the rest.
std::optional<ColumnType> static_type(const Expr& x, const EvalEnv& env) {
  switch (x.kind) {
    case ExprKind::kColumn: {
      int i = env.table ? env.table->column_index(x.name) : -1;
      if (i < 0) return std::nullopt;
      return env.table->columns[static_cast<size_t>(i)].type;
    }
    case ExprKind::kLiteral:
      if (x.typed) return x.typed;
      if (std::holds_alternative<bool>(x.literal)) return ColumnType::kBool;
      if (x.decimal_literal || std::holds_alternative<Decimal>(x.literal))
        return ColumnType::kNumeric;
      if (auto* v = std::get_if<int64_t>(&x.literal))  // int when it fits, as PostgreSQL types it
        return *v >= std::numeric_limits<int32_t>::min() &&
                       *v <= std::numeric_limits<int32_t>::max()
                   ? ColumnType::kInt
                   : ColumnType::kBigInt;
      return std::nullopt;
    case ExprKind::kParam: {
      auto it = env.vars ? env.vars->find(x.name) : decltype(env.vars->end()){};
      if (!env.vars || it == env.vars->end()) return std::nullopt;
      if (std::holds_alternative<int64_t>(it->second.value)) return ColumnType::kBigInt;
      if (std::holds_alternative<Decimal>(it->second.value)) return ColumnType::kNumeric;
      if (std::holds_alternative<bool>(it->second.value)) return ColumnType::kBool;
      if (std::holds_alternative<std::string>(it->second.value)) return ColumnType::kText;
      return std::nullopt;
    }
    case ExprKind::kNeg:
      return static_type(*x.lhs, env);
    case ExprKind::kNot:
    case ExprKind::kIsNull:
    case ExprKind::kIsNotNull:
    case ExprKind::kBoolTest:
    case ExprKind::kIsDistinct:
    case ExprKind::kIsNotDistinct:
    case ExprKind::kLike:
      return ColumnType::kBool;
    case ExprKind::kCoalesce:
    case ExprKind::kBinary: {
      if (x.kind == ExprKind::kBinary && x.op == BinOp::kConcat) return ColumnType::kText;
      if (x.kind == ExprKind::kBinary && x.op > BinOp::kMod) return ColumnType::kBool;
      // An arithmetic of integers is the wider (int < bigint < numeric); an
      // unknown literal side takes the other's type.
      auto a = is_unknown_literal(*x.lhs) ? std::nullopt : static_type(*x.lhs, env);
      auto b = is_unknown_literal(*x.rhs) ? std::nullopt : static_type(*x.rhs, env);
      auto rank = [](std::optional<ColumnType> t) {
        return !t                           ? 0
               : t == ColumnType::kSmallInt ? 1
               : t == ColumnType::kInt      ? 2
               : t == ColumnType::kBigInt   ? 3
               : t == ColumnType::kNumeric  ? 4
                                            : -1;
      };
      if (rank(a) < 0 || rank(b) < 0 || (!a && !b)) return std::nullopt;
      return rank(a) >= rank(b) ? a : b;
    }
    default:
      return column_type_of(type_of(x, typing_env(env)).value_or(SqlType::kUnknown));
  }
}

}  // namespace

bool has_subquery(const Expr* e) {
  return e && (e->kind == ExprKind::kSubquery || has_subquery(e->lhs.get()) ||
               has_subquery(e->rhs.get()));
}

bool column_free(const Expr& e) {
  if (e.kind == ExprKind::kSubquery) return true;  // its columns are its own table's
  if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kAdvisory) return false;
  return (!e.lhs || column_free(*e.lhs)) && (!e.rhs || column_free(*e.rhs));
}

bool is_unknown_literal(const Expr& e) {
  return e.kind == ExprKind::kLiteral && !e.typed && std::holds_alternative<std::string>(e.literal);
}

void check_assignment(const Expr& e, const Column& c, const EvalEnv& env) {
  if ((is_datetime(c.type) || c.type == ColumnType::kUuid) && !is_unknown_literal(e) &&
      static_type(e, env) == ColumnType::kText)
    throw SqlError("42804",
                   "column \"" + c.name + "\" is of type " +
                       (c.type == ColumnType::kUuid ? "uuid" : datetime_type_name(c.type)) +
                       " but expression is of type text");
}

Value fit(const Value& v, const Column& c, bool unknown) {
  Value out = coerce(v, c.type, c.name, unknown);
  if (c.time_precision >= 0 && c.time_precision < 6)
    if (auto* text = std::get_if<std::string>(&out))
      return round_timestamp(*text, c.time_precision);
  if (c.precision > 0 && is_number(out)) {
    // ---- Rule: numeric(p, s) rounds to s digits and holds p in all (22003) --
    std::optional<__int128> units = units_at(out, c.scale);
    __int128 bound = 1;
    for (int k = 0; k < c.precision; ++k) bound *= 10;
    if (!units || *units >= bound || *units <= -bound)
      throw SqlError("22003", "numeric field overflow");
    return *number_value(*units, c.scale);
  }
  const auto* text = std::get_if<std::string>(&out);
  if (!text || c.max_length <= 0) return out;
  // Characters, not bytes: a UTF-8 continuation byte starts none.
  size_t chars = 0, cut = text->size();
  for (size_t i = 0; i < text->size(); ++i)
    if ((static_cast<unsigned char>((*text)[i]) & 0xC0) != 0x80 &&
        ++chars == static_cast<size_t>(c.max_length) + 1)
      cut = i;
  if (cut != text->size() && text->find_first_not_of(' ', cut) != std::string::npos)
    throw SqlError("22001", std::string("value too long for type ") +
                                (c.blank_padded ? "character(" : "character varying(") +
                                std::to_string(c.max_length) + ")");
  // ---- Rule: character(n) stores n characters, blank-padded ---------------
  if (c.blank_padded)
    return text->substr(0, cut) +
           std::string(static_cast<size_t>(c.max_length) - std::min(chars, size_t(c.max_length)),
                       ' ');
  if (cut == text->size()) return out;
  return text->substr(0, cut);
}

}  // namespace ccsim
