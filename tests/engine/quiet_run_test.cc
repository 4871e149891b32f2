// A run nobody narrates must end where a narrated run ends. The machine
// builds a step's words, and an UPDATE its column changes, only for a log
// that keeps them (replay without a trace, ccsim load and the explorer's
// moves pass none, or one that does not narrate); this checks that leaving
// them out changes nothing else, on every shipped scenario and mitigation,
// at the scenario's level and at SERIALIZABLE.
#include <catch2/catch.hpp>

#include "engine/engine.h"
#include "explore/runner.h"
#include "explore/state_search.h"
#include "scenario/scenario.h"

using namespace ccsim;

namespace {

std::string key_of(const World& initial, const World& w) {
  StateSearch search(initial, false);
  std::string key;
  search.encoder().encode(w, LostUpdateWatch{}, &key);
  return key;
}

}  // namespace

TEST_CASE("a run without a log, or with one that does not narrate, ends as a narrated run does",
          "[engine]") {
  auto name = GENERATE(from_range(builtin_scenarios()));  // one added later is in too
  auto serializable = GENERATE(false, true);
  Scenario s = load_scenario(name);
  for (const Mitigation& m : s.mitigations) {
    CAPTURE(name, m.name, serializable);
    World initial = build_world(s, m);
    if (serializable) initial.default_isolation = Isolation::kSerializable;
    RunResult narrated = run_schedule(initial, s.schedule, RunLimits{});
    REQUIRE(!narrated.log.events.empty());  // it did narrate
    std::vector<RequestId> moves;
    for (const std::string& who : narrated.schedule) moves.push_back(*initial.find(who));

    World bare = initial;
    for (RequestId r : moves) step(bare, r, nullptr);
    World quiet = initial;
    Log log;
    log.narrate = false;
    for (RequestId r : moves) step(quiet, r, &log);
    CHECK(log.events.empty());

    const std::string key = key_of(initial, narrated.world);
    CHECK(key_of(initial, bare) == key);
    CHECK(key_of(initial, quiet) == key);
    for (size_t i = 0; i < initial.requests.size(); ++i) {
      CAPTURE(initial.requests[i].name);
      CHECK(bare.requests[i].fate == narrated.world.requests[i].fate);
      CHECK(bare.requests[i].sqlstate == narrated.world.requests[i].sqlstate);
      CHECK(bare.requests[i].vars == narrated.world.requests[i].vars);
      CHECK(quiet.requests[i].vars == narrated.world.requests[i].vars);
    }
  }
}
