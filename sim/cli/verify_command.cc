// ccsim verify: replays the scenario on a real PostgreSQL and compares.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "pg/replay.h"
#include "spec/tester_output.h"
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
  size_t input_bytes_max = kInputBytesMax;
};

// Prints the lines where two outputs differ, with a line of context: "-" for
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
  if (!o.mitigations.empty() || !o.schedule.empty() || o.seed >= 0 || !o.fault.empty())
    throw InputError(SourcePos{o.scenario, 0, 0},
                     "a .spec file runs its own permutations; --mitigation, --schedule, --seed and "
                     "--inject-fault do not apply");
  SpecFile spec = load_spec(o.scenario, o.input_bytes_max);
  Isolation iso =
      o.isolation == "repeatable-read" ? Isolation::kRepeatableRead : Isolation::kReadCommitted;
  std::string sim = run_spec(spec, iso);
  PgOptions pg;
  pg.conninfo = o.postgres;
  std::string real = replay_spec_on_postgres(spec, iso, pg);
  if (!o.quiet) std::cout << real;
  size_t diffs = sim == real ? 0 : print_diff(sim, real);
  std::cout << spec.file << ": " << spec.permutations.size() << " permutations, "
            << (diffs ? std::to_string(diffs) + " lines differ from PostgreSQL"
                      : "the same output as PostgreSQL")
            << "\n";
  return diffs ? 1 : 0;
}

int verify(const VerifyOptions& o) {
  if (o.scenario.size() > 5 && o.scenario.compare(o.scenario.size() - 5, 5, ".spec") == 0)
    return verify_spec(o);
  Scenario s = load_scenario(o.scenario, o.input_bytes_max);
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
  cmd->add_option(
         "scenario", o->scenario,
         "Scenario file (.toml), isolation-tester spec (.spec), or a built-in scenario's name")
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
  cmd->add_option("--input-bytes-max", o->input_bytes_max,
                  "Refuse scenario and spec files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return verify(*o); }; });
}

}  // namespace ccsim
