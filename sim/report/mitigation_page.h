// A mitigation described for people: what it does, how it fails, the code
// it models, its steps, and what it does in the built-in scenarios (real
// runs). `ccsim describe` prints it; docs/mitigations/ holds the markdown.
#pragma once

#include <string>
#include <vector>

#include "scenario/simulate.h"

namespace ccsim {

// One run shown on the page: the command that reproduces it and its result.
struct PageRun {
  std::string title;    // "double_click at READ COMMITTED"
  std::string command;  // "ccsim run double_click --mitigation semaphore --summary"
  std::string output;   // what that command prints
};

// Returns the page. `markdown` selects Markdown (docs) over plain text.
std::string mitigation_page(const Mitigation& m, const std::vector<PageRun>& runs, bool markdown);

}  // namespace ccsim
