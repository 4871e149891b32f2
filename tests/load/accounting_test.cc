// The accounting of `ccsim load`, worked out by hand on double_click:
// user 1 starts with 100 points and each committed click adds 10.
#include <catch2/catch.hpp>

#include "lang/printer.h"
#include "load/accounting.h"
#include "load/driver.h"

using namespace ccsim;

namespace {

const Scenario& load_double_click() {
  static const Scenario s = load_scenario("double_click");
  return s;
}

LoadPlan plan(const std::string& mitigation, size_t rows) {
  const Scenario& s = load_double_click();
  return plan_load(s, *s.find(mitigation), Isolation::kReadCommitted, rows,
                   SourcePos{"--rows", 0, 0});
}

const CellId kPoints{"auth_user", "id", 1, "points"};

}  // namespace

TEST_CASE("each request's delta is what it does alone: +10 points", "[load]") {
  for (const char* m : {"none", "f_expression", "optimistic_version", "singleton_lock"}) {
    INFO(m);
    LoadPlan p = plan(m, 1);
    CHECK(p.cells == std::vector<CellId>{kPoints});  // the scenario shows auth_user.points
    CHECK(p.initial.at(kPoints) == 100);
    REQUIRE(p.delta.size() == 2);
    for (const auto& d : p.delta) CHECK(d == std::map<CellId, int64_t>{{kPoints, 10}});
    CHECK(p.alone_fate == std::vector<std::string>{"committed", "committed"});
    CHECK(p.unit == 10);
    CHECK(p.copy_sql.empty());
  }
}

TEST_CASE("final = initial + committed deltas - lost, counted in updates", "[load]") {
  LoadPlan p = plan("none", 1);
  std::map<CellId, int64_t> sum;
  for (size_t c = 0; c < 7; ++c) p.add_committed(c, sum);  // 7 clicks committed
  CHECK(sum.at(kPoints) == 70);
  // The server says 150: 100 + 70 expected, 20 points missing, 2 clicks lost.
  Accounting a = account(p, sum, {{kPoints, 150}}, true);
  REQUIRE(a.cells.size() == 1);
  CHECK(a.cells[0].expected() == 170);
  CHECK(a.cells[0].final == 150);
  CHECK(a.lost_value == 20);
  CHECK(a.lost_updates == 2);
  // Nothing lost.
  CHECK(account(p, sum, {{kPoints, 170}}, true).lost_updates == 0);
  // Not a whole number of clicks: the value is said, the count is not.
  Accounting odd = account(p, sum, {{kPoints, 165}}, true);
  CHECK(odd.lost_value == 5);
  CHECK(!odd.lost_updates);
  // Rows that could not be read: nothing is claimed.
  Accounting unknown = account(p, sum, {}, false);
  CHECK(!unknown.lost_value);
  CHECK(!unknown.lost_updates);
  CHECK(!unknown.cells[0].final);
}

TEST_CASE("K hot rows: the row the requests name is copied and the clients spread", "[load]") {
  LoadPlan p = plan("none", 3);
  REQUIRE(p.row_args.size() == 1);
  CHECK(p.row_args[0].table == "auth_user");
  CHECK(p.row_args[0].key == 1);
  CHECK(p.row_args[0].copy_keys == std::vector<int64_t>{2, 3});
  CHECK(p.copy_sql ==
        std::vector<std::string>{"INSERT INTO auth_user (id, username, points, version) SELECT 2, "
                                 "username, points, version FROM auth_user WHERE id = 1",
                                 "INSERT INTO auth_user (id, username, points, version) SELECT 3, "
                                 "username, points, version FROM auth_user WHERE id = 1"});
  // Client 4 runs A (4 mod 2 = 0) with request_id 5, on copy 4 mod 3 = 1: key 2.
  Vars v = p.client_args(load_double_click(), 4);
  CHECK(v.find("user_id")->second.value == Value{int64_t{2}});
  CHECK(v.find("delta")->second.value == Value{int64_t{10}});
  CHECK(v.find("request_id")->second.value == Value{int64_t{5}});
  CHECK(p.all_cells().size() == 3);
  // Clients 0..5 commit: rows 1, 2, 3 get two clicks each.
  std::map<CellId, int64_t> sum;
  for (size_t c = 0; c < 6; ++c) p.add_committed(c, sum);
  for (int64_t key : {1, 2, 3}) CHECK(sum.at(CellId{"auth_user", "id", key, "points"}) == 20);
}

TEST_CASE("spreading over rows needs a request argument that is a row's key", "[load]") {
  Scenario s = load_scenario(CCSIM_SOURCE_DIR "/tests/load/no_key_argument.toml");
  CHECK_THROWS_WITH(
      plan_load(s, *s.find("mine"), Isolation::kReadCommitted, 2, SourcePos{"--rows", 0, 0}),
      Catch::Contains("--rows needs a request argument that is the primary key"));
  // One row is fine, and with no `show` every integer column outside the key is followed.
  LoadPlan p = plan_load(s, *s.find("mine"), Isolation::kReadCommitted, 1, SourcePos{});
  CHECK(p.cells == std::vector<CellId>{CellId{"counter", "id", 1, "n"}});
  CHECK(p.delta[0] == std::map<CellId, int64_t>{{CellId{"counter", "id", 1, "n"}, 5}});
  CHECK(p.unit == 5);
}

TEST_CASE("latency percentiles are by nearest rank", "[load]") {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  CHECK(percentile(v, 50) == 50);
  CHECK(percentile(v, 95) == 95);
  CHECK(percentile(v, 99) == 99);
  CHECK(percentile(v, 100) == 100);
  CHECK(percentile({7}, 50) == 7);
  CHECK(percentile({}, 50) == 0);
  LoadResult r;
  r.latencies_ms = {3, 1, 2, 4};  // unsorted on purpose
  CHECK(r.latency().p50 == 2);
  CHECK(r.latency().max == 4);
}

TEST_CASE("f_expression's statements are the texts bench/load-vs-pgbench gives pgbench", "[load]") {
  // The benchmark compares ccsim load's driver with pgbench on the same
  // statements: its pgbench script spells out what ccsim sends for the
  // shipped f_expression. A change to either shows here.
  const Mitigation& m = *load_double_click().find("f_expression");
  Vars v{{"user_id", Var{int64_t{1}, {}}}, {"gain", Var{int64_t{10}, {}}}};
  std::vector<std::string> texts;
  std::vector<std::optional<std::string>> params;  // all of them, in order
  for (const Step& st : m.steps->steps) {
    if (!is_sql(st)) continue;
    std::vector<std::optional<std::string>> mine;
    texts.push_back(server_sql(st, v, &mine));
    params.insert(params.end(), mine.begin(), mine.end());
  }
  CHECK(texts == std::vector<std::string>{
                     "SELECT points FROM auth_user WHERE id = $1::int8",
                     "UPDATE auth_user SET points = points + $1::int8 WHERE id = $2::int8"});
  CHECK(params == std::vector<std::optional<std::string>>{"1", "10", "1"});
}
