// Checks that read a finished run and say what went wrong, without knowing
// which mitigation ran: they see only the requests, the log of writes and
// transaction ends, and the initial and final worlds.
//
// Checkers only observe: they never change the world they are given.
#pragma once

#include <string>
#include <vector>

#include "engine/log.h"
#include "engine/world.h"

namespace ccsim {

struct Anomaly {
  std::string kind;                   // "lost_update"
  std::vector<std::string> requests;  // the overwriter first, then whose change was lost
  std::string text;                   // "B's write overwrote A's +10"
  // The overwriting write: the index of the first event logged after it (its
  // step's event), for pictures that mark the step that lost the update.
  size_t write_event = 0;
};

// ---- Lost update -------------------------------------------------------------
// A committed write of column c of a row is a lost update when the value it
// wrote was computed from a read of that row's c (a SELECT ... INTO whose
// value flowed into the SET through :params and LET) and, between the version
// read and the version the write replaced, another request's committed write
// changed c. The overwriter never saw that change.
std::vector<Anomaly> find_lost_updates(const World& final_world, const Log& log);

// ---- Serial equivalence -------------------------------------------------------
struct SerialResult {
  bool equivalent = false;
  std::vector<std::string> order;  // a serial order that gives the final rows, when equivalent
  size_t orders_tried = 0;
};

// Returns whether the committed contents of `final_world` equal those that
// running the committed requests one after another, in some order, produces
// from `initial`. Tries at most orders_max orders (8 requests = 40320).
// `classes`, when given, says which requests are interchangeable
// (classes[i]: request i's class; explore/state_key.h): two orders that
// differ only in which of them runs where give the same rows, so only one
// of them is tried (8 interchangeable requests: 1 order instead of 40320).
SerialResult check_serial(const World& initial, const World& final_world, size_t orders_max = 40320,
                          const std::vector<uint32_t>* classes = nullptr);

}  // namespace ccsim
