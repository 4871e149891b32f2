#include "scenario/exploration.h"

#include <algorithm>
#include <map>

#include "check/anomaly.h"
#include "scenario/simulate.h"

namespace ccsim {

namespace {

std::string fate_text(const Request& q) {
  std::string f = to_string(q.fate);
  if (q.fate == Fate::kAborted && !q.sqlstate.empty()) return f + ":" + q.sqlstate;
  return q.state == RunState::kDone ? f : "waiting";
}

// The outcome's identity: its rows, fates and anomaly kinds.
std::string outcome_key(const ExploredOutcome& o) {
  std::string k;
  for (const TableFrame& t : o.final) {
    k += t.name + ":";
    for (const Row& r : t.rows) {
      k += "(";
      for (const Value& v : r) k += to_sql(v) + ",";
      k += ")";
    }
    k += ";";
  }
  for (const auto& [n, f] : o.fates) k += n + "=" + f + ";";
  for (const std::string& a : o.anomalies) k += a + ";";
  return k + (o.stuck ? "stuck" : "");
}

}  // namespace

std::string ExploredOutcome::verdict() const {
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

std::vector<Exploration> explore_scenario(const Scenario& s, const ExploreOptions& o) {
  std::vector<Exploration> out;
  for (const Mitigation* m : choose_mitigations(s, o.mitigations)) {
    Exploration e;
    e.mitigation = m;
    e.isolation = o.isolation.value_or(s.isolation);
    World initial = build_world(s, *m);
    initial.default_isolation = e.isolation;
    initial.steps_per_request_max = o.steps_per_request_max;
    std::map<std::string, size_t> index;  // outcome key -> position in e.outcomes
    auto leaf = [&](const Leaf& l) {
      ExploredOutcome x;
      x.final = committed_tables(l.world);
      for (const Request& q : l.world.requests) x.fates.emplace_back(q.name, fate_text(q));
      for (const Anomaly& a : find_lost_updates(l.world, l.log)) {
        if (x.anomaly_text.empty()) x.anomaly_text = a.text;
        if (std::find(x.anomalies.begin(), x.anomalies.end(), a.kind) == x.anomalies.end())
          x.anomalies.push_back(a.kind);
      }
      std::sort(x.anomalies.begin(), x.anomalies.end());
      x.stuck = l.stuck;
      std::string key = outcome_key(x);
      auto it = index.find(key);
      if (it == index.end()) {
        // Same rows and fates, same answer: the serial check runs once per outcome.
        x.serializable = check_serial(initial, l.world).equivalent;
        for (RequestId r : l.schedule) x.shortest.push_back(l.world.requests[r.value].name);
        x.schedules = 1;
        index.emplace(key, e.outcomes.size());
        e.outcomes.push_back(std::move(x));
        return;
      }
      ExploredOutcome& seen = e.outcomes[it->second];
      ++seen.schedules;
      if (l.schedule.size() < seen.shortest.size()) {
        seen.shortest.clear();
        for (RequestId r : l.schedule) seen.shortest.push_back(l.world.requests[r.value].name);
      }
    };
    std::function<void(size_t)> progress;
    if (o.progress) progress = [&](size_t n) { o.progress(m->name, n); };
    WalkResult w = for_each_interleaving(initial, o.limits, leaf, progress);
    e.schedules = w.schedules;
    e.complete = w.complete;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ccsim
