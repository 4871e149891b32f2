// The words of a run's outcome, shared by every output format so that text,
// JSON and pictures say the same thing: the verdict, what happened, and the
// values of the columns a scenario shows.
#pragma once

#include <string>
#include <vector>

#include "scenario/simulate.h"

namespace ccsim {

// "lost update: B's write overwrote A's +10", "not serializable: ...", or "ok".
std::string verdict(const MitigationRun& m);

// True when the verdict is "ok".
bool verdict_ok(const MitigationRun& m);

// "B waited for A's row lock; B retried 3 times", or "" when nothing notable.
std::string happened(const MitigationRun& m);

// The committed values of the scenario's shown column `show_index` in w:
// "110" for one row, "110 90" for several (row order).
std::string shown_value(const Scenario& s, const World& w, size_t show_index);
// The header of shown column i: its name, qualified with its table's when
// another shown column has the same name.
std::string shown_header(const std::vector<std::pair<std::string, std::string>>& show, size_t i);

// The value an applicable expectation gives for that column, or "-".
std::string expected_value(const Scenario& s, const MitigationRun& m, size_t show_index);

// True when the name is a request argument or built-in, not program memory.
bool is_argument(const Scenario& s, const std::string& var);

}  // namespace ccsim
