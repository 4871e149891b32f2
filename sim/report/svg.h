// Pictures without a renderer: `ccsim run --format svg` draws each
// mitigation's run as swimlanes (one lane per request, one box per event,
// coloured by kind, the full text in a tooltip); `--format html` puts those
// drawings in a self-contained page with each step's memory, rows and locks.
// Pure: returns text.
#pragma once

#include <string>
#include <vector>

#include "scenario/simulate.h"

namespace ccsim {

std::string render_svg(const Scenario& s, const std::vector<MitigationRun>& runs);
std::string render_html(const Scenario& s, const std::vector<MitigationRun>& runs);

}  // namespace ccsim
