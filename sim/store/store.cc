#include "store/store.h"

#include <algorithm>
#include <limits>

namespace ccsim {

int Table::column_index(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column) return static_cast<int>(i);
  return -1;
}

int Table::partition_of(const Row& values) const {
  if (!partitioning) return 0;
  const Value& v = values[partitioning->column];
  int fallback = -1;
  for (size_t k = 0; k < partitioning->parts.size(); ++k) {
    const Partition& p = partitioning->parts[k];
    if (p.is_default) {
      fallback = static_cast<int>(k);
    } else if (!partitioning->range) {
      for (const Value& x : p.values)
        if (is_null(x) ? is_null(v) : !is_null(v) && compare_sql(v, x) == 0)
          return static_cast<int>(k);
    } else if (!is_null(v) && (!p.lo || compare_sql(v, *p.lo) >= 0) &&
               (!p.hi || compare_sql(v, *p.hi) < 0)) {
      return static_cast<int>(k);
    }
  }
  return fallback;
}

const std::string& Table::relation_of(const Row& values) const {
  if (!partitioning) return name;
  int k = partition_of(values);
  return k < 0 ? name : partitioning->parts[k].name;
}

bool Table::key_column(size_t c) const {
  if (columns[c].primary_key) return true;
  for (const UniqueKey& u : uniques)
    if (!u.predicate &&
        std::find(u.columns.begin(), u.columns.end(), static_cast<int>(c)) != u.columns.end())
      return true;
  return false;
}

bool Table::indexed(size_t c) const {
  if (key_column(c)) return true;
  auto has = [&](const std::vector<int>& cols) {
    return std::find(cols.begin(), cols.end(), static_cast<int>(c)) != cols.end();
  };
  for (const UniqueKey& u : uniques)
    if (has(u.columns) || has(u.predicate_columns)) return true;
  for (const PlainIndex& p : plain_indexes)
    if (has(p.columns) || has(p.predicate_columns)) return true;
  return false;
}

bool Table::more_indexed() const {
  return !plain_indexes.empty() || std::any_of(uniques.begin(), uniques.end(),
                                               [](const UniqueKey& u) { return u.predicate; });
}

bool Table::has_index() const {
  return !uniques.empty() || !plain_indexes.empty() ||
         std::any_of(columns.begin(), columns.end(), [](const Column& c) { return c.primary_key; });
}

std::vector<int> Table::key_columns() const {
  std::vector<int> out;
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].primary_key) out.push_back(static_cast<int>(i));
  return out;
}

size_t Table::key_column_count() const {
  return static_cast<size_t>(
      std::count_if(columns.begin(), columns.end(), [](const Column& c) { return c.primary_key; }));
}

int Table::single_key_column() const {
  int found = -1;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!columns[i].primary_key) continue;
    if (found >= 0) return -1;
    found = static_cast<int>(i);
  }
  return found;
}

Row Table::key_of(const Row& values) const {
  Row key;
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].primary_key) key.push_back(values[i]);
  return key;
}

bool conflicts(LockMode a, LockMode b) {
  if (is_table_mode(a) != is_table_mode(b)) return false;
  if (is_table_mode(a)) {
    // PostgreSQL's table lock conflicts (docs: "Table-Level Locks"), by mode
    // from ACCESS SHARE (bit 0) to ACCESS EXCLUSIVE (bit 7): the modes each
    // conflicts with.
    static constexpr unsigned kConflicts[8] = {
        0x80,  // ACCESS SHARE: ACCESS EXCLUSIVE
        0xC0,  // ROW SHARE: EXCLUSIVE, ACCESS EXCLUSIVE
        0xF0,  // ROW EXCLUSIVE: SHARE and up
        0xF8,  // SHARE UPDATE EXCLUSIVE: itself and up
        0xEC,  // SHARE: ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE, SHARE ROW EXCLUSIVE and up
        0xFC,  // SHARE ROW EXCLUSIVE: ROW EXCLUSIVE and up
        0xFE,  // EXCLUSIVE: ROW SHARE and up
        0xFF,  // ACCESS EXCLUSIVE: all
    };
    int i = static_cast<int>(a) - static_cast<int>(LockMode::kAccessShare);
    int k = static_cast<int>(b) - static_cast<int>(LockMode::kAccessShare);
    return (kConflicts[i] >> k) & 1u;
  }
  // Strengths 0..3; two modes conflict when their strengths add up to 3 or more.
  // KEY SHARE(0)+UPDATE(3), SHARE(1)+NO KEY UPDATE(2), NO KEY UPDATE+itself ...
  return static_cast<int>(a) + static_cast<int>(b) >= 3;
}

TableId Store::create_table(const std::string& name, std::vector<Column> columns,
                            const std::string& key_name, TxnId by) {
  if (by)
    ddl_.push_back(DdlRecord{
        by, TableId{static_cast<uint32_t>(tables_.size())}, true, DdlRecord::Kind::kTable, {}});
  bool serial =
      std::any_of(columns.begin(), columns.end(), [](const Column& c) { return c.serial; });
  size_t width = columns.size();
  tables_.push_back(Table{name,
                          key_name.empty() ? name + "_pkey" : key_name,
                          std::move(columns),
                          {},
                          {},
                          false,
                          -1,
                          0,
                          0,
                          false,
                          {},
                          {},
                          {},
                          {},
                          {},
                          std::nullopt});
  if (serial) tables_.back().sequences.assign(width, 0);
  digest_schema();
  return TableId{static_cast<uint32_t>(tables_.size() - 1)};
}

int64_t Store::next_serial(TableId t, size_t c) {
  Table& table = tables_[t.value];
  const Column& col = table.columns[c];
  int64_t max = col.type == ColumnType::kBigInt     ? std::numeric_limits<int64_t>::max()
                : col.type == ColumnType::kSmallInt ? std::numeric_limits<int16_t>::max()
                                                    : std::numeric_limits<int32_t>::max();
  int64_t& last = table.sequences[c];
  if (last == max)
    throw SqlError("2200H", "nextval: reached maximum value of sequence \"" + table.name + "_" +
                                col.name + "_seq\" (" + std::to_string(max) + ")");
  return ++last;
}

