// `ccsim load`'s driver: one mitigation, N clients, real concurrency on a
// real PostgreSQL. Each client has a connection of its own and runs its
// request in a loop through the request machine (engine/request_machine.h)
// over the server backend (pg/backend.h): the same program, retries,
// restarts, application mutexes and debounce as the simulator, with no
// scheduler - the server and the clock decide who goes first.
//
// Part of the real-I/O edge. Bounded: a duration or a request count, the
// server's statement_timeout, and a client count checked against the
// server's free connections before anything starts. Works in one new schema
// (ServerRun), dropped at the end, also on error, SIGINT and SIGTERM.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "load/accounting.h"
#include "pg/options.h"
#include "scenario/scenario.h"

namespace ccsim {

struct LoadOptions {
  PgOptions pg;
  double duration_s = 10;           // how long clients start new requests
  int64_t requests_per_client = 0;  // > 0: exactly this many per client instead
  int think_ms = 0;                 // mean pause between a client's requests (uniform 0..2x)
  uint64_t seed = 1;                // draws the pauses
  int64_t steps_per_request_max = 1000;
  int connection_margin = 5;  // connections left free on the server
  // One of several processes sharing the run (ccsim load --shard I/N):
  // client c runs in shard c mod count; they meet in one schema named after
  // run_id and step, and the last to finish reads the final rows and drops it.
  struct Shard {
    size_t index = 0, count = 1;
    std::string run_id;
    size_t step = 0;  // which mitigation x client count of the run
    int wait_s = 60;  // how long a shard waits for the others to start
  };
  std::optional<Shard> shard;
  // Client threads: the clients are split over this many threads, each with
  // its own connections and event loop, meeting as shards do (0: one per
  // core, at most 4). One thread when the mitigation takes an application
  // mutex or a client debounces (their state is shared by the clients of a
  // process), when there are fewer than 2 clients, or for a --shard process.
  size_t threads = 0;
  // Set by run_load for its threads: the client count was checked against
  // the server's free connections for all of them at once.
  bool connections_checked = false;
  // Called about twice a second with a progress line (may be empty).
  std::function<void(const std::string&)> progress;
  // Set by run_load across its threads: the requests committed so far, and
  // whether SIGINT or SIGTERM came (a thread still connecting when it came
  // stops as soon as it can look).
  std::shared_ptr<std::atomic<int64_t>> committed_so_far;
  std::shared_ptr<std::atomic<bool>> stop;
};

struct LatencyMs {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

// What one mitigation did under one client count.
struct LoadResult {
  std::string mitigation;
  std::string server_version;  // PostgreSQL's own word
  size_t clients = 0;
  size_t rows = 1;
  Isolation isolation = Isolation::kReadCommitted;
  double seconds = 0;    // wall time from the first request to the last end
  int64_t requests = 0;  // started (each counted once, however often it restarted)
  int64_t committed = 0;
  std::map<std::string, int64_t> failed;  // aborted, by SQLSTATE
  int64_t gave_up = 0;
  int64_t dropped = 0;               // never sent (the client's debounce)
  int64_t unknown = 0;               // the connection was lost: their outcome is unknown
  int64_t retries = 0;               // RETRY steps taken
  int64_t restarts = 0;              // whole-request restarts
  std::vector<double> latencies_ms;  // per ended request (not dropped or unknown)
  double lock_wait_ms = 0;           // sampled from pg_stat_activity (docs/load.md)
  double mutex_wait_ms = 0;          // measured: time blocked on application mutexes
  Accounting accounting;
  std::optional<int64_t> unit;  // the plan's: lost updates are counted in it
  // Wall-clock milliseconds since 1970 when the clients started and ended:
  // what `ccsim merge` spans across shards.
  int64_t started_ms = 0, ended_ms = 0;
  size_t threads = 1;              // client threads that drove it
  std::vector<std::string> notes;  // what went wrong, in words

  int64_t failed_total() const;
  double throughput_per_s() const { return seconds > 0 ? committed / seconds : 0; }
  LatencyMs latency() const;
};

// Catches SIGINT and SIGTERM from construction to destruction, on a thread
// of its own: a signal sets stop(), which every run given it looks at (as
// LoadOptions::stop). `ccsim load` keeps one for the whole command, so that
// a signal between two runs, while the next one connects, still ends that
// run cleanly instead of killing the process.
class LoadSignals {
 public:
  LoadSignals();
  ~LoadSignals();
  LoadSignals(const LoadSignals&) = delete;
  LoadSignals& operator=(const LoadSignals&) = delete;
  const std::shared_ptr<std::atomic<bool>>& stop() const { return stop_; }

 private:
  struct Impl;
  std::shared_ptr<std::atomic<bool>> stop_;
  std::unique_ptr<Impl> impl_;
};

// The client threads run_load uses for mitigation m of s (see
// LoadOptions::threads).
size_t load_threads(const Scenario& s, const Mitigation& m, size_t clients, const LoadOptions& o);

// Runs mitigation m of scenario s with `clients` clients on the server.
// Throws PgError when the server cannot be used (exit code 2); problems
// during the run (a lost connection) are reported in the result.
LoadResult run_load(const Scenario& s, const Mitigation& m, Isolation iso, const LoadPlan& plan,
                    size_t clients, const LoadOptions& o);

// The percentile p (0..100) of sorted values, by nearest rank.
double percentile(const std::vector<double>& sorted, double p);

}  // namespace ccsim
