// The SQL sent to a real server is printed from the syntax tree: INTO
// dropped, :params as typed placeholders with their values, every compound
// operand parenthesised, identifiers quoted only when needed.
#include <catch2/catch.hpp>

#include "lang/parser.h"
#include "lang/printer.h"

using namespace ccsim;

namespace {

struct Printed {
  std::string sql;
  std::vector<std::optional<std::string>> params;
};

Printed print(const std::string& step, const Vars& vars = {}) {
  Printed p;
  p.sql = server_sql(parse_step(step, SourcePos{"test", 1, 1}), vars, &p.params);
  return p;
}

}  // namespace

TEST_CASE("a SELECT drops INTO and binds its parameters as typed placeholders", "[lang]") {
  Printed p = print("SELECT points FROM auth_user WHERE id = :user_id FOR UPDATE INTO :points",
                    Vars{{"user_id", Var{int64_t{1}, {}}}});
  CHECK(p.sql == "SELECT points FROM auth_user WHERE id = $1::int8 FOR UPDATE");
  CHECK(p.params == std::vector<std::optional<std::string>>{"1"});
}

TEST_CASE("ORDER BY, LIMIT, NOWAIT and SKIP LOCKED come out in PostgreSQL's order", "[lang]") {
  CHECK(print("SELECT * FROM jobs WHERE done = 0 ORDER BY id DESC LIMIT 1 FOR UPDATE SKIP LOCKED")
            .sql ==
        "SELECT * FROM jobs WHERE done = 0 ORDER BY id DESC LIMIT 1 FOR UPDATE SKIP LOCKED");
  CHECK(print("SELECT id, points FROM auth_user FOR SHARE NOWAIT").sql ==
        "SELECT id, points FROM auth_user FOR SHARE NOWAIT");
  CHECK(print("SELECT id FROM t FOR KEY SHARE").sql == "SELECT id FROM t FOR KEY SHARE");
  // ORDER BY a name of the select list is that item: here the column v,
  // qualified so that the server does not read its own output name "v".
  CHECK(print("SELECT id AS v, v AS id FROM t ORDER BY id").sql ==
        "SELECT id AS v, v AS id FROM t ORDER BY t.v");
  // NULLS comes out only where it is not the direction's default, which
  // the server assumes as ccsim does.
  CHECK(print("SELECT id FROM t ORDER BY p DESC NULLS LAST, q NULLS FIRST, r ASC NULLS LAST, "
              "s DESC NULLS FIRST")
            .sql == "SELECT id FROM t ORDER BY p DESC NULLS LAST, q NULLS FIRST, r, s DESC");
  CHECK(print("UPDATE t SET v = 1 WHERE id = (SELECT id FROM t ORDER BY id NULLS FIRST LIMIT 1)")
            .sql ==
        "UPDATE t SET v = 1 WHERE id = (SELECT id FROM t ORDER BY id NULLS FIRST LIMIT 1)");
  // A pick written with IN goes to the server as IN, the join it plans.
  CHECK(
      print("DELETE FROM t WHERE id IN (SELECT id FROM t WHERE v > 1 LIMIT 1 FOR UPDATE) AND v < 5")
          .sql ==
      "DELETE FROM t WHERE (id IN (SELECT id FROM t WHERE v > 1 LIMIT 1 FOR UPDATE)) AND (v < 5)");
}

