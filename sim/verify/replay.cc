#include "verify/replay.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "explore/schedule.h"
#include "lang/lexer.h"
#include "lang/printer.h"
#include "pg/asio.h"
#include "pg/backend.h"
#include "pg/conn.h"
#include "pg/server_run.h"

namespace ccsim {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

class Replayer {
 public:
  Replayer(asio::io_context& io, const Scenario& s, const Mitigation& m,
           const ScheduleSpec& schedule, Isolation iso, int64_t steps_max, const PgOptions& o)
      : s_(s),
        m_(m),
        schedule_(schedule),
        iso_(iso),
        run_(io, o, "ccsim_verify"),
        app_(build_application(s, m)),
        pace_ms_(o.pace_ms) {
    app_.steps_per_request_max = steps_max;
  }

  ServerRun& server() { return run_; }

  // Creates the schema, tables and connections.
  void open(const PgOptions& o) {
    run_.open();
    std::vector<std::optional<std::string>> none;
    for (const Step& st : s_.setup.steps) run_.admin().exec(server_sql(st, Vars{}, &none));
    if (m_.setup)
      for (const Step& st : m_.setup->steps) run_.admin().exec(server_sql(st, Vars{}, &none));
    for (const Request& q : app_.requests)
      run_.add_session(
          "request " + q.name,
          {"SET deadlock_timeout = " + std::to_string(o.deadlock_timeout_ms),
           std::string("SET default_transaction_isolation = '") + lower(to_sql(iso_)) + "'"});
    backend_ = std::make_unique<PgBackend>(run_, app_, iso_, &log_);
  }

  // The record of the run, with the final rows read from the server.
  ReplayRecord record() {
    ReplayRecord rec = record_of(app_, log_, positions_);
    rec.stopped = stopped_;
    auto read = [&](const Program& p) {
      for (const Step& st : p.steps)
        if (auto* c = std::get_if<CreateTableStmt>(&st.body);
            c && std::none_of(rec.final_rows.begin(), rec.final_rows.end(),
                              [&](const auto& t) { return t.first == c->table; })) {
          std::vector<std::string> rows =
              run_.admin().rows_as_text("SELECT * FROM " + run_.schema() + "." + c->table);
          std::sort(rows.begin(), rows.end());
          rec.final_rows.emplace_back(c->table, std::move(rows));
        }
    };
    read(s_.setup);
    if (m_.setup) read(*m_.setup);
    return rec;
  }

  // Moves the requests under the schedule until all are done or stuck.
  awaitable<void> drive() {
    std::unique_ptr<Strategy> strategy = make_strategy(schedule_);
    for (size_t position = 0;; ++position) {
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

 private:
  RequestMachine machine() { return RequestMachine(app_, *backend_, &log_); }

  std::string what(RequestId r) {
    return "request " + app_.requests[r.value].name + "'s statement";
  }

  awaitable<void> take_step(RequestId r) {
    machine().step(r);
    co_await kill_crashed();
    if (!backend_->in_flight(r)) co_return;
    bool waits = co_await run_.settle(r.value, false, what(r));
    if (waits) {
      // Pacing: let this waiter's deadlock check run (and find no cycle)
      // before anything else happens, so that PostgreSQL's victim is the
      // waiter that closes a cycle, as in the simulator.
      co_await run_.sleep_ms(pace_ms_);
      waits = run_.session(r.value)->busy();
    }
    if (waits) {
      SqlAnswer a;
      a.kind = SqlAnswer::Kind::kWaiting;
      for (size_t h : co_await run_.blockers(r.value))
        a.holders.push_back(RequestId{static_cast<uint32_t>(h)});
      a.waits_on = "locked by another transaction";
      machine().answer(r, a);
      waiting_.push_back(r);
    } else {
      machine().answer(r, backend_->answer_of(r));
    }
    co_await kill_crashed();
  }

  // Checks the waiting statements, in the order they started waiting, until
  // a pass finds none finished. What finished was released by `mover`'s step.
  awaitable<void> settle_waiters(RequestId mover) {
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t k = 0; k < waiting_.size(); ++k) {
        RequestId r = waiting_[k];
        if (co_await run_.settle(r.value, false, what(r))) continue;
        waiting_.erase(waiting_.begin() + static_cast<long>(k));
        SqlAnswer a = backend_->answer_of(r);
        a.released_by = {mover};
        machine().answer(r, a);
        co_await kill_crashed();
        changed = true;
        break;
      }
    }
  }

  // A crashed request's connection closes: PostgreSQL rolls back what it
  // had open once its backend has gone.
  awaitable<void> kill_crashed() {
    co_await backend_->flush();
    for (size_t i : backend_->take_killed()) co_await run_.kill(i);
  }

  const Scenario& s_;
  const Mitigation& m_;
  ScheduleSpec schedule_;
  Isolation iso_;
  ServerRun run_;
  Application app_;  // the requests' application side, as the simulator keeps it
  int pace_ms_;
  Log log_;  // what the request machine narrated, as on the simulator
  std::vector<PositionEvents> positions_;
  std::unique_ptr<PgBackend> backend_;
  std::vector<RequestId> waiting_;  // requests waiting for a lock, in the order they started
  std::string stopped_;             // why the schedule could not go on, when it could not
};

}  // namespace

ReplayRecord replay_on_postgres(const Scenario& s, const Mitigation& m,
                                const ScheduleSpec& schedule, Isolation isolation,
                                int64_t steps_per_request_max, const PgOptions& o) {
  asio::io_context io;
  Replayer rp(io, s, m, schedule, isolation, steps_per_request_max, o);
  rp.open(o);
  run_on_server(io, rp.server(), [&] { return rp.drive(); });
  ReplayRecord rec = rp.record();
  rp.server().close();
  return rec;
}

}  // namespace ccsim
