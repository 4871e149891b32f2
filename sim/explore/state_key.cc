#include "explore/state_key.h"

#include "explore/key_bytes.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace ccsim {

using namespace key_bytes;

StateEncoder::StateEncoder(const World& initial, bool identity_symmetry) {
  const size_t n = initial.requests.size();
  if (identity_symmetry) ids_ = find_identity_columns(initial);
  std::map<const Program*, size_t> seen;
  facts_store_.reserve(n);
  for (const Request& q : initial.requests) {
    auto [it, added] = seen.emplace(q.program.get(), facts_store_.size());
    if (added)
      facts_store_.push_back(analyse_program(*q.program, initial.restart, q.continue_on_error));
  }
  bool debounce = std::any_of(initial.clients.begin(), initial.clients.end(),
                              [](const auto& c) { return c.second.debounce; });
  ssi_ = initial.default_isolation == Isolation::kSerializable;
  std::vector<std::string> class_keys;
  for (size_t i = 0; i < n; ++i) {
    const Request& q = initial.requests[i];
    const ProgramFacts* f = &facts_store_[seen.at(q.program.get())];
    facts_.push_back(f);
    ssi_ |= f->begins_serializable;
    count_steps_.push_back(!f->steps_bound || *f->steps_bound > initial.steps_per_request_max);
    // ---- Which requests are interchangeable --------------------------------
    // The same program and the same values of the arguments it reads; the
    // same client when a client drops clicks (debounce), the same process
    // when the program takes a per-process mutex; a request an injected
    // crash names stands alone.
    std::string key;
    put(key, reinterpret_cast<uintptr_t>(q.program.get()));
    put(key, q.continue_on_error);
    put(key, count_steps_.back());
    for (const std::string& name : f->reads) {
      if (ids_.usable && name == "request_id") continue;  // a name: see identity.h
      auto it = q.initial->find(name);
      put_text(key, name);
      if (it == q.initial->end()) {
        key += 'x';
      } else {
        put_value(key, it->second.value);
      }
    }
    if (debounce) put_text(key, "client " + q.client);
    if (f->process_mutex) put_text(key, "process " + q.process);
    if (initial.crash && initial.crash->request == q.name) put_text(key, "crash " + q.name);
    auto same = std::find(class_keys.begin(), class_keys.end(), key);
    class_of_.push_back(
        static_cast<uint32_t>(same == class_keys.end() ? i : class_of_[same - class_keys.begin()]));
    class_keys.push_back(key);
  }
  tables_initial_ = initial.store.table_count();
}

