// ccsim explore: every interleaving of a scenario's requests under each
// mitigation; counts outcomes exactly and gives a shortest schedule for each.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/replay_flags.h"
#include "report/explore_report.h"
#include "report/json.h"
#include "scenario/files.h"

namespace ccsim {

namespace {

// With --sample and no --max-states: how many states the try at counting
// the graph may reach (a few seconds' work) before the random walk.
constexpr size_t kSampleGraphStatesMax = 250'000;
// The most shards --shard may name. Each shard lists at least 16 schedule
// prefixes per shard of the run, each with its world, before taking its
// own: at 1024 shards that peaks at 450-550 MB (double_click, 8 requests,
// none or singleton_lock); a million shards ran out of memory.
constexpr size_t kShardCountMax = 1024;

struct ExploreCommandOptions {
  std::string scenario = "double_click";
  std::vector<std::string> mitigations;
  std::string isolation;
  std::string format = "text";
  size_t requests = 0;
  bool naive = false;
  bool verdicts_only = false;
  bool stats = false;
  size_t schedules_max = 100000;
  size_t states_max = 20'000'000;
  bool states_max_given = false;  // --max-states on the command line
  double seconds_max = 0;
  size_t memory_max_mb = 4096;
  size_t schedule_steps_max = 2000;
  int64_t steps_per_request_max = 1000;
  size_t input_bytes_max = kInputBytesMax;
  std::string shard;
  size_t sample = 0;
  uint64_t seed = 0;
};

std::string grouped(size_t n) {
  return Count(n).to_grouped();
}

int explore(const ExploreCommandOptions& o) {
  if (is_spec_path(o.scenario)) {
    load_spec(o.scenario, o.input_bytes_max);  // a bad spec is refused as run refuses it
    throw InputError(SourcePos{o.scenario, 0, 0},
                     "explore takes a scenario (.toml); an isolation-tester spec lists its own "
                     "permutations: run them with ccsim run " +
                         o.scenario);
  }
  Scenario s = load_scenario(o.scenario, o.input_bytes_max);
  ExploreOptions eo;
  eo.mitigations = o.mitigations;
  if (!o.isolation.empty()) eo.isolation = isolation_named(o.isolation);
  eo.requests = o.requests;
  eo.naive = o.naive;
  eo.verdicts_only = o.verdicts_only;
  eo.schedules_max = o.schedules_max;
  eo.limits.states_max = o.states_max;
  // A sample is asked for where the graph may be too big to count: the try
  // at counting it (for exactly uniform draws) gets a smaller default bound,
  // so a large graph falls back to the random walk within seconds rather
  // than after the 20 million states of a full exploration.
  if (o.sample > 0 && !o.states_max_given) eo.limits.states_max = kSampleGraphStatesMax;
  eo.limits.bytes_max = o.memory_max_mb << 20;
  eo.limits.depth_max = o.schedule_steps_max;
  eo.steps_per_request_max = o.steps_per_request_max;
  if (!o.shard.empty()) {
    auto [i, n] = parse_shard_flag(o.shard, kShardCountMax);
    eo.shard = Shard{i, n};
  }
  eo.sample = o.sample;
  eo.seed = o.seed;

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  if (o.seconds_max > 0)
    eo.keep_going = [start, &o] {
      return std::chrono::duration<double>(Clock::now() - start).count() < o.seconds_max;
    };
  // Progress for people: on stderr, refreshed in place, only on a terminal.
  bool tty = isatty(STDERR_FILENO);
  if (tty)
    eo.progress = [start](const std::string& m, const SearchProgress& p) {
      double secs = std::chrono::duration<double>(Clock::now() - start).count();
      std::fprintf(
          stderr, "\r\033[Kexploring %s: %s states, %s edges, depth %zu (deepest %zu), %s states/s",
          m.c_str(), grouped(p.states).c_str(), grouped(p.edges).c_str(), p.depth, p.depth_max,
          grouped(secs > 0 ? static_cast<size_t>(static_cast<double>(p.states) / secs) : 0)
              .c_str());
    };
  std::vector<Exploration> es = explore_scenario(s, eo);
  if (tty) std::cerr << "\r\033[K" << std::flush;
  if (o.stats)
    for (const Exploration& e : es)
      std::cerr << e.mitigation << ": " << grouped(e.stats.states) << " states, "
                << grouped(e.stats.edges) << " edges, " << grouped(e.stats.ends)
                << " end states, longest schedule " << e.stats.depth_max << "\n";
  ExploreHeader h = explore_header(s);
  h.requests = o.requests;
  h.shard = eo.shard;
  if (eo.shard)
    std::cout << render_explore_shard(h, es);
  else
    std::cout << (o.format == "json" ? render_explore_json(h, es) : render_explore_text(h, es));
  return 0;
}

}  // namespace

void setup_explore(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<ExploreCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explore",
      "Run every interleaving of the scenario's requests under each mitigation: the distinct\n"
      "outcomes, exactly how many schedules reach each, and a shortest schedule to replay it\n"
      "with 'run'. Walks the graph of distinct states, so counts need not be enumerated.");
  cmd->add_option("scenario", o->scenario, "Scenario file (.toml) or the name of a built-in one")
      ->capture_default_str();
  cmd->add_option("-m,--mitigation", o->mitigations,
                  "Only this mitigation (repeatable); default: all the scenario lists");
  cmd->add_option("--isolation", o->isolation,
                  "Isolation level of transactions whose BEGIN names none")
      ->check(CLI::IsMember({"read-committed", "repeatable-read", "serializable"}));
  cmd->add_option("--requests", o->requests,
                  "Run this many requests: the scenario's list repeated (the third is a copy of\n"
                  "the first, named C, ...)")
      ->check(CLI::Range(size_t{1}, kRequestsMax));
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--verdicts-only", o->verdicts_only,
                "Which outcomes can happen, not how often: faster (a partial-order reduction)");
  cmd->add_flag("--naive", o->naive,
                "Walk one schedule at a time instead of the state graph (slow; for cross-checks)");
  auto* states_max =
      cmd->add_option("--max-states", o->states_max,
                      "Stop after this many distinct states per mitigation (the output says so;\n"
                      "with --sample the default is 250000)")
          ->check(CLI::Range(size_t{1}, size_t{4'000'000'000}))
          ->capture_default_str();
  cmd->add_option("--max-seconds", o->seconds_max,
                  "Stop exploring after this many seconds in all (0: no limit; the output says so)")
      ->check(CLI::Validator([](std::string& v) { return seconds_complaint(v, 1e9); }, "0 to 1e9",
                             "seconds"));
  cmd->add_option("--max-memory", o->memory_max_mb,
                  "Stop when the state graph holds this many megabytes")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24))
      ->capture_default_str();
  cmd->add_option("--schedules-max", o->schedules_max,
                  "With --naive: stop after this many schedules per mitigation")
      ->check(CLI::Range(size_t{1}, size_t{100000000}))
      ->capture_default_str();
  cmd->add_option("--schedule-steps-max", o->schedule_steps_max,
                  "Leave unexplored what lies beyond this many moves in one schedule")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->add_option("--steps-per-request-max", o->steps_per_request_max,
                  "A request that takes more steps than this gives up")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->capture_default_str();
  cmd->add_option(
      "--shard", o->shard,
      "Explore only shard I of N (0 <= I < N <= 1024; by schedule prefix) and print its\n"
      "counts as JSON for 'ccsim merge'");
  auto* sample = cmd->add_option("--sample", o->sample,
                                 "Draw this many schedules instead of counting them all: uniformly "
                                 "when the state graph\n"
                                 "fits the limits (--max-states, 250000 by default here), else by "
                                 "a random walk (the\n"
                                 "output says which); each outcome's share with a 95% interval")
                     ->check(CLI::Range(size_t{1}, size_t{100000000}));
  cmd->add_option("--seed", o->seed, "The sample's seed (SplitMix64; see docs/scheduling.md)")
      ->check(seed_validator())
      ->needs(sample)
      ->capture_default_str();
  cmd->add_flag("--stats", o->stats, "Print states and edges per mitigation on stderr");
  cmd->add_option("--input-bytes-max", o->input_bytes_max, "Refuse scenario files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o, &chosen, states_max] {
    o->states_max_given = states_max->count() > 0;
    chosen = [o] { return explore(*o); };
  });
}

}  // namespace ccsim
