#include "check/lost_update_watch.h"

#include <algorithm>

namespace ccsim {

// The rule of find_lost_updates(), walking the row's chain of versions
// instead of the log: from the version the write replaced back to the one
// its value was read from. Each version on the way was made by an UPDATE of
// the run (a first version was inserted; setup's versions belong to no
// request, and the log-based check stops at both alike). A write that
// replaces a row holds a lock no other writer shares, so every other
// request's version on the way had committed before this write: only this
// write's own transaction is still undecided.
bool loses_update(const World& w, const WriteObs& wr) {
  const Store& s = w.store;
  for (const ColumnChange& change : wr.changes) {
    for (const RowRead& o : change.from) {
      if (o.row != wr.row || o.column != change.column || o.version == wr.before) continue;
      const Table& t = s.table(wr.table);
      int col = t.column_index(change.column);
      if (col < 0) continue;
      for (VersionId v = wr.before; v && v != o.version;) {
        const Version& ver = s.version(v);
        if (!ver.prev) break;  // an inserted row's first version
        const Txn& writer = s.txn(ver.xmin);
        if (writer.owner == kNoRequest) break;  // setup data
        if (writer.owner != wr.request && s.committed(ver.xmin) &&
            s.version(ver.prev).values[static_cast<size_t>(col)] !=
                ver.values[static_cast<size_t>(col)])
          return true;
        v = ver.prev;
      }
    }
  }
  return false;
}

void LostUpdateWatch::observe(const World& w, const Log& step_log) {
  // A transaction's writes always come before its end, so writes first.
  for (const WriteObs& wr : step_log.writes)
    if (wr.after && !pending(wr.txn) && loses_update(w, wr)) pending_.push_back(wr.txn);
  for (const TxnObs& end : step_log.txn_ends) {
    auto it = std::find(pending_.begin(), pending_.end(), end.txn);
    if (it == pending_.end()) continue;
    pending_.erase(it);
    if (end.committed) lost_ = true;
  }
}

bool LostUpdateWatch::pending(TxnId t) const {
  return std::find(pending_.begin(), pending_.end(), t) != pending_.end();
}

}  // namespace ccsim
