#include "report/svg.h"

#include <vector>

#include "engine/frame.h"
#include "report/summary.h"
#include "report/text.h"

namespace ccsim {

namespace {

constexpr int kLine = 17;      // height of one line of text
constexpr int kLane = 420;     // width of one request's lane
constexpr int kLeft = 48;      // room for the schedule position
constexpr size_t kChars = 50;  // characters of 13px monospace that fit in a lane

// The lines of an event's text in a lane: wrapped at blanks, never cut.
std::vector<std::string> lines_of(const std::string& text, size_t chars) {
  std::vector<std::string> out;
  std::string wrapped = wrap(text, chars, 2);
  size_t start = 0;
  while (true) {
    size_t nl = wrapped.find('\n', start);
    out.push_back(wrapped.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// Text lines from (x, y): one <text> per line.
std::string text_lines(const std::vector<std::string>& lines, int x, int y, const char* attrs) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i)
    out += "<text x=\"" + std::to_string(x) + "\" y=\"" +
           std::to_string(y + static_cast<int>(i) * kLine) + "\"" + attrs + ">" +
           xml_escape(lines[i]) + "</text>";
  return out;
}

// SERIALIZABLE's bookkeeping after a step, in one line: SIREAD locks,
// rw-conflicts, doomed transactions. Empty when there is none.
std::string ssi_text(const SsiFrame& f) {
  std::string out;
  for (const auto& [who, what] : f.sireads)
    out += (out.empty() ? "SIREAD " : ", ") + who + " on " + what;
  std::string rw;
  for (const auto& [reader, writer] : f.rw)
    rw += (rw.empty() ? "rw-conflict " : ", ") + reader + " read what " + writer + " wrote";
  if (!rw.empty()) out += (out.empty() ? "" : "; ") + rw;
  std::string doomed;
  for (const std::string& d : f.doomed) doomed += (doomed.empty() ? "doomed " : ", ") + d;
  if (!doomed.empty()) out += (out.empty() ? "" : "; ") + doomed;
  return out;
}

// Fill colour of an event's box, by kind.
const char* fill(EventKind k) {
  switch (k) {
    case EventKind::kWait:
      return "#f6c667";
    case EventKind::kResume:
      return "#9fd89f";
    case EventKind::kCommit:
      return "#9cc3e6";
    case EventKind::kRollback:
    case EventKind::kError:
      return "#ef9a9a";
    case EventKind::kRetry:
    case EventKind::kRestart:
      return "#cdb4e6";
    case EventKind::kGaveUp:
    case EventKind::kCrash:
    case EventKind::kDropped:
      return "#bdbdbd";
    default:
      return "#eeeeee";
  }
}

// One mitigation's swimlanes, drawn from y = top. Returns its height.
std::string lanes(const MitigationRun& m, int top, int& height) {
  const World& w = m.run.world;
  int n = static_cast<int>(w.requests.size());
  size_t width_chars = kChars * static_cast<size_t>(n);
  std::string out;
  out += "<text x=\"8\" y=\"" + std::to_string(top + 16) + "\" font-weight=\"bold\">" +
         xml_escape(m.mitigation->name + ": " + verdict(m)) + "</text>\n";
  out += "<text x=\"8\" y=\"" + std::to_string(top + 34) + "\" fill=\"#555\">" +
         xml_escape("schedule " + m.run.schedule_text() + ", " + to_sql(m.isolation)) + "</text>\n";
  int y0 = top + 44;
  for (int i = 0; i < n; ++i) {
    int x = kLeft + i * kLane;
    out += "<text x=\"" + std::to_string(x + 4) + "\" y=\"" + std::to_string(y0 + 14) +
           "\" font-weight=\"bold\">" + xml_escape(w.requests[static_cast<size_t>(i)].name) +
           "</text>\n";
  }
  int y = y0 + 22;
  int lanes_top = y;
  std::string ssi_before;
  MemoryBefore memory(w);
  for (const TraceEntry& t : m.run.trace) {
    out += "<text x=\"8\" y=\"" + std::to_string(y + 15) + "\" fill=\"#555\">" +
           std::to_string(t.position + 1) + "</text>\n";
    for (size_t i = t.first_event; i < t.end_event; ++i) {
      const Event& e = m.run.log.events[i];
      const std::string& who = w.requests[e.request.value].name;
      const Anomaly* lost = nullptr;
      for (const Anomaly& a : m.anomalies)
        if (a.write_event == i && !a.requests.empty() && a.requests.front() == who) lost = &a;
      int x = kLeft + static_cast<int>(e.request.value) * kLane;
      // A statement sent: the values of its parameters, under it.
      std::string text = e.text;
      const Program& program = *w.requests[e.request.value].program;
      if ((e.kind == EventKind::kStep || e.kind == EventKind::kWait) &&
          e.step < program.steps.size() && is_sql(program.steps[e.step]))
        if (std::string sent = parameter_values(program.steps[e.step].text, memory.of(e.request));
            !sent.empty())
          text += "\n  with " + sent;
      std::vector<std::string> lines = lines_of(text, kChars);
      int h = 6 + kLine * static_cast<int>(lines.size());
      out += "<g><title>" + xml_escape(who + ": " + e.text) + "</title>";
      out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
             std::to_string(kLane - 8) + "\" height=\"" + std::to_string(h - 2) +
             "\" rx=\"4\" fill=\"" + fill(e.kind) + "\"" +
             (lost ? " stroke=\"#c62828\" stroke-width=\"3\"" : "") + "/>";
      out += text_lines(lines, x + 6, y + 16, "") + "</g>\n";
      y += h + 2;
      if (lost) {
        std::vector<std::string> mark = lines_of("LOST UPDATE: " + lost->text, kChars);
        out += "<g class=\"lost\">" +
               text_lines(mark, x + 6, y + 14, " fill=\"#c62828\" font-weight=\"bold\"") + "</g>\n";
        y += kLine * static_cast<int>(mark.size()) + 4;
      }
    }
    // SERIALIZABLE's state when it changed: who holds SIREAD locks on what,
    // the rw-conflicts between them, and who is doomed.
    std::string ssi = ssi_text(t.after.ssi);
    if (ssi != ssi_before && !ssi.empty()) {
      std::vector<std::string> lines = lines_of(ssi, width_chars);
      out += "<g class=\"ssi\">" +
             text_lines(lines, kLeft + 6, y + 14, " fill=\"#6a1b9a\" font-style=\"italic\"") +
             "</g>\n";
      y += kLine * static_cast<int>(lines.size()) + 4;
    }
    ssi_before = ssi;
    memory.after(t.after);
  }
  for (int i = 1; i < n; ++i) {
    int x = kLeft + i * kLane - 4;
    out += "<line x1=\"" + std::to_string(x) + "\" y1=\"" + std::to_string(lanes_top) + "\" x2=\"" +
           std::to_string(x) + "\" y2=\"" + std::to_string(y) + "\" stroke=\"#ccc\"/>\n";
  }
  height = y - top + 22;
  return out;
}

std::string svg(const std::vector<MitigationRun>& runs) {
  size_t lanes_max = 1;
  int total = 0;
  std::string body;
  for (const MitigationRun& m : runs) {
    lanes_max = std::max(lanes_max, m.run.world.requests.size());
    int h = 0;
    body += lanes(m, total, h);
    total += h;
  }
  int width = kLeft + static_cast<int>(lanes_max) * kLane;
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(total) +
         "\" font-family=\"monospace\" font-size=\"13\">\n" +
         "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
}

}  // namespace

std::string render_svg(const Scenario& s, const std::vector<MitigationRun>& runs) {
  (void)s;
  return svg(runs);
}

}  // namespace ccsim
