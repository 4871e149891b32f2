// ccsim explore: every interleaving, through the graph of distinct states.
// Each count is derived in the comment above it, by hand or by an
// enumeration independent of ccsim (tests/derive/none_counts.py); the rest
// is held to the naive one-schedule-at-a-time walk, which shares no code
// with the state graph, its keys, its symmetry or its counting.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "explore/state_search.h"
#include "report/explore_report.h"
#include "scenario/exploration.h"

using namespace ccsim;

namespace {

ExploreOptions options(const std::string& mitigation, std::optional<Isolation> iso = std::nullopt,
                       size_t requests = 0) {
  ExploreOptions o;
  o.mitigations = {mitigation};
  o.isolation = iso;
  o.requests = requests;
  return o;
}

Exploration explore_one(const std::string& scenario, const ExploreOptions& o) {
  std::vector<Exploration> es = explore_scenario(load_scenario(scenario), o);
  REQUIRE(es.size() == 1);
  return es[0];
}

// The final points of an outcome of double_click.
int64_t points(const ExploredOutcome& o) {
  return std::get<int64_t>(o.final.at(0).rows.at(0).at(2));
}

// Schedules by final points.
std::map<int64_t, Count> by_points(const Exploration& e) {
  std::map<int64_t, Count> out;
  for (const ExploredOutcome& o : e.outcomes) out[points(o)] += o.schedules;
  return out;
}

}  // namespace

TEST_CASE("none: 20 interleavings of two clicks, 2 lose nothing, 18 lose an update", "[explore]") {
  // Each request takes 3 steps (SELECT, LET, UPDATE), nobody waits: C(6,3) =
  // 20 interleavings. The result is 120 only when one request's UPDATE
  // precedes the other's SELECT, i.e. one request runs entirely first: 2.
  Exploration e = explore_one("double_click", options("none"));
  CHECK(e.complete);
  CHECK(e.schedules == Count(20));
  REQUIRE(e.outcomes.size() == 2);
  CHECK(e.outcomes[0].schedules == Count(2));
  CHECK(e.outcomes[0].ok());
  CHECK(e.outcomes[0].shortest == std::vector<std::string>{"A", "A", "A", "B", "B", "B"});
  CHECK(e.outcomes[1].schedules == Count(18));
  CHECK(e.outcomes[1].anomalies == std::vector<std::string>{"lost_update"});
  // The first in request order among the shortest schedules that lose one.
  CHECK(e.outcomes[1].shortest == std::vector<std::string>{"A", "A", "B", "A", "B", "B"});
  CHECK(e.bad == Count(18));
  CHECK(explore_verdict(e) == "goes wrong in 18 of 20");
}

TEST_CASE("none with 3 and 4 clicks: every interleaving counted by its final points", "[explore]") {
  // 3N steps, N of each request, in any order: (3N)! / (3!)^N schedules. By
  // final points, from tests/derive/none_counts.py (an enumeration of the
  // read-compute-write race written without ccsim); the serial outcome,
  // 100 + 10N, is reached only by the N! schedules that run the requests
  // one after another.
  Exploration e3 = explore_one("double_click", options("none", std::nullopt, 3));
  CHECK(e3.complete);
  CHECK(e3.schedules == Count(1680));
  CHECK(by_points(e3) == std::map<int64_t, Count>{{110, 1404}, {120, 270}, {130, 6}});
  Exploration e4 = explore_one("double_click", options("none", std::nullopt, 4));
  CHECK(e4.schedules == Count(369600));
  CHECK(by_points(e4) ==
        std::map<int64_t, Count>{{110, 291600}, {120, 74952}, {130, 3024}, {140, 24}});
  CHECK(e4.requests == std::vector<std::string>{"A", "B", "C", "D"});
}

TEST_CASE("none with 6 and 8 clicks: counts past 2^32 and 2^53 are exact", "[explore]") {
  // 18!/(3!)^6 = 137,225,088,000; 24!/(3!)^8 = 369,398,958,888,960,000
  // (past 2^53, where a double stops being exact). Serial: 6! and 8!.
  Exploration e6 = explore_one("double_click", options("none", std::nullopt, 6));
  CHECK(e6.schedules.to_string() == "137225088000");
  CHECK(by_points(e6)[160] == Count(720));
  Exploration e8 = explore_one("double_click", options("none", std::nullopt, 8));
  CHECK(e8.schedules.to_grouped() == "369,398,958,888,960,000");
  CHECK(by_points(e8)[180] == Count(40320));
  CHECK(e8.outcomes.size() == 8);  // 110 .. 180
}

TEST_CASE("select_for_update: 148 interleavings, all 120", "[explore]") {
  // Six steps each (autocommit read, BEGIN, FOR UPDATE, LET, UPDATE,
  // COMMIT); a FOR UPDATE that meets the other's lock uses its step to wait
  // and completes inside the holder's COMMIT. Counting those sequences with a
  // memoised recursion over (next step of A, of B, lock holder, who waits)
  // gives 148; the lock makes every one of them end at 120.
  Exploration e = explore_one("double_click", options("select_for_update"));
  CHECK(e.schedules == Count(148));
  REQUIRE(e.outcomes.size() == 1);
  CHECK(e.outcomes[0].ok());
  CHECK(points(e.outcomes[0]) == 120);
}

