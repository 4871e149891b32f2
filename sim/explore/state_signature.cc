// The state key's per-request signatures and the shared part of the key:
// what each request holds, sees and waits for, written so that requests
// that differ only by name write the same bytes (explore/state_key.h).
#include <algorithm>
#include <map>
#include <numeric>

#include "explore/key_bytes.h"
#include "explore/state_key.h"

namespace ccsim {

using namespace key_bytes;

// A request's own state, written without naming any other request: equal
// signatures mean requests in the same position.
// A transaction's SSI state, its sequence numbers and xids by rank.
void StateEncoder::write_sxact(const Sxact& a, KeyBuf& out) const {
  put(out, a.doomed);
  put(out, a.did_write);
  put(out, a.read_only);
  put(out, a.ro_safe);
  put(out, a.ro_unsafe);
  put(out, a.conflict_out);
  for (uint64_t v :
       {a.prepare_seq, a.commit_seq, a.last_commit_before_snapshot, a.earliest_out_conflict_commit})
    put(out, rank(ssi_seqs_, v));
  put(out, rank(xids_, a.xmin));
  put(out, rank(xids_, a.finished_before));
}

void StateEncoder::request_signature(const World& w, const LostUpdateWatch& watch, size_t i,
                                     KeyBuf& out) {
  const Store& s = w.store;
  const Request& q = w.requests[i];
  const Session& ss = w.sessions[i];
  out.clear();
  auto put_check = [&](KeyBuf& o, const FkCheck& k) {
    put(o, k.table);
    put(o, k.fk);
    put_row(o, k.key);
    put(o, k.parent);
    put(o, static_cast<uint64_t>(k.action));
    put_row(o, k.new_key);
    put(o, k.part);
    put(o, k.made ? uint64_t{1} + version_label_[k.made.value] : 0);
    put(o, k.deferred);
  };
  auto put_modes = [&](KeyBuf& o, const ConstraintModes& m) {
    put(o, m.all ? uint64_t{1} + *m.all : 0);
    put(o, m.named.size());
    for (const auto& [name, defer] : m.named) {
      put_text(o, name);
      put(o, defer);
    }
  };
  put(out, static_cast<uint64_t>(q.state));
  put(out, static_cast<uint64_t>(q.fate));
  put_text(out, q.sqlstate);
  put(out, q.sent);
  put(out, q.pc);
  put(out, ss.in_block);
  put(out, ss.failed_block);
  put(out, ss.committing);
  put(out, static_cast<uint64_t>(ss.firings));
  put_modes(out, ss.modes);
  put(out, ss.deferred.size());
  for (const DeferredCheck& d : ss.deferred) {
    put_check(out, d.check);
    put(out, static_cast<uint64_t>(d.fired));
  }
  put(out, ss.savepoints.size());
  for (const Session::Savepoint& sp : ss.savepoints) {
    put_text(out, sp.name);
    put(out, sp.read_only);
    put(out, sp.mark.undo);
    put(out, sp.deferred);
    put(out, static_cast<uint64_t>(sp.firings));
    put_modes(out, sp.modes);
    put(out, sp.mark.locks.size());
    for (const auto& [row, mode] : sp.mark.locks) {
      put(out, row_label_[row.value]);
      put(out, static_cast<uint64_t>(mode));
    }
  }
  put(out, q.mutex_wait);
  put(out, static_cast<uint64_t>(q.restarts));
  if (count_steps_[i]) put(out, static_cast<uint64_t>(q.steps_taken));
  put(out, q.retries.size());
  for (const auto& [at, used] : q.retries) {
    put(out, at);
    put(out, static_cast<uint64_t>(used));
  }
  // The commits that matter which the snapshot sees (see label()).
  auto snapshot_code = [&](const Snapshot& sn) {
    return static_cast<uint64_t>(std::upper_bound(commits_.begin(), commits_.end(), sn.seq) -
                                 commits_.begin());
  };
  if (!done(q)) {
    const ProgramFacts& f = *facts_[i];
    for (const std::string& name : f.live[std::min(q.pc, f.live.size() - 1)]) {
      if (ids_.usable && name == "request_id") continue;  // its own name, never another's
      auto it = q.vars.find(name);
      if (it == q.vars.end()) {
        out += 'x';
        continue;
      }
      out += 'v';
      put_value(out, it->second.value);
      put(out, it->second.from.size());
      for (const RowRead& o : it->second.from) {
        put(out, row_label_[o.row.value]);
        uint32_t version = version_label_[o.version.value];
        put(out, version);
        // Not kept: older than the row's newest committed version (label()).
        // What the lost-update watch will find between the two is decided.
        if (version == 0) {
          int col = s.table(o.table).column_index(o.column);
          put(out, col >= 0 && changed_since_read(s, newest_committed_[o.row.value], o.version,
                                                  static_cast<size_t>(col),
                                                  RequestId{static_cast<uint32_t>(i)}));
        }
        put_text(out, o.column);
      }
    }
  }
  if (ss.txn) {
    const Txn& x = s.txn(ss.txn);
    out += 't';
    put(out, static_cast<uint64_t>(x.isolation));
    put(out, x.read_only);
    put(out, x.deferrable);
    if (facts_[i]->sets_transaction) put(out, x.snapshot_taken);
    put(out, x.snapshot && !done(q) ? 1 + snapshot_code(*x.snapshot) : 0);
    put(out, x.undo.size());
    for (const auto& [r, before] : x.undo) {
      put(out, row_label_[r.value]);
      put(out, version_label_[before.value]);
    }
    put(out, x.locked.size());
    for (RowId r : x.locked) put(out, row_label_[r.value]);
    put(out, watch.pending(ss.txn));
    if (ssi_) {
      put(out, rank(xids_, x.xid));
      put(out, s.ssi_tracks(ss.txn));
      if (s.ssi_tracks(ss.txn)) write_sxact(x.ssi, out);
    }
  } else {
    out += '-';
  }
  if (ss.cursor) {
    const Cursor& c = *ss.cursor;
    out += 'c';
    put(out, snapshot_code(c.snapshot));
    put(out, c.candidates.size());
    for (VersionId v : c.candidates) put(out, version_label_[v.value]);
    put(out, c.inserts.size());
    const auto* insert = q.pc < q.program->steps.size()
                             ? std::get_if<InsertStmt>(&q.program->steps[q.pc].body)
                             : nullptr;
    std::optional<TableId> table = insert ? s.find_table(insert->table) : std::nullopt;
    for (const Row& r : c.inserts) {
      if (table)
        put_row_of(out, table->value, r, i);
      else
        put_row(out, r);
    }
    put(out, c.next);
    put(out, c.serials_taken);
    put(out, c.projected_at);
    put(out, c.projection.size());
    for (const Value& v : c.projection) put_value(out, v);
    put(out, c.out.size());
    for (VersionId v : c.out) put(out, version_label_[v.value]);
    put(out, static_cast<uint64_t>(c.rowcount));
    put(out, c.waiting);
    put(out, c.waiting && !c.safe_snapshot_wait ? row_label_[c.wait_row.value] + 1 : 0);
    put(out, c.safe_snapshot_wait);
    put(out, c.fk_checks.size());
    for (const FkCheck& k : c.fk_checks) put_check(out, k);
    put(out, c.fk_later.size());
    for (const FkCheck& k : c.fk_later) put_check(out, k);
    put(out, c.fk_next);
    put(out, c.fk_started);
    put(out, c.fk_table_wait);
    put(out, c.fk_seen ? version_label_[c.fk_seen.value] + 1 : 0);
    put(out, c.fk_started ? snapshot_code(c.fk_snapshot) : 0);
    put(out, c.fk_rows.size());
    for (VersionId v : c.fk_rows) put(out, version_label_[v.value]);
    put(out, c.fk_row);
    put(out, c.subqueries.size());
    for (const auto& [at, v] : c.subqueries) put_value(out, v);
    put(out, c.initplan);
    put(out, c.advisory_at);
    put(out, static_cast<uint64_t>(c.advisory_phase));
    put(out, c.advisory_answers.size());
    for (const Value& v : c.advisory_answers) put_value(out, v);
    put(out, c.advisory_wait);
    put(out, c.advisory_session);
    put(out, c.advisory_shared);
    put(out, c.key_pending ? version_label_[c.key_pending.value] + 1 : 0);
    put(out, c.upsert_locking ? version_label_[c.upsert_locking.value] + 1 : 0);
    put(out, c.insert_pending ? row_label_[c.insert_pending->value] + 1 : 0);
    put(out, c.indexed);
    put(out, c.table_locks.size());
    for (const auto& [t, m] : c.table_locks) {
      put(out, t.value);
      put(out, static_cast<uint64_t>(m));
    }
    put(out, c.table_next);
    put(out, c.table_phase);
    put(out, c.create_waited);
    put(out, c.key_share_chain);
    put(out, c.merge_unmatched);
    put(out, c.merge_inserting);
    put(out, c.merge_action);
    put(out, c.merge_rows.size());
    for (uint32_t k : c.merge_rows) put(out, static_cast<uint64_t>(k));
    put(out, c.merge_changed.size());
    for (RowId row : c.merge_changed) put(out, row.value);
  }
  // Its default_transaction_isolation, in effect and kept at the end of
  // the transaction.
  if (facts_[i]->sets_transaction) {
    auto level = [](const std::optional<Isolation>& iso) {
      return iso ? uint64_t{1} + static_cast<uint64_t>(*iso) : uint64_t{0};
    };
    put(out, level(ss.timeouts.isolation));
    put(out, level(ss.kept.isolation));
    put(out, ss.kept_before ? 1 + level(ss.kept_before->isolation) : 0);
  }
  // Its session-level advisory locks (the holder's rows are those keys').
  put(out, ss.advisory_held.size());
  for (const AdvisoryHeld& h : ss.advisory_held) {
    put_value(out, Value{h.key.bits});
    put(out, h.key.pair);
    put(out, h.shared);
    put(out, static_cast<uint64_t>(h.count));
  }
  // The values its currval reads.
  put(out, ss.currvals.size());
  for (const auto& [name, v] : ss.currvals) {
    put_text(out, name);
    put_value(out, Value{v});
  }
  // Where it stands in the row locks (by row), the mutexes, and SSI.
  if (ss.txn) {
    for (const DdlRecord& d : s.ddl())
      if (d.txn == ss.txn) {
        out += d.kind == DdlRecord::Kind::kTable           ? (d.created ? 'C' : 'D')
               : d.kind == DdlRecord::Kind::kAddForeignKey ? 'F'
                                                           : 'V';
        put(out, d.table.value);
        if (d.kind != DdlRecord::Kind::kTable) put_text(out, d.constraint);
      }
    for (size_t r = 0; r < s.row_count(); ++r) {
      const RowState& row = s.row(RowId{static_cast<uint32_t>(r)});
      for (const RowLock& h : row.holders)
        if (h.txn == ss.txn) {
          out += 'H';
          put(out, row_label_[r]);
          put(out, static_cast<uint64_t>(h.mode));
        }
      for (size_t k = 0; k < row.queue.size(); ++k)
        if (row.queue[k].txn == ss.txn) {
          out += 'Q';
          put(out, row_label_[r]);
          put(out, k);
          put(out, static_cast<uint64_t>(row.queue[k].mode));
          put(out, row.queue[k].hold);
          put(out, wait_rank(row.queue[k].since));
        }
    }
  }
  for (const auto& [key, m] : w.mutexes.all()) {
    if (m.holder == i) {
      out += 'M';
      put_text(out, key);
    }
    for (size_t k = 0; k < m.queue.size(); ++k)
      if (m.queue[k] == i) {
        out += 'W';
        put_text(out, key);
        put(out, k);
      }
  }
  if (!done(q))
    for (size_t l = 0; l < labelled_txns_.size(); ++l)
      if (s.txn(labelled_txns_[l]).owner.value == i) {
        out += 'O';
        put(out, l + 1);
      }
  if (ssi_ && ss.txn) {
    // Where its SIREAD locks and conflicts stand in SSI's lists: their order
    // decides the future (see write_shared), so it tells requests apart.
    const std::vector<Siread>& locks = s.sireads();
    for (size_t k = 0; k < locks.size(); ++k) {
      const Siread& l = locks[k];
      if (l.owner != ss.txn) continue;
      out += 'S';
      put(out, k);
      put(out, static_cast<uint64_t>(l.kind));
      put(out, l.table.value);
      put(out, version_label_[l.tuple.value]);
      put(out, l.part);
    }
    const auto& rw = s.rw_conflicts();
    for (size_t k = 0; k < rw.size(); ++k) {
      const auto& [reader, writer] = rw[k];
      if (reader != ss.txn && writer != ss.txn) continue;
      TxnId other = reader == ss.txn ? writer : reader;
      out += reader == ss.txn ? '>' : '<';
      put(out, k);
      put(out, s.txn(other).state == TxnState::kActive ? 0 : txn_label_[other.value]);
    }
    // Its possibly unsafe conflicts (both sides run: no label to write).
    const auto& unsafe = s.unsafe_pairs();
    for (size_t k = 0; k < unsafe.size(); ++k) {
      if (unsafe[k].first == ss.txn) out += 'U';
      if (unsafe[k].second == ss.txn) out += 'R';
      if (unsafe[k].first == ss.txn || unsafe[k].second == ss.txn) put(out, k);
    }
  }
}

// Everything not owned by one request, naming requests by their positions.
void StateEncoder::write_shared(const World& w, const LostUpdateWatch& watch, KeyBuf& out) const {
  const Store& s = w.store;
  named_in_shared_.assign(w.requests.size(), 0);
  // A commit that matters, by its rank among them (see label()).
  auto commit_rank = [&](uint64_t seq) {
    return static_cast<uint64_t>(std::lower_bound(commits_.begin(), commits_.end(), seq) -
                                 commits_.begin()) +
           1;
  };
  // CREATE SEQUENCE's sequences (made in the setup: the same in every
  // state but for their values).
  put(out, s.sequences().size());
  for (const Store::Sequence& q : s.sequences()) {
    put_value(out, Value{q.last});
    put(out, q.called);
  }
  put(out, s.table_count());
  for (size_t t = 0; t < s.table_count(); ++t) {
    const Table& table = s.table(TableId{static_cast<uint32_t>(t)});
    put(out, table.dropped);
    put(out, table.rows.size());
    // What the planner sizes it by (VACUUM in a session changes it).
    put(out, static_cast<uint64_t>(table.reltuples + 1));
    put(out, static_cast<uint64_t>(table.relpages));
    put(out, table.all_visible);
    put(out, table.heap_pages);
    put(out, static_cast<uint64_t>(table.relallvisible));
    put(out, table.sequences.size());
    for (int64_t last : table.sequences) put_value(out, Value{last});
    if (t >= tables_initial_) {
      put_text(out, table.name);
      put_text(out, table.key_name);
      put(out, table.columns.size());
      for (const Column& c : table.columns) {
        put_text(out, c.name);
        put(out, static_cast<uint64_t>(c.type));
        put(out, c.primary_key);
        put(out, c.not_null);
        put(out, static_cast<uint64_t>(c.max_length) << 1 | (c.blank_padded ? 1 : 0));
        put(out, c.serial);
        put_text(out, c.sequence);
        put(out, c.default_value.has_value());
        if (c.default_value) put_value(out, *c.default_value);
      }
      put(out, table.foreign_keys.size());
      for (const ForeignKey& fk : table.foreign_keys) {
        put(out, fk.parent.value);
        put(out, fk.columns.size());
        for (size_t i = 0; i < fk.columns.size(); ++i) {
          put(out, static_cast<uint64_t>(fk.columns[i]));
          put(out, static_cast<uint64_t>(fk.parent_columns[i]));
        }
        put(out, static_cast<uint64_t>(fk.on_delete));
        put(out, static_cast<uint64_t>(fk.on_update));
        put(out, fk.deferrable);
        put(out, fk.initially_deferred);
        put(out, static_cast<uint64_t>(fk.made));
      }
      put(out, table.uniques.size());
      for (const UniqueKey& u : table.uniques) {
        put_text(out, u.name);
        put(out, u.columns.size());
        for (int c : u.columns) put(out, static_cast<uint64_t>(c));
      }
    }
  }
  // Rows in label order: the newest version, the holders (a set), the queue.
  std::vector<RowId>& by_label = by_label_;
  by_label.resize(s.row_count());
  for (size_t r = 0; r < s.row_count(); ++r)
    by_label[row_label_[r]] = RowId{static_cast<uint32_t>(r)};
  std::vector<std::pair<uint64_t, uint64_t>>& holders = holders_;
  for (RowId r : by_label) {
    const RowState& row = s.row(r);
    put(out, version_label_[row.newest.value]);
    if (std::optional<AdvisoryKey> key = s.advisory_key(r)) {
      put_value(out, Value{key->bits});
      put(out, key->pair);
    }
    if (std::optional<TableId> t = s.locked_table(r)) put(out, uint64_t{t->value} + 1);
    holders.clear();
    for (const RowLock& h : row.holders)
      holders.emplace_back(txn_ref(w, h.txn), static_cast<uint64_t>(h.mode));
    std::sort(holders.begin(), holders.end());
    put(out, holders.size());
    for (const auto& [who, mode] : holders) {
      put(out, who);
      put(out, mode);
    }
    put(out, row.queue.size());
    for (const RowLock& l : row.queue) {
      put(out, txn_ref(w, l.txn));
      put(out, static_cast<uint64_t>(l.mode));
      put(out, l.hold);
      put(out, wait_rank(l.since));
    }
  }
  // Kept versions in label order.
  std::vector<VersionId>& versions = versions_;
  versions.clear();
  for (size_t v = 1; v < version_label_.size(); ++v)
    if (version_label_[v]) versions.push_back(VersionId{static_cast<uint32_t>(v)});
  std::sort(versions.begin(), versions.end(), [&](VersionId a, VersionId b) {
    return version_label_[a.value] < version_label_[b.value];
  });
  put(out, versions.size());
  for (VersionId v : versions) {
    const Version& ver = s.version(v);
    put(out, row_label_[ver.row.value]);
    put_row_of(out, s.row(ver.row).table.value, ver.values);
    put(out, txn_ref(w, ver.xmin));
    put(out, txn_ref(w, ver.xmax));
    put(out, version_label_[ver.prev.value]);
    // Its successor, and whether that update was a key update (Version::key_updated).
    put(out, uint64_t{version_label_[ver.next.value]} * 4 + (ver.key_updated ? 1 : 0) +
                 (ver.moved ? 2 : 0));
  }
  // Finished transactions: committed or not, when (relative to the open
  // snapshots), by a request still running or not.
  for (TxnId t : labelled_txns_) {
    const Txn& x = s.txn(t);
    put(out, static_cast<uint64_t>(x.state));
    put(out, x.state == TxnState::kCommitted ? commit_rank(x.commit_seq) : 0);
    // Who made it matters to the lost-update watch: setup data ends its walk
    // back through a row's history, any finished request is "another
    // request", a running one may be the writer itself.
    uint64_t owner = 0;
    if (x.state == TxnState::kCommitted && x.owner != kNoRequest)
      owner = done(w.requests[x.owner.value]) ? 1 : 2 + position(x.owner.value);
    put(out, owner);
    if (ssi_) {
      put(out, static_cast<uint64_t>(x.isolation));
      put(out, s.ssi_tracks(t));
      if (s.ssi_tracks(t)) write_sxact(x.ssi, out);
    }
  }
  // Application mutexes that someone holds or waits for.
  for (const auto& [key, m] : w.mutexes.all()) {
    if (!m.holder && m.queue.empty()) continue;
    put_text(out, key);
    put(out, m.holder ? 1 + position(*m.holder) : 0);
    put(out, m.queue.size());
    for (size_t who : m.queue) put(out, position(who));
  }
  out += '|';
  if (ssi_) {
    Store::SsiCounters c = s.ssi_counters();
    put(out, rank(xids_, c.next_xid));
    put(out, rank(ssi_seqs_, c.ssi_seq));
    put(out, static_cast<uint64_t>(c.global_xmin_count));
    if (c.global_xmin_count > 0) put(out, rank(xids_, c.global_xmin));
    put(out, s.rw_conflicts().size());
    for (const auto& [reader, writer] : s.rw_conflicts()) {
      put(out, txn_ref(w, reader));
      put(out, txn_ref(w, writer));
    }
    put(out, s.unsafe_pairs().size());
    for (const auto& [writer, reader] : s.unsafe_pairs()) {
      put(out, txn_ref(w, writer));
      put(out, txn_ref(w, reader));
    }
    // In the order they were taken: a write meets readers in this order and
    // records its conflicts so, and the order of conflicts decides whom a
    // COMMIT dooms (as in PostgreSQL's lists).
    put(out, s.sireads().size());
    for (const Siread& l : s.sireads()) {
      put(out, txn_ref(w, l.owner));
      put(out, static_cast<uint64_t>(l.kind));
      put(out, l.table.value);
      put(out, version_label_[l.tuple.value]);
      put(out, l.part);
    }
  }
  put(out, watch.lost());
}

}  // namespace ccsim