TEST_CASE(
    "aggregates and IN lists and numeric columns and table keys print as PostgreSQL reads them",
    "[lang]") {
  CHECK(print("SELECT count(*), sum(v), MAX(\"V\") FROM t WHERE id IN (1, 2)").sql ==
        "SELECT count(*), sum(v), max(\"V\") FROM t WHERE (id = 1) OR (id = 2)");
  CHECK(print("SELECT id FROM t WHERE id NOT IN (1) AND v = 2").sql ==
        "SELECT id FROM t WHERE (NOT (id = 1)) AND (v = 2)");
  CHECK(print("CREATE TABLE t (a int, b numeric, PRIMARY KEY (b, a))").sql ==
        "CREATE TABLE t (a int NOT NULL, b numeric NOT NULL, PRIMARY KEY (a, b))");
  CHECK(print("CREATE TABLE t (a int, b text, PRIMARY KEY (b))").sql ==
        "CREATE TABLE t (a int, b text PRIMARY KEY)");
  // INSERT ... SELECT without FROM is the one row VALUES writes.
  CHECK(print("INSERT INTO t SELECT 7, 'x'").sql == "INSERT INTO t VALUES (7, 'x')");
  // A column's REFERENCES is printed as the table-level key it means (the
  // same constraint, named the same way by PostgreSQL).
  CHECK(print("CREATE TABLE o (id int PRIMARY KEY, u int REFERENCES p ON DELETE RESTRICT)").sql ==
        "CREATE TABLE o (id int PRIMARY KEY, u int, FOREIGN KEY (u) REFERENCES p ON DELETE "
        "RESTRICT)");
  // The actions and deferral read back as written; INITIALLY DEFERRED
  // implies DEFERRABLE, NO ACTION is the default.
  CHECK(print("CREATE TABLE o (u int REFERENCES p ON UPDATE CASCADE ON DELETE SET NULL "
              "INITIALLY DEFERRED)")
            .sql ==
        "CREATE TABLE o (u int, FOREIGN KEY (u) REFERENCES p ON DELETE SET NULL ON "
        "UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED)");
  CHECK(print("CREATE TABLE o (u int REFERENCES p ON DELETE NO ACTION DEFERRABLE INITIALLY "
              "IMMEDIATE)")
            .sql == "CREATE TABLE o (u int, FOREIGN KEY (u) REFERENCES p DEFERRABLE)");
  CHECK(print("SET CONSTRAINTS ALL DEFERRED").sql == "SET CONSTRAINTS ALL DEFERRED");
  CHECK(print("SET CONSTRAINTS o_u_fkey, \"Odd\" IMMEDIATE").sql ==
        "SET CONSTRAINTS o_u_fkey, \"Odd\" IMMEDIATE");
  CHECK(print("CREATE TABLE o (a int, b int, FOREIGN KEY (a, b) REFERENCES p (x, y))").sql ==
        "CREATE TABLE o (a int, b int, FOREIGN KEY (a, b) REFERENCES p (x, y))");
}

TEST_CASE("an UPDATE keeps the grouping the simulator evaluated", "[lang]") {
  Vars v{{"delta", Var{int64_t{10}, {}}}, {"me", Var{int64_t{2}, {}}}};
  Printed p = print(
      "UPDATE auth_user SET points = points + :delta * 2, version = version + 1 "
      "WHERE id = 1 AND (session_id IS NULL OR session_id = :me)",
      v);
  CHECK(p.sql ==
        "UPDATE auth_user SET points = points + ($1::int8 * 2), version = version + 1 WHERE (id = "
        "1) AND ((session_id IS NULL) OR (session_id = $2::int8))");
  CHECK(p.params == std::vector<std::optional<std::string>>{"10", "2"});
  // A negation or NOT of a compound expression keeps its parentheses.
  CHECK(print("UPDATE t SET a = -(a - 1) WHERE NOT (a = 1 OR a = 2)").sql ==
        "UPDATE t SET a = -(a - 1) WHERE NOT ((a = 1) OR (a = 2))");
  // Minus a negative number: "--3" would make the rest of the line a
  // comment on the server (the WHERE too: every row updated). Found by
  // fuzz/fuzz_machine.cc. Minus before a number is the number negated, as
  // PostgreSQL's grammar makes it (doNegate): - -3 is the constant 3.
  CHECK(print("UPDATE t SET a = - -3 WHERE id = 1").sql == "UPDATE t SET a = 3 WHERE id = 1");
  CHECK(print("UPDATE t SET a = -(-3) WHERE id = 1").sql == "UPDATE t SET a = 3 WHERE id = 1");
  CHECK(print("UPDATE t SET a = a - -3 WHERE id = 1").sql ==
        "UPDATE t SET a = a - -3 WHERE id = 1");
  CHECK(print("UPDATE t SET a = - -0 WHERE id = 1").sql == "UPDATE t SET a = 0 WHERE id = 1");
  CHECK(print("UPDATE t SET a = -(a) - -(-3) WHERE id = 1").sql ==
        "UPDATE t SET a = (-a) - 3 WHERE id = 1");
  CHECK(print("UPDATE t SET a = -a WHERE id = 1").sql == "UPDATE t SET a = -a WHERE id = 1");
  // Minus a parameter bound to NULL: -(NULL), not -NULL (read back as a literal).
  CHECK(print("UPDATE t SET a = -:x WHERE id = 1", Vars{{"x", Var{Null{}, {}}}}).sql ==
        "UPDATE t SET a = -(NULL) WHERE id = 1");
  CHECK(print("UPDATE t SET a = -:x WHERE id = 1", Vars{{"x", Var{int64_t{4}, {}}}}).sql ==
        "UPDATE t SET a = -($1::int8) WHERE id = 1");
}