TEST_CASE("the card fixes never lose an update with 3 requests, none reaches 110, 120, 130",
          "[explore]") {
  // A fix that holds the row lock from read to write (select_for_update,
  // update_first), adds atomically (f_expression) or serializes on a lock
  // row (singleton_lock) leaves 100 + 10 x (requests that committed).
  for (const char* m : {"select_for_update", "f_expression", "update_first", "singleton_lock"}) {
    CAPTURE(m);
    Exploration e = explore_one("double_click", options(m, std::nullopt, 3));
    CHECK(e.complete);
    for (const ExploredOutcome& o : e.outcomes) {
      int64_t committed = 0;
      for (const auto& [name, fate] : o.fates) committed += fate == "committed";
      CHECK(points(o) == 100 + 10 * committed);
      CHECK(o.anomalies.empty());
    }
  }
  Exploration none = explore_one("double_click", options("none", std::nullopt, 3));
  CHECK(by_points(none).size() == 3);
}

TEST_CASE("SERIALIZABLE never leaves both doctors off call, READ COMMITTED can", "[explore]") {
  // Serializable snapshot isolation guarantees every committed result is
  // some serial order's; serially the second doctor always stays on call.
  Exploration ser = explore_one("on_call", options("check_then_update", Isolation::kSerializable));
  CHECK(ser.complete);
  for (const ExploredOutcome& o : ser.outcomes) {
    CHECK(o.serializable);
    bool both_off =
        o.final[0].rows[0][2] == Value{int64_t{0}} && o.final[0].rows[1][2] == Value{int64_t{0}};
    CHECK_FALSE(both_off);
  }
  // At READ COMMITTED the interleaving where both read before either writes
  // commits both: nobody on call, which no serial order gives.
  Exploration rc = explore_one("on_call", options("check_then_update"));
  bool found = false;
  for (const ExploredOutcome& o : rc.outcomes) found |= !o.serializable;
  CHECK(found);
}

TEST_CASE("NOWAIT with a bounded retry loses no data, but a request can give up", "[explore]") {
  // While A holds the row (from its FOR UPDATE NOWAIT to its COMMIT), each
  // try of B reaches its own NOWAIT in three steps and fails with 55P03. A
  // schedule that lets B try six times in that window exhausts its five
  // restarts: B gives up. No schedule loses an update (only one request
  // writes at a time, and a restart re-reads).
  Exploration e = explore_one("double_click", options("select_for_update_nowait_retry"));
  CHECK(e.complete);
  bool b_gave_up = false;
  for (const ExploredOutcome& o : e.outcomes) {
    CHECK(o.ok());
    if (o.fates[1].second == "gave_up") {
      b_gave_up = true;
      CHECK(o.request_failed());
    }
  }
  CHECK(b_gave_up);
}

TEST_CASE("a truncated exploration claims nothing about what it did not reach", "[explore]") {
  ExploreOptions o = options("select_for_update");
  o.limits.states_max = 5;
  Exploration e = explore_one("double_click", o);
  CHECK_FALSE(e.complete);
  CHECK(e.stopped == "--max-states 5");
  std::string verdict = explore_verdict(e);
  CHECK(verdict.find("never goes wrong") == std::string::npos);
  CHECK(verdict.find("not all explored") != std::string::npos);
  std::string text = render_explore_text(explore_header(load_scenario("double_click")), {e});
  CHECK(text.find("never goes wrong") == std::string::npos);
  CHECK(text.find("stopped at --max-states 5: not every interleaving explored") !=
        std::string::npos);
  // Verdicts only: the same.
  o.verdicts_only = true;
  Exploration v = explore_one("double_click", o);
  CHECK_FALSE(v.complete);
  CHECK(explore_verdict(v) == "no failure in the states explored; not all explored");
}

TEST_CASE("interchangeable requests: same program, read arguments, client and process",
          "[explore]") {
  auto classes = [](const std::string& scenario, const std::string& mitigation, size_t n) {
    Scenario s = with_request_count(load_scenario(scenario), n);
    return StateEncoder(build_world(s, *s.find(mitigation))).class_of();
  };
  // none reads user_id and delta, equal for all; no mutex, no debounce.
  CHECK(classes("double_click", "none", 4) == std::vector<uint32_t>{0, 0, 0, 0});
  // semaphore's mutex is per process: A and C run in web1, B and D in web2.
  CHECK(classes("double_click", "semaphore", 4) == std::vector<uint32_t>{0, 1, 0, 1});
  // singleton_lock stores :request_id in the lock row and compares it there
  // for equality only: a name, so the requests are interchangeable.
  CHECK(classes("double_click", "singleton_lock", 3) == std::vector<uint32_t>{0, 0, 0});
  // Debounce drops a click of the same client: tab1's A and C, tab2's B.
  CHECK(classes("two_tabs", "client_debounce", 3) == std::vector<uint32_t>{0, 1, 0});
  // The injected crash names A: A stands alone.
  CHECK(classes("double_click", "singleton_lock_crash", 2) == std::vector<uint32_t>{0, 1});
  // on_call's doctors check each other: A and B differ in their arguments.
  CHECK(classes("on_call", "check_then_update", 4) == std::vector<uint32_t>{0, 1, 0, 1});
}

