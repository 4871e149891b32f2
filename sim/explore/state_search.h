// The search that builds the state graph (explore/state_graph.h): depth
// first from each root, every distinct state expanded once, each move
// applied with engine/step() to a copy of the world.
//
// Bounded: it stops, leaving the graph incomplete and saying why, at a number
// of states, a number of bytes, a schedule length, or when `keep_going`
// says so (the command's time limit: the core reads no clock).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "check/lost_update_watch.h"
#include "engine/world.h"
#include "explore/key_table.h"
#include "explore/state_graph.h"
#include "explore/state_key.h"

namespace ccsim {

// A world with what the lost-update watch remembers of the run so far.
struct Position {
  World world;
  LostUpdateWatch watch;
};

struct SearchLimits {
  size_t states_max = 20'000'000;      // distinct states
  size_t bytes_max = size_t{4} << 30;  // the graph's memory
  size_t depth_max = 2000;             // moves in one schedule
};

struct SearchProgress {
  size_t states = 0, edges = 0, ends = 0;
  size_t depth = 0, depth_max = 0;  // the current schedule's length, the longest so far
  size_t bytes = 0;
};

enum class StopReason { kNone, kStates, kBytes, kDepth, kAsked };

class StateSearch {
 public:
  // reduce: explore only one move where some request's next step touches
  // nothing shared (a partial-order reduction). The outcomes reachable stay
  // the same; the counts do not.
  // identity_symmetry: see StateEncoder.
  StateSearch(const World& initial, bool reduce, bool identity_symmetry = true);

  // The outcome class of an end position (assigned by the caller).
  using Classify = std::function<uint32_t(const Position&)>;
  // Called every 1024 expansions; returning false stops the search.
  using Tick = std::function<bool(const SearchProgress&)>;

  // Adds a root: `times` schedule prefixes end at `p`.
  void add_root(const Position& p, uint64_t times);
  // Expands everything reachable from the roots. Returns kNone when it did.
  StopReason run(const Classify& classify, const SearchLimits& limits, const Tick& tick);

  // The node of a position found by the search, or KeyTable::kMissing.
  uint32_t node_of(const Position& p);
  // Moves request r in a copy of p.
  Position moved(const Position& p, RequestId r);
  // The same into *out, whose memory is reused (a loop that tries many
  // moves keeps one out).
  void moved_into(const Position& p, RequestId r, Position* out);
  // The requests that may move in p (all of them, or the one the reduction picks).
  std::vector<RequestId> moves(const World& w) const;

  const StateGraph& graph() const { return graph_; }
  StateEncoder& encoder() { return encoder_; }
  const SearchProgress& progress() const { return progress_; }

 private:
  uint32_t intern(const Position& p, bool* added);
  void step_in_place(Position& p, RequestId r);

  bool reduce_;
  StateEncoder encoder_;
  KeyTable keys_;
  StateGraph graph_;
  std::vector<Position> pending_roots_;
  SearchProgress progress_;
  std::string key_;
  Log log_;
  Position scratch_;  // where each move is tried (StateSearch::run)
  // Positions done with (a finished frame's, a child's once it has a frame),
  // kept for their memory: a new scratch_ is taken from here, so copying a
  // state into it reuses vectors, strings and map nodes instead of
  // allocating them again (StateSearch::run).
  std::vector<Position> spare_;
  std::vector<uint32_t> target_;  // per request: the state its move led to (StateSearch::run)
  std::vector<char> made_;        // per request: its move is made, not stood in for
};

// True when request r's next step touches only r's own state (a LET, a
// RETRY, RESTART or SKIP test, a CATCH with nothing to catch, SET) and cannot fail in a way that
// would release something another request waits for: it commutes with every other step.
bool local_step(const World& w, RequestId r);

}  // namespace ccsim
