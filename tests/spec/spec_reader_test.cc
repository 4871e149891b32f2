// The isolation-tester spec reader: structure, generated permutations, and
// errors with file:line:column.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "spec/spec.h"
#include "spec/tester_output.h"

using namespace ccsim;

namespace {

std::string spec_error_of(const std::string& text) {
  try {
    parse_spec(text, "t.spec");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

const char* kTwoSessions =
    "setup { CREATE TABLE t (id int PRIMARY KEY, v int); }\n"
    "session a\nstep a1 { SELECT * FROM t; }\nstep a2 { COMMIT; }\n"
    "session b\nstep b1 {\n  UPDATE t\n  SET v = 1; }\n";

}  // namespace

TEST_CASE("a spec's sessions, steps and step text are read as the tester echoes them", "[spec]") {
  SpecFile s = parse_spec(kTwoSessions, "t.spec");
  REQUIRE(s.sessions.size() == 2);
  CHECK(s.sessions[0].steps.size() == 2);
  CHECK(s.steps[0].sql == "SELECT * FROM t;");
  CHECK(s.steps[2].sql == "\n  UPDATE t\n  SET v = 1;");  // spaces trimmed, newlines kept
  CHECK(s.steps[2].steps.at(0).line == 7);
  CHECK(s.steps[2].steps.at(0).column == 3);
}

TEST_CASE("without permutation lines every order that keeps each session's steps is run",
          "[spec]") {
  SpecFile s = parse_spec(kTwoSessions, "t.spec");
  // a1 a2 b1, a1 b1 a2, b1 a1 a2: earlier sessions first, as the tester lists them.
  REQUIRE(s.permutations.size() == 3);
  CHECK(s.permutations[0] == std::vector<size_t>{0, 1, 2});
  CHECK(s.permutations[1] == std::vector<size_t>{0, 2, 1});
  CHECK(s.permutations[2] == std::vector<size_t>{2, 0, 1});
}

TEST_CASE("spec errors name the file, line and column", "[spec][bad-input]") {
  CHECK(spec_error_of("session a\nstep s { LOCK TABLE t IN SHARE LOCK MODE; }\n") ==
        "t.spec:2:26: error: expected a lock mode (ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE, "
        "SHARE UPDATE EXCLUSIVE, SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE or ACCESS EXCLUSIVE), "
        "found 'SHARE LOCK'");
  CHECK(spec_error_of("setup { CREATE TABLE t (); }\nsession a\nstep s { DELETE FROM t; }\n") ==
        "t.spec:3:22: error: a data statement on a table without columns (t) is not modelled");
  // Markers: (*), (other step); the NOTICE form and a step of the same
  // session are refused.
  const char* two =
      "session a\nstep s { COMMIT; }\nstep u { COMMIT; }\nsession b\nstep t { COMMIT; }\n";
  CHECK(spec_error_of(std::string(two) + "permutation s(t notices 1) t\n") ==
        "t.spec:6:17: error: a 'notices' marker is not modelled (LISTEN and NOTIFY are not)");
  CHECK(spec_error_of(std::string(two) + "permutation s(u) u\n") ==
        "t.spec:6:15: error: blocker step u is in the same session as step s (the isolation "
        "tester refuses it)");
  CHECK(spec_error_of(std::string(two) + "permutation s(zz)\n") ==
        "t.spec:6:15: error: a marker names step zz, which no session has");
  CHECK(spec_error_of(std::string(two) + "permutation s(* t\n") ==
        "t.spec:6:17: error: expected ',' or ')' in the markers of s, found 't'");
  SpecFile marked = parse_spec(std::string(two) + "permutation s(*, t) t u\n", "t.spec");
  REQUIRE(marked.markers.size() == 1);
  CHECK(marked.markers[0][0].once);
  CHECK(marked.markers[0][0].blockers == std::vector<size_t>{2});
  CHECK(marked.markers[0][1].blockers.empty());
  CHECK(spec_error_of("session a\nstep s { FROB t; }\n") ==
        "t.spec:2:10: error: unknown step 'FROB'; expected SELECT, UPDATE, INSERT, DELETE, BEGIN, "
        "COMMIT, ROLLBACK, "
        "CREATE TABLE, DROP TABLE, SET, LET, RETRY, RESTART, SKIP, CATCH, ACQUIRE or RELEASE");
  // A step of several statements is read; each is checked.
  CHECK(spec_error_of("session a\nstep s { COMMIT; FROB; }\n") ==
        "t.spec:2:18: error: unknown step 'FROB'; expected SELECT, UPDATE, INSERT, DELETE, BEGIN, "
        "COMMIT, ROLLBACK, CREATE TABLE, DROP TABLE, SET, LET, RETRY, RESTART, SKIP, CATCH, "
        "ACQUIRE or RELEASE");
  CHECK(spec_error_of("session a\nstep s { COMMIT; }\npermutation s x\n") ==
        "t.spec:3:15: error: permutation names step x, which no session has");
  CHECK(spec_error_of("session a\nstep s { COMMIT; \n") ==
        "t.spec:2:8: error: this block has no closing '}'");
  CHECK(spec_error_of("setup { CREATE TABLE t (id int); }\n") ==
        "t.spec:2:1: error: expected 'setup', 'teardown' or 'session' (a spec needs at least one "
        "session), found the end of the file");
  // A stray byte is shown as \xNN, and a word is never cut inside a character.
  CHECK(spec_error_of("\x01session a\nstep s { COMMIT; }\n") ==
        "t.spec:1:1: error: expected 'setup', 'teardown' or 'session' (a spec needs at least one "
        "session), found '\\x01session'");
  CHECK(spec_error_of("s\xc3\xa9ssion a\n") ==
        "t.spec:1:1: error: expected 'setup', 'teardown' or 'session' (a spec needs at least one "
        "session), found 's\xc3\xa9ssion'");
  CHECK(spec_error_of("aaaaaaaaaaaaaaaaaaa\xc3\xa9\n") ==
        "t.spec:1:1: error: expected 'setup', 'teardown' or 'session' (a spec needs at least one "
        "session), found 'aaaaaaaaaaaaaaaaaaa'");
  CHECK(spec_error_of("\xef\xbb\xbfsession a\nstep s { COMMIT; }\n") ==
        "t.spec:1:1: error: the file starts with a UTF-8 byte-order mark, which PostgreSQL's "
        "isolationtester refuses: save the spec without it");
  CHECK(spec_error_of("session a\nstep s { COMMIT; }\nstep s { COMMIT; }\n") ==
        "t.spec:3:6: error: two steps are named s");
  CHECK(spec_error_of("session a\nstep s { UPDATE t SET v = ; }\n") ==
        "t.spec:2:27: error: expected a value (a number, 'text', NULL, a column or a :parameter), "
        "found end of line");
}

// a commits only after b2: the tester needs session b again while b1 waits for a.
const char* const kForgottenCommit =
    "setup { CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0); }\n"
    "session a\nsetup { BEGIN; }\nstep a1 { UPDATE t SET v = 1; }\nstep a2 { COMMIT; }\n"
    "session b\nstep b1 { UPDATE t SET v = 2; }\nstep b2 { SELECT * FROM t; }\n"
    "permutation a1 b1 b2 a2\n";

TEST_CASE("the tester cancels a step it waits for that still waits after its step wait", "[spec]") {
  // isolationtester waits for b1 before it sends b2; after its step wait
  // (PGISOLATIONTIMEOUT, 300 s by default) it prints that it cancels the
  // step and sends PQcancel: b1 fails with 57014 and its autocommit
  // transaction ends; b2 reads the committed row (a's change is not).
  SpecFile s = parse_spec(kForgottenCommit, "t.spec");
  CHECK(run_spec(s, Isolation::kReadCommitted, {}, 300) ==
        "Parsed test spec with 2 sessions\n"
        "\n"
        "starting permutation: a1 b1 b2 a2\n"
        "step a1: UPDATE t SET v = 1;\n"
        "step b1: UPDATE t SET v = 2; <waiting ...>\n"
        "isolationtester: canceling step b1 after 300 seconds\n"
        "step b1: <... completed>\n"
        "ERROR:  canceling statement due to user request\n"
        "step b2: SELECT * FROM t;\n"
        "id|v\n--+-\n 1|0\n(1 row)\n\n"
        "step a2: COMMIT;\n");
  // The step wait is counted from when the tester begins to wait: a
  // lock_timeout due 1 s before its end fires first, one due 1 s after it
  // does not.
  for (int lock_s : {4, 6}) {
    SpecFile t = parse_spec(
        "setup { CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0); }\n"
        "session a\nsetup { BEGIN; }\nstep a1 { UPDATE t SET v = 1; }\n"
        "session b\nsetup { SET lock_timeout = '" +
            std::to_string(lock_s) +
            "s'; }\nstep b1 { UPDATE t SET v = 2; }\n"
            "permutation a1 b1\n",
        "t.spec");
    std::string out = run_spec(t, Isolation::kReadCommitted, {}, 5);
    bool cancelled =
        out.find("isolationtester: canceling step b1 after 5 seconds\n") != std::string::npos;
    CHECK(cancelled == (lock_s == 6));
    CHECK(out.find(lock_s == 6
                       ? "ERROR:  canceling statement due to user request\n"
                       : "ERROR:  canceling statement due to lock timeout\n") != std::string::npos);
  }
}

TEST_CASE("the step wait is read from PGISOLATIONTIMEOUT as the tester reads it", "[spec]") {
  // isolationtester: max_step_wait = atoi(getenv("PGISOLATIONTIMEOUT")) s, else 300 s.
  const char* before = std::getenv("PGISOLATIONTIMEOUT");
  std::string saved = before ? before : "";
  unsetenv("PGISOLATIONTIMEOUT");
  CHECK(tester_step_wait_s() == 300);
  setenv("PGISOLATIONTIMEOUT", "2", 1);
  CHECK(tester_step_wait_s() == 2);
  setenv("PGISOLATIONTIMEOUT", "12s", 1);
  CHECK(tester_step_wait_s() == 12);
  setenv("PGISOLATIONTIMEOUT", "soon", 1);
  CHECK(tester_step_wait_s() == 0);
  if (before)
    setenv("PGISOLATIONTIMEOUT", saved.c_str(), 1);
  else
    unsetenv("PGISOLATIONTIMEOUT");
}

TEST_CASE("a step wait of 0 seconds, with which the tester gives up, is refused",
          "[spec][bad-input]") {
  SpecFile s = parse_spec(kForgottenCommit, "t.spec");
  CHECK_THROWS_WITH(run_spec(s, Isolation::kReadCommitted, {}, 0),
                    "t.spec:9:1: error: permutation 1, step b2: session b is still waiting for a "
                    "lock, and with PGISOLATIONTIMEOUT=0 the isolation tester would give up at "
                    "once");
}

TEST_CASE("result tables are drawn as libpq's PQprint draws them", "[spec]") {
  // Observed from PostgreSQL 15's isolationtester: numeric-looking columns are
  // right-aligned (headers too), others left-aligned, every cell padded.
  CHECK(tester_table({"id", "n", "t", "z"}, {{"1", std::nullopt, "123", std::nullopt},
                                             {"2", "-5", "x", std::nullopt},
                                             {"30", "7", std::nullopt, std::nullopt}}) ==
        "id| n|t  |z\n--+--+---+-\n 1|  |123| \n 2|-5|x  | \n30| 7|   | \n(3 rows)\n\n");
  CHECK(tester_table({"id"}, {}) == "id\n--\n(0 rows)\n\n");
  // The same tester on SELECT '12'::text AS d, 'e1'::text AS e, ... UNION
  // ALL SELECT '3', '2', ...: a value that starts with e, or does not end
  // in a digit, is not numeric, though all its characters may be.
  CHECK(tester_table({"d", "e", "b", "p", "m", "x"},
                     {{"12", "e1", "1 ", "1.", "-", "1e5"}, {"3", "2", "3", "4", "5", "6"}}) ==
        " d|e |b |p |m|  x\n--+--+--+--+-+---\n12|e1|1 |1.|-|1e5\n 3|2 |3 |4 |5|  6\n(2 rows)\n\n");
}
