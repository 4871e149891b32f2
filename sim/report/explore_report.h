// Text output of `ccsim explore`: per mitigation, its outcomes over every
// interleaving with their counts and a shortest schedule, then a summary.
#pragma once

#include <string>
#include <vector>

#include "scenario/exploration.h"

namespace ccsim {

std::string render_explore_text(const Scenario& s, const std::vector<Exploration>& es);

}  // namespace ccsim
