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
};

std::string render_load_text(const LoadHeader& h, const std::vector<LoadResult>& runs);
std::string render_load_json(const LoadHeader& h, const std::vector<LoadResult>& runs);
std::string render_load_csv(const LoadHeader& h, const std::vector<LoadResult>& runs);
// Two panels side by side: committed requests per second, and the share of
// committed requests whose update was lost, each against the client count,
// one line per mitigation.
std::string render_load_svg(const LoadHeader& h, const std::vector<LoadResult>& runs);

}  // namespace ccsim
