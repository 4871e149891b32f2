// The executor's statements that are not row reads or writes: savepoints and
// the schema (CREATE TABLE, DROP TABLE). The rest is in executor.cc.
#include "engine/executor.h"
#include "lang/typing.h"

#include <algorithm>
#include <set>

namespace ccsim {

// ---- Rule: savepoints (subtransactions) --------------------------------------
// SAVEPOINT marks where the transaction stands; ROLLBACK TO undoes what came
// after (writes, and row locks taken or strengthened since, which wakes
// their waiters) and leaves the savepoint in place; RELEASE forgets it and
// those after it. Outside a block each is 25P01; an unknown name 3B001.
void Executor::savepoint(RequestId r, const SavepointStmt& sp) {
  Session& session = w_.sessions[r.value];
  const char* what = sp.kind == SavepointStmt::Kind::kSavepoint    ? "SAVEPOINT"
                     : sp.kind == SavepointStmt::Kind::kRollbackTo ? "ROLLBACK TO SAVEPOINT"
                                                                   : "RELEASE SAVEPOINT";
  if (!session.in_block)
    throw SqlError("25P01", std::string(what) + " can only be used in transaction blocks");
  auto& sps = session.savepoints;
  if (sp.kind == SavepointStmt::Kind::kSavepoint) {
    sps.push_back(Session::Savepoint{sp.name, w_.store.mark(session.txn), session.timeouts,
                                     session.kept, w_.store.txn(session.txn).read_only,
                                     session.deferred.size(), session.firings, session.modes});
    return;
  }
  auto it =
      std::find_if(sps.rbegin(), sps.rend(), [&](const auto& p) { return p.name == sp.name; });
  if (it == sps.rend()) throw SqlError("3B001", "savepoint \"" + sp.name + "\" does not exist");
  size_t at = static_cast<size_t>(sps.rend() - it) - 1;
  // ---- Rule: a savepoint's end undoes its SET TRANSACTION READ ONLY ------------
  // ROLLBACK TO and RELEASE alike put transaction_read_only back to what it
  // was at the SAVEPOINT (PostgreSQL 15 measured:
  // tests/specs/read_only_savepoint.spec).
  const Txn& x = w_.store.txn(session.txn);
  w_.store.set_modes(session.txn, x.isolation, sps[at].read_only, x.deferrable);
  if (sp.kind == SavepointStmt::Kind::kRelease) {
    sps.resize(at);
    return;
  }
  sps.resize(at + 1);
  session.failed_block = false;
  session.timeouts = sps.back().timeouts;  // what SET did since is undone
  session.kept = sps.back().kept;
  undo_deferred(session, sps.back());
  // Its waiters resume once this step is narrated (finish()), as at COMMIT.
  let_in(r, w_.store.rollback_to(session.txn, sps.back().mark));
}

// ---- Rule: the schema ----------------------------------------------------------
// CREATE TABLE refuses a column named twice (42701) and a name in use
// (42P07, unless IF NOT EXISTS); DROP TABLE drops all its tables or none (42P01 for a missing
// one, unless IF EXISTS).
// Both are transactional: a ROLLBACK (or ROLLBACK TO a savepoint before them)
// brings a dropped table back and takes a created one away. A table another
// transaction created and has not ended is not seen (its catalog rows are
// not committed): DROP TABLE says 42P01, and a CREATE TABLE of its name
// waits for that transaction (statement_table_locks), then fails as
// PostgreSQL's insert into pg_type's unique index does (23505, IF NOT
// EXISTS too: its look came before) if the table is there, or goes on.
// ---- Rule: CREATE SEQUENCE's bounds and start (sequence.c, init_params) ----------
// Ascending, MINVALUE defaults to 1 and MAXVALUE to bigint's largest;
// descending, MAXVALUE to -1 and MINVALUE to bigint's smallest. START
// defaults to the bound the sequence counts from. A sequence shares its
// name space with the tables (42P07).
std::string Executor::sequence_ddl(const SequenceStmt& q) {
  Store& s = w_.store;
  std::optional<size_t> at = s.find_sequence(q.name);
  if (q.drop) {
    if (at) {
      for (size_t t = 0; t < s.table_count(); ++t) {
        const Table& table = s.table(TableId{static_cast<uint32_t>(t)});
        if (!table.dropped && std::any_of(table.columns.begin(), table.columns.end(),
                                          [&](const Column& c) { return c.sequence == q.name; }))
          throw SqlError("2BP01",
                         "cannot drop sequence " + q.name + " because other objects depend on it");
      }
      s.drop_sequence(*at);
      return "";
    }
    if (!q.if_exists) throw SqlError("42P01", "sequence \"" + q.name + "\" does not exist");
    return "sequence \"" + q.name + "\" does not exist, skipping";
  }
  if (at || s.find_table(q.name)) {
    if (q.if_exists) return "relation \"" + q.name + "\" already exists, skipping";
    throw SqlError("42P07", "relation \"" + q.name + "\" already exists");
  }
  Store::Sequence seq;
  seq.name = q.name;
  seq.increment = q.increment;
  seq.cycle = q.cycle;
  const bool up = q.increment > 0;
  seq.max = q.max.value_or(up ? INT64_MAX : -1);
  seq.min = q.min.value_or(up ? 1 : INT64_MIN);
  if (seq.min >= seq.max)
    throw SqlError("22023", "MINVALUE (" + std::to_string(seq.min) +
                                ") must be less than MAXVALUE (" + std::to_string(seq.max) + ")");
  seq.last = q.start.value_or(up ? seq.min : seq.max);
  if (seq.last < seq.min)
    throw SqlError("22023", "START value (" + std::to_string(seq.last) +
                                ") cannot be less than MINVALUE (" + std::to_string(seq.min) + ")");
  if (seq.last > seq.max)
    throw SqlError("22023", "START value (" + std::to_string(seq.last) +
                                ") cannot be greater than MAXVALUE (" + std::to_string(seq.max) +
                                ")");
  s.create_sequence(std::move(seq));
  return "";
}

// ---- Rule: nextval and currval (sequence.c) -------------------------------------
// nextval moves the sequence at once, outside the transaction: a ROLLBACK
// never gives its number back, and nobody waits for it. currval is the
// session's last nextval of the sequence (55000 before the first). A
// READ ONLY transaction may not call nextval (25006).
Value Executor::sequence_value(RequestId r, const std::string& name, bool currval) {
  Store& s = w_.store;
  Session& session = w_.sessions[r.value];
  std::optional<size_t> at = s.find_sequence(name);
  if (!at) throw SqlError("42P01", "relation \"" + name + "\" does not exist");
  auto it = std::find_if(session.currvals.begin(), session.currvals.end(),
                         [&](const auto& c) { return c.first == name; });
  if (currval) {
    if (it == session.currvals.end())
      throw SqlError("55000",
                     "currval of sequence \"" + name + "\" is not yet defined in this session");
    return it->second;
  }
  if (session.txn && s.txn(session.txn).read_only)
    throw SqlError("25006", "cannot execute nextval() in a read-only transaction");
  int64_t v = s.nextval(*at);
  if (it == session.currvals.end())
    session.currvals.emplace_back(name, v);
  else
    it->second = v;
  return v;
}

std::string Executor::ddl(RequestId r, const Step& st, bool create_waited) {
  if (auto* seq = std::get_if<SequenceStmt>(&st.body)) return sequence_ddl(*seq);
  TxnId txn = w_.sessions[r.value].txn;
  if (auto* create = std::get_if<CreateTableStmt>(&st.body)) {
    // CREATE TABLE ... AS writes rows: outside a block, in a transaction of
    // its own, which commits with the statement (finish()).
    if (create->as_query && !txn)
      txn = w_.sessions[r.value].txn = w_.store.begin(r, default_level(r));
    if (!create->partition_of.empty()) {
      add_partition(*create);
      return "";
    }
    if (create_waited && w_.store.find_table(create->table))
      throw SqlError(
          "23505", "duplicate key value violates unique constraint \"pg_type_typname_nsp_index\"");
    // IF NOT EXISTS: an existing table ends the statement before its columns
    // are looked at, with a NOTICE.
    const bool taken = w_.store.find_table(create->table) || w_.store.find_sequence(create->table);
    if (create->if_not_exists && taken)
      return "relation \"" + create->table + "\" already exists, skipping";
    for (size_t i = 0; i < create->columns.size(); ++i)
      for (size_t k = 0; k < i; ++k)
        if (create->columns[k].name == create->columns[i].name)
          throw SqlError("42701",
                         "column \"" + create->columns[i].name + "\" specified more than once");
    if (taken) throw SqlError("42P07", "relation \"" + create->table + "\" already exists");
    for (const Column& col : create->columns)
      if (!col.sequence.empty() && !w_.store.find_sequence(col.sequence))
        throw SqlError("42P01", "relation \"" + col.sequence + "\" does not exist");
    std::vector<Column> columns = create->columns;
    for (Column& c : columns)  // a default that does not fit the type fails here
      if (c.default_value) c.default_value = fit(*c.default_value, c, true);
    std::vector<ForeignKey> fks = foreign_keys(*create);
    // An unnamed primary key's index is table_pkey, cut to fit 63 bytes and
    // numbered on a clash as a UNIQUE's is (add_uniques).
    std::string key_name = create->key_name;
    if (key_name.empty() &&
        std::any_of(columns.begin(), columns.end(), [](const Column& c) { return c.primary_key; }))
      key_name = free_index_name(create->table, "", "pkey");
    TableId made = w_.store.create_table(create->table, columns, key_name, txn);
    // Its creator holds the new table's ACCESS EXCLUSIVE lock until it ends.
    if (w_.table_locks && txn)
      w_.store.lock(w_.store.table_lock_row(made), txn, LockMode::kAccessExclusive, false, false);
    add_uniques(*create, made);
    std::vector<CheckConstraint> checks;
    for (const CheckDef& d : create->checks) checks.push_back(CheckConstraint{d.name, d.condition});
    std::sort(checks.begin(), checks.end(),
              [](const CheckConstraint& a, const CheckConstraint& b) { return a.name < b.name; });
    w_.store.set_checks(made, std::move(checks));
    if (!create->partition_by.empty()) partition_by(*create, made);
    // ---- Rule: CREATE TABLE ... AS inserts its query's rows -------------------
    // Each value converted to its column's type as an INSERT converts it;
    // an error in any fails the statement (and the table goes with it).
    for (const auto& exprs : create->as_rows) {
      EvalEnv env{nullptr, nullptr, &w_.requests[r.value].vars, nullptr, true};
      Row row;
      for (size_t k = 0; k < exprs.size(); ++k)
        row.push_back(assigned_value(*exprs[k], columns[k], env));
      w_.store.insert(made, txn, std::move(row));
    }
    for (ForeignKey& fk : fks) {
      if (fk.parent.value == UINT32_MAX) fk.parent = made;  // it references itself
      name_partition_clones(w_.store.table(made), fk);
      w_.store.add_foreign_key(made, std::move(fk));
    }
    return "";
  }
  if (auto* add = std::get_if<AddIndexStmt>(&st.body)) {
    add_index(r, *add);
    return "";
  }
  if (auto* alter = std::get_if<AlterForeignKeyStmt>(&st.body)) {
    alter_foreign_key(r, *alter);
    return "";
  }
  if (auto* drop = std::get_if<DropTableStmt>(&st.body)) {
    // All or none: a missing table fails the statement before anything is
    // dropped, unless IF EXISTS (then a NOTICE for each).
    std::vector<TableId> found;
    std::string notices;
    for (const std::string& name : drop->tables) {
      auto tid = w_.store.find_visible_table(name, txn);
      if (tid && std::find(found.begin(), found.end(), *tid) == found.end()) found.push_back(*tid);
      if (!tid && !drop->if_exists)
        throw SqlError("42P01", "table \"" + name + "\" does not exist");
      if (!tid)
        notices +=
            (notices.empty() ? "" : "\n") + ("table \"" + name + "\" does not exist, skipping");
    }
    // ---- Rule: a referenced table is dropped with its referencing tables --
    // (2BP01 otherwise; DROP ... CASCADE, which would drop the other
    // table's key, is not modelled.)
    for (size_t i = 0; i < w_.store.table_count(); ++i) {
      TableId other{static_cast<uint32_t>(i)};
      const Table& t = w_.store.table(other);
      if (t.dropped || std::find(found.begin(), found.end(), other) != found.end()) continue;
      for (const ForeignKey& fk : t.foreign_keys)
        if (std::find(found.begin(), found.end(), fk.parent) != found.end())
          throw SqlError(drop->cascade ? "0A000" : "2BP01",
                         drop->cascade ? "DROP TABLE ... CASCADE that drops table " + t.name +
                                             "'s foreign key is not modelled"
                                       : "cannot drop table " + w_.store.table(fk.parent).name +
                                             " because other objects depend on it");
    }
    for (TableId t : found) refuse_pending_checks(r, t, "DROP TABLE");
    for (TableId t : found) w_.store.drop_table(t, txn);
    return notices;
  }
  return "";
}

// ---- Rule: unique indexes, named and made as PostgreSQL makes them -------------
// After the primary key's index, one per UNIQUE in the order written; one
// on the same columns as the primary key or an earlier UNIQUE is not made
// again. Unnamed, each is table_column[_column...]_key, both parts cut to
// fit PostgreSQL's 63 bytes (the longer first, as makeObjectName does) and a
// number added when another relation has the name (ChooseRelationName); a
// name given with CONSTRAINT that another relation has is 42P07.
namespace {

std::string object_name(std::string a, std::string b, const std::string& label) {
  const size_t avail = 63 - (b.empty() ? 0 : 1) - (label.size() + 1);
  size_t na = a.size(), nb = b.size();
  while (na + nb > avail) (na > nb ? na : nb)--;
  a.resize(na), b.resize(nb);
  return a + (b.empty() ? "" : "_" + b) + "_" + label;
}

}  // namespace

bool Executor::relation_named(const std::string& name) const {
  const Store& s = w_.store;
  for (size_t i = 0; i < s.table_count(); ++i) {
    const Table& t = s.table(TableId{static_cast<uint32_t>(i)});
    if (t.dropped) continue;
    if (t.name == name || (!t.key_columns().empty() && t.key_name == name)) return true;
    for (const UniqueKey& u : t.uniques)
      if (u.name == name) return true;
    for (const PlainIndex& p : t.plain_indexes)
      if (p.name == name) return true;
    if (t.partitioning)
      for (const Partition& p : t.partitioning->parts)
        if (p.name == name ||
            std::find(p.index_names.begin(), p.index_names.end(), name) != p.index_names.end())
          return true;
  }
  return false;
}

std::string Executor::free_index_name(const std::string& table, const std::string& columns,
                                      const std::string& label) const {
  std::string name = object_name(table, columns, label);
  for (int pass = 1; relation_named(name); ++pass)
    name = object_name(table, columns, label + std::to_string(pass));
  return name;
}

void Executor::add_uniques(const CreateTableStmt& create, TableId made) {
  Store& s = w_.store;
  std::vector<std::vector<int>> made_sets;
  std::vector<int> key = s.table(made).key_columns();
  if (!key.empty()) made_sets.push_back(key);
  for (const UniqueDef& d : create.uniques) {
    std::vector<int> cols;
    for (const std::string& c : d.columns) cols.push_back(s.table(made).column_index(c));
    std::vector<int> set = cols;
    std::sort(set.begin(), set.end());
    if (std::find(made_sets.begin(), made_sets.end(), set) != made_sets.end()) continue;
    made_sets.push_back(set);
    std::string name = d.name;
    if (!name.empty() && relation_named(name))
      throw SqlError("42P07", "relation \"" + name + "\" already exists");
    if (name.empty()) {
      std::string joined;
      for (const std::string& c : d.columns) joined += (joined.empty() ? "" : "_") + c;
      name = free_index_name(create.table, joined, "key");
    }
    s.add_unique(made, name, cols);
  }
}

// ---- Rule: a unique index made on a table with rows ----------------------------
// ALTER TABLE ... ADD PRIMARY KEY / UNIQUE and CREATE UNIQUE INDEX, in a
// setup's autocommitted statements (ast.h's AddIndexStmt): the columns
// must exist (42703), a second primary key is 42P16, two live rows with
// one key are 23505, a primary key's column holding NULL is 23502, in that
// order (measured); then every row is indexed. Named as PostgreSQL names it:
// table_pkey, table_cols_key for ADD UNIQUE, table_cols_idx for CREATE
// UNIQUE INDEX, numbered on a clash; a name given that another relation
// has is 42P07.
void Executor::add_index(RequestId r, const AddIndexStmt& add) {
  const Session& session = w_.sessions[r.value];
  if (session.in_block)
    throw SqlError("0A000", std::string(!add.statement ? "ALTER TABLE"
                                        : add.unique   ? "CREATE UNIQUE INDEX"
                                                       : "CREATE INDEX") +
                                " is modelled in a setup's autocommitted statements only, not "
                                "inside a transaction block");
  Store& s = w_.store;
  const TableId tid = table_named(s, add.table);
  if (s.table(tid).partitioning)
    throw SqlError("0A000", add.unique
                                ? "a key added to a partitioned table after it is made is not "
                                  "modelled; write it in its CREATE TABLE"
                                : "an index on a partitioned table is not modelled");
  std::vector<int> cols;
  for (const std::string& c : add.index.columns) {
    int i = s.table(tid).column_index(c);
    if (i < 0)
      throw SqlError("42703",
                     "column \"" + c + "\"" +
                         (add.statement ? " does not exist" : " named in key does not exist"));
    cols.push_back(i);
  }
  if (add.primary && s.table(tid).key_column_count() > 0)
    throw SqlError("42P16",
                   "multiple primary keys for table \"" + add.table + "\" are not allowed");
  std::string joined;
  for (const std::string& c : add.index.columns) joined += (joined.empty() ? "" : "_") + c;
  std::string name = add.index.name;
  if (!name.empty() && relation_named(name))
    throw SqlError("42P07", "relation \"" + name + "\" already exists");
  if (name.empty())
    name = add.primary ? free_index_name(add.table, "", "pkey")
                       : free_index_name(add.table, joined, add.statement ? "idx" : "key");
  // ---- Rule: a partial index's predicate is a boolean of the table's columns ------
  // Its columns must exist (42703) and it must be a boolean (42804, "argument
  // of WHERE"), as parse analysis of the CREATE INDEX finds.
  std::vector<int> predicate_columns;
  if (add.predicate) {
    std::vector<std::string> named;
    column_names(*add.predicate, named);
    for (const std::string& c : named) {
      const int i = s.table(tid).column_index(c);
      if (i < 0) throw SqlError("42703", "column \"" + c + "\" does not exist");
      if (std::find(predicate_columns.begin(), predicate_columns.end(), i) ==
          predicate_columns.end())
        predicate_columns.push_back(i);
    }
    SelectStmt probe;
    probe.table = add.table;
    probe.where = add.predicate;
    TypingEnv env;
    env.table = &s.table(tid);
    analyze_statement(probe, s.table(tid), env);
  }
  if (!add.unique) {  // enforces nothing: made on any rows
    s.add_plain_index(tid, name, cols, add.pattern_ops, add.predicate,
                      std::move(predicate_columns));
    measure(tid, true);
    return;
  }
  // The rows any transaction can still see as live: in a setup, the newest
  // committed version of each row that is not deleted. The index is built
  // first (its duplicates: 23505); a primary key's columns are made NOT NULL
  // after (ALTER TABLE's later pass: 23502), as PostgreSQL 15 reports them.
  std::vector<Row> keys;
  for (RowId row : s.table(tid).rows)
    if (VersionId v = s.newest_committed(row)) {
      if (add.predicate) {  // a partial index holds the rows its predicate is true for
        EvalEnv env{&s.table(tid), &s.version(v).values, nullptr, nullptr};
        if (eval_pred(*add.predicate, env) != true) continue;
      }
      Row& key = keys.emplace_back();
      for (int c : cols) key.push_back(s.version(v).values[static_cast<size_t>(c)]);
    }
  std::set<Row> seen;
  for (const Row& key : keys) {
    if (std::any_of(key.begin(), key.end(), [](const Value& x) { return is_null(x); })) continue;
    if (!seen.insert(key).second)
      throw SqlError("23505", "could not create unique index \"" + name + "\"");
  }
  if (add.primary)
    for (size_t k = 0; k < cols.size(); ++k)
      for (const Row& key : keys)
        if (is_null(key[k]))
          throw SqlError("23502", "column \"" + add.index.columns[k] + "\" of relation \"" +
                                      add.table + "\" contains null values");
  s.add_index(tid, name, cols, add.primary, add.predicate, std::move(predicate_columns),
              !add.statement);
  measure(tid, true);
}

// ---- Rule: VACUUM, ANALYZE and an index build measure the table ----------------
// They record in pg_class the pages the table fills and its live rows
// (those whose newest committed version no committed transaction deleted):
// the planner sizes it by them from then on (index_lookup.cc, table_size).
// An index built over no row leaves a table never measured as it was
// (index_update_stats keeps reltuples -1).
// VACUUM (not FULL) also sets the table's pages all-visible, where every
// version left is visible to every transaction: here, when no other
// transaction runs (one that does may still see a version deleted, or not
// yet see one inserted).
void Executor::measure(TableId tid, bool index_build, bool vacuum, TxnId self) {
  Store& s = w_.store;
  const Table& t = s.table(tid);
  double live = 0;
  for (RowId row : t.rows)
    if (s.newest_committed(row)) ++live;
  if (index_build && live == 0 && !t.measured()) return;
  bool settled = vacuum;
  for (uint32_t k = 1; settled && k <= s.txn_count(); ++k)
    settled = TxnId{k} == self || s.txn(TxnId{k}).state != TxnState::kActive;
  s.measure(tid, t.heap_pages, live, settled);
}

// ---- Rule: a foreign key added to a table that holds rows ----------------------
// ALTER TABLE ... ADD FOREIGN KEY checks every row the table holds (23503
// for the first whose key has no referenced row, both read with a fresh
// snapshot, as RI_Initial_Check reads them), unless NOT VALID; VALIDATE
// CONSTRAINT checks them then (nothing for a key already valid; 42704 for
// a name the table has no constraint of, 42809 for one that is not a
// foreign key). A name the table's constraints have already is 42710.
// The key belongs to the transaction until it ends: a rollback removes it.
namespace {

// Whether table t has a constraint named `name`: its primary key's, a
// unique one's, a check's, or (with `foreign`) a foreign key's.
bool has_constraint(const Table& t, const std::string& name, bool foreign) {
  if (t.key_column_count() && t.key_name == name) return true;
  for (const UniqueKey& u : t.uniques)
    if (u.name == name) return true;
  for (const CheckConstraint& c : t.checks)
    if (c.name == name) return true;
  if (foreign)
    for (const ForeignKey& k : t.foreign_keys)
      if (k.named(name)) return true;
  return false;
}

// The name PostgreSQL's ChooseConstraintName starts from for a foreign key
// of these columns of `child`: child_col[_col...]_fkey.
std::string fkey_base_name(const Table& child, const std::vector<int>& columns) {
  std::string base = child.name;
  for (int c : columns) base += "_" + child.columns[static_cast<size_t>(c)].name;
  return base + "_fkey";
}

}  // namespace

// ---- Rule: SET CONSTRAINTS defers a foreign key's checks, or not --------------
// ALL, or each name: a foreign key's (every key of that name, or of a
// partition's clone of one, which shares its deferral); a name no
// constraint has is 42704, DEFERRED of a key that is not DEFERRABLE (or of a
// primary key, unique or check constraint, which ccsim's never are) 42809;
// IMMEDIATE of one is allowed and does nothing. Outside a
// transaction block it only warns. It lasts to the end of the transaction,
// and a ROLLBACK TO a savepoint before it undoes it.
void Executor::set_constraints(RequestId r, const SetStmt& set, SqlAnswer* a) {
  Session& session = w_.sessions[r.value];
  const Store& s = w_.store;
  // Outside a block the warning comes first, then the names are looked up.
  const std::string warning =
      session.in_block ? "" : "SET CONSTRAINTS can only be used in transaction blocks";
  for (const std::string& name : set.constraints) {
    bool found = false, deferrable = true;
    for (size_t i = 0; i < s.table_count(); ++i) {
      const Table& t = s.table(TableId{static_cast<uint32_t>(i)});
      if (t.dropped) continue;
      for (const ForeignKey& fk : t.foreign_keys)
        if (fk.named(name)) found = true, deferrable = deferrable && fk.deferrable;
      if (has_constraint(t, name, false)) found = true, deferrable = false;
    }
    if (!found)
      throw SqlError("42704", "constraint \"" + name + "\" does not exist").warned(warning);
    if (!deferrable && set.defer)  // IMMEDIATE: a key always checked at once already is
      throw SqlError("42809", "constraint \"" + name + "\" is not deferrable").warned(warning);
  }
  if (!session.in_block) {
    a->warning = warning;
    return;
  }
  ConstraintModes& m = session.modes;
  if (set.constraints.empty()) {
    m.all = set.defer;
    m.named.clear();
    return;
  }
  for (const std::string& name : set.constraints) {
    std::erase_if(m.named, [&](const auto& p) { return p.first == name; });
    m.named.emplace_back(name, set.defer);
  }
}

// PostgreSQL's ChooseConstraintName: `base`, then base1, base2 ... until no
// constraint of the schema has the name (nor one of `also`).
std::string Executor::free_constraint_name(const std::string& base,
                                           const std::vector<std::string>& also) const {
  const Store& s = w_.store;
  auto used = [&](const std::string& name) {
    if (std::find(also.begin(), also.end(), name) != also.end()) return true;
    for (size_t i = 0; i < s.table_count(); ++i) {
      const Table& other = s.table(TableId{static_cast<uint32_t>(i)});
      if (!other.dropped && has_constraint(other, name, true)) return true;
    }
    return false;
  };
  std::string name = base;
  for (int n = 1; used(name); ++n) name = base + std::to_string(n);
  return name;
}

// ---- Rule: a foreign key to a partitioned table is one per partition ------------
// PostgreSQL clones the key of `child`'s columns once per partition of the
// partitioned table it references (addFkRecurseReferenced), each a
// constraint of the referencing table named child_cols_fkey with the first
// number free (the key itself usually holds the bare name); a delete or key
// change in that partition names the clone. A partition added later gets
// its clone then.
void Executor::name_partition_clones(const Table& child, ForeignKey& fk) const {
  const Table& parent = w_.store.table(fk.parent);
  if (!parent.partitioning) return;
  const std::string base = fkey_base_name(child, fk.columns);
  std::vector<std::string> also{fk.name};
  for (const Partition& p : parent.partitioning->parts) {
    std::string name = free_constraint_name(base, also);
    also.push_back(name);
    fk.part_names.emplace_back(p.name, std::move(name));
  }
}

// ---- Rule: a foreign key's own name is looked at between its two locks --------
// ATExecAddConstraint looks for a name the statement gives among the
// altered table's constraints once that table is locked, before
// ATAddForeignKeyConstraint locks the table it references: a name in use
// fails with 42710 without waiting for the second table's holder
// (random spec 7578). `first` is the table the statement locked first.
// ---- Rule: a table with deferred checks pending is not dropped or altered ------
// 55006, as CheckTableNotInUse says: the checks of rows written into it, or
// of keys that went from it, still wait for this transaction's COMMIT.
// ALTER TABLE looks once it holds the altered table's lock, before anything
// else (a foreign key's name, the referenced table's lock).
void Executor::refuse_pending_checks(RequestId r, TableId t, const char* command) const {
  for (const DeferredCheck& d : w_.sessions[r.value].deferred) {
    if (d.fired) continue;
    const Table& child = w_.store.table(TableId{d.check.table});
    const TableId on =
        d.check.parent ? child.foreign_keys[d.check.fk].parent : TableId{d.check.table};
    if (on == t)
      throw SqlError("55006", std::string("cannot ") + command + " \"" + w_.store.table(t).name +
                                  "\" because it has pending trigger events");
  }
}

void Executor::altered_table_locked(RequestId r, TableId first) const {
  const Request& q = w_.requests[r.value];
  if (q.pc >= q.program->steps.size()) return;
  auto* alter = std::get_if<AlterForeignKeyStmt>(&q.program->steps[q.pc].body);
  if (!alter) return;
  if (w_.store.table(first).name == alter->table) refuse_pending_checks(r, first, "ALTER TABLE");
  check_foreign_key_name(r, first);
}

void Executor::check_foreign_key_name(RequestId r, TableId first) const {
  const Request& q = w_.requests[r.value];
  if (q.pc >= q.program->steps.size()) return;
  auto* alter = std::get_if<AlterForeignKeyStmt>(&q.program->steps[q.pc].body);
  if (!alter || !alter->add || alter->add->name.empty()) return;
  const Table& t = w_.store.table(first);
  if (t.name != alter->table || !has_constraint(t, alter->add->name, true)) return;
  throw SqlError("42710", "constraint \"" + alter->add->name + "\" for relation \"" + t.name +
                              "\" already exists");
}

void Executor::alter_foreign_key(RequestId r, const AlterForeignKeyStmt& alter) {
  Store& s = w_.store;
  const TxnId txn = w_.sessions[r.value].txn;
  const TableId tid = table_named(s, alter.table);
  const Table& t = s.table(tid);
  if (!alter.add) {
    auto named = std::find_if(t.foreign_keys.begin(), t.foreign_keys.end(),
                              [&](const ForeignKey& k) { return k.name == alter.validate; });
    if (named == t.foreign_keys.end() && has_constraint(t, alter.validate, false))
      throw SqlError("42809", "constraint \"" + alter.validate + "\" of relation \"" + t.name +
                                  "\" is not a foreign key or check constraint");
    if (named == t.foreign_keys.end())
      throw SqlError("42704", "constraint \"" + alter.validate + "\" of relation \"" + t.name +
                                  "\" does not exist");
    if (!named->not_valid) return;
    check_existing_rows(r, tid, *named);
    s.validate_foreign_key(tid, static_cast<size_t>(named - t.foreign_keys.begin()), txn);
    return;
  }
  // PostgreSQL 15 adds a key to a partitioned table valid or not at all
  // (after both tables' locks, before it looks at the key).
  if (alter.not_valid && t.partitioning)
    throw SqlError("42809", "cannot add NOT VALID foreign key on partitioned table \"" + t.name +
                                "\" referencing relation \"" + alter.add->table + "\"");
  CreateTableStmt as_made;
  as_made.table = t.name;
  as_made.columns = t.columns;
  as_made.foreign_keys = {*alter.add};
  ForeignKey fk = std::move(foreign_keys(as_made).front());
  if (fk.parent.value == UINT32_MAX) fk.parent = tid;  // it references its own table
  if (alter.add->name.empty()) fk.name = free_constraint_name(fk.name);
  if (has_constraint(t, fk.name, true))
    throw SqlError("42710",
                   "constraint \"" + fk.name + "\" for relation \"" + t.name + "\" already exists");
  name_partition_clones(t, fk);
  fk.not_valid = alter.not_valid;
  if (!fk.not_valid) check_existing_rows(r, tid, fk);
  s.alter_add_foreign_key(tid, std::move(fk), txn);
}

void Executor::check_existing_rows(RequestId r, TableId tid, const ForeignKey& fk) const {
  const Store& s = w_.store;
  const TxnId txn = w_.sessions[r.value].txn;
  const Snapshot latest = s.latest_snapshot(txn);
  std::set<Row> keys;
  for (VersionId v : s.scan(fk.parent, latest)) {
    Row key;
    for (int c : fk.parent_columns) key.push_back(s.version(v).values[static_cast<size_t>(c)]);
    keys.insert(std::move(key));
  }
  for (VersionId v : s.scan(tid, latest)) {
    Row key;
    bool null = false;
    for (int c : fk.columns) {
      const Value& x = s.version(v).values[static_cast<size_t>(c)];
      null |= is_null(x);
      key.push_back(x);
    }
    if (!null && !keys.count(key))
      throw SqlError("23503", "insert or update on table \"" + s.table(tid).name +
                                  "\" violates foreign key constraint \"" + fk.name + "\"");
  }
}

// ---- Rule: a foreign key references a unique index ----------------------------
// Its columns must exist (42703), its table too (42P01), and the columns it
// references must be that table's primary key, all of it, or (another table's)
// the columns of one of its other unique indexes (42830 otherwise), of a
// type its columns can compare with (42804).
// Named as PostgreSQL names it: table_column[_column...]_fkey. A key that
// references the table being made gets its parent once the table exists.
std::vector<ForeignKey> Executor::foreign_keys(const CreateTableStmt& create) const {
  const Store& s = w_.store;
  std::vector<ForeignKey> out;
  auto index_of = [](const std::vector<Column>& cols, const std::string& name) {
    for (size_t i = 0; i < cols.size(); ++i)
      if (cols[i].name == name) return static_cast<int>(i);
    throw SqlError("42703",
                   "column \"" + name + "\" referenced in foreign key constraint does not exist");
  };
  for (const ForeignKeyDef& d : create.foreign_keys) {
    ForeignKey fk;
    fk.name = create.table;
    for (const std::string& c : d.columns) {
      fk.columns.push_back(index_of(create.columns, c));
      fk.name += "_" + c;
    }
    fk.name += "_fkey";
    if (!d.name.empty()) fk.name = d.name;
    fk.on_delete = d.on_delete;
    fk.on_update = d.on_update;
    fk.deferrable = d.deferrable;
    fk.initially_deferred = d.initially_deferred;
    bool self = d.table == create.table;
    std::optional<TableId> parent = self ? std::nullopt : s.find_table(d.table);
    if (!self && !parent) throw SqlError("42P01", "relation \"" + d.table + "\" does not exist");
    const std::vector<Column>& pcols = self ? create.columns : s.table(*parent).columns;
    const std::vector<UniqueKey>* puniques = self ? nullptr : &s.table(*parent).uniques;
    std::vector<int> key;
    for (size_t i = 0; i < pcols.size(); ++i)
      if (pcols[i].primary_key) key.push_back(static_cast<int>(i));
    if (d.ref_columns.empty()) {
      if (key.empty())
        throw SqlError("42830", "there is no primary key for referenced table \"" + d.table + "\"");
      fk.parent_columns = key;
    } else {
      for (const std::string& c : d.ref_columns) fk.parent_columns.push_back(index_of(pcols, c));
    }
    if (fk.parent_columns.size() != fk.columns.size())
      throw SqlError("42830",
                     "number of referencing and referenced columns for foreign key disagree");
    std::vector<int> named = fk.parent_columns;
    std::sort(named.begin(), named.end());
    // Any unique index of the parent will do: its primary key's, or (the
    // parent made before) one of its others.
    if (named != key && puniques) {
      for (size_t u = 0; u < puniques->size() && !fk.parent_index; ++u) {
        if ((*puniques)[u].predicate) continue;  // a partial index holds no key of every row
        std::vector<int> cols = (*puniques)[u].columns;
        std::sort(cols.begin(), cols.end());
        if (cols == named) fk.parent_index = u + 1;
      }
    }
    if (named != key && !fk.parent_index)
      throw SqlError("42830",
                     "there is no unique constraint matching given keys for referenced "
                     "table \"" +
                         d.table + "\"");
    for (size_t i = 0; i < fk.columns.size(); ++i) {
      auto family = [](ColumnType t) {  // integers compare with each other
        bool whole = t == ColumnType::kSmallInt || t == ColumnType::kInt ||
                     t == ColumnType::kBigInt || t == ColumnType::kNumeric;
        return whole ? -1 : static_cast<int>(t);
      };
      if (family(create.columns[static_cast<size_t>(fk.columns[i])].type) !=
          family(pcols[static_cast<size_t>(fk.parent_columns[i])].type))
        throw SqlError("42804", "foreign key constraint \"" + fk.name + "\" cannot be implemented");
    }
    fk.parent = self ? TableId{UINT32_MAX} : *parent;
    out.push_back(std::move(fk));
  }
  return out;
}

}  // namespace ccsim