// Numbers what the key names: rows by table and position, the versions that
// are kept by table and heap order, finished transactions by first use.
void StateEncoder::label(const World& w, const LostUpdateWatch& watch) {
  (void)watch;
  const Store& s = w.store;
  const size_t n_rows = s.row_count(), n_versions = s.version_count(), n_txns = s.txn_count();

  row_label_.assign(n_rows, 0);
  uint32_t next_row = 0;
  for (size_t t = 0; t < s.table_count(); ++t)
    for (RowId r : s.table(TableId{static_cast<uint32_t>(t)}).rows)
      row_label_[r.value] = next_row++;
  wait_order_.clear();
  for (size_t r = 0; r < n_rows; ++r)
    for (const RowLock& l : s.row(RowId{static_cast<uint32_t>(r)}).queue)
      wait_order_.push_back(l.since);
  std::sort(wait_order_.begin(), wait_order_.end());

  // ---- Open snapshots ---------------------------------------------------------
  std::vector<Snapshot>& open = open_;
  open.clear();
  for (size_t i = 0; i < w.requests.size(); ++i) {
    const Session& ss = w.sessions[i];
    if (done(w.requests[i])) continue;
    if (ss.txn && s.txn(ss.txn).snapshot) open.push_back(*s.txn(ss.txn).snapshot);
    if (ss.cursor) open.push_back(ss.cursor->snapshot);
  }

  // ---- Versions something still refers to --------------------------------------
  // What a statement in progress holds, what a SIREAD lock names; apart,
  // what a live variable was read from (read_from).
  std::vector<char>& referenced = referenced_;
  referenced.assign(n_versions + 1, 0);
  std::vector<char>& read_from = read_from_;
  read_from.assign(n_versions + 1, 0);
  for (size_t i = 0; i < w.requests.size(); ++i) {
    const Request& q = w.requests[i];
    if (done(q)) continue;
    for (const std::string& name : facts_[i]->live[std::min(q.pc, facts_[i]->live.size() - 1)]) {
      auto it = q.vars.find(name);
      if (it == q.vars.end()) continue;
      for (const RowRead& o : it->second.from) read_from[o.version.value] = 1;
    }
    for (const DeferredCheck& d : w.sessions[i].deferred)
      if (d.check.made) referenced[d.check.made.value] = 1;
    if (const Session& ss = w.sessions[i]; ss.cursor) {
      for (VersionId v : ss.cursor->candidates) referenced[v.value] = 1;
      for (VersionId v : ss.cursor->out) referenced[v.value] = 1;
      if (ss.cursor->fk_seen) referenced[ss.cursor->fk_seen.value] = 1;
      for (VersionId v : ss.cursor->fk_rows) referenced[v.value] = 1;
      for (const FkCheck& k : ss.cursor->fk_checks)
        if (k.made) referenced[k.made.value] = 1;
      for (const FkCheck& k : ss.cursor->fk_later)
        if (k.made) referenced[k.made.value] = 1;
      if (ss.cursor->key_pending) referenced[ss.cursor->key_pending.value] = 1;
      if (ss.cursor->upsert_locking) referenced[ss.cursor->upsert_locking.value] = 1;
    }
  }
  if (ssi_)
    for (const Siread& l : s.sireads())
      if (l.tuple) referenced[l.tuple.value] = 1;

  // ---- Which versions are kept --------------------------------------------------
  // Per row, the chain from the newest version back to the oldest one that
  // someone may still see or refer to: the newest committed one (what every
  // future snapshot sees), the one each open snapshot sees (the whole chain
  // when it sees none: SSI checks every version such a scan passes), every
  // referenced one. Older versions were made and replaced by transactions
  // every snapshot sees; nothing can tell them apart any more, except a
  // column of a unique index that changed (an index lookup matches any
  // version's key): then the whole chain is kept. A referenced version off the chain (made
  // by a rolled-back transaction) is kept, and with it the whole chain, so
  // a walk that misses it goes as far as it would have.
  // A version a live variable was read from is kept when it is the newest
  // committed one or newer. An older one can never be newest again (a
  // commit is for good), so all that can still matter about it is the
  // lost-update watch's walk from the newest committed version back to it,
  // whose answer is already decided: request_signature() writes that answer
  // instead (changed_since_read), and the versions between need not be kept.
  // (A version kept for another reason keeps the chain down to it, so the
  // walk can be read off the key.)
  std::vector<char>& keep = keep_;
  keep.assign(n_versions + 1, 0);
  std::vector<char>& on_chain = on_chain_;
  on_chain.assign(n_versions + 1, 0);
  newest_committed_.assign(n_rows, VersionId{});
  std::vector<VersionId>& chain = chain_;
  for (size_t r = 0; r < n_rows; ++r) {
    const RowState& row = s.row(RowId{static_cast<uint32_t>(r)});
    chain.clear();
    for (VersionId v = row.newest; v; v = s.version(v).prev) {
      chain.push_back(v);
      on_chain[v.value] = 1;
    }
    if (chain.empty()) continue;
    size_t depth = 0;  // keep chain[0 .. depth]
    size_t committed_at = chain.size() - 1;
    for (size_t k = 0; k < chain.size(); ++k)
      if (s.committed(s.version(chain[k]).xmin) ||
          s.txn(s.version(chain[k]).xmin).owner == kNoRequest) {
        committed_at = k;
        break;
      }
    depth = std::max(depth, committed_at);
    newest_committed_[r] = chain[committed_at];
    for (size_t k = 0; k <= committed_at; ++k)
      if (read_from[chain[k].value]) depth = std::max(depth, k);
    for (const Snapshot& sn : open) {
      size_t k = 0;
      while (k < chain.size() && !s.visible(s.version(chain[k]), sn)) ++k;
      depth = std::max(depth, std::min(k, chain.size() - 1));
    }
    for (size_t k = 0; k < chain.size(); ++k)
      if (referenced[chain[k].value]) depth = std::max(depth, k);
    const Table& t = s.table(row.table);
    for (size_t k = depth + 1; k < chain.size() && depth + 1 < chain.size(); ++k) {
      const Row& a = s.version(chain[depth]).values;
      const Row& b = s.version(chain[k]).values;
      bool same_key = true;  // the same entry in every index (unique or plain)
      for (size_t c = 0; c < t.columns.size() && same_key; ++c)
        same_key = a[c] == b[c] || !t.indexed(c);
      if (!same_key) depth = chain.size() - 1;
    }
    for (size_t k = 0; k <= depth; ++k) keep[chain[k].value] = 1;
  }
  for (size_t v = 1; v <= n_versions; ++v) {
    if (!(referenced[v] || (read_from[v] && !on_chain[v])) || keep[v]) continue;
    keep[v] = 1;  // off the chain: keep it and its whole row
    RowId r = s.version(VersionId{static_cast<uint32_t>(v)}).row;
    for (VersionId c = s.row(r).newest; c; c = s.version(c).prev) keep[c.value] = 1;
  }

  // Kept versions, by table and then heap order (the order a scan returns).
  version_label_.assign(n_versions + 1, 0);
  std::vector<std::pair<uint32_t, uint32_t>>& kept = kept_;  // (table, version)
  kept.clear();
  for (size_t v = 1; v <= n_versions; ++v)
    if (keep[v])
      kept.emplace_back(s.row(s.version(VersionId{static_cast<uint32_t>(v)}).row).table.value,
                        static_cast<uint32_t>(v));
  std::sort(kept.begin(), kept.end());
  for (size_t k = 0; k < kept.size(); ++k)
    version_label_[kept[k].second] = static_cast<uint32_t>(k + 1);

  // ---- Finished transactions, by first use ----------------------------------------
  txn_label_.assign(n_txns + 1, 0);
  labelled_txns_.clear();
  auto use = [&](TxnId t) {
    if (!t || s.txn(t).state == TxnState::kActive || txn_label_[t.value]) return;
    labelled_txns_.push_back(t);
    txn_label_[t.value] = static_cast<uint32_t>(labelled_txns_.size());
  };
  for (const auto& [table, v] : kept) {
    const Version& ver = s.version(VersionId{v});
    use(ver.xmin);
    use(ver.xmax);
  }
  if (ssi_) {
    for (const auto& [reader, writer] : s.rw_conflicts()) {
      use(reader);
      use(writer);
    }
    for (const Siread& l : s.sireads()) use(l.owner);
  }

  // ---- When the commits that matter happened ---------------------------------------
  // Visibility compares a snapshot with the commits of the transactions the
  // key keeps (those whose versions or SSI state remain); any other commit
  // changed nothing anyone can still see. So a snapshot is coded by how
  // many of those commits it sees, and such a commit by its rank among them:
  // the commit is visible exactly when its rank is at most the snapshot's code.
  commits_.clear();
  for (TxnId t : labelled_txns_)
    if (s.txn(t).state == TxnState::kCommitted) commits_.push_back(s.txn(t).commit_seq);
  sort_unique(commits_);

  // ---- Counters of SSI, by order only --------------------------------------------
  if (ssi_) {
    xids_.clear();
    ssi_seqs_.clear();
    // Only what SSI still compares: the xids of open transactions (a new
    // snapshot's xmin is the oldest of them), the fields of the transactions
    // it tracks, its counters; a stale field of a released one would shift
    // every rank for nothing.
    auto count = [&](TxnId t) {
      const Txn& x = s.txn(t);
      if (x.state == TxnState::kActive) xids_.push_back(x.xid);
      if (!s.ssi_tracks(t)) return;
      xids_.push_back(x.ssi.xmin);
      xids_.push_back(x.ssi.finished_before);
      for (uint64_t v : {x.ssi.prepare_seq, x.ssi.commit_seq, x.ssi.last_commit_before_snapshot,
                         x.ssi.earliest_out_conflict_commit})
        ssi_seqs_.push_back(v);
    };
    for (const Session& ss : w.sessions)
      if (ss.txn) count(ss.txn);
    for (TxnId t : labelled_txns_) count(t);
    Store::SsiCounters c = s.ssi_counters();
    xids_.push_back(c.next_xid);
    if (c.global_xmin_count > 0) xids_.push_back(c.global_xmin);
    ssi_seqs_.push_back(c.ssi_seq);
    sort_unique(xids_);
    sort_unique(ssi_seqs_);
  }
}

