// The driver loop: asks a Strategy which request moves, applies step(), and
// records the trace (events and a Frame per step).
//
// Bounded: a run stops with an error after schedule_steps_max scheduled steps.
#pragma once

#include <string>
#include <vector>

#include "engine/frame.h"
#include "engine/log.h"
#include "explore/schedule.h"

namespace ccsim {

struct TraceEntry {
  size_t position = 0;                    // 0-based index in the schedule
  RequestId request;                      // who was scheduled
  size_t first_event = 0, end_event = 0;  // this step's events in Log::events
  Frame after;                            // the world after the step (and the wake-ups it caused)
};

struct RunResult {
  World world;  // the final world
  Log log;
  std::vector<TraceEntry> trace;
  std::vector<std::string> schedule;  // who moved, in order: the exact replay key
  bool stuck = false;                 // requests remained, all waiting: nothing could move

  // Returns the schedule actually taken as "A B A B".
  std::string schedule_text() const;
};

struct RunLimits {
  size_t schedule_steps_max = 100000;
};

// Runs the requests of `world` to completion under `spec`. Throws InputError
// when an explicit schedule names a request that cannot move, or ends early,
// or when schedule_steps_max is reached.
RunResult run_schedule(World world, const ScheduleSpec& spec, const RunLimits& limits);

}  // namespace ccsim
