// step(): PostgreSQL 15's statement semantics as the requests see them.
// Each expected value is derived in the comment above it from the rule the
// test is about.
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace ccsim;
using namespace ccsim::test;

namespace {

const char* kEngineSetup =
    "CREATE TABLE t (id int PRIMARY KEY, v int)\n"
    "INSERT INTO t VALUES (1, 100), (2, 200)\n";

}  // namespace

TEST_CASE("a waiting UPDATE re-checks its WHERE against the newest version at READ COMMITTED",
          "[engine]") {
  World w = make_world(kEngineSetup, {{"A", "BEGIN\nUPDATE t SET v = 150 WHERE id = 1\nCOMMIT"},
                                      {"B", "UPDATE t SET v = v + 1 WHERE v = 100"}});
  // A: BEGIN, A: UPDATE (row lock), B: UPDATE matches v = 100 in its snapshot
  // and waits; A: COMMIT -> B re-reads v = 150, which fails v = 100: 0 rows.
  Log log = play(w, "A A B");
  CHECK(req(w, "B").state == RunState::kBlocked);
  play(w, "A");
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(var(w, "B", "rowcount") == Value{int64_t{0}});
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{150}});
}

TEST_CASE("a waiting UPDATE evaluates SET on the newest version", "[engine]") {
  SECTION("points = points + 10 adds to the other's committed value") {
    World w =
        make_world(kEngineSetup, {{"A", "BEGIN\nUPDATE t SET v = v + 10 WHERE id = 1\nCOMMIT"},
                                  {"B", "UPDATE t SET v = v + 10 WHERE id = 1"}});
    play(w, "A A B A");  // B waits, then applies +10 to A's 110
    CHECK(committed(w, "t", 0, "v") == Value{int64_t{120}});
  }
  SECTION("points = 110 overwrites it blindly") {
    World w = make_world(kEngineSetup, {{"A", "BEGIN\nUPDATE t SET v = 110 WHERE id = 1\nCOMMIT"},
                                        {"B", "UPDATE t SET v = 110 WHERE id = 1"}});
    play(w, "A A B A");
    CHECK(committed(w, "t", 0, "v") == Value{int64_t{110}});
  }
}

TEST_CASE("a waiting SELECT FOR UPDATE returns the version committed by the holder", "[engine]") {
  World w = make_world(kEngineSetup,
                       {{"A", "BEGIN\nUPDATE t SET v = 110 WHERE id = 1\nCOMMIT"},
                        {"B", "BEGIN\nSELECT v FROM t WHERE id = 1 FOR UPDATE INTO :v\nCOMMIT"}});
  play(w, "A A B B");
  CHECK(req(w, "B").state == RunState::kBlocked);
  CHECK(var(w, "B", "v") == Value{std::string("<unset>")});
  Log log = play(w, "A");  // A commits: B's SELECT completes inside the same step
  CHECK(var(w, "B", "v") == Value{int64_t{110}});
  REQUIRE(log.events.size() >= 2);
  CHECK(log.events[0].kind == EventKind::kCommit);
  CHECK(log.events[1].kind == EventKind::kResume);
}

TEST_CASE("outside BEGIN each statement autocommits, so SELECT FOR UPDATE holds nothing",
          "[engine]") {
  World w = make_world(kEngineSetup,
                       {{"A",
                         "SELECT v FROM t WHERE id = 1 FOR UPDATE INTO :v\nLET :v = :v + 10\n"
                         "UPDATE t SET v = :v WHERE id = 1"},
                        {"B",
                         "SELECT v FROM t WHERE id = 1 FOR UPDATE INTO :v\nLET :v = :v + 10\n"
                         "UPDATE t SET v = :v WHERE id = 1"}});
  // Both SELECTs lock and release at once; both read 100; both write 110.
  play(w, "A B A B A B");
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{110}});
  CHECK(w.store.row(RowId{0}).holders.empty());
}