// A new row without versions in the hidden table that advisory and table
// locks live in.
RowId Store::hidden_lock_row() {
  if (!advisory_table_) advisory_table_ = create_table("", {});
  RowId r{static_cast<uint32_t>(rows_.size())};
  rows_.push_back(RowState{*advisory_table_, VersionId{}, {}, {}});
  tables_[advisory_table_->value].rows.push_back(r);
  return r;
}

std::optional<size_t> Store::find_sequence(const std::string& name) const {
  for (size_t i = 0; i < sequences_.size(); ++i)
    if (sequences_[i].name == name) return i;
  return std::nullopt;
}

// ---- Rule: nextval (commands/sequence.c) -----------------------------------------
// The first call returns last_value itself; each later one adds the
// increment. Past MAXVALUE (or below MINVALUE, descending) a CYCLE
// sequence starts over at the other bound; one without fails with 2200H.
int64_t Store::nextval(size_t i) {
  Sequence& s = sequences_[i];
  if (!s.called) {
    s.called = true;
    return s.last;
  }
  const bool up = s.increment > 0;
  // As sequence.c tests it, without overflowing either way.
  const int64_t inc = s.increment;
  const bool past =
      up ? (s.max >= 0 && s.last > s.max - inc) || (s.max < 0 && s.last + inc > s.max)
         : (s.min < 0 && s.last < s.min - inc) || (s.min >= 0 && s.last + inc < s.min);
  if (past) {
    if (!s.cycle)
      throw SqlError("2200H", std::string("nextval: reached ") + (up ? "maximum" : "minimum") +
                                  " value of sequence \"" + s.name + "\" (" +
                                  std::to_string(up ? s.max : s.min) + ")");
    s.last = up ? s.min : s.max;
  } else {
    s.last += s.increment;
  }
  return s.last;
}

RowId Store::advisory_row(AdvisoryKey key) {
  for (const auto& [k, r] : advisory_)
    if (k == key) return r;
  return advisory_.emplace_back(key, hidden_lock_row()).second;
}

RowId Store::table_lock_row(TableId t) {
  for (const auto& [table, r] : table_locks_)
    if (table == t) return r;
  return table_locks_.emplace_back(t, hidden_lock_row()).second;
}

std::optional<TableId> Store::locked_table(RowId r) const {
  if (!advisory_table_ || rows_[r.value].table != *advisory_table_) return std::nullopt;
  for (const auto& [t, row] : table_locks_)
    if (row == r) return t;
  return std::nullopt;
}

bool Store::manager_lock(RowId r) const {
  return advisory_table_ && rows_[r.value].table == *advisory_table_;
}

std::optional<AdvisoryKey> Store::advisory_key(RowId r) const {
  if (!advisory_table_ || rows_[r.value].table != *advisory_table_) return std::nullopt;
  for (const auto& [k, row] : advisory_)
    if (row == r) return k;
  return std::nullopt;
}

bool Store::referenced(TableId t) const {
  for (const Table& other : tables_)
    if (!other.dropped)
      for (const ForeignKey& fk : other.foreign_keys)
        if (fk.parent == t) return true;
  return false;
}

void Store::drop_table(TableId t, TxnId by) {
  tables_[t.value].dropped = true;
  if (by) ddl_.push_back(DdlRecord{by, t, false, DdlRecord::Kind::kTable, {}});
  digest_schema();
}

void Store::digest_schema() {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i, v >>= 8) h = (h ^ (v & 0xff)) * 1099511628211ull;
  };
  auto text = [&](const std::string& t) {
    mix(t.size());
    for (char c : t) mix(static_cast<unsigned char>(c));
  };
  for (const Table& t : tables_) {
    if (t.dropped) continue;
    text(t.name);
    for (const Column& c : t.columns) {
      text(c.name);
      mix(static_cast<uint64_t>(c.type));
      mix(static_cast<uint64_t>(c.max_length) << 1 | (c.blank_padded ? 1 : 0));
      mix(static_cast<uint64_t>(c.precision) << 8 | static_cast<uint64_t>(c.scale));
      mix(static_cast<uint64_t>(c.identity));  // what an INSERT may give it (typing.cc)
    }
  }
  schema_digest_ = h | 1;
}

std::optional<TableId> Store::find_table(const std::string& name) const {
  for (size_t i = 0; i < tables_.size(); ++i)
    if (!tables_[i].dropped && tables_[i].name == name) return TableId{static_cast<uint32_t>(i)};
  return std::nullopt;
}

void Store::alter_add_foreign_key(TableId t, ForeignKey fk, TxnId by) {
  if (by) {
    ddl_.push_back(DdlRecord{by, t, false, DdlRecord::Kind::kAddForeignKey, fk.name});
  }
  fk.made = ++foreign_keys_made_;
  tables_[t.value].foreign_keys.push_back(std::move(fk));
}

void Store::validate_foreign_key(TableId t, size_t k, TxnId by) {
  ForeignKey& fk = tables_[t.value].foreign_keys[k];
  if (by) {
    ddl_.push_back(DdlRecord{by, t, false, DdlRecord::Kind::kValidateForeignKey, fk.name});
  }
  fk.not_valid = false;
}

bool Store::created_by_other(TableId tid, TxnId t) const {
  for (const DdlRecord& d : ddl_)
    if (d.kind == DdlRecord::Kind::kTable && d.created && d.table == tid && d.txn != t &&
        txn(d.txn).state == TxnState::kActive)
      return true;
  return false;
}

std::optional<TableId> Store::find_visible_table(const std::string& name, TxnId t) const {
  std::optional<TableId> live = find_table(name);
  if (live && created_by_other(*live, t)) return std::nullopt;
  return live;
}

std::optional<TableId> Store::find_table_for_lock(const std::string& name, TxnId t) const {
  if (std::optional<TableId> live = find_visible_table(name, t)) return live;
  for (const DdlRecord& d : ddl_)
    if (d.kind == DdlRecord::Kind::kTable && !d.created && d.txn != t &&
        txn(d.txn).state == TxnState::kActive && tables_[d.table.value].name == name)
      return d.table;
  return std::nullopt;
}

