// The executor's foreign keys: the checks PostgreSQL's RI triggers make
// after a statement's rows are written, with the row locks they take. The
// rest is in executor.cc.
#include <algorithm>

#include "engine/executor.h"
#include "engine/row_rules.h"

namespace ccsim {

namespace {

// The name of table t's partition `part` (t's own when it has none).
const std::string& partition_name(const Table& t, uint32_t part) {
  return t.partitioning && part < t.partitioning->parts.size() ? t.partitioning->parts[part].name
                                                               : t.name;
}

// A row of table t with `key` in `columns` and NULL elsewhere: enough to
// pick the partition a key holding the partition key's column is in.
Row row_with(const Table& t, const std::vector<int>& columns, const Row& key) {
  Row row(t.columns.size());
  for (size_t i = 0; i < columns.size() && i < key.size(); ++i)
    row[static_cast<size_t>(columns[i])] = key[i];
  return row;
}

// The index of the partition a row with these values is in (0 for a
// plain table, or one no partition takes).
uint32_t part_of(const Table& t, const Row& row) {
  int k = t.partition_of(row);
  return k < 0 ? 0 : static_cast<uint32_t>(k);
}

// The values of `cols` in `values`, in that order; nothing when one is NULL
// (MATCH SIMPLE: a key with a NULL references nothing).
std::optional<Row> key_at(const Row& values, const std::vector<int>& cols) {
  Row key;
  for (int c : cols) {
    const Value& v = values[static_cast<size_t>(c)];
    if (std::holds_alternative<Null>(v)) return std::nullopt;
    key.push_back(v);
  }
  return key;
}

// The newest version of row `row` that is committed or `own`'s, skipping
// versions other transactions have not committed yet.
VersionId newest_settled(const Store& s, RowId row, VersionId seen, TxnId own) {
  VersionId newest = s.row(row).newest;
  while (newest != seen && s.version(newest).xmin != own && !s.committed(s.version(newest).xmin))
    newest = s.version(newest).prev;
  return newest;
}

}  // namespace

// ---- Rule: which writes a foreign key checks ----------------------------------
// A row written into a referencing table is checked when its key has no
// NULL, unless an UPDATE left the key as it was (and the row was not
// inserted by this same transaction, which PostgreSQL checks anyway). A
// referenced row's key that a DELETE removes or an UPDATE changes is checked
// against every referencing table.
void Executor::queue_fk_checks(Cursor& c, TableId tid, const Row* before, const Row* after,
                               bool own_row) {
  const Store& s = w_.store;
  const Table& t = s.table(tid);
  if (after)
    for (size_t k = 0; k < t.foreign_keys.size(); ++k) {
      const ForeignKey& fk = t.foreign_keys[k];
      std::optional<Row> key = key_at(*after, fk.columns);
      if (!key) continue;
      if (before && !own_row && key_at(*before, fk.columns) == key) continue;
      c.fk_checks.push_back(FkCheck{tid.value, static_cast<uint32_t>(k), std::move(*key), false,
                                    false, part_of(t, *after)});
    }
  if (!before) return;
  for (size_t u = 0; u < s.table_count(); ++u) {
    const Table& child = s.table(TableId{static_cast<uint32_t>(u)});
    if (child.dropped) continue;
    for (size_t k = 0; k < child.foreign_keys.size(); ++k) {
      const ForeignKey& fk = child.foreign_keys[k];
      if (fk.parent != tid) continue;
      std::optional<Row> old = key_at(*before, fk.parent_columns);
      if (!old || (after && key_at(*after, fk.parent_columns) == old)) continue;
      bool restrict_ = after ? fk.restrict_update : fk.restrict_delete;
      c.fk_checks.push_back(FkCheck{static_cast<uint32_t>(u), static_cast<uint32_t>(k),
                                    std::move(*old), true, restrict_,
                                    part_of(s.table(tid), *before)});
    }
  }
}

// ---- Rule: a check's query locks the table it reads ----------------------------
// ROW SHARE (its SELECT ... FOR KEY SHARE), when the check runs; only a
// world with table locks takes it (World::table_locks).
bool Executor::fk_table_lock(RequestId r, TableId t, SqlAnswer* waiting) {
  if (!w_.table_locks) return true;
  Cursor& c = *w_.sessions[r.value].cursor;
  RowId row = w_.store.table_lock_row(t);
  if (table_lock(r, row, LockMode::kRowShare, waiting)) return true;
  c.fk_table_wait = true;
  return false;
}

// Runs the statement's foreign-key checks in the order its rows were
// written. `resumed`: the lock a check waited for was just granted (when
// the checks had begun; a wait before them belonged to the statement).
bool Executor::check_foreign_keys(RequestId r, SqlAnswer* waiting, bool resumed) {
  Cursor& c = *w_.sessions[r.value].cursor;
  bool fk_resumed = resumed && c.fk_started;
  c.fk_started = true;
  while (c.fk_next < c.fk_checks.size()) {
    const FkCheck k = c.fk_checks[c.fk_next];
    bool done = k.parent ? referencing_rows_gone(r, k, waiting, fk_resumed)
                         : referenced_row_found(r, k, waiting, fk_resumed);
    if (!done) return false;
    fk_resumed = false;
    ++c.fk_next;
  }
  return true;
}

// ---- Rule: a referencing row needs its referenced row -------------------------
// As PostgreSQL's check does (SELECT 1 FROM parent WHERE key = $1 FOR KEY
// SHARE): the referenced row is looked up with the statement's kind of
// snapshot (a new one at READ COMMITTED, the transaction's above; its own
// writes included) and locked FOR KEY SHARE, which waits for a transaction
// that deletes the row or changes its key (FOR UPDATE) but not for a
// non-key UPDATE. Not found: 23503. After waiting, READ COMMITTED looks at
// the row's newest version (deleted, or its key changed: 23503), and
// REPEATABLE READ and above fail with 40001 when the row changed at all.
// Granted at once beside a committed non-key UPDATE the snapshot does not
// see, the lock is taken on the version seen (as for SELECT ... FOR KEY
// SHARE); a committed delete or key change there is 40001.
bool Executor::referenced_row_found(RequestId r, const FkCheck& k, SqlAnswer* waiting,
                                    bool resumed) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  const Table& child = s.table(TableId{k.table});
  const ForeignKey& fk = child.foreign_keys[k.fk];
  if (resumed && c.fk_table_wait) c.fk_table_wait = false, resumed = false;
  if (!resumed && !fk_table_lock(r, fk.parent, waiting)) return false;
  auto violation = [&] {
    return SqlError("23503", "insert or update on table \"" + partition_name(child, k.part) +
                                 "\" violates foreign key constraint \"" + fk.name + "\"");
  };
  VersionId seen;
  if (resumed) {
    seen = c.fk_seen;
  } else {
    Snapshot snap = s.statement_snapshot(c.txn);
    std::vector<RowId> looked_up;
    for (VersionId v : s.scan(fk.parent, snap))
      if (key_at(s.version(v).values, fk.parent_columns) == k.key) seen = v;
    if (fk.parent_index == 0) {
      if (const std::vector<RowId>* rows = s.rows_with_key(fk.parent, k.key)) looked_up = *rows;
    } else {  // the key in the unique index's column order
      const UniqueKey& u = s.table(fk.parent).uniques[fk.parent_index - 1];
      Row key;
      for (int col : u.columns)
        for (size_t j = 0; j < fk.parent_columns.size(); ++j)
          if (fk.parent_columns[j] == col) key.push_back(k.key[j]);
      if (auto it = u.rows.find(key); it != u.rows.end()) looked_up = it->second;
    }
    if (s.txn(c.txn).isolation == Isolation::kSerializable) {
      // A partitioned parent's key holds its partition key: the lookup
      // reads that one partition's index (PostgreSQL prunes the others).
      const std::vector<uint32_t> parts{
          part_of(s.table(fk.parent), row_with(s.table(fk.parent), fk.parent_columns, k.key))};
      s.ssi_read(c.txn, fk.parent, true, looked_up,
                 seen ? std::vector<VersionId>{seen} : std::vector<VersionId>{}, std::nullopt,
                 &parts);
    }
    if (!seen) throw violation();
    RowId row = s.version(seen).row;
    bool held = s.holds(row, c.txn, LockMode::kKeyShare);
    if (s.lock(row, c.txn, LockMode::kKeyShare, true) == LockResult::kEnqueued) {
      c.fk_seen = seen;
      *waiting = block(r, row, LockMode::kKeyShare);
      return false;
    }
    if (held) return true;
  }
  RowId row = s.version(seen).row;
  VersionId newest = newest_settled(s, row, seen, c.txn);
  bool deleted = s.version(newest).xmax && !s.version(newest).next;
  if (newest == seen && !deleted) return true;
  if (!resumed) {
    VersionId next = s.version(seen).next;
    if (next && s.committed(s.version(next).xmin) && !s.version(seen).key_updated) return true;
  }
  if (!snapshot_per_statement(s.txn(c.txn).isolation))
    throw SqlError("40001", "could not serialize access due to concurrent update");
  if (deleted || key_at(s.version(newest).values, fk.parent_columns) != k.key) throw violation();
  return true;
}

