// Pictures: `ccsim run --format mermaid` draws each mitigation's run as a
// Mermaid sequence diagram (requests and PostgreSQL as participants, each
// statement an arrow, waits and commits as notes), inside a Markdown page so
// that GitHub, GitLab and most Markdown viewers render it. Pure: returns text.
#pragma once

#include <string>
#include <vector>

#include "scenario/simulate.h"

namespace ccsim {

std::string render_mermaid(const Scenario& s, const std::vector<MitigationRun>& runs);

}  // namespace ccsim
