#include "pg/server_run.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <utility>

namespace ccsim {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

ServerRun::ServerRun(asio::io_context& io, const PgOptions& o, const std::string& prefix)
    : io_(io), o_(o), prefix_(prefix) {}

ServerRun::~ServerRun() {
  try {
    close();
  } catch (...) {
    // Already failing: the schema drop is best effort on this path.
  }
}

namespace {

// ccsim models a UTF-8 database in the C.UTF-8 locale (scripts/with-postgres
// makes one): text in code point order, lower() and upper() by that
// locale's towlower and towupper. A server in another locale orders text
// and changes letters its own way, so a difference there may be the
// locale's: said once per process, on stderr.
void warn_about_locale(PgConn& c) {
  static std::atomic<bool> checked{false};  // `load` opens runs on several threads
  if (checked.exchange(true)) return;
  std::vector<std::string> rows = c.rows_as_text(
      "SELECT pg_catalog.format('encoding %s, LC_COLLATE %s and LC_CTYPE %s', "
      "pg_catalog.current_setting('server_encoding'), pg_catalog.current_setting('lc_collate'), "
      "pg_catalog.current_setting('lc_ctype')) WHERE NOT (pg_catalog.current_setting("
      "'server_encoding') = 'UTF8' AND pg_catalog.current_setting('lc_ctype') IN ('C.UTF-8', "
      "'C.utf8') AND pg_catalog.current_setting('lc_collate') IN ('C', 'POSIX', 'C.UTF-8', "
      "'C.utf8'))");
  if (rows.empty()) return;
  std::string found = rows.front();
  if (found.size() >= 4) found = found.substr(2, found.size() - 4);  // ('...')
  std::cerr << "ccsim: warning: the server's database has " << found
            << "; ccsim models UTF8 in C.UTF-8, so the order of texts and what lower(), upper() "
               "and ILIKE do to letters may differ from the simulation for that reason alone\n";
}

}  // namespace

void ServerRun::open() {
  static int counter = 0;
  admin_ = std::make_unique<PgConn>(io_, o_, "admin");
  warn_about_locale(*admin_);
  schema_ = prefix_ + "_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  admin_->exec("CREATE SCHEMA " + schema_);
  created_ = true;
  admin_->exec("SET search_path TO " + schema_);
  observer_ = std::make_unique<PgConn>(io_, o_, "observer");
}

bool ServerRun::open_shared(const std::string& schema) {
  admin_ = std::make_unique<PgConn>(io_, o_, "admin");
  warn_about_locale(*admin_);
  schema_ = schema;
  lock_shared();
  bool exists = !admin_
                     ->rows_as_text("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = " +
                                    pg_quote(schema_))
                     .empty();
  if (!exists) admin_->exec("CREATE SCHEMA " + schema_);
  created_ = true;
  admin_->exec("SET search_path TO " + schema_);
  observer_ = std::make_unique<PgConn>(io_, o_, "observer");
  return !exists;
}

void ServerRun::lock_shared() {
  admin_->exec("SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext(" + pg_quote(schema_) +
               "))");
}

void ServerRun::unlock_shared() {
  admin_->exec("SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext(" + pg_quote(schema_) +
               "))");
}

size_t ServerRun::add_session(const std::string& what, const std::vector<std::string>& settings) {
  auto c = std::make_unique<PgConn>(io_, o_, what);
  c->exec("SET search_path TO " + schema_);
  for (const std::string& s : settings) c->exec(s);
  pids_ = "{";
  sessions_.push_back(std::move(c));
  for (size_t i = 0; i < sessions_.size(); ++i)
    pids_ += (i ? "," : "") + std::to_string(sessions_[i]->pid());
  pids_ += "}";
  return sessions_.size() - 1;
}

void ServerRun::close() {
  for (auto& c : sessions_)
    if (c) c->cancel_waits();
  sessions_.clear();  // their backends end and release their locks
  observer_.reset();
  if (admin_ && created_) {
    created_ = false;
    admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
  admin_.reset();
}

void ServerRun::start(size_t i, const std::string& sql,
                      const std::vector<std::optional<std::string>>& params, bool several) {
  sessions_[i]->start(sql, params, several);
  if (collected_.size() < sessions_.size()) {
    collecting_.resize(sessions_.size());
    collected_.resize(sessions_.size());
    session_failure_.resize(sessions_.size());
  }
  collecting_[i] = 1;
  if (collect_in_finished_) return;
  auto timer = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
  collected_[i] = timer;
  // One coroutine per statement in flight: it waits on the socket while the
  // caller watches for lock waits, or awaits finished(i).
  asio::co_spawn(io_, sessions_[i]->collect(), [this, i, timer](std::exception_ptr e) {
    if (e && !failure_ && !interrupted_) failure_ = e;
    if (i < collecting_.size()) {
      collecting_[i] = 0;
      if (e) session_failure_[i] = e;
    }
    timer->cancel();
  });
}

asio::awaitable<void> ServerRun::finished(size_t i) {
  if (collect_in_finished_ && i < collecting_.size() && collecting_[i]) {
    std::exception_ptr failed;
    try {
      co_await sessions_[i]->collect();
    } catch (...) {
      failed = std::current_exception();
    }
    collecting_[i] = 0;
    if (interrupted_) throw PgError("interrupted");
    if (failed) std::rethrow_exception(failed);
  }
  if (!collect_in_finished_ && i < collecting_.size()) {
    std::shared_ptr<asio::steady_timer> timer = collected_[i];
    while (collecting_[i]) {
      boost::system::error_code ec;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (auto e = std::exchange(session_failure_[i], nullptr)) std::rethrow_exception(e);
  }
  if (interrupted_) throw PgError("interrupted");
}

asio::awaitable<void> ServerRun::sleep_ms(int ms) {
  asio::steady_timer t(io_);
  t.expires_after(std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::use_awaitable);
}

std::string ServerRun::backend_state(int pid) {
  std::vector<std::string> rows = observer_->rows_as_text(
      "SELECT state, wait_event_type, wait_event, pg_catalog.pg_blocking_pids(pid)::text, query "
      "FROM pg_catalog.pg_stat_activity WHERE pid = " +
      std::to_string(pid));
  return rows.empty() ? "no such backend"
                      : "(state, wait type, wait event, blocked by, query) = " + rows.front();
}

asio::awaitable<bool> ServerRun::settle(size_t i, bool until_done, std::string what,
                                        int64_t until_ms) {
  PgConn& conn = *sessions_[i];
  const bool bounded = until_done && until_ms > 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(bounded ? until_ms : o_.settle_ms_max);
  for (;;) {
    if (failure_) std::rethrow_exception(failure_);
    if (interrupted_) throw PgError("interrupted");
    if (!conn.busy()) co_return false;
    if (!until_done) {
      bool blocked = co_await observer_->waits_for_lock(conn.pid(), pids_);
      // What the backend sent before it began to wait is in the socket:
      // met now, as the isolation tester (which looks for a wait only
      // after 10 ms without input) meets it before it prints the wait.
      if (blocked) conn.meet_notices();
      if (blocked && conn.busy()) co_return true;
    }
    if (Clock::now() > deadline && bounded) co_return true;
    if (Clock::now() > deadline)
      throw PgError(what + " neither finished nor waited for a lock within " +
                    std::to_string(o_.settle_ms_max) + " ms; the server reports " +
                    backend_state(conn.pid()));
    co_await sleep_ms(1);
  }
}

asio::awaitable<std::vector<size_t>> ServerRun::blockers(size_t i) {
  std::vector<size_t> out;
  for (int pid : co_await observer_->blocking_pids(sessions_[i]->pid()))
    for (size_t k = 0; k < sessions_.size(); ++k)
      if (sessions_[k] && sessions_[k]->pid() == pid) out.push_back(k);
  co_return out;
}

asio::awaitable<void> ServerRun::kill(size_t i) {
  int pid = sessions_[i]->pid();
  sessions_[i].reset();
  auto deadline = Clock::now() + std::chrono::milliseconds(o_.settle_ms_max);
  while (!admin_->rows_as_text("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(pid))
              .empty()) {
    if (Clock::now() > deadline)
      throw PgError("a closed connection's backend did not end within " +
                    std::to_string(o_.settle_ms_max) + " ms");
    co_await sleep_ms(1);
  }
}

void ServerRun::interrupt() {
  interrupted_ = true;
  for (auto& c : sessions_)
    if (c) c->cancel_waits();
}

void run_on_server(asio::io_context& io, ServerRun& run,
                   std::function<asio::awaitable<void>()> body) {
  std::exception_ptr failure;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) run.interrupt();
  });
  asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    failure = e;
    signals.cancel();
    run.interrupt();
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace ccsim
