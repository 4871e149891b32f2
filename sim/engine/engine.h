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

// ---- Rule: the timers of a waiting statement ---------------------------------
// With deadlock timers (World::deadlock_timers) a waiting statement has up
// to three: its wait's deadlock check (deadlock_timeout after the wait
// began, once per wait), lock_timeout (after the wait began; not for a
// safe snapshot, which is no lock) and statement_timeout (after the
// statement began). The first due fires first; on a tie, the earlier wait's
// first, and one session's in this order, as PostgreSQL orders its timeouts.
enum class TimerKind { kDeadlockCheck, kLockTimeout, kStatementTimeout };
struct WaitTimer {
  RequestId request;
  int64_t due_us;
  TimerKind kind;
};
// The timer due first, or nothing when no waiter has one left.
std::optional<WaitTimer> next_timer(const World& w);
// Moves the virtual clock to timer t and fires it: a deadlock check aborts
// the waiter with 40P01 when its wait is part of a cycle; a timeout cancels
// its statement (55P03 for lock_timeout, 57014 for statement_timeout).
// Returns whether the waiter's statement ended in an error.
bool fire_timer(World& w, const WaitTimer& t, Log* log);

// The client cancels r's waiting statement (libpq's PQcancel, as
// PostgreSQL's isolation tester does to a step still waiting after its
// step wait): it fails with 57014 "canceling statement due to user
// request". Returns whether r was waiting.
bool cancel_wait(World& w, RequestId r, Log* log);

// Runs setup statements (CREATE TABLE, INSERT, ...) outside any request, each
// in its own committed transaction. Throws SetupFailure when one fails.
void run_setup(World& w, const Program& setup, Log* log = nullptr);

}  // namespace ccsim