TEST_CASE("sampling draws schedules uniformly when the graph is counted", "[explore]") {
  ExploreOptions o = options("none", std::nullopt, 3);
  o.sample = 4000;
  o.seed = 11;
  Exploration e = explore_one("double_click", o);
  CHECK(e.uniform);
  CHECK(e.schedules == Count(1680));
  CHECK_FALSE(e.complete);  // a sample is never every interleaving
  // Each outcome's exact share (1404, 270 and 6 of 1680) lies in the 95%
  // interval of its draws (for this seed; the draws are deterministic).
  std::map<int64_t, double> exact{{110, 1404.0 / 1680}, {120, 270.0 / 1680}, {130, 6.0 / 1680}};
  size_t total = 0;
  for (const ExploredOutcome& x : e.outcomes) {
    auto [lo, hi] = share_interval(x.observed, e.sampled);
    CAPTURE(points(x), x.observed, lo, hi);
    CHECK(lo <= exact.at(points(x)));
    CHECK(exact.at(points(x)) <= hi);
    total += x.observed;
  }
  CHECK(total == 4000);
  // The same seed draws the same schedules; another seed others.
  Exploration again = explore_one("double_click", o);
  CHECK(render_explore_text(explore_header(load_scenario("double_click")), {again}) ==
        render_explore_text(explore_header(load_scenario("double_click")), {e}));
  // Past the state limit it falls back to a random walk, and says so.
  o.limits.states_max = 10;
  Exploration walk = explore_one("double_click", o);
  CHECK_FALSE(walk.uniform);
  CHECK(render_explore_text(explore_header(load_scenario("double_click")), {walk})
            .find("by a random walk") != std::string::npos);
  // ... and names the limit that made it one.
  CHECK(walk.walk_reason == "counting the state graph stopped at --max-states 10");
  CHECK(render_explore_text(explore_header(load_scenario("double_click")), {walk})
            .find("not uniform: counting the state graph stopped at --max-states 10, so") !=
        std::string::npos);
}

TEST_CASE("shards of an exploration add up to exactly the single run", "[explore]") {
  Scenario s = load_scenario("double_click");
  for (size_t n : {2, 3}) {
    ExploreOptions o;
    o.mitigations = {"none", "select_for_update", "semaphore", "select_for_update_nowait_retry"};
    o.requests = n;
    std::vector<Exploration> one = explore_scenario(s, o);
    std::vector<std::vector<Exploration>> parts;
    for (size_t k = 0; k < 4; ++k) {
      ExploreOptions so = o;
      so.shard = Shard{k, 4};
      parts.push_back(explore_scenario(s, so));
    }
    ExploreHeader h = explore_header(s);
    h.requests = n;
    CAPTURE(n);
    CHECK(render_explore_text(h, merge_explorations(parts)) == render_explore_text(h, one));
  }
}

TEST_CASE("the state-graph explorer prints what the naive walk prints", "[explore][naive]") {
  // Every shipped scenario and mitigation at every level with two requests,
  // and those whose naive walk stays under ~400,000 schedules with three
  // and four (the walk's cost is the count itself). The busy-wait
  // singleton_lock has 9.6 million schedules with two requests: checked by
  // hand once (docs/explore.md), not here.
  struct Case {
    std::string scenario;
    std::vector<std::string> mitigations;  // empty: all but the busy-waiting ones
    size_t requests;
    Isolation iso;
  };
  std::vector<Case> cases;
  // Every shipped scenario, as the binary carries them: one added later is
  // in without a change here.
  const std::vector<std::string> shipped = builtin_scenarios();
  REQUIRE(shipped.size() >= 12);
  for (const std::string& sc : shipped)
    for (Isolation iso :
         {Isolation::kReadCommitted, Isolation::kRepeatableRead, Isolation::kSerializable})
      cases.push_back(Case{sc, {}, 2, iso});
  cases.push_back(Case{
      "double_click",
      {"none", "f_expression", "client_debounce", "select_for_update",
       "select_for_update_outside_transaction", "f_expression_stale_delta", "single_worker_queue"},
      3,
      Isolation::kReadCommitted});
  cases.push_back(Case{"double_click", {"none", "f_expression"}, 3, Isolation::kSerializable});
  cases.push_back(
      Case{"on_call", {"check_then_update", "lock_other_row"}, 3, Isolation::kReadCommitted});
  cases.push_back(Case{"on_call", {"check_then_update"}, 3, Isolation::kSerializable});
  cases.push_back(Case{"one_process", {"none", "semaphore"}, 3, Isolation::kReadCommitted});
  cases.push_back(Case{"two_tabs", {"client_debounce"}, 3, Isolation::kReadCommitted});
  // SKIP's jumps, the locking read with LIMIT and SKIP LOCKED, the deadlock.
  cases.push_back(
      Case{"last_item", {"conditional_update", "lock_item_row"}, 3, Isolation::kReadCommitted});
  cases.push_back(Case{"last_seat", {"lock_event_row"}, 3, Isolation::kRepeatableRead});
  cases.push_back(Case{"transfer", {}, 3, Isolation::kReadCommitted});
  cases.push_back(Case{"job_queue", {}, 3, Isolation::kReadCommitted});
  cases.push_back(Case{"job_queue", {"for_update", "skip_locked"}, 3, Isolation::kSerializable});
  // Numerics and a conditional UPDATE, UNIQUE and ON CONFLICT, LOCK TABLE.
  cases.push_back(
      Case{"overdraft", {"conditional_update", "lock_then_check"}, 3, Isolation::kReadCommitted});
  cases.push_back(Case{"signup",
                       {"no_constraint", "check_then_create", "on_conflict"},
                       3,
                       Isolation::kReadCommitted});
  cases.push_back(Case{"lock_table", {"lock_share_row_exclusive"}, 3, Isolation::kReadCommitted});
  cases.push_back(Case{"double_click",
                       {"none", "client_debounce", "single_worker_queue"},
                       4,
                       Isolation::kReadCommitted});
  cases.push_back(Case{"two_tabs", {"client_debounce"}, 4, Isolation::kReadCommitted});
  // Foreign keys: their checks wait and keep state in the statement's cursor.
  for (Isolation iso :
       {Isolation::kReadCommitted, Isolation::kRepeatableRead, Isolation::kSerializable})
    for (size_t n : {2, 3})
      cases.push_back(Case{CCSIM_SOURCE_DIR "/tests/verify/foreign_key_order.toml", {}, n, iso});

  for (const Case& c : cases) {
    Scenario s = load_scenario(c.scenario);
    std::vector<std::string> ms = c.mitigations;
    if (ms.empty())
      for (const Mitigation& m : s.mitigations)
        if (m.name.rfind("singleton_lock", 0) != 0) ms.push_back(m.name);
    for (const std::string& m : ms) {
      ExploreOptions o;
      o.mitigations = {m};
      o.isolation = c.iso;
      o.requests = c.requests;
      Exploration graph = explore_scenario(s, o).front();
      o.naive = true;
      o.schedules_max = 1'000'000;
      Exploration naive = explore_scenario(s, o).front();
      CAPTURE(c.scenario, m, c.requests, option_name(c.iso));
      REQUIRE(naive.complete);
      REQUIRE(graph.complete);
      ExploreHeader h = explore_header(s);
      h.requests = c.requests;
      CHECK(render_explore_text(h, {graph}) == render_explore_text(h, {naive}));
    }
  }
}

