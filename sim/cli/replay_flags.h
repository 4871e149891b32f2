// The flags `run` and `verify` share: which mitigations, which schedule,
// which isolation level, how large an input may be.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scenario/simulate.h"

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace ccsim {

struct ReplayFlags {
  std::string scenario = "double_click";
  std::vector<std::string> mitigations;
  std::string schedule;
  bool schedule_given = false;  // --schedule was given, even as ""
  uint64_t seed = 0;
  bool seed_given = false;  // --seed was given
  std::string isolation;
  size_t input_bytes_max = kInputBytesMax;
  size_t requests = 0;  // 0: the scenario's own

  // True when the input is an isolation-tester spec (FILE.spec).
  bool is_spec() const;
  // The isolation level the flags ask for (READ COMMITTED when none).
  Isolation level() const;
  // Loads the scenario, with --requests applied.
  Scenario load() const;
  // The simulation options the flags describe.
  RunOptions run_options() const;
};

// Adds the scenario argument and the shared options to `cmd`.
void add_replay_flags(CLI::App* cmd, ReplayFlags& f, const std::string& scenario_help);

// Parses the --shard I/N that `explore` and `load` take: shard I of N,
// counted from 0, with N at most count_max. Throws InputError naming
// --shard otherwise.
// CLI11's check for a --seed: a whole number from 0 to 2^64 - 1, the
// range of SplitMix64's state (run's and explore's seeds alike).
CLI::Validator seed_validator();

std::pair<size_t, size_t> parse_shard_flag(const std::string& text, size_t count_max);

}  // namespace ccsim
