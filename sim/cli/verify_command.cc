// ccsim verify: replays the scenario on a real PostgreSQL and compares.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "pg/replay.h"
#include "verify/record.h"

namespace ccsim {

namespace {

struct VerifyOptions {
  std::string scenario = "double_click";
  std::string postgres;
  std::vector<std::string> mitigations;
  std::string schedule;
  int64_t seed = -1;
  std::string isolation;
  std::string fault;
  bool quiet = false;
};

int verify(const VerifyOptions& o) {
  Scenario s = load_scenario(o.scenario);
  RunOptions ro;
  ro.mitigations = o.mitigations;
  if (!o.schedule.empty()) ro.schedule = parse_schedule(o.schedule, SourcePos{"--schedule", 1, 1});
  if (o.seed >= 0) ro.schedule = random_schedule(static_cast<uint64_t>(o.seed));
  if (o.isolation == "read-committed") ro.isolation = Isolation::kReadCommitted;
  if (o.isolation == "repeatable-read") ro.isolation = Isolation::kRepeatableRead;
  if (o.fault == "no-recheck") ro.faults.no_where_recheck = true;
  std::vector<MitigationRun> runs = simulate(s, ro);
  PgOptions pg;
  pg.conninfo = o.postgres;
  size_t differing = 0;
  for (const MitigationRun& m : runs) {
    ReplayRecord sim = record_simulation(m);
    ReplayRecord real =
        replay_on_postgres(s, *m.mitigation, m.schedule, m.isolation, ro.steps_per_request_max, pg);
    std::vector<Difference> diffs = compare(sim, real);
    differing += !diffs.empty();
    if (!o.quiet || !diffs.empty())
      std::cout << render_verify(m.mitigation->name, sim, real, diffs);
  }
  std::cout << s.file << " (" << to_sql(runs.empty() ? s.isolation : runs.front().isolation)
            << "): " << runs.size() - differing << " of " << runs.size()
            << " mitigations agree with PostgreSQL\n";
  return differing ? 1 : 0;
}

}  // namespace

void setup_verify(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Replay a scenario on a real PostgreSQL, step by step under the same schedule, and compare\n"
      "with the simulation: results, waits, errors, final rows, fates. Exit 1 on any difference.\n"
      "It works in one new schema, dropped at the end (docs/verify.md).");
  cmd->add_option("scenario", o->scenario, "Scenario file, or the name of a built-in scenario")
      ->capture_default_str();
  cmd->add_option("--postgres", o->postgres,
                  "libpq connection string, e.g. \"host=/tmp/pg port=5432 dbname=postgres\"")
      ->required();
  cmd->add_option("-m,--mitigation", o->mitigations, "Verify only this mitigation (repeatable)");
  auto* sch = cmd->add_option("-s,--schedule", o->schedule,
                              "Who moves, in order, e.g. \"A B A B\"; or round-robin");
  cmd->add_option("--seed", o->seed, "Random schedule from this seed")
      ->check(CLI::NonNegativeNumber)
      ->excludes(sch);
  cmd->add_option("--isolation", o->isolation,
                  "Isolation level of transactions whose BEGIN names none")
      ->check(CLI::IsMember({"read-committed", "repeatable-read"}));
  cmd->add_option(
         "--inject-fault", o->fault,
         "Break a rule of the simulator on purpose, to see verify catch it (no-recheck: a waiting "
         "UPDATE does not re-check its WHERE)")
      ->check(CLI::IsMember({"no-recheck"}));
  cmd->add_flag("-q,--quiet", o->quiet, "Print only mitigations that differ, and the summary line");
  cmd->callback([o, &chosen] { chosen = [o] { return verify(*o); }; });
}

}  // namespace ccsim
