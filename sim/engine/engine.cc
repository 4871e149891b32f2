#include "engine/engine.h"

#include "engine/request_machine.h"

namespace ccsim {

void step(World& w, RequestId r, Log* log) {
  Executor sql(w, log);
  RequestMachine(w, sql, log).step(r);
}

void run_setup(World& w, const Program& setup) {
  // Setup runs as a throwaway request 0 before the scenario's requests exist
  // (REQUIRES: w.requests is empty); each statement autocommits. Its
  // transactions are committed and never waited on, so no later request can
  // be confused with it.
  Request q;
  q.name = "setup";
  q.program = std::make_shared<Program>(setup);
  w.requests.insert(w.requests.begin(), q);
  w.sessions.insert(w.sessions.begin(), Session{});
  RequestId r{0};
  while (w.requests[0].state == RunState::kReady) step(w, r, nullptr);
  Request done = w.requests[0];
  w.requests.erase(w.requests.begin());
  w.sessions.erase(w.sessions.begin());
  w.store.disown_all();
  if (done.fate == Fate::kAborted && !setup.steps.empty()) {
    const Step& failed = setup.steps[std::min(done.pc, setup.steps.size() - 1)];
    throw SetupFailure(SqlError(done.sqlstate, done.error),
                       SourcePos{setup.file, failed.line, failed.column});
  }
}

}  // namespace ccsim
