// The state key: two worlds with one key must have the same futures. These
// tests check the properties that make the explorer's counts exact, over
// every shipped scenario, mitigation and isolation level:
//  - congruence: along every schedule to a depth, any two worlds that share
//    a key have successors that share keys (as a multiset: a renaming of
//    interchangeable requests may permute the moves);
//  - invariance: a world and its renaming (interchangeable requests
//    swapped) share a key;
//  - completeness: every world a random walk reaches has a key the search
//    found.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>

#include "explore/random.h"
#include "explore/state_search.h"
#include "scenario/scenario.h"

using namespace ccsim;

namespace {

std::string key_of(StateSearch& search, const Position& p) {
  std::string key;
  search.encoder().encode(p.world, p.watch, &key);
  return key;
}

// Walks every schedule up to `depth` moves; returns how many worlds had a
// key already seen with other successors.
size_t congruence_failures(const World& initial, int depth, std::string* example) {
  StateSearch search(initial, false);
  std::map<std::string, std::pair<std::vector<std::string>, std::string>> seen;
  size_t failures = 0;
  std::function<void(const Position&, int, const std::string&)> walk =
      [&](const Position& p, int d, const std::string& path) {
        std::vector<std::string> kids;
        std::vector<std::pair<Position, std::string>> next;
        for (RequestId r : search.moves(p.world)) {
          next.emplace_back(search.moved(p, r), path + p.world.requests[r.value].name);
          kids.push_back(key_of(search, next.back().first));
        }
        std::sort(kids.begin(), kids.end());
        auto [it, added] = seen.emplace(key_of(search, p), std::make_pair(kids, path));
        if (!added && it->second.first != kids) {
          if (!failures) *example = it->second.second + " and " + path;
          ++failures;
        }
        if (d < depth)
          for (const auto& [c, cpath] : next) walk(c, d + 1, cpath);
      };
  walk(Position{initial, LostUpdateWatch{}}, 0, "");
  return failures;
}

}  // namespace

// The shipped scenarios, and one with foreign keys (whose checks keep state
// in a statement's cursor).
const std::vector<std::string> kSweep = [] {
  std::vector<std::string> out = builtin_scenarios();  // one added later is in too
  out.push_back(CCSIM_SOURCE_DIR "/tests/verify/foreign_key_order.toml");
  return out;
}();

TEST_CASE("equal keys have equal futures, on every shipped scenario and level", "[explore]") {
  for (const std::string& name : kSweep)
    for (Isolation iso :
         {Isolation::kReadCommitted, Isolation::kRepeatableRead, Isolation::kSerializable})
      for (auto [requests, depth] : {std::pair<size_t, int>{2, 12}, {3, 7}}) {
        Scenario s = with_request_count(load_scenario(name), requests);
        for (const Mitigation& m : s.mitigations) {
          World w = build_world(s, m);
          w.default_isolation = iso;
          std::string example;
          size_t failures = congruence_failures(w, depth, &example);
          CAPTURE(name, m.name, option_name(iso), requests, example);
          CHECK(failures == 0);
        }
      }
}

TEST_CASE("a world and its renaming share a key", "[explore]") {
  Scenario s = with_request_count(load_scenario("double_click"), 4);
  // A and C run in web1, B and D in web2: semaphore keeps the classes apart
  // (a per-process mutex), none merges all four.
  for (const char* m : {"none", "semaphore", "select_for_update", "repeatable_read_retry"}) {
    World w = build_world(s, *s.find(m));
    StateSearch search(w, false);
    auto play = [&](const std::string& schedule) {
      Position p{w, LostUpdateWatch{}};
      for (char c : schedule)
        if (c != ' ') p = search.moved(p, RequestId{static_cast<uint32_t>(c - 'A')});
      return key_of(search, p);
    };
    CAPTURE(m);
    CHECK(play("A A B C A") == play("C C B A C"));  // A and C swapped
    CHECK(play("A B D B A") == play("C D B D C"));  // A with C, B with D
  }
}

TEST_CASE("every world a walk reaches is one the search found", "[explore]") {
  for (const char* name : {"double_click", "on_call"}) {
    Scenario s = load_scenario(name);
    for (const Mitigation& m : s.mitigations)
      for (Isolation iso : {Isolation::kReadCommitted, Isolation::kSerializable}) {
        World w = build_world(s, m);
        w.default_isolation = iso;
        StateSearch search(w, false);
        Position start{w, LostUpdateWatch{}};
        search.add_root(start, 1);
        REQUIRE(search.run([](const Position&) { return 0u; }, SearchLimits{}, {}) ==
                StopReason::kNone);
        SplitMix64 rng(7);
        size_t missing = 0;
        for (int k = 0; k < 200; ++k) {
          Position at = start;
          for (;;) {
            std::vector<RequestId> ms = search.moves(at.world);
            if (ms.empty()) break;
            at = search.moved(at, ms[rng.below(ms.size())]);
            missing += search.node_of(at) == KeyTable::kMissing;
          }
        }
        CAPTURE(name, m.name, option_name(iso));
        CHECK(missing == 0);
      }
  }
}

TEST_CASE("a move another stands in for reaches the same state, on every shipped scenario",
          "[explore]") {
  // StateSearch makes one move of each group interchangeable() finds and
  // counts it for the group: every member's own move must reach the key the
  // stand-in's reaches.
  size_t stood_in = 0;
  for (const std::string& name : kSweep)
    for (Isolation iso : {Isolation::kReadCommitted, Isolation::kSerializable}) {
      Scenario s = with_request_count(load_scenario(name), 3);
      for (const Mitigation& m : s.mitigations) {
        World w = build_world(s, m);
        w.default_isolation = iso;
        StateSearch search(w, false);
        std::string wrong;
        std::function<void(const Position&, int, const std::string&)> walk =
            [&](const Position& p, int d, const std::string& path) {
              std::vector<uint32_t> rep;
              search.encoder().interchangeable(p.world, p.watch, rep);
              std::vector<RequestId> ms = search.moves(p.world);
              auto movable = [&](uint32_t r) {
                return std::any_of(ms.begin(), ms.end(), [&](RequestId x) { return x.value == r; });
              };
              for (RequestId r : ms)
                if (rep[r.value] != r.value && movable(rep[r.value])) {
                  ++stood_in;
                  if (key_of(search, search.moved(p, r)) !=
                      key_of(search, search.moved(p, RequestId{rep[r.value]})))
                    wrong = path + " then " + p.world.requests[r.value].name;
                }
              if (d < 6)
                for (RequestId r : ms)
                  walk(search.moved(p, r), d + 1, path + p.world.requests[r.value].name);
            };
        walk(Position{w, LostUpdateWatch{}}, 0, "");
        CAPTURE(name, m.name, option_name(iso), wrong);
        CHECK(wrong.empty());
      }
    }
  CHECK(stood_in > 1000);  // the check above was not vacuous
}
