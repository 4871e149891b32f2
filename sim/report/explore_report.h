// Text output of `ccsim explore` (and of `ccsim merge` of its shards): per
// mitigation, its outcomes over every interleaving with their counts and a
// shortest schedule, then a summary. An exploration that stopped at a limit
// says so on every line that sums it up.
#pragma once

#include <string>
#include <vector>

#include "scenario/exploration.h"

namespace ccsim {

std::string render_explore_text(const ExploreHeader& h, const std::vector<Exploration>& es);

// The one-line verdict of an exploration, as the summary prints it:
// "never goes wrong", "goes wrong in 18 of 20", "no failure in the 10
// schedules explored; not all explored", ...
// A sample's verdict never claims a share it did not measure: "no failure in
// 1,000 schedules drawn (95%: the bad share is at most 0.4%)".
std::string explore_verdict(const Exploration& e);

}  // namespace ccsim
