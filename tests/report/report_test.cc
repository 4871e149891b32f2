// The reports: they only format what they are given. Checked against what
// the scenario's comments derive by hand, and for the formats' own rules
// (JSON that parses, XML escapes, aligned tables).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "report/expectation_report.h"
#include "report/explore_report.h"
#include "report/json.h"
#include "report/mermaid.h"
#include "report/summary.h"
#include "report/svg.h"
#include "report/text.h"
#include "scenario/exploration.h"
#include "scenario/simulate.h"

using namespace ccsim;

namespace {

// The scenario outlives every run made from it (a run points at its mitigation).
const Scenario& double_click() {
  static const Scenario s = load_scenario("double_click");
  return s;
}

std::vector<MitigationRun> run(const std::vector<std::string>& mitigations) {
  const Scenario& s = double_click();
  RunOptions o;
  o.mitigations = mitigations;
  return simulate(s, o);
}

}  // namespace

TEST_CASE("tables align their columns under a rule and trim trailing blanks", "[report]") {
  CHECK(table({{"a", "bb", "c"}, {"ccc", "d", ""}}) == "a    bb  c\n---  --  -\nccc  d\n");
  CHECK(indent("x\n\ny\n", "  ") == "  x\n\n  y\n");
}

TEST_CASE("wrap breaks lines at blanks within the width, with a hanging indent", "[report]") {
  CHECK(wrap("aaa bbb ccc ddd", 0, 2) == "aaa bbb ccc ddd");  // 0: never
  CHECK(wrap("aaa bbb ccc ddd", 11, 2) == "aaa bbb ccc\n  ddd");
  CHECK(wrap("aaaa bbbb cccc dddd eeee", 12, 2) == "aaaa bbbb\n  cccc dddd\n  eeee");
  // A word longer than the width stays whole; each line of the text wraps alone.
  CHECK(wrap("x abcdefghijklmnopqrstuvwxyz y", 10, 1) == "x\n abcdefghijklmnopqrstuvwxyz\n y");
  CHECK(wrap("aaa bbb\nccc ddd eee fff", 11, 0) == "aaa bbb\nccc ddd eee\nfff");
  // Columns, not bytes: five two-byte letters are five columns.
  CHECK(wrap("\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9 abcde", 10, 0) ==
        "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\nabcde");
}

TEST_CASE("pictures show the values a statement was sent with", "[report]") {
  MemoryBefore::Memory vars = {{"points", Value{int64_t{110}}},
                               {"user_id", Value{int64_t{1}}},
                               {"name", Value{std::string("o'k")}}};
  CHECK(with_values("UPDATE t SET points = :points WHERE id = :user_id", vars) ==
        "UPDATE t SET points = 110 WHERE id = 1");
  // INTO targets, quoted text, casts and unknown names stay as written.
  CHECK(with_values("SELECT points FROM t WHERE id = :user_id INTO :points", vars) ==
        "SELECT points FROM t WHERE id = 1 INTO :points");
  CHECK(with_values("SELECT ':points', x::points FROM t WHERE n = :name AND m = :other", vars) ==
        "SELECT ':points', x::points FROM t WHERE n = 'o''k' AND m = :other");
  CHECK(parameter_values("UPDATE t SET points = :points + :points WHERE id = :user_id", vars) ==
        ":points = 110, :user_id = 1");
  CHECK(parameter_values("SELECT points FROM t INTO :points", vars).empty());
}

TEST_CASE("verdicts and what happened, in the words of the scenario's derivations", "[report]") {
  // Round-robin (A B A B ...): none's two reads see 100, both write 110 and
  // B's write overwrites A's; select_for_update's B waits for A's row lock.
  std::vector<MitigationRun> runs = run({"none", "select_for_update", "singleton_lock"});
  CHECK(verdict(runs[0]) == "lost update: B's write overwrote A's +10");
  CHECK_FALSE(verdict_ok(runs[0]));
  CHECK(verdict(runs[1]) == "ok");
  CHECK(happened(runs[1]) == "B waited for A's row lock");
  // singleton_lock: B's seize misses while A holds the lock row: 3 retries.
  CHECK(happened(runs[2]) == "B retried 3 times");
  const Scenario& s = double_click();
  CHECK(shown_value(s, runs[0].run.world, 0) == "110");
  std::string text = render_text(s, runs, TextOptions{false, false});
  CHECK(text.find("lost update: B's write overwrote A's +10") != std::string::npos);
  CHECK(text.find("\033[") == std::string::npos);  // no colour unless asked
  CHECK(render_text(s, runs, TextOptions{true, false}).find("\033[") != std::string::npos);
}

TEST_CASE("run JSON parses and says what happened", "[report]") {
  nlohmann::json j = nlohmann::json::parse(render_json(double_click(), run({"none"})));
  CHECK(j["format"] == "ccsim-run/1");
  const auto& r = j["runs"][0];
  CHECK(r["final"]["auth_user"][0]["points"] == 110);
  CHECK(r["requests"][1]["name"] == "B");
  CHECK(r["requests"][1]["status"] == "committed");
  CHECK(r["anomalies"][0]["kind"] == "lost_update");
}

TEST_CASE("explore JSON keeps counts exact as decimal strings", "[report]") {
  Scenario s = load_scenario("double_click");
  ExploreOptions o;
  o.mitigations = {"none"};
  o.requests = 8;
  nlohmann::json j =
      nlohmann::json::parse(render_explore_json(explore_header(s), explore_scenario(s, o)));
  CHECK(j["format"] == "ccsim-explore/2");
  // 24!/(3!)^8, past 2^53: a JSON number would round it.
  CHECK(j["explorations"][0]["schedules"] == "369398958888960000");
  CHECK(j["explorations"][0]["complete"] == true);
}

TEST_CASE("JUnit XML escapes what it quotes", "[report]") {
  ExpectationFile f{"a&b.toml",
                    {ExpectationCase{"none <under> \"x\"",
                                     SourcePos{"a&b.toml", 3, 1},
                                     {"points is 110 & 'not' <120>"},
                                     "ccsim run a&b.toml"}}};
  std::string xml = render_junit({f});
  CHECK(xml.find("name=\"a&amp;b.toml\"") != std::string::npos);
  CHECK(xml.find("none &lt;under&gt; &quot;x&quot;") != std::string::npos);
  CHECK(xml.find("points is 110 &amp; &apos;not&apos; &lt;120&gt;") != std::string::npos);
  CHECK(xml.find("<&") == std::string::npos);
  CHECK(render_check_text({f}).find("0 passed, 1 failed") != std::string::npos);
}

TEST_CASE("pictures: a Mermaid page with one diagram per run, SVG that closes", "[report]") {
  const Scenario& s = double_click();
  std::vector<MitigationRun> runs = run({"none", "select_for_update"});
  std::string md = render_mermaid(s, runs);
  size_t blocks = 0;
  for (size_t at = md.find("```mermaid"); at != std::string::npos;
       at = md.find("```mermaid", at + 1))
    ++blocks;
  CHECK(blocks == 2);
  std::string svg = render_svg(s, runs);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("<title>") != std::string::npos);
}
