// The simulated world: the store plus the requests that run programs against
// it, and the clients that send them.
//
// A World is a value: copy it to branch. It holds no pointers into itself;
// programs are shared immutable data. Nothing here blocks, prints or reads a
// clock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/app.h"
#include "lang/ast.h"
#include "lang/eval.h"
#include "store/store.h"

namespace ccsim {

// How a request ended. kRunning while it has steps left.
enum class Fate { kRunning, kCommitted, kAborted, kDropped, kGaveUp, kCrashed };
// "running", "committed", "aborted", "dropped", "gave_up", "crashed"
const char* to_string(Fate f);

enum class RunState { kReady, kBlocked, kDone };

// A statement in progress. It lives across steps only while the statement
// waits for a row lock; when the lock is granted it resumes where it stopped.
struct Cursor {
  TxnId txn;
  Snapshot snapshot;
  std::vector<VersionId> candidates;  // rows the statement's snapshot matched, in order
  std::vector<Row> inserts;           // INSERT: evaluated rows still to insert
  size_t next = 0;                    // next candidate or insert row
  std::vector<VersionId> out;         // SELECT: result rows (versions), in order
  int64_t rowcount = 0;
  bool waiting = false;
  RowId wait_row;
  std::vector<RequestId> waited_for;  // whom it waited for, for narration
};

// A client sends requests; with debounce it drops a click while one of its
// requests is in flight (the button is disabled).
struct ClientPolicy {
  bool debounce = false;
};

struct Request {
  std::string name;
  std::string client;
  std::string process;  // the server process it runs in
  ProgramPtr program;
  // What it was sent with: a restart begins again from these. Shared and
  // never changed, so copying a request does not copy them.
  std::shared_ptr<const Vars> initial = std::make_shared<const Vars>();
  Vars vars;  // arguments, then whatever the steps assign
  size_t pc = 0;
  bool sent = false;
  TxnId txn;              // the open transaction, explicit or autocommit
  bool in_block = false;  // inside BEGIN ... COMMIT
  std::optional<Cursor> cursor;
  RunState state = RunState::kReady;
  Fate fate = Fate::kRunning;
  std::string sqlstate;  // when aborted by an error
  std::string error;     // the error message, or why it gave up
  // A connection (an isolation-tester session) outlives its errors; a web
  // request (the default) ends at its first error.
  bool continue_on_error = false;
  bool failed_block = false;          // inside BEGIN after an error: only COMMIT/ROLLBACK work
  std::map<size_t, int64_t> retries;  // RETRY step index -> retries used in a row
  int64_t retries_total = 0;
  int64_t restarts = 0;  // times the whole request started over
  int64_t steps_taken = 0;
  bool mutex_wait = false;  // blocked in ACQUIRE, not on a row lock
};

// Deliberate departures from PostgreSQL, to prove that `ccsim verify` notices
// them. Never set outside tests and --inject-fault.
struct Faults {
  bool no_where_recheck = false;  // a waiting UPDATE does not re-check its WHERE
};

struct World {
  Store store;
  Faults faults;
  std::vector<Request> requests;
  std::map<std::string, ClientPolicy> clients;
  Mutexes mutexes;  // application mutexes; requests by index
  RestartPolicy restart;
  std::optional<CrashPoint> crash;
  Isolation default_isolation = Isolation::kReadCommitted;
  int64_t steps_per_request_max = 1000;  // a request that takes more steps gives up

  // Returns the request that owns transaction t.
  RequestId owner(TxnId t) const { return store.txn(t).owner; }
  // Returns the request of that name, if any.
  std::optional<RequestId> find(const std::string& name) const;
};

// Returns true when request r can take a step now.
inline bool runnable(const World& w, RequestId r) {
  return w.requests[r.value].state == RunState::kReady;
}
// Returns true when every request has ended.
bool all_done(const World& w);

}  // namespace ccsim
