// Runs an isolation-tester spec in the simulator and prints what PostgreSQL's
// isolationtester prints for it, so that the two can be diffed line by line.
//
// Pure: returns the text. The format (observed from PostgreSQL 15's tester):
// "Parsed test spec with N sessions", then per permutation a blank line,
// "starting permutation: ...", and per step "step NAME: SQL" with
// " <waiting ...>" when it blocks, "step NAME: <... completed>" when it
// finishes later, result tables as libpq's PQprint draws them, and
// "ERROR:  message" lines.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/world.h"
#include "lang/ast.h"
#include "spec/spec.h"

namespace ccsim {

// Returns the whole output for every permutation of the spec. Throws
// InputError when setup fails or a permutation names a step whose session is
// still waiting for a lock (PostgreSQL's tester would cancel it after 300 s).
// `faults` breaks a rule on purpose (verify --inject-fault).
std::string run_spec(const SpecFile& spec, Isolation default_isolation, Faults faults = {});

// Draws a result as the isolation tester does (libpq's PQprint, '|' between
// columns): a column whose values all look numeric is right-aligned, every
// cell is padded to its column's width, NULL is empty; then "(N rows)" and a
// blank line.
std::string tester_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows);

}  // namespace ccsim
