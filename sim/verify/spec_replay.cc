#include <algorithm>
#include <cctype>
#include <limits>

#include "pg/conn.h"
#include "pg/server_run.h"
#include "spec/tester_output.h"
#include "verify/replay.h"

namespace ccsim {

namespace {

namespace asio = boost::asio;
using asio::awaitable;

class SpecReplayer {
 public:
  SpecReplayer(asio::io_context& io, const SpecFile& spec, Isolation iso, const PgOptions& o,
               int64_t step_wait_s)
      : spec_(spec), iso_(iso), run_(io, o, "ccsim_spec"), step_wait_s_(step_wait_s) {}

  ServerRun& server() { return run_; }

  void open() {
    run_.open();
    for (const SpecSession& s : spec_.sessions) {
      std::vector<std::string> settings;
      if (iso_ == Isolation::kRepeatableRead)
        settings.push_back("SET default_transaction_isolation = 'repeatable read'");
      if (iso_ == Isolation::kSerializable)
        settings.push_back("SET default_transaction_isolation = 'serializable'");
      // The connection's guard (PgOptions::statement_timeout_ms) is a
      // setting the spec would see or replace: a spec that names
      // statement_timeout starts from the tester's 0, bounded by settle().
      if (names_statement_timeout()) settings.push_back("SET statement_timeout = 0");
      size_t i = run_.add_session("session " + s.name, settings);
      std::string name = s.name;
      run_.session(i)->on_notice([this, name, i](const std::string& m) {
        notices_[i].emplace_back(run_.session(i)->results_in(), name + ": " + m);
      });
    }
    notices_.resize(spec_.sessions.size());
    active_.assign(spec_.sessions.size(), -1);
    marks_.resize(spec_.sessions.size());
  }

  const std::string& output() const { return out_; }

  awaitable<void> run() {
    out_ = "Parsed test spec with " + std::to_string(spec_.sessions.size()) + " sessions\n";
    for (size_t p = 0; p < spec_.permutations.size(); ++p) {
      const std::vector<size_t>& perm = spec_.permutations[p];
      out_ += "\nstarting permutation:";
      for (size_t i : perm) out_ += " " + spec_.steps[i].name;
      out_ += "\n";
      // Setup and teardown blocks go to the server as written, each block in
      // one message, as the isolation tester sends them: a statement ccsim's
      // reader missed would show as a difference, never vanish on both sides.
      for (const std::string& sql : spec_.setup_sql) exec_block(run_.admin(), sql);
      for (size_t s = 0; s < spec_.sessions.size(); ++s)
        exec_block(*run_.session(s), spec_.sessions[s].setup_sql);
      for (size_t k = 0; k < perm.size(); ++k) co_await issue(perm[k], spec_.markers[p][k]);
      // The steps still waiting, each in turn in the order they began to
      // wait, each reported as it completes.
      for (size_t k = 0; k < waiting_.size();) {
        size_t s = waiting_[k];
        co_await wait_or_cancel(s);
        if (blocked(s)) {
          ++k;
          continue;
        }
        complete(s);
      }
      co_await poll_waiting();
      if (!waiting_.empty())
        throw PgError("markers hold back the completion of step " +
                      spec_.steps[static_cast<size_t>(active_[waiting_.front()])].name +
                      " at the end of a permutation (the isolation tester would time out)");
      for (size_t s = 0; s < spec_.sessions.size(); ++s)
        exec_block(*run_.session(s), spec_.sessions[s].teardown_sql);
      exec_block(run_.admin(), spec_.teardown_sql);
    }
  }

 private:
  bool names_statement_timeout() const {
    auto names = [](const std::string& sql) {
      std::string low = sql;
      for (char& ch : low) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return low.find("statement_timeout") != std::string::npos;
    };
    if (std::any_of(spec_.steps.begin(), spec_.steps.end(),
                    [&](const SpecStep& st) { return names(st.sql); }))
      return true;
    return std::any_of(spec_.sessions.begin(), spec_.sessions.end(), [&](const SpecSession& ss) {
      return names(ss.setup_sql) || names(ss.teardown_sql);
    });
  }

  // The tester prints the rows of a block's last statement, when it
  // returned rows.
  void exec_block(PgConn& c, const std::string& sql) {
    if (sql.find_first_not_of(" \t\r\n") == std::string::npos) return;
    c.exec(sql);
    for (size_t s = 0; s < notices_.size(); ++s) out_ += notices(s, SIZE_MAX);
    if (c.result().tuples) out_ += tester_table(c.result().columns, c.result().rows);
  }

  // ---- Rule: the tester prints a notice where libpq meets it ---------------------
  // Its notice processor prints at once, and libpq parses no further than
  // a result that is ready until the tester fetches it: a notice sent
  // before a step's first result comes before the step's line (or its
  // "<... completed>"), a later one between the results it came between.
  // Takes and returns session s's notices that came after at most
  // `results` results.
  std::string notices(size_t s, size_t results) {
    std::string out;
    auto& pending = notices_[s];
    auto it = pending.begin();
    for (; it != pending.end() && it->first <= results; ++it) out += it->second;
    pending.erase(pending.begin(), it);
    return out;
  }

  // Returns true when session s's step waits for a lock, false when it is done.
  awaitable<bool> settle(size_t s, bool until_done) {
    return run_.settle(s, until_done,
                       "step " + spec_.steps[static_cast<size_t>(active_[s])].name +
                           " of session " + spec_.sessions[s].name +
                           " (PostgreSQL's isolationtester would cancel it after 300 s)");
  }

