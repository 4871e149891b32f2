#include "cli/replay_flags.h"

#include <charconv>

#include <CLI/CLI.hpp>

#include "core/error.h"
#include "scenario/files.h"

namespace ccsim {

bool ReplayFlags::is_spec() const {
  return is_spec_path(scenario);
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
  // An empty --schedule (an unset shell variable) is an error, not round-robin.
  if (schedule_given) ro.schedule = parse_schedule(schedule, SourcePos{"--schedule", 1, 1});
  if (seed_given) ro.schedule = random_schedule(seed);
  if (!isolation.empty()) ro.isolation = level();
  return ro;
}

CLI::Validator seed_validator() {
  return CLI::Validator(
      [](std::string& v) {
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        return !v.empty() && ec == std::errc() && end == v.data() + v.size()
                   ? std::string()
                   : "must be a whole number from 0 to 18446744073709551615, not " + v;
      },
      "0 or more", "seed");
}

std::pair<size_t, size_t> parse_shard_flag(const std::string& text, size_t count_max) {
  size_t i = 0, n = 0;
  const size_t slash = text.find('/');
  bool ok = slash != std::string::npos && slash > 0;
  if (ok) {
    const char* end = text.data() + text.size();
    auto [e1, c1] = std::from_chars(text.data(), text.data() + slash, i);
    auto [e2, c2] = std::from_chars(text.data() + slash + 1, end, n);
    ok = c1 == std::errc() && c2 == std::errc() && e1 == text.data() + slash && e2 == end &&
         n >= 1 && n <= count_max && i < n;
  }
  if (!ok)
    throw InputError(SourcePos{"--shard", 0, 0},
                     "expected I/N with 0 <= I < N <= " + std::to_string(count_max) +
                         " (shard I of N, counted from 0), like 0/4; got '" + text + "'");
  return {i, n};
}

void add_replay_flags(CLI::App* cmd, ReplayFlags& f, const std::string& scenario_help) {
  cmd->add_option("scenario", f.scenario, scenario_help)->capture_default_str();
  cmd->add_option("-m,--mitigation", f.mitigations,
                  "Only this mitigation (repeatable); default: all the scenario lists");
  auto* sch =
      cmd->add_option("-s,--schedule", f.schedule,
                      "Who moves, in order, e.g. \"A B A B\"; or round-robin (the default policy)")
          ->each([&f](const std::string&) { f.schedule_given = true; });
  cmd->add_option("--seed", f.seed,
                  "Random schedule from this seed (SplitMix64; see docs/scheduling.md)")
      ->check(seed_validator())
      ->each([&f](const std::string&) { f.seed_given = true; })
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
