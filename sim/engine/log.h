// What step() reports: narrated events for people and observations for the
// checks (check/). Both are append-only records; step() writes them only when
// given a Log, so exploration can run without recording.
#pragma once

#include <string>
#include <vector>

#include "core/ids.h"
#include "lang/eval.h"

namespace ccsim {

enum class EventKind {
  kStep,      // a step ran to completion
  kWait,      // a statement must wait for a row lock
  kResume,    // a waiting statement got its lock and completed (or went on)
  kCommit,    // a transaction committed (explicit COMMIT or autocommit)
  kRollback,  // a transaction rolled back
  kError,     // a statement failed: the request is aborted
  kDropped,   // the client never sent the request
  kRetry,     // a RETRY condition held: the previous step runs again
  kGaveUp,    // a RETRY or restart ran out of tries, or a limit was reached
  kRestart,   // the request starts over from its first step
  kCrash,     // the request's process died at this step (an injected fault)
  kFinish,    // the request returned
};
const char* to_string(EventKind k);  // "step", "wait", ...

struct Event {
  EventKind kind = EventKind::kStep;
  RequestId request;
  size_t step = 0;   // the program step (0-based) the event belongs to
  std::string text;  // narration after "A: ", e.g. "SELECT points ... -> :points = 100"
  std::vector<RequestId> others;  // kWait: the lock holders; kResume: who released it
  std::string sqlstate;           // kError
  // kError: the error's primary message; kStep: a WARNING; kWait: a WARNING
  // the statement sent before it waited.
  std::string message;
  bool notice = false;    // kStep: the message is NOTICEs, one per line
  bool resumed = false;   // kCommit: a COMMIT whose deferred checks waited completes
  std::string warned;     // kError: a WARNING the statement sent before it failed
  std::string mutex;      // kWait for an application mutex, an advisory or a table lock: its label
  int64_t rowcount = -1;  // rows a completed INSERT, UPDATE or DELETE touched
  // A SELECT's result, when the event completes one (kStep, kResume).
  bool has_rows = false;
  std::vector<std::string> columns;
  std::vector<std::optional<ColumnType>> datetimes;  // as SqlAnswer's
  std::vector<Row> rows;
};

// One column a write changed, with the values it was computed from.
struct ColumnChange {
  std::string column;
  Value before, after;
  std::vector<RowRead> from;   // the reads behind the :params in its SET expression
  bool reads_current = false;  // the SET expression reads the column itself (points + :gain)
};

// A write to a row: an UPDATE or DELETE replacing version `before`.
struct WriteObs {
  RequestId request;
  TxnId txn;
  TableId table;
  RowId row;
  VersionId before;
  VersionId after;  // 0 for a DELETE
  std::vector<ColumnChange> changes;
  size_t event = 0;  // Log::events.size() when it was made: the step's event comes next
};

struct TxnObs {
  TxnId txn;
  RequestId request;
  bool committed = false;
};

struct Log {
  // false: record only the observations (writes, transaction ends), not the
  // narrated events; step() then builds no narration at all.
  bool narrate = true;
  std::vector<Event> events;
  std::vector<WriteObs> writes;
  std::vector<TxnObs> txn_ends;
};

// True when the caller wants the narration (events), not only the
// observations the checks read.
inline bool narrating(const Log* log) {
  return log && log->narrate;
}

// Appends an event when narrating; returns it so callers can add details.
// `text` makes the narration: it is not called (nor its words built) when
// nobody reads them, as when the explorer moves.
template <class Text>
Event* emit(Log* log, EventKind kind, RequestId r, size_t step, Text&& text,
            const std::vector<RequestId>& others = {}, const std::string& sqlstate = {}) {
  if (!narrating(log)) return nullptr;
  Event e;
  e.kind = kind;
  e.request = r;
  e.step = step;
  e.text = text();
  e.others = others;
  e.sqlstate = sqlstate;
  log->events.push_back(std::move(e));
  return &log->events.back();
}

}  // namespace ccsim
