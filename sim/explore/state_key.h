// The explorer's notion of "the same state": a canonical key of everything in
// a World that decides its future and its outcome, and nothing else.
//
// Two worlds with equal keys have the same futures: every schedule from one
// has a twin from the other (the same moves, up to renaming interchangeable
// requests) that ends in the same outcome. What the key leaves out:
//  - names of things the run made: transactions, row versions and rows are
//    numbered in a canonical order (rows by table and heap position, versions
//    by table and heap order, transactions by first use), never by when they
//    happened to be created; a snapshot is known by which of the kept
//    transactions' commits it sees, not by when it was taken;
//  - history no one can see any more: a row version older than what every
//    open snapshot (and every future one) sees, and not read into a live
//    variable, is dropped, and with it the transactions that made it; SSI's
//    counters keep only their order. A live variable read from a version
//    older than the row's newest committed one keeps, instead of the
//    version, the answer of the lost-update watch's walk from the newest
//    committed version back to it (check/lost_update_watch.h), all that
//    version can still decide;
//  - what no future step reads: dead variables (explore/program_facts.h), the
//    steps taken when the step bound is below the limit, narration;
//  - which of several interchangeable requests is which (symmetry): requests
//    with the same program, the same arguments the program reads, and the
//    same client or process where those matter are sorted by their own state,
//    so a state and its renamings share one key. Where :request_id is only a
//    name (explore/identity.h) it does not tell requests apart, and a stored
//    one is written as the position of its request.
//
// The key is bytes, compared and hashed as such: the number of each
// request's part and of the shared part, each part numbered the first time
// it is seen (parts recur across millions of states; keys stay a few bytes). Building one reads the
// world and never changes it. Not thread-safe: an encoder reuses scratch space.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "check/lost_update_watch.h"
#include "engine/world.h"
#include "explore/identity.h"
#include "explore/key_bytes.h"
#include "explore/key_table.h"
#include "explore/program_facts.h"

namespace ccsim {

class StateEncoder {
 public:
  // Prepares the analysis of `initial`'s requests: their programs' facts and
  // which requests are interchangeable. Every world encoded later must have
  // been reached from `initial` by steps.
  // With `identity_symmetry`, requests that differ only in :request_id are
  // interchangeable where the programs use it as a name only
  // (explore/identity.h).
  explicit StateEncoder(const World& initial, bool identity_symmetry = true);

  // Writes the key of (w, watch) to *out (replacing what it held). When
  // `slot_of` is given it receives the renaming used: slot_of[i] is the
  // request of w whose state stands at position i in the key.
  void encode(const World& w, const LostUpdateWatch& watch, std::string* out,
              std::vector<uint32_t>* slot_of = nullptr);

  // Which moves from w need not be tried: rep[i] is the lowest-numbered
  // request whose move from w reaches a renaming of the state request i's
  // move reaches, i itself when no other does. Two requests qualify when
  // they are interchangeable, their own states are the same, and swapping
  // them leaves the rest of the key unchanged (a lock one holds, a row that
  // names one, an SSI conflict between them tells them apart).
  void interchangeable(const World& w, const LostUpdateWatch& watch, std::vector<uint32_t>& rep);
  // The same, for the (w, watch) encode() was last called with: cheaper,
  // as what encode() worked out is reused.
  void interchangeable_encoded(const World& w, const LostUpdateWatch& watch,
                               std::vector<uint32_t>& rep);

  // The key before its parts are numbered: each position's part, then the
  // shared part, as printable text (for tests and debugging).
  std::string spelled_out(const World& w, const LostUpdateWatch& watch);

  // class_of()[i]: the symmetry class of request i (the lowest index of the
  // requests it is interchangeable with).
  const std::vector<uint32_t>& class_of() const { return class_of_; }

  // The columns whose values the key treats as names of requests.
  const IdentityColumns& identities() const { return ids_; }

 private:
  struct Scratch;
  void label(const World& w, const LostUpdateWatch& watch);
  void request_signature(const World& w, const LostUpdateWatch& watch, size_t i,
                         key_bytes::KeyBuf& out);
  void write_shared(const World& w, const LostUpdateWatch& watch, key_bytes::KeyBuf& out) const;
  void write_sxact(const Sxact& a, key_bytes::KeyBuf& out) const;
  uint64_t txn_ref(const World& w, TxnId t) const;
  // The position of request r in the key, noting that the shared part names
  // r (named_in_shared_).
  uint64_t position(size_t r) const {
    named_in_shared_[r] = 1;
    return pos_of_[r];
  }
  // A row of table `table`; an identity stored in it is written as the
  // position of its request (`self`: as "this request", for request `self`).
  void put_row_of(key_bytes::KeyBuf& out, size_t table, const Row& row,
                  size_t self = SIZE_MAX) const;

  std::vector<const ProgramFacts*> facts_;  // per request
  std::vector<ProgramFacts> facts_store_;
  std::vector<bool> count_steps_;  // per request: the step limit can be reached
  std::vector<uint32_t> class_of_;
  bool ssi_ = false;  // SERIALIZABLE can occur: encode SSI's state
  IdentityColumns ids_;
  size_t tables_initial_ = 0;

  // Scratch, reused between calls.
  std::vector<uint32_t> row_label_;
  // Every row queue entry's RowLock::since, sorted: the key writes an
  // entry's rank in it (the order the waits began, which wakes them).
  std::vector<uint64_t> wait_order_;
  uint64_t wait_rank(uint64_t since) const {
    return static_cast<uint64_t>(std::lower_bound(wait_order_.begin(), wait_order_.end(), since) -
                                 wait_order_.begin());
  }
  std::vector<uint32_t> version_label_;  // 0: not kept
  std::vector<uint32_t> txn_label_;      // committed or aborted txns: 1-based label; 0: none
  std::vector<TxnId> labelled_txns_;     // by label - 1
  std::vector<uint64_t> commits_;        // commit sequence numbers of the kept transactions, sorted
  std::vector<uint64_t> xids_, ssi_seqs_;
  std::vector<uint32_t> pos_of_;  // request -> position in the key
  std::vector<char> named_;       // per request: a stored identity names it
  std::vector<key_bytes::KeyBuf> sigs_;
  key_bytes::KeyBuf shared_, swapped_;
  std::vector<uint32_t> slots_, sorted_;
  std::vector<std::vector<uint32_t>> members_;
  // write_shared()'s (const: it only reads the world).
  mutable std::vector<RowId> by_label_;
  mutable std::vector<std::pair<uint64_t, uint64_t>> holders_;
  mutable std::vector<VersionId> versions_;
  // Per request: whether the last write_shared() wrote its position. A swap
  // of two requests it names neither of leaves the shared part unchanged.
  mutable std::vector<char> named_in_shared_;
  std::vector<char> referenced_, read_from_, on_chain_, keep_;
  std::vector<VersionId> newest_committed_;  // per row: chain[committed_at] in label()
  std::vector<VersionId> chain_;
  std::vector<Snapshot> open_;
  std::vector<std::pair<uint32_t, uint32_t>> kept_;
  // The parts of keys, each numbered once: a key is the list of its parts' numbers.
  KeyTable sig_ids_, shared_ids_;
};

}  // namespace ccsim
