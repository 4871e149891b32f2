// Throughput of the simulator's hot paths (run on demand; see docs/performance.md):
//   cmake -S . -B build-bench -G Ninja -DCCSIM_BENCH=ON -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-bench ccsim_bench && build-bench/bench/ccsim_bench
#include <benchmark/benchmark.h>

#include "check/anomaly.h"
#include "engine/engine.h"
#include "explore/runner.h"
#include "scenario/exploration.h"
#include "scenario/simulate.h"

using namespace ccsim;

namespace {

const Scenario& double_click() {
  static const Scenario s = load_scenario("double_click");
  return s;
}

// Runs mitigation m of s under its schedule over and over, trace recorded.
void run_repeatedly(benchmark::State& state, const Scenario& s, const Mitigation& m,
                    Isolation iso) {
  World initial = build_world(s, m);
  initial.default_isolation = iso;
  size_t steps = 0;
  for (auto _ : state) {
    RunResult r = run_schedule(initial, s.schedule, RunLimits{});
    steps += r.schedule.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(m.name);
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

// One schedule of one mitigation, trace recorded (what `ccsim run` does per mitigation).
void BM_RunSchedule(benchmark::State& state) {
  const Scenario& s = double_click();
  run_repeatedly(state, s, s.mitigations[static_cast<size_t>(state.range(0))],
                 Isolation::kReadCommitted);
}
BENCHMARK(BM_RunSchedule)->DenseRange(0, 16);

// The same at SERIALIZABLE: every transaction also keeps SSI's SIREAD locks
// and read/write conflicts. 0: double_click's serializable_retry (16);
// 1: on_call's check_then_update, the write skew SSI stops.
void BM_RunSerializable(benchmark::State& state) {
  static const Scenario on_call = load_scenario("on_call");
  const Scenario& s = state.range(0) == 0 ? double_click() : on_call;
  const Mitigation& m = state.range(0) == 0 ? s.mitigations[16] : s.mitigations[0];
  run_repeatedly(state, s, m, Isolation::kSerializable);
}
BENCHMARK(BM_RunSerializable)->DenseRange(0, 1);

// Replay without a trace: the moves of a fixed schedule applied with
// step(world, r, nullptr) to a copy of the initial world, as the serial
// check and a replay that only wants the final state do. The schedule is
// round-robin over N requests (state.range(1)) of mitigation range(0);
// steps/s counts scheduled moves, the copy of the initial world included.
void BM_ReplayWithoutTrace(benchmark::State& state) {
  const Scenario base = double_click();
  Scenario s = with_request_count(base, static_cast<size_t>(state.range(1)));
  const Mitigation& m = s.mitigations[static_cast<size_t>(state.range(0))];
  World initial = build_world(s, m);
  // The schedule, recorded once from a traced run.
  std::vector<RequestId> moves;
  for (const std::string& name : run_schedule(initial, s.schedule, RunLimits{}).schedule)
    moves.push_back(*initial.find(name));
  size_t steps = 0;
  for (auto _ : state) {
    World w = initial;
    for (RequestId r : moves) step(w, r, nullptr);
    steps += moves.size();
    benchmark::DoNotOptimize(w);
  }
  state.SetLabel(m.name + ", " + std::to_string(state.range(1)) + " requests");
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReplayWithoutTrace)
    ->Args({0, 2})
    ->Args({0, 8})
    ->Args({1, 2})
    ->Args({1, 8})
    ->Args({4, 2});

// The state-graph explorer on double_click's card mitigations with N
// requests (range(1)): the whole of explore_scenario for one mitigation
// (range(0): 0 none, 1 select_for_update), the search and the counts, as
// `ccsim explore double_click -m M --requests N` runs it after loading.
void BM_ExploreGraph(benchmark::State& state) {
  const Scenario& s = double_click();
  ExploreOptions o;
  o.mitigations = {s.mitigations[static_cast<size_t>(state.range(0))].name};
  o.requests = static_cast<size_t>(state.range(1));
  size_t states = 0;
  for (auto _ : state) {
    std::vector<Exploration> e = explore_scenario(s, o);
    states = e.front().stats.states;
    benchmark::DoNotOptimize(e);
  }
  state.SetLabel(o.mitigations.front() + ", " + std::to_string(o.requests) + " requests, " +
                 std::to_string(states) + " states");
}
BENCHMARK(BM_ExploreGraph)->Args({0, 6})->Args({1, 6})->Unit(benchmark::kMillisecond);

// The checks on a finished run: lost update and serial equivalence.
void BM_Checks(benchmark::State& state) {
  const Scenario& s = double_click();
  World initial = build_world(s, s.mitigations[0]);
  RunResult r = run_schedule(initial, s.schedule, RunLimits{});
  for (auto _ : state) {
    benchmark::DoNotOptimize(find_lost_updates(r.world, r.log));
    benchmark::DoNotOptimize(check_serial(initial, r.world));
  }
}
BENCHMARK(BM_Checks);

// The whole of `ccsim run double_click` minus printing: load is excluded.
void BM_SimulateScenario(benchmark::State& state) {
  const Scenario& s = double_click();
  for (auto _ : state) benchmark::DoNotOptimize(simulate(s, RunOptions{}));
}
BENCHMARK(BM_SimulateScenario);

// Loading and validating the scenario and its mitigations from TOML.
void BM_LoadScenario(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(load_scenario("double_click"));
}
BENCHMARK(BM_LoadScenario);

}  // namespace

BENCHMARK_MAIN();
