#include "report/json.h"

#include <nlohmann/json.hpp>

#include "engine/frame.h"
#include "report/summary.h"

namespace ccsim {

namespace {

using Json = nlohmann::ordered_json;

Json value(const Value& v) {
  if (is_null(v)) return nullptr;
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  return std::get<std::string>(v);
}

Json tables(const std::vector<TableFrame>& ts) {
  Json out = Json::object();
  for (const TableFrame& t : ts) {
    Json rows = Json::array();
    for (const Row& r : t.rows) {
      Json row = Json::object();
      for (size_t i = 0; i < t.columns.size(); ++i) row[t.columns[i]] = value(r[i]);
      rows.push_back(row);
    }
    out[t.name] = rows;
  }
  return out;
}

Json frame(const Frame& f) {
  Json reqs = Json::array();
  for (const RequestFrame& r : f.requests) {
    Json vars = Json::object();
    for (const auto& [k, v] : r.vars) vars[k] = value(v);
    Json j = {{"name", r.name}, {"state", r.state}, {"next_step", r.pc + 1}, {"memory", vars}};
    j["transaction"] = r.txn ? Json(r.txn) : Json(nullptr);
    j["waits_for"] = r.waits_for;
    reqs.push_back(j);
  }
  Json locks = Json::array();
  for (const LockFrame& l : f.locks)
    locks.push_back(
        {{"row", l.row}, {"request", l.request}, {"mode", l.mode}, {"granted", l.granted}});
  Json out = {{"requests", reqs}, {"committed", tables(f.tables)}, {"locks", locks}};
  if (!f.ssi.sireads.empty() || !f.ssi.rw.empty() || !f.ssi.doomed.empty()) {
    Json sireads = Json::array(), rw = Json::array();
    for (const auto& [who, what] : f.ssi.sireads)
      sireads.push_back({{"request", who}, {"covers", what}});
    for (const auto& [reader, writer] : f.ssi.rw)
      rw.push_back({{"reader", reader}, {"writer", writer}});
    out["ssi"] = {{"sireads", sireads}, {"rw_conflicts", rw}, {"doomed", f.ssi.doomed}};
  }
  return out;
}

Json run_json(const Scenario& s, const MitigationRun& m) {
  const World& w = m.run.world;
  Json j;
  j["mitigation"] = m.mitigation->name;
  j["schedule"] = m.run.schedule_text();
  j["schedule_policy"] = m.schedule.key();
  j["isolation"] = to_sql(m.isolation);
  j["final"] = tables(committed_tables(w));
  Json reqs = Json::array();
  for (const Request& q : w.requests) {
    Json r = {{"name", q.name}, {"status", to_string(q.fate)}};
    if (!q.sqlstate.empty()) r["sqlstate"] = q.sqlstate;
    if (!q.error.empty()) r["error"] = q.error;
    r["retries"] = q.retries_total;
    r["restarts"] = q.restarts;
    r["process"] = q.process;
    reqs.push_back(r);
  }
  j["requests"] = reqs;
  Json an = Json::array();
  for (const Anomaly& a : m.anomalies)
    an.push_back({{"kind", a.kind}, {"requests", a.requests}, {"text", a.text}});
  j["anomalies"] = an;
  j["serializable"] = m.serial.equivalent;
  j["serial_order"] = m.serial.order;
  j["verdict"] = verdict(m);
  j["happened"] = happened(m);
  j["waited"] = m.waited;
  j["expectation"] = m.expectation_found ? Json{{"checked", true}, {"failures", m.failures}}
                                         : Json{{"checked", false}, {"failures", Json::array()}};
  Json trace = Json::array();
  for (const TraceEntry& t : m.run.trace) {
    Json events = Json::array();
    for (size_t i = t.first_event; i < t.end_event; ++i) {
      const Event& e = m.run.log.events[i];
      const Request& q = w.requests[e.request.value];
      Json ej = {
          {"request", q.name}, {"kind", to_string(e.kind)}, {"step", e.step + 1}, {"text", e.text}};
      if (e.step < q.program->steps.size()) ej["code"] = q.program->steps[e.step].note;
      if (!e.others.empty()) {
        Json others = Json::array();
        for (RequestId o : e.others) others.push_back(w.requests[o.value].name);
        ej["others"] = others;
      }
      if (!e.sqlstate.empty()) ej["sqlstate"] = e.sqlstate;
      events.push_back(ej);
    }
    trace.push_back({{"position", t.position + 1},
                     {"request", w.requests[t.request.value].name},
                     {"events", events},
                     {"after", frame(t.after)}});
  }
  j["trace"] = trace;
  (void)s;
  return j;
}

}  // namespace

std::string render_json(const Scenario& s, const std::vector<MitigationRun>& runs) {
  Json doc;
  doc["format"] = "ccsim-run/1";
  doc["scenario"] = {{"file", s.file}, {"title", s.title}};
  Json rs = Json::array();
  for (const MitigationRun& m : runs) rs.push_back(run_json(s, m));
  doc["runs"] = rs;
  return doc.dump(2) + "\n";
}

std::string render_explore_json(const Scenario& s, const std::vector<Exploration>& es) {
  Json doc;
  doc["format"] = "ccsim-explore/1";
  doc["scenario"] = {{"file", s.file}, {"title", s.title}};
  Json xs = Json::array();
  for (const Exploration& e : es) {
    Json os = Json::array();
    for (const ExploredOutcome& o : e.outcomes) {
      Json fates = Json::object();
      for (const auto& [n, f] : o.fates) fates[n] = f;
      os.push_back({{"schedules", o.schedules},
                    {"final", tables(o.final)},
                    {"requests", fates},
                    {"anomalies", o.anomalies},
                    {"serializable", o.serializable},
                    {"stuck", o.stuck},
                    {"verdict", o.verdict()},
                    {"shortest_schedule", o.shortest}});
    }
    xs.push_back({{"mitigation", e.mitigation->name},
                  {"isolation", to_sql(e.isolation)},
                  {"schedules", e.schedules},
                  {"complete", e.complete},
                  {"outcomes", os}});
  }
  doc["explorations"] = xs;
  return doc.dump(2) + "\n";
}

std::string render_list_json(const std::vector<std::string>& scenarios,
                             const std::vector<Mitigation>& mitigations) {
  Json ms = Json::array();
  for (const Mitigation& m : mitigations)
    ms.push_back({{"name", m.name}, {"summary", m.summary}, {"failure", m.failure}});
  Json doc = {{"scenarios", scenarios}, {"mitigations", ms}};
  return doc.dump(2) + "\n";
}

}  // namespace ccsim