TEST_CASE("NULL travels as the literal, text as a text placeholder", "[lang]") {
  Vars v{{"n", Var{Value{Null{}}, {}}}, {"name", Var{std::string("it's"), {}}}};
  Printed p =
      print("INSERT INTO users (id, name, note) VALUES (1, :name, :n), (2, 'a''b', NULL)", v);
  CHECK(p.sql ==
        "INSERT INTO users (id, name, note) VALUES (1, $1::text, NULL), (2, 'a''b', NULL)");
  CHECK(p.params == std::vector<std::optional<std::string>>{"it's"});
}

TEST_CASE("transaction control, DDL and SET print as PostgreSQL reads them", "[lang]") {
  CHECK(print("BEGIN").sql == "BEGIN");
  CHECK(print("BEGIN ISOLATION LEVEL SERIALIZABLE").sql == "BEGIN ISOLATION LEVEL SERIALIZABLE");
  CHECK(print("COMMIT").sql == "COMMIT");
  CHECK(print("ROLLBACK").sql == "ROLLBACK");
  CHECK(print("DELETE FROM app_lock WHERE id = 1").sql == "DELETE FROM app_lock WHERE id = 1");
  CHECK(print("CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, n bigint)").sql ==
        "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, n bigint)");
  CHECK(print("DROP TABLE t").sql == "DROP TABLE t");
  CHECK(print("SET deadlock_timeout = '100ms'").sql == "SET deadlock_timeout = '100ms'");
  CHECK(print("INSERT INTO t VALUES (1, 2) ON CONFLICT (id) DO NOTHING").sql ==
        "INSERT INTO t VALUES (1, 2) ON CONFLICT (id) DO NOTHING");
  CHECK(print("INSERT INTO t VALUES (1, 2) ON CONFLICT DO NOTHING").sql ==
        "INSERT INTO t VALUES (1, 2) ON CONFLICT DO NOTHING");
}

TEST_CASE("a parameter with no value is the simulator's error, 42P02", "[lang]") {
  try {
    print("UPDATE t SET a = :missing");
    FAIL("no error");
  } catch (const SqlError& e) {
    CHECK(e.sqlstate() == "42P02");
  }
}

TEST_CASE(
    "identifiers are quoted only when PostgreSQL or the step language would not read them bare",
    "[lang]") {
  CHECK(sql_identifier("auth_user") == "auth_user");
  CHECK(sql_identifier("user") == "\"user\"");
  CHECK(sql_identifier("Points") == "\"Points\"");
  CHECK(sql_identifier("a\"b") == "\"a\"\"b\"");
  CHECK(sql_identifier("do") == "\"do\"");
  // Not reserved in PostgreSQL, but a word of the step language: quoted, so
  // that what ccsim prints reads back (a SELECT's column named after max()).
  CHECK(sql_identifier("max") == "\"max\"");
  CHECK(sql_identifier("points") == "points");
}

