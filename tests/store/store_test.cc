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

TEST_CASE("a transaction's end wakes the waiters for its rows in the order they came", "[store]") {
  // PostgreSQL: each waits on the holder's transaction (XactLockTableWait),
  // one queue whichever row it waits for (ProcLockWakeup grants in order).
  // Random spec 213377: two UPDATEs taking serial values woke by row.
  Fixture f;
  RowId r1 = f.seed_row(1, 0), r2 = f.seed_row(2, 0), r3 = f.seed_row(3, 0);
  TxnId holder = f.s.begin(RequestId{0}, Isolation::kReadCommitted);
  TxnId first = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  TxnId second = f.s.begin(RequestId{2}, Isolation::kReadCommitted);
  TxnId third = f.s.begin(RequestId{3}, Isolation::kReadCommitted);
  // The holder locks rows 1, 2 and 3 in that order; they are waited for
  // on rows 3, 1 and 3 again (behind the first), in that order.
  for (RowId r : {r1, r2, r3})
    REQUIRE(f.s.lock(r, holder, LockMode::kUpdate, true) == LockResult::kGranted);
  REQUIRE(f.s.lock(r3, first, LockMode::kShare, true) == LockResult::kEnqueued);
  REQUIRE(f.s.lock(r1, second, LockMode::kUpdate, true) == LockResult::kEnqueued);
  REQUIRE(f.s.lock(r3, third, LockMode::kShare, true) == LockResult::kEnqueued);
  CHECK(f.s.end(holder, true) == std::vector<TxnId>{first, second, third});
}

TEST_CASE("a savepoint's rollback wakes the waiters for its rows in the order they came",
          "[store]") {
  // The rows locked since the savepoint are its subtransaction's: their
  // waiters wait on its xid, one queue that its abort grants in order.
  Fixture f;
  RowId r1 = f.seed_row(1, 0), r2 = f.seed_row(2, 0), r3 = f.seed_row(3, 0);
  TxnId holder = f.s.begin(RequestId{0}, Isolation::kReadCommitted);
  TxnId first = f.s.begin(RequestId{1}, Isolation::kReadCommitted);
  TxnId second = f.s.begin(RequestId{2}, Isolation::kReadCommitted);
  REQUIRE(f.s.lock(r1, holder, LockMode::kUpdate, true) == LockResult::kGranted);
  SavepointMark m = f.s.mark(holder);
  for (RowId r : {r2, r3})
    REQUIRE(f.s.lock(r, holder, LockMode::kUpdate, true) == LockResult::kGranted);
  REQUIRE(f.s.lock(r3, first, LockMode::kUpdate, true) == LockResult::kEnqueued);
  REQUIRE(f.s.lock(r2, second, LockMode::kUpdate, true) == LockResult::kEnqueued);
  CHECK(f.s.rollback_to(holder, m) == std::vector<TxnId>{first, second});
  CHECK(f.s.holds(r1, holder, LockMode::kUpdate));
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

// ---- a table's heap pages ---------------------------------------------------------
// Each case's page count is pg_class.relpages after VACUUM of the same rows
// on PostgreSQL 15 (measured with psql), and its tuple size what
// pg_column_size gave for a row, plus its 4-byte line pointer.
namespace {

uint32_t pages_after(std::vector<Column> columns, const Row& row, int rows, size_t* bytes) {
  Store s;
  TableId t = s.create_table("t", std::move(columns));
  TxnId x = s.begin(RequestId{0}, Isolation::kReadCommitted);
  for (int i = 0; i < rows; ++i) s.insert(t, x, row);
  s.end(x, true);
  *bytes = Store::tuple_bytes(s.table(t), row);
  return s.table(t).heap_pages;
}

Column col(const char* name, ColumnType type) {
  return Column{name, type, false, false, {}, 0};
}

}  // namespace

TEST_CASE("a table's rows fill its heap pages as PostgreSQL lays them", "[store]") {
  size_t bytes = 0;
  const std::vector<Column> ints{col("id", ColumnType::kInt), col("b", ColumnType::kInt),
                                 col("c", ColumnType::kInt)};
  const Row three{int64_t{1}, int64_t{0}, int64_t{0}};
  // 23 + 1 -> 24, three ints -> 36, aligned 40, and the line pointer: 185
  // rows a page.
  CHECK(pages_after(ints, three, 300, &bytes) == 2);
  CHECK(bytes == 44);
  CHECK(pages_after(ints, three, 450, &bytes) == 3);
  CHECK(pages_after(ints, three, 600, &bytes) == 4);
  CHECK(pages_after(ints, three, 0, &bytes) == 0);
  // A text of 200 bytes takes a 4-byte header, aligned: 236 bytes a row.
  CHECK(pages_after({col("id", ColumnType::kInt), col("s", ColumnType::kText)},
                    Row{int64_t{1}, std::string(200, 'x')}, 100, &bytes) == 3);
  CHECK(bytes == 236);
  // A NULL adds the null bitmap; 12345.678 is three base-10000 digits
  // (9 bytes); the bigint is aligned to 8: pg_column_size 48.
  CHECK(pages_after({col("id", ColumnType::kInt), col("n", ColumnType::kNumeric),
                     col("s", ColumnType::kText), col("b", ColumnType::kBigInt)},
                    Row{int64_t{1}, Decimal(12345678, 3), Null{}, int64_t{1}}, 1000, &bytes) == 7);
  CHECK(bytes == 52);
  // smallint, date, uuid, boolean, timestamptz: 64 bytes, 68 with the pointer.
  CHECK(pages_after({col("id", ColumnType::kSmallInt), col("d", ColumnType::kDate),
                     col("u", ColumnType::kUuid), col("f", ColumnType::kBool),
                     col("ts", ColumnType::kTimestampTz)},
                    Row{int64_t{1}, int64_t{0}, std::string("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                        true, int64_t{0}},
                    1000, &bytes) == 9);
  CHECK(bytes == 68);
}
