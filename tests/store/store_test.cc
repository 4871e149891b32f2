// The store: row versions and snapshots, lock conflicts and FIFO queues.
#include <catch2/catch.hpp>

#include "store/store.h"

using namespace ccsim;

namespace {

struct Fixture {
  Store s;
  TableId t = s.create_table("t", {Column{"id", ColumnType::kInt, true, true, {}, 0},
                                   Column{"v", ColumnType::kInt, false, false, {}, 0}});
  RowId seed_row(int64_t id, int64_t v) {
    TxnId x = s.begin(RequestId{0}, Isolation::kReadCommitted);
    RowId r = s.insert(t, x, Row{id, v});
    s.end(x, true);
    return r;
  }
  std::vector<Value> seen(const Snapshot& snap) {
    std::vector<Value> out;
    for (VersionId v : s.scan(t, snap)) out.push_back(s.version(v).values[1]);
    return out;
  }
};

}  // namespace

TEST_CASE("a write is invisible to others until it commits, and visible to its writer", "[store]") {
  Fixture f;
  RowId r = f.seed_row(1, 100);
  TxnId a = f.s.begin(RequestId{0}, Isolation::kReadCommitted);
  TxnId b = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  f.s.lock(r, a, LockMode::kNoKeyUpdate, true);
  f.s.update(r, a, Row{int64_t{1}, int64_t{110}});
  CHECK(f.seen(f.s.statement_snapshot(a)) == std::vector<Value>{int64_t{110}});
  CHECK(f.seen(f.s.statement_snapshot(b)) == std::vector<Value>{int64_t{100}});
  f.s.end(a, true);
  SECTION("READ COMMITTED: the next statement of another transaction sees it") {
    CHECK(f.seen(f.s.statement_snapshot(b)) == std::vector<Value>{int64_t{110}});
  }
}

TEST_CASE("REPEATABLE READ keeps the snapshot of its first statement", "[store]") {
  Fixture f;
  RowId r = f.seed_row(1, 100);
  TxnId rr = f.s.begin(RequestId{0}, Isolation::kRepeatableRead);
  TxnId w = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  // The snapshot is taken by the first statement, not by BEGIN: a commit
  // between BEGIN and the first statement is seen.
  f.s.lock(r, w, LockMode::kNoKeyUpdate, true);
  f.s.update(r, w, Row{int64_t{1}, int64_t{110}});
  f.s.end(w, true);
  CHECK(f.seen(f.s.statement_snapshot(rr)) == std::vector<Value>{int64_t{110}});
  TxnId w2 = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  f.s.lock(r, w2, LockMode::kNoKeyUpdate, true);
  f.s.update(r, w2, Row{int64_t{1}, int64_t{120}});
  f.s.end(w2, true);
  CHECK(f.seen(f.s.statement_snapshot(rr)) == std::vector<Value>{int64_t{110}});
  CHECK(f.s.version(f.s.newest_committed(r)).values[1] == Value{int64_t{120}});
}

TEST_CASE("an aborted transaction's writes are undone", "[store]") {
  Fixture f;
  RowId r = f.seed_row(1, 100);
  TxnId a = f.s.begin(RequestId{0}, Isolation::kReadCommitted);
  f.s.lock(r, a, LockMode::kNoKeyUpdate, true);
  f.s.update(r, a, Row{int64_t{1}, int64_t{110}});
  f.s.update(r, a, Row{int64_t{1}, int64_t{120}});
  f.s.end(a, false);
  CHECK(f.s.version(f.s.row(r).newest).values[1] == Value{int64_t{100}});
  CHECK(f.s.row(r).holders.empty());
  TxnId b = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  CHECK(f.seen(f.s.statement_snapshot(b)) == std::vector<Value>{int64_t{100}});
}

TEST_CASE("row lock conflicts follow PostgreSQL's table", "[store]") {
  using M = LockMode;
  // From the PostgreSQL 15 manual, "Conflicting Row-Level Locks".
  auto [a, b, conflict] = GENERATE(table<M, M, bool>({
      {M::kKeyShare, M::kKeyShare, false},
      {M::kKeyShare, M::kShare, false},
      {M::kKeyShare, M::kNoKeyUpdate, false},
      {M::kKeyShare, M::kUpdate, true},
      {M::kShare, M::kShare, false},
      {M::kShare, M::kNoKeyUpdate, true},
      {M::kShare, M::kUpdate, true},
      {M::kNoKeyUpdate, M::kNoKeyUpdate, true},
      {M::kNoKeyUpdate, M::kUpdate, true},
      {M::kUpdate, M::kUpdate, true},
  }));
  CAPTURE(to_sql(a), to_sql(b));
  CHECK(conflicts(a, b) == conflict);
  CHECK(conflicts(b, a) == conflict);
}

TEST_CASE("lock waiters are granted in FIFO order, one conflicting waiter at a time", "[store]") {
  Fixture f;
  RowId r = f.seed_row(1, 100);
  TxnId a = f.s.begin(RequestId{0}, Isolation::kReadCommitted);
  TxnId b = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  TxnId c = f.s.begin(RequestId{2}, Isolation::kReadCommitted);
  CHECK(f.s.lock(r, a, LockMode::kUpdate, true) == LockResult::kGranted);
  CHECK(f.s.lock(r, b, LockMode::kUpdate, true) == LockResult::kEnqueued);
  CHECK(f.s.lock(r, c, LockMode::kUpdate, true) == LockResult::kEnqueued);
  CHECK(f.s.blockers(r, b, LockMode::kUpdate) == std::vector<TxnId>{a});
  CHECK(f.s.end(a, true) == std::vector<TxnId>{b});
  CHECK(f.s.end(b, true) == std::vector<TxnId>{c});
}

TEST_CASE("shared locks are granted together, NOWAIT-style requests are not queued", "[store]") {
  Fixture f;
  RowId r = f.seed_row(1, 100);
  TxnId a = f.s.begin(RequestId{0}, Isolation::kReadCommitted);
  TxnId b = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  TxnId c = f.s.begin(RequestId{2}, Isolation::kReadCommitted);
  CHECK(f.s.lock(r, a, LockMode::kShare, true) == LockResult::kGranted);
  CHECK(f.s.lock(r, b, LockMode::kShare, true) == LockResult::kGranted);
  CHECK(f.s.lock(r, c, LockMode::kUpdate, false) == LockResult::kUnavailable);
  CHECK(f.s.row(r).queue.empty());
  CHECK(f.s.lock(r, c, LockMode::kKeyShare, false) == LockResult::kGranted);
}

TEST_CASE("a wait that closes a cycle is a deadlock", "[store]") {
  Fixture f;
  RowId r1 = f.seed_row(1, 100);
  RowId r2 = f.seed_row(2, 200);
  TxnId a = f.s.begin(RequestId{0}, Isolation::kReadCommitted);
  TxnId b = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  f.s.lock(r1, a, LockMode::kUpdate, true);
  f.s.lock(r2, b, LockMode::kUpdate, true);
  std::vector<TxnId> granted;
  CHECK(f.s.lock(r2, a, LockMode::kUpdate, true) == LockResult::kEnqueued);
  CHECK(f.s.check_deadlock(a, granted) == Store::Deadlock::kNone);
  CHECK(f.s.lock(r1, b, LockMode::kUpdate, true) == LockResult::kEnqueued);
  CHECK(f.s.check_deadlock(b, granted) == Store::Deadlock::kHard);
  CHECK(granted.empty());
}
