// The explorer's parts, each on its own: the key table, the graph analysis
// on small graphs drawn by hand (cycles included), what a program's facts
// say, and the lost-update watch against the log-based check.
#include <catch2/catch.hpp>

#include "check/anomaly.h"
#include "check/lost_update_watch.h"
#include "explore/key_table.h"
#include "explore/program_facts.h"
#include "explore/runner.h"
#include "explore/state_graph.h"
#include "helpers.h"
#include "scenario/scenario.h"

using namespace ccsim;

TEST_CASE("the key table numbers keys in the order first seen", "[explore]") {
  KeyTable t;
  bool added = false;
  CHECK(t.insert("alpha", &added) == 0);
  CHECK(added);
  CHECK(t.insert("beta", &added) == 1);
  CHECK(t.insert("alpha", &added) == 0);
  CHECK_FALSE(added);
  CHECK(t.find("beta") == 1);
  CHECK(t.find("gamma") == KeyTable::kMissing);
  for (int i = 0; i < 5000; ++i) t.insert("k" + std::to_string(i), &added);
  CHECK(t.size() == 5002);
  CHECK(t.find("k4999") == 5001);
  CHECK(t.key(5001) == "k4999");
  CHECK(t.insert(std::string("\0x", 2), &added) == 5002);
  CHECK(t.find(std::string("\0y", 2)) == KeyTable::kMissing);
}

namespace {

// A graph from "from->to" edges; ends carry an outcome class.
StateGraph graph(size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                 const std::map<uint32_t, uint32_t>& ends) {
  StateGraph g;
  for (size_t i = 0; i < n; ++i) g.add_node();
  for (uint32_t v = 0; v < n; ++v) {
    g.nodes[v].first_edge = g.edges.size();
    for (auto [a, b] : edges)
      if (a == v) g.edges.push_back(StateGraph::Edge{b, 1});
    g.nodes[v].edges = static_cast<uint32_t>(g.edges.size() - g.nodes[v].first_edge);
    g.nodes[v].kind = StateGraph::Kind::kInner;
    if (ends.count(v)) {
      g.nodes[v].kind = StateGraph::Kind::kEnd;
      g.nodes[v].outcome = ends.at(v);
    }
  }
  g.roots = {{0, 1}};
  return g;
}

}  // namespace

TEST_CASE("schedules are counted over the graph, not enumerated", "[explore]") {
  // A diamond twice over: 0 -> {1, 2} -> 3 -> {4, 5} -> 6 (end, class 0),
  // and 3 -> 7 (end, class 1): 2 x 2 = 4 paths to 6, 2 to 7.
  StateGraph g = graph(8, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}, {3, 5}, {4, 6}, {5, 6}, {3, 7}},
                       {{6, 0}, {7, 1}});
  GraphOrder o = order_graph(g);
  CHECK(o.cycle.empty());
  GraphCounts c = count_schedules(g, o, 2);
  CHECK(c.per_outcome == std::vector<Count>{Count(4), Count(2)});
  CHECK(c.total == Count(6));
  CHECK(distances_to(g, o, 0)[0] == 4);
  CHECK(distances_to(g, o, 1)[0] == 3);
  CHECK(distances_to(g, o, 1)[4] == kUnreachable);
  CHECK(completions(g, o)[0] == Count(6));
  CHECK(path_to(g, 7) == std::vector<uint32_t>{0, 1, 3, 7});
  // An edge taken by two requests at once (symmetry) counts twice.
  g.edges[0].times = 2;
  CHECK(count_schedules(g, o, 2).total == Count(9));
}

TEST_CASE("counts past 2^64 and 2^128 stay exact", "[explore]") {
  // k diamonds in a row: 2^k paths. 70 pass 2^64 (counted in 128 bits);
  // 130 pass 2^128 (counted again with exact big counts).
  for (uint32_t k : {70u, 130u}) {
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    for (uint32_t d = 0; d < k; ++d) {
      uint32_t top = 3 * d;
      edges.insert(edges.end(),
                   {{top, top + 1}, {top, top + 2}, {top + 1, top + 3}, {top + 2, top + 3}});
    }
    StateGraph g = graph(3 * k + 1, edges, {{3 * k, 0}});
    GraphOrder o = order_graph(g);
    Count want(1);
    for (uint32_t d = 0; d < k; ++d) want *= 2;
    CAPTURE(k);
    CHECK(count_schedules(g, o, 1).total == want);
    CHECK(completions(g, o)[0] == want);
  }
  CHECK(Count(1) * (uint64_t{1} << 35) * (uint64_t{1} << 35) ==
        *Count::parse("1180591620717411303424"));  // 2^70, python3
}

