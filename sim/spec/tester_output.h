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

#include "core/datestyle.h"
#include "engine/world.h"
#include "lang/ast.h"
#include "spec/spec.h"

namespace ccsim {

// How long PostgreSQL's isolationtester lets a step wait before it cancels
// it, in seconds: PGISOLATIONTIMEOUT as the tester reads it (atoi), 300
// when it is not set.
int64_t tester_step_wait_s();

// The DateStyle the tester's sessions get: PGDATESTYLE as libpq sends it
// at connection start (nothing, or "default": ISO, MDY), read as
// PostgreSQL reads the setting. Throws InputError for a value the server
// would refuse (the tester cannot connect then).
DateStyle tester_datestyle();

// The session time zone the tester's sessions get: PGTZ as libpq sends
// it; empty when unset, "default" or a name of UTC. Throws InputError for
// an empty PGTZ (the server refuses it).
std::string tester_time_zone();

// Returns the whole output for every permutation of the spec. A step still
// waiting for a lock when the tester waits for it (the next step of its
// session, or the permutation's end) is cancelled after step_wait_s
// seconds, as the tester does. Throws InputError when setup fails, or when
// a marker holds a step back for good (the tester would time out).
// `faults` breaks a rule on purpose (verify --inject-fault).
std::string run_spec(const SpecFile& spec, Isolation default_isolation, Faults faults = {},
                     int64_t step_wait_s = tester_step_wait_s(),
                     const DateStyle& datestyle = tester_datestyle(),
                     const std::string& time_zone = tester_time_zone());

// Draws a result as the isolation tester does (libpq's PQprint, '|' between
// columns): a column whose values all look numeric is right-aligned, every
// cell is padded to its column's width, NULL is empty; then "(N rows)" and a
// blank line.
std::string tester_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows);

}  // namespace ccsim
