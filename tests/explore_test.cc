// ccsim explore: every interleaving. Each count is derived in the comment
// above it, by hand or by an enumeration independent of ccsim.
#include <catch2/catch.hpp>

#include "scenario/exploration.h"

using namespace ccsim;

namespace {

Exploration explore_one(const std::string& scenario, const std::string& mitigation,
                        std::optional<Isolation> iso = std::nullopt, size_t max = 100000) {
  Scenario s = load_scenario(scenario);
  ExploreOptions o;
  o.mitigations = {mitigation};
  o.isolation = iso;
  o.limits.schedules_max = max;
  std::vector<Exploration> es = explore_scenario(s, o);
  REQUIRE(es.size() == 1);
  return es[0];
}

}  // namespace

TEST_CASE("none: 20 interleavings, 2 lose nothing, 18 lose an update", "[explore]") {
  // Each request takes 3 steps (SELECT, LET, UPDATE), nobody waits: C(6,3) =
  // 20 interleavings. The result is 120 only when one request's UPDATE
  // precedes the other's SELECT, i.e. one request runs entirely first: 2.
  Exploration e = explore_one("double_click", "none");
  CHECK(e.complete);
  CHECK(e.schedules == 20);
  REQUIRE(e.outcomes.size() == 2);
  CHECK(e.outcomes[0].schedules == 2);
  CHECK(e.outcomes[0].ok());
  CHECK(e.outcomes[0].shortest == std::vector<std::string>{"A", "A", "A", "B", "B", "B"});
  CHECK(e.outcomes[1].schedules == 18);
  CHECK(e.outcomes[1].anomalies == std::vector<std::string>{"lost_update"});
  // The first schedule in depth-first order (A before B) that loses one.
  CHECK(e.outcomes[1].shortest == std::vector<std::string>{"A", "A", "B", "A", "B", "B"});
}

TEST_CASE("select_for_update: 148 interleavings, all 120", "[explore]") {
  // Six steps each (autocommit read, BEGIN, FOR UPDATE, LET, UPDATE,
  // COMMIT); a FOR UPDATE that meets the other's lock uses its step to wait
  // and completes inside the holder's COMMIT. Counting those sequences with a
  // memoised recursion over (next step of A, of B, lock holder, who waits)
  // gives 148; the lock makes every one of them end at 120.
  Exploration e = explore_one("double_click", "select_for_update");
  CHECK(e.schedules == 148);
  REQUIRE(e.outcomes.size() == 1);
  CHECK(e.outcomes[0].ok());
  CHECK(e.outcomes[0].final[0].rows[0][2] == Value{int64_t{120}});
}

TEST_CASE("SERIALIZABLE never leaves both doctors off call; READ COMMITTED can", "[explore]") {
  // Serializable snapshot isolation guarantees every committed result is
  // some serial order's; serially the second doctor always stays on call.
  Exploration ser = explore_one("on_call", "check_then_update", Isolation::kSerializable);
  CHECK(ser.complete);
  for (const ExploredOutcome& o : ser.outcomes) {
    CHECK(o.serializable);
    bool both_off =
        o.final[0].rows[0][2] == Value{int64_t{0}} && o.final[0].rows[1][2] == Value{int64_t{0}};
    CHECK_FALSE(both_off);
  }
  // At READ COMMITTED the interleaving where both read before either writes
  // commits both: nobody on call, which no serial order gives.
  Exploration rc = explore_one("on_call", "check_then_update");
  bool found = false;
  for (const ExploredOutcome& o : rc.outcomes) found |= !o.serializable;
  CHECK(found);
}

TEST_CASE("exploration stops at the schedule limit and says so", "[explore]") {
  Exploration e = explore_one("double_click", "none", std::nullopt, 5);
  CHECK_FALSE(e.complete);
  CHECK(e.schedules == 5);
}

TEST_CASE("NOWAIT with a bounded retry loses no data, but a request can give up", "[explore]") {
  // While A holds the row (from its FOR UPDATE NOWAIT to its COMMIT), each
  // try of B reaches its own NOWAIT in three steps and fails with 55P03. A
  // schedule that lets B try six times in that window exhausts its five
  // restarts: B gives up. No schedule loses an update (only one request
  // writes at a time, and a restart re-reads).
  Exploration e = explore_one("double_click", "select_for_update_nowait_retry");
  CHECK(e.complete);
  bool b_gave_up = false;
  for (const ExploredOutcome& o : e.outcomes) {
    CHECK(o.ok());
    if (o.fates[1].second == "gave_up") {
      b_gave_up = true;
      CHECK(o.request_failed());
    }
  }
  CHECK(b_gave_up);
}
