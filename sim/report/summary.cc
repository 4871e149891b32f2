#include "report/summary.h"

#include <algorithm>

#include "engine/frame.h"

namespace ccsim {

std::string verdict(const MitigationRun& m) {
  if (!m.anomalies.empty()) {
    std::string out = "lost update: ";
    for (size_t i = 0; i < m.anomalies.size(); ++i) out += (i ? "; " : "") + m.anomalies[i].text;
    return out;
  }
  if (!m.serial.equivalent) return "not serializable: no serial order gives these rows";
  return "ok";
}

bool verdict_ok(const MitigationRun& m) {
  return m.anomalies.empty() && m.serial.equivalent;
}

std::string happened(const MitigationRun& m) {
  const World& w = m.run.world;
  std::vector<std::string> parts;
  auto add = [&](const std::string& s) {
    if (std::find(parts.begin(), parts.end(), s) == parts.end()) parts.push_back(s);
  };
  for (const Event& e : m.run.log.events) {
    const std::string& who = w.requests[e.request.value].name;
    if (e.kind == EventKind::kWait) {
      std::string whom;
      for (size_t i = 0; i < e.others.size(); ++i)
        whom += (i ? " and " : "") + w.requests[e.others[i].value].name + "'s";
      add(who + " waited for " + whom + (e.mutex.empty() ? " row lock" : " " + e.mutex));
    }
  }
  for (const Request& q : w.requests) {
    if (q.retries_total)
      add(q.name + " retried " + std::to_string(q.retries_total) +
          (q.retries_total == 1 ? " time" : " times"));
    if (q.restarts)
      add(q.name + " restarted " + std::to_string(q.restarts) +
          (q.restarts == 1 ? " time" : " times"));
    if (q.fate == Fate::kCrashed) add(q.name + " crashed: " + q.error);
    if (q.fate == Fate::kDropped) add(q.name + " was never sent (the button was disabled)");
    if (q.fate == Fate::kAborted)
      add(q.name + " aborted" + (q.sqlstate.empty() ? "" : " with " + q.sqlstate) + ": " + q.error);
    if (q.fate == Fate::kGaveUp) add(q.name + " gave up: " + q.error);
  }
  if (m.run.stuck) add("stuck: every remaining request waits forever");
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string shown_header(const std::vector<std::pair<std::string, std::string>>& show, size_t i) {
  const auto& [t, c] = show[i];
  size_t same = 0;
  for (const auto& other : show) same += other.second == c;
  return same > 1 ? t + "." + c : c;
}

std::string shown_value(const Scenario& s, const World& w, size_t show_index) {
  const auto& [tname, col] = s.show[show_index];
  for (const TableFrame& t : committed_tables(w)) {
    if (t.name != tname) continue;
    size_t c =
        static_cast<size_t>(std::find(t.columns.begin(), t.columns.end(), col) - t.columns.begin());
    std::string out;
    for (const Row& r : t.rows) out += (out.empty() ? "" : " ") + to_display(r[c]);
    return out.empty() ? "(no rows)" : out;
  }
  return "(no table)";
}

std::string expected_value(const Scenario& s, const MitigationRun& m, size_t show_index) {
  const auto& [tname, col] = s.show[show_index];
  for (const Expectation& e : s.expectations) {
    if (e.mitigation != m.mitigation->name || e.schedule != m.schedule.key() ||
        e.isolation.value_or(s.isolation) != m.isolation || e.every_interleaving)
      continue;
    auto it = e.final_rows.find(tname);
    if (it == e.final_rows.end()) continue;
    std::string out;
    for (const ExpectedRow& r : it->second)
      for (const auto& [c, v] : r.columns)
        if (c == col) out += (out.empty() ? "" : " ") + to_display(v);
    if (!out.empty()) return out;
  }
  return "-";
}

bool is_argument(const Scenario& s, const std::string& var) {
  if (var == "request_id" || var == "rowcount") return true;
  for (const RequestSpec& r : s.requests)
    for (const auto& a : r.args)
      if (a.first == var) return true;
  return false;
}

}  // namespace ccsim
