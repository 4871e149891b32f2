#include "pg/replay.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <exception>
#include <memory>
#include <optional>

#include "engine/request_machine.h"
#include "explore/schedule.h"
#include "lang/printer.h"
#include "pg/asio.h"
#include "pg/conn.h"

namespace ccsim {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

std::string to_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The request machine's backend on a real server: one connection per
// request. A statement is printed from its syntax (lang/printer.h) and sent
// without waiting; the driver below learns whether it finished or waits, and
// hands the machine its answer.
class PgBackend : public SqlBackend {
 public:
  PgBackend(std::vector<std::unique_ptr<PgConn>>& conns, Isolation iso, Log* log)
      : conns_(conns), iso_(iso), log_(log), in_flight_(conns.size()) {}

  std::optional<SqlAnswer> run(RequestId r, const Step& st, const Vars& vars) override {
    InFlight& f = in_flight_[r.value];
    f = InFlight{&st, conns_[r.value]->in_transaction(), true};
    std::vector<std::optional<std::string>> params;
    std::string sql;
    try {
      sql = server_sql(st, vars, &params);
    } catch (const SqlError& e) {
      f.active = false;
      return SqlAnswer::error(e);
    }
    conns_[r.value]->start(sql, params);
    return std::nullopt;
  }

  // True while r's statement is out on the server, its answer not yet taken.
  bool in_flight(RequestId r) const { return in_flight_[r.value].active; }

  // The answer to r's statement, its result being in: narrated as the
  // simulator narrates BEGIN, COMMIT and ROLLBACK.
  SqlAnswer answer_of(RequestId r) {
    InFlight& f = in_flight_[r.value];
    f.active = false;
    const PgResult& res = conns_[r.value]->result();
    const Step& st = *f.step;
    SqlAnswer a;
    if (res.error) {
      a.kind = SqlAnswer::Kind::kError;
      a.sqlstate = res.sqlstate;
      a.message = res.message;
      return a;
    }
    a.block_before = f.was_in_txn;
    if (auto* b = std::get_if<BeginStmt>(&st.body)) a.level = b->isolation.value_or(iso_);
    if (res.tuples) {
      a.has_rows = true;
      a.columns = res.columns;
      for (const auto& row : res.rows) {
        Row values;
        for (size_t c = 0; c < row.size(); ++c)
          values.push_back(!row[c]         ? Value{Null{}}
                           : res.is_int[c] ? Value{static_cast<int64_t>(std::stoll(*row[c]))}
                                           : Value{*row[c]});
        a.rows.push_back(std::move(values));
      }
    }
    a.rowcount = res.rowcount;
    return a;
  }

  void finish(RequestId) override {}  // the server commits a statement outside a block itself

  bool in_transaction(RequestId r) const override {
    return conns_[r.value] && conns_[r.value]->in_transaction();
  }

  void rollback(RequestId r, const std::string& why, bool) override {
    if (!in_transaction(r)) return;
    conns_[r.value]->exec("ROLLBACK");
    emit(log_, EventKind::kRollback, r, machine_pc(r), [&] { return why; });
  }

  // The process died: its connection closes; the driver then waits for its
  // backend to leave, so that what it held is released before the next step.
  void close(RequestId r) override {
    closed_pids_.push_back(conns_[r.value]->pid());
    conns_[r.value].reset();
  }

  std::vector<int> take_closed() { return std::exchange(closed_pids_, {}); }
  void set_app(const Application* app) { app_ = app; }

 private:
  size_t machine_pc(RequestId r) const { return app_ ? app_->requests[r.value].pc : 0; }

  struct InFlight {
    const Step* step = nullptr;
    bool was_in_txn = false;
    bool active = false;
  };
  std::vector<std::unique_ptr<PgConn>>& conns_;
  Isolation iso_;
  Log* log_;
  std::vector<InFlight> in_flight_;
  std::vector<int> closed_pids_;
  const Application* app_ = nullptr;
};

class Replayer {
 public:
  Replayer(asio::io_context& io, const Scenario& s, const Mitigation& m,
           const ScheduleSpec& schedule, Isolation iso, int64_t steps_max, const PgOptions& o)
      : io_(io),
        s_(s),
        m_(m),
        schedule_(schedule),
        iso_(iso),
        o_(o),
        app_(build_application(s, m)) {
    app_.steps_per_request_max = steps_max;
  }

