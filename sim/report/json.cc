#include "report/json.h"

#include "engine/frame.h"
#include "report/explore_report.h"
#include "report/json_parts.h"
#include "report/summary.h"

namespace ccsim {

namespace json_parts {

Json value(const Value& v) {
  if (is_null(v)) return nullptr;
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* b = std::get_if<bool>(&v)) return *b;
  // A numeric with a fraction as its text ("1.50"): a JSON number would
  // lose its scale, and a double its digits.
  if (auto* d = std::get_if<Decimal>(&v)) return decimal_text(*d);
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
  for (const TraceEntry& t : m.run.trace) trace.push_back(trace_entry(w, m.run.log, t));
  j["trace"] = trace;
  (void)s;
  return j;
}

Json trace_entry(const World& w, const Log& log, const TraceEntry& t) {
  Json events = Json::array();
  for (size_t i = t.first_event; i < t.end_event; ++i) {
    const Event& e = log.events[i];
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
  return {{"position", t.position + 1},
          {"request", w.requests[t.request.value].name},
          {"events", events},
          {"after", frame(t.after)}};
}

}  // namespace json_parts

using namespace json_parts;

std::string render_json(const Scenario& s, const std::vector<MitigationRun>& runs) {
  Json doc;
  doc["format"] = "ccsim-run/1";
  doc["scenario"] = {{"file", s.file}, {"title", s.title}};
  Json rs = Json::array();
  for (const MitigationRun& m : runs) rs.push_back(run_json(s, m));
  doc["runs"] = rs;
  return doc.dump(2) + "\n";
}

namespace {

Json count_json(const Count& c) {
  return c.to_string();
}

Json outcome_json(const ExploredOutcome& o, bool exact) {
  Json fates = Json::object();
  for (const auto& [n, f] : o.fates) fates[n] = f;
  Json j;
  j["schedules"] = exact && !o.infinite ? count_json(o.schedules) : Json(nullptr);
  j["infinite"] = o.infinite;
  j["final"] = tables(o.final);
  j["requests"] = fates;
  j["anomalies"] = o.anomalies;
  j["serializable"] = o.serializable;
  j["stuck"] = o.stuck;
  j["forever"] = o.forever;
  j["verdict"] = o.verdict();
  j["shortest_schedule"] = o.shortest;
  return j;
}

Json scenario_json(const ExploreHeader& h) {
  Json show = Json::array();
  for (const auto& [t, c] : h.show) show.push_back({t, c});
  return {{"file", h.file}, {"title", h.title}, {"show", show}};
}

// ---- reading shard files back ------------------------------------------------------

struct Reader {
  const std::string& file;
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(SourcePos{file, 0, 0}, "not a ccsim explore shard result: " + what);
  }
  const Json& at(const Json& j, const char* key) const {
    if (!j.is_object() || !j.contains(key)) fail(std::string("missing \"") + key + "\"");
    return j.at(key);
  }
  std::string text(const Json& j, const char* key) const {
    const Json& v = at(j, key);
    if (!v.is_string()) fail(std::string("\"") + key + "\" is not text");
    return v.get<std::string>();
  }
  bool flag(const Json& j, const char* key) const {
    const Json& v = at(j, key);
    if (!v.is_boolean()) fail(std::string("\"") + key + "\" is not true or false");
    return v.get<bool>();
  }
  uint64_t number(const Json& j, const char* key) const {
    const Json& v = at(j, key);
    if (!v.is_number_unsigned()) fail(std::string("\"") + key + "\" is not a count");
    return v.get<uint64_t>();
  }
  Count count(const Json& j, const char* key) const {
    auto c = Count::parse(text(j, key));
    if (!c) fail(std::string("\"") + key + "\" is not a decimal count");
    return *c;
  }
  const Json& array(const Json& j, const char* key) const {
    const Json& v = at(j, key);
    if (!v.is_array()) fail(std::string("\"") + key + "\" is not a list");
    return v;
  }
  std::vector<std::string> texts(const Json& j, const char* key) const {
    std::vector<std::string> out;
    for (const Json& v : array(j, key)) {
      if (!v.is_string()) fail(std::string("\"") + key + "\" holds something other than text");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  Value value(const Json& v) const {
    if (v.is_null()) return Null{};
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string()) return v.get<std::string>();
    fail("a row value is neither null, an integer nor text");
  }
};

Json table_frames(const std::vector<TableFrame>& ts) {
  Json out = Json::array();
  for (const TableFrame& t : ts) {
    Json rows = Json::array();
    for (const Row& r : t.rows) {
      Json row = Json::array();
      for (const Value& v : r) row.push_back(value(v));
      rows.push_back(row);
    }
    out.push_back({{"name", t.name}, {"columns", t.columns}, {"rows", rows}, {"keys", t.keys}});
  }
  return out;
}

std::vector<TableFrame> read_table_frames(const Reader& r, const Json& j) {
  std::vector<TableFrame> out;
  if (!j.is_array()) r.fail("\"final\" is not a list of tables");
  for (const Json& t : j) {
    TableFrame f;
    f.name = r.text(t, "name");
    f.columns = r.texts(t, "columns");
    f.keys = r.texts(t, "keys");
    for (const Json& row : r.array(t, "rows")) {
      if (!row.is_array() || row.size() != f.columns.size()) r.fail("a row has the wrong width");
      Row values;
      for (const Json& v : row) values.push_back(r.value(v));
      f.rows.push_back(std::move(values));
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

std::string render_explore_json(const ExploreHeader& h, const std::vector<Exploration>& es) {
  Json doc;
  doc["format"] = "ccsim-explore/2";
  doc["scenario"] = {{"file", h.file}, {"title", h.title}};
  Json xs = Json::array();
  for (const Exploration& e : es) {
    bool exact = e.complete && e.counted;
    Json os = Json::array();
    for (const ExploredOutcome& o : e.outcomes) {
      Json oj = outcome_json(o, exact);
      if (e.sampled) {
        auto [lo, hi] = share_interval(o.observed, e.sampled);
        oj["drawn"] = o.observed;
        oj["share_95"] = {lo, hi};
      }
      os.push_back(oj);
    }
    Json x;
    x["mitigation"] = e.mitigation;
    x["isolation"] = to_sql(e.isolation);
    x["requests"] = e.requests;
    x["complete"] = e.complete;
    x["stopped_at"] = e.stopped.empty() ? Json(nullptr) : Json(e.stopped);
    x["counted"] = e.counted;
    x["schedules"] = e.counted ? count_json(e.schedules) : Json(nullptr);
    x["bad_schedules"] = e.counted ? count_json(e.bad) : Json(nullptr);
    x["failed_schedules"] = e.counted ? count_json(e.failed) : Json(nullptr);
    if (e.sampled) {
      x["sample"] = {{"drawn", e.sampled}, {"uniform", e.uniform}, {"seed", e.seed}};
      if (!e.uniform) x["sample"]["walk_reason"] = e.walk_reason;
      x["schedules"] = e.uniform ? count_json(e.schedules) : Json(nullptr);
    }
    x["verdict"] = explore_verdict(e);
    x["outcomes"] = os;
    xs.push_back(x);
  }
  doc["explorations"] = xs;
  return doc.dump(2) + "\n";
}

std::string render_explore_shard(const ExploreHeader& h, const std::vector<Exploration>& es) {
  Json doc;
  doc["format"] = "ccsim-explore-shard/1";
  doc["scenario"] = scenario_json(h);
  doc["requests"] = h.requests;
  Shard shard = h.shard.value_or(Shard{});
  doc["shard"] = {{"index", shard.index}, {"count", shard.count}};
  Json xs = Json::array();
  for (const Exploration& e : es) {
    Json classes = Json::array();
    for (const OutcomeClass& c : e.classes) {
      Json outs = Json::array();
      for (const ExploredOutcome& o : c.outcomes) {
        Json fates = Json::array();
        for (const auto& [n, f] : o.fates) fates.push_back({n, f});
        outs.push_back({{"final", table_frames(o.final)},
                        {"fates", fates},
                        {"anomalies", o.anomalies},
                        {"anomaly_text", o.anomaly_text},
                        {"serializable", o.serializable},
                        {"stuck", o.stuck},
                        {"forever", o.forever},
                        {"shortest", o.shortest}});
      }
      classes.push_back({{"key", c.key},
                         {"schedules", count_json(c.schedules)},
                         {"infinite", c.infinite},
                         {"shortest", c.shortest},
                         {"outcomes", outs}});
    }
    xs.push_back({{"mitigation", e.mitigation},
                  {"summary", e.summary},
                  {"isolation", option_name(e.isolation)},
                  {"requests", e.requests},
                  {"complete", e.complete},
                  {"stopped", e.stopped},
                  {"counted", e.counted},
                  {"schedules", count_json(e.schedules)},
                  {"classes", classes}});
  }
  doc["explorations"] = xs;
  return doc.dump(2) + "\n";
}

ExploreShardFile read_explore_shard(const std::string& text, const std::string& file) {
  Reader r{file};
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) r.fail("it is not JSON");
  if (r.text(doc, "format") != "ccsim-explore-shard/1")
    r.fail("its format is not ccsim-explore-shard/1 (write it with ccsim explore --shard I/N)");
  ExploreShardFile f;
  const Json& sc = r.at(doc, "scenario");
  f.header.file = r.text(sc, "file");
  f.header.title = r.text(sc, "title");
  for (const Json& pair : r.array(sc, "show")) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
      r.fail("\"show\" holds something other than [table, column] pairs");
    f.header.show.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  f.header.requests = r.number(doc, "requests");
  const Json& sh = r.at(doc, "shard");
  f.header.shard = Shard{r.number(sh, "index"), r.number(sh, "count")};
  if (f.header.shard->count == 0 || f.header.shard->index >= f.header.shard->count)
    r.fail("its shard index is not below its shard count");
  for (const Json& x : r.array(doc, "explorations")) {
    Exploration e;
    e.mitigation = r.text(x, "mitigation");
    e.summary = r.text(x, "summary");
    auto iso = isolation_named(r.text(x, "isolation"));
    if (!iso) r.fail("an unknown isolation level");
    e.isolation = *iso;
    e.requests = r.texts(x, "requests");
    e.complete = r.flag(x, "complete");
    e.stopped = r.text(x, "stopped");
    e.counted = r.flag(x, "counted");
    e.schedules = r.count(x, "schedules");
    for (const Json& c : r.array(x, "classes")) {
      OutcomeClass oc;
      oc.key = r.text(c, "key");
      oc.schedules = r.count(c, "schedules");
      oc.infinite = r.flag(c, "infinite");
      for (const Json& i : r.array(c, "shortest")) {
        if (!i.is_number_unsigned() || i.get<uint64_t>() >= e.requests.size())
          r.fail("a schedule names a request that is not there");
        oc.shortest.push_back(i.get<uint32_t>());
      }
      for (const Json& o : r.array(c, "outcomes")) {
        ExploredOutcome eo;
        eo.final = read_table_frames(r, r.at(o, "final"));
        for (const Json& pair : r.array(o, "fates")) {
          if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
            r.fail("\"fates\" holds something other than [request, fate] pairs");
          eo.fates.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
        eo.anomalies = r.texts(o, "anomalies");
        eo.anomaly_text = r.text(o, "anomaly_text");
        eo.serializable = r.flag(o, "serializable");
        eo.stuck = r.flag(o, "stuck");
        eo.forever = r.flag(o, "forever");
        eo.shortest = r.texts(o, "shortest");
        for (const std::string& n : eo.shortest)
          if (std::find(e.requests.begin(), e.requests.end(), n) == e.requests.end())
            r.fail("a schedule names a request that is not there");
        oc.outcomes.push_back(std::move(eo));
      }
      e.classes.push_back(std::move(oc));
    }
    f.explorations.push_back(std::move(e));
  }
  return f;
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
