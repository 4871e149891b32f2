// libFuzzer target over everything that reads user input: the scenario
// loader (TOML, validation, setup), the step parser and the spec reader; a
// scenario or spec that loads is also simulated, under small limits.
//
// Bad input must end in InputError (or, for the simulated SQL, SqlError).
// Anything else escaping, a crash, a leak or a sanitizer report is a bug.
// Build: cmake -S . -B build-san -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCCSIM_SANITIZE=ON
// -DCCSIM_FUZZ=ON
#include <cstdint>
#include <string>

#include "lang/parser.h"
#include "scenario/exploration.h"
#include "scenario/simulate.h"
#include "spec/tester_output.h"

using namespace ccsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    parse_program(text, SourcePos{"fuzz", 1, 1});
  } catch (const InputError&) {
  }
  try {
    Scenario s = load_scenario_text(text, "fuzz.toml", "");
    RunOptions o;
    o.limits.schedule_steps_max = 2000;
    o.steps_per_request_max = 200;
    simulate(s, o);
    o.isolation = Isolation::kSerializable;
    simulate(s, o);
    // Explore twice, through the state graph and one schedule at a time:
    // when both finish they must agree on every outcome and count.
    ExploreOptions e;
    e.limits.states_max = 2000;
    e.limits.depth_max = 400;
    e.steps_per_request_max = 100;
    std::vector<Exploration> graph = explore_scenario(s, e);
    e.naive = true;
    e.schedules_max = 256;
    std::vector<Exploration> naive = explore_scenario(s, e);
    for (size_t i = 0; i < graph.size(); ++i) {
      if (!graph[i].complete || !naive[i].complete) continue;
      const auto& a = graph[i].outcomes;
      const auto& b = naive[i].outcomes;
      if (a.size() != b.size() || graph[i].schedules != naive[i].schedules) __builtin_trap();
      for (size_t k = 0; k < a.size(); ++k)
        if (a[k].fates != b[k].fates || a[k].schedules != b[k].schedules ||
            a[k].anomalies != b[k].anomalies || a[k].shortest != b[k].shortest)
          __builtin_trap();
    }
  } catch (const InputError&) {
  }
  try {
    SpecFile spec = parse_spec(text, "fuzz.spec");
    if (spec.permutations.size() <= 24) {
      run_spec(spec, Isolation::kReadCommitted);
      run_spec(spec, Isolation::kSerializable);
    }
  } catch (const InputError&) {
  }
  return 0;
}