  // The tester waits for session s's step itself: when it is still
  // running after the step wait, the tester says so and cancels it.
  awaitable<void> wait_or_cancel(size_t s) {
    const std::string name = spec_.steps[static_cast<size_t>(active_[s])].name;
    if (step_wait_s_ <= 0) {  // the tester would give up at once: settle() says why
      co_await settle(s, true);
      co_return;
    }
    if (!(co_await run_.settle(s, true, "step " + name, step_wait_s_ * 1000))) co_return;
    out_ += "isolationtester: canceling step " + name + " after " + std::to_string(step_wait_s_) +
            " seconds\n";
    run_.session(s)->cancel_statement();
    co_await settle(s, true);
  }

  // Each statement's rows, then the error that ended the step, if any,
  // with the notices that came after each result.
  std::string details(size_t s) {
    std::string out;
    const std::vector<PgResult> results = run_.session(s)->results();
    for (size_t i = 0; i < results.size(); ++i) {
      const PgResult& r = results[i];
      if (r.tuples) out += tester_table(r.columns, r.rows);
      if (r.error) out += "ERROR:  " + r.message + "\n";
      out += notices(s, i + 1);
    }
    return out + notices(s, SIZE_MAX);
  }

  // Prints the completion of session s's step, which has finished.
  void complete(size_t s) {
    out_ += notices(s, 0);  // before details() takes the rest
    out_ += "step " + spec_.steps[static_cast<size_t>(active_[s])].name + ": <... completed>\n";
    out_ += details(s);
    active_[s] = -1;
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), s));
  }

  // Whether a marker holds session s's step back: a step it names is in
  // flight in its own session.
  bool blocked(size_t s) const {
    for (size_t b : marks_[s].blockers)
      if (active_[spec_.steps[b].session] == static_cast<int>(b)) return true;
    return false;
  }

  // One pass over the waiting steps, in the order they started waiting,
  // repeated while a step with markers waits and the pass reported one.
  awaitable<void> poll_waiting() {
    for (;;) {
      size_t before = waiting_.size();
      bool marked = false;
      for (size_t k = 0; k < waiting_.size();) {
        size_t s = waiting_[k];
        if (!(co_await settle(s, false)) && !blocked(s)) {
          complete(s);
          continue;
        }
        marked |= marks_[s].once || !marks_[s].blockers.empty();
        ++k;
      }
      if (!marked || waiting_.size() == before) co_return;
    }
  }

  awaitable<void> issue(size_t step_index, const StepMarkers& marks) {
    const SpecStep& st = spec_.steps[step_index];
    size_t s = st.session;
    while (active_[s] >= 0) {  // the session's earlier step: wait for it, poll the rest
      co_await wait_or_cancel(s);
      size_t before = waiting_.size();
      if (!blocked(s)) complete(s);
      co_await poll_waiting();
      if (active_[s] >= 0 && waiting_.size() == before) {
        for (size_t b : marks_[s].blockers) {
          size_t o = spec_.steps[b].session;
          if (active_[o] == static_cast<int>(b)) co_await settle(o, true);
        }
        co_await poll_waiting();
        if (active_[s] >= 0 && waiting_.size() == before)
          throw PgError("step " + spec_.steps[static_cast<size_t>(active_[s])].name +
                        " is held back by a marker naming a step that never completes");
      }
    }
    run_.start(s, st.sql, {}, st.steps.size() > 1);
    active_[s] = static_cast<int>(step_index);
    marks_[s] = marks;
    // step(*) is reported as waiting whatever it does, but the replay still
    // lets it run (finish, or wait for a lock) before the next step is
    // sent, so that a later step of another session cannot overtake it on
    // a busy server; a step whose marker step is in flight is reported as
    // waiting though done.
    bool waits = co_await settle(s, false);
    bool deferred = marks.once || waits || blocked(s);
    out_ += notices(s, 0);
    if (deferred) {
      out_ += "step " + st.name + ": " + st.sql + " <waiting ...>\n";
    } else {
      out_ += "step " + st.name + ": " + st.sql + "\n";
      out_ += details(s);
      active_[s] = -1;
    }
    co_await poll_waiting();
    if (deferred) waiting_.push_back(s);
  }

  const SpecFile& spec_;
  Isolation iso_;
  ServerRun run_;
  std::vector<int> active_;         // per session: the step in flight, or -1
  std::vector<size_t> waiting_;     // sessions whose step waits, in the order they started
  std::vector<StepMarkers> marks_;  // per session: the markers of its step in flight
  // Per session: the notices not printed yet, each with how many of the
  // step's results came in before it.
  std::vector<std::vector<std::pair<size_t, std::string>>> notices_;
  std::string out_;
  int64_t step_wait_s_;  // the tester's step wait (PGISOLATIONTIMEOUT)
};

}  // namespace

std::string replay_spec_on_postgres(const SpecFile& spec, Isolation isolation, const PgOptions& o,
                                    int64_t step_wait_s) {
  asio::io_context io;
  // The connections' own guard must not end a wait before the tester would.
  PgOptions guarded = o;
  guarded.statement_timeout_ms = static_cast<int>(std::clamp<int64_t>(
      (2 * step_wait_s + 30) * 1000, o.statement_timeout_ms, std::numeric_limits<int>::max()));
  SpecReplayer rp(io, spec, isolation, guarded, step_wait_s);
  rp.open();
  run_on_server(io, rp.server(), [&] { return rp.run(); });
  rp.server().close();
  return rp.output();
}

}  // namespace ccsim