TEST_CASE("a plain SELECT inside a transaction does not wait for a row lock", "[engine]") {
  World w = make_world(kEngineSetup, {{"A", "BEGIN\nUPDATE t SET v = 110 WHERE id = 1\nCOMMIT"},
                                      {"B", "SELECT v FROM t WHERE id = 1 INTO :v"}});
  play(w, "A A B");
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(var(w, "B", "v") == Value{int64_t{100}});  // A has not committed yet
}

TEST_CASE("REPEATABLE READ fails with 40001 on a row another transaction changed", "[engine]") {
  const char* b_program =
      "BEGIN ISOLATION LEVEL REPEATABLE READ\nSELECT v FROM t WHERE id = 1 INTO :v\n"
      "UPDATE t SET v = :v + 10 WHERE id = 1\nCOMMIT";
  SECTION("after waiting for a holder that commits") {
    World w = make_world(kEngineSetup, {{"A", "BEGIN\nUPDATE t SET v = 110 WHERE id = 1\nCOMMIT"},
                                        {"B", b_program}});
    // B's snapshot (its SELECT) predates A's commit; B's UPDATE waits, then fails.
    play(w, "A B B A B A");
    CHECK(req(w, "B").fate == Fate::kAborted);
    CHECK(req(w, "B").sqlstate == "40001");
    CHECK(committed(w, "t", 0, "v") == Value{int64_t{110}});
  }
  SECTION("after waiting for a holder that rolls back, it proceeds") {
    World w = make_world(kEngineSetup, {{"A", "BEGIN\nUPDATE t SET v = 110 WHERE id = 1\nROLLBACK"},
                                        {"B", b_program}});
    play(w, "A B B A B A B");
    CHECK(req(w, "B").fate == Fate::kCommitted);
    CHECK(committed(w, "t", 0, "v") == Value{int64_t{110}});  // 100 + 10 by B
  }
}

TEST_CASE("NOWAIT fails with 55P03 and SKIP LOCKED skips a locked row", "[engine]") {
  World w = make_world(
      kEngineSetup,
      {{"A", "BEGIN\nSELECT * FROM t WHERE id = 1 FOR UPDATE\nCOMMIT"},
       {"B", "BEGIN\nSELECT id FROM t ORDER BY id FOR UPDATE SKIP LOCKED INTO :id\nCOMMIT"},
       {"C", "BEGIN\nSELECT v FROM t WHERE id = 1 FOR UPDATE NOWAIT INTO :v\nCOMMIT"}});
  play(w, "A A B B C C");
  CHECK(var(w, "B", "id") == Value{int64_t{2}});  // row 1 is A's, so B gets row 2
  CHECK(var(w, "B", "rowcount") == Value{int64_t{1}});
  CHECK(req(w, "C").fate == Fate::kAborted);
  CHECK(req(w, "C").sqlstate == "55P03");
}

TEST_CASE("the waiter that closes a lock cycle is aborted with 40P01", "[engine]") {
  World w = make_world(
      kEngineSetup,
      {{"A", "BEGIN\nUPDATE t SET v = 1 WHERE id = 1\nUPDATE t SET v = 1 WHERE id = 2\nCOMMIT"},
       {"B", "BEGIN\nUPDATE t SET v = 2 WHERE id = 2\nUPDATE t SET v = 2 WHERE id = 1\nCOMMIT"}});
  // A locks 1, B locks 2, A waits for 2, B's wait for 1 closes the cycle.
  play(w, "A B A B A B");
  CHECK(req(w, "B").fate == Fate::kAborted);
  CHECK(req(w, "B").sqlstate == "40P01");
  // B's rollback released row 2: A's UPDATE completed and A committed.
  CHECK(req(w, "A").state == RunState::kReady);
  play(w, "A");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{1}});
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{1}});
}