void StateEncoder::put_row_of(KeyBuf& out, size_t table, const Row& row, size_t self) const {
  put(out, row.size());
  const size_t n = class_of_.size();
  for (size_t c = 0; c < row.size(); ++c) {
    const int64_t* id = std::get_if<int64_t>(&row[c]);
    if (!id || !ids_.holds_identity(table, c) || *id < 1 || static_cast<uint64_t>(*id) > n) {
      put_value(out, row[c]);
      continue;
    }
    // The request whose :request_id this is (index + 1, scenario.cc).
    size_t who = static_cast<size_t>(*id - 1);
    out += '\3';
    if (self == SIZE_MAX) {
      put(out, 1 + position(who));  // the shared part: positions are known
    } else {
      // A request's own part, written before positions are known: an INSERT
      // stores only its own :request_id (identity.cc), anything else would
      // have left the analysis unusable.
      put(out, who == self ? 0 : 1 + who);
    }
  }
}

uint64_t StateEncoder::txn_ref(const World& w, TxnId t) const {
  if (!t) return 0;
  const Txn& x = w.store.txn(t);
  if (x.state == TxnState::kActive) return 1 + position(x.owner.value);
  return 1 + w.requests.size() + txn_label_[t.value];
}
std::string StateEncoder::spelled_out(const World& w, const LostUpdateWatch& watch) {
  std::string key;
  std::vector<uint32_t> slots;
  encode(w, watch, &key, &slots);
  auto hex = [](std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) {
      const char* digits = "0123456789abcdef";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    return out;
  };
  std::string out;
  for (uint32_t r : slots) out += w.requests[r].name + ": " + hex(sigs_[r]) + "\n";
  return out + "shared: " + hex(shared_) + "\n";
}

