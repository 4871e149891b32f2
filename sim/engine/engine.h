// The transition function: step(world, request) applies exactly one step of
// one request and reports what happened.
//
// It binds the request machine (the application's side of the request,
// engine/request_machine.h) to the simulated executor (its SQL,
// engine/executor.h) over one World. Synchronous and pure: no clocks,
// threads, I/O or global state. A statement that meets a conflicting row
// lock leaves its request blocked; when the holder ends, the waiter's
// statement completes inside the step that ended the holder (as
// PostgreSQL's waiting backend wakes at once), and its events follow the
// holder's in the log.
#pragma once
#include <optional>

#include "engine/executor.h"
#include "engine/log.h"
#include "engine/world.h"

namespace ccsim {

// Applies the next step of request r. REQUIRES: runnable(w, r).
// Appends events and observations to *log when log is not null.
void step(World& w, RequestId r, Log* log);

// With deadlock timers (World::deadlock_timers): the waiter whose deadlock
// check is due first (its wait's start plus its deadlock_timeout; the
// earlier wait first on a tie) and when, or nothing when every waiter's
// check has run.
struct DeadlockTimer {
  RequestId request;
  int64_t due_ms;
};
std::optional<DeadlockTimer> next_deadlock_timer(const World& w);
// Moves the virtual clock to timer t and runs its check: the waiter is
// aborted with 40P01 when its wait is part of a cycle. Returns whether it was.
bool fire_deadlock_timer(World& w, const DeadlockTimer& t, Log* log);

// Runs setup statements (CREATE TABLE, INSERT, ...) outside any request, each
// in its own committed transaction. Throws SetupFailure when one fails.
void run_setup(World& w, const Program& setup, Log* log = nullptr);

}  // namespace ccsim
