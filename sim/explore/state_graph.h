// The graph of distinct states the explorer builds, and what it computes
// over it: topological order, cycles, exact schedule counts, distances.
//
// A node is one state (one key, explore/state_key.h); an edge says "moving
// one of the requests from here leads there", with how many of the movable
// requests do (`times`: with symmetry, two interchangeable requests lead to
// one node). An end node has no movable request: every request finished or
// the rest wait forever; its `outcome` is the class of outcome it ends in.
// An open node was found but never expanded (the search stopped at a limit).
//
// Counting is dynamic programming over the graph, never an enumeration: the
// number of schedules reaching a node is the sum over its incoming edges of
// (schedules reaching the source) x times. Pure functions over plain data.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "core/count.h"

namespace ccsim {

struct StateGraph {
  enum class Kind : uint8_t { kOpen, kInner, kEnd };
  struct Node {
    uint64_t first_edge = 0;
    uint32_t edges = 0;
    Kind kind = Kind::kOpen;
    uint32_t outcome = 0;  // kEnd: its outcome class
  };
  struct Edge {
    uint32_t to = 0;
    uint32_t times = 1;
  };
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  // Where schedules start: (node, how many schedule prefixes end there).
  // A whole exploration has one root, the initial state, once.
  std::vector<std::pair<uint32_t, uint64_t>> roots;

  // Adds a node and returns its id.
  uint32_t add_node();
  // The outgoing edges of node n.
  const Edge* begin(uint32_t n) const { return edges.data() + nodes[n].first_edge; }
  const Edge* end(uint32_t n) const { return begin(n) + nodes[n].edges; }
};

constexpr uint32_t kUnreachable = std::numeric_limits<uint32_t>::max();

struct GraphOrder {
  std::vector<uint32_t> order;    // every node that lies on no cycle and after none, sources first
  std::vector<char> after_cycle;  // per node: on a cycle, or reachable from one
  std::vector<uint32_t> cycle;    // one cycle (its nodes in order), when there is any
};

// Kahn's algorithm over the whole graph. A cycle means a schedule that can
// run forever; the nodes it reaches have infinitely many schedules.
GraphOrder order_graph(const StateGraph& g);

struct GraphCounts {
  std::vector<Count> per_outcome;  // schedules from the roots ending in each outcome class
  std::vector<char> infinite;      // per outcome class: some of its ends lie after a cycle
  Count total;                     // schedules ending anywhere (the finite ones)
};

// Counts the schedules from the roots to every end, by outcome class.
// `outcomes` is the number of outcome classes.
GraphCounts count_schedules(const StateGraph& g, const GraphOrder& o, size_t outcomes);

// Returns, for every node, the fewest moves from it to an end whose outcome
// class is `outcome` (0 at such an end), or kUnreachable.
std::vector<uint32_t> distances_to(const StateGraph& g, const GraphOrder& o, uint32_t outcome);

// Returns, for every node, the number of schedules from it to any end
// (1 at an end, 0 at an open node or after a cycle).
std::vector<Count> completions(const StateGraph& g, const GraphOrder& o);

// Returns the fewest-moves path of nodes from a root to `target` (inclusive
// at both ends), or empty when none reaches it.
std::vector<uint32_t> path_to(const StateGraph& g, uint32_t target);

}  // namespace ccsim