TEST_CASE("a quoted name prints back quoted, so the server reads the same name", "[lang]") {
  Step st = parse_step("UPDATE \"do\" SET \"Points\" = \"Points\" + 1", SourcePos{"f", 1, 1});
  std::vector<std::optional<std::string>> params;
  CHECK(server_sql(st, Vars{}, &params) == "UPDATE \"do\" SET \"Points\" = \"Points\" + 1");
}

TEST_CASE("the statement cache prints what server_sql prints, for every kind of value", "[lang]") {
  // The same steps sent again and again with values that change kind
  // (number, numeric, text, NULL, missing, a NUL byte): each answer, text,
  // values and errors alike, is server_sql's.
  Step update =
      parse_step("UPDATE t SET a = :x, b = :y WHERE id = :x AND c = :z", SourcePos{"test", 1, 1});
  Step insert =
      parse_step("INSERT INTO t (a, b) VALUES (:y, :x), (:x, :y)", SourcePos{"test", 2, 1});
  std::vector<Vars> values = {
      Vars{{"x", Var{int64_t{1}, {}}}, {"y", Var{int64_t{2}, {}}}, {"z", Var{int64_t{3}, {}}}},
      Vars{{"x", Var{int64_t{4}, {}}}, {"y", Var{int64_t{5}, {}}}, {"z", Var{int64_t{6}, {}}}},
      Vars{{"x", Var{std::string("a'b"), {}}}, {"y", Var{Null{}, {}}}, {"z", Var{int64_t{7}, {}}}},
      Vars{{"x", Var{int64_t{8}, {}}}, {"y", Var{Null{}, {}}}, {"z", Var{std::string("q"), {}}}},
      Vars{{"x", Var{int64_t{9}, {}}}, {"y", Var{int64_t{10}, {}}}},  // :z missing
      Vars{{"x", Var{std::string("n\0ul", 4), {}}},
           {"y", Var{int64_t{1}, {}}},
           {"z", Var{int64_t{1}, {}}}},
      // A numeric, then a text in its place: two texts (::numeric, ::text).
      Vars{
          {"x", Var{Decimal(1234, 2), {}}}, {"y", Var{int64_t{2}, {}}}, {"z", Var{int64_t{3}, {}}}},
      Vars{
          {"x", Var{std::string("t"), {}}}, {"y", Var{int64_t{2}, {}}}, {"z", Var{int64_t{3}, {}}}},
      Vars{{"x", Var{int64_t{1}, {}}}, {"y", Var{int64_t{2}, {}}}, {"z", Var{int64_t{3}, {}}}},
  };
  ServerSqlCache cache;
  auto answer = [](auto&& print) {
    std::vector<std::optional<std::string>> params;
    try {
      std::string sql = print(&params);
      return std::make_pair(sql, params);
    } catch (const SqlError& e) {
      return std::make_pair(std::string("error ") + e.sqlstate(), params);
    }
  };
  for (int round = 0; round < 2; ++round)
    for (const Step* st : {&update, &insert})
      for (const Vars& v : values) {
        auto cached = answer([&](auto* p) { return cache.sql(*st, v, p); });
        auto direct = answer([&](auto* p) { return server_sql(*st, v, p); });
        CAPTURE(round, st->text, direct.first);
        CHECK(cached.first == direct.first);
        if (direct.first.rfind("error", 0) != 0) CHECK(cached.second == direct.second);
      }
}

TEST_CASE("partitioned tables and their partitions print as PostgreSQL reads them", "[lang]") {
  CHECK(print("CREATE TABLE t (a int, b text) PARTITION BY range (a)").sql ==
        "CREATE TABLE t (a int, b text) PARTITION BY RANGE (a)");
  CHECK(print("CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (MINVALUE) TO (10)").sql ==
        "CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (MINVALUE) TO (10)");
  CHECK(print("CREATE TABLE t2 PARTITION OF t FOR VALUES IN ('x', NULL)").sql ==
        "CREATE TABLE t2 PARTITION OF t FOR VALUES IN ('x', NULL)");
  CHECK(print("create table t3 partition of t default").sql ==
        "CREATE TABLE t3 PARTITION OF t DEFAULT");
  CHECK(print("ALTER TABLE t ATTACH PARTITION u FOR VALUES FROM (10) TO (MAXVALUE)").sql ==
        "ALTER TABLE t ATTACH PARTITION u FOR VALUES FROM (10) TO (MAXVALUE)");
}