namespace {

// double_click with singleton_lock's busy wait bounded at `max` retries
// instead of 20, so that the naive walk can cover it.
Scenario with_retry_max(int64_t max) {
  Scenario s = load_scenario("double_click");
  for (Mitigation& m : s.mitigations) {
    if (m.name != "singleton_lock") continue;
    Program p = *m.steps;
    for (Step& st : p.steps)
      if (auto* r = std::get_if<RetryAction>(&st.body)) r->max = max;
    m.steps = std::make_shared<const Program>(std::move(p));
  }
  return s;
}

// The same outcomes with the same counts, fates, rows and verdicts, each
// with a shortest schedule of the same length. (Which of several shortest
// schedules is shown may differ: with more symmetry the explorer renames
// the first one it found for another outcome of the same class.)
void check_same_outcomes(const Exploration& a, const Exploration& b) {
  CHECK(a.schedules == b.schedules);
  CHECK(a.bad == b.bad);
  CHECK(a.failed == b.failed);
  // By what they end in: with another schedule shown the order may differ.
  auto outcomes = [](const Exploration& e) {
    std::map<std::string, std::tuple<Count, std::string, bool, size_t>> out;
    for (const ExploredOutcome& x : e.outcomes) {
      std::string k = std::to_string(points(x));
      for (const auto& [name, fate] : x.fates) k += " " + name + "=" + fate;
      out[k] = {x.schedules, x.verdict(), x.serializable, x.shortest.size()};
    }
    return out;
  };
  CHECK(outcomes(a) == outcomes(b));
  CHECK(a.outcomes.size() == b.outcomes.size());
}

}  // namespace

TEST_CASE("a request id used only as a name makes requests interchangeable, exactly",
          "[explore][naive]") {
  // With identity symmetry the explorer merges states that differ by which
  // request holds the lock row; it must print what it prints without it,
  // and what the naive walk prints where the walk can finish.
  Scenario full = load_scenario("double_click");
  Scenario small = with_retry_max(2);
  struct Case {
    const Scenario* s;
    std::string mitigation;
    size_t requests;
    Isolation iso;
    bool naive;
  };
  std::vector<Case> cases;
  for (Isolation iso :
       {Isolation::kReadCommitted, Isolation::kRepeatableRead, Isolation::kSerializable}) {
    cases.push_back(Case{&full, "singleton_lock", 2, iso, false});
    cases.push_back(Case{&full, "singleton_lock_crash", 2, iso, false});
    cases.push_back(Case{&small, "singleton_lock", 2, iso, true});
  }
  cases.push_back(Case{&full, "singleton_lock", 3, Isolation::kReadCommitted, false});
  // (With three requests even one retry gives 12.5 million schedules: too
  // many for the naive walk here.)
  for (const Case& c : cases) {
    ExploreOptions o;
    o.mitigations = {c.mitigation};
    o.isolation = c.iso;
    o.requests = c.requests;
    Exploration named = explore_scenario(*c.s, o).front();
    o.identity_symmetry = false;
    Exploration apart = explore_scenario(*c.s, o).front();
    CAPTURE(c.mitigation, c.requests, option_name(c.iso), c.naive);
    REQUIRE(named.complete);
    REQUIRE(apart.complete);
    check_same_outcomes(named, apart);
    CHECK(named.stats.states <= apart.stats.states);
    // Three requests that could each hold the lock: a third of the states or fewer.
    if (c.requests == 3 && c.mitigation == "singleton_lock")
      CHECK(named.stats.states * 3 <= apart.stats.states);
    if (c.naive) {
      o.naive = true;
      o.schedules_max = 2'000'000;
      Exploration naive = explore_scenario(*c.s, o).front();
      REQUIRE(naive.complete);
      check_same_outcomes(named, naive);
    }
  }
}

namespace {

// Loads scenario `text` (named `file`) from a folder of its own, beside
// mitigation files of view `view`: name -> steps.
Scenario scenario_with(const std::string& file, const std::string& text, const std::string& view,
                       const std::vector<std::pair<std::string, std::string>>& mitigations) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ccsim-" + view + "-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "mitigations");
  for (const auto& [name, steps] : mitigations)
    std::ofstream(dir / "mitigations" / (name + ".toml"))
        << "name = \"" << name << "\"\nview = \"" << view << "\"\nsummary = \"s\"\nsteps = '''\n"
        << steps << "'''\n";
  Scenario s = load_scenario_text(text, file, dir.string());
  std::filesystem::remove_all(dir);
  return s;
}

// Mitigation m explored with n requests (0: the scenario's own) by the
// state graph and by the naive walk (at most schedules_max schedules),
// both complete.
std::pair<Exploration, Exploration> graph_and_naive(const Scenario& s, const std::string& m,
                                                    size_t n, size_t schedules_max = 100000) {
  ExploreOptions o;
  o.mitigations = {m};
  o.requests = n;
  Exploration graph = explore_scenario(s, o).front();
  o.naive = true;
  o.schedules_max = schedules_max;
  Exploration naive = explore_scenario(s, o).front();
  REQUIRE(graph.complete);
  REQUIRE(naive.complete);
  return {std::move(graph), std::move(naive)};
}

