// The checks: lost update and serial equivalence, on runs whose outcome is
// worked out in each test's comments.
#include <catch2/catch.hpp>

#include "check/anomaly.h"
#include "explore/runner.h"
#include "helpers.h"

using namespace ccsim;
using namespace ccsim::test;

namespace {

const char* kCheckSetup =
    "CREATE TABLE u (id int PRIMARY KEY, points int)\nINSERT INTO u VALUES (1, 100)\n";
const char* kReadWrite =
    "SELECT points FROM u WHERE id = 1 INTO :p\nLET :p = :p + 10\nUPDATE u SET points = :p WHERE "
    "id = 1";
const char* kAtomicAdd =
    "SELECT points FROM u WHERE id = 1 INTO :p\nLET :gain = 10\nUPDATE u SET points = points + "
    ":gain WHERE id = 1";

RunResult run(const World& w, const std::string& schedule) {
  return run_schedule(w, parse_schedule(schedule, {}), RunLimits{});
}

}  // namespace

TEST_CASE("two read-modify-writes from the same read lose an update", "[check]") {
  World w = make_world(kCheckSetup, {{"A", kReadWrite}, {"B", kReadWrite}});
  // Both read 100; A writes 110; B writes 110 over A's 110.
  RunResult r = run(w, "A B A B A B");
  auto found = find_lost_updates(r.world, r.log);
  REQUIRE(found.size() == 1);
  CHECK(found[0].kind == "lost_update");
  CHECK(found[0].requests == std::vector<std::string>{"B", "A"});
  CHECK(found[0].text == "B's write overwrote A's +10");
  CHECK_FALSE(check_serial(w, r.world).equivalent);
}

TEST_CASE("the overwriter is whoever writes last", "[check]") {
  World w = make_world(kCheckSetup, {{"A", kReadWrite}, {"B", kReadWrite}});
  // A reads, then B reads, computes and writes 110; A computes from its
  // stale 100 and writes 110 over B's.
  RunResult r = run(w, "A B B B A A");
  auto found = find_lost_updates(r.world, r.log);
  REQUIRE(found.size() == 1);
  CHECK(found[0].text == "A's write overwrote B's +10");
}

TEST_CASE("serial runs have no anomaly and are serial-equivalent", "[check]") {
  World w = make_world(kCheckSetup, {{"A", kReadWrite}, {"B", kReadWrite}});
  RunResult r = run(w, "A A A B B B");
  CHECK(find_lost_updates(r.world, r.log).empty());
  SerialResult s = check_serial(w, r.world);
  CHECK(s.equivalent);
  CHECK(s.order == std::vector<std::string>{"A", "B"});
}

TEST_CASE("an atomic increment after a stale read is not a lost update", "[check]") {
  World w = make_world(kCheckSetup, {{"A", kAtomicAdd}, {"B", kAtomicAdd}});
  // Both read 100, but each UPDATE adds to the row's current value: 120.
  RunResult r = run(w, "A B A B A B");
  CHECK(committed(r.world, "u", 0, "points") == Value{int64_t{120}});
  CHECK(find_lost_updates(r.world, r.log).empty());
  CHECK(check_serial(w, r.world).equivalent);
}

TEST_CASE("a write is judged on its committed transaction only", "[check]") {
  World w = make_world(
      kCheckSetup,
      {{"A", "BEGIN\nUPDATE u SET points = 999 WHERE id = 1\nROLLBACK"}, {"B", kReadWrite}});
  // B reads 100 before A writes; A's write rolls back; B writes 110 over the
  // original version: nothing committed was overwritten.
  RunResult r = run(w, "B A A A B B");
  CHECK(committed(r.world, "u", 0, "points") == Value{int64_t{110}});
  CHECK(find_lost_updates(r.world, r.log).empty());
}

TEST_CASE("the serial check runs only the committed requests", "[check]") {
  World w = make_world(kCheckSetup,
                       {{"A", kReadWrite}, {"B", "UPDATE u SET points = points / 0 WHERE id = 1"}});
  RunResult r = run(w, "B A A A");
  CHECK(r.world.requests[1].fate == Fate::kAborted);
  SerialResult s = check_serial(w, r.world);
  CHECK(s.equivalent);
  CHECK(s.order == std::vector<std::string>{"A"});
}
