#include "explore/state_graph.h"

#include <algorithm>
#include <deque>

namespace ccsim {

namespace {

using U128 = unsigned __int128;

Count to_count(U128 v) {
  Count c(static_cast<uint64_t>(v >> 64));
  c *= uint64_t{1} << 32;
  c *= uint64_t{1} << 32;
  c += Count(static_cast<uint64_t>(v));
  return c;
}

}  // namespace

uint32_t StateGraph::add_node() {
  nodes.emplace_back();
  return static_cast<uint32_t>(nodes.size() - 1);
}

GraphOrder order_graph(const StateGraph& g) {
  const size_t n = g.nodes.size();
  GraphOrder o;
  std::vector<uint32_t> indegree(n, 0);
  for (const StateGraph::Edge& e : g.edges) ++indegree[e.to];
  std::vector<uint32_t> ready;
  for (size_t i = n; i-- > 0;)
    if (indegree[i] == 0) ready.push_back(static_cast<uint32_t>(i));
  o.order.reserve(n);
  while (!ready.empty()) {
    uint32_t v = ready.back();
    ready.pop_back();
    o.order.push_back(v);
    for (const StateGraph::Edge* e = g.begin(v); e != g.end(v); ++e)
      if (--indegree[e->to] == 0) ready.push_back(e->to);
  }
  o.after_cycle.assign(n, 1);
  for (uint32_t v : o.order) o.after_cycle[v] = 0;
  if (o.order.size() == n) return o;

  // What Kahn left lies on a cycle or after one. Peel off, repeatedly, the
  // nodes with no edge back into the rest: what remains has an edge onward
  // from every node, so walking it must come round.
  std::vector<char> rest = o.after_cycle;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t v = 0; v < n; ++v) {
      if (!rest[v]) continue;
      bool onward = false;
      for (const StateGraph::Edge* e = g.begin(static_cast<uint32_t>(v));
           e != g.end(static_cast<uint32_t>(v)); ++e)
        onward |= rest[e->to] != 0;
      if (!onward) rest[v] = 0, changed = true;
    }
  }
  uint32_t start = 0;
  while (!rest[start]) ++start;
  std::vector<uint32_t> seen_at(n, kUnreachable);
  std::vector<uint32_t> walk;
  for (uint32_t v = start; seen_at[v] == kUnreachable;) {
    seen_at[v] = static_cast<uint32_t>(walk.size());
    walk.push_back(v);
    const StateGraph::Edge* e = g.begin(v);
    while (!rest[e->to]) ++e;
    v = e->to;
    if (seen_at[v] != kUnreachable) {
      o.cycle.assign(walk.begin() + seen_at[v], walk.end());
      break;
    }
  }
  return o;
}

GraphCounts count_schedules(const StateGraph& g, const GraphOrder& o, size_t outcomes) {
  GraphCounts c;
  c.per_outcome.assign(outcomes, Count());
  c.infinite.assign(outcomes, 0);
  for (size_t v = 0; v < g.nodes.size(); ++v)
    if (o.after_cycle[v] && g.nodes[v].kind == StateGraph::Kind::kEnd)
      c.infinite[g.nodes[v].outcome] = 1;

  // In 128 bits while the counts fit; again with exact big counts if not.
  std::vector<U128> fast(g.nodes.size(), 0);
  bool overflow = false;
  for (const auto& [node, times] : g.roots)
    overflow |= __builtin_add_overflow(fast[node], U128{times}, &fast[node]);
  for (uint32_t v : o.order) {
    if (overflow) break;
    for (const StateGraph::Edge* e = g.begin(v); e != g.end(v); ++e) {
      U128 add = 0;
      overflow |= __builtin_mul_overflow(fast[v], U128{e->times}, &add);
      overflow |= __builtin_add_overflow(fast[e->to], add, &fast[e->to]);
    }
  }
  if (!overflow) {
    std::vector<U128> per(outcomes, 0);
    for (uint32_t v : o.order)
      if (g.nodes[v].kind == StateGraph::Kind::kEnd)
        overflow |=
            __builtin_add_overflow(per[g.nodes[v].outcome], fast[v], &per[g.nodes[v].outcome]);
    if (!overflow) {
      for (size_t k = 0; k < outcomes; ++k) {
        c.per_outcome[k] = to_count(per[k]);
        c.total += c.per_outcome[k];
      }
      return c;
    }
  }
  fast.clear();
  fast.shrink_to_fit();
  std::vector<Count> big(g.nodes.size());
  for (const auto& [node, times] : g.roots) big[node] += Count(times);
  for (uint32_t v : o.order)
    for (const StateGraph::Edge* e = g.begin(v); e != g.end(v); ++e)
      big[e->to] += big[v] * e->times;
  for (uint32_t v : o.order)
    if (g.nodes[v].kind == StateGraph::Kind::kEnd) c.per_outcome[g.nodes[v].outcome] += big[v];
  for (const Count& k : c.per_outcome) c.total += k;
  return c;
}

std::vector<uint32_t> distances_to(const StateGraph& g, const GraphOrder& o, uint32_t outcome) {
  std::vector<uint32_t> d(g.nodes.size(), kUnreachable);
  for (size_t k = o.order.size(); k-- > 0;) {
    uint32_t v = o.order[k];
    const StateGraph::Node& node = g.nodes[v];
    if (node.kind == StateGraph::Kind::kEnd) {
      if (node.outcome == outcome) d[v] = 0;
      continue;
    }
    for (const StateGraph::Edge* e = g.begin(v); e != g.end(v); ++e)
      if (d[e->to] != kUnreachable) d[v] = std::min(d[v], d[e->to] + 1);
  }
  return d;
}

std::vector<Count> completions(const StateGraph& g, const GraphOrder& o) {
  std::vector<Count> c(g.nodes.size());
  for (size_t k = o.order.size(); k-- > 0;) {
    uint32_t v = o.order[k];
    if (g.nodes[v].kind == StateGraph::Kind::kEnd) {
      c[v] = Count(1);
      continue;
    }
    for (const StateGraph::Edge* e = g.begin(v); e != g.end(v); ++e)
      if (!o.after_cycle[e->to]) c[v] += c[e->to] * e->times;
  }
  return c;
}

std::vector<uint32_t> path_to(const StateGraph& g, uint32_t target) {
  std::vector<uint32_t> parent(g.nodes.size(), kUnreachable);
  std::vector<char> seen(g.nodes.size(), 0);
  std::deque<uint32_t> queue;
  for (const auto& [root, times] : g.roots)
    if (!seen[root]) {
      seen[root] = 1;
      queue.push_back(root);
    }
  while (!queue.empty() && !seen[target]) {
    uint32_t v = queue.front();
    queue.pop_front();
    for (const StateGraph::Edge* e = g.begin(v); e != g.end(v); ++e)
      if (!seen[e->to]) {
        seen[e->to] = 1;
        parent[e->to] = v;
        queue.push_back(e->to);
      }
  }
  if (!seen[target]) return {};
  std::vector<uint32_t> path{target};
  while (parent[path.back()] != kUnreachable) path.push_back(parent[path.back()]);
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace ccsim