// `claim` keeps the winner's :request_id in a row (the end states name a
// request), `claim_then_clear` clears it again, `numbered` computes with
// :request_id (never a mere name).
Scenario claim_scenario() {
  std::vector<std::pair<std::string, std::string>> mitigations = {
      {"claim",
       "UPDATE ticket SET holder = :request_id WHERE id = 1 AND holder IS NULL\n"
       "UPDATE ticket SET claims = claims + 1 WHERE id = 1\n"},
      {"claim_then_clear",
       "UPDATE ticket SET holder = :request_id WHERE id = 1 AND holder IS NULL\n"
       "UPDATE ticket SET claims = claims + 1 WHERE id = 1 AND holder = :request_id\n"
       "UPDATE ticket SET holder = NULL WHERE id = 1 AND holder = :request_id\n"},
      {"numbered", "UPDATE ticket SET claims = claims + :request_id WHERE id = 1\n"}};
  std::string text = R"(title = "claim"
view = "claim"
mitigations = ["claim", "claim_then_clear", "numbered"]
processes = ["web1"]
setup = '''
CREATE TABLE ticket (id int PRIMARY KEY, holder int, claims int NOT NULL)
INSERT INTO ticket (id, holder, claims) VALUES (1, NULL, 0)
'''
[[requests]]
name = "A"
client = "tab1"
process = "web1"
)";
  return scenario_with("claim.toml", text, "claim", mitigations);
}

}  // namespace

TEST_CASE("rows that keep a request id are never merged with their renamings", "[explore][naive]") {
  Scenario s = claim_scenario();
  auto classes = [&](const std::string& m) {
    Scenario sized = with_request_count(s, 3);
    return StateEncoder(build_world(sized, *sized.find(m))).class_of();
  };
  CHECK(classes("claim") == std::vector<uint32_t>{0, 0, 0});
  CHECK(classes("claim_then_clear") == std::vector<uint32_t>{0, 0, 0});
  CHECK(classes("numbered") == std::vector<uint32_t>{0, 1, 2});  // a number, not a name
  ExploreHeader h = explore_header(s);
  h.requests = 3;
  for (const char* m : {"claim", "claim_then_clear", "numbered"}) {
    CAPTURE(m);
    auto [graph, naive] = graph_and_naive(s, m, 3);
    if (std::string(m) == "claim") {
      // 6! / 2!^3 = 90 interleavings of three two-step requests. Whoever
      // claims first keeps the row: three outcomes (holder 1, 2 or 3), told
      // apart by the row, each with claims = 3 and, by symmetry, 30 schedules.
      CHECK(graph.schedules == Count(90));
      REQUIRE(graph.outcomes.size() == 3);
      for (const ExploredOutcome& x : graph.outcomes) CHECK(x.schedules == Count(30));
      // Told apart, as the walk tells them: the same report to the byte.
      CHECK(render_explore_text(h, {graph}) == render_explore_text(h, {naive}));
    } else {
      check_same_outcomes(graph, naive);
    }
  }
}

TEST_CASE("merge refuses shards that grouped requests differently", "[explore]") {
  // One shard's classes are marked as grouped by :request_id as a name, the
  // other's not: their keys cannot be added up.
  Exploration a;
  a.mitigation = "claim";
  a.requests = {"A", "B"};
  a.counted = true;
  Exploration b = a;
  OutcomeClass named;
  named.key = "@ticket:(1,NULL,2,);{0:committed:committed}";
  named.schedules = Count(3);
  a.classes.push_back(named);
  OutcomeClass apart = named;
  apart.key = named.key.substr(1);
  b.classes.push_back(apart);
  try {
    merge_explorations({{a}, {b}});
    FAIL("merged");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("grouped their requests differently") != std::string::npos);
  }
}

TEST_CASE("an upsert's DO UPDATE keeps the values it reads alive in the state key",
          "[explore][naive]") {
  // upsert_stale reads :seen only in ON CONFLICT DO UPDATE SET: a state key
  // that forgot it would merge states whose requests hold different :seen.
  std::vector<std::pair<std::string, std::string>> mitigations = {
      {"upsert_add",
       "INSERT INTO counter (id, points) VALUES (1, 10) ON CONFLICT (id) DO UPDATE SET "
       "points = counter.points + EXCLUDED.points\n"},
      {"upsert_stale",
       "SELECT points FROM counter WHERE id = 1 INTO :seen\n"
       "LET :gain = 10\n"
       "INSERT INTO counter (id, points) VALUES (1, :gain) ON CONFLICT (id) DO UPDATE SET "
       "points = :seen + EXCLUDED.points\n"}};
  std::string text = R"(title = "count"
view = "count"
mitigations = ["upsert_add", "upsert_stale"]
processes = ["web1"]
setup = '''
CREATE TABLE counter (id int PRIMARY KEY, points int NOT NULL)
INSERT INTO counter (id, points) VALUES (1, 100)
'''
[[requests]]
name = "A"
client = "tab1"
process = "web1"
)";
  Scenario s = scenario_with("count.toml", text, "count", mitigations);
  ExploreHeader h = explore_header(s);
  h.requests = 3;
  for (const char* m : {"upsert_add", "upsert_stale"}) {
    CAPTURE(m);
    auto [graph, naive] = graph_and_naive(s, m, 3);
    CHECK(render_explore_text(h, {graph}) == render_explore_text(h, {naive}));
    if (std::string(m) == "upsert_add") {
      // One statement each: 3! orders, every one ends at 100 + 3 x 10.
      CHECK(graph.schedules == Count(6));
      REQUIRE(graph.outcomes.size() == 1);
      REQUIRE(graph.outcomes[0].final.size() == 1);
      REQUIRE(graph.outcomes[0].final[0].rows.size() == 1);
      CHECK(graph.outcomes[0].final[0].rows[0][1] == Value{int64_t{130}});
    } else {
      // 9! / 3!^3 interleavings of three three-step requests; the upsert
      // adds to a stale :seen, so some end below 130.
      CHECK(graph.schedules == Count(1680));
      CHECK(graph.outcomes.size() > 1);
    }
  }
}

