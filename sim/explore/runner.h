// The driver loop: asks a Strategy which request moves, applies step(), and
// records the trace (events and a Frame per step).
//
// Bounded: a run stops with an error after schedule_steps_max scheduled steps.
#pragma once

#include <memory>
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

// One run, a step at a time: run_schedule loops over it, `ccsim step` lets a
// person choose each move.
class Stepper {
 public:
  Stepper(World world, const ScheduleSpec& spec, const RunLimits& limits);

  // True when every request is done, or the ones left all wait (stuck).
  bool finished() const;
  // Returns the request the schedule moves next. Throws InputError when an
  // explicit schedule has ended or names a request that cannot move, or at
  // the step limit.
  RequestId next();
  // Moves request r (REQUIRES: runnable) and records the step.
  const TraceEntry& move(RequestId r);
  const World& world() const { return res_.world; }
  const RunResult& result() const { return res_; }
  // Ends the run: marks it stuck when requests remain, checks that an
  // explicit schedule has no entries left over, and hands the result over.
  RunResult finish();

 private:
  ScheduleSpec spec_;
  RunLimits limits_;
  std::unique_ptr<Strategy> strategy_;
  RunResult res_;
};

// Runs the requests of `world` to completion under `spec`. Throws InputError
// when an explicit schedule names a request that cannot move, or ends early,
// or when schedule_steps_max is reached.
RunResult run_schedule(World world, const ScheduleSpec& spec, const RunLimits& limits);

}  // namespace ccsim
