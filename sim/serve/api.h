// The classroom server's JSON API (docs/serve.md): a schedule in, frames
// out, computed with the same core as `ccsim run`. Pure: a request target in,
// a status and a body out; no sockets, no clocks, no state kept between
// calls, so any number of students share one Api.
#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/simulate.h"

namespace ccsim {

struct ServeLimits {
  size_t target_bytes_max = 8192;  // the request line's target (path and query)
  size_t schedule_max = 1000;      // moves in one schedule, played ones included
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class Api {
 public:
  // The scenarios it serves, by key: the built-in ones by name, a file given
  // on the command line by its path. Nothing else is ever read.
  Api(std::vector<std::pair<std::string, Scenario>> scenarios, ServeLimits limits);

  // Answers GET `target` ("/api/run?scenario=...&schedule=A,B"). 404 for a
  // path it does not know, 400 with {"error": ...} for bad input.
  ApiResponse get(const std::string& target) const;

  // The scenario served first (the one given on the command line, if any).
  const std::string& first_key() const { return scenarios_.front().first; }

 private:
  ApiResponse route(const std::string& target) const;
  ApiResponse scenarios() const;
  ApiResponse scenario(const std::string& key) const;
  ApiResponse run(const std::vector<std::pair<std::string, std::string>>& query) const;
  ApiResponse summary(const std::vector<std::pair<std::string, std::string>>& query) const;
  const Scenario* find(const std::string& key) const;
  const Scenario* served(const std::string* key, const std::string& path) const;

  std::vector<std::pair<std::string, Scenario>> scenarios_;
  ServeLimits limits_;
};

// Returns the /api/summary document of these runs of scenario `key`: each
// mitigation's verdict under the schedule it ran.
std::string summary_json(const std::string& key, const std::vector<MitigationRun>& runs,
                         Isolation level);

// Returns s %-encoded for a query value (letters, digits and -_.~ kept).
std::string url_encode(const std::string& s);

// Splits a target's query into decoded (name, value) pairs, in order.
// Returns false for a malformed %-escape.
bool parse_query(const std::string& target, std::string* path,
                 std::vector<std::pair<std::string, std::string>>* query);

}  // namespace ccsim