TEST_CASE("READ ONLY and DEFERRABLE readers: the state graph counts what the naive walk counts",
          "[explore][naive]") {
  // A reports (a SERIALIZABLE READ ONLY transaction) while B and C write
  // each other's read row (write skew). The report's SSI state - the
  // writers that may still make it unsafe, safe or unsafe, a wait for a
  // safe snapshot - must be in the state key, or the graph merges states
  // that differ in it (without it the graph counted 384,266 schedules
  // for `deferrable`, against the walk's 365,966).
  const std::string writer =
      "SKIP 4\n"
      "BEGIN ISOLATION LEVEL SERIALIZABLE\n"
      "SELECT points FROM account WHERE id = :other INTO :seen\n"
      "UPDATE account SET points = points + 10 WHERE id = :mine\n"
      "COMMIT\n";
  std::vector<std::pair<std::string, std::string>> mitigations = {
      {"deferrable",
       "SKIP 4 IF :role = 1\n"
       "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE\n"
       "SELECT sum(points) FROM account INTO :total\n"
       "COMMIT\n" +
           writer},
      {"tracked",
       "SKIP 5 IF :role = 1\n"
       "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY\n"
       "SELECT points FROM account WHERE id = 1 INTO :x\n"
       "SELECT points FROM account WHERE id = 2 INTO :y\n"
       "COMMIT\n" +
           writer}};
  std::string text = R"(title = "report"
view = "report"
mitigations = ["deferrable", "tracked"]
processes = ["web1"]
setup = '''
CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL, points int NOT NULL)
INSERT INTO account (id, name, points) VALUES (1, 'x', 100), (2, 'y', 100)
'''
[[requests]]
name = "A"
client = "tab1"
args = { role = 0, mine = 1, other = 2 }
[[requests]]
name = "B"
client = "tab2"
args = { role = 1, mine = 1, other = 2 }
[[requests]]
name = "C"
client = "tab3"
args = { role = 1, mine = 2, other = 1 }
)";
  Scenario s = scenario_with("report.toml", text, "report", mitigations);
  for (const char* m : {"deferrable", "tracked"}) {
    CAPTURE(m);
    ExploreOptions o;
    o.mitigations = {m};
    Exploration graph = explore_scenario(s, o).front();
    REQUIRE(graph.complete);
    if (std::string(m) == "deferrable") {  // 365,966 schedules; `tracked` has 1.8 million
      o.naive = true;
      o.schedules_max = 1000000;
      Exploration naive = explore_scenario(s, o).front();
      REQUIRE(naive.complete);
      check_same_outcomes(graph, naive);
    }
    for (const ExploredOutcome& x : graph.outcomes) {
      std::map<std::string, std::string> fates(x.fates.begin(), x.fates.end());
      // The rows hold 200 plus 10 per committed writer (SERIALIZABLE: an
      // UPDATE adds to what it finds, nothing is lost).
      int64_t sum = 0;
      for (const auto& row : x.final.at(0).rows) sum += std::get<int64_t>(row.at(2));
      CHECK(sum == 200 + 10 * ((fates["B"] == "committed") + (fates["C"] == "committed")));
      // A deferrable report never fails: it runs on a safe snapshot.
      if (std::string(m) == "deferrable") CHECK(fates["A"] == "committed");
      CHECK_FALSE(x.stuck);
    }
  }
}

