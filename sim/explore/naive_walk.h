// Every interleaving, the naive way: a depth-first walk over the schedules
// of a world, one schedule at a time, branching wherever more than one
// request can move. Its cost is the number of schedules; the state-graph
// explorer (explore/state_search.h) is held to its answers in the tests
// (`ccsim explore --naive`).
//
// Each complete schedule ends in a leaf: every request done, or the rest
// stuck waiting. The walk is deterministic (requests tried in index order,
// so schedules come in lexicographic order) and bounded: it stops after
// schedules_max leaves, or refuses a schedule longer than steps_max.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "engine/log.h"
#include "engine/world.h"

namespace ccsim {

struct ExploreLimits {
  size_t schedules_max = 100000;  // leaves to visit before stopping
  size_t steps_max = 2000;        // scheduled steps in one schedule
};

struct Leaf {
  const World& world;                      // the final world
  const Log& log;                          // observations along the schedule (no narration)
  const std::vector<RequestId>& schedule;  // who moved, in order
  bool stuck;                              // requests remained, all waiting
};

struct WalkResult {
  size_t schedules = 0;  // leaves visited
  bool complete = true;  // false: stopped at schedules_max
};

// Visits every interleaving of `initial`'s requests. `progress` (may be
// empty) is called every 1024 leaves with the count so far.
WalkResult for_each_interleaving(const World& initial, const ExploreLimits& limits,
                                 const std::function<void(const Leaf&)>& leaf,
                                 const std::function<void(size_t)>& progress = {});

}  // namespace ccsim
