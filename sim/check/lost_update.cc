#include <map>

#include "check/anomaly.h"

namespace ccsim {

namespace {

std::string change_text(const ColumnChange& c) {
  auto* a = std::get_if<int64_t>(&c.before);
  auto* b = std::get_if<int64_t>(&c.after);
  if (a && b) {
    int64_t d = *b - *a;
    return (d >= 0 ? "+" : "") + std::to_string(d);
  }
  return c.column + " = " + to_sql(c.after);
}

}  // namespace

std::vector<Anomaly> find_lost_updates(const World& w, const Log& log) {
  std::map<TxnId, bool> committed;
  for (const TxnObs& t : log.txn_ends) committed[t.txn] = t.committed;
  // The write that created each version, to walk a row's history backwards.
  std::map<VersionId, const WriteObs*> made_by;
  for (const WriteObs& wr : log.writes)
    if (wr.after) made_by[wr.after] = &wr;

  std::vector<Anomaly> out;
  for (const WriteObs& wr : log.writes) {
    if (!committed[wr.txn]) continue;
    for (const ColumnChange& change : wr.changes) {
      for (const RowRead& o : change.from) {
        if (o.row != wr.row || o.column != change.column || o.version == wr.before) continue;
        // Walk back from the version this write replaced to the version read.
        for (VersionId v = wr.before; v && v != o.version;) {
          auto it = made_by.find(v);
          if (it == made_by.end()) break;  // reached setup data: the read was not on this path
          const WriteObs& other = *it->second;
          if (other.request != wr.request && committed[other.txn]) {
            for (const ColumnChange& oc : other.changes) {
              if (oc.column != change.column || oc.before == oc.after) continue;
              const std::string& me = w.requests[wr.request.value].name;
              const std::string& them = w.requests[other.request.value].name;
              // A write that adds to the current value keeps the other's
              // change; what it loses is its own amount's dependence on it.
              std::string text = change.reads_current
                                     ? me + "'s write added an amount computed before " + them +
                                           "'s " + change_text(oc)
                                     : me + "'s write overwrote " + them + "'s " + change_text(oc);
              out.push_back(Anomaly{"lost_update", {me, them}, text, wr.event});
            }
          }
          v = other.before;
        }
      }
    }
  }
  return out;
}

}  // namespace ccsim
