// SERIALIZABLE: serializable snapshot isolation as PostgreSQL 15 runs it
// (store/ssi.cc). Each expected outcome is derived in the comment above it;
// tests/specs/ssi_*.spec check the same rules against PostgreSQL's own
// isolation tester over every permutation.
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace ccsim;
using namespace ccsim::test;

namespace {

const char* kDoctors =
    "CREATE TABLE doctors (id int PRIMARY KEY, on_call int)\n"
    "INSERT INTO doctors VALUES (1, 1), (2, 1)\n";

std::string go_off(int me, int other) {
  return "BEGIN ISOLATION LEVEL SERIALIZABLE\n"
         "SELECT on_call FROM doctors WHERE id = " +
         std::to_string(other) +
         " INTO :o\n"
         "UPDATE doctors SET on_call = 0 WHERE id = " +
         std::to_string(me) + " AND :o = 1\nCOMMIT";
}

}  // namespace

TEST_CASE("write skew: the first commit dooms the pivot, whose COMMIT fails with 40001", "[ssi]") {
  World w = make_world(kDoctors, {{"A", go_off(1, 2)}, {"B", go_off(2, 1)}});
  // Both read the other's row, then write their own: B -> A when A writes
  // row 1 (B read it), A -> B when B writes row 2. Neither write finds a
  // committed out-side yet. A's COMMIT sees B -> A with B itself read by A:
  // B is the pivot and is doomed; B's COMMIT fails.
  play(w, "A B A B A B A");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  play(w, "B");
  CHECK(req(w, "B").fate == Fate::kAborted);
  CHECK(req(w, "B").sqlstate == "40001");
  CHECK(req(w, "B").error ==
        "could not serialize access due to read/write dependencies among transactions");
  CHECK(committed(w, "doctors", 1, "on_call") == Value{int64_t{1}});  // Bob stays on call
}

TEST_CASE("a doomed transaction fails at its next statement, not only at COMMIT", "[ssi]") {
  World w = make_world(kDoctors, {{"A", go_off(1, 2)},
                                  {"B",
                                   "BEGIN ISOLATION LEVEL SERIALIZABLE\n"
                                   "SELECT on_call FROM doctors WHERE id = 1 INTO :o\n"
                                   "UPDATE doctors SET on_call = 0 WHERE id = 2\n"
                                   "SELECT on_call FROM doctors WHERE id = 2 INTO :me\n"
                                   "COMMIT"}});
  // As above up to A's COMMIT, which dooms B; B's next step is a SELECT.
  play(w, "A B A B A B A B");
  CHECK(req(w, "B").fate == Fate::kAborted);
  CHECK(req(w, "B").sqlstate == "40001");
  CHECK(req(w, "B").pc == 3);  // the SELECT after its UPDATE
}

TEST_CASE(
    "primary-key lookups lock tuples: reading and writing one's own row conflicts with "
    "nobody",
    "[ssi]") {
  World w = make_world(kDoctors, {{"A", go_off(1, 1)}, {"B", go_off(2, 2)}});
  // Each reads and writes only its own row: no SIREAD lock of one covers the
  // other's write, and no version either reads was written by the other.
  play(w, "A B A B A B A B");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(w.store.rw_conflicts().empty());
}

TEST_CASE("a sequential scan locks the relation: writes to other rows conflict", "[ssi]") {
  const char* scan_then_write =
      "BEGIN ISOLATION LEVEL SERIALIZABLE\nSELECT on_call FROM doctors WHERE on_call = 1\n"
      "UPDATE doctors SET on_call = 0 WHERE id = :me\nCOMMIT";
  World w = make_world(kDoctors, {{"A", scan_then_write}, {"B", scan_then_write}});
  give_arg(w, "A", "me", 1);
  give_arg(w, "B", "me", 2);
  // WHERE on_call = 1 names no key: both scan the table, so each write meets
  // the other's relation lock - the same write skew as reading the rows.
  play(w, "A B A B A B A B");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(req(w, "B").sqlstate == "40001");
}

TEST_CASE("a phantom: an insert meets a relation lock from a scan that found nothing", "[ssi]") {
  const char* book =
      "BEGIN ISOLATION LEVEL SERIALIZABLE\nSELECT id FROM doctors WHERE on_call = 5\n"
      "INSERT INTO doctors VALUES (:me, 5)\nCOMMIT";
  World w = make_world(kDoctors, {{"A", book}, {"B", book}});
  give_arg(w, "A", "me", 3);
  give_arg(w, "B", "me", 4);
  // Neither scan finds a row, yet each insert is into the relation the other
  // scanned: B -> A, A -> B, and A's COMMIT dooms B.
  play(w, "A B A B A B A B");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(req(w, "B").sqlstate == "40001");
}

TEST_CASE("autocommit statements at SERIALIZABLE do not overlap, so SSI finds nothing", "[ssi]") {
  const char* add =
      "SELECT on_call FROM doctors WHERE id = 1 INTO :v\nLET :v = :v + 10\n"
      "UPDATE doctors SET on_call = :v WHERE id = 1";
  World w = make_world(kDoctors, {{"A", add}, {"B", add}});
  w.default_isolation = Isolation::kSerializable;
  // Each statement is a transaction that commits before the next one starts:
  // no two serializable transactions are concurrent. The update is lost.
  play(w, "A B A B A B");
  CHECK(req(w, "A").fate == Fate::kCommitted);
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(committed(w, "doctors", 0, "on_call") == Value{int64_t{11}});
}

TEST_CASE("below SERIALIZABLE nothing is tracked", "[ssi]") {
  std::string rr = go_off(1, 2);
  rr.replace(rr.find("SERIALIZABLE"), 12, "REPEATABLE READ");
  std::string rr2 = go_off(2, 1);
  rr2.replace(rr2.find("SERIALIZABLE"), 12, "REPEATABLE READ");
  World w = make_world(kDoctors, {{"A", rr}, {"B", rr2}});
  play(w, "A B A B A B A B");
  CHECK(req(w, "B").fate == Fate::kCommitted);  // write skew commits
  CHECK(w.store.sireads().empty());
}
