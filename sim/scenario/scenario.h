// Scenarios and mitigations: what a TOML file says, validated and compiled
// into programs (docs/scenario_format.md).
//
// Loading either returns a complete, checked Scenario or throws one
// InputError naming file:line:column; nothing is run while loading except
// the setup statements, to learn the schema the steps are checked against.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/world.h"
#include "explore/schedule.h"
#include "lang/ast.h"

namespace ccsim {

// The largest scenario or spec file read, by default (--input-bytes-max).
constexpr size_t kInputBytesMax = 4u << 20;
// The most restarts a restart policy may allow.
constexpr int64_t kRestartsMax = 1000;

struct Mitigation {
  std::string name;
  std::string view;
  std::string summary;
  std::string failure;  // the failure mode it shows
  std::string django;   // the application code it models
  std::string file;     // where it was read from
  ProgramPtr steps;
  ProgramPtr setup;  // extra tables it needs; may be empty
  ClientPolicy client;
  RestartPolicy restart;            // restart = { on = [...], max = n }
  std::optional<CrashPoint> crash;  // crash = { request = "A", step = n } (step 0-based here)
  SourcePos crash_request_pos, crash_step_pos;
};

struct RequestSpec {
  SourcePos pos;  // where its [[requests]] entry starts
  std::string name;
  std::string client;
  std::string process;  // the server process it runs in (its own name when none are declared)
  std::vector<std::pair<std::string, Value>> args;
};

// An expected value for a column: SQL NULL is written "NULL" in TOML.
struct ExpectedRow {
  std::vector<std::pair<std::string, Value>> columns;
};

struct Expectation {
  std::string mitigation;
  std::string schedule;        // replay key it applies to ("round-robin", "A B A B", "seed 7")
  ScheduleSpec schedule_spec;  // the schedule itself, to run it
  SourcePos pos;
  std::map<std::string, std::vector<ExpectedRow>> final_rows;  // table -> rows in row order
  std::map<std::string, std::string> requests;  // request -> "committed" | "aborted:40001" | ...
  std::optional<std::vector<std::string>> anomalies;  // kinds, in any order
  std::optional<bool> serializable;
  std::optional<std::vector<std::string>> waits;  // exactly the requests that waited for a lock
  std::map<std::string, int64_t> retries;         // request -> RETRY count
  std::map<std::string, int64_t> restarts;        // request -> restarts of the whole request
  std::optional<Isolation> isolation;             // the level it applies to; the scenario's if none
  // every_interleaving = "never_fails" | "can_fail": a claim about all
  // schedules (ccsim explore), checked by `ccsim check`; such an entry
  // holds no other claim.
  std::optional<std::string> every_interleaving;
};

struct Scenario {
  std::string file;
  std::string title;
  std::string description;
  std::string view;
  Program setup;
  std::vector<RequestSpec> requests;
  std::vector<Mitigation> mitigations;  // in the order the scenario lists them
  ScheduleSpec schedule;
  Isolation isolation = Isolation::kReadCommitted;
  std::vector<std::string> processes;  // declared server processes; empty: one per request
  std::vector<std::pair<std::string, std::string>> show;  // (table, column) for summaries
  std::vector<Expectation> expectations;

  // Returns the mitigation of that name, or null.
  const Mitigation* find(const std::string& name) const;
};

// Reads a scenario. `path` is a file on disk, or the name of a scenario built
// into the binary ("double_click"). Mitigations are looked up first in the
// scenario's own [programs], then beside it in mitigations/NAME.toml, then in
// the built-in library.
Scenario load_scenario(const std::string& path, size_t bytes_max = kInputBytesMax);

// Reads a scenario from text; `file` names it in messages.
Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::string& dir);

// Reads a mitigation file from text.
Mitigation load_mitigation_text(const std::string& text, const std::string& file);

// Returns what request number `index` (0-based) holds before its first step:
// its arguments, :request_id (index + 1) and :rowcount (0).
Vars initial_vars(const RequestSpec& r, size_t index);

// The most requests a scenario may have: one per capital letter.
constexpr size_t kRequestsMax = 26;

// Returns s with n requests: its request list repeated in order, each copy
// keeping its client, process and arguments and taking the next capital
// letter no request has (the third of A and B is C, the fourth D). When n
// differs from the scenario's own count, only its every_interleaving
// expectations are kept (the others name its own requests and schedules),
// and an explicit schedule of the scenario becomes round-robin.
// Throws InputError when n is 0 or more than kRequestsMax.
Scenario with_request_count(const Scenario& s, size_t n);

// Returns the application side of `m` running the scenario's requests: the
// requests (program, arguments, client, process), the clients' debounce,
// the restart policy and the crash point. The simulator and the PostgreSQL
// replay start from it alike.
Application build_application(const Scenario& s, const Mitigation& m);

// Returns the world in which `m` runs the scenario's requests: setup done,
// requests placed, no step taken.
World build_world(const Scenario& s, const Mitigation& m);

// The names of the built-in scenarios and mitigations, for `ccsim list`.
std::vector<std::string> builtin_scenarios();
std::vector<Mitigation> builtin_mitigations();

}  // namespace ccsim
