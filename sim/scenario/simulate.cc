#include "scenario/simulate.h"

#include <algorithm>

#include "engine/frame.h"

namespace ccsim {

namespace {

std::string fate_text(const Request& q) {
  std::string f = to_string(q.fate);
  return q.fate == Fate::kAborted && !q.sqlstate.empty() ? f + ":" + q.sqlstate : f;
}

// Returns "a, b, c", or `empty` when v is empty.
std::string join(const std::vector<std::string>& v, const char* empty) {
  std::string out;
  for (const std::string& x : v) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? std::string(empty) : out;
}

}  // namespace

// Compares a run with an expectation; returns one line per difference.
std::vector<std::string> check_expectation(const Expectation& e, const MitigationRun& m) {
  std::vector<std::string> out;
  const World& w = m.run.world;
  for (const auto& entry : e.final_rows) {
    const std::string& tname = entry.first;  // named, not bound: lambdas capture it (clang 14)
    const std::vector<ExpectedRow>& rows = entry.second;
    auto tid = w.store.find_table(tname);
    std::vector<TableFrame> tables = committed_tables(w);
    auto it = std::find_if(tables.begin(), tables.end(),
                           [&](const TableFrame& t) { return t.name == tname; });
    if (!tid || it == tables.end()) {
      out.push_back("final " + tname + ": the table does not exist");
      continue;
    }
    const Table& table = w.store.table(*tid);
    if (it->rows.size() != rows.size()) {
      out.push_back("final " + tname + ": " + std::to_string(it->rows.size()) + " rows, expected " +
                    std::to_string(rows.size()));
      continue;
    }
    for (size_t i = 0; i < rows.size(); ++i)
      for (const auto& [col, want] : rows[i].columns) {
        const Value& got = it->rows[i][static_cast<size_t>(table.column_index(col))];
        if (got != want)
          out.push_back("final " + tname + " row " + std::to_string(i + 1) + ": " + col + " is " +
                        to_sql(got) + ", expected " + to_sql(want));
      }
  }
  for (const auto& [name, want] : e.requests) {
    const Request& q = w.requests[w.find(name)->value];
    std::string got = fate_text(q);
    bool ok = want.find(':') == std::string::npos ? to_string(q.fate) == want : got == want;
    if (!ok) out.push_back("request " + name + " is " + got + ", expected " + want);
  }
  if (e.anomalies) {
    std::vector<std::string> got;
    for (const Anomaly& a : m.anomalies)
      if (std::find(got.begin(), got.end(), a.kind) == got.end()) got.push_back(a.kind);
    std::vector<std::string> want = *e.anomalies;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (got != want)
      out.push_back("anomalies: " + join(got, "none") + ", expected " + join(want, "none"));
  }
  if (e.serializable && *e.serializable != m.serial.equivalent)
    out.push_back(std::string("serializable is ") + (m.serial.equivalent ? "true" : "false") +
                  ", expected " + (*e.serializable ? "true" : "false"));
  if (e.waits) {
    std::vector<std::string> got = m.waited, want = *e.waits;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (got != want)
      out.push_back("waited for a lock: " + join(got, "nobody") + ", expected " +
                    join(want, "nobody"));
  }
  for (const auto& [name, want] : e.retries) {
    auto it = m.retries.find(name);
    int64_t got = it == m.retries.end() ? 0 : it->second;
    if (got != want)
      out.push_back("request " + name + " retried " + std::to_string(got) + " times, expected " +
                    std::to_string(want));
  }
  for (const auto& [name, want] : e.restarts) {
    auto it = m.restarts.find(name);
    int64_t got = it == m.restarts.end() ? 0 : it->second;
    if (got != want)
      out.push_back("request " + name + " restarted " + std::to_string(got) + " times, expected " +
                    std::to_string(want));
  }
  return out;
}

World initial_world(const Scenario& s, const Mitigation& m, const RunOptions& options) {
  World w = build_world(s, m);
  w.default_isolation = options.isolation.value_or(s.isolation);
  w.steps_per_request_max = options.steps_per_request_max;
  w.faults = options.faults;
  return w;
}

MitigationRun evaluate(const Scenario& s, const Mitigation& m, const ScheduleSpec& schedule,
                       const World& initial, RunResult run) {
  MitigationRun r;
  r.mitigation = &m;
  r.schedule = schedule;
  r.isolation = initial.default_isolation;
  r.run = std::move(run);
  r.anomalies = find_lost_updates(r.run.world, r.run.log);
  r.serial = check_serial(initial, r.run.world);
  for (const Event& e : r.run.log.events) {
    const std::string& who = r.run.world.requests[e.request.value].name;
    if (e.kind == EventKind::kWait &&
        std::find(r.waited.begin(), r.waited.end(), who) == r.waited.end())
      r.waited.push_back(who);
  }
  for (const Request& q : r.run.world.requests) {
    if (q.retries_total) r.retries[q.name] = q.retries_total;
    if (q.restarts) r.restarts[q.name] = q.restarts;
  }
  for (const Expectation& e : s.expectations) {
    if (e.mitigation != m.name || e.schedule != r.schedule.key() ||
        e.isolation.value_or(s.isolation) != r.isolation || e.every_interleaving)
      continue;
    r.expectation_found = true;
    for (std::string& f : check_expectation(e, r)) r.failures.push_back(std::move(f));
  }
  return r;
}

std::vector<const Mitigation*> choose_mitigations(const Scenario& s,
                                                  const std::vector<std::string>& names) {
  std::vector<const Mitigation*> chosen;
  for (const std::string& name : names) {
    const Mitigation* m = s.find(name);
    if (!m) {
      std::string known;
      for (const Mitigation& x : s.mitigations) known += (known.empty() ? "" : ", ") + x.name;
      throw InputError(SourcePos{"--mitigation", 0, 0}, "scenario " + s.file +
                                                            " does not run mitigation '" + name +
                                                            "' (it runs: " + known + ")");
    }
    chosen.push_back(m);
  }
  if (chosen.empty())
    for (const Mitigation& m : s.mitigations) chosen.push_back(&m);
  return chosen;
}

std::vector<MitigationRun> simulate(const Scenario& s, const RunOptions& options) {
  std::vector<MitigationRun> out;
  for (const Mitigation* m : choose_mitigations(s, options.mitigations)) {
    ScheduleSpec schedule = options.schedule.value_or(s.schedule);
    World initial = initial_world(s, *m, options);
    out.push_back(
        evaluate(s, *m, schedule, initial, run_schedule(initial, schedule, options.limits)));
  }
  return out;
}

}  // namespace ccsim
