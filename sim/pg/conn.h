// One libpq connection driven through Boost.Asio: a statement is sent with
// libpq's non-blocking API and its result collected by a coroutine that
// awaits the connection's socket. Part of the real-I/O edge (pg/).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "core/value.h"
#include "pg/asio.h"
#include "pg/options.h"

namespace ccsim {

// What one statement returned.
struct PgResult {
  bool error = false;
  std::string sqlstate, message;  // the primary message, as the isolation tester prints it
  bool tuples = false;
  std::vector<std::string> columns;
  std::vector<bool> is_int;
  std::vector<bool> is_bool;
  std::vector<std::vector<std::optional<std::string>>> rows;
  int64_t rowcount = -1;

  // The rows as values: integers as integers, booleans as booleans, NULL as
  // NULL, the rest as text.
  std::vector<Row> values() const;
  // Empties it as a new PgResult{} is, keeping the column vectors' storage
  // (a load client starts thousands of statements on one connection). A
  // field added above is reset there too.
  void clear();
};

// Returns true for PostgreSQL's integer type ids (int2, int4, int8).
bool pg_int_type(Oid t);
// Returns s as an SQL literal: 'it''s'.
std::string pg_quote(const std::string& s);

class PgConn {
 public:
  // Connects (bounded by o.connect_timeout_s) and sets statement_timeout.
  // `what` names the connection in errors. Throws PgError.
  PgConn(boost::asio::io_context& io, const PgOptions& o, const std::string& what);
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  ~PgConn();

  int pid() const { return pid_; }
  // True when the connection has a transaction open (also a failed one).
  bool in_transaction() const;
  // True while a statement sent by start() has not been fully collected.
  bool busy() const { return busy_; }
  const PgResult& result() const { return result_; }
  // Cancels a pending collect() for good (it ends with an error).
  void cancel_waits();
  // Asks the server to cancel the statement in flight (libpq's PQcancel, as
  // the isolation tester does): it ends with 57014 "canceling statement due
  // to user request", collected as its result. Throws PgError when the
  // request cannot be sent.
  void cancel_statement();
  // Calls `sink` with each NOTICE or WARNING the server sends, as libpq
  // formats it ("WARNING:  ...\n").
  void on_notice(std::function<void(const std::string&)> sink);

  // Runs a statement (or several: a block) while nothing else is in flight.
  // Throws PgError on failure. result() then holds the rows of the last
  // statement, when it returned rows.
  void exec(const std::string& sql);
  // Runs a query while nothing else is in flight; its rows as "(1, 'a', NULL)".
  std::vector<std::string> rows_as_text(const std::string& sql);
  // Sends a statement; busy() until collect() has its result.
  // several: sql holds several statements, sent in one simple query (as the
  // isolation tester sends a step); their results are results(), in order.
  void start(const std::string& sql, const std::vector<std::optional<std::string>>& params,
             bool several = false);
  // Every result of the last statement sent: the earlier ones of a query of
  // several statements, then result().
  std::vector<PgResult> results() const {
    std::vector<PgResult> all = earlier_;
    all.push_back(result_);
    return all;
  }
  // How many results of the started statement have come in: a notice the
  // sink gets came after that many (libpq parses no further than a result
  // that is ready until it is fetched).
  size_t results_in() const { return results_in_; }
  // Awaits the socket until the whole result of the started statement is in.
  boost::asio::awaitable<void> collect();
  // Reads, without waiting, what has already arrived on the socket and
  // parses it up to the next result that is ready (left to collect()): the
  // notices before it go to the sink. A backend found waiting for a lock
  // sent (and flushed) its notices before it began to wait, so after this
  // they have been met, however late collect() runs on a loaded machine.
  void meet_notices();
  // On this (observer) connection: returns true when backend `pid` waits for
  // a lock held by one of `pids` ("{1,2,3}"), the check PostgreSQL's own
  // isolation tester makes (pg_isolation_test_session_is_blocked).
  boost::asio::awaitable<bool> waits_for_lock(int pid, std::string pids);
  // On this (observer) connection: the backends that backend `pid` waits
  // for (pg_blocking_pids).
  boost::asio::awaitable<std::vector<int>> blocking_pids(int pid);

 private:
  void absorb(PGresult* r);
  boost::asio::awaitable<void> ready(boost::asio::posix::stream_descriptor::wait_type what);
  static void notice_thunk(void* self, const char* message);

  PGconn* pg_ = nullptr;
  std::unique_ptr<boost::asio::posix::stream_descriptor> sd_;
  int pid_ = 0;
  bool busy_ = false;
  bool cancelled_ = false;
  PgResult result_;
  std::vector<PgResult> earlier_;  // a query's results before result_
  size_t results_in_ = 0;
  std::vector<const char*> values_;  // start()'s parameters, as libpq takes them
  std::function<void(const std::string&)> notice_;
};

}  // namespace ccsim
