// ccsim explore's model: every interleaving of a scenario's requests under
// each mitigation, grouped into outcomes (final rows, fates, anomalies), each
// with exactly how many schedules reach it and a shortest one that does.
//
// The exploration walks the graph of distinct states (explore/state_search.h)
// and counts schedules over it; `naive` walks one schedule at a time instead
// (explore/naive_walk.h), the slow oracle the tests hold it to.
//
// Results are built in two stages so that shards of one exploration, run
// anywhere, add up to exactly what one run reports: each run (or shard)
// yields outcome classes (an outcome up to renaming interchangeable
// requests) with their counts and shortest schedules; finish_exploration()
// turns merged classes into the outcomes people read.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/count.h"
#include "engine/frame.h"
#include "explore/state_search.h"
#include "scenario/scenario.h"

namespace ccsim {

struct ExploredOutcome {
  std::vector<TableFrame> final;  // committed rows
  std::vector<std::pair<std::string, std::string>>
      fates;                           // request -> "committed", "aborted:40001", "waiting"
  std::vector<std::string> anomalies;  // kinds, sorted
  std::string anomaly_text;            // the first anomaly of its shortest schedule, for people
  bool serializable = false;
  bool stuck = false;                 // the requests left all wait forever
  bool forever = false;               // a schedule that never ends: the state graph has a cycle
  Count schedules;                    // how many schedules end here (see Exploration::counted)
  bool infinite = false;              // infinitely many (through a cycle)
  std::vector<std::string> shortest;  // a shortest schedule that ends here
  size_t observed = 0;                // --sample: how many sampled schedules ended here

  // "ok", "lost update: ...", "not serializable: ...", "stuck: ...", "runs forever: ..."
  std::string verdict() const;
  bool ok() const { return anomalies.empty() && serializable && !stuck && !forever; }
  // True when some request did not commit: aborted, gave up, crashed or
  // still waiting. The data may be fine (nothing lost), but a user saw an error.
  bool request_failed() const;
};

// An outcome up to renaming interchangeable requests, as one run or shard found it.
struct OutcomeClass {
  std::string key;  // the same class has the same key in every shard
  Count schedules;  // schedules ending in any of its outcomes
  bool infinite = false;
  std::vector<uint32_t> shortest;  // the first (in request order) shortest schedule to any of them
  std::vector<ExploredOutcome>
      outcomes;  // each of its outcomes, with `shortest` renamed to reach it
};

struct Exploration {
  std::string mitigation;  // its name
  std::string summary;     // one line on what it does
  Isolation isolation = Isolation::kReadCommitted;
  std::vector<std::string> requests;  // the requests' names, in order
  std::vector<OutcomeClass> classes;
  std::vector<ExploredOutcome> outcomes;  // finish_exploration(): every outcome, shortest first
  Count schedules;                        // complete schedules explored
  Count bad;                              // of them, schedules whose outcome is not ok()
  Count failed;                           // of them, schedules in which a request did not commit
  bool complete = true;  // false: stopped at a limit; then nothing is claimed about the rest
  std::string stopped;   // the limit that stopped it: "--max-states 1000", ...
  // false: --verdicts-only (outcomes without counts).
  bool counted = true;
  bool naive = false;
  // --sample: how many schedules were drawn, and how. Uniform: each of the
  // `schedules` schedules equally likely (the graph was complete); otherwise
  // a random walk (each step picks among the requests that can move).
  size_t sampled = 0;
  bool uniform = false;
  // Not uniform: why the graph was not counted ("counting the state graph
  // stopped at --max-states 250000", "the state graph has a cycle (some
  // schedules run forever)", ...).
  std::string walk_reason;
  uint64_t seed = 0;
  SearchProgress stats;  // states and edges (not part of the report)
};

struct Shard {
  size_t index = 0;  // 0-based
  size_t count = 1;
};

// What a report of explorations names: the scenario and the columns its
// summaries show. Shard results carry it, so merging needs no scenario file.
struct ExploreHeader {
  std::string file;
  std::string title;
  std::vector<std::pair<std::string, std::string>> show;  // (table, column)
  size_t requests = 0;                                    // --requests, when given
  std::optional<Shard> shard;
};

// Returns the header of scenario s.
ExploreHeader explore_header(const Scenario& s);

struct ExploreOptions {
  std::vector<std::string> mitigations;  // empty: all the scenario lists
  std::optional<Isolation> isolation;    // empty: the scenario's level
  size_t requests = 0;                   // 0: the scenario's own requests
  int64_t steps_per_request_max = 1000;
  SearchLimits limits;
  bool verdicts_only = false;  // which outcomes are reachable, not how often
  bool naive = false;          // one schedule at a time (slow; the tests' oracle)
  // Requests that differ only in :request_id, used as a name, are
  // interchangeable (explore/identity.h). Off only to test it.
  bool identity_symmetry = true;
  size_t schedules_max = 100000;  // naive only: schedules to walk before stopping
  std::optional<Shard> shard;
  size_t sample = 0;  // > 0: draw this many schedules instead of counting all
  uint64_t seed = 0;  // the sampling's seed (SplitMix64)
  // Called now and then with the mitigation and the search's progress.
  std::function<void(const std::string& mitigation, const SearchProgress&)> progress;
  // Asked now and then; false stops the exploration (the command's time limit).
  std::function<bool()> keep_going;
};

// Explores each chosen mitigation and finishes the results. Throws
// InputError for an unknown mitigation or a bad request count.
std::vector<Exploration> explore_scenario(const Scenario& s, const ExploreOptions& o);

// The 95% interval (Wilson score) of a share seen `hits` times in `n` draws,
// as fractions: {low, high}.
std::pair<double, double> share_interval(size_t hits, size_t n);

// Adds up the shards of one exploration (the same mitigations in the same
// order). Throws InputError when they do not belong together.
std::vector<Exploration> merge_explorations(const std::vector<std::vector<Exploration>>& shards);

// Turns outcome classes into outcomes: per-outcome counts (exact when the
// exploration is complete), sorted by their shortest schedules.
void finish_exploration(Exploration& e);

}  // namespace ccsim
