#include "verify/record.h"

#include <algorithm>
#include <map>

#include "engine/frame.h"
#include "report/text.h"

namespace ccsim {

namespace {

std::string event_result(const Event& e) {
  if (e.has_rows) {
    std::vector<std::vector<std::string>> rows;
    for (const Row& r : e.rows) {
      std::vector<std::string> cells;
      for (const Value& v : r) cells.push_back(to_sql(v));
      rows.push_back(std::move(cells));
    }
    return rows_result(rows);
  }
  if (e.rowcount >= 0) return "rowcount " + std::to_string(e.rowcount);
  return "";
}

std::string fate_of(const Request& q) {
  std::string f = to_string(q.fate);
  return q.fate == Fate::kAborted && !q.sqlstate.empty() ? f + ":" + q.sqlstate : f;
}

}  // namespace

std::string rows_result(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "rows: none";
  std::string out = "rows: ";
  for (size_t i = 0; i < rows.size(); ++i) {
    out += i ? ", (" : "(";
    for (size_t c = 0; c < rows[i].size(); ++c) out += (c ? ", " : "") + rows[i][c];
    out += ")";
  }
  return out;
}

ReplayRecord record_of(const Application& app, const Log& log,
                       const std::vector<PositionEvents>& positions) {
  ReplayRecord rec;
  std::map<uint32_t, size_t> waiting;  // request -> index of its waiting step record
  for (const PositionEvents& t : positions) {
    rec.schedule += (rec.schedule.empty() ? "" : " ") + app.requests[t.request.value].name;
    for (size_t i = t.first_event; i < t.end_event; ++i) {
      const Event& e = log.events[i];
      const Request& q = app.requests[e.request.value];
      if (i == t.first_event) {
        StepRecord s;
        s.position = t.position + 1;
        s.request = q.name;
        s.step = e.step + 1;
        s.text = e.step < q.program->steps.size() ? q.program->steps[e.step].text : "";
        switch (e.kind) {
          case EventKind::kWait:
            s.outcome = "waits";
            break;
          case EventKind::kError:
            s.outcome = "ERROR " + e.sqlstate;
            break;
          case EventKind::kRetry:
            s.outcome = "retry";
            break;
          case EventKind::kGaveUp:
            s.outcome = "gave up";
            break;
          case EventKind::kDropped:
            s.outcome = "dropped";
            break;
          case EventKind::kCrash:
            s.outcome = "crashed";
            break;
          case EventKind::kRestart:
            s.outcome = "restart";
            break;
          default:
            s.outcome = "ok";
            s.result = event_result(e);
        }
        if (e.kind == EventKind::kWait) waiting[e.request.value] = rec.steps.size();
        rec.steps.push_back(std::move(s));
      } else if ((e.kind == EventKind::kResume || e.kind == EventKind::kError) &&
                 waiting.count(e.request.value)) {
        StepRecord& s = rec.steps[waiting[e.request.value]];
        s.completed_at = t.position + 1;
        s.completion = e.kind == EventKind::kError ? "ERROR " + e.sqlstate : event_result(e);
        waiting.erase(e.request.value);
      }
      // A resumed statement that meets another lock keeps waiting: nothing to record.
    }
  }
  for (const Request& q : app.requests) {
    rec.fates.emplace_back(q.name, fate_of(q));
    std::string tally;
    if (q.retries_total)
      tally = std::to_string(q.retries_total) + (q.retries_total == 1 ? " retry" : " retries");
    if (q.restarts)
      tally += (tally.empty() ? "" : ", ") + std::to_string(q.restarts) +
               (q.restarts == 1 ? " restart" : " restarts");
    rec.tallies.emplace_back(q.name, tally.empty() ? "none" : tally);
  }
  return rec;
}

ReplayRecord record_simulation(const MitigationRun& m) {
  std::vector<PositionEvents> positions;
  for (const TraceEntry& t : m.run.trace)
    positions.push_back(PositionEvents{t.position, t.request, t.first_event, t.end_event});
  ReplayRecord rec = record_of(m.run.world, m.run.log, positions);
  for (TableFrame& t : committed_tables(m.run.world)) {
    std::vector<std::string> rows;
    for (const Row& r : t.rows) {
      std::string s = "(";
      for (size_t c = 0; c < r.size(); ++c) s += (c ? ", " : "") + to_sql(r[c]);
      rows.push_back(s + ")");
    }
    std::sort(rows.begin(), rows.end());
    rec.final_rows.emplace_back(t.name, std::move(rows));
  }
  return rec;
}

std::vector<Difference> compare(const ReplayRecord& a, const ReplayRecord& b) {
  std::vector<Difference> out;
  auto step_text = [](const StepRecord& s) {
    std::string t = s.request + " step " + std::to_string(s.step) + ": " + s.outcome;
    if (!s.result.empty()) t += ", " + s.result;
    if (s.outcome == "waits")
      t += s.completed_at ? " until position " + std::to_string(s.completed_at) +
                                (s.completion.empty() ? "" : ", then " + s.completion)
                          : " forever";
    return t;
  };
  size_t n = std::max(a.steps.size(), b.steps.size());
  for (size_t i = 0; i < n; ++i) {
    std::string x = i < a.steps.size() ? step_text(a.steps[i]) : "(no step)";
    std::string y = i < b.steps.size() ? step_text(b.steps[i]) : "(no step)";
    if (x != y) out.push_back(Difference{"position " + std::to_string(i + 1), x, y});
  }
  std::map<std::string, std::vector<std::string>> tb(b.final_rows.begin(), b.final_rows.end());
  for (const auto& [table, rows] : a.final_rows) {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& r : v) s += (s.empty() ? "" : " ") + r;
      return s.empty() ? std::string("(no rows)") : s;
    };
    std::string other = tb.count(table) ? join(tb[table]) : "(no table)";
    if (join(rows) != other) out.push_back(Difference{"final " + table, join(rows), other});
  }
  for (size_t i = 0; i < a.fates.size() && i < b.fates.size(); ++i)
    if (a.fates[i] != b.fates[i])
      out.push_back(
          Difference{"request " + a.fates[i].first, a.fates[i].second, b.fates[i].second});
  for (size_t i = 0; i < a.tallies.size() && i < b.tallies.size(); ++i)
    if (a.tallies[i] != b.tallies[i])
      out.push_back(Difference{"request " + a.tallies[i].first + " counted", a.tallies[i].second,
                               b.tallies[i].second});
  if (a.stopped != b.stopped)
    out.push_back(Difference{"schedule", a.stopped.empty() ? "went on" : a.stopped,
                             b.stopped.empty() ? "went on" : b.stopped});
  return out;
}

