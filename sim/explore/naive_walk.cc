#include "explore/naive_walk.h"

#include "core/error.h"
#include "engine/engine.h"

namespace ccsim {

namespace {

// The walk needs what the checks read (writes, transaction ends), not the
// narration.
Log quiet_log() {
  Log log;
  log.narrate = false;
  return log;
}

class Walker {
 public:
  Walker(const ExploreLimits& limits, const std::function<void(const Leaf&)>& leaf,
         const std::function<void(size_t)>& progress)
      : limits_(limits), leaf_(leaf), progress_(progress) {}

  void walk(const World& w) {
    if (!result_.complete) return;
    std::vector<RequestId> ready;
    for (size_t i = 0; i < w.requests.size(); ++i)
      if (runnable(w, RequestId{static_cast<uint32_t>(i)}))
        ready.push_back(RequestId{static_cast<uint32_t>(i)});
    if (ready.empty()) {
      if (result_.schedules >= limits_.schedules_max) {
        result_.complete = false;
        return;
      }
      ++result_.schedules;
      leaf_(Leaf{w, log_, schedule_, !all_done(w)});
      if (progress_ && result_.schedules % 1024 == 0) progress_(result_.schedules);
      return;
    }
    if (schedule_.size() >= limits_.steps_max)
      throw InputError(SourcePos{"explore", 0, 0},
                       "a schedule took more than " + std::to_string(limits_.steps_max) +
                           " steps (--schedule-steps-max); is a request looping?");
    for (RequestId r : ready) {
      // Branch: a copy of the world per choice; the log is shared and cut
      // back to where it was after each branch.
      World next = w;
      size_t writes = log_.writes.size(), ends = log_.txn_ends.size();
      size_t events = log_.events.size();
      step(next, r, &log_);
      schedule_.push_back(r);
      walk(next);
      schedule_.pop_back();
      log_.writes.erase(log_.writes.begin() + static_cast<long>(writes), log_.writes.end());
      log_.txn_ends.erase(log_.txn_ends.begin() + static_cast<long>(ends), log_.txn_ends.end());
      log_.events.erase(log_.events.begin() + static_cast<long>(events), log_.events.end());
      if (!result_.complete) return;
    }
  }

  WalkResult result() const { return result_; }

 private:
  const ExploreLimits& limits_;
  const std::function<void(const Leaf&)>& leaf_;
  const std::function<void(size_t)>& progress_;
  Log log_ = quiet_log();
  std::vector<RequestId> schedule_;
  WalkResult result_;
};

}  // namespace

WalkResult for_each_interleaving(const World& initial, const ExploreLimits& limits,
                                 const std::function<void(const Leaf&)>& leaf,
                                 const std::function<void(size_t)>& progress) {
  Walker w(limits, leaf, progress);
  w.walk(initial);
  return w.result();
}

}  // namespace ccsim
