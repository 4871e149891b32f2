// Pictures without a renderer: `ccsim run --format svg` draws each
// mitigation's run as swimlanes (one lane per request, one box per event,
// coloured by kind). `--format html` is the classroom page (serve/static_page.h).
// Pure: returns text.
#pragma once

#include <string>
#include <vector>

#include "scenario/simulate.h"

namespace ccsim {

std::string render_svg(const Scenario& s, const std::vector<MitigationRun>& runs);

}  // namespace ccsim
