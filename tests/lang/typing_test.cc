// Parse analysis and planning (lang/typing.h): the errors PostgreSQL 15
// raises before a statement reads a row. Every expectation below is what
// psql printed for the same statement on a PostgreSQL 15 table of the same
// columns (t: id int, v int, s text, vc varchar(5), b boolean, d date,
// big bigint).
#include <catch2/catch.hpp>

#include "lang/parser.h"
#include "lang/typing.h"
#include "store/store.h"

using namespace ccsim;

namespace {

Column column(const std::string& name, ColumnType type, int64_t max_length = 0) {
  Column c;
  c.name = name;
  c.type = type;
  c.max_length = max_length;
  return c;
}

Table table() {
  Table t;
  t.name = "t";
  t.columns = {column("id", ColumnType::kInt),    column("v", ColumnType::kInt),
               column("s", ColumnType::kText),    column("vc", ColumnType::kText, 5),
               column("b", ColumnType::kBool),    column("d", ColumnType::kDate),
               column("big", ColumnType::kBigInt)};
  return t;
}

// "SQLSTATE: message" of what analysis (then planning) raises, or "ok".
std::string outcome(const std::string& sql, bool plan = false, const Vars& vars = {}) {
  Step st = parse_step(sql, SourcePos{"f.spec", 1, 1});
  Table t = table();
  TableFinder tables = [&](const std::string& name) -> const Table* {
    return name == "t" ? &t : nullptr;
  };
  TypingEnv env{nullptr, &vars, &tables};
  try {
    analyze_statement(st.body, t, env);
    if (plan) plan_statement(st.body, t, env);
  } catch (const SqlError& e) {
    return std::string(e.sqlstate()) + ": " + e.what();
  }
  return "ok";
}

// The value of `expr` computed on `row` of `t` (SELECT expr FROM t), or
// "SQLSTATE: message" when it fails.
std::string value_on(const Table& t, const Row& row, const std::string& expr) {
  Step st = parse_step("SELECT " + expr + " AS x FROM t", SourcePos{"f.spec", 1, 1});
  EvalEnv env{&t, &row, nullptr, nullptr, true};
  try {
    return to_display(eval_value(*std::get<SelectStmt>(st.body).items[0], env));
  } catch (const SqlError& e) {
    return std::string(e.sqlstate()) + ": " + e.what();
  }
}

}  // namespace

TEST_CASE("parse analysis refuses what the operands' types do not have, with no row read",
          "[lang][typing]") {
  CHECK(outcome("UPDATE t SET v = s WHERE id = 99") ==
        "42804: column \"v\" is of type integer but expression is of type text");
  CHECK(outcome("SELECT s + 1 FROM t WHERE id = 99") ==
        "42883: operator does not exist: text + integer");
  CHECK(outcome("SELECT -s FROM t") == "42883: operator does not exist: - text");
  CHECK(outcome("SELECT -'5' FROM t") == "42725: operator is not unique: - unknown");
  CHECK(outcome("SELECT * FROM t WHERE id = 99 AND NOT v") ==
        "42804: argument of NOT must be type boolean, not type integer");
  CHECK(outcome("SELECT * FROM t WHERE v AND id = 99") ==
        "42804: argument of AND must be type boolean, not type integer");
  CHECK(outcome("SELECT * FROM t WHERE v") ==
        "42804: argument of WHERE must be type boolean, not type integer");
  CHECK(outcome("SELECT * FROM t WHERE 'x'") ==
        "22P02: invalid input syntax for type boolean: \"x\"");
  CHECK(outcome("SELECT v || 1 FROM t") == "42883: operator does not exist: integer || integer");
  CHECK(outcome("SELECT coalesce(v, s) FROM t") ==
        "42804: COALESCE types integer and text cannot be matched");
  CHECK(outcome("SELECT coalesce(b, v) FROM t") ==
        "42804: COALESCE types boolean and integer cannot be matched");
  CHECK(outcome("SELECT d + big FROM t") == "42883: operator does not exist: date + bigint");
  CHECK(outcome("SELECT d + '1' FROM t") == "42725: operator is not unique: date + unknown");
  CHECK(outcome("SELECT d - '1' FROM t") == "22007: invalid input syntax for type date: \"1\"");
  CHECK(outcome("SELECT 'a' + s FROM t") == "42883: operator does not exist: unknown + text");
  CHECK(outcome("SELECT d + DATE '2024-01-01' FROM t") ==
        "42883: operator does not exist: date + date");
  CHECK(outcome("SELECT d + TIMESTAMP '2024-01-01 10:00' FROM t") ==
        "42883: operator does not exist: date + timestamp without time zone");
  // A timestamp minus a timestamp (or a quoted literal) is an interval.
  CHECK(outcome("SELECT TIMESTAMP '2024-01-01 10:00' - '2024-01-01' FROM t") ==
        "0A000: an interval (timestamp without time zone - unknown) is not modelled");
  CHECK(outcome("SELECT * FROM t WHERE b = 1") ==
        "42883: operator does not exist: boolean = integer");
  CHECK(outcome("SELECT * FROM t WHERE d = s") == "42883: operator does not exist: date = text");
  CHECK(outcome("SELECT * FROM t WHERE vc = s") == "ok");
  CHECK(outcome("SELECT * FROM t WHERE id = 99 AND pg_advisory_lock(s) IS NOT NULL") ==
        "42883: function pg_advisory_lock(text) does not exist");
  CHECK(outcome("SELECT * FROM t WHERE pg_advisory_lock(vc) IS NULL") ==
        "42883: function pg_advisory_lock(character varying) does not exist");
  // A :param travels as $n::int8 (or ::text ...): bigint beside a date.
  Vars days{{"days", Var{int64_t{3}, {}}}};
  CHECK(outcome("SELECT d + :days FROM t", false, days) ==
        "42883: operator does not exist: date + bigint");
}

