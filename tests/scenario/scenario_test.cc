// Scenarios end to end: the shipped ones meet their hand-derived
// expectations, bad scenarios get one clear error, output is stable.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/json.h"
#include "report/text.h"
#include "scenario/simulate.h"

using namespace ccsim;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::vector<std::string> kBase = {
    "view = \"add_points\"",                             // 1
    "mitigations = [\"mine\"]",                          // 2
    "setup = '''",                                       // 3
    "CREATE TABLE u (id int PRIMARY KEY, points int)",   // 4
    "INSERT INTO u VALUES (1, 100)",                     // 5
    "'''",                                               // 6
    "[[requests]]",                                      // 7
    "name = \"A\"",                                      // 8
    "args = { user_id = 1 }",                            // 9
    "[[requests]]",                                      // 10
    "name = \"B\"",                                      // 11
    "args = { user_id = 1 }",                            // 12
    "[programs.mine]",                                   // 13
    "steps = '''",                                       // 14
    "SELECT points FROM u WHERE id = :user_id INTO :p",  // 15
    "LET :p = :p + 10",                                  // 16
    "UPDATE u SET points = :p WHERE id = :user_id",      // 17
    "'''",                                               // 18
};

// The base scenario with line `line` (1-based) replaced.
std::string with_line(int line, const std::string& text) {
  std::string out;
  for (size_t i = 0; i < kBase.size(); ++i)
    out += (static_cast<int>(i) + 1 == line ? text : kBase[i]) + "\n";
  return out;
}

