// What a loaded scenario builds: its requests under a mitigation, as an
// Application (the requests' side) or a whole simulated World.
#include <set>

#include "engine/engine.h"
#include "scenario/scenario.h"

namespace ccsim {

const Mitigation* Scenario::find(const std::string& name) const {
  for (const Mitigation& m : mitigations)
    if (m.name == name) return &m;
  return nullptr;
}

Vars initial_vars(const RequestSpec& r, size_t index) {
  Vars vars;
  for (const auto& [k, v] : r.args) vars[k] = Var{v, {}};
  vars["request_id"] = Var{static_cast<int64_t>(index + 1), {}};
  vars["rowcount"] = Var{int64_t{0}, {}};
  return vars;
}

Scenario with_request_count(const Scenario& s, size_t n) {
  if (n == 0 || n > kRequestsMax)
    throw InputError(SourcePos{"--requests", 0, 0},
                     "the number of requests must be 1 to " + std::to_string(kRequestsMax) +
                         " (one per capital letter), not " + std::to_string(n));
  Scenario out = s;
  if (n == s.requests.size()) return out;
  std::set<std::string> taken;
  for (const RequestSpec& r : s.requests) taken.insert(r.name);
  out.requests.clear();
  char next = 'A';
  for (size_t i = 0; i < n; ++i) {
    if (i < s.requests.size()) {
      out.requests.push_back(s.requests[i]);
      continue;
    }
    RequestSpec copy = s.requests[i % s.requests.size()];
    while (next <= 'Z' && taken.count(std::string(1, next))) ++next;
    if (next > 'Z')
      throw InputError(SourcePos{"--requests", 0, 0},
                       "no capital letter is left to name request " + std::to_string(i + 1));
    copy.name = std::string(1, next);
    taken.insert(copy.name);
    out.requests.push_back(std::move(copy));
  }
  if (n < s.requests.size()) out.requests.resize(n);
  std::vector<Expectation> kept;
  for (const Expectation& e : s.expectations)
    if (e.every_interleaving) kept.push_back(e);
  out.expectations = std::move(kept);
  // An explicit schedule names the scenario's own requests.
  if (out.schedule.kind == ScheduleSpec::Kind::kExplicit) out.schedule = ScheduleSpec{};
  return out;
}

Application build_application(const Scenario& s, const Mitigation& m) {
  Application app;
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const RequestSpec& spec = s.requests[i];
    Request q;
    q.name = spec.name;
    q.client = spec.client;
    q.process = spec.process;
    q.program = m.steps;
    q.vars = initial_vars(spec, i);
    q.initial = std::make_shared<const Vars>(q.vars);
    app.requests.push_back(std::move(q));
    app.clients[spec.client] = m.client;
  }
  app.restart = m.restart;
  app.crash = m.crash;
  return app;
}

World build_world(const Scenario& s, const Mitigation& m) {
  World w;
  w.default_isolation = s.isolation;
  run_setup(w, s.setup);
  if (m.setup && !m.setup->steps.empty()) run_setup(w, *m.setup);
  static_cast<Application&>(w) = build_application(s, m);
  w.sessions.assign(w.requests.size(), Session{});
  w.table_locks = m.steps && uses_table_locks(*m.steps);
  return w;
}

}  // namespace ccsim
