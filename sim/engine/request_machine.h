// The request machine: the application's side of every request, decided in
// one place for the simulator and for the replay on a real PostgreSQL.
//
// It owns everything a request does that is not SQL - whether its client
// sends it at all (debounce), LET, RETRY, RESTART IF, ACQUIRE and RELEASE of
// application mutexes, the restart policy, injected crashes, the step limit,
// how the request ends - and hands each SQL statement to a backend, taking
// back its answer: the rows, a wait for a lock, or an error with its
// SQLSTATE. The simulated executor (engine/executor.h) and a PostgreSQL
// connection per request (pg/backend.h) are its two backends. It narrates
// both through the same events (engine/log.h), so `ccsim verify` compares
// one log with another.
//
// Pure: no clocks, threads, I/O or global state. Not a long-lived object: a
// machine is made for one step (or one answer) over an Application.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/app.h"
#include "engine/log.h"

namespace ccsim {

// A backend's answer to a request's statement.
struct SqlAnswer {
  enum class Kind { kDone, kWaiting, kError };
  Kind kind = Kind::kDone;

  // ---- kDone ------------------------------------------------------------------
  // A SELECT's result: its columns and rows; for each column of the first
  // row, the row version it was read from (the simulator knows; a server
  // does not say), which INTO carries into the variables.
  bool has_rows = false;
  std::vector<std::string> columns;
  // For each column (when narrating): its type when it is a date,
  // timestamp or timestamptz, which prints in the DateStyle.
  std::vector<std::optional<ColumnType>> datetimes;
  std::vector<Row> rows;
  std::vector<std::vector<RowRead>> first_row_reads;
  int64_t rowcount = -1;  // rows written or read; -1: the statement reports none
  // BEGIN, COMMIT and ROLLBACK: whether a block was open before (and had
  // failed), and the level a BEGIN opened. The machine narrates from these.
  bool block_before = false;
  bool failed_before = false;
  Isolation level = Isolation::kReadCommitted;
  // A backend's own word on a statement, after " -> " (SET in the simulator).
  std::string note;
  // A WARNING the statement raised (pg_advisory_unlock of a lock not held),
  // or with `notice` the NOTICEs (DROP TABLE IF EXISTS of a missing table),
  // one per line.
  std::string warning;
  bool notice = false;

  // ---- kWaiting ---------------------------------------------------------------
  std::vector<RequestId> holders;  // who holds what it waits for
  std::string waits_on;            // narration: "auth_user(id=1) is locked by A"
  std::string lock_label;          // a wait for an advisory lock: "advisory lock 7"

  // ---- kError -----------------------------------------------------------------
  std::string sqlstate;
  std::string message;

  // When the answer comes after the statement waited: whose end freed it.
  std::vector<RequestId> released_by;

  static SqlAnswer error(const SqlError& e) {
    SqlAnswer a;
    a.kind = Kind::kError;
    a.sqlstate = e.sqlstate();
    a.message = e.what();
    a.warning = e.warning();
    return a;
  }
};

class RequestMachine;

// What runs SQL for the machine: the simulated store, or a real server.
class SqlBackend {
 public:
  virtual ~SqlBackend() = default;
  // Runs step `st` (a SQL statement) of request r with its variables.
  // Returns the answer when the backend knows it at once (the simulator
  // always does); nothing when it comes later, through
  // RequestMachine::answer().
  virtual std::optional<SqlAnswer> run(RequestId r, const Step& st, const Vars& vars) = 0;
  // Called once a done answer is taken in: a statement outside a block
  // commits now (autocommit), a COMMIT or ROLLBACK ends its block now.
  virtual void finish(RequestId r) = 0;
  // Called once a waiting answer is taken in (r is blocked): waiters that
  // r's deadlock check let in go on now.
  virtual void waiting(RequestId) {}
  // True when r has a transaction open.
  virtual bool in_transaction(RequestId r) const = 0;
  // Rolls back r's open transaction, narrated as `why` ("ROLLBACK (the
  // request restarts)"). in_session: r is a session that goes on after the
  // error, so a block it was in stays open, failed (25P02 until it ends).
  virtual void rollback(RequestId r, const std::string& why, bool in_session) = 0;
  // r's process died: its connection closes (the server rolls back).
  virtual void close(RequestId r) = 0;

  // The machine the backend reports later answers to (set by the machine).
  RequestMachine* machine = nullptr;
};

class RequestMachine {
 public:
  // Moves the requests of `app`, running their SQL on `sql`, narrating to
  // `log` (may be null).
  RequestMachine(Application& app, SqlBackend& sql, Log* log);

  // Takes request r's next step. REQUIRES: runnable(app, r).
  void step(RequestId r);
  // Takes in the answer to r's statement: now, or after it waited.
  void answer(RequestId r, const SqlAnswer& a);

 private:
  void fail(RequestId r, const std::string& sqlstate, const std::string& message,
            const std::string& warning = "");
  void give_up(RequestId r, const std::string& why);
  void restart(RequestId r, const std::string& why);
  void crash(RequestId r);
  void finish_if_returned(RequestId r);
  void release_mutexes(RequestId r, bool keep_global);
  void wake_mutex_waiters(const std::vector<size_t>& granted, RequestId by);
  bool dropped_by_client(RequestId r);
  // The kinds of step. Each returns true when the step is over and the
  // request may have returned, false when it waits, ended or was handed on.
  bool restart_if(RequestId r, const RestartAction& rs);
  bool acquire(RequestId r, const Step& st, const AcquireAction& acq);
  bool release(RequestId r, const Step& st, const ReleaseAction& rel);
  bool let(RequestId r, const Step& st, const LetAction& let);
  bool retry(RequestId r, const RetryAction& retry);
  bool skip(RequestId r, const SkipAction& k);
  bool no_error(RequestId r);
  bool run_sql(RequestId r, const Step& st);

  Application& app_;
  SqlBackend& sql_;
  Log* log_;
};

}  // namespace ccsim
