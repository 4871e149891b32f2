#include "spec/tester_output.h"

#include <strings.h>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

#include "engine/engine.h"
#include "lang/validate.h"

namespace ccsim {

namespace {

// PQprint's test for a numeric field (libpq's fe-print.c): every character
// is a digit, '.', 'e', 'E', a blank or '-', the first is no 'e' or 'E' and
// the last is a digit. An empty value (NULL prints as one) is skipped.
bool looks_numeric(const std::string& s) {
  if (s.empty()) return true;
  const bool chars = std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == ' ' || c == '-';
  });
  return chars && s.front() != 'e' && s.front() != 'E' && s.back() >= '0' && s.back() <= '9';
}

std::string pad(const std::string& s, size_t width, bool right) {
  std::string fill(width > s.size() ? width - s.size() : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string event_table(const Event& e) {
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (const Row& r : e.rows) {
    std::vector<std::optional<std::string>> cells;
    for (size_t c = 0; c < r.size(); ++c) {
      const Value& v = r[c];
      if (is_null(v)) {
        cells.emplace_back();
        continue;
      }
      std::string text = to_display(v);
      if (c < e.datetimes.size() && e.datetimes[c])  // date_out: in the DateStyle
        text = datetime_text(text, *e.datetimes[c]);
      cells.push_back(std::move(text));
    }
    rows.push_back(std::move(cells));
  }
  return tester_table(e.columns, rows);
}

}  // namespace

std::string tester_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows) {
  size_t n = columns.size();
  std::vector<size_t> width(n);
  std::vector<bool> numeric(n, true);
  for (size_t c = 0; c < n; ++c) {
    width[c] = columns[c].size();
    for (const auto& r : rows) {
      std::string v = r[c].value_or("");
      width[c] = std::max(width[c], v.size());
      numeric[c] = numeric[c] && looks_numeric(v);
    }
  }
  auto line = [&](auto cell) {
    std::string out;
    for (size_t c = 0; c < n; ++c) out += (c ? "|" : "") + pad(cell(c), width[c], numeric[c]);
    return out + "\n";
  };
  std::string out = line([&](size_t c) { return columns[c]; });
  for (size_t c = 0; c < n; ++c) out += (c ? "+" : "") + std::string(width[c], '-');
  out += "\n";
  for (const auto& r : rows) out += line([&](size_t c) { return r[c].value_or(""); });
  out += "(" + std::to_string(rows.size()) + (rows.size() == 1 ? " row)\n" : " rows)\n");
  return out + "\n";
}

namespace {

// What the tester prints when a waiting step is seen to finish.
struct Completion {
  std::string text;
};

// Mirrors how PostgreSQL 15's isolationtester observes a permutation: it
// issues a step and reports it as waiting or done; then it polls the steps
// that were already waiting, in the order they started waiting, and reports
// the ones that finished. Before issuing a step of a session that still has a
// waiting step, it first waits for that step (reporting it first, and
// cancelling it once its step wait has passed), then polls the rest; at the
// end of a permutation it waits for each step still waiting, in turn.
// Steps come at once, so time passes only while the tester waits
// for a step: then the waiters' timers fire (deadlock checks,
// lock_timeout, statement_timeout), first due first (next_timer), until the
// step it waits for ends.
class Observer {
 public:
  Observer(World& w, const SpecFile& spec, const std::vector<std::vector<std::string>>& step_names,
           std::string& out, int64_t step_wait_s)
      : w_(w), spec_(spec), names_(step_names), out_(out), step_wait_s_(step_wait_s) {
    active_.assign(spec.sessions.size(), kNone);
    marks_.resize(spec.sessions.size());
  }