TEST_CASE("plain indexes: the state graph counts what the naive walk counts", "[explore][naive]") {
  // Each request locks the items of owner 1 (a bitmap scan through the
  // plain index: line-pointer order, each HOT chain at its head), then
  // moves its own item to itself (not HOT: a new line pointer, new index
  // entries) or bumps its count (HOT), at READ COMMITTED and SERIALIZABLE.
  // The heads of the HOT chains decide later scans' orders, so they are
  // state: without them the graph would merge states whose lock orders
  // differ.
  std::vector<std::pair<std::string, std::string>> mitigations = {
      {"move",
       "BEGIN\n"
       "SELECT id FROM items WHERE owner = 1 FOR UPDATE\n"
       "UPDATE items SET owner = :me WHERE id = :me\n"
       "UPDATE items SET n = n + 1 WHERE owner = 1\n"
       "COMMIT\n"},
      {"move_serializable",
       "BEGIN ISOLATION LEVEL SERIALIZABLE\n"
       "SELECT count(*) FROM items WHERE owner = 1 INTO :c\n"
       "UPDATE items SET owner = :me WHERE id = :me\n"
       "UPDATE items SET n = n + :c WHERE id = 4 - :me\n"
       "COMMIT\n"}};
  // A table of items indexed by owner, its rows `values`, and requests A
  // and B with :me `a` and `b`, for `programs`.
  auto items = [](const std::vector<std::pair<std::string, std::string>>& programs,
                  const std::string& values, int a, int b) {
    std::string names;
    for (const auto& [name, steps] : programs)
      names += (names.empty() ? "\"" : ", \"") + name + "\"";
    std::string text =
        "title = \"items\"\nview = \"items\"\nmitigations = [" + names +
        "]\nprocesses = [\"web1\"]\nsetup = '''\n"
        "CREATE TABLE items (id int PRIMARY KEY, owner int NOT NULL, n int NOT NULL)\n"
        "CREATE INDEX items_owner ON items (owner)\n"
        "INSERT INTO items VALUES " +
        values + "\n'''\n";
    for (auto [request, me] : {std::pair{"A", a}, std::pair{"B", b}})
      text += std::string("[[requests]]\nname = \"") + request + "\"\nclient = \"tab" +
              (request[0] == 'A' ? "1" : "2") + "\"\nargs = { me = " + std::to_string(me) + " }\n";
    return scenario_with("items.toml", text, "items", programs);
  };
  Scenario s = items(mitigations, "(3, 1, 0), (1, 1, 0), (2, 1, 0)", 2, 3);
  for (const char* m : {"move", "move_serializable"}) {
    INFO(m);
    auto [graph, naive] = graph_and_naive(s, m, 2);
    check_same_outcomes(graph, naive);
    CHECK(graph.outcomes.size() >= 2);
  }
  // A moves item 1 to owner 2 and back (two new line pointers) unless B
  // bumped it first (then A's first UPDATE matches nothing and its second
  // is HOT). Either way item 1 ends as (owner 1, n 1) before A reads the
  // items of owner 1 through the index: a moved item 1 comes after item 2
  // in that bitmap scan (isolationtester on PostgreSQL 15 lists 2, 1 after
  // the moves and 1, 2 after the bump), and A adds 10 to the first. The
  // old versions of a row whose indexed column changed are state: without
  // them the graph merges the two and loses an outcome (84 schedules: 80
  // and 4).
  std::vector<std::pair<std::string, std::string>> reorder = {
      {"reorder",
       "SKIP 4 IF :me = 2\n"
       "UPDATE items SET owner = 2 WHERE id = 1 AND n = 0\n"
       "UPDATE items SET owner = 1 WHERE id = 1\n"
       "SELECT id FROM items WHERE owner = 1 INTO :first\n"
       "UPDATE items SET n = n + 10 WHERE id = :first\n"
       "SKIP 1 IF :me = 1\n"
       "UPDATE items SET n = 1 WHERE id = 1\n"}};
  Scenario r = items(reorder, "(1, 1, 0), (2, 1, 0)", 1, 2);
  auto [graph, naive] = graph_and_naive(r, "reorder", 0);
  check_same_outcomes(graph, naive);
  // A took item 2 in some schedules (item 1 moved before its scan) and
  // item 1 in others.
  std::set<int64_t> taken;
  for (const ExploredOutcome& x : graph.outcomes)
    for (const auto& row : x.final.at(0).rows)
      if (std::get<int64_t>(row.at(2)) >= 10) taken.insert(std::get<int64_t>(row.at(0)));
  CHECK(taken == std::set<int64_t>{1, 2});
}

TEST_CASE("serial columns: the state graph counts what the naive walk counts", "[explore][naive]") {
  // A and B each insert two orders (their ids from the sequence) and
  // renumber the shared order 0 with SET id = DEFAULT, which takes a second
  // value when it waited for the other and re-checks the row; C's second
  // order breaks NOT NULL, so its INSERT fails after taking two ids, used
  // up all the same. The sequence's
  // last value, the values an UPDATE's projection took and how many rows
  // of an INSERT took theirs are state: without them the graph would merge
  // states whose futures hand out other ids.
  std::vector<std::pair<std::string, std::string>> mitigations = {
      {"renumber",
       "SKIP 4 IF :me = 3\n"
       "BEGIN\n"
       "INSERT INTO orders (owner) VALUES (:me), (:me)\n"
       "UPDATE orders SET id = DEFAULT, n = n + 1 WHERE owner = 0\n"
       "COMMIT\n"
       "SKIP 1 IF :me < 3\n"
       "INSERT INTO orders (owner) VALUES (:me), (NULL)\n"}};
  std::string text = R"(title = "orders"
view = "orders"
mitigations = ["renumber"]
processes = ["web1"]
setup = '''
CREATE TABLE orders (id serial PRIMARY KEY, owner int NOT NULL, n int NOT NULL DEFAULT 0)
INSERT INTO orders (owner) VALUES (0)
'''
[[requests]]
name = "A"
client = "tab1"
args = { me = 1 }
[[requests]]
name = "B"
client = "tab2"
args = { me = 2 }
[[requests]]
name = "C"
client = "tab3"
args = { me = 3 }
)";
  Scenario s = scenario_with("orders.toml", text, "orders", mitigations);
  auto [graph, naive] = graph_and_naive(s, "renumber", 0, 1'000'000);
  check_same_outcomes(graph, naive);
  for (const ExploredOutcome& x : graph.outcomes) {
    // A and B commit (READ COMMITTED: the second UPDATE waits, re-checks
    // and renumbers again), C fails: five rows, order 0 updated
    // twice, and as every renumbering takes a value after the ids its
    // request inserted and the last one after the other's, order 0 holds
    // the largest id; no id repeats.
    const auto& rows = x.final.at(0).rows;
    REQUIRE(rows.size() == 5);
    std::set<int64_t> ids;
    int64_t zero_id = 0, top = 0;
    for (const auto& row : rows) {
      int64_t id = std::get<int64_t>(row.at(0));
      ids.insert(id);
      top = std::max(top, id);
      if (std::get<int64_t>(row.at(1)) == 0) {
        zero_id = id;
        CHECK(std::get<int64_t>(row.at(2)) == 2);
      }
    }
    CHECK(ids.size() == 5);
    CHECK(zero_id == top);
  }
}

