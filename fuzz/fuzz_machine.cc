// libFuzzer target over the request machine and the SQL printer, with the
// fuzzer playing the database.
//
// A real server may answer any statement with any rows, a lock wait, or any
// error, in any order the requests' timing allows; the request machine must
// stay sound whatever it hears. Here the fuzzer picks a shipped scenario and
// mitigation, how many requests run, who moves next, and every answer. After
// each move the machine's invariants are checked:
//   - a request has ended exactly when its fate is decided;
//   - an ended request holds no transaction and no per-process mutex, and
//     waits in no queue;
//   - a request waiting in ACQUIRE is queued on the mutex it waits for;
//   - no request takes more steps than the step limit allows.
// Every statement handed to the backend is also printed for the server
// (lang/printer.h), and the printed text must read back: with each $n
// placeholder written as a :param bound to the same value, the step parser
// must accept it and the printer must print the same SQL with the same
// values. The same round trip runs on a step line the fuzzer writes.
//
// Build: cmake -S . -B build-san -G Ninja -DCMAKE_CXX_COMPILER=clang++
// -DCCSIM_SANITIZE=ON -DCCSIM_FUZZ=ON; run: fuzz/run 60 machine
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/request_machine.h"
#include "lang/parser.h"
#include "lang/printer.h"
#include "scenario/scenario.h"

using namespace ccsim;

namespace {

[[noreturn]] void broken() {
  __builtin_trap();
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = [] {
    std::vector<Scenario> out;
    for (const std::string& name : builtin_scenarios()) out.push_back(load_scenario(name));
    return out;
  }();
  return all;
}

Value fuzzed_value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return Null{};
    case 1:
      return in.ConsumeIntegral<int64_t>();
    case 2:
      return in.ConsumeIntegralInRange<int64_t>(-3, 200);
    default:
      return in.ConsumeRandomLengthString(12);
  }
}

// Prints `st` with `vars`, then checks that the printed text reads back as a
// step that prints the same. Returns false when the printer refused the
// statement with an SqlError (as the server would refuse it).
bool printed_reads_back(const Step& st, const Vars& vars) {
  std::vector<std::optional<std::string>> params;
  std::string sql;
  try {
    sql = server_sql(st, vars, &params);
  } catch (const SqlError&) {
    return false;
  }
  // $3::int8 -> :p3, bound to the value that went out as $3.
  std::string text;
  Vars again;
  size_t n = 0;
  char quote = 0;  // inside '...' or "...": a $ there is text
  for (size_t i = 0; i < sql.size();) {
    if (quote || sql[i] == '\'' || sql[i] == '"') {
      if (!quote)
        quote = sql[i];
      else if (sql[i] == quote)
        quote = 0;  // a doubled quote closes and opens again
      text += sql[i++];
      continue;
    }
    if (sql[i] != '$') {
      text += sql[i++];
      continue;
    }
    size_t j = i + 1;
    size_t k = 0;
    while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])))
      k = k * 10 + static_cast<size_t>(sql[j++] - '0');
    // Each placeholder says its type: ::int8, ::numeric, ::bool or ::text.
    std::string type;
    for (const char* t : {"::int8", "::numeric", "::bool", "::text"})
      if (sql.compare(j, std::string_view(t).size(), t) == 0) type = t;
    if (type.empty()) broken();  // a placeholder without its type
    if (k != ++n || k > params.size() || !params[k - 1]) broken();
    text += ":p" + std::to_string(k);
    const std::string& v = *params[k - 1];
    Value bound{v};
    if (type == "::int8") {
      bound = Value{std::stoll(v)};
    } else if (type == "::numeric") {
      std::optional<Value> d = numeric_text(v);
      if (!d) broken();  // a numeric that does not read back
      bound = *d;
    } else if (type == "::bool") {
      if (v != "t" && v != "f") broken();
      bound = Value{v == "t"};
    }
    again["p" + std::to_string(k)] = Var{bound, {}};
    i = j + type.size();
  }
  if (n != params.size()) broken();
  Step back;
  try {
    back = parse_step(text, SourcePos{"printed", 1, 1});
  } catch (const InputError&) {
    broken();  // the printer wrote something the step language cannot read
  }
  std::vector<std::optional<std::string>> params_again;
  std::string sql_again;
  try {
    sql_again = server_sql(back, again, &params_again);
  } catch (const SqlError&) {
    broken();
  }
  if (sql_again != sql || params_again != params) broken();
  return true;
}

