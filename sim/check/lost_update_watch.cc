#include "check/lost_update_watch.h"

#include <algorithm>

namespace ccsim {

bool changed_since_read(const Store& s, VersionId top, VersionId read, size_t col,
                        RequestId writer) {
  for (VersionId v = top; v && v != read;) {
    const Version& ver = s.version(v);
    if (!ver.prev) break;  // an inserted row's first version
    const Txn& made_by = s.txn(ver.xmin);
    if (made_by.owner == kNoRequest) break;  // setup data
    if (made_by.owner != writer && s.committed(ver.xmin) &&
        s.version(ver.prev).values[col] != ver.values[col])
      return true;
    v = ver.prev;
  }
  return false;
}

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
      int col = s.table(wr.table).column_index(change.column);
      if (col >= 0 &&
          changed_since_read(s, wr.before, o.version, static_cast<size_t>(col), wr.request))
        return true;
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
