// ccsim verify: replays the scenario on a real PostgreSQL and compares.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/replay_flags.h"
#include "scenario/files.h"
#include "spec/tester_output.h"
#include "verify/record.h"
#include "verify/replay.h"

namespace ccsim {

namespace {

struct VerifyOptions {
  ReplayFlags replay;
  std::string postgres;
  std::string fault;
  bool quiet = false;
  // Replays of a mitigation (or spec) on the server, at most: one that
  // differs is replayed again, and agrees when a later replay does.
  unsigned replays = 3;
};

// The note for a run that agreed only on a later replay: what the server
// did differently before is a race inside PostgreSQL (a rule the simulator
// got wrong differs on every replay, since the schedule is the same).
std::string later_replay_note(unsigned differed) {
  return "  agreed on replay " + std::to_string(differed + 1) + "; " +
         (differed == 1 ? "the first replay"
                        : "the first " + std::to_string(differed) + " replays") +
         " differed: the server decided a race of its own another way, e.g. which of two "
         "waiters for a replaced row went first (docs/verify.md)\n";
}

// Prints the lines where two outputs differ: "-" for
// ccsim, "+" for PostgreSQL. Returns the number of differing lines.
size_t print_diff(const std::string& a, const std::string& b) {
  auto lines = [](const std::string& t) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < t.size()) {
      size_t nl = t.find('\n', start);
      out.push_back(t.substr(start, nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    return out;
  };
  std::vector<std::string> x = lines(a), y = lines(b);
  // Longest common subsequence, then walk it.
  std::vector<std::vector<size_t>> l(x.size() + 1, std::vector<size_t>(y.size() + 1, 0));
  for (size_t i = x.size(); i-- > 0;)
    for (size_t j = y.size(); j-- > 0;)
      l[i][j] = x[i] == y[j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
  size_t i = 0, j = 0, diffs = 0;
  while (i < x.size() || j < y.size()) {
    if (i < x.size() && j < y.size() && x[i] == y[j]) {
      ++i, ++j;
    } else if (j < y.size() && (i == x.size() || l[i][j + 1] >= l[i + 1][j])) {
      std::cout << "+ postgres: " << y[j++] << "\n";
      ++diffs;
    } else {
      std::cout << "- ccsim:    " << x[i++] << "\n";
      ++diffs;
    }
  }
  return diffs;
}

// A spec: the simulator's isolation-tester output against the server's.
int verify_spec(const VerifyOptions& o) {
  const ReplayFlags& f = o.replay;
  if (!f.mitigations.empty() || f.schedule_given || f.seed_given)
    throw InputError(SourcePos{f.scenario, 0, 0},
                     "a .spec file runs its own permutations; --mitigation, --schedule and --seed "
                     "do not apply");
  if (o.fault == "first-replay-reorders")
    throw InputError(SourcePos{f.scenario, 0, 0},
                     "--inject-fault first-replay-reorders moves a scenario's requests; a .spec "
                     "file's permutations are fixed");
  SpecFile spec = load_spec(f.scenario, f.input_bytes_max);
  Faults faults;
  faults.no_where_recheck = o.fault == "no-recheck";
  const DateStyle datestyle = tester_datestyle();
  std::string sim = run_spec(spec, f.level(), faults, tester_step_wait_s(), datestyle);
  PgOptions pg;
  pg.conninfo = o.postgres;
  pg.datestyle = datestyle_text(datestyle);
  std::string real;
  unsigned differed = 0;
  while (true) {
    real = replay_spec_on_postgres(spec, f.level(), pg, tester_step_wait_s());
    if (real == sim || differed + 1 >= o.replays) break;
    ++differed;
  }
  if (!o.quiet) std::cout << real;
  size_t diffs = sim == real ? 0 : print_diff(sim, real);
  size_t n = spec.permutations.size();
  std::cout << spec.file << ": " << n << (n == 1 ? " permutation, " : " permutations, ")
            << (diffs ? std::to_string(diffs) + (diffs == 1 ? " line differs" : " lines differ") +
                            " from PostgreSQL" +
                            (differed ? " in each of " + std::to_string(differed + 1) + " replays"
                                      : "")
                      : "the same output as PostgreSQL")
            << "\n";
  if (!diffs && differed) std::cout << later_replay_note(differed);
  return diffs ? 1 : 0;
}

int verify(const VerifyOptions& o) {
  if (o.replay.is_spec()) return verify_spec(o);
  Scenario s = o.replay.load();
  RunOptions ro = o.replay.run_options();
  if (o.fault == "no-recheck") ro.faults.no_where_recheck = true;
  std::vector<MitigationRun> runs = simulate(s, ro);
  PgOptions pg;
  pg.conninfo = o.postgres;
  size_t differing = 0, on_later_replay = 0;
  for (const MitigationRun& m : runs) {
    ReplayRecord sim = record_simulation(m);
    ReplayRecord real;
    std::vector<Difference> diffs;
    unsigned differed = 0;
    while (true) {
      // The injected server race: the first replay moves the requests in
      // another order (a random one), as a race inside the server might.
      const bool reorder = o.fault == "first-replay-reorders" && differed == 0;
      const ScheduleSpec other =
          random_schedule(m.schedule.kind == ScheduleSpec::Kind::kRandom ? m.schedule.seed + 1 : 1);
      real = replay_on_postgres(s, *m.mitigation, reorder ? other : m.schedule, m.isolation,
                                ro.steps_per_request_max, pg);
      diffs = compare(sim, real);
      if (diffs.empty() || differed + 1 >= o.replays) break;
      ++differed;
    }
    differing += !diffs.empty();
    on_later_replay += diffs.empty() && differed;
    if (!o.quiet || !diffs.empty())
      std::cout << render_verify(m.mitigation->name, sim, real, diffs);
    if (diffs.empty() && differed) {
      if (o.quiet) std::cout << "== " << m.mitigation->name << " ==\n";
      std::cout << later_replay_note(differed) << (o.quiet ? "" : "\n");
    } else if (!diffs.empty() && differed) {
      std::cout << "  (the same on each of " << differed + 1 << " replays)\n\n";
    }
  }
  std::cout << s.file << " (" << to_sql(runs.empty() ? s.isolation : runs.front().isolation)
            << "): " << runs.size() - differing << " of " << runs.size()
            << " mitigations agree with PostgreSQL";
  if (on_later_replay) std::cout << " (" << on_later_replay << " of them only on a later replay)";
  std::cout << "\n";
  return differing ? 1 : 0;
}

}  // namespace

void setup_verify(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Replay a scenario on a real PostgreSQL, step by step under the same schedule, and compare\n"
      "with the simulation: results, waits, errors, final rows, fates. Exit 1 on any difference.\n"
      "It works in one new schema, dropped at the end (docs/verify.md). A .spec file is run\n"
      "as the isolation tester runs it, cancelling a step it must wait for after\n"
      "PGISOLATIONTIMEOUT seconds (300 when unset), in the DateStyle PGDATESTYLE names.");
  add_replay_flags(
      cmd, o->replay,
      "Scenario file (.toml), isolation-tester spec (.spec), or a built-in scenario's name");
  cmd->add_option("--postgres", o->postgres,
                  "libpq connection string, e.g. \"host=/tmp/pg port=5432 dbname=postgres\"")
      ->required();
  cmd->add_option(
         "--inject-fault", o->fault,
         "Break a rule on purpose, to see verify catch it (no-recheck: the simulator's waiting "
         "UPDATE does not re-check its WHERE; first-replay-reorders: a scenario's first replay on "
         "the server moves the requests in another order, as a race of the server's own might, "
         "so only a later replay agrees)")
      ->check(CLI::IsMember({"no-recheck", "first-replay-reorders"}));
  cmd->add_option("--replays", o->replays,
                  "Replay a mitigation (or spec) that differs again, up to this many replays in "
                  "all; it agrees when a later replay does (the server decided a race of its own "
                  "another way), and the output says so. 1: a single replay")
      ->check(CLI::Range(1u, 100u))
      ->default_val(3);
  cmd->add_flag("-q,--quiet", o->quiet,
                "Print only mitigations that differ or agreed on a later replay, and the summary "
                "line");
  cmd->callback([o, &chosen] { chosen = [o] { return verify(*o); }; });
}

}  // namespace ccsim
