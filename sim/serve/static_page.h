// `ccsim run --format html`: the classroom page as one self-contained file,
// every frame of the runs computed in advance and written into it, so it
// works offline from a USB stick: forward and back by keys, a summary table
// linking each mitigation, projector mode. Branching needs `ccsim serve`.
#pragma once

#include <string>
#include <vector>

#include "scenario/simulate.h"

namespace ccsim {

// `key` is how the scenario was named on the command line.
std::string render_viewer(const Scenario& s, const std::string& key,
                          const std::vector<MitigationRun>& runs);

}  // namespace ccsim