// The fuzzer as the database: it answers each statement now or later, with
// rows, a wait or an error. Transactions are tracked as a server would.
class FuzzBackend : public SqlBackend {
 public:
  FuzzBackend(FuzzedDataProvider& in, const Application& app)
      : in_(in),
        app_(app),
        open_(app.requests.size()),
        told_waiting_(app.requests.size()),
        pending_(app.requests.size()) {}

  std::optional<SqlAnswer> run(RequestId r, const Step& st, const Vars& vars) override {
    if (pending_[r.value]) broken();  // a second statement before the first was answered
    if (!printed_reads_back(st, vars)) {
      SqlAnswer a;
      a.kind = SqlAnswer::Kind::kError;
      a.sqlstate = "42P02";
      return a;
    }
    if (std::holds_alternative<BeginStmt>(st.body) || std::holds_alternative<CommitStmt>(st.body) ||
        std::holds_alternative<RollbackStmt>(st.body))
      return control(r, st);
    if (in_.ConsumeIntegralInRange<int>(0, 4) == 0) {  // it waits for a lock
      pending_[r.value] = &st;
      return std::nullopt;
    }
    return answer(r, st);
  }

  void finish(RequestId) override {}
  bool in_transaction(RequestId r) const override { return open_[r.value]; }
  void rollback(RequestId r, const std::string&, bool) override { open_[r.value] = false; }
  void close(RequestId r) override { open_[r.value] = false; }

  // The next word on a statement that is out: first, perhaps, that it
  // waits for a lock; then its answer, whoever released it.
  SqlAnswer take_pending(RequestId r) {
    if (!told_waiting_[r.value] && in_.ConsumeBool()) {
      told_waiting_[r.value] = true;
      SqlAnswer a;
      a.kind = SqlAnswer::Kind::kWaiting;
      a.holders = {RequestId{in_.ConsumeIntegralInRange<uint32_t>(
          0, static_cast<uint32_t>(app_.requests.size() - 1))}};
      a.waits_on = "fuzzed";
      return a;
    }
    told_waiting_[r.value] = false;
    const Step& st = *pending_[r.value];
    pending_[r.value] = nullptr;
    SqlAnswer a = answer(r, st);
    a.released_by = {RequestId{
        in_.ConsumeIntegralInRange<uint32_t>(0, static_cast<uint32_t>(app_.requests.size() - 1))}};
    return a;
  }
  bool pending(RequestId r) const { return pending_[r.value] != nullptr; }

 private:
  SqlAnswer control(RequestId r, const Step& st) {
    SqlAnswer a;
    a.block_before = open_[r.value];
    if (auto* b = std::get_if<BeginStmt>(&st.body)) {
      a.level = b->isolation.value_or(Isolation::kReadCommitted);
      open_[r.value] = true;
    } else {
      if (std::holds_alternative<CommitStmt>(st.body) && in_.ConsumeBool()) {
        a.kind = SqlAnswer::Kind::kError;  // a serialization failure at COMMIT
        a.sqlstate = "40001";
      }
      open_[r.value] = false;
    }
    return a;
  }

