// ccsim run: replays one schedule of a scenario under each mitigation.
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "report/json.h"
#include "report/text.h"
#include "scenario/simulate.h"
#include "spec/tester_output.h"

namespace ccsim {

namespace {

struct RunCommandOptions {
  std::string scenario = "double_click";
  std::vector<std::string> mitigations;
  std::string schedule;
  int64_t seed = -1;
  std::string format = "text";
  std::string isolation;
  bool summary_only = false;
  size_t schedule_steps_max = 100000;
  int64_t steps_per_request_max = 1000;
  size_t input_bytes_max = kInputBytesMax;
};

// A PostgreSQL isolation-tester spec: every permutation, printed as the
// tester prints it.
int run_spec_file(const RunCommandOptions& o) {
  if (!o.mitigations.empty() || !o.schedule.empty() || o.seed >= 0 || o.format != "text")
    throw InputError(SourcePos{o.scenario, 0, 0},
                     "a .spec file runs its own permutations in the isolation tester's format; "
                     "--mitigation, --schedule, --seed and --format do not apply");
  Isolation iso =
      o.isolation == "repeatable-read" ? Isolation::kRepeatableRead : Isolation::kReadCommitted;
  std::cout << run_spec(load_spec(o.scenario, o.input_bytes_max), iso);
  return 0;
}

int run(const RunCommandOptions& o) {
  if (o.scenario.size() > 5 && o.scenario.compare(o.scenario.size() - 5, 5, ".spec") == 0)
    return run_spec_file(o);
  Scenario s = load_scenario(o.scenario, o.input_bytes_max);
  RunOptions ro;
  ro.mitigations = o.mitigations;
  if (!o.schedule.empty()) ro.schedule = parse_schedule(o.schedule, SourcePos{"--schedule", 1, 1});
  if (o.seed >= 0) ro.schedule = random_schedule(static_cast<uint64_t>(o.seed));
  if (o.isolation == "read-committed") ro.isolation = Isolation::kReadCommitted;
  if (o.isolation == "repeatable-read") ro.isolation = Isolation::kRepeatableRead;
  ro.limits.schedule_steps_max = o.schedule_steps_max;
  ro.steps_per_request_max = o.steps_per_request_max;
  std::vector<MitigationRun> runs = simulate(s, ro);
  if (o.format == "json") {
    std::cout << render_json(s, runs);
  } else {
    TextOptions t;
    t.color = stdout_wants_color();
    t.trace = !o.summary_only;
    std::cout << render_text(s, runs, t);
  }
  for (const MitigationRun& m : runs)
    if (!m.failures.empty()) return 1;
  return 0;
}

}  // namespace

void setup_run(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<RunCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Replay one schedule of a scenario under each of its mitigations: the narrated trace,\n"
      "then a table of final values and verdicts. Exit 1 when the scenario's expectations fail.");
  cmd->add_option(
         "scenario", o->scenario,
         "Scenario file (.toml), isolation-tester spec (.spec), or the name of a built-in scenario")
      ->capture_default_str();
  cmd->add_option("-m,--mitigation", o->mitigations,
                  "Run only this mitigation (repeatable); default: all the scenario lists");
  auto* sch =
      cmd->add_option("-s,--schedule", o->schedule,
                      "Who moves, in order, e.g. \"A B A B\"; or round-robin (the default policy)");
  cmd->add_option("--seed", o->seed,
                  "Random schedule from this seed (SplitMix64; see docs/scheduling.md)")
      ->check(CLI::NonNegativeNumber)
      ->excludes(sch);
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--isolation", o->isolation,
                  "Isolation level of transactions whose BEGIN names none")
      ->check(CLI::IsMember({"read-committed", "repeatable-read"}));
  cmd->add_flag("--summary", o->summary_only, "Print only the summary table, no trace");
  cmd->add_option("--schedule-steps-max", o->schedule_steps_max,
                  "Stop a run after this many scheduled steps")
      ->check(CLI::Range(size_t{1}, size_t{10000000}))
      ->capture_default_str();
  cmd->add_option("--steps-per-request-max", o->steps_per_request_max,
                  "A request that takes more steps than this gives up")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->capture_default_str();
  cmd->add_option("--input-bytes-max", o->input_bytes_max,
                  "Refuse scenario and spec files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return run(*o); }; });
}

}  // namespace ccsim