  // Creates the schema, tables and connections.
  void open() {
    admin_ = std::make_unique<PgConn>(io_, o_, "admin");
    schema_ = "ccsim_verify_" + std::to_string(getpid()) + "_" + std::to_string(++counter_);
    admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    admin_->exec("CREATE SCHEMA " + schema_);
    created_ = true;
    admin_->exec("SET search_path TO " + schema_);
    std::vector<std::optional<std::string>> none;
    for (const Step& st : s_.setup.steps) admin_->exec(server_sql(st, Vars{}, &none));
    if (m_.setup)
      for (const Step& st : m_.setup->steps) admin_->exec(server_sql(st, Vars{}, &none));
    observer_ = std::make_unique<PgConn>(io_, o_, "observer");
    for (const Request& q : app_.requests) {
      auto c = std::make_unique<PgConn>(io_, o_, "request " + q.name);
      c->exec("SET search_path TO " + schema_);
      c->exec("SET deadlock_timeout = " + std::to_string(o_.deadlock_timeout_ms));
      c->exec(std::string("SET default_transaction_isolation = '") + to_lower(to_sql(iso_)) + "'");
      pids_ += (pids_.empty() ? "{" : ",") + std::to_string(c->pid());
      conns_.push_back(std::move(c));
    }
    pids_ += "}";
    backend_ = std::make_unique<PgBackend>(conns_, iso_, &log_);
    backend_->set_app(&app_);
  }

  // Reads the final rows, then drops everything. Safe to call twice.
  void close(ReplayRecord* rec) {
    for (auto& c : conns_)
      if (c) c->cancel_waits();
    if (rec && admin_) {
      *rec = record_of(app_, log_, positions_);
      rec->stopped = stopped_;
      for (const Step& st : s_.setup.steps)
        if (auto* c = std::get_if<CreateTableStmt>(&st.body)) read_table(c->table, *rec);
      if (m_.setup)
        for (const Step& st : m_.setup->steps)
          if (auto* c = std::get_if<CreateTableStmt>(&st.body)) read_table(c->table, *rec);
    }
    conns_.clear();  // closes the request connections: their backends end and release their locks
    observer_.reset();
    if (admin_ && created_) {
      created_ = false;
      admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    }
    admin_.reset();
  }

  ~Replayer() {
    try {
      close(nullptr);
    } catch (...) {
      // Already failing: the schema drop is best effort on this path.
    }
  }

  // Moves the requests under the schedule until all are done or stuck.
  awaitable<void> drive() {
    std::unique_ptr<Strategy> strategy = make_strategy(schedule_);
    for (size_t position = 0;; ++position) {
      if (interrupted_) throw PgError("interrupted");
      bool any_ready = false;
      for (size_t i = 0; i < app_.requests.size(); ++i)
        any_ready |= runnable(app_, RequestId{static_cast<uint32_t>(i)});
      if (!any_ready || strategy->exhausted(position)) break;
      RequestId r;
      try {
        r = RequestId{static_cast<uint32_t>(strategy->pick(movers(app_), position))};
      } catch (const InputError& e) {
        stopped_ = "schedule cannot go on: " + e.message();
        break;
      }
      PositionEvents p{position, r, log_.events.size(), 0};
      co_await take_step(r);
      co_await settle_waiters(r);
      p.end_event = log_.events.size();
      positions_.push_back(p);
    }
  }

  void interrupt() {
    interrupted_ = true;
    for (auto& c : conns_)
      if (c) c->cancel_waits();
  }

 private:
  RequestMachine machine() { return RequestMachine(app_, *backend_, &log_); }

  awaitable<void> sleep_ms(int ms) {
    asio::steady_timer t(io_);
    t.expires_after(std::chrono::milliseconds(ms));
    co_await t.async_wait(use_awaitable);
  }

  // Waits until r's statement has finished or waits for a lock held by
  // another request. Returns true when it waits.
  awaitable<bool> settle(RequestId r) {
    PgConn& conn = *conns_[r.value];
    auto deadline = Clock::now() + std::chrono::milliseconds(o_.settle_ms_max);
    for (;;) {
      if (failure_) std::rethrow_exception(failure_);
      if (interrupted_) throw PgError("interrupted");
      if (!conn.busy()) co_return false;
      bool blocked = co_await observer_->waits_for_lock(conn.pid(), pids_);
      if (blocked && conn.busy()) co_return true;
      if (Clock::now() > deadline)
        throw PgError("request " + app_.requests[r.value].name +
                      "'s statement neither finished nor waited for a lock within " +
                      std::to_string(o_.settle_ms_max) + " ms");
      co_await sleep_ms(1);
    }
  }

