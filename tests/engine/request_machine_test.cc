// The application's side of a request: restarts, injected crashes and
// mutexes (engine/app.h). Each expected value is derived in the comment
// above it.
#include <catch2/catch.hpp>

#include "helpers.h"

using namespace ccsim;
using namespace ccsim::test;

namespace {

const char* kMachineSetup =
    "CREATE TABLE t (id int PRIMARY KEY, v int)\n"
    "INSERT INTO t VALUES (1, 100), (2, 200)\n";

// Read, add 10, write, at REPEATABLE READ.
const char* kRepeatableAdd =
    "BEGIN ISOLATION LEVEL REPEATABLE READ\nSELECT v FROM t WHERE id = 1 INTO :v\n"
    "UPDATE t SET v = :v + 10 WHERE id = 1\nCOMMIT";

}  // namespace

TEST_CASE("a restart policy starts the request over on the SQLSTATEs it names", "[app]") {
  World w = make_world(kMachineSetup, {{"A", kRepeatableAdd}, {"B", kRepeatableAdd}});
  w.restart = RestartPolicy{{"40001"}, 3};
  // Both snapshots see 100; A writes and B's UPDATE waits; A commits, so B
  // fails with 40001 and restarts; alone it reads 110 and writes 120.
  play(w, "A B A B A B A B B B B");
  CHECK(req(w, "B").restarts == 1);
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{120}});
}

TEST_CASE("an error the policy does not name still aborts the request", "[app]") {
  World w = make_world(kMachineSetup, {{"A", kRepeatableAdd}, {"B", kRepeatableAdd}});
  w.restart = RestartPolicy{{"40P01"}, 3};
  play(w, "A B A B A B A");
  CHECK(req(w, "B").fate == Fate::kAborted);
  CHECK(req(w, "B").sqlstate == "40001");
  CHECK(req(w, "B").restarts == 0);
}

TEST_CASE("RESTART IF restarts from the first step with the arguments it was sent, then gives up",
          "[app]") {
  World w = make_world(kMachineSetup, {{"A",
                                        "LET :n = :rowcount + 1\n"
                                        "UPDATE t SET v = v + 1 WHERE id = 1\nRESTART IF :n = 1"}});
  w.restart = RestartPolicy{{}, 2};
  // :n is computed from :rowcount as sent (0), not as the last try left it
  // (1), so the condition holds on every try: 3 tries, 2 restarts, then the
  // third RESTART gives up. Each try's UPDATE autocommitted: 103.
  play(w, "A A A A A A A A A");
  CHECK(req(w, "A").restarts == 2);
  CHECK(req(w, "A").fate == Fate::kGaveUp);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{103}});
}

TEST_CASE("a restart rolls back the open transaction and releases its row locks", "[app]") {
  World w = make_world(kMachineSetup, {{"A",
                                        "BEGIN\nUPDATE t SET v = 0 WHERE id = 1\nRESTART IF "
                                        ":rowcount = 1\nCOMMIT"},
                                       {"B", "UPDATE t SET v = 5 WHERE id = 1"}});
  w.restart = RestartPolicy{{}, 1};
  play(w, "A A B");  // B waits for A's lock
  CHECK(req(w, "B").state == RunState::kBlocked);
  play(w, "A");  // A restarts: its UPDATE is undone and B's goes through on 100
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{5}});
  CHECK(req(w, "A").pc == 0);
}

TEST_CASE("a crash rolls back the open transaction but keeps what autocommit committed", "[app]") {
  World w = make_world(kMachineSetup, {{"A",
                                        "UPDATE t SET v = 1 WHERE id = 2\nBEGIN\n"
                                        "UPDATE t SET v = 0 WHERE id = 1\nCOMMIT"},
                                       {"B", "UPDATE t SET v = 5 WHERE id = 1"}});
  w.crash = CrashPoint{"A", 3};  // before COMMIT (step 4)
  play(w, "A A A B");            // B waits for A's row lock
  CHECK(req(w, "B").state == RunState::kBlocked);
  play(w, "A");  // A's process dies: its transaction rolls back, B goes on
  CHECK(req(w, "A").fate == Fate::kCrashed);
  CHECK(req(w, "B").fate == Fate::kCommitted);
  CHECK(committed(w, "t", 0, "v") == Value{int64_t{5}});
  CHECK(committed(w, "t", 1, "v") == Value{int64_t{1}});  // autocommitted before the crash
}

TEST_CASE("a mutex is shared within a process, not across processes", "[app]") {
  const char* prog = "ACQUIRE MUTEX m\nSELECT v FROM t WHERE id = 1 INTO :v\nRELEASE MUTEX m";
  SECTION("one process: the second waits, FIFO, and gets it on release") {
    World w = make_world(kMachineSetup, {{"A", prog}, {"B", prog}, {"C", prog}});
    for (Request& q : w.requests) q.process = "web1";
    play(w, "A B C");
    CHECK(req(w, "B").state == RunState::kBlocked);
    CHECK(req(w, "C").state == RunState::kBlocked);
    play(w, "A A");  // A releases: B (first in line) holds it, C still waits
    CHECK(req(w, "B").state == RunState::kReady);
    CHECK(req(w, "B").pc == 1);
    CHECK(req(w, "C").state == RunState::kBlocked);
  }
  SECTION("two processes: each has its own") {
    World w = make_world(kMachineSetup, {{"A", prog}, {"B", prog}});
    w.requests[0].process = "web1";
    w.requests[1].process = "web2";
    play(w, "A B");
    CHECK(req(w, "B").state == RunState::kReady);
  }
  SECTION("GLOBAL is shared by every process") {
    const char* g = "ACQUIRE GLOBAL MUTEX m\nSELECT v FROM t WHERE id = 1 INTO :v\nRELEASE MUTEX m";
    World w = make_world(kMachineSetup, {{"A", g}, {"B", g}});
    w.requests[0].process = "web1";
    w.requests[1].process = "web2";
    play(w, "A B");
    CHECK(req(w, "B").state == RunState::kBlocked);
  }
}

TEST_CASE("a crash frees the process's mutexes but not a global one", "[app]") {
  SECTION("in-process") {
    const char* prog = "ACQUIRE MUTEX m\nSELECT v FROM t WHERE id = 1 INTO :v\nRELEASE MUTEX m";
    World w = make_world(kMachineSetup, {{"A", prog}, {"B", prog}});
    for (Request& q : w.requests) q.process = "web1";
    w.crash = CrashPoint{"A", 1};
    play(w, "A B A");  // B waits; A crashes holding m
    CHECK(req(w, "B").state == RunState::kReady);
  }
  SECTION("global") {
    const char* prog =
        "ACQUIRE GLOBAL MUTEX m\nSELECT v FROM t WHERE id = 1 INTO :v\nRELEASE MUTEX m";
    World w = make_world(kMachineSetup, {{"A", prog}, {"B", prog}});
    w.crash = CrashPoint{"A", 1};
    play(w, "A B A");  // nobody will ever release it
    CHECK(req(w, "B").state == RunState::kBlocked);
    CHECK(all_done(w) == false);
  }
}

TEST_CASE("a request that ends releases its mutexes", "[app]") {
  World w = make_world(
      kMachineSetup,
      {{"A", "ACQUIRE MUTEX m\nUPDATE t SET v = 1 / 0 WHERE id = 1"}, {"B", "ACQUIRE MUTEX m"}});
  for (Request& q : w.requests) q.process = "web1";
  play(w, "A B A");  // A fails with 22012 while holding m
  CHECK(req(w, "A").fate == Fate::kAborted);
  CHECK(req(w, "B").fate == Fate::kCommitted);
}