  // Runs permutation entry `index` (a step of session `session`, with its
  // markers).
  // `implicit`: the step runs as one implicit transaction, between a BEGIN
  // and a COMMIT the program holds around it (implicit_transactions).
  void issue(size_t session, size_t index, const StepMarkers& marks, const SourcePos& perm_pos,
             size_t perm_no, bool implicit) {
    const SpecStep& st = spec_.steps[index];
    RequestId r{static_cast<uint32_t>(session)};
    // The session's earlier step is still in flight: the tester waits for
    // it, reporting it once no marker holds it back, and polls the others.
    while (is_waiting(r)) {
      wait_for(r, true);
      if (!done_.count(r.value))
        throw InputError(perm_pos, "permutation " + std::to_string(perm_no) + ", step " + st.name +
                                       ": session " + w_.requests[r.value].name +
                                       " is still waiting for a lock, and with "
                                       "PGISOLATIONTIMEOUT=" +
                                       std::to_string(step_wait_s_) +
                                       " the isolation tester would give up at once");
      size_t before = waiting_.size();
      if (!blocked(r)) report(r);
      report_finished();
      if (!is_waiting(r) || waiting_.size() < before) continue;
      // Held back by a marker step that still waits: time passes for it.
      bool moved = false;
      for (size_t b : marks_[r.value].blockers) {
        RequestId o{static_cast<uint32_t>(spec_.steps[b].session)};
        if (active_[o.value] == b && !done_.count(o.value)) {
          wait_for(o);
          moved |= done_.count(o.value) > 0;
        }
      }
      if (!moved)
        throw InputError(perm_pos, "permutation " + std::to_string(perm_no) + ", step " + st.name +
                                       ": the step before it in session " +
                                       w_.requests[r.value].name +
                                       " is held back by a marker naming a step that never "
                                       "completes (the isolation tester would time out)");
    }
    // ---- Rule: a step of several statements is one query -----------------------
    // The tester prints each statement's rows in turn; the first error ends
    // the query. Outside a transaction block PostgreSQL runs such a query as
    // one implicit transaction: it begins before the first statement, and
    // commits after the last one, or rolls back at the first error. Which
    // steps do was decided from the spec (implicit_transactions); the
    // session's state now must agree.
    bool outside = st.steps.size() > 1 && !w_.sessions[r.value].in_block &&
                   !std::holds_alternative<BeginStmt>(st.steps.front().body);
    if (outside != implicit)
      throw InputError(st.pos, "step " + st.name +
                                   " holds several statements, and whether they run inside a "
                                   "transaction block depends on more than its session's BEGIN, "
                                   "COMMIT and ROLLBACK statements, which is not modelled");
    if (implicit) step(w_, r, nullptr);  // the implicit BEGIN, which prints nothing
    implicit_[r.value] = implicit;
    w_.now_us += World::kStepMicros;  // sending a step takes a moment (World::now_us)
    size_t first = log_.events.size();
    step(w_, r, &log_);
    bool deferred = false;
    if (first < log_.events.size()) {
      const Event& e = log_.events[first];
      bool waits = e.kind == EventKind::kWait;
      bool failed = e.kind == EventKind::kError;
      active_[r.value] = index;
      marks_[r.value] = marks;
      std::string warning;
      if ((e.kind == EventKind::kStep || e.kind == EventKind::kWait) && !e.message.empty())
        warning = messages(w_.requests[e.request.value].name, e);
      if (e.kind == EventKind::kError && !e.warned.empty()) {
        Event sent = e;  // the WARNING, printed as a step's is
        sent.message = e.warned;
        sent.notice = false;
        warning = messages(w_.requests[e.request.value].name, sent);
      }
      std::string text;
      if (waits) {
        rest_[r.value] = Rest{&st, 0, "", ""};
        note_completions(first + 1);
      } else {
        // A later statement may wait: the step is then waiting, as the
        // tester sees its query still running, and what the statements
        // before it returned is printed when it completes.
        size_t after = log_.events.size();
        text = details(e);  // before run_rest, which adds events
        waits = run_rest(r, st, 1, failed, text, 0);
        note_completions(first + 1, after, log_.events.size(), r);
      }
      // ---- Rule: the tester's markers -------------------------------------------
      // step(*) is reported as waiting at once; a step whose marker step is
      // in flight is reported as waiting though done, and completes later.
      deferred = waits || marks.once || blocked(r);
      if (!deferred || waits) out_ += warning;
      out_ += "step " + st.name + ": " + st.sql + (deferred ? " <waiting ...>\n" : "\n");
      if (!waits) {
        if (deferred) {
          done_[r.value].text = warning + "step " + st.name + ": <... completed>\n" + text;
        } else {
          out_ += text;
          active_[r.value] = kNone;
        }
      }
    }
    report_finished();
    if (deferred) waiting_.push_back(r);
  }