TEST_CASE("a duplicate key fails with 23505, after waiting for an unfinished inserter",
          "[engine]") {
  SECTION("the inserter commits: the waiter fails") {
    World w = make_world(kEngineSetup, {{"A", "BEGIN\nINSERT INTO t VALUES (3, 0)\nCOMMIT"},
                                        {"B", "INSERT INTO t VALUES (3, 1)"}});
    play(w, "A A B");
    CHECK(req(w, "B").state == RunState::kBlocked);
    play(w, "A");
    CHECK(req(w, "B").sqlstate == "23505");
  }
  SECTION("the inserter rolls back: the waiter inserts") {
    World w = make_world(kEngineSetup, {{"A", "BEGIN\nINSERT INTO t VALUES (3, 0)\nROLLBACK"},
                                        {"B", "INSERT INTO t VALUES (3, 1)"}});
    play(w, "A A B A");
    CHECK(req(w, "B").fate == Fate::kCommitted);
    CHECK(committed(w, "t", 2, "v") == Value{int64_t{1}});
  }
  SECTION("a committed row with that key fails at once") {
    World w = make_world(kEngineSetup, {{"A", "INSERT INTO t VALUES (1, 0)"}});
    play(w, "A");
    CHECK(req(w, "A").sqlstate == "23505");
  }
}

TEST_CASE("an error aborts the request and rolls back its transaction", "[engine]") {
  World w = make_world(
      kEngineSetup,
      {{"A",
        "BEGIN\nUPDATE t SET v = 0 WHERE id = 1\nUPDATE t SET v = 1 / 0 WHERE id = 2\nCOMMIT"}});
  play(w, "A A A");
  CHECK(req(w, "A").fate == Fate::kAborted);
  CHECK(req(w, "A").sqlstate == "22012");
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{100}});
}

TEST_CASE("RETRY repeats the previous step while its condition holds, then gives up", "[engine]") {
  World w = make_world(kEngineSetup,
                       {{"A", "UPDATE t SET v = 0 WHERE id = 9\nRETRY WHILE :rowcount = 0 MAX 2"}});
  // UPDATE (0 rows), RETRY 1, UPDATE, RETRY 2, UPDATE, RETRY: limit reached.
  play(w, "A A A A A A");
  CHECK(req(w, "A").fate == Fate::kGaveUp);
  CHECK(req(w, "A").retries_total == 2);
}

TEST_CASE("SKIP passes over the next steps when its condition decides so", "[engine]") {
  // v of row 1 is 100: `:v > 150` is false, so SKIP 1 IF does not skip and
  // the UPDATE to 1 runs; SKIP 1 UNLESS skips the UPDATE to 2. The program
  // ends after its last step: 4 steps for A, 3 for B.
  World w = make_world(kEngineSetup, {{"A",
                                       "SELECT v FROM t WHERE id = 1 INTO :v\n"
                                       "SKIP 1 IF :v > 150\n"
                                       "UPDATE t SET v = 1 WHERE id = 1\n"
                                       "UPDATE t SET v = v + 1 WHERE id = 2"},
                                      {"B",
                                       "SELECT v FROM t WHERE id = 2 INTO :v\n"
                                       "SKIP 1 UNLESS :v > 1000\n"
                                       "UPDATE t SET v = 2 WHERE id = 2"}});
  play(w, "A A A A");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{1}});
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{201}});
  play(w, "B B");  // SELECT (201), SKIP: 201 > 1000 is false, so it skips to the end
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{201}});
}

TEST_CASE("SKIP UNLESS skips on NULL, as Python's if treats None, SKIP IF does not", "[engine]") {
  World w = make_world(kEngineSetup, {{"A",
                                       "SELECT v FROM t WHERE id = 9 INTO :v\n"
                                       "SKIP 1 UNLESS :v > 0\n"
                                       "UPDATE t SET v = 7 WHERE id = 1"},
                                      {"B",
                                       "SELECT v FROM t WHERE id = 9 INTO :v\n"
                                       "SKIP 1 IF :v > 0\n"
                                       "UPDATE t SET v = 8 WHERE id = 2"}});
  // No row 9: INTO sets :v to NULL and `NULL > 0` is NULL.
  play(w, "A A B B B");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{100}});
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{8}});
}