namespace ccsim {

namespace {

// Where a partition goes among its siblings, as PostgreSQL's
// partition_bounds_create orders them (the order a scan reads them in):
// LIST by its least value (one holding only NULL after those), RANGE by
// its lower bound (MINVALUE first), DEFAULT last.
bool bound_before(const Partition& a, const Partition& b, bool range) {
  if (a.is_default != b.is_default) return b.is_default;
  if (a.is_default) return false;
  if (range) {
    if (!a.lo || !b.lo) return !a.lo && b.lo;
    return compare_sql(*a.lo, *b.lo) < 0;
  }
  auto least = [](const Partition& p) {
    std::optional<Value> m;
    for (const Value& v : p.values)
      if (!is_null(v) && (!m || compare_sql(v, *m) < 0)) m = v;
    return m;
  };
  auto x = least(a), y = least(b);
  if (!x || !y) return x && !y;
  return compare_sql(*x, *y) < 0;
}

// Whether two partitions' bounds share a value.
bool bounds_overlap(const Partition& a, const Partition& b, bool range) {
  if (a.is_default || b.is_default) return false;
  if (!range) {
    for (const Value& x : a.values)
      for (const Value& y : b.values)
        if (is_null(x) ? is_null(y) : !is_null(y) && compare_sql(x, y) == 0) return true;
    return false;
  }
  // [a.lo, a.hi) and [b.lo, b.hi) meet when each starts before the other ends.
  auto starts_before_end = [](const Partition& p, const Partition& q) {
    return !p.lo || !q.hi || compare_sql(*p.lo, *q.hi) < 0;
  };
  return starts_before_end(a, b) && starts_before_end(b, a);
}

}  // namespace

// ---- Rule: a partitioned table ---------------------------------------------
// CREATE TABLE ... PARTITION BY LIST | RANGE (column): its rows go to its
// partitions. Each of its unique keys must hold the partition key's
// column (0A000), as each partition's own index checks a key only within
// the partition. Made in a setup (validate.cc).
void Executor::partition_by(const CreateTableStmt& create, TableId made) {
  Store& s = w_.store;
  const Table& t = s.table(made);
  PartitionScheme scheme;
  scheme.column = t.column_index(create.partition_by);
  scheme.range = create.partition_range;
  auto holds_key = [&](const std::vector<int>& cols) {
    return std::find(cols.begin(), cols.end(), scheme.column) != cols.end();
  };
  std::vector<std::vector<int>> keys;
  if (t.key_column_count()) keys.push_back(t.key_columns());
  for (const UniqueKey& u : t.uniques) keys.push_back(u.columns);
  for (const std::vector<int>& k : keys)
    if (!holds_key(k))
      throw SqlError("0A000",
                     "unique constraint on partitioned table must include all partitioning "
                     "columns");
  s.set_partitioning(made, std::move(scheme));
}

// ---- Rule: a partition -------------------------------------------------------
// CREATE TABLE p PARTITION OF t FOR VALUES ..., or a table of t's columns
// (any order, no other constraints, no rows) attached with ALTER TABLE t
// ATTACH PARTITION p FOR VALUES ...: its bound's values coerced to the key's
// type; an empty range (42P17), a bound that shares a value with another
// partition's (42P17), a second DEFAULT (42P17) and a DEFAULT partition
// that holds a row the new bound takes (23514) fail as in PostgreSQL. Each
// unique index of t gets the partition's own index (p_pkey, p_col_key), or
// the attached table's key of the same columns.
void Executor::add_partition(const CreateTableStmt& c) {
  Store& s = w_.store;
  const TableId pid = table_named(s, c.partition_of);
  const Table& parent = s.table(pid);
  if (!parent.partitioning)
    throw SqlError("42809", (c.attach ? "table \"" : "\"") + parent.name + "\" is not partitioned");
  const Column& key = parent.columns[static_cast<size_t>(parent.partitioning->column)];
  Partition part;
  part.name = c.table;
  std::string own_key;  // an attached table's primary key's name
  if (c.attach) {
    const TableId cid = table_named(s, c.table);
    const Table& child = s.table(cid);
    auto refuse = [&](const std::string& what) {
      throw SqlError("0A000", "ATTACH PARTITION of " + what + " is not modelled");
    };
    if (child.partitioning) refuse("a partitioned table");
    if (s.referenced(cid)) refuse("a table a foreign key refers to");
    if (!child.foreign_keys.empty() || !child.checks.empty() || !child.uniques.empty())
      refuse(
          "a table with constraints of its own (other than its partitioned table's primary key)");
    for (RowId row : child.rows) {
      const Version& v = s.version(s.row(row).newest);
      if (!(v.xmax && s.committed(v.xmax))) refuse("a table that holds rows (attach it empty)");
    }
    for (const Column& col : child.columns) {
      int i = parent.column_index(col.name);
      if (i < 0)
        throw SqlError("42804", "table \"" + child.name + "\" contains column \"" + col.name +
                                    "\" not found in parent \"" + parent.name + "\"");
      const Column& pc = parent.columns[static_cast<size_t>(i)];
      if (pc.type != col.type || pc.max_length != col.max_length ||
          pc.blank_padded != col.blank_padded || pc.precision != col.precision ||
          pc.scale != col.scale)
        throw SqlError("42804", "child table \"" + child.name +
                                    "\" has different type for column \"" + col.name + "\"");
      if (col.not_null && !pc.not_null)
        refuse("a table with a NOT NULL its partitioned table lacks");
      if (col.default_value != pc.default_value || col.serial)
        refuse("a table whose defaults differ from its partitioned table's");
    }
    for (const Column& col : parent.columns)
      if (child.column_index(col.name) < 0)
        throw SqlError("42804", "child table is missing column \"" + col.name + "\"");
    std::vector<std::string> child_key, parent_key;
    for (int i : child.key_columns())
      child_key.push_back(child.columns[static_cast<size_t>(i)].name);
    for (int i : parent.key_columns())
      parent_key.push_back(parent.columns[static_cast<size_t>(i)].name);
    std::sort(child_key.begin(), child_key.end());
    std::sort(parent_key.begin(), parent_key.end());
    if (!child_key.empty() && child_key != parent_key)
      refuse("a table whose primary key is not its partitioned table's");
    if (!child_key.empty()) own_key = child.key_name;
  } else if (relation_named(c.table)) {
    throw SqlError("42P07", "relation \"" + c.table + "\" already exists");
  }
  const PartitionBoundDef& b = c.bound;
  part.is_default = b.is_default;
  if (!b.is_default && b.range != parent.partitioning->range)
    throw SqlError("42P16", std::string("invalid bound specification for a ") +
                                (parent.partitioning->range ? "range" : "list") + " partition");
  auto typed = [&](const Value& v) {
    if (is_null(v) && b.range) throw SqlError("22004", "cannot specify NULL in range bound");
    return is_null(v) ? v : fit(v, key, true);
  };
  for (const Value& v : b.values) part.values.push_back(typed(v));
  if (b.lo) part.lo = typed(*b.lo);
  if (b.hi) part.hi = typed(*b.hi);
  if (b.range && part.lo && part.hi && compare_sql(*part.lo, *part.hi) >= 0)
    throw SqlError("42P17", "empty range bound specified for partition \"" + part.name + "\"");
  PartitionScheme scheme = *parent.partitioning;
  for (const Partition& other : scheme.parts) {
    if (part.is_default && other.is_default)
      throw SqlError("42P17", "partition \"" + part.name +
                                  "\" conflicts with existing default partition \"" + other.name +
                                  "\"");
    if (bounds_overlap(part, other, scheme.range))
      throw SqlError("42P17", "partition \"" + part.name + "\" would overlap partition \"" +
                                  other.name + "\"");
  }
  // The DEFAULT partition may hold a row the new bound takes.
  if (!part.is_default)
    for (const Partition& other : scheme.parts) {
      if (!other.is_default) continue;
      PartitionScheme alone{scheme.column, scheme.range, {part}};
      Table probe;
      probe.partitioning = alone;
      for (RowId row : parent.rows) {
        const Version& v = s.version(s.row(row).newest);
        if (v.xmax && s.committed(v.xmax)) continue;
        if (parent.partition_of(v.values) >= 0 &&
            parent.partitioning->parts[static_cast<size_t>(parent.partition_of(v.values))]
                .is_default &&
            probe.partition_of(v.values) == 0)
          throw SqlError("23514", "updated partition constraint for default partition \"" +
                                      other.name + "\" would be violated by some row");
      }
    }
  if (c.attach) s.drop_table(table_named(s, c.table));
  // Its own indexes, named once the table is gone (their names free).
  for (size_t k = 0; k <= parent.uniques.size(); ++k) {
    if (k == 0 && !parent.key_column_count()) {
      part.index_names.emplace_back();
      continue;
    }
    if (k == 0 && !own_key.empty()) {
      part.index_names.push_back(own_key);
      continue;
    }
    std::string cols;
    if (k > 0)
      for (int col : parent.uniques[k - 1].columns)
        cols += (cols.empty() ? "" : "_") + parent.columns[static_cast<size_t>(col)].name;
    part.index_names.push_back(free_index_name(part.name, cols, k == 0 ? "pkey" : "key"));
  }
  auto at = std::find_if(scheme.parts.begin(), scheme.parts.end(),
                         [&](const Partition& p) { return bound_before(part, p, scheme.range); });
  const std::string name = part.name;
  scheme.parts.insert(at, std::move(part));
  s.set_partitioning(pid, std::move(scheme));
  // Each key that refers to t gets its clone for the new partition.
  for (size_t i = 0; i < s.table_count(); ++i) {
    const TableId child{static_cast<uint32_t>(i)};
    if (s.table(child).dropped) continue;
    for (size_t k = 0; k < s.table(child).foreign_keys.size(); ++k) {
      const ForeignKey& fk = s.table(child).foreign_keys[k];
      if (fk.parent != pid) continue;
      s.name_partition_clone(child, k, name,
                             free_constraint_name(fkey_base_name(s.table(child), fk.columns)));
    }
  }
}

}  // namespace ccsim
