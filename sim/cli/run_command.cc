// ccsim run: replays one schedule of a scenario under each mitigation.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/replay_flags.h"
#include "report/json.h"
#include "report/mermaid.h"
#include "report/svg.h"
#include "report/text.h"
#include "scenario/files.h"
#include "serve/static_page.h"
#include "spec/tester_output.h"

namespace ccsim {

namespace {

struct RunCommandOptions {
  ReplayFlags replay;
  std::string format = "text";
  bool summary_only = false;
  size_t schedule_steps_max = 100000;
  int64_t steps_per_request_max = 1000;
};

// A PostgreSQL isolation-tester spec: every permutation, printed as the
// tester prints it.
int run_spec_file(const RunCommandOptions& o) {
  const ReplayFlags& f = o.replay;
  if (!f.mitigations.empty() || f.schedule_given || f.seed_given || o.format != "text" ||
      f.requests)
    throw InputError(SourcePos{f.scenario, 0, 0},
                     "a .spec file runs its own permutations in the isolation tester's format; "
                     "--mitigation, --schedule, --seed, --requests and --format do not apply");
  std::cout << run_spec(load_spec(f.scenario, f.input_bytes_max), f.level());
  return 0;
}

int run(const RunCommandOptions& o) {
  if (o.replay.is_spec()) return run_spec_file(o);
  Scenario s = o.replay.load();
  RunOptions ro = o.replay.run_options();
  ro.limits.schedule_steps_max = o.schedule_steps_max;
  ro.steps_per_request_max = o.steps_per_request_max;
  std::vector<MitigationRun> runs = simulate(s, ro);
  if (o.format == "json") {
    std::cout << render_json(s, runs);
  } else if (o.format == "mermaid") {
    std::cout << render_mermaid(s, runs);
  } else if (o.format == "svg") {
    std::cout << render_svg(s, runs);
  } else if (o.format == "html") {
    std::cout << render_viewer(s, o.replay.scenario, runs);
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
      "then a table of final values and verdicts. Exit 1 when the scenario's expectations fail.\n"
      "A .spec file prints what PostgreSQL's isolationtester prints; like the tester, a step it\n"
      "must wait for is cancelled after PGISOLATIONTIMEOUT seconds (300 when unset), and dates\n"
      "print in the DateStyle PGDATESTYLE names (ISO when unset).");
  add_replay_flags(
      cmd, o->replay,
      "Scenario file (.toml), isolation-tester spec (.spec), or the name of a built-in scenario");
  cmd->add_option("--format", o->format,
                  "Output format; mermaid: sequence diagrams in Markdown; svg: swimlanes; html: "
                  "the classroom page (as ccsim serve shows it) in one file that works offline")
      ->check(CLI::IsMember({"text", "json", "mermaid", "svg", "html"}))
      ->capture_default_str();
  cmd->add_flag("--summary", o->summary_only, "Print only the summary table, no trace");
  cmd->add_option("--schedule-steps-max", o->schedule_steps_max,
                  "Stop a run after this many scheduled steps")
      ->check(CLI::Range(size_t{1}, size_t{10000000}))
      ->capture_default_str();
  cmd->add_option("--steps-per-request-max", o->steps_per_request_max,
                  "A request that takes more steps than this gives up")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return run(*o); }; });
}

}  // namespace ccsim
