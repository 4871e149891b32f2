#include "pg/replay.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <exception>
#include <memory>
#include <optional>

#include "lang/eval.h"
#include "pg/asio.h"
#include "pg/conn.h"

namespace ccsim {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

// A request on the server side: the application's half (variables, LET,
// RETRY, the client's debounce) runs here, exactly as engine/ runs it; SQL
// goes to its own connection.
struct PgRequest {
  std::string name, client, process;
  ProgramPtr program;
  Vars initial, vars;
  size_t pc = 0;
  bool sent = false, in_block = false;
  RunState state = RunState::kReady;
  Fate fate = Fate::kRunning;
  std::string sqlstate;
  std::map<size_t, int64_t> retries;
  int64_t restarts = 0;
  int64_t steps_taken = 0;
  std::vector<std::string> waiting_for;
  size_t waiting_record = 0;
  bool mutex_wait = false;  // waits in ACQUIRE: the application's wait, not the server's
  std::unique_ptr<PgConn> conn;
};

// Returns the statement as PostgreSQL takes it: INTO removed and each
// :param a $n placeholder (typed, so the server need not guess), or NULL.
std::string server_sql(const Step& st, const Vars& vars,
                       std::vector<std::optional<std::string>>& params) {
  std::string text = st.text;
  if (auto* sel = std::get_if<SelectStmt>(&st.body); sel && !sel->into.empty()) {
    bool quoted = false;
    size_t cut = std::string::npos;
    for (size_t i = 0; i + 6 <= text.size(); ++i) {
      if (text[i] == '\'') quoted = !quoted;
      if (!quoted && (i == 0 || text[i - 1] == ' ')) {
        std::string word = text.substr(i, 5);
        for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (word == "INTO " || (word == "INTO" && i + 4 == text.size())) cut = i;
      }
    }
    if (cut != std::string::npos) text = text.substr(0, cut > 0 ? cut - 1 : 0);
  }
  std::string out;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') quoted = !quoted;
    if (quoted || c != ':' || i + 1 >= text.size() ||
        !(std::isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '_')) {
      out += c;
      continue;
    }
    size_t e = i + 1;
    while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_'))
      ++e;
    std::string name = text.substr(i + 1, e - i - 1);
    auto it = vars.find(name);
    if (it == vars.end()) throw SqlError("42P02", "parameter :" + name + " has no value yet");
    const Value& v = it->second.value;
    if (is_null(v)) {
      out += "NULL";
    } else {
      params.push_back(to_display(v));
      out += "$" + std::to_string(params.size()) +
             (std::holds_alternative<int64_t>(v) ? "::int8" : "::text");
    }
    i = e - 1;
  }
  return out;
}

