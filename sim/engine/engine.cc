#include "engine/engine.h"

#include <algorithm>

#include "engine/request_machine.h"

namespace ccsim {

void step(World& w, RequestId r, Log* log) {
  Executor sql(w, log);
  RequestMachine(w, sql, log).step(r);
}

std::optional<DeadlockTimer> next_deadlock_timer(const World& w) {
  std::optional<DeadlockTimer> best;
  uint64_t best_number = 0;
  for (size_t i = 0; i < w.sessions.size(); ++i) {
    const Session& s = w.sessions[i];
    if (!s.cursor || !s.cursor->waiting || s.cursor->deadlock_checked) continue;
    int64_t due = s.cursor->wait_since_ms + s.deadlock_timeout_ms;
    if (!best || due < best->due_ms ||
        (due == best->due_ms && s.cursor->wait_number < best_number)) {
      best = DeadlockTimer{RequestId{static_cast<uint32_t>(i)}, due};
      best_number = s.cursor->wait_number;
    }
  }
  return best;
}

bool fire_deadlock_timer(World& w, const DeadlockTimer& t, Log* log) {
  w.now_ms = std::max(w.now_ms, t.due_ms);
  Executor sql(w, log);
  RequestMachine machine(w, sql, log);
  return sql.deadlock_check(t.request);
}

void run_setup(World& w, const Program& setup, Log* log) {
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
  while (w.requests[0].state == RunState::kReady) step(w, r, log);
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
