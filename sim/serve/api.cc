#include "serve/api.h"

#include <algorithm>
#include <cctype>

#include "engine/engine.h"
#include "report/json_parts.h"
#include "report/summary.h"

namespace ccsim {

using json_parts::Json;

namespace {

ApiResponse json_response(int status, const Json& j) {
  return ApiResponse{status, "application/json", j.dump(1) + "\n"};
}

ApiResponse bad(const std::string& message) {
  return json_response(400, Json{{"error", message}});
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      *out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      *out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      *out += in[i];
    }
  }
  return true;
}

const std::string* param(const std::vector<std::pair<std::string, std::string>>& query,
                         const std::string& name) {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Splits a schedule written with commas or blanks; empty entries are skipped.
std::vector<std::string> schedule_names(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

Json request_views(const World& w) {
  Json views = Json::object();
  for (size_t i = 0; i < w.requests.size(); ++i)
    if (TxnId t = w.sessions[i].txn)
      views[w.requests[i].name] = json_parts::tables(visible_tables(w, t));
  return views;
}

// What request q can do now, for the lanes: why it cannot move, when it cannot.
std::string why_not(const World& w, const Request& q) {
  if (q.state == RunState::kDone) return q.name + " has finished (" + to_string(q.fate) + ")";
  std::vector<std::string> holders;
  for (const Mover& m : movers(w))
    if (m.name == q.name) holders = m.waiting_for;
  return q.name + " is waiting" + (holders.empty() ? "" : " for " + joined(holders));
}

// Who may move now, and why each other request cannot.
void add_movers(const World& w, Json& j) {
  Json movable = Json::array();
  Json blocked = Json::object();
  for (size_t i = 0; i < w.requests.size(); ++i) {
    if (runnable(w, RequestId{static_cast<uint32_t>(i)}))
      movable.push_back(w.requests[i].name);
    else
      blocked[w.requests[i].name] = why_not(w, w.requests[i]);
  }
  j["movable"] = movable;
  j["blocked"] = blocked;
}

// The isolation parameter, when given: a level's option name. Throws
// InputError (the asker's 400) for anything else.
std::optional<Isolation> level_param(
    const std::vector<std::pair<std::string, std::string>>& query) {
  const std::string* iso = param(query, "isolation");
  if (!iso || iso->empty()) return std::nullopt;
  if (auto level = isolation_named(*iso)) return level;
  throw InputError(
      SourcePos{"isolation", 0, 0},
      "no isolation level " + *iso + " (levels: read-committed, repeatable-read, serializable)");
}

}  // namespace

// The scenario a request names. Throws InputError (the asker's 400) when it
// names none or one that is not served.
const Scenario* Api::served(const std::string* key, const std::string& path) const {
  if (!key)
    throw InputError(SourcePos{"scenario", 0, 0}, "missing scenario: " + path + "?scenario=NAME");
  const Scenario* s = find(*key);
  if (!s)
    throw InputError(SourcePos{"scenario", 0, 0},
                     "no scenario " + *key + " is served (see /api/scenarios)");
  return s;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool parse_query(const std::string& target, std::string* path,
                 std::vector<std::pair<std::string, std::string>>* query) {
  size_t q = target.find('?');
  if (!decode(target.substr(0, q), path)) return false;
  query->clear();
  if (q == std::string::npos) return true;
  std::string rest = target.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('&', start);
    if (end == std::string::npos) end = rest.size();
    std::string part = rest.substr(start, end - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k, v;
      if (!decode(part.substr(0, eq), &k)) return false;
      if (eq != std::string::npos && !decode(part.substr(eq + 1), &v)) return false;
      query->emplace_back(std::move(k), std::move(v));
    }
    start = end + 1;
  }
  return true;
}

Api::Api(std::vector<std::pair<std::string, Scenario>> scenarios, ServeLimits limits)
    : scenarios_(std::move(scenarios)), limits_(limits) {}

const Scenario* Api::find(const std::string& key) const {
  for (const auto& [k, s] : scenarios_)
    if (k == key) return &s;
  return nullptr;
}

ApiResponse Api::get(const std::string& target) const {
  // No answer may stop the server: what the core refuses (a level a
  // scenario cannot run at, say) is the client's 400.
  try {
    return route(target);
  } catch (const InputError& e) {
    return bad(e.message());
  } catch (const std::exception& e) {
    return json_response(500, Json{{"error", std::string("ccsim could not answer: ") + e.what()}});
  }
}

ApiResponse Api::route(const std::string& target) const {
  if (target.size() > limits_.target_bytes_max)
    return bad("the request is longer than " + std::to_string(limits_.target_bytes_max) + " bytes");
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  if (!parse_query(target, &path, &query)) return bad("the address has a malformed %-escape");
  if (path == "/api/scenarios") return scenarios();
  if (path == "/api/scenario") {
    const std::string* name = param(query, "name");
    if (!name) return bad("missing name: /api/scenario?name=NAME");
    return scenario(*name);
  }
  if (path == "/api/run") return run(query);
  if (path == "/api/summary") return summary(query);
  return json_response(404, Json{{"error", "no such address: " + path}});
}

ApiResponse Api::scenarios() const {
  Json list = Json::array();
  for (const auto& [k, s] : scenarios_)
    list.push_back({{"name", k}, {"title", s.title}, {"mitigations", s.mitigations.size()}});
  return json_response(200, Json{{"format", "ccsim-serve-scenarios/1"}, {"scenarios", list}});
}

ApiResponse Api::scenario(const std::string& key) const {
  const Scenario* s = find(key);
  if (!s) return bad("no scenario " + key + " is served (see /api/scenarios)");
  Json ms = Json::array();
  for (const Mitigation& m : s->mitigations) {
    Json steps = Json::array();
    for (const Step& st : m.steps->steps) steps.push_back({{"text", st.text}, {"note", st.note}});
    ms.push_back({{"name", m.name},
                  {"summary", m.summary},
                  {"failure", m.failure},
                  {"django", m.django},
                  {"steps", steps}});
  }
  Json reqs = Json::array();
  for (const RequestSpec& r : s->requests)
    reqs.push_back({{"name", r.name}, {"client", r.client}, {"process", r.process}});
  return json_response(200, Json{{"format", "ccsim-serve-scenario/1"},
                                 {"name", key},
                                 {"title", s->title},
                                 {"description", s->description},
                                 {"isolation", option_name(s->isolation)},
                                 {"requests", reqs},
                                 {"mitigations", ms}});
}

ApiResponse Api::summary(const std::vector<std::pair<std::string, std::string>>& query) const {
  for (const auto& [k, v] : query)
    if (k != "scenario" && k != "isolation")
      return bad("unknown parameter " + k + " (known: scenario, isolation)");
  const std::string* key = param(query, "scenario");
  const Scenario* s = served(key, "/api/summary");
  RunOptions ro;
  ro.isolation = level_param(query);
  return ApiResponse{200, "application/json",
                     summary_json(*key, simulate(*s, ro), ro.isolation.value_or(s->isolation))};
}

std::string summary_json(const std::string& key, const std::vector<MitigationRun>& runs,
                         Isolation level) {
  Json rows = Json::array();
  for (const MitigationRun& m : runs)
    rows.push_back({{"mitigation", m.mitigation->name},
                    {"summary", m.mitigation->summary},
                    {"schedule", m.run.schedule},
                    {"verdict", verdict(m)},
                    {"ok", verdict_ok(m)},
                    {"final", json_parts::tables(committed_tables(m.run.world))}});
  return Json{{"format", "ccsim-serve-summary/1"},
              {"scenario", key},
              {"isolation", option_name(level)},
              {"runs", rows}}
             .dump(1) +
         "\n";
}

ApiResponse Api::run(const std::vector<std::pair<std::string, std::string>>& query) const {
  for (const auto& [k, v] : query)
    if (k != "scenario" && k != "mitigation" && k != "isolation" && k != "schedule" && k != "play")
      return bad("unknown parameter " + k +
                 " (known: scenario, mitigation, isolation, schedule, play)");
  const std::string* key = param(query, "scenario");
  const Scenario* s = served(key, "/api/run");
  const Mitigation* m = &s->mitigations.front();
  if (const std::string* name = param(query, "mitigation")) {
    m = s->find(*name);
    if (!m || std::none_of(s->mitigations.begin(), s->mitigations.end(),
                           [&](const Mitigation& x) { return x.name == *name; })) {
      std::vector<std::string> known;
      for (const Mitigation& x : s->mitigations) known.push_back(x.name);
      return bad("scenario " + *key + " runs no mitigation " + *name +
                 " (it runs: " + joined(known) + ")");
    }
  }
  RunOptions ro;
  ro.isolation = level_param(query);
  std::vector<std::string> names;
  if (const std::string* text = param(query, "schedule")) names = schedule_names(*text);
  if (names.size() > limits_.schedule_max)
    return bad("the schedule has " + std::to_string(names.size()) + " moves; at most " +
               std::to_string(limits_.schedule_max) + " are served");
  const std::string* play = param(query, "play");
  if (play && *play != "0" && *play != "1") return bad("play is 0 or 1, not " + *play);
  ro.limits.schedule_steps_max = limits_.schedule_max;

  World initial = initial_world(*s, *m, ro);
  Stepper run(initial, ScheduleSpec{}, ro.limits);
  Json trace = Json::array();
  auto record = [&](const TraceEntry& e) {
    Json j = json_parts::trace_entry(run.world(), run.result().log, e);
    j["views"] = request_views(run.world());
    add_movers(run.world(), j);
    trace.push_back(std::move(j));
  };
  for (size_t i = 0; i < names.size(); ++i) {
    const World& w = run.world();
    std::optional<RequestId> r = w.find(names[i]);
    std::string at = "move " + std::to_string(i + 1) + " of the schedule: ";
    if (!r) {
      std::vector<std::string> known;
      for (const Request& q : w.requests) known.push_back(q.name);
      return bad(at + "there is no request " + names[i] + " (requests: " + joined(known) + ")");
    }
    if (!runnable(w, *r)) return bad(at + why_not(w, w.requests[r->value]) + ": it cannot move");
    record(run.move(*r));
  }
  if (play && *play == "1") {
    try {
      while (!run.finished()) record(run.move(run.next()));
    } catch (const InputError& e) {
      return bad("playing on: " + e.message());
    }
  }

  const World& w = run.world();
  Json suggested = nullptr;
  bool finished = run.finished();
  if (!finished && run.result().schedule.size() < ro.limits.schedule_steps_max)
    suggested = w.requests[run.next().value].name;

  std::vector<std::string> schedule = run.result().schedule;
  Json start = {{"after", json_parts::frame(capture(initial))}, {"views", Json::object()}};
  add_movers(initial, start);
  Json doc = {{"format", "ccsim-serve-run/1"},
              {"scenario", *key},
              {"mitigation", m->name},
              {"isolation", option_name(initial.default_isolation)},
              {"schedule", schedule},
              {"start", start},
              {"trace", trace},
              {"suggested", suggested},
              {"finished", finished}};
  std::string text;
  for (const std::string& n : schedule) text += (text.empty() ? "" : " ") + n;
  std::string replay = "ccsim run " + *key + " --mitigation " + m->name;
  if (!text.empty()) replay += " --schedule \"" + text + "\"";
  if (initial.default_isolation != s->isolation)
    replay += std::string(" --isolation ") + option_name(initial.default_isolation);
  doc["replay"] = replay;
  if (!finished) {
    doc["result"] = nullptr;
    return json_response(200, doc);
  }
  ScheduleSpec spec = text.empty() ? ScheduleSpec{} : parse_schedule(text, SourcePos{});
  MitigationRun done = evaluate(*s, *m, spec, initial, run.finish());
  Json result = json_parts::run_json(*s, done);
  result.erase("trace");
  // The step that lost each update: the one whose events follow its write.
  Json lost = Json::array();
  for (const Anomaly& a : done.anomalies) {
    size_t position = 0;
    for (const TraceEntry& t : done.run.trace) {
      if (t.first_event <= a.write_event && a.write_event < t.end_event) position = t.position + 1;
      if (!position && a.write_event == t.end_event) position = t.position + 1;
    }
    lost.push_back({{"position", position}, {"requests", a.requests}, {"text", a.text}});
  }
  result["lost_writes"] = lost;
  doc["result"] = result;
  return json_response(200, doc);
}

}  // namespace ccsim