void StateEncoder::interchangeable(const World& w, const LostUpdateWatch& watch,
                                   std::vector<uint32_t>& rep) {
  std::string key;
  encode(w, watch, &key);  // the analysis interchangeable_encoded() reads
  interchangeable_encoded(w, watch, rep);
}

void StateEncoder::interchangeable_encoded(const World& w, const LostUpdateWatch& watch,
                                           std::vector<uint32_t>& rep) {
  const size_t n = w.requests.size();
  rep.resize(n);
  for (size_t i = 0; i < n; ++i) rep[i] = static_cast<uint32_t>(i);
  // The shared part with requests a and b in each other's positions.
  auto shared_swapped = [&](size_t a, size_t b, KeyBuf& dst) {
    pos_of_.resize(n);
    for (size_t p = 0; p < n; ++p) pos_of_[p] = static_cast<uint32_t>(p);
    std::swap(pos_of_[a], pos_of_[b]);
    dst.clear();
    write_shared(w, watch, dst);
  };
  bool have_base = false;
  for (size_t i = 1; i < n; ++i)
    for (size_t j = 0; j < i; ++j) {
      if (rep[j] != j || class_of_[j] != class_of_[i] || sigs_[j] != sigs_[i]) continue;
      // A shared part that names neither is the same with the two swapped
      // (which requests it names does not depend on their positions).
      if (!named_in_shared_[i] && !named_in_shared_[j]) {
        rep[i] = static_cast<uint32_t>(j);
        break;
      }
      if (!have_base) {
        shared_swapped(0, 0, shared_);
        have_base = true;
      }
      shared_swapped(i, j, swapped_);
      if (swapped_ == shared_) {
        rep[i] = static_cast<uint32_t>(j);
        break;
      }
    }
}

