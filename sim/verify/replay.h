// Replays a scenario's requests on a real PostgreSQL, step by step under the
// same schedule policy as the simulator, and records what happened in the
// form `ccsim verify` compares (verify/record.h).
//
// Everything it creates lives in one fresh schema, dropped at the end, also
// on error or interrupt. Every wait has a bound; a connection failure is a
// PgError (exit code 2), never a hang.
#pragma once

#include <string>

#include "pg/options.h"
#include "spec/spec.h"
#include "verify/record.h"

namespace ccsim {

// Replays mitigation `m` of scenario `s` under `schedule` at `isolation`.
ReplayRecord replay_on_postgres(const Scenario& s, const Mitigation& m,
                                const ScheduleSpec& schedule, Isolation isolation,
                                int64_t steps_per_request_max, const PgOptions& o);

// Runs every permutation of an isolation-tester spec on the server the way
// PostgreSQL's isolationtester does (one connection per session, kept across
// permutations; waiting steps polled in the order they started waiting; a
// session's waiting step awaited before its next step) and returns what the
// tester prints. `isolation` is the sessions' default level. A step still
// running when the tester waits for it is cancelled after step_wait_s
// seconds (PGISOLATIONTIMEOUT), as the tester does.
std::string replay_spec_on_postgres(const SpecFile& spec, Isolation isolation, const PgOptions& o,
                                    int64_t step_wait_s);

}  // namespace ccsim
