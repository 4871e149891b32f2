// The two other ways to cover a mitigation's schedules: a random sample
// (ccsim explore --sample) and the naive walk of every schedule
// (--naive), which the state graph is checked against.
#include <algorithm>
#include <cmath>
#include <map>

#include "check/anomaly.h"
#include "explore/naive_walk.h"
#include "explore/random.h"
#include "explore/state_graph.h"
#include "scenario/exploration.h"
#include "scenario/exploration_detail.h"

namespace ccsim::exploration_detail {

// ---- Sampling ------------------------------------------------------------------------
// K schedules drawn one move at a time. When the state graph is complete,
// each move is taken with probability (schedules after it) / (schedules from
// here), which makes every complete schedule equally likely; otherwise each
// move picks uniformly among the requests that can move (a random walk,
// which favours schedules with fewer choices along the way).
Exploration explore_sample(const Scenario& s, const Mitigation& m, Isolation iso,
                           const ExploreOptions& o) {
  Exploration e = exploration_of(m, iso);
  e.sampled = o.sample;
  e.seed = o.seed;
  World initial = start_world(s, m, iso, o);
  for (const Request& q : initial.requests) e.requests.push_back(q.name);
  StateSearch search(initial, false);
  Position start{initial, LostUpdateWatch{}};
  search.add_root(start, 1);
  StateSearch::Tick tick = [&](const SearchProgress& pr) {
    if (o.progress) o.progress(m.name, pr);
    return !o.keep_going || o.keep_going();
  };
  StopReason stop = search.run([](const Position&) { return 0u; }, o.limits, tick);
  e.stats = search.progress();
  e.uniform = stop == StopReason::kNone;
  e.complete = false;  // a sample never covers every schedule
  if (stop != StopReason::kNone)
    e.walk_reason = "counting the state graph stopped at " + stop_text(stop, o);
  std::vector<Count> after;
  if (e.uniform) {
    GraphOrder order = order_graph(search.graph());
    e.uniform = order.cycle.empty();
    if (!e.uniform) e.walk_reason = "the state graph has a cycle (some schedules run forever)";
    after = completions(search.graph(), order);
    e.schedules = after[search.node_of(start)];
  }
  SplitMix64 rng(o.seed);
  struct Tally {
    size_t hits = 0;
    std::vector<uint32_t> first;  // the shortest (then first) sampled schedule
  };
  std::map<std::string, Tally> seen;
  std::vector<std::string> order_seen;
  // Positions assigned over, not made anew, so that each move tried reuses
  // their memory.
  Position at, tried;
  // Per request, at the current position: the move that stands in for its
  // own (StateEncoder::interchangeable), and the weight of its move once
  // worked out. A move and its stand-in reach renamings of one state, of
  // one count, so only one of them is made and looked up.
  std::vector<uint32_t> rep;
  std::vector<Count> weight_of;
  std::vector<char> weighed;
  for (size_t k = 0; k < o.sample; ++k) {
    at = start;
    std::vector<uint32_t> schedule;
    for (;;) {
      std::vector<RequestId> ms = search.moves(at.world);
      if (ms.empty()) break;
      if (schedule.size() >= o.limits.depth_max)
        throw InputError(SourcePos{"explore", 0, 0}, "a sampled schedule took more than " +
                                                         std::to_string(o.limits.depth_max) +
                                                         " moves (--schedule-steps-max)");
      size_t pick = 0;
      if (e.uniform) {
        std::vector<Count> weights;
        Count total;
        search.encoder().interchangeable(at.world, at.watch, rep);
        weight_of.resize(at.world.requests.size());
        weighed.assign(at.world.requests.size(), 0);
        for (RequestId r : ms) {
          uint32_t stand_in = rep[r.value];
          if (stand_in != r.value && weighed[stand_in]) {
            weights.push_back(weight_of[stand_in]);
          } else {
            search.moved_into(at, r, &tried);
            weights.push_back(after[search.node_of(tried)]);
            weight_of[r.value] = weights.back();
            weighed[r.value] = 1;
          }
          total += weights.back();
        }
        // The first move whose running total passes the draw.
        Count x = Count::random_below(total, [&] { return rng.next(); });
        Count running;
        for (pick = 0; pick + 1 < weights.size(); ++pick) {
          running += weights[pick];
          if (x < running) break;
        }
      } else {
        pick = static_cast<size_t>(rng.below(ms.size()));
      }
      search.moved_into(at, ms[pick], &tried);
      std::swap(at, tried);
      schedule.push_back(ms[pick].value);
    }
    std::string key = outcome_key(outcome_of(at.world, at.watch.lost()));
    auto [it, added] = seen.emplace(key, Tally{});
    if (added) order_seen.push_back(key);
    ++it->second.hits;
    if (it->second.first.empty() || shorter(schedule, it->second.first))
      it->second.first = schedule;
  }
  // The serial check's symmetry: requests told apart by :request_id, as a
  // sampled outcome's rows may hold one.
  const std::vector<uint32_t> classes = StateEncoder(initial, false).class_of();
  for (const std::string& key : order_seen) {
    const Tally& t = seen[key];
    World final;
    ExploredOutcome x = replay_schedule(initial, t.first, &final);
    x.serializable = check_serial(initial, final, 40320, &classes).equivalent;
    x.observed = t.hits;
    OutcomeClass c;
    c.key = key;
    c.schedules = Count(t.hits);
    c.shortest = t.first;
    c.outcomes.push_back(std::move(x));
    e.classes.push_back(std::move(c));
  }
  return e;
}

// ---- The naive walk of one mitigation ------------------------------------------------
Exploration explore_naive(const Scenario& s, const Mitigation& m, Isolation iso,
                          const ExploreOptions& o) {
  Exploration e = exploration_of(m, iso);
  e.naive = true;
  World initial = start_world(s, m, iso, o);
  for (const Request& q : initial.requests) e.requests.push_back(q.name);
  const std::vector<uint32_t> classes = StateEncoder(initial, false).class_of();
  struct Seen {
    std::string class_key;
    Count schedules;
    std::vector<uint32_t> shortest;  // the walk comes in lexicographic order: the first shortest
  };
  std::map<std::string, Seen> seen;  // outcome key -> what reached it
  auto leaf = [&](const Leaf& l) {
    ExploredOutcome x = outcome_of(l.world, !find_lost_updates(l.world, l.log).empty());
    Seen& s2 = seen[outcome_key(x)];
    if (s2.class_key.empty()) s2.class_key = class_key(x, classes);
    s2.schedules += Count(1);
    std::vector<uint32_t> sch;
    for (RequestId r : l.schedule) sch.push_back(r.value);
    if (s2.shortest.empty() || sch.size() < s2.shortest.size()) s2.shortest = std::move(sch);
  };
  ExploreLimits limits{o.schedules_max, o.limits.depth_max};
  std::function<void(size_t)> progress;
  if (o.progress)
    progress = [&](size_t n) {
      SearchProgress p;
      p.ends = n;
      o.progress(m.name, p);
    };
  WalkResult w = for_each_interleaving(initial, limits, leaf, progress);
  e.schedules = Count(w.schedules);
  e.complete = w.complete;
  if (!w.complete) e.stopped = "--schedules-max " + std::to_string(o.schedules_max);

  std::map<std::string, OutcomeClass> by_class;
  for (const auto& [key, x] : seen) {
    OutcomeClass& c = by_class[x.class_key];
    c.key = x.class_key;
    c.schedules += x.schedules;
    if (c.shortest.empty() || shorter(x.shortest, c.shortest)) c.shortest = x.shortest;
  }
  std::vector<OutcomeClass> found;
  for (auto& [k, c] : by_class) found.push_back(std::move(c));
  fill_classes(e, initial, classes, std::move(found));
  // Each outcome's own count, as walked (the graph divides a class's count
  // evenly among its outcomes; the walk counts them one by one).
  for (OutcomeClass& c : e.classes)
    for (ExploredOutcome& x : c.outcomes) {
      auto it = seen.find(outcome_key(x));
      x.schedules = it == seen.end() ? Count() : it->second.schedules;
    }
  return e;
}

}  // namespace ccsim::exploration_detail