  // Reports every step still waiting at the end of a permutation.
  // The tester waits for each in turn, in the order they started waiting,
  // and reports each as it completes; one still waiting after the step
  // wait is cancelled (wait_for).
  void finish(const SourcePos& perm_pos, size_t perm_no) {
    for (size_t i = 0; i < waiting_.size();) {
      RequestId r = waiting_[i];
      wait_for(r, true);
      if (!done_.count(r.value))
        throw InputError(perm_pos, "permutation " + std::to_string(perm_no) +
                                       " ends while session " + w_.requests[r.value].name +
                                       " still waits for a lock, and with PGISOLATIONTIMEOUT=" +
                                       std::to_string(step_wait_s_) +
                                       " the isolation tester would give up at once");
      if (blocked(r)) {
        ++i;
        continue;
      }
      report(r);
    }
    report_finished();
    if (!waiting_.empty())
      throw InputError(perm_pos, "permutation " + std::to_string(perm_no) +
                                     " ends while markers hold back the completion of session " +
                                     w_.requests[waiting_.front().value].name +
                                     "'s step (the isolation tester would time out)");
  }

  // Runs steps outside the permutation (session setup and teardown): the
  // tester sends the block in one PQexec and prints the rows of its last
  // statement when that returns rows, and the warnings of all of them, as
  // its notice processor does.
  void run_quietly(RequestId r, size_t until_pc) {
    std::string table;
    while (w_.requests[r.value].pc < until_pc && runnable(w_, r)) {
      size_t first = log_.events.size();
      step(w_, r, &log_);
      table.clear();
      for (size_t i = first; i < log_.events.size(); ++i) {
        const Event& e = log_.events[i];
        if (e.kind == EventKind::kStep && !e.message.empty())
          out_ += messages(w_.requests[r.value].name, e);
        if (e.kind == EventKind::kStep && e.has_rows) table = event_table(e);
      }
    }
    out_ += table;
  }

 private:
  // The tester waits for r's step: time passes and the waiters' timers
  // fire, first due first, until the step ends or no timer is left.
  // ---- Rule: the tester cancels a step that waits too long ---------------------
  // With `cancel` the tester waits for r's statement itself (not only for a
  // marker): once its step wait (PGISOLATIONTIMEOUT, 300 s) has passed
  // since it began to wait, it prints that it cancels the step and sends
  // PQcancel; the statement fails with 57014, which ends an implicit
  // transaction (and the locks it held) or fails a block.
  void wait_for(RequestId r, bool cancel = false) {
    const int64_t deadline = w_.now_us + step_wait_s_ * 1000000;
    while (!done_.count(r.value)) {
      auto timer = next_timer(w_);
      size_t first = log_.events.size();
      if (timer && (!cancel || timer->due_us <= deadline)) {
        fire_timer(w_, *timer, &log_);
        note_completions(first);
        continue;
      }
      const Session& session = w_.sessions[r.value];
      if (!cancel || step_wait_s_ <= 0 || !session.cursor || !session.cursor->waiting) return;
      w_.now_us = std::max(w_.now_us, deadline);
      out_ += "isolationtester: canceling step " + spec_.steps[active_[r.value]].name + " after " +
              std::to_string(step_wait_s_) + " seconds\n";
      cancel_wait(w_, r, &log_);
      note_completions(first);
    }
  }

