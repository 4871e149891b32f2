#include "engine/frame.h"

#include "engine/describe.h"

namespace ccsim {

std::vector<TableFrame> committed_tables(const World& w) {
  std::vector<TableFrame> out;
  for (size_t i = 0; i < w.store.table_count(); ++i) {
    const Table& t = w.store.table(TableId{static_cast<uint32_t>(i)});
    if (t.dropped || w.store.is_advisory(TableId{static_cast<uint32_t>(i)})) continue;
    TableFrame tf;
    tf.name = t.name;
    for (const Column& c : t.columns) tf.columns.push_back(c.name);
    for (RowId r : t.rows)
      if (VersionId v = w.store.newest_committed(r)) {
        tf.rows.push_back(w.store.version(v).values);
        tf.keys.push_back(row_label(w.store, r));
      }
    out.push_back(std::move(tf));
  }
  return out;
}

std::vector<TableFrame> visible_tables(const World& w, TxnId txn) {
  std::vector<TableFrame> out;
  Snapshot snap = w.store.view_snapshot(txn);
  for (size_t i = 0; i < w.store.table_count(); ++i) {
    TableId id{static_cast<uint32_t>(i)};
    const Table& t = w.store.table(id);
    if (t.dropped || w.store.is_advisory(id)) continue;
    TableFrame tf;
    tf.name = t.name;
    for (const Column& c : t.columns) tf.columns.push_back(c.name);
    for (VersionId v : w.store.scan(id, snap)) {
      tf.rows.push_back(w.store.version(v).values);
      tf.keys.push_back(row_label(w.store, w.store.version(v).row));
    }
    out.push_back(std::move(tf));
  }
  return out;
}

Frame capture(const World& w) {
  Frame f;
  for (const Request& q : w.requests) {
    RequestFrame rf;
    rf.name = q.name;
    if (q.state == RunState::kDone)
      rf.state = to_string(q.fate);
    else if (q.state == RunState::kBlocked)
      rf.state = "waiting";
    else
      rf.state = q.sent ? "ready" : "not sent";
    rf.pc = q.pc;
    for (const auto& [name, var] : q.vars) rf.vars.emplace_back(name, var.value);
    rf.txn = w.sessions[static_cast<size_t>(&q - w.requests.data())].txn.value;
    if (q.state == RunState::kBlocked && !q.mutex_wait)
      for (RequestId other : q.waiting_for) rf.waits_for.push_back(w.requests[other.value].name);
    f.requests.push_back(std::move(rf));
  }
  f.tables = committed_tables(w);
  for (size_t i = 0; i < w.store.row_count(); ++i) {
    RowId r{static_cast<uint32_t>(i)};
    const RowState& row = w.store.row(r);
    if (w.store.table(row.table).dropped) continue;
    const bool advisory = w.store.is_advisory(row.table);
    const bool table = advisory && w.store.locked_table(r);
    auto mode = [&](LockMode m) -> std::string {
      if (table || !advisory) return to_sql(m);
      return m == Store::advisory_mode(true) ? "ADVISORY SHARE" : "ADVISORY";
    };
    for (const RowLock& h : row.holders)
      f.locks.push_back(LockFrame{row_label(w.store, r), w.requests[w.owner(h.txn).value].name,
                                  mode(h.mode), true});
    for (const RowLock& q : row.queue)
      f.locks.push_back(LockFrame{row_label(w.store, r), w.requests[w.owner(q.txn).value].name,
                                  mode(q.mode), false});
  }
  for (const auto& [key, m] : w.mutexes.all()) {
    if (m.holder)
      f.locks.push_back(LockFrame{Mutexes::label(key), w.requests[*m.holder].name, "MUTEX", true});
    for (size_t waiter : m.queue)
      f.locks.push_back(LockFrame{Mutexes::label(key), w.requests[waiter].name, "MUTEX", false});
  }
  const Store& s = w.store;
  auto who = [&](TxnId t) {
    RequestId r = w.owner(t);
    return r == kNoRequest ? std::string("setup") : w.requests[r.value].name;
  };
  for (const Siread& l : s.sireads()) {
    const std::string& table = s.table(l.table).name;
    std::string what;
    switch (l.kind) {
      case SireadKind::kRelation:
        what = "relation " + table;
        break;
      case SireadKind::kPage:
        what = "page of " + table;
        break;
      case SireadKind::kIndexPage:
        what = "index page of " + s.table(l.table).key_name;
        break;
      case SireadKind::kTuple:
        what =
            "tuple " + row_label(s, s.version(l.tuple).row) + " v" + std::to_string(l.tuple.value);
        break;
    }
    f.ssi.sireads.emplace_back(who(l.owner), what);
  }
  for (const auto& [reader, writer] : s.rw_conflicts())
    f.ssi.rw.emplace_back(who(reader), who(writer));
  for (size_t i = 0; i < w.requests.size(); ++i) {
    TxnId t = w.sessions[i].txn;
    if (t && s.ssi_tracks(t) && s.txn(t).ssi.doomed && s.txn(t).state == TxnState::kActive)
      f.ssi.doomed.push_back(w.requests[i].name);
  }
  return f;
}

}  // namespace ccsim
