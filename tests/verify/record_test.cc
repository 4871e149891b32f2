// What `ccsim verify` compares: records of a replay, built from the events
// the request machine narrates, and the differences between two of them.
#include <catch2/catch.hpp>

#include "scenario/simulate.h"
#include "verify/record.h"

using namespace ccsim;

namespace {

ReplayRecord simulated(const std::string& mitigation, const std::string& schedule) {
  static const Scenario s = load_scenario("double_click");
  RunOptions o;
  o.mitigations = {mitigation};
  o.schedule = parse_schedule(schedule, SourcePos{"test", 1, 1});
  return record_simulation(simulate(s, o).front());
}

}  // namespace

TEST_CASE("a waiting step records when it finished and with what", "[verify]") {
  // select_for_update: A locks the row (steps 1-3), B's FOR UPDATE (its
  // step 3, at position 6) waits until A's COMMIT at position 9, then reads
  // A's 110.
  ReplayRecord r = simulated("select_for_update", "A A A B B B A A A B B B");
  REQUIRE(r.steps.size() == 12);
  const StepRecord& wait = r.steps[5];
  CHECK(wait.request == "B");
  CHECK(wait.step == 3);
  CHECK(wait.outcome == "waits");
  CHECK(wait.completed_at == 9);
  CHECK(wait.completion == "rows: (110)");
  CHECK(r.steps[0].result == "rows: (100)");
  CHECK(r.final_rows[0].second == std::vector<std::string>{"(1, 'alice', 120, 0)"});
  CHECK(r.fates ==
        std::vector<std::pair<std::string, std::string>>{{"A", "committed"}, {"B", "committed"}});
  CHECK(r.tallies ==
        std::vector<std::pair<std::string, std::string>>{{"A", "none"}, {"B", "none"}});
}

TEST_CASE("what the application counted is part of the record", "[verify]") {
  // optimistic_version under round-robin: B's compare-and-set misses once
  // (A changed the version) and B restarts once.
  ReplayRecord r = simulated("optimistic_version", "round-robin");
  CHECK(r.tallies[1] == std::pair<std::string, std::string>{"B", "1 restart"});
}

TEST_CASE("two records that agree have no difference, each kind of disagreement is named",
          "[verify]") {
  ReplayRecord a = simulated("none", "A B A B A B");
  ReplayRecord b = a;
  CHECK(compare(a, b).empty());
  CHECK(render_verify("none", a, b, {}).find("agree\n") != std::string::npos);

  b.steps[1].result = "rows: (110)";
  b.final_rows[0].second = {"(1, 'alice', 120, 0)"};
  b.fates[1].second = "aborted:40001";
  b.tallies[1].second = "1 restart";
  b.stopped = "schedule cannot go on: B is waiting";
  std::vector<Difference> d = compare(a, b);
  REQUIRE(d.size() == 5);
  CHECK(d[0].where == "position 2");
  CHECK(d[0].ccsim == "B step 1: ok, rows: (100)");
  CHECK(d[0].postgres == "B step 1: ok, rows: (110)");
  CHECK(d[1].where == "final auth_user");
  CHECK(d[2].where == "request B");
  CHECK(d[3].where == "request B counted");
  CHECK(d[4].where == "schedule");
  std::string text = render_verify("none", a, b, d);
  CHECK(text.find("DIFFERENT") != std::string::npos);
  CHECK(text.find("5 difference(s)") != std::string::npos);
}

TEST_CASE("a record that is longer on one side shows the missing steps", "[verify]") {
  ReplayRecord a = simulated("none", "A B A B A B");
  ReplayRecord b = a;
  b.steps.pop_back();
  std::vector<Difference> d = compare(a, b);
  REQUIRE(d.size() == 1);
  CHECK(d[0].postgres == "(no step)");
}