std::string to_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Replayer {
 public:
  Replayer(asio::io_context& io, const Scenario& s, const Mitigation& m,
           const ScheduleSpec& schedule, Isolation iso, int64_t steps_max, const PgOptions& o)
      : io_(io), s_(s), m_(m), schedule_(schedule), iso_(iso), steps_max_(steps_max), o_(o) {}

  // Creates the schema, tables and connections.
  void open() {
    admin_ = std::make_unique<PgConn>(io_, o_, "admin");
    schema_ = "ccsim_verify_" + std::to_string(getpid()) + "_" + std::to_string(++counter_);
    admin_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    admin_->exec("CREATE SCHEMA " + schema_);
    created_ = true;
    admin_->exec("SET search_path TO " + schema_);
    for (const Step& st : s_.setup.steps) admin_->exec(st.text);
    if (m_.setup)
      for (const Step& st : m_.setup->steps) admin_->exec(st.text);
    observer_ = std::make_unique<PgConn>(io_, o_, "observer");
    for (size_t i = 0; i < s_.requests.size(); ++i) {
      const RequestSpec& spec = s_.requests[i];
      PgRequest q;
      q.name = spec.name;
      q.client = spec.client;
      q.process = spec.process;
      q.program = m_.steps;
      q.initial = q.vars = initial_vars(spec, i);
      q.conn = std::make_unique<PgConn>(io_, o_, "request " + spec.name);
      q.conn->exec("SET search_path TO " + schema_);
      q.conn->exec("SET deadlock_timeout = " + std::to_string(o_.deadlock_timeout_ms));
      q.conn->exec(std::string("SET default_transaction_isolation = '") + to_lower(to_sql(iso_)) +
                   "'");
      pids_ += (pids_.empty() ? "{" : ",") + std::to_string(q.conn->pid());
      reqs_.push_back(std::move(q));
    }
    pids_ += "}";
  }

  // Reads the final rows and fates, then drops everything. Safe to call twice.
  void close(ReplayRecord* rec) {
    for (PgRequest& q : reqs_)
      if (q.conn) q.conn->cancel_waits();
    if (rec && admin_) {
      for (const Step& st : s_.setup.steps)
        if (auto* c = std::get_if<CreateTableStmt>(&st.body)) read_table(c->table, *rec);
      if (m_.setup)
        for (const Step& st : m_.setup->steps)
          if (auto* c = std::get_if<CreateTableStmt>(&st.body)) read_table(c->table, *rec);
      for (const PgRequest& q : reqs_) {
        std::string f = to_string(q.fate);
        rec->fates.emplace_back(
            q.name, q.fate == Fate::kAborted && !q.sqlstate.empty() ? f + ":" + q.sqlstate : f);
      }
    }
    reqs_.clear();  // closes the request connections: their backends end and release their locks
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

  awaitable<void> drive(ReplayRecord& rec) {
    std::unique_ptr<Strategy> strategy = make_strategy(schedule_);
    for (size_t position = 0;; ++position) {
      if (interrupted_) throw PgError("interrupted");
      std::vector<Mover> ms;
      bool any_ready = false, all_done = true;
      for (const PgRequest& q : reqs_) {
        ms.push_back(Mover{q.name, q.state, q.fate, q.waiting_for});
        any_ready |= q.state == RunState::kReady;
        all_done &= q.state == RunState::kDone;
      }
      if (all_done || !any_ready || strategy->exhausted(position)) break;
      size_t i = 0;
      try {
        i = strategy->pick(ms, position);
      } catch (const InputError& e) {
        rec.steps.push_back(StepRecord{position + 1, "-", 0, "",
                                       std::string("schedule cannot go on: ") + e.message(), "", 0,
                                       ""});
        break;
      }
      rec.schedule += (rec.schedule.empty() ? "" : " ") + reqs_[i].name;
      co_await take_step(i, position + 1, rec);
      co_await settle_waiters(position + 1, rec);
    }
  }

  void interrupt() {
    interrupted_ = true;
    for (PgRequest& q : reqs_)
      if (q.conn) q.conn->cancel_waits();
  }

 private:
  awaitable<void> sleep_ms(int ms) {
    asio::steady_timer t(io_);
    t.expires_after(std::chrono::milliseconds(ms));
    co_await t.async_wait(use_awaitable);
  }

  // Waits until q's statement has finished or waits for a lock held by
  // another request. Returns true when it waits.
  awaitable<bool> settle(PgRequest& q) {
    auto deadline = Clock::now() + std::chrono::milliseconds(o_.settle_ms_max);
    for (;;) {
      if (failure_) std::rethrow_exception(failure_);
      if (interrupted_) throw PgError("interrupted");
      if (!q.conn->busy()) co_return false;
      bool blocked = co_await observer_->waits_for_lock(q.conn->pid(), pids_);
      if (blocked && q.conn->busy()) co_return true;
      if (Clock::now() > deadline)
        throw PgError("request " + q.name +
                      "'s statement neither finished nor waited for a lock within " +
                      std::to_string(o_.settle_ms_max) + " ms");
      co_await sleep_ms(1);
    }
  }

  awaitable<void> take_step(size_t i, size_t position, ReplayRecord& rec) {
    PgRequest& q = reqs_[i];
    StepRecord sr;
    sr.position = position;
    sr.request = q.name;
    sr.step = q.pc + 1;
    sr.text = q.program->steps[q.pc].text;
    if (!q.sent) {
      bool policy = m_.client.debounce;
      bool in_flight = std::any_of(reqs_.begin(), reqs_.end(), [&](const PgRequest& o) {
        return &o != &q && o.client == q.client && o.sent && o.fate == Fate::kRunning;
      });
      if (policy && in_flight) {
        q.state = RunState::kDone;
        q.fate = Fate::kDropped;
        sr.outcome = "dropped";
        rec.steps.push_back(sr);
        co_return;
      }
      q.sent = true;
    }
    if (q.steps_taken++ >= steps_max_) {
      give_up(i, position, rec);
      sr.outcome = "gave up";
      rec.steps.push_back(sr);
      co_return;
    }
    if (m_.crash && m_.crash->request == q.name && m_.crash->step == q.pc) {
      co_await crash(i);
      sr.outcome = "crashed";
      rec.steps.push_back(sr);
      release_mutexes(i, true, position, rec);  // its process's mutexes die with it
      co_return;
    }
    const Step& st = q.program->steps[q.pc];
    try {
      if (auto* rs = std::get_if<RestartAction>(&st.body)) {
        EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
        if (eval_pred(*rs->condition, env) == true) {
          sr.outcome = restart(i, position, rec) ? "restart" : "gave up";
          rec.steps.push_back(sr);
          co_return;
        }
        sr.outcome = "ok";
        ++q.pc;
      } else if (auto* acq = std::get_if<AcquireAction>(&st.body)) {
        std::string key = Mutexes::key(acq->mutex, acq->global, q.process);
        if (mutexes_.acquire(key, i)) {
          sr.outcome = "ok";
          ++q.pc;
        } else {
          sr.outcome = "waits";
          q.state = RunState::kBlocked;
          q.mutex_wait = true;
          q.waiting_for = {reqs_[*mutexes_.holder(key)].name};
          q.waiting_record = rec.steps.size();
        }
      } else if (auto* rel = std::get_if<ReleaseAction>(&st.body)) {
        sr.outcome = "ok";
        ++q.pc;
        for (const std::string& key : mutexes_.held_by(i))
          if (key.substr(key.rfind('/') + 1) == rel->mutex)
            if (auto next = mutexes_.release(key, i)) grant_mutex(*next, position, rec);
      } else if (auto* let = std::get_if<LetAction>(&st.body)) {
        EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
        q.vars[let->var] = Var{eval_value(*let->value, env), {}};
        sr.outcome = "ok";
        ++q.pc;
      } else if (auto* retry = std::get_if<RetryAction>(&st.body)) {
        EvalEnv env{nullptr, nullptr, &q.vars, nullptr};
        if (eval_pred(*retry->condition, env) == true) {
          int64_t& used = q.retries[q.pc];
          if (used >= retry->max) {
            give_up(i, position, rec);
            sr.outcome = "gave up";
          } else {
            ++used;
            sr.outcome = "retry";
            --q.pc;
          }
        } else {
          q.retries.erase(q.pc);
          sr.outcome = "ok";
          ++q.pc;
        }
      } else {
        std::vector<std::optional<std::string>> params;
        std::string sql = server_sql(st, q.vars, params);
        // One coroutine per statement in flight on the request's connection:
        // it waits on the socket while this driver watches for lock waits.
        q.conn->start(sql, params);
        asio::co_spawn(io_, q.conn->collect(), [this](std::exception_ptr e) {
          if (e && !failure_) failure_ = e;
        });
        bool waits = co_await settle(q);
        if (waits) {
          // Pacing: let this waiter's deadlock check run (and find no cycle)
          // before anything else happens, so that PostgreSQL's victim is the
          // waiter that closes a cycle, as in the simulator.
          co_await sleep_ms(o_.pace_ms);
          waits = q.conn->busy();
        }
        if (waits) {
          sr.outcome = "waits";
          q.state = RunState::kBlocked;
          q.waiting_record = rec.steps.size();
          waiting_.push_back(i);
        } else {
          co_await apply(i, sr.outcome, sr.result, position, rec);
        }
      }
    } catch (const SqlError& e) {
      sr.outcome = "ERROR " + e.sqlstate();
      abort(i, e.sqlstate(), position, rec);
    }
    rec.steps.push_back(sr);
    finish_if_returned(q, position, rec);
  }

  // Checks the waiting statements, in the order they started waiting, until
  // a pass finds none finished.
  awaitable<void> settle_waiters(size_t position, ReplayRecord& rec) {
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t k = 0; k < waiting_.size(); ++k) {
        PgRequest& q = reqs_[waiting_[k]];
        if (co_await settle(q)) continue;
        StepRecord& sr = rec.steps[q.waiting_record];
        sr.completed_at = position;
        std::string outcome, result;
        q.state = RunState::kReady;
        size_t who = waiting_[k];
        waiting_.erase(waiting_.begin() + static_cast<long>(k));
        co_await apply(who, outcome, result, position, rec);
        rec.steps[q.waiting_record].completion = outcome == "ok" ? result : outcome;
        finish_if_returned(q, position, rec);
        changed = true;
        break;
      }
    }
  }

  // Takes in the result of request i's statement: variables, :rowcount, the block.
  awaitable<void> apply(size_t i, std::string& outcome, std::string& result, size_t position,
                        ReplayRecord& rec) {
    PgRequest& q = reqs_[i];
    const PgResult& r = q.conn->result();
    const Step& st = q.program->steps[q.pc];
    if (r.error) {
      outcome = "ERROR " + r.sqlstate;
      abort(i, r.sqlstate, position, rec);
      co_return;
    }
    outcome = "ok";
    if (auto* sel = std::get_if<SelectStmt>(&st.body)) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& row : r.rows) {
        std::vector<std::string> cells;
        for (size_t c = 0; c < row.size(); ++c)
          cells.push_back(!row[c] ? "NULL" : r.is_int[c] ? *row[c] : pg_quote(*row[c]));
        rows.push_back(std::move(cells));
      }
      result = rows_result(rows);
      for (size_t k = 0; k < sel->into.size(); ++k) {
        Value v = Null{};
        if (!r.rows.empty() && r.rows[0][k])
          v = r.is_int[k] ? Value{std::stoll(*r.rows[0][k])} : Value{*r.rows[0][k]};
        q.vars[sel->into[k]] = Var{v, {}};
      }
      q.vars["rowcount"] = Var{static_cast<int64_t>(r.rows.size()), {}};
    } else if (r.rowcount >= 0) {
      result = "rowcount " + std::to_string(r.rowcount);
      q.vars["rowcount"] = Var{r.rowcount, {}};
    }
    if (std::holds_alternative<BeginStmt>(st.body)) q.in_block = true;
    if (std::holds_alternative<CommitStmt>(st.body) ||
        std::holds_alternative<RollbackStmt>(st.body))
      q.in_block = false;
    ++q.pc;
  }

  // An error ends the request, or restarts it when the policy names it: its
  // transaction (already failed on the server) is rolled back so the
  // connection is clean.
  void abort(size_t i, const std::string& sqlstate, size_t position, ReplayRecord& rec) {
    PgRequest& q = reqs_[i];
    if (q.in_block) q.conn->exec("ROLLBACK");
    q.in_block = false;
    if (m_.restart.restarts_on(sqlstate)) {
      restart(i, position, rec);
      return;
    }
    q.state = RunState::kDone;
    q.fate = Fate::kAborted;
    q.sqlstate = sqlstate;
    release_mutexes(i, false, position, rec);
  }

  void give_up(size_t i, size_t position, ReplayRecord& rec) {
    PgRequest& q = reqs_[i];
    if (q.in_block) q.conn->exec("ROLLBACK");
    q.in_block = false;
    q.state = RunState::kDone;
    q.fate = Fate::kGaveUp;
    release_mutexes(i, false, position, rec);
  }

  // Starts request i over, as engine/ does; returns false when it gave up instead.
  bool restart(size_t i, size_t position, ReplayRecord& rec) {
    PgRequest& q = reqs_[i];
    if (q.restarts >= m_.restart.max) {
      give_up(i, position, rec);
      return false;
    }
    if (q.in_block) q.conn->exec("ROLLBACK");
    release_mutexes(i, false, position, rec);
    ++q.restarts;
    q.pc = 0;
    q.vars = q.initial;
    q.retries.clear();
    q.in_block = false;
    q.state = RunState::kReady;
    return true;
  }

  // The request's process dies: its connection closes and the server rolls
  // back what it had open. Returns once the backend has gone, so that what
  // it released is settled before the next step.
  awaitable<void> crash(size_t i) {
    PgRequest& q = reqs_[i];
    int pid = q.conn->pid();
    q.conn.reset();
    q.state = RunState::kDone;
    q.fate = Fate::kCrashed;
    auto deadline = Clock::now() + std::chrono::milliseconds(o_.settle_ms_max);
    while (
        !admin_->rows_as_text("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(pid))
             .empty()) {
      if (Clock::now() > deadline)
        throw PgError("request " + q.name + "'s backend did not end within " +
                      std::to_string(o_.settle_ms_max) + " ms of its connection closing");
      co_await sleep_ms(1);
    }
  }

  void release_mutexes(size_t i, bool keep_global, size_t position, ReplayRecord& rec) {
    for (size_t g : mutexes_.release_all(i, keep_global)) grant_mutex(g, position, rec);
  }

  // Request g now holds the mutex its ACQUIRE waited for.
  void grant_mutex(size_t g, size_t position, ReplayRecord& rec) {
    PgRequest& w = reqs_[g];
    if (!w.mutex_wait) return;
    w.mutex_wait = false;
    w.waiting_for.clear();
    w.state = RunState::kReady;
    rec.steps[w.waiting_record].completed_at = position;
    ++w.pc;
    finish_if_returned(w, position, rec);
  }

  void finish_if_returned(PgRequest& q, size_t position, ReplayRecord& rec) {
    if (q.state != RunState::kReady || q.pc < q.program->steps.size()) return;
    q.state = RunState::kDone;
    if (q.in_block) {
      q.conn->exec("ROLLBACK");
      q.in_block = false;
      q.fate = Fate::kAborted;
    } else {
      q.fate = Fate::kCommitted;
    }
    release_mutexes(static_cast<size_t>(&q - reqs_.data()), false, position, rec);
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
  int64_t steps_max_;
  PgOptions o_;
  std::unique_ptr<PgConn> admin_, observer_;
  std::vector<PgRequest> reqs_;
  std::vector<size_t> waiting_;  // requests waiting for a lock, in the order they started
  Mutexes mutexes_;              // the application's mutexes, as engine/ keeps them
  std::string schema_, pids_;
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
  asio::co_spawn(io, rp.drive(rec), [&](std::exception_ptr e) {
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
