#include "report/text.h"

#include <algorithm>
#include <cctype>

#include "report/summary.h"

namespace ccsim {

namespace {

const char* kGreen = "\x1b[32m";
const char* kRed = "\x1b[31m";
const char* kBold = "\x1b[1m";
const char* kDim = "\x1b[2m";
const char* kReset = "\x1b[0m";

std::string paint(const std::string& s, const char* code, bool color) {
  return color ? code + s + kReset : s;
}

// Counts the display width of UTF-8 text: one column per code point.
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string memory_line(const Scenario& s, const Frame& f) {
  std::string out;
  for (const RequestFrame& r : f.requests) {
    std::string vars;
    for (const auto& [name, v] : r.vars)
      if (!is_argument(s, name)) vars += (vars.empty() ? "" : ", ") + name + "=" + to_sql(v);
    out += (out.empty() ? "" : " | ") + r.name + ": " + (vars.empty() ? "-" : vars);
    if (r.state != "ready" && r.state != "not sent") out += " (" + r.state + ")";
  }
  return out;
}

std::string rows_line(const Scenario& s, const Frame& f) {
  std::string out;
  for (const TableFrame& t : f.tables) {
    std::vector<size_t> cols;
    for (const auto& [tn, cn] : s.show)
      if (tn == t.name)
        cols.push_back(static_cast<size_t>(std::find(t.columns.begin(), t.columns.end(), cn) -
                                           t.columns.begin()));
    if (cols.empty() && !s.show.empty()) continue;
    if (cols.empty())
      for (size_t i = 0; i < t.columns.size(); ++i) cols.push_back(i);
    for (size_t ri = 0; ri < t.rows.size(); ++ri) {
      std::string vals;
      for (size_t c : cols)
        vals += (vals.empty() ? "" : ", ") + t.columns[c] + "=" + to_sql(t.rows[ri][c]);
      out += (out.empty() ? "" : " | ") + t.keys[ri] + ": " + vals;
    }
  }
  return out.empty() ? "-" : out;
}

std::string locks_line(const Frame& f) {
  std::string out;
  for (const LockFrame& l : f.locks) {
    std::string what = l.mode == "MUTEX" || l.mode == "ADVISORY" ? l.row : l.mode + " on " + l.row;
    std::string part = l.granted ? l.request + " holds " + what : l.request + " waits for " + what;
    out += (out.empty() ? "" : "; ") + part;
  }
  return out.empty() ? "none" : out;
}

// SERIALIZABLE's state: SIREAD locks by request, read/write conflicts as
// reader -> writer, doomed transactions. Empty when nothing is tracked.
std::string ssi_line(const Frame& f) {
  const SsiFrame& s = f.ssi;
  if (s.sireads.empty() && s.rw.empty() && s.doomed.empty()) return "";
  std::string out = "SIREAD";
  std::vector<std::string> owners;
  for (const auto& l : s.sireads)
    if (std::find(owners.begin(), owners.end(), l.first) == owners.end()) owners.push_back(l.first);
  for (size_t i = 0; i < owners.size(); ++i) {
    out += (i ? "; " : " ") + owners[i] + ":";
    bool first = true;
    for (const auto& [who, what] : s.sireads)
      if (who == owners[i]) out += (first ? " " : ", ") + what, first = false;
  }
  if (s.sireads.empty()) out += " none";
  if (!s.rw.empty()) {
    out += " | rw-conflicts";
    for (size_t i = 0; i < s.rw.size(); ++i)
      out += (i ? ", " : " ") + s.rw[i].first + " -> " + s.rw[i].second;
  }
  for (const std::string& d : s.doomed) out += " | " + d + " doomed";
  return out;
}

std::string replay_command(const Scenario& s, const MitigationRun& m) {
  return "ccsim run " + s.file.substr(0, s.file.find(" (built in)")) + " --mitigation " +
         m.mitigation->name + " --schedule \"" + m.run.schedule_text() + "\"";
}

std::string mitigation_text(const Scenario& s, const MitigationRun& m, const TextOptions& o) {
  const Mitigation& mit = *m.mitigation;
  std::string out;
  out += paint("== " + mit.name + (mit.summary.empty() ? "" : ": " + mit.summary) + " ==", kBold,
               o.color) +
         "\n";
  if (!mit.failure.empty()) out += "Its failure mode: " + mit.failure + "\n";
  if (!mit.django.empty()) out += "The code it models:\n" + indent(mit.django, "    ");
  out += "Schedule: " + m.schedule.key();
  if (m.schedule.kind != ScheduleSpec::Kind::kExplicit) out += " -> " + m.run.schedule_text();
  out += std::string(", ") + to_sql(m.isolation) + "\n\n";
  const World& w = m.run.world;
  for (const TraceEntry& t : m.run.trace) out += trace_entry_text(s, w, m.run.log, t, o);
  out += "\nRequests: ";
  for (size_t i = 0; i < w.requests.size(); ++i) {
    const Request& q = w.requests[i];
    out += (i ? ", " : "") + q.name + " " + to_string(q.fate) +
           (q.sqlstate.empty() ? "" : " (" + q.sqlstate + ")");
  }
  out += "\n";
  if (m.serial.equivalent) {
    std::string order;
    for (size_t i = 0; i < m.serial.order.size(); ++i)
      order += (i ? " then " : "") + m.serial.order[i];
    out += "Serial check: the same rows as running " +
           (order.empty() ? std::string("no request") : order) + " alone\n";
  } else {
    out += "Serial check: no serial order of the committed requests gives these rows\n";
  }
  std::string v = verdict(m);
  out += "Verdict: " + paint(v, verdict_ok(m) ? kGreen : kRed, o.color) + "\n";
  for (const std::string& f : m.failures)
    out += paint("EXPECTATION FAILED: " + f, kRed, o.color) + "\n";
  if (!m.failures.empty() || !verdict_ok(m)) out += "Replay: " + replay_command(s, m) + "\n";
  return out + "\n";
}

}  // namespace

std::string trace_entry_text(const Scenario& s, const World& w, const Log& log, const TraceEntry& t,
                             const TextOptions& o) {
  std::string out;
  std::string num = std::to_string(t.position + 1);
  std::string pad(4 - std::min<size_t>(num.size(), 3), ' ');
  bool first = true;
  for (size_t i = t.first_event; i < t.end_event; ++i) {
    const Event& e = log.events[i];
    const Request& q = w.requests[e.request.value];
    std::string line = q.name + ": " + e.text;
    bool with_note = e.kind == EventKind::kStep || e.kind == EventKind::kWait ||
                     e.kind == EventKind::kResume || e.kind == EventKind::kError;
    if (with_note && e.step < q.program->steps.size() && !q.program->steps[e.step].note.empty())
      line += paint("   -- " + q.program->steps[e.step].note, kDim, o.color && o.dim);
    out += wrap((first ? pad + num + "  " : std::string(6, ' ')) + line, o.wrap, 9) + "\n";
    first = false;
  }
  return out + frame_text(s, t.after, o);
}

std::string frame_text(const Scenario& s, const Frame& f, const TextOptions& o) {
  const char* quiet = o.dim ? kDim : "";
  auto line = [&](const char* label, const std::string& text) {
    return paint(wrap(std::string("        ") + label + text, o.wrap, 16), quiet,
                 o.color && o.dim) +
           "\n";
  };
  std::string out = line("memory  ", memory_line(s, f));
  out += line("rows    ", rows_line(s, f));
  out += line("locks   ", locks_line(f));
  if (std::string ssi = ssi_line(f); !ssi.empty()) out += line("ssi     ", ssi);
  return out;
}

std::string wrap(const std::string& text, size_t width_max, size_t hang) {
  if (width_max == 0 || width_max <= hang + 8) return text;
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string rest = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    bool first = true;
    while (true) {
      std::string lead = first ? "" : std::string(hang, ' ');
      size_t room = width_max - width(lead);
      if (width(rest) <= room) {
        out += lead + rest;
        break;
      }
      // The last blank within the room (counting columns, not bytes).
      size_t cut = std::string::npos, cols = 0;
      for (size_t i = 0; i < rest.size() && cols <= room; ++i) {
        if (rest[i] == ' ' && i > 0) cut = i;
        cols += (static_cast<unsigned char>(rest[i]) & 0xC0) != 0x80;
      }
      if (cut == std::string::npos) {  // one long word: leave it whole
        size_t blank = rest.find(' ', 1);
        if (blank == std::string::npos) {
          out += lead + rest;
          break;
        }
        cut = blank;
      }
      out += lead + rest.substr(0, cut) + "\n";
      size_t next = rest.find_first_not_of(' ', cut);
      rest = next == std::string::npos ? "" : rest.substr(next);
      first = false;
      if (rest.empty()) break;
    }
    if (nl == std::string::npos) break;
    out += "\n";
    start = nl + 1;
  }
  return out;
}

