// One run of ccsim's on a real server: its own schema (created fresh,
// dropped at the end - also on error, SIGINT or SIGTERM), an admin
// connection, an observer that watches who waits for whom, and one
// connection per session. Shared by the scenario replay, the spec replay
// and the load generator, so every one of them cleans up the same way.
//
// Part of the real-I/O edge (pg/). Every wait is bounded (PgOptions).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pg/asio.h"
#include "pg/conn.h"
#include "pg/options.h"

namespace ccsim {

class ServerRun {
 public:
  // `prefix` names the schema (prefix_PID_N), `sessions` the connections.
  ServerRun(boost::asio::io_context& io, const PgOptions& o, const std::string& prefix);
  ServerRun(const ServerRun&) = delete;
  ServerRun& operator=(const ServerRun&) = delete;
  ~ServerRun();

  // Creates the schema and the admin and observer connections.
  void open();
  // For a run shared by several processes (ccsim load --shard): takes the
  // session-level advisory lock named after `schema` on the admin connection
  // (held until unlock_shared()), then creates the schema unless another
  // process did. Returns true when this process created it. The schema is
  // dropped at close() unless keep_schema() was called.
  bool open_shared(const std::string& schema);
  void lock_shared();
  void unlock_shared();
  // Leaves the schema for another process to drop.
  void keep_schema() { created_ = false; }
  // Opens a session connection in the schema, with `settings` run on it
  // first ("SET ..."). Returns its index.
  size_t add_session(const std::string& what, const std::vector<std::string>& settings);
  // Drops the schema and closes every connection. Safe to call twice.
  void close();

  PgConn& admin() { return *admin_; }
  PgConn& observer() { return *observer_; }
  // Session i's connection; null once closed (a crash).
  std::unique_ptr<PgConn>& session(size_t i) { return sessions_[i]; }
  size_t sessions() const { return sessions_.size(); }
  const std::string& schema() const { return schema_; }

  // Sends a statement on session i and collects its result in the background.
  void start(size_t i, const std::string& sql,
             const std::vector<std::optional<std::string>>& params, bool several = false);
  // Waits until session i's statement is done (returns false) or waits for
  // a lock another session holds (true; not asked when until_done). `what`
  // names the statement in the timeout's message. The arguments are taken
  // by value: a coroutine keeps a reference argument as a reference, and a
  // caller may hand it a temporary that dies before the first resumption.
  // until_ms > 0 (with until_done): returns true when the statement is
  // still running after that many milliseconds, instead of failing.
  boost::asio::awaitable<bool> settle(size_t i, bool until_done, std::string what,
                                      int64_t until_ms = 0);
  // Awaits the end of session i's statement however long it waits for
  // locks (the server's statement_timeout bounds it), without polling.
  // Throws PgError when session i's connection failed meanwhile.
  boost::asio::awaitable<void> finished(size_t i);
  // From now on start() only sends, and finished(i) collects the result
  // itself: for a caller that never watches a statement while it runs
  // (ccsim load), one coroutine and one timer fewer per statement.
  void collect_in_finished() { collect_in_finished_ = true; }
  // The sessions whose backends session i's backend waits for.
  boost::asio::awaitable<std::vector<size_t>> blockers(size_t i);
  // Closes session i (its process died) and waits until its backend has
  // left the server, so that what it held is released.
  boost::asio::awaitable<void> kill(size_t i);
  boost::asio::awaitable<void> sleep_ms(int ms);

  // Stops everything at the next wait (a signal, or a failure elsewhere).
  void interrupt();
  bool interrupted() const { return interrupted_; }

 private:
  // What the server says a backend is doing, for timeout messages.
  std::string backend_state(int pid);

  boost::asio::io_context& io_;
  PgOptions o_;
  std::string prefix_, schema_, pids_;
  std::unique_ptr<PgConn> admin_, observer_;
  std::vector<std::unique_ptr<PgConn>> sessions_;
  // Per session: its statement is being collected; a timer cancelled when
  // the collection ends (finished() waits on it); how it failed, if it did.
  std::vector<char> collecting_;
  bool collect_in_finished_ = false;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> collected_;
  std::vector<std::exception_ptr> session_failure_;
  bool created_ = false, interrupted_ = false;
  std::exception_ptr failure_;
};

// Runs `body` on `io` until it ends; SIGINT and SIGTERM interrupt `run`
// (whose next wait then throws), and `body`'s failure is rethrown.
void run_on_server(boost::asio::io_context& io, ServerRun& run,
                   std::function<boost::asio::awaitable<void>()> body);

}  // namespace ccsim