  SqlAnswer answer(RequestId, const Step&) {
    static const char* kStates[] = {"40001", "40P01", "55P03", "23505", "25P02",
                                    "22003", "57014", "XX000", "08006", "42P01"};
    SqlAnswer a;
    if (in_.ConsumeIntegralInRange<int>(0, 3) == 0) {
      a.kind = SqlAnswer::Kind::kError;
      a.sqlstate = kStates[in_.ConsumeIntegralInRange<size_t>(0, std::size(kStates) - 1)];
      a.message = "fuzzed";
      return a;
    }
    if (in_.ConsumeBool()) {
      a.has_rows = true;
      size_t columns = in_.ConsumeIntegralInRange<size_t>(0, 3);
      for (size_t c = 0; c < columns; ++c) a.columns.push_back("c" + std::to_string(c));
      size_t rows = in_.ConsumeIntegralInRange<size_t>(0, 2);
      for (size_t i = 0; i < rows; ++i) {
        Row row;
        for (size_t c = 0; c < columns; ++c) row.push_back(fuzzed_value(in_));
        a.rows.push_back(std::move(row));
      }
    }
    a.rowcount = in_.ConsumeIntegralInRange<int64_t>(-1, 3);
    return a;
  }

  FuzzedDataProvider& in_;
  const Application& app_;
  std::vector<bool> open_, told_waiting_;
  std::vector<const Step*> pending_;
};

void check_invariants(const Application& app, const FuzzBackend& sql) {
  for (size_t i = 0; i < app.requests.size(); ++i) {
    const Request& q = app.requests[i];
    RequestId r{static_cast<uint32_t>(i)};
    bool done = q.state == RunState::kDone;
    if (done != (q.fate != Fate::kRunning)) broken();
    if (q.steps_taken > app.steps_per_request_max + 1) broken();
    if (q.mutex_wait) {
      if (q.state != RunState::kBlocked) broken();
      std::optional<std::string> key = app.mutexes.waiting_for(i);
      if (!key || app.mutexes.holder(*key) == i) broken();
    }
    if (!done) continue;
    if (!q.continue_on_error && sql.in_transaction(r)) broken();
    if (sql.pending(r)) broken();
    if (app.mutexes.waiting_for(i)) broken();
    if (q.fate != Fate::kCrashed)
      for (const std::string& key : app.mutexes.held_by(i))
        if (!Mutexes::is_global(key)) broken();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) {  // a step line of the fuzzer's own, printed and read back
    std::string line = in.ConsumeRandomLengthString(200);
    Step st;
    try {
      st = parse_step(line, SourcePos{"fuzz", 1, 1});
    } catch (const InputError&) {
      return 0;
    }
    if (!is_sql(st)) return 0;
    Vars vars;
    // Bind each parameter the statement asks for, as the printer names them.
    for (int tries = 0; tries < 16; ++tries) {
      std::vector<std::optional<std::string>> params;
      try {
        server_sql(st, vars, &params);
        break;
      } catch (const SqlError& e) {
        std::string m = e.what();
        size_t at = m.find(':');
        size_t end = m.find(' ', at);
        if (e.sqlstate() != "42P02" || at == std::string::npos) break;
        vars[m.substr(at + 1, end - at - 1)] = Var{fuzzed_value(in), {}};
      }
    }
    printed_reads_back(st, vars);
    return 0;
  }

  const std::vector<Scenario>& all = scenarios();
  const Scenario& base = all[in.ConsumeIntegralInRange<size_t>(0, all.size() - 1)];
  Scenario s = with_request_count(base, in.ConsumeIntegralInRange<size_t>(1, 4));
  const Mitigation& m =
      s.mitigations[in.ConsumeIntegralInRange<size_t>(0, s.mitigations.size() - 1)];
  Application app = build_application(s, m);
  app.steps_per_request_max = in.ConsumeIntegralInRange<int64_t>(1, 60);
  FuzzBackend sql(in, app);
  Log log;
  RequestMachine machine(app, sql, &log);

  while (in.remaining_bytes() > 0) {
    std::vector<RequestId> movers;
    for (size_t i = 0; i < app.requests.size(); ++i) {
      RequestId r{static_cast<uint32_t>(i)};
      if (sql.pending(r) || runnable(app, r)) movers.push_back(r);
    }
    if (movers.empty()) break;
    RequestId r = movers[in.ConsumeIntegralInRange<size_t>(0, movers.size() - 1)];
    if (sql.pending(r))
      machine.answer(r, sql.take_pending(r));
    else
      machine.step(r);
    check_invariants(app, sql);
  }
  return 0;
}