TEST_CASE("CATCH lets a request go on after the SQLSTATEs it names", "[engine]") {
  // Row 1 exists: A's autocommitted INSERT fails with 23505 (its statement
  // rolled back), CATCH skips the UPDATE to 0 and A goes on to the UPDATE to
  // 5, then commits. B's INSERT of row 3 succeeds: its CATCH does nothing
  // and B runs the UPDATE to 0 of row 2 next.
  const char* program =
      "INSERT INTO t VALUES (:k, 1)\n"
      "CATCH 23505, '40P01' SKIP 1\n"
      "UPDATE t SET v = 0 WHERE id = 2\n"
      "UPDATE t SET v = v + 5 WHERE id = 1";
  World w = make_world(kEngineSetup, {{"A", program}, {"B", program}});
  give_arg(w, "A", "k", 1);
  give_arg(w, "B", "k", 3);
  play(w, "A A");  // INSERT fails and is caught; the UPDATE of row 1
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{105}});
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{200}});
  play(w, "B B B B");
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{0}});
}

TEST_CASE("a caught error inside BEGIN leaves the block failed until ROLLBACK or ROLLBACK TO",
          "[engine]") {
  // A: the UPDATE of row 2 runs before the savepoint; the duplicate INSERT
  // aborts only the subtransaction; ROLLBACK TO leaves the failed state and
  // COMMIT keeps the UPDATE. B: without a savepoint the whole transaction
  // is lost and the next statement fails with 25P02, which B's CATCH does
  // not name: B is aborted and its UPDATE of row 2 rolled back.
  World w = make_world(kEngineSetup, {{"A",
                                       "BEGIN\nUPDATE t SET v = 7 WHERE id = 2\nSAVEPOINT s\n"
                                       "INSERT INTO t VALUES (1, 1)\nCATCH 23505 SKIP 0\n"
                                       "ROLLBACK TO SAVEPOINT s\nCOMMIT"},
                                      {"B",
                                       "BEGIN\nUPDATE t SET v = 8 WHERE id = 1\n"
                                       "INSERT INTO t VALUES (2, 1)\nCATCH 23505 SKIP 0\n"
                                       "UPDATE t SET v = 9 WHERE id = 1\nCOMMIT"}});
  play(w, "A A A A A A");  // BEGIN, UPDATE, SAVEPOINT, INSERT (caught), ROLLBACK TO, COMMIT
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{7}});
  play(w, "B B B B");  // BEGIN, UPDATE, INSERT (caught), UPDATE: 25P02
  CHECK(req(w, "B").fate == Fate::kAborted);
  CHECK(req(w, "B").sqlstate == "25P02");
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{100}});
}

TEST_CASE("a debouncing client drops a click while its other request is in flight", "[engine]") {
  World w =
      make_world(kEngineSetup, {{"A", "SELECT v FROM t WHERE id = 1 INTO :v\nLET :v = :v + 1"},
                                {"B", "SELECT v FROM t WHERE id = 1 INTO :v"},
                                {"C", "SELECT v FROM t WHERE id = 1 INTO :v"}});
  w.requests[1].client = "tab";
  w.requests[0].client = "tab";
  w.clients["tab"].debounce = true;
  play(w, "A B");  // A is in flight when B is clicked
  CHECK(req(w, "B").fate == Fate::kDropped);
  play(w, "A C");  // C comes from another client
  CHECK(req(w, "C").fate == Fate::kCommitted);
}

TEST_CASE("a request with an open transaction at its end is rolled back", "[engine]") {
  World w = make_world(kEngineSetup, {{"A", "BEGIN\nUPDATE t SET v = 0 WHERE id = 1"}});
  play(w, "A A");
  CHECK(req(w, "A").fate == Fate::kAborted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{100}});
}