TEST_CASE("NOT IN compares with <>, and an IN list types all its items before comparing",
          "[lang][typing]") {
  CHECK(outcome("SELECT * FROM t WHERE b NOT IN (v, 1)") ==
        "42883: operator does not exist: boolean <> integer");
  CHECK(outcome("SELECT * FROM t WHERE b IN (v, 1)") ==
        "42883: operator does not exist: boolean = integer");
  // The third item's literal fails before the first comparison's types.
  CHECK(outcome("SELECT * FROM t WHERE d NOT IN (1, 2, (v >= 'x'))") ==
        "22P02: invalid input syntax for type integer: \"x\"");
  // Two items without a column: their common type with the left side.
  CHECK(outcome("SELECT * FROM t WHERE '' IN (2147483648, 2)") ==
        "22P02: invalid input syntax for type bigint: \"\"");
}

TEST_CASE("an UPDATE is analysed WHERE first, then RETURNING, then SET", "[lang][typing]") {
  CHECK(outcome("UPDATE t SET v = s WHERE s + 1 = 2") ==
        "42883: operator does not exist: text + integer");
  CHECK(outcome("UPDATE t SET v = s RETURNING s + 1") ==
        "42883: operator does not exist: text + integer");
  CHECK(outcome("UPDATE t SET b = 1/0, v = 2147483647 * 2 WHERE false", true) ==
        "42804: column \"b\" is of type boolean but expression is of type integer");
  // Any value goes into a text column (its text); not an int into a boolean.
  CHECK(outcome("UPDATE t SET s = v, vc = b") == "ok");
  CHECK(outcome("INSERT INTO t (id, b) VALUES (3, 1)") ==
        "42804: column \"b\" is of type boolean but expression is of type integer");
  CHECK(outcome("INSERT INTO t (id, vc) VALUES (3, 'abcdef')") ==
        "22001: value too long for type character varying(5)");
}