  // Notes the waiting steps that events [first, end) ended; the events of
  // `owner` among [rest_from, rest_to), the rest of its step's statements,
  // are that step's own (what they end for others is noted: a commit wakes
  // those waiting for its locks). A waiting step of several statements runs
  // the rest as soon as its first completes, as the server does.
  void note_completions(size_t first, size_t rest_from = SIZE_MAX, size_t rest_to = 0,
                        RequestId owner = kNoRequest) {
    std::vector<size_t> go_on;  // the events that ended a statement with more after it
    for (size_t i = first; i < log_.events.size(); ++i) {
      if (i >= rest_from && i < rest_to && log_.events[i].request == owner) continue;
      const Event& e = log_.events[i];
      if (e.kind != EventKind::kResume && e.kind != EventKind::kError &&
          !(e.kind == EventKind::kCommit && e.resumed))
        continue;
      // A WARNING the completing statement raises reaches the tester, which
      // prints it at once, before it reports the step complete.
      std::string warning = e.kind == EventKind::kResume && !e.message.empty()
                                ? messages(w_.requests[e.request.value].name, e)
                                : "";
      if (rest_.count(e.request.value))
        go_on.push_back(i);
      else
        done_[e.request.value].text =
            warning + "step " + name_of(e) + ": <... completed>\n" + details(e);
    }
    for (size_t i : go_on) {
      RequestId who = log_.events[i].request;
      auto it = rest_.find(who.value);
      if (it == rest_.end()) continue;  // one completion per statement; never twice
      Rest rest = std::move(it->second);
      rest_.erase(it);
      const Event& resumed = log_.events[i];
      // ---- Rule: a notice before the step's first result comes first --------
      // The tester reads input until a result is ready, printing the
      // notices it meets, then reports the step complete: a WARNING of the
      // step's first statement precedes "<... completed>"; a later one's
      // comes between the results, as it was sent.
      if (resumed.kind == EventKind::kResume && !resumed.message.empty())
        (rest.waiting == 0 ? rest.lead : rest.text) +=
            messages(w_.requests[who.value].name, resumed);
      bool failed = log_.events[i].kind == EventKind::kError;
      const bool with = rest.step->steps[rest.waiting].with_query;
      if (with && failed) rest.text.resize(std::min(rest.before, rest.text.size()));
      size_t last_rows = with ? rest.before : rest.text.size();
      rest.text += details(resumed);
      size_t from = log_.events.size();
      if (!run_rest(who, *rest.step, rest.waiting + 1, failed, rest.text, last_rows))
        done_[who.value].text =
            rest.lead + "step " + rest.step->name + ": <... completed>\n" + rest.text;
      else
        rest_[who.value].lead = std::move(rest.lead);  // it waits again
      note_completions(from, from, log_.events.size(), who);
    }
  }

