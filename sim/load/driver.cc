#include "load/driver.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <thread>

#include "lang/lexer.h"
#include "lang/printer.h"
#include "load/load_report.h"
#include "pg/asio.h"
#include "pg/backend.h"
#include "pg/conn.h"
#include "pg/server_run.h"
#include "scenario/scenario.h"

namespace ccsim {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Refuses a client count the server cannot take, before any client connects.
void check_free_connections(PgConn& admin, size_t clients, int margin) {
  std::vector<std::string> free = admin.rows_as_text(
      "SELECT current_setting('max_connections')::int - "
      "current_setting('superuser_reserved_connections')::int - "
      "(SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client "
      "backend')");
  long n = free.empty() ? 0 : std::stol(free.front().substr(1));
  long need = static_cast<long>(clients) + margin;
  if (need > n)
    throw PgError("--clients " + std::to_string(clients) + " needs " + std::to_string(need) +
                  " connections (with a margin of " + std::to_string(margin) +
                  "); the server has " + std::to_string(n) + " free under its max_connections");
}

class Driver {
 public:
  Driver(asio::io_context& io, const Scenario& s, const Mitigation& m, Isolation iso,
         const LoadPlan& plan, size_t clients, const LoadOptions& o)
      : io_(io), s_(s), m_(m), iso_(iso), plan_(plan), o_(o), run_(io, o.pg, "ccsim_load") {
    res_.mitigation = m.name;
    res_.clients = clients;
    res_.rows = plan.rows;
    res_.isolation = iso;
    res_.unit = plan.unit;
    Application proto = build_application(s, m);
    app_ = proto;
    app_.requests.clear();
    app_.crash.reset();
    app_.steps_per_request_max = o.steps_per_request_max;
    // This process's clients: all, or those of its shard. Client c is
    // request c mod R of the scenario, on row copy c mod K.
    for (size_t c = 0; c < clients; ++c) {
      if (o.shard && c % o.shard->count != o.shard->index) continue;
      Request q = proto.requests[c % proto.requests.size()];
      q.name += std::to_string(c / proto.requests.size() + 1);
      q.vars = plan.client_args(s, c);
      q.initial = std::make_shared<const Vars>(q.vars);
      app_.requests.push_back(q);
      ids_.push_back(c);
    }
    fresh_ = app_.requests;
    committed_.assign(app_.requests.size(), 0);
  }

  // The schema name a shared run meets in.
  std::string shared_schema() const {
    return "ccsim_load_" + o_.shard->run_id + "_" + std::to_string(o_.shard->step);
  }

  ServerRun& server() { return run_; }

  // The schema, its rows, and one connection per client.
  void open() {
    bool fresh = o_.shard ? run_.open_shared(shared_schema()) : (run_.open(), true);
    std::vector<std::string> v = run_.admin().rows_as_text("SHOW server_version");
    // rows_as_text writes "('15.18 (Debian ...)')".
    if (!v.empty() && v.front().size() > 4)
      res_.server_version = v.front().substr(2, v.front().size() - 4);
    check_connections();
    std::vector<std::optional<std::string>> none;
    if (fresh) {
      for (const Step& st : s_.setup.steps) run_.admin().exec(server_sql(st, Vars{}, &none));
      if (m_.setup)
        for (const Step& st : m_.setup->steps) run_.admin().exec(server_sql(st, Vars{}, &none));
      for (const std::string& sql : plan_.copy_sql) run_.admin().exec(sql);
      if (o_.shard)
        run_.admin().exec(
            "CREATE TABLE ccsim_shards (shard int PRIMARY KEY, done boolean NOT NULL)");
    }
    if (o_.shard) {
      run_.admin().exec("INSERT INTO ccsim_shards VALUES (" + std::to_string(o_.shard->index) +
                        ", false)");
      run_.unlock_shared();
    }
    for (const Request& q : app_.requests)
      run_.add_session("client " + q.name, {std::string("SET default_transaction_isolation = '") +
                                            lower(to_sql(iso_)) + "'"});
    backend_ = std::make_unique<PgBackend>(run_, app_, iso_, nullptr);
    run_.collect_in_finished();
    pids_ = "{";
    for (size_t i = 0; i < run_.sessions(); ++i)
      pids_ += (i ? "," : "") + std::to_string(run_.session(i)->pid());
    pids_ += "}";
  }

