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

SerialResult check_serial(const World& initial, const World& final_world, size_t orders_max) {
  std::vector<size_t> committed;
  for (size_t i = 0; i < final_world.requests.size(); ++i)
    if (final_world.requests[i].fate == Fate::kCommitted) committed.push_back(i);
  auto target = contents(final_world);

  SerialResult res;
  do {
    if (res.orders_tried++ >= orders_max) break;
    World w = initial;
    // Requests outside the serial set never run.
    for (size_t i = 0; i < w.requests.size(); ++i)
      if (std::find(committed.begin(), committed.end(), i) == committed.end()) {
        w.requests[i].state = RunState::kDone;
        w.requests[i].fate = Fate::kDropped;
      }
    for (size_t i : committed) {
      RequestId r{static_cast<uint32_t>(i)};
      // Alone, a request never waits on a row lock; its step limit bounds it.
      while (runnable(w, r)) step(w, r, nullptr);
    }
    if (contents(w) == target) {
      res.equivalent = true;
      for (size_t i : committed) res.order.push_back(w.requests[i].name);
      return res;
    }
  } while (std::next_permutation(committed.begin(), committed.end()));
  return res;
}

}  // namespace ccsim
