// Schedules: round-robin, explicit (strict, errors name the position) and
// seeded random (a fixed generator).
#include <catch2/catch.hpp>

#include <set>

#include "explore/random.h"
#include "explore/runner.h"
#include "helpers.h"

using namespace ccsim;
using namespace ccsim::test;

namespace {

const char* kScheduleSetup =
    "CREATE TABLE t (id int PRIMARY KEY, v int)\nINSERT INTO t VALUES (1, 100)\n";
const char* kLocker = "BEGIN\nSELECT v FROM t WHERE id = 1 FOR UPDATE INTO :v\nCOMMIT";

std::string schedule_error_of(World w, const std::string& schedule) {
  try {
    run_schedule(std::move(w), parse_schedule(schedule, SourcePos{"--schedule", 1, 1}),
                 RunLimits{});
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("round-robin gives runnable requests one step each in request order", "[explore]") {
  World w = make_world(kScheduleSetup, {{"A", "LET :x = 1\nLET :x = 2\nLET :x = 3"},
                                        {"B", "LET :x = 1"},
                                        {"C", "LET :x = 1\nLET :x = 2"}});
  RunResult r = run_schedule(w, parse_schedule("round-robin", {}), RunLimits{});
  CHECK(r.schedule_text() == "A B C A C A");
}

TEST_CASE("round-robin skips a blocked request until it can run", "[explore]") {
  World w = make_world(kScheduleSetup, {{"A", kLocker}, {"B", kLocker}});
  // A BEGIN, B BEGIN, A locks, B waits, A COMMIT (B's SELECT completes), B COMMIT.
  RunResult r = run_schedule(w, parse_schedule("round-robin", {}), RunLimits{});
  CHECK(r.schedule_text() == "A B A B A B");
  CHECK(r.world.requests[1].fate == Fate::kCommitted);
}

TEST_CASE("an explicit schedule replays strictly", "[explore]") {
  World w = make_world(kScheduleSetup, {{"A", kLocker}, {"B", kLocker}});
  RunResult r = run_schedule(w, parse_schedule("A A B B A B", {}), RunLimits{});
  CHECK(r.schedule_text() == "A A B B A B");
  CHECK(r.log.events.size() > 6);
}

TEST_CASE("an explicit schedule that cannot be followed is an error naming the position",
          "[explore]") {
  World w = make_world(kScheduleSetup, {{"A", kLocker}, {"B", kLocker}});
  CHECK(schedule_error_of(w, "A A B B B") ==
        "--schedule:1:9: error: schedule position 5 (B): B cannot move: it is waiting for a row "
        "lock held by A; "
        "schedule A first");
  CHECK(schedule_error_of(w, "A X") ==
        "--schedule:1:3: error: schedule position 2 (X): there is no request named X; the requests "
        "are A, B");
  CHECK(schedule_error_of(w, "A A A") ==
        "--schedule:1:1: error: the schedule \"A A A\" ends after 3 steps but B still has steps to "
        "take; "
        "name them at the end of the schedule");
  CHECK(schedule_error_of(w, "A A A B B B A") ==
        "--schedule:1:13: error: schedule position 7 (A): A cannot move: it has already finished "
        "(committed)");
  CHECK(schedule_error_of(w, "A ; B") ==
        "--schedule:1:3: error: unexpected character ';' in the schedule; write request names "
        "separated by spaces, "
        "like \"A B A B\", or round-robin");
}

TEST_CASE("SplitMix64 produces the published reference sequence", "[explore]") {
  // Reference outputs of SplitMix64 seeded with 0 (the generator's published test vector).
  SplitMix64 g(0);
  CHECK(g.next() == 0xE220A8397B1DCDAFULL);
  CHECK(g.next() == 0x6E789E6AA1B965F4ULL);
  CHECK(g.next() == 0x06C45D188009454FULL);
}

TEST_CASE("a seeded random schedule is the same on every run and differs between seeds",
          "[explore]") {
  World w = make_world(kScheduleSetup, {{"A", "LET :x = 1\nLET :x = 2\nLET :x = 3\nLET :x = 4"},
                                        {"B", "LET :x = 1\nLET :x = 2\nLET :x = 3\nLET :x = 4"}});
  std::string first = run_schedule(w, random_schedule(7), RunLimits{}).schedule_text();
  CHECK(run_schedule(w, random_schedule(7), RunLimits{}).schedule_text() == first);
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 20; ++seed)
    seen.insert(run_schedule(w, random_schedule(seed), RunLimits{}).schedule_text());
  CHECK(seen.size() > 5);  // 70 interleavings exist; 20 seeds should not collapse to a few
}

TEST_CASE("a run stops at schedule_steps_max", "[explore]") {
  World w = make_world(kScheduleSetup, {{"A", "LET :x = 1\nLET :x = 2\nLET :x = 3"}});
  RunLimits limits;
  limits.schedule_steps_max = 2;
  CHECK_THROWS_WITH(run_schedule(w, parse_schedule("round-robin", {}), limits),
                    Catch::Contains("took more than 2 steps (schedule_steps_max)"));
}
