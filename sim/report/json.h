// JSON output: the stable machine contract of `ccsim run --format json`
// (docs/json.md). Keys keep a fixed order so output is byte-identical run to
// run.
#pragma once

#include <string>
#include <vector>

#include "scenario/exploration.h"
#include "scenario/simulate.h"

namespace ccsim {

// Returns the whole document, pretty-printed with two-space indents and a
// final newline.
std::string render_json(const Scenario& s, const std::vector<MitigationRun>& runs);

// Returns `ccsim explore --format json` (docs/json.md).
std::string render_explore_json(const ExploreHeader& h, const std::vector<Exploration>& es);

// Returns what `ccsim explore --shard I/N` writes: the outcome classes with
// their counts, for `ccsim merge` to add up (docs/explore.md).
std::string render_explore_shard(const ExploreHeader& h, const std::vector<Exploration>& es);

struct ExploreShardFile {
  ExploreHeader header;  // with the shard's index and count
  std::vector<Exploration> explorations;
};

// Reads a file render_explore_shard() wrote. Throws InputError naming
// `file` when it is not one.
ExploreShardFile read_explore_shard(const std::string& text, const std::string& file);

// Returns `ccsim list --format json`.
std::string render_list_json(const std::vector<std::string>& scenarios,
                             const std::vector<Mitigation>& mitigations);

}  // namespace ccsim
