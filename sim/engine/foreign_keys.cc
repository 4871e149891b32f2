// The executor's foreign keys: the checks PostgreSQL's RI triggers make
// after a statement's rows are written, with the row locks they take. The
// rest is in executor.cc.
#include <algorithm>

#include "engine/executor.h"
#include "engine/index_lookup.h"
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

// The partition's clone of fk that check k runs as when it checks a
// referenced row of a partitioned table (its NO ACTION trigger is the
// clone's, on that partition); empty otherwise.
std::string clone_name(const Store& s, const ForeignKey& fk, const FkCheck& k) {
  const Table& parent = s.table(fk.parent);
  if (!k.parent || !parent.partitioning) return "";
  const std::string& at = partition_name(parent, k.part);
  for (const auto& [part, name] : fk.part_names)
    if (part == at) return name;
  return "";
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
// ---- Rule: the order of one row's checks ---------------------------------------
// PostgreSQL fires a row's triggers in the order of their names: the
// referenced side's (RI_ConstraintTrigger_a_<oid>: NO ACTION's check,
// RESTRICT, CASCADE, SET NULL, SET DEFAULT) before the row's own keys'
// (RI_ConstraintTrigger_c_<oid>), and each side's in the order the keys
// were made. So an UPDATE that changes a referenced key and its own
// reference reports the referenced side's error first, and of two keys
// that reference the table, the older one's (tests/specs/fk_trigger_order.spec).
// ---- Rule: a deferred constraint's checks wait for COMMIT --------------------
// The check of a row written and NO ACTION's check of a referenced key are
// the constraint's DEFERRABLE triggers: while SET CONSTRAINTS (or INITIALLY
// DEFERRED) defers the constraint they run at COMMIT, not at the end of the
// statement. RESTRICT, CASCADE, SET NULL and SET DEFAULT always run at once
// (PostgreSQL makes those triggers NOT DEFERRABLE).
void Executor::queue_fk_checks(RequestId r, Cursor& c, TableId tid, const Row* before,
                               const Row* after, bool own_row, VersionId made) {
  const Store& s = w_.store;
  const Table& t = s.table(tid);
  if (before) {
    // The referenced side first, each key's in the order the keys were made
    // (ForeignKey::made).
    std::vector<std::pair<uint32_t, FkCheck>> referenced;
    for (size_t u = 0; u < s.table_count(); ++u) {
      const Table& child = s.table(TableId{static_cast<uint32_t>(u)});
      if (child.dropped) continue;
      for (size_t k = 0; k < child.foreign_keys.size(); ++k) {
        const ForeignKey& fk = child.foreign_keys[k];
        if (fk.parent != tid) continue;
        std::optional<Row> old = key_at(*before, fk.parent_columns);
        if (!old || (after && key_at(*after, fk.parent_columns) == old)) continue;
        const FkAction action = after ? fk.on_update : fk.on_delete;
        FkCheck check{static_cast<uint32_t>(u),
                      static_cast<uint32_t>(k),
                      std::move(*old),
                      true,
                      action,
                      {},
                      part_of(t, *before),
                      VersionId{},
                      false};
        check.deferred =
            action == FkAction::kNoAction && deferred_now(r, fk, clone_name(s, fk, check));
        if (after)
          for (int col : fk.parent_columns)
            check.new_key.push_back((*after)[static_cast<size_t>(col)]);
        referenced.emplace_back(fk.made, std::move(check));
      }
    }
    std::stable_sort(referenced.begin(), referenced.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [order, check] : referenced) c.fk_checks.push_back(std::move(check));
  }
  if (after)
    for (size_t k = 0; k < t.foreign_keys.size(); ++k) {
      const ForeignKey& fk = t.foreign_keys[k];
      std::optional<Row> key = key_at(*after, fk.columns);
      if (!key) continue;
      if (before && !own_row && key_at(*before, fk.columns) == key) continue;
      c.fk_checks.push_back(FkCheck{tid.value,
                                    static_cast<uint32_t>(k),
                                    std::move(*key),
                                    false,
                                    FkAction::kNoAction,
                                    {},
                                    part_of(t, *after),
                                    made,
                                    deferred_now(r, fk, "")});
    }
}

// SET CONSTRAINTS of a key covers its partitions' clones too; a clone's name
// only the clone's checks. The latest SET that covers the check decides.
bool Executor::deferred_now(RequestId r, const ForeignKey& fk, const std::string& clone) const {
  if (!fk.deferrable) return false;
  const ConstraintModes& m = w_.sessions[r.value].modes;
  for (auto it = m.named.rbegin(); it != m.named.rend(); ++it)
    if (it->first == fk.name || (!clone.empty() && it->first == clone)) return it->second;
  return m.all.value_or(fk.initially_deferred);
}

// ---- Rule: a check's query locks the table it reads ----------------------------
// ROW SHARE (its SELECT ... FOR KEY SHARE), ROW EXCLUSIVE for an action's
// DELETE or UPDATE, when the check runs; only a world with table locks
// takes it (World::table_locks).
bool Executor::fk_table_lock(RequestId r, TableId t, SqlAnswer* waiting, LockMode mode) {
  if (!w_.table_locks) return true;
  Cursor& c = *w_.sessions[r.value].cursor;
  RowId row = w_.store.table_lock_row(t);
  if (table_lock(r, row, mode, waiting)) return true;
  c.fk_table_wait = true;
  return false;
}

// Runs the statement's foreign-key checks in the order its rows were
// written. `resumed`: the lock a check waited for was just granted (when
// the checks had begun; a wait before them belonged to the statement).
bool Executor::check_foreign_keys(RequestId r, SqlAnswer* waiting, bool resumed) {
  Session& session = w_.sessions[r.value];
  Cursor& c = *session.cursor;
  bool fk_resumed = resumed && c.fk_started;
  c.fk_started = true;
  for (;;) {
    while (c.fk_next < c.fk_checks.size()) {
      const FkCheck k = c.fk_checks[c.fk_next];
      if (k.deferred) {  // for COMMIT: the block's, or this statement's own
        if (session.in_block)
          session.deferred.push_back(DeferredCheck{k, 0});
        else
          c.fk_later.push_back(k);
        ++c.fk_next;
        continue;
      }
      const bool acts = k.action != FkAction::kNoAction && k.action != FkAction::kRestrict;
      bool done = !k.parent ? referenced_row_found(r, k, waiting, fk_resumed)
                  : acts    ? referencing_rows_changed(r, k, waiting, fk_resumed)
                            : referencing_rows_gone(r, k, waiting, fk_resumed);
      if (!done) return false;
      fk_resumed = false;
      ++c.fk_next;
    }
    if (c.fk_later.empty()) return true;
    for (FkCheck& k : c.fk_later) k.deferred = false;
    c.fk_checks.insert(c.fk_checks.end(), c.fk_later.begin(), c.fk_later.end());
    c.fk_later.clear();
  }
}

// ---- Rule: COMMIT runs the deferred checks -----------------------------------
// Before it commits (and before SERIALIZABLE's commit check), in the order
// they were queued, as a statement of their own: a new snapshot at READ
// COMMITTED, the transaction's above. They can wait; one that fails fails
// the COMMIT, which rolls the transaction back. SET CONSTRAINTS ...
// IMMEDIATE runs at once those of the constraints it makes immediate (an
// error there fails that statement). A check of a row its own transaction
// deleted or replaced since is skipped (referenced_row_found).
bool Executor::fire_deferred(RequestId r, SqlAnswer* waiting, bool all) {
  Session& session = w_.sessions[r.value];
  session.cursor = Cursor{};
  Cursor& c = *session.cursor;
  c.txn = session.txn;
  const uint32_t firing = ++session.firings;
  for (DeferredCheck& d : session.deferred) {
    if (d.fired) continue;
    const Table& t = w_.store.table(TableId{d.check.table});
    const ForeignKey& fk = t.foreign_keys[d.check.fk];
    if (!all && deferred_now(r, fk, clone_name(w_.store, fk, d.check))) continue;
    d.fired = firing;
    if (t.dropped) continue;  // its key went with it (DROP TABLE refuses the other side)
    c.fk_checks.push_back(d.check);
    c.fk_checks.back().deferred = false;
  }
  return check_foreign_keys(r, waiting, false);
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
// SHARE); a committed delete or key change there, or anywhere later in the
// row's chain of versions, is 40001.
bool Executor::referenced_row_found(RequestId r, const FkCheck& k, SqlAnswer* waiting,
                                    bool resumed) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  const Table& child = s.table(TableId{k.table});
  const ForeignKey& fk = child.foreign_keys[k.fk];
  // ---- Rule: a row its transaction deleted or replaced is not checked -----
  // RI_FKey_check tests the version written against SnapshotSelf: gone
  // (a later delete, or an update that queued its own check), it passes.
  if (!resumed && k.made && s.version(k.made).xmax == c.txn) return true;
  if (resumed && c.fk_table_wait) c.fk_table_wait = false, resumed = false;
  if (!resumed && !fk_table_lock(r, fk.parent, waiting, LockMode::kRowShare)) return false;
  auto violation = [&] {
    return SqlError("23503", "insert or update on table \"" + partition_name(child, k.part) +
                                 "\" violates foreign key constraint \"" + fk.name + "\"");
  };
  VersionId seen;
  if (resumed) {
    seen = c.fk_seen;
  } else {
    // ---- Rule: a partitioned referenced table is read with the latest snapshot
    // RI_FKey_check asks for new rows (detectNewRows) when the referenced
    // table is partitioned, so that the partition lookup works: above READ
    // COMMITTED the check then sees rows committed after the transaction's
    // snapshot (PostgreSQL's fk-snapshot spec calls it a bug, and keeps it).
    Snapshot snap =
        s.table(fk.parent).partitioning ? s.latest_snapshot(c.txn) : s.statement_snapshot(c.txn);
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
      // A measured parent may be read sequentially (key_check_planned):
      // the relation, not the index page, is what the check locks.
      const Table& parent = s.table(fk.parent);
      const bool lookup = key_check_planned(parent, fk.parent_columns.size());
      s.ssi_read(c.txn, fk.parent, lookup, lookup ? looked_up : std::vector<RowId>{},
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
  // Every later version counts, as for SELECT ... FOR KEY SHARE: a
  // committed delete after a non-key UPDATE is a change
  // (tests/specs/fk_check_chain_delete.spec).
  if (!resumed && !deleted && s.key_kept(seen, newest)) return true;
  if (!snapshot_per_statement(s.txn(c.txn).isolation))
    throw SqlError("40001", "could not serialize access due to concurrent update");
  if (deleted || key_at(s.version(newest).values, fk.parent_columns) != k.key) throw violation();
  return true;
}

// ---- Rule: a check reads the referencing table for the key -------------------
// At SERIALIZABLE its query's read (SIREAD locks), with the snapshot it
// reads with. A partitioned child whose partition key is among the key's
// columns is read in the one partition the key picks; otherwise in all.
void Executor::referencing_read(TxnId txn, const FkCheck& k, const Snapshot& snap) {
  Store& s = w_.store;
  if (s.txn(txn).isolation != Isolation::kSerializable) return;
  const TableId ctid{k.table};
  const Table& child = s.table(ctid);
  const ForeignKey& fk = child.foreign_keys[k.fk];
  std::vector<VersionId> read = s.scan(ctid, snap);
  std::vector<uint32_t> parts;
  if (child.partitioning && std::find(fk.columns.begin(), fk.columns.end(),
                                      child.partitioning->column) != fk.columns.end())
    parts.push_back(part_of(child, row_with(child, fk.columns, k.key)));
  s.ssi_read(txn, ctid, false, {}, read, snap, parts.empty() ? nullptr : &parts);
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
  if (!resumed && !fk_table_lock(r, ctid, waiting, LockMode::kRowShare)) return false;
  // The snapshot is the check's, kept across its waits, as PostgreSQL's
  // query keeps its own.
  if (!resumed) c.fk_snapshot = s.latest_snapshot(c.txn);
  Snapshot latest = c.fk_snapshot;
  if (k.action != FkAction::kRestrict)
    for (VersionId v : s.scan(fk.parent, latest))
      if (key_at(s.version(v).values, fk.parent_columns) == k.key) return true;
  std::vector<VersionId> found;
  for (VersionId v : s.scan(ctid, latest))
    if (key_at(s.version(v).values, fk.columns) == k.key) found.push_back(v);
  // The check reads the table once, before any wait; after a wait it goes
  // on with the rows it found (PostgreSQL's LockRows does not scan again),
  // so the read's SSI conflicts are those of that first look.
  if (!resumed) referencing_read(c.txn, k, latest);
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

// ---- Rule: CASCADE, SET NULL and SET DEFAULT change the referencing rows ------
// As PostgreSQL's action triggers do, with the query each runs: DELETE FROM
// child WHERE fk = $1 (ON DELETE CASCADE), UPDATE child SET fk = the new key
// (ON UPDATE CASCADE), SET fk = NULL or DEFAULT (SET NULL, SET DEFAULT; every
// column of the key). The query locks the table ROW EXCLUSIVE and reads with
// a snapshot that sees every commit so far; at REPEATABLE READ and above the
// transaction's own snapshot is its cross-check (ri_PerformCheck): a row
// found that the transaction's snapshot does not see fails with 40001
// "could not serialize access due to concurrent update", as heap_delete and
// heap_update do with a crosscheck snapshot. Each row found is locked as its
// DELETE or UPDATE locks it (FOR UPDATE, or FOR NO KEY UPDATE for an update
// that changes no unique index's column), waiting for its holder; an update's
// new row is formed and checked (NOT NULL, CHECK) before that wait. After
// a wait READ COMMITTED goes on with the row's newest version, passing over
// it when it was deleted (keeping no lock) or no longer holds the key, and
// REPEATABLE READ and above fail with 40001 when it changed. The rows it
// deletes or changes queue their own checks after those already queued (the
// query's triggers join the statement's: ri_PerformCheck runs it with
// fire_triggers false). SET DEFAULT then checks, as NO ACTION does, that no
// row holds the key still (a default equal to it; ri_set).
bool Executor::referencing_rows_changed(RequestId r, const FkCheck& k, SqlAnswer* waiting,
                                        bool resumed) {
  Cursor& c = *w_.sessions[r.value].cursor;
  Store& s = w_.store;
  const TableId ctid{k.table};
  const Table& child = s.table(ctid);
  const ForeignKey& fk = child.foreign_keys[k.fk];
  const Isolation iso = s.txn(c.txn).isolation;
  const bool remove = k.action == FkAction::kCascade && k.new_key.empty();
  if (resumed && c.fk_table_wait) c.fk_table_wait = false, resumed = false;
  if (!resumed) {
    if (!fk_table_lock(r, ctid, waiting, LockMode::kRowExclusive)) return false;
    c.fk_snapshot = s.latest_snapshot(c.txn);
    c.fk_rows.clear();
    c.fk_row = 0;
    for (VersionId v : s.scan(ctid, c.fk_snapshot))
      if (key_at(s.version(v).values, fk.columns) == k.key) c.fk_rows.push_back(v);
    referencing_read(c.txn, k, c.fk_snapshot);
  }
  // The row an update makes of `before`.
  auto changed = [&](const Row& before) {
    Row after = before;
    for (size_t j = 0; j < fk.columns.size(); ++j) {
      const auto col = static_cast<size_t>(fk.columns[j]);
      after[col] = k.action == FkAction::kSetNull      ? Value{Null{}}
                   : k.action == FkAction::kSetDefault ? column_default(r, ctid, col)
                                                       : k.new_key[j];
    }
    if (child.partitioning && child.partition_of(after) != child.partition_of(before))
      throw SqlError("0A000",
                     "moving a row between partitions of a table with a foreign key is not "
                     "modelled");
    check_not_null(child, after);
    return after;
  };
  for (; c.fk_row < c.fk_rows.size(); ++c.fk_row) {
    const VersionId seen = c.fk_rows[c.fk_row];
    const RowId row = s.version(seen).row;
    const bool waited = resumed && row == c.wait_row;
    resumed = false;
    LockMode mode = LockMode::kUpdate;
    if (!remove) {
      const Row& before = s.version(seen).values;
      Row after = changed(before);
      if (!changes_key(child, before, after)) mode = LockMode::kNoKeyUpdate;
    }
    if (!waited) {
      // A version a committed transaction replaced fails at once above READ
      // COMMITTED (the statement's rule, engine/executor.cc).
      const Version& found = s.version(seen);
      if (!snapshot_per_statement(iso) && found.xmax && found.xmax != c.txn &&
          s.committed(found.xmax))
        throw SqlError("40001", !found.next && !found.moved
                                    ? "could not serialize access due to concurrent delete"
                                    : "could not serialize access due to concurrent update");
      if (s.lock(row, c.txn, mode, true) == LockResult::kEnqueued) {
        *waiting = block(r, row, mode);
        return false;
      }
    }
    VersionId newest = newest_settled(s, row, seen, c.txn);
    const bool deleted = s.version(newest).xmax && !s.version(newest).next;
    VersionId target = seen;
    if (newest != seen || deleted) {
      if (!changed_row_goes_on(r, row, seen, newest, deleted, false)) continue;
      if (key_at(s.version(newest).values, fk.columns) != k.key) continue;
      target = newest;
    }
    if (!snapshot_per_statement(iso)) {
      const std::optional<Snapshot>& own = s.txn(c.txn).snapshot;
      if (own && !s.visible(s.version(target), *own))
        throw SqlError("40001", "could not serialize access due to concurrent update");
    }
    const Row before = s.version(target).values;
    const bool savepoints = !w_.sessions[r.value].savepoints.empty();
    if (remove) {
      queue_fk_checks(r, c, ctid, &before, nullptr, false, VersionId{});
      s.ssi_write(c.txn, row, target, savepoints);
      s.remove(row, c.txn);
      if (log_)
        log_->writes.push_back(
            WriteObs{r, c.txn, ctid, row, target, VersionId{}, {}, log_->events.size()});
      continue;
    }
    Row after = changed(before);
    std::vector<ColumnChange> changes;
    if (log_)
      for (int col : fk.columns) {
        const auto i = static_cast<size_t>(col);
        changes.push_back(ColumnChange{child.columns[i].name, before[i], after[i], {}, false});
      }
    const bool key_change = changes_key(child, before, after);
    const bool new_key = changes_index(child, before, after);
    queue_fk_checks(r, c, ctid, &before, &after, s.version(target).xmin == c.txn, s.next_version());
    s.ssi_write(c.txn, row, target, savepoints);
    const bool key_update = key_change || s.holds(row, c.txn, LockMode::kUpdate);
    VersionId made = s.update(row, c.txn, std::move(after), !new_key, key_update);
    if (log_)
      log_->writes.push_back(
          WriteObs{r, c.txn, ctid, row, target, made, std::move(changes), log_->events.size()});
    if (new_key && !index_new_key(r, ctid, made, waiting))
      throw SqlError("0A000",
                     "an ON UPDATE CASCADE or SET DEFAULT whose new key waits for another "
                     "transaction's row in a unique index is not modelled");
  }
  c.fk_rows.clear();
  c.fk_row = 0;
  if (k.action == FkAction::kSetDefault) {
    FkCheck again = k;
    again.action = FkAction::kNoAction;
    again.new_key.clear();
    c.fk_checks.insert(c.fk_checks.begin() + static_cast<std::ptrdiff_t>(c.fk_next) + 1,
                       std::move(again));
  }
  return true;
}

}  // namespace ccsim