TEST_CASE("MERGE prints with its source's values in place and the target's columns qualified",
          "[lang]") {
  Printed p = print(
      "MERGE INTO points p USING (SELECT :id AS id, 'x' AS note) s ON p.id = s.id "
      "WHEN MATCHED AND p.note = s.note THEN UPDATE SET total = p.total + 1 "
      "WHEN MATCHED THEN DELETE "
      "WHEN NOT MATCHED THEN INSERT (id, note) VALUES (s.id, s.note)",
      Vars{{"id", Var{int64_t{3}, {}}}});
  // The text constant is typed text, as the source subquery types it; each
  // place :id is read is a placeholder of its own.
  CHECK(p.sql ==
        "MERGE INTO points USING (SELECT) AS ccsim_source ON points.id = $1::int8 "
        "WHEN MATCHED AND points.note = ('x')::text THEN UPDATE SET total = points.total + 1 "
        "WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, note) VALUES ($2::int8, "
        "('x')::text)");
  CHECK(p.params == std::vector<std::optional<std::string>>{"3", "3"});
  CHECK(print("MERGE INTO t USING (VALUES (1)) v (k) ON t.k = v.k WHEN MATCHED THEN DO NOTHING "
              "WHEN NOT MATCHED THEN INSERT DEFAULT VALUES")
            .sql ==
        "MERGE INTO t USING (SELECT) AS ccsim_source ON t.k = 1 WHEN MATCHED THEN DO "
        "NOTHING WHEN NOT MATCHED THEN INSERT DEFAULT VALUES");
  CHECK(print("DROP TABLE a, b CASCADE").sql == "DROP TABLE a, b CASCADE");
}

TEST_CASE("MERGE over a source of several rows prints VALUES and reads its columns by name",
          "[lang]") {
  // Each row's values stand in its own copy of ON and the actions; the
  // server gets the source as written, its texts typed text.
  CHECK(print("MERGE INTO t USING (VALUES (1, 'x'), (2, NULL)) s (a, tag) ON t.k = s.a "
              "WHEN MATCHED AND s.tag IS NULL THEN DELETE "
              "WHEN MATCHED THEN UPDATE SET note = t.note || s.tag")
            .sql ==
        "MERGE INTO t USING (VALUES (1, ('x')::text), (2, (NULL)::text)) AS "
        "ccsim_source (a, tag) ON t.k = ccsim_source.a WHEN MATCHED AND "
        "ccsim_source.tag IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET note = "
        "t.note || ccsim_source.tag");
  CHECK(print("MERGE INTO t USING (VALUES (1), (-2)) AS s ON t.k = s.column1 "
              "WHEN MATCHED THEN UPDATE SET v = t.v + s.column1 WHEN NOT MATCHED THEN DO NOTHING")
            .sql ==
        "MERGE INTO t USING (VALUES (1), (-2)) AS ccsim_source (column1) ON t.k = "
        "ccsim_source.column1 WHEN MATCHED THEN UPDATE SET v = t.v + "
        "ccsim_source.column1 WHEN NOT MATCHED THEN DO NOTHING");
}

TEST_CASE("CREATE TABLE ... AS prints its rows as VALUES under its columns' names and types",
          "[lang]") {
  CHECK(print("CREATE TABLE a AS SELECT g, 'x' AS t FROM generate_series(1, 2) g").sql ==
        "CREATE TABLE a (g, t) AS VALUES ((1)::int, ('x')::text), (2, 'x')");
  CHECK(print("CREATE TABLE a (k) AS SELECT 'x'::varchar(3) AS c WITH NO DATA").sql ==
        "CREATE TABLE a (k) AS SELECT (NULL)::varchar(3) WITH NO DATA");
  // Read back, the first row's casts are the columns' types again.
  CHECK(print("CREATE TABLE a (g, t) AS VALUES ((1)::int, ('x')::text), (2, 'x')").sql ==
        "CREATE TABLE a (g, t) AS VALUES ((1)::int, ('x')::text), (2, 'x')");
  CHECK(print("ALTER TABLE a SET (parallel_workers = 2, autovacuum_enabled = off)").sql ==
        "ALTER TABLE a SET (parallel_workers = 2, autovacuum_enabled = off)");
}

