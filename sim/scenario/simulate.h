// Runs a scenario: each mitigation under one schedule, then the checks, then
// the scenario's expectations for that schedule. The glue between scenario/,
// explore/ and check/, shared by every command that runs scenarios.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/anomaly.h"
#include "explore/runner.h"
#include "scenario/scenario.h"

namespace ccsim {

struct RunOptions {
  std::vector<std::string> mitigations;  // empty: all the scenario lists
  std::optional<ScheduleSpec> schedule;  // empty: the scenario's schedule
  std::optional<Isolation> isolation;    // empty: the scenario's level
  RunLimits limits;
  int64_t steps_per_request_max = 1000;  // a request that takes more steps gives up
  Faults faults;  // deliberate departures from PostgreSQL (verify's self-test)
};

struct MitigationRun {
  const Mitigation* mitigation = nullptr;
  ScheduleSpec schedule;
  Isolation isolation = Isolation::kReadCommitted;
  RunResult run;
  std::vector<Anomaly> anomalies;
  SerialResult serial;
  std::vector<std::string> waited;          // requests that waited for a lock, in order
  std::map<std::string, int64_t> retries;   // request -> retries taken
  std::map<std::string, int64_t> restarts;  // request -> restarts of the whole request
  bool expectation_found = false;           // an [[expect]] applied to this run
  std::vector<std::string> failures;        // what the expectation said that did not hold
};

// Returns the mitigations named (all the scenario lists when none are).
// Throws InputError naming the first it does not run.
std::vector<const Mitigation*> choose_mitigations(const Scenario& s,
                                                  const std::vector<std::string>& names);

// Returns the world mitigation m starts from under these options.
World initial_world(const Scenario& s, const Mitigation& m, const RunOptions& options);

// Judges a finished run of m from `initial`: the checks and the scenario's
// expectations for that schedule and level.
MitigationRun evaluate(const Scenario& s, const Mitigation& m, const ScheduleSpec& schedule,
                       const World& initial, RunResult run);

// Runs the scenario. Throws InputError for an unknown mitigation (named at
// `option_pos`) or a schedule that cannot be followed.
std::vector<MitigationRun> simulate(const Scenario& s, const RunOptions& options);

// Returns what expectation `e` says that run `m` does not do, one line each.
std::vector<std::string> check_expectation(const Expectation& e, const MitigationRun& m);

}  // namespace ccsim