TEST_CASE("a cycle is found, and what lies after it has infinitely many schedules", "[explore]") {
  // 0 -> 1 -> 2 -> 1 (a cycle), 2 -> 3 (end, class 0); 0 -> 4 (end, class 1).
  StateGraph g = graph(5, {{0, 1}, {1, 2}, {2, 1}, {2, 3}, {0, 4}}, {{3, 0}, {4, 1}});
  GraphOrder o = order_graph(g);
  REQUIRE(o.cycle.size() == 2);
  CHECK(std::set<uint32_t>(o.cycle.begin(), o.cycle.end()) == std::set<uint32_t>{1, 2});
  CHECK(o.after_cycle[3]);
  CHECK_FALSE(o.after_cycle[4]);
  GraphCounts c = count_schedules(g, o, 2);
  CHECK(c.infinite == std::vector<char>{1, 0});
  CHECK(c.per_outcome[1] == Count(1));
}

TEST_CASE("a program's live variables and step bound", "[explore]") {
  Scenario s = load_scenario("double_click");
  // none: SELECT ... INTO :points; LET :points = :points + :delta; UPDATE
  // ... SET points = :points WHERE id = :user_id.
  ProgramFacts none = analyse_program(*s.find("none")->steps, RestartPolicy{}, false);
  CHECK(none.live[0] == std::vector<std::string>{"delta", "user_id"});
  CHECK(none.live[1] == std::vector<std::string>{"delta", "points", "user_id"});
  CHECK(none.live[2] == std::vector<std::string>{"points", "user_id"});
  CHECK(none.live[3].empty());
  CHECK(none.steps_bound == 3);
  // singleton_lock: 7 steps; the seizing UPDATE and its RETRY ... MAX 20
  // run up to 21 times each: 1 + 21 + 21 + 4 = 47.
  const Mitigation& lock = *s.find("singleton_lock");
  ProgramFacts f = analyse_program(*lock.steps, lock.restart, false);
  CHECK(f.steps_bound == 47);
  CHECK(f.reads.count("request_id"));
  // :rowcount is read only by the RETRY, right after the UPDATE sets it.
  CHECK(std::count(f.live[2].begin(), f.live[2].end(), "rowcount") == 1);
  CHECK(std::count(f.live[1].begin(), f.live[1].end(), "rowcount") == 0);
  // A restart runs the program again: (max + 1) passes.
  const Mitigation& rr = *s.find("repeatable_read_retry");
  CHECK(analyse_program(*rr.steps, rr.restart, false).steps_bound ==
        static_cast<int64_t>(rr.steps->steps.size()) * (rr.restart.max + 1));
  CHECK(analyse_program(*s.find("semaphore")->steps, RestartPolicy{}, false).process_mutex);
}

TEST_CASE("the lost-update watch agrees with the check over the whole log", "[explore]") {
  Scenario s = load_scenario("double_click");
  for (const Mitigation& m : s.mitigations)
    for (const char* schedule : {"round-robin", "A A A A A A A A A A B B B B B B B B B B B B"}) {
      World w = build_world(s, m);
      ScheduleSpec spec = parse_schedule(schedule, SourcePos{"test", 1, 1});
      RunResult run;
      try {
        run = run_schedule(w, spec, RunLimits{});
      } catch (const InputError&) {
        continue;  // that explicit schedule does not fit this mitigation
      }
      // Replay the same moves one at a time, feeding the watch each step.
      LostUpdateWatch watch;
      World v = build_world(s, m);
      for (const std::string& name : run.schedule) {
        Log step_log;
        step(v, *v.find(name), &step_log);
        watch.observe(v, step_log);
      }
      CAPTURE(m.name, schedule);
      CHECK(watch.lost() == !find_lost_updates(run.world, run.log).empty());
    }
}
