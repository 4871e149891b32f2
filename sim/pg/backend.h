// The request machine's backend on a real server (engine/request_machine.h):
// request r runs on session r of a ServerRun. A statement is printed from
// its syntax (lang/printer.h) and sent without waiting; the driver that owns
// the io_context learns when its result is in (or that it waits for a lock)
// and hands the machine answer_of(r). Shared by `ccsim verify`'s replay and
// `ccsim load`'s clients, so both run a request exactly as the simulator
// does. Part of the real-I/O edge (pg/).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/request_machine.h"
#include "lang/printer.h"
#include "pg/asio.h"
#include "pg/server_run.h"

namespace ccsim {

class PgBackend : public SqlBackend {
 public:
  // `iso` is the sessions' default level (what a bare BEGIN opens).
  PgBackend(ServerRun& run, const Application& app, Isolation iso, Log* log)
      : run_(run), app_(app), iso_(iso), log_(log), in_flight_(run.sessions()) {}

  std::optional<SqlAnswer> run(RequestId r, const Step& st, const Vars& vars) override;
  void finish(RequestId) override {}  // the server commits a statement outside a block itself
  bool in_transaction(RequestId r) const override;
  // Narrated now; the ROLLBACK itself goes out at the next flush().
  void rollback(RequestId r, const std::string& why, bool in_session) override;
  // The process died: the driver closes its connection (take_killed()).
  void close(RequestId r) override { killed_.push_back(r.value); }

  // True while r's statement is out on the server, its answer not yet taken.
  bool in_flight(RequestId r) const { return in_flight_[r.value].active; }
  // The answer to r's statement, its result being in.
  SqlAnswer answer_of(RequestId r);
  // Sends the ROLLBACKs the machine asked for and awaits them.
  boost::asio::awaitable<void> flush();
  // True when flush() has a ROLLBACK to send (a caller that sends thousands
  // of statements skips the coroutine otherwise).
  bool owes_rollbacks() const { return !rollbacks_.empty(); }
  // The requests whose process died since the last call.
  std::vector<size_t> take_killed() { return std::exchange(killed_, {}); }

 private:
  struct InFlight {
    const Step* step = nullptr;
    bool was_in_txn = false;
    bool active = false;
  };
  ServerRun& run_;
  const Application& app_;
  Isolation iso_;
  Log* log_;
  std::vector<InFlight> in_flight_;
  std::vector<size_t> killed_;
  std::vector<size_t> rollbacks_;                   // sessions owed a ROLLBACK
  ServerSqlCache sql_cache_;                        // the statements' texts, printed once
  std::vector<std::optional<std::string>> params_;  // run()'s, kept for their storage
};

}  // namespace ccsim
