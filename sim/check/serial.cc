#include <algorithm>

#include "check/anomaly.h"
#include "engine/engine.h"
#include "engine/frame.h"

namespace ccsim {

namespace {

// The committed rows of every table, each table's rows sorted, so that two
// worlds whose rows were inserted in different orders compare equal.
std::vector<std::pair<std::string, std::vector<Row>>> contents(const World& w) {
  std::vector<std::pair<std::string, std::vector<Row>>> out;
  for (TableFrame& t : committed_tables(w)) {
    std::sort(t.rows.begin(), t.rows.end());
    out.emplace_back(t.name, std::move(t.rows));
  }
  return out;
}

}  // namespace

SerialResult check_serial(const World& initial, const World& final_world, size_t orders_max,
                          const std::vector<uint32_t>* classes) {
  std::vector<size_t> committed;
  for (size_t i = 0; i < final_world.requests.size(); ++i)
    if (final_world.requests[i].fate == Fate::kCommitted) committed.push_back(i);
  auto target = contents(final_world);
  // What is permuted: the committed requests' classes (each request its own
  // class when none are given); position k runs the next unused request of
  // the class standing there.
  std::vector<size_t> seq;
  for (size_t i : committed) seq.push_back(classes ? (*classes)[i] : i);
  std::sort(seq.begin(), seq.end());

  SerialResult res;
  do {
    if (res.orders_tried++ >= orders_max) break;
    std::vector<size_t> order;
    std::vector<char> used(final_world.requests.size(), 0);
    for (size_t c : seq)
      for (size_t i : committed)
        if (!used[i] && (classes ? (*classes)[i] : i) == c) {
          used[i] = 1;
          order.push_back(i);
          break;
        }
    World w = initial;
    // Requests outside the serial set never run.
    for (size_t i = 0; i < w.requests.size(); ++i)
      if (std::find(committed.begin(), committed.end(), i) == committed.end()) {
        w.requests[i].state = RunState::kDone;
        w.requests[i].fate = Fate::kDropped;
      }
    for (size_t i : order) {
      RequestId r{static_cast<uint32_t>(i)};
      // Alone, a request never waits on a row lock; its step limit bounds it.
      while (runnable(w, r)) step(w, r, nullptr);
    }
    if (contents(w) == target) {
      res.equivalent = true;
      for (size_t i : order) res.order.push_back(w.requests[i].name);
      return res;
    }
  } while (std::next_permutation(seq.begin(), seq.end()));
  return res;
}

}  // namespace ccsim
