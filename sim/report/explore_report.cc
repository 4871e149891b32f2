#include "report/explore_report.h"

#include "report/text.h"

namespace ccsim {

namespace {

// The scenario's `show` columns of an outcome's rows, as the summary prints
// them: "110", or "0 1" for a column over two rows.
std::string shown(const Scenario& s, const ExploredOutcome& o, size_t i) {
  const auto& [tname, col] = s.show[i];
  for (const TableFrame& t : o.final) {
    if (t.name != tname) continue;
    size_t c = 0;
    while (c < t.columns.size() && t.columns[c] != col) ++c;
    std::string out;
    for (const Row& r : t.rows) out += (out.empty() ? "" : " ") + to_display(r.at(c));
    return out.empty() ? "(no rows)" : out;
  }
  return "(no table)";
}

std::string fates(const ExploredOutcome& o) {
  std::string out;
  for (const auto& [n, f] : o.fates) out += (out.empty() ? "" : ", ") + n + " " + f;
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& x : v) out += (out.empty() ? "" : " ") + x;
  return out;
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string render_explore_text(const Scenario& s, const std::vector<Exploration>& es) {
  std::string out = "Scenario: " + s.title + "  (" + s.file + ")\n";
  std::vector<std::vector<std::string>> summary{
      {"mitigation", "schedules", "outcomes", "bad schedules", "a request failed", "verdict"}};
  for (const Exploration& e : es) {
    out += "\n== " + e.mitigation->name +
           (e.mitigation->summary.empty() ? "" : ": " + e.mitigation->summary) + " ==\n";
    out += plural(e.schedules, "schedule", "schedules") +
           (e.complete ? " (every interleaving)" : " (stopped at --schedules-max: not all)") +
           ", " + plural(e.outcomes.size(), "outcome", "outcomes") + ", " + to_sql(e.isolation) +
           "\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head{"#", "schedules"};
    for (const auto& [t, c] : s.show) head.push_back(c);
    head.insert(head.end(), {"requests", "verdict", "a shortest schedule"});
    rows.push_back(head);
    size_t bad = 0, failed = 0;
    for (size_t i = 0; i < e.outcomes.size(); ++i) {
      const ExploredOutcome& o = e.outcomes[i];
      if (!o.ok()) bad += o.schedules;
      if (o.request_failed()) failed += o.schedules;
      std::vector<std::string> row{std::to_string(i + 1), std::to_string(o.schedules)};
      for (size_t k = 0; k < s.show.size(); ++k) row.push_back(shown(s, o, k));
      row.insert(row.end(), {fates(o), o.verdict(), join(o.shortest)});
      rows.push_back(row);
    }
    out += table(rows);
    std::string verdict =
        bad == 0 ? "never goes wrong"
                 : "goes wrong in " + std::to_string(bad) + " of " + std::to_string(e.schedules);
    summary.push_back({e.mitigation->name, std::to_string(e.schedules) + (e.complete ? "" : "+"),
                       std::to_string(e.outcomes.size()), std::to_string(bad),
                       std::to_string(failed), verdict});
  }
  out += "\nSummary (every interleaving):\n" + table(summary);
  out += "Replay an outcome: ccsim run " + s.file.substr(0, s.file.find(" (built in)")) +
         " --mitigation NAME --schedule \"...\"\n";
  return out;
}

}  // namespace ccsim
