#include "scenario/exploration.h"

#include "scenario/exploration_detail.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "check/anomaly.h"
#include "explore/state_graph.h"
#include "scenario/simulate.h"

namespace ccsim {

namespace exploration_detail {

std::string fate_text(const Request& q) {
  std::string f = to_string(q.fate);
  if (q.fate == Fate::kAborted && !q.sqlstate.empty()) return f + ":" + q.sqlstate;
  return q.state == RunState::kDone ? f : "waiting";
}

std::string rows_key(const std::vector<TableFrame>& final) {
  std::string k;
  for (const TableFrame& t : final) {
    k += t.name + ":";
    for (const Row& r : t.rows) {
      k += "(";
      for (const Value& v : r) k += to_sql(v) + ",";
      k += ")";
    }
    k += ";";
  }
  return k;
}

// An outcome's identity: its rows, fates and anomaly kinds.
std::string outcome_key(const ExploredOutcome& o) {
  std::string k = rows_key(o.final);
  for (const auto& [n, f] : o.fates) k += n + "=" + f + ";";
  for (const std::string& a : o.anomalies) k += a + ";";
  return k + (o.stuck ? "stuck" : "") + (o.forever ? "forever" : "");
}

// The identity of an outcome's class: the same, but each class of
// interchangeable requests contributes only the multiset of its fates.
std::string class_key(const ExploredOutcome& o, const std::vector<uint32_t>& classes) {
  std::string k = rows_key(o.final);
  std::map<uint32_t, std::vector<std::string>> by_class;
  for (size_t i = 0; i < o.fates.size(); ++i) by_class[classes[i]].push_back(o.fates[i].second);
  for (auto& [c, fates] : by_class) {
    std::sort(fates.begin(), fates.end());
    k += "{" + std::to_string(c);
    for (const std::string& f : fates) k += ":" + f;
    k += "}";
  }
  for (const std::string& a : o.anomalies) k += a + ";";
  return k + (o.stuck ? "stuck" : "") + (o.forever ? "forever" : "");
}

// What an end state shows: its rows, its requests' fates, whether the watch
// saw a lost update, whether requests were left waiting.
ExploredOutcome outcome_of(const World& w, bool lost) {
  ExploredOutcome x;
  x.final = committed_tables(w);
  for (const Request& q : w.requests) x.fates.emplace_back(q.name, fate_text(q));
  if (lost) x.anomalies.push_back("lost_update");
  x.stuck = !all_done(w);
  return x;
}

bool shorter(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

std::vector<std::string> names_of(const World& w, const std::vector<uint32_t>& schedule) {
  std::vector<std::string> out;
  for (uint32_t r : schedule) out.push_back(w.requests[r].name);
  return out;
}

// The world a mitigation's exploration starts from.
World start_world(const Scenario& s, const Mitigation& m, Isolation iso, const ExploreOptions& o) {
  World w = build_world(s, m);
  w.default_isolation = iso;
  w.steps_per_request_max = o.steps_per_request_max;
  return w;
}

// Replays a schedule from `initial` with its full trace: the outcome it
// reaches, with the narration of the first anomaly. *final gets the world.
ExploredOutcome replay_schedule(const World& initial, const std::vector<uint32_t>& schedule,
                                World* final) {
  ScheduleSpec spec;
  spec.kind = ScheduleSpec::Kind::kExplicit;
  spec.names = names_of(initial, schedule);
  for (const std::string& n : spec.names) spec.text += (spec.text.empty() ? "" : " ") + n;
  spec.columns.assign(spec.names.size(), 1);
  spec.pos = SourcePos{"explore", 0, 0};
  RunLimits limits;
  limits.schedule_steps_max = schedule.size() + 1;
  RunResult run = run_schedule(initial, spec, limits);
  std::vector<Anomaly> anomalies = find_lost_updates(run.world, run.log);
  ExploredOutcome o = outcome_of(run.world, !anomalies.empty());
  if (!anomalies.empty()) o.anomaly_text = anomalies.front().text;
  o.shortest = spec.names;
  *final = std::move(run.world);
  return o;
}

// ---- Outcomes of a class --------------------------------------------------------
// Every outcome of a class (each arrangement of the fates among the
// interchangeable requests), each reached by the class's shortest schedule
// with the requests renamed: the k-th request of a class with fate f in the
// outcome reached takes the place of the k-th with fate f in the other.
// Each schedule is replayed with its full trace, for the narration of what
// was lost; a replay that ends anywhere else is a bug in the explorer.
class ClassExpander {
 public:
  ClassExpander(const World& initial, const std::vector<uint32_t>& classes)
      : initial_(initial), classes_(classes) {}

  std::vector<ExploredOutcome> expand(const std::vector<uint32_t>& schedule) {
    ExploredOutcome first = replay(schedule);
    SerialResult serial = check_serial(initial_, last_world_, 40320, &classes_);
    std::vector<ExploredOutcome> out;
    // The arrangements: per class, its members (in order) and their fates.
    std::map<uint32_t, std::vector<uint32_t>> members;
    for (uint32_t i = 0; i < classes_.size(); ++i) members[classes_[i]].push_back(i);
    std::vector<std::vector<std::string>> fates;  // per class, sorted: the next arrangement
    for (auto& [c, m] : members) {
      std::vector<std::string> f;
      for (uint32_t i : m) f.push_back(first.fates[i].second);
      std::sort(f.begin(), f.end());
      fates.push_back(f);
    }
    for (;;) {
      // The renaming from the outcome reached to this arrangement.
      std::vector<uint32_t> rename(classes_.size());
      size_t k = 0;
      for (auto& [c, m] : members) {
        std::map<std::string, std::vector<uint32_t>> from, to;
        for (size_t j = 0; j < m.size(); ++j) {
          from[first.fates[m[j]].second].push_back(m[j]);
          to[fates[k][j]].push_back(m[j]);
        }
        for (auto& [f, list] : from)
          for (size_t j = 0; j < list.size(); ++j) rename[list[j]] = to[f][j];
        ++k;
      }
      std::vector<uint32_t> renamed;
      for (uint32_t r : schedule) renamed.push_back(rename[r]);
      // The arrangement reached first is the replay already made.
      ExploredOutcome o = renamed == schedule ? first : replay(renamed);
      o.serializable = serial.equivalent;
      out.push_back(std::move(o));
      // The next arrangement, class by class.
      size_t c = 0;
      while (c < fates.size() && !std::next_permutation(fates[c].begin(), fates[c].end())) ++c;
      if (c == fates.size()) break;
    }
    return out;
  }

  ExploredOutcome replay(const std::vector<uint32_t>& schedule) {
    return replay_schedule(initial_, schedule, &last_world_);
  }

 private:
  const World& initial_;
  const std::vector<uint32_t>& classes_;
  World last_world_;
};

// Builds the class records from what a search or walk found: per class its
// count and shortest schedule; each class expanded to its outcomes.
void fill_classes(Exploration& e, const World& initial, const std::vector<uint32_t>& classes,
                  std::vector<OutcomeClass> found) {
  ClassExpander expander(initial, classes);
  for (OutcomeClass& c : found) {
    if (c.outcomes.empty() || !c.outcomes.front().forever) {
      std::vector<ExploredOutcome> outs = expander.expand(c.shortest);
      for (ExploredOutcome& o : outs)
        if ("@" + class_key(o, classes) != c.key && class_key(o, classes) != c.key) {
          std::string sch;
          for (const std::string& n : o.shortest) sch += (sch.empty() ? "" : " ") + n;
          throw std::logic_error("explore: the schedule \"" + sch +
                                 "\" chosen for an outcome replays to a different one");
        }
      c.outcomes = std::move(outs);
    }
    e.classes.push_back(std::move(c));
  }
  std::sort(e.classes.begin(), e.classes.end(),
            [](const OutcomeClass& a, const OutcomeClass& b) { return a.key < b.key; });
}

// ---- Shards ------------------------------------------------------------------------
// The schedule prefixes a shard explores: all prefixes of the first depth at
// which there are at least 16 per shard (complete schedules shorter than
// that count as prefixes too), in lexicographic order; shard k takes every
// one whose position is k modulo the shard count.
struct Prefix {
  std::vector<uint32_t> moves;
  Position pos;
};

std::vector<Prefix> prefixes_of(StateSearch& search, const Position& start,
                                const std::optional<Shard>& shard) {
  std::vector<Prefix> level{Prefix{{}, start}};
  if (!shard || shard->count <= 1) return level;
  for (size_t depth = 0; depth < 64; ++depth) {
    size_t open = 0;
    for (const Prefix& p : level) open += !search.moves(p.pos.world).empty();
    if (open == 0 || level.size() >= 16 * shard->count) break;
    std::vector<Prefix> next;
    for (Prefix& p : level) {
      std::vector<RequestId> ms = search.moves(p.pos.world);
      if (ms.empty()) {
        next.push_back(std::move(p));
        continue;
      }
      for (RequestId r : ms) {
        Prefix q{p.moves, search.moved(p.pos, r)};
        q.moves.push_back(r.value);
        next.push_back(std::move(q));
      }
    }
    level = std::move(next);
  }
  std::vector<Prefix> mine;
  for (size_t k = 0; k < level.size(); ++k)
    if (k % shard->count == shard->index) mine.push_back(std::move(level[k]));
  return mine;
}

std::string stop_text(StopReason r, const ExploreOptions& o) {
  switch (r) {
    case StopReason::kStates:
      return "--max-states " + std::to_string(o.limits.states_max);
    case StopReason::kBytes:
      return "--max-memory " + std::to_string(o.limits.bytes_max >> 20) + " MB";
    case StopReason::kDepth:
      return "--schedule-steps-max " + std::to_string(o.limits.depth_max);
    case StopReason::kAsked:
      return "--max-seconds";
    case StopReason::kNone:
      break;
  }
  return "";
}

Exploration exploration_of(const Mitigation& m, Isolation iso) {
  Exploration e;
  e.mitigation = m.name;
  e.summary = m.summary;
  e.isolation = iso;
  return e;
}

// ---- The state-graph exploration of one mitigation ------------------------------
// Thrown when an end state's rows hold a request's :request_id: outcomes are
// told apart by their rows, so the search starts again with requests told
// apart by it too.
struct RowsNameRequests {};

Exploration explore_graph_with(const Scenario& s, const Mitigation& m, Isolation iso,
                               const ExploreOptions& o, bool identity_symmetry) {
  Exploration e = exploration_of(m, iso);
  e.counted = !o.verdicts_only;
  World initial = start_world(s, m, iso, o);
  for (const Request& q : initial.requests) e.requests.push_back(q.name);
  StateSearch search(initial, o.verdicts_only, identity_symmetry);
  const std::vector<uint32_t> classes = search.encoder().class_of();
  const IdentityColumns& ids = search.encoder().identities();

  std::map<std::string, uint32_t> class_index;
  std::vector<std::string> keys;
  auto classify = [&](const Position& p) {
    if (rows_name_requests(p.world, ids, classes)) throw RowsNameRequests{};
    // A class of requests told apart only by :request_id is marked: merge
    // refuses to add it to a shard that told them apart.
    std::string key =
        (ids.usable ? "@" : "") + class_key(outcome_of(p.world, p.watch.lost()), classes);
    auto [it, added] = class_index.emplace(key, static_cast<uint32_t>(keys.size()));
    if (added) keys.push_back(key);
    return it->second;
  };
  Position start{initial, LostUpdateWatch{}};
  std::vector<Prefix> prefixes = prefixes_of(search, start, o.shard);
  for (const Prefix& p : prefixes) search.add_root(p.pos, 1);
  StateSearch::Tick tick = [&](const SearchProgress& pr) {
    if (o.progress) o.progress(m.name, pr);
    return !o.keep_going || o.keep_going();
  };
  StopReason stop = search.run(classify, o.limits, tick);
  e.complete = stop == StopReason::kNone;
  e.stopped = stop_text(stop, o);
  e.stats = search.progress();

  const StateGraph& g = search.graph();
  GraphOrder order = order_graph(g);
  GraphCounts counts = count_schedules(g, order, keys.size());
  e.schedules = counts.total;

  // The first shortest schedule to each class: among this run's prefixes,
  // the one that reaches the class soonest (the first in order on a tie),
  // then at each step the first request that stays on a shortest way there.
  std::vector<OutcomeClass> found;
  for (uint32_t k = 0; k < keys.size(); ++k) {
    std::vector<uint32_t> d = distances_to(g, order, k);
    const Prefix* best = nullptr;
    uint64_t best_total = UINT64_MAX;
    for (const Prefix& p : prefixes) {
      uint32_t node = search.node_of(p.pos);
      if (d[node] == kUnreachable) continue;
      uint64_t total = p.moves.size() + d[node];
      if (total < best_total) best = &p, best_total = total;
    }
    if (!best) continue;  // reached only after a cycle
    OutcomeClass c;
    c.key = keys[k];
    c.schedules = counts.per_outcome[k];
    c.infinite = counts.infinite[k];
    c.shortest = best->moves;
    Position at = best->pos;
    for (uint32_t left = d[search.node_of(at)]; left > 0; --left) {
      bool moved = false;
      for (RequestId r : search.moves(at.world)) {
        Position next = search.moved(at, r);
        uint32_t node = search.node_of(next);
        if (node != KeyTable::kMissing && d[node] == left - 1) {
          c.shortest.push_back(r.value);
          at = std::move(next);
          moved = true;
          break;
        }
      }
      if (!moved) throw std::logic_error("explore: lost the way to an outcome in the state graph");
    }
    found.push_back(std::move(c));
  }

  // A cycle: a schedule that never ends. Reported as an outcome of its own,
  // with a schedule that reaches the cycle and goes round it once.
  if (!order.cycle.empty()) {
    std::vector<uint32_t> path = path_to(g, order.cycle.front());
    path.insert(path.end(), order.cycle.begin() + 1, order.cycle.end());
    path.push_back(order.cycle.front());
    OutcomeClass c;
    c.key = "forever";
    c.infinite = true;
    Position at = start;
    for (size_t k = 1; k < path.size(); ++k)
      for (RequestId r : search.moves(at.world)) {
        Position next = search.moved(at, r);
        if (search.node_of(next) == path[k]) {
          c.shortest.push_back(r.value);
          at = std::move(next);
          break;
        }
      }
    ExploredOutcome x = outcome_of(at.world, at.watch.lost());
    x.forever = true;
    x.infinite = true;
    x.shortest = names_of(initial, c.shortest);
    c.outcomes.push_back(std::move(x));
    found.push_back(std::move(c));
  }
  fill_classes(e, initial, classes, std::move(found));
  return e;
}

Exploration explore_graph(const Scenario& s, const Mitigation& m, Isolation iso,
                          const ExploreOptions& o) {
  if (o.identity_symmetry) {
    try {
      return explore_graph_with(s, m, iso, o, true);
    } catch (const RowsNameRequests&) {
    }
  }
  return explore_graph_with(s, m, iso, o, false);
}

}  // namespace exploration_detail

using namespace exploration_detail;

std::pair<double, double> share_interval(size_t hits, size_t n) {
  if (n == 0) return {0, 1};
  const double z = 1.959963984540054;  // the 97.5th percentile of the normal distribution
  double p = static_cast<double>(hits) / static_cast<double>(n);
  double nn = static_cast<double>(n);
  double d = 1 + z * z / nn;
  double centre = (p + z * z / (2 * nn)) / d;
  double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / d;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

ExploreHeader explore_header(const Scenario& s) {
  return ExploreHeader{s.file, s.title, s.show, 0, std::nullopt};
}

std::string ExploredOutcome::verdict() const {
  if (forever) return "runs forever: a schedule never ends";
  if (stuck) return "stuck: every remaining request waits forever";
  if (!anomalies.empty()) return "lost update: " + anomaly_text;
  if (!serializable) return "not serializable: no serial order gives these rows";
  return "ok";
}

bool ExploredOutcome::request_failed() const {
  return std::any_of(fates.begin(), fates.end(), [](const auto& f) {
    return f.second != "committed" && f.second != "dropped";
  });
}

void finish_exploration(Exploration& e) {
  e.outcomes.clear();
  e.bad = Count();
  e.failed = Count();
  std::vector<std::pair<std::vector<uint32_t>, ExploredOutcome>> all;
  std::map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < e.requests.size(); ++i) index[e.requests[i]] = i;
  for (const OutcomeClass& c : e.classes) {
    if (c.outcomes.empty()) continue;
    if (!c.outcomes.front().ok()) e.bad += c.schedules;
    if (c.outcomes.front().request_failed()) e.failed += c.schedules;
    for (ExploredOutcome o : c.outcomes) {
      if (!e.naive) {
        // By symmetry every outcome of a class ends as many schedules.
        o.schedules = c.schedules;
        o.schedules.divide(c.outcomes.size());
      }
      o.infinite = c.infinite;
      std::vector<uint32_t> order;
      for (const std::string& n : o.shortest) order.push_back(index[n]);
      all.emplace_back(std::move(order), std::move(o));
    }
  }
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return shorter(a.first, b.first); });
  for (auto& [order, o] : all) e.outcomes.push_back(std::move(o));
}

