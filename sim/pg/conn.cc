#include "pg/conn.h"

#include "pg/libpq.h"

#include <unistd.h>

#include <charconv>
#include <chrono>

namespace ccsim {

namespace asio = boost::asio;

namespace {

const libpq::Api& pq() {
  return libpq::api();
}

// A number column's text as ccsim's number (a whole one, or a Decimal
// with its scale); text as it came when it is neither (beyond ccsim's
// digits, NaN), so a comparison shows the difference instead of guessing.
Value number_or_text(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size()) return Value{v};
  if (text.find('.') != std::string::npos)
    if (std::optional<Value> d = numeric_text(text)) return *d;
  return Value{text};
}

}  // namespace

std::vector<Row> PgResult::values() const {
  std::vector<Row> out;
  for (const auto& row : rows) {
    Row values;
    for (size_t c = 0; c < row.size(); ++c)
      values.push_back(!row[c]      ? Value{Null{}}
                       : is_int[c]  ? number_or_text(*row[c])
                       : is_bool[c] ? Value{*row[c] == "t"}
                                    : Value{*row[c]});
    out.push_back(std::move(values));
  }
  return out;
}

void PgResult::clear() {
  error = false;
  sqlstate.clear();
  message.clear();
  tuples = false;
  columns.clear();
  is_int.clear();
  is_bool.clear();
  rows.clear();
  rowcount = -1;
}

bool pg_int_type(Oid t) {
  return t == 20 || t == 21 || t == 23 || t == 1700;  // int8, int2, int4, numeric
}

std::string pg_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

PgConn::PgConn(asio::io_context& io, const PgOptions& o, const std::string& what) {
  std::string timeout = std::to_string(o.connect_timeout_s);
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {o.conninfo.c_str(), timeout.c_str(), nullptr};
  pg_ = pq().PQconnectdbParams(keys, values, 1);
  if (!pg_ || pq().PQstatus(pg_) != CONNECTION_OK) {
    std::string msg = pg_ ? pq().PQerrorMessage(pg_) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    if (pg_) pq().PQfinish(pg_);
    pg_ = nullptr;
    throw PgError("cannot connect to PostgreSQL (" + what + "): " + msg);
  }
  // NOTICEs (a schema that did not exist, a cascade) are dropped unless asked for.
  pq().PQsetNoticeProcessor(pg_, &PgConn::notice_thunk, this);
  exec("SET statement_timeout = " + std::to_string(o.statement_timeout_ms));
  // ccsim's sessions run in UTC with ISO dates (a spec's, in the tester's
  // DateStyle): a timestamptz reads and prints as ccsim's does, whatever
  // the server's defaults.
  exec("SET TimeZone = 'UTC'");
  exec("SET DateStyle = '" + o.datestyle + "'");
  pid_ = pq().PQbackendPID(pg_);
  if (pq().PQsetnonblocking(pg_, 1) != 0) throw PgError("cannot make the connection non-blocking");
  int fd = dup(pq().PQsocket(pg_));
  if (fd < 0) throw PgError("cannot watch the connection's socket");
  sd_ = std::make_unique<asio::posix::stream_descriptor>(io, fd);
}

PgConn::~PgConn() {
  sd_.reset();
  if (pg_) pq().PQfinish(pg_);
}

void PgConn::notice_thunk(void* self, const char* message) {
  auto* c = static_cast<PgConn*>(self);
  if (c->notice_) c->notice_(message);
}

void PgConn::on_notice(std::function<void(const std::string&)> sink) {
  notice_ = std::move(sink);
}

void PgConn::cancel_waits() {
  cancelled_ = true;
  if (sd_) sd_->cancel();
}

void PgConn::cancel_statement() {
  PGcancel* c = pq().PQgetCancel(pg_);
  if (!c) throw PgError("cannot cancel a statement: the connection is gone");
  char why[256] = "";
  int sent = pq().PQcancel(c, why, sizeof why);
  pq().PQfreeCancel(c);
  if (!sent) throw PgError(std::string("cannot cancel a statement: ") + why);
}

void PgConn::exec(const std::string& sql) {
  pq().PQsetnonblocking(pg_, 0);
  PGresult* r = pq().PQexec(pg_, sql.c_str());
  ExecStatusType st = pq().PQresultStatus(r);
  std::string msg = pq().PQresultErrorMessage(r);
  result_ = PgResult{};
  if (st == PGRES_TUPLES_OK) absorb(r);
  pq().PQclear(r);
  if (sd_) pq().PQsetnonblocking(pg_, 1);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw PgError("PostgreSQL refused `" + sql + "`: " + msg);
  }
}

std::vector<std::string> PgConn::rows_as_text(const std::string& sql) {
  pq().PQsetnonblocking(pg_, 0);
  PGresult* r = pq().PQexec(pg_, sql.c_str());
  pq().PQsetnonblocking(pg_, 1);
  if (pq().PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::string msg = pq().PQresultErrorMessage(r);
    pq().PQclear(r);
    throw PgError("PostgreSQL refused `" + sql + "`: " + msg);
  }
  std::vector<std::string> out;
  for (int i = 0; i < pq().PQntuples(r); ++i) {
    std::string row = "(";
    for (int c = 0; c < pq().PQnfields(r); ++c) {
      row += c ? ", " : "";
      // As to_sql() writes a value: numbers and booleans bare, text quoted.
      const char* v = pq().PQgetvalue(r, i, c);
      row += pq().PQgetisnull(r, i, c)         ? std::string("NULL")
             : pg_int_type(pq().PQftype(r, c)) ? std::string(v)
             : pq().PQftype(r, c) == 16        ? std::string(v[0] == 't' ? "true" : "false")
                                               : pg_quote(v);
    }
    out.push_back(row + ")");
  }
  pq().PQclear(r);
  return out;
}

