// The lost-update check of check/anomaly.h, decided one step at a time.
//
// find_lost_updates() reads a whole run's log at the end. The explorer merges
// runs that reach the same state, so it cannot keep each run's log: this
// watch decides, as each write happens, whether that write loses an update
// if its transaction commits, and remembers only what the future needs (the
// open transactions holding such a write, and whether one committed). Over
// any run it reaches the same verdict as find_lost_updates(); the explorer's
// tests compare the two on every shipped scenario.
//
// Like every check it only observes: it reads the world and never changes it.
#pragma once

#include <vector>

#include "engine/log.h"
#include "engine/world.h"

namespace ccsim {

class LostUpdateWatch {
 public:
  // Reads what one step did: `step_log` holds that step's writes and
  // transaction ends (events are not needed), `w` is the world after it.
  void observe(const World& w, const Log& step_log);

  // True when a committed write lost an update.
  bool lost() const { return lost_; }
  // True when open transaction t made a write that loses an update if t commits.
  bool pending(TxnId t) const;

 private:
  bool lost_ = false;
  std::vector<TxnId> pending_;  // open transactions with such a write
};

// Returns true when write `wr` (just made in `w`) overwrote a change that
// another request committed after the version `wr`'s value was read from:
// the rule of find_lost_updates(), read off the row's chain of versions.
bool loses_update(const World& w, const WriteObs& wr);

// The walk loses_update() makes for one value: back along a row's chain
// from version `top` to `read` (the version the value was read from,
// excluded), true when a version on the way was committed by a request
// other than `writer` and changed column `col` from the version before it.
// The walk ends, finding nothing, at setup data and at a row's first version.
bool changed_since_read(const Store& s, VersionId top, VersionId read, size_t col,
                        RequestId writer);

}  // namespace ccsim
