#include "pg/backend.h"

#include <algorithm>

#include "lang/printer.h"

namespace ccsim {

std::optional<SqlAnswer> PgBackend::run(RequestId r, const Step& st, const Vars& vars) {
  auto owed = std::find(rollbacks_.begin(), rollbacks_.end(), r.value);
  if (owed != rollbacks_.end()) {  // not flushed yet: send it first, in order
    rollbacks_.erase(owed);
    run_.session(r.value)->exec("ROLLBACK");
  }
  InFlight& f = in_flight_[r.value];
  f = InFlight{&st, in_transaction(r), true};
  params_.clear();
  const std::string* sql = nullptr;
  try {
    sql = &sql_cache_.sql(st, vars, &params_);
  } catch (const SqlError& e) {
    f.active = false;
    return SqlAnswer::error(e);
  }
  run_.start(r.value, *sql, params_);
  return std::nullopt;
}

bool PgBackend::in_transaction(RequestId r) const {
  if (std::find(rollbacks_.begin(), rollbacks_.end(), r.value) != rollbacks_.end()) return false;
  const auto& conn = run_.session(r.value);
  return conn && conn->in_transaction();
}

void PgBackend::rollback(RequestId r, const std::string& why, bool in_session) {
  // A connection that goes on after the error (a CATCH): the server has
  // already put its block in the failed state, or its savepoint's
  // subtransaction; the program's own ROLLBACK [TO] ends it.
  if (in_session || !in_transaction(r)) return;
  rollbacks_.push_back(r.value);
  emit(log_, EventKind::kRollback, r, app_.requests[r.value].pc, [&] { return why; });
}

SqlAnswer PgBackend::answer_of(RequestId r) {
  InFlight& f = in_flight_[r.value];
  f.active = false;
  const PgResult& res = run_.session(r.value)->result();
  SqlAnswer a;
  if (res.error) {
    a.kind = SqlAnswer::Kind::kError;
    a.sqlstate = res.sqlstate;
    a.message = res.message;
    return a;
  }
  a.block_before = f.was_in_txn;
  if (auto* b = std::get_if<BeginStmt>(&f.step->body)) a.level = b->isolation.value_or(iso_);
  if (res.tuples) {
    a.has_rows = true;
    a.columns = res.columns;
    a.rows = res.values();
  }
  a.rowcount = res.rowcount;
  return a;
}

boost::asio::awaitable<void> PgBackend::flush() {
  for (size_t i : std::exchange(rollbacks_, {})) {
    auto& conn = run_.session(i);
    if (!conn) continue;
    conn->start("ROLLBACK", {});
    co_await conn->collect();
    if (conn->result().error)
      throw PgError("PostgreSQL refused ROLLBACK: " + conn->result().message);
  }
}

}  // namespace ccsim
