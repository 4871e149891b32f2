// A Frame is what a person would want to see after a step: each request's
// state and memory, the committed rows, and the row locks held and awaited.
// The trace keeps one frame per scheduled step (docs/trace_format.md).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/world.h"

namespace ccsim {

struct RequestFrame {
  std::string name;
  std::string state;  // "not sent", "ready", "waiting", or the fate once done
  size_t pc = 0;      // next step, 0-based
  std::vector<std::pair<std::string, Value>> vars;  // what the request holds in memory
  uint32_t txn = 0;                                 // open transaction, 0 when none
  std::vector<std::string> waits_for;               // requests whose locks it waits on
};

struct TableFrame {
  std::string name;
  std::vector<std::string> columns;
  std::vector<Row> rows;          // newest committed version of each live row, in row order
  std::vector<std::string> keys;  // row_label() of each row: "auth_user(id=1)"
};

struct LockFrame {
  std::string row;      // row_label(): "auth_user(id=1)", or a mutex's label
  std::string request;  // the holder or waiter
  // "FOR UPDATE", ...; "MUTEX" for an application mutex, "ADVISORY" for an
  // advisory lock (row is then "advisory lock KEY")
  std::string mode;
  bool granted = true;  // false: waiting in the queue
};

// SERIALIZABLE's bookkeeping, when any transaction is tracked.
struct SsiFrame {
  std::vector<std::pair<std::string, std::string>> sireads;  // (request, what it covers)
  std::vector<std::pair<std::string, std::string>> rw;       // (reader, writer)
  std::vector<std::string> doomed;                           // requests marked to fail
};

struct Frame {
  std::vector<RequestFrame> requests;
  std::vector<TableFrame> tables;
  std::vector<LockFrame> locks;
  SsiFrame ssi;
};

// Returns the frame of w as it is now.
Frame capture(const World& w);

// Returns the committed contents of every live table (same as capture().tables).
std::vector<TableFrame> committed_tables(const World& w);
// The rows transaction `txn` would see now (its snapshot, its own writes), in
// heap order: the picture of "each transaction's view".
std::vector<TableFrame> visible_tables(const World& w, TxnId txn);

}  // namespace ccsim
