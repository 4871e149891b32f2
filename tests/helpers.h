// Test helpers: build small worlds from SQL text and drive them by name.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/frame.h"
#include "lang/parser.h"

namespace ccsim::test {

// A world whose setup is `setup` and whose requests run the given programs
// (name, steps), each from its own client.
inline World make_world(const std::string& setup,
                        const std::vector<std::pair<std::string, std::string>>& programs) {
  World w;
  run_setup(w, parse_program(setup, SourcePos{"setup", 1, 1}));
  for (const auto& [name, text] : programs) {
    Request q;
    q.name = name;
    q.client = name;
    q.program = std::make_shared<Program>(parse_program(text, SourcePos{name, 1, 1}));
    q.process = name;
    q.vars["rowcount"] = Var{int64_t{0}, {}};
    q.initial = std::make_shared<const Vars>(q.vars);
    w.add(std::move(q));
  }
  return w;
}

// Gives request `name` an argument, as the scenario's args would: it is part
// of what the request was sent with, so a restart keeps it.
inline void give_arg(World& w, const std::string& name, const std::string& arg, int64_t value) {
  Request& q = w.requests[w.find(name)->value];
  Vars initial = *q.initial;
  q.vars[arg] = initial[arg] = Var{value, {}};
  q.initial = std::make_shared<const Vars>(std::move(initial));
}

inline RequestId id(const World& w, const std::string& name) {
  return *w.find(name);
}

// Moves the named requests in order, e.g. "A A B". Returns the log.
inline Log play(World& w, const std::string& schedule) {
  Log log;
  std::string name;
  for (size_t i = 0; i <= schedule.size(); ++i) {
    if (i == schedule.size() || schedule[i] == ' ') {
      if (!name.empty()) step(w, id(w, name), &log);
      name.clear();
    } else {
      name += schedule[i];
    }
  }
  return log;
}

// The committed value of `column` in the row-th live row of `table`.
inline Value committed(const World& w, const std::string& table, size_t row,
                       const std::string& column) {
  for (const TableFrame& t : committed_tables(w)) {
    if (t.name != table) continue;
    for (size_t c = 0; c < t.columns.size(); ++c)
      if (t.columns[c] == column) return t.rows.at(row).at(c);
  }
  return Value{std::string("<missing>")};
}

inline const Request& req(const World& w, const std::string& name) {
  return w.requests[id(w, name).value];
}

inline Value var(const World& w, const std::string& request, const std::string& name) {
  const Request& q = req(w, request);
  auto it = q.vars.find(name);
  return it == q.vars.end() ? Value{std::string("<unset>")} : it->second.value;
}

}  // namespace ccsim::test
