// A request: one execution of a view by one client, seen from the
// application's side - where it stands in its program, what it holds in
// memory, how it ended. The same record whether its SQL runs on the
// simulated store or on a real PostgreSQL; the request machine
// (engine/request_machine.h) is the only code that moves it.
//
// Pure data: nothing here blocks, prints or reads a clock.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "lang/ast.h"
#include "lang/eval.h"

namespace ccsim {

// How a request ended. kRunning while it has steps left.
enum class Fate { kRunning, kCommitted, kAborted, kDropped, kGaveUp, kCrashed };
// "running", "committed", "aborted", "dropped", "gave_up", "crashed"
const char* to_string(Fate f);

enum class RunState { kReady, kBlocked, kDone };

struct Request {
  // ---- who it is: set when the scenario loads, never changed -------------------
  std::string name;
  std::string client;
  std::string process;  // the server process it runs in
  ProgramPtr program;
  // What it was sent with: a restart begins again from these. Shared and
  // never changed, so copying a request does not copy them.
  std::shared_ptr<const Vars> initial = std::make_shared<const Vars>();
  // A connection (an isolation-tester session) outlives its errors; a web
  // request (the default) ends at its first error.
  bool continue_on_error = false;

  // ---- where it stands -------------------------------------------------------------
  Vars vars;  // arguments, then whatever the steps assign
  size_t pc = 0;
  bool sent = false;
  RunState state = RunState::kReady;
  Fate fate = Fate::kRunning;
  std::string sqlstate;  // when aborted by an error
  std::string error;     // the error message, or why it gave up
  // RETRY step index -> retries used in a row (a handful at most).
  std::vector<std::pair<size_t, int64_t>> retries;
  int64_t retries_total = 0;
  int64_t restarts = 0;  // times the whole request started over
  int64_t steps_taken = 0;
  bool mutex_wait = false;  // blocked in ACQUIRE, not on SQL
  // While blocked: the requests it waits for (row lock holders, or the
  // mutex's holder), for people and for schedules that name a request that
  // cannot move.
  std::vector<RequestId> waiting_for;

  // Returns the retries used in a row by the RETRY at step `at` (0 when none).
  int64_t retries_at(size_t at) const;
  // Sets them; 0 forgets the step.
  void set_retries_at(size_t at, int64_t used);
};

}  // namespace ccsim
