// The parts scenario/exploration.cc and scenario/sampling.cc share: how an
// end state becomes an outcome, and the three ways to explore one
// mitigation. Internal to scenario/.
#pragma once

#include <string>
#include <vector>

#include "scenario/exploration.h"

namespace ccsim::exploration_detail {

// An exploration of m at level iso with nothing found yet.
Exploration exploration_of(const Mitigation& m, Isolation iso);

// The limit that stopped a search, as the options name it ("--max-states
// 1000"); empty for StopReason::kNone.
std::string stop_text(StopReason r, const ExploreOptions& o);

// An outcome's identity: its rows, fates and anomaly kinds.
std::string outcome_key(const ExploredOutcome& o);
// The identity of an outcome's class: the same, but each class of
// interchangeable requests contributes only the multiset of its fates.
std::string class_key(const ExploredOutcome& o, const std::vector<uint32_t>& classes);
// What an end state shows: its rows, its requests' fates, whether the watch
// saw a lost update, whether requests were left waiting.
ExploredOutcome outcome_of(const World& w, bool lost);
// Shorter schedules first, then in order of request index.
bool shorter(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);
// The world a mitigation's exploration starts from.
World start_world(const Scenario& s, const Mitigation& m, Isolation iso, const ExploreOptions& o);
// Replays a schedule from `initial` with its full trace: the outcome it
// reaches, with the narration of the first anomaly. *final gets the world.
ExploredOutcome replay_schedule(const World& initial, const std::vector<uint32_t>& schedule,
                                World* final);
// Gives every class in `found` its members' names and example schedules
// and stores them in e.
void fill_classes(Exploration& e, const World& initial, const std::vector<uint32_t>& classes,
                  std::vector<OutcomeClass> found);

// One mitigation explored over its state graph, sampled, or walked naively.
Exploration explore_graph(const Scenario& s, const Mitigation& m, Isolation iso,
                          const ExploreOptions& o);
Exploration explore_sample(const Scenario& s, const Mitigation& m, Isolation iso,
                           const ExploreOptions& o);
Exploration explore_naive(const Scenario& s, const Mitigation& m, Isolation iso,
                          const ExploreOptions& o);

}  // namespace ccsim::exploration_detail