TEST_CASE("the planner computes constants before any row: AND, OR and COALESCE stop early",
          "[lang][typing]") {
  CHECK(outcome("UPDATE t SET v = v + 1/0 WHERE id = 99", true) == "22012: division by zero");
  CHECK(outcome("UPDATE t SET v = v + 2147483647 * 2 WHERE false", true) ==
        "22003: integer out of range");
  CHECK(outcome("UPDATE t SET v = 3000000000 WHERE false", true) == "22003: integer out of range");
  CHECK(outcome("UPDATE t SET vc = 123456 WHERE false", true) ==
        "22001: value too long for type character varying(5)");
  // date_out is stable: a date written into text is converted per row.
  CHECK(outcome("UPDATE t SET vc = DATE '2024-02-29' WHERE false", true) == "ok");
  CHECK(outcome("SELECT * FROM t WHERE false AND 1/0 = 1", true) == "ok");
  CHECK(outcome("SELECT * FROM t WHERE 1/0 = 1 AND false", true) == "22012: division by zero");
  CHECK(outcome("SELECT * FROM t WHERE id = 1 OR 1/0 = 1", true) == "22012: division by zero");
  CHECK(outcome("SELECT * FROM t WHERE coalesce(1, 1/0) = 1", true) == "ok");
  CHECK(outcome("SELECT * FROM t WHERE coalesce(v, 1/0) = 1", true) == "22012: division by zero");
  CHECK(outcome("SELECT * FROM t WHERE 1 IN (1, 2/0)", true) == "22012: division by zero");
  CHECK(outcome("SELECT * FROM t WHERE 1 IN (1, 2, v / 0)", true) == "ok");
  CHECK(outcome("SELECT * FROM t WHERE (v + NULL) IS NULL AND 1/0 = 1", true) ==
        "22012: division by zero");
  CHECK(outcome("SELECT * FROM t WHERE NOT (false AND 1/0 = 1)", true) == "ok");
  CHECK(outcome("SELECT * FROM t WHERE v < 0 AND v / 0 = 1", true) == "ok");
  // The SET list in the table's column order, then RETURNING, then WHERE.
  CHECK(outcome("UPDATE t SET big = 1/0, v = 2147483647 * 2 WHERE false", true) ==
        "22003: integer out of range");
  CHECK(outcome("UPDATE t SET big = 1 WHERE 2147483647 * 2 = 1 RETURNING 1/0", true) ==
        "22012: division by zero");
  CHECK(outcome("SELECT * FROM t WHERE id = (SELECT 1/0 FROM t WHERE false)", true) ==
        "22012: division by zero");
  // A :param is a constant of the plan (an unnamed statement's custom
  // plan; psql: PREPARE p(int8) AS UPDATE ... SET v = 1 / $1 ...; EXECUTE p(0)).
  Vars zero{{"z", Var{int64_t{0}, {}}}};
  CHECK(outcome("UPDATE t SET v = 1 / :z WHERE id = 99", true, zero) == "22012: division by zero");
  CHECK(outcome("UPDATE t SET v = v / :z WHERE id = 99", true, zero) == "ok");
}

TEST_CASE("an int is computed as an int, a date counts days", "[lang][typing]") {
  Table t = table();
  Row row{int64_t{1},  int64_t{2147483647},       std::string("x"), Value{Null{}},
          Value{true}, std::string("2024-02-29"), int64_t{5}};
  auto value = [&](const std::string& expr) { return value_on(t, row, expr); };
  CHECK(value("v + 1") == "22003: integer out of range");
  CHECK(value("v + '1'") == "22003: integer out of range");
  CHECK(value("big + v") == "2147483652");
  CHECK(value("-(2147483648) - 1") == "22003: integer out of range");
  CHECK(value("2147483648 - 1") == "2147483647");
  CHECK(value("d + 1") == "2024-03-01");
  CHECK(value("1 + d") == "2024-03-01");
  CHECK(value("d - 60") == "2023-12-31");
  CHECK(value("d - DATE '2024-01-01'") == "59");
  CHECK(value("'2024-03-01' - d") == "1");
  CHECK(value("d + 2147483647") == "22008: date out of range");
  CHECK(value("coalesce(' 5', v)") == "5");
  CHECK(value("greatest(v - 2147483647, 0, NULL)") == "0");
  CHECK(value("least(big, v)") == "5");
  CHECK(value("greatest(d, TIMESTAMP '2024-01-01 10:00')") == "2024-02-29 00:00:00");
  CHECK(value("CASE WHEN b THEN 'yes' END") == "yes");
  CHECK(value("CASE v WHEN 1 THEN 'one' WHEN 2147483647 THEN 'max' ELSE 'other' END") == "max");
  CHECK(value("CASE WHEN NOT b THEN 1 END") == "NULL");
  // The planner folds a strict operator beside a NULL constant to NULL: its
  // other side is never computed (random expression spec 5015).
  CHECK(value("7 / (v - v) - NULL") == "NULL");
  CHECK(value("7 / (v - v) - 1") == "22012: division by zero");
}

