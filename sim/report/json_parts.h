// The pieces of ccsim's JSON documents that more than one document uses:
// `ccsim run --format json` (report/json.cc) and the classroom server's API
// (serve/api.cc) write a value, a table, a frame and a run alike. Includes
// nlohmann/json: include it only where a document is written.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/frame.h"
#include "explore/runner.h"
#include "scenario/simulate.h"

namespace ccsim::json_parts {

using Json = nlohmann::ordered_json;

Json value(const Value& v);
// Tables by name, each a list of rows as {column: value}.
Json tables(const std::vector<TableFrame>& ts);
// The world after a step: requests, committed rows, locks, SSI's state.
Json frame(const Frame& f);
// One run of `ccsim run --format json` (docs/json.md).
Json run_json(const Scenario& s, const MitigationRun& m);
// One entry of a run's "trace": who moved, the events, the frame after.
Json trace_entry(const World& w, const Log& log, const TraceEntry& t);

}  // namespace ccsim::json_parts
