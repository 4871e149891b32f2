// The executor's statements that are not row reads or writes: savepoints and
// the schema (CREATE TABLE, DROP TABLE). The rest is in executor.cc.
#include "engine/executor.h"

#include <algorithm>

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
    sps.emplace_back(sp.name, w_.store.mark(session.txn));
    return;
  }
  auto it =
      std::find_if(sps.rbegin(), sps.rend(), [&](const auto& p) { return p.first == sp.name; });
  if (it == sps.rend()) throw SqlError("3B001", "savepoint \"" + sp.name + "\" does not exist");
  size_t at = static_cast<size_t>(sps.rend() - it) - 1;
  if (sp.kind == SavepointStmt::Kind::kRelease) {
    sps.resize(at);
    return;
  }
  sps.resize(at + 1);
  session.failed_block = false;
  // Its waiters resume once this step is narrated (finish()), as at COMMIT.
  woken_.emplace_back(r, w_.store.rollback_to(session.txn, sps.back().second));
}

// ---- Rule: the schema ----------------------------------------------------------
// CREATE TABLE refuses a column named twice (42701) and a name in use
// (42P07, unless IF NOT EXISTS); DROP TABLE drops all its tables or none (42P01 for a missing
// one, unless IF EXISTS).
void Executor::ddl(const Step& st) {
  if (auto* create = std::get_if<CreateTableStmt>(&st.body)) {
    // IF NOT EXISTS: an existing table ends the statement before its columns
    // are looked at (PostgreSQL says "skipping" in a NOTICE).
    if (create->if_not_exists && w_.store.find_table(create->table)) return;
    for (size_t i = 0; i < create->columns.size(); ++i)
      for (size_t k = 0; k < i; ++k)
        if (create->columns[k].name == create->columns[i].name)
          throw SqlError("42701",
                         "column \"" + create->columns[i].name + "\" specified more than once");
    if (w_.store.find_table(create->table))
      throw SqlError("42P07", "relation \"" + create->table + "\" already exists");
    std::vector<Column> columns = create->columns;
    for (Column& c : columns)  // a default that does not fit the type fails here
      if (c.default_value) c.default_value = fit(*c.default_value, c);
    w_.store.create_table(create->table, columns);
    return;
  }
  if (auto* drop = std::get_if<DropTableStmt>(&st.body)) {
    // All or none: a missing table fails the statement before anything is
    // dropped, unless IF EXISTS (PostgreSQL then says "skipping" in a NOTICE).
    std::vector<TableId> found;
    for (const std::string& name : drop->tables) {
      auto tid = w_.store.find_table(name);
      if (tid && std::find(found.begin(), found.end(), *tid) == found.end()) found.push_back(*tid);
      if (!tid && !drop->if_exists)
        throw SqlError("42P01", "table \"" + name + "\" does not exist");
    }
    for (TableId t : found) w_.store.drop_table(t);
    return;
  }
}

}  // namespace ccsim
