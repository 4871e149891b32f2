// ccsim explore: every interleaving of a scenario's requests under each
// mitigation; counts outcomes and gives a shortest schedule for each.
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "report/explore_report.h"
#include "report/json.h"

namespace ccsim {

namespace {

struct ExploreCommandOptions {
  std::string scenario = "double_click";
  std::vector<std::string> mitigations;
  std::string isolation;
  std::string format = "text";
  size_t schedules_max = 100000;
  size_t schedule_steps_max = 2000;
  int64_t steps_per_request_max = 1000;
  size_t input_bytes_max = kInputBytesMax;
};

int explore(const ExploreCommandOptions& o) {
  Scenario s = load_scenario(o.scenario, o.input_bytes_max);
  ExploreOptions eo;
  eo.mitigations = o.mitigations;
  if (!o.isolation.empty()) eo.isolation = isolation_named(o.isolation);
  eo.limits.schedules_max = o.schedules_max;
  eo.limits.steps_max = o.schedule_steps_max;
  eo.steps_per_request_max = o.steps_per_request_max;
  // Progress for people: on stderr, and only when stderr is a terminal.
  bool tty = isatty(STDERR_FILENO);
  if (tty)
    eo.progress = [](const std::string& m, size_t n) {
      std::cerr << "\rexploring " << m << ": " << n << " schedules" << std::flush;
    };
  std::vector<Exploration> es = explore_scenario(s, eo);
  if (tty) std::cerr << "\r\033[K" << std::flush;
  std::cout << (o.format == "json" ? render_explore_json(s, es) : render_explore_text(s, es));
  return 0;
}

}  // namespace

void setup_explore(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<ExploreCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explore",
      "Run every interleaving of the scenario's requests under each mitigation: the distinct\n"
      "outcomes, how many schedules reach each, and a shortest schedule to replay it with 'run'.");
  cmd->add_option("scenario", o->scenario, "Scenario file (.toml) or the name of a built-in one")
      ->capture_default_str();
  cmd->add_option("-m,--mitigation", o->mitigations,
                  "Only this mitigation (repeatable); default: all the scenario lists");
  cmd->add_option("--isolation", o->isolation,
                  "Isolation level of transactions whose BEGIN names none")
      ->check(CLI::IsMember({"read-committed", "repeatable-read", "serializable"}));
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--schedules-max", o->schedules_max,
                  "Stop after this many schedules per mitigation (the output says so)")
      ->check(CLI::Range(size_t{1}, size_t{100000000}))
      ->capture_default_str();
  cmd->add_option("--schedule-steps-max", o->schedule_steps_max,
                  "Refuse a schedule longer than this many steps")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->add_option("--steps-per-request-max", o->steps_per_request_max,
                  "A request that takes more steps than this gives up")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->capture_default_str();
  cmd->add_option("--input-bytes-max", o->input_bytes_max, "Refuse scenario files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return explore(*o); }; });
}

}  // namespace ccsim
