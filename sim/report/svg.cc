#include "report/svg.h"

#include "report/summary.h"
#include "report/text.h"

namespace ccsim {

namespace {

constexpr int kRow = 22;       // height of one event
constexpr int kLane = 380;     // width of one request's lane
constexpr int kLeft = 48;      // room for the schedule position
constexpr size_t kChars = 50;  // characters of 12px monospace that fit in a lane

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
  int y = y0 + kRow;
  int lanes_top = y;
  for (const TraceEntry& t : m.run.trace) {
    out += "<text x=\"8\" y=\"" + std::to_string(y + 15) + "\" fill=\"#555\">" +
           std::to_string(t.position + 1) + "</text>\n";
    for (size_t i = t.first_event; i < t.end_event; ++i) {
      const Event& e = m.run.log.events[i];
      int x = kLeft + static_cast<int>(e.request.value) * kLane;
      std::string text = fit(e.text);
      out +=
          "<g><title>" + xml_escape(w.requests[e.request.value].name + ": " + e.text) + "</title>";
      out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
             std::to_string(kLane - 8) + "\" height=\"" + std::to_string(kRow - 4) +
             "\" rx=\"4\" fill=\"" + fill(e.kind) + "\"/>";
      out += "<text x=\"" + std::to_string(x + 6) + "\" y=\"" + std::to_string(y + 15) + "\">" +
             xml_escape(text) + "</text></g>\n";
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

}  // namespace ccsim
