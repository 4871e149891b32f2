// Reads scenario and mitigation TOML files (docs/scenario_format.md).
// Includes toml++ (slow to compile), as only scenario/toml_doc.* also do.
#include <algorithm>
#include <filesystem>
#include <set>

#include <toml++/toml.h>

#include "core/text.h"
#include "engine/engine.h"
#include "lang/parser.h"
#include "lang/validate.h"
#include "scenario/embedded.h"
#include "scenario/files.h"
#include "scenario/scenario.h"
#include "scenario/toml_doc.h"

namespace ccsim {

namespace {

namespace fs = std::filesystem;

const EmbeddedFile* embedded(const std::string& name) {
  for (const EmbeddedFile& f : embedded_files())
    if (f.name == name) return &f;
  return nullptr;
}

// The first session-level advisory-lock call in e, if any.
const Expr* session_advisory(const ExprPtr& e) {
  if (!e) return nullptr;
  if (e->kind == ExprKind::kAdvisory && e->call.session) return e.get();
  if (const Expr* x = session_advisory(e->lhs)) return x;
  return session_advisory(e->rhs);
}

// ---- Rule: no session-level advisory lock in a scenario -------------------
// A session-level lock outlives its transaction, and whether it outlives a
// web request depends on how long the request's connection lives (Django
// closes it at the request's end unless CONN_MAX_AGE keeps it open), which
// a scenario does not say: refused, never guessed. Specs, whose sessions
// are connections, take them.
void refuse_session_advisory(const Program& p) {
  for (const Step& st : p.steps) {
    std::string fn;
    int column = st.column;
    if (auto* adv = std::get_if<AdvisoryStmt>(&st.body))
      for (const AdvisoryItem& item : adv->items)
        if (fn.empty() && (item.call.session || item.call.kind != AdvisoryCall::Kind::kLock))
          fn = item.call.function();
    ExprPtr where;
    if (auto* sel = std::get_if<SelectStmt>(&st.body)) where = sel->where;
    if (auto* upd = std::get_if<UpdateStmt>(&st.body)) where = upd->where;
    if (auto* del = std::get_if<DeleteStmt>(&st.body)) where = del->where;
    if (const Expr* e = session_advisory(where)) {
      fn = e->call.function();
      column = e->column;
    }
    if (!fn.empty())
      throw InputError(SourcePos{p.file, st.line, column},
                       fn + " in a scenario is not modelled: a session-level advisory lock "
                            "outlives the transaction, and whether it outlives the request "
                            "depends on the connection's lifetime; use pg_advisory_xact_lock, "
                            "which ends with the transaction (session-level locks are modelled "
                            "in .spec files)");
  }
}

Mitigation read_mitigation(const Doc& d, const toml::table& t, const toml::node& owner,
                           std::string name, bool named_inside) {
  d.only_keys(t,
              {"name", "view", "summary", "failure", "django", "setup", "steps", "program",
               "client", "restart", "crash"},
              "a mitigation");
  Mitigation m;
  m.name = named_inside ? d.string(t, "name", owner, true, "the mitigation's name") : name;
  if (!valid_name(m.name))
    d.fail(named_inside ? *t.get("name") : owner,
           "a mitigation name is letters, digits and _, like select_for_update");
  m.file = d.file();
  m.view = d.string(t, "view", owner, false, "the view it implements");
  m.summary = d.string(t, "summary", owner, false, "one line on what it does");
  m.failure = d.string(t, "failure", owner, false, "how it fails");
  m.django = d.string(t, "django", owner, false, "the application code it models");
  m.setup = std::make_shared<Program>(d.program(t, "setup"));
  if (t.get("steps") && t.get("program"))
    d.fail(
        *t.get("program"),
        "give either 'steps' or 'program' (the name of a mitigation whose steps to run), not both");
  if (!t.get("steps") && !t.get("program"))
    d.fail(owner, "missing 'steps': the view's steps, one per line");
  if (t.get("steps")) {
    m.steps = std::make_shared<Program>(d.program(t, "steps"));
    if (m.steps->steps.empty()) d.fail(*t.get("steps"), "'steps' holds no step");
  }
  if (const toml::node* c = t.get("client")) {
    const toml::table& ct = d.table(*c, "client");
    d.only_keys(ct, {"debounce"}, "client");
    if (const toml::node* db = ct.get("debounce")) {
      if (!db->is_boolean())
        d.fail(*db,
               "'debounce' must be true or false, found " + std::string(type_name(db->type())));
      m.client.debounce = db->as_boolean()->get();
    }
  }
  if (const toml::node* rn = t.get("restart")) {
    const toml::table& rt = d.table(*rn, "restart");
    d.only_keys(rt, {"on", "max"}, "restart");
    const toml::node* mx = rt.get("max");
    if (!mx)
      d.fail(*rn,
             "a restart policy needs a bound: add max = N (how many times the request may start "
             "over)");
    if (!mx->is_integer() || mx->as_integer()->get() < 1 || mx->as_integer()->get() > kRestartsMax)
      d.fail(*mx, "'max' must be a whole number from 1 to " + std::to_string(kRestartsMax));
    m.restart.max = mx->as_integer()->get();
    if (const toml::node* on = rt.get("on")) {
      for (const toml::node& x : d.array(*on, "on")) {
        std::string code = x.is_string() ? std::string(x.as_string()->get()) : "";
        bool valid = code.size() == 5 && std::all_of(code.begin(), code.end(), [](char c) {
                       return std::isdigit(static_cast<unsigned char>(c)) ||
                              std::isupper(static_cast<unsigned char>(c));
                     });
        if (!valid)
          d.fail(x, "'on' lists SQLSTATEs, five digits or capital letters, like \"40001\"");
        m.restart.on.push_back(code);
      }
    }
  }
  if (const toml::node* cn = t.get("crash")) {
    const toml::table& ct = d.table(*cn, "crash");
    d.only_keys(ct, {"request", "step"}, "crash");
    CrashPoint c;
    c.request = d.string(ct, "request", *cn, true, "the request that crashes, like \"A\"");
    m.crash_request_pos = d.pos(*ct.get("request"));
    const toml::node* sn = ct.get("step");
    if (!sn) d.fail(*cn, "missing 'step': the step (from 1) at which the request's process dies");
    if (!sn->is_integer() || sn->as_integer()->get() < 1)
      d.fail(*sn, "'step' must be a step number, 1 or more");
    c.step = static_cast<size_t>(sn->as_integer()->get() - 1);
    m.crash_step_pos = d.pos(*sn);
    m.crash = c;
  }
  if (m.steps && m.restart.max == 0)
    for (const Step& st : m.steps->steps)
      if (std::holds_alternative<RestartAction>(st.body))
        throw InputError(SourcePos{m.steps->file, st.line, st.column},
                         "RESTART IF needs a bound: give the mitigation restart = { max = N }");
  if (m.steps) {
    refuse_session_advisory(*m.steps);
    // The explorer's states carry no table's keys but a new table's: a
    // key added while requests run would make two states look alike.
    for (const Step& st : m.steps->steps)
      if (std::holds_alternative<AlterForeignKeyStmt>(st.body))
        throw InputError(SourcePos{m.steps->file, st.line, st.column},
                         "ALTER TABLE ... FOREIGN KEY and VALIDATE CONSTRAINT in a request are "
                         "not modelled; add the key in the setup (or try it in a .spec's "
                         "sessions)");
      else if (std::holds_alternative<SequenceStmt>(st.body))
        throw InputError(SourcePos{m.steps->file, st.line, st.column}, kSequenceWhere);
  }
  return m;
}

// Looks a mitigation up: the scenario's [programs], then DIR/mitigations,
// then the built-in library. `depth` bounds chains of `program = "..."`.
Mitigation find_mitigation(const std::string& name, const Doc& scenario, const std::string& dir,
                           const toml::node& at, int depth);

Mitigation resolve(Mitigation m, const toml::table& t, const Doc& d, const Doc& scenario,
                   const std::string& dir, int depth) {
  if (const toml::node* p = t.get("program")) {
    if (!p->is_string())
      d.fail(*p, "'program' must be the name of a mitigation, found " +
                     std::string(type_name(p->type())));
    if (depth > 4)
      d.fail(*p, "'program' refers through more than 4 mitigations; is there a cycle?");
    Mitigation base =
        find_mitigation(std::string(p->as_string()->get()), scenario, dir, *p, depth + 1);
    m.steps = base.steps;
    if (m.restart.max == 0) m.restart = base.restart;
    if (!m.crash)
      m.crash = base.crash, m.crash_request_pos = base.crash_request_pos,
      m.crash_step_pos = base.crash_step_pos;
    if (m.setup->steps.empty()) m.setup = base.setup;
    if (m.view.empty()) m.view = base.view;
  }
  return m;
}

Mitigation from_library(const std::string& name, const Doc& scenario, const std::string& dir,
                        const toml::node& at, int depth) {
  std::string text, file;
  std::error_code ec;
  fs::path local = fs::path(dir) / "mitigations" / (name + ".toml");
  if (!dir.empty() && fs::is_regular_file(local, ec)) {
    file = local.string();
    text = read_input_file(file, kInputBytesMax, "scenario");
  } else if (const EmbeddedFile* f = embedded("mitigations/" + name + ".toml")) {
    file = "scenarios/mitigations/" + name + ".toml (built in)";
    text = std::string(f->text);
  } else {
    std::string known;
    for (const Mitigation& m : builtin_mitigations()) known += (known.empty() ? "" : ", ") + m.name;
    scenario.fail(at, "unknown mitigation '" + name + "' (built in: " + known +
                          "; or define it under [programs." + name + "])");
  }
  Doc d(text, file);
  Mitigation m = read_mitigation(d, d.root(), d.root(), name, true);
  if (m.name != name)
    d.fail(*d.root().get("name"),
           "this file is named " + name + ".toml but says name = \"" + m.name + "\"");
  return resolve(std::move(m), d.root(), d, scenario, dir, depth);
}

Mitigation find_mitigation(const std::string& name, const Doc& scenario, const std::string& dir,
                           const toml::node& at, int depth) {
  // A name is also a file name in mitigations/: nothing but a plain name.
  if (!valid_name(name))
    scenario.fail(
        at, "a mitigation name is letters, digits and _, like select_for_update; found \"" + name +
                "\"");
  if (const toml::node* progs = scenario.root().get("programs")) {
    const toml::table& pt = scenario.table(*progs, "programs");
    if (const toml::node* own = pt.get(name)) {
      const toml::table& t = scenario.table(*own, "programs." + name);
      Mitigation m = read_mitigation(scenario, t, *own, name, false);
      return resolve(std::move(m), t, scenario, scenario, dir, depth);
    }
  }
  return from_library(name, scenario, dir, at, depth);
}

// Every name an explicit schedule (written at `p`) gives is a request's:
// the same refusal whichever command reads the scenario.
void check_schedule_names(const ScheduleSpec& spec, const SourcePos& p,
                          const std::vector<RequestSpec>& requests) {
  for (size_t i = 0; i < spec.names.size(); ++i) {
    const std::string& n = spec.names[i];
    if (std::none_of(requests.begin(), requests.end(),
                     [&](const RequestSpec& r) { return r.name == n; })) {
      SourcePos at = p;
      at.column += spec.columns[i];
      throw InputError(at, "the schedule names " + n + ", but there is no request of that name");
    }
  }
}

Isolation parse_isolation(const Doc& d, const toml::node& n) {
  std::string v = n.is_string() ? std::string(n.as_string()->get()) : "";
  if (auto iso = isolation_named(v)) return *iso;
  d.fail(n, "'isolation' must be read-committed, repeatable-read or serializable");
}

const std::set<std::string> kFates = {"committed", "aborted", "dropped", "gave_up", "crashed"};

Expectation read_expectation(const Doc& d, const toml::node& n, const Scenario& s,
                             const std::map<std::string, World>& worlds) {
  const toml::table& t = d.table(n, "expect");
  d.only_keys(t,
              {"mitigation", "schedule", "seed", "final", "requests", "anomalies", "serializable",
               "waits", "retries", "restarts", "isolation", "every_interleaving"},
              "an [[expect]] entry");
  Expectation e;
  e.pos = d.pos(n);
  e.mitigation = d.string(t, "mitigation", n, true, "the mitigation this expectation is about");
  if (!s.find(e.mitigation)) {
    std::string known;
    for (const Mitigation& m : s.mitigations) known += (known.empty() ? "" : ", ") + m.name;
    d.fail(*t.get("mitigation"),
           "this scenario does not run mitigation '" + e.mitigation + "' (it runs: " + known + ")");
  }
  e.schedule_spec = s.schedule;
  if (const toml::node* sch = t.get("schedule")) {
    if (!sch->is_string())
      d.fail(*sch, "'schedule' must be text, like \"A B A B\" or \"round-robin\"");
    SourcePos p = d.pos(*sch);
    p.column += 1;  // past the opening quote
    e.schedule_spec = parse_schedule(std::string(sch->as_string()->get()), p);
    check_schedule_names(e.schedule_spec, p, s.requests);
  }
  if (const toml::node* seed = t.get("seed")) {
    if (!seed->is_integer() || seed->as_integer()->get() < 0)
      d.fail(*seed, "'seed' must be a whole number, 0 or more");
    e.schedule_spec = random_schedule(static_cast<uint64_t>(seed->as_integer()->get()));
  }
  e.schedule = e.schedule_spec.key();
  const World& w = worlds.at(e.mitigation);
  if (const toml::node* f = t.get("final")) {
    for (auto&& [tk, rows] : d.table(*f, "final")) {
      std::string tname(tk.str());
      auto tid = w.store.find_table(tname);
      if (!tid)
        d.fail(rows, "'final' names table " + tname + ", which this scenario does not have");
      const Table& table = w.store.table(*tid);
      auto& out = e.final_rows[tname];
      for (const toml::node& row : d.array(rows, "final." + tname)) {
        ExpectedRow er;
        for (auto&& [ck, cv] : d.table(row, "a row of final." + tname)) {
          std::string col(ck.str());
          if (table.column_index(col) < 0) d.fail(cv, "table " + tname + " has no column " + col);
          Value want = d.value(cv, col);
          // A number expected in a numeric(p, s) column is compared at the
          // column's scale, as the column stores it (79.5 is 79.50).
          const Column& c = table.columns[static_cast<size_t>(table.column_index(col))];
          if (c.precision > 0 && is_number(want))
            if (std::optional<Value> at = exactly_at_scale(want, c.scale)) want = *at;
          er.columns.emplace_back(col, want);
        }
        out.push_back(std::move(er));
      }
    }
  }
  auto request_name = [&](const toml::key& k, const toml::node& at) {
    std::string name(k.str());
    bool known = std::any_of(s.requests.begin(), s.requests.end(),
                             [&](const RequestSpec& r) { return r.name == name; });
    if (!known) d.fail(at, "there is no request named " + name);
    return name;
  };
  if (const toml::node* rq = t.get("requests")) {
    for (auto&& [k, v] : d.table(*rq, "requests")) {
      std::string name = request_name(k, v);
      if (!v.is_string())
        d.fail(v, "a request's expected fate is text, like \"committed\" or \"aborted:40001\"");
      std::string fate(v.as_string()->get());
      if (!kFates.count(fate.substr(0, fate.find(':'))))
        d.fail(v, "unknown fate '" + fate +
                      "' (expected committed, aborted, aborted:SQLSTATE, dropped, gave_up or "
                      "crashed)");
      e.requests[name] = fate;
    }
  }
  if (const toml::node* an = t.get("anomalies")) {
    e.anomalies.emplace();
    for (const toml::node& a : d.array(*an, "anomalies")) {
      if (!a.is_string() || a.as_string()->get() != "lost_update")
        d.fail(a, "unknown anomaly " +
                      (a.is_string() ? "'" + std::string(a.as_string()->get()) + "'"
                                     : std::string("(not text)")) +
                      "; the checks know: lost_update");
      e.anomalies->push_back(std::string(a.as_string()->get()));
    }
  }
  if (const toml::node* se = t.get("serializable")) {
    if (!se->is_boolean()) d.fail(*se, "'serializable' must be true or false");
    e.serializable = se->as_boolean()->get();
  }
  if (const toml::node* wt = t.get("waits")) {
    e.waits.emplace();
    for (const toml::node& x : d.array(*wt, "waits")) {
      if (!x.is_string()) d.fail(x, "'waits' lists request names");
      std::string name(x.as_string()->get());
      if (!std::any_of(s.requests.begin(), s.requests.end(),
                       [&](const RequestSpec& r) { return r.name == name; }))
        d.fail(x, "there is no request named " + name);
      e.waits->push_back(name);
    }
  }
  if (const toml::node* rt = t.get("retries")) {
    for (auto&& [k, v] : d.table(*rt, "retries")) {
      std::string name = request_name(k, v);
      if (!v.is_integer() || v.as_integer()->get() < 0)
        d.fail(v, "a retry count is a whole number, 0 or more");
      e.retries[name] = v.as_integer()->get();
    }
  }
  if (const toml::node* rt = t.get("restarts")) {
    for (auto&& [k, v] : d.table(*rt, "restarts")) {
      std::string name = request_name(k, v);
      if (!v.is_integer() || v.as_integer()->get() < 0)
        d.fail(v, "a restart count is a whole number, 0 or more");
      e.restarts[name] = v.as_integer()->get();
    }
  }
  if (const toml::node* iso = t.get("isolation")) e.isolation = parse_isolation(d, *iso);
  if (const toml::node* ev = t.get("every_interleaving")) {
    std::string v = ev->is_string() ? std::string(ev->as_string()->get()) : "";
    if (v != "never_fails" && v != "can_fail")
      d.fail(*ev, "'every_interleaving' must be \"never_fails\" or \"can_fail\"");
    for (auto&& [k, x] : t) {
      std::string key(k.str());
      if (key != "mitigation" && key != "isolation" && key != "every_interleaving")
        d.fail(x, "'" + key +
                      "' is about one schedule; an every_interleaving entry holds only "
                      "mitigation, isolation and every_interleaving (write another [[expect]])");
    }
    e.every_interleaving = v;
  }
  return e;
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::string& dir) {
  Doc d(text, file);
  const toml::table& root = d.root();
  d.only_keys(root,
              {"title", "description", "view", "setup", "requests", "mitigations", "programs",
               "schedule", "seed", "isolation", "show", "expect", "processes"},
              "a scenario");
  Scenario s;
  s.file = file;
  s.title = d.string(root, "title", root, false, "");
  s.description = d.string(root, "description", root, false, "");
  s.view = d.string(root, "view", root, false, "");
  s.setup = d.program(root, "setup");
  if (s.setup.steps.empty())
    throw InputError(
        SourcePos{file, 1, 1},
        "missing 'setup': the CREATE TABLE and INSERT statements that make the initial rows");
  for (const Step& st : s.setup.steps)
    if (!std::holds_alternative<CreateTableStmt>(st.body) &&
        !std::holds_alternative<InsertStmt>(st.body) &&
        !std::holds_alternative<UpdateStmt>(st.body) &&
        !std::holds_alternative<DeleteStmt>(st.body) &&
        !std::holds_alternative<AddIndexStmt>(st.body) &&
        !std::holds_alternative<AlterForeignKeyStmt>(st.body) &&
        !(std::holds_alternative<SequenceStmt>(st.body) && !std::get<SequenceStmt>(st.body).drop))
      throw InputError(SourcePos{file, st.line, st.column},
                       "setup holds CREATE TABLE, CREATE SEQUENCE, INSERT, UPDATE, DELETE, ALTER "
                       "TABLE ... ADD PRIMARY KEY | UNIQUE | FOREIGN KEY and CREATE UNIQUE INDEX "
                       "statements only");
  if (const toml::node* iso = root.get("isolation")) s.isolation = parse_isolation(d, *iso);
  if (const toml::node* ps = root.get("processes")) {
    for (const toml::node& x : d.array(*ps, "processes")) {
      std::string p = x.is_string() ? std::string(x.as_string()->get()) : "";
      if (!valid_name(p)) d.fail(x, "a process name is letters, digits and _, like web1");
      if (std::find(s.processes.begin(), s.processes.end(), p) != s.processes.end())
        d.fail(x, "process " + p + " is listed twice");
      s.processes.push_back(p);
    }
    if (s.processes.empty())
      d.fail(*ps, "'processes' is empty; list at least one, like [\"web1\"]");
  }

  // Requests.
  const toml::node* reqs = root.get("requests");
  if (!reqs)
    throw InputError(SourcePos{file, 1, 1}, "missing [[requests]]: at least one request to run");
  const toml::array& ra = d.array(*reqs, "requests");
  if (ra.empty()) d.fail(*reqs, "'requests' is empty; add at least one [[requests]]");
  if (ra.size() > kRequestsMax)
    d.fail(*reqs,
           "at most 26 requests (one per letter); this scenario has " + std::to_string(ra.size()));
  for (const toml::node& rn : ra) {
    const toml::table& rt = d.table(rn, "requests");
    d.only_keys(rt, {"name", "client", "process", "args"}, "a [[requests]] entry");
    RequestSpec r;
    r.pos = d.pos(rn);
    r.name = d.string(rt, "name", rn, true, "the request's name, like A");
    if (!valid_name(r.name))
      d.fail(*rt.get("name"), "a request name is letters, digits and _, like A");
    for (const RequestSpec& other : s.requests)
      if (other.name == r.name) d.fail(*rt.get("name"), "two requests are named " + r.name);
    r.client = d.string(rt, "client", rn, false, "the client (browser tab) that sends it");
    if (r.client.empty()) r.client = r.name;
    r.process = d.string(rt, "process", rn, false, "the server process that runs it");
    if (const toml::node* pn = rt.get("process")) {
      if (s.processes.empty())
        d.fail(*pn, "process " + r.process +
                        " is not declared: list the scenario's processes, like processes = "
                        "[\"web1\", \"web2\"]");
      if (std::find(s.processes.begin(), s.processes.end(), r.process) == s.processes.end()) {
        std::string known;
        for (const std::string& p : s.processes) known += (known.empty() ? "" : ", ") + p;
        d.fail(*pn, "unknown process '" + r.process + "' (this scenario has: " + known + ")");
      }
    } else {
      // Undeclared, each request runs in a process of its own.
      r.process = s.processes.empty() ? r.name : s.processes.front();
    }
    if (const toml::node* args = rt.get("args")) {
      for (auto&& [k, v] : d.table(*args, "args")) {
        std::string key(k.str());
        if (!valid_name(key) || key == "rowcount" || key == "request_id")
          d.fail(v, "'" + key +
                        "' cannot be an argument name (letters, digits and _; rowcount and "
                        "request_id are built in)");
        r.args.emplace_back(key, d.value(v, key));
      }
    }
    s.requests.push_back(std::move(r));
  }

  // Schedule.
  s.schedule = parse_schedule("round-robin", SourcePos{file, 0, 0});
  if (const toml::node* sch = root.get("schedule")) {
    if (!sch->is_string())
      d.fail(*sch, "'schedule' must be text: \"round-robin\" or request names like \"A B A B\"");
    SourcePos p = d.pos(*sch);
    p.column += 1;  // past the opening quote
    s.schedule = parse_schedule(std::string(sch->as_string()->get()), p);
    check_schedule_names(s.schedule, p, s.requests);
  }
  if (const toml::node* seed = root.get("seed")) {
    if (root.get("schedule")) d.fail(*seed, "give either 'schedule' or 'seed', not both");
    if (!seed->is_integer() || seed->as_integer()->get() < 0)
      d.fail(*seed, "'seed' must be a whole number, 0 or more");
    s.schedule = random_schedule(static_cast<uint64_t>(seed->as_integer()->get()));
  }

  // Mitigations. Every program defined here has a plain name.
  if (const toml::node* progs = root.get("programs"))
    for (auto&& [key, node] : d.table(*progs, "programs"))
      if (!valid_name(std::string(key.str())))
        d.fail(node, "a program's name is letters, digits and _, like my_fix; found \"" +
                         std::string(key.str()) + "\"");
  const toml::node* ms = root.get("mitigations");
  if (!ms)
    throw InputError(SourcePos{file, 1, 1},
                     "missing 'mitigations': the list of mitigations to run, like [\"none\"]");
  const toml::array& ma = d.array(*ms, "mitigations");
  if (ma.empty()) d.fail(*ms, "'mitigations' is empty");
  std::map<std::string, World> worlds;
  for (const toml::node& mn : ma) {
    if (!mn.is_string()) d.fail(mn, "a mitigation is named by text, like \"none\"");
    std::string name(mn.as_string()->get());
    if (s.find(name)) d.fail(mn, "mitigation " + name + " is listed twice");
    Mitigation m = find_mitigation(name, d, dir, mn, 0);
    if (!s.view.empty() && !m.view.empty() && m.view != s.view)
      d.fail(mn, "mitigation " + name + " implements view " + m.view + ", but this scenario runs " +
                     s.view);
    if (m.crash) {
      if (std::none_of(s.requests.begin(), s.requests.end(),
                       [&](const RequestSpec& r) { return r.name == m.crash->request; }))
        throw InputError(m.crash_request_pos, "the crash names request " + m.crash->request +
                                                  ", but scenario " + file +
                                                  " has no request of "
                                                  "that name");
      if (m.crash->step >= m.steps->steps.size())
        throw InputError(m.crash_step_pos, "the crash is at step " +
                                               std::to_string(m.crash->step + 1) +
                                               ", but mitigation " + name + " has " +
                                               std::to_string(m.steps->steps.size()) + " steps");
    }
    // ---- Rule: a scenario's steps have no clock ---------------------------------
    // Its scheduler, not time, decides when a waiter goes on, so a timeout
    // has no moment to fire: lock_timeout and statement_timeout are for specs.
    for (const Step& st : m.steps->steps)
      if (auto* set = std::get_if<SetStmt>(&st.body);
          set && (set->name == "lock_timeout" || set->name == "statement_timeout"))
        throw InputError(SourcePos{m.steps->file, st.line, st.column},
                         std::string(set->reset ? "RESET " : "SET ") + set->name +
                             " is modelled in specs only (ccsim run FILE.spec), where time "
                             "passes while the tester waits; a scenario's steps come when its "
                             "scheduler says, with no clock to time a wait");
    World w;
    try {
      w = build_world(s, m);
    } catch (const SetupFailure& e) {
      throw InputError(e.pos(), "the setup fails: " + std::string(e.what()) + " (SQLSTATE " +
                                    e.sqlstate() + ")");
    }
    for (const RequestSpec& r : s.requests) {
      std::set<std::string> params{"request_id", "rowcount"};
      for (const auto& a : r.args) params.insert(a.first);
      try {
        validate_program(*m.steps, w.store, params);
      } catch (const InputError& e) {
        if (m.steps->file == file) throw;
        // The step is fine for other scenarios; what this one lacks is
        // usually an argument or table: point at both places.
        throw InputError(r.pos,
                         "request " + r.name + " cannot run mitigation " + name + ": " + e.what());
      }
    }
    worlds.emplace(name, std::move(w));
    s.mitigations.push_back(std::move(m));
  }

  // What summaries show.
  const World& any = worlds.begin()->second;
  if (const toml::node* show = root.get("show")) {
    for (const toml::node& x : d.array(*show, "show")) {
      std::string v = x.is_string() ? std::string(x.as_string()->get()) : "";
      size_t dot = v.find('.');
      if (dot == std::string::npos)
        d.fail(x, "'show' lists columns as \"table.column\", like \"auth_user.points\"");
      auto tid = any.store.find_table(v.substr(0, dot));
      if (!tid || any.store.table(*tid).column_index(v.substr(dot + 1)) < 0)
        d.fail(x, "there is no column " + v);
      s.show.emplace_back(v.substr(0, dot), v.substr(dot + 1));
    }
  }

  if (const toml::node* ex = root.get("expect"))
    for (const toml::node& en : d.array(*ex, "expect"))
      s.expectations.push_back(read_expectation(d, en, s, worlds));
  return s;
}

Scenario load_scenario(const std::string& path, size_t bytes_max) {
  std::error_code ec;
  if (is_spec_path(path) && fs::exists(path, ec))
    throw InputError(SourcePos{path, 0, 0},
                     "this command takes a scenario (.toml); an isolation-tester spec is read by "
                     "ccsim run, check and verify");
  if (fs::exists(path, ec)) {
    fs::path dir = fs::path(path).parent_path();
    return load_scenario_text(read_input_file(path, bytes_max, "scenario"), path,
                              dir.empty() ? "." : dir.string());
  }
  std::string name = fs::path(path).filename().string();
  if (name.size() < 5 || name.substr(name.size() - 5) != ".toml") name += ".toml";
  if (const EmbeddedFile* f = embedded(name))
    return load_scenario_text(std::string(f->text), "scenarios/" + name + " (built in)", "");
  std::string known;
  for (const std::string& n : builtin_scenarios()) known += (known.empty() ? "" : ", ") + n;
  throw InputError(SourcePos{path, 0, 0},
                   "no such file, and no built-in scenario of that name (built in: " + known + ")");
}

Mitigation load_mitigation_text(const std::string& text, const std::string& file) {
  Doc d(text, file);
  Mitigation m = read_mitigation(d, d.root(), d.root(), "", true);
  if (!m.steps) {
    std::string base(d.root().get("program")->as_string()->get());
    if (const EmbeddedFile* f = embedded("mitigations/" + base + ".toml")) {
      Mitigation b = load_mitigation_text(std::string(f->text), std::string(f->name));
      m.steps = b.steps;
    }
  }
  return m;
}

std::vector<std::string> builtin_scenarios() {
  std::vector<std::string> out;
  for (const EmbeddedFile& f : embedded_files())
    if (f.name.find('/') == std::string_view::npos)
      out.push_back(std::string(f.name.substr(0, f.name.size() - 5)));
  return out;
}

std::vector<Mitigation> builtin_mitigations() {
  std::vector<Mitigation> out;
  for (const EmbeddedFile& f : embedded_files())
    if (f.name.rfind("mitigations/", 0) == 0)
      out.push_back(load_mitigation_text(std::string(f.text), "scenarios/" + std::string(f.name)));
  return out;
}

}  // namespace ccsim