  // Runs the statements of r's step from statement `from` on (passed over
  // when the one before failed), adding what the tester prints for them to
  // `text`, whose last statement's result starts at `last_rows`; then the
  // implicit transaction's COMMIT, if the step runs in one. Returns true
  // when a statement waits: rest_ then holds the step, that statement and
  // the text so far, and the rest runs when it completes.
  bool run_rest(RequestId r, const SpecStep& st, size_t from, bool failed, std::string& text,
                size_t last_rows) {
    Request& q = w_.requests[r.value];
    for (size_t k = from; k < st.steps.size(); ++k) {
      if (failed) {  // the first error ends the query
        q.pc = std::min(q.pc + st.steps.size() - k, q.program->steps.size());
        if (q.pc == q.program->steps.size()) q.state = RunState::kDone;
        break;
      }
      size_t first = log_.events.size();
      step(w_, r, &log_);
      if (first == log_.events.size()) continue;
      const Event& e = log_.events[first];
      const bool with = st.steps[k].with_query;
      if (e.kind == EventKind::kWait) {
        rest_[r.value] = Rest{&st, k, std::move(text), "", last_rows};
        return true;
      }
      failed = e.kind == EventKind::kError;
      // A WITH query and its SELECT are one query: one result, or its error.
      if (with && failed) text.resize(last_rows);
      if (e.kind == EventKind::kStep && !e.message.empty()) text += messages(q.name, e);
      if (!with) last_rows = text.size();
      text += details(e);
    }
    if (implicit_[r.value]) {
      implicit_[r.value] = false;
      // The COMMIT ends a failed transaction with a rollback, silently. The
      // server commits before it reports the last statement complete, so
      // when the commit fails (a serialization failure) libpq drops that
      // statement's rows with its result, and the tester prints the error.
      size_t from = log_.events.size();
      step(w_, r, &log_);
      for (size_t i = from; i < log_.events.size(); ++i) {
        const Event& e = log_.events[i];
        if (e.request != r || e.kind != EventKind::kError) continue;
        text.resize(last_rows);
        text += details(e);
      }
    }
    return false;
  }

  bool is_waiting(RequestId r) const {
    return std::find(waiting_.begin(), waiting_.end(), r) != waiting_.end();
  }

  std::string name_of(const Event& e) const {
    const auto& names = names_[e.request.value];
    return e.step < names.size() ? names[e.step] : "";
  }

  // A step's WARNING, or its NOTICEs, as the tester's notice processor
  // prints them: "session: NOTICE:  message", one line each.
  static std::string messages(const std::string& session, const Event& e) {
    std::string out;
    size_t at = 0;
    while (at <= e.message.size()) {
      size_t end = e.message.find('\n', at);
      if (end == std::string::npos) end = e.message.size();
      out += session + (e.notice ? ": NOTICE:  " : ": WARNING:  ") +
             e.message.substr(at, end - at) + "\n";
      at = end + 1;
    }
    return out;
  }

  static std::string details(const Event& e) {
    std::string out = e.has_rows ? event_table(e) : "";
    if (e.kind == EventKind::kError) out += "ERROR:  " + e.message + "\n";
    return out;
  }

  void report(RequestId r) {
    out_ += done_[r.value].text;
    done_.erase(r.value);
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), r));
    active_[r.value] = kNone;
  }

  // Whether a marker holds r's step back: a step it names is in flight.
  bool blocked(RequestId r) const {
    for (size_t b : marks_[r.value].blockers)
      if (active_[spec_.steps[b].session] == b) return true;
    return false;
  }

  // One poll of the waiting steps, in the order they started waiting; the
  // tester repeats it while a step with markers waits and the last one
  // reported something.
  void report_finished() {
    for (;;) {
      size_t before = waiting_.size();
      bool marked = false;
      for (size_t i = 0; i < waiting_.size();) {
        RequestId r = waiting_[i];
        if (done_.count(r.value) && !blocked(r)) {
          report(r);
          continue;
        }
        marked |= marks_[r.value].once || !marks_[r.value].blockers.empty();
        ++i;
      }
      if (!marked || waiting_.size() == before) return;
    }
  }

  static constexpr size_t kNone = SIZE_MAX;
  World& w_;
  const SpecFile& spec_;
  const std::vector<std::vector<std::string>>& names_;
  std::string& out_;
  int64_t step_wait_s_;             // the tester's step wait (PGISOLATIONTIMEOUT)
  std::vector<size_t> active_;      // per session: the step in flight (launched, not reported)
  std::vector<StepMarkers> marks_;  // per session: the markers of that step
  Log log_;
  std::vector<RequestId> waiting_;
  std::map<uint32_t, Completion> done_;
  // A step of several statements waiting in one of them.
  struct Rest {
    const SpecStep* step = nullptr;
    size_t waiting = 0;  // the statement that waits
    std::string text;    // what the statements before it printed
    std::string lead;    // notices printed before the step's "<... completed>"
    // Where the result of the statement before the waiting one starts in
    // `text`: a WITH query's error replaces it (SpecParser::with_query).
    size_t before = 0;
  };
  std::map<uint32_t, Rest> rest_;
  std::map<uint32_t, bool> implicit_;  // per session: its step in flight runs in an implicit block
};

}  // namespace

