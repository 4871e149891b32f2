#include "report/svg.h"

#include "report/summary.h"
#include "report/text.h"

namespace ccsim {

namespace {

constexpr int kRow = 22;       // height of one event
constexpr int kLane = 380;     // width of one request's lane
constexpr int kLeft = 48;      // room for the schedule position
constexpr size_t kChars = 50;  // characters of 12px monospace that fit in a lane

std::string xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// Shortens text to a lane's width, keeping what a statement returned: the
// part after " -> " says what happened ("waits: ...", ":points = 110").
std::string fit(const std::string& text) {
  if (text.size() <= kChars) return text;
  size_t arrow = text.rfind(" -> ");
  if (arrow != std::string::npos) {
    std::string result = text.substr(arrow + 4);
    if (result.size() + 11 <= kChars)
      return text.substr(0, kChars - result.size() - 7) + "... -> " + result;
  }
  return text.substr(0, kChars - 3) + "...";
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
  std::string out;
  out += "<text x=\"8\" y=\"" + std::to_string(top + 16) + "\" font-weight=\"bold\">" +
         xml(m.mitigation->name + ": " + verdict(m)) + "</text>\n";
  out += "<text x=\"8\" y=\"" + std::to_string(top + 34) + "\" fill=\"#555\">" +
         xml("schedule " + m.run.schedule_text() + ", " + to_sql(m.isolation)) + "</text>\n";
  int y0 = top + 44;
  for (int i = 0; i < n; ++i) {
    int x = kLeft + i * kLane;
    out += "<text x=\"" + std::to_string(x + 4) + "\" y=\"" + std::to_string(y0 + 14) +
           "\" font-weight=\"bold\">" + xml(w.requests[static_cast<size_t>(i)].name) + "</text>\n";
  }
  int y = y0 + kRow;
  int lanes_top = y;
  for (const TraceEntry& t : m.run.trace) {
    out += "<text x=\"8\" y=\"" + std::to_string(y + 15) + "\" fill=\"#555\">" +
           std::to_string(t.position + 1) + "</text>\n";
    for (size_t i = t.first_event; i < t.end_event; ++i) {
      const Event& e = m.run.log.events[i];
      int x = kLeft + static_cast<int>(e.request.value) * kLane;
      std::string text = fit(e.text);
      out += "<g><title>" + xml(w.requests[e.request.value].name + ": " + e.text) + "</title>";
      out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
             std::to_string(kLane - 8) + "\" height=\"" + std::to_string(kRow - 4) +
             "\" rx=\"4\" fill=\"" + fill(e.kind) + "\"/>";
      out += "<text x=\"" + std::to_string(x + 6) + "\" y=\"" + std::to_string(y + 15) + "\">" +
             xml(text) + "</text></g>\n";
      y += kRow;
    }
  }
  for (int i = 1; i < n; ++i) {
    int x = kLeft + i * kLane - 4;
    out += "<line x1=\"" + std::to_string(x) + "\" y1=\"" + std::to_string(lanes_top) + "\" x2=\"" +
           std::to_string(x) + "\" y2=\"" + std::to_string(y) + "\" stroke=\"#ccc\"/>\n";
  }
  height = y - top + kRow;
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
         "\" font-family=\"monospace\" font-size=\"12\">\n" +
         "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
}

}  // namespace

std::string render_svg(const Scenario& s, const std::vector<MitigationRun>& runs) {
  (void)s;
  return svg(runs);
}

std::string render_html(const Scenario& s, const std::vector<MitigationRun>& runs) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
      xml(s.title) +
      "</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 "
      "1em}pre{background:#f6f6f6;padding:1em;overflow-x:auto}.ok{color:#2e7d32}.bad{color:#"
      "c62828}</style>\n</head>\n<body>\n";
  out += "<h1>" + xml(s.title) + "</h1>\n<p>" + xml(s.description) + "</p>\n";
  out += "<p>Generated by ccsim from " + xml(s.file) +
         ". Boxes: grey a step, orange a wait, green a resume, blue a commit, red an error or "
         "rollback, purple a retry or restart; hover for the full text.</p>\n";
  TextOptions t;
  for (const MitigationRun& m : runs) {
    out += "<h2>" + xml(m.mitigation->name) + "</h2>\n";
    if (!m.mitigation->summary.empty()) out += "<p>" + xml(m.mitigation->summary) + "</p>\n";
    out += "<p class=\"" + std::string(verdict_ok(m) ? "ok" : "bad") +
           "\">Verdict: " + xml(verdict(m)) + "</p>\n";
    if (!m.mitigation->django.empty())
      out += "<details><summary>The code it models</summary><pre>" + xml(m.mitigation->django) +
             "</pre></details>\n";
    out += svg({m});
    std::string trace;
    for (const TraceEntry& e : m.run.trace)
      trace += trace_entry_text(s, m.run.world, m.run.log, e, t);
    out += "<details><summary>Each step with memory, rows and locks</summary><pre>" + xml(trace) +
           "</pre></details>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace ccsim