std::string error_of(const std::string& text) {
  try {
    load_scenario_text(text, "x.toml", "");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("every shipped scenario meets every expectation it states", "[scenario]") {
  auto name = GENERATE(from_range(builtin_scenarios()));
  CAPTURE(name);
  Scenario s = load_scenario(std::string(CCSIM_SOURCE_DIR) + "/scenarios/" + name + ".toml");
  std::vector<MitigationRun> runs = simulate(s, RunOptions{});
  REQUIRE(runs.size() == s.mitigations.size());
  for (const MitigationRun& m : runs) {
    CAPTURE(m.mitigation->name, m.run.schedule_text());
    CHECK(m.expectation_found);  // no mitigation passes silently
    CHECK(m.failures.empty());
    for (const std::string& f : m.failures) UNSCOPED_INFO(f);
  }
}

TEST_CASE("the base test scenario loads and loses an update", "[scenario]") {
  Scenario s = load_scenario_text(with_line(0, ""), "x.toml", "");
  auto runs = simulate(s, RunOptions{});
  REQUIRE(runs.size() == 1);
  REQUIRE(runs[0].anomalies.size() == 1);
  CHECK(runs[0].anomalies[0].text == "B's write overwrote A's +10");
}

TEST_CASE("a bad scenario gets one error naming file, line and column", "[scenario][bad-input]") {
  CHECK(error_of(with_line(15, "SELECT points FROM users WHERE id = :user_id INTO :p")) ==
        "x.toml:15:20: error: there is no table named users (the tables are: u)");
  CHECK(error_of(with_line(17, "UPDATE u SET pts = :p WHERE id = :user_id")) ==
        "x.toml:17:14: error: table u has no column named pts (its columns are: id, points)");
  CHECK(error_of(with_line(16, "LET :p = :p +")) ==
        "x.toml:16:14: error: expected a value (a number, 'text', NULL, a column or a :parameter), "
        "found end of line");
  CHECK(error_of(with_line(16, "LET :p = :q + 10")) ==
        "x.toml:16:10: error: no request argument or step gives :q a value (known: :p, "
        ":request_id, :rowcount, :user_id)");
  CHECK(error_of(with_line(2, "mitigations = [\"mine\", \"nope\"]")) ==
        "x.toml:2:24: error: unknown mitigation 'nope' (built in: advisory_xact_lock, "
        "client_debounce, f_expression, "
        "f_expression_stale_delta, none, optimistic_version, repeatable_read_retry, "
        "select_for_update, select_for_update_nowait_retry, "
        "select_for_update_outside_transaction, select_for_update_skip_locked, semaphore, "
        "serializable_retry, single_worker_queue, singleton_lock, singleton_lock_crash, "
        "update_first, "
        "update_first_cached_user, upsert_counter; or define it under [programs.nope])");
  CHECK(error_of(with_line(1, "schedule = \"A B C\"")) ==
        "x.toml:1:17: error: the schedule names C, but there is no request of that name");
  CHECK(error_of(with_line(2, "mitigations = \"mine\"")) ==
        "x.toml:2:15: error: 'mitigations' must be a list, found text");
  CHECK(error_of(with_line(1, "titel = \"x\"")) ==
        "x.toml:1:1: error: unknown key 'titel' in a scenario (expected one of: title, "
        "description, view, setup, "
        "requests, mitigations, programs, schedule, seed, isolation, show, expect, processes)");
  CHECK(error_of(with_line(15, "SELECT points FROM u WHERE id = :user_id INTO :p, :q")) ==
        "x.toml:15:42: error: INTO names 2 parameters but the SELECT returns 1 columns");
  CHECK(error_of(with_line(15, "RETRY WHILE :rowcount = 0 MAX 3")) ==
        "x.toml:15:1: error: RETRY repeats the SQL step just before it, and there is none");
  CHECK(error_of(with_line(16, "ACQUIRE GLOBAL lock")) ==
        "x.toml:16:16: error: expected MUTEX after ACQUIRE GLOBAL, found 'lock'");
  CHECK(error_of(with_line(11, "name = \"A\"")) == "x.toml:11:8: error: two requests are named A");
  CHECK(error_of("") ==
        "x.toml:1:1: error: missing 'setup': the CREATE TABLE and INSERT statements that make the "
        "initial rows");
}

TEST_CASE("malformed TOML is reported with its position", "[scenario][bad-input]") {
  std::string e = error_of(with_line(1, "view = \"add_points"));
  CHECK_THAT(e, Catch::StartsWith("x.toml:1:") && Catch::Contains("this is not valid TOML"));
  CHECK_THAT(error_of(std::string("title = \"a\0b\"", 13)), Catch::Contains("contains a NUL byte"));
}

TEST_CASE("a missing file is named, with the built-in scenarios offered", "[scenario][bad-input]") {
  CHECK_THROWS_WITH(
      load_scenario("no/such/file.toml"),
      "no/such/file.toml: error: no such file, and no built-in scenario of that name "
      "(built in: double_click, get_or_create, job_queue, last_item, last_seat, lock_table, "
      "on_call, "
      "one_process, overdraft, signup, "
      "transfer, two_tabs)");
}

TEST_CASE("a built-in scenario loads by name from any directory", "[scenario]") {
  Scenario s = load_scenario("double_click");
  CHECK(s.file == "scenarios/double_click.toml (built in)");
  CHECK(s.mitigations.size() == 19);
}

TEST_CASE("an expectation that does not hold is reported with what differed", "[scenario]") {
  std::string text = read(std::string(CCSIM_SOURCE_DIR) + "/scenarios/double_click.toml");
  const std::string was = "final = { auth_user = [{ id = 1, points = 110 }] }";
  auto at = text.find(was);
  REQUIRE(at != std::string::npos);
  text.replace(at, was.size(), "final = { auth_user = [{ id = 1, points = 120 }] }");
  Scenario s = load_scenario_text(text, "copy.toml", CCSIM_SOURCE_DIR "/scenarios");
  RunOptions o;
  o.mitigations = {"none"};
  auto runs = simulate(s, o);
  REQUIRE(runs[0].failures.size() == 1);
  CHECK(runs[0].failures[0] == "final auth_user row 1: points is 110, expected 120");
}

TEST_CASE("run --format json keeps the documented contract", "[scenario][json]") {
  Scenario s = load_scenario("double_click");
  RunOptions o;
  o.mitigations = {"none", "client_debounce"};
  auto doc = nlohmann::json::parse(render_json(s, simulate(s, o)));
  const auto& none = doc["runs"][0];
  CHECK(none["mitigation"] == "none");
  CHECK(none["schedule"] == "A B A B A B");
  CHECK(none["final"]["auth_user"][0]["points"] == 110);
  CHECK(none["final"]["auth_user"][0]["id"] == 1);
  CHECK(none["requests"][0]["name"] == "A");
  CHECK(none["requests"][1]["status"] == "committed");
  CHECK(none["anomalies"][0]["kind"] == "lost_update");
  CHECK(none["anomalies"][0]["requests"] == nlohmann::json::array({"B", "A"}));
  CHECK(none["serializable"] == false);
  const auto& debounce = doc["runs"][1];
  CHECK(debounce["requests"][1]["status"] == "dropped");
  CHECK(debounce["serializable"] == true);
  CHECK(debounce["anomalies"].empty());
}

TEST_CASE("the same scenario and options give the same bytes", "[scenario][determinism]") {
  Scenario s = load_scenario("double_click");
  RunOptions o;
  o.schedule = random_schedule(42);
  std::string first =
      render_json(s, simulate(s, o)) + render_text(s, simulate(s, o), TextOptions{});
  for (int i = 0; i < 20; ++i)
    CHECK(render_json(s, simulate(s, o)) + render_text(s, simulate(s, o), TextOptions{}) == first);
}
