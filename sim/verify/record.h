// What `ccsim verify` compares: a record of one replay, step by step, built
// by one function from the events the request machine narrated - on the
// simulator, or on a real PostgreSQL (verify/replay.cc) - so the two sides are
// read the same way.
//
// Pure data and pure functions; the PostgreSQL side lives in pg/.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scenario/simulate.h"

namespace ccsim {

struct StepRecord {
  size_t position = 0;  // schedule position, from 1
  std::string request;
  size_t step = 0;          // program step, from 1
  std::string text;         // the step as written
  std::string outcome;      // "ok", "waits", "ERROR 40001", "retry", "gave up", "dropped"
  std::string result;       // "rows: (1, 100)", "rowcount 1", or ""
  size_t completed_at = 0;  // "waits": the position during which it finished; 0 = never
  std::string completion;   // "waits": its result then ("rows: (110)", "ERROR 40P01")
};

struct ReplayRecord {
  std::string schedule;  // the schedule taken
  std::vector<StepRecord> steps;
  std::vector<std::pair<std::string, std::vector<std::string>>> final_rows;  // table -> sorted rows
  std::vector<std::pair<std::string, std::string>>
      fates;  // request -> "committed", "aborted:40001", ...
  std::vector<std::pair<std::string, std::string>>
      tallies;          // request -> "2 retries, 1 restart" (what the application counted)
  std::string stopped;  // why the schedule could not go on, when it could not
};

// The events one schedule position produced: who moved, and its events'
// range in the log (the step's own first, then what it woke).
struct PositionEvents {
  size_t position = 0;  // 0-based
  RequestId request;
  size_t first_event = 0, end_event = 0;
};

// Builds the steps, fates and tallies of a record from the events of a run
// and the requests at its end; final_rows are the caller's (read from the
// store, or from the server).
ReplayRecord record_of(const Application& app, const Log& log,
                       const std::vector<PositionEvents>& positions);

// Formats result rows as "rows: (1, 'alice', 100), (2, NULL, 5)" ("rows: none" when empty).
std::string rows_result(const std::vector<std::vector<std::string>>& rows);

// Builds the record of a simulated run.
ReplayRecord record_simulation(const MitigationRun& m);

struct Difference {
  std::string where;  // "position 6 (B, step 3)", "final auth_user", "request B"
  std::string ccsim, postgres;
};

// Returns every place where the two records disagree.
std::vector<Difference> compare(const ReplayRecord& ccsim, const ReplayRecord& postgres);

// Side-by-side text of one mitigation's comparison.
std::string render_verify(const std::string& mitigation, const ReplayRecord& ccsim,
                          const ReplayRecord& postgres, const std::vector<Difference>& diffs);

}  // namespace ccsim
