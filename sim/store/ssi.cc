// SERIALIZABLE: PostgreSQL 15's serializable snapshot isolation, after
// src/backend/storage/lmgr/predicate.c (the rules, re-derived; the names of
// its checks are kept so the two can be read side by side).
//
// What is modelled: SIREAD locks on relations, the heap page, the primary
// key's index page and tuples, with promotion of more than two tuple locks
// on a page to a page lock (max_pred_locks_per_page = 2); rw-conflicts found
// from SIREAD locks when writing (conflict in) and from MVCC when reading
// (conflict out); the dangerous-structure checks made when a conflict is
// flagged and before commit; doomed transactions failing at their next
// statement or COMMIT; the release of committed transactions' state once no
// overlapping serializable transaction remains.
// Declared READ ONLY transactions get PostgreSQL's read-only rules: one that
// no writable serializable transaction overlaps is never tracked; one that
// does waits (DEFERRABLE) or runs tracked until each of those writers has
// ended, then stops being tracked if none made it unsafe; a read-only reader
// appears to run before a committed writer whose own conflicts came later.
// What is not modelled: summarization to SLRU, two-phase commit, the
// partial clearing of committed transactions once no writable one runs.
// A transaction that commits without writing is treated as read-only
// afterwards, as PostgreSQL does.
#include <algorithm>

#include "store/store.h"