std::string render_verify(const std::string& mitigation, const ReplayRecord& a,
                          const ReplayRecord& b, const std::vector<Difference>& diffs) {
  std::string out = "== " + mitigation + " ==\nschedule: ccsim " + a.schedule + " | postgres " +
                    b.schedule + "\n";
  std::vector<std::vector<std::string>> rows{{"#", "who", "step", "ccsim", "postgres", ""}};
  auto cell = [](const StepRecord& s) {
    std::string t = s.outcome;
    if (!s.result.empty()) t += " " + s.result;
    if (s.outcome == "waits")
      t += s.completed_at ? " until #" + std::to_string(s.completed_at) +
                                (s.completion.empty() ? "" : " -> " + s.completion)
                          : " forever";
    return t;
  };
  size_t n = std::max(a.steps.size(), b.steps.size());
  for (size_t i = 0; i < n; ++i) {
    const StepRecord* x = i < a.steps.size() ? &a.steps[i] : nullptr;
    const StepRecord* y = i < b.steps.size() ? &b.steps[i] : nullptr;
    const StepRecord& any = x ? *x : *y;
    std::string cx = x ? cell(*x) : "-", cy = y ? cell(*y) : "-";
    bool same = x && y && x->request == y->request && x->step == y->step && cx == cy;
    std::string text = any.text.size() > 60 ? any.text.substr(0, 57) + "..." : any.text;
    rows.push_back({std::to_string(i + 1), any.request, std::to_string(any.step) + " " + text, cx,
                    cy, same ? "" : "DIFFERENT"});
  }
  out += table(rows);
  std::map<std::string, std::vector<std::string>> tb(b.final_rows.begin(), b.final_rows.end());
  for (const auto& [t, r] : a.final_rows) {
    std::string x, y;
    for (const std::string& s : r) x += (x.empty() ? "" : " ") + s;
    for (const std::string& s : tb[t]) y += (y.empty() ? "" : " ") + s;
    out +=
        "final " + t + ": ccsim " + x + " | postgres " + y + (x == y ? "" : "   DIFFERENT") + "\n";
  }
  for (size_t i = 0; i < a.fates.size() && i < b.fates.size(); ++i)
    out += "request " + a.fates[i].first + ": ccsim " + a.fates[i].second + " | postgres " +
           b.fates[i].second + (a.fates[i] == b.fates[i] ? "" : "   DIFFERENT") + "\n";
  for (size_t i = 0; i < a.tallies.size() && i < b.tallies.size(); ++i)
    if (a.tallies[i].second != "none" || b.tallies[i].second != "none")
      out += "request " + a.tallies[i].first + " counted: ccsim " + a.tallies[i].second +
             " | postgres " + b.tallies[i].second +
             (a.tallies[i] == b.tallies[i] ? "" : "   DIFFERENT") + "\n";
  if (!a.stopped.empty() || !b.stopped.empty())
    out += "schedule stopped: ccsim " + (a.stopped.empty() ? "no" : a.stopped) + " | postgres " +
           (b.stopped.empty() ? "no" : b.stopped) + "\n";
  out += diffs.empty() ? "agree\n" : std::to_string(diffs.size()) + " difference(s)\n";
  return out + "\n";
}

}  // namespace ccsim
