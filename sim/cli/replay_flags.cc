#include "cli/replay_flags.h"

#include <charconv>

#include <CLI/CLI.hpp>

namespace ccsim {

bool ReplayFlags::is_spec() const {
  return scenario.size() > 5 && scenario.compare(scenario.size() - 5, 5, ".spec") == 0;
}

Isolation ReplayFlags::level() const {
  return isolation_named(isolation).value_or(Isolation::kReadCommitted);
}

Scenario ReplayFlags::load() const {
  Scenario s = load_scenario(scenario, input_bytes_max);
  return requests ? with_request_count(s, requests) : s;
}

RunOptions ReplayFlags::run_options() const {
  RunOptions ro;
  ro.mitigations = mitigations;
  if (!schedule.empty()) ro.schedule = parse_schedule(schedule, SourcePos{"--schedule", 1, 1});
  if (seed >= 0) ro.schedule = random_schedule(static_cast<uint64_t>(seed));
  if (!isolation.empty()) ro.isolation = level();
  return ro;
}

void add_replay_flags(CLI::App* cmd, ReplayFlags& f, const std::string& scenario_help) {
  cmd->add_option("scenario", f.scenario, scenario_help)->capture_default_str();
  cmd->add_option("-m,--mitigation", f.mitigations,
                  "Only this mitigation (repeatable); default: all the scenario lists");
  auto* sch =
      cmd->add_option("-s,--schedule", f.schedule,
                      "Who moves, in order, e.g. \"A B A B\"; or round-robin (the default policy)");
  cmd->add_option("--seed", f.seed,
                  "Random schedule from this seed (SplitMix64; see docs/scheduling.md)")
      ->check(CLI::Validator(
          [](std::string& v) {
            int64_t n = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            bool ok = !v.empty() && ec == std::errc() && end == v.data() + v.size() && n >= 0;
            return ok ? std::string()
                      : "must be a whole number from 0 to 9223372036854775807, not " + v;
          },
          "0 or more", "seed"))
      ->excludes(sch);
  cmd->add_option("--isolation", f.isolation,
                  "Isolation level of transactions whose BEGIN names none")
      ->check(CLI::IsMember({"read-committed", "repeatable-read", "serializable"}));
  cmd->add_option("--requests", f.requests,
                  "Run this many requests: the scenario's list repeated (the third is a copy of\n"
                  "the first, named C, ...)")
      ->check(CLI::Range(size_t{1}, kRequestsMax));
  cmd->add_option("--input-bytes-max", f.input_bytes_max,
                  "Refuse scenario and spec files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
}

}  // namespace ccsim