void StateEncoder::encode(const World& w, const LostUpdateWatch& watch, std::string* out,
                          std::vector<uint32_t>* slot_of) {
  const size_t n = w.requests.size();
  label(w, watch);
  sigs_.resize(n);
  for (size_t i = 0; i < n; ++i) request_signature(w, watch, i, sigs_[i]);

  // ---- Positions: each class's requests sorted by their own state ---------------
  // The members of a class keep the class's positions (its requests' indexes,
  // in order) and are assigned to them by signature. Equal signatures are the
  // same position in every respect the key shows, with two exceptions: SSI's
  // read/write conflicts between two of them (a cycle of three such requests
  // is not symmetric under swapping two), and a stored identity naming one
  // of them. Such a tie is broken by trying every order of it and keeping
  // the smallest key.
  std::vector<uint32_t>& slots = slots_;  // slot -> request
  slots.assign(n, 0);
  std::vector<std::vector<uint32_t>>& members = members_;
  members.resize(n);
  for (std::vector<uint32_t>& m : members) m.clear();
  for (size_t i = 0; i < n; ++i) members[class_of_[i]].push_back(static_cast<uint32_t>(i));
  struct Tie {
    std::vector<uint32_t> positions;  // the slots the tied requests fill
  };
  std::vector<Tie> ties;
  // Requests a stored identity names: their order shows in the shared part.
  named_.assign(n, 0);
  if (ids_.usable)
    for (const auto& [table, v] : kept_) {
      const Row& row = w.store.version(VersionId{v}).values;
      for (size_t col = 0; col < row.size(); ++col)
        if (const int64_t* id = std::get_if<int64_t>(&row[col]);
            id && ids_.holds_identity(table, col) && *id >= 1 && static_cast<uint64_t>(*id) <= n)
          named_[static_cast<size_t>(*id - 1)] = 1;
    }
  for (size_t c = 0; c < n; ++c) {
    const std::vector<uint32_t>& m = members[c];
    if (m.empty()) continue;
    std::vector<uint32_t>& sorted = sorted_;
    sorted.assign(m.begin(), m.end());
    // Stable, by insertion: a class holds a handful of requests, and
    // std::stable_sort would take a buffer from the heap at every key.
    for (size_t k = 1; k < sorted.size(); ++k) {
      uint32_t r = sorted[k];
      size_t j = k;
      for (; j > 0 && sigs_[r] < sigs_[sorted[j - 1]]; --j) sorted[j] = sorted[j - 1];
      sorted[j] = r;
    }
    for (size_t k = 0; k < m.size(); ++k) slots[m[k]] = sorted[k];
    if (!ssi_ && !ids_.usable) continue;
    for (size_t k = 0; k < m.size();) {
      size_t e = k + 1;
      while (e < m.size() && sigs_[sorted[e]] == sigs_[sorted[k]]) ++e;
      if (e - k > 1) {
        bool linked = std::any_of(sorted.begin() + static_cast<long>(k),
                                  sorted.begin() + static_cast<long>(e),
                                  [&](uint32_t r) { return named_[r] != 0; });
        for (const auto& [reader, writer] : w.store.rw_conflicts()) {
          const Txn& a = w.store.txn(reader);
          const Txn& b = w.store.txn(writer);
          if (a.state != TxnState::kActive || b.state != TxnState::kActive) continue;
          auto in_tie = [&](RequestId r) {
            return std::find(sorted.begin() + static_cast<long>(k),
                             sorted.begin() + static_cast<long>(e),
                             r.value) != sorted.begin() + static_cast<long>(e);
          };
          linked |= in_tie(a.owner) && in_tie(b.owner);
        }
        if (linked)
          ties.push_back(Tie{std::vector<uint32_t>(m.begin() + static_cast<long>(k),
                                                   m.begin() + static_cast<long>(e))});
      }
      k = e;
    }
  }

  // The whole key, uncompressed: each position's signature, then the rest.
  auto write = [&](const std::vector<uint32_t>& sl, KeyBuf& dst) {
    pos_of_.assign(n, 0);
    for (size_t p = 0; p < n; ++p) pos_of_[sl[p]] = static_cast<uint32_t>(p);
    dst.clear();
    for (size_t p = 0; p < n; ++p) {
      put(dst, sigs_[sl[p]].size());
      dst += sigs_[sl[p]];
    }
    shared_.clear();
    write_shared(w, watch, shared_);
    dst += shared_;
  };

  if (!ties.empty()) {
    // Every combination of orders of the tied groups; the smallest key wins.
    std::vector<uint32_t> best_slots;
    KeyBuf candidate, best;
    bool first = true;
    std::vector<std::vector<uint32_t>> orders;
    for (const Tie& t : ties) {
      std::vector<uint32_t> who;
      for (uint32_t p : t.positions) who.push_back(slots[p]);
      std::sort(who.begin(), who.end());
      orders.push_back(who);
    }
    for (;;) {
      std::vector<uint32_t> sl = slots;
      for (size_t t = 0; t < ties.size(); ++t)
        for (size_t k = 0; k < ties[t].positions.size(); ++k)
          sl[ties[t].positions[k]] = orders[t][k];
      write(sl, candidate);
      if (first || candidate < best) {
        best = candidate;
        best_slots = sl;
        first = false;
      }
      size_t t = 0;
      while (t < orders.size() && !std::next_permutation(orders[t].begin(), orders[t].end())) ++t;
      if (t == orders.size()) break;
    }
    slots = best_slots;
  }
  // The key stored is compact: each position's signature and the shared
  // part are numbered once (they recur across millions of states), and the
  // key lists those numbers.
  pos_of_.assign(n, 0);
  for (size_t p = 0; p < n; ++p) pos_of_[slots[p]] = static_cast<uint32_t>(p);
  shared_.clear();
  write_shared(w, watch, shared_);
  out->clear();
  bool added = false;
  for (size_t p = 0; p < n; ++p) put(*out, sig_ids_.insert(sigs_[slots[p]], &added));
  put(*out, shared_ids_.insert(shared_, &added));
  if (slot_of) *slot_of = slots;
}

}  // namespace ccsim
