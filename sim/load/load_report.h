// What `ccsim load` prints: a table per mitigation and client count, the
// same as JSON (docs/json.md, "ccsim load") or CSV, and a picture of
// throughput and lost updates against the client count.
#pragma once

#include <string>
#include <vector>

#include "load/driver.h"

namespace ccsim {

struct LoadHeader {
  std::string file;  // the scenario
  std::string title;
  Isolation isolation = Isolation::kReadCommitted;
  size_t rows = 1;
  double duration_s = 0;  // when requests_per_client is 0
  int64_t requests_per_client = 0;
  int think_ms = 0;
  uint64_t seed = 1;
  std::string server_version;  // PostgreSQL's server_version
  // Set in a shard's file: which shard of which run (its step is unused).
  std::optional<LoadOptions::Shard> shard;
};

std::string render_load_text(const LoadHeader& h, const std::vector<LoadResult>& runs);
// With h.shard set: the file `ccsim merge` reads ("ccsim-load-shard/1"),
// which adds each run's raw latencies, delta unit and start and end times.
std::string render_load_json(const LoadHeader& h, const std::vector<LoadResult>& runs);
std::string render_load_csv(const LoadHeader& h, const std::vector<LoadResult>& runs);
// Two panels side by side: committed requests per second, and the share of
// committed requests whose update was lost, each against the client count,
// one line per mitigation.
std::string render_load_svg(const LoadHeader& h, const std::vector<LoadResult>& runs);

struct LoadShardFile {
  LoadHeader header;
  std::vector<LoadResult> runs;
};

// Reads a file render_load_json() wrote for a shard. Throws InputError
// naming `file` when it is not one.
LoadShardFile read_load_shard(const std::string& text, const std::string& file);

// Adds up the shards of one run (every shard once; checked), into the runs a
// single process would have reported: counts summed, latencies pooled, the
// time spanned from the first start to the last end, and the accounting
// from the summed deltas and the final rows the last shard read.
// Throws InputError when the files are not all the shards of one run.
std::pair<LoadHeader, std::vector<LoadResult>> merge_load_shards(
    const std::vector<LoadShardFile>& shards, const std::vector<std::string>& files);

}  // namespace ccsim