void PgConn::start(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                   bool several) {
  busy_ = true;
  result_.clear();
  earlier_.clear();
  results_in_ = 0;
  if (several) {
    if (!pq().PQsendQuery(pg_, sql.c_str()))
      throw PgError(std::string("cannot send a statement: ") + pq().PQerrorMessage(pg_));
    return;
  }
  values_.clear();
  for (const auto& p : params) values_.push_back(p ? p->c_str() : nullptr);
  if (!pq().PQsendQueryParams(pg_, sql.c_str(), static_cast<int>(values_.size()), nullptr,
                              values_.data(), nullptr, nullptr, 0))
    throw PgError(std::string("cannot send a statement: ") + pq().PQerrorMessage(pg_));
}

// Waits until the socket is ready for `what`. Asio watches descriptors
// edge-triggered, but a wait does not depend on an edge: queueing it
// re-arms the descriptor (epoll_ctl EPOLL_CTL_MOD in Asio's epoll reactor),
// and the kernel then reports a socket that is already ready at once. So a
// result that arrived while no wait was queued is not missed, and no timer
// is needed to look again. cancel_waits() ends the wait early.
asio::awaitable<void> PgConn::ready(asio::posix::stream_descriptor::wait_type what) {
  boost::system::error_code ec;
  co_await sd_->async_wait(what, asio::redirect_error(asio::use_awaitable, ec));
  if (cancelled_) throw PgError("interrupted");
}

asio::awaitable<void> PgConn::collect() {
  while (pq().PQflush(pg_) == 1) co_await ready(asio::posix::stream_descriptor::wait_write);
  for (;;) {
    if (!pq().PQconsumeInput(pg_))
      throw PgError(std::string("lost the connection: ") + pq().PQerrorMessage(pg_));
    while (!pq().PQisBusy(pg_)) {
      PGresult* r = pq().PQgetResult(pg_);
      if (!r) {
        busy_ = false;
        co_return;
      }
      absorb(r);
      pq().PQclear(r);
    }
    co_await ready(asio::posix::stream_descriptor::wait_read);
  }
}

void PgConn::meet_notices() {
  if (!busy_) return;
  if (!pq().PQconsumeInput(pg_))
    throw PgError(std::string("lost the connection: ") + pq().PQerrorMessage(pg_));
  // PQisBusy parses, calling the notice processor. A result that is ready
  // now (the wait ended by a timer meanwhile) came in through this read, so
  // collect()'s wait for input may never end: it is woken to take it.
  if (!pq().PQisBusy(pg_) && sd_) sd_->cancel();
}

asio::awaitable<bool> PgConn::waits_for_lock(int pid, std::string pids) {
  start("SELECT pg_catalog.pg_isolation_test_session_is_blocked($1, $2)",
        {std::to_string(pid), pids});
  co_await collect();
  co_return !result_.error && !result_.rows.empty() &&
      result_.rows[0][0] == std::optional<std::string>("t");
}

bool PgConn::in_transaction() const {
  PGTransactionStatusType t = pq().PQtransactionStatus(pg_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

asio::awaitable<std::vector<int>> PgConn::blocking_pids(int pid) {
  start("SELECT unnest(pg_catalog.pg_blocking_pids($1))", {std::to_string(pid)});
  co_await collect();
  std::vector<int> out;
  if (!result_.error)
    for (const auto& row : result_.rows)
      if (row[0]) out.push_back(std::stoi(*row[0]));
  co_return out;
}

void PgConn::absorb(PGresult* r) {
  ++results_in_;
  ExecStatusType st = pq().PQresultStatus(r);
  if (result_.tuples || result_.error || result_.rowcount != -1 || !result_.columns.empty()) {
    earlier_.push_back(std::move(result_));  // a later statement's result
    result_ = PgResult{};
  }
  if (st == PGRES_FATAL_ERROR) {
    result_.error = true;
    const char* state = pq().PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char* msg = pq().PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    result_.sqlstate = state ? state : "";
    result_.message = msg ? msg : "";
    return;
  }
  if (st == PGRES_TUPLES_OK) {
    result_.tuples = true;
    int cols = pq().PQnfields(r);
    for (int c = 0; c < cols; ++c) {
      result_.columns.push_back(pq().PQfname(r, c));
      result_.is_int.push_back(pg_int_type(pq().PQftype(r, c)));
      result_.is_bool.push_back(pq().PQftype(r, c) == 16);  // bool
    }
    for (int i = 0; i < pq().PQntuples(r); ++i) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < cols; ++c)
        row.push_back(pq().PQgetisnull(r, i, c)
                          ? std::nullopt
                          : std::optional<std::string>(pq().PQgetvalue(r, i, c)));
      result_.rows.push_back(std::move(row));
    }
    result_.rowcount = pq().PQntuples(r);
    return;
  }
  const char* n = pq().PQcmdTuples(r);
  result_.rowcount = n && *n ? std::stoll(n) : -1;
}

}  // namespace ccsim