std::vector<Exploration> explore_scenario(const Scenario& s, const ExploreOptions& o) {
  Scenario sized = o.requests ? with_request_count(s, o.requests) : s;
  std::vector<Exploration> out;
  for (const Mitigation* m : choose_mitigations(sized, o.mitigations)) {
    Isolation iso = o.isolation.value_or(sized.isolation);
    Exploration e = o.sample  ? explore_sample(sized, *m, iso, o)
                    : o.naive ? explore_naive(sized, *m, iso, o)
                              : explore_graph(sized, *m, iso, o);
    finish_exploration(e);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Exploration> merge_explorations(const std::vector<std::vector<Exploration>>& shards) {
  if (shards.empty()) throw InputError(SourcePos{"merge", 0, 0}, "no shard results to merge");
  std::vector<Exploration> out = shards.front();
  for (size_t k = 1; k < shards.size(); ++k) {
    if (shards[k].size() != out.size())
      throw InputError(SourcePos{"merge", 0, 0},
                       "the shards explored different mitigations; merge shards of one run");
    for (size_t i = 0; i < out.size(); ++i) {
      Exploration& e = out[i];
      const Exploration& x = shards[k][i];
      if (x.mitigation != e.mitigation || x.isolation != e.isolation || x.requests != e.requests ||
          x.counted != e.counted)
        throw InputError(SourcePos{"merge", 0, 0}, "the shards explored different things (" +
                                                       e.mitigation + " and " + x.mitigation +
                                                       "); merge shards of one run");
      auto marked = [](const Exploration& y) {
        return std::any_of(y.classes.begin(), y.classes.end(),
                           [](const OutcomeClass& c) { return c.key.rfind('@', 0) == 0; });
      };
      if (!e.classes.empty() && !x.classes.empty() && marked(e) != marked(x))
        throw InputError(SourcePos{"merge", 0, 0},
                         "the shards of " + e.mitigation +
                             " grouped their requests differently (one found an end whose rows "
                             "hold a request's :request_id, the other did not), so their counts "
                             "cannot be added up; explore " +
                             e.mitigation + " in one process");
      e.schedules += x.schedules;
      e.complete = e.complete && x.complete;
      if (!x.stopped.empty() && e.stopped.find(x.stopped) == std::string::npos)
        e.stopped += (e.stopped.empty() ? "" : ", ") + x.stopped;
      for (const OutcomeClass& c : x.classes) {
        auto it = std::find_if(e.classes.begin(), e.classes.end(),
                               [&](const OutcomeClass& d) { return d.key == c.key; });
        if (it == e.classes.end()) {
          e.classes.push_back(c);
          continue;
        }
        it->schedules += c.schedules;
        it->infinite = it->infinite || c.infinite;
        if (shorter(c.shortest, it->shortest)) {
          it->shortest = c.shortest;
          it->outcomes = c.outcomes;
        }
      }
    }
  }
  for (Exploration& e : out) {
    std::sort(e.classes.begin(), e.classes.end(),
              [](const OutcomeClass& a, const OutcomeClass& b) { return a.key < b.key; });
    finish_exploration(e);
  }
  return out;
}

}  // namespace ccsim