MemoryBefore::MemoryBefore(const World& w) : memory_(w.requests.size()) {
  for (size_t r = 0; r < w.requests.size(); ++r) {
    names_.push_back(w.requests[r].name);
    for (const auto& [name, var] : *w.requests[r].initial) memory_[r].emplace_back(name, var.value);
  }
}

void MemoryBefore::after(const Frame& f) {
  for (const RequestFrame& r : f.requests) {
    auto at = std::find(names_.begin(), names_.end(), r.name);
    if (at != names_.end()) memory_[static_cast<size_t>(at - names_.begin())] = r.vars;
  }
}

namespace {

// Calls visit(name, start, end) for each :parameter the statement sends
// (not an INTO target, not inside quotes).
template <typename Visit>
void each_parameter(const std::string& sql, Visit&& visit) {
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (quoted || c != ':' || i + 1 >= sql.size() ||
        !(std::isalpha(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_'))
      continue;
    if (i > 0 && sql[i - 1] == ':') continue;  // a :: cast
    size_t j = i + 1;
    while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_'))
      ++j;
    bool into = i >= 5 && sql.compare(i - 5, 5, "INTO ") == 0;
    if (!into) visit(sql.substr(i + 1, j - i - 1), i, j);
    i = j - 1;
  }
}

const Value* value_of(const MemoryBefore::Memory& vars, const std::string& name) {
  for (const auto& [n, v] : vars)
    if (n == name) return &v;
  return nullptr;
}

}  // namespace

std::string with_values(const std::string& sql, const MemoryBefore::Memory& vars) {
  std::string out;
  size_t copied = 0;
  each_parameter(sql, [&](const std::string& name, size_t start, size_t end) {
    if (const Value* v = value_of(vars, name)) {
      out += sql.substr(copied, start - copied) + to_sql(*v);
      copied = end;
    }
  });
  return out + sql.substr(copied);
}

std::string parameter_values(const std::string& sql, const MemoryBefore::Memory& vars) {
  std::string out;
  std::vector<std::string> seen;
  each_parameter(sql, [&](const std::string& name, size_t, size_t) {
    const Value* v = value_of(vars, name);
    if (!v || std::find(seen.begin(), seen.end(), name) != seen.end()) return;
    seen.push_back(name);
    out += (out.empty() ? ":" : ", :") + name + " = " + to_sql(*v);
  });
  return out;
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out += line.empty() ? "\n" : pad + line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], width(r[i]));
    }
  std::string out;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    std::string line;
    for (size_t i = 0; i < rows[ri].size(); ++i) {
      line += rows[ri][i];
      if (i + 1 < rows[ri].size()) line += std::string(widths[i] - width(rows[ri][i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (ri == 0) {
      std::string rule;
      for (size_t i = 0; i < widths.size(); ++i)
        rule += std::string(widths[i], '-') + (i + 1 < widths.size() ? "  " : "");
      while (!rule.empty() && rule.back() == ' ') rule.pop_back();
      out += rule + "\n";
    }
  }
  return out;
}

std::string render_text(const Scenario& s, const std::vector<MitigationRun>& runs,
                        const TextOptions& o) {
  std::string out;
  out += paint("Scenario: " + (s.title.empty() ? s.file : s.title), kBold, o.color) + "  (" +
         s.file + ")\n";
  if (o.trace && !s.description.empty()) out += s.description + "\n";
  if (o.trace)
    for (const MitigationRun& m : runs) out += mitigation_text(s, m, o);

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head{"mitigation"};
  for (size_t i = 0; i < s.show.size(); ++i) head.push_back(shown_header(s.show, i));
  for (size_t i = 0; i < s.show.size(); ++i)
    head.push_back(s.show.size() > 1 ? "expected " + shown_header(s.show, i) : "expected");
  head.insert(head.end(), {"verdict", "what happened"});
  rows.push_back(head);
  bool any_expectation = false;
  for (const MitigationRun& m : runs) {
    std::vector<std::string> row{m.mitigation->name};
    for (size_t i = 0; i < s.show.size(); ++i) row.push_back(shown_value(s, m.run.world, i));
    for (size_t i = 0; i < s.show.size(); ++i) row.push_back(expected_value(s, m, i));
    row.push_back(verdict(m));
    std::string h = happened(m);
    if (!m.failures.empty()) h = "EXPECTATION FAILED; " + h;
    row.push_back(h.empty() ? "-" : h);
    rows.push_back(row);
    any_expectation |= m.expectation_found;
  }
  out += "Summary (schedule " + (runs.empty() ? s.schedule.key() : runs.front().schedule.key()) +
         "):\n";
  std::string t = table(rows);
  if (o.color) {
    // Colour each verdict cell after alignment, so widths stay right.
    std::string coloured;
    size_t start = 0, ri = 0;
    while (start < t.size()) {
      size_t nl = t.find('\n', start);
      std::string line = t.substr(start, nl - start);
      if (ri >= 2 && ri - 2 < runs.size()) {
        const MitigationRun& m = runs[ri - 2];
        std::string v = verdict(m);
        size_t at = line.find(v);
        if (at != std::string::npos)
          line.replace(at, v.size(), paint(v, verdict_ok(m) ? kGreen : kRed, true));
      }
      coloured += line + "\n";
      start = nl + 1;
      ++ri;
    }
    t = coloured;
  }
  out += t;
  size_t failed = 0;
  for (const MitigationRun& m : runs) failed += !m.failures.empty();
  if (any_expectation)
    out += failed ? paint(std::to_string(failed) +
                              " mitigation(s) did not meet the scenario's expectations",
                          kRed, o.color) +
                        "\n"
                  : "Every expectation of the scenario held.\n";
  return out;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

}  // namespace ccsim