  // The requests whose connections r's backend waits for.
  awaitable<std::vector<RequestId>> holders_of(RequestId r) {
    std::vector<RequestId> out;
    for (int pid : co_await observer_->blocking_pids(conns_[r.value]->pid()))
      for (size_t i = 0; i < conns_.size(); ++i)
        if (conns_[i] && conns_[i]->pid() == pid)
          out.push_back(RequestId{static_cast<uint32_t>(i)});
    co_return out;
  }

  awaitable<void> take_step(RequestId r) {
    machine().step(r);
    co_await await_closed();
    if (!backend_->in_flight(r)) co_return;
    // One coroutine per statement in flight on the request's connection: it
    // waits on the socket while this driver watches for lock waits.
    asio::co_spawn(io_, conns_[r.value]->collect(), [this](std::exception_ptr e) {
      if (e && !failure_) failure_ = e;
    });
    bool waits = co_await settle(r);
    if (waits) {
      // Pacing: let this waiter's deadlock check run (and find no cycle)
      // before anything else happens, so that PostgreSQL's victim is the
      // waiter that closes a cycle, as in the simulator.
      co_await sleep_ms(o_.pace_ms);
      waits = conns_[r.value]->busy();
    }
    if (waits) {
      SqlAnswer a;
      a.kind = SqlAnswer::Kind::kWaiting;
      a.holders = co_await holders_of(r);
      a.waits_on = "locked by another transaction";
      machine().answer(r, a);
      waiting_.push_back(r);
    } else {
      machine().answer(r, backend_->answer_of(r));
    }
    co_await await_closed();
  }

  // Checks the waiting statements, in the order they started waiting, until
  // a pass finds none finished. What finished was released by `mover`'s step.
  awaitable<void> settle_waiters(RequestId mover) {
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t k = 0; k < waiting_.size(); ++k) {
        RequestId r = waiting_[k];
        if (!conns_[r.value] || co_await settle(r)) continue;
        waiting_.erase(waiting_.begin() + static_cast<long>(k));
        SqlAnswer a = backend_->answer_of(r);
        a.released_by = {mover};
        machine().answer(r, a);
        co_await await_closed();
        changed = true;
        break;
      }
    }
  }

  // A crashed request's connection closed: PostgreSQL rolls back what it
  // had open once its backend has gone.
  awaitable<void> await_closed() {
    for (int pid : backend_->take_closed()) {
      auto deadline = Clock::now() + std::chrono::milliseconds(o_.settle_ms_max);
      while (
          !admin_->rows_as_text("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(pid))
               .empty()) {
        if (Clock::now() > deadline)
          throw PgError("a crashed request's backend did not end within " +
                        std::to_string(o_.settle_ms_max) + " ms of its connection closing");
        co_await sleep_ms(1);
      }
      waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(),
                                    [&](RequestId w) { return !conns_[w.value]; }),
                     waiting_.end());
    }
  }

  void read_table(const std::string& table, ReplayRecord& rec) {
    std::vector<std::string> rows = admin_->rows_as_text("SELECT * FROM " + schema_ + "." + table);
    std::sort(rows.begin(), rows.end());
    rec.final_rows.emplace_back(table, std::move(rows));
  }

  asio::io_context& io_;
  const Scenario& s_;
  const Mitigation& m_;
  ScheduleSpec schedule_;
  Isolation iso_;
  PgOptions o_;
  Application app_;  // the requests' application side, as the simulator keeps it
  Log log_;          // what the request machine narrated, as on the simulator
  std::vector<PositionEvents> positions_;
  std::unique_ptr<PgConn> admin_, observer_;
  std::vector<std::unique_ptr<PgConn>> conns_;  // one per request
  std::unique_ptr<PgBackend> backend_;
  std::vector<RequestId> waiting_;  // requests waiting for a lock, in the order they started
  std::string schema_, pids_;
  std::string stopped_;  // why the schedule could not go on, when it could not
  bool created_ = false;
  bool interrupted_ = false;
  std::exception_ptr failure_;
  static inline int counter_ = 0;
};

}  // namespace

ReplayRecord replay_on_postgres(const Scenario& s, const Mitigation& m,
                                const ScheduleSpec& schedule, Isolation isolation,
                                int64_t steps_per_request_max, const PgOptions& o) {
  asio::io_context io;
  Replayer rp(io, s, m, schedule, isolation, steps_per_request_max, o);
  rp.open();
  ReplayRecord rec;
  std::exception_ptr failure;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) rp.interrupt();
  });
  asio::co_spawn(io, rp.drive(), [&](std::exception_ptr e) {
    failure = e;
    signals.cancel();
    rp.interrupt();
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  rp.close(&rec);
  return rec;
}

}  // namespace ccsim