void Store::undo_ddl(TxnId t, size_t from) {
  for (size_t i = ddl_.size(); i-- > from;)
    if (ddl_[i].txn == t) {
      const DdlRecord& d = ddl_[i];
      std::vector<ForeignKey>& fks = tables_[d.table.value].foreign_keys;
      auto named = std::find_if(fks.begin(), fks.end(),
                                [&](const ForeignKey& fk) { return fk.name == d.constraint; });
      switch (d.kind) {
        case DdlRecord::Kind::kTable:
          tables_[d.table.value].dropped = d.created;
          break;
        case DdlRecord::Kind::kAddForeignKey:
          if (named != fks.end()) fks.erase(named);
          break;
        case DdlRecord::Kind::kValidateForeignKey:
          if (named != fks.end()) named->not_valid = true;
          break;
      }
      ddl_.erase(ddl_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  digest_schema();
}

TxnId Store::begin(RequestId owner, Isolation iso, bool read_only, bool deferrable) {
  const TxnId id{static_cast<uint32_t>(txns_.size() + 1)};
  Txn& t = txns_.emplace_back();
  t.id = id;
  t.owner = owner;
  t.isolation = iso;
  t.read_only = read_only;
  t.deferrable = deferrable;
  return id;
}

void Store::disown_all() {
  for (Txn& t : txns_) t.owner = kNoRequest;
}

void Store::set_modes(TxnId t, Isolation iso, bool read_only, bool deferrable) {
  Txn& x = mut(t);
  x.isolation = iso;
  x.read_only = read_only;
  x.deferrable = deferrable;
}

Snapshot Store::statement_snapshot(TxnId t) {
  Txn& x = mut(t);
  x.snapshot_taken = true;
  if (snapshot_per_statement(x.isolation)) return Snapshot{commit_seq_, t};
  if (!x.snapshot) {
    x.snapshot = Snapshot{commit_seq_, t};
    if (x.isolation == Isolation::kSerializable) ssi_register(x);
  }
  return *x.snapshot;
}

Snapshot Store::view_snapshot(TxnId t) const {
  const Txn& x = txn(t);
  return x.snapshot && !snapshot_per_statement(x.isolation) ? *x.snapshot
                                                            : Snapshot{commit_seq_, t};
}

std::vector<TxnId> Store::end(TxnId t, bool commit) {
  Txn& x = mut(t);
  if (commit) {
    x.state = TxnState::kCommitted;
    x.commit_seq = ++commit_seq_;
    ssi_end(t, true);
  } else {
    ssi_end(t, false);
    x.state = TxnState::kAborted;
    undo_ddl(t, 0);
    // Undo in reverse: restore each row's newest pointer and un-replace it.
    for (auto it = x.undo.rbegin(); it != x.undo.rend(); ++it) {
      auto [r, before] = *it;
      rows_[r.value].newest = before;
      if (before) {
        Version& v = versions_[before.value - 1];
        v.xmax = TxnId{};
        v.next = VersionId{};
      }
    }
  }
  x.undo.clear();
  std::vector<TxnId> granted = cancel_wait(t);
  std::vector<RowId> locked = std::move(x.locked);
  mut(t).locked.clear();
  WokenRows woken;
  for (RowId r : locked) {
    auto& h = rows_[r.value].holders;
    h.erase(std::remove_if(h.begin(), h.end(), [&](const RowLock& l) { return l.txn == t; }),
            h.end());
    if (manager_lock(r))  // a table's or a key's lock: in the lock manager's own order
      grant_waiters(r, granted);
    else
      grant_row_waiters(r, granted, woken);
  }
  woken.merge_into(granted);
  return granted;
}

// ---- Rule: the waiters for a transaction's end wake in the order they came ----
// A statement that waits for a row's holder waits on the holder's
// transaction (XactLockTableWait), or on the subtransaction that locked the
// row: one queue for every row it holds, which its end grants in the order
// the waits began, whichever rows they wait for (ProcLockWakeup). Those
// behind them on one row come after them.
void Store::grant_row_waiters(RowId r, const std::vector<TxnId>& granted, WokenRows& woken) {
  if (woken.at == SIZE_MAX) woken.at = granted.size();
  std::vector<TxnId> row;
  std::vector<uint64_t> since;
  grant_waiters(r, row, &since);
  for (size_t i = 0; i < row.size(); ++i) woken.waiters.emplace_back(since[i], row[i]);
}

void Store::WokenRows::merge_into(std::vector<TxnId>& granted) const {
  if (waiters.empty()) return;
  std::vector<std::pair<uint64_t, TxnId>> sorted = waiters;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TxnId> in_order;
  for (const auto& w : sorted) in_order.push_back(w.second);
  granted.insert(granted.begin() + static_cast<std::ptrdiff_t>(at), in_order.begin(),
                 in_order.end());
}

SavepointMark Store::mark(TxnId t) const {
  const Txn& x = txn(t);
  SavepointMark m;
  m.undo = x.undo.size();
  m.ddl = ddl_.size();
  for (RowId r : x.locked)
    for (const RowLock& h : rows_[r.value].holders)
      if (h.txn == t) m.locks.emplace_back(r, h.mode);
  return m;
}

std::vector<TxnId> Store::rollback_to(TxnId t, const SavepointMark& m) {
  Txn& x = mut(t);
  for (size_t i = x.undo.size(); i-- > m.undo;) {
    auto [r, before] = x.undo[i];
    rows_[r.value].newest = before;
    if (before) {
      Version& v = versions_[before.value - 1];
      v.xmax = TxnId{};
      v.next = VersionId{};
    }
  }
  x.undo.resize(std::min(x.undo.size(), m.undo));
  undo_ddl(t, m.ddl);
  std::vector<TxnId> granted;
  std::vector<RowId> locked = std::move(x.locked);
  mut(t).locked.clear();
  WokenRows woken;
  for (RowId r : locked) {
    auto& h = rows_[r.value].holders;
    if (manager_lock(r)) {  // a table's or a key's: the modes taken since the mark go
      std::erase_if(h, [&](const RowLock& l) {
        return l.txn == t && std::find(m.locks.begin(), m.locks.end(),
                                       std::pair<RowId, LockMode>{r, l.mode}) == m.locks.end();
      });
      if (std::any_of(h.begin(), h.end(), [&](const RowLock& l) { return l.txn == t; }))
        mut(t).locked.push_back(r);
      grant_waiters(r, granted);
      continue;
    }
    auto held = std::find_if(h.begin(), h.end(), [&](const RowLock& l) { return l.txn == t; });
    auto then =
        std::find_if(m.locks.begin(), m.locks.end(), [&](const auto& l) { return l.first == r; });
    if (then == m.locks.end()) {
      if (held != h.end()) h.erase(held);
    } else {
      if (held != h.end()) held->mode = then->second;
      mut(t).locked.push_back(r);
    }
    grant_row_waiters(r, granted, woken);
  }
  woken.merge_into(granted);
  return granted;
}

void Store::grant_waiters(RowId r, std::vector<TxnId>& granted, std::vector<uint64_t>* since) {
  RowState& row = rows_[r.value];
  if (manager_lock(r)) return grant_table_waiters(r, granted);
  auto blocked_by_others = [&](const RowLock& w) {
    return std::any_of(row.holders.begin(), row.holders.end(), [&](const RowLock& h) {
      return !same_backend(h.txn, w.txn) && conflicts(h.mode, w.mode);
    });
  };
  // A transaction that already holds a lock on the row and waits to
  // strengthen it does not queue behind the others: PostgreSQL's
  // heap_lock_tuple skips the tuple lock for it and waits on the holders
  // alone, so it goes first once they let it (tuplelock-upgrade-no-deadlock).
  for (size_t i = 0; i < row.queue.size();) {
    RowLock w = row.queue[i];
    auto held = std::find_if(row.holders.begin(), row.holders.end(),
                             [&](const RowLock& h) { return h.txn == w.txn; });
    if (!w.hold || held == row.holders.end() || blocked_by_others(w)) {
      ++i;
      continue;
    }
    row.queue.erase(row.queue.begin() + static_cast<std::ptrdiff_t>(i));
    held->mode = std::max(held->mode, w.mode);
    granted.push_back(w.txn);
    if (since) since->push_back(w.since);
  }
  // In queue order. A wait for the holders to end (a writer of a key,
  // XactLockTableWait) is no tuple lock: it ends once they have, whoever
  // waits ahead of it, and keeps no one behind it waiting.
  bool stuck = false;  // a tuple lock's waiter could not be granted: those behind wait
  for (size_t i = 0; i < row.queue.size();) {
    RowLock w = row.queue[i];
    if ((w.hold && stuck) || blocked_by_others(w)) {
      stuck = stuck || w.hold;
      ++i;
      continue;
    }
    row.queue.erase(row.queue.begin() + static_cast<std::ptrdiff_t>(i));
    auto held = std::find_if(row.holders.begin(), row.holders.end(),
                             [&](const RowLock& h) { return h.txn == w.txn; });
    if (!w.hold) {
      // Nothing to take.
    } else if (held != row.holders.end()) {
      held->mode = std::max(held->mode, w.mode);  // an upgrade that waited
    } else {
      row.holders.push_back(w);
      mut(w.txn).locked.push_back(r);
    }
    granted.push_back(w.txn);
    if (since) since->push_back(w.since);
  }
}

bool Store::visible(const Version& v, const Snapshot& s) const {
  auto seen = [&](TxnId t) {
    if (t == s.self) return true;
    const Txn& x = txn(t);
    return x.state == TxnState::kCommitted && x.commit_seq <= s.seq;
  };
  if (!seen(v.xmin)) return false;
  return !v.xmax || !seen(v.xmax);
}

std::vector<VersionId> Store::scan(TableId t, const Snapshot& s) const {
  std::vector<VersionId> out;
  scan_into(t, s, out);
  return out;
}

void Store::scan_into(TableId t, const Snapshot& s, std::vector<VersionId>& out) const {
  const size_t from = out.size();
  for (RowId r : tables_[t.value].rows) {
    // Walk back from the newest version to the first one s sees.
    for (VersionId id = rows_[r.value].newest; id; id = version(id).prev) {
      if (visible(version(id), s)) {
        out.push_back(id);
        break;
      }
    }
  }
  // A sequential scan returns tuples in the order they sit in the heap, and
  // a new version is written after every tuple already there: the order in
  // which the versions were made (a table's rows fit in one page here).
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end());
}

VersionId Store::newest_committed(RowId r) const {
  for (VersionId id = rows_[r.value].newest; id; id = version(id).prev) {
    const Version& v = version(id);
    if (!committed(v.xmin)) continue;
    return committed(v.xmax) ? VersionId{} : id;
  }
  return VersionId{};
}

const std::vector<RowId>* Store::rows_with_key(TableId t, const Row& key) const {
  const auto& index = tables_[t.value].by_key;
  auto it = index.find(key);
  return it == index.end() ? nullptr : &it->second;
}

// Lists row r under `key` in an index (kept in heap order).
static void list_under(std::map<Row, std::vector<RowId>>& index, const Row& key, RowId r) {
  std::vector<RowId>& rows = index[key];
  auto at = std::lower_bound(rows.begin(), rows.end(), r);
  if (at == rows.end() || *at != r) rows.insert(at, r);
}

// Lists row r under the key of `values` in each of the table's indexes.
static void index_key(Table& t, RowId r, const Row& values) {
  Row key = t.key_of(values);
  if (!key.empty()) list_under(t.by_key, key, r);
  for (UniqueKey& u : t.uniques) {
    Row k;
    for (int c : u.columns) k.push_back(values[static_cast<size_t>(c)]);
    if (std::none_of(k.begin(), k.end(), [](const Value& v) { return is_null(v); }))
      list_under(u.rows, k, r);
  }
}

void Store::add_unique(TableId t, std::string name, std::vector<int> columns) {
  tables_[t.value].uniques.push_back(
      UniqueKey{std::move(name), std::move(columns), {}, nullptr, {}, true});
}

void Store::add_index(TableId t, std::string name, const std::vector<int>& columns, bool primary,
                      std::shared_ptr<const Expr> predicate, std::vector<int> predicate_columns,
                      bool constraint) {
  Table& table = tables_[t.value];
  if (primary) {
    for (int c : columns) table.columns[static_cast<size_t>(c)].primary_key = true;
    for (int c : columns) table.columns[static_cast<size_t>(c)].not_null = true;
    table.key_name = std::move(name);
  } else {
    table.uniques.push_back(UniqueKey{std::move(name),
                                      columns,
                                      {},
                                      std::move(predicate),
                                      std::move(predicate_columns),
                                      constraint});
  }
  for (RowId r : table.rows)
    for (VersionId v = rows_[r.value].newest; v; v = version(v).prev) {
      const Row& values = version(v).values;
      if (primary) {
        list_under(table.by_key, table.key_of(values), r);
        continue;
      }
      Row k;
      for (int c : columns) k.push_back(values[static_cast<size_t>(c)]);
      if (std::none_of(k.begin(), k.end(), [](const Value& x) { return is_null(x); }))
        list_under(table.uniques.back().rows, k, r);
    }
  digest_schema();
}

void Store::add_plain_index(TableId t, std::string name, const std::vector<int>& columns,
                            bool pattern_ops, std::shared_ptr<const Expr> predicate,
                            std::vector<int> predicate_columns) {
  tables_[t.value].plain_indexes.push_back(PlainIndex{
      std::move(name), columns, pattern_ops, std::move(predicate), std::move(predicate_columns)});
  digest_schema();
}

void Store::index_row(RowId r, size_t index) {
  Table& t = tables_[rows_[r.value].table.value];
  const Row& values = version(rows_[r.value].newest).values;
  if (index == 0) {
    Row key = t.key_of(values);
    if (!key.empty()) list_under(t.by_key, key, r);
    return;
  }
  UniqueKey& u = t.uniques[index - 1];
  Row k;
  for (int c : u.columns) k.push_back(values[static_cast<size_t>(c)]);
  if (std::none_of(k.begin(), k.end(), [](const Value& v) { return is_null(v); }))
    list_under(u.rows, k, r);
}

namespace {

size_t aligned(size_t n, size_t to) {
  return (n + to - 1) / to * to;
}

// A numeric's bytes on disk: its header and a 2-byte digit for each group
// of four decimal digits, leading and trailing zero groups left out.
size_t numeric_bytes(const Value& v) {
  std::string text = to_display(v);
  if (!text.empty() && text[0] == '-') text.erase(0, 1);
  const size_t point = text.find('.');
  std::string whole = text.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  while (!whole.empty() && whole.front() == '0') whole.erase(0, 1);
  size_t groups = (whole.size() + 3) / 4 + (fraction.size() + 3) / 4;
  // Whole groups of zeros at the end of the integer part, with no fraction.
  for (size_t end = whole.size(); fraction.empty() && end >= 4 && groups > 0; end -= 4) {
    if (whole.compare(end - 4, 4, "0000") != 0) break;
    --groups;
  }
  return 3 + 2 * groups;
}

}  // namespace

// ---- Rule: a heap tuple's bytes ---------------------------------------------------
// Its 23-byte header (and a null bitmap when a value is NULL), aligned to
// 8; each value at its type's alignment (a short text or numeric, with its
// 1-byte header, unaligned); the whole aligned to 8; and its 4-byte line
// pointer. A page holds 8192 - 24 bytes of them.
size_t Store::tuple_bytes(const Table& t, const Row& values) {
  bool nulls = false;
  for (const Value& v : values) nulls = nulls || is_null(v);
  size_t at = aligned(23 + (nulls ? (t.columns.size() + 7) / 8 : 0), 8);
  for (size_t c = 0; c < t.columns.size() && c < values.size(); ++c) {
    if (is_null(values[c])) continue;
    switch (t.columns[c].type) {
      case ColumnType::kSmallInt:
        at = aligned(at, 2) + 2;
        break;
      case ColumnType::kInt:
      case ColumnType::kDate:
        at = aligned(at, 4) + 4;
        break;
      case ColumnType::kBigInt:
      case ColumnType::kTimestamp:
      case ColumnType::kTimestampTz:
        at = aligned(at, 8) + 8;
        break;
      case ColumnType::kBool:
        at += 1;
        break;
      case ColumnType::kUuid:
        at += 16;
        break;
      case ColumnType::kText: {
        const auto* str = std::get_if<std::string>(&values[c]);
        const size_t n = str ? str->size() : to_display(values[c]).size();
        at = n + 1 <= 127 ? at + n + 1 : aligned(at, 4) + n + 4;
        break;
      }
      case ColumnType::kNumeric:
        at += numeric_bytes(values[c]);
        break;
    }
  }
  return aligned(at, 8) + 4;
}

RowId Store::insert(TableId t, TxnId by, Row values, bool indexed) {
  {
    Table& table = tables_[t.value];
    const size_t bytes = tuple_bytes(table, values);
    if (table.heap_pages == 0 || bytes > table.page_free) {
      ++table.heap_pages;
      table.page_free = static_cast<uint32_t>(8192 - 24 - std::min<size_t>(bytes, 8192 - 24));
    } else {
      table.page_free -= static_cast<uint32_t>(bytes);
    }
  }
  RowId r{static_cast<uint32_t>(rows_.size())};
  if (indexed) index_key(tables_[t.value], r, values);
  VersionId v{static_cast<uint32_t>(versions_.size() + 1)};
  versions_.push_back(Version{v, r, std::move(values), by, TxnId{}, VersionId{}, VersionId{}});
  rows_.push_back(RowState{t, v, {}, {}});
  tables_[t.value].rows.push_back(r);
  tables_[t.value].all_visible = false;
  mut(by).undo.emplace_back(r, VersionId{});
  assign_xid(by);
  return r;
}

VersionId Store::update(RowId r, TxnId by, Row values, bool indexed, bool key_update) {
  RowState& row = rows_[r.value];
  if (indexed) index_key(tables_[row.table.value], r, values);
  tables_[row.table.value].all_visible = false;
  VersionId before = row.newest;
  VersionId v{static_cast<uint32_t>(versions_.size() + 1)};
  versions_.push_back(Version{v, r, std::move(values), by, TxnId{}, VersionId{}, before});
  Version& old = versions_[before.value - 1];
  old.xmax = by;
  old.next = v;
  old.key_updated = key_update;
  row.newest = v;
  mut(by).undo.emplace_back(r, before);
  assign_xid(by);
  return v;
}

void Store::remove(RowId r, TxnId by, bool moved) {
  RowState& row = rows_[r.value];
  tables_[row.table.value].all_visible = false;
  Version& old = versions_[row.newest.value - 1];
  old.xmax = by;
  old.next = VersionId{};
  old.moved = moved;
  mut(by).undo.emplace_back(r, row.newest);
  assign_xid(by);
}

bool Store::holds(RowId r, TxnId t, LockMode mode) const {
  const bool exact = is_table_mode(mode);
  for (const RowLock& h : rows_[r.value].holders)
    if (h.txn == t && (exact ? h.mode == mode : static_cast<int>(h.mode) >= static_cast<int>(mode)))
      return true;
  return false;
}

LockResult Store::lock(RowId r, TxnId t, LockMode mode, bool enqueue, bool take_xid) {
  if (is_table_mode(mode)) return lock_table_mode(r, t, mode, enqueue);
  if (take_xid) assign_xid(t);  // heap_lock_tuple takes an xid before it looks at the row
  if (holds(r, t, mode)) return LockResult::kGranted;
  RowState& row = rows_[r.value];
  if (!blockers(r, t, mode).empty()) {
    if (!enqueue) return LockResult::kUnavailable;
    row.queue.push_back(RowLock{t, mode, true, ++wait_seq_});
    return LockResult::kEnqueued;
  }
  for (RowLock& h : row.holders)
    if (h.txn == t) {
      h.mode = mode;  // upgrade
      return LockResult::kGranted;
    }
  row.holders.push_back(RowLock{t, mode, true});
  mut(t).locked.push_back(r);
  return LockResult::kGranted;
}

// ---- Rule: a table's locks (PostgreSQL's lock manager, lock.c and proc.c) ----
// A transaction holds each mode it asked for (several per table), to its
// end. A request is granted at once when the transaction holds that mode
// already, or when it conflicts neither with a mode others hold nor with a
// mode a waiter asked for; otherwise it waits, at the end of the queue -
// unless the transaction holds a mode that a waiter's request conflicts
// with: then it goes just before the first such waiter, and is granted at
// once when nothing ahead of that place and nothing granted to others
// conflicts with it (ProcSleep). When that waiter holds a mode the request
// conflicts with, the two would wait for each other: kDeadlock, at once.
LockResult Store::lock_table_mode(RowId r, TxnId t, LockMode mode, bool enqueue) {
  RowState& row = rows_[r.value];
  auto take = [&] {
    bool first = std::none_of(row.holders.begin(), row.holders.end(),
                              [&](const RowLock& h) { return h.txn == t; });
    row.holders.push_back(RowLock{t, mode, true});
    if (first) mut(t).locked.push_back(r);
    return LockResult::kGranted;
  };
  // The modes t's backend holds: a session's advisory locks and its
  // transaction's are one backend's (PostgreSQL's PROCLOCK), and a mode the
  // backend holds already is granted at once (its LOCALLOCK), at either level.
  std::vector<LockMode> mine;
  bool backend_holds = false;
  for (const RowLock& h : row.holders) {
    if (!same_backend(h.txn, t)) continue;
    if (h.mode == mode && h.txn == t) return LockResult::kGranted;
    backend_holds |= h.mode == mode;
    mine.push_back(h.mode);
  }
  if (backend_holds) return take();
  auto granted_conflict = [&] {
    return std::any_of(row.holders.begin(), row.holders.end(), [&](const RowLock& h) {
      return !same_backend(h.txn, t) && conflicts(h.mode, mode);
    });
  };
  const bool waiter_conflict =
      std::any_of(row.queue.begin(), row.queue.end(),
                  [&](const RowLock& w) { return conflicts(w.mode, mode); });
  if (!waiter_conflict && !granted_conflict()) return take();
  if (!enqueue) return LockResult::kUnavailable;
  size_t at = row.queue.size();
  bool ahead_conflict = false;
  for (size_t i = 0; !mine.empty() && i < row.queue.size(); ++i) {
    const RowLock& w = row.queue[i];
    auto held_conflicts = [&](LockMode held) { return conflicts(w.mode, held); };
    if (std::any_of(mine.begin(), mine.end(), held_conflicts)) {
      for (const RowLock& h : row.holders)
        if (same_backend(h.txn, w.txn) && conflicts(mode, h.mode)) return LockResult::kDeadlock;
      if (!ahead_conflict && !granted_conflict()) return take();
      at = i;
      break;
    }
    ahead_conflict |= conflicts(w.mode, mode);
  }
  row.queue.insert(row.queue.begin() + static_cast<std::ptrdiff_t>(at),
                   RowLock{t, mode, true, ++wait_seq_});
  return LockResult::kEnqueued;
}

// On a release, each waiter in queue order is granted when its request
// conflicts neither with the modes others hold nor with the requests of the
// waiters still ahead of it (ProcLockWakeup).
void Store::grant_table_waiters(RowId r, std::vector<TxnId>& granted) {
  RowState& row = rows_[r.value];
  std::vector<LockMode> ahead;
  for (size_t i = 0; i < row.queue.size();) {
    const RowLock w = row.queue[i];
    bool blocked =
        std::any_of(ahead.begin(), ahead.end(), [&](LockMode m) { return conflicts(m, w.mode); }) ||
        std::any_of(row.holders.begin(), row.holders.end(), [&](const RowLock& h) {
          return !same_backend(h.txn, w.txn) && conflicts(h.mode, w.mode);
        });
    if (blocked) {
      ahead.push_back(w.mode);
      ++i;
      continue;
    }
    row.queue.erase(row.queue.begin() + static_cast<std::ptrdiff_t>(i));
    if (std::none_of(row.holders.begin(), row.holders.end(),
                     [&](const RowLock& h) { return h.txn == w.txn; }))
      mut(w.txn).locked.push_back(r);
    row.holders.push_back(w);
    granted.push_back(w.txn);
  }
}

std::vector<TxnId> Store::table_waits_on(RowId r, TxnId t, LockMode mode) const {
  std::vector<TxnId> out = blockers(r, t, mode);
  for (const RowLock& w : rows_[r.value].queue) {
    if (w.txn == t) break;
    if (conflicts(w.mode, mode) && std::find(out.begin(), out.end(), w.txn) == out.end())
      out.push_back(w.txn);
  }
  return out;
}

bool Store::wait_for_holders(RowId r, TxnId t, LockMode mode) {
  if (blockers(r, t, mode).empty()) return false;
  rows_[r.value].queue.push_back(RowLock{t, mode, false, ++wait_seq_});
  return true;
}

std::vector<TxnId> Store::blockers(RowId r, TxnId t, LockMode mode) const {
  std::vector<TxnId> out;
  for (const RowLock& h : rows_[r.value].holders)
    if (!same_backend(h.txn, t) && conflicts(h.mode, mode)) out.push_back(h.txn);
  return out;
}

TxnId Store::begin_session_holder(RequestId owner) {
  TxnId t = begin(owner, Isolation::kReadCommitted);
  mut(t).session_holder = true;
  return t;
}

bool Store::same_backend(TxnId a, TxnId b) const {
  if (a == b) return true;
  const Txn &x = txn(a), &y = txn(b);
  return (x.session_holder || y.session_holder) && x.owner == y.owner;
}

std::vector<TxnId> Store::release(RowId r, TxnId t, std::optional<LockMode> mode) {
  auto& h = rows_[r.value].holders;
  std::erase_if(h, [&](const RowLock& l) { return l.txn == t && (!mode || l.mode == *mode); });
  if (std::none_of(h.begin(), h.end(), [&](const RowLock& l) { return l.txn == t; }))
    std::erase(mut(t).locked, r);
  std::vector<TxnId> granted;
  grant_waiters(r, granted);
  return granted;
}

void Store::hand_over(RowId r, TxnId from, TxnId to, LockMode mode, bool kept) {
  RowState& row = rows_[r.value];
  auto holds_any = [&](TxnId t) {
    return std::any_of(row.holders.begin(), row.holders.end(),
                       [&](const RowLock& l) { return l.txn == t; });
  };
  if (!kept) {
    std::erase_if(row.holders, [&](const RowLock& l) { return l.txn == from && l.mode == mode; });
    if (!holds_any(from)) std::erase(mut(from).locked, r);
  }
  if (std::none_of(row.holders.begin(), row.holders.end(),
                   [&](const RowLock& l) { return l.txn == to && l.mode == mode; })) {
    if (!holds_any(to)) mut(to).locked.push_back(r);
    row.holders.push_back(RowLock{to, mode, true});
  }
}

bool Store::queued_behind(RowId r, TxnId t) const {
  const std::vector<RowLock>& q = rows_[r.value].queue;
  auto me = std::find_if(q.begin(), q.end(), [&](const RowLock& w) { return w.txn == t; });
  if (me == q.end() || !me->hold) return false;
  return std::any_of(q.begin(), me, [&](const RowLock& w) {
    return w.hold && w.txn != t && conflicts(w.mode, me->mode);
  });
}

std::optional<TxnId> Store::first_blocker(RowId r, TxnId t) const {
  const RowState& row = rows_[r.value];
  auto me = std::find_if(row.queue.begin(), row.queue.end(),
                         [&](const RowLock& w) { return w.txn == t; });
  if (me == row.queue.end()) return std::nullopt;
  for (const RowLock& h : row.holders)
    if (!same_backend(h.txn, t) && conflicts(h.mode, me->mode)) return h.txn;
  return std::nullopt;
}

std::optional<RowId> Store::waiting_on(TxnId t) const {
  for (size_t i = 0; i < rows_.size(); ++i)
    for (const RowLock& w : rows_[i].queue)
      if (w.txn == t) return RowId{static_cast<uint32_t>(i)};
  return std::nullopt;
}

// ---- Rule: PostgreSQL's deadlock check (deadlock.c) ----------------------------
// A waiter waits for each holder of a conflicting mode (a hard edge) and, on
// a table's lock, for each waiter queued ahead of it with a conflicting
// request (a soft edge). A cycle of hard edges through the checked waiter is
// a deadlock. A cycle with soft edges may be undone by letting a waiter go
// ahead of the one it is queued behind: the search tries those reorderings
// (each a constraint "waiter before blocker", queues reordered by a
// topological sort that keeps the current order where it can), and when one
// leaves no cycle through the waiters involved, it is applied; when none
// does, it is a deadlock. Row locks' queues are ccsim's own model of
// PostgreSQL's tuple and transaction locks: only their hard edges count.
class DeadlockSearch {
 public:
  explicit DeadlockSearch(const Store& s) : s_(s) {}
  struct Edge {
    TxnId waiter, blocker;
    RowId lock;
    int pred = 0, link = 0;  // TopoSort's scratch
  };
  struct Order {
    RowId lock;
    std::vector<RowLock> queue;
  };
  // DeadLockCheckRecurse: true when no configuration of the constraints
  // tried so far plus more undoes the cycles through `start`.
  bool hard(TxnId start) {
    std::vector<Edge> soft;
    int n = test(start, soft);
    if (n < 0) return true;
    if (n == 0) return false;
    if (current_.size() >= kMaxConstraints) return true;
    for (const Edge& e : soft) {
      current_.push_back(e);
      if (!hard(start)) return false;
      current_.pop_back();
    }
    return true;
  }
  const std::vector<Order>& orders() const { return orders_; }

 private:
  static constexpr size_t kMaxConstraints = 64;

  // TestConfiguration: -1 for a hard cycle (or constraints that contradict
  // each other), else how many soft edges the last cycle found has (0: no
  // cycle through start or the constrained waiters).
  int test(TxnId start, std::vector<Edge>& soft) {
    if (!expand()) return -1;
    int found = 0;
    auto check = [&](TxnId p) {
      std::vector<Edge> edges;
      visited_.clear();
      if (!cycle(p, edges)) return false;
      if (edges.empty()) return true;
      found = static_cast<int>(edges.size());
      soft = std::move(edges);
      return false;
    };
    for (size_t i = 0; i < current_.size(); ++i)
      if (check(current_[i].waiter) || check(current_[i].blocker)) return -1;
    if (check(start)) return -1;
    return found;
  }

  // FindLockCycleRecurse: whether p's waits lead back to the first visited.
  bool cycle(TxnId p, std::vector<Edge>& soft) {
    for (size_t i = 0; i < visited_.size(); ++i)
      if (s_.same_backend(visited_[i], p)) return i == 0;
    visited_.push_back(p);
    for (size_t r = 0; r < s_.rows_.size(); ++r)
      for (const RowLock& w : s_.rows_[r].queue)
        if (s_.same_backend(w.txn, p) && member(RowId{static_cast<uint32_t>(r)}, w, soft))
          return true;
    return false;
  }

  bool member(RowId lock, const RowLock& me, std::vector<Edge>& soft) {
    const RowState& row = s_.rows_[lock.value];
    std::vector<TxnId> tried;
    // ---- Rule: a row's later waiter waits for the tuple lock ----------------
    // The first waiter for a row takes the row's tuple lock (a heavyweight
    // lock, heap_acquire_tuplock) and sleeps on the holders' transactions; a
    // later waiter whose mode conflicts with it waits for that tuple lock,
    // so its hard edges go to the waiters ahead that hold it (those not
    // queued behind another), not to the row's holders.
    if (!s_.manager_lock(lock) && me.hold && s_.queued_behind(lock, me.txn)) {
      for (const RowLock& w : row.queue) {
        if (w.txn == me.txn) break;
        if (!w.hold || s_.same_backend(w.txn, me.txn) || !conflicts(w.mode, me.mode) ||
            s_.queued_behind(lock, w.txn))
          continue;
        if (std::find(tried.begin(), tried.end(), w.txn) != tried.end()) continue;
        tried.push_back(w.txn);
        if (cycle(w.txn, soft)) return true;
      }
      return false;
    }
    for (const RowLock& h : row.holders) {
      if (s_.same_backend(h.txn, me.txn) || !conflicts(h.mode, me.mode)) continue;
      if (std::find(tried.begin(), tried.end(), h.txn) != tried.end()) continue;
      tried.push_back(h.txn);
      if (cycle(h.txn, soft)) return true;
    }
    if (!s_.manager_lock(lock)) return false;
    const std::vector<RowLock>* queue = &row.queue;
    for (const Order& o : orders_)
      if (o.lock == lock) queue = &o.queue;
    for (const RowLock& w : *queue) {
      if (s_.same_backend(w.txn, me.txn)) break;
      if (conflicts(w.mode, me.mode) && cycle(w.txn, soft)) {
        soft.push_back(Edge{me.txn, w.txn, lock});
        return true;
      }
    }
    return false;
  }

  // ExpandConstraints: the reordered queue of each lock a constraint names,
  // the last-added constraint's first; false when one cannot be sorted.
  bool expand() {
    orders_.clear();
    for (size_t i = current_.size(); i-- > 0;) {
      RowId lock = current_[i].lock;
      if (std::any_of(orders_.begin(), orders_.end(),
                      [&](const Order& o) { return o.lock == lock; }))
        continue;
      Order o{lock, {}};
      if (!topo_sort(lock, i + 1, o.queue)) return false;
      orders_.push_back(std::move(o));
    }
    return true;
  }

  // TopoSort: the lock's waiters in an order meeting the first n
  // constraints, filled from the back with the last waiter free to go there.
  bool topo_sort(RowId lock, size_t n, std::vector<RowLock>& out) {
    const std::vector<RowLock>& procs = s_.rows_[lock.value].queue;
    const int size = static_cast<int>(procs.size());
    std::vector<int> before(procs.size(), 0), after(procs.size(), 0);
    std::vector<Edge> cons(current_.begin(), current_.begin() + static_cast<std::ptrdiff_t>(n));
    auto at = [&](TxnId t) {
      for (int j = size - 1; j >= 0; --j)
        if (s_.same_backend(procs[static_cast<size_t>(j)].txn, t)) return j;
      return -1;
    };
    for (size_t i = 0; i < n; ++i) {
      if (cons[i].lock != lock) continue;
      int jj = at(cons[i].waiter), kk = at(cons[i].blocker);
      if (jj < 0 || kk < 0) continue;
      ++before[static_cast<size_t>(jj)];
      cons[i].pred = jj;
      cons[i].link = after[static_cast<size_t>(kk)];
      after[static_cast<size_t>(kk)] = static_cast<int>(i) + 1;
    }
    out.assign(procs.size(), RowLock{});
    std::vector<bool> taken(procs.size(), false);
    int last = size - 1;
    for (int i = size - 1; i >= 0; --i) {
      while (taken[static_cast<size_t>(last)]) --last;
      int j = last;
      while (j >= 0 && (taken[static_cast<size_t>(j)] || before[static_cast<size_t>(j)] != 0)) --j;
      if (j < 0) return false;
      out[static_cast<size_t>(i)] = procs[static_cast<size_t>(j)];
      taken[static_cast<size_t>(j)] = true;
      for (int k = after[static_cast<size_t>(j)]; k > 0; k = cons[static_cast<size_t>(k - 1)].link)
        --before[static_cast<size_t>(cons[static_cast<size_t>(k - 1)].pred)];
    }
    return true;
  }

  const Store& s_;
  std::vector<Edge> current_;
  std::vector<Order> orders_;
  std::vector<TxnId> visited_;
};

Store::Deadlock Store::check_deadlock(TxnId t, std::vector<TxnId>& granted) {
  DeadlockSearch search(*this);
  if (search.hard(t)) return Deadlock::kHard;
  for (const DeadlockSearch::Order& o : search.orders()) {
    rows_[o.lock.value].queue = o.queue;
    grant_waiters(o.lock, granted);
  }
  return search.orders().empty() ? Deadlock::kNone : Deadlock::kSoft;
}

std::vector<TxnId> Store::cancel_wait(TxnId t) {
  std::vector<TxnId> granted;
  for (size_t i = 0; i < rows_.size(); ++i) {
    std::vector<RowLock>& queue = rows_[i].queue;
    const size_t before = queue.size();
    std::erase_if(queue, [&](const RowLock& w) { return w.txn == t; });
    // A table's waiters behind it may have waited for its request alone.
    RowId r{static_cast<uint32_t>(i)};
    if (queue.size() != before && manager_lock(r)) grant_table_waiters(r, granted);
  }
  return granted;
}

}  // namespace ccsim