// ---- Rule: a referenced key that goes away leaves no referencing row ----------
// As PostgreSQL's NO ACTION and RESTRICT checks do (SELECT 1 FROM child WHERE
// fk = $1 FOR KEY SHARE, with a snapshot that sees every commit so far, at
// every level): each referencing row found is locked FOR KEY SHARE
// (waiting for one being deleted or changed); one that still holds the key
// is 23503. After waiting, READ COMMITTED passes over a row deleted or
// re-pointed meanwhile, and REPEATABLE READ and above fail with 40001 when
// it changed. NO ACTION first looks for a referenced row that holds the key
// again (inserted or updated to it): then nothing is checked.
bool Executor::referencing_rows_gone(RequestId r, const FkCheck& k, SqlAnswer* waiting,
                                     bool resumed) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  TableId ctid{k.table};
  const Table& child = s.table(ctid);
  const ForeignKey& fk = child.foreign_keys[k.fk];
  if (resumed && c.fk_table_wait) c.fk_table_wait = false, resumed = false;
  if (!resumed && !fk_table_lock(r, ctid, waiting)) return false;
  // The snapshot is the check's, kept across its waits, as PostgreSQL's
  // query keeps its own.
  if (!resumed) c.fk_snapshot = s.latest_snapshot(c.txn);
  Snapshot latest = c.fk_snapshot;
  if (!k.restrict_)
    for (VersionId v : s.scan(fk.parent, latest))
      if (key_at(s.version(v).values, fk.parent_columns) == k.key) return true;
  std::vector<VersionId> found;
  for (VersionId v : s.scan(ctid, latest))
    if (key_at(s.version(v).values, fk.columns) == k.key) found.push_back(v);
  // The check reads the table once, before any wait; after a wait it goes
  // on with the rows it found (PostgreSQL's LockRows does not scan again),
  // so the read's SSI conflicts are those of that first look.
  if (!resumed && s.txn(c.txn).isolation == Isolation::kSerializable) {
    std::vector<VersionId> read = s.scan(ctid, latest);
    // A partitioned child whose partition key is among the key's columns
    // is read in the one partition the key picks; otherwise in all.
    std::vector<uint32_t> parts;
    if (child.partitioning && std::find(fk.columns.begin(), fk.columns.end(),
                                        child.partitioning->column) != fk.columns.end())
      parts.push_back(part_of(child, row_with(child, fk.columns, k.key)));
    s.ssi_read(c.txn, ctid, false, {}, read, latest, parts.empty() ? nullptr : &parts);
  }
  for (VersionId seen : found) {
    RowId row = s.version(seen).row;
    bool waited = resumed && row == c.wait_row;
    if (!waited && s.lock(row, c.txn, LockMode::kKeyShare, true) == LockResult::kEnqueued) {
      *waiting = block(r, row, LockMode::kKeyShare);
      return false;
    }
    VersionId newest = newest_settled(s, row, seen, c.txn);
    bool deleted = s.version(newest).xmax && !s.version(newest).next;
    if (newest != seen || deleted) {
      if (!snapshot_per_statement(s.txn(c.txn).isolation))
        throw SqlError("40001", "could not serialize access due to concurrent update");
      if (deleted || key_at(s.version(newest).values, fk.columns) != k.key) continue;
    }
    // A partitioned parent's partition, and its own clone of the key.
    const Table& parent = s.table(fk.parent);
    const std::string& table = partition_name(parent, k.part);
    std::string name = fk.name;
    for (const auto& [part, clone] : fk.part_names)
      if (parent.partitioning && part == table) name = clone;
    throw SqlError("23503", "update or delete on table \"" + table +
                                "\" violates foreign key constraint \"" + name + "\" on table \"" +
                                child.name + "\"");
  }
  return true;
}

}  // namespace ccsim