  awaitable<void> drive() {
    look_for_stop();
    if (o_.shard) co_await meet();
    start_ = Clock::now();
    res_.started_ms = epoch_ms();
    deadline_ = start_ + std::chrono::milliseconds(static_cast<int64_t>(o_.duration_s * 1000));
    running_ = app_.requests.size();
    all_ended_ = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
    for (size_t c = 0; c < app_.requests.size(); ++c)
      asio::co_spawn(io_, client(c), asio::detached);
    asio::co_spawn(io_, observe(), asio::detached);
    while (running_ > 0) {
      boost::system::error_code ec;
      co_await all_ended_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    res_.seconds = ms_since(start_) / 1000;
    res_.ended_ms = epoch_ms();
    if (run_.interrupted()) throw PgError("interrupted");
    if (o_.shard && !last_to_finish_or_lost()) {
      // Another shard's clients still run: it reads the rows and drops the schema.
      res_.accounting = account(plan_, committed_delta(), {}, false);
      run_.keep_schema();
      co_return;
    }
    co_await read_final();
  }

  LoadResult result() { return std::move(res_); }

 private:
  RequestMachine machine() { return RequestMachine(app_, *backend_, nullptr); }

  void check_connections() {
    if (!o_.connections_checked)
      check_free_connections(run_.admin(), app_.requests.size(), o_.connection_margin);
  }

  static int64_t epoch_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Interrupts the run when another thread of it saw a signal.
  void look_for_stop() {
    if (o_.stop && o_.stop->load() && !run_.interrupted()) run_.interrupt();
  }

  // Waits until every shard has joined, so that their clients overlap.
  awaitable<void> meet() {
    auto until = Clock::now() + std::chrono::seconds(o_.shard->wait_s);
    for (;;) {
      look_for_stop();
      if (run_.interrupted()) throw PgError("interrupted");
      std::vector<std::string> n = run_.admin().rows_as_text("SELECT count(*) FROM ccsim_shards");
      if (!n.empty() && std::stoul(n.front().substr(1)) >= o_.shard->count) co_return;
      if (Clock::now() > until)
        throw PgError("shard " + std::to_string(o_.shard->index) + "/" +
                      std::to_string(o_.shard->count) + ": the other shards of run '" +
                      o_.shard->run_id + "' did not all start within " +
                      std::to_string(o_.shard->wait_s) + " s");
      co_await run_.sleep_ms(10);
    }
  }

  // last_to_finish(), or true when the server went away meanwhile (then
  // read_final() says the final rows are unknown).
  bool last_to_finish_or_lost() {
    try {
      return last_to_finish();
    } catch (const PgError& e) {
      if (run_.interrupted()) throw;
      res_.notes.push_back(std::string("the other shards could not be told this one ended: ") +
                           e.what());
      return true;
    }
  }

  // Marks this shard done; true when it is the last of them.
  bool last_to_finish() {
    run_.lock_shared();
    run_.admin().exec("UPDATE ccsim_shards SET done = true WHERE shard = " +
                      std::to_string(o_.shard->index));
    std::vector<std::string> left =
        run_.admin().rows_as_text("SELECT count(*) FROM ccsim_shards WHERE NOT done");
    run_.unlock_shared();
    return !left.empty() && left.front() == "(0)";
  }

  // Wakes every client blocked on an application mutex, to look again.
  void wake() {
    auto old = std::exchange(
        wakeup_, std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max()));
    if (old) old->cancel();
  }
  awaitable<void> wait_wakeup() {
    if (!wakeup_)
      wakeup_ = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
    auto t = wakeup_;
    boost::system::error_code ec;
    co_await t->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  bool more(int64_t done) const {
    if (run_.interrupted() || lost_server_) return false;
    if (o_.requests_per_client > 0) return done < o_.requests_per_client;
    return Clock::now() < deadline_;
  }

  awaitable<void> client(size_t c) {
    RequestId r{static_cast<uint32_t>(c)};
    std::mt19937_64 rng(o_.seed * 0x9E3779B97F4A7C15ULL + c);
    for (int64_t n = 0; more(n); ++n) {
      app_.requests[c] = fresh_[c];
      ++res_.requests;
      Clock::time_point t0 = Clock::now();
      try {
        while (app_.requests[c].fate == Fate::kRunning) {
          if (runnable(app_, r)) {
            machine().step(r);
            if (backend_->owes_rollbacks()) co_await backend_->flush();
            if (backend_->in_flight(r)) {
              co_await run_.finished(c);
              machine().answer(r, backend_->answer_of(r));
              if (backend_->owes_rollbacks()) co_await backend_->flush();
            }
            if (mutex_waiters_ > 0) wake();
          } else {  // waits for an application mutex another client holds
            Clock::time_point w = Clock::now();
            ++mutex_waiters_;
            co_await wait_wakeup();
            --mutex_waiters_;
            res_.mutex_wait_ms += ms_since(w);
            if (run_.interrupted()) throw PgError("interrupted");
          }
        }
      } catch (const std::exception& e) {
        if (!run_.interrupted()) {
          ++res_.unknown;
          res_.notes.push_back("client " + app_.requests[c].name + ": " + e.what() +
                               "; its request's outcome is unknown and the client stopped");
          lost_server_ = lost_server_ || !run_.session(c);
        }
        // A mutex it held must not strand the others.
        app_.mutexes.release_all(c, false);
        wake();
        break;
      }
      const Request& q = app_.requests[c];
      res_.retries += q.retries_total;
      res_.restarts += q.restarts;
      switch (q.fate) {
        case Fate::kCommitted:
          ++res_.committed;
          if (o_.committed_so_far) ++*o_.committed_so_far;
          ++committed_[c];
          break;
        case Fate::kAborted:
          ++res_.failed[q.sqlstate];
          break;
        case Fate::kGaveUp:
          ++res_.gave_up;
          break;
        case Fate::kDropped:
          ++res_.dropped;
          break;
        default:
          break;
      }
      if (q.fate != Fate::kDropped) res_.latencies_ms.push_back(ms_since(t0));
      int pause = o_.think_ms > 0 ? std::uniform_int_distribution<int>(0, 2 * o_.think_ms)(rng) : 0;
      // A dropped click comes again after at least a millisecond, so a
      // debounced client does not spin while its other request runs.
      if (q.fate == Fate::kDropped) pause = std::max(pause, 1);
      if (pause > 0) co_await run_.sleep_ms(pause);
    }
    if (--running_ == 0) all_ended_->cancel();
  }

  // Samples how many clients wait for a lock, and reports progress.
  awaitable<void> observe() {
    // Every 100 ms in all: each of N shards or threads samples its own
    // clients every 100 x N ms (the query costs the server as much as a
    // transaction or two; every 20 ms it cost f_expression about 4% of its
    // throughput at 16 clients, docs/load.md).
    const int every_ms = 100 * static_cast<int>(o_.shard ? o_.shard->count : 1);
    int ticks = 0;
    while (running_ > 0 && !run_.interrupted()) {
      look_for_stop();
      if (run_.interrupted()) co_return;
      try {
        PgConn& obs = run_.observer();
        obs.start(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND pid = ANY($1::int[])",
            {pids_});
        co_await obs.collect();
        if (!obs.result().error && !obs.result().rows.empty() && obs.result().rows[0][0])
          res_.lock_wait_ms += every_ms * std::stod(*obs.result().rows[0][0]);
      } catch (const std::exception&) {
        co_return;  // the clients report what broke
      }
      if (o_.progress && ++ticks % (500 / every_ms + 1) == 0)
        o_.progress(
            m_.name + ", " + std::to_string(res_.clients) +
            " clients: " + std::to_string(static_cast<int>(ms_since(start_) / 1000)) + " s, " +
            std::to_string(o_.committed_so_far ? o_.committed_so_far->load() : res_.committed) +
            " committed");
      co_await run_.sleep_ms(every_ms);
    }
  }

  // The committed requests' deltas, summed by cell.
  std::map<CellId, int64_t> committed_delta() const {
    std::map<CellId, int64_t> sum;
    for (size_t c = 0; c < committed_.size(); ++c)
      if (committed_[c] > 0) plan_.add_committed(ids_[c], sum, committed_[c]);
    return sum;
  }

  // Reads the followed cells and does the accounting.
  awaitable<void> read_final() {
    std::map<CellId, int64_t> final_values;
    bool known = true;
    std::map<std::pair<std::string, std::string>, std::vector<CellId>> by_column;
    for (const CellId& cell : plan_.all_cells())
      by_column[{cell.table, cell.column}].push_back(cell);
    try {
      for (const auto& [tc, cells] : by_column) {
        PgConn& a = run_.admin();
        a.start("SELECT " + sql_identifier(cells.front().key_column) + ", " +
                    sql_identifier(tc.second) + " FROM " + sql_identifier(tc.first),
                {});
        co_await a.collect();
        if (a.result().error) throw PgError(a.result().message);
        for (const Row& row : a.result().values()) {
          const int64_t* k = std::get_if<int64_t>(&row[0]);
          const int64_t* v = std::get_if<int64_t>(&row[1]);
          if (k && v) final_values[CellId{tc.first, cells.front().key_column, *k, tc.second}] = *v;
        }
      }
    } catch (const std::exception& e) {
      known = false;
      res_.notes.push_back(std::string("the final rows could not be read: ") + e.what());
    }
    if (res_.unknown > 0) known = false;
    res_.accounting = account(plan_, committed_delta(), final_values, known);
  }

  asio::io_context& io_;
  const Scenario& s_;
  const Mitigation& m_;
  Isolation iso_;
  const LoadPlan& plan_;
  LoadOptions o_;
  ServerRun run_;
  Application app_;
  std::vector<Request> fresh_;  // each client's request before its first step
  std::vector<size_t> ids_;     // each session's client number in the whole run
  std::unique_ptr<PgBackend> backend_;
  std::string pids_;
  LoadResult res_;
  std::vector<int64_t> committed_;  // each client's committed requests
  Clock::time_point start_, deadline_;
  size_t running_ = 0;
  size_t mutex_waiters_ = 0;  // clients blocked on an application mutex
  bool lost_server_ = false;
  std::shared_ptr<asio::steady_timer> all_ended_, wakeup_;
};

}  // namespace

int64_t LoadResult::failed_total() const {
  int64_t n = 0;
  for (const auto& [state, k] : failed) n += k;
  return n;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

LatencyMs LoadResult::latency() const {
  std::vector<double> v = latencies_ms;
  std::sort(v.begin(), v.end());
  return LatencyMs{percentile(v, 50), percentile(v, 95), percentile(v, 99),
                   v.empty() ? 0 : v.back()};
}

namespace {

LoadResult run_load_thread(const Scenario& s, const Mitigation& m, Isolation iso,
                           const LoadPlan& plan, size_t clients, const LoadOptions& o) {
  // One thread runs it (others only set the stop flag it polls): the hint
  // lets Asio keep completions in the thread's own queue instead of waking
  // its reactor through epoll_ctl after every cancelled timer.
  asio::io_context io(1);
  Driver d(io, s, m, iso, plan, clients, o);
  d.open();
  run_on_server(io, d.server(), [&] { return d.drive(); });
  std::string schema = d.server().schema();
  LoadResult r = d.result();
  try {
    d.server().close();
  } catch (const PgError& e) {  // the server went away: say so, keep the counts
    r.notes.push_back("the schema " + schema + " could not be dropped (" + e.what() +
                      "); drop it by hand if the server kept it");
  }
  return r;
}

}  // namespace

struct LoadSignals::Impl {
  asio::io_context io;
  asio::signal_set signals{io, SIGINT, SIGTERM};
  std::thread thread;
};

LoadSignals::LoadSignals()
    : stop_(std::make_shared<std::atomic<bool>>(false)), impl_(std::make_unique<Impl>()) {
  impl_->signals.async_wait([stop = stop_](const boost::system::error_code& ec, int) {
    if (!ec) stop->store(true);
  });
  impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

LoadSignals::~LoadSignals() {
  asio::post(impl_->io, [s = &impl_->signals] { s->cancel(); });
  impl_->thread.join();
}

size_t load_threads(const Scenario& s, const Mitigation& m, size_t clients, const LoadOptions& o) {
  if (o.shard || clients < 2) return 1;
  for (const Step& st : m.steps->steps)
    if (std::holds_alternative<AcquireAction>(st.body)) return 1;
  Application app = build_application(s, m);
  for (const auto& [name, c] : app.clients)
    if (c.debounce) return 1;
  size_t n = o.threads;
  if (n == 0) n = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  return std::min(n, clients);
}

// With several threads, each runs a share of the clients as a shard of one
// run (client c in thread c mod T), in a schema of the run's own; their
// results add up as `ccsim merge` adds shards.
LoadResult run_load(const Scenario& s, const Mitigation& m, Isolation iso, const LoadPlan& plan,
                    size_t clients, const LoadOptions& o) {
  const size_t threads = load_threads(s, m, clients, o);
  if (threads <= 1) return run_load_thread(s, m, iso, plan, clients, o);
  {
    asio::io_context io;
    PgConn admin(io, o.pg, "admin");
    check_free_connections(admin, clients, o.connection_margin);
  }
  static std::atomic<int> runs{0};
  const std::string run_id = "t" + std::to_string(getpid()) + "_" + std::to_string(++runs);
  std::vector<LoadResult> parts(threads);
  std::vector<std::exception_ptr> errors(threads);
  auto committed = std::make_shared<std::atomic<int64_t>>(0);
  auto stop = o.stop ? o.stop : std::make_shared<std::atomic<bool>>(false);
  // The signals are caught here before any thread starts, so that none is
  // missed by a thread still connecting; each thread looks at `stop`.
  asio::io_context signals_io;
  asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop->store(true);
  });
  auto running = std::make_shared<std::atomic<size_t>>(threads);
  std::vector<std::thread> pool;
  for (size_t k = 0; k < threads; ++k) {
    LoadOptions ok = o;
    ok.shard = LoadOptions::Shard{k, threads, run_id, 0, 10};
    ok.committed_so_far = committed;
    ok.stop = stop;
    ok.connections_checked = true;
    if (k > 0) ok.progress = nullptr;  // one line, with everyone's count
    pool.emplace_back([&, k, ok] {
      try {
        parts[k] = run_load_thread(s, m, iso, plan, clients, ok);
      } catch (...) {
        errors[k] = std::current_exception();
      }
      if (--*running == 0) asio::post(signals_io, [&] { signals.cancel(); });
    });
  }
  signals_io.run();
  for (std::thread& t : pool) t.join();
  // The first error that is not another thread's echo of it.
  std::exception_ptr first;
  for (const std::exception_ptr& e : errors) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const PgError& pe) {
      bool echo = std::string(pe.what()) == "interrupted" ||
                  std::string(pe.what()).find("did not all start") != std::string::npos;
      if (!first || !echo) first = e;
      if (!echo) break;
    } catch (...) {
      first = e;
      break;
    }
  }
  if (first) std::rethrow_exception(first);
  std::vector<LoadShardFile> files;
  std::vector<std::string> names;
  for (size_t k = 0; k < threads; ++k) {
    LoadShardFile f;
    f.header.file = s.file;
    f.header.shard = LoadOptions::Shard{k, threads, run_id, 0, 10};
    f.runs.push_back(std::move(parts[k]));
    files.push_back(std::move(f));
    names.push_back("thread " + std::to_string(k));
  }
  LoadResult r = merge_load_shards(files, names).second.front();
  for (std::string& n : r.notes)
    if (n.rfind("shard ", 0) == 0) n.replace(0, 6, "thread ");
  r.threads = threads;
  return r;
}

}  // namespace ccsim
