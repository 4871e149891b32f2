// ccsim explore's model: every interleaving of a scenario's requests under
// each mitigation, grouped into outcomes (final rows, fates, anomalies), each
// with how many schedules reach it and a shortest one that does.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/frame.h"
#include "explore/explorer.h"
#include "scenario/scenario.h"

namespace ccsim {

struct ExploredOutcome {
  std::vector<TableFrame> final;  // committed rows
  std::vector<std::pair<std::string, std::string>>
      fates;                           // request -> "committed", "aborted:40001"
  std::vector<std::string> anomalies;  // kinds, sorted
  std::string anomaly_text;            // the first anomaly found, for people
  bool serializable = false;
  bool stuck = false;
  size_t schedules = 0;               // how many schedules end here
  std::vector<std::string> shortest;  // the first shortest schedule found that ends here

  // "ok", "lost update: ...", "not serializable", or "stuck: ..."
  std::string verdict() const;
  bool ok() const { return anomalies.empty() && serializable && !stuck; }
  // True when some request did not commit: aborted, gave up, crashed or
  // still waiting. The data may be fine (nothing lost), but a user saw an error.
  bool request_failed() const;
};

struct Exploration {
  const Mitigation* mitigation = nullptr;
  Isolation isolation = Isolation::kReadCommitted;
  std::vector<ExploredOutcome> outcomes;  // in the order first reached
  size_t schedules = 0;
  bool complete = true;  // false: stopped at the schedule limit
};

struct ExploreOptions {
  std::vector<std::string> mitigations;  // empty: all the scenario lists
  std::optional<Isolation> isolation;    // empty: the scenario's level
  ExploreLimits limits;
  int64_t steps_per_request_max = 1000;
  std::function<void(const std::string& mitigation, size_t schedules)> progress;
};

// Explores each chosen mitigation. Throws InputError for an unknown
// mitigation or a schedule past the step limit.
std::vector<Exploration> explore_scenario(const Scenario& s, const ExploreOptions& o);

}  // namespace ccsim
