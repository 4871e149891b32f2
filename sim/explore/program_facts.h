// What the explorer may forget about a request because no later step can
// depend on it, read off its program before anything runs.
//
// - Liveness: a variable is live at a step when some step from there on may
//   read it before it is assigned again. Two requests that differ only in a
//   dead variable (the request.user they will never look at again) have the
//   same future.
// - The step bound: the most steps one request can take, counting every
//   RETRY's bound and every restart. When it is within the step limit, the
//   count of steps taken can never matter.
//
// Pure functions of the program; nothing here runs a step.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/app.h"
#include "lang/ast.h"

namespace ccsim {

struct ProgramFacts {
  // live[pc]: the variables steps from pc on may read before assigning them,
  // sorted; live[steps.size()] (returned) is empty.
  std::vector<std::vector<std::string>> live;
  // Every parameter any step reads (arguments among them).
  std::set<std::string> reads;
  // True when a step takes a per-process mutex (ACQUIRE MUTEX without GLOBAL).
  bool process_mutex = false;
  // True when a step begins a SERIALIZABLE transaction.
  bool begins_serializable = false;
  // True when a step is SET TRANSACTION (whose answer depends on whether the
  // transaction took a snapshot) or sets default_transaction_isolation.
  bool sets_transaction = false;
  // The most steps a request running this program can take, when bounded
  // by the program alone.
  std::optional<int64_t> steps_bound;
};

// Analyses program p as run by a request with `restart` as its restart policy.
// continue_on_error: the request is a session that goes on after an error
// (then no statement surely assigns its INTO variables).
ProgramFacts analyse_program(const Program& p, const RestartPolicy& restart,
                             bool continue_on_error);

}  // namespace ccsim
