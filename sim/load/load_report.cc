#include "load/load_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "report/text.h"

namespace ccsim {

namespace {

using ordered_json = nlohmann::ordered_json;

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Rounded to 0.001, so JSON does not carry float noise.
double round3(double v) {
  return std::round(v * 1000) / 1000;
}

std::string failed_text(const LoadResult& r) {
  std::string out;
  for (const auto& [state, n] : r.failed)
    out += (out.empty() ? "" : " ") + std::to_string(n) + "x" + state;
  return out.empty() ? "0" : out;
}

std::string lost_text(const LoadResult& r) {
  if (r.accounting.lost_updates) return std::to_string(*r.accounting.lost_updates);
  if (r.accounting.lost_value) return "value " + std::to_string(*r.accounting.lost_value);
  return "unknown";
}

// The lost share of committed requests, when both are known.
std::optional<double> lost_share(const LoadResult& r) {
  if (!r.accounting.lost_updates || r.committed == 0) return std::nullopt;
  return static_cast<double>(*r.accounting.lost_updates) / static_cast<double>(r.committed);
}

std::string length_text(const LoadHeader& h) {
  return h.requests_per_client > 0
             ? std::to_string(h.requests_per_client) + " requests per client"
             : fixed(h.duration_s, h.duration_s == std::floor(h.duration_s) ? 0 : 1) + " s per run";
}

}  // namespace

std::string render_load_text(const LoadHeader& h, const std::vector<LoadResult>& runs) {
  std::string out = h.title + ", " + h.file + ", on PostgreSQL " + h.server_version + ", " +
                    to_sql(h.isolation) + ", " + std::to_string(h.rows) + " hot row" +
                    (h.rows == 1 ? "" : "s") + ", " + length_text(h) +
                    (h.think_ms ? ", think time " + std::to_string(h.think_ms) + " ms" : "") +
                    "\n\n";
  std::vector<std::vector<std::string>> rows = {
      {"mitigation", "clients", "committed", "failed", "gave up", "dropped", "retries", "restarts",
       "lost updates", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "lock wait ms"}};
  for (const LoadResult& r : runs) {
    LatencyMs l = r.latency();
    rows.push_back({r.mitigation, std::to_string(r.clients), std::to_string(r.committed),
                    failed_text(r), std::to_string(r.gave_up), std::to_string(r.dropped),
                    std::to_string(r.retries), std::to_string(r.restarts), lost_text(r),
                    fixed(r.throughput_per_s(), 0), fixed(l.p50, 1), fixed(l.p95, 1),
                    fixed(l.p99, 1), fixed(l.max, 1), fixed(r.lock_wait_ms, 0)});
  }
  out += table(rows);
  bool any_note = false;
  for (const LoadResult& r : runs) {
    for (const CellCount& c : r.accounting.cells)
      if (c.final && c.expected() != *c.final && !r.accounting.lost_updates) any_note = true;
    if (r.unknown) any_note = true;
    any_note |= !r.notes.empty();
  }
  out +=
      "\nlost updates: committed requests whose change is missing from the final rows "
      "(final = initial + committed x delta - lost).\n";
  if (any_note) {
    out += "\n";
    for (const LoadResult& r : runs) {
      for (const std::string& n : r.notes)
        out += r.mitigation + ", " + std::to_string(r.clients) + " clients: " + n + "\n";
      if (r.unknown)
        out += r.mitigation + ", " + std::to_string(r.clients) +
               " clients: " + std::to_string(r.unknown) +
               " requests' outcome is unknown (their connection was lost); lost updates are "
               "not counted\n";
    }
  }
  return out;
}

std::string render_load_json(const LoadHeader& h, const std::vector<LoadResult>& runs) {
  ordered_json doc;
  doc["format"] = h.shard ? "ccsim-load-shard/1" : "ccsim-load/1";
  if (h.shard)
    doc["shard"] = {
        {"index", h.shard->index}, {"count", h.shard->count}, {"run_id", h.shard->run_id}};
  doc["scenario"] = {{"file", h.file}, {"title", h.title}};
  doc["postgres"] = h.server_version;
  doc["isolation"] = to_sql(h.isolation);
  doc["rows"] = h.rows;
  if (h.requests_per_client > 0)
    doc["requests_per_client"] = h.requests_per_client;
  else
    doc["duration_s"] = h.duration_s;
  doc["think_time_ms"] = h.think_ms;
  doc["seed"] = h.seed;
  doc["runs"] = ordered_json::array();
  for (const LoadResult& r : runs) {
    ordered_json j;
    j["mitigation"] = r.mitigation;
    j["clients"] = r.clients;
    j["threads"] = r.threads;
    j["seconds"] = round3(r.seconds);
    j["requests"] = r.requests;
    j["committed"] = r.committed;
    j["failed"] = ordered_json::object();
    for (const auto& [state, n] : r.failed) j["failed"][state] = n;
    j["gave_up"] = r.gave_up;
    j["dropped"] = r.dropped;
    j["unknown"] = r.unknown;
    j["retries"] = r.retries;
    j["restarts"] = r.restarts;
    const Accounting& a = r.accounting;
    j["lost_updates"] = a.lost_updates ? ordered_json(*a.lost_updates) : ordered_json(nullptr);
    j["lost_value"] = a.lost_value ? ordered_json(*a.lost_value) : ordered_json(nullptr);
    j["throughput_per_s"] = round3(r.throughput_per_s());
    LatencyMs l = r.latency();
    j["latency_ms"] = {{"p50", round3(l.p50)},
                       {"p95", round3(l.p95)},
                       {"p99", round3(l.p99)},
                       {"max", round3(l.max)}};
    j["lock_wait_ms"] = round3(r.lock_wait_ms);
    j["mutex_wait_ms"] = round3(r.mutex_wait_ms);
    // final: the followed cells' rows as the server left them.
    ordered_json fin = ordered_json::object();
    ordered_json cells = ordered_json::array();
    std::map<std::pair<std::string, int64_t>, size_t> at;
    for (const CellCount& c : a.cells) {
      ordered_json& rows = fin[c.cell.table];
      if (!rows.is_array()) rows = ordered_json::array();
      auto key = std::make_pair(c.cell.table, c.cell.key);
      if (!at.count(key)) {
        at[key] = rows.size();
        rows.push_back({{c.cell.key_column, c.cell.key}});
      }
      rows[at[key]][c.cell.column] = c.final ? ordered_json(*c.final) : ordered_json(nullptr);
      cells.push_back({{"table", c.cell.table},
                       {"key", {{c.cell.key_column, c.cell.key}}},
                       {"column", c.cell.column},
                       {"initial", c.initial},
                       {"committed_delta", c.committed_delta},
                       {"expected", c.expected()},
                       {"final", c.final ? ordered_json(*c.final) : ordered_json(nullptr)}});
    }
    j["final"] = fin;
    j["cells"] = cells;
    j["notes"] = r.notes;
    if (h.shard) {
      j["unit"] = r.unit ? ordered_json(*r.unit) : ordered_json(nullptr);
      j["started_ms"] = r.started_ms;
      j["ended_ms"] = r.ended_ms;
      j["latencies_ms"] = r.latencies_ms;
    }
    doc["runs"].push_back(j);
  }
  return doc.dump(2) + "\n";
}

namespace {

[[noreturn]] void not_a_shard(const std::string& file, const std::string& why) {
  throw InputError(SourcePos{file, 0, 0}, "not a ccsim load --shard file: " + why);
}

}  // namespace

LoadShardFile read_load_shard(const std::string& text, const std::string& file) {
  LoadShardFile f;
  try {
    ordered_json doc = ordered_json::parse(text);
    if (doc.value("format", "") != "ccsim-load-shard/1")
      not_a_shard(file, "its format is not \"ccsim-load-shard/1\"");
    LoadHeader& h = f.header;
    h.file = doc.at("scenario").at("file");
    h.title = doc.at("scenario").at("title");
    h.server_version = doc.at("postgres");
    std::string level = doc.at("isolation");
    for (Isolation i :
         {Isolation::kReadCommitted, Isolation::kRepeatableRead, Isolation::kSerializable})
      if (level == to_sql(i)) h.isolation = i;
    h.rows = doc.at("rows");
    h.requests_per_client = doc.value("requests_per_client", int64_t{0});
    h.duration_s = doc.value("duration_s", 0.0);
    h.think_ms = doc.at("think_time_ms");
    h.seed = doc.at("seed");
    LoadOptions::Shard sh;
    sh.index = doc.at("shard").at("index");
    sh.count = doc.at("shard").at("count");
    sh.run_id = doc.at("shard").at("run_id");
    if (sh.count == 0 || sh.index >= sh.count) not_a_shard(file, "its shard index is out of range");
    h.shard = sh;
    for (const auto& j : doc.at("runs")) {
      LoadResult r;
      r.mitigation = j.at("mitigation");
      r.server_version = h.server_version;
      r.clients = j.at("clients");
      r.threads = j.value("threads", size_t{1});
      r.rows = h.rows;
      r.isolation = h.isolation;
      r.seconds = j.at("seconds");
      r.requests = j.at("requests");
      r.committed = j.at("committed");
      for (const auto& [state, n] : j.at("failed").items()) r.failed[state] = n.get<int64_t>();
      r.gave_up = j.at("gave_up");
      r.dropped = j.at("dropped");
      r.unknown = j.at("unknown");
      r.retries = j.at("retries");
      r.restarts = j.at("restarts");
      r.lock_wait_ms = j.at("lock_wait_ms");
      r.mutex_wait_ms = j.at("mutex_wait_ms");
      r.notes = j.at("notes").get<std::vector<std::string>>();
      if (!j.at("unit").is_null()) r.unit = j.at("unit").get<int64_t>();
      r.started_ms = j.at("started_ms");
      r.ended_ms = j.at("ended_ms");
      r.latencies_ms = j.at("latencies_ms").get<std::vector<double>>();
      for (const auto& c : j.at("cells")) {
        CellCount n;
        n.cell.table = c.at("table");
        const auto& key = c.at("key");
        if (key.size() != 1) not_a_shard(file, "a cell's key is not one column");
        n.cell.key_column = key.begin().key();
        n.cell.key = key.begin().value().get<int64_t>();
        n.cell.column = c.at("column");
        n.initial = c.at("initial");
        n.committed_delta = c.at("committed_delta");
        if (!c.at("final").is_null()) n.final = c.at("final").get<int64_t>();
        r.accounting.cells.push_back(n);
      }
      f.runs.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    not_a_shard(file, e.what());
  }
  return f;
}

std::pair<LoadHeader, std::vector<LoadResult>> merge_load_shards(
    const std::vector<LoadShardFile>& shards, const std::vector<std::string>& files) {
  const LoadShardFile& first = shards.front();
  size_t count = first.header.shard->count;
  std::vector<std::string> seen(count);
  for (size_t k = 0; k < shards.size(); ++k) {
    const LoadHeader& h = shards[k].header;
    if (h.shard->run_id != first.header.shard->run_id || h.shard->count != count ||
        h.file != first.header.file || shards[k].runs.size() != first.runs.size())
      throw InputError(SourcePos{files[k], 0, 0},
                       "this shard is of another run than " + files[0] +
                           " (run id, shard count, scenario or runs differ)");
    if (!seen[h.shard->index].empty())
      throw InputError(SourcePos{files[k], 0, 0}, "shard " + std::to_string(h.shard->index) + "/" +
                                                      std::to_string(count) + " is also in " +
                                                      seen[h.shard->index]);
    seen[h.shard->index] = files[k];
  }
  for (size_t i = 0; i < count; ++i)
    if (seen[i].empty())
      throw InputError(SourcePos{"merge", 0, 0},
                       "shard " + std::to_string(i) + "/" + std::to_string(count) +
                           " is missing: every shard of the run is needed");
  LoadHeader h = first.header;
  h.shard.reset();
  std::vector<LoadResult> out;
  for (size_t i = 0; i < first.runs.size(); ++i) {
    LoadResult m = first.runs[i];
    m.latencies_ms.clear();
    m.notes.clear();
    m.requests = m.committed = m.gave_up = m.dropped = m.unknown = m.retries = m.restarts = 0;
    m.failed.clear();
    m.lock_wait_ms = m.mutex_wait_ms = 0;
    m.started_ms = std::numeric_limits<int64_t>::max();
    m.threads = 0;
    m.ended_ms = 0;
    LoadPlan plan;  // what account() needs: the cells' initial values and the unit
    plan.unit = m.unit;
    std::map<CellId, int64_t> delta, final_values;
    size_t finals = 0;
    for (size_t k = 0; k < shards.size(); ++k) {
      const LoadResult& r = shards[k].runs[i];
      if (r.mitigation != m.mitigation || r.clients != m.clients)
        throw InputError(SourcePos{files[k], 0, 0},
                         "its runs are not in the order of " + files[0] + "'s");
      m.requests += r.requests;
      m.threads += r.threads;
      m.committed += r.committed;
      m.gave_up += r.gave_up;
      m.dropped += r.dropped;
      m.unknown += r.unknown;
      m.retries += r.retries;
      m.restarts += r.restarts;
      for (const auto& [state, n] : r.failed) m.failed[state] += n;
      m.lock_wait_ms += r.lock_wait_ms;
      m.mutex_wait_ms += r.mutex_wait_ms;
      m.latencies_ms.insert(m.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
      for (const std::string& n : r.notes)
        m.notes.push_back("shard " + std::to_string(shards[k].header.shard->index) + ": " + n);
      m.started_ms = std::min(m.started_ms, r.started_ms);
      m.ended_ms = std::max(m.ended_ms, r.ended_ms);
      bool has_final = false;
      for (const CellCount& c : r.accounting.cells) {
        plan.initial[c.cell] = c.initial;
        delta[c.cell] += c.committed_delta;
        if (c.final) {
          final_values[c.cell] = *c.final;
          has_final = true;
        }
      }
      finals += has_final;
    }
    m.seconds = static_cast<double>(m.ended_ms - m.started_ms) / 1000;
    if (finals != 1)
      m.notes.push_back(std::to_string(finals) +
                        " shards read the final rows (one, the last to finish, should have)");
    m.accounting = account(plan, delta, final_values, finals == 1 && m.unknown == 0);
    out.push_back(std::move(m));
  }
  return {h, out};
}

std::string render_load_csv(const LoadHeader&, const std::vector<LoadResult>& runs) {
  std::string out =
      "mitigation,clients,seconds,requests,committed,failed,gave_up,dropped,unknown,retries,"
      "restarts,lost_updates,lost_value,throughput_per_s,p50_ms,p95_ms,p99_ms,max_ms,lock_wait_"
      "ms,mutex_wait_ms\n";
  for (const LoadResult& r : runs) {
    LatencyMs l = r.latency();
    const Accounting& a = r.accounting;
    std::string failed;
    for (const auto& [state, n] : r.failed)
      failed += (failed.empty() ? "" : ";") + state + "=" + std::to_string(n);
    out += r.mitigation + "," + std::to_string(r.clients) + "," + fixed(r.seconds, 3) + "," +
           std::to_string(r.requests) + "," + std::to_string(r.committed) + "," + failed + "," +
           std::to_string(r.gave_up) + "," + std::to_string(r.dropped) + "," +
           std::to_string(r.unknown) + "," + std::to_string(r.retries) + "," +
           std::to_string(r.restarts) + "," +
           (a.lost_updates ? std::to_string(*a.lost_updates) : "") + "," +
           (a.lost_value ? std::to_string(*a.lost_value) : "") + "," +
           fixed(r.throughput_per_s(), 3) + "," + fixed(l.p50, 3) + "," + fixed(l.p95, 3) + "," +
           fixed(l.p99, 3) + "," + fixed(l.max, 3) + "," + fixed(r.lock_wait_ms, 3) + "," +
           fixed(r.mutex_wait_ms, 3) + "\n";
  }
  return out;
}

std::string render_load_svg(const LoadHeader& h, const std::vector<LoadResult>& runs) {
  constexpr int kW = 460, kH = 300, kLeft = 70, kTop = 60, kGap = 90, kLegend = 200;
  // The client counts on the x axis, evenly spaced; mitigations in order.
  std::vector<size_t> xs;
  std::vector<std::string> names;
  for (const LoadResult& r : runs) {
    if (std::find(xs.begin(), xs.end(), r.clients) == xs.end()) xs.push_back(r.clients);
    if (std::find(names.begin(), names.end(), r.mitigation) == names.end())
      names.push_back(r.mitigation);
  }
  std::sort(xs.begin(), xs.end());
  double top_tput = 1;
  for (const LoadResult& r : runs) top_tput = std::max(top_tput, r.throughput_per_s());
  // Round the axis up to 1, 2 or 4 times a power of ten, so ticks read well.
  double decade = std::pow(10, std::floor(std::log10(top_tput)));
  for (double m : {1.0, 2.0, 4.0, 10.0})
    if (m * decade >= top_tput) {
      top_tput = m * decade;
      break;
    }
  const char* colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  int width = kLeft + 2 * kW + kGap + kLegend, height = kTop + kH + 70;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) +
                    "\" font-family=\"sans-serif\" font-size=\"14\">\n<rect width=\"100%\" "
                    "height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"" + std::to_string(kLeft) + "\" y=\"28\" font-size=\"18\">" +
         xml_escape(h.title + ": ccsim load on PostgreSQL " + h.server_version + ", " +
                    to_sql(h.isolation) + ", " + length_text(h)) +
         "</text>\n";
  auto x_of = [&](size_t clients, int left) {
    size_t i = std::find(xs.begin(), xs.end(), clients) - xs.begin();
    return left +
           (xs.size() == 1 ? kW / 2 : static_cast<int>(i * (kW - 40) / (xs.size() - 1)) + 20);
  };
  for (int panel = 0; panel < 2; ++panel) {
    int left = kLeft + panel * (kW + kGap);
    std::string label =
        panel == 0 ? "committed requests per second" : "lost updates (share of committed)";
    out += "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(kTop - 10) + "\">" +
           xml_escape(label) + "</text>\n";
    out += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(kTop) + "\" width=\"" +
           std::to_string(kW) + "\" height=\"" + std::to_string(kH) +
           "\" fill=\"none\" stroke=\"#444\"/>\n";
    for (int tick = 0; tick <= 4; ++tick) {
      int y = kTop + kH - tick * kH / 4;
      std::string v = panel == 0 ? fixed(top_tput * tick / 4, 0) : fixed(25.0 * tick, 0) + "%";
      out += "<line x1=\"" + std::to_string(left) + "\" x2=\"" + std::to_string(left + kW) +
             "\" y1=\"" + std::to_string(y) + "\" y2=\"" + std::to_string(y) +
             "\" stroke=\"#ddd\"/>\n<text x=\"" + std::to_string(left - 6) + "\" y=\"" +
             std::to_string(y + 5) + "\" text-anchor=\"end\">" + v + "</text>\n";
    }
    for (size_t c : xs)
      out += "<text x=\"" + std::to_string(x_of(c, left)) + "\" y=\"" +
             std::to_string(kTop + kH + 20) + "\" text-anchor=\"middle\">" + std::to_string(c) +
             "</text>\n";
    out += "<text x=\"" + std::to_string(left + kW / 2) + "\" y=\"" +
           std::to_string(kTop + kH + 44) + "\" text-anchor=\"middle\">clients</text>\n";
    for (size_t k = 0; k < names.size(); ++k) {
      std::string points;
      for (const LoadResult& r : runs) {
        if (r.mitigation != names[k]) continue;
        double v;
        if (panel == 0) {
          v = r.throughput_per_s() / top_tput;
        } else {
          auto share = lost_share(r);
          if (!share) continue;
          v = std::clamp(*share, 0.0, 1.0);
        }
        int x = x_of(r.clients, left), y = kTop + kH - static_cast<int>(v * kH);
        points += std::to_string(x) + "," + std::to_string(y) + " ";
        out += "<circle cx=\"" + std::to_string(x) + "\" cy=\"" + std::to_string(y) +
               "\" r=\"4\" fill=\"" + colors[k % 10] + "\"/>\n";
      }
      if (!points.empty())
        out += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + colors[k % 10] +
               "\" stroke-width=\"2\"/>\n";
    }
  }
  int lx = kLeft + 2 * kW + kGap + 20;
  for (size_t k = 0; k < names.size(); ++k) {
    int y = kTop + 10 + static_cast<int>(k) * 24;
    out += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(y) +
           "\" width=\"14\" height=\"14\" fill=\"" + colors[k % 10] + "\"/>\n<text x=\"" +
           std::to_string(lx + 20) + "\" y=\"" + std::to_string(y + 12) + "\">" +
           xml_escape(names[k]) + "</text>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace ccsim