int64_t tester_step_wait_s() {
  // As the tester reads it: atoi, so "12s" is 12 and "x" is 0.
  const char* env = std::getenv("PGISOLATIONTIMEOUT");
  return env ? std::atoi(env) : 300;
}

DateStyle tester_datestyle() {
  // libpq sends PGDATESTYLE at connection start, unless it says "default";
  // a value the server refuses fails the tester's connections.
  const char* env = std::getenv("PGDATESTYLE");
  if (!env || strcasecmp(env, "default") == 0) return {};
  std::variant<DateStyle, std::string> parsed = parse_datestyle(env);
  if (auto* why = std::get_if<std::string>(&parsed))
    throw InputError(SourcePos{"PGDATESTYLE", 0, 0},
                     std::string("invalid value for parameter \"DateStyle\": \"") + env + "\" (" +
                         *why +
                         " PostgreSQL takes a list like 'Postgres, MDY': ISO, SQL, Postgres or "
                         "German, and MDY, DMY or YMD)");
  return std::get<DateStyle>(parsed);
}

std::string tester_time_zone() {
  const char* env = std::getenv("PGTZ");
  if (!env) return "";
  if (!*env)
    throw InputError(SourcePos{"PGTZ", 0, 0}, "invalid value for parameter \"TimeZone\": \"\"");
  std::string zone = env;
  for (char& c : zone) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (zone.rfind("etc/", 0) == 0) zone = zone.substr(4);
  for (const char* utc :
       {"utc", "uct", "gmt", "gmt0", "gmt+0", "gmt-0", "universal", "zulu", "greenwich", "default"})
    if (zone == utc) return "";
  return env;
}