TEST_CASE("LIKE, OFFSET, EXISTS and INSERT ... SELECT ... WHERE print as PostgreSQL reads them",
          "[lang]") {
  CHECK(print("SELECT id FROM t WHERE name NOT ILIKE 'a%' AND v || 'x' LIKE :p",
              Vars{{"p", Var{std::string("_x"), {}}}})
            .sql == "SELECT id FROM t WHERE (name NOT ILIKE 'a%') AND ((v || 'x') LIKE $1::text)");
  CHECK(print("SELECT id FROM t ORDER BY id FOR UPDATE OFFSET 2 LIMIT 1").sql ==
        "SELECT id FROM t ORDER BY id LIMIT 1 OFFSET 2 FOR UPDATE");
  // Both before the locking clause or both after, as PostgreSQL's grammar.
  CHECK_THROWS_WITH(print("SELECT id FROM t ORDER BY id OFFSET 2 FOR UPDATE LIMIT 1"),
                    "test:1:50: error: expected the end of the step, found 'LIMIT'");
  CHECK(print("DELETE FROM t WHERE NOT EXISTS (SELECT * FROM u WHERE u_id = 1)").sql ==
        "DELETE FROM t WHERE NOT EXISTS (SELECT NULL FROM u WHERE u_id = 1)");
  // The one row stays a SELECT, so that its WHERE keeps it or not.
  CHECK(print("INSERT INTO t (id, name) SELECT 7, 'x' WHERE NOT EXISTS (SELECT 1 FROM t WHERE "
              "name = 'x')")
            .sql ==
        "INSERT INTO t (id, name) SELECT 7, 'x' WHERE NOT EXISTS (SELECT 1 FROM t WHERE name = "
        "'x')");
}

TEST_CASE("sequences print as PostgreSQL reads them back, a name's case kept in quotes", "[lang]") {
  CHECK(print("CREATE SEQUENCE s").sql == "CREATE SEQUENCE s INCREMENT BY 1 NO CYCLE");
  CHECK(print("CREATE SEQUENCE IF NOT EXISTS s INCREMENT -2 MAXVALUE 0 MINVALUE -5 START 0 "
              "CACHE 1 CYCLE")
            .sql ==
        "CREATE SEQUENCE IF NOT EXISTS s INCREMENT BY -2 MINVALUE -5 MAXVALUE 0 START WITH 0 "
        "CYCLE");
  CHECK(print("DROP SEQUENCE IF EXISTS \"Mixed\"").sql == "DROP SEQUENCE IF EXISTS \"Mixed\"");
  CHECK(print("SELECT nextval('Invoice_N'), currval('\"Mixed\"') INTO :a, :b").sql ==
        "SELECT nextval('invoice_n') AS nextval, currval('\"Mixed\"') AS currval");
  CHECK(print("INSERT INTO t VALUES (nextval('s'), 1)").sql ==
        "INSERT INTO t VALUES (nextval('s'), 1)");
  // DEFAULT nextval('s'), pg_dump's ::regclass read too: the column stays nullable.
  CHECK(print("CREATE TABLE t (id bigint DEFAULT nextval('S'::regclass), n int)").sql ==
        "CREATE TABLE t (id bigint DEFAULT nextval('s'), n int)");
  // Each option once, as PostgreSQL's 42601 "conflicting or redundant options".
  CHECK_THROWS_WITH(print("CREATE SEQUENCE s START 1 START 2"),
                    Catch::Contains("conflicting or redundant options: START twice"));
  CHECK_THROWS_WITH(print("CREATE SEQUENCE s INCREMENT BY 0"),
                    Catch::Contains("INCREMENT must not be zero"));
}
