#include "report/explore_report.h"

#include <cstdio>

#include "report/text.h"

namespace ccsim {

namespace {

// The scenario's `show` columns of an outcome's rows, as the summary prints
// them: "110", or "0 1" for a column over two rows.
std::string shown(const ExploreHeader& h, const ExploredOutcome& o, size_t i) {
  const auto& [tname, col] = h.show[i];
  for (const TableFrame& t : o.final) {
    if (t.name != tname) continue;
    size_t c = 0;
    while (c < t.columns.size() && t.columns[c] != col) ++c;
    if (c == t.columns.size()) return "(no column)";
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

// A count as people read it: grouped digits, or, past 18 digits, rounded
// down to three significant ones ("3.76e94"; *rounded is then set).
std::string readable(const Count& c, bool* rounded) {
  std::string digits = c.to_string();
  if (digits.size() <= 18) return c.to_grouped();
  *rounded = true;
  return digits.substr(0, 1) + "." + digits.substr(1, 2) + "e" + std::to_string(digits.size() - 1);
}

std::string plural(const std::string& n, bool one, const char* word, const char* words) {
  return n + " " + (one ? word : words);
}

bool any_infinite(const Exploration& e) {
  for (const OutcomeClass& c : e.classes)
    if (c.infinite) return true;
  return false;
}

// How many schedules an exploration covered, for its header line.
std::string coverage(const Exploration& e, bool* rounded) {
  std::string n = readable(e.schedules, rounded);
  bool one = e.schedules == Count(1);
  if (!e.counted)
    return e.complete ? "every interleaving (verdicts only: outcomes without counts)"
                      : "stopped at " + e.stopped +
                            ": not every interleaving explored (verdicts only: no counts)";
  if (!e.complete)
    return plural(n, one, "schedule", "schedules") + " explored, then stopped at " + e.stopped +
           ": not every interleaving explored";
  if (any_infinite(e)) return "infinitely many schedules (a cycle: some never end)";
  return plural(n, one, "schedule", "schedules") + " (every interleaving)";
}

std::string percent(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * f);
  return buf;
}

std::string interval(size_t hits, size_t n) {
  auto [lo, hi] = share_interval(hits, n);
  return percent(lo) + " to " + percent(hi);
}

// A sample: what was drawn, and how.
std::string drawn(const Exploration& e) {
  std::string n = Count(e.sampled).to_grouped();
  std::string seed = "seed " + std::to_string(e.seed);
  if (e.uniform)
    return n + " schedules drawn uniformly from all " + e.schedules.to_grouped() + " (" + seed +
           ")";
  return n + " schedules drawn by a random walk (" + seed + "; not uniform: " + e.walk_reason +
         ", so each step picks among the requests that can move)";
}

}  // namespace

std::string sample_verdict(const Exploration& e) {
  size_t bad = 0;
  for (const ExploredOutcome& o : e.outcomes)
    if (!o.ok()) bad += o.observed;
  auto [lo, hi] = share_interval(bad, e.sampled);
  if (bad == 0)
    return "no failure in " + Count(e.sampled).to_grouped() +
           " schedules drawn (95%: the bad share is at most " + percent(hi) + ")";
  return "goes wrong in " + percent(static_cast<double>(bad) / static_cast<double>(e.sampled)) +
         " of the schedules drawn (95%: " + percent(lo) + " to " + percent(hi) + ")";
}

std::string explore_verdict(const Exploration& e, bool* rounded) {
  if (e.sampled) return sample_verdict(e);
  bool bad = false;
  for (const ExploredOutcome& o : e.outcomes) bad |= !o.ok();
  const std::string tail = e.complete ? "" : "; not all explored";
  if (!e.counted) {
    if (bad) return "can go wrong" + tail;
    return e.complete ? "never goes wrong" : "no failure in the states explored" + tail;
  }
  if (any_infinite(e)) return bad ? "goes wrong (infinitely many schedules)" : "never goes wrong";
  std::string explored = e.complete ? "" : " explored";
  if (!bad)
    return e.complete ? "never goes wrong"
                      : "no failure in the " + readable(e.schedules, rounded) + " schedule" +
                            (e.schedules == Count(1) ? "" : "s") + explored + tail;
  return "goes wrong in " + readable(e.bad, rounded) + " of " +
         (e.complete ? readable(e.schedules, rounded)
                     : "the " + readable(e.schedules, rounded) + " schedules explored" + tail);
}

std::string explore_verdict(const Exploration& e) {
  bool rounded = false;
  return explore_verdict(e, &rounded);
}

std::string render_explore_text(const ExploreHeader& h, const std::vector<Exploration>& es) {
  std::string out = "Scenario: " + h.title + "  (" + h.file + ")\n";
  bool all_complete = true;
  bool rounded = false;  // some count was too long to show whole
  std::vector<std::vector<std::string>> summary{
      {"mitigation", "schedules", "outcomes", "bad schedules", "a request failed", "verdict"}};
  for (const Exploration& e : es) {
    all_complete = all_complete && e.complete;
    out += "\n== " + e.mitigation + (e.summary.empty() ? "" : ": " + e.summary) + " ==\n";
    if (e.sampled) {
      out += drawn(e) + ", " + std::to_string(e.outcomes.size()) + " outcome" +
             (e.outcomes.size() == 1 ? "" : "s") + " seen, " + std::to_string(e.requests.size()) +
             " requests, " + to_sql(e.isolation) + "\n";
      std::vector<std::vector<std::string>> rows;
      std::vector<std::string> head{"#", "drawn", "share", "95% interval"};
      for (size_t k = 0; k < h.show.size(); ++k) head.push_back(shown_header(h.show, k));
      head.insert(head.end(), {"requests", "verdict", "the shortest schedule drawn"});
      rows.push_back(head);
      size_t bad = 0, failed = 0;
      for (size_t i = 0; i < e.outcomes.size(); ++i) {
        const ExploredOutcome& o = e.outcomes[i];
        if (!o.ok()) bad += o.observed;
        if (o.request_failed()) failed += o.observed;
        std::vector<std::string> row{
            std::to_string(i + 1), Count(o.observed).to_grouped(),
            percent(static_cast<double>(o.observed) / static_cast<double>(e.sampled)),
            interval(o.observed, e.sampled)};
        for (size_t k = 0; k < h.show.size(); ++k) row.push_back(shown(h, o, k));
        row.insert(row.end(), {fates(o), o.verdict(), join(o.shortest)});
        rows.push_back(row);
      }
      out += table(rows);
      all_complete = false;
      summary.push_back({e.mitigation, Count(e.sampled).to_grouped() + " drawn",
                         std::to_string(e.outcomes.size()), Count(bad).to_grouped(),
                         Count(failed).to_grouped(), explore_verdict(e)});
      continue;
    }
    out +=
        coverage(e, &rounded) + ", " +
        plural(std::to_string(e.outcomes.size()), e.outcomes.size() == 1, "outcome", "outcomes") +
        (e.complete ? "" : " found") + ", " + std::to_string(e.requests.size()) + " requests, " +
        to_sql(e.isolation) + "\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head{"#", "schedules"};
    for (size_t k = 0; k < h.show.size(); ++k) head.push_back(shown_header(h.show, k));
    head.insert(head.end(), {"requests", "verdict", "a shortest schedule"});
    rows.push_back(head);
    for (size_t i = 0; i < e.outcomes.size(); ++i) {
      const ExploredOutcome& o = e.outcomes[i];
      // Per outcome, a count is shown only when it is exact.
      std::string n = !e.counted || !e.complete ? "-"
                      : o.infinite              ? "infinite"
                                                : readable(o.schedules, &rounded);
      std::vector<std::string> row{std::to_string(i + 1), n};
      for (size_t k = 0; k < h.show.size(); ++k) row.push_back(shown(h, o, k));
      row.insert(row.end(), {fates(o), o.verdict(), join(o.shortest)});
      rows.push_back(row);
    }
    out += table(rows);
    std::string schedules = !e.counted        ? "-"
                            : !e.complete     ? readable(e.schedules, &rounded) + "+ (not all)"
                            : any_infinite(e) ? "infinite"
                                              : readable(e.schedules, &rounded);
    summary.push_back({e.mitigation, schedules, std::to_string(e.outcomes.size()),
                       e.counted ? readable(e.bad, &rounded) : "-",
                       e.counted ? readable(e.failed, &rounded) : "-",
                       explore_verdict(e, &rounded)});
  }
  out += std::string("\nSummary (") +
         (all_complete ? "every interleaving"
                       : "every interleaving where complete, otherwise as each line says") +
         "):\n" + table(summary);
  if (rounded)
    out +=
        "Counts shown like 3.76e94 are rounded down to three digits; --format json gives them "
        "exactly.\n";
  std::string file = h.file.substr(0, h.file.find(" (built in)"));
  out += "Replay an outcome: ccsim run " + file +
         (h.requests ? " --requests " + std::to_string(h.requests) : "") +
         " --mitigation NAME --schedule \"...\"\n";
  return out;
}

}  // namespace ccsim