namespace {

// A world and the state key of where moves lead from it.
struct MovesFrom {
  World start;
  StateSearch search;
  explicit MovesFrom(World w) : start(std::move(w)), search(start, false) {}
  // The key and the lost-update watch's verdict after `names` (a letter
  // per move: A is the first request).
  std::pair<std::string, bool> after(const std::string& names) {
    Position p{start, LostUpdateWatch{}};
    for (char c : names) p = search.moved(p, RequestId{static_cast<uint32_t>(c - 'A')});
    std::string key;
    search.encoder().encode(p.world, p.watch, &key);
    return {key, p.watch.lost()};
  }
};

}  // namespace

TEST_CASE("a read older than the newest commit: the key keeps what the lost-update watch needs",
          "[explore][naive]") {
  // The key forgets the row versions between a stale read and the row's
  // newest committed version, writing instead whether a committed write
  // by another request changed the column on the way (docs/explore.md).
  // `overtaken`: A reads points and writes them back plus 10; B adds 10;
  // C rewrites points unchanged and adds to another column (a new version
  // that changes no points). `own`: each request's own committed +5 comes
  // between its read and its write, which the watch never counts against it.
  std::vector<std::pair<std::string, std::string>> mitigations = {
      {"overtaken",
       "SKIP 4 IF :role > 1\n"
       "SELECT points FROM acct WHERE id = 1 INTO :p\n"
       "LET :p = :p + 10\n"
       "UPDATE acct SET points = :p WHERE id = 1\n"
       "SKIP 3 IF :role = 1\n"
       "SKIP 1 IF :role = 3\n"
       "UPDATE acct SET points = points + 10 WHERE id = 1\n"
       "SKIP 1 IF :role = 2\n"
       "UPDATE acct SET points = points, bonus = bonus + 1 WHERE id = 1\n"},
      {"own",
       "SELECT points FROM acct WHERE id = 1 INTO :q\n"
       "UPDATE acct SET points = points + 5 WHERE id = 1\n"
       "UPDATE acct SET points = :q + 1 WHERE id = 1\n"},
      {"delta",
       "SELECT points FROM acct WHERE id = 1 INTO :p\n"
       "LET :p = :p + :delta\n"
       "UPDATE acct SET points = :p WHERE id = 1\n"}};
  std::string text = R"(title = "overtaken"
view = "overtaken"
mitigations = ["overtaken", "own", "delta"]
processes = ["web1"]
setup = '''
CREATE TABLE acct (id int PRIMARY KEY, points int NOT NULL, bonus int NOT NULL)
INSERT INTO acct (id, points, bonus) VALUES (1, 100, 0)
'''
[[requests]]
name = "A"
client = "tab1"
args = { role = 1, delta = 10 }
[[requests]]
name = "B"
client = "tab2"
args = { role = 2, delta = 10 }
[[requests]]
name = "C"
client = "tab3"
args = { role = 3, delta = -10 }
[[requests]]
name = "D"
client = "tab4"
args = { role = 4, delta = 0 }
)";
  Scenario s =
      with_request_count(scenario_with("overtaken.toml", text, "overtaken", mitigations), 3);

  // A has read 100; B's +10 and C's rewrite then commit in either order,
  // and both end. The chains differ (100, 110, 110 against 100, 100, 110),
  // but in both A's read is older than the newest commit and B changed
  // points since: one state. After A's write both have lost B's update.
  {
    MovesFrom from(build_world(s, *s.find("overtaken")));
    auto after = [&](const std::string& names) { return from.after(names); };
    // A: SKIP 4 (not taken), SELECT. B: SKIP 4, SKIP 1 (not taken), +10,
    // SKIP 1. C: SKIP 4, SKIP 1, SKIP 1 (not taken), the rewrite.
    CHECK(after("AABBBBCCCC").first == after("AACCCCBBBB").first);
    // A's LET and UPDATE: B's +10 is lost either way.
    CHECK(after("AABBBBCCCCAA").second);
    CHECK(after("AACCCCBBBBAA").second);
    // C's rewrite alone changes no points: A's write loses nothing.
    CHECK_FALSE(after("AACCCCAA").second);
  }
  // `delta` with +10, +10, -10 and 0: where A read 100 after B and C came
  // back to it and D rewrote it, A's write loses nothing; where A read it
  // before them, it loses B's and C's changes. Everything else is the same
  // (100 points, B, C and D done, A about to compute from 100), so only the
  // watch's answer, not the versions, tells the two states apart.
  {
    Scenario four =
        with_request_count(scenario_with("overtaken.toml", text, "overtaken", mitigations), 4);
    MovesFrom from(build_world(four, *four.find("delta")));
    auto after = [&](const std::string& names) { return from.after(names); };
    CHECK(after("BBBCCCADDD").first != after("ABBBCCCDDD").first);
    CHECK_FALSE(after("BBBCCCADDDAA").second);
    CHECK(after("ABBBCCCDDDAA").second);
    auto [graph, naive] = graph_and_naive(four, "delta", 0, 2'000'000);
    check_same_outcomes(graph, naive);
  }
  // Every outcome and count as the naive walk, which keeps whole worlds.
  {
    auto [graph, naive] = graph_and_naive(s, "overtaken", 0, 2'000'000);
    check_same_outcomes(graph, naive);
  }
  for (size_t n : {2, 3}) {
    CAPTURE(n);
    auto [graph, naive] = graph_and_naive(s, "own", n, 2'000'000);
    check_same_outcomes(graph, naive);
    // A request's own +5 between its read and its write is not a loss, so
    // some outcomes lose nothing; another's is.
    bool some_lost = false, some_not = false;
    for (const ExploredOutcome& x : graph.outcomes) {
      bool lost =
          std::find(x.anomalies.begin(), x.anomalies.end(), "lost_update") != x.anomalies.end();
      (lost ? some_lost : some_not) = true;
    }
    CHECK(some_lost);
    CHECK(some_not);
  }
}
