#include <unistd.h>

#include <chrono>
#include <csignal>
#include <exception>

#include "pg/conn.h"
#include "pg/replay.h"
#include "spec/tester_output.h"

namespace ccsim {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

class SpecReplayer {
 public:
  SpecReplayer(asio::io_context& io, const SpecFile& spec, Isolation iso, const PgOptions& o)
      : io_(io), spec_(spec), iso_(iso), o_(o) {}

  ~SpecReplayer() {
    try {
      close();
    } catch (...) {
      // Already failing: the schema drop is best effort on this path.
    }
  }

  void open() {
    admin_ = std::make_unique<PgConn>(io_, o_, "admin");
    schema_ = "ccsim_spec_" + std::to_string(getpid());
    admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    admin_->exec("CREATE SCHEMA " + schema_);
    created_ = true;
    admin_->exec("SET search_path TO " + schema_);
    observer_ = std::make_unique<PgConn>(io_, o_, "observer");
    for (const SpecSession& s : spec_.sessions) {
      auto c = std::make_unique<PgConn>(io_, o_, "session " + s.name);
      c->exec("SET search_path TO " + schema_);
      if (iso_ == Isolation::kRepeatableRead)
        c->exec("SET default_transaction_isolation = 'repeatable read'");
      if (iso_ == Isolation::kSerializable)
        c->exec("SET default_transaction_isolation = 'serializable'");
      std::string name = s.name;
      c->on_notice([this, name](const std::string& m) { out_ += name + ": " + m; });
      pids_ += (pids_.empty() ? "{" : ",") + std::to_string(c->pid());
      sessions_.push_back(std::move(c));
    }
    pids_ += "}";
    active_.assign(spec_.sessions.size(), -1);
  }

  void close() {
    for (auto& c : sessions_) c->cancel_waits();
    sessions_.clear();
    observer_.reset();
    if (admin_ && created_) {
      created_ = false;
      admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    }
    admin_.reset();
  }

  void interrupt() {
    interrupted_ = true;
    for (auto& c : sessions_) c->cancel_waits();
  }

  const std::string& output() const { return out_; }

  awaitable<void> run() {
    out_ = "Parsed test spec with " + std::to_string(spec_.sessions.size()) + " sessions\n";
    for (const std::vector<size_t>& perm : spec_.permutations) {
      out_ += "\nstarting permutation:";
      for (size_t i : perm) out_ += " " + spec_.steps[i].name;
      out_ += "\n";
      for (const Step& st : spec_.setup) admin_->exec(st.text);
      for (size_t s = 0; s < spec_.sessions.size(); ++s)
        for (const Step& st : spec_.sessions[s].setup) sessions_[s]->exec(st.text);
      for (size_t i : perm) co_await issue(i);
      for (size_t s : std::vector<size_t>(waiting_)) co_await complete(s);
      for (size_t s = 0; s < spec_.sessions.size(); ++s)
        for (const Step& st : spec_.sessions[s].teardown) sessions_[s]->exec(st.text);
      for (const Step& st : spec_.teardown) admin_->exec(st.text);
    }
  }

 private:
  awaitable<void> sleep_ms(int ms) {
    asio::steady_timer t(io_);
    t.expires_after(std::chrono::milliseconds(ms));
    co_await t.async_wait(asio::use_awaitable);
  }

  // Returns true when session s's step waits for a lock, false when it is done.
  awaitable<bool> settle(size_t s, bool until_done) {
    auto deadline = Clock::now() + std::chrono::milliseconds(o_.settle_ms_max);
    for (;;) {
      if (failure_) std::rethrow_exception(failure_);
      if (interrupted_) throw PgError("interrupted");
      if (!sessions_[s]->busy()) co_return false;
      if (!until_done) {
        bool blocked = co_await observer_->waits_for_lock(sessions_[s]->pid(), pids_);
        if (blocked && sessions_[s]->busy()) co_return true;
      }
      if (Clock::now() > deadline)
        throw PgError(
            "step " + spec_.steps[static_cast<size_t>(active_[s])].name + " of session " +
            spec_.sessions[s].name + " did not finish within " + std::to_string(o_.settle_ms_max) +
            " ms (PostgreSQL's isolationtester would cancel it after 300 s); the server reports " +
            backend_state(sessions_[s]->pid()));
      co_await sleep_ms(1);
    }
  }

  // What the server reports about a backend, for error messages.
  std::string backend_state(int pid) {
    std::vector<std::string> rows = observer_->rows_as_text(
        "SELECT state, wait_event_type, wait_event, pg_catalog.pg_blocking_pids(pid)::text, query "
        "FROM pg_catalog.pg_stat_activity WHERE pid = " +
        std::to_string(pid));
    return rows.empty() ? "no such backend"
                        : "(state, wait type, wait event, blocked by, query) = " + rows.front();
  }

  std::string details(const PgResult& r) {
    std::string out;
    if (r.tuples) out += tester_table(r.columns, r.rows);
    if (r.error) out += "ERROR:  " + r.message + "\n";
    return out;
  }

  // Waits for session s's step to finish and prints its completion.
  awaitable<void> complete(size_t s) {
    co_await settle(s, true);
    out_ += "step " + spec_.steps[static_cast<size_t>(active_[s])].name + ": <... completed>\n" +
            details(sessions_[s]->result());
    active_[s] = -1;
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), s));
  }

  // One pass over the waiting steps, in the order they started waiting.
  awaitable<void> poll_waiting() {
    for (size_t k = 0; k < waiting_.size();) {
      size_t s = waiting_[k];
      if (co_await settle(s, false)) {
        ++k;
        continue;
      }
      co_await complete(s);
    }
  }

  awaitable<void> issue(size_t step_index) {
    const SpecStep& st = spec_.steps[step_index];
    size_t s = st.session;
    if (active_[s] >= 0) {
      co_await complete(s);
      co_await poll_waiting();
    }
    sessions_[s]->start(st.sql, {});
    active_[s] = static_cast<int>(step_index);
    asio::co_spawn(io_, sessions_[s]->collect(), [this](std::exception_ptr e) {
      if (e && !failure_ && !interrupted_) failure_ = e;
    });
    bool waits = co_await settle(s, false);
    if (waits) {
      out_ += "step " + st.name + ": " + st.sql + " <waiting ...>\n";
    } else {
      out_ += "step " + st.name + ": " + st.sql + "\n" + details(sessions_[s]->result());
      active_[s] = -1;
    }
    co_await poll_waiting();
    if (waits) waiting_.push_back(s);
  }

  asio::io_context& io_;
  const SpecFile& spec_;
  Isolation iso_;
  PgOptions o_;
  std::unique_ptr<PgConn> admin_, observer_;
  std::vector<std::unique_ptr<PgConn>> sessions_;
  std::vector<int> active_;      // per session: the step in flight, or -1
  std::vector<size_t> waiting_;  // sessions whose step waits, in the order they started
  std::string schema_, pids_, out_;
  bool created_ = false, interrupted_ = false;
  std::exception_ptr failure_;
};

}  // namespace

std::string replay_spec_on_postgres(const SpecFile& spec, Isolation isolation, const PgOptions& o) {
  asio::io_context io;
  SpecReplayer rp(io, spec, isolation, o);
  rp.open();
  std::exception_ptr failure;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) rp.interrupt();
  });
  asio::co_spawn(io, rp.run(), [&](std::exception_ptr e) {
    failure = e;
    signals.cancel();
    rp.interrupt();
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  rp.close();
  return rp.output();
}

}  // namespace ccsim