TEST_CASE("CASE, greatest and least: boolean conditions, one result type, folding arm by arm",
          "[lang][typing]") {
  CHECK(outcome("SELECT CASE WHEN b THEN s ELSE 1 END FROM t") ==
        "42804: CASE types integer and text cannot be matched");
  // The ELSE's type comes first: the THEN's literal is read as it.
  CHECK(outcome("SELECT CASE WHEN b THEN 'x' ELSE 1 END FROM t") ==
        "22P02: invalid input syntax for type integer: \"x\"");
  CHECK(outcome("SELECT CASE WHEN v THEN 1 END FROM t") ==
        "42804: argument of CASE/WHEN must be type boolean, not type integer");
  CHECK(outcome("SELECT CASE v WHEN 's' THEN 1 END FROM t") ==
        "22P02: invalid input syntax for type integer: \"s\"");
  CHECK(outcome("SELECT CASE v WHEN s THEN 1 END FROM t") ==
        "42883: operator does not exist: integer = text");
  CHECK(outcome("SELECT greatest(v, s) FROM t") ==
        "42804: GREATEST types integer and text cannot be matched");
  CHECK(outcome("SELECT least(d, 1) FROM t") ==
        "42804: LEAST types date and integer cannot be matched");
  // Planning: an arm with a non-constant condition has its result folded;
  // a constant true ends the CASE; a constant false arm is not computed.
  CHECK(outcome("SELECT CASE WHEN v > 0 THEN 1/0 ELSE 0 END FROM t", true) ==
        "22012: division by zero");
  CHECK(outcome("SELECT CASE WHEN true THEN 1 ELSE 1/0 END FROM t", true) == "ok");
  CHECK(outcome("SELECT CASE WHEN false THEN 1/0 ELSE 2 END FROM t", true) == "ok");
  CHECK(outcome("SELECT greatest(1, 2, 3/0) FROM t", true) == "22012: division by zero");
  // || of a number or a boolean with a text is computed (anytextcat is
  // inlined as x::text || y); of a date it is not (date_out is stable).
  CHECK(outcome("UPDATE t SET vc = (true || 'xxxxxx') WHERE false", true) ==
        "22001: value too long for type character varying(5)");
  CHECK(outcome("UPDATE t SET vc = (DATE '2024-01-01' || 'x') WHERE false", true) == "ok");
}

TEST_CASE("casts: which exist, and what they do to a value", "[lang][typing]") {
  CHECK(outcome("SELECT d::int FROM t") == "42846: cannot cast type date to integer");
  CHECK(outcome("SELECT b::bigint FROM t") == "42846: cannot cast type boolean to bigint");
  CHECK(outcome("SELECT CAST(1 AS date) FROM t") == "42846: cannot cast type integer to date");
  CHECK(outcome("SELECT 'x'::int FROM t") == "22P02: invalid input syntax for type integer: \"x\"");
  CHECK(outcome("SELECT '99.99'::numeric(3,1) FROM t") == "22003: numeric field overflow");
  CHECK(outcome("SELECT 3000000000::int FROM t WHERE false", true) ==
        "22003: integer out of range");
  CHECK(outcome("SELECT s::int, v::text, d::timestamp, b::int, v::boolean FROM t", true) == "ok");
  Table t = table();
  Row row{int64_t{1},  int64_t{2147483647},       std::string("42"), std::string("abcdef"),
          Value{true}, std::string("2024-02-29"), int64_t{5}};
  auto value = [&](const std::string& expr) { return value_on(t, row, expr); };
  CHECK(value("s::int + 1") == "43");
  CHECK(value("1.5::int") == "2");
  CHECK(value("(-1.5)::int") == "-2");
  CHECK(value("2.5::bigint") == "3");
  CHECK(value("vc::varchar(3)") == "abc");
  CHECK(value("b::int") == "1");
  CHECK(value("(v - 2147483647)::boolean") == "f");
  CHECK(value("d::timestamp") == "2024-02-29 00:00:00");
  CHECK(value("1.50::text") == "1.50");
  CHECK(value("-2147483648::int") == "22003: integer out of range");
  CHECK(value("v::int + 1") == "22003: integer out of range");
}

TEST_CASE("a 2000-deep operator chain is analysed, planned and evaluated in the stack",
          "[lang][typing]") {
  // The parser's bound (lang_test.cc): 1999 operators. Analysis and
  // planning recurse once per operator, as evaluation does; under the
  // sanitizers' larger frames too.
  std::string chain = "v";
  for (int i = 0; i < 1999; ++i) chain += " + 1";
  CHECK(outcome("SELECT " + chain + " FROM t", true) == "ok");
  std::string constants = "1";
  for (int i = 0; i < 1999; ++i) constants += " + 1";
  CHECK(outcome("UPDATE t SET big = " + constants + " WHERE id = 1", true) == "ok");
  CHECK(outcome("UPDATE t SET v = " + constants + " * 2147483647 WHERE false", true) ==
        "22003: integer out of range");
}