std::string run_spec(const SpecFile& spec, Isolation default_isolation, Faults faults,
                     int64_t step_wait_s, const DateStyle& datestyle,
                     const std::string& time_zone) {
  DateStyleScope style(datestyle);
  TimeZoneScope zone(time_zone);
  std::string out = "Parsed test spec with " + std::to_string(spec.sessions.size()) + " sessions\n";
  Program setup{spec.file, spec.setup};
  // The tester keeps its connections from one permutation to the next: a
  // transaction a session left open is still open (with its level) when the
  // next permutation's session setup runs.
  std::vector<std::optional<Isolation>> open_block(spec.sessions.size());
  // So are the session-level advisory locks a session still holds, and its
  // settings (SET deadlock_timeout, lock_timeout, statement_timeout).
  std::vector<std::vector<AdvisoryHeld>> advisory_held(spec.sessions.size());
  struct Settings {
    Timeouts timeouts, kept;
    std::optional<Timeouts> kept_before;
  };
  std::vector<Settings> settings(spec.sessions.size());
  const std::vector<std::vector<bool>> implicit = implicit_transactions(spec);
  for (size_t p = 0; p < spec.permutations.size(); ++p) {
    const std::vector<size_t>& perm = spec.permutations[p];
    World w;
    w.default_isolation = default_isolation;
    w.deadlock_timers = true;
    w.faults = faults;
    Log setup_log;
    try {
      run_setup(w, setup, &setup_log);
    } catch (const SetupFailure& e) {
      throw InputError(e.pos(), std::string("setup failed: ERROR:  ") + e.what());
    }
    // The tester prints the rows of each setup block's last statement, when
    // it returned rows.
    std::string setup_rows;
    for (size_t end : spec.setup_ends)
      for (const Event& e : setup_log.events)
        if (end > 0 && e.step == end - 1 && e.kind == EventKind::kStep && e.has_rows)
          setup_rows += event_table(e);
    // Each session is a connection running its setup, its steps in the order
    // this permutation takes them, then its teardown.
    std::vector<std::vector<std::string>> step_names(spec.sessions.size());
    std::vector<size_t> teardown_from(spec.sessions.size());
    for (size_t s = 0; s < spec.sessions.size(); ++s) {
      Program prog{spec.file, spec.sessions[s].setup};
      step_names[s].assign(prog.steps.size(), "");
      for (size_t k = 0; k < perm.size(); ++k) {
        const SpecStep& spec_step = spec.steps[perm[k]];
        if (spec_step.session != s) continue;
        // An implicit transaction: a BEGIN and a COMMIT around the statements.
        auto control = [&](StepBody body, const char* text) {
          Step st = spec_step.steps.front();
          st.body = std::move(body);
          st.text = text;
          st.note.clear();
          prog.steps.push_back(std::move(st));
          step_names[s].push_back(spec_step.name);
        };
        if (implicit[p][k]) control(BeginStmt{}, "BEGIN");
        for (const Step& st : spec_step.steps) {
          prog.steps.push_back(st);
          step_names[s].push_back(spec_step.name);
        }
        if (implicit[p][k]) control(CommitStmt{}, "COMMIT");
      }
      teardown_from[s] = prog.steps.size();
      for (const Step& t : spec.sessions[s].teardown) prog.steps.push_back(t);
      validate_program(prog, w.store, std::set<std::string>{"rowcount"});
      Request q;
      q.name = spec.sessions[s].name;
      q.client = q.name;
      q.continue_on_error = true;
      q.program = std::make_shared<Program>(std::move(prog));
      q.vars["rowcount"] = Var{int64_t{0}, {}};
      w.add(std::move(q));
    }
    for (size_t s = 0; s < spec.sessions.size(); ++s) {
      Session& session = w.sessions[s];
      RequestId r{static_cast<uint32_t>(s)};
      session.timeouts = settings[s].timeouts;
      session.kept = settings[s].kept;
      if (open_block[s]) session.kept_before = settings[s].kept_before;
      if (open_block[s]) {
        session.txn = w.store.begin(r, *open_block[s]);
        session.in_block = true;
      }
      if (!advisory_held[s].empty()) {
        session.session_locks = w.store.begin_session_holder(r);
        session.advisory_held = advisory_held[s];
        for (const AdvisoryHeld& h : advisory_held[s])
          w.store.lock(w.store.advisory_row(h.key), session.session_locks,
                       Store::advisory_mode(h.shared), false);
      }
    }

    out += "\nstarting permutation:";
    for (size_t i : perm) out += " " + spec.steps[i].name;
    out += "\n" + setup_rows;
    Observer obs(w, spec, step_names, out, step_wait_s);
    for (size_t s = 0; s < spec.sessions.size(); ++s)
      obs.run_quietly(RequestId{static_cast<uint32_t>(s)}, spec.sessions[s].setup.size());
    for (size_t k = 0; k < perm.size(); ++k)
      obs.issue(spec.steps[perm[k]].session, perm[k], spec.markers[p][k], spec.permutation_pos[p],
                p + 1, implicit[p][k]);
    obs.finish(spec.permutation_pos[p], p + 1);
    for (size_t s = 0; s < spec.sessions.size(); ++s) {
      RequestId r{static_cast<uint32_t>(s)};
      obs.run_quietly(r, w.requests[s].program->steps.size());
      const Session& session = w.sessions[s];
      open_block[s] = session.in_block && session.txn
                          ? std::optional<Isolation>(w.store.txn(session.txn).isolation)
                          : std::nullopt;
      advisory_held[s] = session.advisory_held;
      settings[s].timeouts = session.timeouts;
      settings[s].kept = session.kept;
      settings[s].kept_before = session.kept_before;
    }
  }
  return out;
}

}  // namespace ccsim
