// ccsim load: each mitigation under many clients on a real PostgreSQL, with
// exact accounting of lost updates (docs/load.md).
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/replay_flags.h"
#include "load/driver.h"
#include "load/load_report.h"
#include "scenario/files.h"
#include "scenario/simulate.h"

namespace ccsim {

namespace {

struct LoadCommandOptions {
  std::string scenario = "double_click";
  std::string postgres;
  std::vector<std::string> mitigations;
  std::vector<size_t> clients = {1, 4, 16, 64};
  std::string duration = "10s";
  int64_t requests_per_client = 0;
  std::string isolation;
  size_t rows = 1;
  int think_ms = 0;
  uint64_t seed = 1;
  int statement_timeout_ms = 30000;
  std::string format = "text";
  std::string plot;
  std::string shard;  // "I/N"
  std::string run_id;
  int shard_wait_s = 60;
  size_t threads = 0;
  size_t input_bytes_max = kInputBytesMax;
};

// "I/N" with 0 <= I < N <= 64.
// "10s", "500ms", "2m", or a bare number of seconds.
double parse_duration(const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  std::string unit(end, text.data() + text.size());
  double scale = unit.empty() || unit == "s" ? 1 : unit == "ms" ? 0.001 : unit == "m" ? 60 : -1;
  if (ec != std::errc() || scale < 0 || !(v * scale > 0 && v * scale <= 3600))
    throw InputError(
        SourcePos{"--duration", 0, 0},
        "expected a duration from 1ms to 1h like 10s, 500ms or 2m, not '" + text + "'");
  return v * scale;
}

int load(const LoadCommandOptions& o) {
  Scenario s = load_scenario(o.scenario, o.input_bytes_max);
  std::vector<const Mitigation*> chosen = choose_mitigations(s, o.mitigations);
  std::vector<const Mitigation*> ms;
  for (const Mitigation* m : chosen) {
    if (!m->crash) {
      ms.push_back(m);
      continue;
    }
    if (!o.mitigations.empty())
      throw InputError(SourcePos{"--mitigation", 0, 0},
                       "mitigation " + m->name +
                           " injects a crash; ccsim load kills no processes (try ccsim run or "
                           "ccsim verify)");
  }
  Isolation iso =
      o.isolation.empty() ? s.isolation : isolation_named(o.isolation).value_or(s.isolation);
  LoadOptions lo;
  lo.pg.conninfo = o.postgres;
  lo.pg.statement_timeout_ms = o.statement_timeout_ms;
  if (o.requests_per_client > 0)
    lo.requests_per_client = o.requests_per_client;
  else
    lo.duration_s = parse_duration(o.duration);
  lo.think_ms = o.think_ms;
  lo.threads = o.threads;
  lo.seed = o.seed;
  if (!o.shard.empty()) {
    auto [i, n] = parse_shard_flag(o.shard, 64);
    bool id_ok = !o.run_id.empty() && o.run_id.size() <= 32;
    for (char ch : o.run_id)
      id_ok &= (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (!id_ok)
      throw InputError(SourcePos{"--run-id", 0, 0},
                       "--shard needs --run-id: the same name for every shard of the run, 1 to "
                       "32 of a-z, 0-9 and _ (it names the schema they share), not '" +
                           o.run_id + "'");
    lo.shard = LoadOptions::Shard{i, n, o.run_id, 0, o.shard_wait_s};
  }
  bool tty = isatty(STDERR_FILENO);
  if (tty)
    lo.progress = [](const std::string& line) { std::cerr << "\r\033[K" << line << std::flush; };

  // Application mutexes are shared by the clients of one process; shards
  // are separate processes, so they would each have their own.
  if (lo.shard)
    for (const Mitigation* m : ms)
      for (const Step& st : m->steps->steps)
        if (std::holds_alternative<AcquireAction>(st.body))
          throw InputError(SourcePos{"--shard", 0, 0},
                           "mitigation " + m->name +
                               " takes an application mutex (ACQUIRE), which the clients of one "
                               "process share; split across --shard processes each would have "
                               "its own. Run it without --shard");

  // Plans first: a bad --rows is an input error before any connection. A
  // mitigation whose lost updates cannot be counted is refused when named,
  // and left out (said on stderr) when it comes from the scenario's list.
  std::vector<LoadPlan> plans;
  std::vector<const Mitigation*> countable;
  for (const Mitigation* m : ms) {
    LoadPlan p = plan_load(s, *m, iso, o.rows, SourcePos{"--rows", 0, 0});
    if (!p.not_countable.empty()) {
      std::string why =
          "ccsim load counts lost updates of views whose requests each add a "
          "fixed amount; under " +
          m->name + " " + p.not_countable;
      if (!o.mitigations.empty()) throw InputError(SourcePos{"--mitigation", 0, 0}, why);
      std::cerr << "ccsim: load leaves out " << m->name << ": " << why << "\n";
      continue;
    }
    countable.push_back(m);
    plans.push_back(std::move(p));
  }
  if (countable.empty())
    throw InputError(SourcePos{s.file, 0, 0},
                     "no mitigation of this scenario can be load-tested (each is left out above)");
  ms = countable;

  // From here to the end, a signal ends the run in progress (or the next
  // one, while it connects) cleanly: its schema dropped, exit 2.
  LoadSignals signals;
  lo.stop = signals.stop();
  std::vector<LoadResult> runs;
  for (size_t k = 0; k < ms.size(); ++k)
    for (size_t c : o.clients) {
      if (tty) lo.progress(ms[k]->name + ", " + std::to_string(c) + " clients: connecting");
      runs.push_back(run_load(s, *ms[k], iso, plans[k], c, lo));
      if (lo.shard) ++lo.shard->step;
    }
  if (tty) std::cerr << "\r\033[K" << std::flush;

  LoadHeader h;
  h.file = s.file;
  h.title = s.title;
  h.isolation = iso;
  h.rows = o.rows;
  h.duration_s = lo.duration_s;
  h.requests_per_client = lo.requests_per_client;
  h.think_ms = o.think_ms;
  h.seed = o.seed;
  h.server_version = runs.empty() ? "" : runs.front().server_version;
  if (lo.shard) {
    h.shard = lo.shard;
    std::cout << render_load_json(h, runs);
  } else if (o.format == "json")
    std::cout << render_load_json(h, runs);
  else if (o.format == "csv")
    std::cout << render_load_csv(h, runs);
  else
    std::cout << render_load_text(h, runs);
  if (!o.plot.empty()) {
    std::ofstream f(o.plot, std::ios::binary);
    f << render_load_svg(h, runs);
    if (!f) throw InputError(SourcePos{o.plot, 0, 0}, "cannot write the plot");
  }
  // The server failed under the run: the report above says what is known.
  int64_t unknown = 0;
  bool troubled = false;
  for (const LoadResult& r : runs) {
    unknown += r.unknown;
    troubled |= !r.notes.empty();
  }
  if (troubled) {
    std::cout.flush();
    std::cerr << "ccsim: error: the server failed during the run (" << unknown
              << " requests' outcome unknown); see the notes above\n";
    return 2;
  }
  return 0;
}

}  // namespace

void setup_load(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<LoadCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "load",
      "Run each mitigation under many concurrent clients on a real PostgreSQL, as in\n"
      "production (no scheduler), and account for every request: committed, failed by\n"
      "SQLSTATE, gave up, retried, and lost updates read off the final rows. Works in one\n"
      "new schema, dropped at the end (docs/load.md).");
  cmd->add_option("scenario", o->scenario, "Scenario file (.toml) or a built-in scenario's name")
      ->capture_default_str();
  cmd->add_option("--postgres", o->postgres,
                  "libpq connection string, e.g. \"host=/tmp/pg port=5432 dbname=postgres\"")
      ->required();
  cmd->add_option("-m,--mitigation", o->mitigations,
                  "Mitigation to run (repeat for several; default: all the scenario lists but\n"
                  "those that inject a crash)");
  cmd->add_option("--clients", o->clients,
                  "Client counts, one run each (one connection per client)")
      ->delimiter(',')
      ->check(CLI::Range(size_t{1}, size_t{1000}))
      ->capture_default_str();
  auto* dur = cmd->add_option("--duration", o->duration,
                              "How long each run starts new requests: 10s, 500ms, 2m (at most 1h)")
                  ->capture_default_str();
  cmd->add_option("--requests-per-client", o->requests_per_client,
                  "Instead of a duration: exactly this many requests per client")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->excludes(dur);
  cmd->add_option(
         "--isolation", o->isolation,
         "Isolation level of transactions whose BEGIN names none (default: the scenario's)")
      ->check(CLI::IsMember({"read-committed", "repeatable-read", "serializable"}));
  cmd->add_option("--rows", o->rows,
                  "Spread the clients over this many hot rows (copies of the row each request\n"
                  "names; 1 is the worst case)")
      ->check(CLI::Range(size_t{1}, size_t{10000}))
      ->capture_default_str();
  cmd->add_option(
         "--think-time", o->think_ms,
         "Mean pause between a client's requests in ms (drawn uniformly from 0 to twice it)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the think-time draws")->capture_default_str();
  cmd->add_option("--statement-timeout", o->statement_timeout_ms,
                  "The server cancels any statement slower than this many ms")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  cmd->add_option("--format", o->format, "Output: text, json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->capture_default_str();
  cmd->add_option("--plot", o->plot,
                  "Also draw throughput and lost updates against the client count into this SVG");
  auto* shard = cmd->add_option(
      "--shard", o->shard,
      "Run only shard I of N of the clients (client c runs in shard c mod N); start every\n"
      "shard, anywhere, with the same options and --run-id; they meet on the server and\n"
      "each prints a JSON file for 'ccsim merge' (docs/load.md)");
  cmd->add_option("--run-id", o->run_id, "The name all shards of one run share (a-z, 0-9, _)")
      ->needs(shard);
  cmd->add_option("--shard-wait", o->shard_wait_s, "Seconds a shard waits for the others to start")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--threads", o->threads,
                  "Client threads, each with its share of the connections (0: one per core, at\n"
                  "most 4; always 1 for mitigations with an application mutex or debounce)")
      ->check(CLI::Range(size_t{0}, size_t{64}))
      ->capture_default_str();
  cmd->add_option("--input-bytes-max", o->input_bytes_max, "Refuse scenario files larger than this")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o, &chosen] { chosen = [o] { return load(*o); }; });
}

}  // namespace ccsim