namespace ccsim {

namespace {

const char* const kRwMessage =
    "could not serialize access due to read/write dependencies among transactions";

}  // namespace

bool Store::ssi_tracked(TxnId t) const {
  if (!t) return false;
  const Txn& x = txn(t);
  return x.isolation == Isolation::kSerializable && x.ssi.registered && !x.ssi.released;
}

// A write by `other` is concurrent with snapshot s when s does not see it.
bool Store::ssi_concurrent(TxnId other, const Snapshot& s) const {
  const Txn& o = txn(other);
  if (o.state == TxnState::kAborted) return false;
  return o.state == TxnState::kActive || o.commit_seq > s.seq;
}

void Store::ssi_register(Txn& x) {
  // GetSnapshotData: xmin is the oldest xid still running, not counting ours.
  uint64_t xmin = next_xid_;
  for (const Txn& o : txns_)
    if (o.id != x.id && o.state == TxnState::kActive && o.xid && o.xid < xmin) xmin = o.xid;
  x.ssi.registered = true;
  if (x.read_only) {
    // GetSerializableTransactionSnapshotInt: a READ ONLY transaction can
    // only be part of a dangerous structure through a writable one it
    // overlaps. Each running one that is not doomed might make it unsafe;
    // with none, it is never tracked.
    x.ssi.read_only = true;
    bool any = false;
    for (const Txn& o : txns_)
      if (o.id != x.id && ssi_tracked(o.id) && o.state == TxnState::kActive && !o.ssi.doomed &&
          !o.ssi.read_only) {
        unsafe_.emplace_back(o.id, x.id);
        any = true;
      }
    if (!any) {
      x.ssi.released = true;
      return;
    }
  }
  x.ssi.xmin = xmin;
  x.ssi.last_commit_before_snapshot = ssi_seq_;
  ssi_count_xmin(xmin);
}

void Store::ssi_check_doomed(TxnId t) const {
  if (ssi_tracked(t) && txn(t).ssi.doomed) throw SqlError("40001", kRwMessage);
}

uint32_t Store::ssi_part(TableId table, const Row& values) const {
  if (!tables_[table.value].partitioning) return 0;
  int k = tables_[table.value].partition_of(values);
  return k < 0 ? 0 : static_cast<uint32_t>(k);
}

void Store::ssi_lock(TxnId t, SireadKind kind, TableId table, VersionId tuple, uint32_t part) {
  auto same = [&](const Siread& l) {
    return l.owner == t && l.table == table && l.part == part &&
           (l.kind == kind || l.kind == SireadKind::kRelation ||
            (l.kind == SireadKind::kPage && kind == SireadKind::kTuple)) &&
           (kind != SireadKind::kTuple || l.kind != SireadKind::kTuple || l.tuple == tuple);
  };
  if (std::any_of(siread_.begin(), siread_.end(), same)) return;  // covered already
  // A coarser lock replaces the finer ones it covers (the index's page is
  // another relation: a heap lock does not cover it).
  if (kind == SireadKind::kRelation || kind == SireadKind::kPage)
    siread_.erase(
        std::remove_if(siread_.begin(), siread_.end(),
                       [&](const Siread& l) {
                         return l.owner == t && l.table == table && l.part == part &&
                                (l.kind == SireadKind::kTuple ||
                                 (kind == SireadKind::kRelation && l.kind == SireadKind::kPage));
                       }),
        siread_.end());
  siread_.push_back(Siread{t, kind, table, tuple, part});
  if (kind != SireadKind::kTuple) return;
  // More than two tuple locks on one page become a lock on the page.
  auto tuple_here = [&](const Siread& l) {
    return l.owner == t && l.table == table && l.part == part && l.kind == SireadKind::kTuple;
  };
  if (std::count_if(siread_.begin(), siread_.end(), tuple_here) > 2) {
    siread_.erase(std::remove_if(siread_.begin(), siread_.end(), tuple_here), siread_.end());
    siread_.push_back(Siread{t, SireadKind::kPage, table, VersionId{}, part});
  }
}

void Store::ssi_read(TxnId t, TableId table, bool index, const std::vector<RowId>& looked_up,
                     const std::vector<VersionId>& read, const std::optional<Snapshot>& scan,
                     const std::vector<uint32_t>* parts, bool index_only) {
  if (!ssi_tracked(t)) return;
  // SerializationNeededForRead: a read-only transaction found safe lets go
  // of everything at its next read, and is tracked no more.
  if (txn(t).ssi.ro_safe) {
    ssi_end(t, false);
    return;
  }
  std::vector<RowId> rows = index ? looked_up : tables_[table.value].rows;
  // A doomed transaction fails when its scan touches a tuple (PostgreSQL
  // checks in the heap, per tuple): an index lookup that finds no entry, or
  // a scan of an empty table, does not fail.
  if (!rows.empty()) ssi_check_doomed(t);
  const Snapshot s = *txn(t).snapshot;
  // CheckForSerializableConflictOut: every version the scan passes whose
  // creator or replacer the scan's snapshot does not see, if the
  // transaction's snapshot finds that writer concurrent. A sequential scan
  // passes every version on the page; an index lookup walks each row's
  // chain of versions until it reaches the one it sees.
  const Snapshot seen_by = scan.value_or(s);
  const Sxact& me = txn(t).ssi;
  auto conflict_out = [&](TxnId writer) {
    if (writer == t || !ssi_tracked(writer) || txn(writer).ssi.doomed) return;
    // A read-only reader appears to run before a committed writer, unless
    // that writer has a conflict out to one committed before the reader's
    // snapshot.
    const Txn& w = txn(writer);
    if (me.read_only && w.state == TxnState::kCommitted &&
        (!w.ssi.conflict_out ||
         me.last_commit_before_snapshot < w.ssi.earliest_out_conflict_commit))
      return;
    if (!ssi_concurrent(writer, s)) return;
    if (std::find(rw_.begin(), rw_.end(), std::make_pair(t, writer)) != rw_.end()) return;
    ssi_flag(t, writer, t);
  };
  for (RowId r : rows) {
    VersionId first = rows_[r.value].newest;
    while (first && version(first).prev) first = version(first).prev;
    for (VersionId id = first; id; id = version(id).next) {
      const Version& v = version(id);
      if (visible(v, seen_by)) {
        if (v.xmax) conflict_out(v.xmax);
        if (index) break;
      } else if (v.xmin != t) {
        conflict_out(v.xmin);
      }
    }
  }
  // PredicateLockRelation for a sequential scan; the index page and each
  // tuple read for an index scan.
  // A partitioned table's scan does so in each partition it reads.
  std::vector<uint32_t> all{0};
  if (!parts && tables_[table.value].partitioning) {
    all.clear();
    for (uint32_t k = 0; k < tables_[table.value].partitioning->parts.size(); ++k) all.push_back(k);
  }
  if (!parts) parts = &all;
  if (!index) {
    for (uint32_t k : *parts) ssi_lock(t, SireadKind::kRelation, table, VersionId{}, k);
    return;
  }
  for (uint32_t k : *parts) ssi_lock(t, SireadKind::kIndexPage, table, VersionId{}, k);
  if (index_only) {
    if (!read.empty()) ssi_lock(t, SireadKind::kPage, table, VersionId{}, 0);
    return;
  }
  for (VersionId v : read)
    if (version(v).xmin != t)
      ssi_lock(t, SireadKind::kTuple, table, v, ssi_part(table, version(v).values));
}

// CheckTargetForConflictsIn: every other transaction's SIREAD lock on the
// target is a conflict reader -> writer, unless the reader committed before
// the writer's snapshot could matter to it.
void Store::ssi_conflict_in(TxnId w, SireadKind kind, TableId table, VersionId tuple,
                            uint32_t part) {
  const Txn& me = txn(w);
  std::vector<TxnId> readers;
  for (const Siread& l : siread_) {
    if (l.owner == w || l.table != table || l.kind != kind || l.part != part) continue;
    if (kind == SireadKind::kTuple && l.tuple != tuple) continue;
    const Txn& r = txn(l.owner);
    if (r.ssi.doomed || r.ssi.released) continue;
    if (r.state == TxnState::kCommitted && !(me.ssi.xmin < r.ssi.finished_before)) continue;
    if (std::find(rw_.begin(), rw_.end(), std::make_pair(l.owner, w)) != rw_.end()) continue;
    if (std::find(readers.begin(), readers.end(), l.owner) == readers.end())
      readers.push_back(l.owner);
  }
  for (TxnId r : readers)
    if (std::find(rw_.begin(), rw_.end(), std::make_pair(r, w)) == rw_.end()) ssi_flag(r, w, w);
}

void Store::ssi_write(TxnId t, RowId r, VersionId old, bool subtransaction) {
  if (!ssi_tracked(t)) return;
  ssi_check_doomed(t);
  mut(t).ssi.did_write = true;
  TableId table = rows_[r.value].table;
  const uint32_t part = ssi_part(table, version(old).values);
  ssi_conflict_in(t, SireadKind::kTuple, table, old, part);
  ssi_conflict_in(t, SireadKind::kPage, table, VersionId{}, part);
  ssi_conflict_in(t, SireadKind::kRelation, table, VersionId{}, part);
  // A transaction that writes a tuple needs no SIREAD lock on it any more;
  // but inside a savepoint it keeps it, as PostgreSQL does: the savepoint
  // may roll back the write, and the read would be left unprotected.
  if (subtransaction) return;
  siread_.erase(std::remove_if(siread_.begin(), siread_.end(),
                               [&](const Siread& l) {
                                 return l.owner == t && l.kind == SireadKind::kTuple &&
                                        l.tuple == old;
                               }),
                siread_.end());
}

void Store::ssi_insert_heap(TxnId t, TableId table, const Row& values) {
  if (!ssi_tracked(t)) return;
  ssi_check_doomed(t);
  mut(t).ssi.did_write = true;
  ssi_conflict_in(t, SireadKind::kRelation, table, VersionId{}, ssi_part(table, values));
}

void Store::ssi_insert_index(TxnId t, TableId table, const Row& values) {
  if (!ssi_tracked(t) || !tables_[table.value].has_index()) return;
  ssi_check_doomed(t);
  ssi_conflict_in(t, SireadKind::kIndexPage, table, VersionId{}, ssi_part(table, values));
}

// OnConflict_CheckForSerializationFailure: would the edge reader -> writer
// complete a dangerous structure whose out-side has committed first?
// (Commit is one step here, so "prepared" and "committed" coincide.)
bool Store::ssi_dangerous(TxnId reader, TxnId writer) const {
  const Txn& R = txn(reader);
  const Txn& W = txn(writer);
  auto committed_ = [&](const Txn& x) { return x.state == TxnState::kCommitted; };
  auto read_only = [&](const Txn& x) { return x.ssi.read_only; };
  // R -> W -> T2 with W committed and flagged with a conflict out.
  if (committed_(W) && W.ssi.conflict_out) return true;
  // W is a pivot whose out-conflict T2 committed first.
  for (const auto& [o, t2] : rw_) {
    if (o != writer) continue;
    const Txn& T2 = txn(t2);
    if (committed_(T2) && (!committed_(R) || T2.ssi.prepare_seq <= R.ssi.commit_seq) &&
        (!committed_(W) || T2.ssi.prepare_seq <= W.ssi.commit_seq) &&
        (!read_only(R) || T2.ssi.prepare_seq <= R.ssi.last_commit_before_snapshot))
      return true;
  }
  // R is a pivot (T0 -> R) whose writer W committed first.
  if (committed_(W) && !read_only(R)) {
    for (const auto& [t0, in] : rw_) {
      if (in != reader) continue;
      const Txn& T0 = txn(t0);
      if (!T0.ssi.doomed && (!committed_(T0) || T0.ssi.commit_seq >= W.ssi.prepare_seq) &&
          (!read_only(T0) || T0.ssi.last_commit_before_snapshot >= W.ssi.prepare_seq))
        return true;
    }
  }
  return false;
}

// FlagRWConflict, run by `me` (the reader on a read, the writer on a write).
void Store::ssi_flag(TxnId reader, TxnId writer, TxnId me) {
  if (ssi_dangerous(reader, writer)) {
    // The writer fails now if it is us; a committed writer cannot, so the
    // reader (us) does; otherwise the writer is doomed to fail later.
    if (me == writer || txn(writer).state == TxnState::kCommitted)
      throw SqlError("40001", kRwMessage);
    mut(writer).ssi.doomed = true;
  }
  rw_.emplace_back(reader, writer);
}

// PreCommit_CheckForSerializationFailure.
void Store::ssi_precommit(TxnId t) {
  if (!ssi_tracked(t)) return;
  ssi_check_doomed(t);
  for (const auto& [near, in] : rw_) {
    if (in != t) continue;
    const Txn& N = txn(near);
    if (N.state == TxnState::kCommitted || N.ssi.doomed) continue;
    for (const auto& [far, in2] : rw_) {
      if (in2 != near) continue;
      const Txn& F = txn(far);
      if (far == t || (F.state != TxnState::kCommitted && !F.ssi.read_only && !F.ssi.doomed)) {
        mut(near).ssi.doomed = true;
        break;
      }
    }
  }
  mut(t).ssi.prepare_seq = ++ssi_seq_;
}

// ReleasePredicateLocks: at commit, conflicts out to committed transactions
// become the conflict_out flag and conflicts in from committed ones are
// dropped; at rollback everything of the transaction goes.
void Store::ssi_end(TxnId t, bool commit) {
  if (!ssi_tracked(t)) return;
  Txn& x = mut(t);
  x.ssi.finished_before = next_xid_;
  if (commit) {
    if (!x.ssi.prepare_seq) x.ssi.prepare_seq = ++ssi_seq_;
    x.ssi.commit_seq = ++ssi_seq_;
    bool read_only = !x.ssi.did_write;
    x.ssi.read_only = read_only;
    std::vector<std::pair<TxnId, TxnId>> kept;
    for (const auto& e : rw_) {
      const auto& [reader, writer] = e;
      if (reader == t) {
        const Txn& in = txn(writer);
        bool in_committed = in.state == TxnState::kCommitted;
        if (!read_only && in_committed) {
          if (!x.ssi.conflict_out || in.ssi.prepare_seq < x.ssi.earliest_out_conflict_commit)
            x.ssi.earliest_out_conflict_commit = in.ssi.prepare_seq;
          x.ssi.conflict_out = true;
        }
        if (in_committed || in.ssi.last_commit_before_snapshot >= ssi_seq_) continue;
      } else if (writer == t) {
        const Txn& out = txn(reader);
        if (out.state == TxnState::kCommitted || out.ssi.read_only) continue;
      }
      kept.push_back(e);
    }
    rw_ = std::move(kept);
  } else {
    x.ssi.doomed = true;
  }
  ssi_end_read_only(t, commit);
  if (!commit) ssi_release(t);
  if (x.ssi.xmin == global_xmin_ && global_xmin_count_ > 0 && --global_xmin_count_ == 0)
    ssi_cleanup();
}

// ReleasePredicateLocks, for the possibly unsafe conflicts: a read-only
// transaction that ends forgets its writers; a writer that ends makes each
// read-only transaction it overlapped unsafe when it committed a write with
// a conflict out to a transaction committed before that one's snapshot, and
// otherwise leaves it, safe once no writer is left.
void Store::ssi_end_read_only(TxnId t, bool commit) {
  const Txn& x = txn(t);
  auto of = [](TxnId ro) { return [ro](const auto& p) { return p.second == ro; }; };
  if (x.read_only) {
    unsafe_.erase(std::remove_if(unsafe_.begin(), unsafe_.end(), of(t)), unsafe_.end());
    return;
  }
  std::vector<TxnId> readers;
  for (const auto& [writer, ro] : unsafe_)
    if (writer == t) readers.push_back(ro);
  for (TxnId ro : readers) {
    Sxact& r = mut(ro).ssi;
    if (commit && x.ssi.did_write && x.ssi.conflict_out &&
        x.ssi.earliest_out_conflict_commit <= r.last_commit_before_snapshot) {
      r.ro_unsafe = true;  // FlagSxactUnsafe: its other writers no longer matter
      unsafe_.erase(std::remove_if(unsafe_.begin(), unsafe_.end(), of(ro)), unsafe_.end());
      continue;
    }
    unsafe_.erase(std::find(unsafe_.begin(), unsafe_.end(), std::make_pair(t, ro)));
    if (std::none_of(unsafe_.begin(), unsafe_.end(), of(ro))) r.ro_safe = true;
  }
}

bool Store::safe_snapshot_pending(TxnId t) const {
  if (!t) return false;
  const Txn& x = txn(t);
  return x.read_only && x.deferrable && x.isolation == Isolation::kSerializable && ssi_tracked(t) &&
         !x.ssi.ro_safe && !x.ssi.ro_unsafe;
}

std::vector<TxnId> Store::safe_snapshot_blockers(TxnId t) const {
  std::vector<TxnId> out;
  for (const auto& [writer, ro] : unsafe_)
    if (ro == t) out.push_back(writer);
  return out;
}

// GetSafeSnapshot, after its wait.
bool Store::settle_safe_snapshot(TxnId t) {
  if (!ssi_tracked(t)) return false;
  Txn& x = mut(t);
  bool unsafe = x.ssi.ro_unsafe;
  ssi_end(t, false);  // ReleasePredicateLocks: safe or not, it is let go
  if (!unsafe) return false;
  // "deferrable snapshot was unsafe; trying a new one"
  x.snapshot.reset();
  x.ssi = Sxact{};
  statement_snapshot(t);
  return safe_snapshot_pending(t);
}

// SetNewSxactGlobalXmin + ClearOldPredicateLocks: a committed transaction
// that finished before every running serializable transaction's xmin can no
// longer conflict with anything; its locks and conflicts go.
void Store::ssi_cleanup() {
  global_xmin_ = 0;
  global_xmin_count_ = 0;
  for (const Txn& x : txns_)
    if (ssi_tracked(x.id) && x.state == TxnState::kActive) ssi_count_xmin(x.ssi.xmin);
  for (const Txn& x : txns_) {
    if (!ssi_tracked(x.id) || x.state != TxnState::kCommitted) continue;
    if (global_xmin_count_ > 0 && x.ssi.finished_before > global_xmin_) continue;
    ssi_release(x.id);
  }
}

// Counts a running serializable transaction's xmin into the global xmin.
void Store::ssi_count_xmin(uint64_t xmin) {
  if (global_xmin_count_ == 0 || xmin < global_xmin_) {
    global_xmin_ = xmin;
    global_xmin_count_ = 1;
  } else if (xmin == global_xmin_) {
    ++global_xmin_count_;
  }
}

// Forgets a transaction: its SIREAD locks and conflicts go, it is no longer tracked.
void Store::ssi_release(TxnId t) {
  mut(t).ssi.released = true;
  rw_.erase(std::remove_if(rw_.begin(), rw_.end(),
                           [&](const auto& e) { return e.first == t || e.second == t; }),
            rw_.end());
  siread_.erase(
      std::remove_if(siread_.begin(), siread_.end(), [&](const Siread& l) { return l.owner == t; }),
      siread_.end());
}

}  // namespace ccsim