TEST_CASE(
    "the read-modify-write in a transaction at READ COMMITTED loses an update in hermitage's order",
    "[engine]") {
  const char* rmw =
      "BEGIN\nSELECT v FROM t WHERE id = 1 INTO :v\nUPDATE t SET v = :v + 10 WHERE id = 1\nCOMMIT";
  World w = make_world(kEngineSetup, {{"A", rmw}, {"B", rmw}});
  // Both BEGIN and SELECT 100; A's UPDATE locks; B's UPDATE waits; A's COMMIT
  // lets B's UPDATE finish: its SET uses B's own :v (100), so it writes 110.
  Log log = play(w, "A A B B A B");
  CHECK(req(w, "B").state == RunState::kBlocked);
  log = play(w, "A");
  CHECK(req(w, "B").state == RunState::kReady);
  play(w, "B");
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{110}});
}

TEST_CASE("a text with a NUL byte is refused as PostgreSQL refuses it (22021)", "[engine]") {
  // UTF8 text cannot hold the byte 0: the server refuses such a parameter
  // with "invalid byte sequence for encoding "UTF8": 0x00". In memory (LET)
  // it is only a value; sent in SQL it fails the statement.
  World w =
      test::make_world("CREATE TABLE t (id int PRIMARY KEY, name text)",
                       {{"A", "LET :copy = :name\nINSERT INTO t (id, name) VALUES (1, :name)"}});
  Request& a = w.requests[0];
  Vars initial = *a.initial;
  a.vars["name"] = initial["name"] = Var{std::string("a\0b", 3), {}};
  a.initial = std::make_shared<const Vars>(std::move(initial));
  test::play(w, "A");
  CHECK(test::req(w, "A").state == RunState::kReady);  // LET is fine
  test::play(w, "A");
  CHECK(test::req(w, "A").fate == Fate::kAborted);
  CHECK(test::req(w, "A").sqlstate == "22021");
  CHECK(committed_tables(w)[0].rows.empty());  // nothing was inserted
}

TEST_CASE("a table that names a column twice is refused (42701)", "[engine]") {
  World w = test::make_world("CREATE TABLE t (id int PRIMARY KEY)",
                             {{"A", "CREATE TABLE u (a int, b int, a text)"}});
  test::play(w, "A");
  CHECK(test::req(w, "A").sqlstate == "42701");
  CHECK(test::req(w, "A").error == "column \"a\" specified more than once");
  CHECK_FALSE(w.store.find_table("u"));
}

TEST_CASE("UPDATE ... RETURNING INTO reads the row it wrote, after a wait the re-checked one",
          "[engine]") {
  // The atomic fix of the race: the new value comes back from the UPDATE
  // itself. B waits for A's row lock; when A commits, B's UPDATE adds to
  // A's value (READ COMMITTED re-check) and RETURNING reads B's new row.
  World w =
      make_world(kEngineSetup,
                 {{"A", "BEGIN\nUPDATE t SET v = v + 10 WHERE id = 1 RETURNING v INTO :v\nCOMMIT"},
                  {"B", "UPDATE t SET v = v + 10 WHERE id = 1 RETURNING v * 2, id INTO :v, :id"}});
  play(w, "A A B");
  CHECK(req(w, "B").state == RunState::kBlocked);
  CHECK(var(w, "A", "v") == Value{int64_t{110}});
  play(w, "A");
  CHECK(var(w, "B", "v") == Value{int64_t{240}});
  CHECK(var(w, "B", "id") == Value{int64_t{1}});
  // A RETURNING that finds no row leaves INTO's parameters NULL, as a
  // SELECT INTO that finds none does.
  World none = make_world(kEngineSetup, {{"A", "DELETE FROM t WHERE id = 99 RETURNING v INTO :v"}});
  play(none, "A");
  CHECK(var(none, "A", "v") == Value{Null{}});
}
